"""`python -m eval versions`: two plans of one city (an older and a newer period), uploaded as a user would, then scored.

`eval/data/versions/` holds a fictional city's 十四五 plan (PDF) and 十五五 plan (.docx) and questions
written without reading the code (diffs, achievement, period routing, new/dropped indicators). The
command measures the path a user's two plans take, as `python -m eval other-layout` does for one:

1. a private index in a temporary folder: the shipped plans are built first (`app.ensure_index`);
2. each file goes through `index.library.PlanLibrary.add`, the web UI's upload, one after the other;
3. an `Assistant` over that index answers every question within the two uploads, the chat's 限定规划 as the
   page leaves it after uploading them (`webui.handlers.plans_after_upload`);
4. each gold doc_id is mapped to the doc_id its file received, and gold quotes are located in the
   reader's text; a quote not found is listed as a reader/gold mismatch, never a crash;
5. the existing scorer and report write report.json, report.md and answers.jsonl.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import DEFAULT_PLANS_DIR
from .dataset import load_dataset
from .other_layout import OtherLayoutError, answer_all, locate_in_reader_text, remap_items, score_in_private_index
from .report import build_report, render_markdown, write_report
from .scorer import score_answers

DATA_DIR = Path("eval/data/versions")
DEFAULT_FILES = (
    ("yunxi-2021", DATA_DIR / "yunxi-2021-sti-plan.pdf"),
    ("yunxi-2026", DATA_DIR / "yunxi-2026-sti-plan.docx"),
)
DEFAULT_QUESTIONS = DATA_DIR / "yunxi-questions.jsonl"
DEFAULT_OUT_DIR = Path("build/eval/versions")


def upload_plans(files: Sequence[tuple[str, Path]], work_dir: Path, plans_dir: Path = DEFAULT_PLANS_DIR,
                 progress: bool = True) -> tuple[Any, dict[str, str], list[str]]:
    """Build an index of `plans_dir` under `work_dir`, then upload each file; (assistant, gold id → doc_id, messages)."""
    from assistant.service import Assistant
    from index.library import PlanLibrary, UploadError, safe_filename
    from index.settings import IndexSettings
    from index.build import build_index

    settings = IndexSettings(plans_dir=Path(plans_dir), index_dir=work_dir / "index", uploads_dir=work_dir / "uploads")
    try:
        build_index(settings=settings, progress=progress)
    except Exception as exc:  # noqa: BLE001 - reported as a message, the command exits with 2
        raise OtherLayoutError(f"could not build the index of {plans_dir} in {work_dir}: {type(exc).__name__}: {exc}") from None
    assistant = Assistant.from_index(settings)
    library = PlanLibrary(settings, current_docs=lambda: assistant.index.docs)
    mapping: dict[str, str] = {}
    messages: list[str] = []
    for gold_id, path in files:
        try:
            change = library.add(path, progress=progress)
        except UploadError as exc:
            raise OtherLayoutError(f"the upload of {path} was refused: {exc}") from None
        messages.append(change.message)
        name = safe_filename(Path(path).name)
        new = [doc_id for doc_id, meta in assistant.index.docs.items() if meta.file == name]
        if len(new) != 1:
            raise OtherLayoutError(f"after the upload, {len(new)} indexed plans come from {name}: {new}")
        mapping[gold_id] = new[0]
    return assistant, mapping, messages


def evaluate(assistant: Any, mapping: dict[str, str], questions: Path, out_dir: Path,
             messages: Sequence[str] = ()) -> tuple[dict, str, list[str]]:
    """Answer and score the questions over the index holding both uploads; write the report files."""
    index = assistant.index
    items = load_dataset(questions)
    for gold_id, doc_id in mapping.items():
        items = remap_items(items, gold_id, doc_id)
    sources = dict(index.sources)
    gold, mismatches = locate_in_reader_text(items, sources)
    answer_set = answer_all(assistant, items, scope=tuple(mapping.values()))  # the page's scope after both uploads
    result = score_answers(items, gold, sources, answer_set)
    report = build_report(questions, items, [result])
    report["uploads"] = {
        gold_id: {"doc_id": doc_id, "title": index.docs[doc_id].title, "city": index.docs[doc_id].city,
                  "period": index.docs[doc_id].period}
        for gold_id, doc_id in mapping.items()
    }
    report["reader_mismatches"] = mismatches
    lines = ["", "## The uploads", ""]
    lines += [f"- `{g}` → `{u['doc_id']}`: {u['city']}, 《{u['title']}》, period {u['period']}" for g, u in report["uploads"].items()]
    lines += [f"- status: {m}" for m in messages]
    lines += ["", "## Reader/gold mismatches", ""]
    lines += [f"- {m}" for m in mismatches] or ["None: every gold quote occurs in the text the reader produced."]
    markdown = render_markdown(report, [result]) + "\n".join(lines) + "\n"
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report(out_dir, report, markdown)
    (out_dir / "answers.jsonl").write_text(
        "".join(a.model_dump_json() + "\n" for a in answer_set.answers.values()), encoding="utf-8")
    return report, markdown, mismatches + result.problems


def run(args: argparse.Namespace) -> int:
    """The `versions` subcommand."""
    files = [(f"file{i}", Path(p)) for i, p in enumerate(args.files)] if args.files else list(DEFAULT_FILES)
    if args.gold_ids:
        if len(args.gold_ids) != len(files):
            raise OtherLayoutError(f"--gold-ids gives {len(args.gold_ids)} ids for {len(files)} files")
        files = [(g, p) for g, (_, p) in zip(args.gold_ids, files)]
    for _, path in [*files, ("", args.questions)]:
        if not Path(path).is_file():
            raise OtherLayoutError(f"not found: {path}")

    def score(work_dir: Path) -> tuple[str, list[str]]:
        assistant, mapping, messages = upload_plans(files, work_dir, args.plans)
        for m in messages:
            print(m, file=sys.stderr)
        _, markdown, problems = evaluate(assistant, mapping, args.questions, args.out, messages)
        return markdown, problems

    return score_in_private_index(args.work_dir, "planqa-versions-", args.out, score)


def add_parser(sub: Any) -> None:
    """Register `versions` on `python -m eval`'s subparsers."""
    parser = sub.add_parser("versions", help="upload two plans of one city into a private index and score the version questions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--plans", type=Path, default=DEFAULT_PLANS_DIR, help="the shipped plans, indexed before the uploads")
    parser.add_argument("--files", type=Path, nargs="*", default=None, help="the plans to upload, in order (default: the 云溪 pair)")
    parser.add_argument("--gold-ids", nargs="*", default=None, help="the doc_id the questions use for each file, in order")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="build the private index here and keep it (default: a temporary folder, removed afterwards)")
    parser.set_defaults(handler=run)
