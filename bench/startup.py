"""Time to ready: `python app.py` from process start to its first answers, over several starts.

    python -m bench.startup [--starts 5]

Each start runs `python app.py` on a free loopback port over the index of PLANQA_INDEX_DIR (`build/index`
by default; it must be built) and polls, every 50 ms, from the moment the process is spawned:

* **ready**: the first 200 on `GET /v1/models` (the server accepts connections and answers; issue 12's
  measure, target ≤ 5 s);
* **first answer**: the first 200 on `POST /api/ask` (asked as soon as the server is ready: it waits for the
  index and the embedding model, which load in the background);
* **page**: the first 200 on `GET /gradio_api/info` (the Gradio page is mounted once the assistant is loaded).

Writes build/bench/startup.json and prints a markdown table with the median and the worst of each.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import OUT, machine, markdown_table, write_result
from bench.process import ROOT, free_port, stop_app

QUESTION = "南京到2025年高新技术企业要达到多少家？"
POLL_S = 0.05
LIMIT_S = 300.0
TARGET_READY_S = 5.0


def one_start(log: Path) -> dict[str, float | None]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PLANQA_HOST": "127.0.0.1",
           "PLANQA_PORT": str(port)}
    times: dict[str, float | None] = {"ready_s": None, "first_answer_s": None, "page_s": None}
    with open(log, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        with httpx.Client(timeout=LIMIT_S) as http:
            while time.perf_counter() - started < LIMIT_S and proc.poll() is None:
                try:
                    if times["ready_s"] is None and http.get(f"{url}/v1/models", timeout=1).status_code == 200:
                        times["ready_s"] = time.perf_counter() - started
                        r = http.post(f"{url}/api/ask", json={"question": QUESTION})
                        if r.status_code == 200 and "20000" in r.json()["answer"]:
                            times["first_answer_s"] = time.perf_counter() - started
                    if times["ready_s"] is not None and http.get(f"{url}/gradio_api/info", timeout=1).status_code == 200:
                        times["page_s"] = time.perf_counter() - started
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(POLL_S)
    finally:
        stop_app(proc)
    return {k: round(v, 2) if v is not None else None for k, v in times.items()}


def summary(values: list[float | None]) -> dict[str, Any]:
    got = [v for v in values if v is not None]
    return {"median_s": round(statistics.median(got), 2) if got else None, "max_s": max(got) if got else None,
            "all_s": values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args(argv)
    context = machine()
    OUT.mkdir(parents=True, exist_ok=True)
    runs = []
    for n in range(args.starts):
        runs.append(one_start(OUT / "startup-app.log"))
        print(f"start {n + 1}: {runs[-1]}", file=sys.stderr)
    result = {"machine": context, "starts": runs,
              **{key: summary([r[key] for r in runs]) for key in ("ready_s", "first_answer_s", "page_s")}}
    result["passed"] = all(r["ready_s"] is not None and r["ready_s"] <= TARGET_READY_S for r in runs)
    path = write_result("startup", result)
    rows = [[label, result[key]["median_s"], result[key]["max_s"], " / ".join(str(v) for v in result[key]["all_s"])]
            for label, key in (("ready (first 200 on /v1/models)", "ready_s"),
                               ("first answer (200 on /api/ask)", "first_answer_s"),
                               ("page (200 on /gradio_api/info)", "page_s"))]
    print(f"Time from process start, {args.starts} starts of python app.py, {context['date']} "
          f"({context['cpus']} CPUs, load average {context['load_avg_1m']} at start)\n")
    print(markdown_table(["", "median (s)", "worst (s)", "each start (s)"], rows))
    print(f"\nResult: {'PASS' if result['passed'] else 'FAIL'} (ready ≤ {TARGET_READY_S:.0f} s in every start).")
    print(f"\nwrote {path}", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
