"""`python -m eval other-layout`: a plan in another layout, uploaded as a user would, then scored.

`eval/data/other_layout/` holds two fictional plans, each with questions written without reading
the code (`--layout`): 滨江 (a .docx: 第X章/第X节 headings, a Word indicator table, 专栏 boxes,
一是/二是 enumerations) and 青岚区 (an HTML page: 第一部分/1.1/1.2.1 numbering, a figure-heavy
<table>). This command measures the whole path a user's own plan takes:

1. a private index in a temporary folder: the shipped plans (`data/plans`) are built first, as
   the app does on first start (`app.ensure_index`);
2. the .docx goes through `index.library.PlanLibrary.add`, the web UI's upload (checked in a
   staging folder, parsed by ingest's readers, stored under the uploads folder, re-indexed);
3. an `Assistant` over that index answers every question (with its `history` and `profile`), within the
   plan just uploaded: the page puts an uploaded plan in the chat's 限定规划 (`webui.handlers.plans_after_upload`),
   so a question that names no place ("规划分成几章？") is asked of it, and one naming another place is
   answered as the page answers it under that choice;
4. the questions' gold doc_id (`binjiang-2021`) is mapped to the doc_id the upload received, and
   the gold quotes are located in the text the reader produced (`index.sources`), so offsets in
   answers and gold spans index the same text;
5. the existing scorer and report write report.json and report.md.

A gold quote the reader's text does not contain is a reader/gold mismatch: it is listed in the
report (`reader_mismatches`, and a section of report.md) and on stderr, and the item is scored
with the quotes that were found, never a crash.

Heavy imports (index, assistant, webui) happen inside the functions, so `python -m eval check`
stays light.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answers import AnswerSet
from .corpus import DEFAULT_PLANS_DIR
from .dataset import EvalItem, load_dataset
from .gold import GoldQuote, locate_gold
from .report import build_report, render_markdown, write_report
from .runner import DEFAULT_CONFIG, RunnerError
from .scorer import score_answers

DATA_DIR = Path("eval/data/other_layout")
# Each plan in another layout: (the file a user uploads, its questions, the doc_id the questions were written against).
LAYOUTS = {
    "binjiang": (DATA_DIR / "binjiang-2021-sti-plan.docx", DATA_DIR / "questions.jsonl", "binjiang-2021"),
    "qinglan": (DATA_DIR / "qinglan-2021-sti-plan.html", DATA_DIR / "qinglan-questions.jsonl", "qinglan-2021"),
}
DEFAULT_DOCX, DEFAULT_QUESTIONS, GOLD_DOC_ID = LAYOUTS["binjiang"]
DEFAULT_OUT_DIR = Path("build/eval/other-layout")


class OtherLayoutError(RunnerError):
    """The upload or the private index failed; `python -m eval` prints the message and exits with 2."""


@dataclass
class Upload:
    """The private index after the upload, and what the upload did."""

    settings: Any  # index.settings.IndexSettings
    assistant: Any  # assistant.service.Assistant
    doc_id: str  # the doc_id the uploaded plan received
    file: str  # its file name in the uploads folder
    message: str  # the status line the web UI shows
    report: Any  # index.build.BuildReport of the upload's re-index
    base_seconds: float  # the build of the shipped plans before the upload


def upload_plan(docx: Path, work_dir: Path, plans_dir: Path = DEFAULT_PLANS_DIR, progress: bool = True) -> Upload:
    """Build an index of `plans_dir` under `work_dir`, then upload `docx` through the web UI's library."""
    from assistant.service import Assistant
    from index.settings import IndexSettings
    from index.build import build_index
    from index.library import PlanLibrary, UploadError, safe_filename

    settings = IndexSettings(plans_dir=Path(plans_dir), index_dir=work_dir / "index", uploads_dir=work_dir / "uploads")
    started = time.perf_counter()
    try:
        build_index(settings=settings, progress=progress)  # what app.ensure_index does when there is no index yet
    except Exception as exc:  # noqa: BLE001 - reported as a message, the command exits with 2
        raise OtherLayoutError(f"could not build the index of {plans_dir} in {work_dir}: {type(exc).__name__}: {exc}") from None
    base_seconds = time.perf_counter() - started
    assistant = Assistant.from_index(settings)
    library = PlanLibrary(settings, current_docs=lambda: assistant.index.docs)  # as app.main wires it
    try:
        change = library.add(docx, progress=progress)  # as the page's on_upload: the path, no other name
    except UploadError as exc:
        raise OtherLayoutError(f"the upload of {docx} was refused: {exc}") from None
    name = safe_filename(Path(docx).name)
    index = assistant.index  # reloads: the upload switched the index to a new version
    new = [doc_id for doc_id, meta in index.docs.items() if meta.file == name]
    if len(new) != 1:
        raise OtherLayoutError(f"after the upload, {len(new)} indexed plans come from {name}: {new}")
    return Upload(settings, assistant, new[0], name, change.message, change.report, base_seconds)


