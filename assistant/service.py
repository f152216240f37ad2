"""The assistant's public API: `Assistant.from_index().ask(question, history, filters, profile)`.

Question in → checked and normalised → understood → retrieved → composed by the
composer for its intent → optionally rewritten by a generative backend (whose output
must pass the grounding check) → `Answer` with exact citations.
"""
from __future__ import annotations

import re
import time
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant import english, ordinals, sections
from assistant.answer import Answer, renumbered
from assistant.composers import compare, document, eligibility, outline, passages, target, task, topic
from assistant.composers.context import Context, Thresholds
from assistant.composers import indicator_table, mentions, notgiven, premise
from assistant.composers.mentions import name_forms
from assistant.composers import versions as version_answers
from assistant import versions
from assistant.version_pairs import answer_each
from assistant.composers.refusal import refuse
from assistant.contract import Citation, Retrieved
from assistant.generation import GeneratorSettings, get_generator
from assistant.lexicon import rule
from assistant.query import (Query, asked_of, compares, indicator_concepts, local_area, owns_plan, separate_asks, understand,
                             year_period)
from ingest.lexicon import COUNT_MEASURES, city_key, normalize, question_years, years_in
from assistant import structured
from assistant.rewrite import rewrite
from index.rerank import SearchHints
from index.settings import IndexSettings
from index.build import current_index
from index.retriever import Filters, Hit, Mode
from index.store import PlanIndex

COMPOSERS: dict[str, Callable[[Context], Answer]] = {
    "target": target.compose,
    "compare": compare.compose,
    "eligibility": eligibility.compose,
    "list": passages.compose,
    "general": passages.compose,
    "document": document.compose,
    "task": task.compose,
}


def structural(ctx: Context, on_topic: topic.TopicComposer) -> Answer | None:
    """A topic, outline or count answer from the plan's structure, when the question is one and a node matches
    (`on_topic`: the question's topic composer, which the caller may ask again at a lower threshold)."""
    q = ctx.query
    if q.intent == "target" and any(len(t) >= 6 and any(t in r.indicator for r in ctx.corpus.indicators) for t in q.quoted):
        return None  # "“新型研发机构等重大产业创新平台”一共有几个": an indicator row quoted by name, not a part of the plan
    wrong = outline.past_the_series(ctx, q.original if not q.followup else q.text)  # "专栏7" where they end at 专栏6
    if wrong is not None:
        return wrong
    if passages.defines_quoted(ctx):
        return None  # "里面说的“两区”是怎么分的": the sentence that defines the quoted term (passages), not a part
    told = outline.tells_about(q.text)
    if told and (answer := outline.compose(ctx)) is not None:
        return answer  # "具体说说打造…平台": the part the question names whole, before any topic of its words
    if topic.asks_topic(q.original if not q.followup else q.text, q.intent, bool(ctx.profile), q.quoted, ctx.corpus):
        answer = on_topic.compose()  # the plan's clauses on a taxonomy topic, section first
        if answer is not None:
            return answer
    if q.intent in ("list", "general") or (q.intent == "target" and (
            (outline.asks_structure(q.text) and (not q.concepts or q.quoted)) or (not q.concepts and outline.names_a_part(q.text)))) \
            or (q.intent == "task" and outline.lists_rows_with_column(ctx)):  # "…布局哪些平台？牵头的是哪些企业？"
        answer = None if told else outline.compose(ctx)  # asked above already: the same question, the same None
        if answer is not None and q.intent == "list" and _framed_list(q.original or q.text) and \
                (whole := on_topic.compose()) is not None and _lists_with_content(whole, answer):
            answer = whole  # "生物医药重点支持哪些技术方向": the part's measures under its sub-sections, not their names only
        if answer is not None and q.intent in ("list", "general") and topic.asks_parts(q.original) and \
                topic.beside_topics(q.original, answer):
            answer = on_topic.compose() or answer  # a part found by a word beside the topic asked
        if answer is None and q.intent in ("list", "general") and not topic.quoted_names(q.quoted, ctx.corpus) and \
                topic.asks_parts(q.original):
            answer = on_topic.compose()  # "有哪些具体项目", "主攻哪几个方向": no part of the plan is called so
        elif answer is None and q.intent == "list" and not q.followup and \
                topic.asks_open_list(q.original, q.quoted, ctx.corpus):
            answer = on_topic.compose()  # "有什么模式和活动", "有哪些要求": no part of the plan is called so either
        return answer
    return None


def _framed_list(text: str) -> bool:
    """A list question (not a count) in a topic frame outside the noun it asks for ("重点支持哪些技术方向", not
    "重点工程有哪些")."""
    shape = outline.shape_of(text)
    if shape is None or shape.kind != "outline":
        return False
    return bool(topic.frames().frame.search(text.replace(shape.counted, " ") if shape.counted else text))


def _lists_with_content(whole: Answer, listed: Answer) -> bool:
    """Whether a topic answer cites every item an outline answer listed, and more besides (their measures)."""
    cited = {(c.doc_id, c.char_start, c.char_end) for c in whole.citations}
    items = {(c.doc_id, c.char_start, c.char_end) for c in listed.citations}
    return bool(items) and items <= cited and len(cited) > len(items)


