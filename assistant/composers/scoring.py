"""Topic scoring, one mechanism for every composer.

The question's topic (cities, question and frame words removed, see `assistant.query.topic_of`)
becomes weighted *units* — an abbreviation or indicator name with all the ways the plans write it
(高企 = 高新技术企业, 研发强度 = 全社会研发投入占GDP比重 …), and character bigrams (or words) for the
rest — each weighted by how rare it is in the plans (IDF). A passage's score is the weighted share of
units it contains. A question word no plan uses (年纪, 路子) also counts, a little less, where a passage says
it in a 词林 equivalent the plans do use (年龄, 路径): see `near_forms`.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from assistant.composers.windows import _PIECE_END
from index.corpus import Corpus
from index.rerank import bigrams, norm, states_figure

CONTEXT_WEIGHT = 0.6  # a unit found only in the section path or caption counts this much
NEAR_WEIGHT = 0.8  # a unit said only by a 词林 equivalent (年龄 for a question's 年纪) counts this much


@dataclass(frozen=True)
class Unit:
    """One thing the question is about, with every form that counts as saying it."""

    forms: tuple[str, ...]  # normalised (NFKC, upper case, without 的)
    weight: float
    near: tuple[str, ...] = ()  # 词林 equivalents the library's text uses: they count NEAR_WEIGHT


# "制（修）订": a character in brackets is an alternative of its neighbour, the plans' way of writing 制订 and 修订 at once
_ALTERNATIVE = re.compile(r"([\u4e00-\u9fff])\(([\u4e00-\u9fff])\)([\u4e00-\u9fff])")


@lru_cache(maxsize=16384)
def _plain(text: str) -> str:
    """The form texts and units are compared in: NFKC, upper case, without 的 (全社会研发投入占GDP的比重), a bracketed
    alternative spelt out, and read as written without its brackets ("制(修)订" → 制订修订制修订)."""
    return _ALTERNATIVE.sub(r"\1\3\2\3\1\2\3", norm(text).replace("的", ""))


@lru_cache(maxsize=1)
def _stats(corpus: Corpus) -> tuple[int, Counter]:
    """(number of clauses, clause frequency of each bigram) of the loaded corpus (one cached, like the index)."""
    df: Counter = Counter()
    for clause in corpus.clauses:
        df.update(bigrams(clause.text))
    return len(corpus.clauses), df


@lru_cache(maxsize=1)
def _paraphrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(wording, plan forms) pairs from the term table's term rows (index/resources/terms.tsv), longest first.

    Indicator concepts are not used here: their aliases group an indicator's wordings with
    its members (孵化载体 = 孵化器 | 众创空间), which are not interchangeable words.
    """
    from index.tokenize import default_tokenizer

    pairs = [(norm(s.key), tuple(sorted({norm(s.key), *(norm(f) for f in s.expansions)})))
             for s in default_tokenizer().synonyms.values() if s.kind == "term"]
    return tuple(sorted(pairs, key=lambda t: -len(t[0])))


@lru_cache(maxsize=4096)
def _word_idf(corpus: Corpus, forms: tuple[str, ...]) -> float:
    """IDF of a word (any of its forms) over the corpus's clauses."""
    n = len(corpus.clauses)
    df = sum(1 for c in corpus.clauses if any(f in _plain(c.text) for f in forms))
    return math.log((n + 1) / (df + 1)) + 0.1


@lru_cache(maxsize=1)
def _library_text(corpus: Corpus) -> str:
    """Every clause of the corpus in the compared form, one a line (what "the library uses a word" reads)."""
    return "\n".join(_plain(c.text) for c in corpus.clauses)


@lru_cache(maxsize=4096)
def near_forms(corpus: Corpus, word: str) -> tuple[str, ...]:
    """The 词林 equivalents (index/cilin.py) of a question word that no clause of the library uses, among those
    its clauses do use ("年纪" → 年龄, "路子" → 路径 | 途径); () for a word the library uses.

    A word no plan uses matches no clause and can only lower every candidate's coverage; in the plans'
    own equivalent word it can match. A word the plans do use keeps its own meaning: 词林's groups are
    broad (资金 = 基金 = 资本), and widening such words lets a question the plan does not answer be answered.
    """
    from index.cilin import equivalents

    text = _library_text(corpus)
    if _plain(word) in text:
        return ()
    forms = {_plain(w) for w in equivalents(word)} - {_plain(word)}
    return tuple(sorted(f for f in forms if len(f) >= 2 and f in text))


RARE_WORD = 3.5  # IDF above which a question word names something narrower than a topic (few clauses use it)


