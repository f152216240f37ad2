"""Issue 22 items 2 and 4: every citation names its plan's period ("2021-2025") and whether that period has ended
(judged against PLANQA_TODAY), through the assistant's record, the JSON API (/api/ask, /api/plans), the
OpenAI-compatible /v1 route and MCP; 规划库 shows each plan's kind and period, marked 规划期已结束 when over."""
from __future__ import annotations

import asyncio
import json

import pytest

from assistant.contract import ApiAnswer, Citation
from ingest.metadata import infer_metadata
from ingest.records import DocumentMeta

NANJING = "南京到2025年高新技术企业要达到多少家？"
JIANGYIN = "江阴到2022年高新技术企业要达到多少家？"


def test_the_contract_carries_a_period_and_leaves_it_out_when_unknown():
    bare = Citation(doc_id="x", section="", quote="q", char_start=0, char_end=1)
    assert bare.period is None and bare.period_ended is None
    stamped = ApiAnswer.model_validate({"question": "q", "answer": "a", "refused": False, "citations": [
        {"doc_id": "x", "section": "", "quote": "q", "char_start": 0, "char_end": 1, "title": "t",
         "period": "2021-2025", "period_ended": True}]})
    assert stamped.model_dump()["citations"][0] == {
        "doc_id": "x", "section": "", "quote": "q", "char_start": 0, "char_end": 1, "title": "t", "city": None,
        "period": "2021-2025", "period_ended": True}


def test_stamp_reads_the_title_then_the_stored_range_and_judges_by_the_year():
    from assistant.versions import stamp_periods

    docs = {"old": DocumentMeta("old", "甲市", "甲市“十四五”科技创新规划"),  # no stored range: the title's ordinal
            "act": DocumentMeta("act", "乙市", "乙市创新行动计划", period="2020-2022"),
            "none": DocumentMeta("none", "丙市", "丙市科技创新工作要点")}
    cites = [Citation(doc_id=d, section="", quote="q", char_start=0, char_end=1) for d in ("old", "act", "none", "gone")]
    stamp_periods(cites, docs, year=2025)
    assert [(c.period, c.period_ended) for c in cites] == [("2021-2025", False), ("2020-2022", True), (None, None), (None, None)]
    stamp_periods(cites, docs, year=2026)
    assert cites[0].period_ended is True


def test_metadata_reads_a_five_year_period_with_the_periods_module():
    meta = infer_metadata("甲市“十五五”科技创新规划\n\n一、发展基础\n正文。", "甲市.txt")
    assert meta.period == "2026-2030"
    assert infer_metadata("乙市创新行动计划（2020－2022年）\n\n正文。", "乙.txt").period == "2020-2022"


def test_ask_record_names_each_citations_period_ended_or_not(assistant, monkeypatch):
    monkeypatch.setenv("PLANQA_TODAY", "2024-06-01")
    record = assistant.ask(NANJING).record(NANJING)
    assert record.citations and all(c.doc_id == "nanjing-2021" for c in record.citations)
    assert {(c.period, c.period_ended) for c in record.citations} == {("2021-2025", False)}
    monkeypatch.setenv("PLANQA_TODAY", "2026-12-06")
    record = assistant.ask(NANJING).record(NANJING)
    assert {(c.period, c.period_ended) for c in record.citations} == {("2021-2025", True)}
    jiangyin = assistant.ask(JIANGYIN).record(JIANGYIN)
    assert jiangyin.citations and {(c.period, c.period_ended) for c in jiangyin.citations} == {("2020-2022", True)}
    assert json.loads(jiangyin.model_dump_json())["citations"][0]["period"] == "2020-2022"


def test_a_bad_today_is_a_clear_error(assistant, monkeypatch):
    monkeypatch.setenv("PLANQA_TODAY", "next year")
    with pytest.raises(ValueError, match="PLANQA_TODAY"):
        assistant.ask(NANJING)


def test_json_api_and_v1_carry_the_period(client, monkeypatch):
    monkeypatch.setenv("PLANQA_TODAY", "2023-03-01")
    body = client.post("/api/ask", json={"question": JIANGYIN}).json()
    assert body["citations"] and {(c["period"], c["period_ended"]) for c in body["citations"]} == {("2020-2022", True)}
    body = client.post("/api/ask", json={"question": NANJING}).json()
    assert {(c["period"], c["period_ended"]) for c in body["citations"]} == {("2021-2025", False)}
    chat = client.post("/v1/chat/completions", json={"model": "planqa", "messages": [{"role": "user", "content": NANJING}]})
    cites = chat.json()["citations"]
    assert cites and {(c["period"], c["period_ended"]) for c in cites} == {("2021-2025", False)}
    plans = {p["doc_id"]: p for p in client.get("/api/plans").json()}
    assert (plans["jiangyin-2020"]["kind"], plans["jiangyin-2020"]["period"], plans["jiangyin-2020"]["period_ended"]) == \
        ("三年行动计划", "2020-2022", True)
    assert (plans["nanjing-2021"]["kind"], plans["nanjing-2021"]["period_ended"]) == ("五年规划", False)


def test_mcp_ask_carries_the_period(assistant, monkeypatch):
    from assistant.mcp import build_server

    monkeypatch.setenv("PLANQA_TODAY", "2026-12-06")
    result = asyncio.run(build_server(lambda: assistant).call_tool("ask", {"question": NANJING}))
    cites = json.loads(result.content[0].text)["citations"]
    assert cites and {(c["period"], c["period_ended"], c["title"]) for c in cites} == {
        ("2021-2025", True, "南京市“十四五”科技创新规划")}


def test_plan_library_shows_kind_and_ended_period(assistant, monkeypatch):
    from webui import render

    monkeypatch.setenv("PLANQA_TODAY", "2024-06-01")
    table = render.plans_table(assistant.index, []).set_index("doc_id")
    assert table.loc["nanjing-2021", "类别"] == "五年规划" and table.loc["nanjing-2021", "规划期"] == "“十四五”（2021—2025年）"
    assert table.loc["jiangyin-2020", "类别"] == "三年行动计划"
    assert table.loc["jiangyin-2020", "规划期"] == "2020—2022年，规划期已结束"
    answer = assistant.ask(JIANGYIN)
    assert "（2020-2022，规划期已结束）" in render.chat_message(answer, assistant.index)


def test_source_cards_carry_the_plan_period_and_ended_mark(assistant, monkeypatch):
    """The 来源 panel's card of each cited clause names its plan's period beside the title, marked when over — as the
    chat's citation list does — so a reader of two plans of one city sees which one each clause comes from."""
    from webui import render

    monkeypatch.setenv("PLANQA_TODAY", "2024-06-01")
    html = render.sources_html(assistant.ask(JIANGYIN), assistant.index)
    assert '<span class="pq-period pq-period-ended">（2020-2022，规划期已结束）</span>' in html
    html = render.sources_html(assistant.ask(NANJING), assistant.index)
    assert '<span class="pq-period">（2021-2025）</span>' in html