def compose_answer(ctx: Context) -> Answer:
    """The composers' answer; a list or general question they would refuse gets what the plan says on its topic
    ("主攻哪几个方向" where no part of the plan is called so), refused only when the plan has nothing on it (at the
    lower RESCUE_RELEVANCE, on the clauses the structural path scored). Measures compared across cities are each
    city's topic answer; a refusal that found nothing for a target word with no figure asked, or for an enterprise
    with no applicant kind, gives way to what the plan says; a refusal that corrects a premise stands; a passage or
    topic answer to a question stating a year or a number the quoted clauses do not bear is refused, quoting them."""
    q = ctx.query
    measures_compared = q.intent == "compare" and len(q.cities) >= 2 and not q.concepts
    if measures_compared and topic.asks_topic(q.original or q.text, "list", False, q.quoted, ctx.corpus) and \
            (each := topic.each_city(ctx)) is not None:
        return each  # "南通和句容在人才引进方面各有什么做法": each city's measures, side by side
    on_topic = topic.TopicComposer(ctx)  # scores the plan's clauses once, at its first use
    answer = mentions.compose(ctx) or indicator_table.compose(ctx) or structural(ctx, on_topic) or COMPOSERS[q.intent](ctx)
    if answer.composer == "refusal" and q.intent in ("list", "general") and not topic.quoted_names(q.quoted, ctx.corpus) and \
            not outline.asks_structure(q.text):
        answer = on_topic.compose(topic.RESCUE_RELEVANCE) or answer
    elif answer.composer == "refusal" and answer.citations:
        pass  # a refusal that corrects the question's premise quoting the plan ("…达500人，而非1000") stands
    elif answer.composer == "refusal" and measures_compared:
        answer = topic.each_city(ctx) or answer  # "南京和连云港在科技金融上有什么不同": each city's, side by side
    elif answer.composer == "refusal" and q.intent == "eligibility" and not ctx.profile:
        # "积分排名靠前，能优先拿到哪些支持": no applicant kind the measures are written for — what the plan says of it
        answer = compose_answer(replace(ctx, query=replace(q, intent="general")))
    elif answer.composer == "refusal" and q.intent == "target" and not q.concepts and \
            any(topic.asks_topic(piece, "list", False, q.quoted, ctx.corpus) for piece in re.split(r"[，,；;]", q.original or q.text)[:-1]):
        # "怎么用金融手段支持科技企业，基金搞多大": no figure found for the last piece — what the plan does on the topic
        answer = on_topic.compose(topic.RESCUE_RELEVANCE) or answer
    elif answer.composer == "refusal" and q.intent == "target" and not q.concepts and not rule("figure_ask").search(q.text):
        # "显示技术上要突破什么": a target word, but neither an indicator named nor a figure asked — what the plan says
        answer = compose_answer(replace(ctx, query=replace(q, intent="general")))
    if answer.composer in ("general", "list", "task", "topic") and (
            unborne := premise.unborne_number(ctx, answer) or premise.unborne_year(ctx, answer)) is not None:
        answer = premise.refusal(ctx, unborne)  # "…每年上升10位，是吧" where the passage quoted says 5位
    return answer


_LIBRARY_TEXT: "weakref.WeakKeyDictionary[PlanIndex, str]" = weakref.WeakKeyDictionary()


def library_text(index: PlanIndex) -> str:
    """The library's text: the clauses of every plan the index holds, one a line."""
    text = _LIBRARY_TEXT.get(index)
    if text is None:
        text = _LIBRARY_TEXT[index] = "\n".join(c.text for c in index.clauses)
    return text


def library_uses(index: PlanIndex) -> Callable[[str], int]:
    """How often a Chinese word occurs in the library's text (the clauses of every plan the index holds)."""
    return library_text(index).count


NAME_CHARS = 3  # characters after a number that the question and a plan must share for the number to begin a name
_NOT_NAME = re.compile(rf"[{COUNT_MEASURES}万亿元年月日倍%％个百千]")


def naming_numbers(question: str, numbers: tuple[str, ...], library: str) -> set[str]:
    """The numbers a question states that begin a name the plans write ("226高层次人才培养工程", "121战略"): the number
    and the words after it, no unit or measure among them, stand so in the library's text. Such a number is the
    name's, not a figure to hold against the plan."""
    out = set()
    for n in numbers:
        for m in re.finditer(rf"(?<![\d.]){re.escape(n)}(?![\d.])", question):
            after = question[m.end():m.end() + NAME_CHARS]
            if len(after) == NAME_CHARS and re.fullmatch(r"[\u4e00-\u9fff]+", after) and not _NOT_NAME.match(after) \
                    and n + after in library:
                out.add(n)
    return out


