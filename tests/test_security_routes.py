"""Issue 20, items 1 and 2: no server file through a forged upload path, and one key for every route.

Two servers over one private index copy, each started as `make run` starts it:
* open (no key, no login), attacked with forged `FileData` paths — absolute, relative to the working
  directory, a symlink inside Gradio's upload folder pointing out — through every event that takes a
  file and through Gradio's file route; the secret must never be indexed nor served;
* keyed (PLANQA_API_KEY only), walked route by route from the application's own route table
  (the program routes, and the Gradio page's routes once mounted) without a key: every one is 401.
Key plus login (the page's login form keeps working) is checked in-process against `ProgramAuth`.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import time
import uuid

import httpx
import pytest
from app_support import ROOT, private_index, start_app, stop_app

from webui.api_common import ProgramAuth
from webui.guard import RequestGuard, inside
from bench.protocol import PageSession

KEY = "route-key-0123456789"
MARKER = "ZQXJ-SECRET-MARKER-7781"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("security-routes")


@pytest.fixture(scope="module")
def settings(root):
    return private_index(root)


@pytest.fixture(scope="module")
def secret(root):
    path = root / "secret-notes.txt"
    path.write_text(f"内部资料\n\n一、说明\n\n{MARKER} 这是服务器上的私有文件，不应被任何人读取。\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def open_server(root, settings):
    tmp = root / "tmp"
    tmp.mkdir()
    url, proc = start_app(settings, root / "open.log", TMPDIR=str(tmp))
    try:
        yield {"url": url, "tmp": tmp, "log": root / "open.log"}
    finally:
        stop_app(proc)


def _file_data(path: str) -> dict:
    return {"path": path, "orig_name": "notes.txt", "size": 100, "mime_type": "text/plain",
            "meta": {"_type": "gradio.FileData"}}


def _forged_paths(secret, open_server) -> dict[str, str]:
    upload_dir = open_server["tmp"] / "gradio" / ("f" * 40)
    upload_dir.mkdir(parents=True, exist_ok=True)
    link = upload_dir / "linked.txt"
    if not link.exists():
        link.symlink_to(secret)
    return {"absolute": str(secret), "relative": os.path.relpath(secret, ROOT), "symlink": str(link),
            "dotdot": f"{'0' * 16}/../../../{secret.name}", "system": "/etc/passwd"}


def _leaked(url: str) -> bool:
    r = httpx.get(f"{url}/api/search", params={"q": MARKER}, timeout=60)
    return MARKER in r.text


@pytest.mark.parametrize("kind", ["absolute", "relative", "symlink", "dotdot", "system"])
def test_a_forged_file_path_is_refused_by_the_upload_event(open_server, secret, settings, kind):
    path = _forged_paths(secret, open_server)[kind]
    page = PageSession(open_server["url"])
    try:
        outcome = page.event("on_upload", [_file_data(path), None])
    finally:
        page.close()
    assert not outcome.ok
    assert outcome.status == 400 and "上传目录" in outcome.text
    assert str(secret) not in outcome.text  # the path is not echoed back
    assert not _leaked(open_server["url"])
    assert not any(p.name.endswith("notes.txt") for p in settings.uploads_dir.glob("*"))
    entries = [json.loads(line) for line in
               (settings.uploads_dir / ".library-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert entries[-1]["outcome"] == "refused" and "上传目录" in entries[-1]["detail"]


def test_a_forged_path_is_refused_through_every_route_that_parses_json(open_server, secret):
    """The same body sent without a content type (FastAPI parses it as JSON) and with an escaped marker."""
    page = PageSession(open_server["url"])
    try:
        fn_index, _ = page.dependency("on_upload")
        body = json.dumps({"data": [_file_data(str(secret)), None], "fn_index": fn_index,
                           "session_hash": page.session_hash}).replace("gradio.FileData", "gradio.FileD\\u0061ta")
        for route in ("/gradio_api/queue/join", "/gradio_api/run/predict"):
            for headers in ({}, {"content-type": "application/json"}, {"content-type": "text/plain"}):
                r = httpx.post(f"{open_server['url']}{route}", content=body.encode(), headers=headers, timeout=60)
                assert r.status_code in (400, 401, 404, 422), (route, headers, r.status_code)
                assert MARKER not in r.text
    finally:
        page.close()
    assert not _leaked(open_server["url"])


@pytest.mark.parametrize("kind", ["absolute", "relative", "symlink", "dotdot", "system"])
def test_gradio_file_route_serves_no_server_file(open_server, secret, kind):
    path = _forged_paths(secret, open_server)[kind]
    r = httpx.get(f"{open_server['url']}/gradio_api/file={path}", timeout=30)
    assert r.status_code >= 400
    assert MARKER not in r.text and "root:" not in r.text


def test_a_real_upload_still_works(open_server, tmp_path):
    plan = tmp_path / "青山科创计划.txt"
    plan.write_text("青山市科技创新计划\n\n一、总体目标\n\n到2025年，青山市高新技术企业达到321家。\n", encoding="utf-8")
    page = PageSession(open_server["url"])
    try:
        added = page.upload_plan(plan)
        assert added.ok and "已加入" in added.data[0], added.error
        removed = page.event("on_remove", ["青山科创计划.txt", None])
        assert removed.ok, removed.error
    finally:
        page.close()


def test_inside_resolves_links_and_dotdot(tmp_path):
    top = tmp_path / "uploads"
    (top / "a").mkdir(parents=True)
    outside = tmp_path / "x.txt"
    outside.write_text("x")
    (top / "a" / "link").symlink_to(outside)
    assert inside(str(top / "a" / "f.txt"), str(top))
    assert not inside(str(top / "a" / "link"), str(top))
    assert not inside(str(top / "a" / ".." / ".." / "x.txt"), str(top))
    assert not inside(str(top), str(top))


def test_the_guard_refuses_deep_json_with_a_clear_message(tmp_path):
    async def app(scope, receive, send):  # never reached
        raise AssertionError("the request reached the app")

    guard = RequestGuard(app, max_body=1 << 20, allowed_hosts=None, files_dir=str(tmp_path))
    sent: list[dict] = []

    async def run() -> None:
        body = b"[" * 10_000 + b"]" * 10_000

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/gradio_api/queue/join",
                 "headers": [(b"content-type", b"application/json")]}
        await guard(scope, receive, send)

    asyncio.run(run())
    assert sent[0]["status"] == 400 and "嵌套过深" in sent[1]["body"].decode()


# -- 2. one key for every route ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keyed_app(settings, root):
    """The application with only PLANQA_API_KEY set, served by uvicorn on a free loopback port (in-process,
    so its route table — the program routes and the mounted page's — can be read)."""
    import socket
    import threading

    import uvicorn

    import app as app_module
    from assistant.service import Assistant
    from webui.api_common import Engine
    from webui.settings import ServeSettings

    serve = ServeSettings(api_key=KEY)
    engine = Engine.ready_with(Assistant.from_index(settings))
    application = app_module.make_server(serve, engine, settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1200):
        if application.state.ui.app is not None and server.started:
            break
        time.sleep(0.1)
    assert application.state.ui.app is not None, "the page was not mounted"
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(30, read=60))
    try:
        yield application, client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=30)


