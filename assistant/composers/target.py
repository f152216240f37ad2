"""Numbers and targets: from the indicator tables when a row fits, else the part of a sentence that states it.

A figure is looked for per indicator concept and per city, among two kinds of evidence:
- an indicator record (the table row): value as written ("3左右", ">500"), unit, target year,
  baseline; it fits when its unit is the kind of figure asked for (a count, money, a share),
  it has the value for the period asked (baseline for "2020年"/"十三五末", target otherwise) and
  its year is the year asked;
- a window of one to three comma-pieces of a retrieved sentence that names the topic and
  states a figure next to it ("有效高新技术企业数实现倍增，突破1000家"), outside the plan's
  review section when a target is asked and inside it when the past is asked, naming the year
  asked unless that year is the plan's own horizon.
Both are scored by topic coverage (records get a small bonus: a table row is the plan's
definitive figure); below `Thresholds.figure` nothing is said. A number the user states that the
evidence contradicts (a false premise) is refused and corrected with the plan's figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import (
    Context,
    context_years,
    past_context,
    records_for,
    target_context,
)
from assistant.composers.premise import LEVEL_RULES
from assistant.composers.refusal import refuse
from assistant.composers.scoring import TopicScorer
from assistant.composers.values import figures_in, fits_kind, value_with_unit
from assistant.composers.windows import FIGURE, figure_cells, pieces, windows, with_year
from assistant.evidence import Span, sentences
from assistant.lexicon import rule
from assistant.query import concepts_in, indicator_concepts, period_of, topic_of, unit_of, year_period
from index.retriever import Hit
from ingest.lexicon import (
    COUNT_MEASURES,
    FIVE_YEAR_ORDINAL,
    STATED_NUMBER,
    YEAR,
    YEAR_DIGITS,
    YEAR_RANGE,
    city_key,
    cn_number,
    five_year_years,
    known_cities,
    names_year,
    normalize,
    years_in,
    parse_number,  # the one number parser (a user's figures carry no 元)
)
from ingest.records import IndicatorRecord, TaskRecord

RECORD_BONUS = 0.15
MORE_FIGURES = 0.03  # a window stating one more figure of the topic in another piece (outweighs its length cost)
SAME_TOPIC = 0.5  # … a piece whose words cover the question at least this share of the best piece's
SUB_AREA_PENALTY = 0.15  # a figure stated for a part of the city (高新区, 镇街) the question does not name
INCREMENT_PENALTY = 0.1  # an increase (净增, 新增) when the question asks how many there are
HEAD_BONUS = 0.05  # the figure counts what the question names (its subject ends with the question's words)
SENTENCE_HITS = 20  # how many retrieved clauses are read for a figure (a figure the eleventh states is found too)
_UNIT_WORDS = {"money": re.compile(r"元"), "percent": re.compile(r"%|百分|个百分点"), "count": re.compile(rf"(?:{STATED_NUMBER.pattern})\s*[家个项人件名所位座]")}
_PERSONS = re.compile(rf"(?:{STATED_NUMBER.pattern})\s*万?\s*[人名]")  # a figure counting people


def counts_no_one(ctx: Context, unit: str | None, text: str = "") -> bool:
    """"研发人员要达到多少人" (`unit_persons`) answered by a figure whose unit (or, without one, whose text) counts no
    people: 800家, 8件 or 2.8% is not the number of anyone."""
    if not _asks_persons(ctx.query.text):
        return False
    return not re.search(r"[人名]", unit) if unit else not _PERSONS.search(text)


@lru_cache(maxsize=256)
def _asks_persons(question: str) -> bool:
    """Whether the question asks a count of people (read once per question, not once per figure of the library)."""
    return bool(rule("unit_persons").search(question))


@dataclass
class Figure:
    """One figure found for the question: what to say, the evidence, and the numbers it states."""

    text: str
    span: Span
    score: float
    city: str
    record: IndicatorRecord | None = None
    numbers: list[float] = field(default_factory=list)
    concept: str | None = None
    layer_value: float | None = None  # when the figure comes from the figure layer: its value and unit
    layer_unit: str | None = None

    @property
    def value(self) -> float | None:
        return self.record.target.value if self.record is not None else self.layer_value

    @property
    def unit(self) -> str | None:
        return self.record.unit if self.record is not None else self.layer_unit


def describe(ctx: Context, r: IndicatorRecord) -> str:
    """"南京市规划提出到2025年，高新技术企业数目标为20000家（2020年为6507家）"."""
    city = ctx.city_of(r.doc_id) or ctx.title_of(r.doc_id)
    year = f"到{r.target.year}年，" if r.target.year else ""
    value = value_with_unit(r.target.value_text, r.unit)
    text = f"{city}规划提出{year}{r.indicator}目标为{value}"
    if _has_baseline(r):
        base_year = f"{r.baseline.year}年" if r.baseline.year else "基期"
        text += f"（{base_year}为{value_with_unit(r.baseline.value_text, r.unit)}）"
    if r.attribute:
        text += f"，属{r.attribute}指标"
    return text


def describe_past(ctx: Context, r: IndicatorRecord) -> str:
    """"南通市高新技术企业数2020年为2178家（规划目标：2025年3600家）", the row's attribute after its target (…，属预期性指标)."""
    city = ctx.city_of(r.doc_id) or ctx.title_of(r.doc_id)
    base_year = f"{r.baseline.year}年" if r.baseline and r.baseline.year else "基期"
    text = f"{city}{r.indicator}{base_year}为{value_with_unit(r.baseline.value_text, r.unit)}"
    if r.target.value_text:  # the row's attribute goes with its target, as describe says it
        attribute = f"，属{r.attribute}指标" if r.attribute else ""
        text += f"（规划目标：{r.target.year or ''}{'年' if r.target.year else ''}{value_with_unit(r.target.value_text, r.unit)}{attribute}）"
    return text


def _has_baseline(r: IndicatorRecord) -> bool:
    return bool(r.baseline and r.baseline.value_text and r.baseline.value_text not in ("/", "-", "—"))


