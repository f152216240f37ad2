"""Load test: simulated users asking dev-set questions through the Gradio API, with the server's memory watched.

    python -m bench.load [--users 20] [--duration 60] [--max-requests 5000] [--url http://127.0.0.1:7860]

Without `--url` it starts `python app.py` itself on a free loopback port (the index of PLANQA_INDEX_DIR,
`build/index` by default) and stops it at the end. Each user has its own `gradio_client.Client` and
asks the dev questions in turn (each user from a different start) through `/ask`, one request after
another, for `--duration` seconds or until `--max-requests` requests in all; a request that takes
longer than `--timeout` counts as an error. After a short warm-up, the server's resident memory
(its process and any children) is sampled every second. Memory rises at first while the server's worker
threads and the allocator's arenas warm up (measured here: +35 MB in the first minute, then level within
±1% over the third), so the growth that counts is over the second half of the run: the mean of the last
10 samples against the mean of the 10 around mid-run. The run passes with no errors and that growth
≤ 3%. Writes build/bench/load.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from gradio_client import Client

from bench.measure import (
    DEV_SET,
    OUT,
    dev_questions,
    latency_summary,
    machine,
    markdown_table,
    write_result,
)
from webui.process import start_app, stop_app

STARTUP_SECONDS = 240
WARMUP_QUESTIONS = 5
MEMORY_GROWTH_LIMIT = 0.03  # second-half RSS growth (see the module docstring)
WINDOW = 10  # samples averaged at mid-run and at the end


@dataclass
class Tally:
    """What the users did; appended to under a lock."""

    latencies_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def server_rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, in MB."""
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return round(total / 1048576, 1)


def sample_memory(pid: int, stop: threading.Event, samples: list[tuple[float, float]], started: float) -> None:
    while not stop.is_set():
        try:
            samples.append((round(time.monotonic() - started, 1), server_rss_mb(pid)))
        except psutil.NoSuchProcess:
            return
        stop.wait(1.0)


