"""English questions read in the plans' words: British spellings, "or above", lists asked with a possessive,
"which are they" after a count, and "tech" short for "technology" only as a word of its own (assistant/english.py,
assistant/bilingual.py, english entries of index/resources/question_words.tsv). The library text is synthetic."""
from __future__ import annotations

from assistant import bilingual, english

CITIES = ("东湖市", "青川市")
LIBRARY = ("东湖市省级以上孵化器20家，主导产业集群3个。碳纤维及复合材料，纤维材料。高新技术企业500家，科技企业孵化器。"
           "组织实施，组织领导。研发中心。")


def ask(question: str) -> str:
    return english.to_chinese(question, CITIES, LIBRARY.count, library=LIBRARY)


def test_a_british_spelling_is_looked_up_as_the_dictionary_spells_it():
    assert bilingual.american("organisation") == "organization"
    assert bilingual.american("centres") == "centers"
    assert bilingual.american("programmes") == "programs"
    assert bilingual.american("market") == "market"  # glossed as it is: kept
    assert bilingual.known("Organisation")  # a capitalised British word is a word, not a name in pinyin
    assert "组织" in bilingual.translate_run(["organisation"], LIBRARY.count)


def test_or_above_is_the_plans_yishang():
    reading = ask("How many incubators at provincial level or above does Donghu have?")
    assert "省级" in reading and "以上" in reading
    assert "以上" in ask("How many provincial-or-above incubators does Donghu have?")


def test_what_are_with_a_possessive_asks_a_list():
    reading = ask("What are Donghu's leading industries?")
    assert "哪些" in reading and "主导产业" in reading


def test_which_are_they_after_a_count_asks_for_the_things_counted():
    reading = ask("How many leading industrial clusters does Donghu have, and which are they?")
    assert "主导产业集群" in reading and "是哪些" in reading and "是多少" not in reading
    assert "是哪些" in ask("How many special columns are there in Donghu's plan, and what do they cover?")
    assert "是多少" in ask("How many incubators did Donghu have in 2025, and what was it in 2020?")


def test_tech_is_technology_only_as_a_word_of_its_own():
    assert "高新技术企业" in ask("We are a high-tech enterprise in Donghu. What support can we get?")
    assert "科技企业" in ask("What loans can tech companies in Donghu get?")
