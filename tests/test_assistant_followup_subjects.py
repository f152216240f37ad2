"""What a follow-up asks of: the conversation's subject, the part or item it names instead, the year its city's plan
reaches, the kind of figure it says."""
from __future__ import annotations

import pytest


def test_an_inherited_year_beyond_the_citys_plan_gives_way_to_its_horizon(assistant):
    """"江阴呢？" after a 2025 target: 江阴's plan runs to 2022, so its 2022 target is the answer; 南京's stays 2025."""
    history = ["连云港2025年全社会研发投入占GDP的比重目标是多少？"]
    jiangyin = assistant.ask("江阴呢？", history)
    assert not jiangyin.refused and "3.3%" in jiangyin.text
    nanjing = assistant.ask("那南京呢？", history)
    assert not nanjing.refused and "4%" in nanjing.text
    own = assistant.ask("江阴2025年全社会研发投入占GDP的比重目标是多少？")  # a year the user writes is kept
    assert own.refused


def test_another_item_of_a_quoted_series(assistant):
    """"那科技金融那一条呢？" after a quoted task: the task about 科技金融, not the quoted name with a word swapped."""
    answer = assistant.ask("那科技金融那一条呢？", ["江阴三年行动计划里“打好高企引育攻坚战”是哪些部门负责的？"])
    assert "促进科技金融紧密结合" in answer.text
    # unquoted, the item's whole name goes too when the follow-up points at another item (那条)
    answer = assistant.ask("那标准质量品牌那条呢？", ["江阴打好高企引育攻坚战这项由哪些部门负责？"])
    assert "增强标准质量品牌优势" in answer.text and "市市场监管局" in answer.text


def test_a_share_of_the_previous_subject_and_this_ratio(assistant):
    """"那占GDP的比重呢？" joins the previous subject (its year too); "这个比重" then asks a share, not money."""
    history = ["南京2020年全社会研发经费支出多少？"]
    share = assistant.ask("那占GDP的比重呢？", history)
    assert "3.48%" in share.text
    target = assistant.ask("那到2025年这个比重要到多少？", [*history, "那占GDP的比重呢？"])
    assert not target.refused and "4%" in target.text and "基础研究" not in target.text


def test_a_member_named_by_its_head(assistant):
    """"机器人" names the entry 机器人及应用 of a list: that entry's own words answer, after a question on another entry."""
    answer = assistant.ask("那机器人方面呢？", ["南通“十四五”关键核心技术攻关方向里，新材料有哪些？"])
    assert "触觉传感器" in answer.text and "海工船舶" not in answer.text


def test_a_part_of_the_city_asked_after_the_citys_figure(assistant):
    """"那高新区自己呢？" after the city's 高企 target: the 高新区's own figure (超过250家)."""
    answer = assistant.ask("那高新区自己呢？", ["江阴到2022年高新技术企业要突破多少家？"])
    assert "250家" in answer.text


def test_a_named_part_of_the_city_and_its_own_target(assistant):
    """"临港开发区呢？", "那高新区自己的目标呢？": the part named (a name ending in an area word) is asked in place after
    the city; 自己的目标 is filler."""
    assert "40件" in assistant.ask("临港开发区呢？", ["江阴2022年万人有效发明专利要到多少？"]).text
    assert "250家" in assistant.ask("那高新区自己的目标呢？", ["江阴到2022年高企要净增多少家？"]).text
    history = ["江阴到2022年全社会研发投入占GDP比重要到多少？", "高新区自己的目标呢？"]
    assert "5.5%" in assistant.ask(history[1], history[:1]).text
    assert "4.4%" in assistant.ask("临港开发区呢？", history).text  # the part after the part


def test_another_city_and_year_after_an_english_question(assistant):
    """"And Jiangyin by 2022?" is the previous question of 江阴 in 2022 (突破1000家), its indicator kept."""
    answer = assistant.ask("And Jiangyin by 2022?", ["What is Lianyungang's 2025 target for high-tech enterprises?"])
    assert "1000" in answer.text or "1,000" in answer.text



def test_two_parts_of_a_city_are_each_asked_on_their_own(assistant):
    """"那高新区和临港开发区各自的目标呢？" after the city's R&D share: each part's own figure (5.5%, 4.4%), each under its
    name, not the city's 3.3%; one sentence stating both (分别新建投运1家) is quoted once."""
    history = ["江阴到2022年全社会研发投入占GDP比重的目标是多少？"]
    answer = assistant.ask("那高新区和临港开发区各自的目标呢？", history)
    assert "【高新区】" in answer.text and "5.5%" in answer.text
    assert "【临港开发区】" in answer.text and "4.4%" in answer.text and "3.3%" not in answer.text
    both = assistant.ask("江阴高新区和临港开发区分别要新建几家新型研发机构？")
    assert len(both.citations) == 1 and "分别新建投运1家" in both.citations[0].quote


