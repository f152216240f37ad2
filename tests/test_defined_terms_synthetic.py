"""A quoted term the plan defines ("“两区”即以乙大道为分界线…") is answered by its defining sentence when the question
asks what it is or how it is divided, even where the question's other words name a part of the plan (a follow-up
about the part that holds it); on a made-up plan (东湖市)."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、重点工程

（一）科技走廊提升工程

1．优化创新空间功能布局。沿甲大道强化科技研发、企业孵化等功能区块配置，按照“一道两区多节点”的空间结构，完善科创功能。“一道”即甲大道，是南北向的科技创新大道；“两区”即以乙大道为分界线形成的南北两片区，其中南片区承载人才培育功能，北片区承载科技研发功能。

2．建设科技研发创新高地。集聚国内外一流研发机构和企业研发中心，建成核心研发功能区块。

3．培育高新技术产业集群。以科技走廊北片区为主体，培育高端产业集聚区。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"donghu": EAST}, tmp_path_factory.mktemp("defined-terms"))


def test_a_quoted_term_the_plan_defines_is_answered_by_its_definition_in_a_followup(qa):
    answer = qa.ask("里面说的“两区”是怎么分的？", ["东湖的科技走廊提升工程有哪些任务？"])
    assert "乙大道" in answer.text, answer.text


def test_a_quoted_term_asked_plainly_is_answered_by_its_definition(qa):
    answer = qa.ask("东湖科技走廊的“两区”是怎么划分的？")
    assert "乙大道" in answer.text, answer.text
