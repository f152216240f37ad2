"""Issue 15 against a real `python app.py` on loopback: what an attacker or a careless client sends over HTTP.

One server for the module (its own index copy and its own TMPDIR, so its temp files can be
counted). The page's events are driven the way the browser drives them (`bench.protocol`:
POST /gradio_api/queue/join, then the session's event stream); `/ask` also through
`gradio_client` and the plain `/gradio_api/call/ask` route.

Items: 2 request size limit and the question echo, 3 lone surrogates on the queued routes,
4 every page sees the current library, 5 wrong filter types, 7 exports do not pile up,
8 uploads and removals logged, Host allow-list, monitoring off, no server path from the upload route.
"""
from __future__ import annotations

import json
import re

import httpx
import pytest
from app_support import private_index, start_app, stop_app
from gradio_client import Client

from bench.protocol import PageSession

NANJING = "南京到2025年高新技术企业要达到多少家？"
LIMIT = 256 * 1024  # PLANQA_MAX_REQUEST_BYTES default
PLAN = ("镇江市科技创新示范计划\n\n一、总体目标\n\n到2025年，镇江市高新技术企业达到2500家。\n\n"
        "二、保障措施\n\n加强组织领导，完善考核机制。\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-http")
    settings = private_index(root)
    tmp = root / "tmp"
    tmp.mkdir()
    log = root / "app.log"
    url, proc = start_app(settings, log, TMPDIR=str(tmp), PLANQA_CONCURRENCY="2")
    try:
        yield {"url": url, "log": log, "tmp": tmp, "settings": settings, "root": root}
    finally:
        stop_app(proc)


@pytest.fixture(scope="module")
def url(served) -> str:
    return served["url"]


@pytest.fixture(scope="module")
def config(url) -> dict:
    return httpx.get(f"{url}/config", timeout=30).json()


@pytest.fixture
def page(url, config):
    session = PageSession(url, config=config)
    yield session
    session.close()


