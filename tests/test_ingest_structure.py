"""The clause tree of the five real plans: outlines, TOC, page-break joins, front matter, boxes,
exact offsets and full coverage; plus odd inputs that must still parse into something sensible."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.clauses import MAX_CHARS, split_span
from ingest.parse import parse_text
from ingest.records import DocumentMeta, ParsedDocument
from ingest.structure import find_toc

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
DOC_IDS = ["jurong-2022", "lianyungang-2021", "nantong-2021", "nanjing-2021", "jiangyin-2020"]


def _metas() -> dict[str, DocumentMeta]:
    entries = json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))["documents"]
    fields = DocumentMeta.__dataclass_fields__
    return {e["doc_id"]: DocumentMeta(**{k: v for k, v in e.items() if k in fields}) for e in entries}


@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    out = {}
    for doc_id, meta in _metas().items():
        text = (PLANS / meta.file).read_text(encoding="utf-8")
        out[doc_id] = parse_text(text, meta)
    assert sorted(out) == sorted(DOC_IDS)
    return out


def _heading(doc: ParsedDocument, title: str):
    found = [h for h in doc.headings if h.title == title]
    assert len(found) == 1, f"{title!r}: {len(found)} headings"
    return found[0]


def _clause(doc: ParsedDocument, start: str):
    found = [c for c in doc.clauses if c.text.startswith(start)]
    assert len(found) == 1, f"{start!r}: {len(found)} clauses"
    return found[0]


def _meta(doc_id: str = "x", title: str = "某市科技创新规划") -> DocumentMeta:
    return DocumentMeta(doc_id, None, title)


# --------------------------------------------------------------------------- outlines

TOP_LEVEL = {
    "nanjing-2021": ["一、发展基础", "二、形势与机遇", "三、总体要求", "四、空间布局", "五、重点任务", "六、保障措施"],
    "jiangyin-2020": ["一、指导思想", "二、主要目标", "三、重点任务", "四、保障措施",
                      "附件：“创新江阴”三年行动计划2020年重点工作目标"],
    "lianyungang-2021": [
        "一、把握新形势新使命，迈向高质量发展新台阶",
        "二、加强关键核心技术攻关，推动产业提档升级",
        "三、实施科技创新重点工程，提升创新发展效能",
        "四、深化体制机制改革，推进科技治理能力现代化",
        "五、优化科技创新服务，营造创新创业氛围",
        "六、完善规划运行保障，强化规划刚性约束",
    ],
    "nantong-2021": ["一、发展基础与面临形势", "二、指导思想与发展目标", "三、产业创新布局", "四、科技创新重点工程",
                     "五、保障举措"],
    "jurong-2022": ["一、发展基础与形式", "二、总体思路与方向", "三、重点领域与任务", "四、管理措施与保障"],
}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_top_level_outline_is_exact(docs, doc_id):
    assert [h.title for h in docs[doc_id].headings if h.level == 1] == TOP_LEVEL[doc_id]


# (doc, heading title, its full section path): levels nest by numbering style, whatever the
# markdown depth or bracket width says.
NESTED = [
    ("nanjing-2021", "(三)建设战略科技力量强基体系", ("五、重点任务", "(三)建设战略科技力量强基体系")),
    ("nanjing-2021", "3.打造一流科技产业创新平台",
     ("五、重点任务", "(三)建设战略科技力量强基体系", "3.打造一流科技产业创新平台")),
    ("nanjing-2021", "(四)规划目标", ("三、总体要求", "(四)规划目标")),
    ("nantong-2021", "（4）纺织新材料", ("三、产业创新布局", "（二）支持方向", "2．高端纺织", "（4）纺织新材料")),
    ("nantong-2021", "4．加强关键核心技术攻关", ("四、科技创新重点工程", "（二）产业创新水平提升工程", "4．加强关键核心技术攻关")),
    ("nantong-2021", "9．机器人及应用", ("三、产业创新布局", "（二）支持方向", "9．机器人及应用")),
    ("jurong-2022", "（二）科技发展面临形势", ("一、发展基础与形式", "（二）科技发展面临形势")),  # "## （二）"
    ("jurong-2022", "(四) 着力打造产学研合作标杆", ("三、重点领域与任务", "(四) 着力打造产学研合作标杆")),  # "####"
    ("jurong-2022", "(五) 着力优化科技创新生态", ("三、重点领域与任务", "(五) 着力优化科技创新生态")),  # "### **…**"
    ("jurong-2022", "智能制造产业",
     ("三、重点领域与任务", "（一）着力推动关键核心技术攻关", "1. 做强主导产业集群核心技术", "智能制造产业")),
    ("jurong-2022", "7. 科技金融加速对接融合", ("一、发展基础与形式", "（一）科技创新现状", "7. 科技金融加速对接融合")),
    ("lianyungang-2021", "（三）存在问题", ("一、把握新形势新使命，迈向高质量发展新台阶", "（三）存在问题")),
    ("lianyungang-2021", "2．外籍人才引智计划",
     ("三、实施科技创新重点工程，提升创新发展效能", "（五）科技人才要素智汇工程", "2．外籍人才引智计划")),
    ("jiangyin-2020", "25．建立创新驱动导向评价机制",
     ("三、重点任务", "（六）实施创新治理能力提升行动，增强创新创业新活力", "25．建立创新驱动导向评价机制")),
    ("jiangyin-2020", "（一）加强组织领导", ("四、保障措施", "（一）加强组织领导")),
]


@pytest.mark.parametrize(("doc_id", "title", "path"), NESTED, ids=[f"{d}:{t}" for d, t, _ in NESTED])
def test_headings_nest_by_numbering_style(docs, doc_id, title, path):
    doc = docs[doc_id]
    h = _heading(doc, title)
    assert h.level == len(path)
    clause = next(c for c in doc.clauses if c.char_start == h.char_start)
    assert clause.kind == "heading" and clause.section == path
    assert doc.text[h.char_start : h.char_end].rstrip("。") == title


@pytest.mark.parametrize(
    ("doc_id", "parent", "level", "count"),
    [
        ("nanjing-2021", "五、重点任务", 2, 10),
        ("nanjing-2021", "五、重点任务", 3, 33),
        ("nantong-2021", "三、产业创新布局", 3, 10),
        ("nantong-2021", "三、产业创新布局", 4, 32),
        ("nantong-2021", "四、科技创新重点工程", 3, 23),
        ("lianyungang-2021", None, 2, 30),
        ("jiangyin-2020", "三、重点任务", 3, 25),
        ("jurong-2022", None, 2, 16),
    ],
)
def test_heading_counts_per_level(docs, doc_id, parent, level, count):
    doc = docs[doc_id]
    heads = [c for c in doc.clauses if c.kind == "heading" and len(c.section) == level and c.caption is None]
    if parent is not None:
        heads = [c for c in heads if c.section[0] == parent]
    assert len(heads) == count


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_outline_and_heading_clauses_agree(docs, doc_id):
    doc = docs[doc_id]
    by_start = {c.char_start: c for c in doc.clauses}
    for h in doc.headings:
        c = by_start[h.char_start]
        assert (c.kind, c.char_end, len(c.section), c.section[-1]) == ("heading", h.char_end, h.level, h.title)
    assert not [w for w in doc.warnings if "numbering jumps" in w]


# --------------------------------------------------------------------------- TOC, joins, numbers, front matter


def test_table_of_contents_is_excluded(docs):
    doc = docs["lianyungang-2021"]
    (toc,) = find_toc(doc.text)
    assert doc.text[toc[0] : toc[1]].startswith("目   录") and doc.text[: toc[1]].endswith("专栏8优化科技计划项目管理体系\n57")
    assert not [c for c in doc.clauses if c.char_start < toc[1] and c.char_end > toc[0]]
    assert not [c for c in doc.clauses if c.text in {"目   录", "专栏目录", "1", "57"} or c.text.startswith("1一、")]
    for title in ["（四）总体要求", "（七）协同创新合作共赢工程", "六、完善规划运行保障，强化规划刚性约束"]:
        assert _heading(doc, title).char_start > toc[1]
    # the 专栏 list of the TOC gives no box either: each box caption appears once, in the body
    captions = [c.text for c in doc.clauses if c.kind == "heading" and c.caption]
    assert len([t for t in captions if t.startswith("专栏")]) == 8
    for name in DOC_IDS:
        if name != "lianyungang-2021":
            assert find_toc(docs[name].text) == []


JOINS = [  # real page breaks in 句容: line ends mid-sentence, blank line, continuation
    ("以“跑起来”的", "姿态不断完善创新机制"),
    ("国家科学技术进步奖二等奖2", "项，分别是我市企业参与的"),
    ("促进“集", "聚”变“集群”"),
    ("牢固树立人才是第一资源理念，把", "发现、培养和凝聚各类科技人才"),
    ("深入贯彻落实国家、省科技体", "制机制改革行动方案"),
    ("增强“四个意识”、坚", "定“四个自信”"),
]


@pytest.mark.parametrize(("tail", "head"), JOINS)
def test_sentence_broken_by_page_break_is_one_clause(docs, tail, head):
    doc = docs["jurong-2022"]
    broken = tail + "\n\n" + head
    found = [c for c in doc.clauses if broken in c.text]
    assert len(found) == 1 and found[0].kind == "paragraph"
    assert not [c for c in doc.clauses if c.text.startswith(head)]


def test_complete_sentences_are_not_joined(docs):
    doc = docs["jurong-2022"]
    assert _clause(doc, "切实提升农业科技进步贡献率，引领农业农村发展。").text == "切实提升农业科技进步贡献率，引领农业农村发展。"
    joined = [c for c in doc.clauses if c.kind == "paragraph" and "\n" in c.text]
    assert len(joined) == 22  # every page break of the plan, counted by hand
    assert all(c.text.split("\n")[0][-1] not in "。；！？：" for c in joined)


def test_soft_wrapped_notice_title_is_joined(docs):
    c = _clause(docs["jiangyin-2020"], "关于印发《“创新江阴”三年行动计划")
    assert c.text == "关于印发《“创新江阴”三年行动计划\n（2020－2022年）》的通知" and c.section == ("印发通知",)


def test_numbers_inside_sentences_are_never_headings(docs):
    for doc in docs.values():  # a heading that starts with a digit is a list number: "1．", "12．"
        for h in doc.headings:
            assert not h.title[:1].isdigit() or re.match(r"\d{1,2}\s*[.．、]\s*[^\d\s]", h.title), h.title
    assert _clause(docs["lianyungang-2021"], "2020年全社会研发投入占地区生产总值比重达2.24%").kind == "paragraph"
    text = (
        "某市科技创新规划\n\n一、重点任务\n\n1.强化基础研究\n\n全社会研发投入年均增长2.5%。\n\n"
        "2.5%的增幅来自企业。\n\n11.5 条措施已全部落实。\n\n2020年，全市研发投入达100亿元。\n\n2.提升产业技术攻关能力\n\n正文。"
    )
    doc = parse_text(text, _meta())
    assert [h.title for h in doc.headings] == ["一、重点任务", "1.强化基础研究", "2.提升产业技术攻关能力"]
    for start in ("2.5%的增幅", "11.5 条", "2020年，全市"):
        assert _clause(doc, start).kind == "paragraph"


def test_front_matter_is_kept(docs):
    jurong = docs["jurong-2022"]
    notice = [c.text for c in jurong.clauses if c.section == ("印发通知",)]
    assert notice[:3] == ["句容市人民政府办公室文件", "句政办发〔2022〕41号", "句容市人民政府办公室 关于印发句容市“十四五”科技创新规划的通知"]
    assert "(此件公开发布)" in notice
    title = _clause(jurong, "句容市“十四五”科技创新规划")
    assert (title.kind, title.section) == ("heading", ())
    assert _clause(jurong, "“十四五”时期，是句容市坚持").section == ("前言",)

    jiangyin = [c.text for c in docs["jiangyin-2020"].clauses if c.section == ("印发通知",)]
    assert jiangyin[0] == "中共江阴市委  江阴市人民政府" and jiangyin[-1] == "2020年3月15日"
    nanjing = docs["nanjing-2021"]
    assert [c.text[:6] for c in nanjing.clauses if c.section == ("印发通知",)] == ["南京印发《南", "发布时间:2", "中共南京市委"]
    assert _clause(nanjing, "为贯彻习近平总书记关于科技创新的重要论述").section == ("前言",)
    lyg = docs["lianyungang-2021"]
    assert [c.text for c in lyg.clauses if c.section == ("封面",)] == ["连云港市“十四五”科技创新规划", "2021年12月"]
    for doc_id in ("jurong-2022", "lianyungang-2021", "nantong-2021", "jiangyin-2020"):  # 南京's web copy has none
        doc = docs[doc_id]  # the plan's own title line: one heading clause, outside any section
        assert [c.kind for c in doc.clauses if c.section == () and c.text == doc.meta.title] == ["heading"]


# --------------------------------------------------------------------------- boxes and tables


def test_box_entries_carry_the_box_title(docs):
    nanjing = docs["nanjing-2021"]
    items = [c for c in nanjing.clauses if (c.caption or "").startswith("专栏2") and c.kind == "box_item"]
    assert [c.text.split(":")[0] for c in items] == ["数学物理科学", "化学科学", "生命科学", "地球科学", "信息科学",
                                                     "工程与材料科学", "交叉科学"]
    assert all(c.section == ("五、重点任务", "(一)构建面向未来技术创新体系", "1.强化基础研究策源能力") for c in items)
    # a 重大工程 box with its own (一)/(二) list: those are box entries, not the next sections
    sub = _clause(nanjing, "(一)重大科技基础设施建设")
    assert (sub.kind, sub.caption) == ("box_item", "重大工程二\u2002基础研究重大平台建设工程")  # en space, as in the source
    assert _heading(nanjing, "3.打造一流科技产业创新平台").level == 3

    nantong = docs["nantong-2021"]
    items = [c.text[:1] for c in nantong.clauses if c.caption == "创新布局专栏1：海工船舶" and c.kind == "box_item"]
    assert items == ["A", "B", "C", "D"]
    lyg = docs["lianyungang-2021"]
    items = [c.text[:4] for c in lyg.clauses if (c.caption or "").startswith("专栏5") and c.kind == "box_item"]
    assert items == ["培育创新", "壮大产业", "增强创新", "强化信息", "深化开放"]
    assert _clause(lyg, "专栏1  探索建立“揭榜挂帅”制度").kind == "heading"


def test_table_rows_become_clauses_with_their_header(docs):
    for doc_id in ("nanjing-2021", "nantong-2021", "lianyungang-2021", "jurong-2022", "jiangyin-2020"):
        doc = docs[doc_id]
        rows = [c for c in doc.clauses if c.kind == "table_row"]
        assert rows and all(c.header and c.cells and c.caption for c in rows)
        assert all(c.section for c in rows)
    counts = {d: sum(c.kind == "table_row" for c in docs[d].clauses) for d in docs}
    assert counts == {"nanjing-2021": 13, "lianyungang-2021": 7, "jurong-2022": 15, "nantong-2021": 10 + 11 + 4,
                      "jiangyin-2020": 69}  # data rows of every table, as counted in the files
    header = _clause(docs["nanjing-2021"], "指标\n\n2020年\n\n2025年")
    assert (header.kind, header.header) == ("heading", ("指标", "2020年", "2025年"))
    row = next(c for c in docs["nanjing-2021"].clauses if c.kind == "table_row" and c.text.startswith("高新技术企业数(家)"))
    assert row.cells == ("高新技术企业数(家)", "6507", "20000") and row.caption.startswith("表1")
    assert row.section == ("三、总体要求", "(四)规划目标")
    assert [len(d.indicators) > 0 for d in docs.values()] == [d.meta.doc_id != "jiangyin-2020" for d in docs.values()]
    assert docs["jiangyin-2020"].tasks and all(t.doc_id == "jiangyin-2020" for t in docs["jiangyin-2020"].tasks)
    attachment = [c for c in docs["jiangyin-2020"].clauses if c.kind == "table_row"]
    assert {c.section for c in attachment} == {("附件：“创新江阴”三年行动计划2020年重点工作目标",)}


# --------------------------------------------------------------------------- invariants on every clause


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_clause_is_an_exact_stripped_slice(docs, doc_id):
    doc = docs[doc_id]
    for i, c in enumerate(doc.clauses):
        assert doc.text[c.char_start : c.char_end] == c.text, c.clause_id
        assert c.text == c.text.strip() and c.text
        assert c.clause_id == f"{doc_id}#{i}" and c.doc_id == doc_id
        assert c.kind in ("paragraph", "table_row", "box_item", "heading")


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_clauses_are_short_ordered_and_disjoint(docs, doc_id):
    clauses = docs[doc_id].clauses
    assert all(len(c.text) <= MAX_CHARS for c in clauses if c.kind != "table_row")
    assert all(a.char_end <= b.char_start for a, b in zip(clauses, clauses[1:]))


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_clauses_cover_all_text_outside_the_toc(docs, doc_id):
    """Nothing is lost: every visible character outside the TOC, except markdown markup (#, **),
    belongs to exactly one clause."""
    doc = docs[doc_id]
    covered = bytearray(len(doc.text))
    for c in doc.clauses:
        covered[c.char_start : c.char_end] = b"\x01" * (c.char_end - c.char_start)
    for a, b in find_toc(doc.text):
        covered[a:b] = b"\x01" * (b - a)
    lost = [i for i, ch in enumerate(doc.text) if not covered[i] and not ch.isspace() and ch not in "#*"]
    assert lost == [], doc.text[lost[0] : lost[0] + 40] if lost else ""


def test_long_paragraphs_are_split_at_sentence_ends(docs):
    jiangyin = docs["jiangyin-2020"]
    # "3．以双招双引壮大优势产业。" carries a 598-character body on the same line
    pieces = [c for c in jiangyin.clauses if c.section[-1:] == ("3．以双招双引壮大优势产业",) and c.kind == "paragraph"]
    assert len(pieces) == 2 and all(c.text[-1] in "。；）" for c in pieces[:-1])
    line = jiangyin.text[pieces[0].char_start : pieces[-1].char_end]
    assert "\n" not in line and len(line) > MAX_CHARS


# --------------------------------------------------------------------------- odd inputs


def _check_invariants(doc: ParsedDocument) -> None:
    for c in doc.clauses:
        assert doc.text[c.char_start : c.char_end] == c.text and c.text == c.text.strip()
        assert len(c.text) <= MAX_CHARS or c.kind == "table_row"
    assert all(a.char_end <= b.char_start for a, b in zip(doc.clauses, doc.clauses[1:]))


def test_flat_document_without_headings():
    text = "关于加强科技创新的若干意见\n\n为深入实施创新驱动发展战略，现提出如下意见。\n\n加大研发投入，支持企业创新。\n支持高校院所开展基础研究。"
    doc = parse_text(text, _meta(title="无此标题"))
    _check_invariants(doc)
    assert doc.headings == [] and "no headings found: flat document" in doc.warnings
    assert _clause(doc, "关于加强科技创新的若干意见").kind == "heading"  # its title line
    assert [c.text for c in doc.clauses if c.kind == "paragraph"] == [
        "为深入实施创新驱动发展战略，现提出如下意见。", "加大研发投入，支持企业创新。", "支持高校院所开展基础研究。"]
    assert all(c.section == () for c in doc.clauses)


@pytest.mark.parametrize("text", ["", "   \n\n\t \u3000\n"])
def test_empty_document(text):
    doc = parse_text(text, _meta())
    assert doc.clauses == [] and doc.headings == [] and doc.warnings


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02 binary ÿþ\x7f\n\n\x1b[0m" * 50,
        "**\n\n#\n\n**未闭合\n\n（）\n\n1.\n\n一、\n\n专栏\n\n附件\n\n目录\n\n1\n\n2",
        "一、" * 300,
        "创新" * 30_000,  # one 60,000-character line without punctuation
        "\n".join(f"{i}." for i in range(1, 3000)),
    ],
    ids=["binary", "markup-only", "repeated-marker", "no-punctuation", "numbers-only"],
)
def test_odd_text_never_raises_and_keeps_invariants(text):
    doc = parse_text(text, _meta())
    _check_invariants(doc)
    assert doc.clauses or not text.strip()


def test_crlf_and_markdown_document():
    text = ("# 某市科技创新规划\r\n\r\n## 一、总体要求\r\n\r\n### （一）指导思想\r\n\r\n坚持创新驱动，\r\n\r\n"
            "推动高质量发展。\r\n\r\n**1. 强化企业主体。**支持企业加大研发投入。\r\n\r\n## 二、保障措施\r\n\r\n加强组织领导。\r\n")
    doc = parse_text(text, _meta())
    _check_invariants(doc)
    assert [(h.level, h.title) for h in doc.headings] == [
        (1, "一、总体要求"), (2, "（一）指导思想"), (3, "1. 强化企业主体"), (1, "二、保障措施")]
    assert _clause(doc, "坚持创新驱动，").text == "坚持创新驱动，\r\n\r\n推动高质量发展。"
    body = _clause(doc, "支持企业加大研发投入。")
    assert body.section == ("一、总体要求", "（一）指导思想", "1. 强化企业主体") and body.kind == "paragraph"


def test_toc_with_leaders_and_a_box_with_its_own_list():
    text = (
        "某市科技创新规划\n目 录\n一、总体要求……1\n二、重点任务……3\n\n某市科技创新规划\n\n前言的正文。\n\n"
        "一、总体要求\n\n（一）目标\n\n正文。\n\n专栏：重点工程\n\n（一）平台工程\n\n建设平台。\n\n（二）人才工程\n\n引进人才。\n\n"
        "（二）原则\n\n正文。\n\n二、重点任务\n\n正文。"
    )
    doc = parse_text(text, _meta())
    _check_invariants(doc)
    assert [h.title for h in doc.headings] == ["一、总体要求", "（一）目标", "（二）原则", "二、重点任务"]
    box = [c.text for c in doc.clauses if c.caption == "专栏：重点工程" and c.kind == "box_item"]
    assert box == ["（一）平台工程", "建设平台。", "（二）人才工程", "引进人才。"]
    assert not [c for c in doc.clauses if "……" in c.text]
    assert _clause(doc, "前言的正文。").section == ("前言",)


def test_split_span_cuts_at_sentence_ends_into_even_pieces():
    sentence = "加大研发投入，支持企业创新，推动成果转化；"
    text = "  " + sentence * 40 + "完善政策体系。  "
    pieces = split_span(text, 0, len(text))
    assert len(pieces) == 2 and all(e - s <= MAX_CHARS for s, e in pieces)
    assert all(text[e - 1] in "。；" for _, e in pieces)
    assert abs((pieces[0][1] - pieces[0][0]) - (pieces[1][1] - pieces[1][0])) <= len(sentence)
    assert "".join(text[s:e] for s, e in pieces) == text.strip()
    hard = split_span("字" * 1201, 0, 1201)
    assert [e - s for s, e in hard] == [500, 500, 201]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_outline_without_a_metadata_title(docs, doc_id):
    """A plan dropped in without a manifest entry: the title line is found by its look alone."""
    doc = docs[doc_id]
    bare = parse_text(doc.text, DocumentMeta("new-plan", None, ""))
    _check_invariants(bare)
    assert [h.title for h in bare.headings if h.level == 1] == TOP_LEVEL[doc_id]
    notice = {c.text for c in doc.clauses if c.section == ("印发通知",)}
    assert notice == {c.text for c in bare.clauses if c.section == ("印发通知",)}


def test_chapter_style_plan():
    text = ("某市规划\n\n第一章 总体要求\n\n第一节 指导思想\n\n正文。\n\n第二节 目标\n\n１．提高研发投入\n\n正文。\n\n"
            "第二章 任务\n\n一、企业\n\n正文。\n\n附件1：重点项目表\n\n项目清单。")
    doc = parse_text(text, _meta(title="某市规划"))
    _check_invariants(doc)
    assert [(h.level, h.title) for h in doc.headings] == [
        (1, "第一章 总体要求"), (2, "第一节 指导思想"), (2, "第二节 目标"), (3, "１．提高研发投入"),
        (1, "第二章 任务"), (2, "一、企业"), (1, "附件1：重点项目表")]


@pytest.mark.parametrize("furniture", ["", "- 3 -\n\n", "3\n", "第3页 共12页\n\n"])
def test_page_break_join_skips_page_numbers(furniture):
    text = f"某市科技创新规划\n\n一、总体要求\n\n全市科技工作坚持创新驱动，以“跑起来”的\n\n{furniture}姿态不断完善创新机制。\n\n下一段。"
    doc = parse_text(text, _meta())
    _check_invariants(doc)
    joined = _clause(doc, "全市科技工作")
    assert joined.text == f"全市科技工作坚持创新驱动，以“跑起来”的\n\n{furniture}姿态不断完善创新机制。"
    assert [c.text for c in doc.clauses][-1] == "下一段。"


def test_numbered_target_items_are_not_headings():
    """A numbered line stating a target or a result is an item of the list above it, not a heading of its own."""
    text = (
        "某市科技创新行动计划\n\n一、主要目标\n\n1．创新能力显著增强\n\n"
        "2．全社会研发投入占地区生产总值比重达到3.5%\n\n3．每万人口高价值发明专利拥有量达到12件\n\n"
        "（4）新增省级以上研发机构50家\n\n二、重点任务\n\n1．强化企业创新主体地位\n\n正文。"
    )
    doc = parse_text(text, _meta())
    assert [h.title for h in doc.headings] == ["一、主要目标", "1．创新能力显著增强", "二、重点任务", "1．强化企业创新主体地位"]
    for start in ("2．全社会研发投入", "3．每万人口", "（4）新增"):
        clause = _clause(doc, start)
        assert clause.kind == "paragraph" and clause.section[-1] == "1．创新能力显著增强", (start, clause.section)
