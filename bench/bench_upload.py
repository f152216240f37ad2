"""Upload benchmark: the time of one plan's upload (and removal) against the library's size.

Why: an upload should cost what the new plan costs, not what the library holds (issue 20 item 3).
The library starts as the five shipped plans and grows with synthetic plans (`bench.synthetic`:
plan-like text written from the real plans' vocabulary, each with a title line so its metadata is
read as for any upload) to each size asked for. Growing the library between measurements goes
through a full `build_index` (its cost is not measured; vectors of plans already embedded are
reused). At each size, timed through `PlanLibrary.add` / `remove` as the page calls them, with
the loaded index warm as in the app:

- a small plan (three clauses): the fixed cost of an upload;
- a plan of `--clauses` clauses (default 250, about the shipped plans' average): what a real upload costs;
- the removal of that plan.

`python -m bench.bench_upload [--sizes 5 25 50] [--clauses 250] [--work DIR]` writes
build/bench/upload.json and prints a markdown table (with the machine's load average).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench.measure import machine, markdown_table, write_result
from bench.synthetic import default_vocabulary, _document
from index.settings import IndexSettings

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
SHIPPED = 5
SEED = 20
GOAL_S = 3.0  # a one-plan upload into a 25-plan library (issue 20)


def plan_text(j: int, clauses: int) -> str:
    """Synthetic plan j as a file's text: a title line, then its clauses, cut to `clauses`."""
    doc = _document(default_vocabulary(), SEED, j)
    title = f"{doc.meta.title}（样例{j}）"  # unique, so no two plans share a city and title
    return title + "\n\n" + "\n".join(c.text for c in doc.clauses[:clauses]) + "\n"


def small_plan(j: int) -> str:
    return (f"宿迁市科技工作要点（样例{j}）\n\n一、主要目标\n\n"
            f"到2025年，全市高新技术企业数量达到{900 + j}家。\n\n二、重点任务\n\n新建省级以上研发机构{10 + j}家。\n")


def seed_library(settings: IndexSettings, size: int, clauses: int) -> None:
    """Put synthetic plans into the uploads until the library holds `size` plans, then rebuild in full."""
    from index.build import build_index

    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    for j in range(size - SHIPPED):
        path = settings.uploads_dir / f"syn-{j:03d}.txt"
        if not path.exists():
            path.write_text(plan_text(j, clauses), encoding="utf-8")
    build_index(settings=settings, progress=False)


def measure(settings: IndexSettings, size: int, clauses: int, tmp: Path) -> dict:
    from index.library import PlanLibrary
    from index.build import current_index

    library = PlanLibrary(settings, current_docs=lambda: current_index(settings).docs,
                          current_sources=lambda: current_index(settings).sources)
    current_index(settings)  # warm, as the app's loaded index is
    row: dict = {"plans": size}
    small = tmp / f"probe-small-{size}.txt"
    small.write_text(small_plan(size), encoding="utf-8")
    started = time.perf_counter()
    change = library.add(small, progress=False)
    row["small_add_s"] = round(time.perf_counter() - started, 2)
    row["small_embedded"] = change.report.embedded
    library.remove(small.name, progress=False)
    current_index(settings)
    full = tmp / f"probe-full-{size}.txt"
    full.write_text(plan_text(900 + size, clauses), encoding="utf-8")
    started = time.perf_counter()
    change = library.add(full, progress=False)
    row["plan_add_s"] = round(time.perf_counter() - started, 2)
    row["plan_embedded"] = change.report.embedded
    current_index(settings)
    started = time.perf_counter()
    library.remove(full.name, progress=False)
    row["remove_s"] = round(time.perf_counter() - started, 2)
    row["load_avg_1m"] = machine()["load_avg_1m"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_upload", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 25, 50], help="library sizes (plans), ascending")
    parser.add_argument("--clauses", type=int, default=250, help="clauses per synthetic plan")
    parser.add_argument("--work", type=Path, help="keep the library here (reused by the next run) instead of a temp dir")
    parser.add_argument("--label", default="", help="a name for this run in the output (e.g. before/after)")
    parser.add_argument("--seed-index", type=Path, default=ROOT / "build" / "index",
                        help="index whose vectors the library starts from (another run's --work/index saves embedding)")
    args = parser.parse_args(argv)
    if any(s < SHIPPED for s in args.sizes) or args.sizes != sorted(args.sizes):
        parser.error(f"sizes must be ascending and at least {SHIPPED} (the shipped plans)")
    from index.versions import new_version_dir, open_version, publish

    work = args.work or Path(tempfile.mkdtemp(prefix="planqa-bench-upload-"))
    settings = IndexSettings(plans_dir=PLANS, uploads_dir=work / "uploads", index_dir=work / "index")
    if not settings.index_dir.exists():  # start from the shipped index: its vectors are reused
        version, _ = open_version(args.seed_index)
        target = new_version_dir(settings.index_dir)
        shutil.copytree(version, target, dirs_exist_ok=True)
        publish(target, settings.index_dir)
    rows = []
    info = machine()
    try:
        for size in args.sizes:
            seed_library(settings, size, args.clauses)
            row = measure(settings, size, args.clauses, work)
            rows.append(row)
            print(row, flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    write_result(f"upload{'-' + args.label if args.label else ''}", {"machine": info, "clauses": args.clauses,
                                                                      "rows": rows})
    print(f"\nUpload time against library size ({args.clauses}-clause synthetic plans; load avg "
          f"{info['load_avg_1m']} at start, {info['cpus']} CPUs, {info['date']})\n")
    print(markdown_table(
        ["plans", "3-clause upload s", f"{args.clauses}-clause upload s", "embedded", "removal s", "load avg"],
        [[r["plans"], r["small_add_s"], r["plan_add_s"], r["plan_embedded"], r["remove_s"], r["load_avg_1m"]]
         for r in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
