"""Who carries a task out: the lead and partner units of a plan's task table (江阴's 附件), or of a
section's unit line (a plan that writes "牵头单位：…；配合单位：…" under each task's heading).

The task row or section whose words best cover the question is cited (a row whole, a unit line
alone, after the section's title); below `Thresholds.task` the question is answered like a general
one (a table such as 南通's 重大企业创新平台布局 names its 牵头单位 in a column).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Answer, AnswerBuilder
from assistant.composers import passages
from assistant.composers.context import Context, context_years
from assistant.composers.target import SUB_AREA_PENALTY, led_by_other_area
from assistant.composers.refusal import refuse
from assistant.composers.scoring import TopicScorer
from assistant.evidence import Span, sentences, shown
from assistant.lexicon import rule
from ingest.lexicon import FIVE_YEAR_ORDINAL

# A line naming who carries out the section it stands in: "牵头单位：区科技局；配合单位：…" (genre wording),
# or the same closing a numbered task's paragraph: "20．促进科技金融紧密结合。……（责任单位：市工信局、…）".
_UNIT_LINE = re.compile(r"(?m)^\s*(?:牵头单位|责任单位|牵头部门|责任部门)\s*[：:][^\n]+")
_UNIT_PAREN = re.compile(r"[（(]\s*((?:牵头单位|责任单位|牵头部门|责任部门)\s*[：:][^）)]+)[）)]")
_TASK_LEAD = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[．.、]\s*([^。；;：:\n]{2,30})")
YEAR_MATCH = 0.1  # a task row of the year's work the question names ranks above a section's unit line of the whole period


@dataclass(frozen=True)
class UnitLine:
    """A line naming who carries out a task: the task's title, its words (counted fully when they are the task's
    own paragraph, as context when they are its section's body) and the line itself."""
    title: str
    own: str
    context: str
    span: Span


def _unit_lines(ctx: Context, cities: set[str]) -> list[UnitLine]:
    """Every unit line of the allowed plans: a numbered task paragraph's closing "（责任单位：…）", or a line of its
    own under a section's heading."""
    out = []
    for doc_id in ctx.corpus.docs:
        if (cities and ctx.city_of(doc_id) not in cities) or not ctx.allows(doc_id):
            continue
        ids = ctx.corpus.clause_ids_of(doc_id)
        clauses = [ctx.corpus.clauses[i] for i in ids]
        for c in clauses:
            paren = _UNIT_PAREN.search(c.text) if c.kind != "heading" else None
            lead = _TASK_LEAD.match(c.text) or (_TASK_LEAD.match(c.section[-1]) if c.section else None)
            if paren is not None and lead is not None:  # a numbered task's paragraph names its units at its end
                start = c.char_start + paren.start(1)
                out.append(UnitLine(lead.group(1), f"{lead.group(1)} {c.text[:paren.start()][:600]}", "",
                                    Span(c, start, start + len(paren.group(1)), paren.group(1))))
                continue
            m = _UNIT_LINE.search(c.text) if c.kind != "heading" else None
            if m is None or not c.section:
                continue
            path = tuple(c.section)
            body = " ".join(x.text for x in clauses if tuple(x.section[:len(path)]) == path)[:600]
            line = m.group(0).strip()
            start = c.char_start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            out.append(UnitLine(path[-1], path[-1], body, Span(c, start, start + len(line), line)))
    return out


_ASKED_UNITS = re.compile(r"由|单位|部门")


def _units_named(text: str, written: Callable[[str], bool]) -> list[re.Match]:
    """The units `text` names (unit_name), not the tail of a longer name the plans write (`written`: the task's own
    高新区金属材料创新研究院 is no 区…院)."""
    return [m for m in rule("unit_name").finditer(text)
            if not re.match(r"[\u4e00-\u9fff]", text[m.start() - 1:m.start()]) or not written(text[m.start() - 1:m.end()])]


def _unit_key(name: str) -> str:
    return re.sub(r"^[市区县省]", "", name)


