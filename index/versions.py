"""Crash-safe index directories: build aside, verify by checksum, switch atomically.

`build/index` is a symbolic link to one immutable version directory under
`build/index.versions/`. A build writes a new version directory completely (every file
listed with its sha256 in `manifest.json`), then replaces the link with one `rename`,
which POSIX makes atomic. So a build killed part way leaves the previous version in
place, and a reader that resolved the link once reads one version only, never a mix.

A change that also moves files (a plan added to or removed from the uploads) is one step too:
`begin_change` writes a write-ahead entry (the version to publish, the file moves, the audit
record) beside the versions; `commit_change` makes the moves and flips the link; the entry is
removed last. A process killed anywhere in between leaves the entry, and `recover` (run under
`change_lock` before the next change, and when the library opens) decides by the link alone:
pointing at the entry's version, the change is finished; otherwise every move is undone in
reverse and the unpublished version deleted. Either way the outcome is appended to the entry's
audit log.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
REBUILD_HINT = "run `python -m index build` (or `make index`) to rebuild it"
KEEP_VERSIONS = 2
JOURNAL = "pending-change.json"  # in the versions directory: the change under way, if any
LOCK = "change.lock"  # in the versions directory: one change at a time, across processes

log = logging.getLogger("planqa.library")


class IndexUnavailableError(RuntimeError):
    """The index cannot be used as it is; the message names the fix."""


class IndexMissingError(IndexUnavailableError):
    pass


class IndexCorruptError(IndexUnavailableError):
    pass


class ModelMismatchError(IndexUnavailableError):
    pass


@dataclass
class Manifest:
    """What a version directory holds, and how to tell it is intact."""

    format_version: int
    embed_model: str
    dimension: int
    built_at: float
    build_seconds: float
    counts: dict[str, int]
    documents: dict[str, dict[str, Any]]  # doc_id → {sha256, file, title, city, clauses}
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256
    dense_kind: str = "flat"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        return cls(**json.loads(text))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def versions_dir(link: Path) -> Path:
    return link.parent / f"{link.name}.versions"


def new_version_dir(link: Path) -> Path:
    """A fresh, empty directory for a build; nothing points at it until `publish`."""
    root = versions_dir(link)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"v{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}.tmp"
    path.mkdir()
    return path


def seal(version: Path, manifest: Manifest) -> None:
    """Record every file's checksum in the manifest, written last (a version without one is unfinished)."""
    manifest.files = {
        str(p.relative_to(version)): file_sha256(p)
        for p in sorted(version.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    tmp = version / "manifest.json.tmp"
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, version / "manifest.json")


def publish(version: Path, link: Path) -> Path:
    """Point `link` at the sealed `version` atomically; old versions beyond the last few are removed."""
    final = version.with_suffix("") if version.suffix == ".tmp" else version
    if final != version:
        os.replace(version, final)
    if link.exists() and not link.is_symlink():
        # An index directory from before versioning: move it aside rather than delete it.
        os.replace(link, versions_dir(link) / f"legacy-{int(time.time())}")
    tmp_link = link.parent / f".{link.name}.{os.getpid()}.link"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(final, link.parent), tmp_link)
    os.replace(tmp_link, link)
    _prune(link, keep=final)
    return final


