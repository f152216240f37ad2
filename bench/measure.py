"""What the benchmarks share: latency summaries, peak memory, sizes on disk, the dev questions, result files."""
from __future__ import annotations

import json
import os
import platform
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.dataset import EvalItem, load_dataset
from eval.metrics import percentile

OUT = Path("build/bench")
DEV_SET = Path("eval/data/dev.jsonl")


def latency_summary(ms: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p95, mean and max of latencies in milliseconds (numpy's linear percentiles)."""
    return {
        "n": len(ms),
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
        "max_ms": _round(max(ms)) if ms else None,
    }


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MB (Linux reports KB)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return round(usage.ru_maxrss / 1024, 1)


def dir_size(path: Path) -> dict[str, int]:
    """Bytes on disk per top-level entry of `path`, and the total."""
    sizes: dict[str, int] = {}
    for entry in sorted(path.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        sizes[entry.name] = sum(p.stat().st_size for p in files)
    sizes["total"] = sum(sizes.values())
    return sizes


def dev_questions(path: Path = DEV_SET) -> list[EvalItem]:
    return load_dataset(path)


def timed_runs(work: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of `repeat` runs of `work`, after one untimed warm-up run (imports, compiled patterns,
    data files, connection pools)."""
    work()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def machine() -> dict[str, Any]:
    """Enough context to read the figures: when, where, and how busy the machine was."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def write_result(name: str, result: dict[str, Any], out: Path = OUT) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("–" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(value: float | None, goal: float) -> str:
    """"✓" when `value` meets an at-most `goal`, "✗" when not, "–" when unmeasured."""
    if value is None:
        return "–"
    return "✓" if value <= goal else "✗"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
