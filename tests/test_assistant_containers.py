"""Any container, any name: 专栏 boxes, tables, series, enumerated groups and the plan's own count words
(assistant/containers.py, assistant/sections.py, assistant/composers/outline.py).

The tree mechanisms are checked on a small synthetic plan written here (a fictional 青峰市), so nothing depends
on the five shipped files; the composer is checked on every shipped plan through its own tree.
"""
from __future__ import annotations

import re

import pytest
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

from assistant import containers
from assistant.composers.outline import asks_structure, shape_of
from assistant.sections import NUMBERED_NAME, all_nodes, doc_tree, label_of, plan_tree
from index.tokenize import ResourceError
from ingest.parse import parse_text
from ingest.records import DocumentMeta

PLAN = """青峰市“十四五”科技创新规划

一、总体要求

（一）发展目标

到2025年，全市科技创新能力显著增强，建成一批创新平台。

二、重点任务

围绕全市发展大局，实施五大行动，推动高质量发展。

（一）实施企业培育行动

1．壮大高新技术企业。

支持企业加大研发投入，完善高新技术企业培育库。

2．培育科技型中小企业。

完善科技型中小企业评价工作。

（二）实施平台建设行动

3．建设新型研发机构。

支持新型研发机构提质增效。

4．建设孵化载体。

培育建设东湖科创园、西岭智造园、南溪数字产业园等三大特色产业园。

专栏1 重点创新平台

青峰光电实验室：聚焦光电材料开展研究。

青峰生物医药研究院：建设公共技术服务平台。

（三）实施人才集聚行动

5．引进高层次人才。

围绕新材料、生物医药、电子信息等“1+2”产业领域，引进领军人才。

（四）实施开放合作行动

6．深化区域合作。

构建“一核两翼”创新格局。“一核”即青峰科技城，“两翼”即东部产业带和西部创新走廊。

专栏2 开放合作载体

青峰离岸孵化中心：在上海设立离岸孵化中心。

（五）实施生态优化行动

7．完善科技金融。

设立科技成果转化基金。

专栏：重大企业创新平台

\t序号
\t行业领域
\t项目名称
\t牵头单位

\t1
\t新材料
\t青峰新材料重点实验室
\t青峰新材股份有限公司

\t2
\t新材料
\t青峰复合材料工程研究中心
\t青峰复材有限公司

\t3
\t生物医药
\t青峰生物药工程技术研究中心
\t青峰药业有限公司

三、保障措施

（一）加强组织领导

建立规划实施协调机制。

（二）加大资金投入

加大财政科技投入。
"""


@pytest.fixture(scope="module")
def synthetic():
    doc = parse_text(PLAN, DocumentMeta(doc_id="qingfeng", city="青峰市", title="青峰市“十四五”科技创新规划"))
    roots = doc_tree("qingfeng", doc.clauses, doc.headings, len(PLAN))
    nodes = [n for r in roots for n in [r, *r.descendants()]] + [c for r in roots if r.kind == "series" for c in r.children]
    return roots, nodes


def _node(nodes, kind, name):
    return next(n for n in nodes if n.kind == kind and n.name == name)


def _exact(span):
    assert PLAN[span.char_start:span.char_end] == span.text, span


# --- the vocabulary file ---------------------------------------------------------------------------------------------

def test_every_entry_is_marked_and_every_synonym_names_an_entry():
    table = containers.read_containers()
    assert {"container", "plan_part", "measure", "count_frame", "list_frame", "define_frame"} <= set(table)
    for rule, entries in table.items():
        words = {e.word for e in entries}
        for e in entries:
            assert e.mark in containers.MARKS, (rule, e)
            assert (e.mark == "synonym") == (e.stands_for is not None) and (e.stands_for is None or e.stands_for in words)


def test_a_container_is_found_by_its_synonyms():
    assert "框" in containers.family("专栏") and "专栏" in containers.family("框")
    assert "产业园" in containers.family("园区")
    assert containers.names_kind("三大海工船舶装备特色产业园", "园区")
    assert containers.container_of("海工船舶特色产业园") == "特色产业园"
    assert containers.container_of("研发机构") == ""
    assert containers.is_plan_part("大块") and not containers.is_plan_part("专栏")


@pytest.mark.parametrize("line, message", [
    ("container\t专栏\tgenus\n", "mark must be"),
    ("container\t框\tsynonym\t方盒\n", "stands for"),
    ("container\t专栏\tsynonym\n", "a synonym"),
    ("list_frame\t哪(几\tframe\n", "not a valid pattern"),
    ("container\t专栏\n", "expected"),
])
def test_a_malformed_vocabulary_file_is_an_error(tmp_path, line, message):
    path = tmp_path / "containers.tsv"
    path.write_text("container\t专栏\tgenre\n" + line, encoding="utf-8")
    with pytest.raises(ResourceError, match=message):
        containers.read_containers(path)


