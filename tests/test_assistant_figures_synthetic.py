"""Figures by subject, multi-part questions, follow-ups for the base year, superlatives like with like, unknown
places and amounts a plan does not give, on two made-up plans (东湖市, 西山市) indexed for this module: nothing depends on the shipped plans' wording."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、发展基础

“十三五”期间，全市创新能力稳步提升。截至2020年底，全市有效期内高新技术企业数量达到300家，高新技术企业培育库入库企业达500家。以湖滨硅巷为代表的城市硅巷加快布局，建成运营面积超50万平方米。

二、发展目标

到2025年，全市高新技术企业数量达到800家，建成运营城市硅巷超120万平方米，科技副总达到300名。各类孵化载体达到60家以上。

三、重点任务

（一）壮大创新主体

东湖高新区加快发展，到2025年，东湖高新区高新技术企业数量超过200家，全市高新技术企业数净增400家。

（二）发展农业科技

到2025年，农业科技园区总收入达60亿元，农产品年出口额达1.5亿美元。

（三）优化创新生态

对企业的科技创新活动实行年度积分管理，根据创新积分优先给予企业人才安居补贴和信贷支持。依托苏州东湖联合创新中心共建中试基地。筹建东湖光谷实验室，打造区域创新策源地。
"""

WEST = """西山市“十四五”科技创新规划

一、发展目标

到2023年，全市高新技术企业数量达到900家。到2025年，全市技术合同成交额达到50亿元左右，研发经费支出达到65亿元，市级财政科技支出占一般公共预算支出比重达到6%。

### 西山市“十四五”科技创新主要指标

序号	指标名称	单位	2020 年基数	2025 年目标
1	技术合同成交额	亿元	30	50
2	市级财政科技支出占比	%	4.8	6

二、重点任务

（一）培育创新主体

实施高新技术企业培育行动，新建省级以上科技企业孵化器5家。加快独角兽企业培育，到2025年，力争新增2家独角兽企业，培育3-5家潜在独角兽企业。

（二）加快技术转移

全面提升西山高新区技术转移能级。到2025年，技术合同成交额达到20亿元。

三、保障措施

（一）加强组织领导

强化市创新工作领导小组对规划实施的组织领导，协调解决规划实施中的重大问题。到2025年，制（修）订行业标准累计超过120项。

（二）强化人才支撑

大力实施市第三期“515青年人才培养计划”，到2025年，青年科技人才达到2万人。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    assistant = assistant_over({"donghu": EAST, "xishan": WEST}, tmp_path_factory.mktemp("figures-synthetic"))
    assert set(assistant.index.cities) == {"东湖市", "西山市"}, assistant.index.cities
    return assistant


def test_the_figure_that_counts_what_is_asked_wins(qa):
    answer = qa.ask("东湖2020年底高新技术企业有多少家？")
    assert not answer.refused and "300" in answer.text and "500" not in answer.text


def test_the_citys_own_stock_wins_over_a_districts_figure_and_an_increase(qa):
    answer = qa.ask("东湖到2025年高新技术企业数量目标是多少？")
    assert "800" in answer.text and "200" not in answer.text and "400" not in answer.text
    increase = qa.ask("东湖到2025年高新技术企业净增多少家？")
    assert "400" in increase.text


def test_a_part_of_the_city_the_question_names_gets_its_own_figure(qa):
    """"东湖高新区…" and the follow-up "那高新区呢？" want the figure the plan states for 高新区, not the city's."""
    answer = qa.ask("东湖高新区到2025年高新技术企业数量目标是多少？")
    assert "200" in answer.text and "800" not in answer.text
    followup = qa.ask("那高新区呢？", ["东湖到2025年高新技术企业数量目标是多少？"])
    assert "200" in followup.text and "800" not in followup.text
    # the city's indicator table gives way too, and the city's question still gets the table
    assert "50" in qa.ask("西山2025年技术合同成交额目标是多少？").text
    district = qa.ask("那高新区呢？", ["西山2025年技术合同成交额目标是多少？"])
    assert "20亿" in district.text and "50" not in district.text, district.text


def test_every_asking_sentence_is_answered(qa):
    answer = qa.ask("东湖城市硅巷现在建了多大面积？到2025年要到多少？")
    assert "50万平方米" in answer.text and "120万平方米" in answer.text


def test_every_member_of_a_two_part_question_is_answered(qa):
    answer = qa.ask("东湖农业科技园区到2025年总收入和农产品年出口额分别要达到多少？")
    assert "60亿元" in answer.text and "1.5亿美元" in answer.text


def test_a_part_asking_what_the_subject_grows_to_keeps_the_subject(qa):
    answer = qa.ask("东湖的城市硅巷现在建成多少平方米？到2025年要发展到多少？")
    assert "50万平方米" in answer.text and "120万平方米" in answer.text, answer.text


