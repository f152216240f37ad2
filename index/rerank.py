"""A lightweight feature reranker over the fused top candidates.

No Chinese cross-encoder installs here, and plans are regular enough that a few
structural features do the job: the question's key phrases in the section title or in
a table row's indicator name, a bonus for table rows and for sentences that state a
figure when the question asks for a number, the share of the question's topic found in
the clause, whether the clause looks back (发展基础, “十三五”) or ahead (发展目标) as the
question does, and the city of the plan. The caller (the assistant) says what the
question is about through `SearchHints`; the index knows nothing of intents.

The score is fused + Σ weight·feature; the weights are fitted on the dev set by
`python -m tuning tune` (k-fold cross-validated, see eval/README.md) and read from
`index/tuned.json`; the defaults below are the hand-set starting point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from collections.abc import Iterable
from itertools import pairwise
from typing import Literal

import numpy as np

from ingest.lexicon import NUMBER_NOT_YEAR, cue, normalize, years_in
from ingest.records import Clause
from ingest.sentences import split_sentences

Period = Literal["past", "target"]


@dataclass(frozen=True)
class SearchHints:
    """What the caller knows about the question beyond its words."""

    phrases: tuple[str, ...] = ()  # indicator names / key terms worth boosting, e.g. ("高新技术企业",)
    numeric: bool = False  # the question asks for a number or target
    cities: tuple[str, ...] = ()  # cities named (used as a soft feature when no filter applies)
    year: int | None = None
    topic: str = ""  # the question's topic words (city, question and frame words removed)
    period: Period | None = None  # asks about the past (2020, “十三五”末, 现有) or a target


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
    topic_coverage: float = 0.0
    sentence_coverage: float = 0.0
    context_coverage: float = 0.0
    states_figure: float = 0.0
    period_match: float = 0.0
    period_conflict: float = 0.0
    year_conflict: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The feature names, in a fixed order (the tuner's columns)."""
        return _NAMES

    def weight(self, name: str) -> float:
        return getattr(self, name) if name in _NAMES else self.extra.get(name, 0.0)


_NAMES = tuple(f.name for f in fields(RerankWeights) if f.name != "extra")


_DIGIT = re.compile(r"\d")
# Sections that look back (the plan's review of the previous period) and ones that set targets (ingest/resources/cues.tsv).
PAST_SECTION = cue("review_section")
TARGET_SECTION = cue("goal_section")
SEGMENT_END = re.compile(r"[，,；;。：:、\n]")  # where a comma-segment of a clause ends


@lru_cache(maxsize=16384)
def norm(text: str) -> str:
    """NFKC and upper case: the form features compare in (cached: clause texts recur across queries)."""
    return normalize(text, case="upper")


# Function characters: a bigram with one of them ("区在", "是由") spans two words and says nothing.
FUNCTION_CHARS = frozenset("的了在是和与及或对把被从由之其")


def bigrams(text: str) -> set[str]:
    """Character bigrams of the CJK runs, and whole Latin/number runs, of `text` (a lone CJK character says little)."""
    grams: set[str] = set()
    for chunk in re.findall(r"[\u4e00-\u9fff]+|[A-Z]+|\d+(?:\.\d+)?", norm(text)):
        if not chunk[0] >= "\u4e00":
            grams.add(chunk)
        else:
            grams.update(a + b for a, b in pairwise(chunk) if a not in FUNCTION_CHARS and b not in FUNCTION_CHARS)
    return grams


def _present(grams: set[str] | dict[str, float], text: str) -> tuple[list[tuple[str, float]], float]:
    """The grams `text` holds, each with its weight (1 without weights), in `grams`' order; and the weights' total."""
    t = norm(text)
    if isinstance(grams, dict):
        return [(g, w) for g, w in grams.items() if g in t], sum(grams.values())
    return [(g, 1) for g in grams if g in t], len(grams)


def coverage(grams: set[str] | dict[str, float], text: str) -> float:
    """Share of `grams` found in `text` (0…1), each gram counted by its weight when weights are given."""
    present, total = _present(grams, text)
    return sum(w for _, w in present) / total if total else 0.0


def coverages(grams: set[str] | dict[str, float], text: str) -> tuple[float, float]:
    """`coverage` of `text` and of its best sentence, from one pass: a sentence holds only grams the whole text
    holds, so only those are tested in each sentence (the reranker asks this of ~80 candidates per search)."""
    present, total = _present(grams, text)
    if not total or not present:
        return 0.0, 0.0
    best = max((sum(w for g, w in present if g in norm(piece)) / total for piece in split_sentences(text)), default=0.0)
    return sum(w for _, w in present) / total, best


