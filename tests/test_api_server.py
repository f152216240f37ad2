"""Issue 12 against a real `python app.py` (what `make run` starts), behind a login and an API key.

One server for the module, over a private copy of the index. The clients are the ones our users
run: the stock `openai` client, LangChain's `ChatOpenAI`, the MCP SDK's own client over streamable
HTTP, a Dify-style external knowledge call, and plain HTTP for the JSON API. Every cited quote is
checked against the plan's source text at its offsets.
"""
from __future__ import annotations

import asyncio
import base64
import json

import httpx
import pytest
from app_support import PLANS, index_env, private_index, start_app, stop_app

from ingest import read_document

USER, PASSWORD, KEY = "planqa", "s3cret-pass", "test-key-0123456789"
NANJING = "南京到2025年高新技术企业要达到多少家？"
FILES = {"nanjing-2021": "nanjing-2021-sti-plan.txt", "nantong-2021": "nantong-2021-sti-plan.txt",
         "jurong-2022": "jurong-2022-sti-plan.txt", "lianyungang-2021": "lianyungang-2021-sti-plan.txt",
         "jiangyin-2020": "jiangyin-2020-innovation-action-plan.txt"}
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-server")
    settings = private_index(root)
    log = root / "app.log"
    url, proc = start_app(settings, log, PLANQA_AUTH=f"{USER}:{PASSWORD}", PLANQA_API_KEY=KEY)
    try:
        yield url, log
    finally:
        stop_app(proc)


@pytest.fixture(scope="module")
def url(served) -> str:
    return served[0]


_SOURCES: dict[str, str] = {}


def source_of(doc_id: str) -> str:
    if doc_id not in _SOURCES:
        _SOURCES[doc_id] = read_document(PLANS / FILES[doc_id])
    return _SOURCES[doc_id]


def assert_exact(citations: list[dict]) -> None:
    assert citations
    for c in citations:
        assert source_of(c["doc_id"])[c["char_start"]:c["char_end"]] == c["quote"]
        assert c["title"] and c["section"] is not None and "city" in c


# -- OpenAI-compatible chat ---------------------------------------------------------------------------------------
def test_models_lists_planqa(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=KEY)
    assert [m.id for m in client.models.list().data] == ["planqa"]


def test_openai_client_gets_a_cited_answer(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=KEY)
    response = client.chat.completions.create(model="planqa", messages=[
        {"role": "system", "content": "你是助手"}, {"role": "user", "content": NANJING}])
    text = response.choices[0].message.content
    assert "20000" in text and "[1]" in text and response.choices[0].finish_reason == "stop"
    assert response.refused is False  # top-level fields the client keeps
    assert_exact(response.citations)
    assert response.citations[0]["doc_id"] == "nanjing-2021" and response.citations[0]["city"] == "南京市"


def test_openai_client_streams_and_the_last_chunk_carries_the_citations(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=KEY)
    stream = client.chat.completions.create(model="planqa", stream=True, stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": NANJING}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    final = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    assert "20000" in text and len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2
    assert final.refused is False
    assert_exact(final.citations)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(text)


def test_the_conversation_drives_follow_ups_and_the_extra_object_restricts(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key=KEY)
    follow_up = client.chat.completions.create(model="planqa", messages=[
        {"role": "user", "content": NANJING}, {"role": "assistant", "content": "南京市…20000家[1]"},
        {"role": "user", "content": "那南通呢？"}])
    assert "3600" in follow_up.choices[0].message.content
    assert {c["doc_id"] for c in follow_up.citations} == {"nantong-2021"}
    restricted = client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": NANJING}],
                                                extra_body={"planqa": {"filters": {"cities": ["句容市"]}}})
    assert restricted.refused is True and "20000" not in restricted.choices[0].message.content


def test_langchain_chat_openai_invoke_and_stream(url):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="planqa", base_url=f"{url}/v1", api_key=KEY, max_retries=0, timeout=60)
    message = llm.invoke(NANJING)
    assert "20000" in message.content and "[1]" in message.content
    streamed = "".join(chunk.content for chunk in llm.stream("南通到2025年高新技术企业要达到多少家？"))
    assert "3600" in streamed


