"""Crash-safe index (issue 7.2) on real builds of the five plans.

- a `python -m index build` process killed part way leaves the previous version loaded and answering;
- a truncated, bit-flipped or missing index file is detected on load, with the rebuild command in the message;
- readers during a rebuild see the old or the new version, never a mix.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.__main__ import main as assistant_cli
from assistant.service import Assistant
from index.__main__ import main as index_cli
from index.settings import IndexSettings
from index.build import build_index, current_index, load_index
from index.store import PlanIndex
from index.versions import IndexCorruptError, ModelMismatchError, open_version, versions_dir

pytest_plugins = ("reliability_support",)

ROOT = Path(__file__).resolve().parents[1]
NANJING = "南京到2025年高新技术企业要达到多少家？"
REBUILD = "python -m index build"

# Runs the real `python -m index build`, pausing once half of the new version's clauses.jsonl is
# on disk so the test can SIGKILL it there: the pause fixes *where* the process dies, nothing else.
KILLABLE_BUILD = """
import sys, time
from pathlib import Path
import ingest.output as output

ready, write = Path(sys.argv[1]), output._write_jsonl

def half_then_wait(path, rows):
    if path.name != "clauses.jsonl":
        return write(path, rows)
    rows = list(rows)
    write(path, rows[: len(rows) // 2])
    ready.write_text(str(path))
    time.sleep(300)

output._write_jsonl = half_then_wait
from index.__main__ import main
sys.exit(main(["build"]))
"""


def _env(settings: IndexSettings) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PLANQA_INDEX_DIR": str(settings.index_dir),
            "PLANQA_PLANS_DIR": str(settings.plans_dir), "PLANQA_UPLOADS_DIR": str(settings.uploads_dir)}


def _answers(index: PlanIndex) -> None:
    """The index answers the flagship question with an exact citation."""
    answer = Assistant(index).ask(NANJING)
    assert not answer.refused and "20000" in answer.text
    for c in answer.citations:
        assert index.source(c.doc_id)[c.char_start:c.char_end] == c.quote


def _consistent(index: PlanIndex) -> None:
    """Everything loaded comes from the one version directory the manifest describes."""
    manifest = index.manifest
    assert manifest.counts["clauses"] == len(index.clauses) == index.retriever.dense.ntotal
    assert set(manifest.documents) == set(index.docs) == set(index.sources)
    for doc_id, meta in manifest.documents.items():
        assert meta["clauses"] == len(index.clause_ids_of(doc_id))


def _unfinished(settings: IndexSettings) -> list[Path]:
    return [p for p in versions_dir(settings.index_dir).iterdir() if p.name.endswith(".tmp")]


def test_build_killed_part_way_leaves_the_previous_index_served(cloned_index, tmp_path):
    before, _ = open_version(cloned_index.index_dir)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_BUILD, str(ready)], cwd=ROOT, env=_env(cloned_index),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not ready.exists():
            assert proc.poll() is None, f"the build exited early: {proc.communicate()[1].decode()[-2000:]}"
            assert time.monotonic() < deadline, "the build never reached clauses.jsonl"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    [unfinished] = _unfinished(cloned_index)  # the dead build's version directory, half written
    half = Path(ready.read_text())
    assert half.parent == unfinished and not (unfinished / "manifest.json").exists()
    assert 0 < len(half.read_text(encoding="utf-8").splitlines()) < len(load_index(cloned_index).clauses)

    assert open_version(cloned_index.index_dir)[0] == before  # the link never moved; checksums verified
    index = current_index(cloned_index)
    assert index.version == before
    _consistent(index)
    _answers(index)

    # The next build succeeds, switches, and clears the dead process's leftovers.
    report = build_index(settings=cloned_index, progress=False)
    assert report.embedded == 0 and report.version != before and not _unfinished(cloned_index)
    _answers(current_index(cloned_index))


def test_build_failing_after_seal_leaves_the_previous_index_served(cloned_index, monkeypatch):
    """A complete, sealed new version that was never switched to is not served."""
    import index.build

    before, _ = open_version(cloned_index.index_dir)

    def crash(version: Path, link: Path) -> Path:
        assert (version / "manifest.json").exists()
        raise OSError("disk full while switching the link")

    monkeypatch.setattr(index.build, "publish", crash)
    with pytest.raises(OSError, match="disk full"):
        build_index(settings=cloned_index, progress=False)
    assert len(_unfinished(cloned_index)) == 1
    index = current_index(cloned_index)
    assert index.version == before
    _answers(index)


def _damage(path: Path, how: str) -> None:
    if how == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "bitflip":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))
    elif how == "delete":
        path.unlink()
    else:
        path.write_bytes(b"")


@pytest.mark.parametrize("relpath, how, message", [
    ("dense.faiss", "truncate", "dense.faiss is damaged (checksum mismatch)"),
    ("embeddings.npy", "bitflip", "embeddings.npy is damaged (checksum mismatch)"),
    ("clauses.jsonl", "bitflip", "clauses.jsonl is damaged (checksum mismatch)"),
    ("sources/nanjing-2021.txt", "bitflip", "sources/nanjing-2021.txt is damaged (checksum mismatch)"),
    ("sources/nanjing-2021.txt", "delete", "sources/nanjing-2021.txt is missing"),
    ("manifest.json", "truncate", "manifest"),
    ("manifest.json", "delete", "has no manifest"),
    ("lexical", "empty-every-file", "damaged (checksum mismatch)"),
], ids=["faiss-truncated", "vectors-bitflip", "clauses-bitflip", "source-bitflip", "source-deleted",
        "manifest-truncated", "manifest-deleted", "bm25-emptied"])
def test_damaged_index_file_is_detected_on_load_with_the_rebuild_command(cloned_index, relpath, how, message):
    version, _ = open_version(cloned_index.index_dir)
    target = version / relpath
    for path in sorted(target.rglob("*")) if target.is_dir() else [target]:
        if path.is_file():
            _damage(path, how)
    with pytest.raises(IndexCorruptError) as info:
        load_index(cloned_index)
    assert message in str(info.value) and REBUILD in str(info.value)


def test_damaged_index_is_reported_by_the_clis_without_a_traceback(cloned_index, monkeypatch, capsys):
    version, _ = open_version(cloned_index.index_dir)
    _damage(version / "dense.faiss", "bitflip")
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(cloned_index.index_dir))
    assert assistant_cli(["ask", NANJING, "--json"]) == 2
    assert index_cli(["search", NANJING]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.count("dense.faiss is damaged") == 2 and err.count(REBUILD) == 2


def test_loading_refuses_an_index_built_with_another_model(cloned_index):
    version, manifest = open_version(cloned_index.index_dir)
    manifest.embed_model = "st:/somewhere/bge-small-zh@512d"
    (version / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    index = load_index(cloned_index)
    with pytest.raises(ModelMismatchError, match=f"bge-small-zh.*{REBUILD}"):
        index.search(NANJING, mode="dense")


def test_readers_during_rebuilds_see_the_old_or_the_new_version_never_a_mix(cloned_index, synthetic_plan):
    """Reader threads search through `current_index` while the main thread publishes a version with one more plan.

    Events, not sleeps, set the window: the build starts once every reader has finished a pass on the old
    version, and the readers stop once every one has finished a pass on the new one.
    """
    settings = cloned_index
    old = current_index(settings).version
    stop = threading.Event()
    on_old = [threading.Event() for _ in range(4)]
    on_new = [threading.Event() for _ in range(4)]
    seen: dict[int, list[Path]] = {}
    errors: list[str] = []

    def reader(n: int) -> None:
        versions: list[Path] = []
        while not stop.is_set():
            try:
                index = current_index(settings)
                has_changzhou = "changzhou" in index.docs
                assert has_changzhou == ("changzhou" in index.manifest.documents)
                _consistent(index)
                for hit in index.search("常州高新技术企业培育 孵化器", 10, mode="bm25" if n % 2 else "hybrid"):
                    assert hit.clause.doc_id in index.docs, f"hit from {hit.clause.doc_id}, not in {index.version.name}"
                    assert index.source(hit.clause.doc_id)[hit.clause.char_start:hit.clause.char_end] == hit.clause.text
                if not versions or versions[-1] != index.version:
                    versions.append(index.version)
                (on_new if has_changzhou else on_old)[n].set()  # a whole pass done on this version
            except Exception as exc:  # noqa: BLE001 — any failure in a reader thread is reported below
                errors.append(f"reader {n}: {type(exc).__name__}: {exc}")
                on_old[n].set(), on_new[n].set()  # nothing more to wait for: the error is reported below
                return
        seen[n] = versions

    def wait_all(events: list[threading.Event], what: str) -> None:
        for n, event in enumerate(events):  # the timeout only turns a hang into a failure
            assert event.wait(300), f"reader {n} never finished a pass on the {what} version"

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(len(on_old))]
    for t in threads:
        t.start()
    try:
        wait_all(on_old, "old")
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(synthetic_plan, settings.uploads_dir / synthetic_plan.name)
        new = build_index(settings=settings, progress=False).version
        wait_all(on_new, "new")
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors
    assert len(seen) == len(threads)
    for n, versions in seen.items():
        assert versions == [old, new], f"reader {n} saw {[v.name for v in versions]}"
    assert "changzhou" in current_index(settings).docs and "changzhou" not in load_index_at(old).docs


def load_index_at(version: Path) -> PlanIndex:
    return load_index(IndexSettings(index_dir=version))


def test_one_question_is_answered_from_one_version(cloned_index, synthetic_plan):
    before = load_index(cloned_index)
    cloned_index.uploads_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(synthetic_plan, cloned_index.uploads_dir / synthetic_plan.name)
    build_index(settings=cloned_index, progress=False)
    after = load_index(cloned_index)
    versions = iter([before, after, after, after])  # the switch lands just after the question started
    answer = Assistant(lambda: next(versions)).ask("常州到2025年高新技术企业要达到多少家？")
    assert answer.refused or "5000" in answer.text
