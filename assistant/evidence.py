"""Exact quotes: sentences of clauses with offsets into the plan's source text.

Every sentence an answer states is backed by a `Citation` built here, and every
citation is checked against the source (`quote == source[char_start:char_end]`)
before it leaves this module, so an off-by-one can never reach a user.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.contract import Citation
from ingest.records import Clause

_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]*|\n\s*\n")


@dataclass(frozen=True)
class Span:
    """A sentence (or a whole table row) of a clause, with absolute offsets."""

    clause: Clause
    char_start: int
    char_end: int
    text: str


def sentences(clause: Clause) -> list[Span]:
    """The clause split at sentence ends (a table row or heading stays whole)."""
    if clause.kind in ("table_row", "heading"):
        return [Span(clause, clause.char_start, clause.char_end, clause.text)]
    spans: list[Span] = []
    start = 0
    for m in _SENTENCE_END.finditer(clause.text):
        _add(spans, clause, start, m.end())
        start = m.end()
    _add(spans, clause, start, len(clause.text))
    return spans


def _add(spans: list[Span], clause: Clause, start: int, end: int) -> None:
    piece = clause.text[start:end]
    stripped = piece.strip()
    if len(stripped) < 2:
        return
    lead = len(piece) - len(piece.lstrip())
    s = clause.char_start + start + lead
    spans.append(Span(clause, s, s + len(stripped), stripped))


class QuoteError(AssertionError):
    """A quote does not match the source text: a bug, never shown as an answer."""


def cite(span: Span | Clause, source: str) -> Citation:
    """A checked citation for a sentence span or a whole clause."""
    clause = span.clause if isinstance(span, Span) else span
    start, end = span.char_start, span.char_end
    quote = source[start:end]
    expected = span.text
    if quote != expected:
        raise QuoteError(f"quote mismatch in {clause.clause_id} at {start}:{end}")
    return Citation(doc_id=clause.doc_id, section=" > ".join(clause.section), quote=quote, char_start=start, char_end=end)
