"""A page's side of Gradio's HTTP protocol, for tests and `bench/attack.py` (not used by the app).

`gradio_client` offers only the public `/ask` endpoint; the page's own events (chat, upload,
remove, the refresh on load) are reached the way the browser reaches them: POST
`/gradio_api/queue/join` (or `/gradio_api/run/predict` for unqueued events) with the event's
`fn_index` and a session hash, then read the session's event stream. Raw bodies can be sent
as given, which is how hostile input (lone surrogates, oversized JSON) gets in.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


@dataclass
class Outcome:
    """How one event ended: the join's HTTP status, the final stream message, its output data."""

    status: int
    final: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""  # the join's response body when it was refused

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.final.get("success"))

    @property
    def data(self) -> list[Any]:
        return (self.final.get("output") or {}).get("data") or []

    @property
    def error(self) -> str:
        return str(self.final.get("message") or (self.final.get("output") or {}).get("error") or self.text)


class PageSession:
    """One open page (one Gradio session) of the app at `url`."""

    def __init__(self, url: str, timeout: float = 120, config: dict | None = None):
        self.url = url.rstrip("/")
        self.session_hash = uuid.uuid4().hex[:11]
        self.timeout = timeout
        self.http = httpx.Client(timeout=timeout)
        self.config = config or self.http.get(f"{self.url}/config").json()

    def close(self) -> None:
        self.http.close()

    # -- what the page is made of ---------------------------------------------------------------
    def dependency(self, api_name: str) -> tuple[int, dict[str, Any]]:
        """(fn_index, dependency) of the event with this api_name (the handler's name unless set)."""
        for i, dep in enumerate(self.config["dependencies"]):
            if dep.get("api_name") == api_name:
                return dep.get("id", i), dep
        raise KeyError(f"no event named {api_name!r}")

    def has(self, api_name: str) -> bool:
        return any(d.get("api_name") == api_name for d in self.config["dependencies"])

    def component(self, elem_id: str) -> int:
        for c in self.config["components"]:
            if c.get("props", {}).get("elem_id") == elem_id:
                return c["id"]
        raise KeyError(elem_id)

    # -- events ---------------------------------------------------------------------------------
    def event(self, api_name: str, data: list[Any] | None = None, raw: bytes | None = None) -> Outcome:
        """Run the event as the page would: `data` as its inputs, or `raw` as the whole request body."""
        fn_index, dep = self.dependency(api_name)
        trigger = dep["targets"][0][0] if dep.get("targets") else None
        body = raw if raw is not None else json.dumps(
            {"data": data or [], "fn_index": fn_index, "session_hash": self.session_hash, "event_data": None,
             "trigger_id": trigger}).encode("utf-8")
        headers = {"content-type": "application/json"}
        if dep.get("queue") is False:
            r = self.http.post(f"{self.url}/gradio_api/run/predict", content=body, headers=headers)
            if r.status_code != 200:
                return Outcome(r.status_code, text=r.text)
            out = r.json()
            return Outcome(200, {"msg": "process_completed", "success": "error" not in out or not out["error"],
                                 "output": out})
        r = self.http.post(f"{self.url}/gradio_api/queue/join", content=body, headers=headers)
        if r.status_code != 200:
            return Outcome(r.status_code, text=r.text)
        messages: list[dict[str, Any]] = []
        with self.http.stream("GET", f"{self.url}/gradio_api/queue/data",
                              params={"session_hash": self.session_hash}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                messages.append(message)
                if message.get("msg") in ("process_completed", "unexpected_error", "close_stream"):
                    break
        final = next((m for m in reversed(messages) if m.get("msg") in ("process_completed", "unexpected_error")),
                     {})
        return Outcome(200, final, messages)

    def raw_event(self, api_name: str, data_json: str) -> Outcome:
        """The event with its `data` array written as JSON text by hand (e.g. holding "\\ud800")."""
        fn_index, dep = self.dependency(api_name)
        trigger = dep["targets"][0][0] if dep.get("targets") else "null"
        body = (f'{{"data": {data_json}, "fn_index": {fn_index}, "session_hash": "{self.session_hash}", '
                f'"event_data": null, "trigger_id": {trigger}}}')
        return self.event(api_name, raw=body.encode("utf-8"))

    def upload(self, path: Path, name: str | None = None) -> httpx.Response:
        """POST a file to Gradio's upload route (what the 上传规划 box does)."""
        with open(path, "rb") as f:
            return self.http.post(f"{self.url}/gradio_api/upload", files={"files": (name or path.name, f)})

    def file_data(self, handle: str, name: str, size: int) -> dict[str, Any]:
        """The value the page sends for an uploaded file."""
        return {"path": handle, "url": f"{self.url}/gradio_api/file={handle}", "orig_name": name, "size": size,
                "mime_type": "text/plain", "meta": {"_type": "gradio.FileData"}}

    def upload_plan(self, path: Path) -> Outcome:
        """Upload a plan file and press 加入并重建索引 with no plan chosen in 限定规划 (the event's second input); the
        outcome's data[0] is the status line."""
        response = self.upload(path)
        response.raise_for_status()
        handle = response.json()[0]
        return self.event("on_upload", [self.file_data(handle, path.name, path.stat().st_size), None])
