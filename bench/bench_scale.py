"""Retrieval at 10^4–10^6 clauses: FAISS Flat / HNSW / IVF-PQ and Milvus Lite, through PlanQA's vector stores.

    python -m bench.bench_scale prepare [--sizes 10000 100000 1000000]   # embed, synthesize, exact top-10
    python -m bench.bench_scale run [--configs faiss-hnsw ...] [--sizes ...] [--set KEY=JSON ...]
    python -m bench.bench_scale table                                     # markdown of build/bench/results.json

What is measured, per configuration and size, each phase in its own subprocess so peak RSS is honest:
- build: `index.vector_backends.build_vector_store` (the code `python -m index build` runs) — seconds, peak
  RSS of the building process (it holds the input vectors), index size on disk;
- serve: a fresh process opens the store from disk (`open_vector_store`) and runs the queries one at a
  time, as `PlanIndex` does — load seconds, p50/p95 latency at k=10, recall@10 against exact search,
  the same with a city filter, peak RSS. Search breadth (HNSW efSearch, IVF nprobe, Milvus ef) is swept
  without rebuilding.

Vectors. Embedding 10^6 passages with the real model takes hours on 2 cores, so: the first 10^4
synthetic clauses (bench/synthetic.py) are embedded with the real encoder, which also gives its
measured throughput; the queries are real embeddings of 200 synthetic questions. Rows beyond 10^4 are
variants of real ones: x = normalise((1-λ)·v_b + λ·v_p + γ·(z∘s)·Vᵀ), with v_b a random real
embedding, v_p one of its 20 nearest real neighbours, λ ~ U(0, 0.5), z ~ N(0, I), s and V the principal
standard deviations and axes of the real embeddings (so noise follows their anisotropy instead of
inflating the dimension), and γ calibrated so that a variant is as similar to its base (median cosine)
as a real clause is to its nearest real neighbour. Rows are generated in fixed chunks from fixed
seeds, so each size is a prefix of the next. Metadata (doc_id, city, kind) come from the generator.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.synthetic import DEFAULT_SEED, iter_documents, iter_passages, queries
from index.settings import IndexSettings
from index.faiss_store import RowTable
from index.vector_backends import build_vector_store, open_vector_store
from index.vectorstore import RowMeta

OUT = Path("build/bench")
SIZES = (10_000, 100_000, 1_000_000)
REAL = 10_000  # rows embedded with the real model
N_QUERIES = 200
N_FILTERED = 50
K = 10
WARMUP = 20
CHUNK = 50_000
PHASE_TIMEOUT = 25 * 60  # seconds; a phase beyond this is reported as timed out
BUDGET = 15 * 60  # a configuration projected to build longer than this at a size is skipped


@dataclass(frozen=True)
class Config:
    """A store configuration: settings for the build, and one search-breadth setting to sweep."""

    settings: dict[str, Any]
    sweep_key: str | None = None
    sweep: tuple[Any, ...] = ()
    scaling: float = 10.0  # build time growth per 10x rows, to project whether the next size fits
    # (HNSW measured here: 55.6 s at 10^5 -> 980 s at 10^6, a factor of 17.6)


CONFIGS: dict[str, Config] = {
    "faiss-flat": Config({"faiss_flat_max": 10**9}),
    "faiss-hnsw": Config(
        {"faiss_flat_max": 0, "faiss_approx": "hnsw", "faiss_hnsw_m": 32, "faiss_hnsw_ef_construction": 100},
        "faiss_hnsw_ef_search", (16, 32, 64, 128, 256), scaling=18.0,
    ),
    # 8-bit vectors in the graph: the configuration tuned for 10^6 clauses in under 2 GB.
    "faiss-hnswsq": Config(
        {"faiss_flat_max": 0, "faiss_approx": "hnswsq", "faiss_hnsw_m": 16, "faiss_hnsw_ef_construction": 64},
        "faiss_hnsw_ef_search", (64, 128, 256, 512, 1024, 2048), scaling=18.0,
    ),
    "faiss-ivfpq": Config({"faiss_flat_max": 0, "faiss_approx": "ivfpq"}, "faiss_ivf_nprobe", (8, 32, 128, 256), scaling=15.0),
    "milvus-lite": Config(
        {"vector_store": "milvus", "faiss_flat_max": 0, "milvus_index_type": "HNSW",
         "milvus_index_params": {"M": 16, "efConstruction": 64}},
        "milvus_search_params", ({"ef": 64}, {"ef": 256}, {"ef": 512}), scaling=18.0,
    ),
}


@dataclass(frozen=True)
class CityFilter:
    """A metadata filter on one city (what a question naming a city restricts to)."""

    cities: tuple[str, ...]
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


# -- prepare ------------------------------------------------------------------------------------
def embed(out: Path, seed: int) -> dict[str, Any]:
    """Real embeddings of the first 10^4 synthetic passages and of the queries, with throughput."""
    from index.embeddings import get_encoder

    settings = IndexSettings()
    encoder = get_encoder(settings)
    rows = list(iter_passages(REAL, seed))
    texts = [p for _, _, p in rows]
    # Throughput on ~140-character passages (the plans' median passage is 147 characters), batch 64.
    sample = [p for c, _, p in rows if c.kind != "heading" and 110 <= len(p) <= 175][:2048]
    encoder.encode_passages(sample[:64], progress=False)  # warm-up
    started = time.perf_counter()
    encoder.encode_passages(sample, progress=False)
    single = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    vectors = encoder.encode_passages(texts, progress=True)
    full = len(texts) / (time.perf_counter() - started)
    np.save(out / "real.npy", vectors)
    qs = queries(N_QUERIES, seed, pool=REAL)
    np.save(out / "queries.npy", np.stack([encoder.encode_query(q.text) for q in qs]))
    (out / "queries.json").write_text(json.dumps([vars(q) for q in qs], ensure_ascii=False, indent=0), encoding="utf-8")
    # Two worker processes (sentence-transformers' multi-process pool), one onnxruntime thread each.
    pool = encoder.model.start_multi_process_pool(["cpu"] * 2)
    try:
        encoder.model.encode_document(sample[:128], pool=pool, batch_size=64)  # workers load the model
        started = time.perf_counter()
        encoder.model.encode_document(sample, pool=pool, batch_size=64, normalize_embeddings=True)
        parallel = len(sample) / (time.perf_counter() - started)
    finally:
        encoder.model.stop_multi_process_pool(pool)
    result = {
        "model": encoder.model_id, "batch_size": encoder.batch_size, "onnx_threads": settings.embed_threads,
        "sample_passages": len(sample), "sample_mean_chars": round(statistics.mean(map(len, sample)), 1),
        "passages_per_s": round(single, 1), "projected_hours_1e6": round(1e6 / single / 3600, 2),
        "all_passages": len(texts), "all_mean_chars": round(statistics.mean(map(len, texts)), 1),
        "all_passages_per_s": round(full, 1),
        "two_processes_passages_per_s": round(parallel, 1), "load_average": os.getloadavg()[0],
    }
    (out / "embed.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def synthesize(out: Path, n: int, seed: int) -> dict[str, Any]:
    """`vectors.npy` (n rows; the first 10^4 real) and the calibration used."""
    real = np.load(out / "real.npy")
    m, d = real.shape
    import faiss

    flat = faiss.IndexFlatIP(d)
    flat.add(real)
    sims, nbrs = flat.search(real, 21)
    nearest = float(np.median(sims[:, 1]))  # a real clause vs its nearest other real clause
    mu = real.mean(axis=0)
    _, sv, vt = np.linalg.svd(real - mu, full_matrices=False)
    spread = sv / np.sqrt(m)

    def variants(rng: np.random.Generator, count: int, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        base = rng.integers(0, m, count)
        partner = nbrs[base, rng.integers(1, 21, count)]
        lam = rng.uniform(0, 0.5, (count, 1)).astype(np.float32)
        noise = (rng.standard_normal((count, d)).astype(np.float32) * spread) @ vt
        y = (1 - lam) * real[base] + lam * real[partner] + gamma * noise
        return (y / np.linalg.norm(y, axis=1, keepdims=True)).astype(np.float32), base

    low, high = 0.0, 2.0  # bisection: the median cosine to the base falls as gamma grows
    for _ in range(30):
        gamma = (low + high) / 2
        x, base = variants(np.random.default_rng([seed, 999]), 4000, gamma)
        if np.median(np.einsum("ij,ij->i", x, real[base])) > nearest:
            low = gamma
        else:
            high = gamma
    vectors = np.lib.format.open_memmap(out / "vectors.npy", mode="w+", dtype=np.float32, shape=(n, d))
    vectors[:m] = real
    for k, start in enumerate(range(m, n, CHUNK)):
        stop = min(n, start + CHUNK)
        vectors[start:stop] = variants(np.random.default_rng([seed, k]), stop - start, gamma)[0]
    vectors.flush()
    del vectors
    x, base = variants(np.random.default_rng([seed, 998]), 4000, gamma)
    info = {"rows": n, "real_rows": m, "gamma": round(gamma, 4), "median_nn_cosine_real": round(nearest, 4),
            "median_cosine_variant_to_base": round(float(np.median(np.einsum("ij,ij->i", x, real[base]))), 4)}
    (out / "synthesis.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def metadata(out: Path, n: int, seed: int) -> None:
    """Per-row doc_id, city, kind of the first n synthetic clauses (`rows.npz`)."""
    rows = [RowMeta(c.doc_id, doc.meta.city or "", c.kind) for doc in iter_documents(n, seed) for c in doc.clauses]
    RowTable.from_rows(rows).save(out / "rows.npz")


def ground_truth(out: Path, n: int) -> None:
    """Exact top-10 of every query over the first n rows, and with each query's city filter."""
    import faiss

    vectors = np.load(out / "vectors.npy", mmap_mode="r")[:n]
    q = np.load(out / "queries.npy")
    best_s = np.full((len(q), K), -np.inf, dtype=np.float32)
    best_i = np.full((len(q), K), -1, dtype=np.int64)
    for start in range(0, n, 200_000):
        chunk = np.ascontiguousarray(vectors[start : start + 200_000])
        index = faiss.IndexFlatIP(chunk.shape[1])
        index.add(chunk)
        s, i = index.search(q, K)
        all_s, all_i = np.hstack([best_s, s]), np.hstack([best_i, i + start])
        order = np.argsort(-all_s, axis=1, kind="stable")[:, :K]
        best_s, best_i = np.take_along_axis(all_s, order, 1), np.take_along_axis(all_i, order, 1)
    cities = [x["city"] for x in json.loads((out / "queries.json").read_text(encoding="utf-8"))]
    table = RowTable.load(out / "rows.npz")
    filtered = np.full((N_FILTERED, K), -1, dtype=np.int64)
    for j in range(N_FILTERED):
        ids = table.matching(CityFilter((cities[j],)))
        ids = ids[ids < n]
        scores = np.asarray(vectors[ids]) @ q[j]
        filtered[j, : min(K, len(ids))] = ids[np.argsort(-scores, kind="stable")[:K]]
    np.savez(out / f"truth-{n}.npz", ids=best_i, filtered=filtered)


