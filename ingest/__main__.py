"""CLI: ``python -m ingest DIR [--out build]`` writes the records; ``python -m ingest outline FILE`` prints a heading tree.

Outputs (`ingest.output`; JSON Lines, UTF-8, one record per line, each file replaced atomically):
``documents.jsonl`` (the `DocumentMeta` fields), ``clauses.jsonl``, ``headings.jsonl``, ``indicators.jsonl``,
``tasks.jsonl``, ``figures.jsonl`` and ``sources/<doc_id>.txt`` — the layout of an index version's corpus,
so ``python -m index build --from OUT`` indexes it without parsing the plans again.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ingest.corpus import load_corpus, parse_file
from ingest.errors import IngestError
from ingest.output import write_output
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
        write_output(out, docs)
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


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
