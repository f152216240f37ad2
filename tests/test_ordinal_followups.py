"""Ordinal follow-ups ("第五个讲的是啥") point into the previous answer's list (assistant/ordinals.py)."""
from __future__ import annotations

import re

import pytest

from assistant import ordinals
from assistant.answer import Answer
from assistant.sections import all_nodes
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

LISTED = Answer(text="重大工程包括：\n甲工程[1]\n乙工程[2]\n丙工程[3]", citations=[], refused=False, retrieved=[])


@pytest.mark.parametrize("question, expected", [
    ("第二个讲的是啥？", "乙工程讲的是啥？"),
    ("第2项有哪些内容", "乙工程有哪些内容"),
    ("最后一个呢？", "丙工程呢？"),
    ("第二个工程具体做什么？", "乙工程具体做什么？"),  # the noun after the ordinal is the item's own last word
])
def test_an_ordinal_names_the_item_at_that_position(question, expected):
    assert ordinals.resolve(question, LISTED) == expected


def test_an_ordinal_counts_the_entries_under_numbered_sub_headings_and_a_part_word_the_sub_headings():
    two_levels = Answer(text="甲工程包括：\n(一)设施建设[1]\n子设施[2]\n丑设施[3]\n(二)实验室建设[4]\n寅实验室[5]",
                        citations=[], refused=False, retrieved=[])
    assert ordinals.resolve("第一个要覆盖多少个城市？", two_levels) == "子设施要覆盖多少个城市？"
    assert ordinals.resolve("第三个呢？", two_levels) == "寅实验室呢？"
    assert ordinals.resolve("第二部分有哪些？", two_levels) == "(二)实验室建设有哪些？"


def test_entries_run_on_in_one_sentence_are_listed_and_named_by_their_first_words():
    """"…定位：甲高新区（国家级）[1]、乙高新区 \n\n（省级）[2]、…": the pieces before each citation are the entries."""
    inline = Answer(text="高新区发展目标及定位：甲乙高新区（国家级）[1]、丙丁高新区 \n\n（省级）[2]、戊己高新区（省级）[3]。",
                    citations=[], refused=False, retrieved=[])
    assert ordinals.listed_items(inline) == ["甲乙高新区（国家级）", "丙丁高新区（省级）", "戊己高新区（省级）"]
    assert ordinals.resolve("第二个的主导产业是什么？", inline) == "丙丁高新区（省级）的主导产业是什么？"
    assert ordinals.resolve_by_name("丙丁那个的主导产业是什么？", inline) == "丙丁高新区的主导产业是什么？"


def test_an_ordinal_past_the_list_or_after_a_refusal_resolves_to_nothing():
    assert ordinals.resolve("第四个呢？", LISTED) is None
    refused = Answer(text="现有规划文件中未找到能回答该问题的条款。", citations=[], refused=True, retrieved=[])
    assert ordinals.resolve("第一个呢？", refused) is None


def test_numbered_topic_items_are_listed_by_their_text():
    answer = Answer(text="关于科技金融的内容：\n【某节】[1]\n1. 创新信贷产品。[2]\n2. 设立基金。[3]", citations=[],
                    refused=False, retrieved=[])
    assert ordinals.listed_items(answer) == ["【某节】", "创新信贷产品。", "设立基金。"]


def test_the_nth_part_of_a_listed_series_is_answered_as_that_part(assistant, plan_text):  # noqa: F811
    """For every plan's 专栏 series or 重大工程 list: after "…都有哪些？", "第N个讲的是啥" answers from the Nth part."""
    checked = 0
    for node in all_nodes(assistant.index.corpus):
        if node.kind != "series" or len(node.members()) < 3:
            continue
        city = assistant.index.docs[node.doc_id].city.removesuffix("市")
        first = f"{city}规划里的{node.name}都有哪些？"
        listed = assistant.ask(first)
        items = ordinals.listed_items(listed)
        if len(items) < 3:
            continue
        answer = assistant.ask("第三个讲的是啥？", [first])
        assert not answer.refused, answer.text
        # the third part named, or quoted from within it
        part = [n for n in all_nodes(assistant.index.corpus) if n.doc_id == node.doc_id and n.name == items[2] and n is not node]
        inside = any(p.start <= c.char_start < p.end for p in part for c in answer.citations if c.doc_id == node.doc_id)
        assert items[2] in answer.text or inside, (first, items[2], answer.text)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 2


def test_a_demonstrative_naming_a_listed_item_asks_about_that_item():
    listed = Answer(text="高新区共3个：\n甲城高新区（国家级）[1]\n乙县高新区[2]\n丙县高新区[3]", citations=[], refused=False,
                    retrieved=[])
    assert ordinals.points_by_name("乙县那个高新区主攻什么产业")
    assert ordinals.resolve_by_name("乙县那个高新区主攻什么产业", listed) == "乙县高新区主攻什么产业"
    assert ordinals.resolve_by_name("甲城这个高新区有多大", listed) == "甲城高新区有多大"  # the item without its note
    assert ordinals.resolve_by_name("那个实验室呢", listed) is None  # names no listed item


