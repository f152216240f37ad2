"""The one lexicon (ingest.lexicon): parse_number, FIGURE, YEAR, cn_number, years, periods, places, normalize."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest import load_corpus, structure, tables
from ingest.lexicon import (
    FIGURE,
    QUESTION_YEAR,
    YEAR,
    YEAR_PHRASE,
    city_key,
    cn_number,
    cn_numeral,
    figure_value,
    five_year_ordinal,
    five_year_years,
    in_base_unit,
    asked_places,
    known_cities,
    normalize,
    number_readings,
    parse_number,
    place_stem,
    question_years,
    years_in,
)

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


# --------------------------------------------------------------------------- parse_number

@pytest.mark.parametrize("text, value", [
    ("3万", 30000.0), ("2.5亿", 2.5e8), ("20,000", 20000.0), ("4%", 4.0), ("4％", 4.0), (">500", 500.0),
    ("＞500", 500.0), ("3左右", 3.0), ("10~20", 10.0), ("10～20", 10.0), ("3—4", 3.0), ("1-2家", 1.0),
    ("100以上", 100.0), ("52.59", 52.59), ("1,000", 1000.0), ("2万家", 20000.0), ("11.6万人", 116000.0),
    ("六", 6.0), ("十二", 12.0), ("三百", 300.0), ("两万", 20000.0), ("一百零五", 105.0),
    ("１２", 12.0),  # full-width digits
    # units that begin with 万/亿 are units: the value stays in them
    ("1000亿元", 1000.0), ("50万元", 50.0), ("300万平方米", 300.0), ("1.2万亿元", 1.2),
    (None, None), ("", None), ("  ", None), ("/", None), ("—", None), ("约束性", None), ("预期性", None),
    ("十四五", None),  # not one number
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_chinese_numerals_only_when_the_whole_text_is_one():
    assert parse_number("六") == 6.0
    assert parse_number("六家") is None  # 家 is not a numeral: no number in digits either
    assert parse_number("第六") is None


def test_in_base_unit():
    assert in_base_unit(1000.0, "亿元") == (1e11, "元")
    assert in_base_unit(300.0, "万平方米") == (3e6, "平方米")
    assert in_base_unit(12.0, "家") == (12.0, "家")
    assert in_base_unit(None, "万元") == (None, "元")


# --------------------------------------------------------------------------- cn_number

@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十三", 23), ("三百", 300), ("一百零五", 105), ("两千", 2000),
    ("三万", 30000), ("12", 12), ("二三", None), ("十十", None), ("", None), ("x", None),
])
def test_cn_number(text, value):
    assert cn_number(text) == value


def test_cn_number_digitwise_reads_years():
    assert cn_number("二〇二〇", digitwise=True) == 2020
    assert cn_number("二零二一", digitwise=True) == 2021
    assert cn_number("二〇二十", digitwise=True) is None


def test_cn_number_lives_in_numbers_and_structure_uses_it():
    assert structure.cn_number is cn_number  # moved, not copied
    assert tables.parse_number is parse_number


# --------------------------------------------------------------------------- FIGURE and YEAR

def _figures(text: str) -> list[tuple[str, str | None, str]]:
    return [(m["num"], m["mult"], m["unit"]) for m in FIGURE.finditer(text)]


@pytest.mark.parametrize("text, expected", [
    ("高新技术企业突破3600家", [("3600", None, "家")]),
    ("高新技术企业超2万家", [("2", "万", "家")]),
    ("技术合同成交额达1000亿元", [("1000", None, "亿元")]),
    ("建成运营城市“硅巷”超300万平方米", [("300", None, "万平方米")]),
    ("比上年提高0.5个百分点", [("0.5", None, "个百分点")]),
    ("比重达到47.5 %", [("47.5", None, "%")]),
    ("获得二等奖2\n\n项", [("2", None, "项")]),  # a page break inside a sentence
    ("新建国家技术创新中心3—4家", [("3", None, "家")]),
    ("在孵企业数 300 余家", [("300", None, "家")]),
    ("高技能人才达到55万人", [("55", "万", "人")]),
    ("农产品年出口额达2.5亿美元", [("2.5", None, "亿美元")]),
])
def test_figure_finds_numbers_with_units(text, expected):
    assert _figures(text) == expected


@pytest.mark.parametrize("text", [
    "到2025年，", "2020年", "（2020－2022年）", "名列全国第4位", "位居第26位", "第1个", "第30届科技节",
    "句政办发〔2022〕41号", "1.以核心技术提升主导产业", "（2）高技术船舶", "- 12 -", "G312产业创新走廊",
    "5G通信", "3D打印", "3000吨级内河码头", "1000亿级产业", "500亿元级", "1.4G专网",
    "“1+N”体制", "建设10项目", "3月15日", "每万人发明专利",
])
def test_figure_skips_years_ordinals_numbers_and_grades(text):
    assert _figures(text) == []


def test_figure_value_normalises():
    values = [figure_value(m) for m in FIGURE.finditer("超2万家，达1000亿元，11.6万人，3—4家，300余家")]
    assert values == [20000.0, 1000.0, 116000.0, 3.0, 300.0]


def test_year():
    assert [int(m.group(1)) for m in YEAR.finditer("到2025年，截至 2020 年底，2020－2022年，90年代，20250年")] == [2025, 2020, 2022]


def test_year_phrase_is_a_year_with_its_end():
    text = "到2025年底，截至 2020 年末，2021年，2030，90年代"
    assert [m.group(0) for m in re.finditer(YEAR_PHRASE, text)] == ["2025年底", "2020 年末", "2021年"]


def test_no_bare_year_is_a_figure_in_any_plan():
    docs = load_corpus(PLANS).documents
    assert len(docs) == 5
    for doc in docs:
        for m in FIGURE.finditer(doc.text):
            after = doc.text[m.end("num"):m.end("num") + 2].strip()
            assert not (len(m["num"]) == 4 and m["num"].startswith(("19", "20")) and after.startswith("年")), m.group()


def test_indicator_values_do_not_change_with_the_shared_parser():
    """The 45 indicator records parse to the values the old tables.parse_number gave (no cell holds 万/亿 or a range)."""
    docs = load_corpus(PLANS).documents
    records = [r for d in docs for r in d.indicators]
    assert len(records) == 45
    cells = [yv for r in records for yv in (r.baseline, r.target) if yv is not None]
    assert not any(c.value_text and any(ch in c.value_text for ch in "万亿~～—-") for c in cells)
    got = {(r.doc_id, r.indicator): (r.baseline.value if r.baseline else None, r.target.value) for r in records}
    assert got[("nantong-2021", "全社会研发经费支出占GDP比重")] == (2.55, 3.0)  # "3左右"
    assert got[("nantong-2021", "技术合同成交额")] == (194.2, 500.0)  # ">500"
    assert got[("nantong-2021", "研发经费年均增速")] == (None, 8.0)  # "/" and ">8"
    assert got[("nanjing-2021", "高新技术企业数")] == (6507.0, 20000.0)
    assert got[("lianyungang-2021", "年技术合同成交额")] == (52.59, 100.0)
    assert got[("jurong-2022", "大型仪器设备入网数")] == (None, 10.0)
    # every parsed value is the one number its cell states
    for c in cells:
        if c.value_text and c.value_text.strip("/"):
            digits = "".join(ch for ch in c.value_text if ch.isdigit() or ch == ".")
            assert c.value == float(digits), c



# --------------------------------------------------------------------------- the rest of the lexicon

def test_normalize_folds_width_case_and_space():
    assert normalize("２０２５年　ＡＢ") == "2025年 AB"
    assert normalize(" Ａ\t b ", case="lower", space="collapse") == "a b"
    assert normalize("南 京\n市", space="remove") == "南京市"
    with pytest.raises(ValueError):
        normalize("x", space="squash")


def test_years_and_question_years():
    assert years_in("2021-2025") == [2021, 2025]
    assert years_in("12021 与 20250 不是年份，1998年是") == [1998]
    assert question_years("南京到2025年高企多少家") == [2025]
    assert question_years("到2030呢") == [2030]
    assert question_years("研发投入达到2000家") == []  # 达到 a number is not a year
    assert QUESTION_YEAR.search("2000家") is None
    assert question_years("高企要到2000家") == [] and question_years("投入到2000万元") == []  # counts, not years


def test_five_year_periods_are_computed():
    assert five_year_years(14) == (2021, 2025)
    assert five_year_years(15) == (2026, 2030)
    assert five_year_years(3) == (1966, 1970)
    assert five_year_ordinal(2021, 2025) == 14
    assert five_year_ordinal(2020, 2022) is None
    assert cn_numeral(14) == "十四" and cn_numeral(23) == "二十三" and cn_numeral(5) == "五"
    with pytest.raises(ValueError):
        five_year_years(2)


def test_number_readings_give_both_readings_of_a_multiplier():
    assert number_readings("超2万家") == [2.0, 20000.0]
    assert number_readings("1000亿元") == [1000.0, 1e11]  # 1000 in 亿元, and its value in 元
    assert number_readings("3,000家") == [3000.0]


def test_places():
    assert city_key("南京市") == "南京" and city_key(" 南京 ") == "南京"
    assert place_stem("青岚区") == "青岚" and place_stem("江阴市") == "江阴" and place_stem("某县") == "某"
    cities = known_cities()
    assert "江阴" in cities and "连云港" in cities and len(cities) == len(set(cities))
    asked = asked_places()
    assert set(asked) < set(cities) and "苏州" in asked and "靖江" not in asked  # 靖江: a title's city only


def test_the_term_table_holds_no_places(tmp_path):
    from index.tokenize import ResourceError, read_synonyms
    terms = tmp_path / "terms.tsv"
    terms.write_text("苏州\t苏州\tplace\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="places.tsv"):
        read_synonyms(terms)


def test_known_cities_rejects_a_malformed_row(tmp_path):
    bad = tmp_path / "places.tsv"
    bad.write_text("南京\t地级市\n", encoding="utf-8")
    with pytest.raises(ValueError, match="places.tsv:1"):
        known_cities(bad)


def test_a_code_names_digits_are_no_figure():
    """G42 (a road), T800 (a fibre grade), IPv6: digits glued to Latin letters name a thing, they state no figure."""
    from ingest.lexicon import NUMBER_NOT_YEAR

    for text in ("参与G42沪宁沿线人才创新走廊建设", "T800级碳纤维", "IPv6规模部署"):
        assert NUMBER_NOT_YEAR.search(text) is None, text
    assert [m.group(0) for m in NUMBER_NOT_YEAR.finditer("新增300家，达到2.5%")] == ["300", "2.5"]

