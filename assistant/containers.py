"""Container words: how plans name their boxes, tables, series and groupings, and how people ask for them.

The words live in a data file beside the term table (index/resources/containers.tsv), one entry a
line, each marked genre term, question frame or synonym; a synonym names the entry it stands for, so
"几个框" finds the 专栏 and "几个园区" finds the 特色产业园. This module reads the file and answers the
few questions the outline composer and the section tree ask of it: which container a counted phrase
names, whether two names are the same kind of thing, and the patterns of count, list and define frames.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.tokenize import RESOURCES, ResourceError
from ingest.lexicon import data_lines

CONTAINERS = RESOURCES / "containers.tsv"
MARKS = ("genre", "frame", "synonym")
# Rules whose entries are regular-expression fragments; the others are plain words.
PATTERN_RULES = {"count_frame", "list_frame", "define_frame", "topic_frame", "asking_noun", "part_name"}


@dataclass(frozen=True)
class Entry:
    word: str
    mark: str
    stands_for: str | None  # a synonym's genre entry


@lru_cache(maxsize=4)
def read_containers(path: Path = CONTAINERS) -> dict[str, tuple[Entry, ...]]:
    """{rule: entries in file order}; a malformed line, unknown mark, bad pattern or dangling synonym is an error."""
    rules: dict[str, list[Entry]] = {}
    for number, raw in data_lines(path):
        cols = raw.split("\t")
        if len(cols) not in (3, 4) or not cols[0].strip() or not cols[1].strip():
            raise ResourceError(f"{path}:{number}: expected 'rule<TAB>entry<TAB>mark[<TAB>stands for]', got {raw!r}")
        rule, word, mark = cols[0].strip(), cols[1].strip(), cols[2].strip()
        target = cols[3].strip() if len(cols) == 4 else None
        if mark not in MARKS:
            raise ResourceError(f"{path}:{number}: mark must be one of {', '.join(MARKS)}, got {mark!r}")
        if (mark == "synonym") != bool(target):
            raise ResourceError(f"{path}:{number}: a synonym (and only a synonym) names the entry it stands for")
        if rule in PATTERN_RULES:
            try:
                re.compile(word)
            except re.error as exc:
                raise ResourceError(f"{path}:{number}: {word!r} is not a valid pattern: {exc}") from exc
        if any(e.word == word for e in rules.get(rule, [])):
            raise ResourceError(f"{path}:{number}: duplicate entry {word!r} in rule {rule!r}")
        rules.setdefault(rule, []).append(Entry(word, mark, target))
    for rule, entries in rules.items():
        words = {e.word for e in entries}
        for e in entries:
            if e.stands_for and e.stands_for not in words:
                raise ResourceError(f"{path}: synonym {e.word!r} of rule {rule!r} stands for {e.stands_for!r}, not an entry of it")
    return {rule: tuple(entries) for rule, entries in rules.items()}


def words(rule: str, path: Path = CONTAINERS) -> tuple[str, ...]:
    table = read_containers(path)
    if rule not in table:
        raise ResourceError(f"{path}: no entries for rule {rule!r}")
    return tuple(e.word for e in table[rule])


@lru_cache(maxsize=32)
def pattern(rule: str, path: Path = CONTAINERS) -> re.Pattern:
    """A rule as one alternation; plain-word rules are escaped, longer words first."""
    ws = words(rule, path)
    if rule not in PATTERN_RULES:
        ws = tuple(re.escape(w) for w in sorted(ws, key=len, reverse=True))
    return re.compile("|".join(f"(?:{w})" for w in ws))


@lru_cache(maxsize=4)
def _families(path: Path = CONTAINERS) -> dict[str, frozenset[str]]:
    """Each container word → every word of its family: the entries its synonym links join, transitively."""
    table = read_containers(path)
    parent: dict[str, str] = {}

    def root(w: str) -> str:
        while parent.setdefault(w, w) != w:
            w = parent[w]
        return w

    for rule in ("container", "plan_part"):
        for e in table.get(rule, ()):
            root(e.word)
            if e.stands_for:
                parent[root(e.word)] = root(e.stands_for)
    groups: dict[str, set[str]] = {}
    for w in parent:
        groups.setdefault(root(w), set()).add(w)
    return {w: frozenset(groups[root(w)]) for w in parent}


def family(word: str) -> frozenset[str]:
    """A container word with its synonyms ("专栏" → 专栏, 框, 方框); a word the file does not hold is its own family."""
    return _families().get(word, frozenset({word}))


def container_of(phrase: str) -> str:
    """The container word a counted phrase ends with, longest first ("海工船舶特色产业园" → 特色产业园), or ""."""
    phrase = phrase.strip()
    for w in sorted(words("container") + words("plan_part"), key=len, reverse=True):
        if phrase.endswith(w):
            return w
    return ""


def names_kind(name: str, counted: str) -> bool:
    """Whether a title or member name is the kind of thing `counted` names, by the word or any of its family:
    "三大海工船舶装备特色产业园" is a 产业园, "实施六大行动" holds 行动, "专栏4 …" is a 框."""
    if not counted:
        return False
    return any(w and (name.endswith(w) or w in name) for w in family(counted))


def is_plan_part(word: str) -> bool:
    return bool(word) and any(w in words("plan_part") for w in family(word))
