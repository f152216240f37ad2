"""Source text + metadata → ParsedDocument: tables first, then the outline, then clauses.

Tables are located before anything else because their flattened cells (one per line, numbers
alone on a line, "1.以核心技术…" in a task column) would otherwise be misread as headings or
as sentences to rejoin.
"""
from __future__ import annotations

from pathlib import Path

from ingest.clauses import build_clauses
from ingest.readers import PARAGRAPH_EXTENSIONS
from ingest.records import DocumentMeta, ParsedDocument
from ingest.structure import analyse
from ingest.tables import find_tables, indicator_records, task_records


def parse_text(text: str, meta: DocumentMeta) -> ParsedDocument:
    """Parse one plan; never raises on odd text (a plan with no headings becomes a flat document)."""
    doc = ParsedDocument(meta=meta, text=text)
    if not text.strip():
        doc.warnings.append("empty document: no text to parse")
        return doc
    blocks = find_tables(text)
    marked = Path(meta.file or "").suffix.lower() in PARAGRAPH_EXTENSIONS
    layout = analyse(text, meta.title, [(b.char_start, b.char_end) for b in blocks], paragraphs_marked=marked)
    doc.clauses, clause_warnings = build_clauses(meta.doc_id, text, layout.segments, blocks)
    doc.headings = layout.headings
    for block in blocks:
        if block.kind == "indicator":
            doc.indicators.extend(indicator_records(block, meta.doc_id, meta.city))
        elif block.kind == "task":
            doc.tasks.extend(task_records(block, meta.doc_id))
    doc.warnings = layout.warnings + clause_warnings
    return doc
