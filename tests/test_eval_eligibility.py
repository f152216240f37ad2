"""`python -m eval eligibility`: the scoring rules on small synthetic plans and profiles, the gold
file's validation, and one real run over eval/data/eligibility_gold.jsonl through the CLI
against the session's freshly built index (conftest.built_index)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.dataset import DatasetError
from eval.eligibility import GoldProfile, locate, parse_gold, score_profile, summarise

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "data" / "eligibility_gold.jsonl"

#            0         1         2         3         4
#            0123456789012345678901234567890123456789012345
PLAN = "一、支持企业融资。设立科创基金。二、人才。设立科创基金。引进海外人才。"
SOURCES = {"plan-a": PLAN, "plan-b": "设立科创基金。别的城市。"}


def cite(doc_id: str, start: int, end: int):
    text = SOURCES[doc_id]
    return SimpleNamespace(doc_id=doc_id, char_start=start, char_end=end, quote=text[start:end])


def span_of(quote: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = PLAN.find(quote, start + 1)
    assert start >= 0
    return start, start + len(quote)


def write_gold(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def row(id: str = "p1", measures: list[dict] | None = None, doc_id: str = "plan-a") -> dict:
    measures = measures if measures is not None else [
        {"quote": "支持企业融资", "need": "融资", "conditions": []},
        {"quote": "设立科创基金", "need": "融资", "conditions": []},  # occurs twice in PLAN
        {"quote": "引进海外人才", "need": "人才", "conditions": ["海外"]},
    ]
    return {"id": id, "question": "有什么支持？", "profile": {"city": "甲市", "needs": ["融资", "人才"]},
            "doc_id": doc_id, "measures": measures}


@pytest.fixture
def profile(tmp_path) -> GoldProfile:
    path = write_gold(tmp_path / "gold.jsonl", [row()])
    (located,) = locate(parse_gold(path), SOURCES.get, path, SOURCES)
    return located


def test_quotes_are_located_with_every_occurrence(profile):
    fund = profile.measures[1]
    assert [(s.start, s.end) for s in fund.spans] == [span_of("设立科创基金"), span_of("设立科创基金", 1)]
    assert all(PLAN[s.start:s.end] == fund.quote for s in fund.spans)


def test_overlap_is_half_open_and_one_character_is_enough(profile):
    start, end = span_of("支持企业融资")
    touching = score_profile(profile, [cite("plan-a", 0, start), cite("plan-a", end, end + 1)])
    assert touching.found == 0 and touching.relevant == 0 and touching.precision == 0.0
    inside = score_profile(profile, [cite("plan-a", end - 1, end + 1)])
    assert inside.found == 1 and inside.relevant == 1 and inside.precision == 1.0
    assert inside.recall == pytest.approx(1 / 3)
    assert [m["quote"] for m in inside.missed] == ["设立科创基金", "引进海外人才"]


def test_other_documents_never_overlap(profile):
    score = score_profile(profile, [cite("plan-b", 0, 6)])  # the same words, in another plan, at the same offsets
    assert PLAN[0:6] != SOURCES["plan-b"][0:6] and SOURCES["plan-b"][0:6] == "设立科创基金"
    assert score.found == 0 and score.citations == 1 and score.relevant == 0
    assert score.irrelevant == [{"doc_id": "plan-b", "char_start": 0, "char_end": 6, "quote": "设立科创基金"}]


def test_any_occurrence_of_a_repeated_quote_counts(profile):
    first, second = span_of("设立科创基金"), span_of("设立科创基金", 1)
    for start, end in (first, second):
        score = score_profile(profile, [cite("plan-a", start, end)])
        assert score.found == 1 and score.per_need["融资"] == {"measures": 2, "found": 1}
    both = score_profile(profile, [cite("plan-a", *first), cite("plan-a", *second)])
    assert both.found == 1 and both.relevant == 2 and both.precision == 1.0  # one measure, two relevant citations


def test_duplicate_citations_count_once_and_one_citation_can_find_several_measures(profile):
    wide = cite("plan-a", 0, len(PLAN))  # covers all three measures
    score = score_profile(profile, [wide, wide, cite("plan-a", 0, len(PLAN))])
    assert score.citations == 1 and score.relevant == 1 and score.found == 3
    assert score.recall == 1.0 and score.precision == 1.0 and score.citation_chars == [len(PLAN)]


def test_no_citations_leave_precision_undefined(profile):
    score = score_profile(profile, [])
    assert score.recall == 0.0 and score.precision is None and score.citations == 0
    assert len(score.missed) == 3


def test_micro_macro_and_per_need(profile):
    a = score_profile(profile, [cite("plan-a", *span_of("支持企业融资")), cite("plan-a", *span_of("引进海外人才")),
                                cite("plan-a", *span_of("二、人才"))])  # 2 of 3 found, 2 of 3 relevant
    b = score_profile(profile, [cite("plan-a", *span_of("设立科创基金"))])  # 1 of 3 found, 1 of 1 relevant
    c = score_profile(profile, [])  # nothing cited
    summary = summarise([a, b, c])
    o = summary["overall"]
    assert (o["measures"], o["found"], o["citations"], o["relevant"]) == (9, 3, 4, 3)
    assert o["recall_micro"] == pytest.approx(3 / 9)
    assert o["recall_macro"] == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert o["precision_micro"] == pytest.approx(3 / 4)
    assert o["precision_macro"] == pytest.approx((2 / 3 + 1) / 2)  # the profile citing nothing is left out
    assert o["profiles_without_citations"] == 1
    finance, talent = summary["per_need"]["融资"], summary["per_need"]["人才"]
    assert (finance["measures"], finance["found"]) == (6, 2) and finance["recall_micro"] == pytest.approx(2 / 6)
    assert finance["recall_macro"] == pytest.approx((1 / 2 + 1 / 2 + 0) / 3)
    assert (talent["measures"], talent["found"]) == (3, 1) and talent["recall_macro"] == pytest.approx(1 / 3)


def test_a_missing_quote_or_unknown_plan_names_its_line(tmp_path):
    measures = [{"quote": "支持企业融资", "need": "融资", "conditions": []},
                {"quote": "规划里没有这句话", "need": "融资", "conditions": []}]
    path = write_gold(tmp_path / "gold.jsonl", [row("ok"), row("bad", measures), row("elsewhere", doc_id="plan-z")])
    with pytest.raises(DatasetError) as err:
        locate(parse_gold(path), SOURCES.get, path, SOURCES)
    assert err.value.problems == [
        "line 2 (bad): measure 2 quote not found in plan-a: '规划里没有这句话'",
        "line 3 (elsewhere): unknown doc_id 'plan-z' (known: plan-a, plan-b)",
    ]


def test_malformed_lines_are_all_named(tmp_path):
    no_need = row("n", [{"quote": "支持企业融资", "conditions": []}])
    twice = row("t", [{"quote": "支持企业融资", "need": "融资"}, {"quote": "支持企业融资", "need": "融资"}])
    missing = {k: v for k, v in row("m").items() if k != "measures"}
    path = write_gold(tmp_path / "gold.jsonl", [row("p1"), "{not json", no_need, twice, missing, row("p1")])
    with pytest.raises(DatasetError) as err:
        parse_gold(path)
    problems = err.value.problems
    assert problems[0].startswith("line 2: not valid JSON")
    assert problems[1:] == [
        "line 3 (n): measure 1: 'need' must be a non-empty string",
        "line 4 (t): measure 2: same quote as measure 1: '支持企业融资'",
        "line 5 (m): missing field 'measures'",
        "line 6 (p1): id repeated from line 1",
    ]
    with pytest.raises(DatasetError, match="file not found"):
        parse_gold(tmp_path / "nope.jsonl")


def _cli(args: list[str], settings) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONWARNINGS="ignore", HF_HUB_OFFLINE="1", PLANQA_INDEX_DIR=str(settings.index_dir),
               PLANQA_PLANS_DIR=str(settings.plans_dir), PLANQA_UPLOADS_DIR=str(settings.uploads_dir))
    return subprocess.run([sys.executable, "-m", "eval", "eligibility", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=600)


def test_cli_rejects_a_bad_gold_file_without_traceback(built_index, tmp_path):
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[2])
    bad["measures"][0]["quote"] += "（不在规划里）"
    path = write_gold(tmp_path / "gold.jsonl", [lines[0], lines[1], bad])
    proc = _cli(["--gold", str(path), "--out", str(tmp_path / "out")], built_index)
    assert proc.returncode == 2, proc.stderr
    assert f"line 3 ({bad['id']}): measure 1 quote not found in {bad['doc_id']}" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_cli_over_the_real_gold_file(built_index, tmp_path):
    out = tmp_path / "out"
    proc = _cli(["--gold", str(GOLD), "--out", str(out)], built_index)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["profiles"]) == 25 and report["overall"]["profiles"] == 25
    assert report["overall"]["measures"] == sum(p["measures"] for p in report["profiles"]) > 0
    for key in ("recall_micro", "recall_macro", "precision_micro", "precision_macro"):
        assert 0.0 <= report["overall"][key] <= 1.0, key
    for p in report["profiles"]:
        assert 0.0 <= p["recall"] <= 1.0 and (p["precision"] is None or 0.0 <= p["precision"] <= 1.0)
    assert set(report["per_need"]) == {"融资", "人才", "成果转化", "研发平台", "载体与空间", "税收与奖补"}
    assert all(0.0 <= e["recall_micro"] <= 1.0 for e in report["per_need"].values())
    assert (out / "report.md").read_text(encoding="utf-8") in proc.stdout