def plan_spans(ctx: Context) -> list[tuple[int, int]]:
    """The period of each plan the question may be answered from (its cities', else every plan's), one per plan: a
    period several plans share counts for each (year_period weighs them)."""
    return [span for doc_id in ctx.corpus.docs
            if ctx.allows(doc_id) and (not ctx.query.cities or ctx.city_of(doc_id) in ctx.query.cities)
            and (span := plan_span(ctx, doc_id)) is not None]


def period_after_plans(ctx: Context) -> str | None:
    """A five-year period the question names ("十五五期间的高企目标") that begins after every plan it may be answered from
    ends: no such plan's target is that period's. None when a plan covers it or the question names none."""
    m = FIVE_YEAR_ORDINAL.search(ctx.query.original or ctx.query.text)
    n = cn_number(m.group(1)) if m else None
    spans = plan_spans(ctx)
    if n is None or n < 3 or not spans:
        return None
    start, _ = five_year_years(n)
    return f"“{m.group(0)}”" if all(end < start for _, end in spans) else None


def plan_span(ctx: Context, doc_id: str) -> tuple[int, int] | None:
    """(first, last) year of a plan's period ("2021-2025"), None when it states none."""
    years = years_in(ctx.corpus.docs[doc_id].period)
    return (min(years), max(years)) if years else None


def _period_words(ctx: Context, doc_id: str, period: str | None) -> str:
    """How a question may name the period of a row's value: its baseline is "十三五"末, its target the plan's horizon."""
    years = plan_span(ctx, doc_id)
    if years is None:
        return ""
    if period == "past":
        return f"{years[0] - 1}年" + (" 十三五" if years[0] == 2021 else "")
    return f"{years[1]}年" + (" 十四五" if years[1] == 2025 else "")


def record_figures(ctx: Context, concept: str, city: str, unit: str | None = None) -> list[Figure]:
    """Rows of `concept` in `city`'s plan that fit the unit (`unit` or the question's), period and year asked."""
    q, period = ctx.query, ctx.period
    unit = unit or q.unit
    aliases = dict(indicator_concepts())
    out = []
    for r in records_for(ctx, (concept,), (city,)):
        if not fits_kind(r.unit, unit):
            continue
        if counts_no_one(ctx, r.unit):
            continue
        if period == "past":
            if not _has_baseline(r) or (q.year and r.baseline.year not in (None, q.year)):
                continue
            text = describe_past(ctx, r)
        else:
            if q.year and r.target.year and q.year != r.target.year:
                continue
            text = describe(ctx, r)
        names = " ".join(aliases.get(concept, ()))  # the row is this concept, however the plan words it
        context = f"{ctx.context(ctx.row_span(r).clause)} {_period_words(ctx, r.doc_id, period)}"
        score = ctx.scorer.coverage(f"{r.indicator} {names} {r.unit or ''}", context, numbers=False) + RECORD_BONUS
        if asks_area(q.text) and not asked_area(f"{r.indicator} {context}", q.text):
            score -= SUB_AREA_PENALTY  # "那高新区呢": the city's indicator table is not the answer
        numbers = [v for v in (r.target.value, r.baseline.value if r.baseline else None) if v is not None]
        numbers += figures_in(r.target.value_text or "") + figures_in(r.baseline.value_text if r.baseline else "")
        out.append(Figure(text + "。", ctx.row_span(r), score, city, r, numbers, concept))
    return out


def sentence_figures(ctx: Context, hits: list[Hit], concept: str | None, city: str | None, unit: str | None = None) -> list[Figure]:
    """Windows of retrieved sentences that state a figure about the topic, fitting period, year and unit."""
    q, scorer = ctx.query, ctx.scorer
    unit = unit or q.unit
    rows = {(r.doc_id, r.char_start) for r in ctx.corpus.indicators}  # read as records, with their header
    head = head_of(ctx)
    out = []
    for rank, hit in enumerate(hits[:SENTENCE_HITS]):
        clause = hit.clause
        if clause.kind == "heading" or (city and ctx.city_of(clause.doc_id) != city) or (clause.doc_id, clause.char_start) in rows:
            continue
        context = ctx.context(clause)
        years = plan_span(ctx, clause.doc_id)
        # "到2020年底…有多少" of a plan for 2021–2025: a year before the plan's period is its review, not a goal
        period = "past" if ctx.period == "target" and q.year and years and q.year < years[0] else ctx.period
        named_years = context_years(clause)
        if q.year and named_years and q.year not in named_years:
            continue  # 附件 "2020年重点工作目标" does not answer for 2022
        # without a year asked, a plan's figures for its horizon come before those of an earlier milestone
        off_horizon = 0.2 if (not q.year and period != "past" and named_years and years and years[1] not in named_years) else 0.0
        lead = clause.text if clause.kind == "table_row" else ""  # a task row names its lead unit (高新区) in a cell
        # a row a part of the city leads states that part's figure outright (临港开发区's 4.4% in the task table)
        led_by_area = bool(lead) and any(t.doc_id == clause.doc_id and t.char_start < clause.char_end and clause.char_start < t.char_end
                                         and led_by_other_area(t, q.text) for t in ctx.corpus.tasks)
        for sentence in sentences(clause):
            looks_back = past_context(clause, sentence.text)
            if period == "target" and looks_back:
                continue
            if period == "past" and not looks_back and (target_context(clause) or not names_year(sentence.text)):
                continue
            if period == "past" and not looks_back and years and min(map(int, YEAR.findall(sentence.text)), default=0) >= years[0]:
                continue  # "到2025年…达到70%" names only years of the plan's own period: it looks ahead, not back
            if q.year and str(q.year) not in YEAR_RANGE.sub(" ", sentence.text + context):  # not a period's first year
                # the plan's horizon year for its targets, the year before its period for its review
                horizon = years is not None and q.year == years[1] and period != "past" and not looks_back
                review = years is not None and q.year == years[0] - 1 and period == "past" and looks_back
                if not (horizon or review):
                    continue
            for window in windows(sentence):
                if not FIGURE.search(window.text) or not scorer.states_topic_figure(window.text):
                    continue
                if period == "target" and _states_only_baselines(ctx, window):
                    continue  # "目前全市拥有1个国家级高新区" is where the plan stands, not where it aims
                if unit and not _UNIT_WORDS[unit].search(window.text):
                    continue
                if counts_no_one(ctx, None, window.text):
                    continue
                named = concepts_in(window.text)
                if concept and named and concept not in named:
                    continue  # 农业科技进步贡献率 is not 科技进步贡献率
                score = scorer.coverage(window.text, context, numbers=False) + 0.05 / (1 + rank) - 0.001 * len(window.text) - off_horizon
                stated = _topic_figures(ctx, window, scorer, head)
                score += MORE_FIGURES * (stated - 1)  # "新增1家独角兽，培育1-2家潜在独角兽": both
                if other_area(f"{sentence.text} {lead} {context}", q.text):
                    score -= SUB_AREA_PENALTY * (2 if led_by_area else 1)  # 高新区's 250家 is not the city's figure
                elif concept in named and asked_area(clause.text[:sentence.char_end - clause.char_start] + lead, q.text):
                    score += SUB_AREA_PENALTY  # "那高新区呢": the figure its paragraph states for 高新区 is the one asked
                elif asks_area(q.text) and not asked_area(f"{clause.text[:sentence.char_end - clause.char_start]} {lead} {context}", q.text):
                    score -= SUB_AREA_PENALTY  # "高新区…净增多少家": 全市净增500家 is the city's figure, not the part's
                if counts_increment(window.text, q.text) and stated == 1:
                    score -= INCREMENT_PENALTY  # 净增500家 is not how many there are
                if counts_what_is_asked(ctx, window, head):
                    score += HEAD_BONUS  # 高新技术企业数量达到119家, not 高新技术企业培育库入库企业达142家
                shown = figure_cells(with_year(window, sentence))
                city_name = ctx.city_of(clause.doc_id) or ctx.title_of(clause.doc_id)
                out.append(Figure(f"{city_name}：{shown.text}", shown, score, city_name, None,
                                  figures_in(sentence.text), concept))
    return out


