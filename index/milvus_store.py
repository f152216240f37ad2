"""The Milvus vector store (pymilvus `MilvusClient`): Milvus Lite in a local file, or a server/cluster.

Why Milvus: beyond one machine PlanQA must run on an existing distributed engine; Milvus shards,
replicates and filters on scalar fields server-side. The same code talks to Milvus Lite (a database
directory `milvus.db` inside the index version, used in tests and on a laptop) and to a cluster given
by `PLANQA_MILVUS_URI` with the token from `PLANQA_MILVUS_TOKEN` (never written anywhere).

One collection per index version: `id` INT64 primary key = clause position (row i = clause i, as
in the FAISS store), `vector` FLOAT_VECTOR searched by inner product (IP; vectors are L2-normalised,
so IP is cosine, and scores equal FAISS's), and scalar fields `doc_id`, `city`, `kind`. Below
`PLANQA_FAISS_FLAT_MAX` vectors the index is exact FLAT, above it `PLANQA_MILVUS_INDEX_TYPE` (HNSW by
default) with `PLANQA_MILVUS_INDEX_PARAMS` / `PLANQA_MILVUS_SEARCH_PARAMS`. Filters become a Milvus
boolean `filter` expression: `city in [...]`, `doc_id in [...]`, `kind in [...]` for metadata, and for an
arbitrary id set a union of id ranges when it is a few runs of consecutive ids (a plan's clauses are
consecutive, so a plan or city filter stays a short expression), else `id in [...]`.

BM25 stays local (bm25s beside Milvus), not Milvus's full-text search: PlanQA's lexical side is its
own jieba tokenizer (a private dictionary of policy terms with tuned frequencies, every span counted
once in search mode, numbers and Latin kept whole, NFKC, stop words) plus query-time synonym expansion
(高企 → 高新技术企业), and the fusion weights were fitted on bm25s's scores. Milvus's `jieba` analyzer
takes a word list but not these frequencies, the span de-duplication or the number handling, so its
BM25 would rank differently from what was tuned; and Milvus Lite's jieba analyzer adds words to the
process-wide jieba dictionary of the very process it runs in. The lexical index is 1–2 orders of
magnitude smaller than the vectors, so it stays on the application side.

Collections of a cluster are named f"{PLANQA_MILVUS_COLLECTION}_{version}"; a build drops the
collections of versions whose directories the index no longer keeps. Milvus Lite opens a database in
one process at a time: two PlanQA processes on one Lite index need a Milvus server instead.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import DataType, MilvusClient
from pymilvus.exceptions import MilvusException
from tqdm import tqdm

from index.dense import DenseIndexError, unit_rows
from index.settings import IndexSettings
from index.vectorstore import AllowedIds, MetadataFilter, RowMeta, VectorStoreError, allowed_array, city_forms

MILVUS_POINTER_FILE = "milvus.json"  # a version built with Milvus holds this instead of FAISS files
POINTER_FORMAT = 1
LITE_DB = "milvus.db"
MAX_TOPK = 16_384  # Milvus's limit on `limit`
MAX_ID_RANGES = 64  # above this many runs an id filter is sent as `id in [...]`
_INSERT_BATCH = 2_000
_VARCHAR = {"doc_id": 256, "city": 64, "kind": 32}  # max_length in UTF-8 bytes, as Milvus counts
REBUILD = "rebuild the index with `python -m index build`"


class MilvusStore:
    """Dense search in one Milvus collection; connects on first use, thread-safe afterwards."""

    def __init__(
        self, uri: str, token: str, collection: str, ntotal: int, dimension: int, index_type: str,
        search_params: dict[str, Any], lite: bool,
    ) -> None:
        self.uri, self.collection, self.index_type, self.lite = uri, collection, index_type, lite
        self._token = token
        self._ntotal, self._dimension = ntotal, dimension
        self._search_params = {"metric_type": "IP", "params": dict(search_params) if index_type != "FLAT" else {}}
        self.kind: str = f"milvus-{index_type.lower()}"
        self._client: MilvusClient | None = None
        self._lock = threading.Lock()

    @property
    def ntotal(self) -> int:
        return self._ntotal

    @property
    def dimension(self) -> int:
        return self._dimension

    # -- building and opening ----------------------------------------------------------------
    @classmethod
    def build(
        cls, vectors: np.ndarray, rows: Sequence[RowMeta], directory: Path, settings: IndexSettings,
        progress: bool | None = None,
    ) -> MilvusStore:
        """Create the collection, insert, index and load it, write the pointer file; returns the store closed."""
        x = unit_rows(vectors, "vectors")
        n, d = x.shape
        if len(rows) != n:
            raise VectorStoreError(f"{len(rows)} metadata rows for {n} vectors.")
        for f, limit in _VARCHAR.items():
            longest = max((len(getattr(r, f).encode("utf-8")) for r in rows), default=0)
            if longest > limit:
                raise VectorStoreError(f"A {f} of {longest} bytes is longer than the Milvus field allows ({limit} bytes).")
        lite = not settings.milvus_uri
        uri = str(directory.absolute() / LITE_DB) if lite else settings.milvus_uri
        collection = settings.milvus_collection if lite else _collection_name(settings.milvus_collection, directory.name)
        index_type = "FLAT" if n <= settings.faiss_flat_max else settings.milvus_index_type.upper()
        store = cls(uri, settings.milvus_token.get_secret_value(), collection, n, d, index_type,
                    settings.milvus_search_params, lite)
        client = store._connect()
        try:
            if client.has_collection(collection):
                client.drop_collection(collection)  # a half-built leftover of this very version
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False, description=f"PlanQA {directory.name}")
            schema.add_field("id", DataType.INT64, is_primary=True)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=d)
            for f, limit in _VARCHAR.items():
                schema.add_field(f, DataType.VARCHAR, max_length=limit)
            client.create_collection(collection, schema=schema)
            if progress is None:
                progress = n > settings.faiss_flat_max
            with tqdm(total=n, unit="vec", desc=f"Milvus {index_type}", disable=not progress) as bar:
                for start in range(0, n, _INSERT_BATCH):
                    stop = min(n, start + _INSERT_BATCH)
                    client.insert(collection, [
                        {"id": i, "vector": x[i], "doc_id": rows[i].doc_id, "city": rows[i].city, "kind": rows[i].kind}
                        for i in range(start, stop)
                    ])
                    bar.update(stop - start)
            client.flush(collection)
            params = client.prepare_index_params()
            params.add_index("vector", index_type=index_type, metric_type="IP",
                             params=settings.milvus_index_params if index_type != "FLAT" else {})
            client.create_index(collection, params)
            client.load_collection(collection)
            if not lite:
                _drop_stale(client, settings.milvus_collection, directory)
        except MilvusException as exc:
            store.close()
            raise VectorStoreError(f"Milvus could not build collection {collection}: {_reason(exc)}") from None
        pointer = {"format": POINTER_FORMAT, "uri": "" if lite else _shown(settings.milvus_uri), "collection": collection,
                   "ntotal": n, "dimension": d, "index_type": index_type, "metric": "IP"}
        (directory / MILVUS_POINTER_FILE).write_text(json.dumps(pointer, ensure_ascii=False, indent=1), encoding="utf-8")
        # Milvus Lite writes its files while it runs: stop it so the directory can be sealed and renamed.
        store.close()
        return store

    @classmethod
    def open(cls, directory: Path, settings: IndexSettings) -> MilvusStore:
        """Connect to the collection a version directory points at and check it is complete."""
        path = directory / MILVUS_POINTER_FILE
        try:
            pointer = json.loads(path.read_text(encoding="utf-8"))
            fmt, collection, ntotal, dimension = pointer["format"], pointer["collection"], pointer["ntotal"], pointer["dimension"]
            index_type, recorded_uri = pointer["index_type"], pointer["uri"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VectorStoreError(f"{path} is not a readable Milvus pointer ({exc}): {REBUILD}.") from None
        if fmt != POINTER_FORMAT:
            raise VectorStoreError(f"{path} has format {fmt}, this PlanQA reads {POINTER_FORMAT}: {REBUILD}.")
        lite = not recorded_uri
        if lite and not (directory / LITE_DB).exists():
            raise VectorStoreError(f"The Milvus Lite database {directory / LITE_DB} is missing: {REBUILD}.")
        # A cluster may have moved: the current setting wins over the address recorded at build time.
        uri = str(directory.absolute() / LITE_DB) if lite else (settings.milvus_uri or recorded_uri)
        store = cls(uri, settings.milvus_token.get_secret_value(), collection, ntotal, dimension, index_type,
                    settings.milvus_search_params, lite)
        client = store._connect()
        try:
            if not client.has_collection(collection):
                raise VectorStoreError(f"Milvus at {_shown(uri)} has no collection {collection}: {REBUILD}.")
            client.load_collection(collection)
            rows = int(client.get_collection_stats(collection).get("row_count", -1))
        except MilvusException as exc:
            store.close()
            raise VectorStoreError(f"Milvus collection {collection} could not be loaded: {_reason(exc)}") from None
        except VectorStoreError:
            store.close()
            raise
        if rows != ntotal:
            store.close()
            raise VectorStoreError(f"Milvus collection {collection} holds {rows} vectors, the index {ntotal}: {REBUILD}.")
        return store

    def _connect(self, load: bool = False) -> MilvusClient:
        """The client, connected on first use; `load` makes sure the collection is loaded for search."""
        with self._lock:
            if self._client is None:
                try:
                    client = MilvusClient(uri=self.uri, token=self._token)
                    if load:
                        client.load_collection(self.collection)
                    self._client = client
                except MilvusException as exc:
                    hint = (" Milvus Lite opens a database in one process at a time: stop the other PlanQA process, "
                            "or serve the index from a Milvus server (PLANQA_MILVUS_URI).") if self.lite else ""
                    raise VectorStoreError(f"Cannot connect to Milvus at {_shown(self.uri)}: {_reason(exc)}.{hint}") from None
            return self._client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
        if self.lite:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self.uri)

    # -- search ------------------------------------------------------------------------------
    def search(
        self, query_vec: np.ndarray, k: int, allowed_ids: AllowedIds = None, where: MetadataFilter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_TOPK:
            raise VectorStoreError(f"k must be an integer from 1 to {MAX_TOPK}, got {k!r}.")
        single = np.ndim(query_vec) == 1
        try:
            q = unit_rows(np.atleast_2d(query_vec), "query vectors")
        except DenseIndexError as exc:
            raise VectorStoreError(str(exc)) from None
        if q.shape[1] != self._dimension:
            raise VectorStoreError(f"Query vectors have {q.shape[1]} dimensions, the index has {self._dimension}.")
        allowed = allowed_array(allowed_ids, self._ntotal)
        kk = min(int(k), self._ntotal if allowed is None else len(allowed))
        ids = np.full((len(q), kk), -1, dtype=np.int64)
        scores = np.full((len(q), kk), -np.inf, dtype=np.float32)
        if kk > 0:
            expression = " and ".join(p for p in (id_expression(allowed), where_expression(where)) if p)
            try:
                result = self._connect(load=True).search(
                    self.collection, data=list(q), limit=kk, filter=expression, output_fields=["id"],
                    search_params=self._search_params,
                )
            except MilvusException as exc:
                raise VectorStoreError(f"Milvus search failed: {_reason(exc)}") from None
            for row, hits in enumerate(result):
                for col, hit in enumerate(hits):
                    ids[row, col], scores[row, col] = hit["id"], hit["distance"]
        # A metadata filter may leave fewer than kk rows: one query gets exactly its hits, a batch is
        # cut to its longest row and shorter rows padded with id -1 (FAISS's convention).
        found = (ids >= 0).sum(axis=1)
        if single:
            return ids[0, : found[0]], scores[0, : found[0]]
        width = int(found.max()) if len(found) else 0
        return ids[:, :width], scores[:, :width]


def id_expression(ids: np.ndarray | None) -> str:
    """A Milvus filter keeping exactly `ids` (sorted unique): id ranges when few runs, else `id in [...]`."""
    if ids is None:
        return ""
    if len(ids) == 0:
        return "id in []"
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    starts, ends = ids[np.r_[0, breaks]], ids[np.r_[breaks - 1, len(ids) - 1]]
    if len(starts) <= MAX_ID_RANGES:
        parts = [f"id == {a}" if a == b else f"(id >= {a} and id <= {b})" for a, b in zip(starts, ends)]
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"
    return f"id in [{','.join(map(str, ids.tolist()))}]"


def where_expression(where: MetadataFilter | None) -> str:
    """`city in [...] and doc_id in [...] and kind in [...]` for the fields `where` restricts."""
    if where is None:
        return ""
    parts = []
    for field, values in (("doc_id", where.doc_ids), ("city", where.cities), ("kind", where.kinds)):
        if values:
            names = sorted({form for v in values for form in city_forms(v)} if field == "city" else set(values))
            parts.append(f"{field} in [{', '.join(json.dumps(v, ensure_ascii=False) for v in names)}]")
    return " and ".join(parts)


def _collection_name(prefix: str, version: str) -> str:
    """Milvus names allow letters, digits and underscores: 'planqa_v20261123_174912_23218_976353'."""
    return f"{prefix}_{re.sub(r'[^0-9A-Za-z_]', '_', version.removesuffix('.tmp'))}"


def _drop_stale(client: MilvusClient, prefix: str, directory: Path) -> None:
    """Drop this deployment's collections whose version directory is gone (pruned after a newer build)."""
    live = {_collection_name(prefix, p.name) for p in directory.parent.iterdir() if p.is_dir()}
    for name in client.list_collections():
        if name.startswith(f"{prefix}_v") and name not in live:
            client.drop_collection(name)


def _reason(exc: MilvusException) -> str:
    return str(getattr(exc, "message", "") or exc).strip()[:300]


def _shown(uri: str) -> str:
    """The address without any credentials a user may have put in it."""
    return re.sub(r"//[^/@]*@", "//", uri)
