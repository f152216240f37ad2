"""The Milvus vector store on Milvus Lite: same answers as exact FAISS, filters in the engine, persistence.

Metadata (doc_id, city, kind) are the real corpus's clauses; vectors are seeded random unit vectors, so
the tests need no embedding model and ties never occur.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="pymilvus is not installed (pip install -e '.[milvus]')")
pytest.importorskip("milvus_lite", reason="milvus-lite is not installed (pip install -e '.[milvus]')")

from index.faiss_store import FaissStore  # noqa: E402
from index.milvus_store import (  # noqa: E402
    MAX_ID_RANGES,
    MILVUS_POINTER_FILE,
    MilvusStore,
    _shown,
    id_expression,
    where_expression,
)
from index.settings import IndexSettings  # noqa: E402
from index.retriever import Filters  # noqa: E402
from index.vector_backends import build_vector_store, open_vector_store  # noqa: E402
from index.vectorstore import RowMeta, VectorStoreError  # noqa: E402
from index.versions import file_sha256  # noqa: E402
from ingest import load_corpus  # noqa: E402

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
DIM = 64


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, list[RowMeta], np.ndarray]:
    docs = load_corpus(PLANS).documents
    rows = [RowMeta(c.doc_id, d.meta.city or "", c.kind) for d in docs for c in d.clauses]
    assert len(rows) > 1000 and len({r.city for r in rows}) == 5
    rng = np.random.default_rng(11)
    x = _unit(rng.standard_normal((len(rows), DIM)))
    queries = _unit(x[:: len(rows) // 30][:30] + 0.3 * rng.standard_normal((30, DIM)))
    return x, rows, queries


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, data) -> tuple[MilvusStore, FaissStore, Path]:
    x, rows, _ = data
    root = tmp_path_factory.mktemp("vectors")
    try:
        from pymilvus import MilvusClient

        MilvusClient(str(root / "probe.db")).close()
    except Exception as exc:  # milvus-lite raises several types when it cannot start
        pytest.skip(f"Milvus Lite cannot start here: {type(exc).__name__}: {exc}")
    (root / "milvus").mkdir()
    (root / "faiss").mkdir()
    milvus = build_vector_store(x, rows, root / "milvus", IndexSettings(vector_store="milvus"))
    faiss_flat = build_vector_store(x, rows, root / "faiss", IndexSettings())
    assert isinstance(milvus, MilvusStore) and isinstance(faiss_flat, FaissStore)
    yield milvus, faiss_flat, root / "milvus"
    milvus.close()


def test_search_equals_faiss_flat(stores, data) -> None:
    milvus, flat, _ = stores
    _, _, q = data
    assert milvus.kind == "milvus-flat" and flat.kind == "flat"
    assert milvus.ntotal == flat.ntotal and milvus.dimension == DIM
    ids, scores = milvus.search(q, 10)
    want_ids, want_scores = flat.search(q, 10)
    assert ids.shape == (30, 10)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    one_ids, one_scores = milvus.search(q[4], 10)  # one query gives 1-D arrays, as in DenseIndex
    np.testing.assert_array_equal(one_ids, want_ids[4])


@pytest.mark.parametrize(
    "where",
    [Filters(cities=("南京",)), Filters(cities=("江阴市", "句容市")), Filters(doc_ids=("nantong-2021",)),
     Filters(kinds=("table_row",)), Filters(cities=("连云港市",), kinds=("heading", "box_item"))],
    ids=["city-short-name", "two-cities", "doc_id", "kind", "city-and-kinds"],
)
def test_metadata_filters_restrict_results_in_the_engine(stores, data, where: Filters) -> None:
    milvus, flat, _ = stores
    _, rows, q = data
    ids, scores = milvus.search(q[:8], 10, where=where)
    want_ids, want_scores = flat.search(q[:8], 10, where=where)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    cities = {f"{c.removesuffix('市')}市" for c in where.cities}
    for i in ids.ravel():
        row = rows[i]
        assert (not cities or row.city in cities) and (not where.doc_ids or row.doc_id in where.doc_ids)
        assert not where.kinds or row.kind in where.kinds


def test_allowed_ids_as_ranges_or_list(stores, data) -> None:
    milvus, flat, _ = stores
    _, rows, q = data
    one_plan = np.array([i for i, r in enumerate(rows) if r.doc_id == "jurong-2022"])  # consecutive: a range
    scattered = np.arange(3, len(rows), 7)  # > MAX_ID_RANGES runs: `id in [...]`
    for allowed in (one_plan, scattered, [5, 6, 7, 400, 401]):
        ids, _ = milvus.search(q[:5], 10, allowed_ids=allowed)
        np.testing.assert_array_equal(ids, flat.search(q[:5], 10, allowed_ids=allowed)[0])
        assert set(ids.ravel()) <= set(np.asarray(allowed).tolist())
    ids, _ = milvus.search(q[0], 10, allowed_ids=[5, 6, 7, 400, 401])
    assert len(ids) == 5  # k is capped by the candidates, as in FAISS
    both, _ = milvus.search(q[0], 10, allowed_ids=scattered, where=Filters(kinds=("paragraph",)))
    assert len(both) == 10 and all(i in set(scattered.tolist()) and rows[i].kind == "paragraph" for i in both)
    empty_ids, empty_scores = milvus.search(q[0], 10, allowed_ids=[])
    assert empty_ids.shape == empty_scores.shape == (0,)


def test_filter_expressions() -> None:
    assert id_expression(None) == ""
    assert id_expression(np.array([4, 5, 6, 9])) == "((id >= 4 and id <= 6) or id == 9)"
    many = np.arange(0, 4 * (MAX_ID_RANGES + 1), 4)
    assert id_expression(many).startswith("id in [0,4,8,")
    assert where_expression(Filters(cities=("南京",), kinds=("table_row",))) == (
        'city in ["南京", "南京市"] and kind in ["table_row"]'
    )
    assert where_expression(Filters(doc_ids=('a"b',))) == r'doc_id in ["a\"b"]'


def test_bad_queries_are_clear_errors(stores) -> None:
    milvus, _, _ = stores
    with pytest.raises(VectorStoreError, match="k must be"):
        milvus.search(np.ones(DIM, dtype=np.float32) / np.sqrt(DIM), 0)
    with pytest.raises(VectorStoreError, match="dimensions"):
        milvus.search(np.ones(8, dtype=np.float32) / np.sqrt(8), 5)
    with pytest.raises(VectorStoreError, match="L2-normalised"):
        milvus.search(np.ones(DIM, dtype=np.float32), 5)
    with pytest.raises(VectorStoreError, match="outside"):
        milvus.search(np.ones(DIM, dtype=np.float32) / np.sqrt(DIM), 5, allowed_ids=[10**7])


def test_reopen_gives_same_results_and_leaves_files_intact(stores, data) -> None:
    milvus, _, directory = stores
    _, _, q = data
    before_ids, before_scores = milvus.search(q, 10)
    milvus.close()  # frees the Lite database for the reopen below
    sums = {p: file_sha256(p) for p in directory.rglob("*") if p.is_file()}
    pointer = json.loads((directory / "milvus.json").read_text(encoding="utf-8"))
    assert pointer["uri"] == "" and pointer["ntotal"] == len(data[1]) and "token" not in json.dumps(pointer)
    reopened = open_vector_store(directory, IndexSettings())  # settings say faiss: the directory decides
    try:
        assert isinstance(reopened, MilvusStore) and reopened.kind == "milvus-flat"
        ids, scores = reopened.search(q, 10)
        np.testing.assert_array_equal(ids, before_ids)
        np.testing.assert_allclose(scores, before_scores, atol=1e-6)
    finally:
        reopened.close()
    # The version directory is sealed with checksums: reading it must not change a byte.
    assert {p: file_sha256(p) for p in directory.rglob("*") if p.is_file()} == sums


def test_damaged_pointer_or_missing_database_names_the_rebuild(tmp_path: Path, data) -> None:
    x, rows, _ = data
    (tmp_path / "v").mkdir()
    build_vector_store(x[:200], rows[:200], tmp_path / "v", IndexSettings(vector_store="milvus"))
    pointer = tmp_path / "v" / "milvus.json"
    good = pointer.read_text(encoding="utf-8")
    pointer.write_text(good.replace('"ntotal": 200', '"ntotal": 201'), encoding="utf-8")
    with pytest.raises(VectorStoreError, match="holds 200 vectors, the index 201.*python -m index build"):
        open_vector_store(tmp_path / "v")
    pointer.write_text("{not json", encoding="utf-8")
    with pytest.raises(VectorStoreError, match="not a readable Milvus pointer.*python -m index build"):
        open_vector_store(tmp_path / "v")
    pointer.write_text(good, encoding="utf-8")
    (tmp_path / "v" / "milvus.db").rename(tmp_path / "elsewhere.db")
    with pytest.raises(VectorStoreError, match="milvus.db is missing.*python -m index build"):
        open_vector_store(tmp_path / "v")


def test_approximate_index_above_the_flat_threshold(tmp_path: Path, data) -> None:
    x, rows, q = data
    settings = IndexSettings(vector_store="milvus", faiss_flat_max=500, milvus_index_params={"M": 16, "efConstruction": 64})
    store = build_vector_store(x, rows, tmp_path, settings)
    try:
        assert store.kind == "milvus-hnsw"
        ids, _ = store.search(q, 10)
        exact = np.argsort(-(q @ x.T), axis=1)[:, :10]
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), exact.tolist())])
        assert recall >= 0.95
    finally:
        store.close()


def test_server_mode_one_collection_per_version_and_stale_ones_dropped(tmp_path: Path, data) -> None:
    """PLANQA_MILVUS_URI set: the collection lives in the server (here a Milvus Lite file standing in for one)."""
    from pymilvus import MilvusClient  # imported after the skip checks above

    x, rows, q = data
    server = tmp_path / "server.db"
    settings = IndexSettings(vector_store="milvus", milvus_uri=str(server), milvus_collection="planqa_test")
    versions = tmp_path / "index.versions"
    names = []
    for version in ("v20260101-000000-1-000001", "v20260102-000000-1-000002.tmp"):
        (versions / version).mkdir(parents=True)
        store = build_vector_store(x[:300], rows[:300], versions / version, settings)
        names.append(store.collection)
        pointer = json.loads((versions / version / "milvus.json").read_text(encoding="utf-8"))
        assert pointer["uri"] == str(server) and pointer["collection"] == store.collection
        assert not (versions / version / "milvus.db").exists()
    assert names == ["planqa_test_v20260101_000000_1_000001", "planqa_test_v20260102_000000_1_000002"]
    (tmp_path / "flat").mkdir()
    flat = build_vector_store(x[:300], rows[:300], tmp_path / "flat", IndexSettings())
    opened = open_vector_store(versions / "v20260101-000000-1-000001", settings)
    np.testing.assert_array_equal(opened.search(q[:3], 5)[0], flat.search(q[:3], 5)[0])
    opened.close()
    # The first version is pruned; the next build drops its collection and keeps the live ones.
    shutil.rmtree(versions / "v20260101-000000-1-000001")
    (versions / "v20260103-000000-1-000003").mkdir()
    build_vector_store(x[:300], rows[:300], versions / "v20260103-000000-1-000003", settings)
    client = MilvusClient(str(server))
    assert sorted(client.list_collections()) == ["planqa_test_v20260102_000000_1_000002", "planqa_test_v20260103_000000_1_000003"]
    client.close()


def test_credentials_never_shown() -> None:
    assert _shown("https://user:secret@milvus.example:19530") == "https://milvus.example:19530"
    assert _shown("http://milvus.example:19530") == "http://milvus.example:19530"


def test_registry_marker_is_the_pointer_file_the_store_writes() -> None:
    from index.vector_backends import BACKENDS

    assert BACKENDS["milvus"].marker == MILVUS_POINTER_FILE and BACKENDS["milvus"].load() is MilvusStore
