"""The figure layer (ingest.figures): every number-with-unit a plan states, its subject, year, role and exact span."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest import load_corpus, parse_text
from ingest.figures import document_figures, extract_figures
from ingest.lexicon import YEAR
from ingest.records import DocumentMeta, Figure, ParsedDocument

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    result = load_corpus(PLANS)
    return {d.meta.doc_id: d for d in result.documents}


@pytest.fixture(scope="module")
def figures(docs) -> dict[str, list[Figure]]:
    return {doc_id: document_figures(doc) for doc_id, doc in docs.items()}


def one(figs: list[Figure], **want) -> Figure:
    """The one figure with these field values (fails if none or several)."""
    got = [f for f in figs if all(getattr(f, k) == v for k, v in want.items())]
    assert len(got) == 1, f"{want}: {len(got)} figures: {got[:5]}"
    return got[0]


def span(doc: ParsedDocument, f: Figure) -> str:
    return doc.text[f.char_start:f.char_end]


# --------------------------------------------------------------------------- every figure of every plan

def test_offsets_are_exact_for_every_figure_of_every_plan(docs, figures):
    total = 0
    for doc_id, figs in figures.items():
        doc = docs[doc_id]
        clauses = {c.clause_id: c for c in doc.clauses}
        for f in figs:
            total += 1
            c = clauses[f.clause_id]
            assert c.char_start <= f.char_start < f.char_end <= c.char_end, f  # within one clause
            text = span(doc, f)
            squashed = re.sub(r"\s+", "", text)
            assert text == text.strip(), f
            assert f.value_text in squashed, (f, text)
            if f.source == "table":
                assert f.subject is not None and f.unit is not None
                assert text.startswith(f.subject[:4]) and text.endswith(f.value_text), (f, text)
            else:
                assert f.unit in squashed, (f, text)
                if f.subject is not None:
                    assert f.subject in squashed, (f, text)  # the subject as written (line breaks removed)
                    assert squashed.startswith(f.subject) or squashed.startswith(f.value_text), (f, text)
    assert total == 508


def test_counts_per_plan_by_source_and_role(figures):
    got = {doc_id: Counter((f.source, f.role) for f in figs) for doc_id, figs in figures.items()}
    assert got == {
        "jiangyin-2020": Counter({("prose", "target"): 72, ("task", "target"): 70, ("prose", "other"): 1}),
        "jurong-2022": Counter({("prose", "baseline"): 52, ("prose", "target"): 20, ("table", "target"): 15}),
        "lianyungang-2021": Counter({("prose", "baseline"): 44, ("prose", "target"): 21, ("table", "baseline"): 7,
                                     ("table", "target"): 7, ("box", "target"): 7, ("prose", "other"): 1}),
        "nanjing-2021": Counter({("prose", "baseline"): 42, ("prose", "target"): 20, ("table", "target"): 13,
                                 ("table", "baseline"): 9, ("prose", "other"): 5, ("box", "other"): 1}),
        "nantong-2021": Counter({("prose", "baseline"): 51, ("prose", "target"): 34, ("table", "target"): 10,
                                 ("table", "baseline"): 5, ("prose", "other"): 1}),
    }


def test_subjects_are_short_chinese_phrases(figures):
    subjects = [f.subject for figs in figures.values() for f in figs if f.subject is not None]
    assert len(subjects) >= 470  # most figures have a subject; the rest keep None rather than a wrong one
    for s in subjects:
        # a Latin gloss in brackets ("（R&D）", "（GDP）") does not count towards the length
        assert 2 <= len(re.sub(r"[（(][A-Za-z&\s]{1,8}[)）]", "", s)) <= 20 and len(_CJK.findall(s)) >= 2, s
        assert not re.search(r"[，。；：！？\s]", s), s
        assert not s.endswith(("的", "和", "及", "与", "、", "等")), s


def test_no_bare_years_ordinals_or_names_in_quotes(docs, figures):
    for doc_id, figs in figures.items():
        text = docs[doc_id].text
        for f in figs:
            assert f.unit != "年"
            if re.fullmatch(r"(19|20)\d\d", f.value_text):
                assert not re.match(r"\s*年", text[f.char_end - len(f.unit) - 1:]), f
            before = text[max(0, f.char_start - 1):f.char_start]
            assert before != "第" or f.subject is not None, f
    values = {(f.doc_id, f.value_text, f.unit) for figs in figures.values() for f in figs}
    assert ("lianyungang-2021", "30", "条") not in values  # “科技改革30条” is a policy's name
    assert ("nanjing-2021", "100", "条") not in values  # 《南京市优化营商环境100条》
    assert not any(f.unit in ("位", "届", "号", "年", "月", "日") for figs in figures.values() for f in figs)


def test_years_are_years_the_sentence_names(docs, figures):
    for doc_id, figs in figures.items():
        named = {int(y) for y in YEAR.findall(docs[doc_id].text)}
        for f in figs:
            assert f.year is None or f.year in named, f


# --------------------------------------------------------------------------- known figures of the plans

def test_nanjing_targets(docs, figures):
    doc, figs = docs["nanjing-2021"], figures["nanjing-2021"]
    f = one(figs, subject="高新技术企业", source="prose", role="target")
    assert (f.value, f.value_text, f.unit, f.city) == (20000.0, "2万", "家", "南京市")
    assert span(doc, f) == "高新技术企业超2万家"
    f = one(figs, subject="科技型中小企业", source="prose")
    assert (f.value, f.value_text, f.role) == (30000.0, "3万", "target")
    assert span(doc, f) == "科技型中小企业突破3万家"
    f = one(figs, subject="有国际影响力的新型研发机构", source="prose")  # the noun after its number
    assert (f.value, f.unit, f.role) == (40.0, "家", "target")
    assert span(doc, f) == "40家有国际影响力的新型研发机构"
    f = one(figs, subject="技术市场合同成交额", source="prose")
    assert (f.value, f.unit) == (1000.0, "亿元")  # in the table's unit, so both compare equal
    assert f.value == one(figs, subject="技术市场合同成交额", source="table", role="target").value
    f = one(figs, subject="国家技术创新中心")
    assert (f.value, f.value_text) == (3.0, "3—4")


def test_nanjing_fenbie_pairs_subjects_with_values(docs, figures):
    doc, figs = docs["nanjing-2021"], figures["nanjing-2021"]
    a, b = one(figs, subject="国家级孵化器"), one(figs, subject="众创空间")
    assert (a.value, b.value, a.role, b.role) == (60.0, 85.0, "target", "target")
    assert span(doc, a) == "国家级孵化器、众创空间数量分别达到60家"
    assert span(doc, b) == "众创空间数量分别达到60家、85家"
    three = [one(figs, subject=s) for s in ("市级专精特新培育企业", "省级专精特新“小巨人”企业", "省创新型领军企业培育库入库企业")]
    assert [(f.value, f.role, f.year) for f in three] == [(1312.0, "baseline", 2020), (182.0, "baseline", 2020), (28.0, "baseline", 2020)]


def test_nanjing_baselines_2020_reached(docs, figures):
    doc, figs = docs["nanjing-2021"], figures["nanjing-2021"]
    f = one(figs, subject="全社会研发经费支出", source="prose")
    assert (f.value, f.unit, f.year, f.role) == (515.0, "亿元", 2020, "baseline")
    # "2020年,高新技术产业产值占规模以上工业总产值比重达53.4%": 达 but in 2020, a year before the plan
    f = one(figs, subject="高新技术产业产值占规模以上工业总产值比重", source="prose", role="baseline")
    assert (f.value, f.year) == (53.4, 2020)
    assert span(doc, f) == "高新技术产业产值占规模以上工业总产值比重达53.4%"
    # "高新技术企业总数从2015年1274家增至2020年6507家": two years, one subject
    a, b = one(figs, value=1274.0), one(figs, value=6507.0, source="prose")
    assert (a.subject, a.year, a.role) == ("高新技术企业总数", 2015, "baseline")
    assert (b.subject, b.year, b.role) == ("高新技术企业总数", 2020, "baseline")
    assert span(doc, b) == "高新技术企业总数从2015年1274家增至2020年6507家"


def test_nanjing_indicator_rows(docs, figures):
    doc, figs = docs["nanjing-2021"], figures["nanjing-2021"]
    base = one(figs, subject="高新技术企业数", role="baseline")
    target = one(figs, subject="高新技术企业数", role="target")
    assert (base.value, base.year, base.source, base.unit) == (6507.0, 2020, "table", "家")
    assert (target.value, target.value_text, target.year) == (20000.0, "20000", 2025)
    assert span(doc, base) == "高新技术企业数(家)\n\n6507"
    assert span(doc, target) == "高新技术企业数(家)\n\n6507\n\n20000"
    assert base.clause_id == target.clause_id
    assert one(figs, subject="有国际影响力的新型研发机构", source="table").role == "target"  # no baseline cell


def test_nantong(docs, figures):
    doc, figs = docs["nantong-2021"], figures["nantong-2021"]
    f = one(figs, subject="高新技术企业", source="prose", role="target")
    assert (f.value, f.year, f.unit) == (3600.0, 2025, "家")
    assert span(doc, f) == "高新技术企业突破3600家"
    f = one(figs, subject="国家高新技术企业")  # "十三五"期间…拥有国家高新技术企业2178家
    assert (f.value, f.role, f.year) == (2178.0, "baseline", None)
    f = one(figs, subject="技术合同成交额", role="target")
    assert (f.value, f.value_text, f.unit, f.year, f.source) == (500.0, ">500", "亿元", 2025, "table")
    f = one(figs, subject="全社会研发经费支出占GDP比重", role="target")
    assert (f.value, f.value_text) == (3.0, "3左右")
    assert one(figs, subject="全社会研发经费支出占GDP比重", role="baseline").value == 2.55
    f = one(figs, subject="5万元以上的产学研合作项目")  # 5万元 is a threshold, part of the subject
    assert (f.value, f.unit) == (3909.0, "项")
    assert not [g for g in figs if g.value_text == "5" and g.unit == "万元"]
    f = one(figs, subject="高技能人才")
    assert (f.value, f.value_text, f.unit, f.role) == (550000.0, "55万", "人", "target")
    f = one(figs, subject="高新技术产业产值占规上工业总产值比重", role="target")
    assert span(doc, f) == "高新技术产业产值占规上工业总产值比重达到47.5 %"


def test_lianyungang_box_and_table(docs, figures):
    doc, figs = docs["lianyungang-2021"], figures["lianyungang-2021"]
    f = one(figs, subject="农产品年出口额")
    assert (f.value, f.unit, f.year, f.role, f.source) == (2.5, "亿美元", 2025, "target", "box")
    f = one(figs, subject="高新技术企业数", role="baseline")
    assert (f.value, f.unit, f.year) == (411.0, "个", 2020)
    f = one(figs, subject="全社会研发投入占地区生产总值比重", role="baseline")
    assert (f.value, f.year, f.source) == (2.24, 2020, "prose")
    f = one(figs, subject="全社会研发投入占地区生产总值比重", role="target")
    assert (f.value, f.year) == (2.5, 2025)


def test_jurong_page_breaks_and_spaces(docs, figures):
    doc, figs = docs["jurong-2022"], figures["jurong-2022"]
    f = one(figs, subject="国家科学技术进步奖二等奖")
    assert (f.value, f.unit) == (2.0, "项")
    assert span(doc, f) == "国家科学技术进步奖二等奖2\n\n项"  # a sentence joined across a page break
    f = one(figs, subject="有效期内高新技术企业数量")  # 截至 2020 年底，全市有效期内高新技术企业数量达到 119 家
    assert (f.value, f.year, f.role) == (119.0, 2020, "baseline")
    f = one(figs, subject="在孵企业数")
    assert (f.value, f.value_text) == (300.0, "300余")
    assert [f.subject for f in figs if f.source == "table"] == [r.indicator for r in docs["jurong-2022"].indicators]


def test_jiangyin_tasks(docs, figures):
    doc, figs = docs["jiangyin-2020"], figures["jiangyin-2020"]
    tasks = [f for f in figs if f.source == "task"]
    assert len(tasks) == 70 and {f.role for f in tasks} == {"target"} and {f.year for f in tasks} == {2020}
    spans = [(t.char_start, t.char_end) for t in doc.tasks]
    assert all(any(s <= f.char_start and f.char_end <= e for s, e in spans) for f in tasks)
    f = one(tasks, subject="高新技术产业产值占规模以上工业产值比重")
    assert (f.value, f.unit) == (38.0, "%")
    fenbie = [one(tasks, subject=s, value=v) for s, v in (("准独角兽企业", 10.0), ("瞪羚企业", 60.0), ("雏鹰企业", 220.0))]
    assert len({f.clause_id for f in fenbie}) == 1
    assert span(doc, one(tasks, subject="雏鹰企业")) == "雏鹰企业培育入库数分别达到10家、60家和220家"
    f = one(tasks, subject="10亿元以上项目")
    assert (f.value, f.unit) == (30.0, "个")
    f = one(tasks, subject="高技术制造业投资占工业投资比重")
    assert (f.value, f.unit) == (0.5, "个百分点")
    # the plan's prose: 到2022年 targets
    f = one(figs, subject="人才总数")
    assert (f.value, f.value_text, f.year, f.role, f.source) == (440000.0, "44万", 2022, "target", "prose")


def test_indicator_records_each_give_a_target_and_their_baseline(docs, figures):
    for doc_id, doc in docs.items():
        table = [f for f in figures[doc_id] if f.source == "table"]
        expected = sum(1 + (r.baseline is not None) for r in doc.indicators if r.target.value_text)
        assert len(table) == expected
        for r in doc.indicators:
            t = one(table, subject=r.indicator, role="target")
            assert (t.value, t.value_text, t.year, t.unit) == (r.target.value, r.target.value_text, r.target.year, r.unit)
            if r.baseline:
                b = one(table, subject=r.indicator, role="baseline")
                assert (b.value, b.year) == (r.baseline.value, r.baseline.year)
                assert b.char_end <= t.char_end and b.char_start == t.char_start


# --------------------------------------------------------------------------- small synthetic texts

def _doc(body: str, year: int | None = 2021, section: str = "二、重点任务") -> tuple[str, list[Figure]]:
    text = f"某市科技规划\n\n{section}\n\n{body}\n"
    doc = parse_text(text, DocumentMeta(doc_id="t", city="某市", title="某市科技规划", year=year))
    return text, document_figures(doc)


def _read(body: str, **kw) -> list[tuple[str | None, float | None, str, int | None, str, str]]:
    text, figs = _doc(body, **kw)
    return [(f.subject, f.value, f.unit, f.year, f.role, text[f.char_start:f.char_end]) for f in figs]


def test_subject_before_the_number_without_verbs_and_time():
    assert _read("到2025年，新增省级以上研发机构50家。") == [
        ("省级以上研发机构", 50.0, "家", 2025, "target", "省级以上研发机构50家")]
    assert _read("力争全市高新技术企业突破3600家，研发投入占比达到3%左右。") == [
        ("高新技术企业", 3600.0, "家", None, "target", "高新技术企业突破3600家"),
        ("研发投入占比", 3.0, "%", None, "target", "研发投入占比达到3%左右")]


def test_subjects_paired_through_fenbie():
    assert _read("国家级孵化器、众创空间数量分别达到60家、85家。") == [
        ("国家级孵化器", 60.0, "家", None, "target", "国家级孵化器、众创空间数量分别达到60家"),
        ("众创空间", 85.0, "家", None, "target", "众创空间数量分别达到60家、85家")]


def test_counted_noun_after_the_number():
    assert _read("培育40家有国际影响力的新型研发机构，突破50项关键技术、开发1000个创新产品。") == [
        ("有国际影响力的新型研发机构", 40.0, "家", None, "other", "40家有国际影响力的新型研发机构"),
        ("关键技术", 50.0, "项", None, "target", "50项关键技术"),
        ("创新产品", 1000.0, "个", None, "target", "1000个创新产品")]


def test_baseline_and_target_from_years_cues_and_sections():
    assert _read("2020年，全市高新技术企业达到500家。") == [
        ("高新技术企业", 500.0, "家", 2020, "baseline", "高新技术企业达到500家")]
    assert _read("“十三五”期间，累计培育高新技术企业300家。") == [
        ("高新技术企业", 300.0, "家", None, "baseline", "高新技术企业300家")]
    assert _read("截至2021年底，已建成众创空间20个。", year=2022) == [
        ("众创空间", 20.0, "个", 2021, "baseline", "众创空间20个")]
    assert _read("全市拥有省级孵化器12家。", section="一、发展基础") == [
        ("省级孵化器", 12.0, "家", None, "baseline", "省级孵化器12家")]
    assert _read("全市拥有省级孵化器12家。", section="二、发展目标") == [
        ("省级孵化器", 12.0, "家", None, "target", "省级孵化器12家")]
    assert _read("全市拥有省级孵化器12家。") == [("省级孵化器", 12.0, "家", None, "other", "省级孵化器12家")]
    # without the plan's year, only a look-ahead word says a year is a target
    assert [r[4] for r in _read("到2025年，孵化器达到12家。2020年，孵化器8家。", year=None)] == ["target", "other"]


def test_no_figures_in_numbering_dates_document_numbers_or_names():
    assert _read("1. 加强组织领导，第3条规定，2021年3月15日印发，〔2022〕41号，- 12 -，"
                 "（2）完善机制，落实“科技改革30条”和《营商环境100条》，名列第4位，进入前50名。") == []


def test_threshold_figures_join_the_next_subject_and_chains_keep_theirs():
    assert _read("新签约10亿元以上项目30个、30亿元以上项目6个。") == [
        ("10亿元以上项目", 30.0, "个", None, "target", "10亿元以上项目30个"),
        ("30亿元以上项目", 6.0, "个", None, "target", "30亿元以上项目6个")]
    assert _read("高新技术企业总数从2015年1274家增至2020年6507家。") == [
        ("高新技术企业总数", 1274.0, "家", 2015, "baseline", "高新技术企业总数从2015年1274家"),
        ("高新技术企业总数", 6507.0, "家", 2020, "baseline", "高新技术企业总数从2015年1274家增至2020年6507家")]


def test_no_subject_rather_than_a_wrong_one():
    got = _read("有效高新技术企业数实现倍增，突破1000家，是“十二五”末的2.7倍。")
    assert [(s, v, u) for s, v, u, *_ in got] == [(None, 1000.0, "家"), (None, 2.7, "倍")]
    assert [r[5] for r in got] == ["1000家", "2.7倍"]
    long = "全社会研究与试验发展经费支出占地区生产总值比重达4%。"  # a 22-character subject is too long
    assert [(s, v) for s, v, *_ in _read(long)] == [(None, 4.0)]


def test_indicator_table_with_wan_in_a_cell_and_placeholders():
    body = ("表1 主要指标\n\n序号\t指标名称\t单位\t2020年\t2025年目标\n1\t研发投入\t%\t2.5\t3\n"
            "2\t高企\t家\t100\t2万\n3\t专利\t件\t/\t—")
    text, figs = _doc(body, section="一、发展目标")
    got = [(f.subject, f.role, f.value, f.value_text, f.year, f.source, text[f.char_start:f.char_end]) for f in figs]
    assert got == [
        ("研发投入", "baseline", 2.5, "2.5", 2020, "table", "研发投入\t%\t2.5"),
        ("研发投入", "target", 3.0, "3", 2025, "table", "研发投入\t%\t2.5\t3"),
        ("高企", "baseline", 100.0, "100", 2020, "table", "高企\t家\t100"),
        ("高企", "target", 20000.0, "2万", 2025, "table", "高企\t家\t100\t2万"),
    ]  # 专利 states no value: no figure


def test_extract_figures_takes_records_and_clauses_directly(docs):
    doc = docs["nantong-2021"]
    assert extract_figures(doc.clauses, doc.indicators, doc.tasks, doc.meta.city, year=doc.meta.year,
                           period=doc.meta.period) == document_figures(doc)
    # the plan's period stands in for its year
    assert extract_figures(doc.clauses, doc.indicators, doc.tasks, doc.meta.city, period="2021-2025") == document_figures(doc)
    # without a period, a 发展基础 figure that names no year keeps none (the period says which year it reports on)
    by_year = extract_figures(doc.clauses, doc.indicators, doc.tasks, doc.meta.city, year=doc.meta.year)

    def yearless(figures):
        return {(f.char_start, f.char_end) for f in figures if f.role == "baseline" and f.source == "prose" and f.year is None}

    with_period = document_figures(doc)
    dated = yearless(by_year) - yearless(with_period)
    assert dated and {f.year for f in with_period if (f.char_start, f.char_end) in dated} == {2020}
    # without the records, table rows of the indicator table are read as rows
    plain = extract_figures(doc.clauses, city=doc.meta.city, year=2021)
    assert not [f for f in plain if f.source == "table" and f.role == "baseline" and f.year == 2020]
    assert extract_figures([]) == []


def test_figure_round_trips_through_a_dict(figures):
    f = figures["nanjing-2021"][0]
    assert Figure.from_dict(f.to_dict()) == f


def test_a_subject_with_latin_glosses_is_kept():
    """"全社会研发投入（R&D）占国民生产总值（GDP）比重达 1.77%": 26 characters, 16 without the glosses."""
    doc = parse_text("发展基础\n\n全社会研发投入（R&D）占国民生产总值（GDP）比重达 1.77%。\n", DocumentMeta(doc_id="t", title="某市规划", city="某市"))
    got = [f for f in document_figures(doc) if f.value == 1.77]
    assert got and got[0].subject == "全社会研发投入（R&D）占国民生产总值（GDP）比重", got


def test_a_five_year_period_is_past_or_ahead_by_the_plans_own_period():
    """"十四五末" looks back in a 十五五 plan and ahead in a 十四五 plan: the period named is held against the plan's."""
    text = "主要目标\n\n“十四五”末，全市高新技术企业达到1000家。\n"
    newer = parse_text(text, DocumentMeta(doc_id="n", title="某市“十五五”科技创新规划", city="某市", period="2026-2030"))
    older = parse_text(text, DocumentMeta(doc_id="o", title="某市“十四五”科技创新规划", city="某市", period="2021-2025"))
    assert [f.role for f in document_figures(newer) if f.value == 1000] == ["baseline"]
    assert [f.role for f in document_figures(older) if f.value == 1000] == ["target"]
