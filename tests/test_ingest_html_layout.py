"""A plan published as a web page (issue 19's second other-layout plan, in miniature): 第一部分 parts
with decimal 1.1 / 1.1.1 headings, a 专栏 box in a <div> followed by the next section, an indicator
<table> whose 类别 cell spans rows, and a header table of labelled cells (发布机构, 文号, 名称)."""
from __future__ import annotations

from pathlib import Path

from ingest import parse_file, read_document
from ingest.structure import strip_numbering

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于印发规划的通知</title></head><body>
<table class="meta">
<tr><td>发布机构：</td><td>甲市乙区人民政府</td><td>发文日期：</td><td>2021-09-18</td></tr>
<tr><td>文　　号：</td><td>乙政发〔2021〕5号</td><td>发布日期：</td><td>2021-09-26</td></tr>
<tr><td>名　　称：</td><td colspan="3">甲市乙区人民政府关于印发《乙区“十四五”科技创新规划》的通知</td></tr>
</table>
<h1>乙区“十四五”科技创新规划</h1>
<p>本规划阐明全区科技创新的发展基础和重点任务。</p>
<h2>第一部分　发展基础</h2>
<h3>1.1　发展成效</h3>
<h4>1.1.1　创新投入持续加大</h4>
<p>2020年，全区研发经费支出占比达到3.1%。</p>
<h4>1.1.2　创新主体加快壮大</h4>
<p>全区高新技术企业达到312家。</p>
<h3>1.2　主要指标</h3>
<p>表1　主要指标</p>
<table>
<tr><th>类别</th><th>序号</th><th>指标名称</th><th>单位</th><th>2020年基数</th><th>2025年目标</th><th>属性</th></tr>
<tr><td rowspan="2">创新投入</td><td>1</td><td>研发经费投入强度</td><td>%</td><td>3.1</td><td>3.6</td><td>预期性</td></tr>
<tr><td>2</td><td>区级财政科技支出占比</td><td>%</td><td>4.8</td><td>6</td><td>约束性</td></tr>
<tr><td>创新主体</td><td>3</td><td>高新技术企业数</td><td>家</td><td>312</td><td>600</td><td>预期性</td></tr>
</table>
<h2>第二部分　重点任务</h2>
<h3>2.1　壮大创新型企业</h3>
<p>构建梯次培育体系，推动创新型企业数量和质量同步提升。</p>
<div class="box"><p>专栏1　企业培育工程</p>
<ul><li>“青苗计划”：每年遴选200家企业。</li><li>“青松计划”：每年组织培训10场次。</li></ul></div>
<h3>2.2　打造创新平台</h3>
<p>高标准建设实验室，推动新型研发机构提质增效。</p>
<h4>2.2.1　建设公共技术服务平台</h4>
<p>建设检验检测公共服务平台。</p>
</body></html>
"""


def _page(tmp_path: Path) -> Path:
    path = tmp_path / "yiqu-2021-plan.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_parts_and_decimal_headings_are_outline_levels(tmp_path):
    doc = parse_file(_page(tmp_path))
    outline = [(h.level, h.title) for h in doc.headings]
    assert outline == [
        (1, "第一部分 发展基础"),
        (2, "1.1 发展成效"),
        (3, "1.1.1 创新投入持续加大"),
        (3, "1.1.2 创新主体加快壮大"),
        (2, "1.2 主要指标"),
        (1, "第二部分 重点任务"),
        (2, "2.1 壮大创新型企业"),
        (2, "2.2 打造创新平台"),
        (3, "2.2.1 建设公共技术服务平台"),
    ]


def test_a_box_closes_at_the_next_section_heading(tmp_path):
    doc = parse_file(_page(tmp_path))
    by_text = {doc.text[c.char_start:c.char_end]: c for c in doc.clauses}
    item = next(c for t, c in by_text.items() if t.startswith("“青苗计划”"))
    assert item.caption and "专栏1" in item.caption and item.section[-1] == "2.1 壮大创新型企业"
    after = next(c for t, c in by_text.items() if t.startswith("高标准建设实验室"))
    assert after.caption is None and after.section == ("第二部分 重点任务", "2.2 打造创新平台")
    last = next(c for t, c in by_text.items() if t.startswith("建设检验检测"))
    assert last.caption is None and last.section[-1] == "2.2.1 建设公共技术服务平台"


def test_decimal_numbering_is_stripped_like_any_other(tmp_path):
    assert strip_numbering("1.2.1　创新投入持续加大") == "创新投入持续加大"
    assert strip_numbering("### 3.2 打造高能级创新平台") == "打造高能级创新平台"


def test_a_cell_spanning_rows_repeats_so_columns_stay_aligned(tmp_path):
    text = read_document(_page(tmp_path))
    assert "创新投入\t2\t区级财政科技支出占比\t%\t4.8\t6\t约束性" in text
    doc = parse_file(_page(tmp_path))
    rows = {r.indicator: r for r in doc.indicators}
    assert set(rows) == {"研发经费投入强度", "区级财政科技支出占比", "高新技术企业数"}
    second = rows["区级财政科技支出占比"]
    assert (second.unit, second.baseline.value, second.target.value, second.attribute) == ("%", 4.8, 6.0, "约束性")
    assert (second.baseline.year, second.target.year, second.category) == (2020, 2025, "创新投入")


def test_a_labelled_header_cell_is_not_part_of_the_issuer(tmp_path):
    meta = parse_file(_page(tmp_path)).meta
    assert meta.issuer == "甲市乙区人民政府"
    assert meta.doc_number == "乙政发〔2021〕5号"
    assert meta.date == "2021-09-18"
    assert meta.title == "乙区“十四五”科技创新规划"


def test_an_unnumbered_heading_as_high_as_the_boxs_section_closes_the_box(tmp_path):
    path = tmp_path / "boxes.html"
    path.write_text(
        "<h1>丙县科技创新规划</h1><h2>一、重点任务</h2><h3>推进平台建设</h3><p>建设一批研发平台。</p>"
        "<div><p>专栏1　平台工程</p><ul><li>建设实验室3家。</li></ul></div>"
        "<h3>强化人才支撑</h3><p>引进一批高层次人才。</p>",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert [h.title for h in doc.headings] == ["一、重点任务", "推进平台建设", "强化人才支撑"]
    after = next(c for c in doc.clauses if c.text.startswith("引进一批"))
    assert after.caption is None and after.section[-1] == "强化人才支撑"


def test_decimal_headings_in_plain_text_but_not_decimal_sentences():
    from ingest.parse import parse_text
    from ingest.records import DocumentMeta

    text = "某区科技创新规划\n\n第一部分 总体要求\n\n1.1 指导思想\n\n正文。\n\n1.1.1 基本原则\n\n11.5 条措施已全部落实。\n\n1.2 发展目标\n\n正文。"
    doc = parse_text(text, DocumentMeta(doc_id="x", city="某区", title="某区科技创新规划"))
    assert [(h.level, h.title) for h in doc.headings] == [
        (1, "第一部分 总体要求"), (2, "1.1 指导思想"), (3, "1.1.1 基本原则"), (2, "1.2 发展目标")]


def test_numbered_policy_articles_are_clauses_of_their_section_not_headings():
    from ingest.parse import parse_text
    from ingest.records import DocumentMeta

    text = ("某区科技创新规划\n\n第四部分 主要支持政策\n\n4.1 企业培育支持\n\n"
            "（1）对首次认定的高新技术企业，给予30万元奖励；对重新认定的，给予10万元奖励。\n\n"
            "（2）对“揭榜挂帅”项目，揭榜成功的，按合同金额的30%给予支持，单个项目最高500万元。\n\n"
            "4.2 人才支持\n\n（3）加强人才服务\n\n正文。")
    doc = parse_text(text, DocumentMeta(doc_id="x", city="某区", title="某区科技创新规划"))
    assert [h.title for h in doc.headings] == ["第四部分 主要支持政策", "4.1 企业培育支持", "4.2 人才支持", "（3）加强人才服务"]
    first = next(c for c in doc.clauses if "30万元奖励" in c.text)
    assert first.kind == "paragraph" and first.section[-1] == "4.1 企业培育支持"


def test_a_paragraph_of_a_page_is_never_joined_to_the_next(tmp_path):
    """A lead line without a full stop ("牵头单位：…；配合单位：…、区财政局") is its own <p>: a page marks every
    paragraph's end, so it is not rejoined to the next paragraph as a sentence a PDF page break cut (a <br> inside
    one paragraph still continues it)."""
    page = PAGE.replace("<p>构建梯次培育体系", "<p>牵头单位：区科技局；配合单位：区工信局、区发改局、区财政局</p>\n"
                                          "<p>构建梯次培育体系")
    page = page.replace("<p>建设检验检测公共服务平台。</p>", "<p>建设检验检测、中试验证、工业设计、<br>知识产权等公共服务平台。</p>")
    path = tmp_path / "yiqu-2021-plan.html"
    path.write_text(page, encoding="utf-8")
    doc = parse_file(path)
    texts = [c.text for c in doc.clauses]
    assert "牵头单位：区科技局；配合单位：区工信局、区发改局、区财政局" in texts
    assert any(t.startswith("构建梯次培育体系") for t in texts)
    assert any(t.startswith("建设检验检测") and t.endswith("知识产权等公共服务平台。") for t in texts)