def window_figures(ctx: Context, window: Span, slack: int = 0):
    """The figure layer's figures inside a window (`slack`: characters past its end a figure's unit may run)."""
    return [f for f in ctx.corpus.figures_of(window.clause.doc_id)
            if window.char_start <= f.char_start and f.char_end <= window.char_end + slack]


def _states_only_baselines(ctx: Context, window: Span) -> bool:
    """Whether every figure the figure layer reads in the window is a baseline (目前, 现有, 截至 … before it)."""
    roles = [f.role for f in window_figures(ctx, window)]
    return bool(roles) and all(role == "baseline" for role in roles)


def _topic_figures(ctx: Context, window: Span, scorer, head: tuple[str, ...]) -> int:
    """How many comma-pieces of a window state a figure of the topic (at least one: the window was chosen for it).
    Where some piece's figure counts what the question names (its head noun), only those pieces; else the pieces
    whose words cover the question nearly as well as the best such piece ("力争新增1家独角兽企业，培育1-2家潜在独角兽
    企业"), not a neighbour about something else ("战略性新兴产业占…30%，高新技术产业…40%")."""
    stating = [p for p in pieces(window) if FIGURE.search(p.text)]
    if len(stating) <= 1:
        return 1  # most windows: no second piece to weigh (and no pass over the plan's figures per piece)
    asked = [p for p in stating if head and counts_what_is_asked(ctx, p, head)]
    if asked:
        return len(asked)  # "高新技术企业数量达到300家，高新技术企业培育库入库企业达500家": one
    covers = [scorer.coverage(p.text, numbers=False) for p in stating]
    best = max(covers, default=0.0)
    return max(1, sum(1 for c in covers if best and c >= SAME_TOPIC * best))


def other_area(text: str, question: str) -> bool:
    """Whether `text` states its figure for a part of the city (a sub_area word of question_words.tsv: 高新区,
    开发区, 镇街 …) that the question does not name: the city's own figure is what a question about the city asks."""
    return any(not _names(question, m.group(0)) for m in rule("sub_area").finditer(text))


def led_by_other_area(task: TaskRecord, question: str) -> bool:
    """Whether a part of the city the question does not name leads a task row (临港开发区): the row's figure is that
    part's, not the city's."""
    return other_area(" ".join(task.lead_units), question)


def asks_area(question: str) -> bool:
    """Whether the question names a part of a city (高新区, 临港开发区 …)."""
    return bool(rule("sub_area").search(question))


def asked_area(text: str, question: str) -> bool:
    """Whether `text` states its figure for a part of the city the question names ("临港开发区的…是多少")."""
    return any(_names(question, m.group(0)) for m in rule("sub_area").finditer(text))


def _names(question: str, word: str) -> bool:
    """The question names `word`, whole or with a character or two between (高新园区 names 高新区)."""
    pattern = ".{0,2}".join(map(re.escape, word))
    return bool(re.search(pattern, question))


def counts_increment(text: str, question: str) -> bool:
    """Whether `text` states an increase (净增, 新增 … of question_words.tsv) while the question asks for no increase:
    "有效高新技术企业数突破1000家" answers "高企数量目标", "净增500家" does not."""
    increment = rule("increment")
    return bool(increment.search(text)) and not increment.search(question)


def head_of(ctx: Context) -> tuple[str, ...]:
    """The forms of the last word of the question's topic (the thing counted: 高新技术企业, 面积, 出口额)."""
    units = TopicScorer.for_words(ctx.query.topic or ctx.query.text, ctx.corpus).units
    return units[-1].forms if units else ()


def counts_what_is_asked(ctx: Context, window: Span, head: tuple[str, ...]) -> bool:
    """Whether a figure the window states is about what the question names: its subject, as the figure layer reads
    it and without a count word (数量, 总数), ends with a unit of the question's topic. "有效期内高新技术企业数量" counts
    高新技术企业; "高新技术企业培育库入库企业" counts 入库企业."""
    count_word = re.compile(f"(?:{rule('count_word').pattern})$")
    for f in window_figures(ctx, window, UNIT_SLACK):
        if not f.subject:
            continue
        subject = count_word.sub("", _plain_title(f.subject).replace("的", ""))
        if any(subject.endswith(form) for form in head if len(form) >= 2):
            return True
    return False


# level and scope words before the counted thing (省级, 国家级, 全社会): a figure of 新型研发机构 counts 省级新型研发机构
_QUALIFIER_RULES = (*LEVEL_RULES, "qualifier_all_levels", "scope_whole", "scope_industrial")
ASKED_SUBJECT = 4  # characters of the asked thing that make it specific enough to tell another thing's figure from it
UNIT_SLACK = 8  # characters past a window's end a figure the window states may run (its unit, 以上 …)