# -- measure (each in its own process) -------------------------------------------------------
def _settings(config: str, overrides: dict[str, Any], sweep_value: Any = None) -> IndexSettings:
    c = CONFIGS[config]
    values = {**c.settings, **overrides}
    if sweep_value is not None and c.sweep_key:
        values[c.sweep_key] = sweep_value
    return IndexSettings(**values)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_phase(out: Path, config: str, n: int, overrides: dict[str, Any]) -> dict[str, Any]:
    directory = out / "runs" / f"{config}-{n}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    vectors = np.load(out / "vectors.npy", mmap_mode="r")[:n]
    table = RowTable.load(out / "rows.npz")
    names = {f: table.vocab[f] for f in table.FIELDS}
    rows = [RowMeta(str(names["doc_id"][a]), str(names["city"][b]), str(names["kind"][c]))
            for a, b, c in zip(table.codes["doc_id"][:n], table.codes["city"][:n], table.codes["kind"][:n])]
    started = time.perf_counter()
    store = build_vector_store(vectors, rows, directory, _settings(config, overrides), progress=False)
    seconds = time.perf_counter() - started
    store.close()
    return {"build_s": round(seconds, 1), "build_rss_mb": _peak_rss_mb(), "size_mb": round(_dir_size(directory) / 2**20, 1),
            "kind": store.kind}


