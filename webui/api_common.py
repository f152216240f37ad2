"""What the program routes share: the assistant loaded once in the background, errors as 4xx JSON, the API key.

* `Engine` loads the assistant in a thread while the server already accepts connections; a request
  that needs it waits for it (up to `PLANQA_STARTUP_WAIT_S`), then gets 503 with Retry-After.
* Errors: every refusal is JSON with a message saying what to send instead, never a traceback.
  `/v1/*` and `/api/*` use OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`;
  `/retrieval` uses Dify's, `{"error_code", "error_msg"}`. Malformed JSON, unknown fields, wrong
  types, empty or oversized messages, unknown cities or plans and malformed profiles get 400.
* `ProgramAuth`: with PLANQA_AUTH or PLANQA_API_KEY set, every program route requires
  `Authorization: Bearer <PLANQA_API_KEY>` (or HTTP Basic with PLANQA_AUTH's user:password); with
  PLANQA_API_KEY set, so does Gradio's own API (`/gradio_api/*`), and without a login the page too.

Only light modules are imported here (no index, no model), so the server starts in about a second.
"""
from __future__ import annotations

import base64
import contextlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.tools import InputError, Unavailable, hide_paths, shown

log = logging.getLogger("planqa.api")

PROGRAM_PREFIXES = ("/v1/", "/api/", "/retrieval", "/mcp", "/docs", "/redoc", "/openapi.json")


