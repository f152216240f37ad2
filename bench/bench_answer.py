"""Answer benchmark: end-to-end answer latency of the assistant, and the `local` generator's speed.

    python -m bench.bench_answer [--dataset eval/data/dev.jsonl] [--repeat 1]
    python -m bench.bench_answer --generator local [--limit 3]     # needs pip install -e '.[llm]'

extractive (default): `Assistant.ask` on every dev-set question (query understanding, filters,
hybrid retrieval with rerank, composing, exact citations), one at a time, after a warm-up of
10 questions that are not counted; latency is wall time around `ask`, overall and per question type.
Goal (issue 5): p50 ≤ 100 ms, p95 ≤ 300 ms.

local: the first `--limit` answerable dev questions are answered extractively, then the local model
(Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF through transformers, greedy) rewrites each answer from the
clauses it cites, through the grounding check; reported: model load seconds, seconds per answer,
generated tokens, tokens/s over the whole answer and over decoding only, and how many drafts
survived the check. One generation is a warm-up and is not counted.
Writes build/bench/answer.json (or answer-local.json) and prints a markdown table.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.measure import (
    DEV_SET,
    dev_questions,
    latency_summary,
    machine,
    markdown_table,
    peak_rss_mb,
    verdict,
    write_result,
)

GOALS = {"p50_ms": 100.0, "p95_ms": 300.0}
WARMUP = 10


def bench_extractive(dataset: Path, repeat: int) -> dict[str, Any]:
    from assistant.service import Assistant

    started = time.perf_counter()
    assistant = Assistant.from_index()
    _ = assistant.index.encoder  # the embedding model, loaded on the first question otherwise
    ready = time.perf_counter() - started
    items = dev_questions(dataset)
    for item in items[:WARMUP]:
        assistant.ask(item.question, history=item.history, profile=item.profile)
    overall: list[float] = []
    by_type: dict[str, list[float]] = defaultdict(list)
    refused = 0
    for _ in range(repeat):
        for item in items:
            t = time.perf_counter()
            answer = assistant.ask(item.question, history=item.history, profile=item.profile)
            ms = (time.perf_counter() - t) * 1000
            overall.append(ms)
            by_type[item.type].append(ms)
            refused += answer.refused
    return {
        "generator": "extractive",
        "ready_s": round(ready, 2),
        "questions": len(items),
        "dataset": str(dataset),
        "repeat": repeat,
        "refused": refused,
        "latency": latency_summary(overall),
        "by_type": {t: latency_summary(v) for t, v in sorted(by_type.items())},
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_local(dataset: Path, limit: int) -> dict[str, Any]:
    from assistant.generation import Draft, Evidence, GeneratorSettings
    from assistant.generation.local_backend import LocalGenerator, missing_packages
    from assistant.service import Assistant

    missing = missing_packages()
    if missing:
        return {"generator": "local", "skipped": f"the llm extra is not installed ({', '.join(missing)}): pip install -e '.[llm]'"}
    assistant = Assistant.from_index()
    generator = LocalGenerator.from_settings(GeneratorSettings())
    started = time.perf_counter()
    generator.load()
    load_s = time.perf_counter() - started

    def evidence_of(answer) -> list[Evidence]:
        titles = {d: m.title for d, m in assistant.index.docs.items()}
        return [Evidence(n, c.doc_id, titles[c.doc_id], c.section, c.quote, c.char_start, c.char_end)
                for n, c in enumerate(answer.citations, 1)]

    cases = []
    for item in dev_questions(dataset):
        if item.answerable:
            answer = assistant.ask(item.question, history=item.history, profile=item.profile)
            if answer.citations and not answer.refused:
                cases.append((item, answer))
        if len(cases) == limit + 1:
            break
    runs = []
    for i, (item, answer) in enumerate(cases):
        fallback = Draft(answer.text, generator="extractive")
        t = time.perf_counter()
        draft = generator.generate(item.question, evidence_of(answer), fallback=fallback)
        seconds = time.perf_counter() - t
        if i == 0:
            continue  # warm-up
        runs.append({"id": item.id, "seconds": round(seconds, 2), **{k: round(v, 2) for k, v in generator.last_stats.items()},
                     "kept_sentences": len(draft.sentences), "dropped": len(draft.dropped), "fell_back": draft.fell_back,
                     "raw": (draft.raw or "")[:300], "dropped_because": [d.reason for d in draft.dropped]})
    return {
        "generator": "local",
        "model": generator.parts.filename,
        "max_new_tokens": generator.max_new_tokens,
        "load_s": round(load_s, 1),
        "answers": len(runs),
        "median_seconds_per_answer": round(statistics.median(r["seconds"] for r in runs), 2) if runs else None,
        "tokens_per_s": round(sum(r["new_tokens"] for r in runs) / sum(r["seconds"] for r in runs), 2) if runs else None,
        "decode_tokens_per_s": round(statistics.median(r["decode_tokens_per_s"] for r in runs), 2) if runs else None,
        "fell_back": sum(r["fell_back"] for r in runs),
        "runs": runs,
        "peak_rss_mb": peak_rss_mb(),
    }


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    head = f"Answer benchmark, {m['date']} ({m['cpus']} CPUs, load average {m['load_avg_1m']} at start)"
    if result["generator"] == "local":
        if "skipped" in result:
            return f"{head}\n\nlocal generator skipped: {result['skipped']}"
        rows = [[r["id"], r["seconds"], r["new_tokens"], r["tokens_per_s"], r["decode_tokens_per_s"], r["first_text_s"],
                 r["kept_sentences"], r["dropped"], "yes" if r["fell_back"] else "no"] for r in result["runs"]]
        return "\n".join([
            f"{head}; `local` = {result['model']}, greedy, ≤ {result['max_new_tokens']} new tokens",
            "",
            (f"Model load {result['load_s']} s; median {result['median_seconds_per_answer']} s per answer; "
             f"{result['tokens_per_s']} tokens/s overall, {result['decode_tokens_per_s']} tokens/s while decoding "
             f"(median); {result['fell_back']} of {result['answers']} answers fell back to the extractive one."),
            "",
            markdown_table(["question", "s", "new tokens", "tok/s", "decode tok/s", "first text s", "kept", "dropped",
                            "fell back"], rows),
        ])
    lat = result["latency"]
    rows = [["all", lat["n"], lat["p50_ms"], lat["p95_ms"], lat["max_ms"]]]
    rows += [[t, s["n"], s["p50_ms"], s["p95_ms"], s["max_ms"]] for t, s in result["by_type"].items()]
    return "\n".join([
        f"{head}; extractive generator, {result['questions']} questions of {result.get('dataset', 'the dataset')} × {result['repeat']}, after {WARMUP} warm-up",
        "",
        markdown_table(["questions", "n", "p50 ms", "p95 ms", "max ms"], rows),
        "",
        (f"Goal p50 ≤ 100 ms: {verdict(lat['p50_ms'], GOALS['p50_ms'])}; p95 ≤ 300 ms: "
         f"{verdict(lat['p95_ms'], GOALS['p95_ms'])}. Ready to answer (index + model) in {result['ready_s']} s; "
         f"peak RSS {result['peak_rss_mb']} MB; {result['refused']} refusals."),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_answer", description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=DEV_SET)
    parser.add_argument("--generator", choices=["extractive", "local"], default="extractive")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the dev set (extractive)")
    parser.add_argument("--limit", type=int, default=3, help="answers timed with the local model")
    args = parser.parse_args(argv)
    context = machine()
    from index.versions import IndexUnavailableError

    try:
        if args.generator == "local":
            result = bench_local(args.dataset, args.limit)
        else:
            result = bench_extractive(args.dataset, args.repeat)
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {"machine": context, "goals": GOALS, "dataset": str(args.dataset), **result}
    path = write_result("answer" if args.generator == "extractive" else "answer-local", result)
    print(render(result))
    print(f"\nwrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
