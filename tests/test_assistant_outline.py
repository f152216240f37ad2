"""Outline, count and topic questions answered from the plan's structure (assistant/sections.py, composers/outline.py).

Checked on every shipped plan through its own clause tree, so nothing depends on one plan's wording:
each part of a plan, each section with several sub-sections and each box series is listed in order,
counted correctly, and cited to its headings exactly.
"""
from __future__ import annotations

import re

import pytest
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

from assistant.composers.outline import shape_of
from assistant.sections import label_of, plan_tree
from ingest.structure import strip_numbering


def _city(assistant, doc_id):
    return assistant.index.docs[doc_id].city.removesuffix("市")


@pytest.mark.parametrize("title, name", [
    ("（一）构建面向未来技术创新体系", "构建面向未来技术创新体系"), ("三、总体要求", "总体要求"), ("3．以双招双引壮大优势产业", "以双招双引壮大优势产业"),
    ("第二章 创新平台", "创新平台"), ("第一节　企业主体", "企业主体"), ("专栏1  探索建立“揭榜挂帅”制度", "探索建立“揭榜挂帅”制度"),
    ("重大工程一\u2002科技领军企业培育工程", "科技领军企业培育工程"), ("## **（五）弘扬创新创业文化**", "弘扬创新创业文化"), ("1．加强组织领导。", "加强组织领导"),
])
def test_numbering_is_stripped_from_titles(title, name):
    assert strip_numbering(title) == name


@pytest.mark.parametrize("question, kind", [
    ("主要指标一共有几项？", "count"), ("规划分哪几章？", "outline"), ("有几个专栏？", "count"),
    ("七大工程是哪些？", "outline"), ("在引进海外人才方面有哪些举措？", "topic"), ("如何支持企业建设研发机构？", "topic"),
    ("到2025年高新技术企业要达到多少家？", None),
])
def test_question_shapes(question, kind):
    shape = shape_of(question)
    assert (shape.kind if shape else None) == kind


def test_every_plan_lists_its_chapters_in_order(assistant, plan_text):  # noqa: F811
    for doc_id, roots in plan_tree(assistant.index.corpus).items():
        chapters = [n for n in roots if n.kind == "section" and n.clause is not None]
        answer = assistant.ask(f"{_city(assistant, doc_id)}的规划分为哪几个部分？")
        assert answer.composer == "outline" and not answer.refused
        positions = [answer.text.find(n.name) for n in chapters]
        assert all(p >= 0 for p in positions) and positions == sorted(positions), (doc_id, answer.text)
        assert_exact(answer, plan_text)


@pytest.mark.parametrize("asked, said", [("分成几个部分", "个部分"), ("分几章", "章"), ("分为几部分", "部分")])
def test_a_count_of_the_plan_s_parts_is_said_in_the_question_s_own_noun(assistant, asked, said):
    for doc_id, roots in plan_tree(assistant.index.corpus).items():
        chapters = [n for n in roots if n.kind == "section" and n.clause is not None]
        answer = assistant.ask(f"{_city(assistant, doc_id)}的规划{asked}？")
        assert f"共{len(chapters)}{said}" in answer.text, (doc_id, answer.text)


def test_every_section_with_sub_sections_is_counted_and_listed(assistant, plan_text):  # noqa: F811
    checked = 0
    for doc_id, roots in plan_tree(assistant.index.corpus).items():
        for root in roots:
            subs = [c for c in root.children if c.kind == "section"]
            if len(subs) < 3:
                continue
            answer = assistant.ask(f"{_city(assistant, doc_id)}规划的“{root.name}”一共有几项？")
            assert f"共{len(subs)}项" in answer.text, (doc_id, root.name, answer.text)
            quotes = iter(c.quote for c in answer.citations)  # in order, beside the count word and any numbered items
            assert all(any(q == s.name for q in quotes) for s in subs), (doc_id, root.name, answer.text)
            assert_exact(answer, plan_text)
            checked += 1
    assert checked >= 10