# --- question shapes -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, kind, counted, number", [
    ("一共设了几个专栏？都讲什么？", "count", "专栏", None),
    ("准备培育几个海工船舶特色产业园？", "count", "特色产业园", None),
    ("主导产业集群有几个？是哪些？", "count", "产业集群", None),
    ("三年行动计划的六大行动都是啥？", "outline", "行动", 6),  # the container before the frame
    ("规划要搞几个大工程？", "count", "工程", None),  # 几个大工程 as 几大工程
    ("有几个大学科技园？", "count", "园", None),  # 大学 is no 大 of a count
    ("专栏5讲什么？", "outline", "", None),
    ("“两区一廊多组团”具体指什么？", "define", "", None),
    ("“两区一廊多组团”分别指哪些？", "define", "", None),
])
def test_question_shapes(question, kind, counted, number):
    shape = shape_of(question)
    assert (shape.kind, shape.counted, shape.number) == (kind, counted, number)


def test_a_count_of_containers_is_structural_a_count_of_things_is_not():
    assert asks_structure("有几个园区？") and asks_structure("一共设了几个专栏？都讲什么？")
    assert asks_structure("“1+3”具体指什么？")
    assert not asks_structure("新增多少个研发机构？") and not asks_structure("高新技术企业要达到多少家？")
    assert not asks_structure("表2里引进人才团队的目标是多少个？")  # the row's figure, counted in 个


def test_names_made_of_counted_parts():
    for name in ("两区一廊多组团", "1+3", "三站三中心", "一区四园一片区"):
        assert NUMBERED_NAME.fullmatch(name), name
    for name in ("十四五", "科才贷", "三年行动计划", "小升高"):
        assert not NUMBERED_NAME.fullmatch(name), name


# --- the tree, on the synthetic plan ---------------------------------------------------------------------------------

def test_a_sentence_enumeration_is_a_group_with_the_plans_count_word(synthetic):
    _, nodes = synthetic
    parks = _node(nodes, "group", "特色产业园")
    assert [name for name, _ in parks.members()] == ["东湖科创园", "西岭智造园", "南溪数字产业园"]  # the lead verb left out
    assert parks.count_word.text == "三大特色产业园"
    fields = _node(nodes, "group", "产业领域")
    assert [name for name, _ in fields.members()] == ["新材料", "生物医药", "电子信息"]
    assert fields.count_word.text == "“1+2”产业领域"
    for node in (parks, fields):
        _exact(node.count_word)
        for _, span in node.members():
            _exact(span)


def test_a_section_gets_the_count_word_the_plan_writes_for_its_parts(synthetic):
    roots, _ = synthetic
    tasks = next(r for r in roots if r.name == "重点任务")
    assert len(tasks.members()) == 5 and tasks.count_word.text == "五大行动"
    _exact(tasks.count_word)
    guarantees = next(r for r in roots if r.name == "保障措施")
    assert guarantees.count_word is None


def test_a_two_level_list_numbered_as_one_is_seen(synthetic):
    roots, _ = synthetic
    tasks = next(r for r in roots if r.name == "重点任务")
    groups = tasks.numbered_leaves()
    assert [len(leaves) for _, leaves in groups] == [2, 2, 1, 1, 1]
    assert [leaf.name for _, leaves in groups for leaf in leaves][-1] == "完善科技金融"
    assert next(r for r in roots if r.name == "保障措施").numbered_leaves() == []


def test_every_box_captioned_as_one_is_in_the_series_and_a_table_is_named_by_its_naming_column(synthetic):
    roots, nodes = synthetic
    series = next(r for r in roots if r.kind == "series")
    assert series.name == "专栏" and [name for name, _ in series.members()] == ["重点创新平台", "开放合作载体", "重大企业创新平台"]
    table = _node(nodes, "table", "重大企业创新平台")
    assert [name for name, _ in table.members()] == ["青峰新材料重点实验室", "青峰复合材料工程研究中心", "青峰生物药工程技术研究中心"]
    assert label_of(_node(nodes, "box", "重点创新平台")) == "专栏1" and label_of(table) == ""


# --- the composer, on every shipped plan -----------------------------------------------------------------------------

def _city(assistant, doc_id):
    return assistant.index.docs[doc_id].city.removesuffix("市")


def test_a_box_series_is_counted_when_asked_by_a_synonym(assistant, plan_text):  # noqa: F811
    checked = 0
    for doc_id, roots in plan_tree(assistant.index.corpus).items():
        series = next((r for r in roots if r.kind == "series" and r.name == "专栏"), None)
        if series is None:
            continue
        answer = assistant.ask(f"{_city(assistant, doc_id)}的规划一共有几个框？都讲什么？")
        assert answer.composer == "outline" and f"共{len(series.members())}个" in answer.text, (doc_id, answer.text)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 3


