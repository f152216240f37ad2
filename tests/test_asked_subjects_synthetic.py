"""What a question asks of, read from its own words, on a made-up plan (南湖市, indexed for this module): a goal the
plan sets for another thing is no goal for the thing asked; a part counted by its count word gives way to the part
whose title says the question's other words; a year before the plan's period asks its review; pronouns after a year,
ordinals whose item opens with the city's name, quoted indicator rows, and task leads asked as 归哪个部门 / 谁来抓.
Nothing depends on the shipped plans' wording."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

PLAN = """南湖市“十四五”科技创新规划

一、发展基础

“十三五”期间，全市创新能力稳步提升，在2020年全国创新型城市排行榜中位居第40位。截至2020年底，全市累计建成省级以上孵化器12个、众创空间9个，新型研发机构达到30家。

二、发展目标

到2025年，全市新型研发机构达到60家。培育建设一批国家实验室、国家重大科技基础设施、国家重点实验室,新建省级技术创新中心2家。到2025年南湖创新区研发产业发展效果显现，引领和带动效应增强，吸纳总从业人员 1万人。

力争到2025年，新型研发机构及其孵化企业当年营业收入超80亿元。目前全市拥有1个国家级高新区，2个省级高新区。南湖高新区排名进入全国前30位，新增省级高新区1家。

### 南湖市“十四五”科技创新主要指标

序号	指标名称	单位	2020 年基数	2025 年目标
1	新型研发机构等重大创新平台数量	个	18	45
2	全社会研发投入占地区生产总值比重	%	2.6	3.1

三、实施科技创新重点工程，提升创新发展效能

（一）企业创新能力提升工程

支持企业建设研发机构。

（二）创新平台载体建设工程

推进重大创新平台建设。

（三）科技金融服务支撑工程

推动科技金融产品创新。

（四）南湖都市圈协同创新发展工程

深化“南湖都市圈技术转移联盟”建设，推进创新券通用通兑。

四、发展新材料产业

南湖高新区（国家级）：主导产业 新材料、智能装备。

发展思路：实施关键材料攻关、材料产业链锻造、材料应用推广、材料标准引领、材料人才集聚五大工程，推动新材料产业集聚。着力构建“两园三基地”新材料产业发展格局。按照“一带两核”的布局，“一带”即南湖大道科创带，“两核”即东西两个创新核。

（五）强化原始创新

力争到2025年，南湖跻身全国创新型城市排行榜前30位。

五、保障措施

强化市科技创新委员会对规划实施的组织领导，协调解决规划实施中的重大问题。

附件：2021年重点工作任务

序号	工作任务	牵头单位	配合单位
1	全年招引优秀大学毕业生3000名	市人社局	市科技局
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"nanhu": PLAN}, tmp_path_factory.mktemp("asked-subjects"))


def test_a_goal_set_for_another_thing_is_no_goal_for_the_thing_asked(qa):
    """"国家重点实验室" is listed, but the figure beside it counts 省级技术创新中心; "研发人员" is not 总从业人员."""
    labs = qa.ask("南湖到2025年要新增几家国家重点实验室？")
    assert labs.refused and "技术创新中心2家" in labs.text, labs.text
    people = qa.ask("南湖2025年研发人员要达到多少人？")
    assert people.refused, people.text
    # the thing the figure does count, and a count of the thing asked in the plan's own other words, are answered
    centres = qa.ask("南湖到2025年新建省级技术创新中心多少家？")
    assert not centres.refused and "2家" in centres.text, centres.text
    employed = qa.ask("南湖创新区2025年从业人员要达到多少？")
    assert not employed.refused and "1万人" in employed.text, employed.text


def test_a_city_named_after_the_subject_is_no_word_of_the_subject(qa):
    """"国家重点实验室南湖要达到多少家": the city before 要 is the place asked, not part of the thing counted."""
    answer = qa.ask("到2025年国家重点实验室南湖要达到多少家？")
    assert answer.refused and "南湖的" not in answer.text.split("。")[0], answer.text


def test_a_chapter_of_the_kind_that_says_the_other_words_beats_a_count_word(qa):
    """"五大工程" in a sentence about 新材料 counts 工程 by its own word; the chapter of four 工程 whose title says
    提升创新发展效能 is what "用来提升创新效能的大工程" asks."""
    answer = qa.ask("南湖规划里用来提升创新效能的大工程一共有几个？")
    assert "科技金融服务支撑工程" in answer.text and "材料应用推广" not in answer.text, answer.text
    materials = qa.ask("南湖新材料产业有几大工程？")
    assert "材料应用推广" in materials.text, materials.text


def test_a_year_before_the_plans_period_asks_its_review(qa):
    answer = qa.ask("南湖到2020年底省级以上孵化器有多少个？")
    assert not answer.refused and "12个" in answer.text, answer.text


