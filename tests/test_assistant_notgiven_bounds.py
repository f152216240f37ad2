"""A bound asked for is not answered by the opposite bound alone (assistant/composers/notgiven.py)."""
from __future__ import annotations

import re

import pytest

from assistant.composers.notgiven import _as_bound, amount_pattern, asked_bound


def _bounds(side: str, quote: str, question: str) -> list[str | None]:
    return [_as_bound(side, quote, m) for m in amount_pattern(question).finditer(quote)]


def test_the_bound_asked_is_read_from_the_question():
    assert asked_bound("单个项目最高能拿多少钱") == "upper"
    assert asked_bound("补助的上限是多少") == "upper"
    assert asked_bound("最低能补助多少钱") == "lower"
    assert asked_bound("哪个城市的高企目标最高") is None  # a superlative across subjects, not a bound of an amount
    assert asked_bound("补助多少钱") is None


def test_a_figure_is_read_as_the_bound_the_plan_states():
    question = "最高能拿多少钱"
    assert _bounds("lower", "实施5万元以上的产学研合作项目", question) == ["5万元以上"]
    assert _bounds("lower", "给予不低于20万元的资助", question) == ["不低于20万元"]
    assert _bounds("upper", "给予最高500万元资助", question) == ["最高500万元"]
    assert _bounds("lower", "给予最高500万元资助", question) == [None]
    assert _bounds("lower", "对首次认定的给予30万元奖励", question) == [None]
    assert re.fullmatch(r"\d+万元以上", _bounds("lower", "资助10万元以上项目", question)[0])


def test_an_amount_per_unit_is_not_answered_by_aggregates():
    from assistant.composers.notgiven import aggregates_only

    found = aggregates_only("单家企业最高能贷多少", ["累计发放“甲科贷”139.37亿元，缓解了创新压力"])
    assert found is not None and found[1].group(0) == "139.37亿元" and found[2] == "单家"
    assert aggregates_only("单家企业最高能贷多少", ["单户贷款最高1000万元", "累计发放“甲科贷”139.37亿元"]) is None
    assert aggregates_only("累计发放了多少贷款", ["累计发放“甲科贷”139.37亿元"]) is None  # a total asked


def test_an_area_or_length_is_answered_only_by_a_figure_in_its_units():
    from assistant.composers.notgiven import measure_missing

    assert measure_missing("中华药港占地多少亩", ["以中华药港、716研究所等创新载体为主体"])
    assert measure_missing("走廊要建多少公里", ["联动扩大高新区15个分园创新资源"])
    assert not measure_missing("载体面积多大", ["新建各类科技创新载体18万平方米，累计达到25万平方米"])
    assert not measure_missing("孵化园区总面积有多大", ["孵化园区总面积达到 55 万平方米"])  # spaced, as a PDF gives it
    assert not measure_missing("园区有多少家企业", ["园区企业160家"])  # no area or length asked


def test_a_scoring_rule_asked_is_an_amount_asked_in_points():
    """"积分每项指标具体怎么打分" asks a standard in points, as "积分要达到多少分" does; "积分管理是怎么回事" asks none."""
    from assistant.composers.notgiven import amount_pattern, asks_amount

    assert asks_amount("企业科技创新积分，每项指标具体怎么打分？") and asks_amount("评分标准是什么")
    assert amount_pattern("每项指标具体怎么打分").search("得60分") is not None
    assert not asks_amount("企业科技创新积分管理是怎么回事？")


def test_an_amount_per_borrower_is_not_answered_by_a_funds_size():
    """"一家企业最多能贷多少" is not answered by "设立3000万元风险补偿资金池": a pool's size, written after the figure."""
    from assistant.composers.notgiven import aggregates_only

    found = aggregates_only("“甲科贷”一家企业最多能贷多少？", ["银行共同开发了“甲科贷”融资产品，设立 3000 万元风险补偿资金池"])
    assert found is not None and found[2] == "一家"
    assert aggregates_only("“甲科贷”一家企业最多能贷多少？", ["单户贷款最高1000万元"]) is None  # a per-unit figure
    assert aggregates_only("“甲科贷”的资金池有多少钱？", ["设立 3000 万元风险补偿资金池"]) is None  # the pool asked


def test_a_year_asked_is_not_answered_by_a_clause_without_one(assistant):
    """"哪一年获批" wants a year: "“十四五”期间…争创首次进口药品口岸" gives a period, so the plan is said not to state it;
    a clause that states the year answers."""
    refused = assistant.ask("中华药港争创的首次进口药品口岸计划哪一年获批？")
    assert refused.refused and "年份" in refused.text and "首次进口药品口岸" in refused.text
    answered = assistant.ask("国家火炬句容交通新材料特色产业基地是哪年获批的？")
    assert not answered.refused and "2017" in answered.text


