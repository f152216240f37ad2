"""Clauses and table records → `Figure`s: every number-with-unit a plan states, with its subject.

A figure is read from four places:

* prose paragraphs and 专栏 box items: each `FIGURE` match of a clause (a number with a unit,
  never a bare year, an ordinal or a grade) with the noun phrase it is about, read within its
  comma-piece: before the number ("新增省级以上研发机构50家" → 省级以上研发机构), after a counted
  number ("培育40家有国际影响力的新型研发机构"), or paired through 分别 ("国家级孵化器、众创空间
  数量分别达到60家、85家" → 国家级孵化器 60, 众创空间 85);
* indicator table rows (`IndicatorRecord`): one baseline and one target figure, subject = the
  indicator's name, span = the name cell through the value cell;
* task table rows (江阴's attachment): figures inside the task and target cells;
* any other table row: figures inside its cells, as for prose.

The role says whether the sentence looks ahead ("target": 到2025年, 力争, 达到, 突破, 超过,
目标, a target column, a 目标 section), looks back ("baseline": 十三五, 截至, 已, a past year, the
发展基础 section, a base-year column) or neither ("other"). The year is the latest year the
sentence names before the figure, or a table column's year.

Precision over recall on subjects: a subject is 2–20 characters (line breaks removed) with at
least two Chinese characters, or None - the figure is kept, its span is then the value and unit.
Every span lies within one clause: `source[char_start:char_end]` is the text that states it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ingest.lexicon import (COUNTERS, FIGURE, FIVE_YEAR_ORDINAL, YEAR, YEAR_DIGITS, YEAR_PHRASE, cn_number, cue, figure_value,
                            first_year, five_year_years, is_chinese_numeral, years_in)
from ingest.records import Clause, Figure, FigureRole, FigureSource, IndicatorRecord, ParsedDocument, TaskRecord
from ingest.sentences import FULL_STOPS, sentence_start

__all__ = ["document_figures", "extract_figures"]

MIN_SUBJECT, MAX_SUBJECT = 2, 20

_PIECE_END = set("，,；;：:。！？!?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")

_YEAR_LEAD = cue("year_lead").pattern  # 到/至/截至/截止 before a year
# words and phrases that open a comma-piece before its subject: time, scope, adverbs, verbs
_LEAD = re.compile(
    r"(?:[\s、，,；;：:]|——|—|以及|及|和|与|并且|并|且|其中|同时|此外|另外|另有|合计|总计|共计|共有|共建|共|"
    r"累计|先后|已经|已|目前|现有|当年|今年|全年|年内|年末|年底|每年度|年度|每年|届时|力争|争取|确保|预计|计划|"
    rf"(?:{_YEAR_LEAD}|从)?\s*{YEAR_DIGITS}\s*年(?:底|末|前)?|(?:到|至)?“?十[一二三四五]五”?(?:期间|时期|以来|末)?|"
    r"(?:近|未来|今后)[一二三四五六七八九十\d]+年(?:来|内)?|三年内|五年内|全市|我市|全区|全县|全省|本市|市本级|"
    r"积极|大力|着力|努力|持续|进一步|深入|加快|成功|直接|推进|引导|撬动|投入|荣获|"
    r"新引进|引进|引育|招引|新增|新建|建成(?!区)|建设(?!用地)|培育(?!库)|集聚(?!区)|组建|拥有|实施|完成|"
    r"获得|获批|获|布局|打造|支持|开发(?!区)|掌握|突破|争创|创建|组织|形成|新签约|新签|签约|开展|推动|吸纳|带动|"
    r"承担|申请|设立|出台|发布|培养|举办|认定|入选|建立了?|搭建|运营|净增|新聘用|聘用|储备|对接|"
    r"达到|超过|实现|了)"
)
# words that close a subject before its number: verbs, comparisons, years
_TRAIL = re.compile(
    r"(?:[\s、，,（(]|分别|达到|达|突破|超过|超出|超|逾|近|约|为|是|增至|增加到|增长到|增加至|增长至|"
    r"提高到|提升到|提高至|提升至|上升到|上升至|提高|提升|增加|下降|降低|保持在|稳定在|控制在|"
    r"不少于|不低于|不超过|不高于|低于|高于|多于|至少|最多|最高|最低|净增|新增|(?:培育|评价)?入库|累计|共有|共|总计|合计|"
    r"力争|争取|确保|预计|"
    rf"比上年|较上年|同比|(?:比|较){YEAR_PHRASE}|(?:从|{_YEAR_LEAD})?{YEAR_PHRASE}|"
    r"(?:比|较)“?十[一二三]五”?末?)$"
)
_CHAIN = re.compile(
    r"^\s*(?:增至|增加到|增长到|增加至|增长至|提高到|提升到|提高至|提升至|上升到|上升至|到|至)\s*"
    rf"(?:{YEAR_PHRASE})?\s*$"
)
_AFTER_UNIT = re.compile(r"\s*(?:及以上|以上|以下|以内|左右)")
_QUALIFIER = re.compile(r"(?:及以上|以上|以下|以内)的?")
# a counted noun after its number ends at a verb
_NOUN_STOP = re.compile(
    r"入选|获得|获批|落地|建设|建立|成为|实现|开展|参与|进入|入驻|集聚|形成|位居|达到|超过|突破|"
    r"完成|实施|提供|覆盖|分布|融资|签约|合作|获评|荣获|获|投入|入围|上市|参加|整合|设立|落户|对接|为"
)
_OBJECT_VERB = re.compile(
    r"(?:打造|建设|建成|培育|新建|引进|实施|形成|选择|对接|推动|设立|争创|创建|获得|完成|开展|招引|"
    r"建立|布局|组建|成|覆盖|扩大|包括|储备|推进|带动)\s*$"
)
_NOT_NOUN_START = set("及和与或等的、（()）以左")
_SUBJECT_BAD_END = set("的和及与、了在从以对向为把被将等")
_PAIRS = {"（": "）", "(": ")", "“": "”", "《": "》", "「": "」", "【": "】"}
_SHARED_SUFFIX = re.compile(r"(?:数量|总数|数目|总量|规模|数)$")
_FENBIE = re.compile(r"分别(?:达到|达|为|是|突破|超过|超|增长|提高到|提升到|增至|不少于|不低于)?\s*$")
_LIST_GAP = re.compile(r"^\s*(?:、|，|,|和|及|以及|与)\s*$")

# Baseline and target cues (ingest/resources/cues.tsv): in a figure's sentence, right before it, before its year, in its section.
_BASELINE_CUE = cue("figure_baseline")
_TARGET_CUE = cue("figure_target")
_TARGET_VERB = cue("figure_target_verb")
_BASELINE_SECTION = cue("baseline_section")
_TARGET_SECTION = cue("target_section")
_LOOKAHEAD_YEAR = cue("target_year_lead")


@dataclass(frozen=True)
class _Context:
    """What every figure of one clause (or cell) shares."""

    clause: Clause
    city: str | None
    source: FigureSource
    now: int | None  # the plan's year: years before it look back, after it look ahead
    section_role: FigureRole | None
    default_role: FigureRole | None = None
    default_year: int | None = None
    base_year: int | None = None  # the year before the plan's period: what its review of the past reports on


@dataclass
class _Found:
    match: re.Match[str]
    start: int  # local offsets of the figure's own text (comparator through unit and 以上/左右)
    end: int
    subject: str | None = None
    span_start: int | None = None
    span_end: int | None = None


# ---------------------------------------------------------------------------
# Subjects

def _clean_subject(text: str, s: int, e: int) -> tuple[int, int]:
    """Trim openers (time, scope, verbs) and closers (verbs, comparisons) off text[s:e]."""
    while s < e:
        m = _LEAD.match(text, s, e)
        if not m or m.end() == s:
            break
        s = m.end()
    while s < e:
        m = _TRAIL.search(text, s, e)
        if not m or m.start() == e:
            break
        e = m.start()
    # an unmatched opening bracket or quote at the start ("（其中国家级") is not part of the subject
    while s < e and text[s] in _PAIRS and _PAIRS[text[s]] not in text[s + 1:e]:
        s += 1
        while s < e:
            m = _LEAD.match(text, s, e)
            if not m or m.end() == s:
                break
            s = m.end()
    while s < e and text[e - 1] in ")）”》」】" and not any(o in text[s:e - 1] for o, c in _PAIRS.items() if c == text[e - 1]):
        e -= 1
    return s, e


def _summary_noun(text: str, s: int, e: int) -> int:
    """"海外高端人才、省“双创计划”等高层次人才" is about 高层次人才: a list summed up by 等 gives the start after it."""
    piece = text[s:e]
    k = piece.rfind("等")
    if k > 0 and "、" in piece[:k] and len(_CJK.findall(piece[k + 1:])) >= 2:
        return s + k + 1
    return s


_GLOSS = re.compile(r"[（(][A-Za-z&\s]{1,8}[)）]")  # "（R&D）", "（GDP）": a gloss, not words of the subject


def _valid_subject(subject: str) -> bool:
    if not MIN_SUBJECT <= len(_GLOSS.sub("", subject)) <= MAX_SUBJECT or len(_CJK.findall(subject)) < 2:
        return False
    if any(c in subject for c in "，。；：！？,;:!?") or subject[-1] in _SUBJECT_BAD_END:
        return False
    if is_chinese_numeral(re.sub(r"[级亿万个]", "", subject) or "x"):
        return False
    if YEAR.search(subject):
        return False
    for m in FIGURE.finditer(subject):  # a figure inside a subject only as a threshold ("10亿元以上项目")
        if not _QUALIFIER.match(subject, m.end()):
            return False
    for o, c in _PAIRS.items():
        if subject.count(o) != subject.count(c) and o != c:
            return False
    return True


def _subject(text: str, s: int, e: int, before_number: bool = False) -> tuple[str, int, int] | None:
    """The subject read from text[s:e], with its local span; None when nothing clean is left.

    Before a number, a phrase ending in a verb that takes an object ("落地建设8家") is no subject:
    the number counts the verb's object, which the sentence does not name there.
    """
    s, e = _clean_subject(text, s, e)
    s = _summary_noun(text, s, e)
    if s >= e or (before_number and _OBJECT_VERB.search(text, s, e)):
        return None
    subject = _SPACE.sub("", text[s:e])
    return (subject, s, e) if _valid_subject(subject) else None


# ---------------------------------------------------------------------------
# Figures in one clause or cell

def _piece_bounds(text: str, pos: int, lo: int = 0) -> tuple[int, int]:
    s = pos
    while s > lo and text[s - 1] not in _PIECE_END:
        s -= 1
    e = pos
    while e < len(text) and text[e] not in _PIECE_END:
        e += 1
    return s, e


def _quoted(text: str, pos: int) -> bool:
    """Inside “…” or 《…》: a name ("科技改革30条", 《优化营商环境100条》), not a figure."""
    return text.count("“", 0, pos) > text.count("”", 0, pos) or text.count("《", 0, pos) > text.count("》", 0, pos)


def _matches(text: str) -> list[_Found]:
    found = []
    for m in FIGURE.finditer(text):
        start = m.start("cmp") if m["cmp"] else m.start("num")
        if _quoted(text, start) or (m["unit"] in ("名", "位") and text[max(0, start - 1):start] == "前"):
            continue
        after = _AFTER_UNIT.match(text, m.end())
        found.append(_Found(m, start, after.end() if after else m.end()))
    return found


def _is_threshold(text: str, f: _Found, nxt: _Found | None, piece_end: int) -> bool:
    """"10亿元以上项目30个": a figure followed by 以上 and a noun, then another figure, is a threshold."""
    if nxt is None or nxt.start >= piece_end:
        return False
    q = _QUALIFIER.match(text, f.match.end())
    between = text[f.match.end():nxt.start]
    return bool(q) and "、" not in between and len(between) <= 16


def _post_noun(text: str, f: _Found, piece_end: int, next_start: int | None) -> tuple[str, int, int] | None:
    """The noun a counted number comes before ("培育40家有国际影响力的新型研发机构")."""
    if f.match["unit"] not in COUNTERS:
        return None
    s = f.end
    if s >= piece_end or text[s] in _NOT_NOUN_START or not (_CJK.match(text[s]) or text[s] in "“《" or text[s].isalnum()):
        return None
    stop = piece_end
    if next_start is not None and next_start < piece_end:
        # the noun ends at the 、 before the next figure, or at a verb; with neither, the reading is unsure
        k = text.rfind("、", s, next_start)
        m = _NOUN_STOP.search(text, s, next_start)
        if k < 0 and m is None:
            return None
        stop = k if k >= 0 else m.start()
    m = _NOUN_STOP.search(text, s, stop)
    e = m.start() if m else stop
    got = _subject(text, s, e)
    return got if got and got[1] == s else None


def _fenbie(text: str, found: list[_Found], i: int, cursor: int, piece_end: int) -> int:
    """Pair "A、B和C分别达到x、y和z" (sets each figure's subject and span); how many were paired, 0 if none."""
    f = found[i]
    m = _FENBIE.search(text, cursor, f.start)
    if not m:
        return 0
    group = [f]
    for g in found[i + 1:]:
        if g.start >= piece_end or not _LIST_GAP.match(text[group[-1].end:g.start]):
            break
        group.append(g)
    if len(group) < 2:
        return 0
    s, _ = _clean_subject(text, cursor, m.start())
    items = _split_list(text, s, m.start(), len(group))
    if items is None:
        return 0
    for (a, b), g in zip(items, group):
        got = _subject(text, a, b)
        if got:
            g.subject, g.span_start = got[0], got[1]
        g.span_end = g.end
    return len(group)


def _split_list(text: str, s: int, e: int, n: int) -> list[tuple[int, int]] | None:
    """text[s:e] cut into n items at 、 (then at the last 和/及/与), the shared suffix (数量) cut off the last."""
    cuts = [k for k in range(s, e) if text[k] == "、"]
    items = []
    pos = s
    for k in cuts:
        items.append((pos, k))
        pos = k + 1
    items.append((pos, e))
    if len(items) == n - 1:
        a, b = items[-1]
        m = None
        for m in re.finditer(r"以及|和|及|与", text[a:b]):
            pass
        if m is None:
            return None
        items[-1:] = [(a, a + m.start()), (a + m.end(), b)]
    if len(items) != n:
        return None
    a, b = items[-1]
    others = [text[x:y] for x, y in items[:-1]]
    shared = _common_suffix(others)
    if shared and not text[a:b].endswith(shared) and shared in text[a:b]:
        b = a + text[a:b].rindex(shared) + len(shared)  # "雏鹰企业培育入库数" → 雏鹰企业
    else:
        m = _SHARED_SUFFIX.search(text, a, b)
        if m and m.start() - a >= MIN_SUBJECT:
            b = m.start()  # "众创空间数量" → 众创空间
    items[-1] = (a, b)
    return items


def _common_suffix(words: list[str]) -> str:
    if not words:
        return ""
    k = 0
    while k < 2 and all(len(w) > k + 1 and w[-1 - k] == words[0][-1 - k] for w in words):
        k += 1
    return words[0][len(words[0]) - k:] if k else ""


def _period_role(before: str, ctx: _Context) -> FigureRole | None:
    """A five-year period named before the figure, against the plan's own: an earlier one looks back ("十四五末" in
    a 十五五 plan), the plan's own or a later one looks ahead; None when none is named or the plan's period is unknown."""
    named = list(FIVE_YEAR_ORDINAL.finditer(before))
    last_past = ctx.base_year if ctx.base_year is not None else (ctx.now - 1 if ctx.now is not None else None)
    if not named or last_past is None:
        return None
    n = cn_number(named[-1].group(1))
    if n is None:
        return None
    _, end = five_year_years(n)
    return "baseline" if end <= last_past else "target"


def _year_and_role(text: str, f: _Found, ctx: _Context) -> tuple[int | None, FigureRole]:
    sentence = sentence_start(text, f.start, FULL_STOPS)  # a ；-list of targets shares its lead year
    before = text[sentence:f.start]
    years = list(YEAR.finditer(before))
    year = int(years[-1].group(1)) if years else ctx.default_year
    if years:
        y = years[-1]
        lookahead = bool(_LOOKAHEAD_YEAR.search(before, 0, y.start())) or before[y.end():y.end() + 1] == "前"
        if ctx.now is not None and year != ctx.now:
            return year, ("baseline" if year < ctx.now else "target")
        if ctx.now is None and lookahead:
            return year, "target"
    period = _period_role(before, ctx)
    if period == "baseline" or _BASELINE_CUE.search(before):
        return year, "baseline"
    if ctx.section_role is not None:
        if year is None and ctx.section_role == "baseline":
            year = ctx.base_year  # a 发展基础 figure without a year: the state at the end of the last period
        return year, ctx.section_role
    if period == "target" or _TARGET_CUE.search(before) or _TARGET_VERB.search(before):
        return year, "target"
    return year, ctx.default_role or "other"


def _figures_in(text: str, base: int, ctx: _Context) -> list[Figure]:
    """Every figure of text (a clause's text or one cell of a row) that starts at `base` in the source."""
    found = _matches(text)
    out: list[Figure] = []
    cursor, piece = 0, (-1, -1)  # where the current figure's subject may start; the comma-piece
    for i, f in enumerate(found):
        ps, pe = _piece_bounds(text, f.start)
        if (ps, pe) != piece:
            piece, cursor = (ps, pe), ps
        nxt = found[i + 1] if i + 1 < len(found) else None
        if _is_threshold(text, f, nxt, pe):
            continue  # its text becomes part of the next figure's subject
        if f.span_end is None:  # not yet paired by an earlier 分别
            _fenbie(text, found, i, cursor, pe)
        if f.span_end is None:
            prev = found[i - 1] if i > 0 and ps < found[i - 1].end <= f.start else None
            post = _post_noun(text, f, pe, nxt.start if nxt else None)
            got = None if post else _subject(text, cursor, f.start, before_number=True)
            if post:  # a counted noun follows its number: "培育40家有国际影响力的新型研发机构"
                f.subject, f.span_start, f.span_end = post[0], f.start, post[2]
            elif got:
                f.subject, f.span_start = got[0], got[1]
            elif prev is not None and prev.subject and _CHAIN.match(_YEARLESS.sub("", text[prev.end:f.start])):
                f.subject, f.span_start = prev.subject, prev.span_start  # "从2015年1274家增至2020年6507家"
            if f.span_end is None:
                f.span_end = f.end
        cursor = max(cursor, f.span_end)
        out.append(_figure(text, base, f, ctx))
    return out


_YEARLESS = re.compile(YEAR_PHRASE)


def _figure(text: str, base: int, f: _Found, ctx: _Context) -> Figure:
    m = f.match
    year, role = _year_and_role(text, f, ctx)
    start = f.span_start if f.span_start is not None else f.start
    end = f.span_end if f.span_end is not None else f.end
    value_end = m.end("approx") if m["approx"] else m.end("mult") if m["mult"] else m.end("range") if m["range"] else m.end("num")
    return Figure(
        doc_id=ctx.clause.doc_id,
        clause_id=ctx.clause.clause_id,
        city=ctx.city,
        subject=f.subject,
        value=figure_value(m),
        value_text=_SPACE.sub("", text[f.start:value_end]),
        unit=m["unit"].replace("％", "%"),
        year=year,
        role=role,
        source=ctx.source,
        char_start=base + start,
        char_end=base + end,
    )


# ---------------------------------------------------------------------------
# Rows of tables

def _cell_offsets(clause: Clause) -> list[tuple[int, int]]:
    """Each cell's local span in the clause text (cells are exact source slices, in order)."""
    spans, pos = [], 0
    for cell in clause.cells or ():
        k = clause.text.find(cell, pos) if cell else -1
        if k < 0:
            spans.append((pos, pos))
            continue
        spans.append((k, k + len(cell)))
        pos = k + len(cell)
    return spans


def _one_line(s: str) -> str:
    return re.sub(r"\s*\n\s*", "", s).strip()


def _indicator_figures(record: IndicatorRecord, clause: Clause | None) -> list[Figure]:
    if clause is None:
        return []
    cells = [c.strip() for c in clause.cells or ()]
    spans = _cell_offsets(clause)
    name = next((k for k, c in enumerate(cells) if _one_line(c).startswith(record.indicator)), None)
    start = spans[name][0] if name is not None else 0
    first_value = (name or 0) + 1
    out = []
    target_cell = None
    if record.target.value_text:
        target_cell = next((k for k in range(len(cells) - 1, first_value - 1, -1) if cells[k] == record.target.value_text), None)
    baseline_cell = None
    if record.baseline and record.baseline.value_text:
        upto = target_cell if target_cell is not None else len(cells)
        baseline_cell = next((k for k in range(upto - 1, first_value - 1, -1) if cells[k] == record.baseline.value_text), None)
    for role, yv, k in (("baseline", record.baseline, baseline_cell), ("target", record.target, target_cell)):
        if yv is None or not yv.value_text or not any(ch.isalnum() for ch in yv.value_text):
            continue  # an empty or placeholder cell ("/", "—") states nothing
        end = spans[k][1] if k is not None else len(clause.text)
        out.append(Figure(
            doc_id=record.doc_id, clause_id=clause.clause_id, city=record.city, subject=record.indicator,
            value=yv.value, value_text=yv.value_text, unit=record.unit, year=yv.year, role=role, source="table",
            char_start=clause.char_start + start, char_end=clause.char_start + end,
        ))
    return out


_NO_FIGURE_COLUMN = re.compile(r"序号|牵头|参与|配合|协同|协助|单位|部门|属性")


def _row_figures(clause: Clause, ctx: _Context) -> list[Figure]:
    out = []
    for (s, e), head in zip(_cell_offsets(clause), clause.header or ()):
        if e > s and not _NO_FIGURE_COLUMN.search(_SPACE.sub("", head)):
            out.extend(_figures_in(clause.text[s:e], clause.char_start + s, ctx))
    return out


# ---------------------------------------------------------------------------
# Public API

def _section_role(clause: Clause) -> FigureRole | None:
    for title in reversed((*clause.section, *([clause.caption] if clause.caption else []))):
        if _BASELINE_SECTION.search(title or ""):
            return "baseline"
        if _TARGET_SECTION.search(title or ""):
            return "target"
    return None


def _plan_year(year: int | None, period: str | None) -> int | None:
    if year:
        return year
    return first_year(period)


def extract_figures(
    clauses: Sequence[Clause],
    indicators: Iterable[IndicatorRecord] = (),
    tasks: Iterable[TaskRecord] = (),
    city: str | None = None,
    *,
    year: int | None = None,
    period: str | None = None,
) -> list[Figure]:
    """Every figure the clauses of one plan state, in document order.

    `indicators` and `tasks` are that plan's records (their rows are found among the clauses by
    span); `year` (the plan's year, `DocumentMeta.year`) or else `period` ("2021-2025") tells a
    past year from a future one: "2020年…达到…" in a plan of 2021 is a baseline.
    """
    now = _plan_year(year, period)
    span = years_in(period or "")
    base_year = min(span) - 1 if span else None
    rows = {(c.doc_id, c.char_start, c.char_end): c for c in clauses if c.kind == "table_row"}
    indicator_rows = {(r.doc_id, r.char_start, r.char_end): r for r in indicators}
    task_rows = {(t.doc_id, t.char_start, t.char_end) for t in tasks}
    out: list[Figure] = []
    for clause in clauses:
        if clause.kind == "heading":
            continue
        key = (clause.doc_id, clause.char_start, clause.char_end)
        if key in indicator_rows:
            out.extend(_indicator_figures(indicator_rows[key], rows.get(key)))
            continue
        section_role = _section_role(clause)
        if clause.kind == "table_row":
            is_task = key in task_rows
            caption_year = YEAR.search(clause.caption or "")
            ctx = _Context(clause, city, "task" if is_task else "table", now, section_role,
                           default_role="target" if is_task else None,
                           default_year=int(caption_year.group(1)) if caption_year else None)
            out.extend(_row_figures(clause, ctx))
            continue
        source: FigureSource = "box" if clause.kind == "box_item" else "prose"
        out.extend(_figures_in(clause.text, clause.char_start,
                               _Context(clause, city, source, now, section_role, base_year=base_year)))
    out.sort(key=lambda f: (f.char_start, f.char_end))
    return out


def document_figures(doc: ParsedDocument) -> list[Figure]:
    """`extract_figures` over one parsed plan."""
    return extract_figures(doc.clauses, doc.indicators, doc.tasks, doc.meta.city, year=doc.meta.year, period=doc.meta.period)
