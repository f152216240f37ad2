"""The one number vocabulary of PlanQA: how a plan writes a number, a figure and a year.

* `parse_number` reads the first number of a text as a float, with its 万/亿 multiplier
  ("3万" → 30000.0, "2.5亿" → 2.5e8, "20,000" → 20000.0, ">500" → 500.0, "10~20" → 10.0),
  or a text that is wholly a Chinese numeral ("六" → 6.0, "三百" → 300.0).
* `FIGURE` finds a number stated with a unit ("3600家", "2万家", "47.5 %", "0.5个百分点",
  "300万平方米") - never a bare year ("2025年"), an ordinal ("第4位") or a grade ("3000吨级").
* `YEAR` finds a year ("2025年"); `cn_number` reads a Chinese numeral ("二十三" → 23).

Units that begin with 万 or 亿 (亿元, 万元, 万平方米 …) are units, not multipliers: "1000亿元" is
1000 in the unit 亿元, as the indicator tables state money, so a figure from the prose and the
same figure from the table compare equal. `in_base_unit` converts (1000, "亿元") → (1e11, "元").
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "FIGURE",
    "UNITS",
    "YEAR",
    "cn_number",
    "figure_value",
    "in_base_unit",
    "is_chinese_numeral",
    "parse_number",
]

# ---------------------------------------------------------------------------
# Chinese numerals

_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_DIGIT.update({"〇": 0, "两": 2})
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGIT) + "".join(_CN_SMALL) + "".join(_CN_LARGE)


def is_chinese_numeral(s: str) -> bool:
    s = s.strip()
    return bool(s) and all(c in _CN_CHARS for c in s)


def _cn_section(s: str) -> int | None:
    """A numeral below 10,000 ("三千零五" → 3005, "十二" → 12); None when malformed."""
    total, digit, last_unit = 0, None, 10_000
    for ch in s:
        if ch in "零〇" and digit is None and len(s) > 1:
            continue  # a placeholder zero: 一百零五, 三千〇五
        if ch in _CN_DIGIT:
            if digit is not None:  # two digits in a row ("二三") are not a number here
                return None
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def cn_number(s: str, digitwise: bool = False) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 三百 → 300, 两万 → 20000; arabic digits pass through.

    `digitwise` reads a numeral digit by digit, as years are written: 二〇二〇 → 2020.
    None for anything that is not a well-formed number.
    """
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if digitwise:
        return int("".join(str(_CN_DIGIT[c]) for c in s)) if all(c in _CN_DIGIT for c in s) else None
    total, rest = 0, s
    for large, factor in (("亿", _CN_LARGE["亿"]), ("万", _CN_LARGE["万"])):
        if large in rest:
            head, _, rest = rest.partition(large)
            value = _cn_section(head) if head else None
            if not value:
                return None
            total += value * factor
    if rest:
        value = _cn_section(rest)
        if value is None:
            return None
        total += value
    return total


# ---------------------------------------------------------------------------
# Numbers in arabic digits

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_MULTIPLIER = {"万": 1e4, "亿": 1e8, "千": 1e3, "万亿": 1e12}
# units that begin with a multiplier's character are units; longest first
_COMPOUND_UNITS = ("万平方米", "万亿元", "亿美元", "万美元", "万千瓦", "亿元", "万元", "万吨", "万亩")
_BASE = {"亿元": (1e8, "元"), "万元": (1e4, "元"), "万亿元": (1e12, "元"), "亿美元": (1e8, "美元"),
         "万美元": (1e4, "美元"), "万平方米": (1e4, "平方米"), "万千瓦": (1e4, "千瓦"), "万吨": (1e4, "吨"),
         "万亩": (1e4, "亩")}
_FIRST_NUMBER = re.compile(
    rf"(?P<num>{_NUMBER})(?:\s*[-~—–－至]+\s*{_NUMBER})?\s*(?P<mult>万亿|亿|万|千)?(?P<after>.{{0,4}})", re.S
)


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _multiplier(mult: str | None, after: str) -> float:
    """The factor of 万/亿 - none when it begins a unit such as 亿元 or 万平方米."""
    if not mult or any((mult + after).startswith(u) for u in _COMPOUND_UNITS):
        return 1.0
    return _MULTIPLIER[mult]


