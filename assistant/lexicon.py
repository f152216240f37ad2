"""The rule word lists of query understanding, read from a data file beside the term table.

Words that decide what a question asks (多少, 哪些, 比较, 我们是 …) are data, not code: one file,
index/resources/question_words.tsv, one entry a line, each marked as a genre term, a question frame
or a synonym, so every entry can be audited and none hides inside a regular expression. A rule is the
alternation of its entries in file order. The file format and its reader are the lexicon's
(ingest/lexicon.read_rules), shared with the baseline and target cues of ingest/resources/cues.tsv.
"""
from __future__ import annotations

import re
from pathlib import Path

from index.tokenize import RESOURCES
from ingest.lexicon import MARKS, ResourceError, rule_pattern
from ingest.lexicon import read_rules as read_rule_file

QUESTION_WORDS = RESOURCES / "question_words.tsv"
# the kinds of event a question may date ("哪年获批", "什么时候建成"): rules of question_words.tsv
EVENT_RULES = ("event_approved", "event_accepted", "event_founded", "event_built", "event_certified")
__all__ = ["EVENT_RULES", "MARKS", "QUESTION_WORDS", "entries", "names_event", "read_rules", "rule"]


def read_rules(path: Path = QUESTION_WORDS) -> dict[str, tuple[tuple[str, str], ...]]:
    """{rule: ((entry, mark), …)} of the question words, in file order (malformed lines are errors)."""
    return read_rule_file(path)


def entries(rule: str, path: Path = QUESTION_WORDS) -> tuple[str, ...]:
    """The entries of one rule, in file order."""
    table = read_rules(path)
    if rule not in table:
        raise ResourceError(f"{path}: no entries for rule {rule!r}")
    return tuple(entry for entry, _ in table[rule])


def rule(name: str, path: Path = QUESTION_WORDS) -> re.Pattern:
    """One rule as a compiled alternation of its entries."""
    return rule_pattern(name, path)


def names_event(text: str) -> bool:
    """Whether `text` writes an event a date may be asked or given for (any of the EVENT_RULES words: 建成, 获批 …)."""
    return any(rule(name).search(text) for name in EVENT_RULES)