def _names_unit(units_text: str, stated: str) -> bool:
    """Whether the plan's units include the stated one: written in full, or as most of its character pairs
    (招商局重工 for 招商局重工（江苏）有限公司, 市科技局 for 科技局)."""
    key = _unit_key(stated)
    if key in units_text:
        return True
    pairs = [key[i:i + 2] for i in range(len(key) - 1)]
    return bool(pairs) and sum(p in units_text for p in pairs) >= 0.6 * len(pairs)


def _wrong_unit(ctx: Context, units_text: str, span: Span) -> Answer | None:
    """"…是市发改委牵头的吧？" or "…是某某公司牵头的吗" where the task's units do not include the unit the user
    states: the premise is refused, with the plan's units quoted."""
    question = ctx.query.original or ctx.query.text
    # a unit the question names, and a lead it states in any other words ("是某某公司牵头的吧")
    stated = [m.group(0) for m in _units_named(question, ctx.corpus.source(span.clause.doc_id).__contains__)]
    claimed = [m.group("unit") for m in rule("lead_claim").finditer(question)]
    stated += [u for u in claimed if not any(u in s or s in u for s in stated)]
    # a lead claimed ("…是农业农村局牵头的吧") is held against the lead units alone, where the plan tells lead from partner
    lead = re.search(r"牵头(?:单位|部门)?\s*[：:]([^；;]*)", units_text) if "牵头" in question else None
    wrong = [u for u in stated if not _names_unit(lead.group(1) if lead else units_text, u)]
    if not stated or len(wrong) < len(stated):
        return None
    return refuse(ctx, f"“{wrong[0]}”{'牵头' if lead else '负责'}这项任务的说法", (f"规划写的是：{units_text.rstrip('。；;')}。", span))


_LEAD_WORDS = re.compile(r"牵头|负责|责任单位")


def _lead_checked(ctx: Context, answer: Answer) -> Answer:
    """A passage answer to "…是某某牵头的吧": its first quote that names a lead is held against the stated unit."""
    if answer.refused:
        return answer
    question = _plain_name(ctx.query.original or ctx.query.text)
    leads = [(span, text) for citation in answer.citations if (span := ctx.span_of(citation)) is not None
             and _LEAD_WORDS.search(text := shown(span))]  # a task row reads "… — 牵头：…"
    # of several rows, the one whose own name the question writes ("…海洋工程装备重点实验室是由…牵头的吧")
    named = [(span, text) for span, text in leads if len(name := _plain_name(re.split(r"\s*—|：|:", text)[0])) >= 4 and name in question]
    if not leads:
        return answer
    span, text = (named or leads)[0]
    return _wrong_unit(ctx, text, span) or answer


def _plain_name(text: str) -> str:
    return re.sub(r"[\s“”\"]", "", text)


def _plan_lead(ctx: Context, cities: set[str]) -> Answer | None:
    """"句容这个科创规划由哪个部门牵头实施": the plan itself is the task; the sentence where the plan says who leads
    carrying it out ("市科技局牵头本规划的组织实施"), or a refusal when it says so nowhere (None: not such a question)."""
    topic = FIVE_YEAR_ORDINAL.sub(" ", ctx.query.topic or "")  # "十四五科技创新规划": the plan's period names it too
    rest = rule("plan_self").sub(" ", rule("plan_word").sub(" ", topic))
    # a follow-up ("谁牵头组织实施？" after a question about the plan) carries the plan's words without 规划
    about_plan = rule("plan_word").search(ctx.query.text) or (ctx.query.followup and rule("plan_self").search(topic))
    if rest.strip() or not about_plan:
        return None
    lead = rule("plan_lead")
    for doc_id in ctx.corpus.docs:
        if (cities and ctx.city_of(doc_id) not in cities) or not ctx.allows(doc_id):
            continue
        for i in ctx.corpus.clause_ids_of(doc_id):
            for span in sentences(ctx.corpus.clauses[i]):
                if lead.search(span.text):
                    builder = AnswerBuilder(ctx.corpus.sources)
                    builder.say(span.text, span)
                    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[],
                                  composer="task", query=ctx.query)
    return refuse(ctx, "规划写明由哪个部门牵头实施本规划的条款")


