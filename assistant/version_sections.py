"""Which sections, and which taxonomy topics, only one of a city's two plans has.

A plan's task sections are the headings that title their own section (not a table's caption or a box's
title), outside the plan's frame — background, goals, safeguards (the `frame` rule of
assistant/resources/version_words.tsv). Two titles are the same section when their core words — the title
without its numbering, the verbs it leads with and the words every title pads with (the `lead` rule) — share
most of their character pairs; a section of one plan that matches no heading of the other is present in
that plan only. A section in one plan only is listed once: below it, its own subsections are not repeated.

Sections are listed at chapter and section level: numbered items below a section (1. / （1）) are not listed,
though a section of one plan that an item of the other covers (by its words or topic) is present in both.
A taxonomy topic (index/resources/topics.tsv) gained or lost a section when some task section title of one
plan carries it and nothing in the other plan's tasks — titles or text — does; each is cited by the titles that
carry it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.versions import words
from index.topics import LABEL_AT, clause_scores, labels, score_text
from ingest.lexicon import normalize
from ingest.records import Clause

MATCH_AT = 0.5  # least share of the shorter core's character pairs that the other title holds


def _norm(text: str) -> str:
    return normalize(text, space="remove")


def core(title: str) -> str:
    """The words that say what a section is about: no numbering, no leading verb, no padding words."""
    text = _norm(title).strip("“”\"")
    previous = None
    while previous != text:
        previous, text = text, words("lead").sub("", text)
    return re.sub(r"[“”\"‘’、，,（）()+＋]", "", text)


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def same_words(a: str, b: str) -> bool:
    """Whether two section titles' cores share most character pairs."""
    x, y = _pairs(core(a)), _pairs(core(b))
    return bool(x and y) and len(x & y) / min(len(x), len(y)) >= MATCH_AT


def same_section(a: str, b: str) -> bool:
    """Whether two section titles name one subject: their cores share most character pairs, or share a pair and
    a taxonomy topic of the titles (深化科技金融融合 and 深化科技金融服务)."""
    x, y = _pairs(core(a)), _pairs(core(b))
    if not x or not y or not x & y:
        return False
    return len(x & y) / min(len(x), len(y)) >= MATCH_AT or bool(set(_topics_of(a)) & set(_topics_of(b)))


def _titles_itself(clause: Clause) -> bool:
    return clause.kind == "heading" and bool(clause.section) and _norm(clause.section[-1]).rstrip("。；;") == \
        _norm(clause.text).rstrip("。；;")


def _run_in(clause: Clause) -> bool:
    return _norm(clause.text).endswith(("。", "；", ";"))


def _in_frame(clause: Clause) -> bool:
    frame = words("frame")
    return any(frame.search(_norm(t)) for t in clause.section)


def task_headings(clauses: Sequence[Clause]) -> list[Clause]:
    """The heading clauses of one plan's tasks (its frame left out), items included: what a section of the other
    plan may match."""
    return [c for c in clauses if _titles_itself(c) and not _in_frame(c)]


def task_sections(clauses: Sequence[Clause]) -> list[Clause]:
    """The heading clauses that title a task section of one plan, in reading order: chapters and their sections,
    not the numbered items below them (1. / （1）: the `item` rule), nor the plan's frame."""
    item = words("item")
    return [c for c in task_headings(clauses) if not item.search(_norm(c.text))]


def _held_topics(clauses: Sequence[Clause]) -> set[str]:
    """The taxonomy topics any task clause of a plan (its text or its section titles, the frame left out) carries."""
    return {t for c in clauses if not _in_frame(c) for t in labels(clause_scores(c))}


@lru_cache(maxsize=4096)
def _topics_of(title: str) -> tuple[str, ...]:
    scores = score_text("", (title,))
    return tuple(t for t, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= LABEL_AT)


def title_topics(clause: Clause) -> tuple[str, ...]:
    """The taxonomy topics a section's own title carries."""
    return _topics_of(clause.text)


@dataclass
class SectionChanges:
    """Sections and topics present in one plan only (heading clauses; topics with the headings that carry them)."""

    added: list[Clause] = field(default_factory=list)
    dropped: list[Clause] = field(default_factory=list)
    topics_added: dict[str, list[Clause]] = field(default_factory=dict)
    topics_dropped: dict[str, list[Clause]] = field(default_factory=dict)


def _under(path: tuple[str, ...], top: tuple[str, ...]) -> bool:
    return len(path) >= len(top) and path[:len(top)] == top


def _only_in(mine: list[Clause], headings: list[Clause], all_theirs: Sequence[Clause]) -> list[Clause]:
    """`mine` sections that match no heading of the other plan, each listed once (not below a listed one).

    A subsection of a matched section is also present when the matching section of the other plan writes its
    core words (a plan that folds 做强“一核” into one 创新空间布局 section still has it)."""
    matched: dict[tuple[str, ...], Clause] = {}
    out: list[Clause] = []
    for c in mine:
        key = core(c.text)
        if not key:
            continue
        found = next((h for h in headings if same_section(c.text, h.text)), None) or next(
            (h for h in all_theirs if _titles_itself(h) and same_words(c.text, h.text)), None)
        if found is not None:
            matched[c.section] = found
            continue
        if any(_under(c.section, o.section) for o in out) or _run_in(c):
            continue  # a subsection of a section already listed, or a paragraph's run-in lead (not a section)
        above = [matched[p] for p in matched if _under(c.section, p)]
        if len(key) >= 2 and any(key in _norm(t.text) for h in above for t in all_theirs if _under(t.section, h.section)):
            continue
        out.append(c)
    return out


def _topics_only(mine: list[Clause], all_theirs: Sequence[Clause]) -> dict[str, list[Clause]]:
    """Topics a section title of `mine` carries that nothing in the other plan's tasks does (its titles or text): a
    topic the other plan still writes about under another heading has not been gained or lost."""
    held = _held_topics(all_theirs)
    out: dict[str, list[Clause]] = {}
    for c in mine:
        for t in title_topics(c):
            if t not in held:
                out.setdefault(t, []).append(c)
    return out


def section_changes(old: Sequence[Clause], new: Sequence[Clause]) -> SectionChanges:
    """What sections and topics each of two plans (their clauses, in order) has that the other has not."""
    old_tasks, new_tasks = task_sections(old), task_sections(new)
    return SectionChanges(added=_only_in(new_tasks, task_headings(old), old), dropped=_only_in(old_tasks, task_headings(new), new),
                          topics_added=_topics_only(new_tasks, old), topics_dropped=_topics_only(old_tasks, new))
