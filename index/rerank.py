"""A lightweight feature reranker over the fused top candidates.

No Chinese cross-encoder installs here, and plans are regular enough that a few
structural features do the job: the question's key phrases in the section title or in
a table row's indicator name, a bonus for table rows when the question asks for a
number, and the city of the plan. The caller (the assistant) says what the question is
about through `SearchHints`; the index knows nothing of intents.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.records import Clause


@dataclass(frozen=True)
class SearchHints:
    """What the caller knows about the question beyond its words."""

    phrases: tuple[str, ...] = ()  # indicator names / key terms worth boosting, e.g. ("高新技术企业",)
    numeric: bool = False  # the question asks for a number or target
    cities: tuple[str, ...] = ()  # cities named (used as a soft feature when no filter applies)
    year: int | None = None


@dataclass(frozen=True)
class RerankWeights:
    section_match: float = 0.15
    phrase_in_row: float = 0.35
    phrase_in_text: float = 0.15
    table_row_numeric: float = 0.15
    number_numeric: float = 0.05
    year_match: float = 0.05
    city_match: float = 0.2
    heading_penalty: float = 0.2
    extra: dict[str, float] = field(default_factory=dict)


_NUMBER = re.compile(r"\d")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).upper()


def features(clause: Clause, hints: SearchHints, city: str | None) -> dict[str, float]:
    """Feature values in [0, 1] for one candidate."""
    text = _norm(clause.text)
    section = _norm(" ".join(clause.section) + " " + (clause.caption or ""))
    phrases = [_norm(p) for p in hints.phrases if p]
    f = {
        "section_match": float(any(p in section for p in phrases)),
        "phrase_in_row": float(clause.kind == "table_row" and bool(clause.cells) and any(p in _norm(clause.cells[0]) for p in phrases)),
        "phrase_in_text": float(any(p in text for p in phrases)),
        "table_row_numeric": float(hints.numeric and clause.kind == "table_row"),
        "number_numeric": float(hints.numeric and bool(_NUMBER.search(clause.text))),
        "year_match": float(hints.year is not None and str(hints.year) in clause.text),
        "city_match": float(bool(hints.cities) and city in hints.cities),
        "heading_penalty": -float(clause.kind == "heading"),
    }
    return f


def rerank(
    candidates: list[tuple[int, float]],
    clauses: list[Clause],
    cities: list[str | None],
    hints: SearchHints,
    weights: RerankWeights = RerankWeights(),
) -> list[tuple[int, float]]:
    """Re-score (id, fused score) pairs: fused + Σ weight·feature, best first."""
    scored = []
    for i, base in candidates:
        f = features(clauses[i], hints, cities[i])
        bonus = sum(getattr(weights, name, weights.extra.get(name, 0.0)) * value for name, value in f.items())
        scored.append((i, base + bonus))
    scored.sort(key=lambda t: -t[1])
    return scored
