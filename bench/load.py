"""Load test: simulated users asking dev-set questions through each way in, with the server's memory watched.

    python -m bench.load [--users 20] [--duration 60] [--paths gradio openai api] [--url http://127.0.0.1:7860]
    python -m bench.load --workers 1 2 [--paths api openai]      # the same load with PLANQA_WORKERS=1, then 2

Without `--url` it starts `python app.py` itself on a free loopback port (the index of PLANQA_INDEX_DIR,
`build/index` by default) and stops it at the end. The paths are loaded one after another against the
same server, each for `--duration` seconds:

* `gradio`: the Gradio API `/ask` through `gradio_client` (Gradio's queue, PLANQA_CONCURRENCY at once);
* `openai`: `POST /v1/chat/completions`, non-streaming, one user message;
* `api`: `POST /api/ask` with the question.

Each user has its own client and asks the dev questions in turn (each user from a different start), one
request after another, until the time or `--max-requests` (per path) runs out; a request that takes longer
than `--timeout` counts as an error, and so does any answer that is not a record with `answer` and `refused`.
After a short warm-up, the server's resident memory (its process and any children) is sampled every second.
Memory rises at first while the server's worker threads and the allocator's arenas warm up (measured here:
+35 MB in the first minute, then level within ±1% over the third), so the growth that counts is over the
second half of each path's run: the mean of the last 10 samples against the mean of the 10 around mid-run.
A path passes with no errors and that growth ≤ 3%; the JSON paths' targets (issue 12: ≥ 60 answers/s,
p95 ≤ 300 ms) are reported next to it. Writes build/bench/load.json and prints a markdown table.

`--workers 1 2` starts the server once per count (PLANQA_WORKERS, webui/workers.py) and puts the runs side by
side: answers/s, p50/p95, the CPU the load client itself used (it shares the machine's cores with the server)
and the server's, the load average when each run started, and the ratio of answers/s to the first count's
(issue 20's target: ≥ 1.3× with 2 workers at p95 ≤ 400 ms). Written to build/bench/load-workers.json.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
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
from bench.process import start_app, stop_app

STARTUP_SECONDS = 240
WARMUP_QUESTIONS = 5
MEMORY_GROWTH_LIMIT = 0.03  # second-half RSS growth (see the module docstring)
WINDOW = 10  # samples averaged at mid-run and at the end
PATHS = ("gradio", "openai", "api")
JSON_TARGET_RPS, JSON_TARGET_P95_MS = 60.0, 300.0  # issue 12, for the JSON paths
WORKERS_TARGET_RATIO, WORKERS_TARGET_P95_MS = 1.3, 400.0  # issue 20, 2 workers against 1


@dataclass
class Tally:
    """What the users did; appended to under a lock."""

    latencies_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU seconds of a process (and its children: a server's workers)."""
    try:
        proc = psutil.Process(pid)
        total = sum(proc.cpu_times()[:2])
        for child in proc.children(recursive=True) if children else ():
            try:
                total += sum(child.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


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


def asker(path: str, url: str, timeout: float) -> Callable[[str], dict[str, Any]]:
    """A function asking one question through `path` with a client of its own; returns the answer record."""
    if path == "gradio":
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        return lambda q: client.submit(q, None, None, api_name="/ask").result(timeout=timeout)
    http = httpx.Client(base_url=url, timeout=timeout)
    if path == "openai":
        def chat(q: str) -> dict[str, Any]:
            r = http.post("/v1/chat/completions", json={"model": "planqa", "messages": [{"role": "user", "content": q}]})
            r.raise_for_status()
            body = r.json()
            return {"answer": body["choices"][0]["message"]["content"], "refused": body["refused"],
                    "latency_ms": body["planqa"]["latency_ms"]}
        return chat

    def api(q: str) -> dict[str, Any]:
        r = http.post("/api/ask", json={"question": q})
        r.raise_for_status()
        return r.json()
    return api


def user(path: str, url: str, questions: list[str], start: int, deadline: float, budget: itertools.count,
         max_requests: int, timeout: float, tally: Tally) -> None:
    """One simulated user: asks in turn until the time or the shared request budget runs out."""
    try:
        ask = asker(path, url, timeout)
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
            record = ask(question)
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


def memory_summary(samples: list[tuple[float, float]]) -> dict[str, Any] | None:
    if not samples:
        return None
    rss = [s for _, s in samples]
    mid = len(rss) // 2
    middle, end = rss[max(0, mid - WINDOW // 2): mid + WINDOW // 2], rss[-WINDOW:]
    return {"first_mb": rss[0], "last_mb": rss[-1], "max_mb": max(rss), "samples": len(rss),
            "growth_pct": round((rss[-1] - rss[0]) / rss[0] * 100, 2),
            "second_half_growth_pct": round((sum(end) / len(end) / (sum(middle) / len(middle)) - 1) * 100, 2),
            "series": samples}


def load_path(path: str, url: str, pid: int | None, questions: list[str], users: int, duration: float,
              max_requests: int, timeout: float) -> dict[str, Any]:
    """`users` users through `path` for `duration` seconds (after a few warm-up questions)."""
    warm = asker(path, url, timeout)
    for q in questions[:WARMUP_QUESTIONS]:
        warm(q)
    tally, stop, samples = Tally(), threading.Event(), []
    started = time.monotonic()
    sampler = None
    if pid is not None:
        sampler = threading.Thread(target=sample_memory, args=(pid, stop, samples, started), daemon=True)
        sampler.start()
    deadline = started + duration
    load_avg = round(os.getloadavg()[0], 2)
    client_cpu, server_cpu = cpu_seconds(os.getpid(), children=False), cpu_seconds(pid) if pid else None
    budget = itertools.count()
    threads = [threading.Thread(target=user, daemon=True, args=(path, url, questions, n * len(questions) // users,
                                                                  deadline, budget, max_requests, timeout, tally))
               for n in range(users)]
    print(f"{path}: {users} users for {duration:.0f} s against {url} …", file=sys.stderr)
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline + timeout + 30 - time.monotonic()))  # bounded even if a request hangs
    elapsed = time.monotonic() - started
    client_cpu = cpu_seconds(os.getpid(), children=False) - client_cpu
    server_cpu = cpu_seconds(pid) - server_cpu if pid and server_cpu is not None else None
    stop.set()
    if sampler is not None:
        sampler.join(5)
    done = len(tally.latencies_ms)
    memory = memory_summary(samples)
    latency = latency_summary(tally.latencies_ms)
    rps = round(done / elapsed, 2) if elapsed else None
    result = {
        "path": path, "users": users, "duration_s": duration, "elapsed_s": round(elapsed, 1),
        "requests": done + len(tally.errors), "answered": done, "refused": tally.refused, "errors": len(tally.errors),
        "error_examples": tally.errors[:10], "still_running_users": sum(t.is_alive() for t in threads),
        "throughput_rps": rps, "latency": latency, "server_latency": latency_summary(tally.server_ms),
        "memory": memory, "load_avg_1m_at_start": load_avg,
        "client_cpu_cores": round(client_cpu / elapsed, 2) if elapsed else None,
        "server_cpu_cores": round(server_cpu / elapsed, 2) if elapsed and server_cpu is not None else None,
        "passed": not tally.errors and (memory is None or memory["second_half_growth_pct"] <= MEMORY_GROWTH_LIMIT * 100),
    }
    if path != "gradio":
        result["targets_met"] = bool(rps and rps >= JSON_TARGET_RPS and (latency.get("p95_ms") or 1e9) <= JSON_TARGET_P95_MS)
    return result


def run(url: str | None, users: int, duration: float, max_requests: int, timeout: float, dataset: Path,
        paths: list[str], workers: int | None = None) -> dict[str, Any]:
    questions = [item.question for item in dev_questions(dataset)]
    proc = None
    if url is None:
        print(f"starting app.py{f' with PLANQA_WORKERS={workers}' if workers else ''} …", file=sys.stderr)
        env = {"PLANQA_WORKERS": str(workers)} if workers else {}
        url, proc = start_app(OUT / f"load-app{f'-{workers}-workers' if workers else ''}.log", STARTUP_SECONDS, **env)
    try:
        results = {p: load_path(p, url, proc.pid if proc else None, questions, users, duration, max_requests, timeout)
                   for p in paths}
    finally:
        if proc is not None:
            stop_app(proc)
    return {"url": url, "users": users, "duration_s": duration, "paths": results,
            "passed": all(r["passed"] for r in results.values())}


NAMES = {"gradio": "Gradio `/ask`", "openai": "`/v1/chat/completions`", "api": "`/api/ask`"}


def render(result: dict[str, Any]) -> str:
    m, paths = result["machine"], result["paths"]
    rows = [["", *(NAMES[p] for p in paths)]]
    def row(label: str, f: Callable[[dict[str, Any]], Any]) -> None:
        rows.append([label, *(f(r) for r in paths.values())])
    row("requests (answered / errors)", lambda r: f"{r['requests']} ({r['answered']} / {r['errors']})")
    row("throughput", lambda r: f"{r['throughput_rps']} answers/s")
    row("client latency p50 / p95 / max", lambda r: f"{r['latency']['p50_ms']} / {r['latency']['p95_ms']} / "
                                                      f"{r['latency']['max_ms']} ms")
    row("answer time in the server p50 / p95", lambda r: f"{r['server_latency']['p50_ms']} / "
                                                           f"{r['server_latency']['p95_ms']} ms")
    row("server RSS first / last / max", lambda r: (f"{r['memory']['first_mb']} / {r['memory']['last_mb']} / "
                                                     f"{r['memory']['max_mb']} MB") if r["memory"] else "–")
    row("RSS growth over the second half", lambda r: f"{r['memory']['second_half_growth_pct']:+.1f}%" if r["memory"] else "–")
    row("result", lambda r: ("PASS" if r["passed"] else "FAIL") + (
        "" if "targets_met" not in r else f", targets {'met' if r['targets_met'] else 'not met'}"))
    return "\n".join([
        (f"Load test, {result['users']} users × {result['duration_s']:.0f} s per path, one server, {m['date']} "
         f"({m['cpus']} CPUs, load average {m['load_avg_1m']} at start)"),
        "",
        markdown_table(rows[0], rows[1:]),
        "",
        (f"PASS: 0 errors and second-half RSS growth ≤ {MEMORY_GROWTH_LIMIT:.0%}; targets for the JSON paths: "
         f"≥ {JSON_TARGET_RPS:.0f} answers/s and p95 ≤ {JSON_TARGET_P95_MS:.0f} ms."),
    ])


def render_workers(result: dict[str, Any]) -> str:
    """The runs with each worker count side by side, one column per (path, count)."""
    m, runs = result["machine"], result["runs"]
    counts = list(runs)
    paths = list(runs[counts[0]]["paths"])
    cols = [(p, w) for p in paths for w in counts]
    header = ["", *(f"{NAMES[p]}, {w} worker{'s' if int(w) > 1 else ''}" for p, w in cols)]

    def row(label: str, f: Callable[[dict[str, Any], str, str], Any]) -> list[Any]:
        return [label, *(f(runs[w]["paths"][p], p, w) for p, w in cols)]

    def ratio(r: dict[str, Any], p: str, w: str) -> str:
        base = runs[counts[0]]["paths"][p]["throughput_rps"]
        return f"{r['throughput_rps'] / base:.2f}×" if base and r["throughput_rps"] else "–"

    rows = [
        row("answers/s", lambda r, p, w: r["throughput_rps"]),
        row(f"ratio to {counts[0]} worker(s)", ratio),
        row("client latency p50 / p95 ms", lambda r, p, w: f"{r['latency']['p50_ms']} / {r['latency']['p95_ms']}"),
        row("requests (errors)", lambda r, p, w: f"{r['requests']} ({r['errors']})"),
        row("load client CPU (cores)", lambda r, p, w: r["client_cpu_cores"]),
        row("server CPU, all processes (cores)", lambda r, p, w: r["server_cpu_cores"]),
        row("load average at start", lambda r, p, w: r["load_avg_1m_at_start"]),
        row("server RSS max MB", lambda r, p, w: r["memory"]["max_mb"] if r["memory"] else "–"),
    ]
    return "\n".join([
        f"Load by worker count, {result['users']} users × {result['duration_s']:.0f} s per run, {m['date']} "
        f"({m['cpus']} CPUs shared with the load client and other work)",
        "",
        markdown_table(header, rows),
        "",
        f"Target (issue 20): ≥ {WORKERS_TARGET_RATIO}× the answers/s of one worker with 2, at p95 ≤ "
        f"{WORKERS_TARGET_P95_MS:.0f} ms.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=20000, help="stop a path after this many requests")
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS), help="the ways in to load, in order")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as failed")
    parser.add_argument("--url", help="an app already running (memory is then not sampled)")
    parser.add_argument("--dataset", type=Path, default=DEV_SET)
    parser.add_argument("--workers", type=int, nargs="+", help="run once per PLANQA_WORKERS count, side by side")
    args = parser.parse_args(argv)
    context = machine()
    if args.workers:
        if args.url:
            parser.error("--workers starts its own servers: leave out --url")
        try:
            runs = {str(w): run(None, args.users, args.duration, args.max_requests, args.timeout, args.dataset,
                                args.paths, workers=w) for w in args.workers}
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        result = {"machine": context, "users": args.users, "duration_s": args.duration, "runs": runs,
                  "passed": all(r["passed"] for r in runs.values())}
        path = write_result("load-workers", result)
        print(render_workers(result))
        print(f"\nwrote {path}", file=sys.stderr)
        return 0 if result["passed"] else 1
    try:
        result = run(args.url, args.users, args.duration, args.max_requests, args.timeout, args.dataset, args.paths)
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
