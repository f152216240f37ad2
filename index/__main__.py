"""`python -m index build [--from OUT]` and `python -m index search "问题" [--city 南京市] [-k 10] [--mode …]`.

`build` parses the plan files itself; with `--from` it indexes what `python -m ingest DIR --out OUT` wrote.

The search weights are fitted above this layer, by `python -m tuning tune`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from index.embeddings import EmbeddingModelError
from index.settings import IndexSettings
from index.build import build_index, current_index
from index.retriever import MODES, FilterError, Filters
from index.versions import IndexUnavailableError
from ingest import IngestError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build and query the PlanQA index.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="parse data/plans (and uploads), embed what changed, switch atomically")
    build.add_argument("--from", dest="ingested", type=Path, default=None,
                       help="index the plans `python -m ingest DIR --out OUT` wrote to OUT instead of parsing them")
    search = sub.add_parser("search", help="retrieve clauses for a question")
    search.add_argument("query")
    search.add_argument("--city", action="append", default=[])
    search.add_argument("--doc", action="append", default=[])
    search.add_argument("-k", type=int, default=10)
    search.add_argument("--mode", choices=MODES, default="hybrid+rerank")
    args = parser.parse_args(argv)
    settings = IndexSettings()

    if args.command == "build":
        try:
            report = build_index(settings=settings, progress=True, ingested=args.ingested)
        except (IndexUnavailableError, EmbeddingModelError, IngestError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for problem in report.errors:
            print(f"warning: {problem}", file=sys.stderr)
        print(f"indexed {report.documents} plans, {report.clauses} clauses ({report.embedded} embedded now), "
              f"{report.indicators} indicator records, {report.tasks} task records in {report.seconds:.1f} s → {report.version}")
        return 0

    try:
        index = current_index(settings)
        started = time.perf_counter()
        hits = index.search(args.query, args.k, filters=Filters(cities=tuple(args.city), doc_ids=tuple(args.doc)), mode=args.mode)
    except (IndexUnavailableError, FilterError, EmbeddingModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rank, hit in enumerate(hits, 1):
        text = hit.clause.text.replace("\n", " ")
        print(f"{rank:2d}. {hit.score:.3f} {hit.clause.doc_id} [{hit.clause.char_start}:{hit.clause.char_end}] "
              f"{' > '.join(hit.clause.section)[-40:]} | {text[:80]}")
    print(f"({(time.perf_counter() - started) * 1000:.1f} ms)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
