"""Issue 22 items 2-4: a city's two plans as the version table (`contract.VersionDiff`), one definition
(`assistant.version_table.versions`) served by the JSON API (`/api/versions`), MCP (`versions`) and the page's
版本对比 view (indicators, the sections and topics only one plan has, ended periods marked in its header); and which
plan a question means (period, year, base year, or the current plan) with each citation's period and ended mark,
through the assistant, `/api/ask` and MCP `ask`. Tested once a newer plan of a shipped city (南京市,
`versions_support.NANJING_NEXT`) is uploaded."""
from __future__ import annotations

import asyncio
import re

import pytest
from fastapi.testclient import TestClient
from versions_support import upload_nanjing_next

pytest_plugins = ("reliability_support",)
TODAY = "2026-12-06"


@pytest.fixture(scope="module")
def series_index(built_index, tmp_path_factory):
    """(assistant, doc_id of the newer 南京 plan) over a private copy of the index with that plan uploaded."""
    from reliability_support import clone_index

    from assistant import Assistant

    root = tmp_path_factory.mktemp("versions")
    settings = clone_index(built_index, root / "index")
    assistant = Assistant.from_index(settings)
    return assistant, upload_nanjing_next(settings, assistant, root / "files")


@pytest.fixture(scope="module")
def client(series_index):
    from webui.api_common import Engine
    from webui.server import create_app
    from webui.settings import ServeSettings

    app = create_app(ServeSettings(), Engine.ready_with(series_index[0]), page=None)
    with TestClient(app, base_url="http://127.0.0.1:7860") as c:
        yield c


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("PLANQA_TODAY", TODAY)


def check_table(table: dict, new_id: str, sources: dict[str, str]) -> None:
    """The 南京 table: rows matched by concept with both sides' years, the change, verdicts, new/dropped, citations."""
    assert table["city"] == "南京市"
    assert (table["old"]["doc_id"], table["old"]["period"], table["old"]["label"], table["old"]["period_ended"]) == \
        ("nanjing-2021", "2021-2025", "十四五", True)
    assert (table["new"]["doc_id"], table["new"]["period"], table["new"]["period_ended"]) == (new_id, "2026-2030", False)
    rows = {r["indicator"]: r for r in table["indicators"]}
    hi = rows["高新技术企业数"]
    assert (hi["old"]["base"], hi["old"]["base_year"], hi["old"]["target"], hi["old"]["target_year"]) == ("6507", 2020, "20000", 2025)
    assert (hi["new"]["base"], hi["new"]["base_year"], hi["new"]["target"], hi["new"]["target_year"]) == ("21000", 2025, "30000", 2030)
    assert (hi["change"], hi["change_pct"], hi["status"], hi["actual"]) == (10000, 50, "达成", "21000")
    rd = rows["全社会研发经费投入强度"]  # matched by concept: 全社会研发经费支出占地区生产总值比例
    assert rd["old"]["indicator"] == "全社会研发经费支出占地区生产总值比例" and rd["old"]["unit"] == "%"
    assert (rd["old"]["target"], rd["new"]["base"], rd["status"], rd["change"]) == ("4", "3.9", "未达成", 0.5)
    assert [r["indicator"] for r in table["added"]] == ["人工智能核心产业规模"]
    assert table["added"][0]["old"] is None and table["added"][0]["status"] is None
    dropped = {r["indicator"]: r for r in table["dropped"]}
    assert dropped["有国际影响力的新型研发机构"]["new"] is None and dropped["有国际影响力的新型研发机构"]["status"] == "无法判断"
    for side, doc in (("old", "nanjing-2021"), ("new", new_id)):  # every cell cited on its own plan, exactly
        cite = hi[side]["citation"]
        assert cite["doc_id"] == doc and sources[doc][cite["char_start"]:cite["char_end"]] == cite["quote"]
        assert hi[side]["target"] in cite["quote"] and cite["period"] == table[side]["period"]
    assert hi["actual_citation"] == hi["new"]["citation"]
    assert rd["old"]["citation"]["period_ended"] is True and rd["new"]["citation"]["period_ended"] is False


