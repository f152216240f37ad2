"""Comparisons across cities: a city × indicator table with a citation per cell.

Each cell is the figure the number composer would give for that city (`target.best_figure`:
the indicator row, else the sentence that states it), found by a search within that city's
plan. A plan that sets no such figure is shown as "规划未提出", never as zero. Cells should be
comparable: when most cities' rows measure the indicator in one kind of unit (亿元) and a
city's best row in another (a growth rate, %), that city's figure is looked for again in the
common kind. When all values come from rows with one unit, one sentence says which city is
highest and lowest. A number the user states that the plan contradicts is refused with the
plan's figure.
"""
from __future__ import annotations

import re
from dataclasses import replace
from collections import Counter
from collections.abc import Callable

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context, context_years, past_context, rank_sentences
from assistant.composers.refusal import refuse
from assistant.composers.target import (SENTENCE_HITS, Figure, best_figure, contradicted, counts_increment, other_area, plan_span,
                                       topic_figure)
from assistant.composers.values import difference, shown_number, states_kind, unit_kind, value_with_unit
from assistant.contract import ComparisonRow
from assistant.lexicon import rule
from assistant.evidence import Span
from assistant.query import concepts_in, indicator_concepts
from ingest.lexicon import YEAR_DIGITS, city_key, names_year, years_in

NOT_SET = "规划未提出"