def compose(ctx: Context) -> Answer:
    cities = set(ctx.query.cities)
    if (found := _plan_lead(ctx, cities)) is not None:
        return found
    # colloquial wording: words match where bigrams split; the units the question names or asks for are not the task's words
    asked = ctx.query.topic or ctx.query.text

    def in_a_plan(name: str) -> bool:  # each plan's text searched as it stands, none joined per question
        return any(name in ctx.corpus.source(d) for d in ctx.corpus.docs)

    for m in reversed(_units_named(asked, in_a_plan)):  # (a name the plan writes keeps its words)
        asked = asked[:m.start()] + " " + asked[m.end():]
    asked = _ASKED_UNITS.sub(" ", asked)
    words = TopicScorer.for_words(asked, ctx.corpus)
    scored = []
    for t in ctx.corpus.tasks:
        if (cities and ctx.city_of(t.doc_id) not in cities) or not ctx.allows(t.doc_id):
            continue
        text = f"{t.target or ''} {t.task}"
        bigram = ctx.scorer.coverage(text, t.category or "")  # also breaks ties between rows with the same words in another order
        # a row of the year's work the question names ("2020年…谁牵头" of an annex of 2020年重点工作目标)
        clause = ctx.row_clauses.get((t.doc_id, t.char_start))
        dated = YEAR_MATCH if ctx.query.year and clause is not None and ctx.query.year in context_years(clause) else 0.0
        # a row a part of the city leads (临港开发区) sets that part's figure, not the city's, unless the question names it
        zone = SUB_AREA_PENALTY if led_by_other_area(t, ctx.query.text) else 0.0
        scored.append((max(bigram, words.coverage(text, t.category or "") if words.units else 0.0) + 0.05 * bigram + dated - zone, t))
    lines = []
    for line in _unit_lines(ctx, cities):
        # the task's own words count fully, its section's text as context: a section's task is named by its heading
        bigram = ctx.scorer.coverage(line.own, line.context)
        # the question names the task by its own title, or its words are the title's ("科技金融任务" of 促进科技金融紧密结合)
        named = 0.1 if line.title in ctx.query.text else 0.05 * words.coverage(line.title) if words.units else 0.0
        lines.append((max(bigram, words.coverage(line.own, line.context) if words.units else 0.0) + 0.05 * bigram + named,
                      (line.title, line.span)))
    lines.sort(key=lambda x: -x[0])
    if lines and lines[0][0] < ctx.thresholds.task and lines[0][0] >= ctx.thresholds.task / 2 and (
            len(lines) == 1 or lines[0][0] >= 3 * lines[1][0]):
        # a plan's unit lines are few: one section far ahead of the others is the one asked about, although
        # the question's colloquial words ("这块") lower its coverage
        lines[0] = (ctx.thresholds.task, lines[0][1])
    # on a tie, a task's own unit line answers "由哪些单位负责"; a table row, which names the lead, "由谁牵头"
    scored = scored + lines if "牵头" in ctx.query.text else lines + scored
    scored.sort(key=lambda x: -x[0])
    if not scored or scored[0][0] < ctx.thresholds.task:
        return _lead_checked(ctx, passages.compose(ctx))
    _, t = scored[0]
    if isinstance(t, tuple):
        title, span = t
        builder = AnswerBuilder(ctx.corpus.sources)
        heading = re.sub(r"^[\d.．、一二三四五六七八九十（）()]+\s*", "", title)
        if (wrong := _wrong_unit(ctx, span.text, span)) is not None:
            return wrong
        builder.say(f"{heading}：{span.text.rstrip('。；;')}。", span)
        return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="task", query=ctx.query)
    clause = ctx.row_clauses.get((t.doc_id, t.char_start))
    if clause is None:
        return passages.compose(ctx)
    span = Span(clause, clause.char_start, clause.char_end, clause.text)
    units = f"牵头：{'、'.join(t.lead_units) or '未写明'}" + (f"；配合：{'、'.join(t.partner_units)}" if t.partner_units else "")
    if (wrong := _wrong_unit(ctx, units, span)) is not None:
        return wrong
    text = f"{(t.target or t.task).rstrip('。')} — 牵头：{'、'.join(t.lead_units) or '未写明'}"
    if t.partner_units:
        text += f"；配合：{'、'.join(t.partner_units)}"
    builder = AnswerBuilder(ctx.corpus.sources)
    builder.say(text + "。", span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="task", query=ctx.query)
