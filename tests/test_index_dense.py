"""The FAISS dense store: exact flat search, HNSW and IVF-PQ above the threshold, filters, persistence."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.dense import IVFPQ_MIN_VECTORS, DenseIndex, DenseIndexError
from index.settings import IndexSettings

RNG_SEED = 7
Arrays = tuple[np.ndarray, np.ndarray]  # (database, queries) or (ids, scores)


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def _brute_force(x: np.ndarray, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Arrays:
    ids = np.arange(len(x)) if allowed is None else np.asarray(sorted(allowed))
    scores = q @ x[ids].T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return ids[order], np.take_along_axis(scores, order, axis=1)


@pytest.fixture(scope="module", autouse=True)
def one_faiss_thread() -> Iterator[None]:
    """On the shared 2-core machine OpenMP spin-waits cost 3x in training: keep the tests single-threaded."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


@pytest.fixture(scope="module")
def random_64d() -> Arrays:
    rng = np.random.default_rng(RNG_SEED)
    return _unit(rng.standard_normal((20_000, 64))), _unit(rng.standard_normal((200, 64)))


@pytest.fixture(scope="module")
def flat(random_64d: Arrays) -> DenseIndex:
    return DenseIndex.build(random_64d[0])


@pytest.fixture(scope="module")
def hnsw(random_64d: Arrays) -> DenseIndex:
    return DenseIndex.build(random_64d[0], IndexSettings(faiss_flat_max=1_000, faiss_approx="hnsw"), progress=False)


@pytest.fixture(scope="module")
def clustered() -> Arrays:
    """Embedding-like data (clusters), the minimum size IVF-PQ trains on, and queries near known points."""
    rng = np.random.default_rng(RNG_SEED)
    centers = rng.standard_normal((40, 64))
    x = _unit(centers[rng.integers(0, 40, IVFPQ_MIN_VECTORS)] + 0.35 * rng.standard_normal((IVFPQ_MIN_VECTORS, 64)))
    return x, _unit(x[:200] + 0.05 * rng.standard_normal((200, 64)))


@pytest.fixture(scope="module")
def ivfpq(clustered: Arrays) -> DenseIndex:
    return DenseIndex.build(clustered[0], IndexSettings(faiss_flat_max=1_000, faiss_approx="ivfpq"), progress=False)


def test_flat_is_exact(random_64d: Arrays, flat: DenseIndex) -> None:
    x, q = random_64d
    assert flat.kind == "flat" and flat.ntotal == 20_000 and flat.dimension == 64
    ids, scores = flat.search(q[:50], 10)
    want_ids, want_scores = _brute_force(x, q[:50], 10)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_one_query_gives_flat_arrays_and_k_is_capped() -> None:
    x = _unit(np.random.default_rng(RNG_SEED).standard_normal((5, 16)))
    index = DenseIndex.build(x)
    ids, scores = index.search(x[3], 10)
    assert ids.shape == scores.shape == (5,) and ids[0] == 3 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert sorted(ids.tolist()) == [0, 1, 2, 3, 4] and np.all(np.diff(scores) <= 1e-6)


def test_hnsw_recall_at_10_against_flat(random_64d: Arrays, flat: DenseIndex, hnsw: DenseIndex) -> None:
    _, q = random_64d
    assert hnsw.kind == "hnsw" and hnsw.ntotal == 20_000
    exact, _ = flat.search(q, 10)
    approx, _ = hnsw.search(q, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx.tolist(), exact.tolist())])
    assert recall >= 0.95


def test_ivfpq_is_trained_and_finds_neighbours(clustered: Arrays, ivfpq: DenseIndex) -> None:
    x, q = clustered
    assert ivfpq.kind == "ivfpq" and ivfpq.ntotal == len(x)
    ids, scores = ivfpq.search(q, 10)
    assert ids.shape == (200, 10) and (ids >= 0).all() and np.all(np.diff(scores, axis=1) <= 1e-6)
    # Each query is a slightly moved database vector: PQ codes are lossy, but that vector must come back.
    assert np.mean([i in row for i, row in enumerate(ids.tolist())]) >= 0.85
    exact, _ = _brute_force(x, q, 1)
    assert np.mean(ids[:, 0] == exact[:, 0]) >= 0.5


def test_ivfpq_refuses_too_few_vectors() -> None:
    x = _unit(np.random.default_rng(RNG_SEED).standard_normal((2_000, 16)))
    with pytest.raises(DenseIndexError, match=f"at least {IVFPQ_MIN_VECTORS} vectors"):
        DenseIndex.build(x, IndexSettings(faiss_flat_max=100, faiss_approx="ivfpq"))


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_filter_restricts_results(request: pytest.FixtureRequest, kind: str) -> None:
    index: DenseIndex = request.getfixturevalue(kind)
    q = np.random.default_rng(1).standard_normal((5, 64))
    q = _unit(q)
    allowed = set(range(3, index.ntotal, 17))
    ids, _ = index.search(q, 10, allowed_ids=allowed)
    assert ids.shape == (5, 10) and set(ids.ravel().tolist()) <= allowed
    as_array, _ = index.search(q, 10, allowed_ids=np.array(sorted(allowed)))
    np.testing.assert_array_equal(as_array, ids)


