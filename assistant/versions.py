"""Plan versions: a city's plans of successive periods, which one a question means, and what changed.

A city may hold plans of several periods (its 十四五 plan beside its 十五五 plan). This module
groups them into a series (`series`), picks the plan a question means (`route`: a period it names,
a year its period holds or a base year, else the current plan — the latest whose period has begun),
and relates two plans of one series (`diff`): indicators matched by concept (the term table's
concepts, then the words of their names), each with old and new base and target, the change, and
whether the old target was met by the new plan's base-year figure.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.lexicon import rule
from assistant.query import concepts_in
from assistant.composers.values import shown_number
from ingest.lexicon import question_years
from ingest.periods import Period, ordinals_in, plan_kind, plan_period
from ingest.records import Figure, IndicatorRecord

VERSION_WORDS = Path(__file__).parent / "resources" / "version_words.tsv"
MET, NOT_MET, UNKNOWN = "达成", "未达成", "无法判断"
ENDED = "规划期已结束"


def words(name: str) -> re.Pattern:
    """One rule of the version word table (assistant/resources/version_words.tsv)."""
    return rule(name, VERSION_WORDS)


def today_year() -> int:
    """The year a plan's period is judged against: PLANQA_TODAY (YYYY-MM-DD) when set, else today."""
    value = os.environ.get("PLANQA_TODAY", "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value).year
        except ValueError:
            raise ValueError(f"PLANQA_TODAY must be a date YYYY-MM-DD, got {value!r}") from None
    return dt.date.today().year


@dataclass(frozen=True)
class PlanVersion:
    """One plan of a series: its doc_id, city, title, period and kind."""

    doc_id: str
    city: str
    title: str
    period: Period
    kind: str | None

    def label(self, year: int | None = None) -> str:
        """《title》（“十四五”，2021—2025年；规划期已结束）: how an answer names the plan."""
        ended = year is not None and self.period.ended(year)
        return f"《{self.title}》（{self.period.display()}{'，' + ENDED if ended else ''}）"

    @property
    def short(self) -> str:
        return self.period.label if self.period.label and not self.period.label[0].isdigit() else self.period.display()


def plan_versions(docs: dict) -> dict[str, list[PlanVersion]]:
    """{city: its plans with a period, oldest first} for every city (a city without a dated plan is left out)."""
    out: dict[str, list[PlanVersion]] = {}
    for doc_id, meta in sorted(docs.items()):
        period = plan_period(meta.title or "", meta.period)
        if not meta.city or period is None:
            continue
        out.setdefault(meta.city, []).append(PlanVersion(doc_id, meta.city, meta.title, period, plan_kind(meta.title, period)))
    for plans in out.values():
        plans.sort(key=lambda p: (p.period.start, p.period.end, p.doc_id))
    return out


def series(docs: dict) -> dict[str, list[PlanVersion]]:
    """Only the cities with plans of two or more periods."""
    return {c: p for c, p in plan_versions(docs).items() if len({v.period for v in p}) >= 2}


def current(plans: Sequence[PlanVersion], year: int) -> PlanVersion:
    """The latest plan whose period has begun by `year` (the earliest if none has)."""
    begun = [p for p in plans if p.period.begun(year)]
    return begun[-1] if begun else plans[0]


def period_of(meta, year: int) -> tuple[Period | None, bool | None]:
    """A plan's period (from its title, else its stored range) and whether it ended before `year` (None: no period)."""
    if meta is None:
        return None, None
    period = plan_period(meta.title or "", meta.period)
    return period, (period.ended(year) if period is not None else None)


def stamp_periods(citations: Iterable, docs: dict, year: int | None = None) -> None:
    """Write each citation's plan period ("2021-2025") and whether it has ended, so every answer's source says
    which plan and period it comes from — whatever composer built it."""
    year = today_year() if year is None else year
    for c in citations:
        period, ended = period_of(docs.get(c.doc_id), year)
        c.period = f"{period.start}-{period.end}" if period is not None else None
        c.period_ended = ended


# ---------------------------------------------------------------------------
# Which plan a question means

@dataclass(frozen=True)
class Route:
    """The plans a question means (`doc_ids`), why, and `missing` when it names a period no plan covers."""

    doc_ids: tuple[str, ...]
    reason: str  # "period", "year", "base_year", "current"
    missing: str | None = None


def years_in(text: str) -> list[int]:
    return question_years(text)


def route(text: str, plans: Sequence[PlanVersion], year_now: int, looks_back: bool = False) -> Route:
    """The plan of `plans` (one city's series) that `text` means.

    A named period (十四五时期) picks the plan of that period; a year picks the plan whose period
    holds it, or, when the wording looks back (基数, 实际) or no period holds it, the plan whose base
    year it is (2020 for 十四五, 2025 for 十五五); neither: the current plan."""
    named = ordinals_in(text)
    if named:
        chosen = tuple(p.doc_id for p in plans if p.period in named or any(p.period.start == n.start for n in named))
        if not chosen:
            return Route((), "period", missing="、".join(f"“{n.label}”" for n in named))
        return Route(chosen, "period")
    for y in reversed(years_in(text)):
        holds = [p for p in plans if p.period.holds(y)]
        based = [p for p in plans if p.period.base_year == y]
        if based and (looks_back or not holds):
            return Route((based[-1].doc_id,), "base_year")
        if holds:
            return Route((holds[-1].doc_id,), "year")
    return Route((current(plans, year_now).doc_id,), "current")


def asks_versions(text: str) -> bool:
    """Whether a question relates two versions (两版, 相比十四五, 新增了哪些指标, 目标完成了吗 …)."""
    listed = bool(words("indicator").search(text) or words("task").search(text)) and bool(
        words("added").search(text) or words("dropped").search(text))
    return len(ordinals_in(text)) >= 2 or listed or bool(words("both").search(text) or words("change").search(text)
                                                         or words("achieved").search(text) or claims_met(text))


def claims_met(text: str) -> bool:
    """Whether a question states that an old target was met and asks to have it confirmed (…已经完成了，对吧)."""
    return bool(words("claimed").search(text) and words("confirm").search(text))


# ---------------------------------------------------------------------------
# What changed

_GENERIC = re.compile(r"数量|总数|年度|全市|全社会|有效|入库|评价|省级以上|规上|比重|占比")


def _bigrams(name: str) -> set[str]:
    s = re.sub(r"[\s（）()、，,]", "", name)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def name_similarity(a: str, b: str) -> float:
    """Overlap of the two names' character pairs (1.0 when one's pairs are all in the other)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _units_agree(a: str | None, b: str | None) -> bool:
    return not a or not b or a.strip() == b.strip()


def match_score(old: IndicatorRecord, new: IndicatorRecord) -> float:
    """How surely two indicator rows measure one thing: a shared concept, then the words of their names."""
    if not _units_agree(old.unit, new.unit):
        return 0.0
    ca, cb = set(concepts_in(old.indicator)), set(concepts_in(new.indicator))
    if ca and cb and not ca & cb:
        return 0.0  # two different concepts of the term table (基础研究占比 vs 研发投入强度)
    score = name_similarity(old.indicator, new.indicator)
    stripped = name_similarity(_GENERIC.sub("", old.indicator), _GENERIC.sub("", new.indicator))
    score = max(score, stripped)
    return score + (0.5 if ca & cb else 0.0)


MATCH_AT = 0.6


@dataclass
class IndicatorChange:
    """One indicator across two plans: the old row, the new row (either may be None), and the verdict."""

    old: IndicatorRecord | None
    new: IndicatorRecord | None
    verdict: str | None = None  # 达成 / 未达成 / 无法判断 for an old target, judged by the new plan
    actual: float | None = None  # the new plan's figure for the old target year
    actual_text: str | None = None
    actual_figure: Figure | None = None  # where the new plan states it outside its indicator table

    @property
    def name(self) -> str:
        return (self.new or self.old).indicator  # type: ignore[union-attr]

    @property
    def change(self) -> float | None:
        if self.old and self.new and self.old.target.value is not None and self.new.target.value is not None:
            return self.new.target.value - self.old.target.value
        return None

    @property
    def change_pct(self) -> float | None:
        if self.change is not None and self.old and self.old.target.value:
            return self.change / self.old.target.value * 100
        return None


@dataclass
class PlanDiff:
    old: PlanVersion
    new: PlanVersion
    changes: list[IndicatorChange] = field(default_factory=list)

    @property
    def matched(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.old and c.new]

    @property
    def added(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.new and not c.old]

    @property
    def dropped(self) -> list[IndicatorChange]:
        return [c for c in self.changes if c.old and not c.new]


def _lower_is_better(record: IndicatorRecord) -> bool:
    b, t = record.baseline, record.target
    return bool(b and b.value is not None and t.value is not None and t.value < b.value)


def judge(old: IndicatorRecord, actual: float | None) -> str:
    """达成 when the figure reached the old target (or stayed under a falling one), 未达成 when not, 无法判断 without one."""
    if actual is None or old.target.value is None:
        return UNKNOWN
    if _lower_is_better(old):
        return MET if actual <= old.target.value else NOT_MET
    return MET if actual >= old.target.value else NOT_MET


def _figure_for(old: IndicatorRecord, figures: Iterable[Figure], year: int | None) -> Figure | None:
    """The new plan's prose figure for a dropped indicator: its subject names the indicator, its unit agrees,
    and it is a baseline or stated for the old target year."""
    best: tuple[float, Figure] | None = None
    for f in figures:
        if f.subject is None or f.value is None or not _units_agree(old.unit, f.unit):
            continue
        if f.role == "target" or (f.year is not None and f.year != year):
            continue
        score = max(name_similarity(old.indicator, f.subject), name_similarity(_GENERIC.sub("", old.indicator), _GENERIC.sub("", f.subject)))
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, f)
    return best[1] if best else None


def diff(old: PlanVersion, new: PlanVersion, indicators: Sequence[IndicatorRecord], figures: Sequence[Figure] = ()) -> PlanDiff:
    """The indicator rows of two plans matched one to one (best pairs first), each old target judged."""
    olds = [r for r in indicators if r.doc_id == old.doc_id]
    news = [r for r in indicators if r.doc_id == new.doc_id]
    pairs = sorted(((match_score(a, b), i, j) for i, a in enumerate(olds) for j, b in enumerate(news)), reverse=True)
    used_old: dict[int, int] = {}
    used_new: set[int] = set()
    for score, i, j in pairs:
        if score < MATCH_AT or i in used_old or j in used_new:
            continue
        used_old[i] = j
        used_new.add(j)
    out = PlanDiff(old, new)
    new_figures = [f for f in figures if f.doc_id == new.doc_id]
    for i, a in enumerate(olds):
        b = news[used_old[i]] if i in used_old else None
        change = IndicatorChange(a, b)
        year = a.target.year
        if b is not None and b.baseline is not None and b.baseline.value is not None and (b.baseline.year in (None, year)):
            change.actual, change.actual_text = b.baseline.value, b.baseline.value_text
        elif b is None and (f := _figure_for(a, new_figures, year)) is not None:
            change.actual, change.actual_text, change.actual_figure = f.value, f.value_text, f
        change.verdict = judge(a, change.actual)
        out.changes.append(change)
    out.changes += [IndicatorChange(None, b) for j, b in enumerate(news) if j not in used_new]
    return out


def number(value: float | None) -> str:
    return "—" if value is None else shown_number(value)


# ---------------------------------------------------------------------------
# The assistant's hook

@dataclass(frozen=True)
class Plan:
    """What the versions hook decided for one question: the city's series, the route (None for a version
    question, which relates two plans) and the year periods are judged against."""

    city: str
    plans: tuple[PlanVersion, ...]
    route: Route | None
    year: int


def plan_question(text: str, cities: Sequence[str], docs: dict, allowed: Iterable[str] | None = None,
                  looks_back: bool = False, year: int | None = None) -> Plan | None:
    """For a question about a city with plans of several periods: route it, or mark it a version question.

    None when no asked city has such a series (every other question is answered as before). A version
    question that names no city is about the one city with a series, when there is exactly one."""
    allowed_set = set(allowed) if allowed is not None else None
    docs = {d: m for d, m in docs.items() if allowed_set is None or d in allowed_set}
    found = series(docs)
    versions_asked = asks_versions(text)
    named = [c for c in cities if c in found]
    if len(named) != 1 or len(cities) != 1:
        if cities or not versions_asked or len(found) != 1:
            return None
        named = list(found)
    city = named[0]
    year = today_year() if year is None else year
    plans = tuple(found[city])
    if versions_asked:
        return Plan(city, plans, None, year)
    looks_back = looks_back or bool(words("actual").search(text))  # 2025年实际达到: the newer plan's base year
    return Plan(city, plans, route(text, plans, year, looks_back), year)


def source_note(docs: dict, plan: Plan, answer) -> str:
    """The line naming the plan (and period) a routed answer comes from, marked when its period has ended."""
    cited = {c.doc_id for c in answer.citations}
    shown = [p for p in plan.plans if p.doc_id in cited] or [p for p in plan.plans if plan.route and p.doc_id in plan.route.doc_ids]
    if not shown:
        return ""
    return "\n（依据" + "、".join(p.label(plan.year) for p in shown) + "）"
