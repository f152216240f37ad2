"""The policy taxonomy (`resources/topics.tsv`) and the topic labels of every clause.

Plans of this genre are written about a known set of topics (人才引进, 科技金融, 孵化载体 …); the
taxonomy gives each its genre terms (how plans write it), synonyms (how people ask) and English terms.
A clause is labelled from its own words and from the titles above it: a term in its deepest section
title or its caption labels it outright, a term in a higher title counts less, and a term in its text
counts half — so a paragraph under "完善金融支持创新体系" is 科技金融 even where it only names 投贷联动,
and a paragraph elsewhere needs two of a topic's terms.

Labels are computed from the loaded clauses on first use and cached per loaded index (like the figures,
never stored): they follow the taxonomy file without a rebuild, and the index format does not change.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.lexicon import normalize
from ingest.records import Clause

if TYPE_CHECKING:
    from index.corpus import Corpus

TOPICS = Path(__file__).with_name("resources") / "topics.tsv"

TEXT_WEIGHT = 0.5  # each occurrence of a topic's term in the clause's own text (at most MAX_TEXT of them)
MAX_TEXT = 4
TITLE_WEIGHTS = (1.0, 0.6, 0.3)  # a term in the deepest title (or the caption), its parent, the one above
LABEL_AT = 1.0  # least score for a label


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the line."""


@dataclass(frozen=True)
class Topic:
    name: str
    english: str
    terms: tuple[str, ...]  # genre terms: how plans write about the topic
    synonyms: tuple[str, ...]  # how a question may say it
    english_terms: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern:
        return _pattern(self.terms)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern for any of `terms`, longest first (a topic's or several topics' genre terms)."""
    return _pattern(tuple(sorted(set(terms))))


def _norm(text: str) -> str:
    return normalize(text, case="upper")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_norm(x.strip()) for x in cell.split("|") if x.strip()))


@lru_cache(maxsize=4)
def read_topics(path: Path = TOPICS) -> tuple[Topic, ...]:
    """The taxonomy rows, in file order; a malformed row is an error that names its line."""
    topics: list[Topic] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 5 or not cols[0].strip() or not cols[2].strip():
            raise TaxonomyError(f"{path}:{n}: expected topic<TAB>english<TAB>terms<TAB>synonyms<TAB>english terms")
        terms = _split(cols[2])
        short = [t for t in terms if len(t) < 2]
        if short:
            raise TaxonomyError(f"{path}:{n}: genre terms must have two or more characters ({'、'.join(short)})")
        topics.append(Topic(cols[0].strip(), cols[1].strip(), terms, _split(cols[3]),
                            tuple(x.lower() for x in _split(cols[4]))))
    names = [t.name for t in topics]
    if len(set(names)) != len(names):
        raise TaxonomyError(f"{path}: a topic is listed twice")
    return tuple(topics)


def topic_named(name: str) -> Topic | None:
    return next((t for t in read_topics() if t.name == name), None)


def score_text(text: str, titles: Sequence[str] = (), caption: str | None = None) -> dict[str, float]:
    """Each topic's score for a passage: its terms in `text` and in the titles above it (deepest last)."""
    text, caption = _norm(text), _norm(caption or "")
    titles = [_norm(t) for t in titles][::-1]  # deepest first
    out: dict[str, float] = {}
    for topic in read_topics():
        pattern = topic.pattern
        score = TEXT_WEIGHT * min(MAX_TEXT, len(pattern.findall(text)))
        title = max((w for w, t in zip(TITLE_WEIGHTS, titles) if pattern.search(t)), default=0.0)
        if caption and pattern.search(caption):
            title = max(title, TITLE_WEIGHTS[0])
        if score + title > 0:
            out[topic.name] = score + title
    return out


def clause_scores(clause: Clause) -> dict[str, float]:
    """A clause's topic scores (a heading is its own deepest title)."""
    titles = clause.section if clause.kind != "heading" else (*clause.section[:-1], clause.text)
    return score_text("" if clause.kind == "heading" else clause.text, titles, clause.caption)