class TopicScorer:
    """Weighted share of the question's topic units found in a text."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.total = sum(u.weight for u in units)

    @classmethod
    def for_text(cls, topic: str, corpus: Corpus) -> TopicScorer:
        n, df = _stats(corpus)

        def idf(gram: str) -> float:
            return math.log((n + 1) / (df.get(gram, 0) + 1)) + 0.1

        text = norm(topic)
        units: list[Unit] = []
        for key, forms in _paraphrases():
            if len(key) >= 2 and key in text:
                units.append(Unit(tuple(f.replace("的", "") for f in forms), sum(idf(g) for g in bigrams(key)) or 1.0))
                text = text.replace(key, " ")
        from index.tokenize import default_tokenizer

        for token in default_tokenizer().words(text):  # a word no plan uses, said in the plans' equivalent words
            if len(token.text) >= 2 and (near := near_forms(corpus, token.text)):
                word = _plain(token.text)
                units.append(Unit((word,), sum(idf(g) for g in bigrams(word)) or 1.0, near))
                text = text.replace(norm(token.text), " ")
        # a Latin word the plans never use ("Nanjing", "high-tech") can match nothing: it is not the topic
        units.extend(Unit((g,), idf(g)) for g in sorted(bigrams(text)) if not (g.isascii() and g.isalpha() and g not in df))
        return cls(units)

    @classmethod
    def for_words(cls, topic: str, corpus: Corpus) -> TopicScorer:
        """Units are the topic's words (jieba with the policy dictionary), each with its synonyms' plan forms.

        Bigram units suit short indicator names; for matching a heading or a section's sentences,
        words are the better unit: "支持企业建设研发机构" is 支持 · 企业 · 建设 · 研发机构, not 持企 or 设研.
        """
        from index.tokenize import default_tokenizer

        tokenizer = default_tokenizer()
        units: list[Unit] = []
        for token in tokenizer.words(topic):
            word = norm(token.text)
            if len(word) < 2 or word in tokenizer.stopwords or not re.search(r"[\u4e00-\u9fffA-Z0-9]", word):
                continue
            synonym = tokenizer.synonyms.get(token.text)
            forms = {word, *(norm(f) for f in synonym.expansions)} if synonym and synonym.kind == "term" else {word}
            near = near_forms(corpus, token.text) if len(forms) == 1 else ()  # the term table's own forms come first
            units.append(Unit(tuple(sorted(f.replace("的", "") for f in forms)), _word_idf(corpus, tuple(sorted(forms))), near))
        return cls(units)

    def said_in(self, corpus: Corpus) -> TopicScorer:
        """The scorer without the units no clause of the library says in any form ("东西", "真正" of a question):
        for ranking passages against each other, where such a unit only lowers every score alike."""
        text = _library_text(corpus)
        kept = [u for u in self.units if any(f in text for f in (*u.forms, *u.near))]
        return self if len(kept) == len(self.units) else TopicScorer(kept)

    def coverage(self, text: str, context: str = "", numbers: bool = True) -> float:
        """0…1: units in `text` count fully, units only in `context` (section, caption) count CONTEXT_WEIGHT.

        numbers=False leaves out the figures the question states ("突破5000家"): they are premises to
        check, not the topic (for an indicator row, whose own figures are checked separately).
        """
        units = self.units if numbers else [u for u in self.units if not u.forms[0][:1].isdigit()]
        total = sum(u.weight for u in units)
        if not total:
            return 0.0
        t, c = _plain(text), _plain(context)
        got = 0.0
        for unit in units:
            if any(f in t for f in unit.forms):
                got += unit.weight
            elif any(f in t for f in unit.near):
                got += NEAR_WEIGHT * unit.weight
            elif c and any(f in c for f in (*unit.forms, *unit.near)):
                got += CONTEXT_WEIGHT * (1.0 if any(f in c for f in unit.forms) else NEAR_WEIGHT) * unit.weight
        return got / total

    def anchors(self, text: str) -> list[int]:
        """Positions in `text` (without 的) where a unit occurs (to tell which figure a sentence states about the topic)."""
        t = _plain(text)
        out = []
        for unit in self.units:
            for f in (*unit.forms, *unit.near):
                i = t.find(f)
                while i >= 0:
                    out.append(i)
                    i = t.find(f, i + 1)
        return sorted(out)

    def states_topic_figure(self, text: str) -> bool:
        """Whether a figure stands in the same or the next comma-piece as a unit of the topic
        (index.rerank.states_figure from each unit's start; pieces end where `windows` cuts, so the test
        agrees with the window it is asked of — not at 、, which lists items one figure may serve)."""
        return states_figure(_plain(text), self.anchors(text), _PIECE_END)


