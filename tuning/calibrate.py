"""Calibrate the refusal thresholds on a labelled question set (`python -m tuning calibrate`).

Each composer refuses when the best evidence covers too little of the question's topic
(`Thresholds`). A threshold too low answers what the plans do not say; too high refuses
what they do. For each threshold in turn, every value of a grid is tried with the others at
their defaults, and each question is scored right (an answerable question answered with
all its facts, an unanswerable one refused) or wrong. The value chosen is the middle of the
best plateau. k-fold cross-validation (seeded) redoes the choice without the held-out fold
and scores that fold with it; the pooled held-out accuracy is the estimate to trust.
Retrieval results are cached for the run (thresholds do not change what is retrieved). `--write`
stores the chosen values in `assistant/resources/thresholds.json`.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.composers.context import Thresholds
from assistant.resources import THRESHOLDS_FILE
from assistant.service import Assistant, AssistantSettings
from eval.dataset import load_dataset
from eval.metrics import fact_hits
from index.store import PlanIndex

GRIDS = {
    "figure": [round(0.3 + 0.05 * i, 2) for i in range(9)],
    "sentence": [round(0.25 + 0.05 * i, 2) for i in range(9)],
    "measure": [round(0.15 + 0.05 * i, 2) for i in range(9)],
    "task": [round(0.3 + 0.05 * i, 2) for i in range(9)],
}


class _CachedSearch:
    """The index with `search` memoised: thresholds change what is said, not what is retrieved."""

    def __init__(self, index: PlanIndex):
        self._index = index
        self._cache: dict[Any, Any] = {}

    def search(self, query: str, k: int = 10, **kw: Any) -> Any:
        key = (query, k, tuple(sorted(kw.items(), key=lambda t: t[0])))
        if key not in self._cache:
            self._cache[key] = self._index.search(query, k, **kw)
        return self._cache[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


@dataclass
class Calibration:
    chosen: Thresholds
    default_accuracy: float
    in_sample: float
    held_out: float
    folds: int
    items: int
    curves: dict[str, list[tuple[float, float]]]  # threshold → [(value, accuracy)]
    seconds: float

    def markdown(self, dataset: str) -> str:
        lines = [
            "## Refusal thresholds",
            "",
            (f"`python -m tuning calibrate --dataset {dataset}` on {time.strftime('%Y-%m-%d')}: {self.items} questions, "
             f"{self.folds}-fold cross-validation, {self.seconds:.0f} s. A question is right when an answerable one is "
             "answered with all its facts or an unanswerable one is refused. Each threshold is the least topic coverage "
             "(`Thresholds`, stored in `assistant/resources/thresholds.json`) at which a composer answers; the value chosen is the middle "
             "of the best plateau of the grid, one threshold at a time."),
            "",
            "| thresholds | accuracy |",
            "| --- | ---: |",
            f"| thresholds in the code before this run | {self.default_accuracy:.3f} |",
            f"| calibrated, in-sample | {self.in_sample:.3f} |",
            f"| calibrated, {self.folds}-fold held-out | {self.held_out:.3f} |",
            "",
            "Chosen: " + ", ".join(f"{f.name} {getattr(self.chosen, f.name)}" for f in fields(Thresholds)) + ".",
            "Accuracy over the grid of each threshold (the others at their defaults):",
            "",
        ]
        for name, curve in self.curves.items():
            lines.append(f"- {name}: " + ", ".join(f"{v:.2f} → {a:.3f}" for v, a in curve))
        lines.append("")
        return "\n".join(lines)


def _correct(assistant: Assistant, items: list, fact_hits: Any) -> dict[str, bool]:
    out = {}
    for item in items:
        answer = assistant.ask(item.question)
        if item.type == "unanswerable":
            out[item.id] = answer.refused
        else:
            out[item.id] = not answer.refused and all(fact_hits(answer.text, item.answer_facts))
    return out


def _plateau_middle(curve: list[tuple[float, float]]) -> float:
    best = max(a for _, a in curve)
    values = [v for v, a in curve if a == best]
    return values[len(values) // 2]


def calibrate(index: PlanIndex, dataset: Path, folds: int = 5, seed: int = 0) -> Calibration:
    started = time.perf_counter()
    items = load_dataset(dataset)
    cached = _CachedSearch(index)
    base = Thresholds()

    def run(t: Thresholds) -> dict[str, bool]:
        settings = AssistantSettings(min_figure=t.figure, min_sentence=t.sentence, min_measure=t.measure, min_task=t.task)
        return _correct(Assistant(cached, settings), items, fact_hits)  # type: ignore[arg-type]

    per_value = {name: {v: run(replace(base, **{name: v})) for v in grid} for name, grid in GRIDS.items()}

    def choose(ids: set[str]) -> Thresholds:
        chosen = {}
        for name, grid in GRIDS.items():
            curve = [(v, sum(per_value[name][v][i] for i in ids) / len(ids)) for v in grid]
            chosen[name] = _plateau_middle(curve)
        return Thresholds(**chosen)

    all_ids = {i.id for i in items}
    chosen = choose(all_ids)
    order = sorted(all_ids)
    random.Random(seed).shuffle(order)
    held: dict[str, bool] = {}
    runs: dict[Thresholds, dict[str, bool]] = {}
    for k in range(folds):
        test = set(order[k::folds])
        t = choose(all_ids - test)
        if t not in runs:
            runs[t] = run(t)
        held.update({i: runs[t][i] for i in test})
    final = runs.get(chosen) or run(chosen)
    curves = {name: [(v, sum(per_value[name][v].values()) / len(items)) for v in grid] for name, grid in GRIDS.items()}
    return Calibration(
        chosen=chosen, default_accuracy=sum(run(base).values()) / len(items), in_sample=sum(final.values()) / len(items),
        held_out=sum(held.values()) / len(items), folds=folds, items=len(items), curves=curves,
        seconds=time.perf_counter() - started,
    )


def write_thresholds(chosen: Thresholds, path: Path = THRESHOLDS_FILE) -> None:
    """`assistant/resources/thresholds.json`: the chosen least topic coverage of each composer."""
    path.write_text(json.dumps(asdict(chosen), indent=2) + "\n", encoding="utf-8")
