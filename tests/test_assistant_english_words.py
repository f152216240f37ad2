"""English questions in the plans' words: names in pinyin, question words, genre terms (assistant/english.py,
assistant/romanised.py, assistant/bilingual.py). Library texts here are synthetic, so nothing rests on the
shipped plans' wording."""
from __future__ import annotations

import re

import pytest

from assistant import bilingual, english, romanised

CITIES = ("东湖市", "青川市")
LIBRARY = ("东湖市设立“科才贷”“苏科贷”等金融产品，设立3000万元风险补偿资金池。实施紫琅英才计划，引进高层次人才。"
           "创投规模突破500亿元。力争新增上市企业3家，实现科创板零突破。争取获得新药证书10~20个。"
           "外籍专家可放宽年龄、学历的限制。2025年基本完成建设工程。才代表科学。")


def ask(question: str, library: str = LIBRARY) -> str:
    return english.to_chinese(question, CITIES, library.count, library=library)


def test_a_name_in_pinyin_is_the_run_of_the_library_that_spells_it():
    assert romanised.name("Kecaidai", LIBRARY) == "科才贷"
    assert romanised.name("Sukedai", LIBRARY) == "苏科贷"
    assert romanised.name("Zilang", LIBRARY) == "紫琅"  # unquoted, inside a programme's name


def test_a_word_no_run_spells_is_no_name():
    assert romanised.name("Hangzhou", LIBRARY) is None
    assert romanised.name("Ke", LIBRARY) is None  # too short to be a name


def test_a_quoted_name_wins_over_a_run_that_only_happens_to_spell_the_word():
    text = "科才代表。科才代表。“科才贷”"
    assert romanised.name("Kecaidai", text) == "科才贷"


@pytest.mark.parametrize("question, expected", [
    ("How large is the risk compensation pool behind Donghu's Kecaidai loan product?", "科才贷"),
    ("What does the Zilang programme offer high-level talent in Donghu?", "紫琅"),
])
def test_an_english_question_gets_the_names_it_spells_in_pinyin(question, expected):
    assert expected in ask(question)


def test_a_name_in_pinyin_needs_the_library_text():
    assert "科才贷" not in english.to_chinese("How large is the Kecaidai pool in Donghu?", CITIES, LIBRARY.count)


def test_a_place_no_plan_holds_is_still_kept_as_a_place():
    assert "Qingshan市" in ask("What is the high-tech enterprise target of Qingshan City?")


@pytest.mark.parametrize("question", [
    "Which sci-tech loan products does Donghu's plan mention?",
    "What support measures does Donghu offer?",
    "Which talent programmes are named in Donghu's plan?",
    "Which joint innovation centres with foreign universities does Donghu plan to build?",  # noun, then a modifier
])
def test_which_or_what_before_a_plural_asks_for_a_list(question):
    assert "哪些" in ask(question)


@pytest.mark.parametrize("question", [
    "Which programmes support young scientists in Donghu?",  # "which" right before a plural
    "Which universities does Donghu cooperate with?",  # … even one the tables translate
])
def test_which_right_before_a_plural_asks_for_a_list(question):
    assert "哪些" in ask(question)


@pytest.mark.parametrize("question", [
    "Which department leads Donghu's plan?",
    "Which department leads the talent programmes in Donghu?",  # a plural after a verb's object
    "What status does the plan have in Donghu?",  # status, focus, basis: no plurals
    "What is Donghu's target for high-tech enterprises?",
])
def test_which_before_a_single_thing_is_no_list(question):
    assert "哪些" not in ask(question)


def test_a_wording_the_tables_hold_keeps_its_own_form():
    assert "哪些城市" in ask("Which cities have the highest R&D intensity?")


