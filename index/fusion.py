"""Weighted fusion of dense and lexical scores.

The formula is ranx's "wsum" with "min-max" normalisation (each system's scores scaled to
[0, 1] over its own candidates, then a weighted sum; a candidate missing from a system
gets 0 there). We compute it in numpy per query because ranx's per-call overhead is too
high for a 30 ms budget; `tests/test_index_fusion.py` checks both agree, and
`tuning.tune` fits the weights with ranx's `optimize_fusion` on the dev set.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    dense: float = 0.3
    lexical: float = 0.7


def min_max(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    lo, hi = float(values.min()), float(values.max())
    if hi - lo <= 0:
        return {k: 1.0 for k in scores}
    return {k: (v - lo) / (hi - lo) for k, v in scores.items()}


def fuse(dense: dict[int, float], lexical: dict[int, float], weights: FusionWeights) -> dict[int, float]:
    """Candidate id → fused score, from each system's raw scores."""
    d, lx = min_max(dense), min_max(lexical)
    return {i: weights.dense * d.get(i, 0.0) + weights.lexical * lx.get(i, 0.0) for i in set(d) | set(lx)}
