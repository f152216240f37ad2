"""The library of plans: files added and removed (through the web page or any caller), checked first, stored under the uploads directory, indexed.

Why so careful: the file comes from a browser. Its name is reduced to a bare, safe file
name (no directories, no `..`, no hidden files), its size is checked before it is read,
and its content is parsed by ingest's readers (which check the bytes, not the extension)
in a staging directory before anything the index reads is touched. The index build itself
is atomic (`index.versions`), and a build that fails puts the uploads directory back as it
was, so a bad upload leaves the served index unchanged. The shipped plans in
`data/plans` are read-only here.

A plan already in the library is not added a second time under another name: the same text
(in any encoding), the same city and title, or a near-identical text (a copy with other line
endings or a few words edited: 8-character shingles, Jaccard ≥ `NEAR_DUPLICATE`) is refused
with a message naming the plan it repeats. Uploading under the same file name replaces an
uploaded plan (a new version). Every upload and removal, refused or done, is logged (logger
`planqa.library`) and appended to `<uploads>/.library-log.jsonl` with the time, the client,
the file name and the doc_id.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from index.settings import IndexSettings
from index.store import BuildReport, build_index
from ingest import SUPPORTED_EXTENSIONS, IngestError, IngestSettings, parse_file
from ingest.periods import other_periods
from ingest.records import DocumentMeta

MAX_NAME_CHARS = 120
STAGING = ".staging"  # inside the uploads directory (same file system, so a move is a rename); ingest skips dot-names
AUDIT_LOG = ".library-log.jsonl"  # in the uploads directory: who changed the library, and when
NEAR_DUPLICATE = 0.8  # shingle Jaccard at or above which two texts are one plan
SHINGLE = 8

log = logging.getLogger("planqa.library")


class UploadError(ValueError):
    """An upload or removal that was refused; the message is shown to the user as is."""


@dataclass(frozen=True)
class LibraryChange:
    """What an upload or removal did, for the status line."""

    message: str
    report: BuildReport
    doc_id: str | None = None


def safe_filename(name: str) -> str:
    """A bare file name safe to create in the uploads directory, keeping Chinese characters.

    `../../x.txt` → `x.txt`; `C:\\tmp\\规划.TXT` → `规划.txt`; control characters, separators and
    leading dots are removed. Raises `UploadError` when the extension is not a plan format.
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    stem, dot, ext = base.rpartition(".")
    ext = (dot + ext).lower() if dot else ""
    if ext not in SUPPORTED_EXTENSIONS:
        raise UploadError(
            f"不支持的文件类型“{ext or '（无扩展名）'}”：请上传 {'、'.join(SUPPORTED_EXTENSIONS)} 格式的规划文件。"
        )
    stem = re.sub(r"[^\w（）()\-]+", "_", stem)  # \w keeps letters of any script, digits and _
    stem = stem.strip("._-")[: MAX_NAME_CHARS - len(ext)] or "plan"
    return stem + ext


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """Hashes of the k-character runs of `text` without white space (line endings and spacing do not count)."""
    compact = _compact(text)
    return {hash(compact[i:i + k]) for i in range(max(len(compact) - k + 1, 1))}


