"""Ways of asking that the plans' own wording does not share: frames, a figure word with no figure asked, counts in
万人, English in the past tense, a plan named by its title, a lead claimed of a partner unit."""
from __future__ import annotations

import pytest

from assistant.query import understand

CITIES = ("南京市", "南通市", "连云港市", "句容市", "江阴市")


def test_what_a_plan_says_of_something_is_a_frame():
    """"对核电有什么说法", "是怎么说的": how people ask, not what about — the topic is 核电 alone."""
    topic = understand("连云港规划对核电有什么说法？", CITIES).topic
    assert "核电" in topic and "说法" not in topic and "有" not in topic
    assert "说" not in understand("南京规划里对人工智能是怎么说的？", CITIES).topic


@pytest.mark.parametrize("question,stated", [
    # 突破 is a target word, but no indicator is named and no figure asked: what the plan says
    ("句容电子信息产业在显示技术上要突破什么？", "TFT-LCD"),
    ("连云港规划对核电有什么说法？", "核电"),  # 有什么说法 is a frame: the topic is 核电
    ("南通创新区到2025年能吸纳多少人就业？", "2万人"),  # a count of people in 万 is a count
    # English in the past tense looks back ("did … have by the end of 2020": 截至2020年底, not a target by it)
    ("How many tech vice-presidents (科技副总) at provincial level did Lianyungang have by the end of 2020?", "213"),
    ("How many agricultural tech enterprises at city level or above does Jurong want to cultivate by 2025?", "40"),
])
def test_unread_wordings_are_answered(assistant, question, stated):
    answer = assistant.ask(question)
    assert not answer.refused and stated in answer.text


def test_the_plan_named_by_its_title_is_not_the_topic(assistant):
    """"江阴三年行动计划里科技金融…": 三年行动计划 names the plan (its title), so the task about 科技金融 is found, not one that
    writes "三年行动计划" in its text; a programme's own 行动计划 (“双百”行动计划) stays a name."""
    answer = assistant.ask("江阴三年行动计划里科技金融是哪些部门负责的？")
    assert "促进科技金融紧密结合" in answer.text and "人行江阴市支行" in answer.text
    answer = assistant.ask("江阴产学研“双百”行动计划说的是哪两个一百？")
    assert not answer.refused and "百家企业进高校" in answer.text
    # four characters said as where the question asks (行动计划里) name the plan too
    answer = assistant.ask("其中50亿元以上的要签几个？", ["江阴行动计划里招商引资是怎么部署的？", "2020年签约新项目有什么目标？"])
    assert "50亿元以上项目4个" in answer.text


def test_a_lead_claimed_of_a_partner_unit_is_corrected(assistant):
    """The 2020 annex has 市科技局 lead and 市农业农村局 partner: "是农业农村局牵头的吧" is a false premise."""
    wrong = assistant.ask("江阴农业科技进步贡献率71.8%那个目标是农业农村局牵头的吧？")
    assert wrong.refused and "牵头：市科技局" in wrong.text
    right = assistant.ask("江阴农业科技进步贡献率71.8%那个目标是市科技局牵头的吧？")
    assert not right.refused and "市科技局" in right.text


def test_an_enterprise_question_with_no_applicant_kind_gets_what_the_plan_says(assistant):
    """"积分排名靠前，能优先拿到哪些支持": no applicant kind the eligibility measures are written for, so no measure
    list — the clause on 科技创新积分 answers instead of a refusal."""
    answer = assistant.ask("我们公司在连云港科技创新积分排名靠前，能优先拿到哪些支持？")
    assert not answer.refused and "购房补贴" in answer.text and "信贷融资" in answer.text


def test_english_technology_to_lead_is_not_a_task_lead(assistant):
    """"wants technology to lead" is 科技引领 (the section 科技引领优势产业跨越发展), not 牵头 of a task's lead unit."""
    answer = assistant.ask("What are the advantage industries Lianyungang wants technology to lead?")
    assert not answer.refused and all(w in answer.text for w in ("新医药", "新能源", "高端装备"))


def test_an_indicator_row_quoted_by_name_answers_its_count(assistant):
    """"“新型研发机构等重大产业创新平台”一共有几个" names an indicator row (2020: 22个), not a part of the plan to count."""
    answer = assistant.ask("连云港2020年“新型研发机构等重大产业创新平台”一共有几个？")
    assert answer.composer == "target" and "22个" in answer.text


