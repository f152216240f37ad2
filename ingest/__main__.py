"""CLI: ``python -m ingest DIR [--out build]`` writes the records; ``python -m ingest outline FILE`` prints a heading tree.

Outputs (JSON Lines, UTF-8, one record per line, each file replaced atomically):
``clauses.jsonl`` (`Clause.to_dict`), ``indicators.jsonl`` (`IndicatorRecord.to_dict`),
``tasks.jsonl`` (`TaskRecord.to_dict`) and ``documents.jsonl`` (the `DocumentMeta` fields,
so ``DocumentMeta(**row)`` rebuilds it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ingest.corpus import load_corpus, parse_file
from ingest.errors import IngestError
from ingest.readers import SUPPORTED_EXTENSIONS
from ingest.records import ParsedDocument

_COLUMNS = ("sections", "clauses", "table_rows", "indicators", "tasks")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["outline"]:
        parser = argparse.ArgumentParser(prog="python -m ingest outline", description="Print a plan's heading tree.")
        parser.add_argument("file", type=Path)
        return _outline(parser.parse_args(argv[1:]).file)
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Parse the plans of a directory into build/*.jsonl. (Also: python -m ingest outline FILE.)",
    )
    parser.add_argument("plans_dir", type=Path, help="directory of plan files and manifest.json, e.g. data/plans")
    parser.add_argument("--out", type=Path, default=Path("build"), help="output directory (default: build)")
    args = parser.parse_args(argv)
    return _build(args.plans_dir, args.out)


def _build(plans_dir: Path, out: Path) -> int:
    started = time.perf_counter()
    try:
        result = load_corpus(plans_dir, progress=True)
    except IngestError as exc:
        return _fail(str(exc))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in result.errors:
        print(f"skipped: {error.message}", file=sys.stderr)
    if not result.documents and not result.errors:
        return _fail(
            f"{plans_dir}: 目录中没有规划文件（支持 {', '.join(SUPPORTED_EXTENSIONS)}）"
            f" / no plan files in this directory (supported: {', '.join(SUPPORTED_EXTENSIONS)})"
        )
    if not result.documents:
        n = len(result.errors)
        return _fail(f"{plans_dir}: {n} 个文件均无法解析 / none of the {n} file(s) could be parsed")
    docs = result.documents
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_jsonl(out / "clauses.jsonl", (c.to_dict() for d in docs for c in d.clauses))
        _write_jsonl(out / "indicators.jsonl", (r.to_dict() for d in docs for r in d.indicators))
        _write_jsonl(out / "tasks.jsonl", (t.to_dict() for d in docs for t in d.tasks))
        _write_jsonl(out / "documents.jsonl", (asdict(d.meta) for d in docs))
    except OSError as exc:
        return _fail(f"{out}: 无法写入输出 / cannot write the output ({exc.strerror or exc})")
    rows = [(d.meta.doc_id, _counts(d)) for d in docs]
    width = max(len("doc_id"), *(len(doc_id) for doc_id, _ in rows))
    print(f"{'doc_id':<{width}}  " + "  ".join(f"{c:>10}" for c in _COLUMNS))
    for doc_id, counts in rows:
        print(f"{doc_id:<{width}}  " + "  ".join(f"{counts[c]:>10}" for c in _COLUMNS))
    print(f"{'total':<{width}}  " + "  ".join(f"{sum(r[1][c] for r in rows):>10}" for c in _COLUMNS))
    print(
        f"{len(docs)} plan(s) parsed, {len(result.errors)} skipped, "
        f"{time.perf_counter() - started:.2f} s → {out}/"
    )
    return 0


def _counts(doc: ParsedDocument) -> dict[str, int]:
    return {
        "sections": len(doc.headings),
        "clauses": len(doc.clauses),
        "table_rows": sum(1 for c in doc.clauses if c.kind == "table_row"),
        "indicators": len(doc.indicators),
        "tasks": len(doc.tasks),
    }


def _outline(path: Path) -> int:
    try:
        doc = parse_file(path)
    except IngestError as exc:
        return _fail(str(exc))
    print(f"{doc.meta.title}  [{doc.meta.doc_id}, {doc.meta.city or '城市未知 / city unknown'}]")
    if not doc.headings:
        print("（无标题层级：按无结构文档处理 / no headings: a flat document）")
    for heading in doc.headings:
        print("  " * (heading.level - 1) + heading.title)
    return 0


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write to a temp file beside `path`, then rename: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0o666 & umask, unlike mkstemp's 0o600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
