"""Version answers: what changed between two plans of one city, and whether the older plan's targets were met.

Asked "十五五相比十四五，X提高了多少", "新增/去掉了哪些指标", "十四五目标完成了吗", "哪些没有完成",
this composer relates the older and the newer plan of the asked city (`assistant.versions.diff`):
each indicator row is cited on its own side, the change is computed from the two targets, and an old
target is judged by the newer plan's base-year figure. It returns None for anything else, so the
question goes on to the other composers.
"""
from __future__ import annotations

import re

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.evidence import Span, sentences
from assistant.query import concepts_in
from assistant.version_sections import section_changes
from assistant.prompts import load_prompt
from assistant.versions import (MET, NOT_MET, UNKNOWN, IndicatorChange, PlanDiff, PlanVersion, claims_met, diff,
                                name_similarity, number, words)
from ingest.periods import ordinals_in
from ingest.records import IndicatorRecord

_GENERIC = re.compile(r"数量|总数|年度|全市|全社会|有效|入库|评价|省级以上|规上|比重|占比|指标|目标")
_ASK_ALL = re.compile(r"哪些|哪几|有什么|都有|列出|分别是哪")


def pick_pair(text: str, plans: list[PlanVersion], year_now: int) -> tuple[PlanVersion, PlanVersion] | None:
    """The (older, newer) plans a version question relates: the two it names, else the one it names and its
    successor, else the current plan and the one before it."""
    named = [p for p in plans if p.period in ordinals_in(text) or any(n.start == p.period.start for n in ordinals_in(text))]
    if len(named) >= 2:
        return named[0], named[-1]
    if len(named) == 1:
        k = plans.index(named[0])
        if k + 1 < len(plans):
            return plans[k], plans[k + 1]
        return (plans[k - 1], plans[k]) if k > 0 else None
    begun = [p for p in plans if p.period.begun(year_now)] or plans[:1]
    k = plans.index(begun[-1])
    return (plans[k - 1], plans[k]) if k > 0 else (plans[0], plans[1])


def _asked(change: IndicatorChange, text: str) -> float:
    """How clearly the question names this indicator (0 when it does not)."""
    asked = set(concepts_in(text))
    best = 0.0
    for record in (change.old, change.new):
        if record is None:
            continue
        if asked & set(concepts_in(record.indicator)):
            best = max(best, 1.5)
        core = _GENERIC.sub("", record.indicator)
        pairs = {core[i:i + 2] for i in range(len(core) - 1)}
        if pairs:
            best = max(best, sum(p in text for p in pairs) / len(pairs))
    return best


def asked_changes(d: PlanDiff, text: str) -> list[IndicatorChange]:
    scored = [(s, c) for c in d.changes if (s := _asked(c, text)) >= 0.6]
    if not scored:
        return []
    top = max(s for s, _ in scored)
    return [c for s, c in scored if s >= min(top, 1.0) - 1e-9]


def _year(value) -> str:
    return f"{value.year}年" if value is not None and value.year else ""


def _row_text(record: IndicatorRecord) -> str:
    unit = record.unit or ""
    base = record.baseline
    parts = []
    if base is not None and base.value_text:
        parts.append(f"{_year(base)}{base.value_text}{unit}")
    parts.append(f"{_year(record.target)}目标{record.target.value_text or number(record.target.value)}{unit}")
    attr = f"（{record.attribute}）" if record.attribute else ""
    return "，".join(parts) + attr


def _sentence_of(ctx: Context, doc_id: str, clause_id: str, start: int) -> Span | None:
    for i in ctx.corpus.clause_ids_of(doc_id):
        c = ctx.corpus.clauses[i]
        if c.clause_id == clause_id:
            return next((s for s in sentences(c) if s.char_start <= start < s.char_end), None)
    return None


