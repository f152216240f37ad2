"""The one lexicon of PlanQA: how a plan or a question writes a number, a unit, a year, a period, a count,
a baseline or a target, a place — and the one text normalisation every layer compares in.

Every layer (ingest, index, assistant, grounding, eval) takes this vocabulary from here, so a number or a
year is read one way everywhere; tests/test_vocabulary.py fails when a second year, 万/亿 number or
city-suffix pattern appears elsewhere. Word lists are data (ingest/resources/places.tsv, cues.tsv).

* `normalize`: NFKC (full-width → half-width), optionally case-folded and with whitespace collapsed or removed.
* Numbers: `parse_number` reads the first number of a text with its 万/亿 multiplier ("3万" → 30000.0,
  "2.5亿" → 2.5e8, "20,000" → 20000.0, ">500" → 500.0, "10~20" → 10.0), or a text that is wholly a Chinese
  numeral ("六" → 6.0, "三百" → 300.0); `FIGURE` finds a number stated with a unit ("3600家", "2万家",
  "0.5个百分点") — never a bare year, an ordinal ("第4位") or a grade ("3000吨级"); `number_readings` gives
  every reading of each number a text states, for matching a figure however it is written.
* Years and periods: `YEAR` ("2025年"), `years_in`, `YEAR_RANGE`, `QUESTION_YEAR`, `YEAR_PHRASE` ("2025年底"),
  five-year ordinals (`FIVE_YEAR_ORDINAL`, 十四五) whose years are computed by `five_year_years`, never listed.
* Chinese numerals: `cn_number` ("二十三" → 23), `cn_numeral` (23 → "二十三").
* Places: `city_key` (南京市 → 南京, the one 市-suffix strip), `place_stem` (市/县/区), `known_cities` and
  `asked_places` (the one list of place names, ingest/resources/places.tsv).
* Baseline and target cues: `cue(rule)` — the words that make a figure, a section, an answer's sentence or a
  question look back or ahead, one rule per reader, all in ingest/resources/cues.tsv (`read_rules` reads that
  file's format, which the question words of assistant/lexicon.py share).

Units that begin with 万 or 亿 (亿元, 万元, 万平方米 …) are units, not multipliers: "1000亿元" is
1000 in the unit 亿元, as the indicator tables state money, so a figure from the prose and the
same figure from the table compare equal. `in_base_unit` converts (1000, "亿元") → (1e11, "元").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).parent / "resources"
PLACES = RESOURCES / "places.tsv"
CUES = RESOURCES / "cues.tsv"


# ---------------------------------------------------------------------------
# Normalisation

_SPACES = re.compile(r"\s+")


def normalize(text: str, case: str | None = None, space: str | None = None) -> str:
    """NFKC (full-width digits, letters and marks → half-width): the one form text is compared in.

    `case` "lower" or "upper" folds Latin letters; `space` "collapse" turns each run of whitespace into one
    space and strips the ends, "remove" drops all whitespace.
    """
    out = unicodedata.normalize("NFKC", text)
    if case is not None:
        out = {"lower": str.lower, "upper": str.upper}[case](out)
    if space == "collapse":
        out = _SPACES.sub(" ", out).strip()
    elif space == "remove":
        out = _SPACES.sub("", out)
    elif space is not None:
        raise ValueError(f"space must be 'collapse' or 'remove', got {space!r}")
    return out


# ---------------------------------------------------------------------------
# Chinese numerals

CN_DIGITS = "零一二三四五六七八九"
_CN_DIGIT = {c: i for i, c in enumerate(CN_DIGITS)}
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


# Measure words that follow a count of things ("3个", "两家", "10所"): a number before one of them counts a noun.
COUNT_MEASURES = "个家所座项条批名位类"


def cn_numeral(n: int) -> str:
    """1 → 一, 14 → 十四 (as in 十四五), 69 → 六十九, 105 → 一百零五 (0 < n < 10000; other numbers in digits)."""
    if not 0 < n < 10000:
        return str(n)
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (value == 10 and digit == 1 and not out) else CN_DIGITS[digit]) + name
            zero = False
        elif out:
            zero = True
    return out


# ---------------------------------------------------------------------------
# Numbers in arabic digits

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_MULTIPLIER = {"万": 1e4, "亿": 1e8, "千": 1e3, "万亿": 1e12}
_MULTIPLIERS = "万亿|亿|万|千"  # longest first
# units that begin with a multiplier's character are units; longest first
_COMPOUND_UNITS = ("万平方米", "万亿元", "亿美元", "万美元", "万千瓦", "亿元", "万元", "万吨", "万亩")
_BASE = {"亿元": (1e8, "元"), "万元": (1e4, "元"), "万亿元": (1e12, "元"), "亿美元": (1e8, "美元"),
         "万美元": (1e4, "美元"), "万平方米": (1e4, "平方米"), "万千瓦": (1e4, "千瓦"), "万吨": (1e4, "吨"),
         "万亩": (1e4, "亩")}
_FIRST_NUMBER = re.compile(
    rf"(?P<num>{_NUMBER})(?:\s*[-~—–－至]+\s*{_NUMBER})?\s*(?P<mult>{_MULTIPLIERS})?(?P<after>.{{0,4}})", re.S
)


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
    s = normalize(text).strip()
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
    rf"\s*(?P<mult>{_MULTIPLIERS})??(?P<approx>余|多)?\s*(?P<unit>{_unit_alternation()})(?!级)"
)

def figure_value(m: re.Match[str]) -> float | None:
    """The normalised value of a `FIGURE` match: "2万家" → 20000.0, "100亿元" → 100.0 (unit 亿元)."""
    try:
        number = float(m["num"].replace(",", ""))
    except (TypeError, ValueError):
        return None
    return number * (_MULTIPLIER[m["mult"]] if m["mult"] else 1.0)


def number_readings(text: str) -> list[float]:
    """Every reading of each number a text states, for matching a figure however it was written:
    the number as written and, with 万 or 亿 after it, multiplied ("超2万家" → 20000 and 2; "1000亿元" →
    1000, as the unit 亿元 states it, and 1e11, its value in 元)."""
    out = []
    for m in _NUMBER_AND_MULTIPLE.finditer(normalize(text).replace(",", "")):
        value = float(m.group(1))
        out.append(value)
        if m.group(2):
            out.append(value * _MULTIPLIER[m.group(2)])
    return out


_NUMBER_AND_MULTIPLE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?!\d)\s*(万|亿)?")

# A number as a word of a sentence, with its multiplier ("2万", "1.5亿", "3,000"): not part of a
# longer run of letters and digits (G312, 5G).
NUMBER_WORD = re.compile(rf"(?<![A-Za-z\d.]){_NUMBER}(?:{_MULTIPLIERS})?(?![A-Za-z\d])")
# A number a question states ("2000家", "1.5亿"): the 万/亿 that follows kept as written.
STATED_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:万|亿)?")
# A table cell that is one value: a number or range, a bound before it, a unit mark or multiplier after.
VALUE_CELL = re.compile(
    r"^(?:[<>≥≤约超近]\s*)?\d[\d,]*(?:\.\d+)?"
    r"(?:\s*[-~～—–]\s*\d[\d,]*(?:\.\d+)?)?\s*(?:%|‰|左右|以上|以下|以内|万|亿)*$"
)
# An amount of money, a share or a multiple ("50万元", "3%", "2倍"): what a support measure offers.
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|％|个百分点|分|倍|万|亿)")

# Counter words: what a count is counted in ("3家", "5项", "200人次").
COUNTERS: frozenset[str] = frozenset("家个项人名件所座台套支条批场篇款种辆户次") | {"人次"}


# ---------------------------------------------------------------------------
# Years

# The digits of a year (1900–2099); patterns that need a year in a context (到2025年底) are built on it.
YEAR_DIGITS = r"(?:19|20)\d{2}"
# A year written with 年: "2025年", "2020 年" (not "90年代"). Group 1 is the year.
YEAR = re.compile(rf"(?<![\d.])({YEAR_DIGITS})\s*年(?!代)")
_YEAR_ALONE = re.compile(rf"(?<!\d)({YEAR_DIGITS})(?!\d)")
# A year as a question writes it: "2025年", or "到2025" without 年 — not 达到/做到/提到/升到 a number, and
# not a count or amount ("要到2000家", "到2000万元"): a unit or multiplier after it makes it a figure.
QUESTION_YEAR = re.compile(
    rf"(?<![\d.])({YEAR_DIGITS})(?=\s*年)|(?<=[到至])(?<!达到)(?<!做到)(?<!提到)(?<!升到)({YEAR_DIGITS})(?![\d.])"
    rf"(?!\s*(?:{_MULTIPLIERS}|{_unit_alternation()}))"
)
# A year a question writes with two digits ("20年底", "25年要到多少"): 2015–2035, a plan's years — not a span of
# years ("20年来", "30年间", "20多年").
_SHORT_YEAR = re.compile(r"(?<![\d.])(1[5-9]|2\d|3[0-5])\s*年(?!代|来|以来|间|内|多|左右|以上|之久|后)")


def full_years(text: str) -> str:
    """Two-digit years written out ("20年底" → "2020年底"), so that every year rule reads them."""
    return _SHORT_YEAR.sub(lambda m: f"20{m.group(1)}年", text)


# A year phrase: a year with 年 and, if said, its end — "2025年", "2025年底", "2020 年末" — as a plan dates a figure
# or a question its target; patterns that need a word before it (到2025年底, 截至2020年末, 比2020年) are built on it.
YEAR_PHRASE = rf"{YEAR_DIGITS}\s*年(?:底|末)?"
# A year written bare, as a question lists them ("2020和2025分别是多少"): four digits of a year with no unit after
# and no figure verb before ("突破2000" is a figure).
BARE_YEAR = re.compile(rf"(?<![\d.])(?<!达到)(?<!突破)(?<!超过)(?<![达为是])({YEAR_DIGITS})(?![\d.])(?!\s*(?:{_MULTIPLIERS}|{_unit_alternation()}))")
# A year range: "2021-2025", "2020－2022年". Groups 1 and 2 are its ends.
YEAR_RANGE = re.compile(rf"(?<!\d)({YEAR_DIGITS})\s*[－—–\-~～至到]\s*({YEAR_DIGITS})(?!\d)")
# A number that is not a year: "3.3%", "1000家", "2－3家" — never "2025年", a year range's end, nor the digits of a code
# name (G42, T800, IPv6).
NUMBER_NOT_YEAR = re.compile(
    rf"(?<![\d.A-Za-z])(?<!{YEAR_DIGITS}[－—\-~～])\d+(?:\.\d+)?(?!\d)(?!\s*年)(?!\s*[－—\-~～]\s*{YEAR_DIGITS})"
)
# A year as a document number brackets it: "〔2022〕", "[2021]".
BRACKETED_YEAR = rf"[〔\[［【（(]{YEAR_DIGITS}[〕\]］】）)]"
# A year written in Chinese digits, as a signature date does: 二〇二〇.
CN_YEAR_DIGITS = "[〇零一二三四五六七八九]{4}"


def years_in(text: str | None) -> list[int]:
    """Every year a text names as four digits, in order ("2021-2025" → [2021, 2025])."""
    return [int(y) for y in _YEAR_ALONE.findall(text or "")]


def first_year(text: str | None) -> int | None:
    years = years_in(text)
    return years[0] if years else None


def names_year(text: str) -> bool:
    return bool(_YEAR_ALONE.search(text))


def question_years(text: str) -> list[int]:
    """The years a question asks about, in order (`QUESTION_YEAR`)."""
    return [int(a or b) for a, b in QUESTION_YEAR.findall(text)]


# ---------------------------------------------------------------------------
# Periods: five-year ordinals, computed

# 十四五, “十五五”: a five-year ordinal (the 11th to the 19th); not inside a longer numeral (二十五) nor a count (十五万).
FIVE_YEAR_ORDINAL = re.compile(r"(?<![一二三四五六七八九十百千\d])(十[一二三四五六七八九])五(?![万千百亿元年个%人家项])")


def five_year_years(n: int) -> tuple[int, int]:
    """The first and last year of the n-th five-year plan (n ≥ 3; the third began in 1966 after a
    three-year gap): 14 → (2021, 2025), 15 → (2026, 2030)."""
    if n < 3:
        raise ValueError(f"five-year plans are counted from the third (1966—1970), got {n}")
    start = 1966 + 5 * (n - 3)
    return start, start + 4


def five_year_ordinal(start: int, end: int) -> int | None:
    """The n of a range that is exactly the n-th five-year plan (2021, 2025 → 14), else None."""
    n = (start - 1966) // 5 + 3
    return n if end - start == 4 and (start - 1966) % 5 == 0 and n >= 3 else None


# ---------------------------------------------------------------------------
# Places

# A place's level, as its name ends: 市 (a city), 县 (a county), 区 (a district).
PLACE_SUFFIXES = ("市", "县", "区")


def city_key(name: str) -> str:
    """The key a city is compared by: its name without 市 ("南京市" → "南京")."""
    return name.strip().removesuffix("市")


def place_stem(name: str) -> str:
    """A place's name without its level ("江阴市" → "江阴", "青岚区" → "青岚", "某县" → "某")."""
    stem = name.strip()
    for suffix in PLACE_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return stem


