"""What other programs call: ask, search, compare, check_eligibility, list_plans.

One definition of each operation, used by the JSON API, the OpenAI-compatible chat and the Dify
retrieval route (`webui/`), and by the MCP server (`assistant/mcp.py`), so that each speaks the same
answers with the same checks. Every function takes the loaded `Assistant` and returns a pydantic
model of `assistant.contract`.

Input a caller can get wrong (an empty question, a city or plan the index does not have, a need
the eligibility check does not know, a profile of the wrong shape) raises `InputError` with a
message saying what is expected; a missing index raises `Unavailable`. Nothing else is expected.

The heavy modules (the index, the embedding model) are imported inside the functions, so a server
can import this module, and answer that it is starting, before the index is loaded.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from assistant import versions
from assistant.structured import compare_question, profile_question
from assistant.contract import (
    ApiAnswer,
    Citation,
    ComparisonResult,
    EligibilityResult,
    PlanInfo,
    Profile,
    SearchHit,
    SourceCitation,
)
from ingest.lexicon import city_key, place_stem
from ingest.periods import plan_kind

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.service import Assistant
    from index.retriever import Filters
    from index.store import PlanIndex

MAX_SEARCH_K = 50
MAX_HISTORY_TURNS = 50  # the earlier questions read (the last ones); more may be sent, up to MAX_HISTORY_ITEMS
MAX_HISTORY_ITEMS = 200
MAX_CITIES = 50
MAX_DOC_IDS = 200
MAX_INDICATOR_CHARS = 100


class InputError(ValueError):
    """The request cannot be answered as given; the message says what to send instead."""


class Unavailable(RuntimeError):
    """There is no usable index (yet); the message says what to do."""


def _expected() -> tuple[type[Exception], ...]:
    from assistant.service import QuestionError
    from index.retriever import FilterError

    return QuestionError, FilterError


def _unavailable() -> tuple[type[Exception], ...]:
    from index.embeddings import EmbeddingModelError
    from index.versions import IndexUnavailableError

    return IndexUnavailableError, EmbeddingModelError


SHOWN_CHARS = 80
# an absolute server path (two or more segments), not a route this server names in its messages (/v1/models …)
_SERVER_PATH = re.compile(r"(?<![\w.:/~-])/(?!(?:v1|api|gradio_api|mcp|docs|retrieval|openapi\.json)\b)"
                          r"(?:[\w.@+~-]+/)+([\w.@+~-]+)")


def hide_paths(text: str) -> str:
    """`text` with every absolute server path cut to its last part ("/srv/planqa/build/index" → "…/index"):
    messages that leave the server name what to fix, not where the server keeps its files."""
    return _SERVER_PATH.sub(lambda m: "…/" + m.group(1), text)


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value a caller sent, as an error message echoes it: at most `limit` characters, then "…"."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_length(field: str, texts: Sequence[str], limit: int) -> None:
    """InputError when one of `texts` is longer than `limit` characters (PLANQA_MAX_MESSAGE_CHARS)."""
    for text in texts:
        if isinstance(text, str) and len(text) > limit:
            raise InputError(f"{field} 过长（{len(text)} 字）：不超过 {limit} 字（PLANQA_MAX_MESSAGE_CHARS）。")


# Pydantic's error types in plain words: {name} is the field, {what} the kind of input, {lower}/{upper} a bound,
# other names the error's context.
_PLAIN_ERRORS = {
    "missing": "缺少{what}{name}",
    "extra_forbidden": "未知{what}{name}",
    **dict.fromkeys(("string_type", "string_unicode"), "{name}应为字符串"),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), "{name}应为整数"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "{name}应为 true 或 false"),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), "{name}应为列表"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "{name}应为对象"),
    "greater_than_equal": "{name}应不小于 {lower}",
    "greater_than": "{name}应大于 {lower}",
    "less_than_equal": "{name}应不大于 {upper}",
    "less_than": "{name}应小于 {upper}",
    "string_too_long": "{name}过长：不超过 {max_length} 字",
    "too_long": "{name}过长：最多 {max_length} 项",
    "string_too_short": "{name}过短：至少 {min_length} 字",
    "too_short": "{name}过短：至少 {min_length} 项",
}


class _Context(dict):
    def __missing__(self, key: str) -> None:
        return None


def plain_errors(errors: Sequence[Mapping[str, Any]], what: str = "参数") -> str:
    """Pydantic's validation errors in plain words: which field, what it should be (never the value sent)."""
    out = []
    for e in list(errors)[:5]:
        where = shown(".".join(str(p) for p in e.get("loc", ())))
        kind, ctx = e.get("type", ""), e.get("ctx") or {}
        name = f"“{where}”" if where else what
        template = _PLAIN_ERRORS.get(kind, "{name}的值不符合要求（{kind}）")
        out.append(template.format_map(_Context(ctx, name=name, what=what, kind=kind or "invalid",
                                                lower=ctx.get("ge", ctx.get("gt")), upper=ctx.get("le", ctx.get("lt")))))
    return "；".join(out) + "。"