def test_a_position_in_the_plans_numbered_items_is_named(assistant):
    """"第N条" names the plan's item numbered N where one running series of items gives it (江阴-style 1．…25．)."""
    from assistant.sections import numbered
    from ingest.structure import numbering

    found = 0
    for doc_id in assistant.index.docs:
        for n in range(1, 30):
            node = numbered(assistant.index.corpus, doc_id, n)
            if node is not None:
                assert numbering(node.title)[1] == n
                found += 1
    assert found, "no plan has a numbered item series"
    assert ordinals.name_positions("第20条讲的是什么", lambda n: "某任务" if n == 20 else None) == "“某任务”讲的是什么"
    assert ordinals.name_positions("第3条讲的是什么", lambda n: None) == "第3条讲的是什么"


def test_a_followup_on_a_numbered_task_asks_who_leads_that_task(assistant):
    from assistant.sections import numbered

    for doc_id, meta in assistant.index.docs.items():
        found = next(((n, x) for n in range(12, 30) if (x := numbered(assistant.index.corpus, doc_id, n)) is not None), None)
        if found is None or not meta.city:
            continue
        n, node = found
        answer = assistant.ask("这条是哪些单位负责的？", [f"{meta.city}第{n}条讲的是什么？"])
        assert not answer.refused and answer.citations
        cited = answer.citations[0]
        assert node.start <= cited.char_start < node.end or node.name in answer.text, answer.text
        return
    pytest.skip("no plan numbers its tasks 12 or more in one running series")


def test_the_last_one_and_a_name_begun_before_a_demonstrative_point_at_listed_items():
    listed = Answer(text="高新区共3个：\n甲城高新区（国家级）[1]\n乙县高新区[2]\n丙县经开区[3]", citations=[], refused=False,
                    retrieved=[])
    assert ordinals.resolve("最后那个是跟哪个国家合作的？", listed) == "丙县经开区是跟哪个国家合作的？"
    assert ordinals.resolve_by_name("乙县那个主导产业是啥？", listed) == "乙县高新区主导产业是啥？"
    assert ordinals.resolve_by_name("丁县那个主导产业是啥？", listed) is None


def test_a_name_begun_before_a_demonstrative_is_found_inside_a_sentence_the_answer_quoted():
    """"其中乙丙材料那个，要建成什么样" after an answer whose sentence names several (…甲创新中心、乙丙材料创新中心创建…):
    the name that begins with the words and ends in a genre suffix (…中心); 其 of 其中 is no demonstrative here."""
    said = Answer(text="关于研发平台：\n1. 支持甲创新中心、乙丙材料创新中心创建国家制造业创新中心;[1]\n2. 支持丁研究院建设。[2]",
                  citations=[], refused=False, retrieved=[])
    suffix = re.compile("(?:中心|研究院)$")
    assert ordinals.resolve_by_name("其中乙丙材料那个，要建成什么样？", said, suffix) == "其中乙丙材料创新中心，要建成什么样？"
    assert ordinals.resolve_by_name("其中戊己那个呢？", said, suffix) is None  # no name begins so


def test_a_part_of_a_city_ends_a_name_begun_before_a_demonstrative(assistant):
    """"海安那个主导产业是什么" after a topic answer whose item writes 海安高新区（省级）: a part of a city (a sub_area
    word, …高新区) ends a listed name as a genre suffix does — the conversation's part, not an unknown place."""
    answer = assistant.ask("海安那个主导产业是什么？", history=["南通有哪些省级高新区？"])
    assert not answer.refused and "新材料、智能装备、新一代信息技术" in answer.text, answer.text


def test_a_followup_naming_another_entry_of_a_list_swaps_it_for_the_one_asked_before():
    lists = [["甲乙丙丁产业", "戊己庚辛壬产业", "子丑寅卯产业"], ["天地", "玄黄"]]
    asked = "东城专栏3里戊己庚辛壬攻关方向有哪些？"
    assert ordinals.swap_entry("子丑寅卯那块呢？", asked, lists) == "东城专栏3里子丑寅卯攻关方向有哪些？"
    assert ordinals.swap_entry("那甲乙丙丁产业呢", asked, lists) == "东城专栏3里甲乙丙丁产业攻关方向有哪些？"
    assert ordinals.swap_entry("天地呢？", asked, lists) is None  # another list's entry: nothing to swap
    assert ordinals.swap_entry("子丑寅卯那块具体由谁牵头？", asked, lists) is None  # a question of its own


def test_the_entry_a_followup_swaps_in_is_answered_from_the_box_by_its_words(assistant, plan_text):  # noqa: F811
    answer = assistant.ask("集成电路那块呢？", history=["南京专栏3里新能源汽车攻关方向有哪些？"])
    assert answer.composer == "outline" and "光刻胶" in answer.text and "氢燃料电池" not in answer.text, answer.text
    answer = assistant.ask("那生物医药呢？", history=["南通关键核心技术攻关方向专栏里有哪些产业？", "新材料方向具体有哪些？"])
    assert "iCLIP" in answer.text and "环氧树脂" not in answer.text, answer.text
    assert_exact(answer, plan_text)