@lru_cache(maxsize=1)
def _subject_words() -> tuple[re.Pattern, re.Pattern]:
    """The count and measure words (数量, 规模, 总量 …) and the level and scope words (省级, 全社会 …) a subject's head is
    read past."""
    measure = re.compile(f"{rule('count_word').pattern}|{rule('indicator_measure').pattern}")
    return measure, re.compile("|".join(rule(name).pattern for name in _QUALIFIER_RULES))


def counts_other_subject(ctx: Context, window: Span) -> bool:
    """Whether every figure the window states counts something other than the question's subject: neither its subject
    (as the figure layer reads it) nor the comma-piece that states it holds the asked thing's head word and the word
    before it (a level or scope word aside; only words the clause writes: "大概", "加起来" are the asker's). "研发人员"
    is not "吸纳总从业人员2万人"; "国家重点实验室" is not "新建国家技术创新中心3—4家". False when some figure's subject
    is unread (none, or only a count word: "总规模") or the asked thing is too short to tell."""
    asked = ctx.query.subject
    if len(asked) < ASKED_SUBJECT or asked not in normalize(ctx.query.original or ctx.query.text):
        return False  # (a follow-up's subject is the conversation's: "其中50亿元以上的要签几个")
    clause = window.clause
    written = normalize(clause.text + ctx.context(clause))
    cities = {city_key(c) for c in (*known_cities(), *ctx.corpus.cities)}  # the library's, uploaded plans' too
    measure, qualifier = _subject_words()
    units = [u for u in TopicScorer.for_words(asked, ctx.corpus).units  # the thing, not where, when or how much
             if any(f in written for f in u.forms)
             and not any(f in cities or measure.fullmatch(f) or FIVE_YEAR_ORDINAL.fullmatch(f) for f in u.forms)]
    if not units:
        return False
    needed = units[-2:] if len(units) >= 2 and not any(qualifier.fullmatch(f) for f in units[-2].forms) else units[-1:]
    stated = window_figures(ctx, window, UNIT_SLACK)
    if not stated or any(len(measure.sub("", f.subject or "").strip()) < 2 for f in stated):
        return False
    question = normalize(ctx.query.text)
    for f in stated:
        # the comma-piece that states it, with a label before a colon ("未来网络试验设施:建设覆盖全国40个左右城市…") and
        # what follows the figure ("设立总盘子1.4亿元的种子基金")
        cut = max(0, f.char_end - window.char_start)
        piece = re.split(r"[，,；;。！？!?]", window.text[:cut])[-1] + re.split(r"[，,；;。！？!?]", window.text[cut:])[0]
        if all(_said(u.forms, normalize(f"{f.subject}{piece}")) for u in needed):
            return False
        # and its subject names a thing of its own, in words the question does not use ("从业", "技术创新中心"), not
        # the asked thing in other words ("PCT专利" of "PCT国际专利申请")
        own = [u for u in TopicScorer.for_words(measure.sub("", f.subject or ""), ctx.corpus).units
               if not any(form in question for form in u.forms) and not any(qualifier.fullmatch(form) for form in u.forms)]
        if not own:
            return False
    return True


def _said(forms: tuple[str, ...], text: str) -> bool:
    """Whether `text` writes a word of `forms`, or half its characters (a paraphrase: 基金 for 资金, 外国专家 for
    外国高端人才): only a word none of whose forms it comes near names another thing."""
    return any(form in text or sum(ch in text for ch in set(form)) * 2 >= len(set(form)) for form in forms)


def best_figure(ctx: Context, hits: list[Hit], concept: str | None, city: str | None, unit: str | None = None) -> Figure | None:
    """The best-scoring fitting figure (records and sentence windows alike), else the figure layer's, else None."""
    found = (record_figures(ctx, concept, city, unit) if concept and city else []) + sentence_figures(ctx, hits, concept, city, unit)
    found.sort(key=lambda f: -f.score)
    if found and found[0].score >= ctx.thresholds.figure:
        stating = [p.text for p in pieces(found[0].span) if FIGURE.search(p.text)]  # its figures' comma-pieces
        if concept and city and stating and all(other_area(p, ctx.query.text) and not asked_area(p, ctx.query.text)
                                                for p in stating):
            # the best retrieved figure is a part's (高新区、临港开发区分别新建1家): the city's own, wherever the plan
            # states it ("建成新型研发机构2－3家" among its goals), is what the question asks
            own = layer_figure(ctx, concept, city, unit)
            if own is not None and not other_area(own.span.text, ctx.query.text):
                return own
        return found[0]
    return layer_figure(ctx, concept, city, unit) if concept and city else None


_FRAME_WORDS = {"提出", "要求", "明确", "部署", "目标", "要", "达到", "中"}


def _plain_title(title: str) -> str:
    return normalize(title, case="upper")


ROW_NAMED = 1.0  # share of an indicator row's name the question must say for the row to answer it by name (table_only)


def topic_figure(ctx: Context, city: str, min_cover: float = 0.6, table_only: bool = False) -> Figure | None:
    """A figure of the city's plan whose subject the question's words name (no indicator concept needed):
    "新型研发机构", "国家级孵化器" … as the figure layer read them; targets of the plan's horizon first."""
    scorer = TopicScorer.for_words(ctx.query.topic or ctx.query.text, ctx.corpus)
    titles = " ".join(_plain_title(m.title) for m in ctx.corpus.docs.values() if m.city == city)
    # words of the plan's own title (行动计划, 规划) and of the asking frame (提出) name no subject
    scorer = TopicScorer([u for u in scorer.units if not any(f in titles or f in _FRAME_WORDS for f in u.forms)])
    if not scorer.units:
        return None
    past = ctx.period == "past"
    best: tuple[tuple, object] | None = None
    for f in ctx.corpus.figures:
        if f.city != city or not f.subject or f.value is None or not ctx.allows(f.doc_id):
            continue
        if (f.role == "baseline") != past or (table_only and f.source != "table") or counts_no_one(ctx, f.unit):
            continue
        if not fits_kind(f.unit, ctx.query.unit):
            continue  # "研发经费投了多少亿": money asked, not the row's share of GDP
        cover = scorer.coverage(f.subject)
        if cover < min_cover:
            continue
        if table_only and TopicScorer.for_words(f.subject, ctx.corpus).coverage(ctx.query.topic or ctx.query.text) < ROW_NAMED:
            continue  # the row must name what is asked, not more: 研发经费支出占地区生产总值比重 is no answer to 研发经费支出
        years = plan_span(ctx, f.doc_id)
        if ctx.query.year and (f.year or (years and years[1])) != ctx.query.year:
            continue
        rank = (round(cover, 3), f.source == "table", f.year == (years[1] if years else None), -len(f.subject))
        if best is None or rank > best[0]:
            best = (rank, f)
    return _as_figure(ctx, best[1], city, None) if best else None


