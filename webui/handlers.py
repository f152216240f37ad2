"""What each control of the page does, as plain functions of the assistant's public API.

`app.py` only wires these to Gradio components. Each handler turns the assistant's
expected errors (an empty question, a filter naming an unknown plan, a missing index)
into a message on the page: a user never sees a traceback and never loses what they typed.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from assistant import (
    ELIGIBILITY_NEEDS,
    ELIGIBILITY_SUBJECTS,
    Answer,
    AnswerRecord,
    Assistant,
    FilterError,
    Filters,
    IndexUnavailableError,
    Profile,
    QuestionError,
    concept_of,
    stated_needs,
)
from assistant import tools, version_table
from webui import render
from webui.exports import ExportFolder
from webui.guard import scrub

EXPECTED_ERRORS = (QuestionError, FilterError, IndexUnavailableError)

SUBJECT_TYPES = tuple(ELIGIBILITY_SUBJECTS)  # the kinds of applicant the eligibility composer recognises
NEEDS = tuple(ELIGIBILITY_NEEDS)  # the needs a profile may state (the eligibility vocabulary's list)
STAGES = ("初创期", "成长期", "成熟期", "拟上市")
RD_LEVELS = ("无", "市级", "省级", "国家级")

EXAMPLES_OFFICIALS = (
    "南京到2025年高新技术企业要达到多少家？",
    "南京、连云港、南通、句容“十四五”的高企目标各是多少？",
    "南通“十四五”的七大科技创新提升工程是哪些？",
    "江阴2020年“全市净增高新技术企业150家”这项任务由哪个部门牵头？",
)
EXAMPLES_ENTERPRISES = (
    "我们是一家科技型中小企业，在南通，可以享受哪些支持？",
    "我们是南京的一家新型研发机构，市里对我们有什么支持？",
    "我们是连云港的科小，想升高企，市里有什么帮扶？",
    "在句容有哪些科技金融贷款产品可以用？",
)


def message_text(content: Any) -> str:
    """The text of a chat message, whether Gradio gives a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(message_text(part) for part in content)
    return ""


def user_questions(history: Sequence[dict[str, Any]] | None) -> list[str]:
    """The user's earlier questions, oldest first: what the assistant resolves follow-ups against."""
    return [message_text(m.get("content")) for m in history or [] if m.get("role") == "user"]


def filter_names(value: Any, field: str, example: str) -> tuple[str, ...]:
    """A selection as names: a list of strings, or one string ("南京市", "南京市、南通市"); anything else is a
    FilterError saying what is expected (an API client sending `cities=5` gets that message, not a TypeError)."""
    return tools._names(value, field, example, split=True, error=FilterError)


def make_filters(cities: Any = None, doc_ids: Any = None) -> Filters:
    """The page's filters, read as the JSON API reads them (`tools.make_filters`), named as the page names them."""
    return tools.make_filters(cities, doc_ids, fields=("限定城市（cities）", "限定规划（plans）"), split=True,
                              error=FilterError)


def plans_in_library(selected: Sequence[str] | None, docs: Any) -> list[str]:
    """The chosen plans (限定规划) that are still indexed: a removed plan leaves the choice."""
    return [d for d in (selected or ()) if d in docs]


def plans_after_upload(selected: Sequence[str] | None, doc_id: str | None, docs: Any) -> list[str]:
    """限定规划 after an upload: the plans already chosen plus the one just uploaded.

    A user who has just uploaded a plan and asks "规划里一共有几个专栏？" means that plan, not the
    whole library; the page puts it in the chat's scope, where the user sees it and can clear it.
    """
    chosen = plans_in_library(selected, docs)
    return chosen + [doc_id] if doc_id and doc_id in docs and doc_id not in chosen else chosen


# -- chat -------------------------------------------------------------------------------------
@dataclass
class ChatTurn:
    history: list[dict[str, Any]]
    sources: str
    question_box: str  # what stays in the input box: emptied on success, kept on an error
    answer: Answer | None


def chat(assistant: Assistant, question: str, history: list[dict[str, Any]] | None,
         cities: Sequence[str] | None = None, doc_ids: Sequence[str] | None = None) -> ChatTurn:
    """Answer one chat turn; earlier user turns drive follow-ups, the filters restrict the plans."""
    history = list(history or [])
    earlier = user_questions(history)
    shown = scrub(question) if isinstance(question, str) else ""
    try:
        index = assistant.index
        answer = assistant.ask(question, history=earlier, filters=make_filters(cities, doc_ids))
    except EXPECTED_ERRORS as exc:
        if shown.strip():
            history.append({"role": "user", "content": shown})
        history.append({"role": "assistant", "content": render.error_message(str(exc))})
        return ChatTurn(scrub(history), render.NO_SOURCES, shown, None)
    history += [{"role": "user", "content": shown}, {"role": "assistant", "content": render.chat_message(answer, index)}]
    return ChatTurn(scrub(history), render.sources_html(answer, index), "", answer)