def test_in_the_end_is_a_frame(assistant):
    """"高企数量最后要冲到多少家": 最后 says when, not what — the city's 突破1000家, not the 高新区's 250家."""
    answer = assistant.ask("江阴三年行动计划里，高企数量最后要冲到多少家？")
    assert "1000家" in answer.text


def test_a_gap_asked_between_two_cities_is_stated(assistant):
    """"多多少家", "差多少": the comparison says the gap, in the figures' unit (shares in 个百分点)."""
    assert "两者相差16400家" in assistant.ask("南京比南通的高企目标多多少家？").text
    assert "两者相差1个百分点左右" in assistant.ask("南京和南通的研发强度目标差多少？").text
    assert "相差" not in assistant.ask("南京和南通的研发强度目标谁高？").text


def test_a_premise_correction_is_not_replaced_by_what_the_plan_says(assistant):
    """A target word with no indicator named ("科技副总要达到1000人，是吧") gets the plan's words only when the figure
    composer found nothing: its correction of the premise (达500人，而非1000) stands."""
    for question in ("连云港规划里说到2025年科技副总要达到1000人，是吧？",
                     "The Lianyungang plan says the number of sci-tech vice general managers will reach 1,000 by 2025, doesn't it?"):
        answer = assistant.ask(question)
        assert answer.refused and "500人" in answer.text and "1000" in answer.text


def test_a_superlative_over_the_base_year_ranks_the_rows_baselines(assistant):
    """"哪个城市2020年的研发投入强度最高": the indicator rows' 2020 values ranked, as targets are (南京 3.48%)."""
    answer = assistant.ask("哪个城市2020年的研发投入强度最高？")
    assert "最高的是南京市（2020年3.48%）" in answer.text
    assert "最低的是句容市（2020年1.77%）" in answer.text  # stated in its review, not its table (江阴 states none)


def test_figures_asked_in_pieces_joined_by_enumeration_commas_are_each_answered(assistant):
    """"新增高层次人才多少、外国专家工作室建几家、引智项目多少项": three figures asked, 、 between them — each found
    (500人, 10家, 100项), not the first window of their sentence alone."""
    answer = assistant.ask("南通到2025年新增高层次人才多少、外国专家工作室建几家、引智项目多少项？")
    assert "500" in answer.text and "10家" in answer.text and "100项" in answer.text
    # a piece naming only another year asks the same subject: not a part of its own
    years = assistant.ask("南京技术合同成交额2020年多少、2025年要到多少？高价值发明专利数呢，也说下")
    assert "686.82" in years.text and "1000" in years.text and "50件" in years.text


def test_a_quoted_structure_shown_brings_each_member_its_clause_defines(assistant):
    """"科创走廊空间上是怎么布局的": the sentence with “一道两区多节点” is shown with every member the clause defines
    (“一道”即…；“两区”即…港城大道…；“多节点”即…), not only the first."""
    answer = assistant.ask("花果山大道那条科创走廊空间上是怎么布局的？")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "“两区”即以港城大道为分界线" in quotes and "“多节点”即" in quotes


def test_a_year_beyond_a_citys_plan_gives_that_plans_own_target_set_aside(assistant):
    """"哪个城市2025年高企目标最低": 江阴's plan ends in 2022 — its own target is shown (突破1000家, with its period),
    not "规划未提出", and the ranking is of the cities with a 2025 figure."""
    answer = assistant.ask("哪个城市2025年高企目标最低？")
    row = next(line for line in answer.text.splitlines() if line.startswith("| 江阴市"))
    assert "1000家" in row and "规划未提出" not in row
    assert "最低的是句容市" in answer.text
    # a year no plan reaches (2035) is not answered with each plan's own horizon
    assert assistant.ask("五个城市里哪个给出了2035年研发强度的具体数值？").refused


def test_a_base_year_comparison_shows_no_prose_wording_of_the_target(assistant):
    """"2020年南京和南通的高企数量哪个多": 南京's row gives 2020年6507家 — the prose wording of its 2025 target
    (高新技术企业超2万家) is not shown beside a base year."""
    answer = assistant.ask("2020年南京和南通的高企数量哪个多？")
    assert "6507" in answer.text and "超2万家" not in answer.text


def test_a_review_sentence_in_a_comparison_is_dated_by_the_review(assistant):
    """A sentence of a plan's review of the last period states that period's end (2020年), not a target of the
    plan's period; one in an annex of one year's work states that year."""
    answer = assistant.ask("南京和南通的科技企业孵化器现在分别有多少个？")
    assert "41家（2020年）" in answer.text and "2021-2025年规划" not in answer.text
    answer = assistant.ask("江阴和南通2020年高企数各是多少？")
    assert "650家（2020年）" in answer.text