def _as_figure(ctx: Context, f, city: str, concept: str | None) -> Figure | None:
    """A figure-layer record as a cited answer figure."""
    clause = next((c for c in (ctx.corpus.clauses[i] for i in ctx.corpus.clause_ids_of(f.doc_id)) if c.clause_id == f.clause_id), None)
    if clause is None:
        return None
    text = ctx.corpus.source(f.doc_id)[f.char_start:f.char_end]
    span = Span(clause, f.char_start, f.char_end, text)
    record = next((r for r in ctx.corpus.indicators if r.doc_id == f.doc_id and r.char_start <= f.char_start < r.char_end), None)
    if record is not None:  # a table row reads as the row's description, cited to the row
        shown_text = describe_past(ctx, record) if f.role == "baseline" else describe(ctx, record)
        return Figure(shown_text + "。", ctx.row_span(record), ctx.thresholds.figure, city, record,
                      [v for v in (record.target.value, record.baseline.value if record.baseline else None) if v is not None], concept)
    year = f"到{f.year}年，" if f.year and f.role == "target" else (f"{f.year}年" if f.year else "")
    shown = " ".join(text.split())
    fig = Figure(f"{city}：{year}{shown}。", span, ctx.thresholds.figure, city, None, [f.value, *figures_in(text)], concept)
    fig.layer_value, fig.layer_unit = f.value, f.unit
    return fig


def layer_figure(ctx: Context, concept: str, city: str, unit: str | None = None) -> Figure | None:
    """A figure any clause of the city's plan states about the concept (`Corpus.figures`): prose the
    retrieval did not reach, a 专栏 item, a task row. Targets for the plan's horizon come first."""
    q, period = ctx.query, ctx.period
    unit = unit or q.unit
    aliases = dict(indicator_concepts()).get(concept, ())
    best: tuple[tuple, Figure] | None = None
    for f in ctx.corpus.figures:
        if f.city != city or not f.subject or f.value is None or not ctx.allows(f.doc_id):
            continue
        named = concepts_in(f.subject)
        if concept not in named and not any(a in f.subject for a in aliases):
            continue
        if named and concept not in named:
            continue  # 农业科技进步贡献率 is not 科技进步贡献率
        if not fits_kind(f.unit, unit) or counts_no_one(ctx, f.unit):
            continue
        if period == "past" and f.role != "baseline" or period != "past" and f.role == "baseline":
            continue
        years = plan_span(ctx, f.doc_id)
        if q.year and (f.year or (years and years[1])) != q.year:
            continue  # a year the figure does not name is the plan's horizon, never another year
        source = ctx.corpus.source(f.doc_id)
        stated = source[f.char_start:f.char_end]
        paragraph = source[source.rfind("\n", 0, f.char_start) + 1:f.char_end]  # the paragraph up to the figure
        rank = (f.role == ("baseline" if period == "past" else "target"), not other_area(stated, q.text),
                asked_area(paragraph, q.text),
                not counts_increment(stated, q.text), f.year == (years[1] if years else None), f.source == "table", -f.char_start)
        if best is None or rank > best[0]:
            best = (rank, f)
    return _as_figure(ctx, best[1], city, concept) if best else None


def contradicted(ctx: Context, figures: list[Figure]) -> str | None:
    """A number the user states that none of the evidence states (a false premise)."""
    # the numbers of the window shown, not its whole sentence ("科技型中小企业突破3万家,高新技术企业超2万家": 3万 is
    # not the 高企 figure)
    shown = {id(f): figures_in(_asked_pieces(ctx, f.span.text)) or f.numbers for f in figures}
    known = [v for f in figures for v in shown[id(f)]]
    if ctx.query.cities:  # a number stated in a comparison belongs to the first city named
        known = [v for f in figures if f.city == ctx.query.cities[0] for v in shown[id(f)]] or known
    for stated in ctx.query.numbers:
        value = parse_number(stated)
        # "500亿" against a table row whose unit (亿元) stands in its own cell: the numeral as written counts too
        bare = re.match(r"\d+(?:\.\d+)?", stated)
        readings = [v for v in (value, float(bare.group(0)) if bare else None) if v is not None]
        if readings and known and all(abs(r - k) > 1e-9 for r in readings for k in known):
            return stated
    return None


def _asked_pieces(ctx: Context, window: str) -> str:
    """The pieces of a window that name the indicator asked ("高新技术企业超2万家" of "科技型中小企业突破3万家,高新技术
    企业超2万家" when 高企 is asked): another subject's number is not the asked one's; the whole window when no piece
    or every piece names it."""
    aliases = dict(indicator_concepts())
    names = [normalize(a) for c in ctx.query.concepts for a in aliases.get(c, ())]
    parts = re.split(r"[，,、；;]", window)
    naming = [p for p in parts if any(n in normalize(p) for n in names)]
    return "，".join(naming) if naming and len(naming) < len(parts) else window


def year_swapped(ctx: Context, figures: list[Figure]) -> tuple[str, int, int] | None:
    """A number the user states for the one year the question names that the indicator row gives for its other year
    ("南通2020年研发强度已经达到3%了吧" where 3% is the 2025 target and 2020 stands at 2.55%): (the number, the year
    asked, the year the row gives it); else None."""
    years = [int(y) for y in YEAR.findall(ctx.query.original or ctx.query.text)]
    if len(set(years)) != 1:
        return None
    asked = years[0]
    for f in figures:
        r = f.record
        if r is None or r.baseline is None or None in (r.baseline.year, r.baseline.value, r.target.year, r.target.value):
            continue
        pairs = {r.baseline.year: r.baseline.value, r.target.year: r.target.value}
        if asked not in pairs or len(pairs) != 2:
            continue
        other = next(y for y in pairs if y != asked)
        for stated in ctx.query.numbers:
            value = parse_number(stated)
            if value is not None and abs(value - pairs[other]) <= 1e-9 and abs(value - pairs[asked]) > 1e-9:
                return stated, asked, other
    return None


