"""The scorer itself, on hand-made answer files over a small hand-written dataset with real plan quotes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from assistant.contract import AnswerRecord, Citation, Retrieved
from eval.__main__ import main
from eval.answers import load_answers
from eval.check import check_dataset
from eval.corpus import load_sources
from eval.dataset import DatasetError, load_dataset
from eval.gold import locate_gold
from eval.metrics import MAX_CITATION_CHARS, fact_hits
from eval.runner import UNAVAILABLE
from eval.scorer import score_answers

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"

ITEMS = [
    {"id": "t1", "type": "target", "question": "南京到2025年高企要达到多少家？", "city": "南京市",
     "answer_facts": [["2万家", "20000家"]], "evidence": [{"doc_id": "nanjing-2021", "quote": "高新技术企业超2万家"}],
     "notes": "", "author": "ignored extra field"},
    {"id": "f1", "type": "fact", "question": "南京2020年研发强度是多少？", "city": "南京市", "answer_facts": ["3.48%"],
     "evidence": [{"doc_id": "nanjing-2021", "quote": "全社会研发经费支出515亿元,占GDP比重3.48%"}], "notes": ""},
    {"id": "c1", "type": "compare", "question": "2020年南京和南通各有多少家高企？", "city": ["南京市", "南通市"],
     "answer_facts": ["6507", "2178"],
     "evidence": [{"doc_id": "nanjing-2021", "quote": "高新技术企业总数从2015年1274家增至2020年6507家"},
                  {"doc_id": "nantong-2021", "quote": "拥有国家高新技术企业2178家"}], "notes": ""},
    {"id": "l1", "type": "list", "question": "南京怎么培育高新技术企业？", "city": "南京市", "answer_facts": ["高新技术企业培育"],
     "evidence": [{"doc_id": "nanjing-2021", "quote": "高新技术企业培育"}], "notes": "quote occurs twice"},
    {"id": "e1", "type": "eligibility", "question": "我在句容运营孵化器，规划里有什么支持？", "city": "句容市",
     "answer_facts": ["孵化器"], "evidence": [{"doc_id": "jurong-2022", "quote": "稳步推进国家级科技企业孵化器和加速器建设"}],
     "notes": "", "profile": {"city": "句容市", "type": "孵化器", "needs": ["载体与空间"]}, "history": ["句容有哪些孵化器？"]},
    {"id": "u1", "type": "unanswerable", "question": "苏州“十四五”高企目标是多少？", "city": "苏州市", "answer_facts": [],
     "evidence": [], "notes": "no plan for 苏州"},
    {"id": "u2", "type": "unanswerable", "question": "南京规划要求2025年高企达到5万家，怎么落实？", "city": "南京市",
     "answer_facts": ["2万家"], "evidence": [{"doc_id": "nanjing-2021", "quote": "高新技术企业超2万家"}],
     "notes": "false_premise: the plan says 超2万家"},
]
REFUSAL = "现有规划文件中未找到相关内容。"


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return load_sources(PLANS)


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in ITEMS), encoding="utf-8")
    return path


def _span(sources: dict[str, str], doc_id: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = sources[doc_id].find(quote, start + 1)
    assert start >= 0, (doc_id, quote)
    return start, start + len(quote)


def _citation(sources, doc_id, quote, occurrence=0) -> Citation:
    start, end = _span(sources, doc_id, quote, occurrence)
    return Citation(doc_id=doc_id, section="", quote=quote, char_start=start, char_end=end)


def _filler(rank: int) -> Retrieved:
    """A retrieved span near the start of 江阴's plan, which no test quote overlaps."""
    return Retrieved(doc_id="jiangyin-2020", char_start=10 * rank, char_end=10 * rank + 8, score=0.1)


def _perfect(item: dict, sources) -> AnswerRecord:
    if item["type"] == "unanswerable" and not item["evidence"]:
        return AnswerRecord(id=item["id"], question=item["question"], answer=REFUSAL, refused=True, latency_ms=5)
    cites = [_citation(sources, ev["doc_id"], ev["quote"]) for ev in item["evidence"]]
    facts = [f if isinstance(f, str) else f[0] for f in item["answer_facts"]]
    retrieved = [Retrieved(doc_id=c.doc_id, char_start=c.char_start, char_end=c.char_end, score=1.0) for c in cites]
    return AnswerRecord(
        id=item["id"], question=item["question"], answer="；".join(facts) + "。[1]", refused=item["type"] == "unanswerable",
        citations=cites, retrieved=retrieved + [_filler(r) for r in range(10 - len(retrieved))], latency_ms=10,
    )


