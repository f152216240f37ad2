"""Plan versions on synthetic plans: series, routing by period/year/base year, indicator matching and verdicts."""
from __future__ import annotations

from ingest.periods import five_year
from ingest.records import DocumentMeta, IndicatorRecord, YearValue
from assistant.composers.versions import pick_pair
from assistant.versions import (MET, NOT_MET, UNKNOWN, PlanVersion, diff, plan_question, route, series)

DOCS = {
    "a-old": DocumentMeta("a-old", "甲市", "甲市“十四五”科技创新规划", period="2021-2025"),
    "a-new": DocumentMeta("a-new", "甲市", "甲市“十五五”科技创新规划", period="2026-2030"),
    "b": DocumentMeta("b", "乙市", "乙市“十四五”科技创新规划", period="2021-2025"),
}


def _row(doc, name, unit, base, target, by=(2020, 2025), attribute="预期性"):
    return IndicatorRecord(doc, "甲市", name, unit, YearValue(by[0], str(base), base) if base is not None else None,
                           YearValue(by[1], str(target), target), attribute, 0, 1)


def test_series_holds_only_cities_with_plans_of_two_periods():
    found = series(DOCS)
    assert list(found) == ["甲市"] and [p.doc_id for p in found["甲市"]] == ["a-old", "a-new"]
    assert found["甲市"][0].kind == "五年规划"
    assert "规划期已结束" in found["甲市"][0].label(2026) and "规划期已结束" not in found["甲市"][1].label(2026)


def test_route_by_period_year_base_year_and_today():
    plans = series(DOCS)["甲市"]
    assert route("甲市十四五时期的高企目标", plans, 2026).doc_ids == ("a-old",)
    assert route("到2030年甲市要达到多少", plans, 2026).doc_ids == ("a-new",)
    assert route("到2025年甲市要达到多少", plans, 2026).doc_ids == ("a-old",)
    assert route("甲市2020年的基数", plans, 2026).doc_ids == ("a-old",)  # the base year of 十四五
    assert route("2025年实际达到多少", plans, 2026, looks_back=True).doc_ids == ("a-new",)  # 十五五's base year
    assert route("甲市高企目标是多少", plans, 2026).doc_ids == ("a-new",)  # the current plan
    assert route("甲市高企目标是多少", plans, 2024).doc_ids == ("a-old",)  # before 十五五 began
    missing = route("甲市“十三五”的目标", plans, 2026)
    assert missing.doc_ids == () and missing.missing == "“十三五”"


def test_plan_question_only_for_a_series_city():
    assert plan_question("乙市高企目标", ("乙市",), DOCS, year=2026) is None
    plan = plan_question("甲市高企目标", ("甲市",), DOCS, year=2026)
    assert plan.route.doc_ids == ("a-new",)
    assert plan_question("两版规划的高企目标分别是多少", (), DOCS, year=2026).route is None  # a version question


def test_diff_matches_by_concept_and_words_and_judges_old_targets():
    plans = series(DOCS)["甲市"]
    rows = [
        _row("a-old", "全社会研发经费投入占地区生产总值比重", "%", 2.45, 3.0),
        _row("a-old", "有效高新技术企业数量", "家", 612, 1200),
        _row("a-old", "全市科技进步贡献率", "%", 60.2, 65),
        _row("a-old", "单位GDP能耗", "吨", 0.5, 0.4),
        _row("a-new", "全社会研发经费投入强度", "%", 2.92, 3.5, by=(2025, 2030)),
        _row("a-new", "高新技术企业数量", "家", 1286, 2000, by=(2025, 2030)),
        _row("a-new", "单位GDP能耗", "吨", 0.38, 0.3, by=(2025, 2030)),
        _row("a-new", "基础研究经费占全社会研发经费比重", "%", 4.2, 8, by=(2025, 2030)),
    ]
    d = diff(plans[0], plans[1], rows)
    pairs = {(c.old.indicator if c.old else None): (c.new.indicator if c.new else None, c.verdict) for c in d.changes}
    assert pairs["全社会研发经费投入占地区生产总值比重"] == ("全社会研发经费投入强度", NOT_MET)
    assert pairs["有效高新技术企业数量"] == ("高新技术企业数量", MET)
    assert pairs["全市科技进步贡献率"] == (None, UNKNOWN)
    assert pairs["单位GDP能耗"] == ("单位GDP能耗", MET)  # a falling target is met from below
    assert [c.new.indicator for c in d.added] == ["基础研究经费占全社会研发经费比重"]
    hi = next(c for c in d.matched if c.new.indicator == "高新技术企业数量")
    assert hi.change == 800 and round(hi.change_pct, 1) == 66.7


def test_pick_pair():
    plans = series(DOCS)["甲市"]
    assert [p.doc_id for p in pick_pair("十四五目标完成了吗", plans, 2026)] == ["a-old", "a-new"]
    assert [p.doc_id for p in pick_pair("两版规划有什么不同", plans, 2026)] == ["a-old", "a-new"]


def test_version_questions_and_measures():
    from assistant.versions import asks_versions, words
    assert asks_versions("十五五新增的基础研究经费占比指标，基期是多少")
    assert asks_versions("十四五规划里有哪些重点任务在十五五规划中不再单独部署了")
    assert not asks_versions("甲市高企目标是多少")
    assert words("measure").search("首次认定的高新技术企业奖励") and not words("measure").search("高新技术企业数量")
    plan = plan_question("2025年甲市每万人口发明专利实际达到多少", ("甲市",), DOCS, year=2026)
    assert plan.route.doc_ids == ("a-new",)  # 实际 looks back: the newer plan's base year