def for_concept(ctx: Context, concept: str | None) -> Context:
    """The context of one part of a multi-part question ("高企和科小分别…"): the topic without the other
    parts' indicator wordings, so each part is scored on its own words."""
    aliases = dict(indicator_concepts())
    others = sorted({a for c in ctx.query.concepts if c != concept for a in aliases.get(c, ())}, key=len, reverse=True)
    topic = ctx.query.topic
    for alias in others:
        topic = topic.replace(alias, " ")
    return replace(ctx, query=replace(ctx.query, topic=" ".join(topic.split()), concepts=(concept,) if concept else ()))


def for_part(ctx: Context, text: str, inherited: str = "", own_year: bool = False) -> Context:
    """The context of one asking sentence or one member of "A和B分别…": its own words, year, period and unit;
    a part that names no subject of its own ("到2025年要到多少？", "当年净增多少？", "要发展到多少？") keeps the subject of
    the part before it."""
    q = ctx.query
    topic = topic_of(text, ctx.corpus.cities)
    borrowed = not re.sub(rf"{YEAR_DIGITS}|{FIVE_YEAR_ORDINAL.pattern}|[年底末]|{rule('increment').pattern}|{rule('reaching').pattern}"
                          rf"|{rule('stock').pattern}", "", topic).strip()
    if borrowed:  # "十四五末要到多少？": a period names no subject either
        # "当年净增多少？": an increase of the subject before; "总数到多少？": its stock, not the increase asked before
        if rule("stock").search(topic):
            inherited = re.sub(rule("increment").pattern, " ", inherited)
        topic = f"{FIVE_YEAR_ORDINAL.sub(' ', inherited)} {topic}".strip()  # the subject before, not its period
    years = [int(y) for y in YEAR.findall(text)]
    # the question's indicator is a part's when the part names no subject of its own or says part of the indicator's
    # name ("技术合同…？成交额多少？"), not when it names another ("…新建多少创新载体" is not the 技术合同成交额 asked after)
    concepts = concepts_in(text) or concepts_in(topic) or (
        tuple(c for c in q.concepts if borrowed or _says_part_of(topic, c)) if inherited else ())
    # a part's own year sets its period as the whole question's does (2020 before a 2021–2025 plan asks its past)
    own = period_of(text) or (year_period(years[-1], plan_spans(ctx)) if years else None)
    part = replace(q, text=f"{topic} {text}", topic=topic, concepts=concepts, year=years[-1] if years else (None if own_year else q.year),
                   period=own or (q.period if not years else None), unit=unit_of(text))
    hints = replace(ctx.hints, topic=topic, year=part.year, period=own or (ctx.hints.period if not years else None)) \
        if ctx.hints else None
    sub = replace(ctx, query=part, hints=hints)
    return replace(sub, hits=sub.search(part.text, 10, q.cities)) if q.cities else sub


def _says_part_of(topic: str, concept: str) -> bool:
    """Whether a word of `topic` is part of a name the indicator `concept` goes by (成交额 of 技术合同成交额)."""
    names = (concept, *dict(indicator_concepts()).get(concept, ()))
    return any(len(w) >= 2 and any(w in n for n in names) for w in topic.split())


_ASKING = re.compile(r"[^？?]+[？?]")
_ASKS, _ASKS_FIGURE = rule("asks"), rule("figure_ask")


def _setting(sentence: str) -> str:
    """Where and when a part asks: the years and the parts of a city (高新区) it names, as words to carry on."""
    years = [f"{y}年" for y in YEAR.findall(sentence)]
    areas = [m.group(0) for m in rule("sub_area").finditer(sentence)]
    return "".join(areas + years)


_JOINED_YEARS = re.compile(rf"{YEAR_DIGITS}\s*年?\s*[和与及、]\s*{YEAR_DIGITS}\s*年")


def asking_pieces(sentence: str) -> list[str]:
    """An asking sentence cut at its commas (and enumeration commas) where two or more pieces each ask for a figure ("…2020年有多少家，规划要
    达到多少家？"); a piece that asks for none ("省级以上的孵化器和众创空间，") leads the piece after it, and a sentence
    with one figure asked and another question ("规划面积多大，主要做什么产业？") stays whole."""
    pieces, lead = [], ""
    for piece in re.split(r"(?<=[，,；;、])", sentence):  # …人才多少、外国专家工作室建几家、引智项目多少项
        bare = piece.rstrip("？?，,；;、 ")
        if pieces and pieces[-1].endswith("、") and not topic_of(YEAR.sub("", bare), ()).strip():
            pieces[-1] += piece  # "…2020年多少、2025年要到多少": a year asked of the same subject, not another part
        elif _ASKS.search(bare) and _ASKS_FIGURE.search(bare):
            pieces.append(lead + piece)
            lead = ""
        else:
            lead += piece
    if len(pieces) < 2:
        return [sentence]
    pieces[-1] += lead
    return pieces


def parts(ctx: Context) -> list[Context]:
    """The parts of a multi-part question without indicator concepts of their own, each a context: several asking
    sentences ("现在建了多大面积？到2025年要到多少？"), or "A和B分别要达到多少" (one subject, two members) — also as one of
    the asking sentences ("国家级孵化器、众创空间各几个？孵化园区面积多大？")."""
    q = ctx.query
    text = q.text if not q.followup else q.original
    asking = [piece for m in _ASKING.finditer(text) for piece in asking_pieces(m.group(0))]
    out: list[Context] = []
    if len(asking) >= 2:
        subject, setting = "", ""
        for sentence in asking:
            own_setting = _setting(sentence)
            if not own_setting and period_of(sentence) is None:
                sentence = setting + sentence  # "高新区2020年…多少家？净增高企呢？": the second asks of 高新区 in 2020 too
            part = for_part(ctx, sentence, subject, own_year=True)
            subject, setting = part.query.topic, own_setting or setting
            out += _members(part, sentence) or [part]
        return out
    return _members(ctx, text)


