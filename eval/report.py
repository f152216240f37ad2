"""The evaluation report: configurations side by side, as JSON and as Markdown."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from . import metrics
from .dataset import EvalItem
from .scorer import COUNTS, METRICS, ConfigResult, Summary

DEFAULT_OUT_DIR = Path("build/eval")
# the answer-side metrics shown per question shape (retrieval is per type only)
KIND_METRICS = ("fact_accuracy", "fact_recall", "refusal_accuracy", "false_refusal_rate", "citation_exactness", "answer_chars_p50")
_NUMBER_METRICS = {"retrieved_chars_p50", "answer_chars_p50", "latency_ms_p50", "latency_ms_p95"}  # not shares: shown with one decimal


def build_report(dataset: Path, items: list[EvalItem], results: list[ConfigResult]) -> dict[str, Any]:
    """A JSON-ready report: settings, per-configuration aggregates, per-item scores and file problems."""
    return {
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "dataset": str(dataset),
        "items": len(items),
        "types": dict(Counter(item.type for item in items)),
        "settings": {"retrieval_depth": metrics.RETRIEVAL_DEPTH, "max_citation_chars": metrics.MAX_CITATION_CHARS},
        "configs": {
            r.name: {
                "source": r.source,
                "overall": asdict(r.overall),
                "per_type": {t: asdict(s) for t, s in r.per_type.items()},
                "per_kind": {k: asdict(s) for k, s in r.per_kind.items()},
                "unknown_ids": r.unknown_ids,
                "malformed_lines": r.malformed,
                "duplicate_ids": r.duplicates,
                "problems": r.problems,
                "per_item": [asdict(s) for s in r.items],
            }
            for r in results
        },
    }


def render_markdown(report: dict[str, Any], results: list[ConfigResult]) -> str:
    """Rows = metrics, columns = configurations; then one per-type table per configuration."""
    types = ", ".join(f"{t} {n}" for t, n in report["types"].items())
    lines = [
        f"# PlanQA evaluation, {report['created']}",
        "",
        f"Dataset `{report['dataset']}`: {report['items']} questions ({types}). "
        f"Configurations: {', '.join(f'`{r.name}` ({r.source})' for r in results)}.",
        "",
        *_table(["metric", *(r.name for r in results)], [r.overall for r in results]),
    ]
    notes = [note for r in results for note in _notes(r)]
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    for r in results:
        groups = [("all", r.overall), *r.per_type.items()]
        lines += ["", f"## Per type: `{r.name}`", "", *_table(["metric", *(g for g, _ in groups)], [s for _, s in groups])]
        if r.per_kind:
            kinds = list(r.per_kind.items())
            lines += ["", f"## Per question shape: `{r.name}`", "",
                      *_table(["metric", *(k for k, _ in kinds)], [s for _, s in kinds], KIND_METRICS, ("items", "refused"))]
    lines += ["", "A dash marks a metric with nothing to measure in that column (e.g. refusal accuracy on answerable types)."]
    return "\n".join(lines) + "\n"


def write_report(out_dir: Path, report: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """Write report.json and report.md into `out_dir` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path


def _table(header: list[str], columns: list[Summary], metrics_shown: tuple[str, ...] = METRICS,
           counts_shown: tuple[str, ...] = COUNTS) -> list[str]:
    rows = [[name, *(_fmt(name, s.metrics[name]) for s in columns)] for name in metrics_shown]
    rows += [[name, *(str(s.counts[name]) for s in columns)] for name in counts_shown]
    return [_row(header), _row(["---"] + ["---:"] * (len(header) - 1)), *(_row(r) for r in rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _fmt(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if name in _NUMBER_METRICS else f"{value:.3f}"


def _notes(r: ConfigResult) -> list[str]:
    notes = []
    if r.overall.counts["missing"]:
        notes.append(f"`{r.name}`: {r.overall.counts['missing']} question(s) without an answer, counted as wrong.")
    if r.malformed:
        notes.append(f"`{r.name}`: {r.malformed} malformed answer line(s) skipped (see report.json problems).")
    if r.duplicates:
        notes.append(f"`{r.name}`: {r.duplicates} duplicate answer id(s) ignored (first kept).")
    if r.unknown_ids:
        notes.append(f"`{r.name}`: {len(r.unknown_ids)} answer(s) for ids not in the dataset ignored: {', '.join(r.unknown_ids[:5])}"
                     + (" …" if len(r.unknown_ids) > 5 else ""))
    return notes
