"""PLANQA_WORKERS: the program routes answered by several processes, the page by the first; a client address
forwarded by a worker is believed only from the run's own workers."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import httpx
import psutil
import pytest
from app_support import ROOT, private_index, start_app, stop_app

from webui.workers import PEER_HEADER, TOKEN_HEADER, FromWorker

QUESTION = "南京到2025年高新技术企业要达到多少家？"


def seen_by(token: str, port: int, server_port: int, headers: list[tuple[bytes, bytes]]) -> dict:
    """The scope the app behind FromWorker receives for a request with `headers` on `server_port`."""
    got: dict = {}

    async def app(scope, receive, send):
        got.update(scope)

    scope = {"type": "http", "headers": headers, "client": ("10.0.0.9", 5000), "server": ("127.0.0.1", server_port)}
    asyncio.run(FromWorker(app, token, port)(scope, None, None))
    return got


def test_a_forwarded_client_address_is_believed_only_from_a_worker():
    forwarded = [(PEER_HEADER, b"192.0.2.7:4321"), (TOKEN_HEADER, b"secret-token"), (b"accept", b"*/*")]
    assert seen_by("secret-token", 9000, 9000, forwarded)["client"] == ("192.0.2.7", 4321)
    for token, server_port in (("another-token", 9000), ("secret-token", 7860)):  # wrong token; the public port
        scope = seen_by(token, 9000, server_port, forwarded)
        assert scope["client"] == ("10.0.0.9", 5000)
        assert scope["headers"] == [(b"accept", b"*/*")]  # the headers never reach the app


def test_a_bad_worker_count_is_refused_before_anything_loads():
    env = {**os.environ, "PLANQA_WORKERS": "0", "PLANQA_PORT": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "PLANQA_WORKERS must be between 1 and" in done.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("workers")
    url, proc = start_app(private_index(root), root / "app.log", PLANQA_WORKERS="2")
    try:
        yield url, proc
    finally:
        stop_app(proc)


def test_two_processes_answer_the_program_routes_and_the_page_is_one(served):
    url, _ = served
    answered: Counter = Counter()
    deadline = time.monotonic() + 120
    while len(answered) < 2 and time.monotonic() < deadline:  # each request on a new connection
        r = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert r.status_code == 200 and "20000" in r.json()["answer"]
        answered[r.headers["x-planqa-process"]] += 1
    assert set(answered) == {"0", "1"}, answered
    via: Counter = Counter()
    for _ in range(30):
        r = httpx.get(url, headers={"accept": "text/html"}, timeout=60)
        assert r.status_code == 200 and 'lang="zh-CN"' in r.text
        via[r.headers["x-planqa-process"]] += 1
    assert set(via) <= {"0", "0, 1"}  # served by process 0, directly or forwarded by the worker
    info = httpx.get(f"{url}/gradio_api/info", timeout=60)
    assert info.status_code == 200 and "/ask" in info.text


def test_the_workers_stop_with_the_first_process(tmp_path):
    url, proc = start_app(private_index(tmp_path), tmp_path / "app.log", PLANQA_WORKERS="2")
    try:
        workers = [c for c in psutil.Process(proc.pid).children() if "webui.workers" in " ".join(c.cmdline())]
        assert len(workers) == 1
        os.kill(proc.pid, signal.SIGKILL)  # not even a chance to stop them
        proc.wait(10)
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive
    finally:
        stop_app(proc)
