"""The synthetic scale corpus: deterministic for a seed, exact sizes, prefix-stable, plan-like."""
from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from bench.synthetic import PLACES, iter_documents, iter_passages, main, queries


def _clauses(n: int, seed: int = 0) -> list:
    return [c for doc in iter_documents(n, seed) for c in doc.clauses]


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    first = list(iter_passages(800, seed=3))
    assert first == list(iter_passages(800, seed=3))
    other = list(iter_passages(800, seed=4))
    assert [p for _, _, p in first] != [p for _, _, p in other]


@pytest.mark.parametrize("n", [0, 1, 37, 1_000, 2_345])
def test_exact_sizes(n: int) -> None:
    clauses = _clauses(n)
    assert len(clauses) == n
    assert len({c.clause_id for c in clauses}) == n


def test_each_size_is_a_prefix_of_the_next() -> None:
    small, large = _clauses(300), _clauses(1_500)
    assert large[:300] == small


def test_offsets_index_the_synthetic_document_text() -> None:
    for doc in iter_documents(1_000):
        text = doc.text
        assert all(text[c.char_start : c.char_end] == c.text for c in doc.clauses)


def test_plan_like_clauses() -> None:
    docs = list(iter_documents(5_000))
    clauses = [c for d in docs for c in d.clauses]
    kinds = Counter(c.kind for c in clauses)
    assert set(kinds) == {"paragraph", "heading", "box_item", "table_row"}
    assert kinds["paragraph"] > kinds["heading"] > kinds["box_item"] > 0
    assert {d.meta.city for d in docs} <= set(PLACES) and len({d.meta.city for d in docs}) >= 10
    assert all(d.meta.city in d.meta.title and d.meta.doc_id.startswith("syn-") for d in docs)
    rows = [c for c in clauses if c.kind == "table_row"]
    assert all(c.header and c.header[0] == "指标名称" and len(c.cells) == len(c.header) for c in rows)
    # Numbers vary: table targets of one indicator are not all the same value.
    targets = Counter(c.cells[3] for c in rows)
    assert len(targets) > len(rows) // 4
    # Chinese sentences about targets and support, with years and amounts.
    paragraphs = [c.text for c in clauses if c.kind == "paragraph"]
    assert sum("到20" in t and "年" in t for t in paragraphs) > len(paragraphs) // 10
    assert sum("万元" in t for t in paragraphs) > len(paragraphs) // 10
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in paragraphs)
    # What gets embedded: the plan title, the section path, the clause (as for a real plan).
    passages = [p for _, _, p in iter_passages(2_000)]
    assert 70 <= statistics.median(len(p) for p in passages) <= 200


def test_queries_are_deterministic_and_point_at_their_clause() -> None:
    qs = queries(40, seed=0, pool=2_000)
    assert qs == queries(40, seed=0, pool=2_000)
    clauses = _clauses(2_000)
    docs = {d.meta.doc_id: d.meta for d in iter_documents(2_000)}
    for q in qs:
        source = clauses[q.source]
        assert source.kind != "heading"
        assert docs[source.doc_id].city == q.city
        assert q.text.endswith("？") and q.city.removesuffix("市")[:2] in q.text


def test_cli_writes_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(["250", "--out", str(out), "--seed", "1"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 250
    first = json.loads(lines[0])
    assert {"doc_id", "clause_id", "city", "kind", "text", "passage", "char_start", "char_end"} <= set(first)
    assert first["passage"] == next(iter_passages(1, seed=1))[2]


def test_bad_size_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        list(iter_documents(-1))
    with pytest.raises(SystemExit):
        main(["0", "--out", "x.jsonl"])