def compose(ctx: Context) -> Answer:
    query = ctx.query
    cities = query.cities if len(query.cities) >= 2 else tuple(
        c for c in ctx.corpus.cities if any(m.city == c and ctx.allows(d) for d, m in ctx.corpus.docs.items()))
    if not query.concepts:
        return by_sentences(ctx, cities)
    cells: dict[tuple[str, str], Figure | None] = {}
    hits = {city: ctx.search(query.text, 10, (city,)) for city in cities}
    own = {city: _in_year(ctx, year) for city, year in _city_years(query.text, cities).items()}
    # "哪个城市2025年高企目标最低": a plan that ends before the year asked gives its own (set aside from the ranking) —
    # when some plan reaches that year (none reaches 2035: the question is left to the plans)
    lasts = {city: _last_year(ctx, city) for city in cities}
    if query.year and any(last is not None and last >= query.year for last in lasts.values()):
        for city, last in lasts.items():
            if city not in own and last is not None and query.year > last:
                own[city] = _in_year(ctx, last)
    for concept in query.concepts:
        for city in cities:
            cells[concept, city] = best_figure(own.get(city, ctx), hits[city], concept, city)
        kinds = Counter(unit_kind(f.record.unit) for c, f in cells.items() if c[0] == concept and f and f.record)
        if len(kinds) > 1:
            common = kinds.most_common(1)[0][0]
            for city in cities:
                f = cells[concept, city]
                if f is not None and f.record is not None and unit_kind(f.record.unit) != common:
                    cells[concept, city] = best_figure(ctx, hits[city], concept, city, unit=common)
    found = [f for f in cells.values() if f is not None]
    if not found:
        return refuse(ctx, f"{'、'.join(cities)}关于“{'、'.join(query.concepts)}”的指标")
    wrong = contradicted(ctx, found)
    if wrong is not None:
        first = next((f for f in found if query.cities and f.city == query.cities[0]), found[0])
        return refuse(ctx, f"“{wrong}”这一数字", (f"{first.text.rstrip('。；;，,')}，而非{wrong}。", first.span))
    builder = AnswerBuilder(ctx.corpus.sources)
    builder.raw("| 城市 | 指标 | 规划表述 |\n|---|---|---|\n")
    rows: list[ComparisonRow] = []
    for (concept, city), f in cells.items():
        if f is None:
            builder.raw(f"| {city} | {concept} | {NOT_SET} |\n")
            rows.append(ComparisonRow(city=city, concept=concept))
            continue
        marker = builder.marker(f.span)
        r = f.record
        plan_period = ctx.corpus.docs[f.span.clause.doc_id].period
        extra = ""
        if r is not None and ctx.period != "past" and r.baseline and r.baseline.value_text and r.baseline.value_text not in ("/", "-", "—"):
            extra += f"（{r.baseline.year or '基期'}{'年' if r.baseline.year else ''}{value_with_unit(r.baseline.value_text, r.unit)}）"
        prose = prose_variant(ctx, f) if ctx.period != "past" else None  # the target's wording, not a base year's
        if prose is not None:  # the plan's prose words the row's figure its own way ("10%左右", "1000家")
            extra += f"（正文：{prose.text}{builder.marker(prose)}）"
        builder.raw(f"| {city} | {r.indicator if r else concept} | {cell(f, ctx.period, plan_period)}{marker}{extra} |\n")
        value, unit = value_of(ctx, f)
        rows.append(ComparisonRow(city=city, concept=concept, indicator=r.indicator if r else None,
                                  target=cell(f, ctx.period, plan_period), value=value, unit=unit,
                                  year=r.target.year if r else None, citation=marker))
    superlative = bool(_SUPERLATIVE.search(query.text))
    valued = [(f, *value_of(ctx, f)) for f in found if ctx.period != "past"]
    numeric = [(f, v, u) for f, v, u in valued if v is not None]
    like, unlike = like_with_like(ctx, numeric)
    kinds = {(f.concept, unit_kind(u) or u) for f, _, u in like}
    if len(like) >= 2 and len(kinds) == 1 and (superlative or len(numeric) == len(found)):
        def target(f: Figure) -> str:
            return cell(f, None, _period(ctx, f))

        ranked = _rank(builder, [(f, v) for f, v, _ in like], len(found), target, "目标", "可比数字")
        if ranked is not None and len(like) == 2 and rule("difference_ask").search(query.text):  # "南京比南通的高企目标多多少家"
            (hi, hv), (lo, lv) = ranked
            high, low = target(hi), target(lo)
            about = "左右" if "左右" in high + low else "以上" if re.search(r">|超|以上", high) else ""
            builder.raw(f"两者相差{difference(hv - lv, like[0][2])}{about}。")
        if ranked is not None and len(like) == 2 and rule("ratio_ask").search(query.text):  # "南京的高企目标是南通的几倍"
            (hi, hv), (lo, lv) = ranked
            if lv:
                builder.raw(f"{hi.city}的目标约为{lo.city}的{shown_number(round(hv / lv, 1))}倍。")
    if len(like) >= 2 and len(kinds) == 1 and rule("sum_ask").search(query.text):  # "…的目标加起来多少"
        total = sum(v for _, v, _ in like)
        left = [f.city for f in found if all(f is not g for g, _, _ in like)] + [c for (_, c), f in cells.items() if f is None]
        builder.raw(f"\n{'、'.join(f.city for f, _, _ in like)}的目标合计{shown_number(round(total, 2))}{like[0][2] or ''}"
                    + (f"（{'、'.join(dict.fromkeys(left))}未计入：规划未给出可比数字）" if left else "") + "。")
    if ctx.period == "past":  # "哪个城市2020年的研发投入强度最高": the rows' baselines of one year, ranked as targets are
        based = [(f, f.record.baseline.value, f.record.baseline.year, f.record.unit) for f in found
                 if f.record and f.record.baseline and f.record.baseline.value is not None]
        if query.year:  # "连云港和句容2020年的高企谁多": a sentence stating the year's figure (截至2020年底…119家), or
            # standing in the review of the years before the plan, counts too
            based += [(f, v, query.year, u) for f in found if f.record is None
                      and (str(query.year) in f.span.text or horizon(ctx, f) == query.year)
                      for v, u in [value_of(ctx, f)] if v is not None]
        year = Counter(y for *_, y, _ in based).most_common(1)[0][0] if based else None
        based = [t for t in based if t[2] == year]
        if len(based) >= 2 and len({unit_kind(u) for *_, u in based}) == 1 and (superlative or len(based) == len(found)):
            shown = {id(f): f"{year}年{value_with_unit(shown_number(v), u)}" for f, v, _, u in based}
            ranked = _rank(builder, [(f, v) for f, v, *_ in based], len(found), lambda f: shown[id(f)], "", f"{year}年数字")
            if ranked is not None and len(based) == 2 and rule("difference_ask").search(query.text):  # "2020年…差多少"
                (_, hv), (_, lv) = ranked
                builder.raw(f"两者相差{difference(hv - lv, based[0][3])}。")
    if unlike and (superlative or len(like) >= 2):
        builder.raw("\n" + "".join(f"{f.city}的数字{why}，未参与比较。" for f, why in unlike))
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="compare",
                  query=query, table=rows)


