"""The version table: what changed between two plans of one city, as typed rows (`contract.VersionDiff`).

One definition behind every interface that shows a city's two plans side by side — the page's 版本对比
view, the JSON API's `/api/versions` and MCP's `versions` tool (all call `versions` here):
the indicator rows of `assistant.versions.diff` (matched by concept, then name words), each side with its
base and target and their years, the change of the target, the verdict on the old target from the newer
plan's figure, the new and dropped indicators, and the task sections and taxonomy topics only one plan has
(`assistant.version_sections`); every figure and title cited on its own plan.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.contract import SourceCitation, VersionDiff, VersionOnly, VersionPlan, VersionRow, VersionSide
from assistant.evidence import Span, cite, sentences
from assistant.version_sections import section_changes
from assistant.versions import IndicatorChange, PlanVersion, current, diff, series, stamp_periods
from ingest.lexicon import city_key
from ingest.records import Clause, IndicatorRecord

if TYPE_CHECKING:
    from assistant.service import Assistant
    from index.corpus import Corpus


class VersionError(ValueError):
    """The two plans cannot be compared as asked; the message says what can be."""


def _source(corpus: Corpus, span: Span | Clause) -> SourceCitation:
    """A checked citation of a clause or a sentence span, with its plan named and its period stamped."""
    clause = span.clause if isinstance(span, Span) else span
    meta = corpus.docs[clause.doc_id]
    source = SourceCitation(**cite(span, corpus.source(clause.doc_id)).model_dump(), title=meta.title, city=meta.city)
    stamp_periods([source], corpus.docs)
    return source


def row_citation(corpus: Corpus, record: IndicatorRecord) -> SourceCitation:
    """The citation of an indicator record: its table row (the record's own span when no row clause holds it)."""
    for i in corpus.clause_ids_of(record.doc_id):
        clause = corpus.clauses[i]
        if clause.kind == "table_row" and clause.char_start == record.char_start:
            return _source(corpus, clause)
    text = corpus.source(record.doc_id)[record.char_start:record.char_end]
    clause = Clause(record.doc_id, f"{record.doc_id}@{record.char_start}", (), text, record.char_start, record.char_end,
                    "table_row")
    return _source(corpus, clause)


def sentence_citation(corpus: Corpus, doc_id: str, clause_id: str, at: int) -> SourceCitation | None:
    """The citation of the sentence of clause `clause_id` that holds offset `at` (a figure stated in prose)."""
    for i in corpus.clause_ids_of(doc_id):
        clause = corpus.clauses[i]
        if clause.clause_id == clause_id:
            span = next((s for s in sentences(clause) if s.char_start <= at < s.char_end), None)
            return _source(corpus, span) if span else None
    return None


def _side(corpus: Corpus, record: IndicatorRecord) -> VersionSide:
    base = record.baseline
    return VersionSide(indicator=record.indicator, unit=record.unit, base=base.value_text if base else None,
                       base_value=base.value if base else None, base_year=base.year if base else None,
                       target=record.target.value_text, target_value=record.target.value, target_year=record.target.year,
                       attribute=record.attribute, citation=row_citation(corpus, record))


def _row(corpus: Corpus, new_plan: PlanVersion, change: IndicatorChange) -> VersionRow:
    actual_citation = None
    if change.old is not None and change.actual is not None:
        if change.new is not None:
            actual_citation = row_citation(corpus, change.new)
        elif change.actual_figure is not None:
            f = change.actual_figure
            actual_citation = sentence_citation(corpus, new_plan.doc_id, f.clause_id, f.char_start)
    return VersionRow(
        indicator=change.name,
        old=_side(corpus, change.old) if change.old else None,
        new=_side(corpus, change.new) if change.new else None,
        change=None if change.change is None else round(change.change, 6),
        change_pct=None if change.change_pct is None else round(change.change_pct, 2),
        status=change.verdict if change.old is not None else None,  # type: ignore[arg-type]
        actual=change.actual_text if change.old is not None and change.actual is not None else None,
        actual_citation=actual_citation,
    )


def _plan(plan: PlanVersion, year: int) -> VersionPlan:
    return VersionPlan(doc_id=plan.doc_id, title=plan.title, period=f"{plan.period.start}-{plan.period.end}",
                       label=plan.short, period_ended=plan.period.ended(year))


def pick(corpus: Corpus, city: str, doc_ids: Sequence[str] = (), year: int | None = None
         ) -> tuple[PlanVersion, PlanVersion]:
    """(older, newer): the two plans `doc_ids` names, else the city's current plan and the one before it."""
    from assistant.versions import today_year

    year = today_year() if year is None else year
    plans = series(corpus.docs).get(city)
    if not plans:
        held = [m.title for m in corpus.docs.values() if m.city == city]
        raise VersionError(f"{city}只有一个时期的规划（{'、'.join(f'《{t}》' for t in held) or '无'}）："
                           "版本对比需要同一城市两个时期的规划，请先上传另一期规划。")
    if doc_ids:
        chosen = [p for p in plans if p.doc_id in doc_ids]
        if len(set(doc_ids)) != 2 or len(chosen) != 2 or chosen[0].period == chosen[1].period:
            raise VersionError(f"doc_ids 应为{city}两个时期的两个规划（可选：{'、'.join(p.doc_id for p in plans)}）。")
        return chosen[0], chosen[1]
    k = plans.index(current(plans, year))
    return (plans[k - 1], plans[k]) if k > 0 else (plans[0], plans[1])


def version_diff(corpus: Corpus, city: str, doc_ids: Sequence[str] = (), year: int | None = None) -> VersionDiff:
    """The version table of `city`'s two plans (`doc_ids`, else its current plan and the one before it)."""
    from assistant.versions import today_year

    year = today_year() if year is None else year
    old, new = pick(corpus, city, doc_ids, year)
    d = diff(old, new, corpus.indicators, corpus.figures)
    clauses = lambda doc_id: [corpus.clauses[i] for i in corpus.clause_ids_of(doc_id)]  # noqa: E731
    s = section_changes(clauses(old.doc_id), clauses(new.doc_id))
    return VersionDiff(city=city, old=_plan(old, year), new=_plan(new, year),
                       indicators=[_row(corpus, new, c) for c in d.matched],
                       added=[_row(corpus, new, c) for c in d.added],
                       dropped=[_row(corpus, new, c) for c in d.dropped],
                       sections_added=[_only(corpus, c.text.strip(), [c]) for c in s.added],
                       sections_dropped=[_only(corpus, c.text.strip(), [c]) for c in s.dropped],
                       topics_added=[_only(corpus, t, cs) for t, cs in s.topics_added.items()],
                       topics_dropped=[_only(corpus, t, cs) for t, cs in s.topics_dropped.items()])


def _only(corpus: Corpus, title: str, headings: Sequence[Clause]) -> VersionOnly:
    return VersionOnly(doc_id=headings[0].doc_id, title=title, citations=[_source(corpus, h) for h in headings])


def versions(assistant: Assistant, city: str | None = None, doc_ids: Sequence[str] | None = None) -> VersionDiff:
    """The operation the page, the JSON API and MCP call: the version table of `city` (else of the city of the two
    `doc_ids`); the two plans `doc_ids` names, else the city's current plan and the one before it. Input a caller
    can get wrong is a `tools.InputError` saying what can be compared."""
    from assistant.tools import InputError, _index, _names, shown

    corpus = _index(assistant).corpus
    ids = list(dict.fromkeys(_names(doc_ids, "doc_ids", '["nanjing-2021", "nanjing-2026"]')))
    unknown = [d for d in ids if d not in corpus.docs]
    if unknown:
        raise InputError(f"没有这个规划：{'、'.join(shown(d) for d in unknown)}（可选：{'、'.join(sorted(corpus.docs))}）")
    name = city.strip() if isinstance(city, str) else None
    if city is not None and not isinstance(city, str):
        raise InputError('city 应为一个城市名（字符串），例如 "南京市"。')
    if name:
        found = [c for c in corpus.cities if city_key(c) == city_key(name)]
        if not found:
            raise InputError(f"没有这个城市的规划：{shown(name)}（可选：{'、'.join(corpus.cities)}）")
        name = found[0]
    elif ids:
        held = {corpus.docs[d].city for d in ids}
        if len(held) != 1 or None in held:
            raise InputError("doc_ids 应为同一城市的两个规划。")
        name = held.pop()
    else:
        raise InputError('city 为空：请给出城市，例如 "南京市"（或 doc_ids 给出同一城市两个时期的规划）。')
    if any(corpus.docs[d].city != name for d in ids):
        raise InputError(f"doc_ids 中有不属于{name}的规划。")
    try:
        return version_diff(corpus, name, ids)
    except VersionError as exc:
        raise InputError(str(exc)) from None
