"""Which plans mention a quoted name: "哪些城市的规划提到了“科创飞地”", "哪些城市提出要用“揭榜挂帅”".

The answer goes plan by plan (each city's latest plan within the user's filters): every plan that writes the
quoted name, in any form the term table knows, is named with its city and the first sentence that writes it,
cited; the plans that do not write it are named too, so the reader sees the whole library was read. The
question words are data (the `which_cities` rule of index/resources/question_words.tsv). Without a quoted
name, or with a city named, the usual composers answer.
"""
from __future__ import annotations

import re

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.evidence import sentences
from assistant.lexicon import rule
from assistant.query import indicator_concepts
from ingest.lexicon import normalize

_PLAIN = re.compile(r"[\s“”‘’\"'《》〈〉「」『』]")


def _plain(text: str) -> str:
    return _PLAIN.sub("", normalize(text))


def name_forms(name: str) -> list[str]:
    """How the plans may write a quoted name: as quoted, or in any form the term table gives it
    (“研发强度” → 全社会研发经费支出占地区生产总值比例 …; “技术交易额” → 技术合同成交额)."""
    from index.tokenize import default_tokenizer

    forms = [name]
    synonym = default_tokenizer().synonyms.get(normalize(name).strip())
    if synonym is not None:
        forms.extend(synonym.expansions)
    forms.extend(a for concept, aliases in indicator_concepts() if name in aliases or name == concept for a in aliases)
    return forms


def asks_which_plans(ctx: Context) -> bool:
    return bool(ctx.query.quoted) and not ctx.query.cities and bool(rule("which_cities").search(ctx.query.original or ctx.query.text))


def _latest(ctx: Context) -> list[str]:
    """Each city's latest plan among those the user allows, in the library's order."""
    best: dict[str, str] = {}
    for d, meta in ctx.corpus.docs.items():
        if ctx.allows(d) and (meta.city not in best or (meta.year or 0) > (ctx.corpus.docs[best[meta.city]].year or 0)):
            best[meta.city] = d
    return list(best.values())


def compose(ctx: Context) -> Answer | None:
    """Plan by plan, whether and where it writes each quoted name; None when the question is not of this shape."""
    if not asks_which_plans(ctx):
        return None
    forms = {name: [k for k in map(_plain, name_forms(name)) if len(k) >= 2] for name in ctx.query.quoted}
    builder = AnswerBuilder(ctx.corpus.sources)
    found: list[str] = []
    absent: list[str] = []
    lines = []
    for doc in _latest(ctx):
        city = ctx.city_of(doc) or ctx.title_of(doc)
        span = None
        for i in ctx.corpus.clause_ids_of(doc):
            clause = ctx.corpus.clauses[i]
            if clause.kind == "heading":
                continue
            span = next((s for s in sentences(clause)
                         if all(any(k in _plain(s.text) for k in keys) for keys in forms.values())), None)
            if span is not None:
                break
        if span is None:
            absent.append(city)
        else:
            found.append(city)
            lines.append((city, span))
    if not found:
        return None  # no plan writes it: the usual composers (and refusals) answer
    names = "”“".join(ctx.query.quoted)
    builder.raw(f"写到“{names}”的规划：{'、'.join(found)}。\n")
    for city, span in lines:
        builder.raw(f"{city}：")
        builder.say(" ".join(span.text.split()), span)
        builder.raw("\n")
    if absent:
        builder.raw(f"{'、'.join(absent)}的规划未写到“{names}”。")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="mentions",
                  query=ctx.query)
