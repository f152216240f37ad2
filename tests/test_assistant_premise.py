"""Premises that state a qualifier the plan contradicts (assistant/composers/premise.py).

Built from each shipped plan's own wording: a thing a plan calls 唯一 asked as "三个…之一", and a thing a
plan qualifies as 省级 asked as 国家…, are refused with the plan's wording quoted; the plan's own wording
is never refused as a false premise.
"""
from __future__ import annotations

import re


from assistant.composers.premise import MIN_NAME


def _wordings(assistant, pattern: str) -> list[tuple[str, str, str]]:
    """(city, qualifier, name) a plan writes, the name MIN_NAME+ characters of one run of Chinese."""
    out = []
    for doc_id, meta in assistant.index.docs.items():
        text = assistant.index.source(doc_id)
        for m in re.finditer(pattern, text):
            name = m.group(2)
            if len(name) >= MIN_NAME:
                out.append((meta.city, m.group(1), name))
    return out


def test_one_of_many_is_refused_where_the_plan_says_only(assistant):
    found = _wordings(assistant, r"(唯一的?)([\u4e00-\u9fff]{4,14}?(?:城市|基地|平台|试点|园区))")
    assert found, "no plan writes 唯一 before a name"
    for city, _, name in found:
        answer = assistant.ask(f"{city}作为全国三个{name}之一，有什么安排？")
        assert answer.refused and "唯一" in answer.text and answer.citations, answer.text
        own = assistant.ask(f"{city}作为全国唯一的{name}，有什么安排？")
        assert not (own.refused and "规划写的是" in own.text), own.text


def test_another_level_is_refused_and_the_plans_own_level_is_not(assistant):
    found = _wordings(assistant, r"(省级)([\u4e00-\u9fff]{4,12}?(?:示范区|园区|中心|基地))")
    assert found, "no plan writes 省级 before a name"
    refused = 0
    for city, level, name in found:
        own = assistant.ask(f"{city}建设{level}{name}有什么安排？")
        assert not (own.refused and "规划写的是" in own.text), own.text
        other = assistant.ask(f"{city}建设市级{name}有什么安排？")
        if other.refused and "规划写的是" in other.text:
            assert "省级" in other.text and other.citations
            refused += 1
    assert refused, "no 省级 name asked as 市级 was refused"
