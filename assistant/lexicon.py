"""The rule word lists of query understanding, read from a data file beside the term table.

Words that decide what a question asks (多少, 哪些, 比较, 我们是 …) are data, not code: one file,
index/resources/question_words.tsv, one entry a line, each marked as a genre term, a question frame
or a synonym, so every entry can be audited and none hides inside a regular expression. A rule is the
alternation of its entries in file order.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from index.tokenize import RESOURCES, ResourceError

QUESTION_WORDS = RESOURCES / "question_words.tsv"
MARKS = ("genre", "frame", "synonym")


@lru_cache(maxsize=4)
def read_rules(path: Path = QUESTION_WORDS) -> dict[str, tuple[tuple[str, str], ...]]:
    """{rule: ((entry, mark), …)} in file order; a malformed line, unknown mark or bad pattern is an error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(f"cannot read {path}: {exc}") from exc
    rules: dict[str, list[tuple[str, str]]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) != 3 or not cols[0].strip() or not cols[1]:
            raise ResourceError(f"{path}:{number}: expected 'rule<TAB>entry<TAB>mark', got {raw!r}")
        rule, entry, mark = cols[0].strip(), cols[1], cols[2].strip()
        if mark not in MARKS:
            raise ResourceError(f"{path}:{number}: mark must be one of {', '.join(MARKS)}, got {mark!r}")
        try:
            re.compile(entry)
        except re.error as exc:
            raise ResourceError(f"{path}:{number}: entry {entry!r} is not a valid pattern: {exc}") from exc
        if (entry, mark) in rules.get(rule, []):
            raise ResourceError(f"{path}:{number}: duplicate entry {entry!r} in rule {rule!r}")
        rules.setdefault(rule, []).append((entry, mark))
    return {rule: tuple(entries) for rule, entries in rules.items()}


def entries(rule: str, path: Path = QUESTION_WORDS) -> tuple[str, ...]:
    """The entries of one rule, in file order."""
    table = read_rules(path)
    if rule not in table:
        raise ResourceError(f"{path}: no entries for rule {rule!r}")
    return tuple(entry for entry, _ in table[rule])


@lru_cache(maxsize=64)
def rule(name: str, path: Path = QUESTION_WORDS) -> re.Pattern:
    """One rule as a compiled alternation of its entries."""
    return re.compile("|".join(entries(name, path)))
