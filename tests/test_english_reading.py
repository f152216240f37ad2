"""English questions read in the plans' words: British spellings, "or above", lists asked with a possessive,
"which are they" after a count, and "tech" short for "technology" only as a word of its own (assistant/english.py,
assistant/bilingual.py, english entries of index/resources/question_words.tsv). The library text is synthetic."""
from __future__ import annotations

import re

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


def test_a_number_before_a_counted_container_is_the_plans_count_word():
    library = LIBRARY + "实施七大重点工程。八大产业链。三年内新建孵化器。两家企业。"
    reading = english.to_chinese("Which eight industrial chains does Donghu's plan focus on?", CITIES, library.count,
                                 library=library)
    assert "八大 产业链" in reading and "哪些" in reading
    reading = english.to_chinese("What are Donghu's seven key projects?", CITIES, library.count, library=library)
    assert "七大 重点工程" in reading and "哪些" in reading
    # a number before a noun no plan counts as a grouping stays a number, not a count word
    for question in ("In three years, how many incubators should Donghu have?", "Which two companies lead Donghu's labs?"):
        assert "大" not in english.to_chinese(question, CITIES, library.count, library=library)


def test_a_phrase_of_a_topic_is_spelt_word_by_word_when_the_dictionary_lacks_it_whole():
    assert bilingual.topic_term("industrial chain", ("产业创新", "产业集群", "产业链")) == "产业链"
    assert bilingual.topic_term("industrial chain", ("产业创新", "产业集群")) == "产业创新"  # no term spelt: the first


def test_r_and_d_inside_a_run_of_english_words_stays_whole():
    reading = ask("In which cities does Donghu set up offshore R&D centres?")
    assert "&" not in reading.replace("R&D", "") and ("R&D" in reading or "研发" in reading)


def test_a_quoted_grouping_of_numbers_is_a_name_in_chinese_quotes():
    reading = ask("What are the '1+3' industry fields of Donghu?")
    assert "“1+3”" in reading and "哪些" in reading
    assert "“1+N”" in ask("What are Donghu's '1+N' policies about?")


def test_business_incubators_are_incubators_and_maker_spaces_are_their_own():
    reading = ask("How many national-level tech business incubators did Donghu have at the end of 2020?")
    assert "孵化器" in reading and "孵化载体" not in reading
    assert "众创空间" in ask("How many maker spaces and incubators does Donghu have?")


def test_how_many_of_a_counted_container_asks_as_a_chinese_asker_counts():
    reading = ask("How many major campaigns does Donghu plan to fight?")
    assert "几大攻坚战" in reading and "重大" not in reading  # "how many major …" asks the plan's own N大
    assert "几个攻坚战" in ask("How many campaigns does Donghu plan to fight?")  # 战役 is a synonym of 攻坚战 (containers.tsv)
    assert "几个" not in ask("How many maker spaces does Donghu have?")  # no container: a figure, 多少
    assert "多少" in ask("How many maker spaces does Donghu have?")


def test_a_unit_said_to_lead_is_stated_as_a_chinese_asker_states_it():
    reading = ask("Donghu's key laboratory is led by Qingchuan Steel, isn't it?")
    assert re.search(r"是[^\s]{2,}牵头的", reading) and "对吗" in reading


def test_what_a_plan_does_about_a_topic_is_a_topic_question():
    assert "有哪些举措" in ask("What does Donghu plan to do on standards and brands?")
    assert "有哪些举措" in ask("What has Donghu planned in science and technology for carbon peaking?")
    assert "有哪些举措" not in ask("What does Donghu plan for its R&D intensity target in 2025?")  # a figure


def test_words_the_library_writes_as_one_run_are_read_as_one():
    library = LIBRARY + "深化国际科技合作。拓展国际科技合作。标准和品牌。标准和质量。"
    reading = english.to_chinese("What are Donghu's key projects for international science and technology cooperation?",
                                 CITIES, library.count, library=library)
    assert "国际科技合作" in reading
    reading = english.to_chinese("What does Donghu plan to do on standards and brands?", CITIES, library.count,
                                 library=library)
    assert "标准和" not in reading  # 和 is no part of a word


def test_a_name_of_capitalised_words_reads_a_word_no_dictionary_glosses_in_pinyin():
    library = LIBRARY + "支持东湖海洋大学建设。东湖海洋大学。"
    reading = english.to_chinese("Which labs will Donghu Ocean University build?", CITIES, library.count, library=library)
    assert "东湖海洋大学" in reading
    library = LIBRARY + "支持江苏海洋大学与国外大学联合办学。江苏海洋大学。"
    reading = english.to_chinese("Which foreign university will Jiangsu Ocean University run a joint programme with?",
                                 CITIES, library.count, library=library)
    assert "江苏海洋大学" in reading and "联合办学" in reading


def test_an_apostrophe_between_pinyin_syllables_is_no_possessive():
    library = LIBRARY + "海安高新区重点发展新材料。海安高新区。"
    reading = english.to_chinese("What industries does the Hai'an high-tech zone focus on?", CITIES, library.count,
                                 library=library)
    assert "海安" in reading


def test_an_indicator_said_round_the_word_target_is_read_whole():
    reading = ask("Donghu vs Qingchuan: annual growth targets for R&D expenditure?")
    assert "研发投入年均增长 目标" in reading


def test_part_and_listed_are_frame_words_of_an_english_question():
    """"Which laboratories are listed under the … part of …": "part" and "listed" say where to look, not what (no
    dictionary word such as 部件 or 目录 for them)."""
    library = LIBRARY + "关键零部件。产品目录。实验室体系建设。"  # a library that does write 部件 and 目录
    reading = english.to_chinese("Which laboratories are listed under the laboratory-system part of Donghu's platform "
                                 "project?", CITIES, library.count, library=library)
    assert "部件" not in reading and "目录" not in reading and "实验室" in reading, reading


def test_the_pandemic_and_a_hyphenated_risk_compensation_are_read_in_the_plans_words():
    """"during the pandemic" is the plans' 疫情 (疫情期间); "risk-compensation pool" is 风险补偿 as "risk compensation" is."""
    reading = ask("What loan product did Donghu create during the pandemic, and how big is its risk-compensation pool?")
    assert "疫情" in reading and "风险补偿" in reading, reading


def test_hydrogen_fuel_cells_and_innovative_entrepreneurs_are_read_in_the_plans_words():
    assert "氢能" in ask("What does Donghu's plan say about hydrogen?")
    assert "燃料电池" in ask("Which fuel cell technologies does Donghu support?")
    assert "创新型企业家" in ask("By 2025, how many innovative entrepreneurs does Donghu plan to cultivate?")


def test_higher_and_lower_compare_not_name_a_level_of_education():
    """"the higher target" is 更高 (a comparison), not 高等 (higher education)."""
    reading = ask("Which city has the higher target for high-tech enterprises, Donghu or Qingchuan?")
    assert "更高" in reading and "高等" not in reading, reading


def test_how_big_a_thing_asks_its_scale_and_how_big_is_asks_a_figure():
    """"How big does … want its … industry to be", "How large an investment fund group": a scale (规模); "how large
    is …" asks a figure as "how much" does; "over the next five years" is the plans' 未来五年."""
    assert "规模" in ask("How big does Dongcheng want its service industry to be by 2025?")
    read = ask("How large an investment fund group does Dongcheng plan to build over the next five years?")
    assert "规模" in read and "未来五年" in read
    assert "规模" not in ask("How large is the share of R&D spending in GDP?")
