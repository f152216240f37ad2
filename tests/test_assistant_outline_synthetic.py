"""Outline and count questions on a made-up plan (南湖市) indexed for this module: a goal written as colon-led aspects,
a sub-area list after a colon-led introduction, a box series counted "one per industry" — nothing depends on the
shipped plans' wording."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

from assistant.composers.notgiven import asks_amount
from assistant.composers.outline import shape_of

SOUTH = """南湖市“十四五”科技创新规划

一、总体要求

（一）发展目标

到2025年，创新生态更加优化，创新人才加快集聚。

提升产业创新能力：产业技术创新链条完善，高水平研发机构加速引建。

壮大企业创新队伍：创新型企业集群不断壮大，企业研发投入稳步增加。

优化创新创业生态：科技服务体系更加完善，创新文化氛围更加浓厚。

二、重点产业

（一）新能源

发展思路：以光伏和储能为重点，打造新能源创新高地。

——光伏。重点突破高效电池技术。

——储能。重点研发固态电池技术。

——氢能。加快燃料电池技术攻关。

三、创新布局

产业创新布局专栏1：光伏产业

建设光伏技术研究院。

产业创新布局专栏2：储能产业

建设储能材料实验室。

产业创新布局专栏3：氢能产业

建设氢能装备中试基地。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"nanhu": SOUTH}, tmp_path_factory.mktemp("outline-synthetic"))


def test_the_aspects_a_goal_is_written_in_are_its_colon_led_paragraphs(qa):
    """"发展目标从哪几个方面展开": 方面 is counted (展开 says what the plan does with them, no word of the part), and the
    goal's aspects are its colon-led paragraphs ("提升产业创新能力：…"), not its introduction."""
    assert shape_of("南湖的发展目标从哪几个方面展开？").counted == "方面"
    answer = qa.ask("南湖的发展目标从哪几个方面展开？")
    assert answer.composer == "outline", answer.text
    assert all(w in answer.text for w in ("提升产业创新能力", "壮大企业创新队伍", "优化创新创业生态")), answer.text
    assert "创新生态更加优化" not in answer.text, answer.text


def test_a_colon_led_introduction_before_dash_led_areas_is_no_area(qa):
    """"新能源分哪些细分领域": the dash-led areas (——光伏。…) are the list; "发展思路：…" introduces them."""
    from assistant.sections import all_nodes

    node = next(n for n in all_nodes(qa.index) if n.name == "新能源")
    assert [name for name, _ in node.members(introduced=True)] == ["光伏", "储能", "氢能"]


def test_how_many_things_a_box_series_was_made_for_counts_the_series(qa):
    """"给多少个产业做了创新布局专栏": 给 is "for", not "give" — a count of the box series, no amount asked."""
    assert not asks_amount("南湖规划给多少个产业做了产业创新布局专栏？")
    answer = qa.ask("南湖规划给多少个产业做了产业创新布局专栏？")
    assert not answer.refused and "3个" in answer.text, answer.text