_SEPARATORS = re.compile(r"[,，、;；]")  # between names typed in one box


def _names(value: Any, field: str, example: str, split: bool = False,
           error: type[Exception] = InputError) -> tuple[str, ...]:
    """A list of names; one string is one name, or with `split` names joined by 、，; (a form's text box).
    Empty names and None are no name; anything else is `error` saying what the field takes."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = _SEPARATORS.split(value) if split else [value]
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, str) for v in value):
        value = [v.strip() for v in value if v and v.strip()]
        long = next((v for v in value if len(v) > SHOWN_CHARS), None)
        if long is not None:
            raise error(f"{field} 中的名称过长（{len(long)} 字）：{shown(long)}。例如 {example}。")
        return tuple(value)
    gap = " " if field[-1:].isascii() else ""
    raise error(f"{field}{gap}应为名称的列表，例如 {example}；收到的是 {type(value).__name__}：{shown(value, 40)}。")


def make_filters(cities: Any = None, doc_ids: Any = None, *, fields: tuple[str, str] = ("cities", "doc_ids"),
                 split: bool = False, error: type[Exception] = InputError) -> Filters:
    """The filters a caller sends (`fields` names them in messages; the page splits a typed list)."""
    from index.retriever import Filters

    return Filters(cities=_names(cities, fields[0], '["南京市"]', split, error),
                   doc_ids=_names(doc_ids, fields[1], '["nanjing-2021"]', split, error))


def check_filters(index: PlanIndex, filters: Filters) -> None:
    """An unknown plan or city in the filters is an InputError naming the ones there are."""
    try:
        index.retriever.allowed(filters)
    except _expected() as exc:
        raise InputError(str(exc)) from None


def check_profile(index: PlanIndex, profile: Profile | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The profile as the eligibility composer reads it (empty fields dropped), or InputError."""
    from assistant.composers.eligibility import NEEDS

    if profile is None:
        return None
    if not isinstance(profile, Profile):
        if not isinstance(profile, Mapping):
            raise InputError(f"profile 应为对象，例如 {{\"city\": \"南京市\", \"type\": \"科技型中小企业\"}}；"
                             f"收到的是 {type(profile).__name__}。")
        try:
            profile = Profile.model_validate(dict(profile))
        except ValidationError as exc:
            raise InputError("profile 有误：" + plain_errors(
                [{**e, "loc": ("profile", *e["loc"])} for e in exc.errors()], "字段")) from None
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in profile.model_dump().items()}
    data = {k: v for k, v in data.items() if v}
    city = data.get("city")
    if city and city_key(city) not in {city_key(c) for c in index.cities}:
        raise InputError(f"没有这个城市的规划：{shown(city)}（可选：{'、'.join(index.cities)}）")
    if city:
        data["city"] = next(c for c in index.cities if city_key(c) == city_key(city))
    unknown = [n for n in data.get("needs", []) if n not in NEEDS]
    if unknown:
        raise InputError(f"未知的需求：{'、'.join(shown(n) for n in unknown)}（可选：{'、'.join(NEEDS)}）")
    return data


def cited(index: PlanIndex, citations: Sequence[Citation]) -> list[SourceCitation]:
    """Citations with their plan's title and city."""
    out = []
    for c in citations:
        meta = index.docs.get(c.doc_id)
        source = SourceCitation(**c.model_dump(), title=meta.title if meta else c.doc_id, city=meta.city if meta else None)
        if source.period is None:  # a citation built outside Assistant.ask (a search, a comparison tool)
            versions.stamp_periods([source], index.docs)
        out.append(source)
    return out


def _api_answer(kind: type[ApiAnswer], answer: Answer, index: PlanIndex, question: str, id: str | None = None,
                **extra: Any) -> Any:
    record = answer.record(question, id)
    return kind(**record.model_dump(exclude={"citations"}), citations=cited(index, answer.citations),
                notice=answer.notice, **extra)


def _run(operation: Callable[[], Answer]) -> Answer:
    """The assistant's answer, its expected errors as InputError and a missing index as Unavailable."""
    try:
        return operation()
    except _expected() as exc:
        raise InputError(str(exc)) from None
    except _unavailable() as exc:
        raise Unavailable(str(exc)) from None


