"""`python -m tuning tune [--dataset eval/data/dev.jsonl] [--folds 5] [--seed 0] [--write] [--readme eval/README.md]`
and `python -m tuning calibrate` with the same options.

`tune` fits the fusion and rerank weights (written to index/tuned.json), `calibrate` the refusal
thresholds (written to assistant/resources/thresholds.json); both k-fold cross-validated, and both
print a report section that `--write` also puts into the --readme file.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from index.settings import IndexSettings
from index.build import current_index
from index.retriever import FilterError
from index.versions import IndexUnavailableError
from tuning.calibrate import calibrate, write_thresholds
from tuning.tune import TuneError, tune, write_section, write_tuned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tuning", description="Fit PlanQA's weights and thresholds on a labelled question set.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, summary in (("tune", "fit fusion and rerank weights (k-fold cross-validated)"),
                       ("calibrate", "calibrate the refusal thresholds (k-fold cross-validated)")):
        cmd = sub.add_parser(name, help=summary)
        cmd.add_argument("--dataset", default="eval/data/dev.jsonl")
        cmd.add_argument("--folds", type=int, default=5)
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument("--write", action="store_true", help="write the data file and the report section of --readme")
        cmd.add_argument("--readme", default="eval/README.md")
    args = parser.parse_args(argv)
    try:
        markdown, write = (_tune if args.command == "tune" else _calibrate)(args)
    except (IndexUnavailableError, TuneError, FilterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 — a malformed dataset (eval's DatasetError) or the like: say what, no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(markdown)
    if args.write:
        written = write()
        write_section(markdown, Path(args.readme))
        print(f"wrote {written} and the report section of {args.readme}", file=sys.stderr)
    return 0


def _tune(args: argparse.Namespace) -> tuple[str, Callable[[], str]]:
    report = tune(current_index(IndexSettings()), Path(args.dataset), folds=args.folds, seed=args.seed)

    def write() -> str:
        write_tuned(report, args.dataset)
        return "index/tuned.json"

    return report.markdown(args.dataset), write


def _calibrate(args: argparse.Namespace) -> tuple[str, Callable[[], str]]:
    result = calibrate(current_index(IndexSettings()), Path(args.dataset), args.folds, args.seed)

    def write() -> str:
        write_thresholds(result.chosen)
        return "assistant/resources/thresholds.json"

    return result.markdown(args.dataset), write


if __name__ == "__main__":
    sys.exit(main())