def test_a_box_past_the_end_of_its_series_is_a_false_premise(assistant, plan_text):  # noqa: F811
    """"专栏7讲的是什么" of a plan whose 专栏 end at 6: refused with the series, over every series a plan numbers in digits."""
    from assistant.sections import all_nodes

    checked = 0
    for node in all_nodes(assistant.index.corpus):
        numbers = [re.search(r"\d+$", label_of(b)) for b in node.children] if node.kind == "series" else []
        if not numbers or not all(numbers):
            continue
        last = max(int(m.group(0)) for m in numbers)
        city = _city(assistant, node.doc_id)
        answer = assistant.ask(f"{city}规划里的{node.name}{last + 1}讲的是什么内容？")
        assert answer.refused and f"{node.name}{last + 1}" in answer.text, (node.doc_id, answer.text)
        assert all(c.doc_id == node.doc_id for c in answer.citations) and answer.citations
        assert_exact(answer, plan_text)
        assert not assistant.ask(f"{city}规划里的{node.name}{last}讲的是什么内容？").refused
        checked += 1
    assert checked >= 1


def test_a_box_asked_by_the_start_of_its_name_is_listed_before_a_section_the_words_fit_as_well(assistant):
    """"规划列出的重点创新平台有哪些" spells the box 重点创新平台建设工程 further than the section 打造高能级创新平台
    the same words cover: the box is listed. Over every box of the shipped plans with a name of 8 or more characters."""
    from assistant.sections import all_nodes

    checked = 0
    for node in all_nodes(assistant.index.corpus):
        if node.kind != "box" or len(node.members()) < 2 or len(node.name) < 8:
            continue
        answer = assistant.ask(f"{_city(assistant, node.doc_id)}规划列出的{node.name[:-2]}有哪些？")
        assert node.name in answer.text[:80], (node.doc_id, node.name, answer.text[:80])
        checked += 1
    assert checked >= 10


def test_a_box_series_is_listed_by_its_label(assistant):
    answer = assistant.ask("南京的重大工程有哪些？")
    assert answer.composer == "outline"
    assert "科技领军企业培育工程" in answer.text and "科技体制改革攻坚工程" in answer.text and len(answer.citations) == 9


def test_a_topic_question_quotes_the_section_about_it(assistant, plan_text):  # noqa: F811
    answer = assistant.ask("连云港如何培育高新技术企业？")
    assert not answer.refused and answer.composer == "topic"  # a taxonomy topic: the topic composer, section first
    # the listed items are not from the section on agricultural high-tech zones (the folded rest may point to it)
    listed = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text.split("另有")[0])}
    assert listed and all("农业" not in c.section for k, c in enumerate(answer.citations, 1) if k in listed)
    assert any("高新技术企业" in c.quote for c in answer.citations)
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question, expected", [
    ("南京规划的重点任务有哪些？", "构建面向未来技术创新体系"),
    ("句容的发展目标是什么？", "科技创新载体全面推进"),
    ("江阴的主要目标有哪些？", "主要目标"),
])
def test_a_part_named_as_plans_name_it_is_answered_from_that_part(assistant, plan_text, question, expected):  # noqa: F811
    answer = assistant.ask(question)
    assert answer.composer == "outline" and expected in answer.text
    assert_exact(answer, plan_text)


def test_a_table_s_rows_are_counted_when_the_question_says_it_lists_them(assistant, plan_text):  # noqa: F811
    """"…表里列了多少个项目": the rows of the box or table the question names, not a figure and not a part whose members
    happen to end in the counted noun."""
    from collections import Counter

    from assistant.sections import all_nodes

    nodes = all_nodes(assistant.index.corpus)
    names = Counter((n.doc_id, n.name) for n in nodes)
    checked = 0
    for node in nodes:
        if node.kind not in ("box", "table") or len(node.members()) < 4 or len(node.name) < 6 or names[node.doc_id, node.name] > 1:
            continue
        answer = assistant.ask(f"{_city(assistant, node.doc_id)}{node.name}表里列了多少个项目？")
        if answer.refused or node.name not in answer.text:
            continue
        assert f"共{len(node.members())}" in answer.text, (node.name, answer.text)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 2


