"""The hand-written dev set (eval/data/dev.jsonl) is checked against the real plans.

Every later design choice is scored on this file, so a quote that is not in its plan, a fact that
its quote does not support, or a drift in the mix of questions must fail loudly. Loading and the
general authoring rules (`python -m eval check`) come from `eval/`; this file adds the rules of
this particular set. The format is documented in eval/README.md ("Dataset format").
"""
from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from eval_support import StrictItem
from pydantic import ValidationError

from eval.check import check_dataset
from eval.corpus import load_sources
from eval.dataset import load_dataset
from eval.metrics import normalise

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "eval" / "data" / "dev.jsonl"
PLANS = ROOT / "data" / "plans"

MIN_TOTAL = 110
MIN_PER_TYPE = {"target": 25, "fact": 15, "list": 12, "compare": 10, "eligibility": 12, "unanswerable": 18}
# Unanswerable items say why: `notes` starts with one of these tags.
MIN_PER_REASON = {"false_premise": 5, "other_city": 4, "not_given": 4}
MIN_PARAPHRASED_SHARE = 0.5
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def sources() -> dict[str, str]:
    return load_sources(PLANS)


@cache
def cities() -> dict[str, str]:
    """{doc_id: city} from the manifest."""
    docs = json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))["documents"]
    return {d["doc_id"]: d["city"] for d in docs}


@cache
def items() -> tuple[StrictItem, ...]:
    return tuple(StrictItem.model_validate(json.loads(line))
                 for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip())


def fail_if(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def alternatives(fact: str | list[str]) -> list[str]:
    return [fact] if isinstance(fact, str) else fact


def table_row(text: str, start: int) -> str | None:
    """The table row holding the quote at `start`, or None for prose.

    Numbers sit close together in the flattened tables, so a 300-character window would accept
    the value of a neighbouring row. The corpus has three flattened forms: tab-separated cells on
    one line (句容); tab-prefixed cells, one per line, rows separated by blank lines (南通, 连云港,
    江阴's attachment); one cell per line with blank lines between cells, a name cell followed by
    its number cells (南京).
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if "\t" in line.lstrip("\t"):
        return line
    if line.startswith("\t"):
        block_start = text.rfind("\n\n", 0, start)
        block_end = text.find("\n\n", start)
        return text[0 if block_start < 0 else block_start + 2: len(text) if block_end < 0 else block_end]
    cells = []
    for cell in (c for c in text[line_end:].split("\n") if c.strip()):
        if CJK.search(cell):
            break
        cells.append(cell)
    return line + "".join(cells) if cells else None


def test_the_scorer_loads_the_file() -> None:
    """Parses, validates and has unique ids, as `python -m eval run` requires."""
    assert len(load_dataset(DATASET)) >= MIN_TOTAL


def test_every_line_has_every_field_with_its_type() -> None:
    problems = []
    for n, line in enumerate(DATASET.read_text(encoding="utf-8").splitlines(), 1):
        try:
            item = StrictItem.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            problems.append(f"line {n}: {exc}")
            continue
        if isinstance(item.city, list) and (len(item.city) < 2 or not all(item.city)):
            problems.append(f"{item.id}: a city list names at least two cities")
    fail_if(problems)


def test_the_authoring_rules_of_eval_check_hold() -> None:
    """Exact quotes of 8–60 characters on one line of a known plan, facts within 300 characters of
    a quote, answerable items with facts and evidence, unanswerable ones without (bar false premises)."""
    result = check_dataset(load_dataset(DATASET), sources())
    fail_if(result.errors + result.warnings)


def test_every_quote_occurs_once_in_its_plan() -> None:
    """So that each gold quote is one span: retrieval and citations either overlap it or not."""
    fail_if([f"{item.id}: quote found {sources()[ev.doc_id].count(ev.quote)} times in {ev.doc_id}: {ev.quote!r}"
             for item in items() for ev in item.evidence if sources()[ev.doc_id].count(ev.quote) != 1])


def test_numbers_from_a_table_are_in_the_quoted_row() -> None:
    """A numeric fact is in the row of a table quote, or within 300 characters of a prose quote."""
    problems = []
    for item in items():
        scopes = []
        for ev in item.evidence:
            text = sources()[ev.doc_id]
            start = text.find(ev.quote)
            row = table_row(text, start)
            scopes.append(normalise(row if row is not None else text[max(0, start - 300): start + len(ev.quote) + 300]))
        for fact in item.answer_facts:
            alts = [normalise(a) for a in alternatives(fact)]
            if any(ch.isdigit() for a in alts for ch in a) and not any(a in s for a in alts for s in scopes):
                problems.append(f"{item.id}: number {fact!r} is in no quoted table row (nor near a prose quote)")
    fail_if(problems)


def test_unanswerable_items_have_no_facts_and_say_why() -> None:
    problems, reasons = [], Counter()
    for item in (i for i in items() if i.type == "unanswerable"):
        reason = next((r for r in MIN_PER_REASON if item.notes.startswith(r)), None)
        reasons[reason] += 1
        if item.answer_facts:
            problems.append(f"{item.id}: an unanswerable item has no answer_facts")
        if reason is None:
            problems.append(f"{item.id}: notes start with one of {sorted(MIN_PER_REASON)}")
    problems += [f"{reasons[r]} {r} items, need {n}" for r, n in MIN_PER_REASON.items() if reasons[r] < n]
    fail_if(problems)


def test_evidence_comes_from_the_cities_asked_about() -> None:
    """A single-city item cites only that city's plan; a comparison cites every city it names."""
    problems = []
    for item in items():
        cited = {cities()[ev.doc_id] for ev in item.evidence}
        asked = set(item.city) if isinstance(item.city, list) else {item.city} if item.city else None
        if cited and asked is not None and cited != asked:
            problems.append(f"{item.id}: asks about {sorted(asked)} but cites {sorted(cited)}")
        if item.type == "compare" and not (isinstance(item.city, list) and len(cited) >= 2):
            problems.append(f"{item.id}: a comparison needs a city list and evidence from 2+ plans")
    fail_if(problems)


@pytest.mark.parametrize("qtype,minimum", sorted(MIN_PER_TYPE.items()))
def test_the_type_mix_meets_the_minimums(qtype: str, minimum: int) -> None:
    assert Counter(item.type for item in items())[qtype] >= minimum


def test_at_least_half_of_the_questions_are_paraphrased() -> None:
    share = sum(item.paraphrased for item in items()) / len(items())
    assert share >= MIN_PARAPHRASED_SHARE, f"paraphrased share {share:.2f}"


def test_every_plan_is_asked_about() -> None:
    cited = {ev.doc_id for item in items() for ev in item.evidence}
    assert cited == set(cities()), f"plans never cited: {sorted(set(cities()) - cited)}"