def _ask(assistant: Assistant, question: Any, history: Sequence[str], filters: Filters | None,
         profile: dict | None) -> tuple[Answer, PlanIndex]:
    index = assistant.index
    return _run(lambda: assistant.ask(question, history=history, filters=filters, profile=profile)), index


def _history(history: Any) -> list[str]:
    if history is None:
        return []
    if not (isinstance(history, (list, tuple)) and all(isinstance(t, str) for t in history)):
        raise InputError("history 应为用户此前的问题（字符串列表，按时间先后）。")
    return list(history)[-MAX_HISTORY_TURNS:]


def used_question(assistant: Assistant, question: Any) -> str:
    """The question as a record echoes it: as given, or, when longer than the assistant reads
    (`max_question_chars`), only the part it used — never the whole of an oversized input."""
    from assistant.service import QuestionError, clean_question

    limit = assistant.settings.max_question_chars
    if not isinstance(question, str):
        return str(question)[:limit]
    if len(question) <= limit:
        return question
    try:
        return clean_question(question, limit)[0]
    except QuestionError:
        return question[:limit]


# -- the operations ----------------------------------------------------------------------------------------------
def ask(assistant: Assistant, question: str, history: Sequence[str] | None = None, filters: Filters | None = None,
        profile: Profile | Mapping[str, Any] | None = None, id: str | None = None) -> tuple[ApiAnswer, Answer]:
    """Answer one question (history: the user's earlier questions, oldest first) → (API record, the Answer)."""
    index = _index(assistant)
    if filters is not None:
        check_filters(index, filters)
    checked = check_profile(index, profile)
    answer, index = _ask(assistant, question, _history(history), filters, checked)
    return _api_answer(ApiAnswer, answer, index, used_question(assistant, question), id), answer


def compare(assistant: Assistant, indicator: str, cities: Sequence[str] | None = None,
            year: int | None = None) -> ComparisonResult:
    """One indicator (高新技术企业数, 研发投入强度 … or the plans' own words) across the given cities (two or more;
    none: all). Only those cities' plans are read; a place the indicator names outside them is said so."""
    answer, question = compared(assistant, indicator, cities, year)
    return _api_answer(ComparisonResult, answer, _index(assistant), question, table=list(answer.table or []))


def compared(assistant: Assistant, indicator: str, cities: Sequence[str] | None = None,
             year: int | None = None) -> tuple[Answer, str]:
    """`compare`'s Answer (the page renders it) and the words it was asked in: the checks, then
    `Assistant.compare` over the chosen cities."""
    index = _index(assistant)
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100):
        raise InputError("year 应为四位数的年份，例如 2025。")
    indicator = (indicator or "").strip() if isinstance(indicator, str) else ""
    if not indicator:
        raise InputError("indicator 为空：请给出要对比的指标，例如“高新技术企业数”。")
    chosen = list(dict.fromkeys(_names(cities, "cities", '["南京市", "南通市"]')))
    filters = None
    if chosen:
        from index.retriever import Filters

        check_filters(index, Filters(cities=tuple(chosen)))
        chosen = list(dict.fromkeys(next(c for c in index.cities if city_key(c) == city_key(x)) for x in chosen))
        if len(chosen) < 2:
            raise InputError(f"cities 只有一个城市（{chosen[0]}）：对比需要两个或更多城市，留空则对比全部城市。")
        filters = Filters(cities=tuple(chosen))
        indicator, outside = confined(index, indicator, chosen)
        if not indicator.strip():
            raise InputError(f"indicator 只有地名（{'、'.join(outside)}）：请给出要对比的指标，例如“高新技术企业数”。")
    else:
        chosen, outside = list(index.cities), []
    answer = _run(lambda: assistant.compare(indicator, chosen, year, filters))
    said_outside(answer, outside, chosen)
    return answer, compare_question(indicator, chosen, year)


def confined(index: PlanIndex, text: str, allowed: Sequence[str]) -> tuple[str, list[str]]:
    """(`text` without the places it names outside `allowed` cities, those places): a city named in a profile's
    free text or an indicator does not widen what the caller confined the answer to."""
    from assistant.query import EXTRA_ALIASES, find_cities

    cities, others = find_cities(text, index.cities)
    outside = [c for c in cities if c not in allowed] + [p for p in others if p not in allowed]
    for place in outside:
        stem = place_stem(place)
        forms = {place, stem, *(alias for alias, s in EXTRA_ALIASES.items() if s == stem)}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "")
    return text, outside