def stacked(first: Answer, second: Answer, query: Query, labels: tuple[str, str] = ("", "")) -> Answer | None:
    """Two answers one under the other (each after its label), the second's citation markers renumbered; None when
    they quote the same (one sentence answers both: 高新区、临港开发区分别新建…)."""
    if {c.quote for c in first.citations} == {c.quote for c in second.citations}:
        return None
    first.text = f"{labels[0]}{first.text}\n{labels[1]}{renumbered(second.text, len(first.citations))}"
    first.citations = [*first.citations, *second.citations]
    first.refused = first.refused and second.refused
    first.query = query
    return first


def _within(inner: Citation, outer: Citation) -> bool:
    """Whether `inner` quotes only text `outer` quotes too (a sentence of a quoted row)."""
    return inner.doc_id == outer.doc_id and outer.char_start <= inner.char_start and inner.char_end <= outer.char_end


# "南京高企“十三五”末有多少家？2015年呢", "…净增多少？这项工作谁牵头？": a question, then a follow-up to it (elliptical or
# led by a pointer) in the same message
_TRAILING_FOLLOWUP = re.compile(rf"^(?P<first>[^？?]{{4,}}[？?])\s*(?P<second>[^？?]{{1,12}}(?:{rule('followup_tail').pattern})[？?。]?"
                                rf"|(?:{rule('pronoun').pattern})[^？?]{{1,14}}[？?。]?)$")


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, no text); the message says what to do."""


class AssistantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    search_mode: str = "hybrid+rerank"
    max_question_chars: int = 500  # longer input is truncated with a notice
    top_k: int = 10
    # refusal thresholds (least topic coverage to answer); defaults calibrated on the dev set, see Thresholds
    min_figure: float = Thresholds.figure
    min_sentence: float = Thresholds.sentence
    min_measure: float = Thresholds.measure
    min_task: float = Thresholds.task

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(figure=self.min_figure, sentence=self.min_sentence, measure=self.min_measure, task=self.min_task)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    from opencc import OpenCC

    return OpenCC("t2s").convert


# Terminal escape sequences ("\x1b[31m"): removed whole, so their digits are not read as a figure the user states.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[@-Z\\-_])")
# Control and invisible characters, and lone surrogates (invalid Unicode an encoder cannot take).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")


def clean_question(question: Any, limit: int) -> tuple[str, str | None]:
    """(question ready to parse, notice for the user or None); raises QuestionError when nothing is left."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本。")
    text = _CONTROL.sub("", _ESCAPES.sub("", question))
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise QuestionError("问题为空：请输入要查询的问题，例如“南京到2025年高新技术企业要达到多少家？”")
    notice = None
    if len(text) > limit:
        text, notice = text[:limit], f"问题过长（{len(question)}字），只使用了前{limit}字。"
    text = _t2s()(text)
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", text):
        raise QuestionError("问题中没有可识别的文字：请用中文描述要查询的内容。")
    return text, notice


def allowed_plans(index: PlanIndex, filters: Filters) -> frozenset[str] | None:
    """The doc_ids the filters leave (None when they restrict no plan or city)."""
    if not (filters.doc_ids or filters.cities):
        return None
    keys = {city_key(c) for c in filters.cities}
    return frozenset(d for d, meta in index.docs.items()
                     if (not filters.doc_ids or d in filters.doc_ids)
                     and (not keys or city_key(meta.city or "") in keys))


def plan_years(index: PlanIndex, cities: Sequence[str] = ()) -> list[tuple[int, int]]:
    """(first, last) year of each plan of `cities` (all plans when none), from the plan's period "2021-2025"."""
    out = []
    for meta in index.docs.values():
        if cities and meta.city not in cities:
            continue
        years = years_in(meta.period)
        if years:
            out.append((min(years), max(years)))
    return out


def resolve_period(query: Query, index: PlanIndex) -> str | None:
    """The wording's period, else the year's: before a plan's first year is its past (南京 2020 → past); across
    plans of different periods, the year is the past when it is for most of them (2020 for four 十四五 plans
    beside one 2020–2022 plan)."""
    if query.period or query.year is None:
        return query.period
    return year_period(query.year, plan_years(index, query.cities))


def own_horizon(query: Query, index: PlanIndex, previous: Query | None = None) -> Query:
    """"江阴呢？" after "连云港2025年…目标是多少": a target year the follow-up did not write itself and its city's plan
    does not reach (江阴's runs to 2022) goes — the same question of that plan's own horizon; so does the previous
    city's horizon year carried to a city whose plan ends in another ("句容呢？" after "江阴到2022年…": 句容's 2025)."""
    if not (query.followup and query.year and query.cities) or question_years(normalize(query.original or "")):
        return query
    spans = plan_years(index, query.cities)
    before = plan_years(index, previous.cities) if previous is not None and previous.cities != query.cities else []
    carried = any(query.year == last for _, last in before) and not any(query.year == last for _, last in spans)
    if not spans or not (carried or all(query.year > last for _, last in spans)):
        return query
    return replace(query, text=re.sub(rf"(?:到|至)?{query.year}\s*年(?:底|末)?", "", query.text), year=None)


