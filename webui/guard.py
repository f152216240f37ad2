"""What every HTTP request passes before Gradio sees it: a pure ASGI middleware (`RequestGuard`).

Four checks, each for something Gradio does not do by itself:

* **Host header.** While the app listens on loopback without a login, only the bound host
  names (127.0.0.1, localhost, ::1 and `PLANQA_HOST`) plus `PLANQA_ALLOWED_HOSTS` are
  accepted, so a web page cannot reach the app through DNS rebinding. Others get 400.
* **Request size.** A request body (the JSON of `/gradio_api/call/ask`, `/gradio_api/queue/join`, …)
  larger than `PLANQA_MAX_REQUEST_BYTES` gets 413 with a message naming the limit, never held in
  memory. A declared Content-Length over the limit is answered at once and the connection closed
  after a short lingering read (`LINGER_S`, so a client still writing can read the answer); a body
  without a length is read and discarded up to the limit's end. Plan files go to
  `/gradio_api/upload`, limited by `PLANQA_MAX_UPLOAD_MB` instead.
* **Lone surrogates.** `"\\ud800"` is valid JSON but not valid Unicode; Gradio's encoder
  (orjson) cannot send such a string back and drops the answer stream. Every JSON body's lone
  surrogates become U+FFFD before Gradio parses it (`scrub` does the same to outputs).
* **Server paths.** Gradio answers an upload with the file's absolute path in its temp folder and
  sends output files the same way. Those paths leave the server relative to that folder
  (`<hash>/<name>`) and come back the same way; the guard maps them in both directions.
* **Files only from the upload folder.** Mounted into FastAPI (not launched), Gradio does not check
  that a `FileData.path` sent by a client is a file it stored for an upload, so a forged path
  (`/etc/passwd`, `../README.md`, a symlink) would be read by the event that takes it. Every JSON
  body is read, and a request naming a file outside the upload folder (after resolving links) is
  refused with 400 and reported to `audit` (the library's change log).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import quote

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("planqa.guard")

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
UPLOAD_ROUTE = "/gradio_api/upload"
FILE_ROUTE = "/gradio_api/file="
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DRAIN_BYTES = 64 * 1024 * 1024  # an oversized body is read and discarded up to this, so the client sees the 413
LINGER_S = 2.0  # after answering 413 to a declared oversized body: discard what still arrives this long, then close
PROGRAM_PATHS = ("/v1/", "/api/", "/docs", "/openapi.json")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # in a Python str only unpaired halves remain
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_CACHED = r"[0-9a-f]{16,}/[^/\\]+"  # Gradio's cache layout: <hex hash>/<file name>
_RELATIVE_FILE = re.compile(rf"{_CACHED}\Z")


def scrub(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD, through lists, tuples and dicts."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub(v) for v in value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


def host_name(header: str) -> str:
    """The name part of a Host header: "127.0.0.1:7860" → "127.0.0.1", "[::1]:80" → "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    if header.count(":") == 1:
        return header.partition(":")[0]
    return header


class FileRefused(ValueError):
    """A request body names a file that is not in the upload folder."""


def inside(path: str, root: str) -> bool:
    """Whether `path`, with every symlink resolved, lies in the directory `root` (also resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, top]) == top and real != top


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def error_body(path: str, status: int, message: str) -> dict[str, Any]:
    """The error in the shape the route speaks: OpenAI's on /v1 and /api, Dify's on /retrieval, JSON-RPC's on
    /mcp, `{"error": message}` on Gradio's routes."""
    if path.rstrip("/").endswith("/retrieval"):
        return {"error_code": 2001 if status == 404 else status, "error_msg": message}
    if path == "/mcp" or path.startswith("/mcp/"):
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}
    if path.startswith(PROGRAM_PATHS):
        kind = "request_too_large" if status == 413 else "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return {"error": message}


async def _respond(send: Send, status: int, message: str, path: str = "", linger: Receive | None = None) -> None:
    """Answer and close. With `linger`, the whole answer goes out first, then what the client still sends is read
    and discarded for up to LINGER_S (so a client that writes its body before reading sees the answer, not a
    reset), and only then is the response finished and the connection closed."""
    body = json.dumps(error_body(path, status, message), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body, "more_body": linger is not None})
    if linger is not None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(_drain(linger, DRAIN_BYTES), LINGER_S)
        await send({"type": "http.response.body", "body": b""})