def labels(scores: dict[str, float]) -> tuple[str, ...]:
    """The topics a passage is labelled with: score LABEL_AT or more, best first."""
    return tuple(t for t, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= LABEL_AT)


@lru_cache(maxsize=4)
def index_topics(corpus: Corpus) -> tuple[dict[str, float], ...]:
    """Topic scores of every clause of a loaded corpus, in `corpus.clauses` order (cached per loaded corpus)."""
    return tuple(clause_scores(c) for c in corpus.clauses)


_ASCII_WORD = re.compile(r"[a-z0-9&]")
_ATTRIBUTIVE = re.compile(r"(?<=[\u4e00-\u9fff])的(?=[\u4e00-\u9fff])")


def _word_insides(text: str) -> frozenset[int]:
    """Offsets that fall inside a word of `text` (jieba with the policy dictionary): no form may end there."""
    from index.tokenize import default_tokenizer

    return frozenset(k for t in default_tokenizer().words(text) if len(t.text) > 1 for k in range(t.start + 1, t.end))


def question_topics(text: str) -> list[tuple[str, float]]:
    """Topics a question names, best first, with how much of it they cover (characters matched).

    Genre terms, synonyms and English terms all count; the longest form wins where forms overlap
    (国际合作 is 区域协同与开放, not also 合作 of 产学研), and a form shared by topics counts for each.
    """
    norm = _ATTRIBUTIVE.sub("", _norm(text))  # "人才发展的环境" says 人才发展环境: no genre term holds a 的
    lower = norm.lower()
    inside: frozenset[int] | None = None  # read only when an asking form is found (most questions have none)
    found = []  # every whole occurrence of every form: (start, end, topics)
    for form, names in _question_forms():
        hay = lower if form.isascii() else norm
        s = hay.find(form)
        while s != -1:
            e = s + len(form)
            if form.isascii():  # an English term is a whole word ("ai", not the "ai" of "said")
                whole = not ((s > 0 and _ASCII_WORD.match(hay[s - 1])) or (e < len(hay) and _ASCII_WORD.match(hay[e])))
            elif form not in _asking_forms():
                whole = True
            else:  # a synonym (how people ask) ending inside a word of the question is not said ("怎么改善": no 怎么改)
                inside = _word_insides(norm) if inside is None else inside
                whole = e not in inside
            if whole:
                found.append((s, e, names))
            s = hay.find(form, s + 1)
    taken = [False] * len(norm)
    got: dict[str, float] = {}
    kept = []
    # the longest first, and of two as long the one read first ("民生科技项目": 民生科技, not 科技项目)
    for s, e, names in sorted(found, key=lambda t: (t[0] - t[1], t[0])):
        if not any(taken[s:e]):
            taken[s:e] = [True] * (e - s)
            kept.append((s, e, names))
            for name in names:
                got[name] = got.get(name, 0.0) + (e - s)
    # a term right after another ("科技型中小企业融资", "高新区的人才政策") is the phrase's head, what is asked about:
    # it weighs at least as much as the longer term that only says whose
    kept.sort()
    for (_, e1, before), (s2, _, head) in zip(kept, kept[1:]):
        if norm[e1:s2] in ("", "的") and not set(before) & set(head):
            lead = max(got[name] for name in before)
            for name in head:
                got[name] = max(got[name], lead + 0.5)
    return sorted(got.items(), key=lambda kv: -kv[1])


@lru_cache(maxsize=1)
def _asking_forms() -> frozenset[str]:
    """Forms that are only synonyms (how people ask), never a genre term of any topic."""
    topics = read_topics()
    return frozenset(f for t in topics for f in t.synonyms) - {f for t in topics for f in t.terms}


@lru_cache(maxsize=1)
def _question_forms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every form of every topic (genre terms, synonyms, English terms) with the topics it names, longest first."""
    forms: dict[str, list[str]] = {}
    for topic in read_topics():
        for form in (*topic.terms, *topic.synonyms, *topic.english_terms):
            if topic.name not in forms.setdefault(form, []):
                forms[form].append(topic.name)
    return tuple((form, tuple(names)) for form, names in sorted(forms.items(), key=lambda kv: -len(kv[0])))