def test_a_followup_opening_with_na_keeps_the_thing_the_previous_figure_counted(assistant):
    """"那2020年当年发了多少，比上年增长多少？" after "…累计发放了多少苏科贷？": the subject is what the figure counted
    (苏科贷, not the longest piece 累计发放), and a follow-up naming no subject of its own asks of it."""
    from assistant.query import understand

    previous = understand("连云港十三五期间累计发放了多少苏科贷？", assistant.index.cities)
    assert previous.subject == "苏科贷"
    answer = assistant.ask("那2020年当年发了多少，比上年增长多少？", ["连云港十三五期间累计发放了多少苏科贷？"])
    assert not answer.refused and "3.58亿元" in answer.text and "21%" in answer.text


def test_a_question_and_its_followup_in_one_message_are_both_answered(assistant):
    """"南京高企“十三五”末有多少家？2015年呢": the question, then the follow-up asked of it — 6507 and 1274 —
    one under the other; "…目标是多少？南通呢？" gives each city's figure."""
    answer = assistant.ask("南京高企“十三五”末有多少家？2015年呢")
    assert "6507" in answer.text and "1274" in answer.text and len(answer.citations) == 2
    cities = assistant.ask("南京2025年研发投入强度目标是多少？南通呢？")
    assert "4%" in cities.text and "3%左右" in cities.text


def test_a_followup_asking_across_the_cities_ranks_the_previous_indicator(assistant):
    """"哪个城市更高？" / "哪个城市最多？" after one city's figure: the same indicator and year across the library's
    cities, ranked — not a passage with 更高 in it; a follow-up with a subject of its own (哪些城市有大学创新港) is not."""
    ranked = assistant.ask("哪个城市更高？", ["南通2025年研发投入强度目标是多少？"])
    assert ranked.composer == "compare" and "最高的是南京市" in ranked.text
    past = assistant.ask("哪个城市最多？", ["南通2020年有多少家高新技术企业？"])
    assert "6507" in past.text and "最高的是南京市" in past.text
    own = assistant.ask("哪些城市有大学创新港？", ["南通2025年研发投入强度目标是多少？"])
    assert own.composer != "compare"


def test_a_followup_naming_a_period_asks_the_same_of_that_period(assistant):
    """"那十三五末呢？" after a 2025 target: the same indicator at the end of the last plan (the base, 411), not
    十三五末 read as a new subject in the indicator's place."""
    answer = assistant.ask("那十三五末呢？", ["连云港到2025年高新技术企业要达到多少家？"])
    assert not answer.refused and "411" in answer.text


def test_another_part_of_the_city_with_a_pointer_to_the_indicator_asks_the_same_of_that_part(assistant):
    """"临港开发区这个指标呢？" after the 高新区's R&D share: 这个指标 points back to the indicator, 临港开发区 is the part."""
    answer = assistant.ask("临港开发区这个指标呢？", history=["江阴高新区到2022年研发经费支出占GDP比重要达到多少？"])
    assert not answer.refused and "4.4%" in answer.text, answer.text


def test_an_item_pointer_asks_of_the_item_the_previous_question_asked(assistant):
    """"这一条是哪个单位牵头的？" after "…高企要净增多少家？": the item is 高企净增 (the previous question's topic), not the
    conversation's longest word (重点工作)."""
    answer = assistant.ask("这一条是哪个单位牵头的？", history=["江阴2020年重点工作目标里高企要净增多少家？"])
    assert not answer.refused and "市科技局" in answer.text, answer.text


def test_a_pointer_question_after_a_question_in_one_message_asks_of_it(assistant):
    """"江阴2020年高企要净增多少？这项工作谁牵头？": the second asks who leads the item the first asked of, answered
    under the first (这项工作 is the pointer, no word of the item)."""
    answer = assistant.ask("江阴2020年高企要净增多少？这项工作谁牵头？")
    assert "150家" in answer.text and "市科技局" in answer.text, answer.text


def test_a_plural_pointer_asks_of_the_items_the_previous_question_listed(assistant):
    """"这两个分别是哪家企业牵头的？" after the 新材料 rows of a table: the same rows, with the lead column."""
    answer = assistant.ask("这两个分别是哪家企业牵头的？", history=["南通十四五重大企业创新平台布局里，新材料领域列了哪几个平台？"])
    assert "江苏铁锚玻璃股份有限公司" in answer.text and "江苏神马电力股份有限公司" in answer.text, answer.text
    assert "通富微电子股份有限公司" not in answer.text