def test_a_section_none_of_whose_parts_is_of_the_counted_kind_does_not_count_it(assistant):
    """"…有多少个分园" of a section whose parts are no 园 (of every plan's sections with parts): the section's parts
    are not counted as 分园 — the plan's own count of 分园, if any, or a refusal answers."""
    checked = 0
    for doc_id, roots in plan_tree(assistant.index.corpus).items():
        for root in roots:
            for node in [root, *root.children]:
                subs = [c for c in node.children if c.kind == "section"]
                if len(subs) < 2 or any("园" in s.name for s in [node, *subs]):
                    continue
                answer = assistant.ask(f"{_city(assistant, doc_id)}{node.name}底下有多少个分园？")
                assert f"共{len(subs)}个" not in answer.text, (node.name, answer.text)
                checked += 1
    assert checked >= 10


def test_a_structure_frame_is_no_word_of_the_part_asked():
    from assistant.query import understand

    r = understand("连云港科技人才工程下面分了哪几块？", ["连云港市"])
    assert "下面" not in r.topic and "科技人才工程" in r.topic.replace(" ", "")


@pytest.mark.parametrize("question, structural", [
    ("打算建几个？", False), ("要培育多少家？", False), ("一共有几项？", True), ("分几章？", True)])
def test_how_many_are_to_be_made_is_a_target_not_a_count_of_parts(question, structural):
    from assistant.composers.outline import asks_structure

    assert asks_structure(question) is structural


def test_a_part_asked_by_another_name_of_its_family_is_the_plans_part(assistant):
    """"主要任务" of a plan whose part is called 重点任务, "规划目标" of one whose part is 发展目标: the plan's part is
    listed (its own count word too), not a topic answer about the asking words."""
    tasks = assistant.ask("江阴行动计划的主要任务有哪些")
    assert tasks.composer == "outline" and "六大行动" in tasks.text
    goals = assistant.ask("句容规划的规划目标包括哪些方面")
    assert goals.composer == "outline" and "科技创新载体全面推进" in goals.text


def test_a_count_stated_of_a_narrower_group_is_not_held_against_another_part(assistant):
    """"…布局中，新材料领域列了哪两个平台": the two are the box's rows of that field — no part merely ending in 平台
    (科研平台, five members) makes it a false premise; "12项重大工程" is still held against the plan's nine."""
    two = assistant.ask("南通“十四五”重大企业创新平台布局中，新材料领域列了哪两个平台？")
    assert not two.refused and "江苏省高性能透明防护新材料重点实验室" in two.text
    assert assistant.ask("南京规划安排了12项重大工程，具体是哪些？").refused


@pytest.mark.parametrize("question, counted", [
    ("南京的重大工程都叫什么？", "重大工程"), ("连云港那几个“专栏”都叫什么名字？", "专栏"), ("江阴的行动分别是什么？", "行动"),
    ("连云港创新外籍人才服务举措专栏讲的是什么？", ""),  # one box named before its container word: not the series
])
def test_a_container_named_before_its_members_are_asked_for_is_listed(question, counted):
    """"重大工程都叫什么", quoted or not: the container the frame follows is what is listed (not a topic of 重大工程都叫)."""
    shape = shape_of(question)
    assert (shape.counted if shape is not None and shape.kind in ("outline", "count") else "") == counted


def test_a_container_series_asked_by_name_lists_its_members(assistant):
    answer = assistant.ask("南京的重大工程都叫什么？")
    assert answer.composer == "outline" and "科技领军企业培育工程" in answer.text and "科技体制改革攻坚工程" in answer.text