def _rank(builder: AnswerBuilder, valued: list[tuple[Figure, float]], cells: int, shown: Callable[[Figure], str],
          what: str, stated: str) -> tuple[tuple[Figure, float], tuple[Figure, float]] | None:
    """Say which city's figure is highest and which lowest ("目标最高的是南京市（2025年4%），最低的是…"), noting when only
    some of the `cells` cities state one; the two (figure, value) pairs, or None when all are equal (nothing said)."""
    high, low = max(valued, key=lambda t: t[1]), min(valued, key=lambda t: t[1])
    if high[1] == low[1]:
        return None
    partial = "" if len(valued) == cells else f"（在写明{stated}的{len(valued)}个城市中）"
    builder.raw("\n")
    builder.say(f"{what}最高的是{high[0].city}（{shown(high[0])}），最低的是{low[0].city}（{shown(low[0])}）{partial}。",
                high[0].span, low[0].span)
    return high, low


def prose_variant(ctx: Context, f: Figure) -> Span | None:
    """The sentence piece where the plan's prose states a table row's target, when it words the figure otherwise than
    the row (a qualifier such as 左右/以上, or another measure word): both are the plan's, and a reader may know either."""
    r = f.record
    if r is None or r.target.value is None:
        return None
    shown = value_with_unit(r.target.value_text, r.unit)
    aliases = dict(indicator_concepts()).get(f.concept or "", ())
    for g in ctx.corpus.figures_of(r.doc_id):
        if g.source == "table" or g.role != "target" or g.value is None or abs(g.value - r.target.value) > 1e-9:
            continue
        if not g.subject or not (f.concept in concepts_in(g.subject) or any(a in g.subject for a in aliases)):
            continue
        stated = ctx.corpus.source(g.doc_id)[g.char_start:g.char_end]
        after = ctx.corpus.source(g.doc_id)[g.char_end:g.char_end + 4]
        qualifier = re.match(r"[%％]?(左右|以上|以内)", after)
        if qualifier:  # "10%左右": the qualifier after the figure is part of how the plan says it
            stated += qualifier.group(0)
        qualified = qualifier or re.search(r"(左右|以上|以内)$", stated)
        if re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", value_with_unit(g.value_text, g.unit)) and not qualified:
            return None  # the prose says it as the row does
        clause = next((c for c in (ctx.corpus.clauses[i] for i in ctx.corpus.clause_ids_of(g.doc_id)) if c.clause_id == g.clause_id), None)
        if clause is not None and g.char_start + len(stated) <= clause.char_end:
            return Span(clause, g.char_start, g.char_start + len(stated), stated)
    return None


def sentence_year(f: Figure, plan_period: str | None) -> int | None:
    """The year a sentence that names none is for: the one year its section names (an annex of "2020年重点工作目标"),
    or the year before the plan's period when it stands in the plan's review of the last period; else None."""
    years = context_years(f.span.clause)
    if len(years) == 1:
        return next(iter(years))
    first = years_in(plan_period)
    return first[0] - 1 if first and past_context(f.span.clause, f.span.text) else None


def horizon(ctx: Context, f: Figure) -> int | None:
    """The year a cell's figure is for: the row's target year, the sentence's year (sentence_year), else its plan's last year."""
    if f.record is not None and f.record.target.year:
        return f.record.target.year
    named = years_in(f.span.text) or [sentence_year(f, _period(ctx, f))]
    if named[-1]:
        return named[-1]
    years = years_in(_period(ctx, f))
    return max(years) if years else None


def like_with_like(ctx: Context, numeric: list[tuple[Figure, float, str | None]]
                   ) -> tuple[list[tuple[Figure, float, str | None]], list[tuple[Figure, str]]]:
    """The cells a superlative may rank (one target year, the most common; the city's own figure, not a part's or an
    increase the question does not ask for) and the others with why they are left out."""
    years = Counter(horizon(ctx, f) for f, _, _ in numeric)
    common = years.most_common(1)[0][0] if years else None
    like, unlike = [], []
    for item in numeric:
        f = item[0]
        year = horizon(ctx, f)
        if len(years) > 1 and year != common:
            unlike.append((f, f"是{year}年的目标（规划期不同）" if year else "没有写明年份"))
        elif other_area(f.span.text, ctx.query.text) or counts_increment(f.span.text, ctx.query.text):
            unlike.append((f, "说的是另一口径（增量或区域内的数字）"))
        else:
            like.append(item)
    return like, unlike


def _period(ctx: Context, f: Figure) -> str | None:
    return ctx.corpus.docs[f.span.clause.doc_id].period


_SUPERLATIVE = re.compile(f"{rule('superlative').pattern}|{rule('rank_verdict').pattern}")  # asks which city ranks where


