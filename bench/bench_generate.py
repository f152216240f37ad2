"""Generation benchmark: the extractive answer against local models rewriting it, side by side (issue 14).

    python -m bench.bench_generate [--dataset eval/data/test.jsonl] [--every 3]
                                   [--models qwen2.5-coder-0.5b,qwen2.5-coder-1.5b] [--threads 2]
    make bench-generate                   # installs the llm extra first (llama.cpp compiles, ~18 min once)

The same fixed questions (every `--every`-th item of the dataset, in file order: 53 of the
158-question test split) are answered by `Assistant.ask` three ways: extractive (no model), and
with each local model (llama.cpp, greedy, the `local` generator) rewriting the composed answer from
its clauses under the grounding check. Reported per configuration, in one run on one machine:

* fact accuracy, refusal accuracy, false refusals and citation exactness, scored by `eval` as for
  any answer set (the test split is scored in aggregate only);
* share of sentences kept: sentences of the model's text that passed the check / all it wrote,
  and how many answers used the rewrite (the rest fell back to the extractive answer);
* median answer length (characters);
* time to first token (from the question, median), tokens/s while decoding (median), seconds per
  answer (median and p95), model load time.

Refused answers are never rewritten, so every configuration refuses the same questions. Writes
build/bench/generate.json and prints a markdown table for the README.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import machine, markdown_table, peak_rss_mb, write_result
from eval.metrics import percentile

TEST_SET = Path("eval/data/test.jsonl")
DEFAULT_MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")


def subset(items: list, every: int) -> list:
    """The fixed questions: every `every`-th item, in file order (deterministic, covers every kind)."""
    return items[::every]


class Timed:
    """A generator wrapper noting when each rewrite starts, so time to first token counts from the question."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.model = inner, inner.name, inner.model
        self.calls: list[dict[str, float]] = []

    def generate(self, question: str, evidence: list, fallback: Any = None) -> Any:
        called_at = time.perf_counter()
        draft = self.inner.generate(question, evidence, fallback=fallback)
        self.calls.append({**self.inner.last_stats, "called_at": called_at})
        return draft


def run_config(label: str, assistant: Any, items: list, timed: Timed | None) -> tuple[Any, dict[str, Any]]:
    """Answer every item; return the answer set and the timing/keeping figures of this configuration."""
    from assistant.contract import AnswerRecord
    from eval.answers import AnswerSet

    answers = AnswerSet(name=label, source="in-process", answers={})
    seconds, ttft, decode, kept, written, rewritten, asked_model = [], [], [], 0, 0, 0, 0
    for item in items:
        calls_before = len(timed.calls) if timed else 0
        started = time.perf_counter()
        answer = assistant.ask(item.question, history=item.history, profile=item.profile)
        wall = time.perf_counter() - started
        seconds.append(wall)
        record = answer.record(item.question, id=item.id)
        answers.answers[item.id] = AnswerRecord.model_validate(record.model_dump()).model_copy(
            update={"latency_ms": wall * 1000})
        if timed and len(timed.calls) > calls_before:
            call = timed.calls[-1]
            asked_model += 1
            ttft.append(call["called_at"] - started + call["first_text_s"])
            if call.get("decode_tokens_per_s"):
                decode.append(call["decode_tokens_per_s"])
            report = answer.generation
            if report is not None:
                kept += report.kept
                written += report.kept + len(report.dropped)
                rewritten += not report.fallback
    figures = {
        "seconds_p50": _r(statistics.median(seconds)), "seconds_p95": _r(percentile(seconds, 95)),
        "asked_model": asked_model, "rewritten": rewritten,
        "kept_sentences": kept, "written_sentences": written,
        "kept_share": _r(kept / written) if written else None,
        "ttft_s_p50": _r(statistics.median(ttft)) if ttft else None,
        "decode_tokens_per_s_p50": _r(statistics.median(decode)) if decode else None,
    }
    return answers, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_generate", description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=TEST_SET)
    parser.add_argument("--every", type=int, default=3, help="take every n-th item (default 3: 53 of 158)")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated local model ids")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: its own choice)")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    args = parser.parse_args(argv)

    from assistant.generation import GenerationError
    from assistant.generation.gguf import model, require
    from assistant.generation.local_backend import LocalGenerator
    from assistant.service import Assistant
    from eval.corpus import load_sources
    from eval.dataset import load_dataset
    from eval.gold import locate_gold
    from eval.scorer import score_answers
    from index.build import current_index
    from index.versions import IndexUnavailableError

    context = machine()
    try:
        index = current_index()
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    items = subset(load_dataset(args.dataset), args.every)
    sources = load_sources()
    gold, _ = locate_gold(items, sources)
    rows, configs = [], []
    for name in ["extractive", *[m.strip() for m in args.models.split(",") if m.strip()]]:
        timed, load_s = None, None
        if name != "extractive":
            parts = model(name)
            try:
                require(parts, name)
            except GenerationError as exc:
                print(f"skipping {name}: {exc}", file=sys.stderr)
                continue
            generator = LocalGenerator(max_new_tokens=args.max_new_tokens, threads=args.threads, parts=parts)
            started = time.perf_counter()
            generator.load()
            load_s = time.perf_counter() - started
            timed = Timed(generator)
        assistant = Assistant(index, generator=timed)
        assistant.ask(items[0].question)  # warm-up (embedding model, caches, the model's first call)
        if timed:
            timed.calls.clear()
        print(f"{name}: {len(items)} questions …", file=sys.stderr, flush=True)
        answers, figures = run_config(name, assistant, items, timed)
        summary = score_answers(items, gold, sources, answers).overall
        m = summary.metrics
        config = {"name": name, "load_s": _r(load_s), **figures,
                  **{k: _r(m[k]) for k in ("fact_accuracy", "refusal_accuracy", "false_refusal_rate",
                                           "citation_exactness", "answer_chars_p50")}}
        configs.append(config)
        rows.append([name, _f(config["fact_accuracy"]), _f(config["citation_exactness"]),
                     _f(config["refusal_accuracy"]), _f(config["false_refusal_rate"]),
                     "—" if timed is None else f"{_f(config['kept_share'])} ({config['kept_sentences']}/{config['written_sentences']})",
                     "—" if timed is None else f"{config['rewritten']}/{config['asked_model']}",
                     _f(config["answer_chars_p50"], 0), _f(config["ttft_s_p50"]), _f(config["decode_tokens_per_s_p50"], 1),
                     f"{_f(config['seconds_p50'], 3)} / {_f(config['seconds_p95'], 3)}", _f(load_s, 1)])
    result = {"machine": context, "dataset": str(args.dataset), "every": args.every, "questions": len(items),
              "max_new_tokens": args.max_new_tokens, "threads": args.threads, "configs": configs,
              "peak_rss_mb": peak_rss_mb()}
    path = write_result("generate", result)
    print(f"Generation benchmark, {context['date']} ({context['cpus']} CPUs, load average {context['load_avg_1m']} "
          f"at start): {len(items)} questions of {args.dataset} (every {args.every}th), greedy, "
          f"≤ {args.max_new_tokens} new tokens\n")
    print(markdown_table(["answers by", "fact acc.", "citation exact", "refusal acc.", "false refusals",
                          "sentences kept", "rewrite used", "median chars", "TTFT s (p50)", "decode tok/s",
                          "s/answer p50 / p95", "model load s"], rows))
    print(f"\nwrote {path}", file=sys.stderr)
    return 0


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _f(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    sys.exit(main())
