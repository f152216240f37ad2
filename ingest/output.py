"""Ingest's output on disk: the parsed plans as JSON Lines records plus their source texts.

`python -m ingest DIR --out OUT` writes it, and every index version holds its corpus in the same
layout (`index.build` writes it with `write_output` and reads it back with `read_output`), so the
index consumes exactly what ingest writes: `python -m index build --from OUT` indexes an ingest
output without parsing the plan files again. Every record line starts with its doc_id.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.figures import document_figures
from ingest.records import Clause, DocumentMeta, Figure, Heading, IndicatorRecord, ParsedDocument, TaskRecord

DOCUMENTS, CLAUSES, HEADINGS = "documents.jsonl", "clauses.jsonl", "headings.jsonl"
INDICATORS, TASKS, FIGURES = "indicators.jsonl", "tasks.jsonl", "figures.jsonl"
SOURCES = "sources"  # one <doc_id>.txt per plan: the text every offset indexes into
PLAN_FILES = (CLAUSES, HEADINGS, INDICATORS, TASKS, FIGURES)  # each plan's rows, after those of the plans before it
RECORD_FILES = (DOCUMENTS, *PLAN_FILES)


@dataclass
class Records:
    """What an ingest output holds, each list in file order (plans in `docs` order, each in document order)."""

    docs: dict[str, DocumentMeta]
    sources: dict[str, str]
    clauses: list[Clause]
    headings: dict[str, list[Heading]]
    indicators: list[IndicatorRecord]
    tasks: list[TaskRecord]
    figures: dict[str, list[Figure]] | None  # None: written before figures were part of the output

    def documents(self) -> list[ParsedDocument]:
        """The plans as `ParsedDocument`s again, as `load_corpus` gave them."""
        out = {doc_id: ParsedDocument(meta, self.sources[doc_id], headings=list(self.headings.get(doc_id, ())))
                for doc_id, meta in self.docs.items()}
        for c in self.clauses:
            out[c.doc_id].clauses.append(c)
        for r in self.indicators:
            out[r.doc_id].indicators.append(r)
        for t in self.tasks:
            out[t.doc_id].tasks.append(t)
        return list(out.values())


def write_output(out: Path, documents: Sequence[ParsedDocument]) -> None:
    """Write the plans' records, figures and source texts under `out`, each file replaced atomically."""
    out.mkdir(parents=True, exist_ok=True)
    (out / SOURCES).mkdir(exist_ok=True)
    for doc in documents:
        _write_text(out / SOURCES / f"{doc.meta.doc_id}.txt", doc.text)
    _write_jsonl(out / DOCUMENTS, (document_row(d.meta) for d in documents))
    rows = [plan_rows(d) for d in documents]
    for name in PLAN_FILES:
        _write_jsonl(out / name, (row for plan in rows for row in plan[name]))


def document_row(meta: DocumentMeta) -> dict[str, Any]:
    """A plan's line of documents.jsonl: the `DocumentMeta` fields, so `DocumentMeta(**row)` rebuilds it."""
    return asdict(meta)


def plan_rows(doc: ParsedDocument) -> dict[str, list[dict[str, Any]]]:
    """One plan's rows of each per-plan file, in document order; every row starts with its doc_id."""
    return {
        CLAUSES: [c.to_dict() for c in doc.clauses],
        HEADINGS: [{"doc_id": doc.meta.doc_id, **vars(h)} for h in doc.headings],
        INDICATORS: [r.to_dict() for r in doc.indicators],
        TASKS: [t.to_dict() for t in doc.tasks],
        FIGURES: [f.to_dict() for f in document_figures(doc)],
    }


def read_output(directory: Path) -> Records:
    """Read an ingest output (or an index version's corpus). A missing or unreadable file is an `IngestError`."""
    try:
        docs = {d["doc_id"]: DocumentMeta(**d) for d in _read_jsonl(directory / DOCUMENTS)}
        sources = {doc_id: (directory / SOURCES / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in docs}
        clauses = [Clause.from_dict(d) for d in _read_jsonl(directory / CLAUSES)]
        headings: dict[str, list[Heading]] = {}
        for d in _read_jsonl(directory / HEADINGS):
            headings.setdefault(d.pop("doc_id"), []).append(Heading(**d))
        indicators = [IndicatorRecord.from_dict(d) for d in _read_jsonl(directory / INDICATORS)]
        tasks = [TaskRecord(**{**d, "lead_units": tuple(d["lead_units"]), "partner_units": tuple(d["partner_units"])})
                 for d in _read_jsonl(directory / TASKS)]
        figures: dict[str, list[Figure]] | None = None
        if (directory / FIGURES).is_file():
            figures = {doc_id: [] for doc_id in docs}
            for d in _read_jsonl(directory / FIGURES):
                figures[d["doc_id"]].append(Figure.from_dict(d))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(f"{directory}: 不是完整的解析输出 / not a complete ingest output ({exc})") from None
    return Records(docs, sources, clauses, headings, indicators, tasks, figures)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    _write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def _write_text(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, then rename: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0o666 & umask, unlike mkstemp's 0o600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