def _verdict_line(ctx: Context, b: AnswerBuilder, d: PlanDiff, c: IndicatorChange) -> None:
    old = c.old
    assert old is not None
    unit = old.unit or ""
    target = f"{d.old.short}目标{_year(old.target)}{old.target.value_text}{unit}"
    if c.verdict == UNKNOWN:
        b.item(f"{old.indicator}：{target}；{d.new.short}规划未给出{_year(old.target)}的实际数据，无法判断是否完成",
               ctx.row_span(old))
        return
    where = f"{d.new.short}规划给出{_year(old.target)}为{c.actual_text}{unit}"
    word = "已完成（达成）" if c.verdict == MET else "未完成（未达成）"
    gap = ""
    if c.actual is not None and old.target.value is not None:
        delta = c.actual - old.target.value
        step = f"{number(abs(delta))}个百分点" if unit == "%" else f"{number(abs(delta))}{unit}"
        gap = f"，{'超出' if delta >= 0 else '差距'}{step}"
    evidence = [ctx.row_span(old)]
    if c.new is not None:
        evidence.append(ctx.row_span(c.new))
    elif c.actual_figure is not None and (s := _sentence_of(ctx, d.new.doc_id, c.actual_figure.clause_id, c.actual_figure.char_start)):
        evidence.append(s)
    b.item(f"{old.indicator}：{target}，{where}，{word}{gap}", *evidence)


def _change_line(ctx: Context, b: AnswerBuilder, d: PlanDiff, c: IndicatorChange) -> None:
    old, new = c.old, c.new
    if old and new:
        also = f"（{old.indicator}）" if old.indicator != new.indicator else ""
        b.item(f"{new.indicator}：{d.old.short}{also}{_row_text(old)}", ctx.row_span(old))
        b.say(f"；{d.new.short}{_row_text(new)}", ctx.row_span(new))
        if c.change is not None:
            unit = new.unit or ""
            step = f"{number(abs(c.change))}个百分点" if unit == "%" else f"{number(abs(c.change))}{unit}"
            pct = f"（{'+' if c.change >= 0 else '-'}{number(round(abs(c.change_pct), 1))}%）" if c.change_pct is not None else ""
            b.raw(f"；目标{'提高' if c.change >= 0 else '降低'}{step}{pct}")
        if old.attribute and new.attribute and old.attribute != new.attribute:
            b.raw(f"；指标属性由{old.attribute}调整为{new.attribute}")
        b.raw("。")
    elif new:
        b.item(f"{new.indicator}：{d.new.short}{_row_text(new)}", ctx.row_span(new))
        b.raw(f"；{d.old.short}规划的指标表中没有这一指标（{d.new.short}新增）。")
    elif old:
        b.item(f"{old.indicator}：{d.old.short}{_row_text(old)}", ctx.row_span(old))
        b.raw(f"；{d.new.short}规划的指标表中不再列出这一指标。")


def _heading(clause) -> Span:
    return Span(clause, clause.char_start, clause.char_end, clause.text)


def _sections_answer(ctx: Context, old: PlanVersion, new: PlanVersion, year_now: int, text: str) -> Answer | None:
    """Which task sections, and which taxonomy topics, only one of the two plans has (重点任务有什么变化,
    新增了哪些方面, 哪些任务不再单独部署), each section cited by its title on its own plan."""
    clauses = lambda doc_id: [ctx.corpus.clauses[i] for i in ctx.corpus.clause_ids_of(doc_id)]  # noqa: E731
    changes = section_changes(clauses(old.doc_id), clauses(new.doc_id))
    want_added, want_dropped = bool(words("added").search(text)), bool(words("dropped").search(text))
    if not want_added and not want_dropped:
        want_added = want_dropped = True
    parts = []
    if want_added:
        parts.append((f"{new.short}规划新设、{old.short}规划没有对应章节的任务", changes.added, changes.topics_added,
                      f"只有{new.short}规划的章节标题涉及的主题"))
    if want_dropped:
        parts.append((f"{old.short}规划有、{new.short}规划不再单独设章节的任务", changes.dropped, changes.topics_dropped,
                      f"只有{old.short}规划的章节标题涉及的主题"))
    if not any(sections or topics for _, sections, topics, _ in parts):
        return None
    b = AnswerBuilder(ctx.corpus.sources)
    b.raw(f"{old.label(year_now)}与{new.label(year_now)}对比（按两版的章节标题）：")
    for title, sections, topics, topic_title in parts:
        b.raw(f"\n{title}（{len(sections)}项）：")
        for clause in sections:
            b.item(clause.text.strip(), _heading(clause))
        if topics:
            b.raw(f"\n{topic_title}：")
            for name, carriers in topics.items():
                b.item(f"{name}：{'、'.join(c.text.strip() for c in carriers[:3])}", *(_heading(c) for c in carriers[:3]))
    return _answer(ctx, b)


