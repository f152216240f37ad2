"""Segments and tables → `Clause` records, the unit of citation.

A clause's text is always the exact source slice `text[char_start:char_end]` with no surrounding
whitespace, so a citation can be checked by slicing. Paragraphs longer than `MAX_CHARS` are cut at
sentence ends (。；！？) into balanced pieces, each with its own offsets and the same section:
retrieval and answers then point at a few sentences, not at a page.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Sequence

from ingest.records import Clause, ClauseKind
from ingest.sentences import sentence_cuts
from ingest.structure import Segment, strip_span
from ingest.tables import TableBlock

MAX_CHARS = 500
_SOFT_END = "，、,："  # where to cut a single sentence that is itself too long
# (start, end, kind, section, caption, header, cells): a clause before it gets its id
_Span = tuple[int, int, ClauseKind, tuple[str, ...], str | None, tuple[str, ...] | None, tuple[str, ...] | None]


def split_span(text: str, start: int, end: int, max_chars: int = MAX_CHARS) -> list[tuple[int, int]]:
    """Cut `text[start:end]` into stripped pieces of at most `max_chars`, at sentence ends when
    possible (else at commas, else hard), aiming at pieces of even length."""
    start, end = strip_span(text, start, end)
    if end - start <= max_chars:
        return [(start, end)] if end > start else []
    hard = sentence_cuts(text, start, end)
    soft = sentence_cuts(text, start, end, _SOFT_END)
    pieces: list[tuple[int, int]] = []
    s = start
    while end - s > max_chars:
        target = s + (end - s) / math.ceil((end - s) / max_chars)
        cut = _nearest(hard, s, s + max_chars, target)
        if cut is None:
            cut = _nearest(soft, s, s + max_chars, target)
        if cut is None:
            cut = s + max_chars
        piece = strip_span(text, s, cut)
        if piece[1] > piece[0]:
            pieces.append(piece)
        s = cut
    piece = strip_span(text, s, end)
    if piece[1] > piece[0]:
        pieces.append(piece)
    return pieces


def build_clauses(
    doc_id: str,
    text: str,
    segments: Sequence[Segment],
    tables: Sequence[TableBlock] = (),
    max_chars: int = MAX_CHARS,
) -> tuple[list[Clause], list[str]]:
    """All clauses of a document in document order, with ids `doc_id#ordinal`, plus warnings.

    A table segment expands to its caption and its header row (heading clauses) and one
    `table_row` clause per data row; any text of the table region that no row claims becomes a paragraph, so
    nothing of the source is lost.
    """
    spans: list[_Span] = []
    for seg in segments:
        if seg.kind == "table":
            assert seg.table is not None
            spans.extend(_table_spans(text, tables[seg.table], seg, max_chars))
        elif seg.kind in ("heading", "title", "caption"):
            s, e = strip_span(text, seg.start, seg.end)
            if e > s:
                spans.append((s, e, "heading", seg.section, seg.caption, None, None))
        else:
            kind: ClauseKind = "box_item" if seg.kind == "box_item" else "paragraph"
            for s, e in split_span(text, seg.start, seg.end, max_chars):
                spans.append((s, e, kind, seg.section, seg.caption, None, None))
    spans.sort(key=lambda x: (x[0], x[1]))
    clauses: list[Clause] = []
    warnings: list[str] = []
    last_end = -1
    for s, e, kind, section, caption, header, cells in spans:
        if s < last_end:
            warnings.append(f"overlapping clause dropped at chars {s}-{e}")
            continue
        clause_id = f"{doc_id}#{len(clauses)}"
        clauses.append(Clause(doc_id, clause_id, section, text[s:e], s, e, kind, header, cells, caption))
        last_end = e
    return clauses, warnings


def _table_spans(text: str, block: TableBlock, seg: Segment, max_chars: int) -> list[_Span]:
    caption = block.caption or seg.caption
    out: list[_Span] = []
    if block.caption_span is not None:
        s, e = strip_span(text, *block.caption_span)
        if e > s:
            out.append((s, e, "heading", seg.section, caption, None, None))
    hs, he = strip_span(text, *block.header_span)
    if he > hs:  # the column heads label the rows below: a heading clause, citable but not a row
        out.append((hs, he, "heading", seg.section, caption, block.header, None))
    for row in block.rows:
        s, e = strip_span(text, row.char_start, row.char_end)
        if e > s:
            out.append((s, e, "table_row", seg.section, caption, block.header, row.cells))
    # whatever text of the region no row claims (a stray note, an attachment marker) stays citable
    out.sort(key=lambda x: x[0])
    pos, gaps = block.char_start, []
    for s, e, *_ in out:
        if s > pos:
            gaps.append((pos, s))
        pos = max(pos, e)
    gaps.append((pos, block.char_end))
    for a, b in gaps:
        for run in _text_runs(text, a, b):
            for s, e in split_span(text, *run, max_chars):
                out.append((s, e, "paragraph", seg.section, caption, None, None))
    return out


def _text_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank lines of `text[start:end]`, each stripped."""
    runs, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        s, e = strip_span(text, pos, stop)
        if text[s:e].strip("#*"):  # a bare markdown marker ("###" before a caption) is not text
            runs.append((s, e))
        pos = stop + 1
    return runs


def _nearest(cuts: list[int], lo: int, hi: int, target: float) -> int | None:
    """The cut in (lo, hi] closest to `target` (cuts are sorted)."""
    i, j = bisect_right(cuts, lo), bisect_right(cuts, hi)
    if i == j:
        return None
    k = min(max(bisect_left(cuts, target, i, j), i), j - 1)
    return min((cuts[m] for m in (k - 1, k) if i <= m < j), key=lambda c: abs(c - target))
