"""The vector-store interface with the embedded FAISS store: metadata filters, persistence, 8-bit HNSW."""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.dense import DenseIndex
from index.settings import IndexSettings
from index.retriever import Filters
from index.faiss_store import FaissStore, RowTable
from index.vector_backends import build_vector_store, open_vector_store
from index.vectorstore import RowMeta, VectorStore, VectorStoreError
from ingest import load_corpus

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, list[RowMeta]]:
    rows = [RowMeta(c.doc_id, d.meta.city or "", c.kind) for d in load_corpus(PLANS).documents for c in d.clauses]
    return _unit(np.random.default_rng(5).standard_normal((len(rows), 32))), rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, corpus) -> tuple[FaissStore, Path]:
    x, rows = corpus
    directory = tmp_path_factory.mktemp("faiss")
    return build_vector_store(x, rows, directory, IndexSettings()), directory


def test_faiss_is_the_default_and_satisfies_the_protocol(store) -> None:
    s, directory = store
    assert isinstance(s, FaissStore) and isinstance(s, VectorStore) and s.kind == "flat"
    assert sorted(p.name for p in directory.iterdir()) == ["dense.faiss", "dense.rows.npz"]


def test_where_filter_equals_the_ids_it_names(store, corpus) -> None:
    s, _ = store
    x, rows = corpus
    q = x[:6]
    for where in (Filters(cities=("南通",)), Filters(doc_ids=("jiangyin-2020", "jurong-2022")), Filters(kinds=("table_row",)),
                  Filters(cities=("南京市",), kinds=("paragraph", "box_item"))):
        ids = [i for i, r in enumerate(rows)
               if (not where.cities or r.city.removesuffix("市") in {c.removesuffix("市") for c in where.cities})
               and (not where.doc_ids or r.doc_id in where.doc_ids) and (not where.kinds or r.kind in where.kinds)]
        assert ids, where
        got = s.search(q, 10, where=where)
        want = s.search(q, 10, allowed_ids=ids)
        np.testing.assert_array_equal(got[0], want[0])
        assert set(got[0].ravel().tolist()) <= set(ids)
    both = s.search(q[0], 10, allowed_ids=range(0, 600), where=Filters(kinds=("heading",)))[0]
    assert len(both) == 10 and all(i < 600 and rows[i].kind == "heading" for i in both)
    nothing = s.search(q[0], 10, where=Filters(cities=("苏州市",)))[0]
    assert nothing.shape == (0,)


def test_reopen_and_rows_round_trip(store, corpus) -> None:
    s, directory = store
    x, rows = corpus
    again = open_vector_store(directory, IndexSettings(vector_store="milvus"))  # the directory decides
    assert isinstance(again, FaissStore) and again.ntotal == len(rows)
    where = Filters(cities=("连云港市",))
    np.testing.assert_array_equal(again.search(x[:3], 5, where=where)[0], s.search(x[:3], 5, where=where)[0])
    table = RowTable.load(directory / "dense.rows.npz")
    assert len(table) == len(rows)
    assert [table.vocab["doc_id"][table.codes["doc_id"][i]] for i in (0, 500, len(rows) - 1)] == [
        rows[i].doc_id for i in (0, 500, len(rows) - 1)
    ]


def test_index_without_row_table_still_serves_id_filters(tmp_path: Path, corpus) -> None:
    x, rows = corpus
    DenseIndex.build(x).save(tmp_path / "dense.faiss")  # a version built before the row table existed
    old = open_vector_store(tmp_path)
    assert old.search(x[0], 3, allowed_ids=[7, 8, 9])[0].tolist()[0] in (7, 8, 9)
    with pytest.raises(VectorStoreError, match="no row metadata.*python -m index build"):
        old.search(x[0], 3, where=Filters(cities=("南京市",)))


def test_bad_inputs_are_clear_errors(tmp_path: Path, corpus) -> None:
    x, rows = corpus
    with pytest.raises(VectorStoreError, match="holds no vector store"):
        open_vector_store(tmp_path)
    with pytest.raises(VectorStoreError, match="metadata rows for"):
        build_vector_store(x, rows[:10], tmp_path)
    with pytest.raises(VectorStoreError, match="L2-normalised"):
        build_vector_store(x * 2, rows, tmp_path)