def parse_number(text: str | None) -> float | None:
    """The first number `text` states, normalised; None when it states none.

    "3万" → 30000.0, "2.5亿" → 2.5e8, "20,000" → 20000.0, "4%" → 4.0, ">500" → 500.0,
    "3左右" → 3.0, "10~20" → 10.0 (a range gives its first end), "六" → 6.0 (only when the
    whole text is a Chinese numeral), "1000亿元" → 1000.0 (亿元 is the unit, see `in_base_unit`).
    """
    if not text:
        return None
    s = _nfkc(text).strip()
    if not s:
        return None
    if is_chinese_numeral(s):
        n = cn_number(s)
        return float(n) if n is not None else None
    m = _FIRST_NUMBER.search(s)
    if not m:
        return None
    return float(m["num"].replace(",", "")) * _multiplier(m["mult"], m["after"])


def in_base_unit(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """(1000, "亿元") → (1e11, "元"); (300, "万平方米") → (3e6, "平方米"); other units pass through."""
    if unit in _BASE:
        factor, base = _BASE[unit]
        return (value * factor if value is not None else None), base
    return value, unit


# ---------------------------------------------------------------------------
# Figures and years

# Units a plan counts in, longest first within each family (a regex alternation takes the first that fits).
UNITS: tuple[str, ...] = (
    "个百分点", "百分点",
    "万亿元", "亿美元", "万美元", "亿元", "万元", "美元", "元",
    "万平方米", "平方公里", "平方米", "公顷", "万亩", "亩",
    "万千瓦", "千瓦", "兆瓦", "万吨", "吨",
    "人次", "家", "个", "项", "人", "名", "件", "所", "座", "倍", "台", "套", "支", "条", "批", "场",
    "篇", "款", "种", "辆", "户", "次",
    "%", "％", "‰",
)
# a unit is not a unit when the next character makes it another word: 项目, 名单, 个人, 台湾, 条件, 次数 …
_UNIT_NOT_BEFORE = {
    "项": "目", "名": "单称义牌额", "个": "人体性案", "人": "才员民口", "家": "庭居族乡", "台": "湾州",
    "条": "件例款", "次": "数", "所": "属有以在", "种": "子植类", "支": "撑持付纱出部柱", "批": "准复示",
    "场": "景所地", "件": "事", "户": "籍口",
}


def _unit_alternation() -> str:
    parts = []
    for u in UNITS:
        stop = _UNIT_NOT_BEFORE.get(u)
        parts.append(re.escape(u) + (f"(?![{stop}])" if stop else ""))
    return "|".join(parts)


# A number stated with a unit. Groups: cmp (<, >, ≥, ≤ written before it), num, range (the other end),
# mult (万/亿/千 when a multiplier), approx (余/多: "3万余家"), unit. Not preceded by a digit, a letter
# (G312, H7N9), 第 (an ordinal) or a decimal point; not followed by 级 (a grade: "3000吨级", "500亿元级").
FIGURE = re.compile(
    rf"(?P<cmp>[<>≤≥＜＞])?[ \t]*(?<![\d.．A-Za-z第])(?P<num>{_NUMBER})(?![\d.])"
    rf"(?:\s*(?P<sep>[-~～—–－至])\s*(?P<range>{_NUMBER}))?"
    rf"\s*(?P<mult>万亿|亿|万|千)??(?P<approx>余|多)?\s*(?P<unit>{_unit_alternation()})(?!级)"
)

# A year written with 年: "2025年", "2020 年" (not "90年代"). Group 1 is the year.
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年(?!代)")


def figure_value(m: re.Match[str]) -> float | None:
    """The normalised value of a `FIGURE` match: "2万家" → 20000.0, "100亿元" → 100.0 (unit 亿元)."""
    try:
        number = float(m["num"].replace(",", ""))
    except (TypeError, ValueError):
        return None
    return number * (_MULTIPLIER[m["mult"]] if m["mult"] else 1.0)
