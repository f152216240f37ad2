"""Lists and general questions: the plan's own sentences that answer, in document order, each cited."""
from __future__ import annotations

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.common import Context, document_order, rank_sentences, topic_bigrams
from assistant.composers.refusal import refuse

LIMITS = {"list": 3, "general": 2}  # sentences per answer: short answers, the citations carry the rest
MIN_SCORE = 0.3  # calibrated on the dev set: below it the best sentence does not answer
KEEP_RATIO = 0.6  # further sentences must score at least this share of the best one
MAX_CHARS = 240


def compose(ctx: Context) -> Answer:
    limit = LIMITS.get(ctx.query.intent, 2)
    ranked = rank_sentences(ctx, ctx.hits[:10], topic_bigrams(ctx.query.text))
    if not ranked or ranked[0][0] < MIN_SCORE:
        return refuse(ctx, "能回答该问题的条款")
    best = ranked[0][0]
    chosen, used = [], 0
    for score, span in ranked:
        if len(chosen) >= limit or score < best * KEEP_RATIO:
            break
        if used and used + len(span.text) > MAX_CHARS:
            continue
        if any(span.text in c.text or c.text in span.text for c in chosen):
            continue
        chosen.append(span)
        used += len(span.text)
    builder = AnswerBuilder(ctx.index.sources)
    for span in document_order(chosen):
        builder.say(span.text, span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[],
                  composer=ctx.query.intent, query=ctx.query)