def library_list(index: PlanIndex) -> str:
    """The plans the library holds, as a refusal lists them: 《title》 (city)."""
    return "、".join(f"《{meta.title}》" + (f"（{meta.city}）" if meta.city and meta.city not in meta.title else "")
                    for meta in sorted(index.docs.values(), key=lambda m: m.city or m.title))


# two parts of a city joined in one question ("高新区和临港开发区"): each asked on its own
_JOINED_PARTS = re.compile(rf"(?P<a>{rule('sub_area').pattern})[和与及、](?P<b>[\u4e00-\u9fff]{{0,4}}?(?:{rule('sub_area').pattern}))")


@lru_cache(maxsize=1)
def _name_end() -> re.Pattern:
    """How a listed thing's name ends: a genre suffix (…中心, …平台) or a part of a city (…高新区, …园区)."""
    return re.compile(f"(?:{topic.frames().named_suffix.pattern.removesuffix('$')}|{rule('sub_area').pattern})$")


_FOLLOWUP_LEAD = re.compile(f"^(?:{rule('followup_lead').pattern})")  # "那…", "那么…": how a follow-up opens

NAME_TAIL = 4  # characters after a place name that make it part of a name a plan writes


def known_districts(query: Query, index: PlanIndex) -> Query:
    """Places the question names that the library's plans write about are no unknown places: a 区 a plan mentions
    (江北新区 in 南京's plan), or a place that begins a longer name a plan writes (镇江国家农业科技园区 in 句容's)."""
    if not query.unknown_places:
        return query
    plain = _plain_sources(index)
    text = _plain(query.text)

    def in_a_plan(place: str) -> bool:
        if place.endswith("区") and any(_plain(place) in t for t in plain.values()):
            return True
        area = local_area(text, _plain(place))  # "如皋高新区": the place with a part word, a name a plan writes
        if area and any(area in t for t in plain.values()):
            return True
        if owns_plan(place, query.text):
            return False  # 镇江市“十四五”科技创新规划 asks for 镇江's own plan
        at = text.find(_plain(place))
        name = text[at:at + len(_plain(place)) + NAME_TAIL] if at >= 0 else ""
        return len(name) == len(_plain(place)) + NAME_TAIL and bool(re.fullmatch(r"[\u4e00-\u9fff]+", name)) and \
            name[len(_plain(place))] not in "市县区省" and any(name in t for t in plain.values())

    kept = tuple(p for p in query.unknown_places if not in_a_plan(p))
    return query if kept == query.unknown_places else replace(query, unknown_places=kept)


_PLAN_NAMED = re.compile(rf"[\u4e00-\u9fff]{{2,12}}?(?:{rule('plan_word').pattern})(?:里|中|上|内)?")


def without_plan_name(query: Query, index: PlanIndex) -> Query:
    """"江阴三年行动计划里科技金融…": the plan named by its title's words (三年行动计划, 十四五科技创新规划) is where the
    question asks, not what it asks about — those words leave the topic (they are rare words of a few clauses)."""
    shape = outline.shape_of(query.original or query.text)
    if shape is not None and shape.counted:
        return query  # "这个三年行动计划具体分哪几个行动": the plan's own parts are asked — it is the subject
    titles = [re.sub(r"[“”\"\s]|[（(][^）)]*[）)]", "", meta.title) for meta in index.docs.values()]

    def cut(m: re.Match) -> str:
        run = m.group(0).rstrip("里中上内")
        # four characters said as a place (行动计划里), else five (“双百”行动计划 is a programme's name)
        least = 4 if len(run) < len(m.group(0)) else 5
        named = next((run[i:] for i in range(len(run) - least + 1) if any(run[i:] in t for t in titles)), None)
        return m.group(0) if named is None else run[:len(run) - len(named)]

    topic = _PLAN_NAMED.sub(cut, query.topic or "")
    return query if topic == query.topic or not topic.strip() else replace(query, topic=topic)


def unwritten_parts(query: Query) -> list[str]:
    """Parts of the conversation's city a follow-up names with a place no plan holds ("那徐州高新区呢？" after a
    question about 南通高新区) that the plans never write (known_districts kept the place unknown): asked of, not
    answered with the city's other parts."""
    if not query.followup:
        return []
    own = normalize(query.original)
    return [area for p in query.unknown_places if (area := local_area(own, p))]


def hints_for(query: Query, index: PlanIndex | None = None) -> SearchHints:
    """What the reranker should know: the indicator's plan wordings, whether a figure is asked, cities, year, topic, period."""
    aliases = {c: a for c, a in indicator_concepts()}
    phrases = tuple(a for c in query.concepts for a in aliases.get(c, ())[:3])
    return SearchHints(
        phrases=phrases, numeric=query.intent in ("target", "compare"), cities=query.cities, year=query.year,
        topic=query.topic, period=resolve_period(query, index) if index is not None else query.period,  # type: ignore[arg-type]
    )


_QUOTES_AND_SPACE = re.compile(r"[\s“”‘’\"'《》〈〉「」『』]")


@lru_cache(maxsize=1)
def _plain_sources(index: PlanIndex) -> dict[str, str]:
    """Each plan's text without quotes and whitespace (one cached, like the loaded index)."""
    return {d: _QUOTES_AND_SPACE.sub("", normalize(index.source(d))) for d in index.docs}


