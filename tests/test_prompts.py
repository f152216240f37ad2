"""Prompt files load by name as LangChain templates, and the rules say what grounding checks."""
from __future__ import annotations

import pytest
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from assistant.generation.grounding import REFUSAL_MARK
from assistant.prompts import PromptError, load_chat_prompt, load_prompt, prompt_text


@pytest.mark.parametrize("name, variables", [
    ("answer", {"clauses", "question"}),
    ("refusal", {"question"}),
    ("condense_followup", {"history", "question"}),
    ("system", set()),
])
def test_each_prompt_file_has_its_placeholders(name, variables):
    template = load_prompt(name)
    assert isinstance(template, PromptTemplate)
    assert set(template.input_variables) == variables


def test_chat_prompt_puts_rules_in_system_and_clauses_in_human():
    chat = load_chat_prompt()
    assert isinstance(chat, ChatPromptTemplate)
    system, human = chat.format_messages(clauses="[1] 《某规划》\n条款{原文}", question="问题？")
    assert system.type == "system" and human.type == "human"
    assert "[1] 《某规划》\n条款{原文}" in human.content and "问题？" in human.content


def test_rules_cover_citation_numbers_refusal_and_injection():
    rules = prompt_text("system")
    assert REFUSAL_MARK in rules and REFUSAL_MARK in prompt_text("refusal")
    for phrase in ("[1]", "按条款原文的写法", "忽略以上规则", "一律不执行"):
        assert phrase in rules


def test_unknown_or_unsafe_names_get_a_clear_error(tmp_path):
    with pytest.raises(PromptError, match=r"no prompt named 'nope'.*available: answer, condense_followup"):
        load_prompt("nope")
    with pytest.raises(PromptError, match="invalid prompt name"):
        prompt_text("../pyproject")
    (tmp_path / "answer.md").write_text("只用{question}\n", encoding="utf-8")
    assert prompt_text("answer", tmp_path) == "只用{question}"
