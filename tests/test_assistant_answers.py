"""Grounded answers on the real corpus and a freshly built real index (see conftest.built_index).

Numbers equal the plans' figures and cite their table rows; a comparison puts "规划未提出"
where a plan sets no such target; an incubator operator gets clauses that name incubators;
unanswerable and false-premise questions are refused (with the plan's figure when there is
one); every citation is an exact slice of its plan.
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from index.build import current_index

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


@pytest.fixture(scope="module")
def plan_text():
    """doc_id → the plan file's text, as the citations' offsets index it (read from data/plans, not the index)."""
    import json

    manifest = json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["documents"] if isinstance(manifest, dict) and "documents" in manifest else manifest
    return {e["doc_id"]: (PLANS / e["file"]).read_text(encoding="utf-8") for e in entries}


def assert_exact(answer, plan_text):
    for c in answer.citations:
        assert plan_text[c.doc_id][c.char_start:c.char_end] == c.quote, c


def test_nanjing_high_tech_target_is_20000_cited_to_its_table_row(assistant, plan_text):
    answer = assistant.ask("南京到2025年高新技术企业要达到多少家？")
    assert not answer.refused
    assert "20000家" in answer.text and "6507" in answer.text
    assert len(answer.citations) == 1
    row = answer.citations[0]
    assert row.doc_id == "nanjing-2021" and "高新技术企业数(家)" in row.quote and "20000" in row.quote
    assert answer.text.endswith("[1]")
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question,doc_id,figure,row_name", [
    ("港城到2025年高企要达到多少家？", "lianyungang-2021", "1000", "高新技术企业数"),
    ("南通研发强度“十四五”末的目标是多少？", "nantong-2021", "3%左右", "全社会研发经费支出占GDP比重"),
    ("句容科技进步贡献率的目标是多少？", "jurong-2022", "70%", "科技进步贡献率"),  # not 农业科技进步贡献率 (75)
    ("连云港年技术合同成交额2020年是多少，2025年目标是多少？", "lianyungang-2021", "100亿元", "年技术合同成交额"),
])
def test_numeric_answers_equal_the_plans_figures(assistant, plan_text, question, doc_id, figure, row_name):
    answer = assistant.ask(question)
    assert not answer.refused and figure in answer.text
    assert answer.citations[0].doc_id == doc_id and row_name in answer.citations[0].quote
    assert_exact(answer, plan_text)


def test_a_figure_stated_only_in_prose_is_quoted_from_its_sentence(assistant, plan_text):
    answer = assistant.ask("到2022年江阴要建成几家新型研发机构？")
    assert not answer.refused and "2－3家" in answer.text
    assert answer.citations[0].doc_id == "jiangyin-2020" and "建成新型研发机构2－3家" in answer.citations[0].quote
    assert len(answer.text) < 60  # the window of the sentence that states it, not the whole paragraph
    assert_exact(answer, plan_text)


def test_past_figures_come_from_the_baseline(assistant, plan_text):
    answer = assistant.ask("南通和连云港“十三五”末的高企数量各是多少？")
    assert not answer.refused and "2178" in answer.text and "411" in answer.text
    assert_exact(answer, plan_text)


def test_comparison_table_marks_plans_without_the_target(assistant, plan_text):
    answer = assistant.ask("各市的科技进步贡献率目标对比一下")
    assert answer.composer == "compare" and not answer.refused
    assert answer.text.startswith("| 城市 |")
    cells = {row.city: row for row in answer.table}
    assert set(cells) == {"南京市", "南通市", "句容市", "江阴市", "连云港市"}
    assert "60%" in cells["连云港市"].target and "70%" in cells["南通市"].target and "70%" in cells["句容市"].target
    # 南京 reports 66.5% for 2020 but sets no 2025 target; 江阴's row is 农业科技进步贡献率
    assert cells["南京市"].target is None and cells["江阴市"].target is None
    assert answer.text.count("规划未提出") == 2
    assert len(answer.citations) == 3
    assert_exact(answer, plan_text)


def test_comparison_says_which_city_is_highest(assistant):
    answer = assistant.ask("宁、通、港三市2025年的研发强度目标谁最高？")
    assert {row.city for row in answer.table} == {"南京市", "南通市", "连云港市"}
    assert "最高的是南京市" in answer.text and "最低的是连云港市" in answer.text


def test_incubator_operator_gets_clauses_that_name_incubators(assistant, plan_text):
    answer = assistant.ask("我们是一家孵化器运营机构，在南通，有哪些支持？")
    assert answer.composer == "eligibility" and not answer.refused
    assert answer.citations and all(c.doc_id == "nantong-2021" for c in answer.citations)
    # the incubation section's measures: incubators, maker spaces, accelerators or incubation ("投资+孵化" 发展模式)
    assert all(re.search("孵化|众创空间|加速器", c.quote) for c in answer.citations)
    assert answer.checklist and len(answer.checklist) == len(answer.citations)
    assert_exact(answer, plan_text)


def test_eligibility_conditions_are_quoted_and_marked(assistant):
    answer = assistant.ask("我们是连云港的高新技术企业，想聘一位超龄的外籍专家，有政策吗？")
    assert not answer.refused and "放宽年龄" in answer.text
    conditions = [c for item in answer.checklist for c in item.conditions]
    assert conditions and all(c.status in ("met", "not met", "unknown") for c in conditions)


@pytest.mark.parametrize("question", [
    "苏州“十四五”高新技术企业目标是多少家？",          # no plan for the city
    "南京2023年高新技术企业要达到多少家？",             # a year the plan gives no figure for
    "南京到2035年研发投入强度要达到多少？",
    "连云港市级科创基金的规模有多大？",                 # named without an amount
    "南京对“揭榜挂帅”项目单个最高资助多少钱？",
    "南通的“紫琅英才计划”对引进人才补贴多少？",          # a programme the plan does not have
    "南京提了“两区一廊多组团”，苍梧县的科技创新空间布局是怎么安排的？",  # asked of a place no plan holds
])
def test_unanswerable_questions_are_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.refused and answer.text.startswith("现有规划文件中未找到")
    assert not re.search(r"\d+(\.\d+)?\s*(万元|亿元)", answer.text.split("。")[0])  # no invented amount


@pytest.mark.parametrize("question,wrong,true", [
    ("南京计划2025年高新技术企业达到3万家，对吗？", "3万", "2万"),  # "高新技术企业超2万家" (the row: 20000)
    ("连云港提出2025年研发强度达到3%，有哪些配套举措？", "3", "2.5%"),
    ("江阴三年行动计划要求2022年高企突破2000家，是吗？", "2000", "1000家"),
    ("连云港2025年技术合同成交额目标是200亿元，比南通高吗？", "200亿", "100亿元"),
])
def test_false_premises_are_refused_and_corrected(assistant, plan_text, question, wrong, true):
    answer = assistant.ask(question)
    assert answer.refused and f"“{wrong}”" in answer.text and true in answer.text
    assert answer.citations, "the correction cites the plan"
    assert_exact(answer, plan_text)


def test_document_and_task_questions(assistant, plan_text):
    number = assistant.ask("句容科创规划的发文字号是什么？")
    assert number.composer == "document" and "句政办发〔2022〕41号" in number.text
    lead = assistant.ask("江阴2020年新签约10亿元以上项目30个的任务由谁牵头？")
    assert lead.composer == "task" and "市招商局" in lead.text and "市商务局" in lead.text
    assert_exact(number, plan_text) and assert_exact(lead, plan_text)


def test_list_names_the_entries_of_the_box_asked_about(assistant, plan_text):
    answer = assistant.ask("“中华药港”的科技服务重点平台有哪些？")
    for name in ("花果山医学科学中心", "海洋药物研究院", "原创化学药物创新中心", "生命健康产业专业孵化器"):
        assert name in answer.text
    assert len(answer.citations) == 4
    assert_exact(answer, plan_text)


def test_every_citation_is_exact_and_answers_are_short(assistant, plan_text):
    questions = [
        "南京的八大产业链是哪些？", "南通沿江科创带坚持的“三统一”是指什么？", "南京市级科创基金的盘子有多大？",
        "句容共有多少名科技特派员？", "我们在句容承担了省级科技项目，市里会给配套吗？", "江阴和句容分别给高企定了什么目标？",
        "我是刚引进南京的高层次人才，住房方面有什么安排？", "港城有什么国家级的大科学装置？",
    ]
    lengths = []
    for q in questions:
        answer = assistant.ask(q)
        assert not answer.refused, q
        assert answer.citations and re.search(r"\[\d+\]", answer.text)
        assert_exact(answer, plan_text)
        # every [n] marker refers to a citation, and every citation is used
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        assert markers == set(range(1, len(answer.citations) + 1))
        lengths.append(len(answer.text))
    assert statistics.median(lengths) <= 250


def test_retrieved_list_is_the_contract_and_latency_is_measured(assistant, built_index):
    record = assistant.ask("南通高新区在全国的排名“十四五”末要进到前多少位？").record("q")
    assert "前40位" in record.answer
    assert 1 <= len(record.retrieved) <= 10
    index = current_index(built_index)
    top = record.retrieved[0]
    assert "南通高新区排名进入全国前40位" in index.source(top.doc_id)[top.char_start:top.char_end]
    assert record.latency_ms > 0


@pytest.mark.parametrize("question, figure", [
    ("南京的“研发强度”目标是多少？", "4%"), ("南京的“技术交易额”目标是多少？", "1000亿元"),
])
def test_a_quoted_synonym_from_the_term_table_is_not_a_false_premise(assistant, question, figure):
    answer = assistant.ask(question)
    assert not answer.refused and figure in answer.text


def test_a_quoted_name_no_plan_writes_in_any_form_is_still_refused(assistant):
    assert assistant.ask("南通的“紫琅英才计划”支持多少钱？").refused


def test_table_rows_read_as_labelled_cells_and_are_cited_exactly(built_index):
    from assistant.evidence import Span, shown

    index = current_index(built_index)
    rows = [c for c in index.clauses if c.kind == "table_row"]
    task = next(c for c in rows if c.doc_id == "jiangyin-2020" and "科创板" in c.text)
    text = shown(Span(task, task.char_start, task.char_end, task.text))
    assert "\t" not in text and "— 牵头：市工信局" in text
    row = next(c for c in rows if c.doc_id == "jurong-2022" and c.cells[1] == "高新技术企业数")
    assert shown(Span(row, row.char_start, row.char_end, row.text)) == "高新技术企业数（家）：2025 年目标 180"
    nanjing = next(c for c in rows if c.doc_id == "nanjing-2021" and c.text.startswith("技术市场合同成交额"))
    assert shown(Span(nanjing, nanjing.char_start, nanjing.char_end, nanjing.text)) == "技术市场合同成交额(亿元)：2020年 686.82，2025年 1000"
    for c in rows:  # every row of every plan renders without raw tabs or line breaks
        assert "\t" not in shown(Span(c, c.char_start, c.char_end, c.text)) and "\n" not in shown(Span(c, c.char_start, c.char_end, c.text))


def test_a_superlative_names_the_city_and_its_value(assistant):
    answer = assistant.ask("哪个城市的高企目标最多？")
    assert answer.composer == "compare" and "目标最高的是南京市" in answer.text and "20000" in answer.text


def test_a_base_year_across_plans_of_different_periods_is_the_past_of_most(assistant, plan_text):
    """2020 precedes four 十四五 plans and opens 江阴's 2020–2022 plan: a comparison across all plans reads
    the 2020 actuals, not the targets."""
    answer = assistant.ask("2020年几个城市里研发投入强度最低的是哪个？")
    assert answer.composer == "compare" and "2020年3.48%" in answer.text and "2020年2.55%" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_comparison_cell_from_a_sentence_without_a_year_names_the_plan_period(assistant):
    answer = assistant.ask("江阴和句容的科技型中小企业目标分别是多少？")
    assert "1200家（2020-2022年规划）" in answer.text and "400家" in answer.text


def test_a_comparison_without_an_indicator_concept_uses_the_figure_layer(assistant, plan_text):
    answer = assistant.ask("南京和南通的国家级孵化器分别有多少家？")
    assert not answer.refused and {c.doc_id for c in answer.citations} == {"nanjing-2021", "nantong-2021"}
    assert_exact(answer, plan_text)


def test_a_comparison_without_an_indicator_concept_gives_each_city_its_own_questions_figure(assistant, plan_text):
    """Each city's cell is the figure the question asked of that city alone finds (连云港's 300人 from a sentence
    of its goals), not the first figure the figure layer holds on a word of the question."""
    answer = assistant.ask("连云港和南通引进外国人才的目标分别是多少？")
    assert answer.composer == "compare" and "300人" in answer.text and "2000名" in answer.text, answer.text
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question, facts", [
    ("连云港技术合同成交额和高企数量的目标分别是多少？", ("100亿元", "1000个")),
    ("南京高企和科小到2025年分别要达到多少家？", ("20000家", "30000家")),
    ("南通研发投入强度的基数和目标各是多少？", ("2.55%", "3%左右")),
    # two figures asked in one sentence, cut at its comma; "现在" asks for the plan's latest stated value, not a target
    ("连云港高新技术企业现在多少家，2025年要到多少？", ("411", "1000")),
    ("南京全社会研发投入强度现在多少，2025年要到多少？", ("3.48%", "4%")),
    # two years asked together: one part per year, 2015 from the review's sentence (was 2020's row alone)
    ("南京2015年和2020年分别有多少家高新技术企业？", ("1274", "6507")),
    # a second asking sentence naming no place or year of its own asks where and when the first does
    ("江阴高新区2020年科技型中小企业入库多少家？那净增高企呢？", ("168家", "40家")),
    # "当年净增多少": an increase of the subject the part before names, in the year it names
    ("江阴2020年有效期内高企要达到多少家？当年净增多少？", ("650家", "150家")),
    ("南京人才这块的目标：顶尖人才团队、高层次人才、创新型企业家各多少", ("100个", "3000名", "1000名")),
])
def test_a_multi_part_question_answers_every_part(assistant, plan_text, question, facts):
    answer = assistant.ask(question)
    assert not answer.refused and all(f in answer.text for f in facts), answer.text
    assert "\t" not in answer.text
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question, fact, doc_id", [
    ("江阴市行动计划中，到2022年雏鹰企业的目标是多少？", "600家", "jiangyin-2020"),
    ("南京市规划提出城市“硅巷”要达到多少？", "300万平方米", "nanjing-2021"),
    ("南通到2025年产业协同创新联合体要有几个？", "10个", "nantong-2021"),
    # the sentence stating it is the eleventh clause retrieved: figures are read from the first SENTENCE_HITS
    ("连云港引进外国人才的目标是多少？", "300人", "lianyungang-2021"),
    ("南通外国人才方面具体要引进多少？", "100名", "nantong-2021"),  # 方面 says where, not what is counted
])
def test_a_figure_only_prose_states_is_found_by_its_subject(assistant, plan_text, question, fact, doc_id):
    answer = assistant.ask(question)
    assert not answer.refused and fact in answer.text and answer.citations[0].doc_id == doc_id
    assert_exact(answer, plan_text)


def test_a_year_range_is_not_a_figure():
    from assistant.composers.windows import FIGURE

    assert not FIGURE.search("《“创新江阴”三年行动计划（2020－2022年）》") and FIGURE.search("突破1000家")


def test_a_wrong_issue_year_is_refused_with_the_plans_date(assistant, plan_text):
    """"是2021年印发的吧？" of a plan issued on 2020-03-15: a false premise, refused, the date quoted; the right
    year is answered as usual."""
    meta = next(m for m in assistant.index.docs.values() if m.date and m.date.startswith("2020"))
    city = meta.city.removesuffix("市")
    wrong = assistant.ask(f"{city}的规划是2021年印发的吧？")
    assert wrong.refused and wrong.composer == "document" and "2020年3月15日" in wrong.text, wrong.text
    assert_exact(wrong, plan_text)
    right = assistant.ask(f"{city}的规划是2020年印发的吗？")
    assert not right.refused and "2020年3月15日" in right.text


def test_a_wrong_plan_period_is_refused_with_the_plans_period(assistant, plan_text):
    """"管的是2021到2023年吧？" of a 2020—2022 plan: a false premise, refused, the plan's period quoted; the right span
    and "覆盖哪几年" are answered with it."""
    meta = next(m for m in assistant.index.docs.values() if m.period == "2020-2022")
    city = meta.city.removesuffix("市")
    wrong = assistant.ask(f"{city}的行动计划管的是2021到2023年吧？")
    assert wrong.refused and wrong.composer == "document" and "2020－2022年" in wrong.text, wrong.text
    assert_exact(wrong, plan_text)
    for question in (f"{city}的行动计划是2020到2022年的吧？", f"{city}这个行动计划覆盖哪几年？"):
        right = assistant.ask(question)
        assert not right.refused and right.composer == "document" and "2020－2022年" in right.text, (question, right.text)


def test_a_when_question_quotes_the_sentence_that_dates_the_event(assistant, plan_text):
    """"…什么时候建成": of a clause naming the thing in one sentence and dating its completion in another, the dated
    sentence is quoted; "计划" here is a verb, not the plan document (whose issue date would be the wrong answer)."""
    for question in ("燃气轮机那个大科学装置什么时候基本建完？", "连云港的高效低碳燃气轮机试验装置计划什么时候建成？"):
        answer = assistant.ask(question)
        assert not answer.refused and answer.composer != "document" and "2025年基本完成建设工程" in answer.text, answer.text
        assert_exact(answer, plan_text)


def test_the_target_tables_name_does_not_ask_for_a_target(assistant, plan_text):
    """"目标表里2020年…是多少": 目标表 names the indicator table, so 2020 asks the row's base value, as it does without
    the table's name; 2025 still gets the target."""
    from assistant.query import period_of

    assert period_of("目标表里2020年高新技术产业产值占比是多少") is None and period_of("2025年的目标是多少") == "target"
    for year, value in (("2020", "40.06%"), ("2025", "45%")):
        answer = assistant.ask(f"连云港目标表里{year}年高新技术产业产值占规上工业产值比重具体是多少？")
        assert not answer.refused and value in answer.text, answer.text
        assert_exact(answer, plan_text)