@pytest.mark.parametrize("question, expected", [
    ("Which sci-tech loan products does Donghu's plan mention?", "科技"),
    ("When is the test facility in Donghu expected to be basically completed?", "什么时候"),
    ("When is the test facility in Donghu expected to be basically completed?", "基本完成"),
    ("How big should Donghu's venture capital scale be by 2025?", "创投"),
    ("Which department leads Donghu's push to get companies listed on the STAR Market?", "科创板"),
    ("Which department leads Donghu's push to get companies listed on the STAR Market?", "上市"),
    ("How many new drug certificates does Donghu hope to obtain?", "新药证书"),
    ("Can the age or degree requirements for a work permit be relaxed in Donghu?", "年龄"),
    ("Can the age or degree requirements for a work permit be relaxed in Donghu?", "放宽"),
    ("What tax incentives are available for high-tech enterprises in Donghu?", "税收优惠"),
    ("What is the target for the number of technology SMEs in Donghu?", "目标"),
    ("How many key common industrial technologies does Donghu plan to crack?", "产业关键共性技术"),
    ("How many key common industrial technologies does Donghu plan to crack?", "突破"),
    ("Where does Donghu want to rank among national innovative cities?", "创新型城市"),
    ("How many new technologies does Donghu plan to roll out for people's livelihood?", "推广应用"),
    ("How many new technologies does Donghu plan to roll out for people's livelihood?", "民生"),
    ("How many university-enterprise alliances should Donghu have?", "校企"),
    ("Can a foreign expert in Donghu start a business part-time?", "兼职"),
    ("What share of Donghu's above-designated-size firms should be doing R&D?", "规上"),
    ("What share of Donghu's above-designated-size firms should be doing R&D?", "研发活动"),
])
def test_genre_terms_and_frames_in_the_plans_words(question, expected):
    assert expected in ask(question)


def test_a_shortened_form_the_library_uses_more_is_brought_in_beside_the_full_word():
    uses = "创投规模。创投基金。创业投资。".count
    assert "创投" in bilingual.lookup("venture capital", uses)
    assert bilingual.lookup("venture capital", "创业投资。创业投资。".count) == ("创业投资",)


def test_the_number_of_is_no_word_of_its_own():
    assert "数字" not in ask("What is the target for the number of technology SMEs in Donghu?", LIBRARY + "数字经济。")


# An English question's own structure: its clauses, what each asks, and whether it asks yes or no.

def test_a_question_of_two_clauses_keeps_them_apart_each_with_its_asking_word():
    reading = ask("How many high-tech enterprises does Donghu want by 2025, and how many did it have in 2020?")
    assert re.search(r"多少.*到2025年 ，.*多少.*2020年", reading), reading
    assert " 和 " not in reading  # the "and" that joins two clauses is no 和 between two things


def test_what_was_it_in_a_year_asks_that_years_figure_and_the_first_clause_asks_one_too():
    reading = ask("What R&D intensity does Donghu aim for in 2025, and what was it in 2020?")
    assert re.search(r"2025年 多少 ， 2020年 是多少", reading), reading
    assert "2020年 是多少" in ask("What is Donghu's 2025 target for R&D intensity, and what was the 2020 figure?")


def test_what_is_it_without_a_figure_asks_what_it_is():
    reading = ask("Donghu's major science facility: what is it and when is construction supposed to be basically done?")
    assert re.search(r"重大科技基础设施 ： 是什么 ， 什么时候 建设 基本完成", reading), reading


def test_a_question_opened_by_an_auxiliary_asks_yes_or_no_not_how_much():
    reading = ask("Does Donghu tie its S&T talent funding to how much tax a company pays?")
    assert reading.endswith("吗 ？") and "多少" not in reading, reading
    assert "挂钩" in reading and "人才资金" in reading


def test_a_place_named_in_one_sentence_is_not_the_plan_of_the_next():
    from assistant.query import owns_plan

    reading = ask("We're a Donghu manufacturer thinking of opening an R&D centre in Shanghai. Does the plan back that?")
    assert "研发中心" in reading and "我们是" in reading
    assert not owns_plan("上海", reading), reading  # "…上海。规划支持吗" is not "上海的规划"


