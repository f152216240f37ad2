"""Dify's External Knowledge API: `POST /retrieval`, so a Dify app can use PlanQA as its knowledge base.

In Dify: Knowledge → External Knowledge API → endpoint `http://<host>:<port>` (Dify appends
`/retrieval`) and the API key (PLANQA_API_KEY; any text when the server has none); then connect an
external knowledge base with a knowledge ID:

* `planqa` (or `all`): every plan;
* a plan's doc_id (`nanjing-2021`) or a city (`南京市`): that plan or city only.

Request `{"knowledge_id", "query", "retrieval_setting": {"top_k", "score_threshold"},
"metadata_condition"?}` → `{"records": [{"content", "score", "title", "metadata"}]}`, best first.
`content` is the clause exactly as the plan writes it, and `metadata` carries what a citation needs:
`doc_id`, `city`, `section`, `kind`, `char_start`, `char_end` (`content == source[char_start:char_end]`).
Scores are the hybrid retrieval's reranked scores, clipped to [0, 1]. `metadata_condition` may filter
on `city` and `doc_id` (`is`, `is not`, `contains`). Errors follow Dify's shape,
`{"error_code", "error_msg"}`: 1001 malformed Authorization header, 1002 wrong key, 2001 no such
knowledge base, 400 anything else the request gets wrong.
"""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.tools import shown
from ingest.lexicon import city_key, same_city
from webui.api_common import ApiError

router = APIRouter(tags=["Dify external knowledge"])
ALL = ("planqa", "all")


class RetrievalSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    top_k: int = Field(ge=1, le=50)
    score_threshold: float = Field(0.0, ge=0.0, le=1.0)


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: list[str] = Field(min_length=1)
    comparison_operator: str
    value: str | list[str] | None = None


class MetadataCondition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    logical_operator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(default_factory=list)


class RetrievalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    knowledge_id: str = Field(min_length=1, max_length=200)
    query: str
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


class Record(BaseModel):
    content: str
    score: float
    title: str
    metadata: dict[str, Any]


class RetrievalResponse(BaseModel):
    records: list[Record]


def _matches(hit: Any, condition: Condition) -> bool:
    values = [condition.value] if isinstance(condition.value, str) else list(condition.value or [])
    results = []
    for name in condition.name:
        if name not in ("city", "doc_id"):
            raise ApiError(400, f"metadata_condition 只能按 city 或 doc_id 过滤（收到 {shown(name)}）。", "metadata_condition")
        field = str(getattr(hit, name) or "")
        op = condition.comparison_operator
        if op in ("is", "=", "in"):
            results.append(any(same_city(field, v) for v in values))
        elif op in ("is not", "≠", "not in"):
            results.append(all(not same_city(field, v) for v in values))
        elif op == "contains":
            results.append(any(v in field for v in values))
        elif op == "not contains":
            results.append(all(v not in field for v in values))
        else:
            raise ApiError(400, f"不支持的比较方式：{shown(op)}（可用 is、is not、contains、not contains）。", "metadata_condition")
    return any(results)


@router.post("/retrieval", response_model=RetrievalResponse, summary="Dify external knowledge retrieval")
def retrieval(body: RetrievalRequest, request: Request) -> Any:
    from assistant import tools

    limit = request.app.state.serve.max_message_chars
    if len(body.query) > limit:
        raise ApiError(400, f"query 过长（{len(body.query)} 字）：不超过 {limit} 字。", "query")
    assistant = request.app.state.engine.get()
    index = assistant.index
    kid = body.knowledge_id.strip()
    if kid.lower() in ALL:
        filters = None
    elif kid in index.docs:
        filters = tools.make_filters(None, [kid])
    elif city_key(kid) in {city_key(c) for c in index.cities}:
        filters = tools.make_filters([kid], None)
    else:
        raise ApiError(404, f"知识库“{shown(kid)}”不存在：可用 planqa（全部规划）、规划编号（{'、'.join(sorted(index.docs))}）"
                            f"或城市（{'、'.join(index.cities)}）。", "knowledge_id")
    conditions = body.metadata_condition.conditions if body.metadata_condition else []
    depth = tools.MAX_SEARCH_K if conditions else body.retrieval_setting.top_k
    with request.app.state.engine.slot():
        hits = tools.search(assistant, body.query, depth, filters)
    if conditions:
        either = body.metadata_condition.logical_operator == "or"  # type: ignore[union-attr]
        hits = [h for h in hits if (any if either else all)(_matches(h, c) for c in conditions)]
    records = []
    for hit in hits[: body.retrieval_setting.top_k]:
        score = min(max(hit.score, 0.0), 1.0)
        if score < body.retrieval_setting.score_threshold:
            continue
        records.append(Record(content=hit.text, score=round(score, 6), title=hit.title, metadata={
            "doc_id": hit.doc_id, "city": hit.city, "title": hit.title, "section": hit.section, "kind": hit.kind,
            "char_start": hit.char_start, "char_end": hit.char_end}))
    return RetrievalResponse(records=records)
