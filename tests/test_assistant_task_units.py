"""A numbered task's paragraph that ends "（责任单位：…）" answers who is responsible for that task
(assistant/composers/task.py)."""
from __future__ import annotations

import re


from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

_LEAD = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[．.、]\s*([^。；;：:\n]{2,30})")


def test_every_task_paragraph_with_its_units_answers_who_is_responsible(assistant, plan_text):  # noqa: F811
    checked = 0
    for c in assistant.index.clauses:
        m = re.search(r"[（(](责任单位[：:][^）)]+)[）)]", c.text)
        lead = _LEAD.match(c.section[-1]) if c.section else None
        if m is None or lead is None or c.kind == "heading":
            continue
        city = assistant.index.docs[c.doc_id].city.removesuffix("市")
        answer = assistant.ask(f"{city}{lead.group(1)}这项任务由哪些单位负责？")
        assert answer.composer == "task" and m.group(1) in answer.text, (lead.group(1), answer.text)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 10
