"""Real indexes in temporary directories for the reliability tests (a pytest plugin).

Test modules load it with `pytest_plugins = ("reliability_support",)`. Its fixtures clone
the session index that `tests/conftest.py::built_index` builds once per run, so a test may
damage, kill or rebuild its own copy; `build/index` is never written.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index.settings import IndexSettings
from index.versions import new_version_dir, open_version, publish

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