def test_every_member_of_an_enumeration_with_commas_is_answered(qa):
    """"A、B和C分别是多少": the enumeration comma separates members as 和 does."""
    answer = qa.ask("东湖到2025年城市硅巷运营面积、农产品年出口额和农业科技园区总收入分别是多少？")
    assert all(x in answer.text for x in ("120万平方米", "1.5亿美元", "60亿元")), answer.text


def test_a_comparison_giving_each_city_its_own_year_reads_each_in_it(qa):
    answer = qa.ask("东湖2025年和西山2023年的高新技术企业数量目标谁更高？")
    assert "800家" in answer.text and "900家" in answer.text, answer.text


def test_a_bracketed_alternative_is_read_as_both_words(qa):
    """"制（修）订" is how plans write 制订 and 修订 at once: a question asking 制定或修订 finds it."""
    assert "120项" in qa.ask("西山到2025年要制定或修订多少项标准？").text


def test_a_number_that_begins_a_programmes_name_is_no_figure_to_check(qa):
    """"515青年人才培养计划" is a name: asked which round it is in, the plan's sentence answers, no false premise."""
    answer = qa.ask("西山的515青年人才培养计划现在是第几期？")
    assert not answer.refused and "第三期" in answer.text, answer.text
    assert qa.ask("西山的青年科技人才到2025年要达到3万人吗？").refused  # a figure the plan states otherwise still is


def test_naming_numbers_are_those_the_library_writes_before_the_same_words():
    from assistant.service import naming_numbers

    library = "大力实施市第六期“226高层次人才培养工程”。高新技术企业突破3600家。"
    assert naming_numbers("226高层次人才培养工程是第几期", ("226",), library) == {"226"}
    assert naming_numbers("227高层次人才培养工程是第几期", ("227",), library) == set()
    assert naming_numbers("突破3600家高新技术企业", ("3600",), library + "3600家高新技术") == set()  # a unit: a figure


def test_who_leads_the_plan_in_the_plans_words_or_a_refusal(qa):
    led = qa.ask("西山这个科技规划由哪个机构来统筹组织实施？")
    assert not led.refused and "领导小组" in led.text, led.text
    assert qa.ask("东湖这个科技规划由哪个机构来统筹组织实施？").refused


def test_a_followup_for_the_base_year_gets_the_baseline(qa):
    answer = qa.ask("那2020年的时候有多少家？", history=["东湖到2025年高新技术企业数量目标是多少？"])
    assert not answer.refused and "300" in answer.text


def test_a_superlative_says_when_a_figure_is_for_another_year(qa):
    answer = qa.ask("东湖和西山的高新技术企业数量目标谁最高？")
    assert "800" in answer.text and "900" in answer.text
    assert "西山市的数字是2023年的目标" in answer.text and "未参与比较" in answer.text


@pytest.mark.parametrize("question", ["青山市的高新技术企业数量目标是多少？", "请问青山县有哪些科技政策"])
def test_a_place_no_plan_holds_is_refused_with_the_library(qa, question):
    answer = qa.ask(question)
    assert answer.refused and "青山" in answer.text
    assert "东湖市“十四五”科技创新规划" in answer.text and "西山市“十四五”科技创新规划" in answer.text


def test_a_place_that_begins_a_name_a_plan_writes_is_no_unknown_place(qa):
    answer = qa.ask("苏州东湖联合创新中心要共建什么？")
    assert not answer.refused and "中试基地" in answer.text


def test_an_amount_the_plan_does_not_give_is_refused_with_what_it_says(qa):
    answer = qa.ask("东湖企业创新积分要达到多少分才能拿安居补贴？")
    assert answer.refused and "规划未写明" in answer.text and "年度积分管理" in answer.text
    assert answer.citations and "积分" in answer.citations[0].quote


@pytest.mark.parametrize("text,english", [
    ("What is Donghu's target for high-tech enterprises by 2025?", True),
    ("How many R&D platforms?", True),
    ("南京R&D投入强度是多少", False),
    ("GDP", False),
])
def test_is_english(text, english):
    from assistant.english import is_english

    assert is_english(text) is english


def test_an_english_question_is_read_in_the_plans_words():
    from assistant.english import pinyin, to_chinese

    cities = ("东湖市", "西山市")
    assert pinyin("东湖市") == "Donghu"
    text = to_chinese("How many high-tech enterprises will Donghu have by 2025?", cities)
    assert "东湖" in text and "高新技术企业" in text and "到2025年" in text and "多少" in text
    assert "Qingshan市" in to_chinese("What is the target of Qingshan City?", cities)


