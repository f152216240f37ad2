"""How fast the limits answer: the wall-clock checks that left the unit tests (issue 21 item 5).

    python -m bench.bench_limits [--repeat 3]

Each case runs `--repeat` times after one warm-up; reported are the median and the slowest run against the goal
the test used to assert (the tests now check the behaviour: one connection attempt, no body byte read, the XML
never handed to python-docx):
* an unreachable LLM endpoint (a closed loopback port, timeout 2 s, no retry) gives its GenerationError;
* the 100 MB-of-XML .docx bomb of bench/attack.py is refused by its declared XML size, and, with
  PLANQA_MAX_XML_MB raised to 500, by the streaming paragraph counter (`ingest.read_document`);
* against the JSON app (`webui.server.create_app`, no page) on a free loopback port, its index never loaded:
  a declared 60 MB Content-Length gets its 413 (headers only sent), a 30 MB body posted whole gets its 413, and an
  MCP client's tools/list is answered.
Writes build/bench/limits.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.attack import docx_bomb
from bench.measure import machine, markdown_table, timed_runs, verdict, write_result
from bench.process import free_port

GOALS_S = {"llm_unreachable": 5.0, "bomb_declared_size": 5.0, "bomb_paragraph_counter": 5.0,
           "declared_60mb_413": 1.5, "posted_30mb_413": 10.0, "mcp_tools_list_while_loading": 5.0}


def _expect_error(work: Callable[[], object], kind: type[BaseException]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except kind:
            return
        raise RuntimeError(f"{work} did not raise {kind.__name__}")
    return run


def _llm_unreachable() -> Callable[[], None]:
    from assistant.generation import GenerationError
    from assistant.generation.openai_backend import OpenAIGenerator

    port = free_port()  # nothing listens on it once the probe socket is closed
    llm = OpenAIGenerator(base_url=f"http://127.0.0.1:{port}/v1", model="none", timeout=2, max_retries=0)
    return _expect_error(lambda: llm.generate("南京高新技术企业目标是多少？", []), GenerationError)


def _bomb(folder: Path, max_xml_mb: float | None) -> Callable[[], None]:
    from ingest import IngestError, read_document
    from ingest.settings import IngestSettings

    path = folder / "规划.docx"
    if not path.exists():
        path.write_bytes(docx_bomb())
    settings = IngestSettings() if max_xml_mb is None else IngestSettings(max_xml_mb=max_xml_mb)
    return _expect_error(lambda: read_document(path, settings), IngestError)


class _Server:
    """The JSON app on a free loopback port, its index loader held until `close()`."""

    def __init__(self) -> None:
        import uvicorn

        from webui.api_common import Engine
        from webui.server import create_app
        from webui.settings import ServeSettings

        self.release = threading.Event()

        def never_loaded():
            self.release.wait(600)
            raise RuntimeError("the benchmark does not load an index")

        self.port = free_port()
        app = create_app(ServeSettings(), Engine(never_loaded, wait_s=0.5), page=None)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.release.set()
        self.server.should_exit = True
        self.thread.join(20)

    def declared_60mb(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(f"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {60 << 20}\r\n\r\n{{\"question\": \"".encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += chunk
        if not received.startswith(b"HTTP/1.1 413"):
            raise RuntimeError(f"expected 413, got {received[:100]!r}")

    def posted_30mb(self) -> None:
        r = httpx.post(f"{self.url}/api/ask", content=b"{" + b" " * (30 << 20) + b"}",
                       headers={"content-type": "application/json"}, timeout=60)
        if r.status_code != 413:
            raise RuntimeError(f"expected 413, got {r.status_code}")

    def tools_list(self) -> None:
        import httpx2
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client

        async def session() -> int:
            http = httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=60))
            async with http, Client(streamable_http_client(f"{self.url}/mcp", http_client=http)) as client:
                return len((await client.list_tools()).tools)

        if not asyncio.run(session()):
            raise RuntimeError("tools/list returned no tool")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (default 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    info = machine()
    rows: dict[str, dict[str, float]] = {}

    def measure(name: str, work: Callable[[], None]) -> None:
        seconds = timed_runs(work, args.repeat)
        rows[name] = {"median_s": round(statistics.median(seconds), 4), "max_s": round(max(seconds), 4),
                      "goal_s": GOALS_S[name]}

    with tempfile.TemporaryDirectory(prefix="planqa-bench-limits-") as folder:
        measure("llm_unreachable", _llm_unreachable())
        measure("bomb_declared_size", _bomb(Path(folder), None))
        measure("bomb_paragraph_counter", _bomb(Path(folder), 500.0))
    server = _Server()
    try:
        measure("declared_60mb_413", server.declared_60mb)
        measure("posted_30mb_413", server.posted_30mb)
        measure("mcp_tools_list_while_loading", server.tools_list)
    finally:
        server.close()
    write_result("limits", {"machine": info, "repeat": args.repeat, "cases": rows})
    print(f"\nLimits, {args.repeat} runs each (load avg {info['load_avg_1m']}, {info['cpus']} CPUs, {info['date']})\n")
    print(markdown_table(["case", "median s", "slowest s", "goal s", "met"],
                         [[name, r["median_s"], r["max_s"], r["goal_s"], verdict(r["max_s"], r["goal_s"])]
                          for name, r in rows.items()]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
