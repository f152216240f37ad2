"""Comparisons across cities: a city × indicator table with a citation per cell.

A plan that sets no such target is shown as "规划未提出", never as zero. When all the
values share a unit, one sentence says which city is highest and lowest.
"""
from __future__ import annotations

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.common import Context, best_record, rank_sentences, records_for, topic_bigrams, value_with_unit
from assistant.composers.refusal import refuse
from assistant.query import concept_of
from index.store import Filters

NOT_SET = "规划未提出"
MIN_SENTENCE_SCORE = 0.3


def compose(ctx: Context) -> Answer:
    query = ctx.query
    cities = query.cities if len(query.cities) >= 2 else tuple(ctx.index.cities)
    if not query.concepts:
        return by_sentences(ctx, cities)
    builder = AnswerBuilder(ctx.index.sources)
    rows: list[dict] = []
    builder.raw("| 城市 | 指标（规划原文） | 目标 | 基期值 |\n|---|---|---|---|\n")
    numeric: list[tuple[float, str, str, object]] = []
    units = set()
    for concept in query.concepts:
        for city in cities:
            record = best_record(records_for(ctx, (concept,), (city,)), query.text)
            if record is None:
                builder.raw(f"| {city} | {concept} | {NOT_SET} | — |\n")
                rows.append({"city": city, "concept": concept, "indicator": None, "target": None, "citation": None})
                continue
            span = ctx.row_span(record)
            target = value_with_unit(record.target.value_text, record.unit)
            year = f"{record.target.year}年" if record.target.year else ""
            base = value_with_unit(record.baseline.value_text, record.unit) if record.baseline and record.baseline.value_text else "—"
            marker = builder.marker(span)
            builder.raw(f"| {city} | {record.indicator} | {year}{target}{marker} | {base} |\n")
            rows.append({"city": city, "concept": concept, "indicator": record.indicator, "target": target,
                         "value": record.target.value, "unit": record.unit, "year": record.target.year,
                         "citation": marker})
            if record.target.value is not None:
                numeric.append((record.target.value, city, target, span))
                units.add((concept_of(record.indicator), record.unit))
    if not builder.citations:
        return refuse(ctx, f"{'、'.join(cities)}关于“{'、'.join(query.concepts)}”的指标")
    if len(numeric) >= 2 and len(units) == 1:
        hi, lo = max(numeric, key=lambda t: t[0]), min(numeric, key=lambda t: t[0])
        if hi[0] != lo[0]:
            builder.raw("\n")
            builder.say(f"目标最高的是{hi[1]}（{hi[2]}），最低的是{lo[1]}（{lo[2]}）。", hi[3], lo[3])
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="compare",
                  query=query, table=rows)


def by_sentences(ctx: Context, cities: tuple[str, ...]) -> Answer:
    """No indicator named: for each city, the sentence of its plan that best answers."""
    grams = topic_bigrams(ctx.query.text)
    builder = AnswerBuilder(ctx.index.sources)
    for city in cities:
        hits = ctx.index.search(ctx.query.text, 10, filters=Filters(cities=(city,)), hints=ctx.extras.get("hints"))
        ranked = rank_sentences(ctx, hits, grams)
        if ranked and ranked[0][0] >= MIN_SENTENCE_SCORE:
            builder.say(f"{city}：{ranked[0][1].text}", ranked[0][1])
        else:
            builder.raw(f"{city}：{NOT_SET}。")
        builder.raw("\n")
    if not builder.citations:
        return refuse(ctx, "各城市规划中与该问题对应的内容")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="compare", query=ctx.query)