class Engine:
    """The assistant, loaded once by `load` in a background thread and shared by every route."""

    def __init__(self, load: Callable[[], Any], wait_s: float = 120.0):
        self._load = load
        self.wait_s = wait_s
        self._ready = threading.Event()
        self._assistant: Any = None
        self.error: str | None = None
        self.started: float | None = None
        self.loaded_s: float | None = None
        self._thread: threading.Thread | None = None
        self._callbacks: list[Callable[[Any], None]] = []
        self._lock = threading.Lock()
        self._slots: threading.BoundedSemaphore | None = None

    def limit(self, answers_at_once: int) -> None:
        """At most this many answers computed at once (0: no limit); the others wait their turn."""
        self._slots = threading.BoundedSemaphore(answers_at_once) if answers_at_once > 0 else None

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if self._slots is None:
            yield
            return
        with self._slots:
            yield

    @classmethod
    def ready_with(cls, assistant: Any) -> Engine:
        """An engine over an assistant already loaded (tests, and the first run that built the index)."""
        engine = cls(lambda: assistant)
        engine._assistant = assistant
        engine.loaded_s = 0.0
        engine._ready.set()
        return engine

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self._ready.is_set():
                self._later()
                return
            self.started = time.perf_counter()
            self._thread = threading.Thread(target=self._run, name="planqa-load", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._assistant = self._load()
            self.loaded_s = time.perf_counter() - (self.started or time.perf_counter())
            log.info("Assistant ready in %.1f s.", self.loaded_s)
        except Exception as exc:  # noqa: BLE001 — reported to every request and in the log
            self.error = str(exc) or type(exc).__name__
            log.error("The assistant could not be loaded: %s", self.error)
        finally:
            self._ready.set()
        self._run_callbacks()

    def when_ready(self, callback: Callable[[Any], None]) -> None:
        """Call `callback(assistant)`, on another thread, once it is loaded (never, when loading failed)."""
        with self._lock:
            self._callbacks.append(callback)
        if self._ready.is_set():
            self._later()

    def _later(self) -> None:
        """Run the callbacks on a thread of their own: they may wait for the server's event loop (the caller's)."""
        threading.Thread(target=self._run_callbacks, name="planqa-ready", daemon=True).start()

    def _run_callbacks(self) -> None:
        with self._lock:
            callbacks, self._callbacks = self._callbacks, []
        if self._assistant is None:
            return
        for callback in callbacks:
            try:
                callback(self._assistant)
            except Exception:
                log.exception("start-up step failed")

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._assistant is not None

    def get(self, timeout: float | None = None) -> Any:
        """The assistant; waits while it loads, then raises `Unavailable`."""
        if not self._ready.wait(self.wait_s if timeout is None else timeout):
            raise Unavailable("PlanQA 正在加载索引和模型，请稍后重试。")
        if self._assistant is None:
            raise Unavailable(f"索引不可用：{hide_paths(self.error or '')}")
        return self._assistant


# -- errors ------------------------------------------------------------------------------------------------------
class ApiError(Exception):
    """A refusal with its HTTP status; `param` names the field at fault."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.headers = status, message, param, code, headers


DIFY_CODES = {401: 1001, 403: 1002, 404: 2001}


def is_dify(request: Request) -> bool:
    return request.url.path.rstrip("/").endswith("/retrieval")


def error_response(request: Request, status: int, message: str, param: str | None = None, code: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    if is_dify(request):
        body: dict[str, Any] = {"error_code": DIFY_CODES.get(status, 500 if status >= 500 else 400), "error_msg": message}
    else:
        kind = {401: "authentication_error", 403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                503: "service_unavailable"}.get(status, "invalid_request_error" if status < 500 else "server_error")
        body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: Iterable[Any]) -> str:
    """The field at fault, as a message shows it (a client's own key is cut to `shown`'s length)."""
    parts = [str(p) for p in loc if p not in ("body", "query")]
    return shown(".".join(parts))


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str | None]:
    """(one clear message for a request that failed validation, the first field at fault)."""
    messages, first = [], None
    for e in errors[:5]:
        kind, where = e.get("type", ""), _where(e.get("loc", ()))
        first = first or where or None
        if kind == "json_invalid":
            detail = (e.get("ctx") or {}).get("error", "")
            return f"请求体不是合法的 JSON（{detail}）：请发送一个 JSON 对象。", None
        if kind == "extra_forbidden":
            messages.append(f"未知字段“{where}”")
        elif kind == "missing":
            messages.append(f"缺少字段“{where}”" if where else "缺少请求体：请发送一个 JSON 对象")
        elif kind in ("model_attributes_type", "dict_type") and not where:
            messages.append("请求体应为 JSON 对象")
        else:
            messages.append(f"{where or '请求'}：{e.get('msg', kind)}")
    return "；".join(messages) + "。", first


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    message, param = validation_message(list(exc.errors()))
    return error_response(request, 400, message, param)


async def on_api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(request, exc.status, exc.message, exc.param, exc.code, exc.headers)


async def on_input_error(request: Request, exc: InputError) -> JSONResponse:
    return error_response(request, 400, hide_paths(str(exc)))


async def on_unavailable(request: Request, exc: Unavailable) -> JSONResponse:
    return error_response(request, 503, hide_paths(str(exc)), headers={"Retry-After": "5"})


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path)
    return error_response(request, 500, "服务器内部错误，已记录日志。")


def install_error_handlers(app: Any) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(InputError, on_input_error)
    app.add_exception_handler(Unavailable, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)


# -- authorization -----------------------------------------------------------------------------------------------
GRADIO_API = "/gradio_api/"
SESSION_COOKIE = "access-token"  # Gradio's login cookie: access-token-<id> (or access-token-unsecure-<id>)


class ProgramAuth:
    """ASGI middleware: one key for every route.

    * With PLANQA_AUTH or PLANQA_API_KEY set, the program routes require `Authorization`: `Bearer <api_key>`,
      or `Basic` with the login's user:password (or any user name with the API key as password).
    * With PLANQA_API_KEY set, Gradio's own API (`/gradio_api/*`: run, call, queue, upload, file) requires
      it too. When a login is configured as well, a browser signed in through Gradio's login form keeps
      working: a request carrying Gradio's session cookie is passed on and Gradio checks that cookie.
    * With only PLANQA_API_KEY set (no login), every route — the page included — requires it; a browser
      is asked for it by a Basic challenge (any user name, the key as password)."""

    def __init__(self, app: Any, *, api_key: str | None, login: tuple[str, str] | None,
                 prefixes: tuple[str, ...] = PROGRAM_PREFIXES):
        self.app = app
        self.api_key = api_key
        self.login = login
        self.prefixes = prefixes

    @property
    def enabled(self) -> bool:
        return bool(self.api_key or self.login)

    def program_route(self, path: str) -> bool:
        return any(path == p.rstrip("/") or path.startswith(p) for p in self.prefixes)

    def protects(self, path: str) -> bool:
        """Whether `path` needs `Authorization` here (Gradio's login form guards the page's other paths)."""
        if not self.enabled:
            return False
        if self.program_route(path):
            return True
        if not self.api_key:
            return False
        return self.login is None or path.startswith(GRADIO_API) or path == GRADIO_API.rstrip("/")

    def check(self, header: str | None) -> tuple[int, str] | None:
        """None when `header` authorizes, else (Dify's error code, message); the status is 401 either way."""
        if not header:
            return 1001, "需要认证：请在请求头中加入 Authorization: Bearer <PLANQA_API_KEY>。"
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value:
            if self.api_key and hmac.compare_digest(value.encode(), self.api_key.encode()):
                return None
            return 1002, "认证失败：API key 不正确。"
        if scheme.lower() == "basic" and value:
            try:
                user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return 1001, "Authorization 头格式不对：应为 Bearer <PLANQA_API_KEY>。"
            if self.login and hmac.compare_digest(user.encode(), self.login[0].encode()) and hmac.compare_digest(
                    password.encode(), self.login[1].encode()):
                return None
            if self.api_key and hmac.compare_digest(password.encode(), self.api_key.encode()):
                return None
            return 1002, "认证失败：用户名或密码不正确。"
        return 1001, "Authorization 头格式不对：应为 Bearer <PLANQA_API_KEY>。"

    def signed_in_page(self, scope: dict) -> bool:
        """A page request under a login that carries Gradio's session cookie (Gradio checks the cookie itself)."""
        if self.login is None or self.program_route(scope.get("path", "")):
            return False
        cookies = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == b"cookie"]
        return any(part.strip().startswith(SESSION_COOKIE) for c in cookies for part in c.split(";"))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or not self.protects(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == b"authorization"), None)
        refused = self.check(header)
        if refused is None or (header is None and self.signed_in_page(scope)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        code, message = refused
        path = scope.get("path", "")
        if path.rstrip("/").endswith("/retrieval"):
            body: dict[str, Any] = {"error_code": code, "error_msg": message}
        else:
            body = {"error": {"message": message, "type": "authentication_error", "param": None, "code": None}}
        browser = path.startswith(("/docs", "/redoc", "/openapi.json")) or not self.program_route(path)
        challenge = 'Basic realm="PlanQA"' if browser else "Bearer"
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(payload)).encode()),
                                (b"www-authenticate", challenge.encode())]})
        await send({"type": "http.response.body", "body": payload})
