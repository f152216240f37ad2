"""Per-question metrics: retrieval (through ranx), facts, citations.

Design choices (also in eval/README.md):
- Retrieval relevance is one unit per gold *quote*: the qrels of a question are
  its quotes, and each retrieved span stands, in the run, for the quotes it is the
  first to overlap (several if it covers several; a span covering none, or only
  quotes already covered higher up, is a non-relevant entry). So nDCG rewards
  covering several pieces of evidence and a duplicate of an earlier hit earns
  nothing, while hit@k and MRR keep their usual meaning over the top 10 spans.
- A citation is *precise* when it overlaps a gold span of the item and is at most
  MAX_CITATION_CHARS long, the clause-size cap of ingestion: citing a whole plan
  (or any blob longer than a clause) earns nothing even though it "contains" the
  evidence. Exactness is checked separately (`quote == source[start:end]`).
- Facts are matched after NFKC, case folding and removal of all whitespace, so
  "２０００ 家" matches "2000家"; a fact given as a list is a set of alternatives.
"""
from __future__ import annotations

import statistics
import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from assistant.contract import Citation
from ingest.lexicon import normalize

from .gold import GoldQuote, Span

RETRIEVAL_DEPTH = 10
MAX_CITATION_CHARS = 500
RETRIEVAL_METRICS: dict[str, str] = {  # our name -> ranx metric over the (top-10) run
    "hit@1": "hit_rate@1",
    "hit@5": "hit_rate@5",
    "hit@10": "hit_rate@10",
    "mrr@10": "mrr",
    "ndcg@10": "ndcg",
}


def normalise(text: str) -> str:
    """NFKC, case-folded, without any whitespace: the form facts are compared in."""
    return "".join(normalize(text).casefold().split())


def fact_hits(answer: str, facts: Sequence[str | Sequence[str]]) -> list[bool]:
    """For each fact, whether the answer contains it (any one of its alternatives)."""
    norm = normalise(answer)
    hits = []
    for fact in facts:
        alternatives = [fact] if isinstance(fact, str) else fact
        hits.append(any(normalise(alt) in norm for alt in alternatives))
    return hits


def citation_is_exact(citation: Citation, sources: dict[str, str]) -> bool:
    """`quote == source[char_start:char_end]` for a known plan and in-range offsets."""
    text = sources.get(citation.doc_id)
    if text is None or not 0 <= citation.char_start < citation.char_end <= len(text):
        return False
    return text[citation.char_start : citation.char_end] == citation.quote


def citation_is_precise(citation: Citation, gold: Iterable[GoldQuote]) -> bool:
    """Overlaps a gold span and is no longer than a clause (see module docstring)."""
    span = Span(citation.doc_id, citation.char_start, citation.char_end)
    return len(span) <= MAX_CITATION_CHARS and any(q.covered_by(span) for q in gold)


def evidence_recall(gold: Sequence[GoldQuote], spans: Iterable[Span]) -> float:
    """Share of gold quotes overlapped by at least one of `spans`."""
    spans = list(spans)
    return sum(any(q.covered_by(s) for s in spans) for q in gold) / len(gold)


def retrieval_scores(cases: dict[str, tuple[Sequence[GoldQuote], Sequence[Span]]]) -> dict[str, dict[str, float]]:
    """{question id: {metric: value}} for questions with gold quotes, from ranked spans (best first).

    Only the first RETRIEVAL_DEPTH spans count. Built on ranx Qrels/Run/evaluate.
    """
    from ranx import Qrels, Run, evaluate  # imported here: its numba start-up is only paid when scoring

    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for qid, (gold, ranked) in cases.items():
        if not gold:
            continue
        qrels[qid] = {f"gold{i}": 1 for i in range(len(gold))}
        entries: dict[str, float] = {}
        credited: set[int] = set()
        for rank, span in enumerate(ranked[:RETRIEVAL_DEPTH]):
            new = [i for i, q in enumerate(gold) if i not in credited and q.covered_by(span)]
            credited.update(new)
            for key in [f"gold{i}" for i in new] or [f"other{rank}"]:
                entries[key] = 1.0 / (1 + len(entries))  # strictly decreasing: no ties
        if entries:
            run[qid] = entries
    scores = {qid: {name: 0.0 for name in RETRIEVAL_METRICS} for qid in qrels}
    if run:
        ranx_run = Run(run)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba type-safety chatter, not about our data
            evaluate(Qrels(qrels), ranx_run, list(RETRIEVAL_METRICS.values()), make_comparable=True)
        for name, metric in RETRIEVAL_METRICS.items():
            for qid, value in ranx_run.scores[metric].items():
                scores[qid][name] = float(value)
    return scores


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    return float(np.percentile(values, q)) if values else None