def test_the_version_table_through_the_tools(series_index):
    from assistant import version_table

    assistant, new_id = series_index
    table = version_table.versions(assistant, "南京")
    check_table(table.model_dump(), new_id, assistant.index.sources)
    assert version_table.versions(assistant, None, [new_id, "nanjing-2021"]) == table  # by the two plans, in either order


@pytest.mark.parametrize(("city", "doc_ids", "message"), [
    ("南通市", None, "南通市只有一个时期的规划（《南通市“十四五”科技创新规划》）"),
    ("苏州市", None, "没有这个城市的规划：苏州市"),
    (None, None, "city 为空"),
    (None, ["nanjing-2021", "nantong-2021"], "doc_ids 应为同一城市的两个规划"),
    ("南京市", ["nanjing-2021"], "doc_ids 应为南京市两个时期的两个规划"),
    ("南京市", ["nanjing-2022"], "没有这个规划：nanjing-2022"),
])
def test_bad_requests_say_what_can_be_compared(series_index, city, doc_ids, message):
    from assistant import tools, version_table

    with pytest.raises(tools.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        version_table.versions(series_index[0], city, doc_ids)


def test_json_api_serves_the_version_table(series_index, client):
    assistant, new_id = series_index
    response = client.post("/api/versions", json={"city": "南京市"})
    assert response.status_code == 200, response.text
    check_table(response.json(), new_id, assistant.index.sources)
    assert client.post("/api/versions", json={"doc_ids": ["nanjing-2021", new_id]}).json() == response.json()
    one = client.post("/api/versions", json={"city": "南通市"})
    assert one.status_code == 400 and "版本对比需要同一城市两个时期的规划" in one.json()["error"]["message"]
    assert client.post("/api/versions", json={"city": "南京市", "year": 2025}).status_code in (400, 422)
    assert "/api/versions" in client.get("/openapi.json").json()["paths"]


def test_mcp_versions_tool_in_process_and_over_http(series_index):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from assistant.mcp import build_server
    from webui.api_common import Engine
    from bench.process import served
    from webui.server import create_app
    from webui.settings import ServeSettings

    assistant, new_id = series_index

    async def in_process():
        async with Client(build_server(lambda: assistant)) as c:
            return await c.call_tool("versions", {"city": "南京市"}), await c.call_tool("versions", {"city": "南通市"})

    table, single = asyncio.run(in_process())
    check_table(table.structured_content, new_id, assistant.index.sources)
    assert single.is_error and "版本对比需要同一城市两个时期的规划" in single.content[0].text

    app = create_app(ServeSettings(), Engine.ready_with(assistant), page=None)

    async def over_http(port):
        http = httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=60))
        async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as c:
            names = sorted(t.name for t in (await c.list_tools()).tools)
            return names, await c.call_tool("versions", {"doc_ids": ["nanjing-2021", new_id]})

    with served(app) as port:
        names, remote = asyncio.run(over_http(port))
    assert "versions" in names
    check_table(remote.structured_content, new_id, assistant.index.sources)


def test_the_pages_version_view_shows_the_same_table(series_index):
    from webui import handlers

    assistant, new_id = series_index
    assert handlers.version_cities(assistant.index) == ["南京市"]
    view = handlers.versions(assistant, "南京市")
    assert "《南京市“十四五”科技创新规划》（“十四五”，2021—2025年，规划期已结束）" in view.note
    rows = view.table.set_index("指标")
    hi = rows.loc["高新技术企业数"]
    assert (hi["类别"], hi["十四五目标"], hi["十五五基期"], hi["十五五目标"], hi["十四五目标完成情况"]) == \
        ("延续", "2025年 20000家", "2025年 21000家", "2030年 30000家", "达成")
    assert hi["目标变化"] == "提高10000家（+50%）"
    rd = rows.loc["全社会研发经费投入强度（十四五：全社会研发经费支出占地区生产总值比例）"]
    assert (rd["目标变化"], rd["十四五目标完成情况"]) == ("提高0.5个百分点（+12.5%）", "未达成")
    assert rows.loc["人工智能核心产业规模", "类别"] == "新增" and rows.loc["有国际影响力的新型研发机构", "类别"] == "不再列出"
    markers = re.findall(r"\[(\d+)\]", "".join(view.table["引用"]))
    cards = re.findall(r'<span class="pq-badge">([^<]*)</span>', view.sources)
    assert markers and {f"[{m}]" for m in markers} <= set(re.findall(r"\[\d+\]", "".join(cards)))  # + the sections' cards
    assert "20000" in view.sources and "30000" in view.sources
    one = handlers.versions(assistant, "南通市")
    assert one.table.empty and "版本对比需要同一城市两个时期的规划" in one.note


