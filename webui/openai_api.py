"""OpenAI-compatible chat: `POST /v1/chat/completions` and `GET /v1/models` (one model, `planqa`).

What a stock OpenAI client gets, and what PlanQA adds:

* `messages` is the conversation. The last message is the question (role `user`); the earlier user
  messages are the follow-up context (“那南通呢？” after a question about 南京); system, developer and
  assistant messages are accepted and do not change the answer.
* The answer text keeps its `[n]` markers. The response carries, next to `choices`, a top-level
  `citations` list — `doc_id`, `title`, `city`, `section`, `quote`, `char_start`, `char_end`, where
  `quote == source[char_start:char_end]` — and `refused` (true when the plans do not say). The
  `openai` client keeps unknown fields: `response.citations`, `response.refused`.
* `stream: true` sends server-sent events in OpenAI's chunk format: the role, the text in pieces
  (never splitting a marker), then a final chunk with `finish_reason: "stop"`, `citations` and
  `refused`, then `data: [DONE]`. `stream_options.include_usage` adds the usage chunk.
* Filters and an eligibility profile go in one optional extra object, `planqa`:
  `{"planqa": {"filters": {"cities": ["南京市"], "doc_ids": [...]}, "profile": {...}}}` (with the
  `openai` client: `extra_body={"planqa": {...}}`).
* Sampling parameters (temperature, top_p, max_tokens …) are accepted and have no effect: answers are
  composed from the plans. Unknown fields, tool calls, `n` > 1 and an unknown model get 400/404.
  `usage` counts characters, not tokens (there is no tokenizer to agree with).
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.contract import Profile
from assistant.tools import make_filters, shown
from webui.api_common import ApiError

MODEL_ID = "planqa"
CREATED = 1764720000  # 2025-12-03, when the model id was first served
MAX_MESSAGES = 200

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextPart(_Lenient):
    type: Literal["text"]
    text: str


class Message(_Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    refusal: str | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content)


class FiltersIn(_Lenient):
    cities: list[str] = Field(default_factory=list, max_length=50)
    doc_ids: list[str] = Field(default_factory=list, max_length=200)


class PlanQAOptions(_Lenient):
    """The extra object: what restricts the plans, and the applicant's profile for eligibility questions."""

    filters: FiltersIn | None = None
    profile: Profile | None = None


class StreamOptions(_Lenient):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class ChatRequest(_Lenient):
    """OpenAI's chat completion request; the sampling parameters are accepted and ignored."""

    model: str = Field(description="planqa")
    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    planqa: PlanQAOptions | None = Field(None, description="PlanQA's extra object: filters and profile")
    # accepted for compatibility, no effect
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    user: str | None = None
    seed: int | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    service_tier: str | None = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    response_format: dict[str, Any] | None = None
    modalities: list[str] | None = None
    parallel_tool_calls: bool | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    functions: list[dict[str, Any]] | None = None
    function_call: str | dict[str, Any] | None = None
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None


def conversation(request: ChatRequest, max_chars: int) -> tuple[str, list[str]]:
    """(the question, the earlier user questions oldest first), or ApiError naming what is wrong."""
    if request.model != MODEL_ID:
        raise ApiError(404, f"模型“{shown(request.model)}”不存在：请使用 model=\"{MODEL_ID}\"（见 GET /v1/models）。", "model",
                       "model_not_found")
    if request.n not in (None, 1):
        raise ApiError(400, "n 只能为 1：每个问题只有一个回答。", "n")
    if request.tools or request.functions:
        raise ApiError(400, "PlanQA 不调用工具：请去掉 tools / functions（MCP 工具见 /mcp）。", "tools")
    last = request.messages[-1]
    if last.role != "user":
        raise ApiError(400, "最后一条消息应为用户的问题（role 为 user）。", "messages")
    for i, message in enumerate(request.messages):
        if message.role == "user" and len(message.text()) > max_chars:
            raise ApiError(400, f"消息过长（messages[{i}]，{len(message.text())} 字）：每条消息不超过 {max_chars} 字"
                                "（PLANQA_MAX_MESSAGE_CHARS）。", f"messages[{i}].content")
    question = last.text()
    if not question.strip():
        raise ApiError(400, "问题为空：最后一条用户消息没有文字。", "messages")
    history = [m.text() for m in request.messages[:-1] if m.role == "user" and m.text().strip()]
    return question, history


def _usage(request: ChatRequest, text: str) -> dict[str, int]:
    prompt = sum(len(m.text()) for m in request.messages)
    return {"prompt_tokens": prompt, "completion_tokens": len(text), "total_tokens": prompt + len(text)}


_TOKEN = re.compile(r"\[\d+\]|.", re.DOTALL)  # a citation marker is one token: never split


def pieces(text: str, size: int = 24) -> list[str]:
    """The text in streaming pieces: up to a sentence end or `size` characters, never inside an [n] marker."""
    out: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        current += token
        if token in "。；！？\n" or len(current) >= size:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def completion(request: ChatRequest, record: Any, created: int, cid: str) -> dict[str, Any]:
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID, "system_fingerprint": None,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": record.answer, "refusal": None},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(request, record.answer),
        "citations": [c.model_dump() for c in record.citations],
        "refused": record.refused,
        "planqa": _extra(record),
    }


def _extra(record: Any) -> dict[str, Any]:
    return {"notice": record.notice, "latency_ms": record.latency_ms,
            "retrieved": [r.model_dump() for r in record.retrieved],
            "generation": record.generation.model_dump() if record.generation else None}


def chunks(request: ChatRequest, record: Any, created: int, cid: str) -> Iterator[str]:
    """The answer as OpenAI's server-sent chunk events."""
    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "system_fingerprint": None, "choices": choices, **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None, "logprobs": None}])
    for piece in pieces(record.answer):
        yield event([{"index": 0, "delta": {"content": piece}, "finish_reason": None, "logprobs": None}])
    yield event([{"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}],
                citations=[c.model_dump() for c in record.citations], refused=record.refused, planqa=_extra(record))
    if request.stream_options and request.stream_options.include_usage:
        yield event([], usage=_usage(request, record.answer))
    yield "data: [DONE]\n\n"


@router.get("/models", summary="The one model: planqa")
def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "planqa"}]}


@router.get("/models/{model}", summary="One model")
def model(model: str) -> dict[str, Any]:
    if model != MODEL_ID:
        raise ApiError(404, f"模型“{shown(model)}”不存在：只有 {MODEL_ID}。", "model", "model_not_found")
    return {"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "planqa"}


@router.post("/chat/completions", summary="Chat completion with citations (OpenAI format; stream: true for SSE)")
def chat_completions(body: ChatRequest, request: Request) -> Any:
    from assistant import tools

    serve = request.app.state.serve
    question, history = conversation(body, serve.max_message_chars)
    options = body.planqa or PlanQAOptions()
    filters = make_filters(options.filters.cities, options.filters.doc_ids) if options.filters else None
    engine = request.app.state.engine
    assistant = engine.get()
    with engine.slot():
        record, _ = tools.ask(assistant, question, history, filters, options.profile)
    created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"
    if body.stream:
        return StreamingResponse(chunks(body, record, created, cid), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return completion(body, record, created, cid)
