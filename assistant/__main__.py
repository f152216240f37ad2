"""`python -m assistant ask "问题" [--json]` and `python -m assistant batch --in Q.jsonl --out A.jsonl`.

`batch --format ragas|ragchecker [--gold D.jsonl]` also writes those frameworks' input next to A.jsonl
(see assistant/eval_formats.py).

The JSON objects follow the contract in `assistant/contract.py` (documented in eval/README.md).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant import eval_formats
from assistant.contract import AnswerRecord
from assistant.service import Assistant, QuestionError
from index.embeddings import EmbeddingModelError
from index.retriever import FilterError, Filters
from index.versions import IndexUnavailableError


def _answer(assistant: Assistant, question: str, id: str | None, filters: Filters | None,
            history: Sequence[str] = (), profile: dict | None = None) -> AnswerRecord:
    try:
        return assistant.ask(question, history=history, filters=filters, profile=profile).record(question, id)
    except (QuestionError, FilterError) as exc:
        return AnswerRecord(id=id, question=str(question), answer=str(exc), refused=True)


def _names(value) -> tuple[str, ...]:
    """A filter's names: one string is one name, a list of strings is names; anything else is a TypeError."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError(value)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except (IndexUnavailableError, EmbeddingModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="PlanQA: ask the plans.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the JSON contract object")
    ask.add_argument("--city", action="append", default=[], help="restrict to a city (repeatable)")
    ask.add_argument("--doc", action="append", default=[], help="restrict to a plan doc_id (repeatable)")
    batch = sub.add_parser("batch", help="answer a JSONL file of {id, question, history?, profile?}")
    batch.add_argument("--in", dest="inp", required=True, type=Path)
    batch.add_argument("--out", required=True, type=Path)
    batch.add_argument("--format", action="append", default=[], choices=eval_formats.FORMATS,
                       help="also write this evaluation framework's input next to --out (repeatable): "
                            "ragas → OUT.ragas.jsonl, ragchecker → OUT.ragchecker.json")
    batch.add_argument("--gold", type=Path, help="a JSONL dataset with gold answers by id (reference, gt_answer, "
                                                 "answer or eval's answer_facts) for the --format files")
    args = parser.parse_args(argv)

    assistant = Assistant.from_index()
    if args.command == "ask":
        filters = Filters(cities=tuple(args.city), doc_ids=tuple(args.doc))
        record = _answer(assistant, args.question, None, filters)
        if args.json:
            print(record.model_dump_json())
        else:
            print(record.answer)
            for n, c in enumerate(record.citations, 1):
                print(f"[{n}] {c.doc_id} · {c.section} · {c.quote}")
            if record.generation and (note := record.generation.note()):
                print(f"（{note}）")
                for d in record.generation.dropped:
                    print(f"  删去：{d.sentence}（{d.reason}）")
        return 0

    if not args.inp.is_file():
        print(f"error: no such file: {args.inp}", file=sys.stderr)
        return 2
    gold = None
    if args.gold is not None:
        try:
            gold = eval_formats.read_gold(args.gold)
        except (OSError, eval_formats.GoldError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    records: list[AnswerRecord] = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    bad = 0
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out, open(args.inp, "rb") as inp:
        for line_no, raw in enumerate(inp, 1):
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError:
                print(f"warning: line {line_no}: not UTF-8 text; skipped", file=sys.stderr)
                bad += 1
                continue
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question, id = item["question"], str(item["id"])
            except (ValueError, KeyError, TypeError):
                print(f"warning: line {line_no}: not an object with id and question; skipped", file=sys.stderr)
                bad += 1
                continue
            history, profile, filters = item.get("history") or [], item.get("profile"), item.get("filters") or {}
            try:
                if not (isinstance(history, list) and all(isinstance(t, str) for t in history)) or not (
                        profile is None or isinstance(profile, dict)) or not isinstance(filters, dict):
                    raise TypeError
                chosen = Filters(cities=_names(filters.get("cities")), doc_ids=_names(filters.get("doc_ids")))
            except TypeError:
                print(f"warning: line {line_no}: history must be a list of strings (earlier user turns, oldest first), "
                      f"profile an object and filters {{\"cities\": [...], \"doc_ids\": [...]}}; skipped", file=sys.stderr)
                bad += 1
                continue
            record = _answer(assistant, question, id, chosen, history, profile)
            records.append(record)
            out.write(record.model_dump_json() + "\n")
    os.replace(tmp, args.out)
    index = assistant.index
    for fmt in dict.fromkeys(args.format):
        path = eval_formats.write(fmt, args.out, records, index.source, gold)
        print(f"wrote {path}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
