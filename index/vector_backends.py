"""The vector-store backends by name, each imported only when it is used.

A build uses the backend `PLANQA_VECTOR_STORE` names; opening a version uses the backend whose marker
file the version directory holds, whatever the settings say now. Backends import only the interface
(`index.vectorstore`) and this registry imports a backend inside a function, so there is no import
cycle and the optional Milvus packages are needed only by indexes built with Milvus.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.dense import DenseIndexError
from index.settings import IndexSettings
from index.vectorstore import RowMeta, VectorStore, VectorStoreError

MILVUS_MISSING = "PLANQA_VECTOR_STORE=milvus needs pymilvus and milvus-lite: pip install -e '.[milvus]'"


@dataclass(frozen=True)
class Backend:
    """A vector-store engine: the file its version directories hold, and how to import its class.

    The class has `build(vectors, rows, directory, settings, progress=...)` and `open(directory, settings)`
    classmethods returning a `VectorStore`.
    """

    name: str
    marker: str
    load: Callable[[], type]


def _faiss() -> type:
    from index.faiss_store import FaissStore

    return FaissStore


def _milvus() -> type:
    try:
        from index.milvus_store import MilvusStore
    except ImportError:
        raise VectorStoreError(MILVUS_MISSING) from None
    return MilvusStore


# Opening checks the markers in this order; the class's own file name must equal `marker` (tested).
BACKENDS: dict[str, Backend] = {
    "milvus": Backend("milvus", "milvus.json", _milvus),
    "faiss": Backend("faiss", "dense.faiss", _faiss),
}


def build_vector_store(
    vectors: np.ndarray, rows: Sequence[RowMeta], directory: Path, settings: IndexSettings | None = None,
    progress: bool | None = None,
) -> VectorStore:
    """Index `vectors` (row i = clause i) with their metadata into `directory`, in the engine settings name.

    The store is persisted as it is built (Milvus writes while it indexes). A Milvus store comes back
    closed; search the published version through `open_vector_store`.
    """
    settings = settings or IndexSettings()
    backend = BACKENDS.get(settings.vector_store)
    if backend is None:
        raise VectorStoreError(f"Unknown vector store {settings.vector_store!r}; choose one of {', '.join(sorted(BACKENDS))}.")
    try:
        return backend.load().build(vectors, rows, directory, settings, progress=progress)
    except DenseIndexError as exc:
        raise VectorStoreError(str(exc)) from None


def open_vector_store(directory: Path, settings: IndexSettings | None = None) -> VectorStore:
    """The store a version directory holds (FAISS files or a Milvus pointer), whatever settings say now."""
    settings = settings or IndexSettings()
    for backend in BACKENDS.values():
        if (directory / backend.marker).exists():
            try:
                return backend.load().open(directory, settings)
            except DenseIndexError as exc:
                raise VectorStoreError(str(exc)) from None
    markers = " nor ".join(b.marker for b in reversed(BACKENDS.values()))
    raise VectorStoreError(f"{directory} holds no vector store (neither {markers}).")