def test_parts_asked_of_a_sum_the_plan_gives_whole_are_not_given(assistant):
    """"种子基金和天使基金分别要达到多大规模" where the plan names them together and gives their sum (…形成总规模500亿元
    的投资基金群): refused, quoting the sum; parts the plan gives one by one (高企、科小分别) are answered."""
    whole = assistant.ask("南通的种子基金和天使基金到“十四五”末分别要达到多大规模？")
    assert whole.refused and "500亿元" in whole.text and whole.citations
    each = assistant.ask("南京高企、科小分别有多少家？")
    assert not each.refused and "20000" in each.text and "30000" in each.text


def test_qualifiers_are_read_longest_first():
    from assistant.composers.notgiven import qualifiers

    assert [w for w, _ in qualifiers("新增省级以上孵化器、市级众创空间", "level")] == ["省级以上", "市级"]
    assert [w for w, _ in qualifiers("规模以上工业企业研发投入", "scope")] == ["规模以上工业"]


@pytest.mark.parametrize("question, stated", [
    ("南京到2025年省级孵化器要有多少家？", "国家级"),  # the plan gives 国家级孵化器 60家 only
    ("连云港规上工业企业研发投入强度2025年要到多少？", "全社会"),  # only 全社会研发投入占GDP比重
])
def test_a_figure_of_another_level_or_scope_does_not_answer(assistant, question, stated):
    answer = assistant.ask(question)
    assert answer.refused and f"“{stated}”" in answer.text and answer.citations, answer.text


@pytest.mark.parametrize("question, value", [
    ("南京到2025年国家级孵化器要有多少家？", "60家"), ("南京省级以上孵化器要达到多少家？", "60家"),  # 省级以上 covers 国家级
    ("连云港全社会研发投入强度2025年要到多少？", "2.5"),
    ("江阴国家级的单项冠军企业要争创几家？", "2家"),  # the plan writes 国家制造业“单项冠军”: 国家 states the level too
])
def test_a_figure_of_the_asked_or_a_covering_level_answers(assistant, question, value):
    answer = assistant.ask(question)
    assert not answer.refused and value in answer.text, answer.text


def test_a_support_amount_is_not_answered_by_a_figure_giving_no_money(assistant):
    """"补贴标准是多少钱一家": a figure of the subject's revenue or count (营业收入超200亿元) gives no support amount."""
    answer = assistant.ask("南京给新型研发机构的补助是多少钱一家？")
    assert answer.refused and "补助或奖励数额" in answer.text and answer.citations, answer.text


def test_a_count_after_how_many_is_given_is_no_amount_asked():
    """"给多少个重点产业做了专栏" counts industries (给 is "for"); "给多少钱", "能拿多少" ask an amount."""
    from assistant.composers.notgiven import asks_amount

    assert not asks_amount("南通规划给多少个重点产业做了创新布局专栏？")
    assert not asks_amount("每年能拿多少项市级科技项目？")
    assert asks_amount("首次认定的高企给多少钱？") and asks_amount("首次认定的高企能拿多少？")


@pytest.mark.parametrize("question,stated", [
    ("国家级孵化器到2025年南通要有几家？", "省级以上"),  # 省级以上 counts the province's too: no 国家级 figure
    ("句容到2025年省级以上研发平台要新增几家？", "市级以上"),  # 市级以上 counts the city's too
])
def test_a_figure_counting_levels_below_the_asked_one_is_not_its_figure(assistant, question, stated):
    answer = assistant.ask(question)
    assert answer.refused and stated in answer.text and answer.citations


def test_a_figure_of_a_level_and_above_answers_that_level(assistant):
    """省级以上 answers 省级: 以上 is often left unsaid."""
    answer = assistant.ask("南通省级孵化器要新增多少家？")
    assert not answer.refused and "30家" in answer.text


def test_one_years_amount_is_not_a_total_over_years(assistant):
    """"2020年…投入多少亿元" where the plan states only the 十三五 total (累计…1047亿元): not given, the total quoted;
    the total asked is answered, and a year the plan states is answered."""
    answer = assistant.ask("南通2020年全社会研发经费投入多少亿元？")
    assert answer.refused and "1047亿元" in answer.text
    assert "1047亿元" in assistant.ask("南通十三五期间全社会研发投入累计多少亿？").text
    assert "515亿元" in assistant.ask("南京2020年全社会研发经费支出多少亿元？").text


def test_an_amount_in_yi_asks_money_not_a_share(assistant):
    answer = assistant.ask("2020年南通全社会研发经费一共投了多少亿？")
    assert "2.55%" not in answer.text


def test_a_comparison_of_amounts_quotes_sentences_stating_amounts(assistant):
    answer = assistant.ask("南京和南通2020年全社会研发经费支出各是多少亿元？")
    assert "515亿元" in answer.text and "\t" not in answer.text


def test_a_years_amount_the_plan_states_is_answered(assistant):
    """"2020年发放“苏科贷”3.58亿元" gives 2020's amount: 发放 is no total over years."""
    answer = assistant.ask("连云港2020年苏科贷放了多少？")
    assert not answer.refused and "3.58亿元" in answer.text


def test_a_count_in_wan_is_not_money(assistant):
    answer = assistant.ask("南通高技能人才规划目标多少万？")
    assert not answer.refused and "55万人" in answer.text
