"""The plan index: clauses with their dense and lexical indexes, built, persisted, loaded, searched.

One `PlanIndex` is one immutable version directory (see `index.versions`). It keeps the
source text of every plan, so a citation can always be checked against the exact text
its offsets index, even after the plan file moved or changed.

Two ways to make a version: `build_index` parses every plan file (reusing the vectors of
unchanged plans); `prepare_change` derives one from the current version with one plan added,
replaced or removed, so its cost follows that plan, not the library: only the new plan's
clauses are embedded and tokenised, the other plans' vectors, BM25 tokens (stored per clause in
`tokens.jsonl`), records and source texts are carried over, FAISS gets the new vectors added,
and BM25 is re-indexed from the stored tokens.
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
from typing import Iterable, Literal, Sequence

import numpy as np

from index.embeddings import Encoder, get_encoder
from index.fusion import FusionWeights, fuse
from index.lexical import META_FILE as LEXICAL_META, LexicalIndex
from index.passages import passage_text
from index.rerank import RerankWeights, SearchHints, rerank
from index.settings import IndexSettings
from index.tokenize import PolicyTokenizer, default_tokenizer
from index.vector_backends import build_vector_store, open_vector_store
from index.vectorstore import RowMeta, VectorStore
from index.versions import (
    FORMAT_VERSION, REBUILD_HINT, IndexCorruptError, Manifest, ModelMismatchError, change_lock, new_version_dir,
    open_version, publish, recover, seal,
)
from ingest import load_corpus
from ingest.figures import extract_figures
from ingest.lexicon import city_key
from ingest.records import Clause, DocumentMeta, Figure, Heading, IndicatorRecord, ParsedDocument, TaskRecord

Mode = Literal["bm25", "dense", "hybrid", "hybrid+rerank"]
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid", "hybrid+rerank")
CANDIDATES = 50  # how deep each system is read before fusion and rerank
TUNED_WEIGHTS = Path(__file__).with_name("tuned.json")  # written by `python -m tuning tune --write`
TOKENS_FILE = "tokens.jsonl"  # one line per clause: its BM25 tokens, so a change need not re-tokenise the library


class FilterError(ValueError):
    """A filter names a plan, city or clause kind the index does not have."""


@dataclass(frozen=True)
class Filters:
    """Restrict a search; applied before ranking, never silently dropped."""

    cities: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cities or self.doc_ids or self.kinds)


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    meta: DocumentMeta


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


class PlanIndex:
    """A loaded index version. Thread-safe for reads."""

    def __init__(
        self,
        version: Path,
        manifest: Manifest,
        docs: dict[str, DocumentMeta],
        sources: dict[str, str],
        clauses: list[Clause],
        headings: dict[str, list[Heading]],
        indicators: list[IndicatorRecord],
        tasks: list[TaskRecord],
        dense: VectorStore,
        lexical: LexicalIndex,
        settings: IndexSettings,
    ):
        self.version, self.manifest, self.docs, self.sources = version, manifest, docs, sources
        self.clauses, self.headings, self.indicators, self.tasks = clauses, headings, indicators, tasks
        self.dense, self.lexical, self.settings = dense, lexical, settings
        self.fusion, self.rerank_weights = tuned_weights()
        self._clause_city = [docs[c.doc_id].city for c in clauses]
        self._by_doc: dict[str, list[int]] = {}
        for i, c in enumerate(clauses):
            self._by_doc.setdefault(c.doc_id, []).append(i)
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()
        self._figures: dict[str, list[Figure]] | None = None
        self._figure_list: list[Figure] | None = None
        self._figures_lock = threading.Lock()

    # -- lookups ---------------------------------------------------------------------------
    @property
    def cities(self) -> list[str]:
        return sorted({m.city for m in self.docs.values() if m.city})

    def source(self, doc_id: str) -> str:
        return self.sources[doc_id]

    def clause_ids_of(self, doc_id: str) -> list[int]:
        return self._by_doc.get(doc_id, [])

    def neighbours(self, clause: Clause, before: int = 1, after: int = 1) -> list[Clause]:
        """The clause with its neighbours in document order (the "上下文" view)."""
        ids = self._by_doc.get(clause.doc_id, [])
        pos = next((k for k, i in enumerate(ids) if self.clauses[i].clause_id == clause.clause_id), None)
        if pos is None:
            return [clause]
        return [self.clauses[i] for i in ids[max(0, pos - before): pos + after + 1]]

    @property
    def figures(self) -> list[Figure]:
        """Every figure the indexed plans state (`ingest.figures`), in plan then document order.

        Computed from the loaded clauses and records on first use and cached; never stored,
        so the index format does not change.
        """
        self._figures_by_doc()
        assert self._figure_list is not None
        return self._figure_list

    def figures_of(self, doc_id: str) -> list[Figure]:
        """The figures of one plan ([] for a plan the index does not have)."""
        return list(self._figures_by_doc().get(doc_id, ()))

    def _figures_by_doc(self) -> dict[str, list[Figure]]:
        with self._figures_lock:
            if self._figures is None:
                indicators: dict[str, list[IndicatorRecord]] = {}
                for r in self.indicators:
                    indicators.setdefault(r.doc_id, []).append(r)
                tasks: dict[str, list[TaskRecord]] = {}
                for t in self.tasks:
                    tasks.setdefault(t.doc_id, []).append(t)
                self._figures = {
                    doc_id: extract_figures(
                        [self.clauses[i] for i in self._by_doc.get(doc_id, [])],
                        indicators.get(doc_id, []), tasks.get(doc_id, []), meta.city,
                        year=meta.year, period=meta.period,
                    )
                    for doc_id, meta in self.docs.items()
                }
                self._figure_list = [f for figures in self._figures.values() for f in figures]
            return self._figures

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                encoder = get_encoder(self.settings)
                if encoder.model_id != self.manifest.embed_model:
                    raise ModelMismatchError(
                        f"The index was built with {self.manifest.embed_model}, but PLANQA_EMBED_MODEL gives "
                        f"{encoder.model_id}: {REBUILD_HINT}."
                    )
                self._encoder = encoder
            return self._encoder

    # -- search ----------------------------------------------------------------------------
    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Clause ids passing `filters` (None = everything); unknown names are an error, not ignored."""
        if not filters:
            return None
        unknown = [d for d in filters.doc_ids if d not in self.docs]
        if unknown:
            raise FilterError(f"没有这些规划：{'、'.join(unknown)}（可选：{'、'.join(sorted(self.docs))}）")
        city_names = {c for c in self.cities}
        bad_cities = [c for c in filters.cities if city_key(c) not in {city_key(x) for x in city_names}]
        if bad_cities:
            raise FilterError(f"没有这些城市的规划：{'、'.join(bad_cities)}（可选：{'、'.join(sorted(city_names))}）")
        bad_kinds = [k for k in filters.kinds if k not in ("paragraph", "table_row", "box_item", "heading")]
        if bad_kinds:
            raise FilterError(f"Unknown clause kind(s): {', '.join(bad_kinds)}")
        wanted_cities = {city_key(c) for c in filters.cities}
        mask = np.array([
            (not filters.doc_ids or c.doc_id in filters.doc_ids)
            and (not wanted_cities or city_key(self._clause_city[i] or "") in wanted_cities)
            and (not filters.kinds or c.kind in filters.kinds)
            for i, c in enumerate(self.clauses)
        ])
        return np.flatnonzero(mask)

    def candidates(
        self, query: str, depth: int, allowed: np.ndarray | None, mode: Mode = "hybrid+rerank", lexical_query: str | None = None,
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Each system's raw scores of its `depth` best clauses (what fusion and rerank start from; `tuning.tune` reads it)."""
        dense_scores: dict[int, float] = {}
        lexical_scores: dict[int, float] = {}
        if mode != "bm25":
            ids, scores = self.dense.search(self.encoder.encode_query(query), depth, allowed)
            dense_scores = dict(zip(map(int, ids), map(float, scores)))
        if mode != "dense":
            ids, scores = self.lexical.search(lexical_query or query, depth, allowed)
            lexical_scores = {int(i): float(s) for i, s in zip(ids, scores) if s > 0}
        return dense_scores, lexical_scores

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filters | None = None,
        hints: SearchHints | None = None,
        mode: Mode = "hybrid+rerank",
        lexical_query: str | None = None,
    ) -> list[Hit]:
        """Top-k clauses for `query`, best first. `lexical_query` lets a caller add expanded terms for BM25 only."""
        if mode not in MODES:
            raise ValueError(f"Unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        allowed = self.allowed(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        depth = max(k, CANDIDATES)
        dense_scores, lexical_scores = self.candidates(query, depth, allowed, mode, lexical_query)
        if mode == "dense":
            ranked = sorted(dense_scores.items(), key=lambda t: -t[1])
        elif mode == "bm25":
            ranked = sorted(lexical_scores.items(), key=lambda t: -t[1])
        else:
            ranked = sorted(fuse(dense_scores, lexical_scores, self.fusion).items(), key=lambda t: -t[1])
            if mode == "hybrid+rerank":
                # every candidate either system found (≤ 2·depth): the reranker's weights are fitted on that pool
                ranked = rerank(ranked, self.clauses, self._clause_city, hints or SearchHints(), self.rerank_weights)
        return [Hit(self.clauses[i], s, self.docs[self.clauses[i].doc_id]) for i, s in ranked[:k]]


def tuned_weights(path: Path | None = None) -> tuple[FusionWeights, RerankWeights]:
    """The fusion and rerank weights fitted on the dev set (`python -m tuning tune`), shipped beside the code.

    They belong to the code, not to an index version: every loaded version reads the same file, and
    a weight the file does not give keeps its hand-set default.
    """
    path = path or TUNED_WEIGHTS
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return FusionWeights(**data.get("fusion", {})), RerankWeights(**data.get("rerank", {}))


# -- building -------------------------------------------------------------------------------
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
    clauses = [Clause.from_dict(d) for d in _read_jsonl(version / "clauses.jsonl")]
    docs = {d["doc_id"]: DocumentMeta(**d) for d in _read_jsonl(version / "documents.jsonl")}
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
) -> BuildReport:
    """Parse every plan, embed what changed, write a new version and switch to it atomically.

    Runs under the library's change lock, after finishing or rolling back a change a killed process
    left (`index.versions.recover`), so a plan file of an uncommitted upload is never indexed."""
    settings = settings or IndexSettings()
    with change_lock(settings.index_dir):
        recover(settings.index_dir)
        return _build_index(plans_dirs, settings, progress)


