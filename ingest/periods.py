"""Plan periods: a five-year ordinal (十四五) or a year range as years, and a plan's kind.

A plan's period is read from its title by `ingest.metadata` ("2021-2025"); this module turns the
words a plan or a question uses for a period into years, computed, never listed, by the lexicon
(`ingest.lexicon.five_year_years`: 十四五 is 2021–2025, 十五五 2026–2030), whose patterns it reads. A plan's kind (五年规划, 三年行动计划 …)
comes from the genre terms of `ingest/resources/plan_kinds.tsv`, in file order, else from its
period's length.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.lexicon import FIVE_YEAR_ORDINAL, YEAR_RANGE, cn_number, cn_numeral, data_lines, five_year_ordinal, five_year_years

PLAN_KINDS = Path(__file__).parent / "resources" / "plan_kinds.tsv"


@dataclass(frozen=True, order=True)
class Period:
    """Years `start`..`end` inclusive; `label` is how it is named (十四五 or 2020—2022年)."""

    start: int
    end: int
    label: str = ""

    def holds(self, year: int) -> bool:
        return self.start <= year <= self.end

    @property
    def base_year(self) -> int:
        """The year a plan's baseline figures are stated for: the one before its period."""
        return self.start - 1

    def ended(self, year: int) -> bool:
        return year > self.end

    def begun(self, year: int) -> bool:
        return year >= self.start

    def display(self) -> str:
        years = f"{self.start}—{self.end}年"
        return f"“{self.label}”（{years}）" if self.label and not self.label[0].isdigit() else years


def five_year(n: int) -> Period:
    """The n-th five-year plan's years (n ≥ 3)."""
    start, end = five_year_years(n)
    return Period(start, end, f"{cn_numeral(n)}五")


def ordinals_in(text: str) -> list[Period]:
    """Every five-year ordinal the text names (十四五, “十五五”), in order, each once."""
    out: list[Period] = []
    for m in FIVE_YEAR_ORDINAL.finditer(text):
        n = cn_number(m.group(1))
        if n is not None and n >= 3:
            period = five_year(n)
            if period not in out:
                out.append(period)
    return out


def parse_period(value: str | None) -> Period | None:
    """A plan's period as metadata stores it ("2021-2025"), or as a title writes it (“十四五”, 2020－2022年)."""
    if not value:
        return None
    if found := ordinals_in(value):
        return found[0]
    if m := YEAR_RANGE.search(value):
        start, end = int(m.group(1)), int(m.group(2))
        if start <= end:
            if ordinal := five_year_ordinal(start, end):
                return five_year(ordinal)  # a range that is exactly a five-year plan gets its ordinal
            return Period(start, end)
    return None


def plan_period(title: str, period: str | None) -> Period | None:
    """The period of a plan: the title's own wording first (it names the ordinal), else the stored range."""
    return parse_period(title) or parse_period(period)


@lru_cache(maxsize=2)
def plan_kinds(path: Path = PLAN_KINDS) -> tuple[tuple[str, re.Pattern], ...]:
    """(kind, pattern) rows of the plan-kind table, in file order; a malformed row is an error."""
    rows: list[tuple[str, re.Pattern]] = []
    for number, raw in data_lines(path):
        cols = raw.split("\t")
        if len(cols) != 3 or cols[2].strip() != "genre":
            raise ValueError(f"{path}:{number}: expected 'kind<TAB>pattern<TAB>genre', got {raw!r}")
        rows.append((cols[0].strip(), re.compile(cols[1])))
    return tuple(rows)


def plan_kind(title: str, period: Period | None) -> str | None:
    """五年规划, 三年行动计划 …: the first kind whose genre term the title holds, else by the period's length."""
    squashed = re.sub(r"\s+", "", title or "")
    for kind, pattern in plan_kinds():
        if pattern.search(squashed):
            if kind == "规划" and period is not None:  # a plan over a period is an n-year plan
                years = period.end - period.start + 1
                return "五年规划" if years == 5 else f"{years}年规划" if years > 1 else kind
            return kind
    return None


def other_periods(a_title: str, a_period: str | None, b_title: str, b_period: str | None) -> bool:
    """Whether two plans are of different periods (both known): versions of a series, never duplicates."""
    pa, pb = plan_period(a_title, a_period), plan_period(b_title, b_period)
    return pa is not None and pb is not None and (pa.start, pa.end) != (pb.start, pb.end)
