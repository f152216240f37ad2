"""End to end in headless Chromium (issue 22 item 3): a user uploads a city's newer plan through 规划库 and reads the
两版 comparison in 版本对比 — the indicator rows with both plans' figures and the verdict, the new and dropped
indicators, the sections and topics only one plan has, every [n] marker with its source card, and the ended
period marked in the tab's header.

The app runs on its own temporary library (the upload must not reach the other browser tests' app), with
PLANQA_TODAY fixed so that 十四五 has ended and 十五五 has begun. Needs Debian's `chromium` (/usr/bin/chromium)
and Playwright, and skips with the reason when either is missing, as tests/test_app_browser.py does. Saves
build/screenshots/versions.png.
"""
from __future__ import annotations

import re

import pytest
from app_support import SHOTS, browser_page, choose, private_index
from versions_support import nanjing_next_file

pytestmark = pytest.mark.browser

TODAY = "2026-12-06"
NEW_TITLE = "南京市“十五五”科技创新规划（测试样例）"
OLD_TITLE = "南京市“十四五”科技创新规划"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("app-browser-versions")
    with browser_page(private_index(root), root / "app.log", PLANQA_TODAY=TODAY) as page:
        yield page


def row_cells(table, first_cells: tuple[str, ...]) -> list[str]:
    """The cells (text) of the row of a Gradio dataframe whose leading cells read `first_cells`. The dataframe
    draws only the rows in view (a virtual table), so its viewport is scrolled down until the row is drawn."""
    viewport = table.locator(".virtual-table-viewport")
    height = viewport.evaluate("e => e.scrollHeight")
    for top in range(0, height + 300, 300):
        viewport.evaluate("(e, top) => { e.scrollTop = top; }", top)
        table.page.wait_for_timeout(100)
        for row in table.locator("[role=row].virtual-row").all():
            cells = [c.strip() for c in row.locator("[role=gridcell]").all_inner_texts()]
            if tuple(cells[:len(first_cells)]) == first_cells:
                return cells
    raise AssertionError(f"no row {first_cells} in {table.inner_text()!r}")


def card_for(page, marker: str):
    """The source card in 版本对比's 引用条款 panel whose badge carries `marker` ("[5]"; a badge may read "[5][9]")."""
    cards = page.locator("#pq-version-sources .pq-source")
    for k in range(cards.count()):
        card = cards.nth(k)
        if marker in re.findall(r"\[\d+\]", card.locator(".pq-badge").inner_text()):
            return card
    raise AssertionError(f"no source card for {marker}")


def test_before_an_upload_the_tab_says_what_to_upload(page):
    page.get_by_role("tab", name="版本对比").click()
    note = page.locator("#pq-version-note")
    note.get_by_text(re.compile("还没有同一城市两个时期的规划")).filter(visible=True).first.wait_for()


def test_upload_a_newer_plan_then_compare_the_two_versions(page, tmp_path):
    plan = nanjing_next_file(tmp_path / "upload")
    page.get_by_role("tab", name="规划库").click()
    page.locator("#pq-upload").wait_for()
    with page.expect_response(lambda r: "/gradio_api/upload" in r.url and r.ok):
        page.locator("#pq-upload input[type=file]").set_input_files(str(plan))
    page.locator("#pq-upload").get_by_text(plan.stem).filter(visible=True).first.wait_for()
    page.locator("#pq-upload-btn").click()
    page.locator("#pq-library-status").get_by_text(re.compile(f"已加入《{re.escape(NEW_TITLE)}》")).filter(
        visible=True).first.wait_for()

    page.get_by_role("tab", name="版本对比").click()
    choose(page, "pq-version-city", "南京市")
    page.locator("#pq-versions").click()
    table = page.locator("#pq-version-table")
    table.get_by_text("2030年 30000家").filter(visible=True).first.wait_for()

    # the header names both plans and periods, the one whose period is over marked so
    note = page.locator("#pq-version-note").inner_text()
    assert f"《{OLD_TITLE}》（“十四五”，2021—2025年，规划期已结束）" in note
    assert f"《{NEW_TITLE}》（“十五五”，2026—2030年）" in note

    # an indicator both plans set: each plan's base and target, the change and the verdict
    header = [c.strip() for c in table.locator("[role=columnheader]").all_inner_texts() if c.strip()]
    for column in ("十四五基期", "十四五目标", "十五五基期", "十五五目标", "目标变化", "十四五目标完成情况", "引用"):
        assert any(column in h for h in header), (column, header)
    hi = row_cells(table, ("延续", "高新技术企业数"))
    assert hi[2:8] == ["2020年 6507家", "2025年 20000家", "2025年 21000家", "2030年 30000家", "提高10000家（+50%）", "达成"]
    rd = row_cells(table, ("延续", "全社会研发经费投入强度（十四五：全社会研发经费支出占地区生产总值比例）"))
    assert rd[3] == "2025年 4%" and rd[4] == "2025年 3.9%" and rd[7] == "未达成"
    assert all(row[7] in ("达成", "未达成", "无法判断") for row in (hi, rd))
    # new and dropped indicators
    assert row_cells(table, ("新增", "人工智能核心产业规模"))[5] == "2030年 2000亿元"
    dropped = row_cells(table, ("不再列出", "有国际影响力的新型研发机构"))
    assert dropped[5] == "—" and dropped[7] == "无法判断"

    # sections and topics only one plan has
    only = page.locator("#pq-version-only")
    only.get_by_text("（二）实施“人工智能+”科技行动").filter(visible=True).first.wait_for()
    added = row_cells(only, ("新增章节", "十五五", "（二）实施“人工智能+”科技行动"))
    gone = row_cells(only, ("不再单独成节", "十四五", "四、空间布局"))
    # a topic only the old plan's section titles carry and nothing in the new plan writes about (a numbered item such
    # as 3.推动农业园区高端攀升 is not a section title of its own)
    opened = row_cells(only, ("减少的主题（仅旧版章节标题涉及）", "十四五", "区域协同与开放"))

    # every [n] marker has its source card, on its own plan, quoting what the cell says
    old_marker, new_marker = re.findall(r"\[\d+\]", hi[8])
    old_card, new_card = card_for(page, old_marker), card_for(page, new_marker)
    assert OLD_TITLE in old_card.locator(".pq-title").inner_text() and "20000" in old_card.inner_text()
    assert NEW_TITLE in new_card.locator(".pq-title").inner_text() and "30000" in new_card.inner_text()
    new_card.scroll_into_view_if_needed()
    assert new_card.is_visible()
    section_card = card_for(page, re.findall(r"\[\d+\]", added[3])[0])
    assert NEW_TITLE in section_card.inner_text() and "实施“人工智能+”科技行动" in section_card.inner_text()
    assert "四、空间布局" in card_for(page, re.findall(r"\[\d+\]", gone[3])[0]).inner_text()
    assert any("构建高水平开放创新融合体系" in card_for(page, m).inner_text() for m in re.findall(r"\[\d+\]", opened[3]))
    shown = "".join(page.locator("#pq-version-sources .pq-badge").all_inner_texts())
    for text in (table.inner_text(), only.inner_text()):
        assert set(re.findall(r"\[\d+\]", text)) <= set(re.findall(r"\[\d+\]", shown))

    table.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "versions.png"), full_page=True)