def _build_index(plans_dirs: Sequence[Path] | None, settings: IndexSettings, progress: bool) -> BuildReport:
    started = time.perf_counter()
    dirs = list(plans_dirs) if plans_dirs else [settings.plans_dir, *([settings.uploads_dir] if settings.uploads_dir.exists() else [])]
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
    (version / "sources").mkdir()
    for doc in documents:
        (version / "sources" / f"{doc.meta.doc_id}.txt").write_text(doc.text, encoding="utf-8")
    _write_jsonl(version / "documents.jsonl", (vars(doc.meta) for doc in documents))
    _write_jsonl(version / "clauses.jsonl", (c.to_dict() for c in clauses))
    _write_jsonl(version / "headings.jsonl", ({"doc_id": doc.meta.doc_id, **vars(h)} for doc in documents for h in doc.headings))
    _write_jsonl(version / "indicators.jsonl", (r.to_dict() for doc in documents for r in doc.indicators))
    _write_jsonl(version / "tasks.jsonl", (t.to_dict() for doc in documents for t in doc.tasks))
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
    old_metas = [DocumentMeta(**d) for d in _read_jsonl(old / "documents.jsonl")]
    by_id = {m.doc_id: m for m in old_metas}
    metas = [m for m in old_metas if m.doc_id not in drop]
    if add is not None:
        if any(m.doc_id == add.meta.doc_id for m in metas):
            raise ValueError(f"doc_id {add.meta.doc_id} is already indexed")
        metas.append(add.meta)
    if not metas:
        raise IndexCorruptError("A change that leaves no plan: nothing to index.")
    clause_lines = _lines_of(old / "clauses.jsonl")
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
        _write_jsonl(version / "documents.jsonl", (vars(m) for m in metas))
        new_rows = {
            "clauses.jsonl": [c.to_dict() for c in new_clauses],
            "headings.jsonl": [{"doc_id": add.meta.doc_id, **vars(h)} for h in add.headings] if add else [],
            "indicators.jsonl": [r.to_dict() for r in add.indicators] if add else [],
            "tasks.jsonl": [t.to_dict() for t in add.tasks] if add else [],
        }
        counts = {}
        for name, rows in new_rows.items():
            kept = [line for doc_id, line in (clause_lines if name == "clauses.jsonl" else _lines_of(old / name))
                    if doc_id not in drop]
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
        docs = {d["doc_id"]: DocumentMeta(**d) for d in _read_jsonl(version / "documents.jsonl")}
        sources = {doc_id: (version / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in docs}
        clauses = [Clause.from_dict(d) for d in _read_jsonl(version / "clauses.jsonl")]
        headings: dict[str, list[Heading]] = {}
        for d in _read_jsonl(version / "headings.jsonl"):
            headings.setdefault(d.pop("doc_id"), []).append(Heading(**d))
        indicators = [IndicatorRecord.from_dict(d) for d in _read_jsonl(version / "indicators.jsonl")]
        tasks = [TaskRecord(**{**d, "lead_units": tuple(d["lead_units"]), "partner_units": tuple(d["partner_units"])})
                 for d in _read_jsonl(version / "tasks.jsonl")]
        dense = open_vector_store(version, settings)
        lexical = LexicalIndex.load(version / "lexical")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"The index at {version} could not be read ({exc}): {REBUILD_HINT}.") from None
    if dense.ntotal != len(clauses):
        raise IndexCorruptError(f"The index at {version} is inconsistent ({dense.ntotal} vectors, {len(clauses)} clauses): {REBUILD_HINT}.")
    return PlanIndex(version, manifest, docs, sources, clauses, headings, indicators, tasks, dense, lexical, settings)


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