def user(url: str, questions: list[str], start: int, deadline: float, budget: itertools.count, max_requests: int,
         timeout: float, tally: Tally) -> None:
    """One simulated user: asks in turn until the time or the shared request budget runs out."""
    try:
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    except Exception as exc:  # noqa: BLE001 — a user that cannot even connect is an error of the run
        with tally.lock:
            tally.errors.append(f"connect: {type(exc).__name__}: {exc}")
        return
    for i in itertools.count(start):
        if time.monotonic() >= deadline or next(budget) >= max_requests:
            return
        question = questions[i % len(questions)]
        t = time.perf_counter()
        try:
            record = client.submit(question, None, None, api_name="/ask").result(timeout=timeout)
            ms = (time.perf_counter() - t) * 1000
            if not isinstance(record, dict) or not isinstance(record.get("answer"), str) or "refused" not in record:
                raise ValueError(f"not an answer record: {str(record)[:200]}")
        except Exception as exc:  # noqa: BLE001 — whatever fails, the request is counted as an error
            with tally.lock:
                tally.errors.append(f"{question[:30]}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        with tally.lock:
            tally.latencies_ms.append(ms)
            tally.server_ms.append(float(record.get("latency_ms") or 0.0))
            tally.refused += bool(record["refused"])


def run(url: str | None, users: int, duration: float, max_requests: int, timeout: float, dataset: Path) -> dict[str, Any]:
    questions = [item.question for item in dev_questions(dataset)]
    proc = None
    if url is None:
        print("starting app.py …", file=sys.stderr)
        url, proc = start_app(OUT / "load-app.log", STARTUP_SECONDS)
    try:
        warm = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        for q in questions[:WARMUP_QUESTIONS]:
            warm.predict(q, None, None, api_name="/ask")
        tally, stop, samples = Tally(), threading.Event(), []
        started = time.monotonic()
        sampler = None
        if proc is not None:
            sampler = threading.Thread(target=sample_memory, args=(proc.pid, stop, samples, started), daemon=True)
            sampler.start()
        deadline = started + duration
        budget = itertools.count()
        threads = [threading.Thread(target=user, daemon=True, args=(url, questions, n * len(questions) // users, deadline,
                                                                      budget, max_requests, timeout, tally))
                   for n in range(users)]
        print(f"{users} users for {duration:.0f} s against {url} …", file=sys.stderr)
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline + timeout + 30 - time.monotonic()))  # bounded even if a request hangs
        elapsed = time.monotonic() - started
        stop.set()
        if sampler is not None:
            sampler.join(5)
    finally:
        if proc is not None:
            stop_app(proc)
    done = len(tally.latencies_ms)
    memory = None
    if samples:
        rss = [s for _, s in samples]
        mid = len(rss) // 2
        middle, end = rss[max(0, mid - WINDOW // 2): mid + WINDOW // 2], rss[-WINDOW:]
        memory = {"first_mb": rss[0], "last_mb": rss[-1], "max_mb": max(rss), "samples": len(rss),
                  "growth_pct": round((rss[-1] - rss[0]) / rss[0] * 100, 2),
                  "second_half_growth_pct": round((sum(end) / len(end) / (sum(middle) / len(middle)) - 1) * 100, 2),
                  "series": samples}
    return {
        "url": url,
        "users": users,
        "duration_s": duration,
        "elapsed_s": round(elapsed, 1),
        "requests": done + len(tally.errors),
        "answered": done,
        "refused": tally.refused,
        "errors": len(tally.errors),
        "error_examples": tally.errors[:10],
        "still_running_users": sum(t.is_alive() for t in threads),
        "throughput_rps": round(done / elapsed, 2) if elapsed else None,
        "latency": latency_summary(tally.latencies_ms),
        "server_latency": latency_summary(tally.server_ms),
        "memory": memory,
        "passed": not tally.errors and (memory is None or memory["second_half_growth_pct"] <= MEMORY_GROWTH_LIMIT * 100),
    }


def render(result: dict[str, Any]) -> str:
    m, lat, srv, mem = result["machine"], result["latency"], result["server_latency"], result["memory"]
    rows = [
        ["simulated users × duration", f"{result['users']} × {result['duration_s']:.0f} s (ran {result['elapsed_s']} s)"],
        ["requests (answered / errors)", f"{result['requests']} ({result['answered']} / {result['errors']})"],
        ["throughput", f"{result['throughput_rps']} answers/s"],
        ["latency seen by the client p50 / p95 / max", f"{lat['p50_ms']} / {lat['p95_ms']} / {lat['max_ms']} ms"],
        ["answer time in the server (latency_ms) p50 / p95", f"{srv['p50_ms']} / {srv['p95_ms']} ms"],
    ]
    if mem:
        rows.append(["server RSS first / last / max", (f"{mem['first_mb']} / {mem['last_mb']} / {mem['max_mb']} MB "
                                                       f"({mem['growth_pct']:+.1f}%, {mem['samples']} samples)")])
        rows.append(["server RSS growth over the second half (end vs mid-run)", f"{mem['second_half_growth_pct']:+.1f}%"])
    return "\n".join([
        f"Load test through the Gradio API `/ask`, {m['date']} ({m['cpus']} CPUs, load average {m['load_avg_1m']} at start)",
        "",
        markdown_table(["measure", "value"], rows),
        "",
        f"Result: {'PASS' if result['passed'] else 'FAIL'} (0 errors and second-half RSS growth ≤ {MEMORY_GROWTH_LIMIT:.0%}).",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=5000, help="stop after this many requests in all")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as failed")
    parser.add_argument("--url", help="an app already running (memory is then not sampled)")
    parser.add_argument("--dataset", type=Path, default=DEV_SET)
    args = parser.parse_args(argv)
    context = machine()
    try:
        result = run(args.url, args.users, args.duration, args.max_requests, args.timeout, args.dataset)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {"machine": context, **result}
    path = write_result("load", result)
    print(render(result))
    print(f"\nwrote {path}", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