def serve_phase(out: Path, config: str, n: int, overrides: dict[str, Any]) -> list[dict[str, Any]]:
    directory = out / "runs" / f"{config}-{n}"
    q = np.load(out / "queries.npy")
    truth = np.load(out / f"truth-{n}.npz")
    cities = [x["city"] for x in json.loads((out / "queries.json").read_text(encoding="utf-8"))]
    results = []
    for value in CONFIGS[config].sweep or (None,):
        started = time.perf_counter()
        store = open_vector_store(directory, _settings(config, overrides, value))
        load_s = time.perf_counter() - started
        for i in range(WARMUP):
            store.search(q[i], K)
        latency, recall = [], []
        for i in range(len(q)):
            t0 = time.perf_counter()
            ids, _ = store.search(q[i], K)
            latency.append(time.perf_counter() - t0)
            recall.append(len(set(ids.tolist()) & set(truth["ids"][i].tolist())) / K)
        f_latency, f_recall = [], []
        for j in range(N_FILTERED):
            want = {int(i) for i in truth["filtered"][j] if i >= 0}
            t0 = time.perf_counter()
            ids, _ = store.search(q[j], K, where=CityFilter((cities[j],)))
            f_latency.append(time.perf_counter() - t0)
            f_recall.append(len(set(ids.tolist()) & want) / max(1, len(want)))
        store.close()
        del store
        gc.collect()
        results.append({
            "search": value, "load_s": round(load_s, 2),
            "p50_ms": round(1000 * float(np.percentile(latency, 50)), 2), "p95_ms": round(1000 * float(np.percentile(latency, 95)), 2),
            "recall10": round(float(np.mean(recall)), 4),
            "city_p50_ms": round(1000 * float(np.percentile(f_latency, 50)), 2), "city_recall10": round(float(np.mean(f_recall)), 4),
        })
    for r in results:
        r["serve_rss_mb"] = _peak_rss_mb()
    return results


