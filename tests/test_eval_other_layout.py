"""`python -m eval other-layout`: a plan in another layout (.docx), uploaded as the web UI does, then scored.

One run of the command (a private index of the five shipped plans, then the upload: about 30 s
of embedding) is shared by the module. What is asserted is that the upload reads the layout
(第X章/第X节 headings, the indicator table) and that the report is complete and consistent with
itself; no accuracy target is asserted, the figures are measured (eval/README.md, "Another layout").
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.__main__ import main
from eval.dataset import load_dataset
from eval.other_layout import (
    GOLD_DOC_ID,
    Upload,
    answer_all,
    evaluate,
    locate_in_reader_text,
    remap_items,
)

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
DATA = ROOT / "eval" / "data" / "other_layout"
DOCX = DATA / "binjiang-2021-sti-plan.docx"
QUESTIONS = DATA / "questions.jsonl"
CHAPTER = re.compile(r"^第[一二三四五六七八九十]+章 ")
SECTION = re.compile(r"^第[一二三四五六七八九十]+节 ")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The command, run once with its index kept in a work folder; returns (out, work, settings)."""
    from index.settings import IndexSettings

    root = tmp_path_factory.mktemp("other-layout")
    out, work = root / "out", root / "work"
    rc = main(["other-layout", "--out", str(out), "--work-dir", str(work), "--plans", str(PLANS),
               "--docx", str(DOCX), "--questions", str(QUESTIONS)])
    assert rc == 0
    settings = IndexSettings(plans_dir=PLANS, index_dir=work / "index", uploads_dir=work / "uploads")
    return out, work, settings


@pytest.fixture(scope="module")
def report(run):
    out, _, _ = run
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def uploaded_doc(settings):
    from index.build import current_index

    index = current_index(settings)
    new = [d for d, m in index.docs.items() if m.file == DOCX.name]
    assert len(new) == 1, new
    return index, new[0]


def test_the_upload_is_stored_and_indexed_next_to_the_shipped_plans(run, report):
    _, work, settings = run
    assert sorted(p.name for p in (work / "uploads").iterdir() if not p.name.startswith(".")) == [DOCX.name]
    index, doc_id = uploaded_doc(settings)
    assert len(index.docs) == 6 and index.docs[doc_id].city == "滨江市"
    assert report["upload"]["doc_id"] == doc_id and report["upload"]["gold_doc_id"] == GOLD_DOC_ID
    assert report["upload"]["embedded"] == len(index.clause_ids_of(doc_id))  # the upload embedded only the new plan


def test_the_upload_has_the_chapter_structure(run):
    index, doc_id = uploaded_doc(run[2])
    clauses = [index.clauses[i] for i in index.clause_ids_of(doc_id)]
    headings = [c for c in clauses if c.kind == "heading"]
    chapters = [c for c in headings if CHAPTER.match(c.text)]
    assert [c.text[:3] for c in chapters] == ["第一章", "第二章", "第三章", "第四章", "第五章"]
    assert all(c.section == (c.text,) for c in chapters)  # chapters are top-level sections
    sections = [c for c in headings if SECTION.match(c.text)]
    assert len(sections) >= 15
    assert all(len(c.section) == 2 and CHAPTER.match(c.section[0]) and c.section[1] == c.text for c in sections)
    # body text is filed under its 第X节: the clauses of 第五章 保障措施's sections
    under = {c.section[1] for c in clauses if c.kind == "paragraph" and c.section[:1] == ("第五章 保障措施",) and len(c.section) == 2}
    assert under >= {"第一节 加强组织领导", "第五节 强化监测评估"}


def test_the_upload_has_the_indicator_table(run):
    index, doc_id = uploaded_doc(run[2])
    records = [r for r in index.indicators if r.doc_id == doc_id]
    assert len(records) >= 8
    assert all(r.target is not None and r.target.year == 2025 for r in records)
    by_name = {r.indicator: r for r in records}
    assert by_name["科技型中小企业评价入库数"].target.value == 2500
    assert by_name["有效期内高新技术企业数"].baseline.value == 620
    rows = [index.clauses[i] for i in index.clause_ids_of(doc_id) if index.clauses[i].kind == "table_row"]
    assert len(rows) >= 8 and all(r.caption and r.caption.startswith("表1") for r in rows)
    source = index.sources[doc_id]
    assert all(source[r.char_start:r.char_end] == r.text for r in rows)


def test_the_command_reports_every_question_with_exact_citations(run, report):
    out, _, _ = run
    overall = report["configs"]["default"]["overall"]
    assert report["items"] == 29
    assert overall["counts"]["items"] == 29 and overall["counts"]["answered"] == 29 and overall["counts"]["missing"] == 0
    assert overall["counts"]["citations"] > 0 and overall["metrics"]["citation_exactness"] == 1.0
    assert report["reader_mismatches"] == [], "a gold quote is not in the reader's text: reader or gold changed"
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| items | 29 |" in markdown and "## Reader/gold mismatches" in markdown
    assert len((out / "answers.jsonl").read_text(encoding="utf-8").splitlines()) == 29