def test_a_follow_up_quoting_a_term_quotes_the_sentence_that_writes_it(assistant, plan_text):
    """"其中的“两区”是以哪条路为界分的？" after a question about a corridor: the sentence that writes “两区” answers, not the
    corridor's other sentences."""
    answer = assistant.ask("其中的“两区”是以哪条路为界分的？", ["连云港花果山大道科技创新走廊是怎么布局的？"])
    assert not answer.refused and "“两区”即以港城大道为分界线" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_part_is_counted_by_the_plans_own_count_noun(assistant, plan_text):
    """For every part whose members a plan counts as "N大X" (十大支撑体系, 六大行动): "一共有几大X？" counts that part's
    members, not another part whose title ends in X (构建国际化人才支撑体系)."""
    import re

    from assistant.sections import all_nodes

    checked = 0
    for node in all_nodes(assistant.index.corpus):
        m = re.match(r"^\s*[一二三四五六七八九十\d]+大(.+)$", node.count_word.text) if node.count_word and node.kind != "group" else None
        if m is None:
            continue
        city = assistant.index.docs[node.doc_id].city
        answer = assistant.ask(f"{city}的规划一共有几大{m.group(1)}？")
        assert f"共{len(node.members())}" in answer.text and node.count_word.text in answer.text, answer.text
        assert_exact(answer, plan_text)
        checked += 1
    assert checked >= 3


