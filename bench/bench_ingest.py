"""Ingest benchmark: time to parse the shipped plans, find their tables and extract their figures.

    python -m bench.bench_ingest [--repeat 5]

Each stage runs over all shipped plans (texts already in memory), `--repeat` passes after one warm-up;
reported are the median and the slowest pass. Goals (the wall-clock checks that left the unit tests,
issue 21): parsing ≤ 2 s, tables ≤ 0.5 s, figures ≤ 1 s for all the plans together.
Writes build/bench/ingest.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.measure import machine, markdown_table, timed_runs, verdict, write_result
from ingest import load_corpus, parse_text
from ingest.figures import document_figures
from ingest.tables import find_tables

PLANS = Path("data/plans")
GOALS_S = {"parse": 2.0, "tables": 0.5, "figures": 1.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per stage (default 5)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    docs = load_corpus(PLANS).documents
    texts = [((PLANS / d.meta.file).read_text(encoding="utf-8"), d.meta) for d in docs]
    stages = {
        "parse": lambda: [parse_text(text, meta) for text, meta in texts],
        "tables": lambda: [find_tables(text) for text, _ in texts],
        "figures": lambda: [document_figures(d) for d in docs],
    }
    info = machine()
    rows = {}
    for name, work in stages.items():
        seconds = timed_runs(work, args.repeat)
        rows[name] = {"median_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3),
                      "goal_s": GOALS_S[name]}
    write_result("ingest", {"machine": info, "plans": len(docs), "repeat": args.repeat, "stages": rows})
    print(f"\nIngest stages over {len(docs)} plans, {args.repeat} passes (load avg {info['load_avg_1m']}, "
          f"{info['cpus']} CPUs, {info['date']})\n")
    print(markdown_table(["stage", "median s", "slowest s", "goal s", "met"],
                         [[name, r["median_s"], r["max_s"], r["goal_s"], verdict(r["max_s"], r["goal_s"])]
                          for name, r in rows.items()]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
