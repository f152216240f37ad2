"""Refusals: say plainly what the plans do not contain, and show the nearest clauses."""
from __future__ import annotations

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.evidence import Span, cite, sentences
from assistant.prompts import load_prompt

NEAREST = 3


def nearest(ctx: Context) -> list:
    """Citations of the best retrieved clauses, shown beside a refusal (not part of the answer)."""
    out = []
    for hit in ctx.hits[:NEAREST]:
        first = sentences(hit.clause)[:1]
        if first:
            out.append(cite(first[0], ctx.corpus.source(hit.clause.doc_id)))
    return out


def refuse(ctx: Context, reason: str, correction: tuple[str, Span] | None = None) -> Answer:
    """A refusal with `reason`; with `correction`, the true figure from the plan, cited."""
    builder = AnswerBuilder(ctx.corpus.sources)
    builder.raw(load_prompt("not_found").format(reason=reason))
    if correction is not None:
        text, span = correction
        builder.say(text, span)
    return Answer(text=builder.text, citations=builder.citations, refused=True, retrieved=[], composer="refusal",
                  query=ctx.query, nearest=nearest(ctx))
