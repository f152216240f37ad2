"""Build, change and load index versions: parsed plans in, a sealed version directory out, and back.

`build_index` parses every plan file (reusing the vectors of unchanged plans); `prepare_change`
derives a version from the current one with one plan added, replaced or removed, so its cost
follows that plan, not the library: only the new plan's clauses are embedded and tokenised, the
other plans' vectors, BM25 tokens (stored per clause in `tokens.jsonl`), records and source texts
are carried over, FAISS gets the new vectors added, and BM25 is re-indexed from the stored tokens.
`load_index` reads a version back into a `PlanIndex` (its `Corpus` and `Retriever`);
`current_index` caches the loaded current version.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from index.corpus import Corpus
from index.embeddings import get_encoder
from index.lexical import META_FILE as LEXICAL_META, LexicalIndex
from index.passages import passage_text
from index.retriever import Retriever
from index.settings import IndexSettings
from index.store import PlanIndex
from index.tokenize import PolicyTokenizer, default_tokenizer
from index.vector_backends import build_vector_store, open_vector_store
from index.vectorstore import RowMeta
from index.versions import (
    FORMAT_VERSION, REBUILD_HINT, IndexCorruptError, Manifest, ModelMismatchError, change_lock, new_version_dir,
    open_version, publish, recover, seal,
)
from ingest import load_corpus
from ingest.figures import document_figures
from ingest.output import CLAUSES, DOCUMENTS, FIGURES, PLAN_FILES, document_row, plan_rows, read_output, write_output
from ingest.records import Clause, DocumentMeta, Figure, IndicatorRecord, ParsedDocument, TaskRecord

TOKENS_FILE = "tokens.jsonl"  # one line per clause: its BM25 tokens, so a change need not re-tokenise the library


@dataclass
class BuildReport:
    documents: int
    clauses: int
    indicators: int
    tasks: int
    embedded: int  # clauses encoded in this build (the rest reused from the previous version)
    seconds: float
    version: Path
    errors: list[str] = field(default_factory=list)


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _reusable_vectors(link: Path, model_id: str) -> dict[str, dict[str, np.ndarray]]:
    """doc sha256 → {passage text → vector} from the current version, when built with the same model."""
    try:
        version, manifest = open_version(link, verify=True)
    except Exception:
        return {}
    if manifest.embed_model != model_id:
        return {}
    clauses = [Clause.from_dict(d) for d in _read_jsonl(version / CLAUSES)]
    docs = {d["doc_id"]: DocumentMeta(**d) for d in _read_jsonl(version / DOCUMENTS)}
    vectors = np.load(version / "embeddings.npy")
    out: dict[str, dict[str, np.ndarray]] = {}
    for c, v in zip(clauses, vectors):
        meta = docs[c.doc_id]
        out.setdefault(meta.sha256 or "", {})[passage_text(c, meta)] = v
    return out


def build_index(
    plans_dirs: Sequence[Path] | None = None,
    settings: IndexSettings | None = None,
    progress: bool = True,
    ingested: Path | None = None,
) -> BuildReport:
    """Parse every plan, embed what changed, write a new version and switch to it atomically.

    With `ingested` (a directory `python -m ingest` wrote), its plans are indexed as they are, not parsed again.

    Runs under the library's change lock, after finishing or rolling back a change a killed process
    left (`index.versions.recover`), so a plan file of an uncommitted upload is never indexed."""
    settings = settings or IndexSettings()
    with change_lock(settings.index_dir):
        recover(settings.index_dir)
        return _build_index(plans_dirs, settings, progress, ingested)


def _parse_plans(dirs: Sequence[Path]) -> tuple[list[ParsedDocument], list[str]]:
    """Every plan of `dirs` parsed (a doc_id seen before is skipped), with the problems met on the way."""
    documents: list[ParsedDocument] = []
    errors: list[str] = []
    for d in dirs:
        result = load_corpus(d)
        for doc in result.documents:
            if any(doc.meta.doc_id == other.meta.doc_id for other in documents):
                errors.append(f"{doc.meta.file}: doc_id {doc.meta.doc_id} already indexed; skipped")
                continue
            documents.append(doc)
        errors.extend(f"{e.file}: {e.message}" for e in result.errors)
        errors.extend(result.warnings)
    return documents, errors


def _build_index(plans_dirs: Sequence[Path] | None, settings: IndexSettings, progress: bool,
                 ingested: Path | None) -> BuildReport:
    started = time.perf_counter()
    dirs = list(plans_dirs) if plans_dirs else [settings.plans_dir, *([settings.uploads_dir] if settings.uploads_dir.exists() else [])]
    if ingested is not None:
        dirs, documents, errors = [ingested], read_output(ingested).documents(), []
    else:
        documents, errors = _parse_plans(dirs)
    if not documents:
        raise IndexCorruptError(f"No plan could be read from {', '.join(map(str, dirs))}: nothing to index.")

    encoder = get_encoder(settings)
    tokenizer = default_tokenizer()
    reuse = _reusable_vectors(settings.index_dir, encoder.model_id)
    clauses = [c for doc in documents for c in doc.clauses]
    metas = {doc.meta.doc_id: doc.meta for doc in documents}
    texts = [passage_text(c, metas[c.doc_id]) for c in clauses]
    vectors = np.zeros((len(clauses), encoder.dimension), dtype=np.float32)
    todo = []
    for i, (c, t) in enumerate(zip(clauses, texts)):
        old = reuse.get(metas[c.doc_id].sha256 or "", {}).get(t)
        if old is not None and old.shape == (encoder.dimension,):
            vectors[i] = old
        else:
            todo.append(i)
    if todo:
        vectors[todo] = encoder.encode_passages([texts[i] for i in todo], progress=progress)
    tokens = [tokenizer.tokenize_document(t) for t in texts]

    version = new_version_dir(settings.index_dir)
    write_output(version, documents)  # the corpus, in ingest's output layout
    rows = [RowMeta(c.doc_id, metas[c.doc_id].city or "", c.kind) for c in clauses]
    dense = build_vector_store(vectors, rows, version, settings)  # FAISS or Milvus, per PLANQA_VECTOR_STORE
    counts = {
        "indicators": sum(len(d.indicators) for d in documents),
        "tasks": sum(len(d.tasks) for d in documents),
    }
    per_doc = {doc.meta.doc_id: len(doc.clauses) for doc in documents}
    report = _seal_version(version, settings, encoder.model_id, encoder.dimension, [d.meta for d in documents], per_doc,
                           counts, vectors, tokens, tokenizer, dense.kind, started, embedded=len(todo))
    report.version = publish(version, settings.index_dir)
    report.errors = errors
    return report


def _seal_version(version: Path, settings: IndexSettings, model_id: str, dimension: int, metas: list[DocumentMeta],
                  per_doc: dict[str, int], counts: dict[str, int], vectors: np.ndarray, tokens: list[list[str]],
                  tokenizer: PolicyTokenizer, dense_kind: str, started: float, embedded: int,
                  token_lines: list[str] | None = None) -> BuildReport:
    """Write what every version has besides its records (vectors, BM25 tokens and index), then the manifest."""
    np.save(version / "embeddings.npy", vectors)
    if token_lines is not None:  # the kept plans' tokens as stored, then the new plan's
        _write_lines(version / TOKENS_FILE, [*token_lines, *(json.dumps(t, ensure_ascii=False)
                                                            for t in tokens[len(token_lines):])])
    else:
        _write_jsonl(version / TOKENS_FILE, tokens)
    LexicalIndex.from_tokens(tokens, tokenizer=tokenizer, settings=settings).save(version / "lexical")
    seconds = time.perf_counter() - started
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        embed_model=model_id,
        dimension=dimension,
        built_at=time.time(),
        build_seconds=round(seconds, 3),
        counts={"documents": len(metas), "clauses": len(vectors), **counts},
        documents={
            m.doc_id: {"sha256": m.sha256, "file": m.file, "title": m.title, "city": m.city, "clauses": per_doc[m.doc_id]}
            for m in metas
        },
        dense_kind=dense_kind,
    )
    seal(version, manifest)
    return BuildReport(documents=len(metas), clauses=len(vectors), indicators=counts["indicators"], tasks=counts["tasks"],
                       embedded=embedded, seconds=seconds, version=version)


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line if line.endswith("\n") else line + "\n")


_DOC_ID_PREFIX = '{"doc_id": "'


def _lines_of(path: Path) -> list[tuple[str, str]]:
    """(doc_id, raw line) of a version's JSON Lines file, kept as written.

    Every record is written with doc_id first (and doc_ids are slugs: no quotes), so the id is read
    from the line's start; any other line is parsed."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(_DOC_ID_PREFIX):
                out.append((line[len(_DOC_ID_PREFIX): line.index('"', len(_DOC_ID_PREFIX))], line))
            elif line.strip():
                out.append((json.loads(line)["doc_id"], line))
    return out


