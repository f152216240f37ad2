"""`python -m eval run|check|generate`: score answer files or in-process configurations; check a
dataset; generate the coverage sets from the parsed corpus.

Bad input (dataset, plans, answer files, an absent assistant) ends with a message
on stderr and exit status 2, never a traceback; bad answer lines are reported and
scored as missing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .answers import AnswerSet, AnswersError, load_answers
from .check import check_dataset
from .corpus import DEFAULT_PLANS_DIR, CorpusError, load_sources
from .dataset import DatasetError, load_dataset
from .eligibility import add_parser as add_eligibility_parser
from .generate import DEFAULT_OUT_DIR as DEFAULT_COVERAGE_DIR
from .generate import SETS, GenerateError, generate, summary, write_sets
from .gold import locate_gold
from .other_layout import add_parser as add_other_layout_parser
from .versions import add_parser as add_versions_parser
from .report import DEFAULT_OUT_DIR, build_report, render_markdown, write_report
from .runner import DEFAULT_CONFIG, RunnerError, run_in_process
from .scorer import score_answers

DEFAULT_DATASET = Path("eval/data/dev.jsonl")
MAX_PROBLEMS_SHOWN = 10


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except (DatasetError, CorpusError, AnswersError, RunnerError, GenerateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    items = load_dataset(args.dataset)
    sources = load_sources(args.plans)
    gold, problems = locate_gold(items, sources)
    if problems:
        raise DatasetError(args.dataset, problems + [f"(run: python -m eval check --dataset {args.dataset})"])
    configs = args.config or ([] if args.answers else [DEFAULT_CONFIG])
    sets: list[AnswerSet] = [load_answers(path) for path in args.answers]
    for name in configs:
        answer_set = run_in_process(name, items)
        _save_answers(args.out / "answers" / f"{name}.jsonl", answer_set)
        sets.append(answer_set)
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        print(f"error: configuration names must differ (answer files are named by their stem): {names}", file=sys.stderr)
        return 2
    results = [score_answers(items, gold, sources, s) for s in sets]
    for result in results:
        _warn(result.problems)
        if result.unknown_ids:
            _warn([f"{result.name}: answers for ids not in the dataset ignored: {', '.join(result.unknown_ids)}"])
        if result.overall.counts["missing"]:
            _warn([f"{result.name}: {result.overall.counts['missing']} of {len(items)} questions have no answer (counted as wrong)"])
    report = build_report(args.dataset, items, results)
    markdown = render_markdown(report, results)
    json_path, md_path = write_report(args.out, report, markdown)
    print(markdown)
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    items = load_dataset(args.dataset)
    result = check_dataset(items, load_sources(args.plans))
    for line in result.errors:
        print(f"error: {line}")
    for line in result.warnings:
        print(f"warning: {line}")
    print(f"{args.dataset}: {len(items)} items, {len(result.errors)} error(s), {len(result.warnings)} warning(s)")
    return 1 if result.errors else 0


def _generate(args: argparse.Namespace) -> int:
    results = generate(args.plans, args.sets)
    paths = write_sets(results, args.out_dir)
    sources = load_sources(args.plans)
    for path in paths:  # the same check as `python -m eval check`, so a bad item shows at once
        result = check_dataset(load_dataset(path), sources)
        for line in result.errors:
            print(f"error: {path.name}: {line}", file=sys.stderr)
        for line in result.warnings:
            print(f"warning: {path.name}: {line}", file=sys.stderr)
        print(f"wrote {path}: {len(result.errors)} error(s), {len(result.warnings)} warning(s)", file=sys.stderr)
    print(summary(results))
    return 0


def _save_answers(path: Path, answer_set: AnswerSet) -> None:
    """Keep in-process answers so the run can be re-scored with --answers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(a.model_dump_json() + "\n" for a in answer_set.answers.values()), encoding="utf-8")


def _warn(problems: list[str]) -> None:
    for line in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"warning: {line}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(f"warning: … and {len(problems) - MAX_PROBLEMS_SHOWN} more (see report.json)", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score PlanQA answers against a dataset.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="score answer files and/or in-process configurations side by side")
    run.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    run.add_argument("--answers", type=Path, nargs="+", action="extend", default=[], metavar="A.jsonl",
                     help="answers file(s), one configuration each, named by file stem")
    run.add_argument("--config", nargs="+", action="extend", default=[], metavar="NAME",
                     help=f"assistant configuration(s) to run in-process (default {DEFAULT_CONFIG!r} without --answers)")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR)
    run.add_argument("--plans", type=Path, default=DEFAULT_PLANS_DIR, help="folder with the plans and manifest.json")
    run.set_defaults(handler=_run)
    check = sub.add_parser("check", help="validate a dataset: exact quotes, lengths, facts near their quotes")
    check.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    check.add_argument("--plans", type=Path, default=DEFAULT_PLANS_DIR)
    check.set_defaults(handler=_check)
    gen = sub.add_parser("generate", help="write coverage sets made from the parsed corpus (ingest records)")
    gen.add_argument("--plans", type=Path, default=DEFAULT_PLANS_DIR)
    gen.add_argument("--out-dir", type=Path, default=DEFAULT_COVERAGE_DIR)
    gen.add_argument("--sets", nargs="+", choices=SETS, default=None, metavar="SET",
                     help=f"which sets of {' '.join(SETS)} (default: all that this checkout can make; "
                          "prose_figures needs ingest/figures.py)")
    gen.set_defaults(handler=_generate)
    add_eligibility_parser(sub)
    add_other_layout_parser(sub)
    add_versions_parser(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
