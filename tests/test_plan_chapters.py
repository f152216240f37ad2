"""A chapter asked by its position ("第三章讲什么", "最后一部分有哪些内容", "第九章" of a plan of six): the plan's
numbered top-level sections (assistant.sections.chapters), named in the question before it is answered."""
from __future__ import annotations

from assistant import ordinals
from assistant.sections import chapter, chapters


def test_chapter_positions_are_named_and_the_rest_left():
    names = {1: "总体要求", -1: "保障措施"}
    assert ordinals.name_positions("第一章讲什么", lambda n: None, names.get) == "“总体要求”讲什么"
    assert ordinals.name_positions("最后一部分有哪些内容", lambda n: None, names.get) == "“保障措施”有哪些内容"
    assert ordinals.name_positions("第九章讲什么", lambda n: None, names.get) == "第九章讲什么"
    assert ordinals.name_positions("第20条讲什么", lambda n: "某任务" if n == 20 else None, names.get) == "“某任务”讲什么"


def test_every_plan_has_numbered_chapters_in_order(assistant):
    corpus = assistant.index.corpus
    for doc_id in assistant.index.docs:
        found = chapters(corpus, doc_id)
        assert len(found) >= 2, doc_id
        assert [n for n, _ in found] == list(range(1, len(found) + 1)), doc_id
        assert chapter(corpus, doc_id, -1) is found[-1][1]
        assert chapter(corpus, doc_id, len(found) + 1) is None


def test_a_chapter_asked_by_position_is_answered_with_that_chapter(assistant):
    corpus = assistant.index.corpus
    for doc_id, meta in assistant.index.docs.items():
        if not meta.city:
            continue
        city = meta.city.removesuffix("市")
        for n, node in chapters(corpus, doc_id):
            answer = assistant.ask(f"{city}规划第{n}部分讲的是什么？")
            assert not answer.refused, (doc_id, n)
            assert answer.text.splitlines()[0].startswith(node.name), (doc_id, n, answer.text[:80])
            assert all(c.doc_id == doc_id and node.start <= c.char_start < node.end for c in answer.citations), (doc_id, n)
        last = chapters(corpus, doc_id)[-1][1]
        assert assistant.ask(f"{city}规划最后一章讲什么？").text.splitlines()[0].startswith(last.name), doc_id


def test_a_chapter_past_the_last_is_refused_with_the_chapters_listed(assistant):
    corpus = assistant.index.corpus
    for doc_id, meta in assistant.index.docs.items():
        if not meta.city:
            continue
        found = chapters(corpus, doc_id)
        answer = assistant.ask(f"{meta.city.removesuffix('市')}规划第{len(found) + 3}章讲什么？")
        assert answer.refused, doc_id
        assert f"共{len(found)}章" in answer.text, (doc_id, answer.text[:120])
        assert len(answer.citations) == len(found)


def test_a_part_asked_to_be_told_about_by_its_whole_name_lists_its_members(assistant):
    """"具体说说…", "介绍一下…" with a box's whole name: the box's members, as "…包括哪些内容" would give them."""
    from assistant.sections import all_nodes

    nodes = all_nodes(assistant.index.corpus)
    told = 0
    for node in nodes:
        meta = assistant.index.docs[node.doc_id]
        if node.kind != "box" or len(node.members()) < 2 or len(node.name) < 6 or not meta.city \
                or len({n.start for n in nodes if n.doc_id == node.doc_id and node.name in n.name}) > 1:
            continue  # a name two parts share ("重点建设内容") names neither
        answer = assistant.ask(f"{meta.city.removesuffix('市')}具体说说{node.name}")
        assert answer.composer == "outline" and answer.text.startswith(node.name), (node.name, answer.text[:80])
        told += 1
    assert told, "no plan has a box with members"


def test_tell_me_about_the_nth_listed_box_lists_that_boxs_members(assistant):
    for doc_id, meta in assistant.index.docs.items():
        city = (meta.city or "").removesuffix("市")
        listed = assistant.ask(f"{city}的规划里有几个专栏？")
        lines = [l for l in listed.text.splitlines()[1:] if l.strip()]
        if listed.refused or len(lines) < 2 or not city:
            continue
        answer = assistant.ask("具体说说第二个", [f"{city}的规划里有几个专栏？"])
        second = lines[1].split("[")[0]
        assert answer.text.startswith(second), (doc_id, second, answer.text[:80])


def test_a_boxs_numbered_sub_heading_lists_the_items_under_it(assistant):
    """A box whose items run under "(一)…", "(二)…": asked by a sub-heading's name (alone or after the box's label),
    the items under that sub-heading; the box's label alone still gives the whole box."""
    from assistant.sections import all_nodes, label_of, sub_boxes

    checked = 0
    for box in all_nodes(assistant.index.corpus):
        meta = assistant.index.docs[box.doc_id]
        for sub in sub_boxes(box):
            members = [name for name, _ in sub.members()]
            if len(members) < 2 or not meta.city:
                continue
            city = meta.city.removesuffix("市")
            answer = assistant.ask(f"{city}的{sub.name}列了哪几项？")
            assert answer.text.startswith(sub.name) and all(m in answer.text for m in members), answer.text[:120]
            if label_of(box):
                whole = assistant.ask(f"{city}{label_of(box)}包括哪些？")
                assert whole.text.startswith(box.name), whole.text[:80]
            checked += 1
    assert checked, "no box has numbered sub-headings"


DASHED = """东岭市“十四五”科技创新规划

一、发展基础

“十三五”期间，全市创新能力稳步提升，高新技术企业数量达到300家。

二、重点任务

（一）生态环保

围绕绿色发展，强化绿色技术供给，提升生态环保技术水平。

发展思路：重点突破节能减排、废水处理等共性关键技术。

——源头治理。发展工业废渣替代建筑材料技术，支持废盐处置技术研究。

——资源循环利用。支持石化废水复合处理、中水回用等绿色化工技术。

——农林保护。完善病虫害绿色防控技术体系，探索种养一体化模式。

（二）公共安全

加强公共安全技术研发，建设应急指挥平台。
"""


def test_a_section_of_dash_led_paragraphs_after_an_introduction_lists_its_leads(tmp_path):
    from synthetic_support import assistant_over

    answer = assistant_over({"dongling": DASHED}, tmp_path).ask("东岭生态环保领域分哪几块？")
    assert answer.composer == "outline", answer.text
    assert [line.split("[")[0] for line in answer.text.splitlines()[1:]] == ["源头治理", "资源循环利用", "农林保护"], answer.text
