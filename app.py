"""PlanQA: `python app.py` (or `make run`) serves everything on one port, http://127.0.0.1:7860 by default.

One uvicorn server (`webui/server.py`) holds the Gradio page at `/` — 问答 (chat with cited
clauses), 城市对比, 资格自查 and 规划库, and the Gradio API's `/ask` — and the program routes:
OpenAI-compatible chat at `/v1/chat/completions`, the JSON API at `/api/…` (OpenAPI page at
`/docs`), Dify's external knowledge API at `/retrieval` and MCP over streamable HTTP at `/mcp`.

It accepts connections about a second after start: an existing index and the embedding model load
in the background (a question asked meanwhile waits for them), and the page is mounted once they
are loaded. On first use, when there is no index, it is built here first, with progress in the
terminal. Configuration: PLANQA_HOST, PLANQA_PORT, PLANQA_AUTH=user:password, PLANQA_API_KEY,
PLANQA_CONCURRENCY, PLANQA_MAX_REQUEST_BYTES, PLANQA_MAX_MESSAGE_CHARS, PLANQA_ALLOWED_HOSTS
(see webui/settings.py), PLANQA_WORKERS (processes answering the program routes, webui/workers.py)
and the index settings (index/settings.py). Every request passes `webui.guard.RequestGuard` first (Host allow-list, body size limit, lone surrogates, no server
paths) and the program routes require the API key when a login or key is set.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from index.settings import IndexSettings
from index.versions import IndexUnavailableError, open_version
from ingest import IngestError
from webui import server
from webui.api_common import Engine
from webui.settings import ServeSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.service import Assistant

log = logging.getLogger("planqa.app")


def ensure_index(settings: IndexSettings | None = None) -> Assistant:
    """The assistant over the current index, built first when there is none or it cannot be used
    (first use, or an index left by an older version or another embedding model)."""
    from assistant.service import Assistant
    from index.build import build_index

    settings = settings or IndexSettings()
    try:
        assistant = Assistant.from_index(settings)
        _ = assistant.index.encoder  # loads the embedding model now (not on the first question) and checks it
        return assistant
    except IndexUnavailableError as exc:
        log.warning("%s", exc)
        log.warning("Building the index from %s now (under a minute for the five plans).", settings.plans_dir)
        report = build_index(settings=settings, progress=True)
        log.warning("Index built: %d plans, %d clauses, %d indicator rows in %.1f s.",
                    report.documents, report.clauses, report.indicators, report.seconds)
        for error in report.errors:
            log.warning("skipped: %s", error)
        return Assistant.from_index(settings)


def build_app(assistant: Assistant, library: Any, serve: ServeSettings) -> Any:
    """The Gradio page (`webui.page.build_app`)."""
    from webui.page import build_app as page

    return page(assistant, library, serve)


def start_engine(settings: IndexSettings, serve: ServeSettings) -> Engine:
    """The assistant: loading in the background when an index exists, else built now (first use)."""
    try:
        open_version(settings.index_dir, verify=False)  # only the manifest: is there an index to load?
    except IndexUnavailableError:
        return Engine.ready_with(ensure_index(settings))
    return Engine(lambda: ensure_index(settings), wait_s=serve.startup_wait_s)


def make_server(serve: ServeSettings, engine: Engine, index_settings: IndexSettings) -> FastAPI:
    def page(app: FastAPI, assistant: Assistant) -> Any:
        from webui.page import mount_page

        return mount_page(app, assistant, index_settings, serve, build=build_app)

    def refused_file(path: str, client: str) -> None:
        """A request naming a server file goes into the library's change log (imported here: it is heavy)."""
        from index.library import PlanLibrary

        PlanLibrary(index_settings).audit("upload", "refused", Path(path).name, None, client,
                                          "文件不在上传目录中（伪造的服务器路径）")

    return server.create_app(serve, engine, page, audit=refused_file)


# Libraries whose INFO lines say nothing an operator acts on: faiss's loader reports each CPU build it could not
# import (AVX512 …) before the one it uses, bm25s each index it builds, MCP each request, httpx Gradio's start-up
# probes. Their warnings and errors still show. A filter on the log's handlers, not only a level: bm25s sets its
# own logger to DEBUG when it is imported, after start-up.
QUIET_LOGGERS = ("faiss", "bm25s", "httpx", "mcp", "jieba")


class QuietLibraries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not any(
            record.name == name or record.name.startswith(name + ".") for name in QUIET_LOGGERS)


def quiet_libraries(handlers: list[logging.Handler]) -> None:
    """The libraries' loggers at WARNING, and `handlers` (the log's own) filtering what they say below it."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in handlers:
        handler.addFilter(QuietLibraries())


def main() -> int:
    root, before = logging.getLogger(), list(logging.getLogger().handlers)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries([h for h in root.handlers if h not in before])  # not handlers a caller (a test) installed
    try:
        serve = ServeSettings()
    except ValidationError as exc:  # say which setting is wrong, never echo its value (it may be a password)
        for e in exc.errors():
            print(f"error: PLANQA_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}", file=sys.stderr)
        return 2
    from webui.workers import WorkerSettings

    try:
        workers = WorkerSettings().count()
    except (ValidationError, ValueError) as exc:
        print(f"error: PLANQA_WORKERS: {exc}", file=sys.stderr)
        return 2
    index_settings = IndexSettings()
    try:
        engine = start_engine(index_settings, serve)
    except (IndexUnavailableError, IngestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    warning = serve.exposure_warning()
    if warning:
        log.warning(warning)
    if serve.credentials is not None and serve.api_key is None:
        log.warning("PLANQA_AUTH is set without PLANQA_API_KEY: programs authenticate with HTTP Basic "
                    "(the same user:password); set PLANQA_API_KEY for `Authorization: Bearer`.")
    app = make_server(serve, engine, index_settings)
    log.info("PlanQA on http://%s:%d (page /, OpenAI /v1, JSON /api, OpenAPI /docs, Dify /retrieval, MCP /mcp)",
             serve.host, serve.port)
    if workers > 1:  # the program routes in `workers` processes, the page in this one (webui/workers.py)
        from webui.workers import serve_with_workers

        serve_with_workers(app, serve, workers)
    else:
        server.run(app, serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