@pytest.mark.parametrize("question, pieces", [
    ("What does 'two zones, one corridor' mean in Donghu's plan?", 1),  # a comma inside quotes cuts nothing
    ("What is Donghu's target for high-value invention patents per 10,000 people?", 1),
    ("When was the park approved, and when did it pass acceptance?", 2),
])
def test_clauses_are_cut_at_clause_marks_only(question, pieces):
    assert len(english.clauses(question)) == pieces


@pytest.mark.parametrize("question, expected", [
    ("I run a tech-based SME in Donghu. What financing support can I get?", "科技型中小企业"),  # a plural wording, singular
    ("Which national science facility is located in Donghu?", "重大科技基础设施"),
    ("How many enterprise R&D institutions does Donghu plan to add each year?", "企业研发机构"),
    ("How many enterprise R&D institutions does Donghu plan to add each year?", "每年"),
    ("How many provincial-level and city-level R&D centres are there in Donghu?", "市级"),
    ("How many provincial-level and city-level R&D centres are there in Donghu?", "研发中心"),
    ("What is Donghu's 2025 goal for the share of citizens with scientific literacy?", "科学素质"),
    ("What is Donghu's 2025 goal for the share of citizens with scientific literacy?", "比重"),
])
def test_genre_terms_of_any_plan(question, expected):
    assert expected in ask(question)


def test_a_singular_wording_of_its_own_is_not_read_as_the_plural():
    assert "哪个城市" in ask("Which city has the highest R&D intensity?")


@pytest.mark.parametrize("question, expected, not_expected", [
    ("What are the main tasks of Donghu's plan?", "哪些", None),  # "what are the <plural>": a list
    ("What are the main tasks of Donghu's plan?", "主要任务", None),
    ("Who is in charge of cultivating tech-based SMEs in Donghu?", "谁负责", None),
    ("As a startup in Donghu, what support can I expect?", "初创企业", "高新技术企业"),  # not the topic's first term
    ("What share of output should high-tech industries account for in Donghu?", "高新技术产业", None),  # y → ies
    ("How many high-level talents does Donghu want by 2022?", "高层次人才", "高层次创新创业人才"),  # the concept's name
])
def test_frames_and_genre_terms_of_any_plan(question, expected, not_expected):
    reading = ask(question)
    assert expected in reading, reading
    assert not_expected is None or not_expected not in reading, reading


def test_words_the_english_says_in_pieces_are_joined_into_the_term_the_tables_know():
    library = LIBRARY + "科技进步贡献率达到70%。"
    reading = ask("What does Donghu aim for in terms of the contribution rate of S&T progress by 2025?", library)
    assert "科技进步贡献率" in reading, reading  # 贡献率 科技 进步, its "of" turned round
    assert "方面" in reading


NAMED = LIBRARY + "把“中华药港”打造成医药创新高地。推动紫金山实验室产出成果。东湖科学城加快建设。万人高价值发明专利拥有量16件。"


@pytest.mark.parametrize("question, expected", [
    ("Does Donghu's plan mention a China Medicine Port?", "中华药港"),  # 中华 药 港, each word in the dictionary
    ("What is the status of the Purple Mountain Laboratory in Donghu's plan?", "紫金山实验室"),  # a gloss's name
    ("What will the Donghu Science City build?", "东湖科学城"),  # a city's pinyin is its name
])
def test_an_english_name_is_the_run_of_the_library_it_spells_word_by_word(question, expected):
    assert expected in ask(question, NAMED)


def test_an_english_name_no_run_spells_is_not_made_up():
    reading = ask("Does Donghu's plan mention a Green Valley Harbour?", NAMED)
    assert "谷" not in reading and "港" not in reading, reading  # no 绿谷港 the library does not write


@pytest.mark.parametrize("question, expected", [
    ("What is the 14th FYP target for Donghu's tech contract turnover?", "十四五"),  # FYP, a plan's period
    ("What is the 14th FYP target for Donghu's tech contract turnover?", "技术合同成交额"),  # tech = technology
    ("How much will Donghu's enterprises invest in R and D by 2025?", "研发投入"),
    ("Does Donghu have a target for the share of citizens who are scientifically literate?", "科学素质"),
])
def test_abbreviations_and_short_forms_an_asker_writes(question, expected):
    assert expected in ask(question), ask(question)


