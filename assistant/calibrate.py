"""Calibrate the refusal thresholds on a labelled question set (`python -m assistant.calibrate`).

Each composer refuses when the best evidence covers too little of the question's topic
(`Thresholds`). A threshold too low answers what the plans do not say; too high refuses
what they do. For each threshold in turn, every value of a grid is tried with the others at
their defaults, and each question is scored right (an answerable question answered with
all its facts, an unanswerable one refused) or wrong. The value chosen is the middle of the
best plateau. k-fold cross-validation (seeded) redoes the choice without the held-out fold
and scores that fold with it; the pooled held-out accuracy is the estimate to trust.
Retrieval results are cached for the run (thresholds do not change what is retrieved).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.composers.common import Thresholds
from assistant.service import Assistant, AssistantSettings
from index.store import PlanIndex, current_index

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
            (f"`python -m assistant.calibrate --dataset {dataset}` on {time.strftime('%Y-%m-%d')}: {self.items} questions, "
             f"{self.folds}-fold cross-validation, {self.seconds:.0f} s. A question is right when an answerable one is "
             "answered with all its facts or an unanswerable one is refused. Each threshold is the least topic coverage "
             "(`assistant/composers/common.py`, `Thresholds`) at which a composer answers; the value chosen is the middle "
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
    from eval.dataset import load_dataset
    from eval.metrics import fact_hits

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="eval/data/dev.jsonl")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", default=None, metavar="README", help="replace the 'Refusal thresholds' section of this file")
    args = parser.parse_args(argv)
    try:
        result = calibrate(current_index(), Path(args.dataset), args.folds, args.seed)
    except Exception as exc:  # noqa: BLE001 — no index, a malformed dataset …: say what, no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    markdown = result.markdown(args.dataset)
    print(markdown)
    if args.write:
        from index.tune import write_section

        write_section(markdown, Path(args.write))
    return 0


if __name__ == "__main__":
    sys.exit(main())