def _stored_tokens(version: Path, clauses: list[str], keep: np.ndarray, metas: dict[str, DocumentMeta],
                   tokenizer: PolicyTokenizer) -> tuple[list[list[str]], list[str] | None]:
    """The BM25 tokens of the kept clauses, with their stored lines: as stored, or re-tokenised (lines None)
    when the version has none or the tokenizer's dictionaries changed since it was built."""
    path = version / TOKENS_FILE
    try:
        fingerprint = json.loads((version / "lexical" / LEXICAL_META).read_text(encoding="utf-8")).get("tokenizer")
    except (OSError, ValueError):
        fingerprint = None
    if path.is_file() and fingerprint == tokenizer.fingerprint:
        with open(path, encoding="utf-8") as f:
            stored = [line for line in f if line.strip()]
        if len(stored) == len(clauses):
            lines = [t for t, k in zip(stored, keep) if k]
            return [json.loads(t) for t in lines], lines
    return [tokenizer.tokenize_document(passage_text(Clause.from_dict(json.loads(line)), metas[doc_id]))
            for (doc_id, line), k in zip(clauses, keep) if k], None


def _link_or_copy(source: Path, target: Path) -> None:
    """Versions never change once sealed, so an unchanged file may be shared by a hard link."""
    try:
        os.link(source, target)
    except OSError:
        target.write_bytes(source.read_bytes())