def compose(ctx: Context, plans: list[PlanVersion], year_now: int) -> Answer | None:
    """A version answer for one city's series, or None when the question is not one this composer answers."""
    text = ctx.query.text
    pair = pick_pair(text, plans, year_now)
    if pair is None:
        return None
    if words("task").search(text) and not words("indicator").search(text) and not words("measure").search(text) and (
            words("added").search(text) or words("dropped").search(text) or words("change").search(text)):
        return _sections_answer(ctx, pair[0], pair[1], year_now, text)
    d = diff(pair[0], pair[1], ctx.corpus.indicators, ctx.corpus.figures)
    if not d.matched and not d.added and not d.dropped:
        return None
    b = AnswerBuilder(ctx.corpus.sources)
    heading = f"{d.old.label(year_now)}与{d.new.label(year_now)}对比"
    asks_indicator = bool(words("indicator").search(text))
    if words("measure").search(text) and not asks_indicator:
        return None  # a support measure (奖励, 资助 …), not an indicator: answered from the plans' text
    asked = asked_changes(d, text)
    claimed = claims_met(text)
    if words("achieved").search(text) or claimed or (words("not_met").search(text) and asks_indicator):
        if asked and not _ASK_ALL.search(text):
            chosen = [c for c in asked if c.old is not None]
            if claimed and chosen and any(c.verdict != MET for c in chosen):
                return _premise_refused(ctx, d, chosen)
        else:
            want = NOT_MET if words("not_met").search(text) else MET if _ASK_ALL.search(text) else None
            chosen = [c for c in d.changes if c.old is not None and (want is None or c.verdict == want)]
        if not chosen:
            return None
        b.raw(f"按{d.new.short}规划给出的{_year(chosen[0].old.target)}数据，{d.old.short}目标完成情况（{heading}）：")
        for c in chosen:
            _verdict_line(ctx, b, d, c)
        return _answer(ctx, b)
    if asks_indicator and (words("added").search(text) or words("dropped").search(text)) and not asked:
        lists = []
        if words("added").search(text):
            lists.append((f"{d.new.short}新增的指标", d.added))
        if words("dropped").search(text):
            lists.append((f"{d.new.short}不再列出的{d.old.short}指标", d.dropped))
        b.raw(f"{heading}：")
        for title, items in lists:
            b.raw(f"\n{title}（{len(items)}项）：")
            for c in items:
                _change_line(ctx, b, d, c)
        return _answer(ctx, b)
    if asked:
        b.raw(f"{heading}：")
        for c in asked:
            _change_line(ctx, b, d, c)
        return _answer(ctx, b)
    return None


def _premise_refused(ctx: Context, d: PlanDiff, chosen: list[IndicatorChange]) -> Answer:
    """A question stating that an old target was met when the newer plan's figure says it was not (or gives none):
    refused as a false premise, with the verdict and both plans' figures cited."""
    b = AnswerBuilder(ctx.corpus.sources)
    b.raw(load_prompt("not_found").format(reason=f"{d.old.short}目标已经完成的依据"))
    for c in chosen:
        _verdict_line(ctx, b, d, c)
    return Answer(text=b.text, citations=b.citations, refused=True, retrieved=[], composer="versions", query=ctx.query)


def _answer(ctx: Context, b: AnswerBuilder) -> Answer:
    return Answer(text=b.text, citations=b.citations, refused=False, retrieved=[], composer="versions", query=ctx.query)
