"""Authoring rules for a dataset, beyond what loading validates (`python -m eval check`).

Errors make a dataset unfit to score; warnings point at items worth a second look.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .dataset import EvalItem
from .gold import locate_gold
from .metrics import fact_hits

QUOTE_CHARS = (8, 60)
FACT_WINDOW = 300  # characters either side of a quote where its item's facts should be stated


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_dataset(items: list[EvalItem], sources: dict[str, str]) -> CheckResult:
    """Quotes exact, 8–60 characters on one line; answerable items have evidence and facts; facts near quotes."""
    result = CheckResult()
    gold, result.errors = locate_gold(items, sources)
    lo, hi = QUOTE_CHARS
    for item in items:
        for ev in item.evidence:
            if not lo <= len(ev.quote) <= hi:
                result.errors.append(f"{item.id}: quote has {len(ev.quote)} characters, not {lo}–{hi}: {ev.quote!r}")
            if "\n" in ev.quote or "\r" in ev.quote:
                result.errors.append(f"{item.id}: quote spans more than one line: {ev.quote!r}")
        if item.answerable and not (item.evidence and item.answer_facts):
            result.errors.append(f"{item.id}: a {item.type} item needs evidence and answer_facts")
        if not item.answerable and not item.false_premise and (item.evidence or item.answer_facts):
            result.errors.append(f"{item.id}: an unanswerable item has no evidence or facts unless notes say false_premise")
        windows = "\x00".join(  # a separator no fact contains, so windows never join up
            sources[q.doc_id][max(0, s.start - FACT_WINDOW) : s.end + FACT_WINDOW] for q in gold[item.id] for s in q.spans
        )
        for fact, hit in zip(item.answer_facts, fact_hits(windows, item.answer_facts)):
            if gold[item.id] and not hit:
                result.warnings.append(f"{item.id}: fact {fact!r} not within {FACT_WINDOW} characters of any of its quotes")
    return result