@pytest.fixture(scope="module")
def clustered() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(9)
    centers = rng.standard_normal((50, 48))
    x = _unit(centers[rng.integers(0, 50, 6_000)] + 0.5 * rng.standard_normal((6_000, 48)))
    return x, _unit(x[:100] + 0.1 * rng.standard_normal((100, 48)))


def test_hnsw_over_8bit_vectors(tmp_path: Path, clustered) -> None:
    """`hnswsq`: a quarter of the memory of HNSW-Flat, near-exact recall, filters never cut short."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        x, q = clustered
        settings = IndexSettings(faiss_flat_max=1_000, faiss_approx="hnswsq", faiss_hnsw_m=16, faiss_hnsw_ef_search=64)
        index = DenseIndex.build(x, settings, progress=False)
        assert index.kind == "hnswsq"
        exact = np.argsort(-(q @ x.T), axis=1)[:, :10]
        ids, scores = index.search(q, 10)
        assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), exact.tolist())]) >= 0.9
        np.testing.assert_allclose(scores[:, 0], np.sort(q @ x.T, axis=1)[:, -1], atol=0.02)  # 8-bit scores
        allowed = np.array([3, 1_500, 4_444, 5_999])
        narrow = DenseIndex(index._index, IndexSettings(faiss_hnsw_ef_search=8))
        ids, _ = narrow.search(q[:10], 4, allowed_ids=allowed)
        assert all(sorted(row) == allowed.tolist() for row in ids.tolist())
        index.save(tmp_path / "dense.faiss")
        loaded = DenseIndex.load(tmp_path / "dense.faiss", settings)
        assert loaded.kind == "hnswsq"
        np.testing.assert_array_equal(loaded.search(q, 10)[0], index.search(q, 10)[0])
        flat_size = 6_000 * 48 * 4
        assert (tmp_path / "dense.faiss").stat().st_size < 0.25 * flat_size + 6_000 * 2 * 16 * 4 * 1.5
    finally:
        faiss.omp_set_num_threads(before)


def test_selective_filter_is_searched_exactly(clustered) -> None:
    """One city among many: HNSW's filtered graph walk returns a full but worse top-k; the store is exact."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        x, q = clustered
        index = DenseIndex.build(x, IndexSettings(faiss_flat_max=1_000, faiss_approx="hnsw", faiss_hnsw_m=16,
                                                  faiss_hnsw_ef_search=128), progress=False)
        allowed = np.sort(np.random.default_rng(4).choice(len(x), len(x) // 25, replace=False))
        scores = q @ x[allowed].T
        exact = allowed[np.argsort(-scores, axis=1)[:, :10]]
        raw = index._index.search(q, 10, params=faiss.SearchParametersHNSW(efSearch=128, sel=faiss.IDSelectorBatch(allowed)))[1]
        assert (raw >= 0).all(), "the graph walk comes back full here, so no short-result fallback would fire"
        assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(raw.tolist(), exact.tolist())]) < 0.9
        ids, _ = index.search(q, 10, allowed_ids=allowed)
        np.testing.assert_array_equal(ids, exact)
    finally:
        faiss.omp_set_num_threads(before)


def test_registry_opens_by_marker_and_names_unknown_engines(store, tmp_path: Path) -> None:
    from index.vector_backends import BACKENDS

    assert BACKENDS["faiss"].marker == FaissStore.INDEX_FILE and BACKENDS["faiss"].load() is FaissStore
    with pytest.raises(VectorStoreError, match="holds no vector store \\(neither dense.faiss nor milvus.json\\)"):
        open_vector_store(tmp_path)
    with pytest.raises(VectorStoreError, match="Unknown vector store 'annoy'"):
        build_vector_store(np.zeros((1, 4), np.float32), [RowMeta("d", "c", "paragraph")], tmp_path,
                           IndexSettings.model_construct(vector_store="annoy"))
