"""A numbered task's paragraph that ends "（责任单位：…）" answers who is responsible for that task
(assistant/composers/task.py)."""
from __future__ import annotations

import re

import pytest
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

_LEAD = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[．.、]\s*([^。；;：:\n]{2,30})")


def test_every_task_paragraph_with_its_units_answers_who_is_responsible(assistant, plan_text):  # noqa: F811
    checked = 0
    for c in assistant.index.clauses:
        m = re.search(r"[（(](责任单位[：:][^）)]+)[）)]", c.text)
        lead = _LEAD.match(c.section[-1]) if c.section else None
        if m is None or lead is None or c.kind == "heading":
            continue
        city = assistant.index.docs[c.doc_id].city.removesuffix("市")
        answer = assistant.ask(f"{city}{lead.group(1)}这项任务由哪些单位负责？")
        assert answer.composer == "task" and m.group(1) in answer.text, (lead.group(1), answer.text)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 10


def test_a_task_asked_by_words_of_its_paragraph_gets_the_paragraphs_units(assistant):
    """A task named by what its paragraph says (科技节), not by its title (提升科技文化软实力), with "谁配合" or
    "责任单位" framing the question, not naming the task: the paragraph's own words count, the frame words do not."""
    for c in assistant.index.clauses:
        m = re.search(r"[（(]责任单位[：:]([^）)]+)[）)]", c.text)
        if m is None or c.kind == "heading":
            continue
        body = c.text[:m.start()]
        words = re.findall(r"办好([\u4e00-\u9fff]{2,8})", body)
        if words:
            city = assistant.index.docs[c.doc_id].city.removesuffix("市")
            answer = assistant.ask(f"{city}{words[0]}这些，责任单位有哪些？")
            assert answer.composer == "task" and m.group(1).split("、")[0] in answer.text, answer.text
            return
    raise AssertionError("no task paragraph names what it holds (办好…)")


def test_lead_and_partners_asked_together(assistant):
    """"谁牵头，谁配合" asks a task table row's lead and partner units; 配合 and "这事" frame the question, they are
    not words of the task: every row with partners, asked by its own words, is answered with all its units."""
    rows = [t for t in assistant.index.corpus.tasks if t.lead_units and t.partner_units]
    assert len(rows) >= 10
    wrong = []
    for t in rows:
        city = assistant.index.docs[t.doc_id].city.removesuffix("市")
        answer = assistant.ask(f"{city}{t.target.rstrip('。')[:20]}这事谁牵头，谁配合？")
        if answer.composer != "task" or not all(u in answer.text for u in (*t.lead_units, *t.partner_units)):
            wrong.append(t.target[:20])
    assert len(wrong) <= len(rows) // 10, wrong


def test_a_lead_claimed_of_one_row_is_held_against_that_rows_lead(assistant):
    """"…布局里，江苏省海洋工程装备重点实验室是由中天科技海缆牵头的吧": the answer quotes two rows; the claim is held
    against the row the question names (招商局重工), not the first row quoted (whose lead is 中天科技海缆)."""
    wrong = assistant.ask("南通“十四五”重大企业创新平台布局里，江苏省海洋工程装备重点实验室是由中天科技海缆牵头的吧？")
    assert wrong.refused and "招商局重工" in wrong.text and "“中天科技海缆”" in wrong.text
    assert not assistant.ask("南通“十四五”重大企业创新平台布局里，江苏省海洋工程装备重点实验室是由招商局重工牵头的吧？").refused


@pytest.mark.parametrize("question, said", [
    ("江阴新增上市企业那条归哪个部门管？", None),  # a question, not a unit: 市企业那条归哪个部 is no 部
    ("江阴新增上市企业这项是市发改委牵头的吧？", "“市发改委”"),  # the unit claimed, not 市企业这项是市发改委
])
def test_a_unit_name_holds_no_question_or_frame_words(assistant, question, said):
    answer = assistant.ask(question)
    if said is None:
        assert not answer.refused and "市工信局" in answer.text, answer.text
    else:
        assert answer.refused and said in answer.text and "市工信局" in answer.text, answer.text


@pytest.mark.parametrize("question,stated,lead", [
    # the row of the year's work the question names, with its figure, before the section's unit line of the period
    ("江阴2020年净增高企目标是多少？谁牵头？", "150家", "市科技局"),
    # a row 临港开发区 leads sets that zone's figure (4.4%), not the city's (3.3%)
    ("江阴2020年全社会研发投入占比目标是多少？哪个部门牵头？", "3.3%", "市科技局"),
    ("江阴临港开发区2020年研发投入占比目标是多少？谁牵头？", "4.4%", "临港开发区"),
])
def test_a_task_row_of_the_year_and_place_asked_answers_who_leads(assistant, question, stated, lead):
    answer = assistant.ask(question)
    assert answer.composer == "task" and stated in answer.text and lead in answer.text


def test_a_task_named_by_a_name_ending_like_a_unit_is_found_by_its_words(assistant):
    """"高新区金属材料创新研究院那项工作谁牵头": the name ends like a unit (区…院) but the plan writes it whole — its
    words name the task row (牵头 高新区), they are no unit the question states."""
    answer = assistant.ask("高新区金属材料创新研究院那项工作谁牵头？")
    assert answer.composer == "task" and "金属材料创新研究院" in answer.text and "牵头：高新区" in answer.text, answer.text