def sources_of_message(assistant: Assistant, history: list[dict[str, Any]] | None, position: int,
                       cities: Sequence[str] | None = None, doc_ids: Sequence[str] | None = None) -> str:
    """The sources panel for an earlier message of the chat (clicked): its turn is asked again, with the
    user's questions before it as the conversation, so the panel shows the clauses that answer cited."""
    history = list(history or [])
    if not 0 <= position < len(history):
        return render.NO_SOURCES
    if history[position].get("role") == "user":  # a question: the answer below it
        position += 1
    if position >= len(history) or history[position].get("role") != "assistant" or position == 0:
        return render.NO_SOURCES
    asked = [i for i in range(position) if history[i].get("role") == "user"]
    if not asked:
        return render.NO_SOURCES
    earlier = [message_text(history[i].get("content")) for i in asked[:-1]]
    try:
        index = assistant.index
        answer = assistant.ask(message_text(history[asked[-1]].get("content")), history=earlier,
                               filters=make_filters(cities, doc_ids))
    except EXPECTED_ERRORS:
        return render.NO_SOURCES
    return render.sources_html(answer, index)


used_question = tools.used_question


def ask_record(assistant: Assistant, question: Any, cities: Any = None, doc_ids: Any = None,
               history: Any = None, profile: Any = None) -> dict[str, Any]:
    """The JSON contract object for one question (the `/ask` API); bad input gives a refused record.

    `history` is the user's earlier questions (oldest first), `profile` the eligibility fields. The record
    echoes only the question text that was used, and carries no lone surrogates."""
    try:
        if history is not None and not (isinstance(history, list) and all(isinstance(t, str) for t in history)):
            raise FilterError("history（对话历史）应为此前问题的列表，例如 [\"南京到2025年科技型中小企业要达到多少家？\"]")
        if profile is not None and not isinstance(profile, dict):
            raise FilterError("profile（企业画像）应为对象，例如 {\"city\": \"南京市\", \"type\": \"高新技术企业\"}")
        if profile is not None:  # the JSON API's checks: known fields and needs, a city with a plan
            profile = tools.check_profile(assistant.index, profile)
        answer = assistant.ask(question, history=history or (), filters=make_filters(cities, doc_ids), profile=profile)
        record = answer.record(used_question(assistant, question)).model_dump()
    except (*EXPECTED_ERRORS, tools.InputError) as exc:
        record = AnswerRecord(question=used_question(assistant, question), answer=str(exc), refused=True).model_dump()
    return scrub(record)


# -- 城市对比 ---------------------------------------------------------------------------------
def indicator_choices(index: Any) -> list[tuple[str, str]]:
    """(label, concept) for every indicator concept some plan's table sets, most widely set first."""
    cities: dict[str, set[str]] = defaultdict(set)
    for record in index.indicators:
        concept = concept_of(record.indicator)
        if concept:
            cities[concept].add(index.docs[record.doc_id].city or record.doc_id)
    ranked = sorted(cities.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(f"{concept}（{len(where)}个城市）", concept) for concept, where in ranked]


@dataclass
class Comparison:
    table: pd.DataFrame
    chart: pd.DataFrame | None
    note: str
    sources: str
    answer: Answer | None


def compare(assistant: Assistant, concept: str | None, cities: Sequence[str] | None) -> Comparison:
    """Compare one indicator concept across cities (all cities when fewer than two are chosen)."""
    empty = render.comparison_table(Answer("", [], False, []))
    if not concept:
        return Comparison(empty, None, "请选择一个指标。", render.NO_SOURCES, None)
    chosen = [c for c in cities or () if c]
    note = "选择的城市少于两个，已对比全部城市。" if len(chosen) == 1 else ""
    try:
        index = assistant.index
        answer, _ = tools.compared(assistant, concept, chosen if len(chosen) >= 2 else None)
    except (*EXPECTED_ERRORS, tools.InputError, tools.Unavailable) as exc:
        return Comparison(empty, None, str(exc), render.NO_SOURCES, None)
    if answer.refused or not answer.table:
        text = answer.text if answer.refused else f"没有得到“{concept}”的对比表。"
        return Comparison(empty, None, text, render.sources_html(answer, index), answer)
    chart, chart_note = render.comparison_chart(answer, concept)
    table = render.comparison_table(answer, concept)
    return Comparison(table, chart, " ".join(n for n in (note, chart_note) if n), render.sources_html(answer, index), answer)


# -- 版本对比 ---------------------------------------------------------------------------------
def version_cities(index: Any) -> list[str]:
    """The cities that hold plans of two or more periods (those the 版本对比 view can compare)."""
    from assistant.versions import series

    return list(series(index.docs))


