"""A sum or standard the plan does not give: say what the plan does state, and that it gives no amount.

A question that asks for an amount, a ratio or a threshold ("积分要达到多少分", "加计扣除的具体比例",
"补贴多少钱" — the `amount_ask` words of index/resources/question_words.tsv) and whose answer cites only
clauses that state no such figure is not answered by those clauses: it is refused, and the nearest clause
is quoted so the reader sees what the plan says instead.
"""
from __future__ import annotations

import re

from ingest.lexicon import AMOUNT as LEXICON_AMOUNT

from assistant.answer import Answer
from assistant.composers.context import Context
from assistant.composers.refusal import refuse
from assistant.lexicon import rule

# A figure that answers an amount question: money, a share, points, a multiple; and, by what is asked, its kind.
AMOUNT = LEXICON_AMOUNT
_KINDS = (
    (re.compile(r"比例|比重|百分"), re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|倍)")),
    (re.compile(r"多少分|分数|积分"), re.compile(r"\d+(?:\.\d+)?\s*分")),
    (re.compile(r"钱|金额|额度|元"), re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元)")),
)


def amount_pattern(question: str) -> re.Pattern:
    """The figures that would answer: a share for 比例, points for 多少分, money for 多少钱, else any amount."""
    return next((figure for asked, figure in _KINDS if asked.search(question)), AMOUNT)
_FIGURE_COMPOSERS = ("target", "document", "task", "refusal")


def asks_amount(text: str) -> bool:
    """Whether the question asks for a sum, ratio or standard."""
    return bool(rule("amount_ask").search(text))


def check(ctx: Context, answer: Answer) -> Answer:
    """`answer` unchanged, or a refusal quoting its first clause when it states none of the amounts asked for."""
    if answer.refused or answer.composer in _FIGURE_COMPOSERS or not answer.citations:
        return answer
    if not asks_amount(ctx.query.original) or any(amount_pattern(ctx.query.original).search(c.quote) for c in answer.citations):
        return answer
    first = answer.citations[0]
    span = ctx.span_of(first)
    if span is None:
        return refuse(ctx, "问题所问的具体数额或标准（规划未写明）")
    city = ctx.city_of(first.doc_id) or ctx.title_of(first.doc_id)
    return refuse(ctx, "问题所问的具体数额或标准：规划未写明金额、比例或门槛",
                  (f"{city}规划写的是：{' '.join(first.quote.split())}", span))
