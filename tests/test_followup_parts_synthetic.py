"""Follow-ups about a part of the conversation's city (assistant/query.py, assistant/service.py), on a made-up plan
(东湖市) indexed for this module: nothing depends on the shipped plans' wording."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、发展布局

（一）高新区布局

东湖高新区（国家级）：主导产业 光电信息、生物医药，发展目标 建成国内一流的科技园区。

义乌高新区（省级）：主导产业 智能装备、新型材料，发展目标 打造省级高新区排头兵。

（二）创新平台

建设一批产业技术研究院，推动企业研发机构提档升级。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"donghu": EAST}, tmp_path_factory.mktemp("followup-parts"))


def test_a_place_the_citys_plan_writes_with_a_part_word_is_a_part_of_the_city(qa):
    """"那义乌高新区呢？" after a question about 东湖高新区: 义乌 has no plan, but 东湖's plan writes 义乌高新区, so the
    question is the previous one asked of that part, in 东湖's plan."""
    first = "东湖高新区（国家级）的主导产业是什么？"
    query = qa.understand("那义乌高新区呢？", [first])
    assert query.cities == ("东湖市",) and "义乌高新区" in query.text and "国家级" not in query.text, query.text
    answer = qa.ask("那义乌高新区呢？", [first])
    assert not answer.refused and "智能装备" in answer.text, answer.text


def test_a_part_no_plan_writes_is_refused_not_answered_with_the_citys_other_parts(qa):
    answer = qa.ask("那瑞安高新区呢？", ["东湖高新区（国家级）的主导产业是什么？"])
    assert answer.refused and "瑞安高新区" in answer.text, answer.text
