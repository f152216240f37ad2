"""Shared fixtures: one real index of the five plans, built once per test session.

`built_index` builds the index of `data/plans` into a temporary directory with the real
embedding model (`IndexSettings(index_dir=tmp/...)`), so tests never touch `build/index`.
A cold build takes about 30 s here (embedding 1163 clauses) plus model loading; when a
current `build/index` exists, its version is copied in first so that the build re-parses,
re-indexes and verifies everything but reuses the unchanged embeddings (about 6 s).
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory):
    """`IndexSettings` of a freshly built index of the real corpus (session-wide; read-only for tests)."""
    from index.settings import IndexSettings
    from index.build import build_index
    from index.versions import IndexUnavailableError, open_version, publish, versions_dir

    root = tmp_path_factory.mktemp("planqa-index")
    settings = IndexSettings(plans_dir=PLANS, index_dir=root / "index", uploads_dir=root / "uploads")
    try:
        source, _ = open_version(ROOT / "build" / "index", verify=True)
        seed = versions_dir(settings.index_dir) / source.name
        shutil.copytree(source, seed)
        publish(seed, settings.index_dir)
    except (IndexUnavailableError, OSError):
        pass  # no usable build/index: a cold build
    started = time.perf_counter()
    report = build_index([PLANS], settings=settings, progress=False)
    assert report.documents == 5 and report.clauses > 1000, report
    settings_seconds = time.perf_counter() - started
    print(f"\nbuilt_index: {report.clauses} clauses, {report.embedded} embedded, {settings_seconds:.1f} s → {report.version}")
    return settings


@pytest.fixture
def cli_env(built_index, monkeypatch):
    """`python -m assistant` reads PLANQA_* settings: point them at the test index."""
    for name, value in (("INDEX_DIR", built_index.index_dir), ("PLANS_DIR", built_index.plans_dir),
                        ("UPLOADS_DIR", built_index.uploads_dir)):
        monkeypatch.setenv(f"PLANQA_{name}", str(value))
    return built_index


@pytest.fixture(scope="module")
def assistant(built_index):
    """The assistant over the session's index, one per test module (a module that needs another defines its own)."""
    from assistant import Assistant

    return Assistant.from_index(built_index)


@pytest.fixture(scope="module")
def client(assistant):
    """The served app (JSON API, /v1, Dify, MCP routes; no page) in process over that assistant."""
    from fastapi.testclient import TestClient

    from webui.api_common import Engine
    from webui.server import create_app
    from webui.settings import ServeSettings

    app = create_app(ServeSettings(), Engine.ready_with(assistant), page=None)
    with TestClient(app, base_url="http://127.0.0.1:7860") as c:
        yield c
