"""The web app's handlers and views, on the real corpus and index (no browser, no server)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from app_support import private_index

from assistant.answer import Answer
from assistant.contract import ChecklistItem, ComparisonRow, ConditionCheck
from assistant.contract import AnswerRecord, Citation
from assistant.service import Assistant
from ingest.records import Clause, DocumentMeta
from webui import handlers, render

NANJING_TITLE = "南京市“十四五”科技创新规划"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    return Assistant.from_index(private_index(tmp_path_factory.mktemp("app-handlers")))


def last_reply(history: list[dict]) -> str:
    assert history[-1]["role"] == "assistant"
    return history[-1]["content"]


def exact(assistant: Assistant, record: dict) -> None:
    for c in record["citations"]:
        assert assistant.index.source(c["doc_id"])[c["char_start"]:c["char_end"]] == c["quote"]


# -- chat -------------------------------------------------------------------------------------
def test_chat_answers_with_marker_and_the_cited_row_in_the_sources_panel(assistant):
    turn = handlers.chat(assistant, "南京到2025年高新技术企业要达到多少家？", [])
    reply = last_reply(turn.history)
    assert "20000" in reply and "[1]" in reply
    assert turn.history[-2] == {"role": "user", "content": "南京到2025年高新技术企业要达到多少家？"}
    assert turn.question_box == ""
    assert turn.answer is not None and not turn.answer.refused
    sources = turn.sources
    assert NANJING_TITLE in html.unescape(sources)
    assert '<tr class="pq-hit"><td>高新技术企业数(家)</td><td>6507</td><td>20000</td></tr>' in sources
    assert "<summary>上下文</summary>" in sources
    # the context view holds the neighbouring rows of the same table
    assert "科技型中小企业数(家) | 10042 | 30000" in sources


def test_follow_up_is_resolved_against_earlier_questions(assistant):
    first = handlers.chat(assistant, "南京到2025年高新技术企业要达到多少家？", [])
    follow = handlers.chat(assistant, "那南通呢？", first.history)
    assert "3600" in last_reply(follow.history)
    assert handlers.user_questions(follow.history) == ["南京到2025年高新技术企业要达到多少家？", "那南通呢？"]


def test_user_questions_reads_gradio_content_parts():
    history = [
        {"role": "user", "content": [{"type": "text", "text": "南京高企目标？"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "20000家"}]},
        {"role": "user", "content": "那南通呢？"},
    ]
    assert handlers.user_questions(history) == ["南京高企目标？", "那南通呢？"]


def test_refusal_is_tagged_and_still_shows_the_nearest_clauses(assistant):
    turn = handlers.chat(assistant, "南京对“揭榜挂帅”项目单个最高资助多少钱？", [])  # the plan names no amount
    assert turn.answer is not None and turn.answer.refused
    reply = last_reply(turn.history)
    assert 'class="pq-tag pq-tag-refused"' in reply and "未找到" in reply
    assert "pq-nearest-note" in turn.sources
    assert turn.sources.count('class="pq-source"') == len(render.nearest_only(turn.answer)) >= 1


def test_refusal_does_not_repeat_the_clause_it_already_cites(assistant):
    turn = handlers.chat(assistant, "南京2023年高新技术企业要达到多少家？", [])
    answer = turn.answer
    assert answer is not None and answer.refused and answer.citations  # corrects the year, citing the row
    cited = {(c.doc_id, c.char_start) for c in answer.citations}
    assert all((n.doc_id, n.char_start) not in cited for n in render.nearest_only(answer))


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b", "？？？"])
def test_bad_question_shows_a_message_and_keeps_the_input(assistant, question):
    turn = handlers.chat(assistant, question, [])
    reply = last_reply(turn.history)
    assert "pq-tag-error" in reply and "Traceback" not in reply
    assert turn.question_box == question
    assert turn.answer is None


def test_unknown_plan_filter_is_an_error_not_ignored(assistant):
    turn = handlers.chat(assistant, "研发强度目标是多少？", [], doc_ids=["no-such-plan"])
    reply = last_reply(turn.history)
    assert "no-such-plan" in reply and "nanjing-2021" in reply  # names the bad one and the choices
    assert turn.question_box == "研发强度目标是多少？"


def test_plan_filter_restricts_a_general_question(assistant):
    turn = handlers.chat(assistant, "有哪些科技金融产品？", [], doc_ids=["jurong-2022"])
    assert turn.answer is not None and turn.answer.citations
    assert {c.doc_id for c in turn.answer.citations} == {"jurong-2022"}


def test_city_filter_restricts_a_target_question(assistant):
    turn = handlers.chat(assistant, "高新技术企业数目标是多少？", [], cities=["南通市"])
    assert turn.answer is not None and turn.answer.citations
    assert {c.doc_id for c in turn.answer.citations} == {"nantong-2021"}


def test_ask_record_follows_the_json_contract(assistant):
    record = handlers.ask_record(assistant, "南京到2025年高新技术企业要达到多少家？")
    AnswerRecord.model_validate(record)
    assert "20000" in record["answer"] and not record["refused"]
    assert record["citations"] and record["retrieved"]
    exact(assistant, record)
    bad = handlers.ask_record(assistant, "   ")
    assert bad["refused"] and "问题为空" in bad["answer"] and bad["citations"] == []
    unknown = handlers.ask_record(assistant, "研发强度？", cities=["苏州市"])
    assert unknown["refused"] and "苏州市" in unknown["answer"]


# -- 城市对比 ---------------------------------------------------------------------------------
def test_indicator_choices_come_from_the_indicator_tables(assistant):
    choices = {concept: label for label, concept in handlers.indicator_choices(assistant.index)}
    # 南京, 南通, 句容 and 连云港 have indicator tables naming 高新技术企业; 江阴's plan has none
    assert choices["高新技术企业数"] == "高新技术企业数（4个城市）"
    assert choices["科技进步贡献率"] == "科技进步贡献率（3个城市）"
    counts = [int(re.search(r"（(\d+)个城市）", label).group(1)) for label in choices.values()]
    assert counts == sorted(counts, reverse=True)


def test_every_offered_indicator_is_asked_as_a_comparison_of_it(assistant):
    from assistant.structured import compare_query, compare_question

    cities = assistant.index.cities
    for _, concept in handlers.indicator_choices(assistant.index):
        query = compare_query(compare_question(concept, cities), cities, cities)
        assert (query.intent, query.concepts, set(query.cities)) == ("compare", (concept,), set(cities)), concept


def test_compare_table_cites_each_city_and_charts_the_table_values(assistant):
    result = handlers.compare(assistant, "高新技术企业数", [])
    table = result.table.set_index("城市")
    assert set(table.index) == set(assistant.index.cities) and len(table) == 5
    assert table.loc["南京市", "规划表述"] == "2025年20000家" and table.loc["南通市", "规划表述"] == "2025年3600家"
    assert table.loc["句容市", "规划表述"] == "2025年180家" and table.loc["连云港市", "规划表述"] == "2025年1000个"
    for city, row in table.iterrows():
        if row["规划表述"] == render.NOT_SET:
            assert row["引用"] == "—"
        else:
            assert re.fullmatch(r"\[\d\]", row["引用"]), city
    markers = {m for m in table["引用"] if m != "—"}
    badges = re.findall(r'class="pq-badge">([^<]+)<', result.sources)  # one card per cited clause, its markers joined
    assert all(any(m in badge for badge in badges) for m in markers)  # every cell's source is shown
    assert len(badges) == len(set(badges)) == result.sources.count('class="pq-source"')
    chart = result.chart
    assert chart is not None  # 家 and 个 both count enterprises
    assert dict(zip(chart["城市"], chart["目标值"])) == {"南京市": 20000.0, "南通市": 3600.0, "句容市": 180.0, "连云港市": 1000.0}


def test_unset_targets_are_shown_as_such_and_left_out_of_the_chart():
    rows = [
        ComparisonRow(city="甲市", concept="X", indicator="X数", target="2025年300家", value=300.0, unit="家", year=2025,
                      citation="[1]"),
        ComparisonRow(city="乙市", concept="X"),
        ComparisonRow(city="丙市", concept="X", target="X数量实现倍增", citation="[2]"),
    ]
    answer = Answer("", [], False, [], table=rows)
    table = render.comparison_table(answer, "X").set_index("城市")
    assert table.loc["乙市", "规划表述"] == render.NOT_SET and table.loc["乙市", "引用"] == "—"
    assert table.loc["丙市", "规划指标（原文）"] == "正文表述" and table.loc["丙市", "引用"] == "[2]"
    chart, note = render.comparison_chart(answer, "X")
    assert list(chart["城市"]) == ["甲市"] and list(chart["目标值"]) == [300.0]
    assert f"乙市：{render.NOT_SET}" in note and "不按 0 计" in note and "丙市" in note


def test_compare_with_one_city_compares_all(assistant):
    result = handlers.compare(assistant, "研发投入强度", ["南京市"])
    assert "全部城市" in result.note
    assert len(result.table) == len(assistant.index.cities)


def test_compare_without_an_indicator_asks_for_one(assistant):
    result = handlers.compare(assistant, None, ["南京市", "南通市"])
    assert result.table.empty and result.chart is None and "请选择" in result.note


def test_chart_is_withheld_when_units_differ():
    rows = [
        ComparisonRow(city="甲市", concept="X", indicator="X", target="3%", value=3.0, unit="%", year=2025, citation="[1]"),
        ComparisonRow(city="乙市", concept="X", indicator="X", target="50亿元", value=50.0, unit="亿元", year=2025, citation="[2]"),
    ]
    chart, note = render.comparison_chart(Answer("", [], False, [], table=rows), "X")
    assert chart is None and "单位不同" in note


# -- 资格自查 ---------------------------------------------------------------------------------
def test_profile_question_says_who_is_asking():
    from assistant.structured import profile_question

    q = profile_question({"city": "南京市", "type": "新型研发机构", "industry": "生物医药", "rd_level": "省级"})
    assert q.startswith("我们是南京市的一家新型研发机构") and "生物医药" in q and "省级研发机构" in q
    assert profile_question({"type": "外籍人才", "city": "句容市"}).startswith("我是一名外籍人才，在句容市")


def test_eligibility_checklist_cites_each_measure_and_exports_markdown(assistant):
    profile = {"city": "南京市", "type": "新型研发机构", "industry": "", "stage": None, "rd_level": "无", "text": ""}
    result = handlers.eligibility(assistant, profile)
    answer = result.answer
    assert answer is not None and not answer.refused and answer.checklist
    for k, item in enumerate(answer.checklist, 1):
        n = render.citation_for(answer, item)
        assert n is not None
        assert f"### {k}. {render.measure_title(item.measure)}\n- **出处**：{NANJING_TITLE} › " \
               f"{render.section_path(item.section)}" in result.markdown
        assert f"{item.measure}[{n}]" in result.markdown
        for cond in item.conditions:
            assert f"【{render.STATUS_LABELS[cond.status]}】{cond.text}" in result.markdown
    assert result.markdown.count("- **需准备**：") == len(answer.checklist)
    assert "城市：南京市；主体类型：新型研发机构" in result.markdown
    assert result.export_path and Path(result.export_path).read_text(encoding="utf-8").strip() == result.markdown.strip()
    Path(result.export_path).unlink()


def test_measure_title_is_the_lead_in_phrase():
    assert render.measure_title("推进新型研发机构权益分配改革:继续支持人才持有多数股份。") == "推进新型研发机构权益分配改革"
    assert render.measure_title("对首次认定的高新技术企业给予奖励。") == "对首次认定的高新技术企业给予奖励"
    assert render.measure_title("甲" * 40 + "，乙") == "甲" * 28 + "…"


def test_preparation_notes_follow_condition_status():
    item = ChecklistItem(measure="…", doc_id="x", conditions=[
        ConditionCheck(text="对首次认定的高新技术企业", status="unknown"), ConditionCheck(text="经认定的孵化器", status="not met"),
        ConditionCheck(text="符合条件的企业", status="met")], amount_given=False)
    notes = render.preparation(item)
    assert any("核实" in n and "首次认定的高新技术企业" in n for n in notes)
    assert any("目前不符合" in n and "经认定的孵化器" in n for n in notes)
    assert not any("符合条件的企业" in n for n in notes)
    assert any("未写明支持金额" in n for n in notes)


# -- rendering -------------------------------------------------------------------------------
class _TinyIndex:
    """Two clauses of one made-up plan: enough for the pure views."""

    def __init__(self, text: str):
        self.docs = {"t": DocumentMeta(doc_id="t", city="甲市", title="甲市<规划>")}
        first = text.index("。") + 1
        self.clauses = [
            Clause("t", "t#0", ("一、总体", "（一）目标"), text[:first], 0, first, "paragraph"),
            Clause("t", "t#1", ("一、总体",), text[first:], first, len(text), "paragraph"),
        ]
        self.headings = {}

    def clause_ids_of(self, doc_id):
        return [0, 1] if doc_id == "t" else []

    def neighbours(self, clause, before=1, after=1):
        return self.clauses


def test_quote_is_highlighted_inside_its_clause_and_markup_is_escaped():
    text = "到2025年<b>高企</b>达到100家。另一条。"
    index = _TinyIndex(text)
    start = text.index("<b>")
    cite = Citation(doc_id="t", section="一、总体 > （一）目标", quote=text[start:start + 9], char_start=start, char_end=start + 9)
    card = render.source_card(index, cite, "[1]")
    assert "<mark>&lt;b&gt;高企&lt;/b&gt;</mark>" in card
    assert "到2025年<mark>" in card and "<b>" not in card
    assert "甲市&lt;规划&gt;" in card and "一、总体 › （一）目标" in card
    assert '<div class="pq-ctx">另一条。</div>' in card


def test_chat_message_escapes_answer_text_and_lists_sources():
    index = _TinyIndex("甲。乙。")
    cite = Citation(doc_id="t", section="一、总体", quote="甲。", char_start=0, char_end=2)
    answer = Answer("<script>x</script>甲。[1]", [cite], False, [], notice="问题过长")
    message = render.chat_message(answer, index)
    assert "<script>" not in message and "&lt;script&gt;" in message
    assert "[1] 甲市&lt;规划&gt; · 一、总体" in message and "pq-tag-notice" in message


def test_plans_table_and_outline(assistant):
    table = render.plans_table(assistant.index, [])
    assert set(table["doc_id"]) == set(assistant.index.docs) and set(table["来源"]) == {"内置"}
    row = table.set_index("doc_id").loc["jurong-2022"]
    assert row["文号"] == "句政办发〔2022〕41号" and row["条款数"] == len(assistant.index.clause_ids_of("jurong-2022"))
    outline = render.outline_markdown(assistant.index, "nanjing-2021")
    tops = [line[2:] for line in outline.splitlines() if line.startswith("- ")]
    assert tops[0] == "一、发展基础" and tops[-1] == "六、保障措施"
    assert "选择" in render.outline_markdown(assistant.index, "nope")


def test_a_missing_index_is_a_message_on_every_tab(tmp_path):
    from index.settings import IndexSettings
    from index.build import current_index

    gone = IndexSettings(index_dir=tmp_path / "no-index")
    assistant = Assistant(lambda: current_index(gone))
    turn = handlers.chat(assistant, "南京高企目标？", [])
    assert "python -m index build" in last_reply(turn.history) and turn.question_box == "南京高企目标？"
    assert turn.sources == render.NO_SOURCES
    assert "python -m index build" in handlers.compare(assistant, "高新技术企业数", []).note
    assert "python -m index build" in handlers.eligibility(assistant, {"type": "孵化器"}).markdown
    record = handlers.ask_record(assistant, "南京高企目标？")
    assert record["refused"] and "python -m index build" in record["answer"]


# -- issue 15: filter types, the question echo, lone surrogates, exports ----------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    (None, ()), ("", ()), ("南京市", ("南京市",)), ("南京市、南通市", ("南京市", "南通市")),
    (["南京市", "", None], ("南京市",)), (("nanjing-2021",), ("nanjing-2021",)),
])
def test_filter_names_take_a_list_or_one_string(value, expected):
    assert handlers.filter_names(value, "限定城市（cities）", '["南京市"]') == expected


@pytest.mark.parametrize("value", [5, [1, 2], [["x"]], {"city": "南京市"}, 3.5, True, b"nanjing"])
def test_filter_names_refuse_other_types_saying_what_is_expected(value):
    from index.retriever import FilterError

    with pytest.raises(FilterError, match=r"限定城市（cities）应为名称的列表，例如 \[\"南京市\"\]；收到的是"):
        handlers.filter_names(value, "限定城市（cities）", '["南京市"]')


def test_wrong_filter_types_are_a_message_in_the_chat_and_the_api(assistant):
    turn = handlers.chat(assistant, "研发强度目标是多少？", [], cities=5)
    assert "限定城市（cities）应为名称的列表" in last_reply(turn.history) and turn.question_box == "研发强度目标是多少？"
    record = handlers.ask_record(assistant, "研发强度目标是多少？", None, [["x"]])
    assert record["refused"] and "限定规划（plans）应为名称的列表" in record["answer"]
    one = handlers.ask_record(assistant, "南京到2025年高新技术企业要达到多少家？", "南京市")
    assert not one["refused"] and "20000" in one["answer"]


def test_the_record_echoes_only_the_question_used(assistant):
    long = "南京到2025年高新技术企业要达到多少家？" + "请详细说明。" * 20_000
    record = handlers.ask_record(assistant, long)
    assert "20000" in record["answer"] and len(record["question"]) == 500 and long.startswith(record["question"])
    assert handlers.ask_record(assistant, "南京高企目标？")["question"] == "南京高企目标？"  # short: as given
    refused = handlers.ask_record(assistant, "🚀" * 10_000)
    assert refused["refused"] and len(refused["question"]) <= 500
    assert len(handlers.ask_record(assistant, ["南京"] * 10_000)["question"]) <= 500


def test_outputs_carry_no_lone_surrogates(assistant):
    import json

    turn = handlers.chat(assistant, "\ud800南京到2025年高新技术企业要达到多少家？", [])
    json.dumps(turn.history, ensure_ascii=False).encode("utf-8")  # what Gradio's encoder needs
    assert "20000" in last_reply(turn.history)
    for record in (handlers.ask_record(assistant, "\udfff南京高企目标？"),
                   handlers.ask_record(assistant, "南京高企目标？", ["\ud800"])):
        json.dumps(record, ensure_ascii=False).encode("utf-8")


NANJING_PROFILE = {"city": "南京市", "type": "新型研发机构", "industry": "", "stage": None, "rd_level": "无", "text": ""}


def test_exports_keep_one_file_per_session_and_old_sessions_go(assistant, tmp_path):
    import os
    import time

    from webui.exports import ExportFolder

    exports = ExportFolder(tmp_path / "exports", max_age_s=600)
    for session in ("a", "a", "a", "b"):
        result = handlers.eligibility(assistant, NANJING_PROFILE, exports, session=session)
        assert Path(result.export_path).read_text(encoding="utf-8").strip() == result.markdown.strip()
    assert [p.parent.name for p in exports.files()] == ["a", "b"]
    old = time.time() - 3600
    os.utime(tmp_path / "exports" / "a", (old, old))
    handlers.eligibility(assistant, NANJING_PROFILE, exports, session="c")
    assert [p.parent.name for p in exports.files()] == ["b", "c"]


def test_exports_are_not_left_in_the_system_temp_folder(assistant):
    import tempfile

    def loose() -> set[str]:
        return {p.name for p in Path(tempfile.gettempdir()).glob("资格自查-*.md")}

    before = loose()
    for _ in range(3):
        handlers.eligibility(assistant, NANJING_PROFILE)
    assert loose() <= before


def test_needs_come_from_the_selector_then_from_the_note():
    from index.retriever import FilterError
    from webui.handlers import NEEDS, profile_needs

    assert {"融资", "人才", "成果转化"} <= set(NEEDS)  # the eligibility vocabulary's list
    assert profile_needs(["融资"], "还想引进海外高层次人才") == ["融资", "人才"]
    assert profile_needs(None, "资金紧张，想找银行贷款") == ["融资"]
    assert profile_needs(["人才"], "想引进外籍专家") == ["人才"]  # stated twice, listed once
    with pytest.raises(FilterError, match="未知的需求：住房.*可选：融资"):
        profile_needs(["住房"], "")


def test_the_served_page_says_it_is_chinese_before_gradio_picks_its_language():
    import asyncio

    from webui.page import PAGE_LOCALE, ChinesePage

    page = '<!doctype html>\n<html\n\tlang="en"\n><head><meta charset="utf-8" /></head><body>页面</body></html>'.encode()
    seen: dict = {}

    async def inner(scope, receive, send):
        seen["headers"] = scope["headers"]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"%d" % len(page))]})
        await send({"type": "http.response.body", "body": page})

    sent: list = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip, br")]}
    asyncio.run(ChinesePage(inner)(scope, None, send))
    body = sent[1]["body"].decode()
    assert f'lang="{PAGE_LOCALE}"' in body and "lang=\"en\"" not in body
    assert body.index("Navigator.prototype") < body.index("<meta")  # before anything else in <head>
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(sent[1]["body"])).encode()
    assert b"accept-encoding" not in dict(seen["headers"])  # asked for uncompressed HTML, so it can be rewritten


# -- the plan just uploaded is the plan in view ------------------------------------------------
def test_an_upload_puts_its_plan_in_the_chat_scope_beside_the_plans_already_chosen():
    docs = {"nanjing-2021": None, "jurong-2022": None, "new-plan": None}
    assert handlers.plans_after_upload(None, "new-plan", docs) == ["new-plan"]
    assert handlers.plans_after_upload(["jurong-2022"], "new-plan", docs) == ["jurong-2022", "new-plan"]
    assert handlers.plans_after_upload(["new-plan"], "new-plan", docs) == ["new-plan"]  # a replaced file: once
    assert handlers.plans_after_upload(["gone-2020"], "new-plan", docs) == ["new-plan"]  # no longer indexed: dropped
    assert handlers.plans_after_upload(["jurong-2022"], None, docs) == ["jurong-2022"]  # nothing added


def test_a_removed_plan_leaves_the_chat_scope():
    docs = {"nanjing-2021": None}
    assert handlers.plans_in_library(["nanjing-2021", "new-plan"], docs) == ["nanjing-2021"]
    assert handlers.plans_in_library(None, docs) == []


def test_a_question_naming_no_place_after_an_upload_is_asked_of_the_uploaded_plan(assistant):
    scope = handlers.plans_after_upload(None, "jurong-2022", assistant.index.docs)  # as if 句容's plan were the upload
    turn = handlers.chat(assistant, "规划里有哪些科技金融产品？", [], cities=[], doc_ids=scope)
    assert turn.answer is not None and turn.answer.citations
    assert {c.doc_id for c in turn.answer.citations} == {"jurong-2022"}


def test_a_question_asked_within_one_chosen_plan_is_about_its_city(assistant):
    """One plan is chosen, so a question naming no place is asked of its city: the answer names 句容市, not "各规划"."""
    turn = handlers.chat(assistant, "我们是一家科技型中小企业，可以享受哪些支持？", [], doc_ids=["jurong-2022"])
    assert turn.answer is not None and not turn.answer.refused
    assert "句容市" in turn.answer.text[:20] and "各规划" not in turn.answer.text
    assert turn.answer.query.cities == ("句容市",)