def remap_items(items: Sequence[EvalItem], gold_doc_id: str, doc_id: str) -> list[EvalItem]:
    """The items with evidence of `gold_doc_id` pointed at `doc_id` (other evidence unchanged)."""
    remapped = []
    for item in items:
        evidence = [ev.model_copy(update={"doc_id": doc_id}) if ev.doc_id == gold_doc_id else ev for ev in item.evidence]
        remapped.append(item.model_copy(update={"evidence": evidence}))
    return remapped


def locate_in_reader_text(items: Sequence[EvalItem], sources: dict[str, str]) -> tuple[dict[str, list[GoldQuote]], list[str]]:
    """Gold spans in the reader's text; a quote not found is returned as a reader/gold mismatch, not raised."""
    gold, problems = locate_gold(list(items), sources)
    return gold, [f"reader/gold mismatch: {p}" for p in problems]


def answer_all(assistant: Any, items: Sequence[EvalItem], name: str = DEFAULT_CONFIG,
               scope: Sequence[str] = ()) -> AnswerSet:
    """Answer every item as `eval.runner.run_in_process` does, but with this assistant (a failure is left missing).

    `scope`: the plans the chat's 限定规划 holds, as the page leaves it after uploading them (the plans just
    uploaded); empty asks over the whole library."""
    from tqdm import tqdm

    from index.retriever import Filters

    from eval.configs import CONFIGS
    from assistant.contract import AnswerRecord

    mode = CONFIGS[name]
    result = AnswerSet(name=name, source="in-process, private index with the uploaded plan", answers={})
    for item in tqdm(items, desc=name, unit="q"):
        started = time.perf_counter()
        try:
            answer = assistant.ask(item.question, history=item.history, profile=item.profile, mode=mode,
                                   filters=Filters(doc_ids=tuple(scope)) if scope else None)
            record = AnswerRecord.model_validate(answer.record(item.question))
        except Exception as exc:  # noqa: BLE001 - one failing question must not lose the run
            result.malformed += 1
            result.problems.append(f"{name} {item.id}: the assistant failed: {type(exc).__name__}: {exc}")
            continue
        updates: dict[str, Any] = {"id": item.id}
        if not record.latency_ms:
            updates["latency_ms"] = (time.perf_counter() - started) * 1000
        result.answers[item.id] = record.model_copy(update=updates)
    return result


def evaluate(upload: Upload, questions: Path, out_dir: Path, gold_doc_id: str = GOLD_DOC_ID) -> tuple[dict, str, list[str]]:
    """Answer and score the questions over the uploaded index; write report.json, report.md and answers.jsonl."""
    index = upload.assistant.index
    items = remap_items(load_dataset(questions), gold_doc_id, upload.doc_id)
    sources = dict(index.sources)  # the text the reader produced: what answer offsets index
    gold, mismatches = locate_in_reader_text(items, sources)
    answer_set = answer_all(upload.assistant, items, scope=(upload.doc_id,))  # the page's scope after the upload
    result = score_answers(items, gold, sources, answer_set)
    report = build_report(questions, items, [result])
    clauses = [index.clauses[i] for i in index.clause_ids_of(upload.doc_id)]
    report["upload"] = {
        "file": upload.file,
        "doc_id": upload.doc_id,
        "gold_doc_id": gold_doc_id,
        "city": index.docs[upload.doc_id].city,
        "title": index.docs[upload.doc_id].title,
        "clauses": len(clauses),
        "headings": sum(c.kind == "heading" for c in clauses),
        "table_rows": sum(c.kind == "table_row" for c in clauses),
        "indicator_records": sum(r.doc_id == upload.doc_id for r in index.indicators),
        "message": upload.message,
        "embedded": upload.report.embedded,
        "base_build_seconds": round(upload.base_seconds, 1),
        "upload_seconds": round(upload.report.seconds, 1),
    }
    report["reader_mismatches"] = mismatches
    markdown = render_markdown(report, [result]) + _upload_markdown(report["upload"], mismatches)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report(out_dir, report, markdown)
    (out_dir / "answers.jsonl").write_text(
        "".join(a.model_dump_json() + "\n" for a in answer_set.answers.values()), encoding="utf-8")
    return report, markdown, mismatches + result.problems


