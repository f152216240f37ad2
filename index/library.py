"""The library of plans: files added and removed (through the web page or any caller), checked first, stored under the uploads directory, indexed.

Why so careful: the file comes from a browser. Its name is reduced to a bare, safe file
name (no directories, no `..`, no hidden files), its size is checked before it is read,
and its content is parsed once, by ingest's readers (which check the bytes, not the
extension, and refuse what exceeds the limits in `ingest.settings` while reading), in a
private staging directory and outside the library's lock, so a hostile file holds nothing.
The shipped plans in `data/plans` are read-only here.

A change costs what the plan costs: `index.build.prepare_change` embeds only the new plan's
clauses. It is committed in one step (`index.versions`): a write-ahead entry, the new version
built aside, then the file moves into (or out of) the uploads and the index link flips; a
process killed at any point is rolled back — or, past the flip, finished — by the next change
or when a library is opened (`recover`), which also sweeps staging folders of dead processes
and records the outcome in the change log. So the uploads directory and the index always agree:
nothing lost, nothing listed but unindexed, nothing indexed later by surprise.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from index.settings import IndexSettings
from index.build import BuildReport, prepare_change
from index.versions import (
    IndexUnavailableError, abandon_change, alive, begin_change, change_lock, commit_change, open_version, recover,
)
from ingest import SUPPORTED_EXTENSIONS, IngestError, IngestSettings, parse_file
from ingest.lexicon import normalize
from ingest.periods import other_periods
from ingest.records import DocumentMeta, ParsedDocument

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
    base = normalize(base)
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
    return normalize(text, space="remove")


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
                 current_sources: Callable[[], Mapping[str, str]] | None = None,
                 step: Callable[[str], None] | None = None):
        """`current_docs` / `current_sources`: the indexed plans' metadata and source texts (doc_id → text),
        what a new upload is checked against for duplicates (default: the current index version's).
        `step(name)` is called at each stage of a change ("parse", "embed", "write", "seal", "commit",
        "move", "publish", "finish"): a test hook, e.g. to kill the process there."""
        self.settings = settings or IndexSettings()
        self.max_bytes = max_bytes
        self._current_docs = current_docs or self._indexed_docs
        self._current_sources = current_sources or dict
        self._step = step or (lambda name: None)
        self._lock = threading.Lock()
        self._lengths: dict[str, int] = {}
        self.recover()

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

    def recover(self) -> dict | None:
        """Roll back (or finish) a change a killed process left, and sweep its staging folders.

        Skipped while another change holds the lock (it recovers first itself). Returns the
        write-ahead entry that was resolved, if any; its outcome is in the change log."""
        link = self.settings.index_dir
        if not link.exists() and not link.is_symlink():
            return None
        with change_lock(link, blocking=False) as held:
            if not held:
                return None
            entry = recover(link)
            self._sweep_staging()
            return entry

    def _sweep_staging(self) -> None:
        root = self.uploads_dir / STAGING
        if not root.is_dir():
            return
        for folder in root.iterdir():
            pid = folder.name.split("-", 1)[0]
            if not (pid.isdigit() and alive(int(pid))):
                shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)

    def _indexed_docs(self) -> dict[str, DocumentMeta]:
        """The current version's plans (what duplicates are checked against without a loaded index)."""
        try:
            version, _ = open_version(self.settings.index_dir, verify=False)
            lines = (version / "documents.jsonl").read_text(encoding="utf-8").splitlines()
        except (IndexUnavailableError, OSError):
            return {}
        return {d["doc_id"]: DocumentMeta(**d) for d in map(json.loads, filter(str.strip, lines))}

    def add(self, path: str | Path, original_name: str | None = None, progress: bool = True,
            client: str | None = None) -> LibraryChange:
        """Validate the file at `path`, store it as an uploaded plan and index it; raises `UploadError`.

        `client` (who asked: host, user) goes into the change log with the outcome."""
        name = str(original_name or Path(path).name)
        try:
            change = self._add(path, original_name, progress, client)
        except UploadError as exc:
            self.audit("upload", "refused", name, None, client, str(exc))
            raise
        self.audit("upload", "added", name, change.doc_id, client)
        return change

    def _add(self, path: str | Path, original_name: str | None, progress: bool, client: str | None) -> LibraryChange:
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
        staging = self._new_staging()
        try:
            staged = staging / name
            shutil.copyfile(source, staged)
            self._step("parse")
            doc = self._parse(staged, name)  # outside the lock: the library stays usable meanwhile
            link = self.settings.index_dir
            with self._lock, change_lock(link):
                recover(link)
                self._check(doc, name)
                indexed = self._indexed_docs()
                replaced = sorted(d for d, m in indexed.items() if m.file == name and name in self.uploaded())
                if not replaced and len(indexed) >= self.settings.max_plans:
                    raise UploadError(f"规划库已有 {len(indexed)} 个规划，达到上限 {self.settings.max_plans} 个"
                                      "（PLANQA_MAX_PLANS）：请先删除不再需要的规划。")
                target = self._inside_uploads(name)
                moves = ([(target, staging / f"previous{target.suffix}")] if target.exists() else []) + [(staged, target)]
                report = self._change(doc, replaced, moves, staging, progress,
                                      {"action": "upload", "outcome": "added", "file": name,
                                       "doc_id": doc.meta.doc_id, "client": client or "-"})
            verb = "已更新" if replaced else "已加入"
            return LibraryChange(
                f"{verb}《{doc.meta.title}》（doc_id {doc.meta.doc_id}，{len(doc.clauses)} 个条款，"
                f"指标 {len(doc.indicators)} 条）；嵌入 {report.embedded} 个条款，用时 {report.seconds:.1f} 秒。",
                report, doc.meta.doc_id,
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _change(self, doc: ParsedDocument | None, drop: list[str], moves: list[tuple[Path, Path]], staging: Path,
                progress: bool, record: dict) -> BuildReport:
        """Write-ahead entry, then the new version built aside, then the file moves and the link flip as one
        step (`index.versions`). Call under the change lock; whatever fails, the library stays as it was."""
        link = self.settings.index_dir
        audit = {"log": str(self.uploads_dir.absolute() / AUDIT_LOG), "record": record}
        begin_change(link, None, moves, cleanup=[staging], audit=audit)
        try:
            report = prepare_change(add=doc, drop=drop, settings=self.settings, progress=progress, step=self._step)
            begin_change(link, report.version, moves, cleanup=[staging], audit=audit)
            self._step("commit")
            report.version = commit_change(link, report.version, moves, step=self._step)
            return report
        except Exception as exc:  # noqa: BLE001 - the uploads and the index go back as they were
            abandon_change(link)
            raise UploadError(f"索引失败，规划库保持原状：{exc}") from None

    def _parse(self, staged: Path, name: str) -> ParsedDocument:
        """Parse the staged copy once, as the index will hold it; refuse what would not index."""
        limits = IngestSettings(max_file_mb=self.max_bytes / 1048576)
        try:
            doc = parse_file(staged, manifest={}, settings=limits)
        except IngestError as exc:
            raise UploadError(f"无法读取该文件：{exc}") from None
        except Exception as exc:  # noqa: BLE001 - a parser bug must not reach the user as a traceback
            raise UploadError(f"解析该文件时出错（{type(exc).__name__}）：未加入规划库。") from None
        if not doc.clauses:
            raise UploadError(f"“{name}”中没有可索引的正文：未加入规划库。")
        return doc

    def _check(self, doc: ParsedDocument, name: str) -> None:
        """Refuse a plan the library already holds: its doc_id, its text, or nearly its text under another name."""
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
            other = self._compact_length(meta.sha256, text)
            if min(size, other) < NEAR_DUPLICATE * max(size, other):
                continue  # lengths too far apart to reach the threshold
            score = similarity(mine, shingles(text))
            if score >= NEAR_DUPLICATE:
                raise UploadError(f"该文件与已收录的《{meta.title}》（doc_id {doc_id}，文件 {meta.file}）几乎相同"
                                  f"（{score:.0%} 的文字重合），未重复加入。{hint}")

    def _compact_length(self, sha256: str | None, text: str) -> int:
        """Length of the text without white space, remembered per text hash (it is read at every upload)."""
        if sha256 is None:
            return len(_compact(text))
        if sha256 not in self._lengths:
            self._lengths[sha256] = len(_compact(text))
        return self._lengths[sha256]

    def _new_staging(self) -> Path:
        """A fresh private folder under the uploads dir, where a change is prepared before it touches anything.

        Named after this process, so a sweep removes only the folders of processes that are gone."""
        root = self.uploads_dir / STAGING
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=root, prefix=f"{os.getpid()}-"))

    def remove(self, name: str, progress: bool = True, client: str | None = None) -> LibraryChange:
        """Remove an uploaded plan and re-index; shipped plans cannot be removed. Logged like `add`."""
        doc_id = next((d for d, m in self._current_docs().items() if m.file == name), None)
        try:
            change = self._remove(name, progress, client, doc_id)
        except UploadError as exc:
            self.audit("remove", "refused", name, doc_id, client, str(exc))
            raise
        self.audit("remove", "removed", name, doc_id, client)
        return LibraryChange(change.message, change.report, doc_id)

    def _remove(self, name: str, progress: bool, client: str | None, doc_id: str | None) -> LibraryChange:
        if name in self.shipped() and name not in self.uploaded():
            raise UploadError(f"“{name}”是内置规划，不能在页面上删除。")
        if name not in self.uploaded():
            raise UploadError(f"上传的规划中没有“{name}”。")
        link = self.settings.index_dir
        with self._lock, change_lock(link):
            recover(link)
            if name not in self.uploaded():  # removed by another change meanwhile
                raise UploadError(f"上传的规划中没有“{name}”。")
            target = self._inside_uploads(name)
            drop = sorted(d for d, m in self._indexed_docs().items() if m.file == name)
            staging = self._new_staging()
            try:
                report = self._change(None, drop, [(target, staging / name)], staging, progress,
                                      {"action": "remove", "outcome": "removed", "file": name,
                                       "doc_id": drop[0] if drop else doc_id, "client": client or "-"})
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            return LibraryChange(f"已删除“{name}”，索引现有 {report.documents} 个规划。", report)