def test_an_english_question_gets_an_english_lead_then_the_chinese_quotes(qa):
    answer = qa.ask("What is Donghu's target for high-tech enterprises by 2025?")
    lead, _, rest = answer.text.partition("\n")
    assert not answer.refused and lead.startswith("The plan of Donghu") and "800" in lead and "[1]" in lead
    assert "800" in rest and answer.citations and "800" in answer.citations[0].quote


def test_an_english_comparison_and_an_unknown_english_place(qa):
    compared = qa.ask("Compare the high-tech enterprise targets of Donghu and Xishan.")
    assert compared.text.startswith("Compared across the plans: Donghu 800") and "Xishan 900" in compared.text
    unknown = qa.ask("What is the high-tech enterprise target of Qingshan City?")
    assert unknown.refused and unknown.text.startswith("The library holds no plan for Qingshan")
    assert "Donghu" in unknown.text and "东湖市“十四五”科技创新规划" in unknown.text


def test_a_plans_period_is_read_from_its_title_when_the_text_writes_no_years(qa):
    answer = qa.ask("东湖这个十四五科技规划的目标年份到哪年？")
    assert answer.composer == "document" and "2021—2025年" in answer.text and answer.citations


def test_a_comparison_cell_shows_the_baseline_and_the_prose_wording(qa):
    answer = qa.ask("东湖和西山的技术合同成交额目标对比")
    assert "2025年50亿元" in answer.text and "（2020年30亿元）" in answer.text
    assert "（正文：" in answer.text and "50亿元左右" in answer.text and "规划未提出" in answer.text


def test_an_indicator_row_that_names_the_question_s_words_answers_with_its_base(qa):
    """No indicator concept covers 市级财政科技支出占比: the row that names it (base 4.8, target 6) answers, not the
    sentence that says it in other words (…占一般公共预算支出比重达到6%)."""
    answer = qa.ask("西山市级财政科技支出占比2025年要到多少？")
    assert not answer.refused and "6%" in answer.text and "4.8" in answer.text, answer.text
    assert "市级财政科技支出占比" in answer.citations[0].quote


def test_every_figure_a_sentence_states_of_the_subject_is_given(qa):
    """"新增2家独角兽企业，培育3-5家潜在独角兽企业" answers "独角兽有什么目标" with both pieces, though the first states
    an increase and puts its number before the noun."""
    answer = qa.ask("西山对独角兽企业培育有没有具体目标？")
    assert "2家独角兽" in answer.text and "3-5家" in answer.text, answer.text


def test_a_thing_stated_as_built_that_the_plan_only_plans_is_a_false_premise(qa):
    """"东湖光谷实验室已经建成了" where the plan writes 筹建东湖光谷实验室: refused, quoting the plan; a thing the plan
    says is built (建成运营…城市硅巷) is not."""
    answer = qa.ask("东湖光谷实验室已经建成了，主要研究什么？")
    assert answer.refused and "筹建东湖光谷实验室" in answer.text, answer.text
    assert not qa.ask("东湖的湖滨硅巷已经建成了吗？建成多大面积？").refused


def test_the_citys_own_goal_wins_over_what_each_part_of_it_builds(monkeypatch):
    """"打算建几家新型研发机构": when the best retrieved figure is stated only for parts of the city the question does
    not name (高新区、临港开发区分别新建投运1家), the city's own figure from the figure layer (建成新型研发机构2－3家)
    answers; a figure piece stated for the city (全市…净增400家) or for the part asked keeps the retrieved one."""
    from types import SimpleNamespace

    from assistant.composers import target
    from assistant.evidence import Span
    from ingest.records import Clause

    def figure(text: str, score: float):
        clause = Clause("nanling", "nanling@0", (), text, 0, len(text), "paragraph")
        return SimpleNamespace(span=Span(clause, 0, len(text), text), score=score, text=text)

    own = figure("建成新型研发机构2－3家", 0.4)
    ctx = SimpleNamespace(query=SimpleNamespace(text="南岭三年行动计划打算建几家新型研发机构？"),
                          thresholds=SimpleNamespace(figure=0.3))
    monkeypatch.setattr(target, "record_figures", lambda *a: [])
    monkeypatch.setattr(target, "layer_figure", lambda *a: own)
    parts = figure("三年内，南岭高新区、临港开发区分别新建投运1家新型研发机构。", 0.6)
    monkeypatch.setattr(target, "sentence_figures", lambda *a: [parts])
    assert target.best_figure(ctx, [], "新型研发机构", "南岭市") is own
    city = figure("东湖高新区高新技术企业数量超过200家，全市高新技术企业数净增400家。", 0.6)
    monkeypatch.setattr(target, "sentence_figures", lambda *a: [city])
    assert target.best_figure(ctx, [], "新型研发机构", "南岭市") is city
    ctx.query.text = "南岭高新区打算建几家新型研发机构？"
    monkeypatch.setattr(target, "sentence_figures", lambda *a: [parts])
    assert target.best_figure(ctx, [], "新型研发机构", "南岭市") is parts