class RequestGuard:
    """The ASGI middleware; see the module docstring. `allowed_hosts=None` accepts any Host."""

    def __init__(self, app: ASGIApp, *, max_body: int, allowed_hosts: Iterable[str] | None,
                 files_dir: str | None = None, audit: Callable[[str, str], None] | None = None):
        """`audit(path, client)` is told of every refused file path (the library's change log)."""
        self.app = app
        self.audit = audit
        self.max_body = max_body
        self.allowed_hosts = None if allowed_hosts is None else frozenset(host_name(h) for h in allowed_hosts)
        if files_dir is None:
            from gradio.utils import get_upload_folder  # the folder Gradio keeps uploads and output files in

            files_dir = get_upload_folder()
        self.files_dir = os.path.abspath(files_dir).rstrip("/")
        self._outbound = re.compile(re.escape(self.files_dir.encode()) + rb"/(?=" + _CACHED.encode() + rb")")

    # -- checks ----------------------------------------------------------------------------------
    def host_allowed(self, scope: Scope) -> bool:
        if self.allowed_hosts is None:
            return True
        host = _header(scope, b"host")
        return host is not None and host_name(host) in self.allowed_hosts

    def too_large_message(self, size: int | None) -> str:
        got = f"{size} 字节" if size is not None else f"超过 {self.max_body} 字节"
        return (f"请求过大（{got}）：每个请求不超过 {self.max_body} 字节（PLANQA_MAX_REQUEST_BYTES）。"
                "问题只使用前 500 字；上传规划请用“规划库”页。")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not self.host_allowed(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _respond(send, 400, "Host 不被接受：请用 http://127.0.0.1 或 PLANQA_ALLOWED_HOSTS 中的名称访问。",
                               scope.get("path", ""))
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(FILE_ROUTE):
            scope = self._file_route(scope)
            await self.app(scope, receive, send)  # file contents pass untouched
            return
        if scope.get("method") in BODY_METHODS and path != UPLOAD_ROUTE:
            body = await self._read_body(scope, receive, send)
            if body is None:
                return
            try:
                body = self._inbound(scope, body)
            except FileRefused as exc:
                self._report(scope, str(exc))
                await _respond(send, 400, "只接受通过上传得到的文件：请求中的文件不在本服务的上传目录中。", path)
                return
            except RecursionError:
                await _respond(send, 400, "请求体的 JSON 嵌套过深：请发送层级正常的 JSON 对象。", path)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, self._outbound_send(send))

    # -- request body ----------------------------------------------------------------------------
    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None after answering 413 (the body read and thrown away, never kept)."""
        declared = _header(scope, b"content-length")
        size = int(declared) if declared and declared.isdigit() else None
        path = scope.get("path", "")
        if size is not None and size > self.max_body:  # answered before the body is read, then the connection closes
            expects = (_header(scope, b"expect") or "").lower() == "100-continue"  # then no body comes unasked
            await _respond(send, 413, self.too_large_message(size), path, linger=None if expects else receive)
            return None
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body:
                if message.get("more_body"):
                    await _drain(receive, DRAIN_BYTES - total)
                await _respond(send, 413, self.too_large_message(None), path)
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _inbound(self, scope: Scope, body: bytes) -> bytes:
        """A JSON body with its lone surrogates replaced and its file handles mapped back and checked.

        Every body that parses as JSON is read (FastAPI parses a body without a content type as JSON
        too, and `"gradio.FileData"` may arrive escaped), so no file reference goes unchecked."""
        if not body.lstrip()[:1] in (b"{", b"["):
            return body
        try:
            data = json.loads(body)
        except ValueError:
            return body  # Gradio answers malformed JSON itself
        if not self._map_files(data) and not _ESCAPED_SURROGATE.search(body):
            return body
        out = json.dumps(scrub(data), ensure_ascii=False).encode("utf-8")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope["headers"] = [*headers, (b"content-length", str(len(out)).encode())]
        return out

    def _map_files(self, value: Any) -> bool:
        """Map every file reference in the parsed body `value` into the upload folder, in place; whether one
        changed. `FileRefused` for a reference outside the folder."""
        if isinstance(value, list):
            return any([self._map_files(v) for v in value])  # a list, so every item is checked
        if not isinstance(value, dict):
            return False
        changed = any([self._map_files(v) for v in value.values()])
        meta = value.get("meta")
        if isinstance(meta, dict) and meta.get("_type") == "gradio.FileData":
            path = self.checked(value.get("path"))
            changed = changed or path != value.get("path")
            value["path"] = path
        return changed

    def checked(self, handle: Any) -> str:
        """The server path of a file handle the client sent, refused unless it lies in the upload folder."""
        if not isinstance(handle, str) or not handle:
            raise FileRefused(f"file handle {handle!r}")
        path = self.absolute(handle)
        if not os.path.isabs(path) or not inside(path, self.files_dir):
            raise FileRefused(handle)
        return path

    def absolute(self, handle: str) -> str:
        """The server path of a relative file handle `<hash>/<name>`; anything else unchanged."""
        if _RELATIVE_FILE.match(handle) and ".." not in handle.split("/"):
            return f"{self.files_dir}/{handle}"
        return handle

    def _report(self, scope: Scope, path: str) -> None:
        client = (scope.get("client") or ("-",))[0]
        log.warning("refused a file outside the upload folder: %s (client %s, %s)", path[:200], client,
                    scope.get("path", ""))
        if self.audit is not None:
            try:
                self.audit(path[:200], client)
            except Exception:  # noqa: BLE001 - the refusal stands; the log line above records it
                log.exception("could not record the refused file")

    def _file_route(self, scope: Scope) -> Scope:
        handle = scope["path"][len(FILE_ROUTE):]
        mapped = self.absolute(handle)
        if mapped == handle:
            return scope
        path = FILE_ROUTE + mapped
        return {**scope, "path": path, "raw_path": quote(path, safe="/=:").encode()}

    # -- responses -------------------------------------------------------------------------------
    def _outbound_send(self, send: Send) -> Send:
        """`send` with the files folder cut out of JSON and event-stream bodies (held back only when sized)."""
        state: dict[str, Any] = {"rewrite": False, "start": None, "chunks": []}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                kind = dict((k.lower(), v) for k, v in message.get("headers", ())).get(b"content-type", b"")
                state["rewrite"] = b"json" in kind or b"event-stream" in kind
                sized = any(k.lower() == b"content-length" for k, _ in message.get("headers", ()))
                if state["rewrite"] and sized:
                    state["start"] = message  # sent with the rewritten body and its new length
                    return
                await send(message)
                return
            if message["type"] != "http.response.body" or not state["rewrite"]:
                await send(message)
                return
            body = self._outbound.sub(b"", message.get("body", b""))
            if state["start"] is None:  # streamed: each chunk is whole SSE events
                await send({**message, "body": body})
                return
            state["chunks"].append(body)
            if message.get("more_body"):
                return
            full = b"".join(state["chunks"])
            start = state["start"]
            headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(full)).encode())]})
            await send({"type": "http.response.body", "body": full})

        return wrapped


async def _drain(receive: Receive, limit: int) -> None:
    """Read and discard a request body, up to `limit` bytes."""
    read = 0
    while read < limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body"):
            return


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the already read body once, then waits on the real one (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class EventInputs:
    """ASGI middleware over the mounted page: a Gradio API call (`/gradio_api/run|call/<name>`, `queue/join`) that
    sends fewer input values than its event takes gets 400 naming them (Gradio itself answers 500 and logs a
    traceback). `blocks` is the page's `gr.Blocks`; extra values are left to Gradio (it ignores them)."""

    ROUTE = re.compile(r"/gradio_api/(?:run|call)/([^/]+)/?\Z")
    QUEUE = "/gradio_api/queue/join"

    def __init__(self, app: ASGIApp, blocks: Any):
        self.app = app
        self.blocks = blocks

    def __getattr__(self, name: str) -> Any:  # the wrapped app's routes, router … (route tables read through it)
        if name in ("app", "blocks"):
            raise AttributeError(name)
        return getattr(self.app, name)

    def _event(self, path: str, body: Any) -> Any:
        fns = getattr(self.blocks, "fns", {})
        found = self.ROUTE.search(path)
        if found:
            return next((f for f in fns.values() if f.api_name == found.group(1)), None)
        if path.endswith(self.QUEUE) and isinstance(body, dict) and isinstance(body.get("fn_index"), int):
            return fns.get(body["fn_index"])
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not (
                self.ROUTE.search(path) or path.endswith(self.QUEUE)):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        event = self._event(path, body)
        data = body.get("data") if isinstance(body, dict) else None
        if event is not None and isinstance(data, list) and len(data) < len(event.inputs):
            await _respond(send, 400, self.message(event, len(data)), path)
            return
        await self.app(scope, _replay(raw, receive), send)

    @staticmethod
    def message(event: Any, got: int) -> str:
        import inspect

        needed = len(event.inputs)
        try:
            names = [p for p in inspect.signature(event.fn).parameters][:needed]
        except (TypeError, ValueError):
            names = []
        listed = f"（{', '.join(names)}）" if len(names) == needed else ""
        return (f"“{event.api_name or event.name}”需要 {needed} 个输入值{listed}，收到 {got} 个："
                f"请在 data 列表中按顺序给出，不需要的填 null。")
