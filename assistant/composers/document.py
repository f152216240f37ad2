"""Questions about a plan document itself: its number (文号), date, issuer, period.

The value comes from the plan's metadata (`DocumentMeta`: manifest or header), and the
answer cites the place in the plan's text where it is written ("句政办发〔2022〕41号",
"2020年3月15日"); a value the text does not show is not stated.
"""
from __future__ import annotations

import re

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.composers.refusal import refuse
from assistant.evidence import Span, sentences
from assistant.prompts import load_prompt
from ingest.lexicon import YEAR_RANGE, normalize, question_years
from ingest.periods import plan_period
from ingest.records import DocumentMeta

FIELDS = (  # (field, label, how a question asks for it)
    ("doc_number", "发文字号", re.compile(r"文号|字号|文件号|编号")),
    ("date", "印发日期", re.compile(r"哪天|哪一天|日期|何时|什么时候|啥时候|几时|时间|(?<!到)哪年|哪一年")),
    ("issuer", "印发单位", re.compile(r"哪个部门|哪个单位|哪家单位|谁|发文机关|印发单位|发布单位|制定单位|机关")),
    ("period", "规划期", re.compile(r"规划期|期限|起止|周期|覆盖|管哪几年|哪几年|时间跨度|目标年|到哪年|到哪一年|截止|"
                                   + YEAR_RANGE.pattern)),
)


def _forms(field: str, value: str) -> list[str]:
    """How the text may write a metadata value: "2020-03-15" → "2020年3月15日"."""
    if field == "date":
        parts = [int(p) for p in value.split("-")]
        forms = [value]  # as the front matter may write it ("发布时间:2021-10-24")
        if len(parts) == 3:
            forms.append(f"{parts[0]}年{parts[1]}月{parts[2]}日")
        if len(parts) >= 2:
            forms.append(f"{parts[0]}年{parts[1]}月")
        return forms
    if field == "period":
        a, _, b = value.partition("-")
        return [f"{a}－{b}", f"{a}-{b}", f"{a}—{b}", f"{a}～{b}"]
    return [value, value.replace(" ", "")]


def _plans(ctx: Context) -> list[DocumentMeta]:
    docs = [d for d in ctx.corpus.docs.values() if ctx.allows(d.doc_id)]  # a routed question: its plan only
    if ctx.query.cities:
        return [d for d in docs if d.city in ctx.query.cities]
    named = [d for d in docs if any(n in d.title for n in ctx.query.quoted)]
    return named or (docs if len(docs) == 1 else [])


def _locate(ctx: Context, meta: DocumentMeta, forms: list[str]) -> Span | None:
    """The first sentence of the plan that writes the value (front matter first: clauses are in text order)."""
    for i in ctx.corpus.clause_ids_of(meta.doc_id):
        clause = ctx.corpus.clauses[i]
        for form in forms:
            if form and form in clause.text:
                return next((s for s in sentences(clause) if form in s.text), None)
    return None


def compose(ctx: Context) -> Answer:
    text = ctx.query.text
    wanted = [(f, label) for f, label, pattern in FIELDS if pattern.search(text)] or [("date", "印发日期")]
    plans = _plans(ctx)
    if not plans:
        return refuse(ctx, "问题所指的规划文件（请说明城市或规划名称）")
    stated = question_years(normalize(ctx.query.original))
    wrong_year = bool(len(plans) == 1 and stated and [f for f, _ in wanted] == ["date"] and plans[0].date and
                      not any(plans[0].date.startswith(str(y)) for y in stated))
    span = YEAR_RANGE.search(normalize(ctx.query.original))  # a period the question states
    period = plan_period(plans[0].title, plans[0].period) if len(plans) == 1 else None
    wrong_span = bool(span and period and (int(span.group(1)), int(span.group(2))) != (period.start, period.end))
    builder = AnswerBuilder(ctx.corpus.sources)
    if wrong_year:  # "是2021年印发的吧？" of a plan issued in 2020: the premise is refused, the date quoted below
        builder.raw(load_prompt("not_found").format(reason=f"{stated[-1]}年印发的记载") + "\n")
    if wrong_span:  # "管的是2021到2023年吧？" of a 2020—2022 plan: likewise, the plan's period quoted below
        builder.raw(load_prompt("not_found").format(reason=f"{span.group(1)}—{span.group(2)}年这一规划期") + "\n")
    for meta in plans:
        for field, label in wanted:
            value = getattr(meta, field)
            span = _locate(ctx, meta, _forms(field, value)) if value else None
            if span is not None:
                builder.say(f"《{meta.title}》的{label}：{span.text}", span)
            elif field == "period" and (period := plan_period(meta.title, value)) is not None:
                title = _locate(ctx, meta, [meta.title, meta.title.replace("“", "").replace("”", "")])
                if title is not None:  # "十四五" in the title is 2021—2025
                    builder.say(f"《{meta.title}》的{label}：{period.display()}（据标题）", title)
    if not builder.citations:
        return refuse(ctx, f"规划文本中写明的{'、'.join(label for _, label in wanted)}")
    return Answer(text=builder.text, citations=builder.citations, refused=wrong_year or wrong_span, retrieved=[], composer="document",
                  query=ctx.query)