def similarity(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _same_title(a: str, b: str) -> bool:
    return _compact(a).strip("《》“”\"") == _compact(b).strip("《》“”\"")


class PlanLibrary:
    """Uploaded plans: list, add (validated, then indexed), remove. One change at a time."""

    def __init__(self, settings: IndexSettings | None = None, max_bytes: int = 20 * 1024 * 1024,
                 current_docs: Callable[[], dict[str, DocumentMeta]] | None = None,
                 current_sources: Callable[[], Mapping[str, str]] | None = None):
        """`current_docs` / `current_sources`: the indexed plans' metadata and source texts (doc_id → text),
        what a new upload is checked against for duplicates."""
        self.settings = settings or IndexSettings()
        self.max_bytes = max_bytes
        self._current_docs = current_docs or dict
        self._current_sources = current_sources or dict
        self._lock = threading.Lock()

    # -- the record of changes -----------------------------------------------------------------------
    def audit(self, action: str, outcome: str, name: str | None, doc_id: str | None, client: str | None,
              detail: str = "") -> None:
        """Log one upload or removal (done or refused) and append it to the uploads' change log."""
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "action": action, "outcome": outcome,
                 "file": name, "doc_id": doc_id, "client": client or "-", "detail": detail}
        log.info("%s %s: file=%s doc_id=%s client=%s%s", action, outcome, name, doc_id or "-", client or "-",
                 f" ({detail})" if detail else "")
        try:
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            with open(self.uploads_dir / AUDIT_LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:  # the change itself stands; the log line above still records it
            log.warning("could not append to %s: %s", self.uploads_dir / AUDIT_LOG, exc)

    def history(self) -> list[dict]:
        """The change log, oldest first."""
        path = self.uploads_dir / AUDIT_LOG
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    @property
    def uploads_dir(self) -> Path:
        return self.settings.uploads_dir

    def uploaded(self) -> list[str]:
        """File names of the uploaded plans, sorted."""
        if not self.uploads_dir.is_dir():
            return []
        return sorted(p.name for p in self.uploads_dir.iterdir() if p.is_file() and not p.name.startswith("."))

    def shipped(self) -> list[str]:
        plans = self.settings.plans_dir
        return sorted(p.name for p in plans.iterdir() if p.is_file()) if plans.is_dir() else []

    def _inside_uploads(self, name: str) -> Path:
        """The path of `name` in the uploads directory, refusing anything that would leave it."""
        root = self.uploads_dir.resolve()
        path = (root / name).resolve()
        if path.parent != root or name != path.name:
            raise UploadError(f"文件名“{name}”无效：只接受上传目录中的文件名。")
        return path

    def add(self, path: str | Path, original_name: str | None = None, progress: bool = True,
            client: str | None = None) -> LibraryChange:
        """Validate the file at `path`, store it as an uploaded plan and re-index; raises `UploadError`.

        `client` (who asked: host, user) goes into the change log with the outcome."""
        name = str(original_name or Path(path).name)
        try:
            change = self._add(path, original_name, progress)
        except UploadError as exc:
            self.audit("upload", "refused", name, None, client, str(exc))
            raise
        self.audit("upload", "added", name, change.doc_id, client)
        return change

    def _add(self, path: str | Path, original_name: str | None, progress: bool) -> LibraryChange:
        source = Path(path)
        if not source.is_file():
            raise UploadError("没有收到文件：请重新选择要上传的规划。")
        size = source.stat().st_size
        if size == 0:
            raise UploadError("文件为空：没有可以索引的内容。")
        if size > self.max_bytes:
            raise UploadError(f"文件过大（{size / 1048576:.1f} MB）：上传上限为 {self.max_bytes / 1048576:.0f} MB。")
        name = safe_filename(original_name or source.name)
        if name in self.shipped():
            raise UploadError(f"“{name}”与内置规划同名：请改名后再上传。")
        with self._lock:
            staging = self._new_staging()
            try:
                staged = staging / name
                shutil.copyfile(source, staged)
                doc = self._validate(staged, name)
                target = self._inside_uploads(name)
                backup = staging / f"previous{target.suffix}"
                replaced = target.exists()
                if replaced:
                    os.replace(target, backup)
                os.replace(staged, target)
                try:
                    report = build_index(settings=self.settings, progress=progress)
                except Exception as exc:  # noqa: BLE001 - whatever failed, the uploads go back as they were
                    target.unlink(missing_ok=True)
                    if replaced:
                        os.replace(backup, target)
                    raise UploadError(f"索引失败，规划库保持原状：{exc}") from None
                verb = "已更新" if replaced else "已加入"
                return LibraryChange(
                    f"{verb}《{doc.meta.title}》（doc_id {doc.meta.doc_id}，{len(doc.clauses)} 个条款，"
                    f"指标 {len(doc.indicators)} 条）；重新嵌入 {report.embedded} 个条款，用时 {report.seconds:.1f} 秒。",
                    report, doc.meta.doc_id,
                )
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def _validate(self, staged: Path, name: str):
        """Parse the staged copy exactly as the index build will; refuse what would not index."""
        limits = IngestSettings(max_file_mb=self.max_bytes / 1048576)
        try:
            doc = parse_file(staged, manifest={}, settings=limits)
        except IngestError as exc:
            raise UploadError(f"无法读取该文件：{exc}") from None
        except Exception as exc:  # noqa: BLE001 - a parser bug must not reach the user as a traceback
            raise UploadError(f"解析该文件时出错（{type(exc).__name__}）：未加入规划库。") from None
        if not doc.clauses:
            raise UploadError(f"“{name}”中没有可索引的正文：未加入规划库。")
        docs = self._current_docs()
        owner = docs.get(doc.meta.doc_id)
        if owner is not None and owner.file != name:
            raise UploadError(
                f"doc_id “{doc.meta.doc_id}” 已被《{owner.title}》（{owner.file}）使用：请改名后再上传，或先删除该规划。"
            )
        twin = next((m for m in docs.values() if m.sha256 and m.sha256 == doc.meta.sha256 and m.file != name), None)
        if twin is not None:  # the same text under another name (or another encoding) would be indexed twice
            raise UploadError(f"该文件与已收录的《{twin.title}》（doc_id {twin.doc_id}）内容相同：未重复加入。")
        self._refuse_near_duplicate(doc, name, docs)
        return doc

    def _refuse_near_duplicate(self, doc, name: str, docs: Mapping[str, DocumentMeta]) -> None:
        """Refuse a plan the library already holds under another name: same city and title, or near-identical text.

        A plan uploaded under its own file name again is a new version of it, not a duplicate."""
        others = {d: m for d, m in docs.items() if m.file != name  # another period's plan is a version (issue 22)
                  and not other_periods(m.title, m.period, doc.meta.title, doc.meta.period)}
        hint = "如需替换已上传的版本，请先删除它，或用相同的文件名上传。"
        for meta in others.values():
            if meta.city and meta.city == doc.meta.city and _same_title(meta.title, doc.meta.title):
                raise UploadError(f"已收录{meta.city}的《{meta.title}》（doc_id {meta.doc_id}，文件 {meta.file}）："
                                  f"城市和标题相同，未重复加入。{hint}")
        sources = self._current_sources()
        mine = shingles(doc.text)
        size = len(_compact(doc.text))
        for doc_id, meta in sorted(others.items()):
            text = sources.get(doc_id)
            if not text:
                continue
            other = len(_compact(text))
            if min(size, other) < NEAR_DUPLICATE * max(size, other):
                continue  # lengths too far apart to reach the threshold
            score = similarity(mine, shingles(text))
            if score >= NEAR_DUPLICATE:
                raise UploadError(f"该文件与已收录的《{meta.title}》（doc_id {doc_id}，文件 {meta.file}）几乎相同"
                                  f"（{score:.0%} 的文字重合），未重复加入。{hint}")

    def _new_staging(self) -> Path:
        """A fresh private folder under the uploads dir, where a change is prepared before it touches anything."""
        root = self.uploads_dir / STAGING
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=root))

    def remove(self, name: str, progress: bool = True, client: str | None = None) -> LibraryChange:
        """Remove an uploaded plan and re-index; shipped plans cannot be removed. Logged like `add`."""
        doc_id = next((d for d, m in self._current_docs().items() if m.file == name), None)
        try:
            change = self._remove(name, progress)
        except UploadError as exc:
            self.audit("remove", "refused", name, doc_id, client, str(exc))
            raise
        self.audit("remove", "removed", name, doc_id, client)
        return LibraryChange(change.message, change.report, doc_id)

    def _remove(self, name: str, progress: bool) -> LibraryChange:
        if name in self.shipped() and name not in self.uploaded():
            raise UploadError(f"“{name}”是内置规划，不能在页面上删除。")
        if name not in self.uploaded():
            raise UploadError(f"上传的规划中没有“{name}”。")
        with self._lock:
            target = self._inside_uploads(name)
            staging = self._new_staging()
            try:
                kept = staging / name
                os.replace(target, kept)
                try:
                    report = build_index(settings=self.settings, progress=progress)
                except Exception as exc:  # noqa: BLE001 - whatever failed, the plan goes back
                    os.replace(kept, target)
                    raise UploadError(f"重建索引失败，规划库保持原状：{exc}") from None
                return LibraryChange(f"已删除“{name}”，索引现有 {report.documents} 个规划。", report)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
