"""Issue 22 item 3: the task sections and taxonomy topics only one of a city's two plans has — matched by title
core words (numbering, leading verbs and padding left out) or a shared word and topic, frame sections (background,
goals, safeguards) left out, subsections of a listed section not repeated — on synthetic clause trees, then in the
version table and in an answer once a newer 南京 plan is uploaded (fixtures of tests/test_version_interfaces.py)."""
from __future__ import annotations

from test_version_interfaces import client, series_index, today  # noqa: F401 - fixtures

from assistant.version_sections import core, same_section, section_changes
from ingest.records import Clause


def _plan(doc: str, tree: list[tuple[str, ...]]) -> list[Clause]:
    """Heading clauses for section paths, plus one paragraph under each (its text: the last title's words)."""
    out, at = [], 0
    for n, path in enumerate(tree):
        out.append(Clause(doc, f"{doc}#{2 * n}", path, path[-1], at, at + len(path[-1]), "heading"))
        at += len(path[-1]) + 1
        body = f"围绕{path[-1]}开展工作。"
        out.append(Clause(doc, f"{doc}#{2 * n + 1}", path, body, at, at + len(body), "paragraph"))
        at += len(body) + 1
    return out


OLD = _plan("old", [("一、发展基础",), ("一、发展基础", "（一）“十三五”发展成效"), ("二、重点任务",),
                    ("二、重点任务", "（一）强化企业创新主体地位"), ("二、重点任务", "（二）推进农业科技创新"),
                    ("二、重点任务", "（三）深化科技金融融合"), ("三、保障措施",), ("三、保障措施", "（一）加强组织领导")])
NEW = _plan("new", [("第一章 发展基础与形势",), ("第一章 发展基础与形势", "第一节 “十四五”时期主要成就"),
                    ("第二章 壮大科技型企业梯队",), ("第三章 前瞻布局未来产业",),
                    ("第三章 前瞻布局未来产业", "第一节 建设未来产业先导区"), ("第四章 深化科技金融服务",),
                    ("第五章 保障措施",), ("第五章 保障措施", "第一节 强化组织领导")])


def test_title_cores_and_matching():
    assert core("（二）推进农业科技创新") == "农业" and core("第三节 建设概念验证和中试平台") == "概念验证中试平台"
    assert same_section("（三）深化科技金融融合", "第四章 深化科技金融服务")  # one word and the topic 科技金融
    assert same_section("（一）强化企业创新主体地位", "第二章 壮大科技型企业梯队")  # 企业 and 企业梯次培育
    assert not same_section("（二）推进农业科技创新", "第三章 前瞻布局未来产业")


def test_sections_and_topics_in_one_plan_only():
    changes = section_changes(OLD, NEW)
    assert [c.text for c in changes.added] == ["第三章 前瞻布局未来产业"]  # its subsection not repeated
    assert [c.text for c in changes.dropped] == ["（二）推进农业科技创新"]  # frame sections never listed
    assert {t: [c.text for c in cs] for t, cs in changes.topics_dropped.items()} == {"农业科技": ["（二）推进农业科技创新"]}
    assert "产业创新" in changes.topics_added and all(c.doc_id == "new" for cs in changes.topics_added.values() for c in cs)
    assert section_changes(OLD, OLD).added == [] and section_changes(OLD, OLD).dropped == []


def test_the_version_table_and_an_answer_list_sections_of_one_plan(series_index, client):  # noqa: F811
    assistant, new_id = series_index
    table = client.post("/api/versions", json={"city": "南京市"}).json()
    added = {s["title"]: s for s in table["sections_added"]}
    assert "（二）实施“人工智能+”科技行动" in added and "（一）前瞻布局未来产业" not in {s["title"] for s in table["sections_dropped"]}
    cite = added["（二）实施“人工智能+”科技行动"]["citations"][0]
    assert cite["doc_id"] == new_id and assistant.index.source(new_id)[cite["char_start"]:cite["char_end"]] == cite["quote"]
    assert all(s["doc_id"] == "nanjing-2021" for s in table["sections_dropped"]) and table["sections_dropped"]
    assert all(t["citations"] for t in table["topics_dropped"])
    answer = assistant.ask("南京十五五规划的重点任务相比十四五新增了哪些方面？")
    assert answer.composer == "versions" and "实施“人工智能+”科技行动" in answer.text
    assert {c.doc_id for c in answer.citations} == {new_id}
    both = assistant.ask("南京两版规划的重点任务有什么变化？")
    assert {c.doc_id for c in both.citations} == {new_id, "nanjing-2021"} and "不再单独设章节" in both.text


def test_items_background_and_topics_the_other_plan_still_writes_are_not_changes():
    """Sections are listed at chapter and section level: a numbered item (1. …) of one plan is not a section of its
    own, a 形势与机遇 background chapter is frame, and a topic the other plan still writes about (in a paragraph under
    another title) has not been lost."""
    old = _plan("old", [("二、形势与机遇",), ("二、形势与机遇", "（一）面临的机遇"), ("三、重点任务",),
                        ("三、重点任务", "（一）强化企业创新主体地位"),
                        ("三、重点任务", "（一）强化企业创新主体地位", "1.发放科技创新券"),
                        ("三、重点任务", "（二）推进农业科技创新")])
    new = _plan("new", [("第一章 发展环境",), ("第二章 壮大科技型企业梯队",), ("第三章 前瞻布局未来产业",)])
    new.append(Clause("new", "new#x", ("第二章 壮大科技型企业梯队",), "实施科技创新券通用通兑。", 900, 912, "paragraph"))
    changes = section_changes(old, new)
    assert [c.text for c in changes.dropped] == ["（二）推进农业科技创新"]
    assert "财税支持" not in changes.topics_dropped and "农业科技" in changes.topics_dropped
    assert [c.text for c in changes.added] == ["第三章 前瞻布局未来产业"]