def test_a_count_quotes_the_plans_own_count_word(assistant, plan_text):  # noqa: F811
    checked = 0
    for node in all_nodes(assistant.index.corpus):
        if node.kind != "section" or node.count_word is None or len(node.members()) < 3:
            continue
        answer = assistant.ask(f"{_city(assistant, node.doc_id)}规划的“{node.name}”一共有几项？")
        assert answer.composer == "outline" and node.count_word.text in answer.text, (node.doc_id, node.name, answer.text)
        assert any(c.quote == node.count_word.text for c in answer.citations)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 3


def test_a_group_is_counted_by_its_words_and_listed(assistant, plan_text):  # noqa: F811
    checked = 0
    for node in all_nodes(assistant.index.corpus):
        if node.kind != "group" or node.count_word is None or not re.match(r"[一二三四五六七八九十]大", node.count_word.text):
            continue
        if len(node.name) <= len(containers.container_of(node.name)):
            continue  # "几个工程": a bare container word may mean another part of the plan
        answer = assistant.ask(f"{_city(assistant, node.doc_id)}有几个{node.name}？")
        if answer.composer != "outline":
            continue
        assert f"共{len(node.members())}个" in answer.text and node.count_word.text in answer.text, answer.text
        # the group's members, or those of the part the plan counts by the same word ("七大科技创新提升工程" both
        # introduces the 工程 sections and is spelt out in a sentence): either is the plan's own list of them
        same = [n for n in all_nodes(assistant.index.corpus) if n.doc_id == node.doc_id and n.count_word is not None
                and n.count_word.text == node.count_word.text]
        assert any(all(name in answer.text for name, _ in n.members()) for n in same), answer.text
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 2


def test_a_table_asked_about_one_category_lists_those_rows_by_name(assistant, plan_text):  # noqa: F811
    checked = 0
    for node in all_nodes(assistant.index.corpus):
        rows = [r for r in node.items if r.kind == "table_row" and r.cells and len(r.cells) >= 3]
        if node.kind != "table" or len(rows) < 4:
            continue
        values = [r.cells[1].strip() for r in rows]
        shared = next((v for v in values if values.count(v) >= 2 and len(v) >= 2 and not re.search(r"[\d%]", v)), None)
        if shared is None:
            continue
        answer = assistant.ask(f"{_city(assistant, node.doc_id)}的{node.name}里，{shared}领域有哪几个？")
        cited = {c.char_start for c in answer.citations}
        assert len(cited) == values.count(shared) and all(shared not in c.quote for c in answer.citations), answer.text
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 1


def test_a_name_of_counted_parts_is_spelt_out(assistant, plan_text):  # noqa: F811
    checked = 0
    for doc_id in assistant.index.docs:
        text = assistant.index.source(doc_id)
        for m in re.finditer(r"“([^”]{3,12})”[^。]{0,60}。“([^”]{1,4})”即", text):
            name, part = m.groups()
            if not NUMBERED_NAME.fullmatch(name) or part not in name:
                continue
            for frame in ("具体指什么", "分别指哪些"):
                answer = assistant.ask(f"{_city(assistant, doc_id)}说的“{name}”{frame}？")
                assert answer.composer == "outline" and f"“{part}”即" in answer.text, (name, answer.text)
                assert_exact(answer, plan_text)
            checked += 1
    assert checked >= 1


def test_a_stated_count_the_plan_contradicts_is_refused_with_the_plans_count(assistant, plan_text):  # noqa: F811
    """"七大行动是哪些" where the plan writes 六大行动: a false premise, refused with the plan's count and parts; the
    plan's own count is answered as usual."""
    from ingest.lexicon import cn_number, cn_numeral

    checked = 0
    for node in all_nodes(assistant.index.corpus):
        word = node.count_word.text if node.count_word is not None else ""
        m = re.match(r"([一二三四五六七八九十])大(\S{2,6})$", word)
        if m is None or node.kind == "group" or len(node.members()) != cn_number(m.group(1)):
            continue
        city = _city(assistant, node.doc_id)
        right = assistant.ask(f"{city}的{word}是哪些？")
        assert not right.refused, right.text
        wrong = cn_numeral(cn_number(m.group(1)) + 1)
        answer = assistant.ask(f"{city}的{wrong}大{m.group(2)}是哪些？")
        assert answer.refused and f"而非{cn_number(m.group(1)) + 1}" in answer.text, answer.text
        assert all(name in answer.text for name, _ in node.members()[:3])
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 2