def _whole_document(item: dict, sources) -> AnswerRecord:
    doc_id = item["evidence"][0]["doc_id"] if item["evidence"] else "nanjing-2021"
    text = sources[doc_id]
    return AnswerRecord(
        id=item["id"], question=item["question"], answer=text, refused=False,
        citations=[Citation(doc_id=doc_id, section="", quote=text, char_start=0, char_end=len(text))],
        retrieved=[Retrieved(doc_id=doc_id, char_start=0, char_end=len(text), score=1.0)], latency_ms=10,
    )


def _refuse_all(item: dict, sources) -> AnswerRecord:
    return AnswerRecord(id=item["id"], question=item["question"], answer=REFUSAL, refused=True, latency_ms=3)


def _write(path: Path, records: list[AnswerRecord], extra_lines: list[str] = ()) -> Path:
    path.write_text("".join(r.model_dump_json() + "\n" for r in records) + "".join(line + "\n" for line in extra_lines),
                    encoding="utf-8")
    return path


def _score(dataset: Path, answers: Path, sources):
    items = load_dataset(dataset)
    gold, problems = locate_gold(items, sources)
    assert problems == []
    return score_answers(items, gold, sources, load_answers(answers))


def test_dataset_quotes_are_located_with_every_occurrence(dataset, sources):
    items = load_dataset(dataset)
    gold, problems = locate_gold(items, sources)
    assert problems == []
    assert [len(q.spans) for q in gold["l1"]] == [2]  # "高新技术企业培育" occurs twice in 南京's plan
    assert gold["u1"] == []
    assert check_dataset(items, sources).errors == []


def test_perfect_file_scores_one_everywhere(dataset, sources, tmp_path):
    result = _score(dataset, _write(tmp_path / "perfect.jsonl", [_perfect(i, sources) for i in ITEMS]), sources)
    m = result.overall.metrics
    for name in ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "evidence_recall@10", "fact_accuracy", "fact_recall",
                 "citation_exactness", "citation_precision", "refusal_accuracy", "premise_correction"):
        assert m[name] == pytest.approx(1.0), name
    assert m["false_refusal_rate"] == 0.0
    assert result.overall.counts == {"items": 7, "answered": 7, "missing": 0, "refused": 2, "citations": 7}
    assert result.overall.n["hit@1"] == 6  # every item with evidence, the false premise included
    assert result.overall.n["refusal_accuracy"] == 2 and result.overall.n["fact_accuracy"] == 5
    assert result.per_type["compare"].metrics["ndcg@10"] == pytest.approx(1.0)
    assert result.per_type["target"].metrics["refusal_accuracy"] is None


def test_whole_document_answers_are_exposed_by_length_and_precision(dataset, sources, tmp_path):
    result = _score(dataset, _write(tmp_path / "blob.jsonl", [_whole_document(i, sources) for i in ITEMS]), sources)
    m = result.overall.metrics
    assert m["answer_chars_p50"] > 10_000 > MAX_CITATION_CHARS
    assert m["retrieved_chars_p50"] > 10_000  # hit@k alone would not show that whole plans were retrieved
    assert m["citation_precision"] == 0.0  # overlapping the evidence is not enough for a plan-long span
    assert m["citation_exactness"] == 1.0  # the quotes are exact, just useless
    assert m["refusal_accuracy"] == 0.0 and m["false_refusal_rate"] == 0.0


def test_refusing_everything(dataset, sources, tmp_path):
    result = _score(dataset, _write(tmp_path / "refuse.jsonl", [_refuse_all(i, sources) for i in ITEMS]), sources)
    m = result.overall.metrics
    assert m["refusal_accuracy"] == 1.0
    assert m["fact_accuracy"] == 0.0 and m["fact_recall"] == 0.0
    assert m["false_refusal_rate"] == 1.0
    assert m["hit@10"] == 0.0 and m["evidence_recall@10"] == 0.0
    assert m["citation_exactness"] is None  # no citations: nothing to measure, not a perfect score


def test_an_inexact_quote_lowers_exactness(dataset, sources, tmp_path):
    records = [_perfect(i, sources) for i in ITEMS]
    wrong = records[1].citations[0]
    records[1].citations[0] = wrong.model_copy(update={"char_end": wrong.char_end - 1})  # quote no longer matches
    result = _score(dataset, _write(tmp_path / "inexact.jsonl", records), sources)
    assert result.overall.metrics["citation_exactness"] == pytest.approx(6 / 7)
    assert result.per_type["fact"].metrics["citation_exactness"] == 0.0
    assert result.overall.metrics["citation_precision"] == 1.0  # it still overlaps the gold span