def test_a_pronoun_after_a_year_keeps_the_conversations_subject(qa):
    answer = qa.ask("到2025年它们的营业收入目标呢？", ["南湖现在有多少家新型研发机构？"])
    assert "80亿元" in answer.text, answer.text


def test_an_ordinal_item_that_opens_with_the_citys_name_keeps_its_name(qa):
    listing = qa.ask("南湖规划里有哪些重点工程？")
    assert "南湖都市圈协同创新发展工程" in listing.text, listing.text
    items = [line for line in listing.text.splitlines() if "工程" in line and "[" in line]
    n = next(i for i, line in enumerate(items, 1) if "都市圈" in line)
    ordinal = "一二三四五六七八九"[n - 1]
    answer = qa.ask(f"第{ordinal}个工程讲的是什么？", ["南湖规划里有哪些重点工程？"])
    assert "技术转移联盟" in answer.text, answer.text


def test_a_quoted_indicator_row_gives_its_base_and_target(qa):
    answer = qa.ask("南湖指标表里“重大创新平台”数量，起点和目标各是多少？")
    assert "18" in answer.text and "45" in answer.text, answer.text


def test_who_a_task_belongs_to_and_who_carries_out_the_plan(qa):
    lead = qa.ask("南湖招3000名大学毕业生这事归哪个部门？")
    assert "市人社局" in lead.text, lead.text
    plan = qa.ask("谁来抓南湖科技规划的实施？")
    assert "市科技创新委员会" in plan.text, plan.text


def test_a_national_ranking_is_a_national_level_figure(qa):
    """"在国家级高新区里的排名": the level names the field ranked in, so 省级 in the same sentence (新增省级高新区1家)
    does not refuse the rank the plan states (全国前30位)."""
    answer = qa.ask("南湖高新区在国家级高新区里的排名目标是多少？")
    assert not answer.refused and "前30位" in answer.text, answer.text


def test_how_many_more_is_a_target_not_a_count_of_listed_parts(qa):
    from assistant.composers.outline import asks_structure

    assert not asks_structure("十四五期间南湖要新增几个国家级高新区？")
    assert asks_structure("南湖规划一共有几个专栏？")


def test_many_specific_tasks_counts_tasks():
    from assistant.composers.outline import shape_of

    assert shape_of("这个三年计划一共细分成多少条具体任务？").counted == "任务"
    assert shape_of("新能源产业的科技重点分哪些细分领域？").counted != "领域"  # a list, not a count: its own words


def test_a_period_after_the_plans_own_has_no_target_in_it(qa):
    """"十五五期间的…目标" of a plan for 2021–2025, quoted or not, is refused with the plan's period."""
    for question in ("南湖十五五期间的新型研发机构目标是多少？", "南湖“十五五”期间的新型研发机构目标是多少？"):
        answer = qa.ask(question)
        assert answer.refused and "2021—2025" in answer.text, answer.text
    assert not qa.ask("南湖十四五期间新型研发机构目标是多少？").refused


def test_a_quoted_period_names_no_part_and_an_attribute_keeps_its_owner(qa):
    from assistant.query import quoted_names

    assert quoted_names("医药是强项，“十四五”里具体想怎么弄？") == ()
    assert quoted_names("“中华药港”专栏里有哪些平台？") == ("中华药港",)
    assert qa.understand("南湖生物医药的关键共性技术方向是什么？").subject == "生物医药的关键共性技术方向"


def test_how_many_more_of_a_level_the_plan_sets_only_for_another_level_is_refused(qa):
    """"新增几个国家级高新区": the plan's 新增 is of 省级 ones, and "目前拥有1个国家级高新区" is where it stands, not a goal;
    "几个国家级…" counts 高新区, not 国家."""
    answer = qa.ask("十四五期间南湖要新增几个国家级高新区？")
    assert answer.refused and "省级" in answer.text, answer.text


def test_a_level_claimed_with_still_is_checked(qa):
    """"南湖高新区还是省级高新区" claims its level now, which the plan gives as 国家级."""
    answer = qa.ask("南湖高新区还是省级高新区，规划里让它怎么升国家级？")
    assert answer.refused, answer.text


def test_a_part_asking_a_goal_takes_no_review_year_from_the_part_before(qa):
    answer = qa.ask("南湖2020年在全国创新型城市排行榜排第几？目标是多少？")
    assert "第40位" in answer.text and "前30位" in answer.text, answer.text


def test_the_parts_of_a_named_grouping_the_plan_never_spells_out_are_not_given(qa):
    """"“两园三基地”具体是哪两个园区": the plan names the layout only; "“一带两核”具体指什么" it spells out (“一带”即…)."""
    unsaid = qa.ask("南湖“两园三基地”具体是哪两个园区？")
    assert unsaid.refused and "两园三基地" in unsaid.text, unsaid.text
    said = qa.ask("南湖“一带两核”具体指什么？")
    assert not said.refused and "南湖大道科创带" in said.text, said.text
