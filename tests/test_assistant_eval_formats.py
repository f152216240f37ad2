"""`python -m assistant batch --format ragas|ragchecker --gold …` (issue 12, item 6): the frameworks' input formats,
written next to the JSON contract, with gold answers joined by id and contexts that are exact spans of the plans."""
from __future__ import annotations

import json
from pathlib import Path


from assistant.__main__ import main as assistant_cli
from ingest import read_document

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"




def source(doc_id: str) -> str:
    return read_document(next(PLANS.glob(f"{doc_id}*")))


def test_batch_writes_ragas_and_ragchecker_inputs_with_gold(cli_env, tmp_path, capsys):
    dev = [json.loads(line) for line in (ROOT / "eval" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps({"id": d["id"], "question": d["question"]}, ensure_ascii=False) + "\n"
                                 for d in dev) + '{"id": "x", "question": "   "}\n', encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dev), encoding="utf-8")
    out = tmp_path / "answers.jsonl"
    code = assistant_cli(["batch", "--in", str(questions), "--out", str(out), "--format", "ragas",
                          "--format", "ragchecker", "--gold", str(gold)])
    assert code == 0, capsys.readouterr().err
    contract = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ragas = [json.loads(line) for line in (tmp_path / "answers.ragas.jsonl").read_text(encoding="utf-8").splitlines()]
    checker = json.loads((tmp_path / "answers.ragchecker.json").read_text(encoding="utf-8"))["input_data"]
    assert len(contract) == len(ragas) == len(checker) == 4
    first = ragas[0]
    assert set(first) == {"user_input", "retrieved_contexts", "response", "reference", "reference_contexts"}
    assert first["user_input"] == dev[0]["question"] and "20000" in first["reference"]
    assert "[1]" not in first["response"] and "20000" in first["response"]
    assert len(first["retrieved_contexts"]) == len(contract[0]["retrieved"]) > 0
    for item, record in zip(checker, contract, strict=True):
        assert set(item) == {"query_id", "query", "gt_answer", "response", "retrieved_context"}
        assert item["query_id"] == record["id"]
        for ctx, r in zip(item["retrieved_context"], record["retrieved"], strict=True):
            assert ctx["doc_id"] == f"{r['doc_id']}:{r['char_start']}-{r['char_end']}"
            assert ctx["text"] == source(r["doc_id"])[r["char_start"]:r["char_end"]]
    assert checker[3]["gt_answer"] == "" and checker[3]["retrieved_context"] == []  # the empty question: refused
    assert "reference" not in ragas[3]


def test_batch_without_format_writes_only_the_contract(cli_env, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "南京到2025年高新技术企业要达到多少家？"}\n', encoding="utf-8")
    assert assistant_cli(["batch", "--in", str(questions), "--out", str(tmp_path / "a.jsonl")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "q.jsonl"]


def test_a_bad_gold_file_is_named(cli_env, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "南京高企目标？"}\n', encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("not json\n", encoding="utf-8")
    code = assistant_cli(["batch", "--in", str(questions), "--out", str(tmp_path / "a.jsonl"), "--format", "ragas",
                          "--gold", str(gold)])
    assert code == 2 and "gold.jsonl:1" in capsys.readouterr().err