def test_a_base_year_ranking_counts_review_sentences_of_that_year(assistant):
    """句容 states its 2020 R&D intensity in its review (1.77%), not in its table: it is ranked, and is the lowest."""
    answer = assistant.ask("2020年几个城市里研发投入强度最低的是哪个？")
    assert "最低的是句容市（2020年1.77%）" in answer.text


def test_two_asks_nothing_answers_at_once_are_each_answered(assistant):
    """"大学创新港要建几个，形成什么样的综合体": no figure answers both, but each ask alone is answered (the second as a
    follow-up of the first), one under the other; a message any of whose asks is refused stays refused."""
    answer = assistant.ask("南京的大学创新港要建几个，形成什么样的综合体？")
    assert not answer.refused and "3—5个" in answer.text and "四区融合综合体" in answer.text
    assert assistant.ask("南通对新认定的国家级孵化器奖励多少万元，有什么条件？").refused


def test_a_kind_of_institution_asked_about_is_no_name(assistant):
    """"对标哪一级实验室": the level is asked, no laboratory is named, so nothing is refused as a name the plan lacks."""
    answer = assistant.ask("南通的光电科学紫琅实验室主要研究什么？对标哪一级实验室？")
    assert not answer.refused and "江苏省实验室" in answer.text


def test_a_base_years_answer_names_the_rows_attribute_with_its_target(assistant):
    """"…2020年有多少家？到2025年目标多少？属于什么性质的指标？": one row answers all three — its base, its target and its
    attribute, which the base-year wording now states beside the target as the target wording does."""
    answer = assistant.ask("连云港高新技术企业2020年有多少家？到2025年目标多少？属于什么性质的指标？")
    assert "411" in answer.text and "1000" in answer.text and "预期性" in answer.text


def test_each_ask_of_a_message_the_whole_answer_leaves_out_is_answered_under_it(assistant):
    """"高企净增多少家？这项工作由哪些部门负责？", "梯次培育怎么安排，独角兽有没有目标？": one composer answers one of the
    asks; the others, answered alone, come under it — unless the whole answer already quotes what they would (a task row
    stating the figure answers both the figure and who leads it)."""
    answer = assistant.ask("江阴到2022年高企要净增多少家？这项工作由哪些部门负责？")
    assert "500家" in answer.text and "市税务局" in answer.text
    answer = assistant.ask("句容对科技企业梯次培育怎么安排，独角兽企业有没有数量目标？")
    assert "小升高" in answer.text and "1家独角兽" in answer.text
    answer = assistant.ask("江阴2020年全社会研发投入占比要达到多少？哪个部门牵头？")
    assert "3.3%" in answer.text and "市科技局" in answer.text and "4.4%" not in answer.text
    assert len(answer.citations) == 1


def test_a_task_row_a_part_of_the_city_leads_is_not_the_citys_figure(assistant):
    """江阴's 2020 task table: 临港开发区 leads "全社会研发投入占比达4.4%以上", 市科技局 leads "…占GDP的比重达3.3%": the
    city's 2020 figure is 3.3%, and the zone's is 4.4% when the zone is asked."""
    assert "3.3%" in assistant.ask("江阴2020年全社会研发投入占比要达到多少？").text
    assert "4.4%" in assistant.ask("临港开发区2020年全社会研发投入占比要达到多少？").text


def test_who_leads_a_figure_is_asked_for_the_previous_questions_year(assistant):
    """"哪个部门牵头？" after a 2020 figure: the task row of 2020 (a task table is of a year), not a 2022 paragraph."""
    answer = assistant.ask("哪个部门牵头？", ["江阴2020年全社会研发投入占比要达到多少？"])
    assert "市科技局" in answer.text and "临港开发区" not in answer.text


def test_the_current_figure_asked_again_of_the_same_city_is_its_base(assistant):
    """"那现在南通有几家？" after 南通's 高企 target: the 2020 figure (the plan's base), not a refusal; "2020年底实际有多少家"
    after 句容's 高企 target: the 高企 count (119), not the cultivation pool's (142)."""
    assert "2178" in assistant.ask("那现在南通有几家？", ["南通十四五高新技术企业目标是多少？"]).text
    assert "119" in assistant.ask("2020年底实际有多少家？", ["句容高企2025年要到多少家？"]).text
