"""Answer benchmark: end-to-end answer latency of the assistant (extractive; models: bench_generate.py).

    python -m bench.bench_answer [--dataset eval/data/dev.jsonl] [--repeat 1]

`Assistant.ask` on every dev-set question (query understanding, filters,
hybrid retrieval with rerank, composing, exact citations), one at a time, after a warm-up of
10 questions that are not counted; latency is wall time around `ask`, overall and per question type.
Goal (issue 5): p50 ≤ 100 ms, p95 ≤ 300 ms.

Writes build/bench/answer.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
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


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    head = f"Answer benchmark, {m['date']} ({m['cpus']} CPUs, load average {m['load_avg_1m']} at start)"
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
    parser.add_argument("--repeat", type=int, default=1, help="passes over the dev set (extractive)")
    args = parser.parse_args(argv)
    context = machine()
    from index.versions import IndexUnavailableError

    try:
        result = bench_extractive(args.dataset, args.repeat)
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {"machine": context, "goals": GOALS, "dataset": str(args.dataset), **result}
    path = write_result("answer", result)
    print(render(result))
    print(f"\nwrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