def test_a_kind_asked_beside_a_rare_word_is_not_answered_by_a_part_that_never_names_it(assistant, plan_text):
    """"句容搞科技招商，主要盯哪些领域？": 招商 names what is asked, so "重点领域与任务" (a part whose name and headings never
    say 招商) does not answer by its 领域; the plan's passage on 科技招商 does."""
    answer = assistant.ask("句容搞科技招商，主要盯哪些领域？")
    assert not answer.refused and "重点领域与任务包括" not in answer.text and "新能源汽车" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_how_far_a_total_is_to_go_is_a_target_and_a_bracketed_character_is_read_either_way(assistant, plan_text):
    """"累计要超过多少项" looks ahead (要超过), though 过多少 alone looks back ("超过多少家了"); the plan's "制（修）订" is
    what a question writes as 制修订 as well as 制订、修订."""
    from assistant.query import period_of

    assert period_of("累计要超过多少项") == "target" and period_of("高企超过多少家了") == "past"
    answer = assistant.ask("江阴制修订国内外标准累计要超过多少项？")
    assert not answer.refused and "528项" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_total_asked_after_an_increase_is_the_subjects_stock(assistant, plan_text):
    """"高企要净增多少、总数到多少": 总数 asks the stock of the subject before (高企), not its increase again."""
    answer = assistant.ask("江阴2020年高企要净增多少、总数到多少？")
    assert "150家" in answer.text and "650家" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_later_part_asks_the_subject_before_without_its_period(assistant, plan_text):
    """"创投规模十三五末是多少？十四五末要到多少？": the second part asks 创投规模 in its own period (十四五), not
    "创投规模十三五 十四五"."""
    answer = assistant.ask("南通的创投规模十三五末是多少？十四五末要到多少？")
    assert "500亿元" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_rank_asked_as_one_part_of_several_is_a_part_of_its_own(assistant, plan_text):
    """"…科技进步贡献率多少，在国家创新型城市里排第几？": 第几 asks, so the rank is a part of its own, not words of the
    part before."""
    answer = assistant.ask("南京2020年科技进步贡献率多少，在国家创新型城市里排第几？")
    assert "66.5%" in answer.text and "第4位" in answer.text, answer.text
    assert_exact(answer, plan_text)