@pytest.mark.parametrize("question, series", [
    ("江阴分哪几大行动来推进？", "实施制造业转型升级行动"),  # not the children of the one 行动 whose title says 行动
    ("南京的重点任务一共搭了几个支撑体系？", "构建面向未来技术创新体系"),  # the plan's own count noun (十大支撑体系)
])
def test_a_kind_counted_is_the_series_of_parts_of_that_kind_not_one_of_them(assistant, question, series):
    answer = assistant.ask(question)
    assert answer.composer == "outline" and series in answer.text, answer.text


def test_a_plan_s_safeguards_asked_as_how_it_lands_are_its_safeguards_part(assistant):
    """"怎么保障落地", "配套了哪几方面保障": 落地 and 配套 say what the part is for, not words of its title."""
    answer = assistant.ask("南京这个规划靠什么保障落地？分哪几条？")
    assert answer.composer == "outline" and "保障措施" in answer.text.splitlines()[0], answer.text


def test_a_wrong_count_of_a_long_named_series_is_a_false_premise(assistant):
    """"八大科技创新提升工程" where the plan counts 七大…: the stated noun is read whole (not cut at six characters)."""
    answer = assistant.ask("南通的八大科技创新提升工程是哪些？")
    assert answer.refused and "而非8" in answer.text and "七大科技创新提升工程" in answer.text, answer.text


def test_those_few_is_a_pointer_not_a_count():
    """"那几个孵化园…要怎么提升": 那几个 / 这几个 point at things, they ask no count (哪几个 and 几个 do)."""
    assert shape_of("江阴那几个孵化园要怎么提升？") is None or shape_of("江阴那几个孵化园要怎么提升？").kind != "count"
    assert shape_of("江阴有几个孵化园？").kind == "count"


def test_the_chapter_on_a_subject_is_named_by_its_words_not_by_that_chapter():
    """"讲科技服务和创新氛围的那一章，分了哪几块": 那一章 points at a chapter (it states no count of one), 讲 and 块 are frame
    words, so the chapter's title words decide."""
    shape = shape_of("连云港讲科技服务和创新氛围的那一章，分了哪几块内容？")
    assert shape is not None and shape.kind == "outline" and shape.number is None


def test_the_chapter_on_a_subject_lists_its_sections(assistant):
    answer = assistant.ask("连云港讲科技服务和创新氛围的那一章，分了哪几块内容？")
    assert answer.composer == "outline" and "优化创新服务体系" in answer.text and "弘扬创新创业文化" in answer.text, answer.text


def test_what_a_part_is_divided_into_lists_its_dash_led_sub_areas(assistant):
    """"新能源产业分哪些细分领域": 分哪些 asks the part's divisions — its dash-led sub-areas (——太阳能。…) after the
    introduction, not the introduction's sentences (细分 is a frame word)."""
    answer = assistant.ask("连云港新能源产业分哪些细分领域？")
    assert answer.composer == "outline" and all(w in answer.text for w in ("太阳能", "风电", "核电", "碳基清洁能源")), answer.text


def test_a_tables_rows_asked_with_their_lead_are_listed_with_that_column(assistant):
    """"…要布局哪些重大企业创新平台？牵头的是哪些企业？": 牵头 asks the table's lead column for each row it lists — the
    table answers, not a task paragraph's lead."""
    answer = assistant.ask("南通十四五要布局哪些重大企业创新平台？分别由哪些企业牵头？")
    assert answer.composer == "outline" and "通富微电子股份有限公司" in answer.text and "南通大学" in answer.text, answer.text


def test_a_term_quoted_as_a_section_title_quotes_it_names_that_section(assistant):
    """"“一廊”主要靠哪两个科技城": the plan titles a section 培育“一廊”创新策源力 — the quoted term names it, over a
    two-member box the count happens to fit."""
    answer = assistant.ask("南京的“一廊”主要靠哪两个科技城来建？")
    assert answer.composer == "outline" and "紫金山科技城" in answer.text and "麒麟科技城" in answer.text, answer.text