# -- JSON API ---------------------------------------------------------------------------------------------------
def test_api_ask_with_history_filters_and_profile(url):
    r = httpx.post(f"{url}/api/ask", headers=AUTH, timeout=60,
                   json={"question": "那南通呢？", "history": [NANJING], "filters": {"cities": ["南通市"]}, "id": "q1"})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["id"] == "q1" and "3600" in record["answer"] and not record["refused"]
    assert_exact(record["citations"])
    r = httpx.post(f"{url}/api/ask", headers=AUTH, timeout=60, json={
        "question": "我们可以享受哪些支持？", "profile": {"city": "南通市", "type": "科技型中小企业", "needs": ["融资"]}})
    assert r.status_code == 200 and r.json()["citations"]


def test_api_compare_eligibility_plans_search(url):
    r = httpx.post(f"{url}/api/compare", headers=AUTH, timeout=60,
                   json={"indicator": "高新技术企业数", "cities": ["南京市", "南通市"]})
    assert r.status_code == 200, r.text
    rows = {row["city"]: row for row in r.json()["table"]}
    assert rows["南京市"]["value"] == 20000 and rows["南通市"]["value"] == 3600
    assert_exact(r.json()["citations"])
    r = httpx.post(f"{url}/api/eligibility", headers=AUTH, timeout=60,
                   json={"profile": {"city": "南通", "type": "科技型中小企业", "needs": ["融资"]}})
    assert r.status_code == 200, r.text
    checklist = r.json()["checklist"]
    assert checklist and all(item["doc_id"] == "nantong-2021" for item in checklist)
    plans = httpx.get(f"{url}/api/plans", headers=AUTH, timeout=60).json()
    assert {p["doc_id"] for p in plans} == set(FILES) and all(p["clauses"] > 100 for p in plans)
    hits = httpx.get(f"{url}/api/search", headers=AUTH, timeout=60,
                     params={"q": "科技金融", "k": 3, "city": "句容市"}).json()
    assert len(hits) == 3 and all(h["doc_id"] == "jurong-2022" for h in hits)
    assert all(source_of(h["doc_id"])[h["char_start"]:h["char_end"]] == h["text"] for h in hits)


def test_openapi_page_lists_the_routes(url):
    spec = httpx.get(f"{url}/openapi.json", headers=AUTH, timeout=30).json()
    for path in ("/v1/chat/completions", "/v1/models", "/api/ask", "/api/compare", "/api/eligibility", "/api/plans",
                 "/api/search", "/retrieval"):
        assert path in spec["paths"], path
    page = httpx.get(f"{url}/docs", headers=AUTH, timeout=30)
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text  # served here, not from a CDN
    assert httpx.get(f"{url}/docs/assets/swagger-ui-bundle.js", headers=AUTH, timeout=30).status_code == 200


# -- Dify external knowledge ------------------------------------------------------------------------------------
def test_dify_retrieval_returns_records_with_offsets(url):
    body = {"knowledge_id": "planqa", "query": "科技金融贷款产品", "retrieval_setting": {"top_k": 4, "score_threshold": 0.1}}
    r = httpx.post(f"{url}/retrieval", headers=AUTH, json=body, timeout=60)
    assert r.status_code == 200, r.text
    records = r.json()["records"]
    assert 1 <= len(records) <= 4 and all(0.1 <= rec["score"] <= 1 for rec in records)
    for rec in records:
        m = rec["metadata"]
        assert source_of(m["doc_id"])[m["char_start"]:m["char_end"]] == rec["content"] and rec["title"] and m["section"]
    city = httpx.post(f"{url}/retrieval", headers=AUTH, timeout=60, json={**body, "knowledge_id": "句容市"}).json()
    assert {rec["metadata"]["doc_id"] for rec in city["records"]} == {"jurong-2022"}
    missing = httpx.post(f"{url}/retrieval", headers=AUTH, timeout=60, json={**body, "knowledge_id": "no-such"})
    assert missing.status_code == 404 and missing.json()["error_code"] == 2001
    wrong = httpx.post(f"{url}/retrieval", headers={"Authorization": "Bearer wrong-key-123"}, json=body, timeout=30)
    assert wrong.status_code == 401 and wrong.json()["error_code"] == 1002
    malformed = httpx.post(f"{url}/retrieval", headers={"Authorization": "Token x"}, json=body, timeout=30)
    assert malformed.status_code == 401 and malformed.json()["error_code"] == 1001


