"""Questions about a plan's indicator table as a whole, not one indicator's figure.

"目标表里的指标是约束性还是预期性的？" asks the table's attribute column; "指标表里哪个指标从2020到2025涨得最多？"
asks which row grows most, as the ratio of its target to its baseline (rows in different units compare only so);
"指标表里哪类企业的目标数量最多？" asks which of the rows it names has the largest target, in one unit.
Both are read from the plan's indicator records, each row cited. The words that make such a question are data
(the `indicator_attribute`, `indicator_table`, `growth`, `superlative_value` and `superlative_low` rules of index/resources/question_words.tsv); any
other question, or a plan without an indicator table, is left to the usual composers (None).
"""
from __future__ import annotations

from collections import Counter

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.composers.scoring import TopicScorer
from assistant.lexicon import rule
from ingest.records import IndicatorRecord


def _records(ctx: Context) -> dict[str, list[IndicatorRecord]]:
    """The indicator rows of each asked plan (one city named, within the user's filters), in table order."""
    out: dict[str, list[IndicatorRecord]] = {}
    for r in ctx.corpus.indicators:
        if ctx.allows(r.doc_id) and ctx.city_of(r.doc_id) in ctx.query.cities:
            out.setdefault(r.doc_id, []).append(r)
    return out


def _attributes(ctx: Context, rows: list[IndicatorRecord]) -> Answer | None:
    """Each indicator's 预期性/约束性, said once for all rows when they share it."""
    given = [r for r in rows if r.attribute]
    if not given:
        return None
    builder = AnswerBuilder(ctx.corpus.sources)
    kinds = sorted({r.attribute for r in given})
    city = ctx.city_of(rows[0].doc_id) or ctx.title_of(rows[0].doc_id)
    if len(kinds) == 1 and len(given) == len(rows):
        builder.raw(f"{city}主要指标表共{len(rows)}项指标，均为{kinds[0]}指标：\n")
    else:
        builder.raw(f"{city}主要指标表各项指标的属性：\n")
    for r in given:
        builder.say(f"{r.indicator}（{r.attribute}）", ctx.row_span(r))
        builder.raw("\n")
    return Answer(text=builder.text.rstrip(), citations=builder.citations, refused=False, retrieved=[],
                  composer="indicator_table", query=ctx.query)


def _growth(ctx: Context, rows: list[IndicatorRecord]) -> Answer | None:
    """The row whose target is the largest multiple of its baseline, with the runner-up for scale."""
    grown = [(r.target.value / r.baseline.value, r) for r in rows
             if r.baseline and r.baseline.value and r.target.value is not None and r.baseline.value > 0]
    if len(grown) < 2:
        return None
    grown.sort(key=lambda t: -t[0])
    builder = AnswerBuilder(ctx.corpus.sources)
    city = ctx.city_of(rows[0].doc_id) or ctx.title_of(rows[0].doc_id)
    builder.raw(f"{city}主要指标表中，按目标值与基期值之比，增幅最大的是：\n")
    for ratio, r in grown[:2]:
        unit = r.unit or ""
        builder.say(f"{r.indicator}：{r.baseline.year or '基期'}年{r.baseline.value_text}{unit} → "
                    f"{r.target.year or '目标'}年{r.target.value_text}{unit}（约{ratio:.1f}倍）", ctx.row_span(r))
        builder.raw("\n")
    return Answer(text=builder.text.rstrip(), citations=builder.citations, refused=False, retrieved=[],
                  composer="indicator_table", query=ctx.query)


def _extreme(ctx: Context, rows: list[IndicatorRecord]) -> Answer | None:
    """"指标表里哪类企业的2025年目标数量最多": of the rows whose name holds a word of the question (企业), in the unit
    most of them share, the largest target (the smallest when asked 最少/最低), the runner-up beside it."""
    words = [u for u in TopicScorer.for_words(ctx.query.topic or ctx.query.text, ctx.corpus).units
             if not rule("indicator_table").search("".join(u.forms))]
    named = [r for r in rows if r.target.value is not None and any(f in r.indicator for u in words for f in u.forms)]
    units = Counter(r.unit or "" for r in named)
    if not units:
        return None
    unit = units.most_common(1)[0][0]
    alike = [r for r in named if (r.unit or "") == unit]
    if len(alike) < 2:
        return None
    low = bool(rule("superlative_low").search(ctx.query.text))
    alike.sort(key=lambda r: r.target.value, reverse=not low)
    builder = AnswerBuilder(ctx.corpus.sources)
    city = ctx.city_of(rows[0].doc_id) or ctx.title_of(rows[0].doc_id)
    builder.raw(f"{city}主要指标表中，{'目标值最小' if low else '目标值最大'}的是：\n")
    for r in alike[:2]:
        builder.say(f"{r.indicator}：{r.target.year or '目标'}年{r.target.value_text}{unit}", ctx.row_span(r))
        builder.raw("\n")
    return Answer(text=builder.text.rstrip(), citations=builder.citations, refused=False, retrieved=[],
                  composer="indicator_table", query=ctx.query)


def compose(ctx: Context) -> Answer | None:
    """An answer about the asked plan's indicator table as a whole, or None when the question is not one."""
    text = ctx.query.text
    if len(ctx.query.cities) != 1 or not rule("indicator_table").search(text):
        return None
    plans = _records(ctx)
    if len(plans) != 1:
        return None
    rows = next(iter(plans.values()))
    if rule("indicator_attribute").search(text):
        return _attributes(ctx, rows)
    if rule("superlative").search(text) and rule("growth").search(text):
        return _growth(ctx, rows)
    if rule("superlative_value").search(text):
        return _extreme(ctx, rows)
    return None
