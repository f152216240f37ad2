"""What gets embedded and BM25-indexed for a clause: the clause with its context.

A clause alone ("6507 / 20000") means little; with the plan title, the section path and,
for a table row, the table header ("指标 | 2020年 | 2025年"), it carries the city, the
topic and the meaning of each number (QAnything-style context). The citation still
points at the clause's own offsets: context only helps ranking.
"""
from __future__ import annotations

from ingest.records import Clause, DocumentMeta


def passage_text(clause: Clause, meta: DocumentMeta | None) -> str:
    """Title + section path + clause text (table rows as "header: cell" pairs)."""
    parts: list[str] = []
    if meta is not None:
        parts.append(meta.title if not meta.city or meta.city in meta.title else f"{meta.city} {meta.title}")
    if clause.section:
        parts.append(" > ".join(clause.section))
    if clause.caption and clause.caption not in clause.section:
        parts.append(clause.caption)
    parts.append(row_text(clause) if clause.kind == "table_row" else clause.text)
    return "\n".join(parts)


def row_text(clause: Clause) -> str:
    """A table row as one line with its header, e.g. "指标 | 2020年 | 2025年\n高新技术企业数(家) | 6507 | 20000"."""
    cells = clause.cells or tuple(c.strip() for c in clause.text.split("\n") if c.strip())
    if not clause.header:
        return " | ".join(cells)
    return " | ".join(clause.header) + "\n" + " | ".join(cells)
