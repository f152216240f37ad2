"""Shared by the app tests: a private copy of the real index, and the app started in a subprocess.

A private index directory lets upload tests rebuild without touching `build/index`;
it starts as a copy of the current version when one exists (so nothing is re-embedded)
and is built from `data/plans` otherwise, exactly as `make run` would on first use.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from index.settings import IndexSettings
from index.storage import IndexUnavailableError, open_version, publish, versions_dir
from index.store import build_index, load_index

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
STARTUP_SECONDS = 180


def private_index(root: Path) -> IndexSettings:
    """Index settings under `root`, holding the five plans' index (copied, or built once)."""
    settings = IndexSettings(plans_dir=PLANS, index_dir=root / "index", uploads_dir=root / "uploads")
    try:
        source, _ = open_version(ROOT / IndexSettings().index_dir, verify=True)
    except IndexUnavailableError:
        build_index(settings=settings, progress=False)
        return settings
    copy = versions_dir(settings.index_dir) / source.name
    shutil.copytree(source, copy)
    publish(copy, settings.index_dir)
    try:
        load_index(settings)
    except IndexUnavailableError:  # built by older code: rebuild, reusing its embeddings
        build_index(settings=settings, progress=False)
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(settings: IndexSettings, log: Path, **env: str) -> tuple[str, subprocess.Popen]:
    """Run `python app.py` on a free loopback port; returns (url, process) once it answers."""
    port = free_port()
    full_env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PLANQA_HOST": "127.0.0.1",
        "PLANQA_PORT": str(port),
        "PLANQA_PLANS_DIR": str(settings.plans_dir),
        "PLANQA_INDEX_DIR": str(settings.index_dir),
        "PLANQA_UPLOADS_DIR": str(settings.uploads_dir),
        **env,
    }
    with open(log, "w", encoding="utf-8") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            if httpx.get(f"{url}/gradio_api/info", timeout=2).status_code in (200, 401):
                return url, proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_app(proc)
    raise RuntimeError(f"app.py did not answer within {STARTUP_SECONDS} s:\n{log.read_text(encoding='utf-8')[-3000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