def test_retrieval_ranks_duplicates_and_second_occurrences(dataset, sources, tmp_path):
    records = {r.id: r for r in (_perfect(i, sources) for i in ITEMS)}
    t1 = records["t1"]
    t1.retrieved = [_filler(0), _filler(1)] + t1.retrieved[:1]  # the gold span at rank 3
    c1 = records["c1"]
    c1.retrieved = [c1.retrieved[0], c1.retrieved[0], _filler(0)]  # 南京's quote twice, 南通's never
    c1.citations = []
    l1 = records["l1"]
    start, end = _span(sources, "nanjing-2021", "高新技术企业培育", occurrence=1)
    l1.retrieved = [Retrieved(doc_id="nanjing-2021", char_start=start - 20, char_end=end + 20, score=1.0)]
    result = _score(dataset, _write(tmp_path / "ranks.jsonl", list(records.values())), sources)
    by_id = {s.id: s.values for s in result.items}
    assert (by_id["t1"]["hit@1"], by_id["t1"]["hit@5"], by_id["t1"]["mrr@10"]) == (0.0, 1.0, pytest.approx(1 / 3))
    assert by_id["c1"]["hit@1"] == 1.0 and by_id["c1"]["evidence_recall@10"] == 0.5
    # one of two quotes at rank 1, the duplicate at rank 2 earns nothing: DCG 1 / IDCG (1 + 1/log2(3))
    assert by_id["c1"]["ndcg@10"] == pytest.approx(1 / (1 + 1 / 1.584962500721156))
    assert by_id["l1"]["mrr@10"] == 1.0 and by_id["l1"]["ndcg@10"] == pytest.approx(1.0)  # second occurrence counts


def test_one_span_covering_two_quotes_counts_for_both(sources, tmp_path):
    item = dict(ITEMS[1], id="two", evidence=[{"doc_id": "nanjing-2021", "quote": "全社会研发经费支出515亿元"},
                                             {"doc_id": "nanjing-2021", "quote": "科技进步贡献率66.5%"}])
    a, _ = _span(sources, "nanjing-2021", "全社会研发经费支出515亿元")
    _, b = _span(sources, "nanjing-2021", "科技进步贡献率66.5%")
    assert 0 < b - a < MAX_CITATION_CHARS
    clause = AnswerRecord(id="two", question="q", answer="3.48%", refused=False,
                          retrieved=[Retrieved(doc_id="nanjing-2021", char_start=a, char_end=b, score=1.0)])
    result = _score(_one_item(tmp_path, item), _write(tmp_path / "clause.jsonl", [clause]), sources)
    assert result.items[0].values["ndcg@10"] == pytest.approx(1.0)
    assert result.items[0].values["evidence_recall@10"] == 1.0


def test_fact_matching_normalises_and_accepts_alternatives():
    assert fact_hits("到2025年，高新技术企业超 ２ 万家。", [["20000家", "2万家"], "高新技术企业"]) == [True, True]
    assert fact_hits("占ＧＤＰ比重３．４８％", ["GDP比重3.48%", "6507"]) == [True, False]


def test_partial_facts_give_recall_but_not_accuracy(dataset, sources, tmp_path):
    records = [_perfect(i, sources) for i in ITEMS]
    records[2].answer = "南京6507家。"  # c1 misses 南通's 2178
    result = _score(dataset, _write(tmp_path / "partial.jsonl", records), sources)
    compare = result.per_type["compare"].metrics
    assert compare["fact_accuracy"] == 0.0 and compare["fact_recall"] == 0.5


def test_bad_answer_lines_unknown_and_missing_ids(dataset, sources, tmp_path):
    records = [_perfect(i, sources) for i in ITEMS if i["id"] not in ("f1", "u1")]
    stray = _perfect(ITEMS[0], sources).model_copy(update={"id": "not-in-dataset"})
    path = _write(tmp_path / "messy.jsonl", records + [stray], extra_lines=[
        '{"id": "f1", "question": "q", "answer": "3.48%"',  # truncated JSON
        '{"id": "u1", "question": "q", "answer": "x", "refused": "maybe"}',  # not a bool
        '{"question": "q", "answer": "x", "refused": false}',  # no id
        records[0].model_dump_json(),  # duplicate
    ])
    answers = load_answers(path)
    assert answers.malformed == 3 and answers.duplicates == 1
    assert any("line 7" in p and "JSON" in p for p in answers.problems)
    result = _score(dataset, path, sources)
    assert result.unknown_ids == ["not-in-dataset"]
    assert result.overall.counts["missing"] == 2
    assert result.overall.metrics["fact_accuracy"] == pytest.approx(4 / 5)  # f1 missing counts as wrong
    assert result.overall.metrics["refusal_accuracy"] == pytest.approx(1 / 2)  # u1 missing counts as wrong
    assert result.overall.metrics["false_refusal_rate"] == pytest.approx(1 / 5)