def _prune(link: Path, keep: Path) -> None:
    root = versions_dir(link)
    done = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".tmp")), key=lambda p: p.stat().st_mtime)
    for old in done[:-KEEP_VERSIONS]:
        if old.resolve() != keep.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob("*.tmp"):
        # Unfinished builds of processes that no longer run.
        pid = stale.name.split("-")[-2] if stale.name.count("-") >= 3 else ""
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process `pid` is running (a staging folder or write-ahead entry of a dead process is stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resolve(link: Path) -> Path:
    """The version directory `link` points at now, checked to exist."""
    if not link.exists():
        raise IndexMissingError(f"No index at {link}: {REBUILD_HINT}.")
    return link.resolve()


def open_version(link: Path, verify: bool = True) -> tuple[Path, Manifest]:
    """Resolve the link once and check the manifest and, with `verify`, every file's checksum."""
    version = resolve(link)
    manifest_path = version / "manifest.json"
    try:
        manifest = Manifest.from_json(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"The index at {link} has no manifest (an unfinished build?): {REBUILD_HINT}.") from None
    except (ValueError, TypeError) as exc:
        raise IndexCorruptError(f"The index manifest at {manifest_path} is unreadable ({exc}): {REBUILD_HINT}.") from None
    if manifest.format_version != FORMAT_VERSION:
        raise IndexCorruptError(
            f"The index at {link} has format {manifest.format_version}, this PlanQA reads {FORMAT_VERSION}: {REBUILD_HINT}."
        )
    if verify:
        for rel, digest in manifest.files.items():
            path = version / rel
            if not path.is_file():
                raise IndexCorruptError(f"Index file {rel} is missing from {version}: {REBUILD_HINT}.")
            if file_sha256(path) != digest:
                raise IndexCorruptError(f"Index file {rel} is damaged (checksum mismatch) in {version}: {REBUILD_HINT}.")
    return version, manifest


# -- changes that move files with the version -------------------------------------------------------
@contextmanager
def change_lock(link: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold the one change lock of `link` (an flock, released by the kernel if the process dies).

    Yields False, holding nothing, when `blocking` is off and another change is under way."""
    root = versions_dir(link)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_durably(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def published_name(version: Path) -> Path:
    """Where `publish` puts a sealed `.tmp` version."""
    return version.with_suffix("") if version.suffix == ".tmp" else version


def begin_change(link: Path, version: Path | None, moves: Sequence[tuple[Path, Path]], cleanup: Sequence[Path] = (),
                 audit: dict[str, Any] | None = None) -> None:
    """The write-ahead entry of a change (call under `change_lock`): nothing is moved or published yet.

    Written first with `version=None` (before the build), then again with the built version. `moves`
    are renames (source → destination, same file system) made at commit, in order; `cleanup` the
    paths deleted once the change stands; `audit` = {"log": path, "record": {...}} is appended to
    that log by `recover` with the outcome, when the process that began the change did not finish it."""
    entry = {"pid": os.getpid(), "began": time.time(),
             "version": str(published_name(version).absolute()) if version else None,
             "tmp_version": str(version.absolute()) if version else None,
             "moves": [[str(a.absolute()), str(b.absolute())] for a, b in moves],
             "cleanup": [str(p.absolute()) for p in cleanup], "audit": audit}
    _write_durably(versions_dir(link) / JOURNAL, json.dumps(entry, ensure_ascii=False))


def commit_change(link: Path, version: Path, moves: Sequence[tuple[Path, Path]],
                  step: Any = None) -> Path:
    """Make the entry's moves, then flip the link (the commit point), then drop the entry.

    `step(name)` is called before each step ("move", "publish", "finish"): a test hook to kill the
    process at a named point."""
    step = step or (lambda name: None)
    for source, destination in moves:
        step("move")
        os.replace(source, destination)
    if moves:
        _fsync_dir(Path(moves[-1][1]).parent)
    step("publish")
    final = publish(version, link)
    step("finish")
    _finish(link)
    return final


def _finish(link: Path) -> None:
    journal = versions_dir(link) / JOURNAL
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = {}
    for path in map(Path, entry.get("cleanup", [])):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    journal.unlink(missing_ok=True)


def abandon_change(link: Path) -> None:
    """A change that failed before its commit (an exception, not a crash): undo like `recover`, no audit."""
    _undo(link)


def _undo(link: Path) -> dict[str, Any] | None:
    journal = versions_dir(link) / JOURNAL
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # written through a temporary file and a rename: never half-written
        journal.unlink(missing_ok=True)
        return None
    current = link.resolve() if link.exists() else None
    if current is not None and entry.get("version") and current == Path(entry["version"]).resolve():
        entry["outcome"] = "committed"
        _finish(link)
        return entry
    for source, destination in reversed([(Path(a), Path(b)) for a, b in entry.get("moves", [])]):
        if destination.exists() and not source.exists():
            os.replace(destination, source)
    unpublished = {Path(p) for p in (entry.get("version"), entry.get("tmp_version")) if p}
    if entry.get("pid") != os.getpid():  # a build the dead process left half-written
        unpublished |= set(versions_dir(link).glob(f"*-{entry.get('pid')}-*.tmp"))
    for folder in unpublished:
        if folder.is_dir() and folder.resolve() != current:
            shutil.rmtree(folder, ignore_errors=True)
    entry["outcome"] = "rolled back"
    journal.unlink(missing_ok=True)
    return entry


def recover(link: Path) -> dict[str, Any] | None:
    """Finish or roll back a change a dead process left (call under `change_lock`); returns its entry.

    The outcome goes to the entry's audit log with the time, marked as found at start-up, and to
    the log (logger `planqa.library`)."""
    entry = _undo(link)
    if entry is None:
        return None
    log.warning("an interrupted library change (process %s) was %s: %s", entry.get("pid"), entry["outcome"],
                (entry.get("audit") or {}).get("record", {}))
    audit = entry.get("audit")
    if audit and audit.get("log"):
        record = {**audit.get("record", {}), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "outcome": "rolled back" if entry["outcome"] == "rolled back" else audit["record"].get("outcome", "done"),
                  "detail": (f"进程 {entry.get('pid')} 在提交前中断，已回滚，规划库保持原状" if entry["outcome"] == "rolled back"
                             else f"进程 {entry.get('pid')} 在提交后中断，变更已生效")}
        try:
            with open(audit["log"], "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("could not append to %s: %s", audit["log"], exc)
    return entry
