"""Structured operations (issue 21 item 3): a comparison and an eligibility check are asked from their fields.

`Assistant.compare(indicator, cities, year)` and `Assistant.check_eligibility(profile)` set the intent, the cities
and the year themselves (`assistant.structured`); nothing is read back out of a composed sentence. The page's
城市对比 and 资格自查, the JSON API and MCP all call `assistant.tools` (`compared` / `eligible`), so each gives
the same answer. Real corpus, a freshly built index (conftest.built_index).
"""
from __future__ import annotations

import asyncio
import json

import pytest

from assistant import tools
from assistant.mcp import build_server
from assistant.service import Assistant
from webui import handlers
from webui.exports import ExportFolder


def mcp_result(assistant: Assistant, tool: str, arguments: dict) -> dict:
    result = asyncio.run(build_server(lambda: assistant).call_tool(tool, arguments))
    return json.loads(result.content[0].text)


def test_a_profile_naming_two_cities_is_still_an_eligibility_check(assistant):
    """Parsed as a sentence, "南京和南通有什么支持" named two cities and made the question a comparison (a table of
    科技型中小企业数); asked as an eligibility check it lists measures of both cities."""
    answer, question = tools.eligible(assistant, {"type": "科技型中小企业", "text": "南京和南通有什么支持"})
    assert "南京和南通有什么支持" in question
    assert answer.query.intent == "eligibility" and set(answer.query.cities) == {"南京市", "南通市"}
    assert answer.checklist and not answer.table
    assert {item.city for item in answer.checklist} <= {"南京市", "南通市"}


def test_a_profile_asking_for_a_figure_is_still_an_eligibility_check(assistant):
    answer = assistant.check_eligibility({"city": "南京市", "type": "科技型中小企业", "text": "高新技术企业数目标是多少"})
    assert answer.query.intent == "eligibility" and answer.query.cities == ("南京市",)
    assert answer.checklist and all(item.city == "南京市" for item in answer.checklist)


def test_compare_takes_its_cities_and_year_as_given(assistant):
    answer = assistant.compare("高新技术企业数", ["南京市", "南通市"], 2025)
    q = answer.query
    assert (q.intent, q.cities, q.year, q.concepts) == ("compare", ("南京市", "南通市"), 2025, ("高新技术企业数",))
    rows = {row.city: row for row in answer.table}
    assert set(rows) == {"南京市", "南通市"} and all(row.year == 2025 for row in rows.values())
    assert rows["南京市"].value == 20000 and rows["南通市"].value == 3600


def test_a_year_that_is_not_one_is_refused(assistant):
    for year in (25, "2025", True):
        with pytest.raises(tools.InputError, match="year 应为四位数的年份"):
            tools.compare(assistant, "高新技术企业数", ["南京市", "南通市"], year)  # type: ignore[arg-type]


def test_the_page_the_json_api_and_mcp_give_one_comparison(assistant):
    concept, cities = "上海的研发投入", ["南京市", "南通市"]  # a place outside the chosen cities is said so
    page = handlers.compare(assistant, concept, cities).answer
    api = tools.compare(assistant, concept, cities)
    mcp = mcp_result(assistant, "compare", {"indicator": concept, "cities": cities})
    assert page is not None and page.text == api.answer and page.text.startswith("上海的规划不在所选范围")
    assert [(c.doc_id, c.char_start) for c in page.citations] == [(c.doc_id, c.char_start) for c in api.citations]
    assert mcp["answer"] == api.answer and mcp["table"] == [row.model_dump(mode="json") for row in api.table]


def test_the_page_the_json_api_and_mcp_give_one_eligibility_answer(assistant, tmp_path):
    # the page adds the needs its 补充说明 states (人才) to the selector's: the API is sent the profile the page asks
    profile = {"city": "南京", "type": "外籍人才", "needs": ["人才"], "text": "南通有什么人才政策"}
    page = handlers.eligibility(assistant, dict(profile), ExportFolder(tmp_path)).answer
    api = tools.check_eligibility(assistant, dict(profile))
    mcp = mcp_result(assistant, "check_eligibility", {"profile": profile})
    assert page is not None and page.text == api.answer and page.text.startswith("南通市的规划不在所选范围")
    assert [(c.doc_id, c.char_start) for c in page.citations] == [(c.doc_id, c.char_start) for c in api.citations]
    assert mcp["answer"] == api.answer and {item["city"] for item in mcp["checklist"]} == {"南京市"}
