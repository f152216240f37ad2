"""The program routes' reliability matrix (issue 12, item 7): what a careless or hostile client sends gets a 4xx
with a clear message — never a 500, never a traceback. In process (`webui.server.create_app` with the real
assistant over the session's index, the same middleware as `python app.py`), so the matrix stays fast.
Also: a request made while the index is still loading, and the MCP server over stdio with the SDK's client.
"""
from __future__ import annotations

import asyncio
import json
import sys
import threading

import pytest
from fastapi.testclient import TestClient

from webui.api_common import Engine
from webui.openai_api import pieces
from webui.server import create_app
from webui.settings import ServeSettings

NANJING = "南京到2025年高新技术企业要达到多少家？"


def chat(content, **extra):
    return {"model": "planqa", "messages": [{"role": "user", "content": content}], **extra}


def user(*contents):
    return [{"role": "user", "content": c} for c in contents]


CHAT = "/v1/chat/completions"
MATRIX = [
    # (path, body (str: sent as is), status, words the message must hold)
    (CHAT, "{bad json", 400, "JSON"),
    (CHAT, "", 400, "请求体"),
    (CHAT, "[]", 400, "JSON 对象"),
    (CHAT, {}, 400, "缺少字段“model”"),
    (CHAT, chat(NANJING, foo=1), 400, "未知字段“foo”"),
    (CHAT, {"model": "planqa", "messages": []}, 400, "messages"),
    (CHAT, {"model": "planqa", "messages": [{"role": "robot", "content": "hi"}]}, 400, "messages.0.role"),
    (CHAT, {"model": "planqa", "messages": [{"role": "user", "content": 5}]}, 400, "messages.0.content"),
    (CHAT, {"model": "planqa", "messages": [{"role": "user", "content": NANJING, "x": 1}]}, 400, "未知字段“messages.0.x”"),
    (CHAT, {"model": "planqa", "messages": [*user(NANJING), {"role": "assistant", "content": "…"}]}, 400, "最后一条"),
    (CHAT, chat("   "), 400, "问题为空"),
    (CHAT, chat(""), 400, "问题为空"),
    (CHAT, chat("\u200b\x00\x1b[31m"), 400, "问题"),
    (CHAT, chat("南京" * 1500), 400, "消息过长"),
    (CHAT, {"model": "planqa", "messages": [*user("南" * 2500, NANJING)]}, 400, "messages[0]"),
    (CHAT, chat(NANJING, stream=True, model="gpt-4o"), 404, "planqa"),
    (CHAT, chat(NANJING, n=2), 400, "n 只能为 1"),
    (CHAT, chat(NANJING, tools=[{"type": "function", "function": {"name": "f"}}]), 400, "tools"),
    (CHAT, chat(NANJING, planqa={"filters": {"cities": ["苏州市"]}}), 400, "苏州市"),
    (CHAT, chat(NANJING, planqa={"filters": {"doc_ids": ["no-such-plan"]}}), 400, "no-such-plan"),
    (CHAT, chat(NANJING, planqa={"filters": {"cities": "南京市"}}), 400, "planqa.filters.cities"),
    (CHAT, chat(NANJING, planqa={"filter": {}}), 400, "未知字段“planqa.filter”"),
    (CHAT, chat(NANJING, planqa={"profile": {"bogus": 1}}), 400, "未知字段“planqa.profile.bogus”"),
    (CHAT, chat(NANJING, planqa={"profile": "南京的企业"}), 400, "planqa.profile"),
    (CHAT, chat(NANJING, planqa={"profile": {"needs": ["飞行"]}}), 400, "未知的需求"),
    (CHAT, chat(NANJING, planqa={"profile": {"city": "苏州市"}}), 400, "苏州市"),
    (CHAT, chat(NANJING, temperature="hot"), 400, "temperature"),
    ("/api/ask", {}, 400, "缺少字段“question”"),
    ("/api/ask", {"question": 5}, 400, "question"),
    ("/api/ask", {"question": NANJING, "history": "那南通呢"}, 400, "history"),
    ("/api/ask", {"question": NANJING, "history": [1, 2]}, 400, "history.0"),
    ("/api/ask", {"question": NANJING, "filters": {"doc_ids": ["no-such-plan"]}}, 400, "no-such-plan"),
    ("/api/ask", {"question": NANJING, "filters": {"cities": ["火星市"]}}, 400, "火星市"),
    ("/api/ask", {"question": NANJING, "filters": [1]}, 400, "filters"),
    ("/api/ask", {"question": NANJING, "profile": {"type": "企业", "age": 3}}, 400, "profile.age"),
    ("/api/ask", {"question": NANJING, "profile": {"needs": "融资"}}, 400, "profile.needs"),
    ("/api/ask", {"question": NANJING, "profile": {"text": "长" * 1001}}, 400, "profile.text"),
    ("/api/ask", {"question": "？？？！！"}, 400, "没有可识别的文字"),
    ("/api/ask", '{"question": "\\ud800"}', 400, "问题"),
    ("/api/ask", {"question": "南" * 2001}, 400, "过长"),
    ("/api/compare", {"indicator": ""}, 400, "indicator"),
    ("/api/compare", {"indicator": "高新技术企业数", "cities": ["苏州市", "南京市"]}, 400, "苏州市"),
    ("/api/compare", {"indicator": "高新技术企业数", "city": ["南京市"]}, 400, "未知字段“city”"),
    ("/api/compare", {"indicator": "高新技术企业数", "cities": ["南京市"]}, 400, "两个或更多城市"),
    ("/api/compare", {"indicator": "南京市", "cities": ["南通市", "句容市"]}, 400, "只有地名"),
    ("/api/eligibility", {"profile": {"city": "南京市"}, "filters": {"cities": ["火星市"]}}, 400, "火星市"),
    ("/api/eligibility", {}, 400, "profile"),
    ("/api/eligibility", {"profile": {}}, 400, "profile 为空"),
    ("/api/eligibility", {"profile": "科技型中小企业"}, 400, "profile"),
    ("/api/eligibility", {"profile": {"city": "苏州市", "type": "科技型中小企业"}}, 400, "苏州市"),
    ("/api/eligibility", {"profile": {"city": "南京市", "needs": ["融资", "飞行"]}}, 400, "飞行"),
    ("/retrieval", {"knowledge_id": "planqa", "query": "科技金融"}, 400, "retrieval_setting"),
    ("/retrieval", {"knowledge_id": "planqa", "query": "科技金融", "retrieval_setting": {"top_k": 0}}, 400, "top_k"),
    ("/retrieval", {"knowledge_id": "planqa", "query": "科技金融",
                    "retrieval_setting": {"top_k": 3, "score_threshold": 2}}, 400, "score_threshold"),
    ("/retrieval", {"knowledge_id": "planqa", "query": "", "retrieval_setting": {"top_k": 3}}, 400, "查询为空"),
    ("/retrieval", {"knowledge_id": "planqa", "query": "科技金融", "retrieval_setting": {"top_k": 3},
                    "metadata_condition": {"conditions": [{"name": ["author"], "comparison_operator": "is",
                                                           "value": "x"}]}}, 400, "city 或 doc_id"),
    ("/retrieval", "{oops", 400, "JSON"),
]


