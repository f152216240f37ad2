"""Our per-query fusion equals ranx's wsum/min-max fusion (the peer we tune weights with)."""
import numpy as np
from ranx import Run, fuse as ranx_fuse

from index.fusion import FusionWeights, fuse, min_max


def test_min_max_edges():
    assert min_max({}) == {}
    assert min_max({3: 5.0, 4: 5.0}) == {3: 1.0, 4: 1.0}
    assert min_max({1: 2.0, 2: 4.0, 3: 3.0}) == {1: 0.0, 2: 1.0, 3: 0.5}


def test_fusion_matches_ranx_wsum_min_max():
    rng = np.random.default_rng(7)
    dense = {int(i): float(s) for i, s in zip(rng.choice(200, 50, replace=False), rng.random(50))}
    lexical = {int(i): float(s) for i, s in zip(rng.choice(200, 50, replace=False), rng.random(50) * 20)}
    w = FusionWeights(dense=0.35, lexical=0.65)
    ours = fuse(dense, lexical, w)
    peer = ranx_fuse(
        runs=[Run({"q": {str(k): v for k, v in dense.items()}}), Run({"q": {str(k): v for k, v in lexical.items()}})],
        norm="min-max", method="wsum", params={"weights": [w.dense, w.lexical]},
    ).to_dict()["q"]
    assert set(map(str, ours)) == set(peer)
    for k, v in ours.items():
        assert abs(v - peer[str(k)]) < 1e-9
    assert sorted(ours, key=lambda i: -ours[i])[:10] == [int(k) for k in sorted(peer, key=lambda i: -peer[i])[:10]]
