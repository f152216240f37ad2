"""The policy taxonomy (index/resources/topics.tsv) and the topic labels of clauses (index/topics.py)."""
from __future__ import annotations

import pytest

from index.topics import TaxonomyError, clause_scores, labels, question_topics, read_topics, score_text
from ingest.records import Clause

GENRE = ("人才引进", "人才服务与安居", "科技金融", "成果转化与技术市场", "知识产权", "企业梯次培育", "研发平台", "孵化载体",
         "产学研", "区域协同与开放", "双碳与绿色", "农业科技", "海洋", "数字经济", "高新区与园区", "科技体制改革", "科普", "保障措施")


def test_the_taxonomy_holds_the_genre_topics_each_with_english():
    topics = {t.name: t for t in read_topics()}
    assert set(GENRE) <= set(topics)
    for t in topics.values():
        assert t.english and t.english_terms and len(t.terms) >= 5, t.name
        assert all(len(term) >= 2 for term in t.terms)


def test_a_malformed_taxonomy_row_is_an_error_naming_its_line(tmp_path):
    bad = tmp_path / "topics.tsv"
    bad.write_text("# comment\n科技金融\tSci-tech finance\t金融|贷款\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"topics.tsv:2"):
        read_topics(bad)


def _clause(text, section=(), caption=None, kind="paragraph"):
    return Clause("plan", "plan#1", tuple(section), text, 0, len(text), kind, caption=caption)


def test_a_clause_is_labelled_from_its_section_title_even_with_one_term_of_its_own():
    clause = _clause("支持银行开展投贷联动业务。", ("四、重点工程", "14．完善金融支持创新体系"))
    assert labels(clause_scores(clause))[0] == "科技金融"


def test_a_clause_elsewhere_needs_two_terms_of_a_topic():
    assert "孵化载体" not in labels(clause_scores(_clause("建设孵化器。", ("三、任务",))))
    assert "孵化载体" in labels(clause_scores(_clause("建设孵化器和众创空间。", ("三、任务",))))


def test_a_higher_title_counts_less_than_the_deepest():
    deep = score_text("", ["总则", "引进人才", "其他"])["人才引进"]
    near = score_text("", ["总则", "其他", "引进人才"])["人才引进"]
    assert near > deep > 0


@pytest.mark.parametrize("question, topic", [
    ("对科技企业融资这块有啥支持？", "科技金融"),
    ("在碳达峰碳中和上有哪些科技举措？", "双碳与绿色"),
    ("引人才、留人才有哪些招？", "人才引进"),
    ("人才的住房、孩子上学有啥保障？", "人才服务与安居"),
    ("想回来创业，落地生活方面有什么保障？", "人才服务与安居"),  # 生活方面 (not 民生科技's 生活)
    ("What does the plan do for venture capital and loans?", "科技金融"),
    ("How are incubators supported?", "孵化载体"),
])
def test_questions_map_to_topics_by_terms_synonyms_and_english(question, topic):
    assert topic in [t for t, _ in question_topics(question)]


def test_the_longest_form_wins_where_forms_overlap():
    names = [t for t, _ in question_topics("国际合作有哪些")]
    assert names == ["区域协同与开放"]


def test_of_two_overlapping_forms_as_long_the_one_read_first_wins():
    """"民生科技项目": 民生科技 and 科技项目 (关键核心技术攻关) are both four characters; the one the question writes first is
    its topic, whatever order the taxonomy lists them in."""
    assert [t for t, _ in question_topics("民生科技项目主要围绕哪些领域")] == ["民生科技"]


def test_an_english_term_matches_whole_words_only():
    assert "数字经济" not in [t for t, _ in question_topics("He said so")]


def test_the_head_term_of_a_phrase_is_what_is_asked():
    """"科技型中小企业融资": 融资 is asked about, 科技型中小企业 only says whose — the head term weighs at least as much
    as the longer term before it, so its topic is kept beside (and before) the other."""
    from index.topics import question_topics

    asked = question_topics("南通的科技型中小企业融资，规划里有哪些门路？")
    assert asked[0][0] == "科技金融" and "企业梯次培育" in dict(asked)
    assert question_topics("高新区的人才政策有哪些")[0][0] == "人才引进"


def test_a_genre_term_is_said_with_an_attributive_de_inside():
    """"人才发展的环境" writes the genre term 人才发展环境 with a 的 in it: Chinese leaves that 的 out or puts it in."""
    assert question_topics("南通怎么改善人才发展的环境？")[0][0] == "人才服务与安居"


def test_a_synonym_ending_inside_a_word_of_the_question_is_not_said():
    """"怎么改善" holds the characters of the synonym 怎么改 (科技体制改革), but the question says 改善 (improve), not 改 (reform)."""
    assert "科技体制改革" not in dict(question_topics("南通怎么改善人才发展的环境？"))
    assert "科技体制改革" in dict(question_topics("科研项目管理怎么改？"))
