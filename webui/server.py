"""One server, one port: the program routes and the Gradio page on one FastAPI application.

    /v1/chat/completions, /v1/models     OpenAI-compatible chat with citations (webui/openai_api.py)
    /api/ask|compare|eligibility|plans|search|health     the JSON API (webui/json_api.py)
    /retrieval                           Dify's external knowledge API (webui/dify.py)
    /mcp                                 MCP over streamable HTTP (assistant/mcp.py)
    /docs, /openapi.json                 the OpenAPI page
    /                                    the Gradio page and its own API (`/gradio_api/...`)

Fast to start: the server accepts connections about a second after the process starts. The
assistant (index, embedding model) loads in a background thread (`Engine`); a question asked
meanwhile waits for it. The Gradio page is built once it is loaded and
mounted in place (`LazyApp`); until then it answers 503 with a "starting" page. MCP is mounted before
the first request: `initialize` and `tools/list` need no index, and a tool call waits for it.

Every route passes `webui.guard.RequestGuard` (Host allow-list, request size limit, lone
surrogates) and then `ProgramAuth` (the API key on the program routes when a login or key is set).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route

from assistant.tools import hide_paths
from webui import dify, json_api, openai_api
from webui.api_common import Engine, ProgramAuth, install_error_handlers
from webui.guard import EventInputs, RequestGuard
from webui.settings import ServeSettings

log = logging.getLogger("planqa.server")

STARTING_PAGE = ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
                 "content=\"2\"><title>PlanQA 正在启动</title></head><body style=\"font-family:system-ui,sans-serif;"
                 "margin:3em\"><h2>PlanQA 正在启动…</h2><p>正在加载规划索引和页面，几秒后自动刷新。</p></body></html>")


def gradio_upload_folder() -> str:
    """Where Gradio keeps uploads and output files (`gradio.utils.get_upload_folder`, without importing Gradio)."""
    return os.environ.get("GRADIO_TEMP_DIR") or str((Path(tempfile.gettempdir()) / "gradio").resolve())


class LazyApp:
    """An ASGI app mounted now and filled in later: 503 (a self-refreshing page for browsers) until `app` is set."""

    def __init__(self, what: str):
        self.what = what
        self.app: Any = None
        self.failed: str | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})
            return
        if scope["type"] != "http":
            return
        accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"")
        if self.failed:
            status, kind, body = 503, b"text/plain; charset=utf-8", f"{self.what} 无法启动：{hide_paths(self.failed)}".encode()
        elif b"text/html" in accept:
            status, kind, body = 503, b"text/html; charset=utf-8", STARTING_PAGE.encode()
        else:
            message = {"error": {"message": f"PlanQA 正在启动：{self.what}尚未就绪。", "type": "service_unavailable"}}
            status, kind, body = 503, b"application/json", json.dumps(message, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", b"2")]})
        await send({"type": "http.response.body", "body": body})


PageMounter = Callable[[FastAPI, Any], Any]  # (a FastAPI app to mount the page on at "/", the assistant) → gr.Blocks


def create_app(serve: ServeSettings, engine: Engine, page: PageMounter | None = None, mcp: bool = True,
               audit: Callable[[str, str], None] | None = None) -> FastAPI:
    """The application: program routes and /mcp now, the page (`page(app, assistant)`) once the assistant is loaded.

    `audit(path, client)` records a request refused for naming a file outside the upload folder."""
    ui, mcp_app = LazyApp("页面"), LazyApp("MCP")
    loop: dict[str, asyncio.AbstractEventLoop] = {}
    held: list[asyncio.Task] = []
    stopping: dict[str, asyncio.Event] = {}

    async def hold(target: LazyApp, app: Any, context: Any, started: asyncio.Future) -> None:
        """Enter the sub-app's lifespan, mount it, and leave the lifespan at shutdown — in this one task
        (the MCP session manager's task group must be left by the task that entered it)."""
        try:
            async with context:
                target.app = app
                started.set_result(None)
                await stopping["event"].wait()
        except Exception as exc:
            if not started.done():
                started.set_exception(exc)
            else:
                log.exception("%s stopped with an error", target.what)

    async def activate(target: LazyApp, app: Any, context: Any) -> None:
        started = asyncio.get_running_loop().create_future()
        held.append(asyncio.create_task(hold(target, app, context, started)))
        await started

    def build(target: LazyApp, make: Callable[[Any], tuple[Any, Any]]) -> Callable[[Any], None]:
        """On the loading thread: make the sub-app, then enter its lifespan on the server's loop and mount it."""
        def step(assistant: Any) -> None:
            try:
                sub, context = make(assistant)
            except Exception as exc:
                target.failed = str(exc) or type(exc).__name__
                raise
            future = asyncio.run_coroutine_threadsafe(activate(target, sub, context), loop["main"])
            future.result(timeout=120)
        return step

    def make_page(assistant: Any) -> tuple[Any, Any]:
        sub = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        blocks = page(sub, assistant)  # type: ignore[misc]
        app = sub if blocks is None else EventInputs(sub, blocks)  # too few input values: 400, not Gradio's 500
        return app, sub.router.lifespan_context(sub)

    def make_mcp(assistant: Any) -> tuple[Any, Any]:
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
        from mcp.server.transport_security import TransportSecuritySettings

        from assistant.mcp import build_server

        # a tool call waits for the index as a JSON request does (PLANQA_STARTUP_WAIT_S), with its limits and slots
        server = build_server(lambda: engine.get(), max_message_chars=serve.max_message_chars, slot=engine.slot)
        # the Host check is RequestGuard's (the same allow-list as every route), so the SDK's own is off
        server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                   transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        return StreamableHTTPASGIApp(server.session_manager), server.session_manager.run()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop["main"] = asyncio.get_running_loop()
        if page is not None:
            engine.when_ready(build(ui, make_page))
        stopping["event"] = asyncio.Event()
        if mcp:  # MCP needs no loaded index to answer initialize and tools/list: mounted before the first request
            await activate(mcp_app, *make_mcp(None))
        engine.start()
        try:
            yield
        finally:
            stopping["event"].set()
            await asyncio.gather(*held, return_exceptions=True)

    app = FastAPI(title="PlanQA API", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="科创规划问答: answers about Chinese local science-and-technology innovation plans, "
                              "each statement cited by the exact clause (offsets into the plan's source text). "
                              "OpenAI-compatible chat, a JSON API, Dify external knowledge retrieval and MCP (/mcp).")
    app.state.engine = engine
    engine.limit(serve.api_concurrency)
    app.state.serve = serve
    install_error_handlers(app)
    app.include_router(openai_api.router)
    app.include_router(json_api.router)
    app.include_router(dify.router)
    add_docs(app)
    app.router.routes.append(Route("/mcp", endpoint=mcp_app, methods=["GET", "POST", "DELETE"]))
    app.mount("/", ui)
    key = serve.api_key.get_secret_value() if serve.api_key else None
    app.add_middleware(ProgramAuth, api_key=key, login=serve.credentials)  # type: ignore[arg-type]
    app.add_middleware(RequestGuard, max_body=serve.max_request_bytes,  # type: ignore[arg-type]
                       allowed_hosts=serve.host_allow_list(), files_dir=gradio_upload_folder(), audit=audit)
    app.state.ui, app.state.mcp = ui, mcp_app
    return app


def add_docs(app: FastAPI) -> None:
    """The OpenAPI page at /docs, with Swagger UI served from the `swagger-ui-bundle-v2` package (offline: no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from starlette.staticfiles import StaticFiles

    try:
        from swagger_ui_bundle import swagger_ui_path
        assets = "/docs/assets"
        app.mount(assets, StaticFiles(directory=swagger_ui_path), name="docs-assets")
        urls = {"swagger_js_url": f"{assets}/swagger-ui-bundle.js", "swagger_css_url": f"{assets}/swagger-ui.css",
                "swagger_favicon_url": f"{assets}/favicon-32x32.png"}
    except ImportError:  # the package is missing: the page loads Swagger UI from FastAPI's default CDN
        urls = {}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="PlanQA API", **urls)


def forwarding_options(serve: ServeSettings) -> dict[str, Any]:
    """X-Forwarded-* believed only from PLANQA_TRUSTED_PROXIES (uvicorn's own default trusts 127.0.0.1, so any
    local process could name the client the audit log records)."""
    return {"proxy_headers": bool(serve.trusted_proxies), "forwarded_allow_ips": serve.trusted_proxies or ""}


def uvicorn_options(serve: ServeSettings) -> dict[str, Any]:
    """uvicorn's settings for `run`."""
    return {"host": serve.host, "port": serve.port, "log_level": "warning", "access_log": False,
            "timeout_graceful_shutdown": 5, **forwarding_options(serve)}


def run(app: FastAPI, serve: ServeSettings) -> None:
    """Serve `app` with uvicorn on PLANQA_HOST:PLANQA_PORT until interrupted."""
    import uvicorn

    uvicorn.run(app, **uvicorn_options(serve))