# -- orchestration -----------------------------------------------------------------------------
def _child(
    phase: str, config: str, n: int, overrides: dict[str, Any], threads: int | None = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    cmd = [sys.executable, "-m", "bench.bench_scale", phase, config, str(n), "--overrides", json.dumps(overrides)]
    env = {**os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {})}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PHASE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"{phase} timed out after {PHASE_TIMEOUT // 60} min"}
    if done.returncode != 0:
        return {"error": f"{phase} failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    out: Path, configs: Sequence[str], sizes: Sequence[int], overrides: dict[str, Any], tag: str,
    keep: bool = False, serve_only: bool = False, threads: int | None = None,
) -> None:
    """Build and serve each configuration at each size; `serve_only` re-serves an index kept by `keep`."""
    results_path = out / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else []
    for config in configs:
        previous: float | None = None
        for n in sorted(sizes):
            record: dict[str, Any] = {"config": config, "n": n, "tag": tag, "overrides": overrides, "omp_threads": threads,
                                      "load_average": round(os.getloadavg()[0], 1), "when": time.strftime("%Y-%m-%d %H:%M")}
            projected = previous * CONFIGS[config].scaling if previous is not None else None
            directory = out / "runs" / f"{config}-{n}"
            if serve_only:
                built = (out / "runs" / f"{config}-{n}.build.json")
                if not built.exists():
                    continue
                record.update(json.loads(built.read_text(encoding="utf-8")))
                record["serve"] = _child("_serve", config, n, overrides, threads)
            elif projected is not None and projected > BUDGET:
                record["skipped"] = f"build projected at {projected / 60:.0f} min (> {BUDGET // 60} min budget)"
            else:
                built = _child("_build", config, n, overrides, threads)
                record.update(built)
                if "error" not in built:
                    previous = built["build_s"]
                    record["serve"] = _child("_serve", config, n, overrides, threads)
                if keep and "error" not in built:
                    (out / "runs" / f"{config}-{n}.build.json").write_text(json.dumps(built), encoding="utf-8")
                else:
                    shutil.rmtree(directory, ignore_errors=True)
            print(json.dumps(record, ensure_ascii=False), flush=True)
            results = [r for r in results if (r["config"], r["n"], r.get("tag")) != (config, n, tag)] + [record]
            results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


