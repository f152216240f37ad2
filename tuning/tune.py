"""Fit the fusion and rerank weights on a labelled question set (`python -m tuning tune`).

The weights belong to the index's search (written to `index/tuned.json`, which the index reads), and
a fit must replay exactly the search the assistant runs for each question: the same text, BM25 query,
city filter and hints. So the questions are understood by the assistant (`Assistant.plan_search`), the
labels come from eval's dataset loader and gold locator, and the candidates, features, metrics and
fits are here, in a package above all three.

- Fusion: ranx `optimize_fusion` (weighted sum of min-max-normalised dense and BM25 scores,
  the formula of `index.fusion`), grid step 0.05, metric MRR@10, on the hybrid ranking.
- Rerank: coordinate ascent (RankLib-style) over a coarse grid of non-negative weights, one
  feature at a time, on the pool of both systems' top 50 (what `PlanIndex.search` reranks); objective MRR@10 + 0.25·hit@5. A feature's sign is
  fixed by its definition (penalties are negative-valued), so every weight stays readable.
- Over-fitting guard: k-fold cross-validation (seeded shuffle). Both fits are redone on k−1
  folds and scored on the held-out fold; every question is held out once, so the pooled
  held-out scores are the estimate to trust. The weights written are fitted on all questions.
"""
from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.service import Assistant
from eval.dataset import load_dataset
from eval.gold import locate_gold
from index.fusion import FusionWeights, fuse
from index.rerank import RerankWeights, bigrams, features, weigh
from index.retriever import CANDIDATES, TUNED_WEIGHTS
from index.store import PlanIndex

GRID = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
HIT5_WEIGHT = 0.25  # objective = MRR@10 + HIT5_WEIGHT · hit@5


class TuneError(RuntimeError):
    """Tuning cannot run (no labelled questions, gold not found, bad folds); the message says why."""


@dataclass
class Case:
    """One labelled question: each system's candidates, their features, and which clauses are relevant."""

    qid: str
    dense: dict[int, float]
    lexical: dict[int, float]
    feats: dict[int, np.ndarray]  # clause id → feature vector (RerankWeights.names() order)
    relevant: frozenset[int]


@dataclass(frozen=True)
class Scores:
    mrr10: float
    hit1: float
    hit5: float
    n: int

    @property
    def objective(self) -> float:
        return self.mrr10 + HIT5_WEIGHT * self.hit5


# -- data ---------------------------------------------------------------------------------------
def load_cases(index: PlanIndex, dataset: Path) -> list[Case]:
    """Every question with evidence, with its candidates as the assistant's search would see them."""
    items = [item for item in load_dataset(dataset) if item.evidence]
    if not items:
        raise TuneError(f"{dataset} has no question with evidence: nothing to tune on")
    gold, problems = locate_gold(items, index.sources)
    if problems:
        raise TuneError("gold quotes not found in the indexed plans: " + "; ".join(problems[:5]))
    assistant = Assistant(index)
    names = RerankWeights.names()
    cases = []
    for item in items:
        request = assistant.plan_search(item.question)
        allowed = index.allowed(request.filters)
        dense, lexical = index.candidates(request.text, CANDIDATES, allowed, "hybrid", request.lexical_query)
        feats = {}
        pool = sorted(set(dense) | set(lexical))
        grams = weigh(bigrams(request.hints.topic), [index.clauses[i].text for i in pool])
        for i in pool:
            clause = index.clauses[i]
            f = features(clause, request.hints, index.docs[clause.doc_id].city, grams)
            feats[i] = np.array([f[n] for n in names], dtype=np.float64)
        relevant = frozenset(
            i for quote in gold[item.id] for span in quote.spans for i in index.clause_ids_of(span.doc_id)
            if index.clauses[i].char_start < span.end and span.start < index.clauses[i].char_end
        )
        cases.append(Case(item.id, dense, lexical, feats, relevant))
    return cases


