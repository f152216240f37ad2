"""Records that leave `ingest/`: plain dataclasses, JSON-friendly.

Every record carries `char_start`/`char_end` into the *source text* of its
document (the exact string the reader produced), so that a citation can be
checked with `source[char_start:char_end] == quote`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ClauseKind = Literal["paragraph", "table_row", "box_item", "heading"]


@dataclass(frozen=True)
class DocumentMeta:
    """Who issued a plan, when, for which city; `doc_id` is the stable key."""

    doc_id: str
    city: str | None
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    year: int | None = None
    period: str | None = None
    file: str | None = None
    sha256: str | None = None  # of the source text (UTF-8), for incremental re-indexing


@dataclass(frozen=True)
class Clause:
    """The unit of citation: a paragraph, list item, 专栏 entry, table row or heading.

    `section` is the heading path from the top (titles without numbering noise
    removed: they are the text as written, e.g. "（一）发展基础").
    For table rows, `header` holds the table's column headers and `cells` the
    row's cells, so the index can embed "header | cells" while citing the row.
    """

    doc_id: str
    clause_id: str  # f"{doc_id}#{ordinal}" - stable for one version of the text
    section: tuple[str, ...]
    text: str
    char_start: int
    char_end: int
    kind: ClauseKind
    header: tuple[str, ...] | None = None
    cells: tuple[str, ...] | None = None
    caption: str | None = None  # table caption or 专栏 title the clause belongs to

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Clause":
        d = dict(d)
        d["section"] = tuple(d.get("section") or ())
        for key in ("header", "cells"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        return cls(**d)


@dataclass(frozen=True)
class YearValue:
    year: int | None
    value_text: str | None  # as written in the plan, e.g. "3左右", ">500"
    value: float | None  # parsed number, None when the text holds none


@dataclass(frozen=True)
class IndicatorRecord:
    """One row of a plan's indicator table (主要指标)."""

    doc_id: str
    city: str | None
    indicator: str  # name as written, without the unit in brackets
    unit: str | None
    baseline: YearValue | None
    target: YearValue
    attribute: str | None  # 预期性 / 约束性 when the table gives it
    char_start: int  # the row's span in the source text
    char_end: int
    category: str | None = None  # a grouping column such as 创新投入 / 创新产出, if any

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "IndicatorRecord":
        d = dict(d)
        d["baseline"] = YearValue(**d["baseline"]) if d.get("baseline") else None
        d["target"] = YearValue(**d["target"])
        return cls(**d)


@dataclass(frozen=True)
class TaskRecord:
    """A row of a task-assignment table (江阴's attachment): who leads what."""

    doc_id: str
    category: str | None
    task: str
    target: str | None
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    char_start: int
    char_end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FigureRole = Literal["target", "baseline", "other"]
FigureSource = Literal["prose", "table", "box", "task"]


@dataclass(frozen=True)
class Figure:
    """One number-with-unit a plan states, with what it is about (see `ingest.figures`).

    `source[char_start:char_end]` is the exact text that states it, within one clause: the
    subject through the value and unit ("高新技术企业突破3600家"), the value and unit alone when
    no subject could be read, or for an indicator row the name cell through the value cell.
    `value` is normalised ("2万" → 20000.0; money stays in its unit: "1000亿元" → 1000.0 with
    unit "亿元"); `value_text` is the number as written ("2万", ">500", "3左右", "3—4").
    `subject` is the phrase the figure is about as written (line breaks removed), 2–20
    characters, or None when the sentence gives none that reads cleanly.
    """

    doc_id: str
    clause_id: str
    city: str | None
    subject: str | None
    value: float | None
    value_text: str
    unit: str | None
    year: int | None
    role: FigureRole
    source: FigureSource
    char_start: int
    char_end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Figure":
        return cls(**d)


@dataclass(frozen=True)
class Heading:
    """A node of the outline; `level` 1 is the top (一、…)."""

    title: str
    level: int
    char_start: int
    char_end: int


@dataclass
class ParsedDocument:
    """Everything ingest knows about one plan."""

    meta: DocumentMeta
    text: str  # the source text all offsets index into
    clauses: list[Clause] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