def _upload_markdown(upload: dict, mismatches: list[str]) -> str:
    lines = [
        "", "## The upload", "",
        f"`{upload['file']}` uploaded through `PlanLibrary.add` as doc_id `{upload['doc_id']}` "
        f"(the questions' `{upload['gold_doc_id']}`), {upload['city']}, 《{upload['title']}》: {upload['clauses']} clauses "
        f"({upload['headings']} headings, {upload['table_rows']} table rows), {upload['indicator_records']} indicator records; "
        f"{upload['embedded']} clauses embedded by the upload in {upload['upload_seconds']} s "
        f"(the shipped plans before it: {upload['base_build_seconds']} s).",
        "", f"Status line: {upload['message']}",
        "", "## Reader/gold mismatches", "",
    ]
    if mismatches:
        lines += [f"Gold quotes not found in the text the reader produced ({len(mismatches)}); their items are scored "
                  "with the quotes that were found:", "", *(f"- {m}" for m in mismatches)]
    else:
        lines.append("None: every gold quote occurs in the text the reader produced.")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """The `other-layout` subcommand."""
    plan, questions, gold_doc_id = LAYOUTS[args.layout]
    args.docx, args.questions = args.docx or plan, args.questions or questions
    for path in (args.docx, args.questions):
        if not Path(path).is_file():
            raise OtherLayoutError(f"not found: {path}")

    def score(work_dir: Path) -> tuple[str, list[str]]:
        upload = upload_plan(args.docx, work_dir, args.plans)
        print(upload.message, file=sys.stderr)
        _, markdown, problems = evaluate(upload, args.questions, args.out, gold_doc_id)
        return markdown, problems

    return score_in_private_index(args.work_dir, "planqa-other-layout-", args.out, score)


def score_in_private_index(work_dir: Path | None, prefix: str, out: Path,
                           score: Callable[[Path], tuple[str, list[str]]]) -> int:
    """Run `score(work_dir)` in a private index folder — `work_dir` (kept; must be empty) or a temporary one
    (removed afterwards) — then print its warnings and report (the `other-layout` and `versions` commands)."""
    if work_dir is not None and work_dir.exists() and any(work_dir.iterdir()):
        raise OtherLayoutError(f"--work-dir {work_dir} is not empty (the index must start from the shipped plans only)")
    temp = Path(tempfile.mkdtemp(prefix=prefix)) if work_dir is None else None
    started = time.perf_counter()
    try:
        markdown, problems = score(work_dir or temp)  # type: ignore[arg-type]
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    for line in problems:
        print(f"warning: {line}", file=sys.stderr)
    print(markdown)
    print(f"wrote {out / 'report.json'} and {out / 'report.md'} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def add_parser(sub: Any) -> None:
    """Register `other-layout` on `python -m eval`'s subparsers."""
    parser = sub.add_parser("other-layout", help="upload the other-layout plan (.docx) into a private index and score its questions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--plans", type=Path, default=DEFAULT_PLANS_DIR, help="the shipped plans, indexed before the upload")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="binjiang",
                        help="binjiang: a .docx with 第X章/第X节; qinglan: an HTML page with 第一部分/1.1 numbering")
    parser.add_argument("--docx", type=Path, default=None, help="the plan to upload (default: the layout's file)")
    parser.add_argument("--questions", type=Path, default=None, help="default: the layout's questions")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="build the private index here and keep it (default: a temporary folder, removed afterwards)")
    parser.set_defaults(handler=run)