def value_of(ctx: Context, f: Figure) -> tuple[float | None, str | None]:
    """A cell's value and unit: the row's or the figure layer's; for a sentence, the figure-layer figure of
    the concept that lies inside it (None when the sentence states none)."""
    if f.value is not None:
        return f.value, f.unit
    aliases = dict(indicator_concepts()).get(f.concept or "", ())
    inside = [g for g in ctx.corpus.figures_of(f.span.clause.doc_id)
              if f.span.char_start <= g.char_start and g.char_end <= f.span.char_end + 8 and g.value is not None
              and g.subject and (f.concept in concepts_in(g.subject) or any(a in g.subject for a in aliases))]
    return (inside[0].value, inside[0].unit) if len(inside) == 1 else (None, None)


def cell(f: Figure, period: str | None, plan_period: str | None = None) -> str:
    """A row's value as written, with unit and year ("2025年20000家"), or the sentence's words."""
    r = f.record
    if r is None:  # a sentence: as written, with the year it is for when it names none, else the plan's period
        text = " ".join(f.span.text.split()).rstrip("，,；;、。")
        if names_year(text) or not plan_period:
            return text
        year = sentence_year(f, plan_period)
        return f"{text}（{year}年）" if year else f"{text}（{plan_period}年规划）"
    if period == "past" and r.baseline and r.baseline.value_text:
        return f"{r.baseline.year or ''}{'年' if r.baseline.year else ''}{value_with_unit(r.baseline.value_text, r.unit)}"
    return f"{r.target.year or ''}{'年' if r.target.year else ''}{value_with_unit(r.target.value_text, r.unit)}"


def _city_years(text: str, cities: tuple[str, ...]) -> dict[str, int]:
    """Each city's own year when the question gives the cities different ones ("连云港2025年和江阴2022年的…谁高")."""
    years = {}
    for city in cities:
        m = re.search(rf"{re.escape(city_key(city))}市?的?\s*({YEAR_DIGITS})\s*年", text)
        if m:
            years[city] = int(m.group(1))
    return years if len(set(years.values())) > 1 else {}


def _last_year(ctx: Context, city: str) -> int | None:
    """The last year of the city's plan(s) the question may read, None when none states a period."""
    spans = [span for d, m in ctx.corpus.docs.items() if m.city == city and ctx.allows(d) and (span := plan_span(ctx, d))]
    return max(last for _, last in spans) if spans else None


def _in_year(ctx: Context, year: int) -> Context:
    hints = replace(ctx.hints, year=year) if ctx.hints else None
    return replace(ctx, query=replace(ctx.query, year=year), hints=hints)


def _figure(ctx: Context, city: str) -> Figure | None:
    """The figure a question about this one city would be answered with (a sentence of its plan stating a figure on
    the topic), else one the figure layer finds about what is asked."""
    return best_figure(ctx, ctx.search(ctx.query.text, SENTENCE_HITS, (city,)), None, city) or topic_figure(ctx, city)


def by_sentences(ctx: Context, cities: tuple[str, ...]) -> Answer:
    """No indicator named: for each city, the sentence of its plan that best answers."""
    builder = AnswerBuilder(ctx.corpus.sources)
    asks_figure = bool(re.search(r"多少|几|多大|多高|目标|最[高低多少大]|哪个", ctx.query.text))
    figures = {city: _figure(ctx, city) for city in cities} if asks_figure else {}
    for city in cities:
        ranked = rank_sentences(ctx, ctx.search(ctx.query.text, 10, (city,)))
        if asks_figure and ctx.query.unit:  # "…各是多少亿元": a sentence that states an amount, not any on the topic
            ranked = [(score, span) for score, span in ranked
                      if span.clause.kind != "table_row" and states_kind(span.text, ctx.query.unit)]
        if figures.get(city) is not None:  # a figure any clause of the plan states about what is asked
            f = figures[city]
            builder.say(f.text.rstrip("。"), f.span)
        elif ranked and ranked[0][0] >= ctx.thresholds.sentence:
            builder.say(f"{city}：{ranked[0][1].text}", ranked[0][1])
        else:
            builder.raw(f"{city}：{NOT_SET}。")
        builder.raw("\n")
    if not builder.citations:
        return refuse(ctx, "各城市规划中与该问题对应的内容")
    valued = [f for f in figures.values() if f is not None and f.value is not None]
    if len(valued) >= 2 and len({f.unit for f in valued}) == 1:
        hi, lo = max(valued, key=lambda f: f.value), min(valued, key=lambda f: f.value)
        if hi.value != lo.value:
            builder.say(f"其中最高的是{hi.city}，最低的是{lo.city}。", hi.span, lo.span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="compare", query=ctx.query)
