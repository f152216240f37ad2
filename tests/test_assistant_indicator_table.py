"""Questions about a plan's indicator table as a whole (assistant/composers/indicator_table.py), built from each
shipped plan's own indicator records: the attribute column and the row that grows most."""
from __future__ import annotations

from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)


def _by_plan(assistant):
    plans = {}
    for r in assistant.index.corpus.indicators:
        plans.setdefault(r.doc_id, []).append(r)
    return plans


def test_the_row_that_grows_most_is_the_largest_target_to_baseline_ratio(assistant, plan_text):  # noqa: F811
    checked = 0
    for doc_id, rows in _by_plan(assistant).items():
        grown = [(r.target.value / r.baseline.value, r) for r in rows if r.baseline and r.baseline.value and r.target.value]
        if len(grown) < 2:
            continue
        best = max(grown, key=lambda t: t[0])[1]
        city = assistant.index.docs[doc_id].city
        answer = assistant.ask(f"{city}主要指标表里哪个指标增长最快？")
        assert answer.composer == "indicator_table" and best.indicator in answer.text.splitlines()[1], answer.text
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 2


def test_the_attribute_column_is_read_for_every_row(assistant, plan_text):  # noqa: F811
    checked = 0
    for doc_id, rows in _by_plan(assistant).items():
        city = assistant.index.docs[doc_id].city
        answer = assistant.ask(f"{city}目标表里的指标是约束性还是预期性的？")
        if not any(r.attribute for r in rows):
            assert answer.composer != "indicator_table"
            continue
        assert all(r.attribute in answer.text for r in rows if r.attribute), answer.text
        assert len(answer.citations) == sum(1 for r in rows if r.attribute)
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 1


def test_a_question_about_one_indicator_is_not_about_the_table(assistant):
    assert assistant.ask("南京的研发强度目标是多少？").composer != "indicator_table"
    assert assistant.ask("南京和南通哪个研发强度目标最高？").composer != "indicator_table"
