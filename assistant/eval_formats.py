"""Answers in the input formats of evaluation frameworks: ragas and RAGChecker.

`python -m assistant batch --in Q.jsonl --out A.jsonl --format ragas --format ragchecker [--gold D.jsonl]`
writes the JSON contract to A.jsonl as always and, next to it:

* `A.ragas.jsonl`: one ragas `SingleTurnSample` per line — `user_input`, `retrieved_contexts` (the
  text of the retrieved clauses, best first), `response`, and with gold answers `reference` and
  `reference_contexts` (`ragas.EvaluationDataset.from_jsonl` reads it);
* `A.ragchecker.json`: RAGChecker's input, `{"input_data": [{query_id, query, gt_answer, response,
  retrieved_context: [{doc_id, text}]}]}` (as its examples/checking_inputs.json).

`response` is the answer without its [n] markers (the frameworks judge claims, and the markers are
not part of any); a retrieved context's `doc_id` is `<plan>:<char_start>-<char_end>`, so a context
can be found again in the plan's source text. Gold answers come from a dataset file by `id`: a
`reference` / `gt_answer` / `answer` text, or eval's `answer_facts` (the first wording of each fact,
joined with "；"); eval's `evidence` quotes become `reference_contexts`.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.contract import AnswerRecord
from assistant.tools import without_markers

FORMATS = ("ragas", "ragchecker")
SUFFIX = {"ragas": ".ragas.jsonl", "ragchecker": ".ragchecker.json"}


class GoldError(ValueError):
    """The gold file cannot be read; the message names the line."""


def read_gold(path: Path) -> dict[str, dict[str, Any]]:
    """id → {"reference": text or None, "reference_contexts": [quotes]} from a JSONL dataset file."""
    gold: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                key = str(item["id"])
            except (ValueError, KeyError, TypeError):
                raise GoldError(f"{path}:{n}: not a JSON object with an id") from None
            text = next((item[k] for k in ("reference", "gt_answer", "gold_answer", "answer")
                         if isinstance(item.get(k), str) and item[k].strip()), None)
            if text is None and item.get("answer_facts"):
                text = "；".join(f[0] if isinstance(f, list) and f else str(f) for f in item["answer_facts"])
            contexts = [e["quote"] for e in item.get("evidence") or [] if isinstance(e, dict) and e.get("quote")]
            gold[key] = {"reference": text, "reference_contexts": contexts}
    return gold


def contexts(record: AnswerRecord, source: Callable[[str], str]) -> list[tuple[str, str]]:
    """(doc_id:start-end, text) of each retrieved clause, best first."""
    return [(f"{r.doc_id}:{r.char_start}-{r.char_end}", source(r.doc_id)[r.char_start:r.char_end])
            for r in record.retrieved]


def ragas_sample(record: AnswerRecord, source: Callable[[str], str], gold: dict[str, Any] | None) -> dict[str, Any]:
    sample: dict[str, Any] = {"user_input": record.question, "retrieved_contexts": [t for _, t in contexts(record, source)],
                              "response": without_markers(record.answer)}
    if gold and gold.get("reference"):
        sample["reference"] = gold["reference"]
    if gold and gold.get("reference_contexts"):
        sample["reference_contexts"] = gold["reference_contexts"]
    return sample


def ragchecker_item(record: AnswerRecord, source: Callable[[str], str], gold: dict[str, Any] | None,
                    n: int) -> dict[str, Any]:
    return {"query_id": record.id if record.id is not None else str(n), "query": record.question,
            "gt_answer": (gold or {}).get("reference") or "", "response": without_markers(record.answer),
            "retrieved_context": [{"doc_id": d, "text": t} for d, t in contexts(record, source)]}


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def export_path(out: Path, fmt: str) -> Path:
    """Where a format goes next to the contract file `out` (answers.jsonl → answers.ragas.jsonl)."""
    return out.with_name(out.name.removesuffix(".jsonl") + SUFFIX[fmt])


def write(fmt: str, out: Path, records: Iterable[AnswerRecord], source: Callable[[str], str],
          gold: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write `records` in `fmt` next to `out`; returns the path written."""
    gold = gold or {}
    records = list(records)
    path = export_path(out, fmt)
    if fmt == "ragas":
        lines = [json.dumps(ragas_sample(r, source, gold.get(str(r.id))), ensure_ascii=False) for r in records]
        _atomic_write(path, "".join(line + "\n" for line in lines))
    elif fmt == "ragchecker":
        items = [ragchecker_item(r, source, gold.get(str(r.id)), n) for n, r in enumerate(records)]
        _atomic_write(path, json.dumps({"input_data": items}, ensure_ascii=False, indent=1) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return path
