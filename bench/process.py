"""Run the app as a separate process on a free loopback port (for tests, benchmarks and the load test).

A real `python app.py` is what users run, so what the API tests and the load test
measure is the server as served, not an in-process imitation.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app, startup_seconds: float = 60) -> Iterator[int]:
    """`app` (an ASGI application) served by uvicorn in a thread on a free loopback port: yields the port once
    the server listens, and stops it afterwards."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_seconds
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not listen on port {port} within {startup_seconds} s")
            time.sleep(0.05)
        yield port
    finally:
        server.should_exit = True
        thread.join(20)


def launch_app(log: Path, **env: str) -> tuple[str, subprocess.Popen]:
    """`python app.py` on a free loopback port with `env` added, its output to `log`; returns (url, process) at once."""
    port = free_port()
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                "PLANQA_HOST": "127.0.0.1", "PLANQA_PORT": str(port), **env}
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT)
    return f"http://127.0.0.1:{port}", proc


def start_app(log: Path, startup_seconds: float = 180, **env: str) -> tuple[str, subprocess.Popen]:
    """`python app.py` on a free loopback port with `env` added; returns (url, process) once its API answers."""
    url, proc = launch_app(log, **env)
    deadline = time.monotonic() + startup_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            if httpx.get(f"{url}/gradio_api/info", timeout=2).status_code in (200, 401):  # 401: login required
                return url, proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_app(proc)
    raise RuntimeError(f"app.py did not answer within {startup_seconds} s:\n{log.read_text(encoding='utf-8')[-3000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
