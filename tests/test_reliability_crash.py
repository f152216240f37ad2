"""kill -9 at each step of a library change (issue 20 item 4): nothing lost, nothing resurrected.

A child process adds, replaces or removes a plan through `PlanLibrary` and kills itself with
SIGKILL at a named step (the library's `step` hook). The parent then opens the library as the app
does at start (which recovers) and checks the uploads, the served index and the change log:
before the link flips, the library is exactly as it was (a new plan is neither listed nor indexed,
a replaced plan keeps its old text, a removed plan stays); after it, the change stands. Either way
no staging folder, unpublished version or write-ahead entry is left, and the log says what happened.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.library import AUDIT_LOG, STAGING, PlanLibrary
from index.build import build_index, load_index
from index.versions import JOURNAL, open_version, versions_dir

pytest_plugins = ("reliability_support",)

ROOT = Path(__file__).resolve().parents[1]
PLAN = (
    "泰州市科技创新工作要点（测试样例）\n\n一、主要目标\n\n"
    "到2025年，全市高新技术企业数量达到1800家。\n\n二、重点任务\n\n新建省级以上科技企业孵化器12家。\n"
)


def _child(action: str, target: str, arg: str, paths: dict[str, str]) -> None:
    """In a process forked from a server that imported the library once: the change, killed at `target`."""
    from index.library import PlanLibrary
    from index.settings import IndexSettings

    seen: dict[str, int] = {}

    def step(name: str) -> None:
        seen[name] = seen.get(name, 0) + 1
        if f"{name}:{seen[name]}" == target or (name == target and seen[name] == 1):
            os.kill(os.getpid(), signal.SIGKILL)

    library = PlanLibrary(IndexSettings(**paths), step=step)
    if action == "add":
        library.add(arg, progress=False, client="crash-test")
    else:
        library.remove(arg, progress=False, client="crash-test")


_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["index.library"])  # imported once; each change then costs only itself
BEFORE_FLIP = ["parse", "embed", "write", "seal", "commit", "move", "publish"]


def run_child(settings, action: str, step: str, arg: str) -> int:
    """Run one change in a fresh process that kills itself at `step`; its exit code (-9 when it did)."""
    paths = {"index_dir": str(settings.index_dir), "plans_dir": str(settings.plans_dir),
             "uploads_dir": str(settings.uploads_dir)}
    child = _context.Process(target=_child, args=(action, step, arg, paths))
    child.start()
    child.join(300)
    return child.exitcode


def plan_file(tmp_path: Path, text: str = PLAN) -> Path:
    path = tmp_path / "taizhou.txt"
    path.write_text(text, encoding="utf-8")
    return path


def indexed_text(settings, doc_file: str) -> str | None:
    index = load_index(settings)
    found = [d for d, m in index.docs.items() if m.file == doc_file]
    return index.sources[found[0]] if found else None


def assert_clean(settings) -> None:
    """No write-ahead entry, staging folder or unpublished version is left."""
    assert not (versions_dir(settings.index_dir) / JOURNAL).exists()
    staging = settings.uploads_dir / STAGING
    assert not staging.exists() or not any(staging.iterdir()), list(staging.iterdir())
    assert not list(versions_dir(settings.index_dir).glob("*.tmp"))


def log_entries(settings) -> list[dict]:
    path = settings.uploads_dir / AUDIT_LOG
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.mark.parametrize("step", [*BEFORE_FLIP, "finish"])
def test_a_new_upload_killed_at_each_step(cloned_index, tmp_path, step):
    before, _ = open_version(cloned_index.index_dir)
    done = run_child(cloned_index, "add", step, str(plan_file(tmp_path)))
    assert done == -signal.SIGKILL, done
    library = PlanLibrary(cloned_index)  # what the app does at start: recover, sweep
    assert_clean(cloned_index)
    entries = log_entries(cloned_index)
    if step == "finish":  # killed after the link flipped: the change stands
        assert library.uploaded() == ["taizhou.txt"] and "1800家" in indexed_text(cloned_index, "taizhou.txt")
        assert [e["outcome"] for e in entries] == ["added"] and "提交后中断" in entries[0]["detail"]
        return
    assert library.uploaded() == [] and open_version(cloned_index.index_dir)[0] == before
    assert indexed_text(cloned_index, "taizhou.txt") is None
    if step == "parse":  # nothing had begun: nothing to record
        assert entries == []
    else:
        assert [(e["action"], e["outcome"], e["file"], e["client"]) for e in entries] == [
            ("upload", "rolled back", "taizhou.txt", "crash-test")]
        assert "中断" in entries[0]["detail"]


def test_an_upload_killed_before_commit_is_not_indexed_by_a_later_build(cloned_index, tmp_path):
    done = run_child(cloned_index, "add", "move", str(plan_file(tmp_path)))
    assert done == -signal.SIGKILL, done
    report = build_index(settings=cloned_index, progress=False)  # a rebuild from the command line recovers first
    assert report.documents == 5 and indexed_text(cloned_index, "taizhou.txt") is None
    assert PlanLibrary(cloned_index).uploaded() == []
    assert_clean(cloned_index)


@pytest.mark.parametrize("step", ["embed", "seal", "commit", "move:1", "move:2", "publish", "finish"])
def test_a_same_name_replacement_killed_at_each_step_keeps_one_version(cloned_index, tmp_path, step):
    PlanLibrary(cloned_index).add(plan_file(tmp_path), progress=False)
    (tmp_path / "newer").mkdir()
    newer = plan_file(tmp_path / "newer", PLAN.replace("1800家", "1900家"))
    done = run_child(cloned_index, "add", step, str(newer))
    assert done == -signal.SIGKILL, done
    library = PlanLibrary(cloned_index)
    assert_clean(cloned_index)
    assert library.uploaded() == ["taizhou.txt"]
    kept = (cloned_index.uploads_dir / "taizhou.txt").read_text(encoding="utf-8")
    indexed = indexed_text(cloned_index, "taizhou.txt")
    expected = "1900家" if step == "finish" else "1800家"
    assert expected in kept and kept == indexed  # the file and the index agree, on the old text before the flip
    assert len([m for m in load_index(cloned_index).docs.values() if m.file == "taizhou.txt"]) == 1


@pytest.mark.parametrize("step", ["write", "commit", "move", "publish", "finish"])
def test_a_removal_killed_at_each_step(cloned_index, tmp_path, step):
    PlanLibrary(cloned_index).add(plan_file(tmp_path), progress=False)
    done = run_child(cloned_index, "remove", step, "taizhou.txt")
    assert done == -signal.SIGKILL, done
    library = PlanLibrary(cloned_index)
    assert_clean(cloned_index)
    if step == "finish":
        assert library.uploaded() == [] and indexed_text(cloned_index, "taizhou.txt") is None
    else:
        assert library.uploaded() == ["taizhou.txt"] and "1800家" in indexed_text(cloned_index, "taizhou.txt")
    assert log_entries(cloned_index)[-1]["outcome"] == ("removed" if step == "finish" else "rolled back")


def test_staging_left_by_a_dead_process_is_swept_and_a_live_ones_kept(cloned_index):
    staging = cloned_index.uploads_dir / STAGING
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = [staging / f"{dead.stdout.strip()}-abc", staging / "tmp1234"]  # a dead pid, and the old naming
    live = staging / f"{os.getpid()}-xyz"
    for folder in (*stale, live):
        folder.mkdir(parents=True)
        (folder / "previous.txt").write_text("x", encoding="utf-8")
    PlanLibrary(cloned_index)
    assert not any(p.exists() for p in stale) and live.is_dir()
