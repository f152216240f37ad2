"""Dense search over L2-normalised embeddings with FAISS (inner product = cosine).

Exact `IndexFlatIP` up to `PLANQA_FAISS_FLAT_MAX` vectors, then HNSW, 8-bit HNSW (`hnswsq`, a quarter of
the memory) or IVF-PQ per `PLANQA_FAISS_APPROX`, quantisers trained on a fixed seeded sample (bench/SCALE.md).
Ids are positions: vector i is clause i of the index version. A metadata filter is applied inside FAISS
before ranking; a selective one, or an approximate search that returns fewer hits than the filter allows,
is searched exhaustively, so a filter never silently shortens the result.
"""
from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path
from typing import Literal

import faiss
import numpy as np
from tqdm import tqdm

from index.settings import IndexSettings

DenseKind = Literal["flat", "hnsw", "hnswsq", "ivfpq"]
APPROX_KINDS = ("hnsw", "hnswsq", "ivfpq")
# FAISS warns below 39 training points per centroid; PQ codebooks have 256 centroids each.
IVFPQ_MIN_VECTORS = 39 * 256
# A filter allowing at most 1/SELECTIVE_FILTER of the vectors is searched exhaustively over them.
SELECTIVE_FILTER = 20
_ADD_CHUNK = 10_000
_NORM_TOLERANCE = 1e-3


class DenseIndexError(ValueError):
    """The dense index cannot be built, read or searched as asked; the message says why."""