def test_flat_filter_is_exact_within_the_allowed_ids(random_64d: Arrays, flat: DenseIndex) -> None:
    x, q = random_64d
    allowed = np.random.default_rng(2).choice(len(x), 300, replace=False)
    ids, scores = flat.search(q[:20], 10, allowed_ids=allowed)
    want_ids, want_scores = _brute_force(x, q[:20], 10, allowed)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_selective_filter_on_hnsw_is_never_cut_short(random_64d: Arrays, hnsw: DenseIndex) -> None:
    """HNSW stops at efSearch candidates and may find fewer allowed ids than exist: re-run exactly then."""
    x, q = random_64d
    allowed = np.array([11, 4_001, 7_777, 12_345, 19_999, 250, 8_888, 3_141])
    narrow = DenseIndex(hnsw._index, IndexSettings(faiss_hnsw_ef_search=16))
    raw_ids = hnsw._index.search(
        q[:20], 8, params=faiss.SearchParametersHNSW(efSearch=16, sel=faiss.IDSelectorBatch(allowed))
    )[1]
    assert (raw_ids < 0).any(), "plain FAISS should come back short here; otherwise this test proves nothing"
    ids, scores = narrow.search(q[:20], 8, allowed_ids=set(allowed.tolist()))
    want_ids, want_scores = _brute_force(x, q[:20], 8, allowed)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_selective_filter_on_ivfpq_scans_every_list(clustered: Arrays, ivfpq: DenseIndex) -> None:
    _, q = clustered
    allowed = {5, 6_000, 9_000}
    narrow = DenseIndex(ivfpq._index, IndexSettings(faiss_ivf_nprobe=1))
    ids, _ = narrow.search(q[:10], 5, allowed_ids=allowed)
    assert ids.shape == (10, 3) and all(set(row) == allowed for row in ids.tolist())


def test_empty_filter_and_bad_filters(flat: DenseIndex) -> None:
    q = _unit(np.ones((1, 64)))
    ids, scores = flat.search(q, 10, allowed_ids=set())
    assert ids.shape == scores.shape == (1, 0)
    with pytest.raises(DenseIndexError, match="outside 0..19999"):
        flat.search(q, 10, allowed_ids={1, 20_000})
    with pytest.raises(DenseIndexError, match="integer clause ids"):
        flat.search(q, 10, allowed_ids=[1.5, 2.0])


def test_bad_vectors_and_arguments() -> None:
    rng = np.random.default_rng(RNG_SEED)
    with pytest.raises(DenseIndexError, match="L2-normalised"):
        DenseIndex.build(rng.standard_normal((10, 8)))
    with pytest.raises(DenseIndexError, match=r"\(n, d\) matrix"):
        DenseIndex.build(np.zeros(8))
    with pytest.raises(DenseIndexError, match="NaN"):
        DenseIndex.build(np.full((2, 4), np.nan))
    with pytest.raises(DenseIndexError, match="PLANQA_FAISS_APPROX"):
        DenseIndex.build(_unit(rng.standard_normal((10, 8))), IndexSettings(faiss_approx="annoy"))
    index = DenseIndex.build(_unit(rng.standard_normal((10, 8))))
    with pytest.raises(DenseIndexError, match="16 dimensions, the index has 8"):
        index.search(_unit(rng.standard_normal((1, 16))), 3)
    with pytest.raises(DenseIndexError, match="positive integer"):
        index.search(_unit(rng.standard_normal((1, 8))), 0)
    empty = DenseIndex.build(np.zeros((0, 8), dtype=np.float32))
    assert empty.ntotal == 0 and empty.search(_unit(rng.standard_normal((1, 8)))[0], 5)[0].shape == (0,)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_save_load_round_trip(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> None:
    index: DenseIndex = request.getfixturevalue(kind)
    path = tmp_path / "dense.faiss"
    index.save(path)
    loaded = DenseIndex.load(path)
    assert (loaded.kind, loaded.ntotal, loaded.dimension) == (index.kind, index.ntotal, index.dimension)
    q = _unit(np.random.default_rng(3).standard_normal((10, 64)))
    allowed = set(range(0, index.ntotal, 3))
    for before, after in zip(index.search(q, 10, allowed), loaded.search(q, 10, allowed)):
        np.testing.assert_array_equal(before, after)


def test_damaged_or_missing_file_is_a_clear_error(flat: DenseIndex, tmp_path: Path) -> None:
    path = tmp_path / "dense.faiss"
    flat.save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DenseIndexError, match="not a readable FAISS index"):
        DenseIndex.load(path)
    path.write_bytes(b"not faiss at all")
    with pytest.raises(DenseIndexError, match="not a readable FAISS index"):
        DenseIndex.load(path)
    with pytest.raises(DenseIndexError, match="missing"):
        DenseIndex.load(tmp_path / "absent.faiss")
    with pytest.raises(DenseIndexError, match="Could not write"):
        flat.save(tmp_path / "no" / "such" / "dir" / "dense.faiss")
