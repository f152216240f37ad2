"""PLANQA_WORKERS=N: the program routes answered by N processes, the page by the first of them.

Answering is CPU-bound Python: one process answers on one core at a time whatever its threads. With N > 1
the first process (`app.py`, number 0) binds the port and starts N − 1 worker processes
(`python -m webui.workers`) that inherit the listening socket and accept connections from it too; the kernel
hands each new connection to whichever process takes it first. Each worker serves the program routes
(`/api`, `/v1`, `/retrieval`, `/mcp`, `/docs`) over its own copy of the same read-only index directory: the
index is only ever written by a new version being published, which every process picks up on its next
question (`index.build.current_index`). The plan library and the Gradio page, whose queue and sessions live
in one process's memory, stay in process 0: a worker forwards every other request to it over a private
loopback port (`PageProxy`), with the client's address in a header process 0 believes only from its own
workers (a per-run token, on that private port).

Every response says which process answered (`X-PlanQA-Process: 0…N-1`). A worker exits when process 0 is
gone; process 0 stops its workers when it stops.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("planqa.workers")

PROCESS_HEADER = b"x-planqa-process"
PEER_HEADER = b"x-planqa-peer"
TOKEN_HEADER = b"x-planqa-proxy-token"
# hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, never forwarded
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te", b"trailer",
              b"transfer-encoding", b"upgrade", b"proxy-connection"}
MAX_WORKERS = 16
ROOT = Path(__file__).resolve().parents[1]


class WorkerSettings(BaseSettings):
    """PLANQA_WORKERS: processes answering the program routes (1: one process serves everything)."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    workers: int = 1

    def count(self) -> int:
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"PLANQA_WORKERS must be between 1 and {MAX_WORKERS} (got {self.workers})")
        return self.workers


# -- in every process --------------------------------------------------------------------------------
class ProcessTag:
    """ASGI middleware: every HTTP response carries `X-PlanQA-Process: <number>`."""

    def __init__(self, app: Any, number: int):
        self.app, self.value = app, str(number).encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tagged(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (PROCESS_HEADER, self.value)]}
            await send(message)

        await self.app(scope, receive, tagged)


# -- process 0 ----------------------------------------------------------------------------------------
class FromWorker:
    """ASGI middleware of process 0 (outermost): a request forwarded by one of its workers, on the private
    port with the run's token, gets the client address the worker saw; the two headers are removed from
    every request, so nobody else can set a client address."""

    def __init__(self, app: Any, token: str, private_port: int):
        self.app, self.token, self.port = app, token.encode(), private_port

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = scope.get("headers", [])
            given = dict((k, v) for k, v in headers if k in (PEER_HEADER, TOKEN_HEADER))
            if given:
                scope = {**scope, "headers": [(k, v) for k, v in headers if k not in (PEER_HEADER, TOKEN_HEADER)]}
                server = scope.get("server") or ("", 0)
                if (server[1] == self.port and hmac.compare_digest(given.get(TOKEN_HEADER, b""), self.token)
                        and PEER_HEADER in given):
                    host, _, port = given[PEER_HEADER].decode("latin-1").rpartition(":")
                    scope["client"] = (host, int(port) if port.isdigit() else 0)
        await self.app(scope, receive, send)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket every process accepts from (inheritable: the workers get its descriptor)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def start_workers(count: int, public: socket.socket, page_port: int, token: str) -> list[subprocess.Popen]:
    """Workers 1 … count − 1, each accepting from `public` and forwarding the page to process 0's `page_port`."""
    procs = []
    for number in range(1, count):
        env = {**os.environ, "PLANQA_WORKER_FD": str(public.fileno()), "PLANQA_WORKER_NUMBER": str(number),
               "PLANQA_WORKER_PAGE": f"http://127.0.0.1:{page_port}", "PLANQA_WORKER_TOKEN": token}
        procs.append(subprocess.Popen([sys.executable, "-m", "webui.workers"], cwd=ROOT, env=env,
                                      pass_fds=(public.fileno(),)))
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_with_workers(app: Any, serve: Any, count: int) -> None:
    """Process 0: bind the port, start the workers, serve `app` (page and program routes) on the public
    socket and on a private loopback port for the workers' page requests, until interrupted."""
    import uvicorn

    from webui import server

    token = secrets.token_hex(16)
    public = bind(serve.host, serve.port)
    private = bind("127.0.0.1", 0)
    private.set_inheritable(False)
    private_port = private.getsockname()[1]
    wrapped = FromWorker(ProcessTag(app, 0), token, private_port)
    procs = start_workers(count, public, private_port, token)
    log.info("PLANQA_WORKERS=%d: the program routes are answered by %d processes, the page by process 0.",
             count, count)
    try:
        config = uvicorn.Config(wrapped, log_level="warning", access_log=False, timeout_graceful_shutdown=5,
                                lifespan="on", **server.forwarding_options(serve))
        uvicorn.Server(config).run(sockets=[public, private])
    finally:
        stop_workers(procs)


# -- workers 1 … N-1 ----------------------------------------------------------------------------------
class PageProxy:
    """ASGI app of a worker: every request its program routes do not serve goes to process 0 (the page,
    Gradio's API and queue, uploads), streamed both ways, with the client's address and the run's token."""

    def __init__(self, base_url: str, token: str):
        import httpx

        self.token = token.encode()
        self.client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(None, connect=10.0),
                                        limits=httpx.Limits(max_connections=200, max_keepalive_connections=20))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})
            return
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = scope.get("client") or ("", 0)
        headers = [(k, v) for k, v in scope.get("headers", [])
                   if k not in HOP_BY_HOP and k not in (PEER_HEADER, TOKEN_HEADER, b"content-length")]
        headers += [(PEER_HEADER, f"{client[0]}:{client[1]}".encode("latin-1")), (TOKEN_HEADER, self.token)]
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        url = path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        request = self.client.build_request(scope["method"], url, headers=headers, content=bytes(body))
        try:
            response = await self.client.send(request, stream=True)
        except Exception as exc:  # noqa: BLE001 — process 0 unreachable: say so, as a 502
            text = f"PlanQA 页面进程暂不可用：{type(exc).__name__}".encode()
            await send({"type": "http.response.start", "status": 502,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(text)).encode())]})
            await send({"type": "http.response.body", "body": text})
            return
        try:
            out = [(k.lower(), v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


def _watch_parent(parent: int) -> None:
    """A worker outlives no process 0: exit as soon as the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def worker_main() -> int:
    """One worker process: the program routes over the shared index, the page forwarded to process 0."""
    import uvicorn

    from webui import server
    from webui.api_common import Engine
    from webui.settings import ServeSettings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    number = int(os.environ["PLANQA_WORKER_NUMBER"])
    sock = socket.socket(fileno=int(os.environ["PLANQA_WORKER_FD"]))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="planqa-parent").start()
    serve = ServeSettings()

    def load() -> Any:
        from assistant.service import Assistant
        from index.settings import IndexSettings

        assistant = Assistant.from_index(IndexSettings())
        _ = assistant.index.encoder  # the embedding model now, not on the first question
        return assistant

    engine = Engine(load, wait_s=serve.startup_wait_s)
    app = server.create_app(serve, engine, page=None, mcp=True)
    app.state.ui.app = PageProxy(os.environ["PLANQA_WORKER_PAGE"], os.environ["PLANQA_WORKER_TOKEN"])
    config = uvicorn.Config(ProcessTag(app, number), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5, lifespan="on", **server.forwarding_options(serve))
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
    return 0


if __name__ == "__main__":
    sys.exit(worker_main())