def _members(ctx: Context, text: str) -> list[Context]:
    """"A和B分别要达到多少", "A、B各几个": one part per member (or per year joined), each with the text's year and period;
    [] when the text asks of one subject."""
    q = ctx.query
    if not _EACH.search(text):
        return []
    years = _JOINED_YEARS.search(text)
    if years:  # "2015年和2020年分别有多少家": one part per year, each with its own period
        return [for_part(ctx, text[:years.start()] + year + "年" + text[years.end():], "", own_year=True)
                for year in map(str, years_in(years.group(0)))]
    if len(q.concepts) >= 2:
        return []
    # "A、B和C分别…": the enumeration comma is read as 和, so the three members stay one piece of the topic
    pieces = (topic_of(text.replace("、", "和"), ctx.corpus.cities) if "、" in text else q.topic).split()
    joined = [p for p in pieces if re.search(r"[和与及、]", p)]
    if len(joined) != 1:
        return []
    members = [m for m in re.split(r"[和与及、]", joined[0]) if len(m) >= 2]
    shared = " ".join(p for p in pieces if p != joined[0])
    if len(members) < 2:
        return []
    out = []
    for member in members:
        part = for_part(ctx, f"{shared}{member}", "")
        out.append(replace(part, query=replace(part.query, year=q.year, period=q.period), hints=ctx.hints and replace(
            part.hints, year=ctx.hints.year, period=ctx.hints.period)))
    return out


def _part_unit(ctx: Context, concept: str) -> str | None:
    """The kind of figure asked for one concept of several: from the words next to its name, not the whole question's."""
    text = normalize_text(ctx.query.text)
    aliases = sorted(dict(indicator_concepts()).get(concept, ()), key=len, reverse=True)
    at = next((text.find(normalize_text(a)) for a in aliases if normalize_text(a) in text), -1)
    if at < 0:
        return None
    piece = re.split(r"[和与及、，,？?]|分别|各", text[at:])[0]
    return unit_of(piece)


def normalize_text(text: str) -> str:
    return normalize(text, case="upper")


def quoted_row(ctx: Context, city: str) -> Figure | None:
    """The one indicator row of the city's plan whose name holds a name the question quotes ("指标表里“重大产业创新
    平台”数量，起点和目标各是多少"), with its base and target; None when no row or several do."""
    names = [t for t in ctx.query.quoted if len(t) >= 4]
    rows = [r for r in ctx.corpus.indicators if names and ctx.city_of(r.doc_id) == city and ctx.allows(r.doc_id)
            and any(t in r.indicator for t in names)]
    if len(rows) != 1:
        return None
    r = rows[0]
    text = describe_past(ctx, r) if ctx.period == "past" and _has_baseline(r) else describe(ctx, r)
    numbers = [v for v in (r.target.value, r.baseline.value if r.baseline else None) if v is not None]
    return Figure(text + "。", ctx.row_span(r), 1.0, city, r, numbers, None)


def figures_for(ctx: Context, city: str | None) -> list[Figure]:
    """One figure per concept named (or one for the topic when none), for one city or any."""
    concepts = ctx.query.concepts or (None,)
    out: list[Figure] = []
    for concept in concepts:
        part = for_concept(ctx, concept) if len(concepts) > 1 else ctx
        if len(concepts) > 1:  # "贡献率和企业数分别…": each part's own kind of figure
            part = replace(part, query=replace(part.query, unit=_part_unit(ctx, concept)))
        # an indicator row that names every word of a topic no concept covers ("区级财政科技支出占比") answers it with its
        # base, target and attribute, before a sentence that says it in other words
        row = (quoted_row(part, city) or topic_figure(part, city, min_cover=1.0, table_only=True)) if concept is None and city else None
        f = row or best_figure(part, ctx.hits, concept, city)
        if f is not None and all(f.span.char_start != g.span.char_start or f.span.clause.doc_id != g.span.clause.doc_id for g in out):
            out.append(f)
    return out


_EACH = re.compile(r"分别|各(?:是|为|要|有|自|(?=几|多少))")  # "A和B分别…": one subject, two members


def part_answers(ctx: Context, cities: tuple, split: list[Context]) -> list[Figure]:
    """The figures of every part of a multi-part question (`split`: its `parts`), each part answered on its own."""
    out: list[Figure] = []
    for part in split:
        found = [f for city in cities for f in figures_for(part, city)]
        if not found and not part.query.concepts:
            found = [f for city in cities if city and (f := topic_figure(part, city, min_cover=0.8)) is not None]
        for f in found:  # parts answered by one sentence: its widest window once ("…5.5%以上，…55%以上，…70件以上")
            if any(_within(f, g) for g in out):
                continue
            out = [g for g in out if not _within(g, f)] + [f]
    return out


def _within(f: Figure, g: Figure) -> bool:
    """Whether figure `f`'s quote lies inside `g`'s (the same sentence, a narrower window of it)."""
    return f.span.clause.doc_id == g.span.clause.doc_id and g.span.char_start <= f.span.char_start \
        and f.span.char_end <= g.span.char_end