def test_the_report_numbers_are_consistent(report):
    config = report["configs"]["default"]
    overall, per_item = config["overall"], config["per_item"]
    assert len(per_item) == 29
    assert sum(s["counts"]["items"] for s in config["per_type"].values()) == 29
    assert sum(s["counts"]["items"] for s in config["per_kind"].values()) == 29
    assert overall["counts"]["refused"] == sum(s["refused"] for s in per_item)
    assert overall["counts"]["citations"] == sum(s["citations"] for s in per_item) == overall["n"]["citation_exactness"]
    for metric in ("fact_accuracy", "fact_recall", "refusal_accuracy", "false_refusal_rate", "hit@5", "mrr@10"):
        values = [s["values"][metric] for s in per_item if s["values"][metric] is not None]
        assert overall["n"][metric] == len(values) > 0
        assert overall["metrics"][metric] == pytest.approx(sum(values) / len(values))
    items = {i.id: i for i in load_dataset(QUESTIONS)}
    assert overall["n"]["fact_accuracy"] == sum(bool(i.answerable and i.answer_facts) for i in items.values())
    assert overall["n"]["refusal_accuracy"] == sum(not i.answerable for i in items.values())
    # the gold doc_id was mapped: every item with evidence has its quotes located, so retrieval is scored
    assert all((s["values"]["hit@5"] is not None) == bool(items[s["id"]].evidence) for s in per_item)


def test_a_quote_the_reader_did_not_produce_is_reported_not_raised(run, tmp_path):
    from assistant.service import Assistant

    _, _, settings = run
    _, doc_id = uploaded_doc(settings)
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[:3]
    first = json.loads(lines[0])
    first["evidence"].append({"doc_id": GOLD_DOC_ID, "quote": "第六章 这一章不在规划里"})
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join([json.dumps(first, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8")

    upload = Upload(settings, Assistant.from_index(settings), doc_id, DOCX.name, "", _Report(), 0.0)
    report, markdown, problems = evaluate(upload, questions, tmp_path / "out")
    assert report["items"] == 3 and len(report["reader_mismatches"]) == 1
    assert "reader/gold mismatch" in report["reader_mismatches"][0] and "第六章 这一章不在规划里" in markdown
    assert problems == report["reader_mismatches"]
    first_score = report["configs"]["default"]["per_item"][0]
    assert first_score["values"]["hit@5"] is not None  # scored with the five chapter quotes that were found


def test_questions_are_asked_within_the_plan_just_uploaded(run):
    """The page puts an uploaded plan in the chat's 限定规划, so the command asks within it: a question that
    names no place is answered from the upload, one naming a place no plan holds is still refused."""
    from assistant.service import Assistant

    _, _, settings = run
    _, doc_id = uploaded_doc(settings)
    item = load_dataset(QUESTIONS)[0]
    items = [item.model_copy(update={"id": "unplaced", "question": "规划分成几章？", "history": []}),
             item.model_copy(update={"id": "elsewhere", "question": "苏州工业园区到2025年高企要达到多少家？", "history": []})]
    answers = answer_all(Assistant.from_index(settings), items, scope=(doc_id,)).answers
    assert answers["unplaced"].citations and {c.doc_id for c in answers["unplaced"].citations} == {doc_id}
    assert answers["elsewhere"].refused


def test_a_row_whose_name_says_more_than_the_question_does_not_answer_it(run):
    """"2020年全社会研发经费支出是多少" asks the amount (58.6亿元 in the plan's review), not the indicator row
    全社会研发经费支出占地区生产总值比重 whose name holds every word of the question and more."""
    from assistant.service import Assistant
    from index.retriever import Filters

    _, _, settings = run
    _, doc_id = uploaded_doc(settings)
    answer = Assistant.from_index(settings).ask("滨江2020年全社会研发经费支出是多少？", filters=Filters(doc_ids=(doc_id,)))
    assert "58.6亿元" in answer.text and "2.6%" not in answer.text, answer.text


def test_a_quoted_box_name_is_listed_by_its_works_not_by_a_rare_word(run):
    """"“专栏1 重大创新平台建设工程”包括哪些工程": the quoted name names the part; the rare-word rule of the outline
    composer (a kind asked beside a word only some headings say) does not turn it away."""
    from assistant.service import Assistant
    from index.retriever import Filters

    _, _, settings = run
    _, doc_id = uploaded_doc(settings)
    answer = Assistant.from_index(settings).ask("滨江规划“专栏1 重大创新平台建设工程”包括哪些工程？",
                                                filters=Filters(doc_ids=(doc_id,)))
    assert "滨江实验室建设工程" in answer.text and "公共技术服务平台工程" in answer.text, answer.text


def test_remapping_touches_only_the_gold_doc():
    items = load_dataset(QUESTIONS)
    remapped = remap_items(items, GOLD_DOC_ID, "binjiang-x")
    assert {ev.doc_id for i in remapped for ev in i.evidence} == {"binjiang-x"}
    assert [i.model_dump(exclude={"evidence"}) for i in remapped] == [i.model_dump(exclude={"evidence"}) for i in items]
    gold, problems = locate_in_reader_text(remapped[:1], {"binjiang-x": "第一章 发展基础与面临形势"})
    assert len(gold[remapped[0].id]) == 1 and len(problems) == 4 and all("reader/gold mismatch" in p for p in problems)


def test_a_non_empty_work_dir_is_refused(tmp_path, capsys):
    (tmp_path / "left-over").write_text("x", encoding="utf-8")
    assert main(["other-layout", "--out", str(tmp_path / "out"), "--work-dir", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err


class _Report:
    embedded = 0
    seconds = 0.0