@pytest.mark.parametrize("question,stated", [
    ("主要指标表里一共列了几项？南通的科技规划。", "共10项"),  # the plan named in a sentence after the question
    ("看连云港规划里有不少专栏，一共多少个？", "专栏共8个"),  # the container named in the piece before the count
    ("江阴这个行动计划下面具体有多少条任务？", "下分25条"),  # 下面具体 is how people ask
    ("南通“十四五”重大企业创新平台布局表里排了多少个项目？", "共11个"),  # the rows of a table named by its title
])
def test_a_container_counted_in_other_words_is_counted(assistant, question, stated):
    answer = assistant.ask(question)
    assert answer.composer == "outline" and stated in answer.text


def test_a_count_question_is_no_name_of_counted_parts():
    """"一共多少个" is an adverb and a count, not a name such as “两区一廊多组团”."""
    assert shape_of("看连云港规划里有不少专栏，一共多少个？").name == ""


def test_how_many_are_to_be_gathered_is_a_target_not_a_count(assistant):
    answer = assistant.ask("表1里顶尖人才（团队）要集聚多少个？南京的。")
    assert answer.composer == "target" and "100个" in answer.text


def test_the_plan_named_by_its_kind_is_no_part_of_it(assistant):
    """"那个三年计划" names “创新江阴”三年行动计划 itself (its kind's words, in order): the part asked is 重点任务, counted by
    its 六大; asked of the plan alone, its parts are counted."""
    answer = assistant.ask("创新江阴那个三年计划，重点任务分了几大块？")
    assert answer.composer == "outline" and "六大行动" in answer.text
    answer = assistant.ask("江阴那个三年计划一共几个部分？")
    assert answer.composer == "outline" and "共5个部分" in answer.text


def test_a_boxs_entry_named_without_its_category_word_is_answered_with_that_entry(assistant, plan_text):  # noqa: F811
    """"专栏3里新能源汽车攻关方向有哪些": the box's entry 新能源汽车产业, named without its category word, answers — its
    own words, not the list of the box's entries; a title with nothing after it ("(一)重大科技基础设施建设") still lists."""
    answer = assistant.ask("南京专栏3里新能源汽车攻关方向有哪些？")
    assert answer.composer == "outline" and "氢燃料电池电堆" in answer.text and "集成电路产业" not in answer.text, answer.text
    assert_exact(answer, plan_text)
    listed = assistant.ask("南京重大工程二里要建哪些重大科技基础设施？")
    assert "未来网络试验设施" in listed.text and "信息高铁综合试验基础设施" in listed.text, listed.text


def test_an_indicator_table_is_named_by_its_naming_columns_header_whatever_its_caption(assistant):
    """连云港's indicator table is captioned "“十四五”科技创新发展目标"; the column naming its rows is headed 指标, so
    "主要指标表列了几项" counts its rows, and a row asked "指标表里…2020年基数" is that row's baseline."""
    answer = assistant.ask("连云港主要指标表列了几项")
    assert answer.composer == "outline" and "共7项" in answer.text and "年技术合同成交额" in answer.text, answer.text
    answer = assistant.ask("连云港指标表里重大产业创新平台2020年基数是多少？")
    assert not answer.refused and "22个" in answer.text, answer.text


def test_divided_into_with_a_particle_asks_for_the_parts_after_the_introduction(assistant):
    """"分成了哪几方面" asks what the section is divided into, like "分成哪几方面" (了 between them): the colon-led
    aspects after 发展目标's introduction, not its introduction's sentences."""
    answer = assistant.ask("发展目标那一节，南通分成了哪几方面")
    assert answer.composer == "outline" and "释放创新生态系统张力" in answer.text and "前20强" not in answer.text, answer.text


def test_a_count_naming_only_the_plan_and_the_kind_counts_the_part_the_kind_names(assistant):
    """"江阴三年计划一共有多少项任务": 三年计划 names the plan (so it is no word of a part's title), and 任务 is the kind
    counted — the part whose title says it (重点任务) is counted, as for "三年行动计划"."""
    answer = assistant.ask("江阴三年计划一共有多少项任务？")
    assert answer.composer == "outline" and "重点任务共6项" in answer.text, answer.text