def cards_by_marker(sources: str) -> dict[str, str]:
    """[n] → the source card (HTML) whose badge carries it (a card's badge may join several: "[3][7]")."""
    found = {}
    for card in sources.split('<div class="pq-source">')[1:]:
        badge = re.search(r'<span class="pq-badge">([^<]*)</span>', card).group(1)
        for marker in re.findall(r"\[\d+\]", badge):
            found[marker] = card
    return found


def test_the_pages_version_view_lists_sections_and_topics_of_one_plan_each_cited(series_index):
    from assistant import version_table
    from webui import handlers

    assistant, new_id = series_index
    diff = version_table.versions(assistant, "南京市")
    view = handlers.versions(assistant, "南京市")
    only = view.only
    assert list(only.columns) == ["类别", "规划", "章节或主题", "引用"]
    listed = {kind: list(only.loc[only["类别"] == kind, "章节或主题"]) for kind in set(only["类别"])}
    assert listed.get("新增章节", []) == [s.title for s in diff.sections_added]
    assert listed.get("不再单独成节", []) == [s.title for s in diff.sections_dropped]
    assert listed.get("新增主题（仅新版章节标题涉及）", []) == [t.title for t in diff.topics_added]
    assert listed.get("减少的主题（仅旧版章节标题涉及）", []) == [t.title for t in diff.topics_dropped]
    # what the made-up plan was written to change: a chapter on 人工智能+ it adds, 空间布局 it has not; and a topic
    # of the old plan's section titles it writes nothing about (开放创新). 农业 is only an item of the old plan
    # (3.推动农业园区高端攀升 under 高新区), not a section title, so it is no topic that lost a section
    assert "（二）实施“人工智能+”科技行动" in listed["新增章节"] and "四、空间布局" in listed["不再单独成节"]
    assert "区域协同与开放" in listed["减少的主题（仅旧版章节标题涉及）"]
    assert "农业科技" not in listed["减少的主题（仅旧版章节标题涉及）"]
    assert set(only.loc[only["类别"].str.startswith("新增"), "规划"]) <= {"十五五"}
    assert set(only.loc[~only["类别"].str.startswith("新增"), "规划"]) == {"十四五"}

    cards = cards_by_marker(view.sources)
    titles = {"十四五": "南京市“十四五”科技创新规划", "十五五": "南京市“十五五”科技创新规划（测试样例）"}
    for row in only.itertuples():  # each title cited on its own plan, every marker with its card
        markers = re.findall(r"\[\d+\]", row.引用)
        assert markers, row
        for marker in markers:
            assert titles[row.规划] in cards[marker], (row, marker)
        if row.类别 in ("新增章节", "不再单独成节"):
            assert any(row.章节或主题 in cards[m] for m in markers), row
    opened = only.loc[only["章节或主题"] == "区域协同与开放", "引用"].item()
    assert any("构建高水平开放创新融合体系" in cards[m] for m in re.findall(r"\[\d+\]", opened))
    # one numbering for both tables: every marker of either has a card, and no card goes unreferenced
    used = set(re.findall(r"\[\d+\]", "".join(view.table["引用"]) + "".join(only["引用"])))
    assert used == set(cards)


