"""A part's targets asked ("…工程有哪些量化目标", "具体说说第二个，有哪些量化目标") are the part's own sentences that
state a year's figure, not its list of sub-parts (assistant/composers/outline._targets_of); on a made-up plan."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、重点工程

（一）创新主体培育工程

培育壮大创新型企业群体，到2025年，高新技术企业达到800家。

1．实施高企倍增计划。

完善高企培育库，加强辅导服务。

（二）产业创新提升工程

围绕产业链部署创新链，到2025年，力争突破30项产业关键共性技术、开发500个创新产品。

2．加强关键核心技术攻关。

发布关键核心技术攻关清单，组织实施揭榜挂帅专项。

3．完善产业技术创新链条。

推动产业链上下游企业协同创新。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"donghu": EAST}, tmp_path_factory.mktemp("part-targets"))


def test_a_parts_targets_are_its_sentences_with_a_years_figure(qa):
    answer = qa.ask("东湖产业创新提升工程有哪些量化目标？")
    assert "30项" in answer.text and "500个" in answer.text and "800家" not in answer.text, answer.text


def test_a_parts_sub_parts_are_still_listed_when_asked(qa):
    answer = qa.ask("东湖产业创新提升工程包括哪些？")
    assert "加强关键核心技术攻关" in answer.text and "完善产业技术创新链条" in answer.text, answer.text
