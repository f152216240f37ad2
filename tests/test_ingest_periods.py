"""Plan periods computed from the ordinal or the year range, and a plan's kind from its title."""
from __future__ import annotations

import pytest

from ingest.periods import Period, five_year, ordinals_in, parse_period, plan_kind, plan_period


def test_ordinals_are_computed_not_listed():
    assert (five_year(14).start, five_year(14).end) == (2021, 2025)
    assert (five_year(15).start, five_year(15).end) == (2026, 2030)
    assert (five_year(13).start, five_year(16).end) == (2016, 2035)
    assert five_year(15).label == "十五五" and five_year(21).label == "二十一五"
    with pytest.raises(ValueError):
        five_year(2)


def test_ordinals_in_a_question():
    assert [p.label for p in ordinals_in("十五五相比“十四五”，目标提高了多少")] == ["十五五", "十四五"]
    assert ordinals_in("补助十五万元，二十五人") == []
    assert [p.start for p in ordinals_in("云溪“十六五”时期")] == [2031]


def test_a_stored_period_and_a_title():
    assert parse_period("2021-2025") == five_year(14)  # a range that is exactly a five-year plan
    assert parse_period("2020-2022") == Period(2020, 2022)
    assert parse_period("“创新江阴”三年行动计划（2020－2022年）") == Period(2020, 2022)
    assert parse_period(None) is None and parse_period("科技创新规划") is None
    assert plan_period("某市“十五五”科技创新规划", None) == five_year(15)


def test_period_years():
    p = five_year(14)
    assert p.holds(2021) and p.holds(2025) and not p.holds(2020)
    assert p.base_year == 2020 and p.ended(2026) and not p.ended(2025) and p.begun(2021)
    assert p.display() == "“十四五”（2021—2025年）"
    assert Period(2020, 2022).display() == "2020—2022年"


def test_plan_kind():
    assert plan_kind("某市“十四五”科技创新规划", five_year(14)) == "五年规划"
    assert plan_kind("“创新某市”三年行动计划（2020－2022年）", Period(2020, 2022)) == "三年行动计划"
    assert plan_kind("某市科技创新行动方案", None) == "行动计划"
    assert plan_kind("某市关于加快科技创新的实施意见", None) == "实施意见"
    assert plan_kind("一份通知", None) is None
