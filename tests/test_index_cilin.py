"""同义词词林 read as data (index/cilin.py) and a question word no plan uses matched by its 词林 equivalent
(assistant/composers/scoring.py `near_forms`): on a hand-made tree, a made-up library and the shipped plans."""
from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from index import cilin
from index.tokenize import ResourceError

TREE = {
    "D": {"tag": "抽象", "sub": {"n": {"tag": "数量", "sub": {"01": {"tag": "年龄", "sub": {"A": {"tag": "年龄 年纪", "sub": {
        "01=": ["年龄", "年纪", "岁数", "龄"],  # an equivalence group: 龄 (one character) is left out
        "02#": ["童年", "老年", "中年"],  # related words only
        "03@": ["高龄"],  # a word alone
        "04=": ["年岁", "年纪"],  # 年纪 is in two groups
        "05=": ["岁", "年"],  # nothing of two characters left
    }}}}}}}},
}


def test_only_equivalence_groups_of_words_of_two_characters_are_read():
    groups = cilin.equivalence_groups(TREE)
    assert groups == [("年龄", "年纪", "岁数"), ("年岁", "年纪")]
    lexicon = cilin.Lexicon(groups)
    assert lexicon.equivalents("年纪") == {"年龄", "岁数", "年岁"}  # every group it belongs to
    assert lexicon.equivalents("年龄") == {"年纪", "岁数"}
    assert lexicon.equivalents("童年") == frozenset() and lexicon.equivalents("高龄") == frozenset()
    assert lexicon.equivalents("龄") == frozenset()


@pytest.mark.parametrize("tree", [[], {"D": {"tag": "抽象"}}, {"D": {"sub": ["年龄"]}}])
def test_a_malformed_tree_is_a_clear_error(tree):
    with pytest.raises(ResourceError):
        cilin.equivalence_groups(tree)


def test_a_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cilin, "DISTRIBUTION", "no-such-distribution-planqa")
    with pytest.raises(cilin.LexiconMissing, match="not installed"):
        cilin.data_path()


def test_the_installed_lexicon_is_read_without_importing_its_package():
    cilin.lexicon.cache_clear()
    path = cilin.data_path()
    assert path.name == "cilin_tree.json" and path.is_file()
    assert {"年龄", "岁数"} <= cilin.equivalents("年纪")
    assert "各项" in cilin.equivalents("各类")
    assert "利率" not in cilin.equivalents("达标率")  # 达标率 and 利率 share only a "#" (related) group
    assert not any(len(w) < 2 for w in cilin.equivalents("人士"))
    assert "cilin" not in sys.modules and "cilin.cilin" not in sys.modules


@dataclass(frozen=True)
class _Clause:
    text: str


class _Library:
    """The part of a Corpus the topic scorer reads: its clauses."""

    def __init__(self, *texts: str):
        self.clauses = [_Clause(t) for t in texts]


LIBRARY = _Library(
    "申报技术经纪人的人员年龄不超过45周岁。",
    "各类创新主体协同发展，各项科技资金足额保障。",
    "加快建设科技企业孵化器。",
    "完善人才评价标准。",
)


def test_a_word_no_clause_uses_counts_where_a_clause_says_it_in_an_equivalent():
    from assistant.composers.scoring import TopicScorer, near_forms

    assert near_forms(LIBRARY, "年纪") == ("年龄",)  # 岁数, 年岁 … are not in the library's text
    assert near_forms(LIBRARY, "各类") == ()  # a word the library uses keeps its own meaning (not widened to 各项)
    for scorer in (TopicScorer.for_words("技术经纪人年纪", LIBRARY), TopicScorer.for_text("技术经纪人年纪", LIBRARY)):
        said = scorer.coverage(LIBRARY.clauses[0].text)
        assert said > scorer.coverage("技术经纪人不超过45周岁。")  # the equivalent counts …
        assert said < scorer.coverage("技术经纪人年纪不超过45周岁。")  # … less than the question's own word
        assert scorer.anchors(LIBRARY.clauses[0].text)  # and anchors a figure next to it


def test_a_word_without_equivalents_in_the_library_gets_none():
    from assistant.composers.scoring import TopicScorer, near_forms

    assert near_forms(LIBRARY, "路子") == ()  # 路径, 途径 … occur in no clause
    units = TopicScorer.for_words("孵化器路子", LIBRARY).units
    assert all(u.near == () for u in units)


def test_on_the_shipped_plans_a_colloquial_word_finds_the_plans_word(built_index, monkeypatch):
    from assistant import Assistant
    from assistant.composers import scoring

    qa = Assistant.from_index(built_index)
    question = "江阴的研发成果在哪里安家？"  # no plan says 安家; 江阴's says 项目成果、江阴落户
    assert "落户" in scoring.near_forms(qa.index.corpus, "安家")
    answer = qa.ask(question)
    assert not answer.refused and any("落户" in c.quote for c in answer.citations)
    monkeypatch.setattr(scoring, "near_forms", lambda corpus, word: ())
    assert qa.ask(question).refused  # without the lexicon nothing matches the word