RANGE_TITLED = """“创新南岭”三年行动计划（2020－2022年）

一、主要目标

通过三年努力，建立比较完善的区域创新体系。到2022年，全社会研发投入占GDP的比重保持在3.3%以上；战略性新兴产业占规上工业产值比重提高到30%，高新技术产业产值占比达40%；有效高新技术企业数实现倍增。

二、重点任务

1．推动产业创新。围绕先导产业发展需求，加快建设一批重大创新载体。

附件：2020年重点工作目标

2020年，高新技术产业产值占规模以上工业产值比重达38%。
"""


def test_a_period_in_the_plans_title_names_none_of_its_years(tmp_path):
    """A plan titled "…（2020－2022年）": its goal "高新技术产业产值占比达40%" (for 2022, in a sentence that names no
    year) is no answer to a question about 2020 — the range in the title does not name 2020; the 2020 figure is."""
    answer = assistant_over({"nanling": RANGE_TITLED}, tmp_path).ask("南岭2020年高新技术产业产值占比目标是多少？")
    assert "38%" in answer.text and "40%" not in answer.text, answer.text


TABLED = """南岭市“十四五”科技创新规划

一、发展目标

到2025年，全市创新能力显著增强。

### 南岭市“十四五”科技创新主要指标

序号	指标名称	单位	2020 年基数	2025 年目标
1	高新技术企业数	家	300	500
2	科技型中小企业数	家	800	1200
3	全社会研发投入占比	%	2.5	3
"""


def test_the_most_and_the_least_of_an_indicator_tables_rows_of_a_kind(tmp_path):
    """"指标表里哪类企业的目标数量最多": the rows naming 企业, in their shared unit, largest target first (smallest for 最少)."""
    qa = assistant_over({"nanling": TABLED}, tmp_path)
    most = qa.ask("南岭的指标表里，哪类企业的2025年目标数量最多？")
    assert most.composer == "indicator_table" and most.text.splitlines()[1].startswith("科技型中小企业数"), most.text
    least = qa.ask("南岭的指标表里，哪类企业的2025年目标数量最少？")
    assert least.text.splitlines()[1].startswith("高新技术企业数"), least.text
    assert "3%" not in most.text  # a row of another unit is not compared


def test_a_count_of_people_is_answered_only_by_a_figure_counting_people(qa):
    """"研发人员要达到多少人": 800家 or 120万平方米 count no one, so the plan gives no such figure; 科技副总 300名 does."""
    answer = qa.ask("东湖市高新技术企业研发人员要达到多少人？")
    assert answer.refused, answer.text
    answer = qa.ask("东湖市科技副总要达到多少人？")
    assert not answer.refused and "300名" in answer.text, answer.text


def test_a_figure_of_every_level_together_is_no_figure_of_the_level_asked(qa):
    """"国家级孵化器要有多少家" where the plan counts only 各类孵化载体 (every level together): not given; asked of 各类, it is."""
    answer = qa.ask("东湖市国家级孵化器到2025年要有多少家？")
    assert answer.refused and "各类" in answer.text, answer.text
    answer = qa.ask("东湖市各类孵化载体到2025年要有多少家？")
    assert not answer.refused and "60家" in answer.text, answer.text



def test_each_member_of_a_part_asked_with_ge_is_answered(qa):
    """"A、B各要新增多少？C多少？": the members of the first asking sentence are answered each, beside the second."""
    answer = qa.ask("西山市省级以上科技企业孵化器、独角兽企业各要新增多少家？技术合同成交额到2025年多少？")
    assert all(w in answer.text for w in ("孵化器5家", "2家独角兽", "50亿")), answer.text


def test_an_english_lead_names_every_figure_of_a_quote_not_only_its_last():
    """"突破50项…、掌握200项…、开发1000个…" asked "how many technologies": the lead names 50, 200 and 1,000 (the
    reader sees which is which in the quote), not 1,000 alone; a year stays with a lone figure."""
    from assistant.answer import Answer
    from assistant.english import lead

    three = Answer(text="东湖市：突破50项产业关键共性技术、掌握200项企业关键技术、开发1000个创新产品[1]", citations=[],
                   refused=False, retrieved=[], composer="target")
    assert "50, 200 and 1,000 [1]" in lead(three, ("东湖市",)), lead(three, ("东湖市",))
    one = Answer(text="东湖市：到2025年，高新技术企业达到800家[1]", citations=[], refused=False, retrieved=[], composer="target")
    assert "800 for 2025 [1]" in lead(one, ("东湖市",)), lead(one, ("东湖市",))