def _route_table(application) -> list[tuple[str, str]]:
    """(method, path) of every route the application serves: its own and the mounted page's."""
    from starlette.routing import Mount

    def walk(routes, prefix: str):
        for route in routes:
            path = getattr(route, "path", "")
            included = getattr(route, "original_router", None)  # FastAPI's include_router keeps the router whole
            if included is not None:
                yield from walk(included.routes, prefix + route.include_context.prefix)
                continue
            if isinstance(route, Mount):
                inner = route.app if route.app is not application.state.ui else application.state.ui.app
                sub = getattr(inner, "routes", None) or getattr(getattr(inner, "router", None), "routes", None)
                if sub is None:
                    yield "GET", prefix + path + "/x"
                    continue
                yield from walk(sub, prefix + path)
                continue
            methods = sorted(getattr(route, "methods", None) or {"GET"})
            for method in methods:
                if method != "HEAD":
                    yield method, prefix + path

    seen = []
    for method, path in walk(application.routes, ""):
        concrete = re.sub(r"\{[^}]+\}", "x", path) or "/"
        if (method, concrete) not in seen:
            seen.append((method, concrete))
    return seen


def test_every_route_of_the_route_table_needs_the_key(keyed_app):
    application, client = keyed_app
    routes = _route_table(application)
    assert any(p.startswith("/gradio_api/queue/join") for _, p in routes)  # the page's routes are in the table
    assert any(p == "/api/ask" for _, p in routes) and any(p == "/mcp" for _, p in routes)
    open_routes = []
    for method, path in routes:
        with client.stream(method, path) as r:  # only the status: an open event stream would never end
            if r.status_code != 401:
                open_routes.append((method, path, r.status_code))
    assert not open_routes


