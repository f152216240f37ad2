"""Shared by the app tests: a private copy of the real index, and the app started in a subprocess.

A private index directory lets upload tests rebuild without touching `build/index`;
it starts as a copy of the current version when one exists (so nothing is re-embedded)
and is built from `data/plans` otherwise, exactly as `make run` would on first use.
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from index.settings import IndexSettings
from index.build import build_index, load_index
from index.versions import IndexUnavailableError, open_version, publish, versions_dir
from bench import process as app_process
from bench.process import stop_app  # noqa: F401 - re-exported for the app tests

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


def index_env(settings: IndexSettings) -> dict[str, str]:
    return {"PLANQA_PLANS_DIR": str(settings.plans_dir), "PLANQA_INDEX_DIR": str(settings.index_dir),
            "PLANQA_UPLOADS_DIR": str(settings.uploads_dir)}


def start_app(settings: IndexSettings, log: Path, **env: str) -> tuple[str, subprocess.Popen]:
    """Run `python app.py` over `settings`' index on a free loopback port; returns (url, process) once it answers."""
    return app_process.start_app(
        log, STARTUP_SECONDS, PLANQA_PLANS_DIR=str(settings.plans_dir), PLANQA_INDEX_DIR=str(settings.index_dir),
        PLANQA_UPLOADS_DIR=str(settings.uploads_dir), **env,
    )


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"
WAIT_MS = 60_000


@contextmanager
def browser_page(settings: IndexSettings, log: Path, **env: str) -> Iterator[Any]:
    """The app over `settings`' index (`start_app`, `env` added) open in headless Chromium, a 1440×1000 zh-CN page
    whose question box has shown; skips with the reason when Debian's chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    url, proc = start_app(settings, log, **env)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.goto(url)
            page.locator("#pq-question textarea").wait_for()
            yield page
            browser.close()
    finally:
        stop_app(proc)


def choose(page, elem_id: str, option: str) -> None:
    """Pick `option` in a Gradio dropdown."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option).first.click()