class DenseIndex:
    """A FAISS index over unit vectors, searched by inner product, with filters applied before ranking."""

    def __init__(self, index: faiss.Index, settings: IndexSettings | None = None) -> None:
        settings = settings or IndexSettings()
        self._index = index
        self.kind: DenseKind = _kind_of(index)
        self._ef_search = settings.faiss_hnsw_ef_search
        self._nprobe = settings.faiss_ivf_nprobe

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @classmethod
    def build(
        cls, vectors: np.ndarray, settings: IndexSettings | None = None, progress: bool | None = None
    ) -> DenseIndex:
        """Index `vectors` (n, d), row i getting id i; exact up to `faiss_flat_max` rows, approximate above."""
        settings = settings or IndexSettings()
        if settings.faiss_approx not in APPROX_KINDS:
            raise DenseIndexError(
                f"PLANQA_FAISS_APPROX must be one of {', '.join(APPROX_KINDS)}, not {settings.faiss_approx!r}."
            )
        x = unit_rows(vectors, "vectors")
        n, d = x.shape
        if n <= settings.faiss_flat_max:
            index: faiss.Index = faiss.IndexFlatIP(d)
        elif settings.faiss_approx == "hnsw":
            index = faiss.IndexHNSWFlat(d, settings.faiss_hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = settings.faiss_hnsw_ef_construction
        elif settings.faiss_approx == "hnswsq":
            index = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, settings.faiss_hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = settings.faiss_hnsw_ef_construction
            index.train(_training_sample(x, 256 * 64))  # per-dimension ranges of the 8-bit codes
        else:
            if n < IVFPQ_MIN_VECTORS:
                raise DenseIndexError(
                    f"IVF-PQ needs at least {IVFPQ_MIN_VECTORS} vectors to train, got {n}: raise "
                    "PLANQA_FAISS_FLAT_MAX above the corpus size or use PLANQA_FAISS_APPROX=hnsw."
                )
            nlist = max(1, min(round(4 * math.sqrt(n)), n // 39))
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFPQ(quantizer, d, nlist, _pq_subquantizers(d), 8, faiss.METRIC_INNER_PRODUCT)
            index.train(_training_sample(x, 64 * nlist))
        if progress is None:
            progress = n > settings.faiss_flat_max
        with tqdm(total=n, unit="vec", desc=f"FAISS {_kind_of(index)}", disable=not progress) as bar:
            for start in range(0, n, _ADD_CHUNK):
                index.add(x[start : start + _ADD_CHUNK])
                bar.update(min(_ADD_CHUNK, n - start))
        return cls(index, settings)

    def add(self, vectors: np.ndarray) -> None:
        """Append rows (ids continue from `ntotal`): a new plan's clauses, without rebuilding the rest."""
        x = unit_rows(vectors, "vectors")
        if x.shape[1] != self.dimension:
            raise DenseIndexError(f"Vectors have {x.shape[1]} dimensions, the index has {self.dimension}.")
        for start in range(0, len(x), _ADD_CHUNK):
            self._index.add(x[start : start + _ADD_CHUNK])

    def search(
        self, queries: np.ndarray, k: int, allowed_ids: Collection[int] | np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`(ids, scores)`, best first, `min(k, candidates)` per query; only `allowed_ids` when given.

        One query vector (d,) gives 1-D arrays; a matrix (nq, d) gives (nq, ·) arrays.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise DenseIndexError(f"k must be a positive integer, got {k!r}.")
        single = np.ndim(queries) == 1
        q = unit_rows(np.atleast_2d(queries), "query vectors")
        if q.shape[1] != self.dimension:
            raise DenseIndexError(f"Query vectors have {q.shape[1]} dimensions, the index has {self.dimension}.")
        allowed = self._allowed(allowed_ids)
        candidates = self.ntotal if allowed is None else len(allowed)
        kk = min(int(k), candidates)
        if kk == 0:
            ids, scores = np.zeros((len(q), 0), dtype=np.int64), np.zeros((len(q), 0), dtype=np.float32)
        else:
            # Keep the selector referenced for as long as FAISS may read it.
            selector = faiss.IDSelectorBatch(allowed) if allowed is not None else None
            if allowed is not None and self.kind != "flat" and len(allowed) * SELECTIVE_FILTER <= self.ntotal:
                # A selective filter (one city among many): the graph or the probed lists meet few allowed
                # vectors and return a full but worse top-k (HNSW, one city of 53: recall@10 0.86 at 10^5,
                # bench/SCALE.md); scoring the allowed vectors directly is exact and about as fast.
                exhaustive, params = self._exhaustive(selector)
                scores, ids = exhaustive.search(q, kk, params=params)
            else:
                scores, ids = self._index.search(q, kk, params=self._params(selector, kk))
                short = (ids < 0).any(axis=1)
                if short.any():
                    exhaustive, params = self._exhaustive(selector)
                    scores[short], ids[short] = exhaustive.search(q[short], kk, params=params)
        return (ids[0], scores[0]) if single else (ids, scores)

    def _allowed(self, allowed_ids: Collection[int] | np.ndarray | None) -> np.ndarray | None:
        """The filter as sorted unique int64 ids, or None when it allows everything."""
        arr = checked_ids(allowed_ids, self.ntotal, DenseIndexError)
        return None if arr is None or arr.size == self.ntotal else arr

    def _params(self, selector: faiss.IDSelector | None, k: int) -> faiss.SearchParameters | None:
        if self.kind in ("hnsw", "hnswsq"):
            return faiss.SearchParametersHNSW(efSearch=max(self._ef_search, k), sel=selector)
        if self.kind == "ivfpq":
            return faiss.SearchParametersIVF(nprobe=min(self._nprobe, self._index.nlist), sel=selector)
        return faiss.SearchParameters(sel=selector) if selector is not None else None

    def _exhaustive(self, selector: faiss.IDSelector | None) -> tuple[faiss.Index, faiss.SearchParameters | None]:
        """An index and parameters that score every (allowed) vector: complete by construction."""
        if self.kind in ("hnsw", "hnswsq"):  # the graph's own storage: exact vectors, or their 8-bit codes
            storage = faiss.downcast_index(self._index.storage)
            return storage, faiss.SearchParameters(sel=selector) if selector is not None else None
        if self.kind == "ivfpq":  # every inverted list
            return self._index, faiss.SearchParametersIVF(nprobe=self._index.nlist, sel=selector)
        return self._index, self._params(selector, 1)

    def save(self, path: str | Path) -> None:
        try:
            faiss.write_index(self._index, str(path))
        except RuntimeError as exc:
            raise DenseIndexError(f"Could not write the dense index to {path}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path, settings: IndexSettings | None = None) -> DenseIndex:
        """Read an index written by `save`; search breadth (efSearch, nprobe) comes from `settings`."""
        path = Path(path)
        if not path.is_file():
            raise DenseIndexError(f"The dense index file {path} is missing.")
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise DenseIndexError(f"{path} is not a readable FAISS index ({str(exc).strip()[:200]}).") from None
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise DenseIndexError(f"{path} is a FAISS index with another metric, not inner product.")
        return cls(index, settings)


def _kind_of(index: faiss.Index) -> DenseKind:
    if isinstance(index, faiss.IndexFlat):
        return "flat"
    if isinstance(index, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(index, faiss.IndexHNSWSQ):
        return "hnswsq"
    if isinstance(index, faiss.IndexIVFPQ):
        return "ivfpq"
    raise DenseIndexError(f"Unsupported FAISS index type {type(index).__name__}.")


def _training_sample(x: np.ndarray, size: int) -> np.ndarray:
    """At most `size` rows of `x`, the same ones on every build (seeded), in their original order."""
    if len(x) <= size:
        return x
    return x[np.sort(np.random.default_rng(0).choice(len(x), size, replace=False))]


def _pq_subquantizers(d: int) -> int:
    """Most sub-quantizers with at least 8 dimensions each (FAISS trains 4-d sub-spaces far slower)."""
    return next(m for m in range(max(1, d // 8), 0, -1) if d % m == 0)


def unit_rows(vectors: np.ndarray, what: str) -> np.ndarray:
    """`vectors` as contiguous float32 rows, checked to be finite and L2-normalised (every store needs this)."""
    x = np.asarray(vectors)
    if x.ndim != 2 or x.shape[1] == 0 or x.dtype.kind not in "fiu":
        raise DenseIndexError(f"The {what} must be a numeric (n, d) matrix, got shape {x.shape} of {x.dtype}.")
    x = np.ascontiguousarray(x, dtype=np.float32)
    if len(x):
        # einsum makes no (n, d) temporary: 10^6 x 512 vectors would otherwise need 2 GB more.
        norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
        if not np.isfinite(norms).all():
            raise DenseIndexError(f"The {what} contain NaN or infinite values.")
        if np.abs(norms - 1).max() > _NORM_TOLERANCE:
            raise DenseIndexError(f"The {what} must be L2-normalised (inner product stands for cosine).")
    return x


def checked_ids(allowed_ids: Collection[int] | np.ndarray | None, ntotal: int,
                error: type[ValueError] = DenseIndexError) -> np.ndarray | None:
    """A filter as sorted unique int64 ids within 0..ntotal-1 (None stays None); `error` names what is wrong."""
    if allowed_ids is None:
        return None
    if isinstance(allowed_ids, (set, frozenset)):
        allowed_ids = list(allowed_ids)
    arr = np.asarray(allowed_ids)
    if arr.size and (arr.ndim != 1 or arr.dtype.kind not in "iu"):
        raise error("allowed_ids must be a flat collection of integer clause ids.")
    arr = np.unique(arr.astype(np.int64, copy=False))
    if arr.size and (arr[0] < 0 or arr[-1] >= ntotal):
        raise error(f"allowed_ids contains ids outside 0..{ntotal - 1}.")
    return arr
