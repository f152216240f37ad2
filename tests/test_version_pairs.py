"""Issue 22: one measure in both plans of a city, side by side (`assistant.version_pairs`). A version question the
indicator diff leaves open ("两版的…分别是多少", "…十五五比十四五提高了多少", "…政策有什么变化") is asked of each
plan alone, each answer headed by its plan and period and cited on its own side, and a change worked out when both
sides state the asked amount. On wordings of no particular plan, then through the assistant once a newer 南京 plan
is uploaded (fixtures of tests/test_version_interfaces.py)."""
from __future__ import annotations

from test_version_interfaces import client, series_index, today  # noqa: F401 - fixtures

from assistant.contract import Citation
from assistant.version_pairs import asked_amount, one_plan_question, subject_of


def test_the_question_each_plan_is_asked_alone():
    assert one_plan_question("首次认定的高新技术企业奖励，十五五比十四五提高了多少？") == "首次认定的高新技术企业奖励，是多少？"
    assert one_plan_question("两版规划的科技创新券政策有什么变化？") == "科技创新券政策是什么？"
    assert one_plan_question("甲市两版科技创新规划里的科技信贷产品分别叫什么？") == "甲市科技信贷产品分别叫什么？"
    assert one_plan_question("对企业研发投入增量的奖补，“十四五”和“十五五”规划的比例和上限各是多少？") == \
        "对企业研发投入增量的奖补，比例和上限各是多少？"  # 比例 keeps its 比: a link only between or before names
    assert one_plan_question("和十四五相比，乙市十五五时期的人才公寓有哪些变化") == "乙市人才公寓是什么"
    assert subject_of("十五五的风险补偿资金池比十四五扩大了多少？") == "风险补偿资金池？"


def _cite(quote: str) -> Citation:
    return Citation(doc_id="d", section="", quote=quote, char_start=0, char_end=len(quote))


def test_the_amount_a_side_states_for_what_is_asked():
    asked = "风险补偿资金池是多少？"
    quotes = [_cite("推出科技信贷产品，累计为530家企业发放贷款46.2亿元。"),
              _cite("将风险补偿资金池由5000万元扩大至1.5亿元，单户贷款额度最高1000万元。")]
    assert asked_amount(asked, quotes) == (1.5, "亿元", "1.5亿元")  # the asked pool, as it now stands
    assert asked_amount(asked, quotes[:1]) is None  # 贷款 is not the pool
    reward = [_cite("对首次认定的高新技术企业给予30万元奖励，对重新认定的给予10万元奖励；")]
    assert asked_amount("首次认定的高新技术企业奖励是多少", reward)[:2] == (30, "万元")


def test_an_answer_sets_both_plans_side_by_side(series_index):  # noqa: F811
    assistant, new_id = series_index
    answer = assistant.ask("南京十五五的市级科技创新基金规模比十四五扩大了多少？")
    assert answer.composer == "versions:side_by_side"
    old_head, new_head = "《南京市“十四五”科技创新规划》（“十四五”（2021—2025年），规划期已结束）：", "《南京市“十五五”科技创新规划（测试样例）》"
    assert old_head in answer.text and new_head in answer.text and answer.text.index(old_head) < answer.text.index(new_head)
    assert "50亿元" in answer.text and "100亿元" in answer.text and "增加50亿元" in answer.text
    sides = {c.doc_id: c for c in answer.citations}
    assert set(sides) == {"nanjing-2021", new_id}
    assert sides["nanjing-2021"].period == "2021-2025" and sides["nanjing-2021"].period_ended is True
    assert sides[new_id].period == "2026-2030" and sides[new_id].period_ended is False
    for n, c in enumerate(answer.citations, 1):  # each marker under its own plan's heading
        at = answer.text.index(f"[{n}]")
        assert (at > answer.text.index(new_head)) == (c.doc_id == new_id)
        assert assistant.index.source(c.doc_id)[c.char_start:c.char_end] == c.quote


def test_a_plan_named_by_its_full_title_is_one_plan_not_two(series_index):  # noqa: F811
    """"科技创新规划" holds 新规划 (a word for the newer plan): a question naming one plan by its title is routed
    to that plan, not answered as a comparison of two; and a document question answers for that plan alone."""
    assistant, new_id = series_index
    answer = assistant.ask("南京市“十四五”科技创新规划中高新技术企业数的目标是多少？")
    assert answer.composer != "versions" and {c.doc_id for c in answer.citations} == {"nanjing-2021"}
    assert "20000" in answer.text
    issued = assistant.ask("南京市“十四五”科技创新规划是哪天印发的？")
    assert not issued.refused and {c.doc_id for c in issued.citations} == {"nanjing-2021"}


def test_a_claim_that_an_old_target_was_met_is_held_against_the_newer_plan(series_index):  # noqa: F811
    """"…目标4%已经完成了，对吧" where the newer plan's 2025 figure falls short is a false premise: refused, with the
    verdict and both plans' rows cited; a claim the newer plan bears out is answered."""
    assistant, new_id = series_index
    wrong = assistant.ask("南京十四五的研发投入强度目标4%已经完成了，对吧？")
    assert wrong.refused and "未达成" in wrong.text and "3.9%" in wrong.text
    assert {c.doc_id for c in wrong.citations} == {"nanjing-2021", new_id}
    right = assistant.ask("南京十四五的高新技术企业目标已经完成了，对吧？")
    assert not right.refused and "已完成（达成）" in right.text
    asked = assistant.ask("南京十四五的研发投入强度目标完成了吗？")
    assert not asked.refused and "未完成（未达成）" in asked.text  # asked, not claimed: answered