def call_ask(url: str, body: bytes, timeout: float = 120) -> tuple[int, dict | str]:
    """POST /gradio_api/call/ask, then read the result: (status, record or error text)."""
    r = httpx.post(f"{url}/gradio_api/call/ask", content=body, headers={"content-type": "application/json"},
                   timeout=timeout)
    if r.status_code != 200:
        return r.status_code, r.text
    event_id = r.json()["event_id"]
    with httpx.stream("GET", f"{url}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        lines = list(stream.iter_lines())
    events = [(lines[i], lines[i + 1]) for i in range(len(lines) - 1) if lines[i].startswith("event:")]
    kind, data = events[-1]
    return (200 if kind == "event: complete" else 500), json.loads(data[5:])[0] if kind == "event: complete" else data


# --- 2. request size ---------------------------------------------------------------------------------------

def test_an_oversized_body_gets_413_with_the_limit_named(url):
    body = json.dumps({"data": ["南京高企？" + "啊" * 400_000, None, None]}, ensure_ascii=False).encode("utf-8")
    r = httpx.post(f"{url}/gradio_api/call/ask", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413
    message = r.json()["error"]
    assert str(LIMIT) in message and "PLANQA_MAX_REQUEST_BYTES" in message


def test_a_30_mb_body_is_refused_without_being_kept(url, served):
    r = httpx.post(f"{url}/gradio_api/queue/join", content=b"{" + b" " * (30 << 20) + b"}",
                   headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413 and "PLANQA_MAX_REQUEST_BYTES" in r.json()["error"]


def test_the_guard_answers_a_declared_oversized_body_before_reading_any_of_it(tmp_path):
    """What the 30 MB request meets, in-process: 413 goes out before the first body byte is read, the app is never
    called, and what the client still sends is read only to be thrown away (bench/bench_limits.py times it)."""
    import asyncio

    from webui.guard import DRAIN_BYTES, RequestGuard

    async def app(scope, receive, send):
        raise AssertionError("the oversized request reached the app")

    guard = RequestGuard(app, max_body=LIMIT, allowed_hosts=None, files_dir=str(tmp_path))
    events: list[tuple[str, int]] = []
    chunk, chunks = 1 << 20, 30

    async def receive():
        events.append(("read", chunk))
        return {"type": "http.request", "body": b" " * chunk, "more_body": sum(n for e, n in events if e == "read")
                < chunk * chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            events.append(("answered", message["status"]))

    scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join",
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(chunk * chunks).encode())]}
    asyncio.run(guard(scope, receive, send))
    assert events[0] == ("answered", 413)
    assert [e for e, _ in events[1:]] == ["read"] * len(events[1:])  # only the discarding linger reads
    assert sum(n for _, n in events[1:]) <= min(chunk * chunks, DRAIN_BYTES)


def test_a_chunked_body_without_length_is_limited_too(url):
    def chunks():
        for _ in range(64):
            yield b"x" * 16384  # 1 MB, no Content-Length
    r = httpx.post(f"{url}/gradio_api/call/ask", content=chunks(), headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code == 413 and "PLANQA_MAX_REQUEST_BYTES" in r.json()["error"]


def test_the_record_echoes_only_the_question_that_was_used(url):
    question = NANJING + "请详细说明。" * 5_000  # 30,020 characters, 90 KB: under the body limit
    status, record = call_ask(url, json.dumps({"data": [question, None, None]}, ensure_ascii=False).encode("utf-8"))
    assert status == 200, record
    assert "20000" in record["answer"]
    assert len(record["question"]) <= 500 and question.startswith(record["question"][:100])


# --- 3. lone surrogates on the queued routes ------------------------------------------------------------------

def test_a_lone_surrogate_in_the_chat_does_not_break_the_stream(page):
    outcome = page.raw_event("on_ask", '["\\ud800南京到2025年高新技术企业要达到多少家？\\udfff", [], [], []]')
    assert outcome.ok, outcome.error
    history = json.dumps(outcome.data[0], ensure_ascii=False)
    assert "20000" in history


def test_a_lone_surrogate_in_ask_through_the_queue_is_answered(page):
    outcome = page.raw_event("ask", '["\\ud83d南京到2025年高新技术企业要达到多少家？", ["\\udc00"], null]')
    assert outcome.ok, outcome.error
    record = outcome.data[0]
    assert record["refused"] and "没有这些城市的规划" in record["answer"]  # the filter, scrubbed, is still unknown
    outcome = page.raw_event("ask", '["\\ud83d南京到2025年高新技术企业要达到多少家？", null, null]')
    assert outcome.ok, outcome.error
    assert "20000" in outcome.data[0]["answer"] and "\ufffd" in outcome.data[0]["question"]


def test_a_surrogate_pair_is_still_an_emoji(url):
    status, record = call_ask(url, b'{"data": ["\\ud83d\\ude80' + NANJING.encode("utf-8") + b'", null, null]}')
    assert status == 200 and record["question"].startswith("\U0001f680") and "20000" in record["answer"]


# --- 5. wrong filter types ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(url):
    return Client(url, verbose=False, analytics_enabled=False)


@pytest.mark.parametrize(("cities", "plans", "expected"), [
    (5, None, "限定城市（cities）应为名称的列表"),
    ([1, 2], None, "限定城市（cities）应为名称的列表"),
    (None, 7, "限定规划（plans）应为名称的列表"),
    (None, [["x"]], "限定规划（plans）应为名称的列表"),
    ({"city": "南京市"}, None, "限定城市（cities）应为名称的列表"),
], ids=["int", "list-of-int", "plans-int", "nested-list", "dict"])
def test_wrong_filter_types_are_refused_with_a_clear_message(client, cities, plans, expected):
    record = client.predict(NANJING, cities, plans, api_name="/ask")
    assert record["refused"] is True and expected in record["answer"] and record["citations"] == []


def test_a_plain_string_is_one_city_not_its_characters(client):
    record = client.predict(NANJING, "南京市", None, api_name="/ask")
    assert not record["refused"] and "20000" in record["answer"], record["answer"]
    record = client.predict("研发投入强度目标是多少？", "苏州市", None, api_name="/ask")
    assert record["refused"] and "苏州市" in record["answer"] and "苏、州" not in record["answer"]


# --- 4 and 8: the library seen by every page, changes logged, no server path ---------------------------------------

def test_upload_returns_no_server_path_and_the_handle_still_works(page, served, tmp_path):
    plan = tmp_path / "镇江科创计划.txt"
    plan.write_text(PLAN, encoding="utf-8")
    response = page.upload(plan)
    assert response.status_code == 200
    [handle] = response.json()
    assert not handle.startswith("/") and str(served["tmp"]) not in handle and "gradio" not in handle
    assert handle.endswith("/镇江科创计划.txt")
    assert httpx.get(f"{served['url']}/gradio_api/file={handle}", timeout=30).text == PLAN  # still downloadable


def test_every_page_sees_a_plan_added_elsewhere_and_can_remove_it(url, config, served, tmp_path):
    plan = tmp_path / "镇江科创计划.txt"
    plan.write_text(PLAN, encoding="utf-8")
    already_open = PageSession(url, config=config)
    already_open.event("page_load", [])  # a page opened before the upload
    uploader = PageSession(url, config=config)
    uploader.event("page_load", [])
    added = uploader.upload_plan(plan)
    assert added.ok and "已加入《镇江市科技创新示范计划》" in added.data[0], added.error
    assert "/tmp" not in json.dumps(added.final, ensure_ascii=False)

    polled = already_open.event("library_poll", ["", None])  # the open page's timer (last seen version, its 限定规划)
    assert polled.ok and "镇江科创计划.txt" in json.dumps(polled.data, ensure_ascii=False)

    fresh = PageSession(url, config=config)  # a reloaded page, or a second tab
    loaded = fresh.event("page_load", [])
    assert loaded.ok and "镇江市" in json.dumps(loaded.data, ensure_ascii=False)
    removed = fresh.event("on_remove", ["镇江科创计划.txt", None])
    assert removed.ok, removed.error
    assert "已删除“镇江科创计划.txt”" in removed.data[0]

    # the open page had chosen the plan for its chat (限定规划); its timer drops the plan removed elsewhere
    doc_id = re.search(r'镇江市科技创新示范计划（镇江市）", "([^"]+)"', json.dumps(polled.data, ensure_ascii=False)).group(1)
    after = already_open.event("library_poll", [polled.data[0], [doc_id, "nanjing-2021"]])
    assert after.ok, after.error
    assert ["nanjing-2021"] in [u.get("value") for u in after.data if isinstance(u, dict)], after.data

    text = served["log"].read_text(encoding="utf-8")
    for action, outcome in (("upload", "added"), ("remove", "removed")):
        lines = [line for line in text.splitlines() if f"planqa.library: {action} {outcome}: file=镇江科创计划.txt" in line]
        assert lines, text[-2000:]
        assert "doc_id=" in lines[-1] and "doc_id=-" not in lines[-1] and "client=127.0.0.1" in lines[-1]
        assert lines[-1][:4].isdigit()  # starts with the time
    entries = [json.loads(line) for line in
               (served["settings"].uploads_dir / ".library-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["outcome"], e["file"], e["client"]) for e in entries[-2:]] == [
        ("upload", "added", "镇江科创计划.txt", "127.0.0.1"), ("remove", "removed", "镇江科创计划.txt", "127.0.0.1")]
    assert entries[-1]["doc_id"] == entries[-2]["doc_id"] and entries[-1]["time"]


def test_a_refused_upload_is_logged_with_its_reason(page, served, tmp_path):
    copy = tmp_path / "南京规划副本.txt"
    shipped = (served["settings"].plans_dir / "nanjing-2021-sti-plan.txt").read_text(encoding="utf-8")
    copy.write_bytes(shipped.replace("\n", "\r\n").encode("utf-8"))  # a CRLF copy of a shipped plan
    outcome = page.upload_plan(copy)
    assert outcome.ok and "未加入" in outcome.data[0] and "nanjing-2021" in outcome.data[0]
    text = served["log"].read_text(encoding="utf-8")
    assert "upload refused: file=南京规划副本.txt" in text


# --- 7. exports -------------------------------------------------------------------------------------------------

def test_exports_do_not_pile_up_in_the_temp_folder(url, config, served):
    profile = ["南京市", "新型研发机构", "", None, "无", [], ""]  # city, type, industry, stage, R&D level, needs, note
    for session, times in ((PageSession(url, config=config), 3), (PageSession(url, config=config), 1)):
        for _ in range(times):
            outcome = session.event("on_check", profile)
            assert outcome.ok and "资格自查结果" in outcome.data[0], outcome.error
            assert "/tmp" not in json.dumps(outcome.data[1], ensure_ascii=False)
    gradio_cache = served["tmp"] / "gradio"
    ours = [p for p in served["tmp"].rglob("资格自查-*.md") if gradio_cache not in p.parents]
    assert len(ours) <= 2, ours  # one per session, not one per export


# --- 8. Host header, monitoring -----------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "attacker.local:7860"])
def test_a_foreign_host_header_is_refused_on_loopback(url, host):
    for path in ("/", "/config", "/gradio_api/info"):
        r = httpx.get(f"{url}{path}", headers={"Host": host}, timeout=30)
        assert r.status_code == 400, (path, r.status_code)
    r = httpx.post(f"{url}/gradio_api/call/ask", json={"data": [NANJING, None, None]}, headers={"Host": host}, timeout=30)
    assert r.status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_the_bound_names_are_accepted(url, host):
    port = url.rsplit(":", 1)[1]
    assert httpx.get(f"{url}/config", headers={"Host": f"{host}:{port}"}, timeout=30).status_code == 200


def test_monitoring_is_not_public(url):
    for path in ("/monitoring", "/monitoring/summary"):
        r = httpx.get(f"{url}{path}", timeout=30)
        assert r.status_code != 200 and "success_rate" not in r.text and "functions" not in r.text