def _changed_dense(old: Path, version: Path, vectors: np.ndarray, rows: list[RowMeta], added: np.ndarray,
                   appended: bool, settings: IndexSettings):
    """The new version's vector store: FAISS with the new vectors added when plans were only added,
    else (a removal, another engine, or the exact index outgrowing `faiss_flat_max`) built from `vectors`."""
    from index.faiss_store import FaissStore, RowTable

    if appended and settings.vector_store == "faiss" and (old / FaissStore.INDEX_FILE).is_file():
        store = FaissStore.open(old, settings)
        if not (store.kind == "flat" and len(vectors) > settings.faiss_flat_max):
            if len(added):
                store.dense.add(added)
            table = RowTable.from_rows(rows)
            store.dense.save(version / FaissStore.INDEX_FILE)
            table.save(version / FaissStore.ROWS_FILE)
            return FaissStore(store.dense, table)
    return build_vector_store(vectors, rows, version, settings)


def _old_lines(old: Path, name: str, clause_lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(doc_id, line) of one per-plan file of the version a change starts from (clauses already read);
    figures computed from its records when it was written before figures were stored."""
    if name == CLAUSES:
        return clause_lines
    if name == FIGURES and not (old / FIGURES).is_file():
        return [(doc_id, json.dumps(f.to_dict(), ensure_ascii=False))
                for doc_id, figures in read_corpus(old).figures_by_doc.items() for f in figures]
    return _lines_of(old / name)


def prepare_change(
    add: ParsedDocument | None = None,
    drop: Collection[str] = (),
    settings: IndexSettings | None = None,
    progress: bool = False,
    step: Callable[[str], None] | None = None,
) -> BuildReport:
    """A sealed, unpublished version: the current one without the plans `drop` (doc_ids), plus `add`.

    Only `add`'s clauses are embedded and tokenised. The caller publishes `report.version` (with
    `index.versions.commit_change`) or deletes it. `step(name)` is a test hook called between stages."""
    settings = settings or IndexSettings()
    step = step or (lambda name: None)
    started = time.perf_counter()
    old, manifest = open_version(settings.index_dir, verify=True)
    encoder = get_encoder(settings)
    if manifest.embed_model != encoder.model_id:
        raise ModelMismatchError(
            f"The index was built with {manifest.embed_model}, but PLANQA_EMBED_MODEL gives {encoder.model_id}: {REBUILD_HINT}."
        )
    tokenizer = default_tokenizer()
    drop = set(drop)
    old_metas = [DocumentMeta(**d) for d in _read_jsonl(old / DOCUMENTS)]
    by_id = {m.doc_id: m for m in old_metas}
    metas = [m for m in old_metas if m.doc_id not in drop]
    if add is not None:
        if any(m.doc_id == add.meta.doc_id for m in metas):
            raise ValueError(f"doc_id {add.meta.doc_id} is already indexed")
        metas.append(add.meta)
    if not metas:
        raise IndexCorruptError("A change that leaves no plan: nothing to index.")
    clause_lines = _lines_of(old / CLAUSES)
    keep = np.array([doc_id not in drop for doc_id, _ in clause_lines], dtype=bool)
    kept_tokens, token_lines = _stored_tokens(old, clause_lines, keep, by_id, tokenizer)
    new_clauses = list(add.clauses) if add is not None else []
    new_texts = [passage_text(c, add.meta) for c in new_clauses] if add is not None else []
    step("embed")
    added = (encoder.encode_passages(new_texts, progress=progress) if new_texts
             else np.zeros((0, encoder.dimension), dtype=np.float32))
    vectors = np.concatenate([np.load(old / "embeddings.npy")[keep], added.astype(np.float32)])
    tokens = kept_tokens + [tokenizer.tokenize_document(t) for t in new_texts]
    step("write")
    version = new_version_dir(settings.index_dir)
    try:
        (version / "sources").mkdir()
        for m in metas:
            target = version / "sources" / f"{m.doc_id}.txt"
            if add is not None and m.doc_id == add.meta.doc_id:
                target.write_text(add.text, encoding="utf-8")
            else:
                _link_or_copy(old / "sources" / f"{m.doc_id}.txt", target)
        _write_jsonl(version / DOCUMENTS, (document_row(m) for m in metas))
        new_rows = plan_rows(add) if add is not None else {name: [] for name in PLAN_FILES}
        counts = {}
        for name, rows in new_rows.items():  # the kept plans' lines as stored, then the new plan's rows
            kept = [line for doc_id, line in _old_lines(old, name, clause_lines) if doc_id not in drop]
            _write_lines(version / name, [*kept, *(json.dumps(r, ensure_ascii=False) for r in rows)])
            counts[name.removesuffix(".jsonl")] = len(kept) + len(rows)
        city = {m.doc_id: m.city or "" for m in metas}
        kinds = np.load(old / "dense.rows.npz") if (old / "dense.rows.npz").is_file() else None
        if kinds is not None and len(kinds["codes_kind"]) == len(clause_lines):  # the row table has each clause's kind
            kind_of = kinds["vocab_kind"][kinds["codes_kind"]]
            rows = [RowMeta(doc_id, city[doc_id], str(kind_of[i])) for i, (doc_id, _) in enumerate(clause_lines) if keep[i]]
        else:
            rows = [RowMeta(doc_id, city[doc_id], json.loads(line)["kind"])
                    for (doc_id, line), k in zip(clause_lines, keep) if k]
        rows += [RowMeta(c.doc_id, city[c.doc_id], c.kind) for c in new_clauses]
        dense = _changed_dense(old, version, vectors, rows, added, appended=bool(keep.all()), settings=settings)
        per_doc: dict[str, int] = {}
        for r in rows:
            per_doc[r.doc_id] = per_doc.get(r.doc_id, 0) + 1
        step("seal")
        return _seal_version(version, settings, encoder.model_id, encoder.dimension, metas, per_doc,
                             {"indicators": counts["indicators"], "tasks": counts["tasks"]}, vectors, tokens,
                             tokenizer, dense.kind, started, embedded=len(new_clauses), token_lines=token_lines)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise


def load_index(settings: IndexSettings | None = None, verify: bool = True) -> PlanIndex:
    """Read the current version (checksums verified); the encoder loads on the first dense query."""
    settings = settings or IndexSettings()
    version, manifest = open_version(settings.index_dir, verify=verify)
    try:
        corpus = read_corpus(version)
        dense = open_vector_store(version, settings)
        lexical = LexicalIndex.load(version / "lexical")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"The index at {version} could not be read ({exc}): {REBUILD_HINT}.") from None
    if dense.ntotal != len(corpus.clauses):
        raise IndexCorruptError(f"The index at {version} is inconsistent ({dense.ntotal} vectors, {len(corpus.clauses)} clauses): {REBUILD_HINT}.")
    return PlanIndex(version, manifest, corpus, Retriever(corpus, dense, lexical, settings, manifest.embed_model), settings)


def read_corpus(version: Path) -> Corpus:
    """The corpus of a version (ingest's output layout, `ingest.output`). Figures are read as stored; a
    version written before they were stored gets them computed here, once, from its records."""
    r = read_output(version)
    figures = r.figures if r.figures is not None else {d.meta.doc_id: document_figures(d) for d in r.documents()}
    return Corpus(r.docs, r.sources, r.clauses, r.headings, r.indicators, r.tasks, figures)


_current: dict[Path, PlanIndex] = {}
_current_lock = threading.Lock()


def current_index(settings: IndexSettings | None = None) -> PlanIndex:
    """The one cached loaded index, reloaded when a build has switched the link to a new version."""
    settings = settings or IndexSettings()
    link = settings.index_dir.absolute()
    with _current_lock:
        cached = _current.get(link)
        if cached is not None and cached.version == link.resolve():
            return cached
        index = load_index(settings)
        _current[link] = index
        return index