def compose(ctx: Context) -> Answer:
    query = ctx.query
    if (later := period_after_plans(ctx)) is not None:
        return refuse(ctx, f"{later}期间的目标（规划期为{'、'.join(dict.fromkeys(f'{a}—{b}年' for a, b in plan_spans(ctx)))}）")
    cities = query.cities or (None,)
    split = parts(ctx)
    figures = part_answers(ctx, cities, split)
    if not figures:
        figures = [f for city in cities for f in figures_for(ctx, city)]
    if not figures and not query.concepts:  # a figure any clause states about what is named ("产业协同创新联合体")
        figures = [f for city in cities if city and (f := topic_figure(ctx, city, min_cover=0.8)) is not None]
    asked = _COUNT_ASKED.search(query.text)
    counted, noun = prose_count(ctx, asked), asked.group("noun") if asked else ""
    if noun and figures and not any(noun in f.text for f in figures):
        # "有几个部门", "下面有多少个分园": a figure of another noun (…高新技术企业250家, 排名第12位) does not count them;
        # the figure layer's figure of the noun does (以南京高新区15个分园为主阵地), else a count written in words
        own = [f for city in cities if city and (f := noun_figure(ctx, city, noun)) is not None]
        best = max(ctx.scorer.coverage(f.span.text) for f in figures)
        own = [f for f in own if ctx.scorer.coverage(f.span.text) >= best]  # and it says as much of the question
        figures = own if own or counted is not None else figures
    if not figures and counted is not None:
        builder = AnswerBuilder(ctx.corpus.sources)
        builder.say(f"{ctx.city_of(counted.clause.doc_id) or ''}：{' '.join(counted.text.split())}".lstrip("："), counted)
        return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="target", query=query)
    if not figures:
        near = nearest_record(ctx)
        if near is None:
            return refuse(ctx, "与该问题对应的数字或目标")
        correction = (f"规划给出的是{describe(ctx, near)}。", ctx.row_span(near))
        known = [v for v in (near.target.value, near.baseline.value if near.baseline else None) if v is not None]
        wrong = next((n for n in query.numbers if (v := parse_number(n)) is not None and all(abs(v - k) > 1e-9 for k in known)), None)
        if wrong is not None:
            return refuse(ctx, f"与“{wrong}”相符的规划目标", correction)
        what = f"{query.year}年的" if query.year else ""
        return refuse(ctx, f"{'、'.join(query.cities)}{what}对应目标", correction)
    if ctx.period == "target" and len(split) <= 1 and not query.concepts and figures and \
            all(counts_other_subject(ctx, f.span) for f in figures):
        # "研发人员要达到多少人" answered by "吸纳总从业人员2万人": the plan sets a goal for something else, none for it
        best = figures[0]
        return refuse(ctx, f"{query.subject}的目标数字", (f"规划写的是：{best.text}", best.span))
    whole = sum_only(ctx, figures, split)
    if whole is not None:  # "种子基金和天使基金分别要达到多大规模": the plan gives their sum only
        return refuse(ctx, "分项的数字（规划只给出合计）", (f"{ctx.city_of(whole.span.clause.doc_id) or ''}规划写的是：{whole.span.text}", whole.span))
    wrong = contradicted(ctx, figures)
    if wrong is not None:
        best = figures[0]
        return refuse(ctx, f"“{wrong}”这一数字", (f"{best.text.rstrip('。；;，,')}，而非{wrong}。", best.span))
    if (swapped := year_swapped(ctx, figures)) is not None:
        stated, asked, other = swapped
        best = figures[0]
        said = f"{other}年的{'目标' if other > asked else '数值'}"
        return refuse(ctx, f"{asked}年为“{stated}”的说法", (f"{best.text.rstrip('。；;，,')}：{stated}是{said}，而非{asked}年的。", best.span))
    builder = AnswerBuilder(ctx.corpus.sources)
    for f in figures:
        builder.say(f.text, f.span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="target", query=query)


def sum_only(ctx: Context, figures: list[Figure], split: list[Context]) -> Figure | None:
    """"A和B分别…多少" (`split`: its parts) where every part is answered by one window that names the parts together
    (科创基金、种子基金、天使基金) and states its figure as their sum (形成总规模500亿元, 合计, 累计): that figure, which
    gives no part's own; else None."""
    members = [p.query.topic for p in split] if _EACH.search(ctx.query.text) else []
    if len(members) < 2 or len({(f.span.clause.doc_id, f.span.char_start) for f in figures}) != 1:
        return None
    whole = figures[0]
    lasts = [m.split()[-1] for m in members if m.split()]  # each part's own words end its topic ("规模种子基金")
    # the part's last word, or its ending of four characters or more, written in the window ("种子基金")
    named = [w for w in lasts if any(w[i:] in whole.span.text for i in range(max(1, len(w) - 3)))]
    if len(named) < 2 or not rule("aggregate_before").search(whole.span.text):
        return None
    return whole


# "分几个方向", "有几个部门": a count asked of a noun (group "noun"); "四个方向", "三个部门" in a plan's prose count it
# in words
_COUNT_ASKED = re.compile(rf"(?:几|多少)([{COUNT_MEASURES}大])(?P<noun>[\u4e00-\u9fff]{{2}})(?!级)")  # not 国家 of 国家级…
_COUNT_WRITTEN = r"(?:[一二两三四五六七八九十]+|\d+)"


def noun_figure(ctx: Context, city: str, noun: str) -> Figure | None:
    """The figure layer's count of `noun` in the city's plan: a figure whose subject ends with it (分园 of
    "南京高新区15个分园"), in the asked period's role."""
    past = ctx.period == "past"
    found = [f for f in ctx.corpus.figures if f.city == city and f.value is not None and ctx.allows(f.doc_id)
             and f.subject and f.subject.endswith(noun) and (f.role == "baseline") == past]
    return _as_figure(ctx, found[0], city, None) if found else None


def prose_count(ctx: Context, asked: re.Match | None) -> Span | None:
    """The sentence of a retrieved clause that counts the asked noun (`asked`: the question's `_COUNT_ASKED`) in words
    ("…监管应急等四个方向…" for "分几个方向"), scoring as a general answer would (`Thresholds.sentence`); the figure layer
    reads digits, not such counts."""
    if asked is None:
        return None
    written = re.compile(rf"{_COUNT_WRITTEN}{re.escape(asked.group(1))}{re.escape(asked.group('noun'))}")
    best: tuple[float, Span] | None = None
    for hit in ctx.hits[:SENTENCE_HITS]:
        if ctx.query.cities and ctx.city_of(hit.clause.doc_id) not in ctx.query.cities:
            continue
        for span in sentences(hit.clause):
            if written.search(span.text):
                score = ctx.scorer.coverage(span.text, ctx.context(hit.clause))
                if score >= ctx.thresholds.sentence and (best is None or score > best[0]):
                    best = (score, span)
    return best[1] if best else None


def nearest_record(ctx: Context) -> IndicatorRecord | None:
    """A row of the concept asked about in the city asked about, whatever its year (shown beside a refusal)."""
    q = ctx.query
    if not q.concepts or not q.cities:
        return None
    records = records_for(ctx, q.concepts, q.cities)
    return records[0] if records else None
