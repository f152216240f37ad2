"""Where the dense vectors live: one small interface, the embedded FAISS store or Milvus behind it.

`PlanIndex` (and so the assistant) only ever calls `search(query_vec, k, allowed_ids)`, `ntotal` and
`kind`; which engine answers is decided once, by `PLANQA_VECTOR_STORE`, when the index is built, and
loading follows what the version directory holds. Ids are clause positions in the index version
(row i = clause i) in both engines, so the lexical index, fusion and rerank need no id mapping.

Filters come in two forms, both applied before ranking:
- `allowed_ids`: any set of clause ids — what `PlanIndex` passes (from its `Filters`). A plan's clauses
  are consecutive ids, so for Milvus a plan or city filter becomes a few id ranges;
- `where`: a metadata filter on city / doc_id / kind (any object with `cities`, `doc_ids`, `kinds`
  tuples, e.g. `index.store.Filters`), evaluated by the engine itself (Milvus: a boolean expression on
  its scalar fields; FAISS: the row table kept beside the index).
When both are given, a row must pass both.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.dense import DenseIndex, DenseIndexError, checked_ids
from index.settings import IndexSettings

AllowedIds = Collection[int] | np.ndarray | None
MILVUS_POINTER_FILE = "milvus.json"  # a version built with Milvus holds this instead of FAISS files
MILVUS_MISSING = "PLANQA_VECTOR_STORE=milvus needs pymilvus and milvus-lite: pip install -e '.[milvus]'"


class VectorStoreError(ValueError):
    """The vector store cannot be built, opened or searched as asked; the message says why and what to do."""


@dataclass(frozen=True)
class RowMeta:
    """The metadata a store keeps per vector, for filters evaluated inside the engine."""

    doc_id: str
    city: str
    kind: str


class MetadataFilter(Protocol):
    """Restrict a search by metadata; an empty tuple means no restriction on that field."""

    cities: tuple[str, ...]
    doc_ids: tuple[str, ...]
    kinds: tuple[str, ...]


@runtime_checkable
class VectorStore(Protocol):
    """What the plan index needs from a dense store."""

    kind: str  # e.g. "flat", "hnsw", "ivfpq", "milvus-hnsw" (recorded in the index manifest)

    @property
    def ntotal(self) -> int: ...

    @property
    def dimension(self) -> int: ...

    def search(
        self, query_vec: np.ndarray, k: int, allowed_ids: AllowedIds = None, where: MetadataFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`(ids, scores)` best first (inner product = cosine); 1-D for one query (d,), 2-D for (nq, d)."""
        ...

    def close(self) -> None:
        """Release connections and files (a store is usable again after reopening)."""
        ...


def city_forms(city: str) -> tuple[str, str]:
    """"南京" and "南京市" name the same city in filters."""
    bare = city.removesuffix("市")
    return bare, f"{bare}市"


def allowed_array(allowed_ids: AllowedIds, ntotal: int) -> np.ndarray | None:
    """The filter as sorted unique int64 ids, or None when it allows everything; ids are checked."""
    return checked_ids(allowed_ids, ntotal, VectorStoreError)


class RowTable:
    """Per-row metadata, stored by column as codes into small vocabularies (12 bytes a row)."""

    FIELDS = ("doc_id", "city", "kind")

    def __init__(self, vocab: dict[str, np.ndarray], codes: dict[str, np.ndarray]) -> None:
        lengths = {len(codes[f]) for f in self.FIELDS}
        if len(lengths) != 1:
            raise VectorStoreError("The row metadata columns have different lengths.")
        self.vocab, self.codes = vocab, codes

    def __len__(self) -> int:
        return len(self.codes["doc_id"])

    @classmethod
    def from_rows(cls, rows: Sequence[RowMeta]) -> RowTable:
        vocab, codes = {}, {}
        for f in cls.FIELDS:
            values, inverse = np.unique(np.array([getattr(r, f) for r in rows], dtype=str), return_inverse=True)
            vocab[f], codes[f] = values, inverse.astype(np.int32).reshape(-1)
        return cls(vocab, codes)

    def matching(self, where: MetadataFilter) -> np.ndarray:
        """Ids of the rows passing `where`, sorted."""
        mask = np.ones(len(self), dtype=bool)
        for f, wanted in (("doc_id", where.doc_ids), ("city", where.cities), ("kind", where.kinds)):
            if wanted:
                names = {form for c in wanted for form in city_forms(c)} if f == "city" else set(wanted)
                hit = np.flatnonzero(np.isin(self.vocab[f], list(names)))
                mask &= np.isin(self.codes[f], hit)
        return np.flatnonzero(mask)

    def save(self, path: Path) -> None:
        np.savez(path, **{f"vocab_{f}": self.vocab[f] for f in self.FIELDS}, **{f"codes_{f}": self.codes[f] for f in self.FIELDS})

    @classmethod
    def load(cls, path: Path) -> RowTable:
        with np.load(path, allow_pickle=False) as data:
            return cls({f: data[f"vocab_{f}"] for f in cls.FIELDS}, {f: data[f"codes_{f}"] for f in cls.FIELDS})


