"""The vector-store interface: what the plan index asks of wherever the dense vectors live.

`PlanIndex` (and so the assistant) only ever calls `search(query_vec, k, allowed_ids)`, `ntotal` and
`kind`. The engines behind it are `index.faiss_store` (embedded, the default) and `index.milvus_store`;
`index.vector_backends` picks one by `PLANQA_VECTOR_STORE` at build time and by what the version
directory holds at load time. Backends import this module only. Ids are clause positions in the index
version (row i = clause i) in every engine, so the lexical index, fusion and rerank need no id mapping.

Filters come in two forms, both applied before ranking:
- `allowed_ids`: any set of clause ids — what `PlanIndex` passes (from its `Filters`);
- `where`: a metadata filter on city / doc_id / kind (any object with `cities`, `doc_ids`, `kinds`
  tuples, e.g. `index.retriever.Filters`), evaluated by the engine itself.
When both are given, a row must pass both.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from index.dense import checked_ids
from ingest.lexicon import city_key

AllowedIds = Collection[int] | np.ndarray | None


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
    bare = city_key(city)
    return bare, f"{bare}市"


def allowed_array(allowed_ids: AllowedIds, ntotal: int) -> np.ndarray | None:
    """The filter as sorted unique int64 ids, or None when it allows everything; ids are checked."""
    return checked_ids(allowed_ids, ntotal, VectorStoreError)
