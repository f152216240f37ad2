"""Who carries a task out: the lead and partner units of a plan's task table (江阴's 附件).

The task row whose goal and task name best cover the question is cited whole (the row
states the goal and the units); below `Thresholds.task` the question is answered like a general
one (a table such as 南通's 重大企业创新平台布局 names its 牵头单位 in a column).
"""
from __future__ import annotations

from assistant.answer import Answer, AnswerBuilder
from assistant.composers import extractive
from assistant.composers.context import Context
from assistant.composers.scoring import TopicScorer
from assistant.evidence import Span


def compose(ctx: Context) -> Answer:
    cities = set(ctx.query.cities)
    words = TopicScorer.for_words(ctx.query.topic or ctx.query.text, ctx.index)  # colloquial wording: words match where bigrams split
    scored = []
    for t in ctx.index.tasks:
        if (cities and ctx.city_of(t.doc_id) not in cities) or not ctx.allows(t.doc_id):
            continue
        text = f"{t.target} {t.task}"
        bigram = ctx.scorer.coverage(text, t.category)  # also breaks ties between rows with the same words in another order
        scored.append((max(bigram, words.coverage(text, t.category) if words.units else 0.0) + 0.05 * bigram, t))
    scored.sort(key=lambda x: -x[0])
    if not scored or scored[0][0] < ctx.thresholds.task:
        return extractive.compose(ctx)
    _, t = scored[0]
    clause = ctx.row_clauses.get((t.doc_id, t.char_start))
    if clause is None:
        return extractive.compose(ctx)
    span = Span(clause, clause.char_start, clause.char_end, clause.text)
    text = f"{t.target.rstrip('。')} — 牵头：{'、'.join(t.lead_units) or '未写明'}"
    if t.partner_units:
        text += f"；配合：{'、'.join(t.partner_units)}"
    builder = AnswerBuilder(ctx.index.sources)
    builder.say(text + "。", span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="task", query=ctx.query)