def test_dataset_errors_name_each_bad_line(tmp_path, sources):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(ITEMS[0], ensure_ascii=False)
    path.write_text("\n".join([good, "{not json", json.dumps(dict(ITEMS[1], type="opinion")), good]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert [p.split(":")[0] for p in err.value.problems] == ["line 2", "line 3", "line 4"]
    assert "duplicate id 't1'" in err.value.problems[2]
    invented = dict(ITEMS[0], evidence=[{"doc_id": "nanjing-2021", "quote": "南京2025年高企5万家"}])
    errors = check_dataset(load_dataset(_one_item(tmp_path, invented)), sources).errors
    assert errors == ["t1: quote not found in nanjing-2021: '南京2025年高企5万家'"]


def _one_item(tmp_path: Path, item: dict) -> Path:
    path = tmp_path / f"{item['id']}-one.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_cli_scores_answer_files_side_by_side(dataset, sources, tmp_path):
    perfect = _write(tmp_path / "perfect.jsonl", [_perfect(i, sources) for i in ITEMS])
    refuse = _write(tmp_path / "refuse_all.jsonl", [_refuse_all(i, sources) for i in ITEMS[:-1]], extra_lines=["oops"])
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "run", "--dataset", str(dataset), "--answers", str(perfect), str(refuse),
         "--out", str(out), "--plans", str(PLANS)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| metric | perfect | refuse_all |" in proc.stdout
    assert "## Per type: `perfect`" in proc.stdout
    assert "refuse_all.jsonl line 7: not valid JSON" in proc.stderr
    assert "1 of 7 questions have no answer" in proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report["configs"]) == {"perfect", "refuse_all"}
    assert report["configs"]["perfect"]["overall"]["metrics"]["ndcg@10"] == pytest.approx(1.0)
    assert report["configs"]["refuse_all"]["overall"]["counts"]["missing"] == 1
    assert (out / "report.md").read_text(encoding="utf-8") in proc.stdout

    missing = subprocess.run([sys.executable, "-m", "eval", "run", "--dataset", str(dataset), "--answers",
                              str(tmp_path / "nope.jsonl"), "--out", str(out), "--plans", str(PLANS)],
                             cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert missing.returncode == 2
    assert "answers file not found" in missing.stderr and "Traceback" not in missing.stderr


def test_in_process_configs_through_the_runner_seam(dataset, sources, tmp_path, monkeypatch, capsys):
    by_question = {i["question"]: i for i in ITEMS}
    seen: list = []

    def run_config(name: str):
        if name != "oracle":
            raise KeyError(name)
        def answer(question, history, profile):
            seen.append((question, list(history), profile))
            return _perfect(by_question[question], sources).model_copy(update={"id": None})

        return answer

    monkeypatch.setitem(sys.modules, "eval.configs", types.SimpleNamespace(run_config=run_config))
    out = tmp_path / "out"
    assert main(["run", "--dataset", str(dataset), "--config", "oracle", "--out", str(out), "--plans", str(PLANS)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["configs"]["oracle"]["source"] == "in-process"
    assert report["configs"]["oracle"]["overall"]["metrics"]["fact_accuracy"] == 1.0
    assert len((out / "answers" / "oracle.jsonl").read_text(encoding="utf-8").splitlines()) == len(ITEMS)
    # the conversation and the profile of each item reach the assistant
    assert [(q, h, p) for q, h, p in seen] == [(i["question"], i.get("history", []), i.get("profile")) for i in ITEMS]

    assert main(["run", "--dataset", str(dataset), "--config", "nosuch", "--out", str(out), "--plans", str(PLANS)]) == 2
    assert "could not start configuration 'nosuch': KeyError" in capsys.readouterr().err

    monkeypatch.setitem(sys.modules, "eval.configs", None)  # makes `import eval.configs` fail
    assert main(["run", "--dataset", str(dataset), "--out", str(out), "--plans", str(PLANS)]) == 2
    assert UNAVAILABLE in capsys.readouterr().err
