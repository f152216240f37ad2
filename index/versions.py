"""Crash-safe index directories: build aside, verify by checksum, switch atomically.

`build/index` is a symbolic link to one immutable version directory under
`build/index.versions/`. A build writes a new version directory completely (every file
listed with its sha256 in `manifest.json`), then replaces the link with one `rename`,
which POSIX makes atomic. So a build killed part way leaves the previous version in
place, and a reader that resolved the link once reads one version only, never a mix.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
REBUILD_HINT = "run `python -m index build` (or `make index`) to rebuild it"
KEEP_VERSIONS = 2


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
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
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
