"""A number stated for the year of an indicator row's other column is a false premise (target.year_swapped)."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.composers.target import Figure, year_swapped
from ingest.records import IndicatorRecord, YearValue


def _ctx(question: str, numbers: tuple[str, ...]):
    return SimpleNamespace(query=SimpleNamespace(original=question, text=question, numbers=numbers))


def _figure() -> Figure:
    record = IndicatorRecord(doc_id="d", city="甲市", indicator="研发投入强度", unit="%", baseline=YearValue(2020, "2.55", 2.55),
                             target=YearValue(2025, "3左右", 3.0), attribute=None, char_start=0, char_end=1)
    return Figure(text="甲市研发投入强度2020年为2.55%（规划目标：2025年3%左右）", span=None, score=1.0, city="甲市", record=record)


def test_the_target_stated_for_the_base_year_and_the_reverse_are_found():
    assert year_swapped(_ctx("甲市2020年研发强度已经达到3%了吧", ("3",)), [_figure()]) == ("3", 2020, 2025)
    assert year_swapped(_ctx("甲市2025年研发强度要达到2.55%吗", ("2.55",)), [_figure()]) == ("2.55", 2025, 2020)


def test_the_rows_own_pairs_and_questions_naming_both_years_are_kept():
    assert year_swapped(_ctx("甲市2020年研发强度是2.55%吧", ("2.55",)), [_figure()]) is None
    assert year_swapped(_ctx("甲市2025年研发强度要到3%吗", ("3",)), [_figure()]) is None
    assert year_swapped(_ctx("甲市研发强度从2020年的3%到2025年要到多少", ("3",)), [_figure()]) is None
    assert year_swapped(_ctx("甲市2023年研发强度要到3%吗", ("3",)), [_figure()]) is None  # a year the row does not give