@pytest.mark.parametrize(("path", "body", "status", "words"), MATRIX, ids=[f"{i}:{m[0]}" for i, m in enumerate(MATRIX)])
def test_bad_requests_get_a_clear_4xx(client, path, body, status, words):
    content = body.encode("utf-8") if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    r = client.post(path, content=content, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert "Traceback" not in r.text
    data = r.json()
    message = data["error_msg"] if path == "/retrieval" else data["error"]["message"]
    assert words in message or words == (data.get("error") or {}).get("param"), message
    if path == "/retrieval":
        assert data["error_code"] in (400, 2001)


@pytest.mark.parametrize(("url", "words"), [
    ("/api/search", "q"), ("/api/search?q=", "查询为空"), ("/api/search?q=科技&k=0", "k"), ("/api/search?q=科技&k=abc", "k"),
    ("/api/search?q=科技&city=苏州市", "苏州市"), ("/v1/models/gpt-4", "planqa"),
])
def test_bad_queries_get_a_clear_4xx(client, url, words):
    r = client.get(url)
    assert 400 <= r.status_code < 500 and "Traceback" not in r.text
    assert words in r.json()["error"]["message"] or words == r.json()["error"]["param"]


def test_an_oversized_body_gets_413_naming_the_limit(client):
    body = json.dumps(chat("南京" * 200_000), ensure_ascii=False).encode("utf-8")
    r = client.post(CHAT, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "PLANQA_MAX_REQUEST_BYTES" in r.text


def test_a_foreign_host_is_refused_on_loopback(client):
    assert client.get("/v1/models", headers={"host": "evil.example"}).status_code == 400


def test_good_requests_answer(client):
    r = client.post(CHAT, json=chat(NANJING, planqa={"filters": {"cities": ["南京市"]}}))
    assert r.status_code == 200 and "20000" in r.json()["choices"][0]["message"]["content"]
    r = client.post("/api/ask", json={"question": "我们可以享受哪些支持？", "profile": {"city": "南通", "needs": ["融资"]}})
    assert r.status_code == 200 and r.json()["citations"]
    r = client.post("/retrieval", json={"knowledge_id": "nanjing-2021", "query": "高新技术企业",
                                        "retrieval_setting": {"top_k": 2, "score_threshold": 0}})
    assert r.status_code == 200 and [x["metadata"]["doc_id"] for x in r.json()["records"]] == ["nanjing-2021"] * 2


def test_a_refusal_is_an_answer_not_an_error(client):
    r = client.post(CHAT, json=chat("苏州到2025年高新技术企业要达到多少家？"))
    assert r.status_code == 200 and r.json()["refused"] is True and r.json()["citations"] == []


def test_stream_pieces_never_split_a_marker():
    text = "南京市规划提出到2025年，高新技术企业数目标为20000家（2020年为6507家）。[1][12]另一句[3]。" + "长" * 60 + "[14]"
    parts = pieces(text)
    assert "".join(parts) == text and len(parts) > 3
    assert all(p.count("[") == p.count("]") for p in parts)


def test_a_question_asked_while_loading_waits_then_gets_503(assistant):
    release = threading.Event()

    def slow_load():
        release.wait(30)
        return assistant

    engine = Engine(slow_load, wait_s=0.3)
    app = create_app(ServeSettings(), engine, page=None, mcp=False)
    with TestClient(app, base_url="http://127.0.0.1:7860") as c:
        assert c.get("/v1/models").status_code == 200  # needs no index
        assert c.get("/api/health").json() == {"status": "loading"}
        r = c.post("/api/ask", json={"question": NANJING})
        assert r.status_code == 503 and r.headers["retry-after"] and "加载" in r.json()["error"]["message"]
        assert c.get("/", headers={"accept": "text/html"}).status_code == 503  # the page: "starting", refreshes
        release.set()
        engine.get(30)
        r = c.post("/api/ask", json={"question": NANJING})
        assert r.status_code == 200 and "20000" in r.json()["answer"]
        assert c.get("/api/health").json()["status"] == "ready"


def test_a_failed_load_is_a_503_with_the_reason():
    def broken():
        raise RuntimeError("The index at /x has no manifest: run python -m index build")

    app = create_app(ServeSettings(), Engine(broken), page=None, mcp=False)
    with TestClient(app, base_url="http://127.0.0.1:7860") as c:
        r = c.post("/api/ask", json={"question": NANJING})
        assert r.status_code == 503 and "python -m index build" in r.json()["error"]["message"]


def test_mcp_over_stdio_with_the_sdk_client(built_index):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant.mcp"],
                                   env={"PLANQA_INDEX_DIR": str(built_index.index_dir), "HF_HUB_OFFLINE": "1"})

    async def session():
        async with Client(params, read_timeout_seconds=180) as client:
            names = sorted(t.name for t in (await client.list_tools()).tools)
            plans = await client.call_tool("list_plans", {})
            answer = await client.call_tool("ask", {"question": NANJING, "cities": ["南京市"]})
            eligible = await client.call_tool("check_eligibility",
                                              {"profile": {"city": "南通市", "type": "科技型中小企业", "needs": ["融资"]}})
            bad = await client.call_tool("check_eligibility", {"profile": {"city": "苏州市"}})
            return names, plans, answer, eligible, bad

    names, plans, answer, eligible, bad = asyncio.run(session())
    assert names == ["ask", "check_eligibility", "compare", "list_plans", "search", "versions"]
    assert len(plans.structured_content["result"]) == 5
    assert "20000" in answer.structured_content["answer"] and answer.structured_content["citations"]
    assert "20000" in answer.content[0].text  # the same JSON as text, for clients that read only text
    assert eligible.structured_content["checklist"]
    assert bad.is_error and "苏州市" in bad.content[0].text


# -- confinement (issue 20 item 6): the profile's city or the filter, the given cities ---------------------------
def test_eligibility_reads_only_the_profiles_city_and_says_what_it_left_out(client):
    r = client.post("/api/eligibility", json={"profile": {"city": "南通市", "type": "科技型中小企业",
                                                          "text": "想了解南京的人才政策"}})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["citations"] and {c["doc_id"] for c in data["citations"]} == {"nantong-2021"}
    assert "南京市的规划不在所选范围（南通市）内" in data["answer"]
    plain = client.post("/api/eligibility", json={"profile": {"city": "南京市", "type": "高新技术企业"}}).json()
    assert plain["citations"] and {c["city"] for c in plain["citations"]} == {"南京市"}
    assert "不在所选范围" not in plain["answer"]


def test_eligibility_reads_only_the_filter(client):
    r = client.post("/api/eligibility", json={"profile": {"type": "科技型中小企业", "needs": ["融资"]},
                                              "filters": {"cities": ["句容市"]}})
    assert r.status_code == 200, r.text
    assert r.json()["citations"] and {c["doc_id"] for c in r.json()["citations"]} == {"jurong-2022"}


def test_compare_reads_only_the_given_cities_and_says_what_it_left_out(client):
    r = client.post("/api/compare", json={"indicator": "南京市高新技术企业数", "cities": ["句容市", "南通市"]})
    assert r.status_code == 200, r.text
    data = r.json()
    assert {row["city"] for row in data["table"]} == {"句容市", "南通市"}
    assert {c["doc_id"] for c in data["citations"]} == {"jurong-2022", "nantong-2021"}
    assert "南京市的规划不在所选范围（句容市、南通市）内" in data["answer"] and "20000" not in data["answer"]


# -- MCP: the JSON API's limits, slots and plain-word errors (issue 20 items 5, 7) --------------------------------
def mcp_calls(server, *calls):
    from mcp import Client

    async def session():
        async with Client(server) as c:
            return [await c.call_tool(name, args) for name, args in calls]

    return asyncio.run(session())


def test_mcp_tools_keep_the_json_api_limits_and_speak_plainly(assistant):
    from assistant.mcp import build_server

    server = build_server(lambda: assistant, max_message_chars=40)
    long_q, long_h, bad_k, no_q, bad_profile, many, one_city = mcp_calls(
        server, ("ask", {"question": "南" * 41}), ("ask", {"question": NANJING, "history": ["那" * 41]}),
        ("search", {"query": "科技金融", "k": 0}), ("ask", {}), ("check_eligibility", {"profile": {"age": 3}}),
        ("ask", {"question": NANJING, "history": ["那南通呢？"] * 201}),
        ("compare", {"indicator": "高新技术企业数", "cities": ["南京市"]}))
    assert long_q.is_error and "question 过长（41 字）" in long_q.content[0].text
    assert long_h.is_error and "history 过长" in long_h.content[0].text
    assert bad_k.is_error and "“k”应不小于 1" in bad_k.content[0].text
    assert no_q.is_error and "缺少参数“question”" in no_q.content[0].text
    assert bad_profile.is_error and "未知参数“profile.age”" in bad_profile.content[0].text
    assert many.is_error and "“history”过长：最多 200 项" in many.content[0].text
    assert one_city.is_error and "两个或更多城市" in one_city.content[0].text
    for result in (bad_k, no_q, bad_profile, many):  # no pydantic text: no type tags, no values, no links
        text = result.content[0].text
        assert "type=" not in text and "input_value" not in text and "pydantic.dev" not in text, text


def test_mcp_confines_eligibility_and_comparison(assistant):
    from assistant.mcp import build_server

    eligible, compared = mcp_calls(
        build_server(lambda: assistant),
        ("check_eligibility", {"profile": {"city": "南通市", "type": "科技型中小企业", "text": "想了解南京的人才政策"}}),
        ("compare", {"indicator": "南京市高新技术企业数", "cities": ["句容市", "南通市"]}))
    assert {c["doc_id"] for c in eligible.structured_content["citations"]} == {"nantong-2021"}
    assert "南京市的规划不在所选范围" in eligible.structured_content["answer"]
    assert {c["doc_id"] for c in compared.structured_content["citations"]} == {"jurong-2022", "nantong-2021"}


def test_mcp_answers_take_the_engines_slots(assistant):
    from assistant.mcp import build_server

    engine = Engine.ready_with(assistant)
    engine.limit(1)
    server = build_server(engine.get, slot=engine.slot)
    done: list = []
    with engine.slot():  # the one slot taken: the tool call waits for it
        worker = threading.Thread(target=lambda: done.extend(mcp_calls(server, ("ask", {"question": NANJING}))))
        worker.start()
        worker.join(2)
        assert not done
    worker.join(60)
    assert done and "20000" in done[0].structured_content["answer"]


def test_an_mcp_client_lists_tools_while_the_index_loads_and_gets_an_answer_once_it_is(assistant):
    """Over real HTTP (uvicorn on a free port), with an index that loads only when released: tools/list is answered
    at once; a tool call waits (PLANQA_STARTUP_WAIT_S) and past it gets a tool error saying why; then it answers."""
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from bench.process import served

    release = threading.Event()

    def slow_load():
        release.wait(60)
        return assistant

    engine = Engine(slow_load, wait_s=1.0)
    app = create_app(ServeSettings(), engine, page=None)

    async def session(port):
        http = httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=60))
        async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client:
            names = sorted(t.name for t in (await client.list_tools()).tools)
            loading = engine.ready
            early = await client.call_tool("ask", {"question": NANJING})
            release.set()
            await asyncio.to_thread(engine.get, 30)
            answer = await client.call_tool("ask", {"question": NANJING})
            return names, loading, early, answer

    with served(app) as port:
        try:
            names, loading, early, answer = asyncio.run(session(port))
        finally:
            release.set()  # before the server stops: a load still waiting would hold it
    assert names == ["ask", "check_eligibility", "compare", "list_plans", "search", "versions"] and loading is False
    assert early.is_error and "正在加载索引" in early.content[0].text
    assert not answer.is_error and "20000" in answer.structured_content["answer"]
