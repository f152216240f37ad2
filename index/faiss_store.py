"""The embedded vector store: FAISS (`index.dense`, flat / HNSW / IVF-PQ) plus a per-row metadata table.

The default backend (`PLANQA_VECTOR_STORE=faiss`): both files live in the index version directory, so
they are checksummed, versioned and switched with the rest of the index.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.settings import IndexSettings
from index.vectorstore import AllowedIds, MetadataFilter, RowMeta, VectorStoreError, allowed_array, city_forms


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