def test_these_two_indicators_are_those_of_the_last_two_questions(assistant):
    history = ["连云港十四五科技进步贡献率目标是多少？", "研发投入强度呢？"]
    answer = assistant.ask("这两个指标2020年分别是多少？", history=history)
    assert "57.1%" in answer.text and "2.24%" in answer.text, answer.text


def test_a_follow_up_inside_a_box_asks_of_the_named_thing_not_the_previous_subject(assistant):
    """"那专栏里列了哪些科技服务平台？" after "“中华药港”要拿到多少个新药证书？": the box is 中华药港's (the name the previous
    question quoted), not 新药证书's — its platforms are listed."""
    answer = assistant.ask("那专栏里列了哪些科技服务平台？", ["连云港“中华药港”要拿到多少个新药证书？"])
    assert "中华药港" in answer.query.text and "新药证书" not in answer.query.text, answer.query.text
    assert "花果山医学科学中心" in answer.text and "生命健康产业专业孵化器" in answer.text, answer.text


def test_the_same_thing_of_another_city_is_the_previous_question_asked_of_it(assistant):
    """"连云港同一个指标呢？", "句容有没有类似做法？": another city and a word saying "the same" (same_pointer) — the previous
    question asked again of that city, not a refusal for a subject called 同一个指标."""
    answer = assistant.ask("连云港同一个指标呢？", ["南京到2025年高新技术企业要达到多少家？"])
    assert not answer.refused and "1000" in answer.text, answer.text
    answer = assistant.ask("句容有没有类似做法？", ["连云港的“揭榜挂帅”是怎么搞的？"])
    assert not answer.refused and "揭榜挂帅" in answer.text and answer.citations[0].doc_id.startswith("jurong"), answer.text


def test_a_followup_the_kept_subject_leaves_unanswered_is_asked_of_the_conversations_city_alone(assistant):
    """"那农产品出口要做到多少？" after a question about 连云港's 农高区 box: with 争创国家级农高区 kept beside its own
    words nothing is found, so it is asked of 连云港 alone; a follow-up saying too little to stand alone stays refused."""
    answer = assistant.ask("那农产品出口要做到多少？", history=["连云港争创国家级农高区，专栏里提了哪些目标？"])
    assert not answer.refused and "2.5亿美元" in answer.text, answer.text
    assert assistant.ask("那2035年呢？", history=["南通到2025年新增高层次人才多少？"]).refused


@pytest.mark.parametrize("history, question, figure", [
    # "这个指标" / "附件里这个指标" / "指标表里这项" with another city: the previous indicator, of that city
    ("江阴每年要完成多少技术合同成交额？", "句容这个指标定了多少？", "100亿元"),
    ("句容农业科技进步贡献率的目标是多少？", "江阴附件里这个指标定的多少？", "71.8%"),
    ("南京2025年每万人高价值发明专利目标多少？", "那南通的指标表里这项定的多少？", "16件"),
    # the previous plan's horizon year is not carried to a city whose plan ends in another year: its own target
    ("江阴到2022年高企要突破多少家？", "句容呢？", "180家"),
    # a subject of its own after 那: not the previous indicator, whose wording is no longer joined or inherited
    ("南京新引进高层次创新创业人才的目标是多少？", "那十三五期间引进了多少海内外高层次创业人才？", "3715名"),
])
def test_a_followup_asks_the_previous_indicator_of_another_city_or_its_own_subject(assistant, history, question, figure):
    answer = assistant.ask(question, history=[history])
    assert not answer.refused and figure in answer.text, answer.text


def test_a_pointer_followup_keeps_the_part_of_the_city_the_previous_question_named(assistant):
    """"附件里这项谁牵头" after "江阴高新区2022年研发经费占比目标多少": the item is 高新区's (附件里 only says where), so
    the task found is the one 高新区 leads, not the city's."""
    answer = assistant.ask("附件里这项谁牵头？", history=["江阴高新区2022年研发经费占比目标多少？"])
    assert answer.composer == "task" and "高新区" in answer.text, answer.text
    assert answer.query is not None and "高新区" in answer.query.text


def test_a_followup_asking_what_there_already_is_by_a_year_gets_the_base(assistant):
    """"那到2020年底已经有多少了？" after a 2025 target: 已经 looks back, and 已经 is no word of the subject."""
    answer = assistant.ask("那到2020年底已经有多少了？", history=["连云港科技副总到2025年要达到多少人？"])
    assert not answer.refused and "213名" in answer.text, answer.text
