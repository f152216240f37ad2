"""Flattened tables of the real plans are rebuilt exactly: every indicator row, 江阴's task rows, exact spans."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ingest.tables import TableBlock, find_tables, indicator_records, parse_number, task_records

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
MANIFEST = {d["doc_id"]: d for d in json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))["documents"]}


def _text(doc_id: str) -> str:
    return (PLANS / MANIFEST[doc_id]["file"]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, list[TableBlock]]]:
    return {doc_id: (text, find_tables(text)) for doc_id in MANIFEST for text in [_text(doc_id)]}


def _indicator_block(corpus, doc_id: str) -> tuple[str, TableBlock]:
    text, blocks = corpus[doc_id]
    found = [b for b in blocks if b.kind == "indicator"]
    assert len(found) == 1, f"{doc_id}: expected one indicator table, found {len(found)}"
    return text, found[0]


# --------------------------------------------------------------------------- inventory

def test_every_table_of_the_corpus_is_found_and_nothing_else(corpus):
    got = {doc_id: [(b.kind, b.caption, b.header, len(b.rows)) for b in blocks] for doc_id, (_, blocks) in corpus.items()}
    assert got == {
        "nanjing-2021": [("indicator", "表1:南京市“十四五”科技创新主要指标", ("指标", "2020年", "2025年"), 13)],
        "lianyungang-2021": [("indicator", "“十四五”科技创新发展目标", ("指标", "2020年", "2025年", "属性"), 7)],
        "nantong-2021": [
            ("indicator", "专栏：“十四五”科技创新主要指标目标",
             ("序号", "指标名称", "单位", "“十三五”\n实绩", "“十四五”\n目标"), 10),
            ("other", "专栏：“十四五”重大企业创新平台布局", ("序号", "行业领域", "项目名称", "牵头单位"), 11),
            ("other", "专栏：“十四五” 省级以上高新区发展目标及定位", ("名 称", "主导产业", "发展目标及定位"), 4),
        ],
        "jurong-2022": [("indicator", "句容市“十四五”科技创新发展主要指标", ("序号", "指标名称", "单位", "2025 年目标"), 15)],
        "jiangyin-2020": [("task", "“创新江阴”三年行动计划2020年重点工作目标",
                           ("类别", "重点任务", "序号", "主要目标", "牵头单位", "参与部门"), 69)],
    }


def test_every_cell_header_and_caption_span_is_exact(corpus):
    checked = 0
    for doc_id, (text, blocks) in corpus.items():
        for b in blocks:
            assert text[slice(*b.caption_span)] == b.caption
            assert len(b.header_spans) == len(b.header)
            for cell, (s, e) in zip(b.header, b.header_spans):
                assert text[s:e] == cell and cell == cell.strip() and cell
            assert b.header_span == (b.header_spans[0][0], b.header_spans[-1][1])
            assert b.char_start <= b.caption_span[0] < b.header_span[0] and b.rows[-1].char_end <= b.char_end
            previous_end = b.header_span[1]
            for row in b.rows:
                assert len(row.cells) == len(row.cell_spans) == len(b.header), (doc_id, row)
                for cell, (s, e) in zip(row.cells, row.cell_spans):
                    assert text[s:e] == cell and cell == cell.strip(), (doc_id, cell)
                    checked += 1
                present = [sp for sp in row.cell_spans if sp[0] < sp[1]]
                assert (row.char_start, row.char_end) == (present[0][0], present[-1][1])
                assert previous_end <= row.char_start  # rows in order, never overlapping
                previous_end = row.char_end
    assert checked == 13 * 3 + 7 * 4 + 10 * 5 + 11 * 4 + 4 * 3 + 15 * 4 + 69 * 6


def test_regions_stop_before_what_follows_a_table(corpus):
    follows = {
        "nanjing-2021": ["四、空间布局"],
        "lianyungang-2021": ["二、加强关键核心技术攻关，推动产业提档升级"],
        "nantong-2021": ["三、产业创新布局", "3．提升企业协同创新水平。", "9．高质量推进创新创业载体建设。"],
        "jurong-2022": ["### 三、重点领域与任务"],
        "jiangyin-2020": [],
    }
    for doc_id, (text, blocks) in corpus.items():
        for b, heading in zip(blocks, follows[doc_id]):
            assert text[b.char_end:].lstrip().startswith(heading), doc_id
            assert heading not in text[b.char_start:b.char_end]
        for b in blocks:  # a region is whole lines: it starts at a line start and ends at a line end
            assert b.char_start == 0 or text[b.char_start - 1] == "\n"
            assert b.char_end == len(text) or text[b.char_end] == "\n"
    text, (block,) = corpus["jiangyin-2020"]
    assert text[block.char_end:].strip() == ""  # the attachment table ends the file
    assert text[:block.char_start].rstrip().endswith("附件")


def test_paragraph_before_a_table_is_not_swallowed(corpus):
    text, block = _indicator_block(corpus, "nanjing-2021")
    assert text[block.char_start:].startswith("表1:南京市“十四五”科技创新主要指标\n\n指标\n\n2020年")
    assert text[:block.char_start].rstrip().endswith("南京都市圈成为具有国际水平的协同创新共同体。")
    assert "——" not in text[block.char_start:block.char_end]
    text, block = _indicator_block(corpus, "jurong-2022")
    assert text[block.char_start:].startswith("### 句容市“十四五”科技创新发展主要指标")
    assert text[block.char_start:block.char_end].count("###") == 1


def test_boxes_and_table_of_contents_are_not_tables(corpus):
    text, blocks = corpus["nantong-2021"]
    for marker in ("创新布局专栏1：海工船舶", "专栏：产业创新紫琅专项", "专栏：“十四五”关键核心技术攻关方向", "专栏：光电科学紫琅实验室"):
        at = text.index(marker)
        assert not any(b.char_start <= at < b.char_end for b in blocks), marker
    text, blocks = corpus["lianyungang-2021"]
    assert all(b.char_start > text.index("专栏8优化科技计划项目管理体系") for b in blocks)  # the 目录 is not a table


def test_wrapped_cells_are_rebuilt_whole(corpus):
    text, blocks = corpus["nantong-2021"]
    parks = blocks[2]
    assert [r.cells[0] for r in parks.rows] == ["南通高新区（国家级）", "海安高新区\n\n（省级）", "如皋高新区\n\n（省级）",
                                                "市北高新区\n\n（省级）"]
    assert parks.rows[3].cells[1] == "电子信息、智能制造、5G通信、软件服务外包"
    platforms = blocks[1]
    assert platforms.rows[10].cells == ("11", "高端纺织", "安全防护用特种纤维复合材料", "南通大学")


# --------------------------------------------------------------------------- indicator records

# (indicator, unit, baseline as written or None, target as written, target parsed, attribute)
NANJING = [
    ("全社会研发经费支出占地区生产总值比例", "%", "3.48", "4", 4.0, None),
    ("全社会研发经费支出年均增幅", "%", None, "10", 10.0, None),
    ("基础研究经费支出占研发支出的比重", "%", "11", "15", 15.0, None),
    ("技术市场合同成交额", "亿元", "686.82", "1000", 1000.0, None),
    ("每万人口拥有高价值发明专利数", "件", "35.9", "50", 50.0, None),
    ("高新技术产业产值占规模以上工业总产值比重", "%", "53.4", "54.5", 54.5, None),
    ("高新技术企业数", "家", "6507", "20000", 20000.0, None),
    ("科技型中小企业数", "家", "10042", "30000", 30000.0, None),
    ("有国际影响力的新型研发机构", "家", None, "40", 40.0, None),
    ("科技服务业产业规模", "亿元", "3659", "4500", 4500.0, None),
    ("集聚顶尖人才(团队)", "个", None, "100", 100.0, None),
    ("新引进高层次创新创业人才", "人", None, "3000", 3000.0, None),
    ("培育创新型企业家", "人", "472", "1000", 1000.0, None),
]
LIANYUNGANG = [
    ("全社会研发投入占GDP比重", "%", "2.24", "2.5", 2.5, "预期性"),
    ("科技进步贡献率", "%", "57.1", "60", 60.0, "预期性"),
    ("高新技术企业数", "个", "411", "1000", 1000.0, "预期性"),
    ("科技型中小企业数", "个", "950", "2000", 2000.0, "预期性"),
    ("高新技术产业产值占规上工业产值比重", "%", "40.06", "45", 45.0, "预期性"),
    ("新型研发机构等重大产业创新平台数量", "个", "22", "80", 80.0, "预期性"),
    ("年技术合同成交额", "亿元", "52.59", "100", 100.0, "预期性"),
]
NANTONG = [
    ("全社会研发经费支出占GDP比重", "%", "2.55", "3左右", 3.0, None),
    ("研发经费年均增速", "%", None, ">8", 8.0, None),  # baseline written "/"
    ("科技进步贡献率", "%", "65.5", "70", 70.0, None),
    ("高新技术产业产值占工业产值比重", "%", "43.5", "47.5", 47.5, None),
    ("高新技术企业数", "家", "2178", "3600", 3600.0, None),
    ("科技服务业营收年均增幅", "%", None, "15", 15.0, None),
    ("新增高层次人才数", "人", None, "500", 500.0, None),
    ("新增省级以上企业研发机构", "家", None, "200", 200.0, None),
    ("技术合同成交额", "亿元", "194.2", ">500", 500.0, None),
    ("万人高价值发明专利拥有量", "件", None, "16", 16.0, None),
]
JURONG = [  # one value column only: "2025 年目标"; there is no baseline
    ("研发经费投入年均增长率", "%", None, "12", 12.0, None),
    ("全社会研发投入占地区生产总值的比重", "%", None, "2.8", 2.8, None),
    ("科技进步贡献率", "%", None, "70", 70.0, None),
    ("每万人高价值发明专利拥有量", "件", None, "8", 8.0, None),
    ("组织实施关键核心技术攻关项目", "项", None, "100", 100.0, None),
    ("高新技术产业产值占规模以上工业总产值比重", "%", None, "50", 50.0, None),
    ("高新技术企业数", "家", None, "180", 180.0, None),
    ("科技型中小企业数", "家", None, "400", 400.0, None),
    ("市级以上科技孵化载体", "个", None, "15", 15.0, None),
    ("市级以上研发平台", "家", None, "20", 20.0, None),
    ("农业科技进步贡献率", "%", None, "75", 75.0, None),
    ("市级及以上农业科技型企业", "家", None, "40", 40.0, None),
    ("大型仪器设备入网数", "台（套）", None, "10", 10.0, None),
    ("技术合同比年累计成交额", "亿元", None, "100", 100.0, None),
    ("新引进领军型创新创业人才", "人", None, "100", 100.0, None),
]


@pytest.mark.parametrize("doc_id, city, expected, years", [
    ("nanjing-2021", "南京市", NANJING, (2020, 2025)),
    ("lianyungang-2021", "连云港市", LIANYUNGANG, (2020, 2025)),
    ("nantong-2021", "南通市", NANTONG, (2020, 2025)),
    ("jurong-2022", "句容市", JURONG, (None, 2025)),
])
def test_every_indicator_row_exactly(corpus, doc_id, city, expected, years):
    text, block = _indicator_block(corpus, doc_id)
    records = indicator_records(block, doc_id, city)
    got = [(r.indicator, r.unit, r.baseline.value_text if r.baseline else None, r.target.value_text, r.target.value,
            r.attribute) for r in records]
    assert got == expected
    assert len(records) == len(block.rows)
    for r, row in zip(records, block.rows):
        assert (r.doc_id, r.city, r.category) == (doc_id, city, None)
        assert (r.char_start, r.char_end) == (row.char_start, row.char_end)
        assert r.target.year == years[1]
        if r.baseline is not None:
            assert r.baseline.year == years[0]
            assert r.baseline.value == float(r.baseline.value_text)
        row_text = text[r.char_start:r.char_end]
        assert r.indicator in row_text and row_text.endswith(r.attribute or r.target.value_text)
        assert r.target.value_text in row_text


def test_headline_figures(corpus):
    def record(doc_id, name):
        _, block = _indicator_block(corpus, doc_id)
        return next(r for r in indicator_records(block, doc_id, None) if r.indicator == name)

    nj = record("nanjing-2021", "高新技术企业数")
    assert (nj.unit, nj.baseline.value, nj.target.value) == ("家", 6507.0, 20000.0)
    lyg = record("lianyungang-2021", "年技术合同成交额")
    assert (lyg.unit, lyg.baseline.value_text, lyg.baseline.value, lyg.target.value) == ("亿元", "52.59", 52.59, 100.0)
    nt = record("nantong-2021", "高新技术企业数")
    assert (nt.baseline.value, nt.target.value) == (2178.0, 3600.0)
    jr = record("jurong-2022", "高新技术企业数")
    assert (jr.baseline, jr.target.year, jr.target.value_text) == (None, 2025, "180")


def test_records_only_come_from_their_own_kind_of_table(corpus):
    text, blocks = corpus["nantong-2021"]
    assert indicator_records(blocks[1], "nantong-2021", "南通市") == []
    assert task_records(blocks[0], "nantong-2021") == []


# --------------------------------------------------------------------------- task records

def test_jiangyin_task_records(corpus):
    text, (block,) = corpus["jiangyin-2020"]
    tasks = task_records(block, "jiangyin-2020")
    assert len(tasks) == 69
    assert len({t.task for t in tasks}) == 25  # the 25 numbered tasks, each carried down its merged rows
    first = tasks[0]
    assert (first.category, first.task, first.target, first.lead_units, first.partner_units) == (
        "一、实施制造业转型升级行动，创造实体经济新优势", "1.以核心技术提升主导产业", "编制战略性新兴产业规划。",
        ("市发改委",), ("市科技局", "市工信局", "市市场监管局"))
    second = tasks[1]
    assert (second.category, second.task, second.lead_units, second.partner_units) == (
        "一、实施制造业转型升级行动，创造实体经济新优势", "1.以核心技术提升主导产业", ("市发改委",), ("市工信局",))
    assert second.target == "战略性新兴产业产值占规模以上工业产值的比重比上年提高0.5个百分点。"
    hightech = next(t for t in tasks if t.target == "全市净增高新技术企业150家，有效期内高新技术企业数达650家。")
    assert (hightech.category, hightech.task, hightech.lead_units, hightech.partner_units) == (
        "二、实施创新主体扩容行动，构建创新型企业新梯队", "5.打好高企引育攻坚战", ("市科技局",), ("市财政局", "市税务局"))
    two_leads = next(t for t in tasks if t.target == "高新区、临港开发区各新建新型研发机构1个。")
    assert (two_leads.task, two_leads.lead_units, two_leads.partner_units) == (
        "19.大力发展公共研发平台", ("高新区", "临港开发区"), ("市科技局",))
    no_partner = next(t for t in tasks if t.target == "国家科技型中小企业评价入库数1000家。")
    assert (no_partner.lead_units, no_partner.partner_units) == (("市科技局",), ())
    land = next(t for t in tasks if t.lead_units == ("市自然资源规划局",))
    assert land.partner_units == ("市工信局", "江阴生态环境局", "各镇街")
    last = tasks[-1]
    assert (last.category, last.task, last.lead_units, last.partner_units) == (
        "六、实施创新治理能力提升行动，增强创新创业新活力", "25.建立创新驱动导向评价机制", ("市财政局",),
        ("市委组织部", "市科技局"))
    for t in tasks:
        row_text = text[t.char_start:t.char_end]
        assert t.target in row_text and row_text.endswith((t.partner_units or t.lead_units)[-1])
        assert t.doc_id == "jiangyin-2020"


# --------------------------------------------------------------------------- other input

def test_text_without_a_table():
    text = _text("nanjing-2021")
    start = text.index("四、空间布局")
    assert find_tables(text[start:]) == []
    # a list of short lines (a table of contents) has no header of column names
    toc = "目   录\n一、把握新形势\n\n（一）发展基础\n1\n（二）面临形势\n4\n\n2020年\n\n2025年\n\n3.5\n"
    assert find_tables(toc) == []


@pytest.mark.parametrize("garbage", ["", "\n", "\t", "\t\t\t\n\t", "\x00\x01\xff" * 50, "指标", "指标\n\n2020年",
                                     "指标\n\n2020年\n\n2025年\n\n四、空间布局", "a\tb", "\t序号\n\t名称\n\n正文。",
                                     "🙂" * 1000, "\r\n" * 100])
def test_garbage_gives_no_table_and_no_error(garbage):
    assert find_tables(garbage) == []


def test_random_text_never_breaks_the_span_invariants():
    rng = random.Random(7)
    pieces = ["\t", "\n", "\n\n", " ", "\r\n", "\u3000", "指标", "2020年", "2025年", "属性", "预期性", "类别", "单位",
              "序号", "牵头单位", "参与部门", "3.5", "/", ">8", "3左右", "(家)", "一、标题", "表1:x", "。", "x\ty", "\n\t"]
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        previous_end = 0
        for b in find_tables(text):
            found += 1
            assert previous_end <= b.char_start <= b.header_span[0] and b.rows[-1].char_end <= b.char_end
            previous_end = b.char_end
            assert all(text[s:e] == c for c, (s, e) in zip(b.header, b.header_spans))
            for row in b.rows:
                assert len(row.cells) == len(b.header)
                assert all(text[s:e] == c == c.strip() for c, (s, e) in zip(row.cells, row.cell_spans))
            indicator_records(b, "x", None)
            task_records(b, "x")
    assert found > 50  # the generator does produce tables, so the invariants were exercised


def test_one_cell_per_line_with_category_attribute_and_missing_cells():
    text = ("前文。\r\n\r\n表2:某市指标\r\n\r\n类别\r\n\r\n指标\r\n\r\n2020年\r\n\r\n2022年目标值\r\n\r\n属性\r\n\r\n"
            "创新投入\r\n\r\n研发投入强度（%）\r\n\r\n3\r\n\r\n3.5\r\n\r\n预期性\r\n\r\n"
            "研发人员数(人)\r\n\r\n100以上\r\n\r\n约束性\r\n\r\n"
            "创新产出\r\n\r\n专利数(件)\r\n\r\n/\r\n\r\n8左右\r\n\r\n预期性\r\n\r\n二、下一节\r\n\r\n正文。")
    (block,) = find_tables(text)
    assert block.caption == "表2:某市指标" and block.kind == "indicator"
    assert [r.cells for r in block.rows] == [
        ("创新投入", "研发投入强度（%）", "3", "3.5", "预期性"),
        ("", "研发人员数(人)", "", "100以上", "约束性"),  # the value is the target, never shifted into 2020
        ("创新产出", "专利数(件)", "/", "8左右", "预期性"),
    ]
    assert text[block.char_end:].lstrip().startswith("二、下一节")
    got = [(r.category, r.indicator, r.unit, r.baseline, r.target.year, r.target.value_text, r.target.value, r.attribute)
           for r in indicator_records(block, "x", None)]
    assert [g[:4] for g in got] == [("创新投入", "研发投入强度", "%", got[0][3]), ("创新投入", "研发人员数", "人", None),
                                    ("创新产出", "专利数", "件", None)]
    assert (got[0][3].year, got[0][3].value_text, got[0][3].value) == (2020, "3", 3.0)
    assert [g[4:] for g in got] == [(2022, "3.5", 3.5, "预期性"), (2022, "100以上", 100.0, "约束性"),
                                    (2022, "8左右", 8.0, "预期性")]


def test_tab_prefixed_table_followed_by_a_box_keeps_the_box_out():
    text = ("\t指标\n\t2020年\n\t2025\n年\n\n\t高企数（家）\n\t10\n\t\n\n"
            "\t专栏：示范工程\n\n正文第一段，很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。")
    (block,) = find_tables(text)
    assert block.header == ("指标", "2020年", "2025\n年") and block.caption is None
    assert [r.cells for r in block.rows] == [("高企数（家）", "10", "")]
    assert text[block.char_end:].startswith("\n\n\t专栏：示范工程")  # the region ends with the row's empty cell
    (rec,) = indicator_records(block, "x", None)
    assert (rec.indicator, rec.unit, rec.baseline.value_text, rec.target.year, rec.target.value_text) == (
        "高企数", "家", "10", 2025, None)


def test_tab_separated_rows_with_a_missing_cell():
    text = "序号\t指标名称\t单位\t2025年目标\n1\t研发投入\t%\t3\n2\t高企\t家\n\n后文不是表格。"
    (block,) = find_tables(text)
    assert [r.cells for r in block.rows] == [("1", "研发投入", "%", "3"), ("2", "高企", "家", "")]
    assert text[block.char_end:] == "\n\n后文不是表格。"


@pytest.mark.parametrize("value_text, value", [
    ("3左右", 3.0), (">500", 500.0), ("＞500", 500.0), ("100以上", 100.0), ("52.59", 52.59), ("1,000", 1000.0),
    ("/", None), ("", None), (None, None), ("3—4", 3.0), ("约束性", None),
])
def test_parse_number(value_text, value):
    assert parse_number(value_text) == value


SPACED = (
    "表1 某市主要指标\n"
    "指标 单位 2020年 2025年 属性\n"
    "全社会研发经费投入占地区生产总值比重 % 2.45 3.0 预期性\n"
    "有效高新技术企业数量 家 612 1200 预期性\n"
    "省级 科技企业孵化器数量 家 36 55 约束性\n"
    "三、优化创新空间布局\n"
    "按照总体思路，构建 创新空间格局 2025 年。\n"
)


def test_space_separated_rows_under_a_header_of_column_names():
    """A PDF's ruled table comes out of the text layer as one row per line, cells split by spaces."""
    blocks = find_tables(SPACED)
    assert len(blocks) == 1
    block = blocks[0]
    assert block.kind == "indicator" and block.caption == "表1 某市主要指标"
    assert block.header == ("指标", "单位", "2020年", "2025年", "属性")
    assert [r.cells[0] for r in block.rows] == ["全社会研发经费投入占地区生产总值比重", "有效高新技术企业数量", "省级 科技企业孵化器数量"]
    for row in block.rows:
        for cell, (s, e) in zip(row.cells, row.cell_spans):
            assert SPACED[s:e] == cell
    records = indicator_records(block, "x", "某市")
    assert [(r.baseline.value, r.target.value, r.unit, r.attribute) for r in records] == [
        (2.45, 3.0, "%", "预期性"), (612, 1200, "家", "预期性"), (36, 55, "家", "约束性")]


def test_space_separated_prose_is_no_table():
    text = "指标 任务 要求\n加快 建设 创新 平台。\n"
    assert find_tables(text) == []