def weigh(grams: set[str], texts: list[str]) -> dict[str, float]:
    """IDF-like weights over the candidates themselves: a bigram every candidate has (企业) tells little."""
    normed = [norm(t) for t in texts]
    n = len(normed)
    return {g: float(np.log(1.0 + (n + 1) / (1 + sum(1 for t in normed if g in t)))) for g in grams}


def states_figure(text: str, starts: Iterable[int], ends: re.Pattern[str] = SEGMENT_END) -> bool:
    """Whether a figure (not a year) stands in the same or the next segment after one of `starts` in `text`:
    "…企业数实现倍增，突破1000家" states a figure of 企业数. The one test of a stated figure: the reranker
    asks it after the question's phrases in a clause, the target composer at the topic's units in a window."""
    for start in starts:
        rest = text[start:]
        cuts = [m.start() for m in ends.finditer(rest)][:2]
        if NUMBER_NOT_YEAR.search(rest[: cuts[1]] if len(cuts) > 1 else rest):
            return True
    return False


def phrase_ends(text: str, phrases: Iterable[str]) -> list[int]:
    """Offsets just after every occurrence of each phrase in `text`."""
    out = []
    for p in phrases:
        start = text.find(p)
        while start >= 0:
            out.append(start + len(p))
            start = text.find(p, start + 1)
    return out


@lru_cache(maxsize=16384)
def _context(section: tuple[str, ...], caption: str | None) -> tuple[str, bool, bool, frozenset[int]]:
    """A clause's section path and caption in the compared form, whether they look back or ahead, their years
    (cached: many clauses share a section, and the same candidates recur across queries)."""
    context = norm(" ".join(section) + " " + (caption or ""))
    return context, bool(PAST_SECTION.search(context)), bool(TARGET_SECTION.search(context)), frozenset(years_in(context))


def features(clause: Clause, hints: SearchHints, city: str | None, grams: set[str] | dict[str, float] | None = None) -> dict[str, float]:
    """Feature values in [-1, 1] for one candidate (names as in `RerankWeights`)."""
    text = norm(clause.text)
    context, past, ahead, context_years = _context(clause.section, clause.caption)
    phrases = tuple(norm(p) for p in hints.phrases if p)
    grams = bigrams(hints.topic) if grams is None else grams
    whole, best_sentence = coverages(grams, clause.text)
    return {
        "section_match": float(any(p in context for p in phrases)),
        "phrase_in_row": float(clause.kind == "table_row" and bool(clause.cells) and any(p in norm(clause.cells[0]) for p in phrases)),
        "phrase_in_text": float(any(p in text for p in phrases)),
        "table_row_numeric": float(hints.numeric and clause.kind == "table_row"),
        "number_numeric": float(hints.numeric and bool(_DIGIT.search(clause.text))),
        "year_match": float(hints.year is not None and str(hints.year) in clause.text),
        "city_match": float(bool(hints.cities) and city in hints.cities),
        "heading_penalty": -float(clause.kind == "heading"),
        "topic_coverage": whole,
        "sentence_coverage": best_sentence,
        "context_coverage": coverage(grams, context),
        "states_figure": float(hints.numeric and clause.kind != "table_row" and states_figure(text, phrase_ends(text, phrases))),
        "period_match": float((hints.period == "past" and past) or (hints.period == "target" and ahead)),
        "period_conflict": -float((hints.period == "past" and ahead) or (hints.period == "target" and past)),
        "year_conflict": -float(hints.year is not None and bool(context_years) and hints.year not in context_years),
    }


def rerank(
    candidates: list[tuple[int, float]],
    clauses: list[Clause],
    cities: list[str | None],
    hints: SearchHints,
    weights: RerankWeights = RerankWeights(),
) -> list[tuple[int, float]]:
    """Re-score (id, fused score) pairs: fused + Σ weight·feature, best first."""
    grams = weigh(bigrams(hints.topic), [clauses[i].text for i, _ in candidates])
    w = {name: weights.weight(name) for name in _NAMES}
    scored = []
    for i, base in candidates:
        f = features(clauses[i], hints, cities[i], grams)
        scored.append((i, base + sum(w.get(name, weights.extra.get(name, 0.0)) * value for name, value in f.items())))
    scored.sort(key=lambda t: -t[1])
    return scored