# -- scoring ------------------------------------------------------------------------------------
def _candidates(case: Case, fusion: FusionWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clause ids, fused scores, feature matrix) of the pool (each system's top 50), best first."""
    fused = sorted(fuse(case.dense, case.lexical, fusion).items(), key=lambda t: -t[1])
    ids = np.array([i for i, _ in fused], dtype=np.int64)
    base = np.array([s for _, s in fused], dtype=np.float64)
    mat = np.stack([case.feats[i] for i in ids]) if len(ids) else np.zeros((0, len(RerankWeights.names())))
    return ids, base, mat


def _scores(rankings: Sequence[np.ndarray], cases: Sequence[Case]) -> Scores:
    rr, h1, h5 = [], [], []
    for ranked, case in zip(rankings, cases):
        rank = next((r for r, i in enumerate(ranked[:10], 1) if int(i) in case.relevant), None)
        rr.append(1.0 / rank if rank else 0.0)
        h1.append(float(rank == 1))
        h5.append(float(rank is not None and rank <= 5))
    n = len(cases)
    return Scores(float(np.mean(rr)) if n else 0.0, float(np.mean(h1)) if n else 0.0, float(np.mean(h5)) if n else 0.0, n)


def _rerank_order(ids: np.ndarray, base: np.ndarray, mat: np.ndarray, w: np.ndarray) -> np.ndarray:
    return ids[np.argsort(-(base + mat @ w), kind="stable")]


def evaluate(cases: Sequence[Case], fusion: FusionWeights, rerank: RerankWeights | None) -> Scores:
    """MRR@10, hit@1 and hit@5 of the hybrid ranking (rerank=None) or of the reranked one."""
    w = np.array([rerank.weight(n) for n in RerankWeights.names()]) if rerank is not None else None
    rankings = []
    for case in cases:
        ids, base, mat = _candidates(case, fusion)
        rankings.append(ids if w is None else _rerank_order(ids, base, mat, w))
    return _scores(rankings, cases)


# -- fitting ------------------------------------------------------------------------------------
def fit_fusion(cases: Sequence[Case], step: float = 0.05) -> FusionWeights:
    """ranx `optimize_fusion` (wsum, min-max) for MRR@10 over the two systems' runs."""
    from ranx import Qrels, Run, optimize_fusion

    qrels = Qrels({c.qid: {str(i): 1 for i in c.relevant} or {"-": 1} for c in cases})
    def run(scores_of: Callable[[Case], dict[int, float]]) -> Run:
        return Run({c.qid: {str(i): s for i, s in scores_of(c).items()} or {"none": 0.0} for c in cases})
    params = optimize_fusion(
        qrels, [run(lambda c: c.dense), run(lambda c: c.lexical)], norm="min-max", method="wsum",
        metric="mrr@10", step=step, show_progress=False,
    )
    dense, lexical = params["weights"]
    return FusionWeights(dense=round(float(dense), 3), lexical=round(float(lexical), 3))


def fit_rerank(cases: Sequence[Case], fusion: FusionWeights, start: RerankWeights | None = None, rounds: int = 4) -> RerankWeights:
    """Coordinate ascent over GRID, one weight at a time, keeping a change only when it helps."""
    names = RerankWeights.names()
    prepared = [_candidates(c, fusion) for c in cases]
    start = start or RerankWeights()
    w = np.array([start.weight(n) for n in names], dtype=np.float64)

    def objective(weights: np.ndarray) -> float:
        return _scores([_rerank_order(ids, base, mat, weights) for ids, base, mat in prepared], cases).objective

    best = objective(w)
    for _ in range(rounds):
        improved = False
        for j in range(len(names)):
            for value in GRID:
                if value == w[j]:
                    continue
                trial = w.copy()
                trial[j] = value
                score = objective(trial)
                if score > best + 1e-9:
                    best, w, improved = score, trial, True
        if not improved:
            break
    return RerankWeights(**{n: round(float(v), 3) for n, v in zip(names, w)})


@dataclass
class TuneReport:
    questions: int
    folds: int
    seed: int
    fusion: FusionWeights
    rerank: RerankWeights
    rows: dict[str, dict[str, Scores]]  # setting → {"hybrid": …, "hybrid+rerank": …}
    seconds: float

    def markdown(self, dataset: str) -> str:
        today = time.strftime("%Y-%m-%d")
        lines = [
            "## Retrieval tuning",
            "",
            (f"`python -m tuning tune --dataset {dataset}` on {today}: {self.questions} questions with evidence, "
             f"{self.folds}-fold cross-validation (seed {self.seed}), {self.seconds:.0f} s. Fusion weights by ranx "
             "`optimize_fusion` (wsum, min-max, MRR@10, step 0.05); rerank weights by coordinate ascent over "
             f"{list(GRID)} (objective MRR@10 + {HIT5_WEIGHT}·hit@5). The held-out row is the estimate to trust: "
             "each question is scored by weights fitted without it."),
            "",
            "| weights | ranking | MRR@10 | hit@1 | hit@5 |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for setting, by_mode in self.rows.items():
            for mode, s in by_mode.items():
                lines.append(f"| {setting} | {mode} | {s.mrr10:.3f} | {s.hit1:.3f} | {s.hit5:.3f} |")
        lines += [
            "",
            (f"Fitted on all questions (written to `index/tuned.json`): fusion dense {self.fusion.dense}, "
             f"lexical {self.fusion.lexical}; rerank "
             + ", ".join(f"{n} {self.rerank.weight(n)}" for n in RerankWeights.names()) + ". "
             "A system with fusion weight 0 still adds its top 50 to the pool the reranker reads; "
             "a feature with weight 0 did not help on this set."),
            "",
        ]
        return "\n".join(lines)


def _folds(cases: Sequence[Case], k: int, seed: int) -> list[list[Case]]:
    order = list(cases)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def tune(index: PlanIndex, dataset: Path, folds: int = 5, seed: int = 0) -> TuneReport:
    """Fit on everything, and estimate by k-fold cross-validation how well such a fit generalises."""
    started = time.perf_counter()
    cases = load_cases(index, dataset)
    if folds < 2 or folds > len(cases):
        raise TuneError(f"--folds must be between 2 and the number of labelled questions ({len(cases)}), got {folds}")
    default_fusion, default_rerank = FusionWeights(), RerankWeights()
    fusion = fit_fusion(cases)
    rerank = fit_rerank(cases, fusion, default_rerank)
    held_out: list[tuple[Case, np.ndarray, np.ndarray]] = []
    for k, test in enumerate(_folds(cases, folds, seed)):
        train = [c for c in cases if c not in test]
        f = fit_fusion(train)
        r = fit_rerank(train, f, default_rerank)
        w = np.array([r.weight(n) for n in RerankWeights.names()])
        for case in test:
            ids, base, mat = _candidates(case, f)
            held_out.append((case, ids, _rerank_order(ids, base, mat, w)))
    order = [c for c, _, _ in held_out]
    rows = {
        "defaults (hand-set)": {"hybrid": evaluate(cases, default_fusion, None), "hybrid+rerank": evaluate(cases, default_fusion, default_rerank)},
        "fitted, in-sample": {"hybrid": evaluate(cases, fusion, None), "hybrid+rerank": evaluate(cases, fusion, rerank)},
        f"fitted, {folds}-fold held-out": {
            "hybrid": _scores([ids for _, ids, _ in held_out], order),
            "hybrid+rerank": _scores([ranked for _, _, ranked in held_out], order),
        },
    }
    return TuneReport(len(cases), folds, seed, fusion, rerank, rows, time.perf_counter() - started)


def write_tuned(report: TuneReport, dataset: str, path: Path = TUNED_WEIGHTS) -> None:
    """`index/tuned.json`: the weights `index.retriever.tuned_weights` reads, with what they were fitted on."""
    rerank = {n: report.rerank.weight(n) for n in RerankWeights.names()}
    held = report.rows[f"fitted, {report.folds}-fold held-out"]["hybrid+rerank"]
    payload = {
        "fusion": asdict(report.fusion),
        "rerank": rerank,
        "fitted_on": {"dataset": dataset, "questions": report.questions, "date": time.strftime("%Y-%m-%d"),
                      "cv_folds": report.folds, "cv_mrr10": round(held.mrr10, 4), "cv_hit5": round(held.hit5, 4)},
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_section(markdown: str, readme: Path) -> None:
    """Replace (or append) the section of `readme` whose heading is `markdown`'s first line ("## Retrieval tuning")."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    head = markdown.splitlines()[0].strip()
    if head in text:
        before, rest = text.split(head, 1)
        nxt = rest.find("\n## ")
        text = before + markdown.rstrip() + "\n" + (rest[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + markdown
    readme.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