class FaissStore:
    """The embedded default: `DenseIndex` (FAISS flat / HNSW / IVF-PQ) plus its row metadata, in the index dir."""

    INDEX_FILE = "dense.faiss"
    ROWS_FILE = "dense.rows.npz"

    def __init__(self, dense: DenseIndex, rows: RowTable | None) -> None:
        if rows is not None and len(rows) != dense.ntotal:
            raise VectorStoreError(f"{len(rows)} metadata rows for {dense.ntotal} vectors: rebuild the index.")
        self.dense, self.rows = dense, rows
        self.kind: str = dense.kind

    @property
    def ntotal(self) -> int:
        return self.dense.ntotal

    @property
    def dimension(self) -> int:
        return self.dense.dimension

    @classmethod
    def build(
        cls, vectors: np.ndarray, rows: Sequence[RowMeta], directory: Path, settings: IndexSettings,
        progress: bool | None = None,
    ) -> FaissStore:
        if len(rows) != len(vectors):
            raise VectorStoreError(f"{len(rows)} metadata rows for {len(vectors)} vectors.")
        store = cls(DenseIndex.build(vectors, settings, progress=progress), RowTable.from_rows(rows))
        store.dense.save(directory / cls.INDEX_FILE)
        store.rows.save(directory / cls.ROWS_FILE)
        return store

    @classmethod
    def open(cls, directory: Path, settings: IndexSettings) -> FaissStore:
        rows_path = directory / cls.ROWS_FILE
        # Indexes built before the row table existed still load; only `where` filters need it.
        rows = RowTable.load(rows_path) if rows_path.exists() else None
        return cls(DenseIndex.load(directory / cls.INDEX_FILE, settings), rows)

    def search(
        self, query_vec: np.ndarray, k: int, allowed_ids: AllowedIds = None, where: MetadataFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if where is not None and (where.cities or where.doc_ids or where.kinds):
            if self.rows is None:
                raise VectorStoreError("This index has no row metadata for metadata filters: rebuild it with `python -m index build`.")
            matching = self.rows.matching(where)
            allowed = allowed_array(allowed_ids, self.ntotal)
            allowed_ids = matching if allowed is None else np.intersect1d(allowed, matching, assume_unique=True)
        return self.dense.search(query_vec, k, allowed_ids)

    def close(self) -> None:
        """Nothing to release: the FAISS index is plain memory."""


def build_vector_store(
    vectors: np.ndarray, rows: Sequence[RowMeta], directory: Path, settings: IndexSettings | None = None,
    progress: bool | None = None,
) -> VectorStore:
    """Index `vectors` (row i = clause i) with their metadata into `directory`, in the engine settings name.

    The store is persisted as it is built (Milvus writes while it indexes). A Milvus store comes back
    closed; search the published version through `open_vector_store`.
    """
    settings = settings or IndexSettings()
    try:
        if settings.vector_store == "milvus":
            return _milvus().build(vectors, rows, directory, settings, progress=progress)
        return FaissStore.build(vectors, rows, directory, settings, progress=progress)
    except DenseIndexError as exc:
        raise VectorStoreError(str(exc)) from None


def open_vector_store(directory: Path, settings: IndexSettings | None = None) -> VectorStore:
    """The store a version directory holds (FAISS files or a Milvus pointer), whatever settings say now."""
    settings = settings or IndexSettings()
    try:
        if (directory / MILVUS_POINTER_FILE).exists():
            return _milvus().open(directory, settings)
        if (directory / FaissStore.INDEX_FILE).exists():
            return FaissStore.open(directory, settings)
    except DenseIndexError as exc:
        raise VectorStoreError(str(exc)) from None
    raise VectorStoreError(f"{directory} holds no vector store (neither {FaissStore.INDEX_FILE} nor {MILVUS_POINTER_FILE}).")


def _milvus() -> type:
    """`MilvusStore`, imported only when asked for: pymilvus is an optional dependency."""
    try:
        from index.milvus_store import MilvusStore
    except ImportError:
        raise VectorStoreError(MILVUS_MISSING) from None
    return MilvusStore
