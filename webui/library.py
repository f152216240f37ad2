"""Plans added and removed through the web page: checked first, stored under the uploads directory, indexed.

Why so careful: the file comes from a browser. Its name is reduced to a bare, safe file
name (no directories, no `..`, no hidden files), its size is checked before it is read,
and its content is parsed by ingest's readers (which check the bytes, not the extension)
in a staging directory before anything the index reads is touched. The index build itself
is atomic (`index.versions`), and a build that fails puts the uploads directory back as it
was, so a bad upload leaves the served index unchanged. The shipped plans in
`data/plans` are read-only here.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.settings import IndexSettings
from index.store import BuildReport, build_index
from ingest import SUPPORTED_EXTENSIONS, IngestError, IngestSettings, parse_file
from ingest.records import DocumentMeta

MAX_NAME_CHARS = 120
STAGING = ".staging"  # inside the uploads directory (same file system, so a move is a rename); ingest skips dot-names


class UploadError(ValueError):
    """An upload or removal that was refused; the message is shown to the user as is."""


@dataclass(frozen=True)
class LibraryChange:
    """What an upload or removal did, for the status line."""

    message: str
    report: BuildReport


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


class PlanLibrary:
    """Uploaded plans: list, add (validated, then indexed), remove. One change at a time."""

    def __init__(self, settings: IndexSettings | None = None, max_bytes: int = 20 * 1024 * 1024,
                 current_docs: Callable[[], dict[str, DocumentMeta]] | None = None):
        self.settings = settings or IndexSettings()
        self.max_bytes = max_bytes
        self._current_docs = current_docs or dict
        self._lock = threading.Lock()

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

    def add(self, path: str | Path, original_name: str | None = None, progress: bool = True) -> LibraryChange:
        """Validate the file at `path`, store it as an uploaded plan and re-index; raises `UploadError`."""
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
                    report,
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
        return doc

    def _new_staging(self) -> Path:
        """A fresh private folder under the uploads dir, where a change is prepared before it touches anything."""
        root = self.uploads_dir / STAGING
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=root))

    def remove(self, name: str, progress: bool = True) -> LibraryChange:
        """Remove an uploaded plan and re-index; shipped plans cannot be removed."""
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