# -- MCP over streamable HTTP -----------------------------------------------------------------------------------
def test_mcp_client_over_streamable_http(url):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def session() -> tuple[list[str], dict, dict, bool]:
        http = httpx2.AsyncClient(headers=AUTH, timeout=httpx2.Timeout(60, read=120))
        async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            answer = await client.call_tool("ask", {"question": NANJING})
            compared = await client.call_tool("compare", {"indicator": "高新技术企业数", "cities": ["南京市", "南通市"]})
            bad = await client.call_tool("ask", {"question": NANJING, "cities": ["苏州市"]})
            return names, answer.structured_content, compared.structured_content, bad.is_error

    names, answer, compared, bad_is_error = asyncio.run(session())
    assert sorted(names) == ["ask", "check_eligibility", "compare", "list_plans", "search", "versions"]
    assert "20000" in answer["answer"] and not answer["refused"]
    assert_exact(answer["citations"])
    assert {row["city"] for row in compared["table"]} == {"南京市", "南通市"}
    assert bad_is_error


def test_an_mcp_client_started_with_the_server_lists_tools_at_once_and_gets_an_answer(tmp_path_factory):
    """`python app.py` and the SDK's client started together (issue 20 item 5): the client retries until the server
    listens, lists the tools and gets an answer once the index is loaded. That tools/list never waits for the index
    is tests/test_reliability_api.py's in-process check; how soon it comes is bench/bench_limits.py's."""
    import time

    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from bench.process import launch_app

    root = tmp_path_factory.mktemp("mcp-start")
    settings = private_index(root)
    base, proc = launch_app(root / "app.log", **index_env(settings))

    async def session() -> tuple[list[str], dict]:
        deadline = time.monotonic() + 120
        while True:  # connection refused until the server listens
            try:
                async with httpx2.AsyncClient() as probe:
                    await probe.get(f"{base}/api/health", timeout=5)
                break
            except httpx2.HTTPError:
                assert time.monotonic() < deadline, "the server did not listen within 120 s"
                await asyncio.sleep(0.1)
        http = httpx2.AsyncClient(timeout=httpx2.Timeout(60, read=180))
        async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
            names = sorted(t.name for t in (await client.list_tools()).tools)
            answer = await client.call_tool("ask", {"question": NANJING})
            return names, answer.structured_content

    try:
        names, answer = asyncio.run(session())
    finally:
        stop_app(proc)
    assert names == ["ask", "check_eligibility", "compare", "list_plans", "search", "versions"]
    assert "20000" in answer["answer"] and not answer["refused"]
    assert_exact(answer["citations"])


# -- security ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/models", "/api/plans", "/api/search?q=科技", "/openapi.json", "/docs"])
def test_every_program_route_requires_the_key(url, path):
    assert httpx.get(f"{url}{path}", timeout=30).status_code == 401
    assert httpx.get(f"{url}{path}", headers={"Authorization": "Bearer not-the-key"}, timeout=30).status_code == 401
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert httpx.get(f"{url}{path}", headers={"Authorization": f"Basic {basic}"}, timeout=30).status_code == 200


def test_post_routes_and_mcp_require_the_key(url):
    for path, body in [("/v1/chat/completions", {"model": "planqa", "messages": [{"role": "user", "content": NANJING}]}),
                       ("/api/ask", {"question": NANJING}), ("/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"})]:
        r = httpx.post(f"{url}{path}", json=body, timeout=30, headers={"accept": "application/json, text/event-stream"})
        assert r.status_code == 401, path
        assert "20000" not in r.text


def test_openai_client_with_a_wrong_key_gets_an_authentication_error(url):
    import openai

    client = openai.OpenAI(base_url=f"{url}/v1", api_key="wrong-key-123", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": NANJING}])


def test_the_page_keeps_its_login(url):
    assert httpx.get(f"{url}/gradio_api/info", timeout=30).status_code == 401
    r = httpx.post(f"{url}/login", data={"username": USER, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200


def test_oversized_body_gets_413_on_the_program_routes(url):
    body = json.dumps({"question": "南京" + "啊" * 300_000}, ensure_ascii=False).encode("utf-8")
    r = httpx.post(f"{url}/api/ask", content=body, headers={**AUTH, "content-type": "application/json"}, timeout=60)
    assert r.status_code == 413 and "PLANQA_MAX_REQUEST_BYTES" in r.text


def test_the_log_has_no_secret_and_no_traceback(served):
    _, log = served
    text = log.read_text(encoding="utf-8")
    assert PASSWORD not in text and KEY not in text and "Traceback" not in text