def table(out: Path) -> str:
    """The results as one markdown row per configuration, size and search setting."""
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    lines = ["| store | n | build s | build RSS MB | size MB | search | p50 ms | p95 ms | recall@10 | city p50 ms | city recall@10 | serve RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: (r["config"], r.get("tag", ""), r["n"])):
        name = r["config"] + (f" ({r['tag']})" if r.get("tag") else "")
        if "skipped" in r or "error" in r:
            lines.append(f"| {name} | {r['n']:,} | {r.get('skipped') or r.get('error')} |||||||||||")
            continue
        serve = r.get("serve")
        if not isinstance(serve, list):
            lines.append(f"| {name} | {r['n']:,} | {r['build_s']} | {r['build_rss_mb']:.0f} | {r['size_mb']:.0f} | {serve} ||||||||")
            continue
        for s in serve:
            search = json.dumps(s["search"]) if s["search"] is not None else "exact"
            lines.append(
                f"| {name} | {r['n']:,} | {r['build_s']} | {r['build_rss_mb']:.0f} | {r['size_mb']:.0f} | {search} | "
                f"{s['p50_ms']} | {s['p95_ms']} | {s['recall10']:.3f} | {s['city_p50_ms']} | {s['city_recall10']:.3f} | "
                f"{s['serve_rss_mb']:.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="embed, synthesize vectors and metadata, compute exact top-10")
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--skip-embed", action="store_true", help="reuse build/bench/real.npy and queries.npy")
    r = sub.add_parser("run", help="build and serve each configuration at each size")
    r.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    r.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=JSON",
                   help="override an index setting, e.g. faiss_hnsw_m=16")
    r.add_argument("--tag", default="", help="label for these results (e.g. the overridden setting)")
    r.add_argument("--keep", action="store_true", help="keep the built indexes under build/bench/runs/")
    r.add_argument("--serve-only", action="store_true", help="measure indexes kept by an earlier --keep run")
    r.add_argument("--threads", type=int, help="OMP_NUM_THREADS for FAISS in the measured processes")
    sub.add_parser("table", help="print the results as markdown")
    for phase in ("_build", "_serve"):
        c = sub.add_parser(phase)
        c.add_argument("config", choices=list(CONFIGS))
        c.add_argument("n", type=int)
        c.add_argument("--overrides", default="{}")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.command == "prepare":
        if not args.skip_embed:
            print(json.dumps(embed(OUT, args.seed)), flush=True)
        biggest = max(args.sizes)
        print(json.dumps(synthesize(OUT, biggest, args.seed)), flush=True)
        metadata(OUT, biggest, args.seed)
        for n in sorted(args.sizes):
            ground_truth(OUT, n)
            print(f"exact top-{K} for n={n:,}", flush=True)
    elif args.command == "run":
        overrides = {}
        for item in args.overrides:
            key, _, value = item.partition("=")
            overrides[key] = json.loads(value)
        run(OUT, args.configs, args.sizes, overrides, args.tag, args.keep, args.serve_only, args.threads)
    elif args.command == "table":
        print(table(OUT))
    elif args.command == "_build":
        print(json.dumps(build_phase(OUT, args.config, args.n, json.loads(args.overrides))))
    else:
        print(json.dumps(serve_phase(OUT, args.config, args.n, json.loads(args.overrides))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