def test_a_part_naming_its_own_subject_keeps_it_not_another_parts_indicator(assistant):
    """"…引进多少科技人才项目，新建几家创新载体，每年技术合同成交额要达到多少": the middle part names its own subject
    (创新载体), so the indicator the last part names (技术合同成交额) is not its — each part gets its own figure."""
    answer = assistant.ask("江阴行动计划里三年内要引进多少科技人才项目，新建几家创新载体，每年技术合同成交额要达到多少？")
    assert all(w in answer.text for w in ("100个", "创新载体5家", "50亿元")), answer.text


def test_a_past_comparison_ranks_a_sentences_figure_of_the_year_beside_table_baselines(assistant):
    """"2020年底…高新技术企业谁最少": 句容 states its 2020 count in a sentence (截至2020年底…119家), the others in their
    tables' baselines — all three are ranked, so the fewest is 句容, not the fewer of the two tables."""
    answer = assistant.ask("2020年底句容、南通、连云港的高新技术企业谁最少？")
    assert answer.composer == "compare" and "最低的是句容市" in answer.text, answer.text


def test_a_past_years_gap_between_two_cities_is_stated(assistant):
    """"南京和南通2020年的研发投入强度差多少": the two baselines ranked and their gap said, in 个百分点."""
    answer = assistant.ask("南京和南通2020年的研发投入强度差多少？")
    assert answer.composer == "compare" and "相差0.93个百分点" in answer.text, answer.text


def test_who_has_more_says_why_figures_of_different_periods_are_not_ranked(assistant):
    """"句容和江阴谁的科技型中小企业目标更多": 谁 asks a verdict; 江阴's figure is a 2022 target against 句容's 2025 one,
    so the answer says it is left out of the comparison rather than saying nothing."""
    answer = assistant.ask("句容和江阴谁的科技型中小企业目标更多？")
    assert answer.composer == "compare" and "未参与比较" in answer.text, answer.text


def test_a_ratio_or_a_total_asked_of_two_cities_targets_is_stated(assistant):
    """"是…的几倍" asks the ratio of two cities' targets, "加起来多少" their total (a city with no comparable figure is
    named as left out of it)."""
    answer = assistant.ask("南京的高企目标是南通的几倍？")
    assert "5.6倍" in answer.text, answer.text
    answer = assistant.ask("南京和南通的高企目标合计多少家？")
    assert "合计23600家" in answer.text, answer.text
