"""Real indexes in temporary directories for the reliability tests (a pytest plugin).

Test modules load it with `pytest_plugins = ("reliability_support",)`, so the session
fixture `built_index` is defined once and the five plans are indexed once per run.
`build/index` is never written: when it holds a valid version, that version is copied
into the temporary directory first, so the fresh build reuses its vectors (they are
keyed by each plan's sha256 and passage text, so nothing stale can be reused) instead
of re-embedding the corpus for a minute.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index.settings import IndexSettings
from index.storage import IndexUnavailableError, new_version_dir, open_version, publish
from index.store import build_index

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
SHIPPED_INDEX = ROOT / "build" / "index"
# A made-up plan of a city the corpus does not cover, so a version that holds it is told apart at a glance.
SYNTHETIC_PLAN = """常州市“十四五”科技创新规划（测试样例）

一、发展目标

到2025年，全市高新技术企业数量达到5000家，全社会研发投入占地区生产总值比重达到3.5%。

二、重点任务

（一）培育创新主体

实施高新技术企业培育行动，新建省级以上科技企业孵化器20家。
"""


def index_settings(root: Path) -> IndexSettings:
    """Settings for an index at `root/index` over the shipped plans, with its own uploads directory."""
    return IndexSettings(plans_dir=PLANS, uploads_dir=root / "uploads", index_dir=root / "index")


def copy_index(source: Path, settings: IndexSettings) -> Path:
    """Publish a copy of the version `source` points at as the current version of `settings.index_dir`."""
    version, _ = open_version(source)
    target = new_version_dir(settings.index_dir)
    shutil.copytree(version, target, dirs_exist_ok=True)
    return publish(target, settings.index_dir)


def clone_index(settings: IndexSettings, root: Path) -> IndexSettings:
    """An independent index at `root` with the same current version: for tests that rebuild or damage it."""
    clone = index_settings(root)
    copy_index(settings.index_dir, clone)
    return clone


@pytest.fixture
def synthetic_plan(tmp_path: Path) -> Path:
    """`SYNTHETIC_PLAN` as a UTF-8 file (doc_id `changzhou`, city 常州市)."""
    path = tmp_path / "synthetic" / "changzhou.txt"
    path.parent.mkdir()
    path.write_text(SYNTHETIC_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def cloned_index(built_index: IndexSettings, tmp_path: Path) -> IndexSettings:
    """A private copy of `built_index` (its own link, versions and uploads) that a test may rebuild or damage."""
    return clone_index(built_index, tmp_path / "clone")


@pytest.fixture
def clone_of_built_index(built_index: IndexSettings) -> Callable[[Path], IndexSettings]:
    """`clone(root)` → another private copy of `built_index` at `root`, for tests that need several."""
    return lambda root: clone_index(built_index, root)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> IndexSettings:
    """The five shipped plans, freshly built into a temporary index directory."""
    settings = index_settings(tmp_path_factory.mktemp("reliability"))
    try:
        copy_index(SHIPPED_INDEX, settings)  # only to reuse its vectors; the build below replaces it
    except (IndexUnavailableError, OSError):
        pass  # no usable build/index (or it was being replaced): the build embeds everything
    report = build_index(plans_dirs=[PLANS], settings=settings, progress=False)
    assert report.documents == 5 and not report.errors, report.errors
    return settings