def test_the_key_opens_gradio_api_and_the_page(keyed_app):
    _, client = keyed_app
    body = {"data": ["南京到2025年高新技术企业要达到多少家？", None, None]}
    assert client.post("/gradio_api/run/ask", json=body).status_code == 401
    r = client.post("/gradio_api/run/ask", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200 and "20000" in r.text
    basic = base64.b64encode(f"anyone:{KEY}".encode()).decode()
    page = client.get("/", headers={"Authorization": f"Basic {basic}"})
    assert page.status_code == 200 and "<html" in page.text.lower()
    refused = client.get("/")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")


def test_with_a_login_the_signed_in_page_keeps_working():
    """Key and login: /gradio_api needs the key, a login, or Gradio's session cookie (which Gradio checks)."""
    passed: list[str] = []

    async def app(scope, receive, send):
        passed.append(scope["path"])

    auth = ProgramAuth(app, api_key=KEY, login=("u", "p"))

    def call(path: str, headers: list[tuple[bytes, bytes]]) -> int | None:
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        asyncio.run(auth({"type": "http", "path": path, "headers": headers}, None, send))
        return sent[0]["status"] if sent else None

    assert call("/gradio_api/queue/join", []) == 401
    assert call("/gradio_api/queue/join", [(b"cookie", b"access-token-abc=t0k")]) is None
    assert call("/api/ask", [(b"cookie", b"access-token-abc=t0k")]) == 401  # a cookie never opens a program route
    assert call("/gradio_api/info", [(b"authorization", f"Bearer {KEY}".encode())]) is None
    assert call("/", []) is None and call("/login", []) is None  # Gradio's login form guards the page
    assert call("/gradio_api/info", [(b"authorization", b"Bearer wrong")]) == 401
    assert passed.count("/gradio_api/queue/join") == 1


def test_random_session_hash_is_not_a_key(keyed_app):
    _, client = keyed_app
    r = client.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": uuid.uuid4().hex})
    assert r.status_code == 401


# -- issue 20 item 7: the smaller items, against the served app ---------------------------------------------------
def test_x_forwarded_for_from_loopback_is_not_the_client_in_the_audit_log(open_server, settings):
    """Without PLANQA_TRUSTED_PROXIES the audit log records the socket's peer, not what a header claims."""
    r = httpx.post(f"{open_server['url']}/api/ask", json={"question": _file_data("/etc/passwd")}, timeout=30,
                   headers={"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"})
    assert r.status_code == 400 and "上传目录" in r.json()["error"]["message"]
    entries = [json.loads(line) for line in
               (settings.uploads_dir / ".library-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert entries[-1]["outcome"] == "refused" and entries[-1]["client"] == "127.0.0.1"


def test_an_over_limit_content_length_is_answered_at_once(open_server):
    """A declared 60 MB body, without Expect: 413 before any of it is sent (no 64 MB drain), then the connection
    closes. Only the headers and 14 bytes of the body ever leave the client, so the answer cannot have waited for
    the body (a server that did would leave recv to time out); bench/bench_limits.py times it."""
    import socket
    from urllib.parse import urlparse

    where = urlparse(open_server["url"])
    for path in ("/api/ask", "/gradio_api/queue/join"):
        with socket.create_connection((where.hostname, where.port), timeout=10) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {60 << 20}\r\n\r\n{{\"question\": \"".encode())
            received = b""
            while not received.endswith(b"}") or b"\r\n\r\n" not in received:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += chunk
            assert received.startswith(b"HTTP/1.1 413") and b"PLANQA_MAX_REQUEST_BYTES" in received, received[:300]
            s.settimeout(10)
            assert s.recv(65536) == b""  # closed (after a short linger), not waiting for 60 MB


def test_deep_json_gets_each_routes_own_error_shape(open_server):
    body = "[" * 10_000 + "]" * 10_000
    url = open_server["url"]
    for path in ("/api/ask", "/v1/chat/completions"):
        r = httpx.post(f"{url}{path}", content=body, headers={"content-type": "application/json"}, timeout=30)
        assert r.status_code == 400 and "嵌套过深" in r.json()["error"]["message"], path
    r = httpx.post(f"{url}/retrieval", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "嵌套过深" in r.json()["error_msg"]
    r = httpx.post(f"{url}/mcp", content=body, timeout=30,
                   headers={"content-type": "application/json", "accept": "application/json, text/event-stream"})
    assert r.status_code == 400 and "嵌套过深" in r.json()["error"]["message"] and r.json()["jsonrpc"] == "2.0"


@pytest.mark.parametrize("route", ["run/ask", "call/ask", "run/ask_followup"])
def test_too_few_input_values_get_a_clear_400(open_server, route):
    for data in ([], ["南京到2025年高新技术企业要达到多少家？"]):
        r = httpx.post(f"{open_server['url']}/gradio_api/{route}", json={"data": data}, timeout=30)
        assert r.status_code == 400 and "个输入值" in r.json()["error"] and "question" in r.json()["error"], r.text
    assert "Traceback" not in open_server["log"].read_text(encoding="utf-8")


@pytest.mark.parametrize(("profile", "words"), [({"city": "南京市", "needs": ["飞行"]}, "未知的需求"),
                                                ({"city": 5}, "profile.city"), ({"city": "火星市"}, "火星市"),
                                                ({"age": 3}, "profile.age")])
def test_ask_followup_checks_the_profile_as_the_json_api_does(open_server, profile, words):
    r = httpx.post(f"{open_server['url']}/gradio_api/run/ask_followup", timeout=60,
                   json={"data": ["我们可以享受哪些支持？", None, profile, None, None]})
    record = r.json()["data"][0]
    assert r.status_code == 200 and record["refused"] and words in record["answer"], record


def test_no_response_names_an_absolute_server_path(open_server, root):
    url = open_server["url"]
    health = httpx.get(f"{url}/api/health", timeout=30)
    assert health.json()["status"] == "ready" and "/" not in health.json()["index_version"]
    for r in (health, httpx.get(f"{url}/api/plans", timeout=30), httpx.get(f"{url}/openapi.json", timeout=30),
              httpx.get(f"{url}/gradio_api/info", timeout=30)):
        assert str(ROOT) not in r.text and str(root) not in r.text, r.url


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/chat/completions", {"model": "m" * 80_000, "messages": [{"role": "user", "content": "南京"}]}),
    ("GET", "/v1/models/" + "m" * 6_000, None),
    ("POST", "/api/ask", {"question": "南京", "x" * 80_000: 1}),
    ("POST", "/api/ask", {"question": "南京", "filters": {"cities": ["南" * 20_000]}}),
    ("POST", "/api/eligibility", {"profile": {"city": "南京市", "needs": ["融" * 20_000]}}),
    ("POST", "/retrieval", {"knowledge_id": "k" * 80_000, "query": "科技", "retrieval_setting": {"top_k": 1}}),
    ("POST", "/retrieval", {"knowledge_id": "k" * 199, "query": "科技", "retrieval_setting": {"top_k": 1}}),
])
def test_error_messages_do_not_echo_huge_values(open_server, method, path, body):
    r = httpx.request(method, f"{open_server['url']}{path}", json=body, timeout=30)
    assert 400 <= r.status_code < 500 and len(r.content) < 2000, (r.status_code, len(r.content))
    assert not re.search(r"(.)\1{80}", r.text), r.text  # a value is echoed cut to 80 characters, or not at all
