"""Index benchmark: cold build, rebuild, warm load, retrieval latency per mode, size on disk, peak RSS.

    python -m bench.bench_index [--dataset eval/data/dev.jsonl] [--skip-build] [--keep]

Each phase runs in its own process, so its peak RSS is its own:
- cold build: `python -m index build` of the five plans into a fresh temporary index directory
  (nothing to reuse: every clause is embedded), wall time of the whole command (interpreter, imports,
  model load, parsing, embedding, writing) and the build's own seconds from the manifest;
- rebuild: the same command again with nothing changed (vectors reused), as after a restart;
- serve: a fresh process (OS file cache warm) loads the index with every checksum verified
  (`load_index`), then loads the embedding model, then runs every dev-set question once per search
  mode after a warm-up, one at a time, k=10.
`--skip-build` measures the serve phase on the current `build/index` instead.
Goals (issue 4): cold build ≤ 60 s, warm load ≤ 2 s, retrieval p50 ≤ 30 ms.
Writes build/bench/index.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import (
    DEV_SET,
    OUT,
    dev_questions,
    dir_size,
    latency_summary,
    machine,
    markdown_table,
    peak_rss_mb,
    verdict,
    write_result,
)

GOALS = {"cold_build_s": 60.0, "warm_load_s": 2.0, "retrieval_p50_ms": 30.0}
WARMUP = 10
K = 10
ROOT = Path(__file__).resolve().parents[1]


def run_phase(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one child process; raises with its stderr when it fails.

    The child is reaped with `os.wait4`, which gives its own resource usage (RUSAGE_CHILDREN would
    give the maximum over every child so far).
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(argv[1:])} failed ({proc.returncode}):\n{err.read()[-3000:]}")
        return wall, round(usage.ru_maxrss / 1024, 1), out.read()


def build_phase(index_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    wall, rss, out = run_phase([sys.executable, "-m", "index", "build"], env)
    manifest = json.loads((index_dir.resolve() / "manifest.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 2), "build_s": manifest["build_seconds"], "peak_rss_mb": rss,
            "counts": manifest["counts"], "report": out.strip().splitlines()[-1]}


def serve_phase(dataset: Path) -> dict[str, Any]:
    """In the child: load, then time searches. Prints one JSON object."""
    started = time.perf_counter()
    from index.settings import IndexSettings
    from index.build import load_index
    from index.retriever import MODES

    imported = time.perf_counter()
    index = load_index(IndexSettings())
    loaded = time.perf_counter()
    _ = index.encoder  # the embedding model, loaded on the first dense query otherwise
    encoder = time.perf_counter()
    questions = [item.question for item in dev_questions(dataset)]
    modes: dict[str, Any] = {}
    for mode in MODES:
        for q in questions[:WARMUP]:
            index.search(q, K, mode=mode)
        ms = []
        for q in questions:
            t = time.perf_counter()
            index.search(q, K, mode=mode)
            ms.append((time.perf_counter() - t) * 1000)
        modes[mode] = latency_summary(ms)
    return {
        "import_s": round(imported - started, 2),
        "load_s": round(loaded - imported, 3),
        "encoder_load_s": round(encoder - loaded, 3),
        "version": index.version.name,
        "dense_kind": index.manifest.dense_kind,
        "clauses": len(index.clauses),
        "modes": modes,
        "peak_rss_mb": peak_rss_mb(),
        "size_bytes": dir_size(index.version),
    }


def run(dataset: Path, skip_build: bool, keep: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"machine": machine(), "goals": GOALS, "dataset": str(dataset)}
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-index-", dir=ROOT / OUT)) if not skip_build else None
    try:
        if tmp is not None:
            env |= {"PLANQA_INDEX_DIR": str(tmp / "index"), "PLANQA_UPLOADS_DIR": str(tmp / "no-uploads"),
                    "PLANQA_PLANS_DIR": str(ROOT / "data" / "plans")}
            print("cold build …", file=sys.stderr)
            result["cold_build"] = build_phase(tmp / "index", env)
            print("rebuild with nothing changed …", file=sys.stderr)
            result["rebuild"] = build_phase(tmp / "index", env)
        print("load and search …", file=sys.stderr)
        wall, _, out = run_phase([sys.executable, "-m", "bench.bench_index", "_serve", "--dataset", str(dataset)], env)
        result["serve"] = json.loads(out.strip().splitlines()[-1])
        result["serve"]["process_wall_s"] = round(wall, 2)
    finally:
        if tmp is not None and not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def render(result: dict[str, Any]) -> str:
    serve = result["serve"]
    rows = []
    if "cold_build" in result:
        cold, again = result["cold_build"], result["rebuild"]
        rows += [
            ["cold build, 5 plans (`python -m index build`, wall)", f"{cold['wall_s']} s", "≤ 60 s",
             verdict(cold["wall_s"], GOALS["cold_build_s"])],
            ["… of which the build itself (manifest)", f"{cold['build_s']} s", "", ""],
            ["rebuild, nothing changed (vectors reused, wall)", f"{again['wall_s']} s", "", ""],
            ["… of which the build itself (manifest)", f"{again['build_s']} s", "", ""],
            ["peak RSS, cold build", f"{cold['peak_rss_mb']} MB", "", ""],
        ]
    rows += [
        ["imports in a fresh process (torch, sentence-transformers, …)", f"{serve['import_s']} s", "", ""],
        ["warm load (`load_index`, checksums verified)", f"{serve['load_s']} s", "≤ 2 s",
         verdict(serve["load_s"], GOALS["warm_load_s"])],
        ["embedding model load (first dense query)", f"{serve['encoder_load_s']} s", "", ""],
        ["index size on disk", f"{serve['size_bytes']['total'] / 1048576:.1f} MB", "", ""],
        ["peak RSS, load + all searches", f"{serve['peak_rss_mb']} MB", "", ""],
    ]
    for mode, s in serve["modes"].items():
        rows.append([f"retrieval `{mode}`, k={K}, {s['n']} dev questions: p50 / p95",
                     f"{s['p50_ms']} / {s['p95_ms']} ms", "p50 ≤ 30 ms", verdict(s["p50_ms"], GOALS["retrieval_p50_ms"])])
    sizes = ", ".join(f"{k} {v / 1048576:.2f} MB" for k, v in serve["size_bytes"].items() if k != "total")
    m = result["machine"]
    return "\n".join([
        (f"Index benchmark, {m['date']} ({m['cpus']} CPUs, load average {m['load_avg_1m']} at start; "
         f"{serve['clauses']} clauses, FAISS {serve['dense_kind']})"),
        "",
        markdown_table(["measure", "value", "goal", ""], rows),
        "",
        f"Size by part: {sizes}.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_index", description=__doc__.split("\n")[0])
    parser.add_argument("phase", nargs="?", default="all", choices=["all", "_serve"], help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, default=DEV_SET)
    parser.add_argument("--skip-build", action="store_true", help="measure load and search on the current build/index")
    parser.add_argument("--keep", action="store_true", help="keep the temporary index built for the benchmark")
    args = parser.parse_args(argv)
    if args.phase == "_serve":
        print(json.dumps(serve_phase(args.dataset)))
        return 0
    result = run(args.dataset, args.skip_build, args.keep)
    path = write_result("index", result)
    print(render(result))
    print(f"\nwrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