def _plain(text: str) -> str:
    return _QUOTES_AND_SPACE.sub("", normalize(text))


def missing_names(query: Query, index: PlanIndex) -> list[str]:
    """Names the user quotes (“紫琅英才计划”) that the plans asked about never write, in any form
    the term table knows, and institutions it names unquoted that they never write (`unwritten_institutions`): a
    false premise."""
    plain = _plain_sources(index)
    texts = [plain[d] for d, meta in index.docs.items() if not query.cities or meta.city in query.cities]
    out = []
    for name in query.quoted:
        keys = [k for k in map(_plain, name_forms(name)) if len(k) >= 2]
        if len(_plain(name)) >= 3 and not any(k in t for k in keys for t in texts) and not _numbered_short_form(name, texts):
            out.append(name)
    if query.cities:
        out += [n for n in unwritten_institutions(_plain(query.original or query.text), texts, library_text(index))
                if not any(n in q for q in out)]
    return out


def unwritten_institutions(question: str, texts: list[str], library: str) -> list[str]:
    """Institutions a question names unquoted ("牛津大学", "南京大学江阴校区") that the asked plans never write: the name
    is its suffix (大学, 学院, 校区: `institution_suffix`) with the longest run before it (2–4 characters) that some
    plan of the library writes, else two characters no plan writes at all (an unknown proper name); a generic
    modifier (一流, 知名 …: `institution_generic`) is no name."""
    out = []
    generic = rule("institution_generic")
    for m in rule("institution_suffix").finditer(question):
        if not rule("institution_end").match(question, m.end()):
            continue  # a name ends there (…大学的, …大学合作, …大学江阴校区); 大学创新港, 大学生, 大学科技园 go on as other words
        if rule("asks").search(question[max(0, m.start() - 4):m.start()]):
            continue  # "对标哪一级实验室", "几所大学": the kind is asked about, no name is given
        runs = [question[m.start() - k:m.end()] for k in (4, 3, 2) if m.start() - k >= 0]
        runs = [r for r in runs if re.fullmatch(r"[\u4e00-\u9fff]+", r)]
        name = next((r for r in runs if r in library), None)
        if name is None and runs and runs[-1][:2] not in library:
            name = runs[-1]
        if name is None or generic.search(name[:-len(m.group(0))]) or any(name in t for t in texts):
            continue
        out.append(name)
    return out


NUMBERED_GAP = 10  # characters a plan may write between a programme's number and its genre word


def _numbered_short_form(name: str, texts: list[str]) -> bool:
    """Whether `name` is the short form of a numbered programme the plans write in full: “226工程” for
    “226高层次人才培养工程” (its number, then within NUMBERED_GAP characters its genre word)."""
    m = re.fullmatch(r"([0-9０-９+＋]+)([\u4e00-\u9fff]{2,4})", _plain(name))
    if m is None:
        return False
    pattern = re.compile(rf"(?<![0-9]){re.escape(m.group(1))}[\u4e00-\u9fff]{{1,{NUMBERED_GAP}}}?{re.escape(m.group(2))}")
    return any(pattern.search(t) for t in texts)


@dataclass(frozen=True)
class SearchRequest:
    """What the assistant asks the index for one question (also what `python -m tuning tune` replays)."""

    text: str
    lexical_query: str
    filters: Filters
    hints: SearchHints


def search_request(query: Query, index: PlanIndex, filters: Filters | None = None) -> SearchRequest:
    """The search for an understood question: its cities as a filter, its hints for the reranker.

    BM25 gets the question as asked: the tokenizer already expands abbreviations (高企, 研发强度); adding
    every alias of the indicator concepts too pulls in rows of neighbouring indicators (measured in
    eval/README.md, "Retrieval tuning").
    """
    filters = filters or Filters()
    if query.cities:
        filters = replace(filters, cities=query.cities)  # within the user's filters: ask() keeps only cities they allow
    return SearchRequest(text=query.text, lexical_query=query.text, filters=filters, hints=hints_for(query, index))


