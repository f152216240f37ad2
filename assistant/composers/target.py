"""Numbers and targets: from the indicator tables when a row matches, else the sentence that states it.

Values are given as the plan writes them ("3左右", ">500"), with the unit, the target year
and the baseline, and the table row is cited. A number the user states that the plan
contradicts (a false premise) is refused and corrected with the plan's figure.
"""
from __future__ import annotations

import re

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.common import (
    Context, best_record, parse_number, rank_sentences, records_for, topic_bigrams, value_with_unit,
)
from assistant.composers.refusal import refuse
from ingest.records import IndicatorRecord

MIN_SENTENCE_SCORE = 0.34


def describe(ctx: Context, r: IndicatorRecord) -> str:
    """"南京市：到2025年，高新技术企业数达到20000家（2020年为6507家）"."""
    city = ctx.city_of(r.doc_id) or ctx.title_of(r.doc_id)
    year = f"到{r.target.year}年，" if r.target.year else ""
    value = value_with_unit(r.target.value_text, r.unit)
    text = f"{city}规划提出{year}{r.indicator}目标为{value}"
    if r.baseline and r.baseline.value_text and r.baseline.value_text not in ("/", "-", "—"):
        base_year = f"{r.baseline.year}年" if r.baseline.year else "基期"
        text += f"（{base_year}为{value_with_unit(r.baseline.value_text, r.unit)}）"
    if r.attribute:
        text += f"，属{r.attribute}指标"
    return text


def _contradicts(ctx: Context, r: IndicatorRecord) -> str | None:
    """The number the user states, when it is neither the plan's target nor its baseline."""
    for stated in ctx.query.numbers:
        value = parse_number(stated)
        known = [v for v in (r.target.value, r.baseline.value if r.baseline else None) if v is not None]
        if value is not None and known and all(abs(value - k) > 1e-9 for k in known):
            return stated
    return None


def compose(ctx: Context) -> Answer:
    query = ctx.query
    records = records_for(ctx, query.concepts, query.cities) if query.concepts else []
    if records:
        builder = AnswerBuilder(ctx.index.sources)
        cities = query.cities or tuple(dict.fromkeys(ctx.city_of(r.doc_id) for r in records))
        for city in cities:
            record = best_record([r for r in records if ctx.city_of(r.doc_id) == city], query.text)
            if record is None:
                continue
            span = ctx.row_span(record)
            if query.year and query.year not in (record.target.year, record.baseline.year if record.baseline else None):
                return refuse(ctx, f"{city}{record.indicator}在{query.year}年的目标",
                              (f"规划给出的是{describe(ctx, record)}。", span))
            wrong = _contradicts(ctx, record)
            if wrong is not None:
                return refuse(ctx, f"“{wrong}”这一数字", (f"{describe(ctx, record)}，而非{wrong}。", span))
            builder.say(describe(ctx, record) + "。", span)
        if builder.citations:
            return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="target", query=query)
    return from_sentences(ctx)


def from_sentences(ctx: Context) -> Answer:
    """No indicator row: the best sentence that states a number on the topic."""
    grams = topic_bigrams(ctx.query.text)
    ranked = rank_sentences(ctx, ctx.hits[:10], grams, want_number=True)
    if not ranked or ranked[0][0] < MIN_SENTENCE_SCORE or not re.search(r"\d", ranked[0][1].text):
        return refuse(ctx, "与该问题对应的数字或目标")
    score, span = ranked[0]
    builder = AnswerBuilder(ctx.index.sources)
    for stated in ctx.query.numbers:
        if stated not in span.text and parse_number(stated) is not None:
            return refuse(ctx, f"“{stated}”这一数字", (f"规划原文为：{span.text}", span))
    if ctx.query.year and str(ctx.query.year) not in span.text and not any(str(ctx.query.year) in s.text for _, s in ranked[:3]):
        return refuse(ctx, f"{ctx.query.year}年的相关目标")
    builder.say(span.text, span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="target", query=ctx.query)