NO_SERIES = "规划库中还没有同一城市两个时期的规划。在“规划库”上传某城市新一期的规划（如“十五五”规划）后，可在这里对比两版。"


def version_hint(index: Any) -> str:
    """What the 版本对比 view says before a city is chosen."""
    return "选择城市后点击“对比两版”。" if version_cities(index) else NO_SERIES


@dataclass
class Versions:
    table: pd.DataFrame  # the indicator rows
    note: str  # the header: the two plans and their periods (规划期已结束 when over), the counts
    sources: str
    only: pd.DataFrame = field(default_factory=pd.DataFrame)  # sections and topics only one plan has


def versions(assistant: Assistant, city: str | None) -> Versions:
    """The 版本对比 view of one city: the version table of `assistant.version_table.versions` (as the JSON API and MCP)."""
    empty = pd.DataFrame()
    try:
        index = assistant.index
        if not city:
            return Versions(empty, version_hint(index), render.NO_SOURCES)
        diff = version_table.versions(assistant, city)
    except (tools.InputError, tools.Unavailable, *EXPECTED_ERRORS) as exc:
        return Versions(empty, str(exc), render.NO_SOURCES)
    markers = render.VersionMarkers()
    table, _ = render.version_table(diff, markers)
    only = render.version_only_table(diff, markers)

    def named(plan: Any) -> str:
        years = plan.period.replace("-", "—") + "年"
        period = years if plan.label == years else f"“{plan.label}”，{years}"
        return f"《{plan.title}》（{period}{'，规划期已结束' if plan.period_ended else ''}）"

    note = (f"**{diff.city}**：{named(diff.old)}与{named(diff.new)}。\n\n"
            f"两版都有的指标 {len(diff.indicators)} 项，新增 {len(diff.added)} 项，不再列出 {len(diff.dropped)} 项；"
            f"完成情况按新一期规划给出的基期数据判断。"
            f"只在一版中的重点任务章节：新增 {len(diff.sections_added)} 项，不再单独成节 {len(diff.sections_dropped)} 项；"
            f"只在一版章节标题中的主题：新版 {len(diff.topics_added)} 项，旧版 {len(diff.topics_dropped)} 项。")
    return Versions(table, note, render.citations_html(markers.cited, index), only)


# -- 资格自查 ---------------------------------------------------------------------------------
@dataclass
class Eligibility:
    markdown: str
    sources: str
    export_path: str | None
    answer: Answer | None


EXPORTS = ExportFolder()  # <system temp>/planqa-exports


def profile_needs(chosen: Any, text: Any) -> list[str]:
    """The needs to look for: those chosen in the selector, in their order, then those 补充说明 states
    ("想找贷款" → 融资), read as the assistant reads a question. A need not in the list is a FilterError."""
    chosen = filter_names(chosen, "需求（needs）", f'["{NEEDS[0]}"]') if chosen else ()
    unknown = [n for n in chosen if n not in NEEDS]
    if unknown:
        raise FilterError(f"未知的需求：{'、'.join(scrub(n[:20]) for n in unknown[:6])}（可选：{'、'.join(NEEDS)}）")
    said = stated_needs({}, text) if isinstance(text, str) and text.strip() else []
    return list(dict.fromkeys([*chosen, *said]))


def _cut(field: str, value: Any) -> Any:
    """A text box's value cut to what the profile contract takes (as the question box is cut to what is read):
    the page asks with the first part of an over-long 补充说明 instead of refusing it."""
    info = Profile.model_fields.get(field)
    limit = next((m.max_length for m in info.metadata if getattr(m, "max_length", None)), None) if info else None
    return value[:limit] if isinstance(value, str) and limit else value


def eligibility(assistant: Assistant, profile: dict[str, Any], exports: ExportFolder | None = None,
                session: str | None = None) -> Eligibility:
    """The checklist of measures that may apply to `profile`, with a Markdown file to download
    (the session's one export file in `exports`, replacing its previous one)."""
    profile = {k: (v.strip() if isinstance(v, str) else v) for k, v in profile.items() if v}
    try:
        needs = profile_needs(profile.get("needs"), profile.get("text"))
        if needs:
            profile["needs"] = needs
        index = assistant.index
        answer, _ = tools.eligible(assistant, {k: _cut(k, v) for k, v in profile.items()})
    except (*EXPECTED_ERRORS, tools.InputError, tools.Unavailable) as exc:
        return Eligibility(render.error_message(str(exc)), render.NO_SOURCES, None, None)
    markdown = scrub(render.checklist_markdown(answer, index, profile))
    path = (exports or EXPORTS).write(markdown, session)
    return Eligibility(markdown, render.sources_html(answer, index), str(path), answer)