class Assistant:
    """Answers questions over one loaded index (reloaded when a rebuild switches versions)."""

    def __init__(self, index: PlanIndex | Callable[[], PlanIndex], settings: AssistantSettings | None = None, generator: Any = None):
        self._index = index
        self.settings = settings or AssistantSettings()
        self.generator = generator

    @classmethod
    def from_index(cls, index_settings: IndexSettings | None = None, settings: AssistantSettings | None = None,
                   generator: Any = None) -> Assistant:
        """An assistant over the current index version (`build/index` unless PLANQA_INDEX_DIR says otherwise)."""
        index_settings = index_settings or IndexSettings()
        current_index(index_settings)  # fail now, with the rebuild hint, if there is no usable index
        if generator is None and GeneratorSettings().generator.strip().lower() != "extractive":
            generator = get_generator()  # PLANQA_GENERATOR=openai|local: rewrites under the grounding check
        return cls(lambda: current_index(index_settings), settings, generator)

    @property
    def index(self) -> PlanIndex:
        return self._index() if callable(self._index) else self._index

    def understand(self, question: str, history: Sequence[str] = (), profile: dict | None = None,
                   index: PlanIndex | None = None) -> Query:
        """Parse `question` (follow-ups resolved) against `index`'s cities (the current index by default)."""
        index = index or self.index
        previous: list[Query] = []
        for turn in history[-3:]:
            try:
                text, _ = clean_question(turn, self.settings.max_question_chars)
            except QuestionError:
                continue
            previous.append(understand(text, index.cities, previous))
        text, _ = clean_question(question, self.settings.max_question_chars)
        query = own_horizon(understand(text, index.cities, previous, profile=bool(profile)), index,
                            previous[-1] if previous else None)
        named = naming_numbers(normalize(text), query.numbers, library_text(index))
        return replace(query, numbers=tuple(n for n in query.numbers if n not in named)) if named else query

    def _conversation_cities(self, history: Sequence[str], index: PlanIndex) -> tuple[str, ...]:
        """The cities the conversation's last question is about (itself read as a follow-up of those before it)."""
        return self.understand(history[-1], history[:-1], None, index).cities

    def _entry_swapped(self, question: str, history: Sequence[str], index: PlanIndex) -> str | None:
        """The previous question asked of another entry of a list the conversation's plan holds (ordinals.swap_entry)."""
        if not ordinals.asks_entry(question):
            return None
        cities = self._conversation_cities(history, index)
        trees = sections.plan_tree(index.corpus)
        lists = [[name for name, _ in node.members()] for doc, meta in index.docs.items() if meta.city in cities
                 for root in trees.get(doc, []) for node in (root, *root.descendants())]
        return ordinals.swap_entry(question, history[-1], [names for names in lists if len(names) >= 2])

    def plan_search(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> SearchRequest:
        """The search `ask` would run for `question` (for tuning and inspection)."""
        return search_request(self.understand(question, history), self.index, filters)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        profile: dict | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        """Answer one question. `history` = the user's earlier questions, oldest first."""
        if isinstance(question, str) and english.is_english(question):  # read in the plans' words, led in English
            cities = tuple(self.index.cities)
            uses, text = library_uses(self.index), library_text(self.index)
            answer = self.ask(english.to_chinese(question, cities, uses, text),
                              [english.to_chinese(h, cities, uses, text) if english.is_english(h) else h for h in history],
                              filters, profile, mode)
            answer.text = f"{english.lead(answer, cities)}\n{answer.text}"
            return answer
        if isinstance(question, str) and (two := _TRAILING_FOLLOWUP.match(question.strip())) is not None:
            # the question, then the follow-up asked of it: each answered, one under the other
            first, second = self._in_turn([two.group("first"), two.group("second")], history, filters, profile, mode)
            return stacked(first, second, first.query) or first
        if history and isinstance(question, str) and ordinals.asks_by_position(question):
            # "第五个讲的是啥" after a list: the fifth item of the previous answer, by name
            previous = self.ask(history[-1], history[:-1], filters, profile, mode)
            question = ordinals.resolve(question, previous) or question
        elif history and isinstance(question, str) and ordinals.points_by_name(question):
            # "海安那个高新区主攻什么产业" after a list that gave 海安高新区: asked of that item, on its own
            previous = self.ask(history[-1], history[:-1], filters, profile, mode)
            if (named := ordinals.resolve_by_name(question, previous, _name_end())) is not None:
                question, history = named, ()
        started = time.perf_counter()
        index = self.index  # one snapshot per question, even if a rebuild switches versions meanwhile
        if history and isinstance(question, str) and (swapped := self._entry_swapped(question, history, index)) is not None:
            question, history = swapped, history[:-1]  # "集成电路那块呢" after a question naming 新能源汽车 of one list
        if isinstance(question, str) and any(ordinals.PLAN_POSITION.search(t) for t in (question, *history[-1:])):
            question, history = self._plan_positions(question, history, index)
        _, notice = clean_question(question, self.settings.max_question_chars)
        query = self.understand(question, history, profile, index)
        answer = self._answer(query, index, filters, profile, mode, notice, started)
        if answer.refused and query.followup and not answer.citations and (alone := self._city_alone(question, history, index)):
            # "那农产品出口要做到多少？" after "连云港争创国家级农高区，专栏里提了哪些目标？": the conversation's subject
            # kept beside the follow-up's own found nothing — the follow-up asked of the conversation's city alone
            retried = self._answer(alone, index, filters, profile, mode, notice, started)
            answer = answer if retried.refused else retried
        if isinstance(question, str) and answer.composer != "eligibility" and (pieces := separate_asks(question)):
            # "大学创新港要建几个，形成什么样的综合体", "高企净增多少家？由哪些部门负责？": each ask answered alone (the later
            # ones as follow-ups of the first); an ask whose quotes the whole answer does not hold is answered under it. When the
            # whole is refused without quoting, the asks' answers stand in for it unless any of them is refused too.
            parts = self._in_turn(pieces, history, filters, profile, mode)
            if answer.refused:
                if answer.citations or any(part.refused for part in parts):
                    return answer
                answer, parts = parts[0], parts[1:]
            quoted = list(answer.citations)
            for part in parts:
                if not part.refused and not all(any(_within(c, q) for q in quoted) for c in part.citations):
                    answer = stacked(answer, part, query) or answer
        return answer

    def _city_alone(self, question: str, history: Sequence[str], index: PlanIndex) -> Query | None:
        """A follow-up with words of its own, asked of the conversation's one city without the rest of the conversation;
        None when it names a place itself, says too little to be asked alone, or the conversation has no one city."""
        if not isinstance(question, str) or not history:
            return None
        alone = self.understand(question, (), None, index)
        if alone.cities or alone.unknown_places or not alone.topic or len(alone.topic.replace(" ", "")) < 4:
            return None
        cities = self._conversation_cities(history, index)
        if len(cities) != 1:
            return None
        return self.understand(f"{city_key(cities[0])}{_FOLLOWUP_LEAD.sub('', question.strip())}", (), None, index)

    def _in_turn(self, pieces: Sequence[str], history: Sequence[str], filters: Filters | None, profile: dict | None,
                 mode: Mode | None) -> list[Answer]:
        """The asks of one message answered in turn, each later one as a follow-up of those before it."""
        answers, asked = [], list(history)
        for piece in pieces:
            answers.append(self.ask(piece, asked, filters, profile, mode))
            asked.append(piece)
        return answers

    def _plan_positions(self, question: str, history: Sequence[str], index: PlanIndex) -> tuple[str, Sequence[str]]:
        """"江阴行动计划第20条讲的是什么" → the plan's item numbered 20 named instead, in the question and the earlier
        turns, when the conversation is about one plan and one of its item series gives that number once."""
        query = self.understand(question, history, None, index)
        docs = [d for d, meta in index.docs.items() if meta.city in query.cities]
        if len(docs) != 1:
            return question, history

        def name_of(n: int) -> str | None:
            node = sections.numbered(index.corpus, docs[0], n)
            return node.name if node is not None else None

        def chapter_of(n: int) -> str | None:
            node = sections.chapter(index.corpus, docs[0], n)
            return node.name if node is not None else None
        return (ordinals.name_positions(question, name_of, chapter_of),
                [ordinals.name_positions(h, name_of, chapter_of) for h in history])

    def compare(self, indicator: str, cities: Sequence[str], year: int | None = None, filters: Filters | None = None,
                mode: Mode | None = None) -> Answer:
        """One indicator's targets across `cities` (as the index names them, two or more), in `year` when given: the
        comparison is asked as such (`assistant.structured`), not as a sentence to be parsed."""
        started = time.perf_counter()
        index = self.index
        text, notice = clean_question(structured.compare_question(indicator, cities, year), self.settings.max_question_chars)
        query = structured.compare_query(text, cities, index.cities, year)
        return self._answer(query, index, filters, None, mode, notice, started)

    def check_eligibility(self, profile: dict, filters: Filters | None = None, mode: Mode | None = None) -> Answer:
        """The support measures `profile` (city, type, industry, stage, rd_level, needs, text; its city as the index
        names it) may be eligible for, asked as an eligibility check (`assistant.structured`)."""
        started = time.perf_counter()
        index = self.index
        text, notice = clean_question(structured.profile_question(profile), self.settings.max_question_chars)
        query = structured.eligibility_query(text, profile, index.cities)
        return self._answer(query, index, filters, profile, mode, notice, started)

    def _each_part(self, query: Query, joined: re.Match, index: PlanIndex, filters: Filters | None,
                   profile: dict | None, mode: Mode | None, notice: str | None, started: float) -> Answer | None:
        """"高新区和临港开发区各自的研发投入目标": the figure asked of each part of the city on its own, one answer under
        the other (a figure found for one part is not the other's); None when neither part's figure is found, or
        both parts are answered by the same sentence (…分别新建投运1家)."""
        answers = []
        for part in (joined.group("a"), joined.group("b")):
            text = query.text[:joined.start()] + part + query.text[joined.end():]
            answers.append(self._answer(replace(query, text=text, topic=query.topic.replace(joined.group(0), part)),
                                        index, filters, profile, mode, notice, started))
        found = [a for a in answers if not a.refused]
        if not found or len(found) == 1 and not answers[0].refused:
            return None
        return stacked(*answers, query, (f"【{joined.group('a')}】", f"【{joined.group('b')}】"))

    def _each_plan(self, query: Query, index: PlanIndex, filters: Filters, profile: dict | None, mode: Mode | None,
                   plan: versions.Plan) -> Answer | None:
        """A version question the indicator diff leaves open, asked of each of the two plans alone and answered side
        by side (`assistant.version_pairs`); None when neither plan answers it."""
        pair = version_answers.pick_pair(query.text, list(plan.plans), plan.year)
        if pair is None:
            return None

        def ask(text: str, version: versions.PlanVersion) -> Answer:
            one = self.understand(text, (), profile, index)
            return self._answer(one, index, replace(filters, doc_ids=(version.doc_id,)), profile, mode, None, time.perf_counter())

        return answer_each(query.text, pair, plan.year, ask)

    def _answer(self, query: Query, index: PlanIndex, filters: Filters | None, profile: dict | None,
                mode: Mode | None, notice: str | None, started: float) -> Answer:
        """Answer an understood query over `index` (one snapshot): routing, retrieval, the composer, the checks."""
        if query.intent == "target" and len(query.cities) == 1 and (joined := _JOINED_PARTS.search(query.text)):
            each = self._each_part(query, joined, index, filters, profile, mode, notice, started)
            if each is not None:
                return each
        query = without_plan_name(known_districts(query, index), index)
        filters = filters or Filters()
        index.retriever.allowed(filters)  # an unknown plan or city in the filters is an error, not ignored
        allowed_docs = allowed_plans(index, filters)
        outside: tuple[str, ...] = ()
        if allowed_docs is not None and query.cities:
            inside = tuple(c for c in query.cities if any(index.docs[d].city == c for d in allowed_docs))
            outside = tuple(c for c in query.cities if c not in inside)
            query = replace(query, cities=inside)
        elif allowed_docs is not None and len(allowed_docs) == 1 and not query.cities and not query.unknown_places:
            city = index.docs[next(iter(allowed_docs))].city  # the one plan the user chose: the question is about its city
            if city:  # (two plans of one city are left to the question: naming the city routes between their periods)
                query = replace(query, cities=(city,))
        plan = versions.plan_question(query.text, query.cities, index.docs, allowed_docs, query.period == "past")
        if plan is not None and plan.route is not None and plan.route.doc_ids:  # the plan of the period asked, or the current one
            filters = replace(filters, doc_ids=plan.route.doc_ids)
            allowed_docs = frozenset(plan.route.doc_ids) if allowed_docs is None else allowed_docs & set(plan.route.doc_ids)
        request = search_request(query, index, filters)
        filters, hints = request.filters, request.hints
        hits: list[Hit] = []
        if not (query.unknown_places and not query.cities):
            hits = index.retriever.search(request.text, max(self.settings.top_k, 20), filters=filters, hints=hints,
                                          mode=mode or self.settings.search_mode, lexical_query=request.lexical_query)  # type: ignore[arg-type]
        ctx = Context(index=index, query=query, filters=filters, hits=hits, profile=profile,
                      hints=hints, mode=mode or self.settings.search_mode, thresholds=self.settings.thresholds,  # type: ignore[arg-type]
                      allowed_docs=allowed_docs)
        missing = missing_names(query, index)
        if outside and not query.cities:
            answer = refuse(ctx, f"所选规划（{'、'.join(index.docs[d].title for d in sorted(allowed_docs))}）中关于"
                                 f"{'、'.join(outside)}的内容：{'、'.join(outside)}的规划不在所选范围内")
        elif query.unknown_places and (not query.cities or any(
                owns_plan(p, query.text) or compares(p, query.text, query.cities + query.unknown_places)
                or asked_of(p, query.original or query.text, query.cities) for p in query.unknown_places)):
            answer = refuse(ctx, f"{'、'.join(query.unknown_places)}的科技创新规划（已收录：{library_list(index)}）")
        elif unwritten := unwritten_parts(query):
            answer = refuse(ctx, f"“{'”“'.join(unwritten)}”（{'、'.join(query.cities)}规划中没有这一名称）")
        elif plan is not None and plan.route is not None and plan.route.missing:
            answer = refuse(ctx, f"{plan.city}{plan.route.missing}时期的规划（已收录：{'、'.join(p.label(plan.year) for p in plan.plans)}）")
        elif plan is not None and plan.route is None and (composed := version_answers.compose(ctx, list(plan.plans), plan.year)):
            answer = composed
        elif plan is not None and plan.route is None and (paired := self._each_plan(query, index, filters, profile, mode, plan)):
            answer = paired
        elif missing:
            answer = refuse(ctx, f"“{'”“'.join(missing)}”（{'、'.join(query.cities) or '各'}规划中没有这一名称）")
        elif (contradicted := premise.check(ctx)) is not None:
            answer = contradicted
        else:
            answer = notgiven.check(ctx, compose_answer(ctx))
            if plan is not None and plan.route is not None and not answer.refused:
                answer.text += versions.source_note(index.docs, plan, answer)
        if allowed_docs is not None and any(c.doc_id not in allowed_docs for c in answer.citations):
            answer = refuse(ctx, "所选规划中能回答该问题的条款")  # a filter holds, whatever a composer found elsewhere
        if self.generator is not None and not answer.refused:
            answer = rewrite(self.generator, ctx, answer)
        versions.stamp_periods([*answer.citations, *answer.nearest], index.docs)
        answer.retrieved = [
            Retrieved(doc_id=h.clause.doc_id, char_start=h.clause.char_start, char_end=h.clause.char_end, score=round(h.score, 6))
            for h in hits[:10]
        ]
        answer.query = query
        answer.notice = notice
        answer.question_chars = self.settings.max_question_chars if notice else None
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