def same_city(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and city_key(a) == city_key(b)


@lru_cache(maxsize=4)
def _place_rows(path: Path) -> tuple[tuple[str, bool], ...]:
    """(name, asked about) of each row of the place list, in file order; a malformed row is an error."""
    out: list[tuple[str, bool]] = []
    for number, raw in data_lines(path):
        cols = raw.split("\t")
        if len(cols) not in (3, 4) or cols[2].strip() != "genre" or not cols[0].strip() or cols[3:] not in ([], ["title"]):
            raise ValueError(f"{path}:{number}: expected 'name<TAB>level<TAB>genre[<TAB>title]', got {raw!r}")
        out.append((cols[0].strip(), cols[3:] != ["title"]))
    return tuple(out)


def known_cities(path: Path = PLACES) -> tuple[str, ...]:
    """Places known by name alone (a title such as “创新江阴” omits 市), in file order."""
    return tuple(name for name, _ in _place_rows(path))


def asked_places(path: Path = PLACES) -> tuple[str, ...]:
    """The known places a question may ask about, with or without a plan (rows not marked `title`), in file order."""
    return tuple(name for name, asked in _place_rows(path) if asked)


# A number with the marks that only read it ("2025年", "1.77%", "3万"): no word of a claim.
NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*\s*(?:年|%|％|万|亿)?")
# A value as an answer shows it, bound, multiplier, unit and 左右/以上 kept ("超500亿元", "3.5%左右"): for
# showing a figure in another language, not for reading its value (`parse_number`, `FIGURE`).
VALUE_AS_SHOWN = re.compile(r"[>超]?\d+(?:\.\d+)?(?:万|亿)?(?:亿美元|亿元|万元|万平方米|平方米|个百分点|%)?(?:左右|以上)?")


# ---------------------------------------------------------------------------
# Rule word lists: baseline and target cues

MARKS = ("genre", "frame", "synonym")


class ResourceError(ValueError):
    """A resource file (word list, user dictionary, stop words, synonyms) is missing or malformed."""


def data_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each row of a data file, blank lines and # comments skipped (a BOM is allowed);
    an unreadable file is a ResourceError. Every word list and table of resources/ is read through it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(f"cannot read {path}: {exc}") from exc
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip() and not raw.lstrip().startswith("#"):
            yield number, raw


@lru_cache(maxsize=8)
def read_rules(path: Path = CUES) -> dict[str, tuple[tuple[str, str], ...]]:
    """{rule: ((entry, mark), …)} in file order from a `rule<TAB>entry<TAB>mark` file; {YEAR} in an entry stands
    for a year's digits. A malformed line, an unknown mark, a bad pattern or a repeated entry is an error."""
    rules: dict[str, list[tuple[str, str]]] = {}
    for number, raw in data_lines(path):
        cols = raw.split("\t")
        if len(cols) != 3 or not cols[0].strip() or not cols[1]:
            raise ResourceError(f"{path}:{number}: expected 'rule<TAB>entry<TAB>mark', got {raw!r}")
        rule, entry, mark = cols[0].strip(), cols[1].replace("{YEAR}", YEAR_DIGITS), cols[2].strip()
        if mark not in MARKS:
            raise ResourceError(f"{path}:{number}: mark must be one of {', '.join(MARKS)}, got {mark!r}")
        try:
            re.compile(entry)
        except re.error as exc:
            raise ResourceError(f"{path}:{number}: entry {entry!r} is not a valid pattern: {exc}") from exc
        if (entry, mark) in rules.get(rule, []):
            raise ResourceError(f"{path}:{number}: duplicate entry {entry!r} in rule {rule!r}")
        rules.setdefault(rule, []).append((entry, mark))
    return {rule: tuple(entries) for rule, entries in rules.items()}


@lru_cache(maxsize=64)
def rule_pattern(name: str, path: Path = CUES) -> re.Pattern:
    """One rule of a word-list file as the compiled alternation of its entries, in file order."""
    table = read_rules(path)
    if name not in table:
        raise ResourceError(f"{path}: no entries for rule {name!r}")
    return re.compile("|".join(entry for entry, _ in table[name]))


def cue(name: str) -> re.Pattern:
    """A baseline or target cue of ingest/resources/cues.tsv ("figure_baseline", "review_section", "question_ahead" …)."""
    return rule_pattern(name, CUES)
