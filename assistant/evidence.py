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
from ingest.sentences import sentence_spans

# A line break inside a paragraph is where ingest rejoined a sentence cut by a page break (ingest
# makes one unit per line and joins lines only then), so it never ends a sentence.
_BREAK = re.compile(r"\s*\n\s*")
_SOFT_MARK = "，,、：:"  # a span that stops just before one of these stops mid-sentence
ELLIPSIS = "……"


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
    for start, end in sentence_spans(clause.text):
        _add(spans, clause, start, end)
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


_ROW_NUMBER = re.compile(r"序号|编号")
_LEAD_COLUMN = re.compile(r"牵头")
_PARTNER_COLUMN = re.compile(r"参与|配合|协同|责任")
_TASK_COLUMN = re.compile(r"主要目标|目标任务|任务|工作")
_UNIT_COLUMN = re.compile(r"^单\s*位$")
_CAPTION_UNIT = re.compile(r"单\s*位\s*[:：]\s*([^\s）)，,；;]+)")  # "（单位：亿元）" under a table's title
_NAME_COLUMN = re.compile(r"名\s*称")  # 项目名称, 平台名称: what a row is, before its category (行业领域)


def _flat(text: str) -> str:
    return " ".join(unbroken(text).split())


def unbroken(text: str) -> str:
    """Text as read: a line break (a page break rejoined, a wrapped table cell) is dropped between
    Chinese characters and becomes one space between Latin letters or digits."""
    def join(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1: m.start()], text[m.end(): m.end() + 1]
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""
    return _BREAK.sub(join, text) if "\n" in text else text


def stops_mid_sentence(span: Span) -> bool:
    """The span ends just before a comma or colon of its clause: the sentence goes on."""
    clause = span.clause
    end = span.char_end - clause.char_start
    return 0 < end < len(clause.text) and clause.text[end] in _SOFT_MARK


def shown(span: Span) -> str:
    """How a span reads in an answer: a whole table row as labelled cells, anything else as written.

    A task row reads "任务 — 牵头：… 配合：…", an indicator row "名称（单位）：2020年 3.48，2025年 4";
    a quote that stops inside a sentence ends with "……", and a line break rejoined inside a word is
    not shown; the citation still points at the exact text.
    """
    clause = span.clause
    if clause.kind != "table_row" or not clause.cells or not clause.header or span.text != clause.text:
        return unbroken(span.text) + (ELLIPSIS if stops_mid_sentence(span) else "")
    header = [_flat(h) for h in clause.header]
    cells = [_flat(c) for c in clause.cells] + [""] * max(0, len(header) - len(clause.cells))
    columns = dict(zip(header, cells))
    lead = next((columns[h] for h in header if _LEAD_COLUMN.search(h)), None)
    if lead is not None:
        task = next((columns[h] for h in reversed(header) if _TASK_COLUMN.search(h) and columns[h]), "")
        partners = next((columns[h] for h in header if _PARTNER_COLUMN.search(h) and not _LEAD_COLUMN.search(h)), "")
        named = next((columns[h] for h in header if _NAME_COLUMN.search(h) and columns[h]), "") or next(
            (columns[h] for h in header if h not in (lead,) and columns[h] and not _ROW_NUMBER.search(h)
                      and not _LEAD_COLUMN.search(h) and not _PARTNER_COLUMN.search(h) and not _TASK_COLUMN.search(h)), "")
        what = (task or named).rstrip("。")
        return f"{what} — 牵头：{lead or '未写明'}" + (f"；配合：{partners}" if partners else "")
    unit = next((columns[h] for h in header if _UNIT_COLUMN.match(h)), "")
    stated = _CAPTION_UNIT.search(clause.caption or "")
    unit = unit or (stated.group(1) if stated else "")
    rest = [(h, c) for h, c in zip(header, cells) if c and not _ROW_NUMBER.search(h) and not _UNIT_COLUMN.match(h)]
    if not rest:
        return unbroken(span.text)
    (_, name), values = rest[0], rest[1:]
    name = f"{name}（{unit}）" if unit else name
    return name + ("：" + "，".join(f"{h} {c}" for h, c in values) if values else "")