def test_the_version_views_header_marks_each_plan_whose_period_has_ended(series_index, monkeypatch):
    from webui import handlers

    assistant, _ = series_index
    old = "《南京市“十四五”科技创新规划》（“十四五”，2021—2025年"
    new = "《南京市“十五五”科技创新规划（测试样例）》（“十五五”，2026—2030年"
    note = handlers.versions(assistant, "南京市").note  # today 2026-12-06
    assert f"{old}，规划期已结束）" in note and f"{new}）" in note
    monkeypatch.setenv("PLANQA_TODAY", "2025-06-01")
    note = handlers.versions(assistant, "南京市").note
    assert f"{old}）" in note and f"{new}）" in note and "规划期已结束" not in note
    monkeypatch.setenv("PLANQA_TODAY", "2031-01-01")
    note = handlers.versions(assistant, "南京市").note
    assert f"{old}，规划期已结束）" in note and f"{new}，规划期已结束）" in note


# -- which plan a question means (issue 22 item 2), through the assistant, the JSON API and MCP ------------------
# (question, PLANQA_TODAY, the plan it must be answered from, a figure the answer states, the plan's period, ended)
ROUTED = [
    ("南京十四五时期高新技术企业目标是多少家？", TODAY, "nanjing-2021", "20000", "2021-2025", True),
    ("南京到2030年高新技术企业要达到多少家？", TODAY, "new", "30000", "2026-2030", False),
    ("南京2020年高新技术企业有多少家？", TODAY, "nanjing-2021", "6507", "2021-2025", True),  # 十四五's base year
    ("南京高新技术企业目标是多少家？", TODAY, "new", "30000", "2026-2030", False),  # none: the current plan
    ("南京高新技术企业目标是多少家？", "2025-06-01", "nanjing-2021", "20000", "2021-2025", False),  # 十五五 not begun
]
PLAN_NAMES = {"nanjing-2021": "《南京市“十四五”科技创新规划》", "new": "《南京市“十五五”科技创新规划（测试样例）》"}


def check_routed(body: dict, new_id: str, plan: str, figure: str, period: str, ended: bool) -> None:
    """An answer (JSON contract) from `plan` alone: its figure, each citation's period and ended mark, and the
    answer naming the plan, marked 规划期已结束 exactly when its period is over."""
    doc = new_id if plan == "new" else plan
    assert not body["refused"] and figure in body["answer"], body["answer"]
    assert body["citations"] and {(c["doc_id"], c["period"], c["period_ended"]) for c in body["citations"]} == \
        {(doc, period, ended)}
    assert PLAN_NAMES[plan] in body["answer"]
    assert ("规划期已结束" in body["answer"]) == ended


@pytest.mark.parametrize(("question", "today", "plan", "figure", "period", "ended"), ROUTED)
def test_period_routing_and_the_ended_mark_through_the_assistant(series_index, monkeypatch, question, today, plan,
                                                                  figure, period, ended):
    assistant, new_id = series_index
    monkeypatch.setenv("PLANQA_TODAY", today)
    check_routed(assistant.ask(question).record(question).model_dump(), new_id, plan, figure, period, ended)


def test_period_routing_and_the_ended_mark_through_the_json_api(series_index, client, monkeypatch):
    _, new_id = series_index
    for question, today, plan, figure, period, ended in ROUTED:
        monkeypatch.setenv("PLANQA_TODAY", today)
        response = client.post("/api/ask", json={"question": question})
        assert response.status_code == 200, response.text
        check_routed(response.json(), new_id, plan, figure, period, ended)
    monkeypatch.setenv("PLANQA_TODAY", TODAY)
    body = client.post("/api/ask", json={"question": "南京十三五时期高新技术企业目标是多少家？"}).json()
    assert body["refused"] and not body["citations"]  # a period neither plan covers: refused, naming both
    assert "“十三五”" in body["answer"] and all(name in body["answer"] for name in PLAN_NAMES.values())


def test_period_routing_and_the_ended_mark_through_mcp(series_index, monkeypatch):
    import json

    from assistant.mcp import build_server

    assistant, new_id = series_index
    server = build_server(lambda: assistant)
    for question, today, plan, figure, period, ended in ROUTED:
        monkeypatch.setenv("PLANQA_TODAY", today)
        result = asyncio.run(server.call_tool("ask", {"question": question}))
        check_routed(json.loads(result.content[0].text), new_id, plan, figure, period, ended)
