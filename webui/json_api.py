"""The JSON API: `/api/ask`, `/api/compare`, `/api/versions`, `/api/eligibility`, `/api/plans`, `/api/search`,
`/api/health`.

Plain JSON in and out, no queue: each request is answered by `assistant.tools` in the server's
thread pool. Request bodies are checked field by field (unknown fields are an error, not ignored);
answers are the JSON contract with each citation's plan named (`assistant.contract.ApiAnswer`).
The OpenAPI page is at `/docs`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.contract import (
    ApiAnswer,
    ComparisonResult,
    EligibilityResult,
    PlanInfo,
    Profile,
    SearchHit,
    VersionDiff,
)
from assistant.tools import (
    MAX_CITIES,
    MAX_DOC_IDS,
    MAX_HISTORY_ITEMS,
    MAX_INDICATOR_CHARS,
    MAX_SEARCH_K,
    InputError,
    check_length,
    hide_paths,
    make_filters,
)
from webui.api_common import ApiError

router = APIRouter(prefix="/api", tags=["JSON API"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    cities: list[str] = Field(default_factory=list, max_length=MAX_CITIES, description="e.g. [\"南京市\"]")
    doc_ids: list[str] = Field(default_factory=list, max_length=MAX_DOC_IDS, description="e.g. [\"nanjing-2021\"]")


class AskRequest(_Strict):
    question: str = Field(description="the question, e.g. 南京到2025年高新技术企业要达到多少家？")
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY_ITEMS,
                               description="the user's earlier questions in the conversation, oldest first")
    filters: FiltersIn | None = None
    profile: Profile | None = None
    id: str | None = Field(None, max_length=200, description="echoed in the answer")


class CompareRequest(_Strict):
    indicator: str = Field(description="e.g. 高新技术企业数, 研发投入强度, 技术合同成交额", max_length=MAX_INDICATOR_CHARS)
    cities: list[str] = Field(default_factory=list, max_length=MAX_CITIES, description="two or more; empty: all cities")


class VersionsRequest(_Strict):
    city: str | None = Field(None, max_length=40, description="the city whose two plans to compare, e.g. 南京市")
    doc_ids: list[str] = Field(default_factory=list, max_length=2,
                               description="two plans of the city (default: its current plan and the one before it)")


class EligibilityRequest(_Strict):
    profile: Profile
    filters: FiltersIn | None = Field(None, description="the plans to read (default: the profile's city)")


def _check_length(request: Request, field: str, *texts: str) -> None:
    try:
        check_length(field, texts, request.app.state.serve.max_message_chars)
    except InputError as exc:
        raise ApiError(400, str(exc), field) from None


@router.post("/ask", response_model=ApiAnswer, summary="Answer one question, with exact citations")
def ask(body: AskRequest, request: Request) -> Any:
    from assistant import tools

    _check_length(request, "question", body.question)
    _check_length(request, "history", *body.history)
    filters = make_filters(body.filters.cities, body.filters.doc_ids) if body.filters else None
    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        record, _ = tools.ask(assistant, body.question, body.history, filters, body.profile, body.id)
    return record


@router.post("/compare", response_model=ComparisonResult, summary="One indicator across cities, as a cited table")
def compare(body: CompareRequest, request: Request) -> Any:
    from assistant import tools

    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        return tools.compare(assistant, body.indicator, body.cities)


@router.post("/versions", response_model=VersionDiff,
             summary="Two plans of one city: indicators old and new, the change, whether old targets were met, each cited")
def versions(body: VersionsRequest, request: Request) -> Any:
    from assistant import version_table

    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        return version_table.versions(assistant, body.city, body.doc_ids)


@router.post("/eligibility", response_model=EligibilityResult, summary="Support measures a profile may qualify for")
def eligibility(body: EligibilityRequest, request: Request) -> Any:
    from assistant import tools

    filters = make_filters(body.filters.cities, body.filters.doc_ids) if body.filters else None
    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        return tools.check_eligibility(assistant, body.profile, filters)


@router.get("/plans", response_model=list[PlanInfo], summary="The plans in the index")
def plans(request: Request) -> Any:
    from assistant import tools

    return tools.list_plans(request.app.state.engine.get())


@router.get("/search", response_model=list[SearchHit], summary="The clauses that best match a query")
def search(request: Request,
           q: Annotated[str, Query(description="words to look for, e.g. 科技金融")],
           k: Annotated[int, Query(ge=1, le=MAX_SEARCH_K)] = 10,
           city: Annotated[list[str] | None, Query(description="repeatable")] = None,
           doc_id: Annotated[list[str] | None, Query(description="repeatable")] = None) -> Any:
    from assistant import tools

    _check_length(request, "q", q)
    filters = make_filters(city, doc_id) if city or doc_id else None
    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        return tools.search(assistant, q, k, filters)


@router.get("/health", summary="Whether the index is loaded")
def health(request: Request) -> dict[str, Any]:
    engine = request.app.state.engine
    if engine.ready:
        index = engine.get(0).index
        return {"status": "ready", "plans": len(index.docs), "index_version": Path(str(index.version)).name,
                "load_s": round(engine.loaded_s or 0.0, 2)}
    if engine.error:
        return {"status": "failed", "error": hide_paths(engine.error)}
    return {"status": "loading"}
