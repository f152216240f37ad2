"""Which plans mention a quoted name (assistant/composers/mentions.py), checked on names the shipped plans quote."""
from __future__ import annotations

import re




def test_every_plan_writing_a_quoted_name_is_named_and_the_others_said_not_to(assistant):
    index = assistant.index
    sources = {d: index.source(d) for d in index.docs}
    names = {m for text in sources.values() for m in re.findall(r"“([\u4e00-\u9fff]{3,6})”", text)}
    checked = 0
    for name in sorted(names)[:12]:
        answer = assistant.ask(f"哪些城市的规划提到了“{name}”？")
        assert answer.composer == "mentions" and not answer.refused, answer.text
        head = answer.text.splitlines()[0]
        for d, meta in index.docs.items():
            if name in sources[d]:
                assert meta.city in head, (name, meta.city, head)
        for citation in answer.citations:
            assert sources[citation.doc_id][citation.char_start:citation.char_end] == citation.quote
        checked += 1
    assert checked


def test_a_name_no_plan_writes_is_not_answered_by_plan(assistant):
    answer = assistant.ask("哪些城市的规划提到了“星际飞船港”？")
    assert answer.composer != "mentions"