def test_ten_thousand_written_10k_is_part_of_the_wording():
    reading = ask("How many invention patents per 10k people does Donghu target?")
    assert "万人发明专利" in reading and "10" not in reading, reading  # not a stated figure 10


def test_the_english_lead_gives_each_figure_its_own_year():
    from assistant.answer import Answer

    text = "东湖市全社会研发投入占GDP比重2020年为2.24%（规划目标：2025年2.5%）。[1]"
    lead = english.lead(Answer(text=text, citations=[], refused=False, retrieved=[], composer="target"), CITIES)
    assert "2.24% for 2020" in lead and "2.5% for 2025" in lead, lead  # the baseline is not the target's year
    assert english.dated_figures("东湖市规划提出到2025年，高新技术企业数目标为20000家（2020年为6507家）。") == [
        ("2025", "20000家"), ("2020", "6507家")]


@pytest.mark.parametrize("question, expected", [
    ("And in 2020?", "那2020年呢？"),
    ("What about 2020?", "那2020年呢？"),
    ("And Donghu's?", "东湖"),
])
def test_a_short_english_follow_up_asks_the_previous_question_again(question, expected):
    assert english.is_english(question)
    reading = ask(question)
    assert expected in reading and reading.startswith("那") and reading.endswith("呢？"), reading


def test_a_chinese_question_with_an_acronym_is_not_english():
    assert not english.is_english("R&D投入强度是多少？") and not english.is_english("GDP？")


def test_a_stated_number_keeps_its_thousands_and_a_tag_question_asks_if_it_is_so():
    reading = ask("Donghu aims for 30,000 high-tech enterprises by 2025, right?")
    assert "30000" in reading and reading.endswith("对吗 ？"), reading


@pytest.mark.parametrize("question, expected, not_expected", [
    ("We are a tech SME in Donghu. What subsidies can we apply for?", "申报", "应用"),
    ("Is there support for listing on the STAR Market in Donghu?", "上市", None),
    ("Can a high-tech enterprise in Donghu get a reward for being newly certified?", "认定", None),
    ("Does Donghu offer loans to talent-led companies?", "贷款", "发光二极管"),  # "led" is no LED
])
def test_how_an_applicant_asks_in_the_plans_words(question, expected, not_expected):
    reading = ask(question, LIBRARY + "发光二极管。应用。")
    assert expected in reading and (not_expected is None or not_expected not in reading), reading


def test_tax_relief_is_the_plans_reduction_and_exemption_of_tax():
    """"tax relief" is 减免税 (落实科技减免税…亿元), not the topic word 财税 its single words would give."""
    assert "减免税" in ask("How much science and technology tax relief did Donghu implement in 2020?")


@pytest.mark.parametrize("question, words", [
    ("What share of Donghu's large and medium-sized enterprises have R&D institutions?", ["大中型"]),
    ("How many sci-tech vice presidents will Donghu place in companies?", ["科技副总"]),
])
def test_genre_terms_in_english_read_as_the_plans_write_them(question, words):
    text = ask(question)
    assert all(w in text for w in words), text


def test_the_end_of_a_five_year_plan_period_is_its_end_year():
    """"at the end of the 13th Five-Year Plan period": 十三五末, with no 期间 left over from "period"."""
    library = LIBRARY + "“十三五”期间，建成孵化器。"  # a library that writes 期间 (what "period" alone reads as)
    text = ask("How many incubators did Donghu have at the end of the 13th Five-Year Plan period?", library)
    assert "十三五末" in text and "期间" not in text, text


def test_new_is_the_plans_new_not_a_dictionary_word_for_newborn():
    """"new leading talents … bring in": 新 as plans write it (新引进, 新增), not the dictionary's 新生."""
    read = ask("How many new leading talents does Donghu plan to bring in by 2025?")
    assert "新生" not in read and "新" in read.split() and "引进" in read, read
