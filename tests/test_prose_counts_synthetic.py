"""Numbers a plan's prose writes in other forms than a question: a count in words ("…等四个方向", "三个部门")
answers "分几个方向", "有几个部门" (assistant/composers/target.prose_count; the figure layer reads digits only), and a
numbered programme asked by its short form (“326工程”) is the plan's full name (assistant/service._numbered_short_form);
on a made-up plan (东湖市) and made-up text."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、发展目标

到2025年，全市有效高新技术企业数量超过250家。

二、重点任务

（一）保障食品安全

强化过程控制、检验检测、监测评估、监管应急等四个方向关键共性技术研究，支持研发快速检测技术及产品。

（二）加快高企培育

对标最佳服务，负责高新技术企业认定管理的三个部门协同发力，加强对企业专利、研发费归集等业务的指导服务。

（三）提升高新区能级

2020年，东湖高新区在国家级高新区排名跃升至第9位。以东湖高新区12个分园为主阵地，编织创新网络。

（四）建设创新平台

支持企业建设工程技术研究中心，推动重点实验室提档升级。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"donghu": EAST}, tmp_path_factory.mktemp("prose-counts"))


def test_a_count_written_in_words_answers_how_many(qa):
    answer = qa.ask("东湖食品安全方面的关键技术研究分几个方向？")
    assert not answer.refused and "四个方向" in answer.text, answer.text


def test_a_count_of_the_asked_noun_wins_over_a_figure_of_another(qa):
    """"有几个部门": the departments' count, not the 250 高新技术企业 the question's other words point at."""
    answer = qa.ask("东湖负责高新技术企业认定管理的有几个部门？")
    assert "三个部门" in answer.text and "250" not in answer.text, answer.text


def test_a_count_of_the_asked_noun_from_the_figure_layer_wins_over_another_figure(qa):
    """"下面有多少个分园": the figure of 分园 (12个分园), not the zone's rank (第9位) the other words point at."""
    answer = qa.ask("东湖高新区现在下面有多少个分园？")
    assert "12个分园" in answer.text and "第9位" not in answer.text, answer.text


def test_a_noun_the_plan_never_counts_is_still_refused(qa):
    assert qa.ask("东湖有几个重点实验室？").refused


def test_a_numbered_programme_asked_by_its_short_form_is_the_plans_full_name(tmp_path):
    """“326工程” is the plan's “326高层次人才培养工程” (its number, then its genre word): answered from it; a number the
    plan never writes (“327工程”) is a name the plan does not have."""
    from assistant.service import _numbered_short_form

    texts = ["大力实施市第六期326高层次人才培养工程，适当提高本土人才支持标准。"]
    assert _numbered_short_form("326工程", texts)
    assert not _numbered_short_form("327工程", texts)
    assert not _numbered_short_form("26工程", texts)  # not the tail of another number
    assert not _numbered_short_form("人才工程", texts)
