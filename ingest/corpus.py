"""Files → parsed plans: read, attach metadata, parse; one bad file never spoils the rest."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from ingest.errors import IngestError
from ingest.metadata import MANIFEST_NAME, ManifestEntry, load_manifest, resolve_metadata, text_sha256
from ingest.parse import parse_text
from ingest.readers import read_document
from ingest.records import DocumentMeta, ParsedDocument
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileError:
    """A file that was skipped, and why (the message is meant for the user)."""

    file: str
    message: str


@dataclass
class CorpusResult:
    """The plans that parsed, plus what was skipped: callers decide how loud to be."""

    documents: list[ParsedDocument] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_file(
    path: str | Path,
    meta: DocumentMeta | None = None,
    *,
    manifest: dict[str, ManifestEntry] | None = None,
    settings: IngestSettings | None = None,
) -> ParsedDocument:
    """Read one plan and parse it; metadata from `meta`, else the manifest beside it, else inferred.

    `sha256` is always recomputed from the text just read, so it cannot go stale. A plan of more
    clauses than `max_clauses` is refused here, before anything would embed them.
    """
    path = Path(path)
    settings = settings or IngestSettings()
    text = read_document(path, settings)
    if meta is None:
        entries = load_manifest(path.parent) if manifest is None else manifest
        meta = resolve_metadata(text, path.name, entries.get(path.name))
    else:
        meta = replace(meta, file=meta.file or path.name, sha256=text_sha256(text))
    document = parse_text(text, meta)
    if len(document.clauses) > settings.max_clauses:
        raise IngestError(
            f"{path.name}: 解析出 {len(document.clauses)} 个条款，超过每个规划 {settings.max_clauses} 个的上限"
            f"（PLANQA_MAX_CLAUSES） / {len(document.clauses)} clauses, over the {settings.max_clauses} per plan limit"
        )
    return document


def plan_files(directory: str | Path) -> list[Path]:
    """Candidate plan files of a directory, by name: every visible file except the manifest."""
    directory = Path(directory)
    return sorted(
        p for p in directory.iterdir() if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")
    )


def load_corpus(
    directory: str | Path, settings: IngestSettings | None = None, *, progress: bool = False
) -> CorpusResult:
    """Parse every plan file of `directory` (not recursive).

    A file that cannot be read or parsed becomes a `FileError` and is skipped; a
    second file claiming a doc_id already taken is rejected the same way (files
    are taken in name order, so "second" is deterministic). A missing directory or
    an invalid manifest.json raises `IngestError`: doc_ids would silently change otherwise.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise IngestError(f"{directory}: 目录不存在 / no such directory")
    manifest = load_manifest(directory)
    files = plan_files(directory)
    result = CorpusResult()
    present = {p.name for p in files}
    result.warnings += [
        f"{MANIFEST_NAME}: 列出的 {name} 不存在 / lists {name}, which is missing" for name in manifest if name not in present
    ]
    owners: dict[str, str] = {}
    for path in tqdm(files, desc="ingest", unit="file", disable=not progress):
        try:
            document = parse_file(path, manifest=manifest, settings=settings)
        except IngestError as exc:
            result.errors.append(FileError(path.name, str(exc)))
            continue
        except Exception as exc:  # a parser bug must not take the other plans down with it
            log.debug("unexpected error while parsing %s", path, exc_info=True)  # users see the message, not a traceback
            detail = f"{type(exc).__name__}: {exc}"
            message = f"{path.name}: 解析时出现内部错误 / internal error while parsing ({detail})"
            result.errors.append(FileError(path.name, message))
            continue
        doc_id = document.meta.doc_id
        if doc_id in owners:
            result.errors.append(
                FileError(
                    path.name,
                    f"{path.name}: doc_id “{doc_id}” 已被 {owners[doc_id]} 使用，已跳过 / doc_id {doc_id!r} is already "
                    f"used by {owners[doc_id]}; skipped (give it its own doc_id in {MANIFEST_NAME})",
                )
            )
            continue
        owners[doc_id] = path.name
        result.documents.append(document)
    return result