def said_outside(answer: Answer, outside: Sequence[str], allowed: Sequence[str]) -> None:
    """Lead `answer` with the places left out, in the words `ask` uses for a place outside the filter."""
    if outside:
        answer.text = (f"{'、'.join(outside)}的规划不在所选范围（{'、'.join(allowed)}）内，"
                       f"以下只依据{'、'.join(allowed)}的规划。\n{answer.text}")


def check_eligibility(assistant: Assistant, profile: Profile | Mapping[str, Any],
                      filters: Filters | None = None) -> EligibilityResult:
    """The support measures `profile` may be eligible for, with conditions judged against what it tells.

    Only the plans of the filter's cities (or plans), else of the profile's city, are read; a place the
    profile's free text names outside them is said so and leaves the question."""
    answer, question = eligible(assistant, profile, filters)
    return _api_answer(EligibilityResult, answer, _index(assistant), question, checklist=list(answer.checklist or []))


def eligible(assistant: Assistant, profile: Profile | Mapping[str, Any],
             filters: Filters | None = None) -> tuple[Answer, str]:
    """`check_eligibility`'s Answer (the page renders it) and the words it was asked in: the checks, then
    `Assistant.check_eligibility`."""
    from index.retriever import Filters

    index = _index(assistant)
    checked = check_profile(index, profile)
    if not checked:
        raise InputError("profile 为空：至少给出 city（所在城市）或 type（主体类型），例如 "
                         '{"city": "南京市", "type": "科技型中小企业"}。')
    if filters is not None and (filters.cities or filters.doc_ids):
        check_filters(index, filters)
    elif checked.get("city"):
        filters = Filters(cities=(checked["city"],))
    else:
        filters = None
    outside: list[str] = []
    allowed: list[str] = []
    if filters is not None:
        allowed = sorted({m.city for d, m in index.docs.items() if m.city and (not filters.doc_ids or d in filters.doc_ids)
                          and (not filters.cities or city_key(m.city) in {city_key(c) for c in filters.cities})})
        if checked.get("text"):
            text, outside = confined(index, checked["text"], allowed)
            checked = {**checked, "text": text} if text.strip() else {k: v for k, v in checked.items() if k != "text"}
    answer = _run(lambda: assistant.check_eligibility(checked, filters))
    said_outside(answer, outside, allowed)
    return answer, profile_question(checked)


def search(assistant: Assistant, query: str, k: int = 10, filters: Filters | None = None) -> list[SearchHit]:
    """The k best clauses for `query` (hybrid retrieval with the reranker), best first."""
    from assistant.service import clean_question

    index = _index(assistant)
    if not isinstance(k, int) or not 1 <= k <= MAX_SEARCH_K:
        raise InputError(f"k 应为 1 到 {MAX_SEARCH_K} 之间的整数。")
    try:
        text, _ = clean_question(query, assistant.settings.max_question_chars)
    except _expected() as exc:
        raise InputError(str(exc).replace("问题", "查询")) from None
    if filters is not None:
        check_filters(index, filters)
    try:
        hits = index.retriever.search(text, k, filters=filters, mode=assistant.settings.search_mode)  # type: ignore[arg-type]
    except _expected() as exc:
        raise InputError(str(exc)) from None
    return [SearchHit(doc_id=h.clause.doc_id, title=h.meta.title, city=h.meta.city, section=" > ".join(h.clause.section),
                      kind=h.clause.kind, text=index.corpus.source(h.clause.doc_id)[h.clause.char_start:h.clause.char_end],
                      char_start=h.clause.char_start, char_end=h.clause.char_end, score=round(float(h.score), 6))
            for h in hits]


def list_plans(assistant: Assistant) -> list[PlanInfo]:
    """The plans in the index, by doc_id."""
    index = _index(assistant)
    year = versions.today_year()
    out = []
    for d, m in sorted(index.docs.items()):
        period, ended = versions.period_of(m, year)
        out.append(PlanInfo(doc_id=d, title=m.title, city=m.city, issuer=m.issuer, doc_number=m.doc_number, date=m.date,
                            period=f"{period.start}-{period.end}" if period else m.period, kind=plan_kind(m.title or "", period),
                            period_ended=ended, clauses=len(index.clause_ids_of(d))))
    return out


def _index(assistant: Assistant) -> PlanIndex:
    try:
        return assistant.index
    except _unavailable() as exc:
        raise Unavailable(str(exc)) from None


MARKER = re.compile(r"\[\d+\]")


def without_markers(text: str) -> str:
    """The answer text without its [n] citation markers (for tools that cite by other means)."""
    return MARKER.sub("", text)
