"""What a generated sentence claims, and whether the clauses it cites state that claim.

The grounding check (`grounding.check_sentence`) asks this module one question per sentence:
does a cited clause support it? A sentence is read the way the figure layer reads a plan
(`ingest.figures.extract_figures` over the sentence, so the subject, value, unit, year and role
of each figure it states come from the same rules as the clause's own figures) and compared
with the figures whose span lies in a cited clause (`Evidence.figures`, from
`Corpus.figures_of`; computed from the clause text when a caller gives none):

* **value**: both sides normalised by `ingest.lexicon` — 万/亿 ("2万家" = "20000家"), units that
  begin with 万/亿 converted to their base ("3000万元" = "0.3亿元"), ranges compared end to end
  ("3—4%" ≠ "3%"), bounds by their value (">500" = "超过500"), percentages as a unit of their own
  ("%" ≠ "个百分点"); Chinese numerals in the sentence ("两万家", "百分之三", "二〇二五年") are
  turned into digits first. Counters (家, 个, 项 …) count the same thing; other units must agree.
* **subject**: the subject the sentence gives its figure must be the clause figure's, compared
  after dropping the city, brackets, "目标", "数量"/"数" endings, and with the term table's
  abbreviations expanded (高企 = 高新技术企业): one must contain the other. A figure the sentence
  gives no readable subject must not sit beside another figure's subject of the cited clause.
* **role**: a sentence that says 目标/到2025年/力争/将/要 before a figure the clause states as a
  baseline (or a past year before a target) is wrong however right the number.
* **year** and **city**: a year the sentence names must be the clause figure's year (or, for a
  figure without one, a year the clause, its section or its plan's period names); a city the
  sentence names must be the cited plan's city.

Numbers that are not figures (no unit) must occur in a cited clause, by value. A sentence
without figures is supported when most of its words (character bigrams) come from the cited
clauses, and is dropped when it denies what a cited clause states ("没有提出…目标" where the
clause sets one). `restated` lets a sentence without markers stand when it restates a fact of a
clause already cited.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.figures import extract_figures
from ingest.lexicon import (
    CN_YEAR_DIGITS,
    COUNTERS,
    FIGURE,
    NUMBER_WORD,
    UNITS,
    YEAR,
    cn_number,
    cue,
    first_year,
    in_base_unit,
    normalize,
    parse_number,
    place_stem,
    years_in,
)
from ingest.records import Clause, Figure

from .base import Evidence

_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")
# Share of a figure-free sentence's content bigrams that must come from the cited clauses.
MIN_SUPPORT = 0.5
# Fewer content bigrams than this and there is nothing to judge ("合计见", "如下").
MIN_BIGRAMS = 3


_CN = "零〇一二两三四五六七八九十百千万亿"
_UNIT_AHEAD = "|".join(re.escape(u) for u in UNITS)
_CN_FIGURE = re.compile(rf"(?<![几数上近成第{_CN}])([{_CN}]+)(?=(?:余|多)?(?:{_UNIT_AHEAD}))")
_CN_RANGE = re.compile(rf"(?<![几数上近成第{_CN}])([{_CN}]+)\s*(?:至|到|—|–|-|~|～)\s*([{_CN}]+)(?=(?:余|多)?(?:{_UNIT_AHEAD}))")
_CN_PERCENT = re.compile(rf"百分之([{_CN}]+)(?:点([零〇一二三四五六七八九]+))?")
_CN_YEAR = re.compile(rf"({CN_YEAR_DIGITS})(?=\s*年)")
_NUMBER = NUMBER_WORD
_RANGE_SEP = re.compile(r"(?<=\d)\s*[-~～—–－至]\s*(?=\d)")
# A modal verb before a subject's verb ends the subject badly ("高企数量将达…" reads no subject).
_MODAL_VERB = r"(?:将要|将会|将|要|会)(?=\s*(?:达|突破|超|增|提高|提升|实现|建成|培育|新增|保持|稳定|控制|不少于|不低于|有))"
_MODAL = re.compile(_MODAL_VERB)
# What makes a figure a target claim, and what makes it a claim about the past.
_TARGET_CLAIM = re.compile(f"{cue('claim_target').pattern}|{_MODAL_VERB}")
# A city opens a phrase ("南京到2025年…", "南京，…") rather than names an institution ("南京大学", "南京金服").
_PLACE_END = r"(?:市)?(?:的)?(?=$|[到至在将要于，,：:、和与及]|\d)"
_BASELINE_CLAIM = cue("claim_baseline")
_NEGATION = re.compile(r"(?:没有|并未|尚未|未|不曾)(?:提出|设定|设置|明确|规定|提及|涉及|给出|列出|写明|找到|包含|制定|说明|列入)")
_SUBJECT_NOISE = re.compile(r"[（(][^)）]*[)）]|[“”\"'‘’《》「」\s]")
_SUBJECT_LEAD = re.compile(r"^(?:全市|我市|全区|全县|本市)")
_SUBJECT_TRAIL = re.compile(r"(?:要|将|会|的|目标值|目标|指标|数量|总数|数目|总量|个数|数)$")
_FUNCTION = re.compile(r"[的了和与及等在将为是要有把被对从到至并且或也都还已其各该此这那之以而于]")
_LETTERS = re.compile(r"[^\W\d_]+")


# ---------------------------------------------------------------------------
# Reading a sentence


@dataclass(frozen=True)
class Said:
    """One figure a generated sentence states, as the figure layer reads it."""

    figure: Figure
    text: str  # the value and unit as written ("2万家")
    low: float | None  # in the base unit
    high: float | None
    kind: str | None  # unit kind: "count", "%", "pp", "元", … (None: no known unit)
    claim: str  # "target", "baseline" or "other": what the sentence says it is


@dataclass(frozen=True)
class Reading:
    text: str  # the sentence, NFKC, Chinese numerals in digits
    said: tuple[Said, ...]
    bare: tuple[tuple[str, float], ...]  # numbers without a unit (not years, not ordinals)
    years: frozenset[int]
    places: frozenset[str]  # city stems the sentence names


def _apply(text: str, subs: Iterable[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """`text` with (start, end, new) replacements; `origin[i]` is where character i came from."""
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for s, e, new in sorted(subs):
        if s < pos:
            continue  # overlaps an earlier replacement
        out.append(text[pos:s])
        origin.extend(range(pos, s))
        out.append(new)
        origin.extend([s] * len(new))
        pos = e
    out.append(text[pos:])
    origin.extend(range(pos, len(text)))
    origin.append(len(text))
    return "".join(out), origin


def digits(text: str) -> str:
    """NFKC, and the Chinese numerals that state a figure, a percentage or a year in digits."""
    text = normalize(text)
    subs: list[tuple[int, int, str]] = []
    for m in _CN_PERCENT.finditer(text):
        whole = cn_number(m.group(1))
        if whole is not None:
            frac = "".join(str(cn_number(c, digitwise=True)) for c in m.group(2) or "")
            subs.append((m.start(), m.end(), f"{whole}.{frac}%" if frac else f"{whole}%"))
    for m in _CN_YEAR.finditer(text):
        year = cn_number(m.group(1), digitwise=True)
        if year is not None:
            subs.append((m.start(), m.end(), str(year)))
    for m in _CN_RANGE.finditer(text):  # 三至四家 → 3—4家
        low, high = cn_number(m.group(1)), cn_number(m.group(2))
        if low is not None and high is not None:
            subs.append((m.start(), m.end(), f"{low}—{high}"))
    for m in _CN_FIGURE.finditer(text):
        run = m.group(1)
        if run == "一" or (len(run) == 1 and run in "百千万亿"):
            continue  # 一批, 千家万户: a manner of speaking, not a count
        value = cn_number(run)
        if value is not None:
            subs.append((m.start(), m.end(), str(value)))
    return _apply(text, subs)[0]


def places_in(text: str, known: Iterable[str] = ()) -> frozenset[str]:
    """City stems `text` names: `known` (the cited plans' cities) and the places query understanding knows
    (its abbreviations' cities and `OTHER_PLACES`)."""
    from assistant.query import EXTRA_ALIASES, SHORT_ALIASES, find_cities

    names = {*(place_stem(k) for k in known if k), *SHORT_ALIASES.values(), *EXTRA_ALIASES.values()}
    cities, others = find_cities(text, sorted(names))
    return frozenset(place_stem(c) for c in (*cities, *others))


def _raw_range(figure: Figure) -> tuple[float | None, float | None]:
    """(low, high) of a figure as written: "3—4" → (3, 4), "2万" → (20000, 20000), ">500" → (500, 500)."""
    low = figure.value if figure.value is not None else parse_number(figure.value_text)
    sep = _RANGE_SEP.search(figure.value_text or "")
    return low, (parse_number(figure.value_text[sep.end():]) if sep else low)


def _value_range(figure: Figure) -> tuple[float | None, float | None]:
    """`_raw_range` in the base unit: (3000, 万元) → 3e7 元."""
    low, high = _raw_range(figure)
    return in_base_unit(low, figure.unit)[0], in_base_unit(high, figure.unit)[0]


def _unit_kind(unit: str | None) -> str | None:
    if not unit:
        return None
    unit = unit.replace("％", "%")
    if unit not in UNITS and unit != "%":
        return None  # a table's own unit ("件/万人"): values are compared as they are
    base = in_base_unit(1.0, unit)[1] or unit
    if base in COUNTERS:
        return "count"
    if base in ("个百分点", "百分点"):
        return "pp"
    return base


def read(claim: str, *, now: int | None = None, known: Iterable[str] = ()) -> Reading:
    """The figures, bare numbers, years and places of one sentence (markers already removed)."""
    text = digits(claim)
    places = places_in(text, known)
    subs: list[tuple[int, int, str]] = []
    if places:  # "南京到2025年高新技术企业数…": the city opens the sentence, it is not part of the subject
        for m in re.finditer("(?:" + "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
                             + ")" + _PLACE_END, text):
            subs.append((m.start(), m.end(), "，"))
    subs.extend((m.start(), m.end(), "") for m in _MODAL.finditer(text))
    reading, origin = _apply(text, subs)
    clause = Clause("generated", "generated#0", (), reading, 0, len(reading), "paragraph")
    said = []
    for f in extract_figures([clause], year=now):
        at = reading.find(f.value_text, f.char_start)
        at = origin[at if at >= 0 else f.char_start]
        low, high = _value_range(f)
        claim_role = "other"
        if f.role == "target" and (_TARGET_CLAIM.search(text, 0, at) or (f.year and now and f.year > now)):
            claim_role = "target"
        elif f.role == "baseline" and ((f.year and now and f.year < now) or _BASELINE_CLAIM.search(text, 0, at)):
            claim_role = "baseline"
        said.append(Said(f, f"{f.value_text}{f.unit or ''}", low, high, _unit_kind(f.unit), claim_role))
    covered = [(m.start("num"), m.end()) for m in FIGURE.finditer(text)]
    covered += [(m.start(), m.end()) for m in YEAR.finditer(text)]
    bare = []
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in covered) or text[max(0, m.start() - 1):m.start()] == "第":
            continue
        value = parse_number(m.group())
        if value is not None:
            bare.append((m.group(), value))
    years = frozenset(int(y) for y in YEAR.findall(text))
    return Reading(text, tuple(said), tuple(bare), years, places)


# ---------------------------------------------------------------------------
# What a clause states


def _plan_year(e: Evidence) -> int | None:
    if e.year:
        return e.year
    return first_year(e.period)


@lru_cache(maxsize=512)
def clause_figures(e: Evidence) -> tuple[Figure, ...]:
    """The figures a clause states: those given with it, else read from its text by the figure layer."""
    if e.figures is not None:
        return e.figures
    section = tuple(s for s in e.section.split(" > ") if s)
    clause = Clause(e.doc_id, f"{e.doc_id}#evidence{e.n}", section, e.text, e.char_start,
                    e.char_start + len(e.text), "paragraph")
    return tuple(extract_figures([clause], city=e.city, year=e.year, period=e.period))


@lru_cache(maxsize=512)
def _numbers_of(e: Evidence) -> frozenset[float]:
    """Every number a clause (with its title and section) writes, by value, also in base units."""
    values = set(values_in(f"{e.title}\n{e.section}\n{e.text}"))
    for f in clause_figures(e):
        for v in _value_range(f):
            if v is not None:
                values.add(_key(v))
    return frozenset(values)


def values_in(text: str) -> frozenset[float]:
    """Every number `text` writes, by value, also in base units (Chinese numerals read as digits)."""
    text = digits(text)
    values: set[float] = set()
    for m in FIGURE.finditer(text):
        value = parse_number(m.group("num")) or 0.0
        for v in (value, *(parse_number(x) for x in (m.group("range"),) if x)):
            if v is not None:
                values.add(_key(v))
                values.add(_key(in_base_unit(v, m.group("unit"))[0] or v))
    for m in _NUMBER.finditer(text):
        for v in (parse_number(m.group()), parse_number(m.group().rstrip("万亿千"))):
            if v is not None:
                values.add(_key(v))
    return frozenset(values)


def missing_figures(reference: str, text: str) -> list[str]:
    """The figures `reference` states ("20000家", "1.77%") that `text` does not state by value.

    A rewrite must not lose a fact of the answer it rewrites: "2万家" keeps "20000家". What the
    reference says in brackets ("（2020年为6507家）") is an aside, not required."""
    have = values_in(text)
    missing: list[str] = []
    for m in FIGURE.finditer(_ASIDE.sub("", digits(reference))):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        base = in_base_unit(value, m.group("unit"))[0] or value
        said = m.group().strip()
        if _key(value) not in have and _key(base) not in have and said not in missing:
            missing.append(said)
    return missing


@lru_cache(maxsize=512)
def _years_of(e: Evidence) -> frozenset[int]:
    """Years a clause may be said to speak of: those it, its section or title names, its figures' years,
    and its plan's period (the year before it starts, its first and its last year)."""
    years = {int(y) for y in YEAR.findall(digits(f"{e.title}\n{e.section}\n{e.text}"))}
    years |= {f.year for f in clause_figures(e) if f.year}
    period = years_in(e.period)
    if period:
        years |= {period[0] - 1, period[0], period[-1]}
    if e.year:
        years.add(e.year)
    return frozenset(years)


def city_of(e: Evidence) -> str | None:
    """The cited plan's city stem: given, else the one its title names."""
    if e.city:
        return place_stem(e.city)
    found = places_in(e.title)
    return next(iter(found)) if len(found) == 1 else None


def _foreign(reading: Reading, cited: Sequence[Evidence]) -> frozenset[str]:
    """Places the sentence names that the cited clauses do not mention themselves (上海 in a clause about
    working with 上海 is the clause's own word, not the city the sentence is about)."""
    said = " ".join(digits(f"{e.title}\n{e.text}") for e in cited)
    return frozenset(p for p in reading.places if p not in said) - places_in(said)


def _key(v: float) -> float:
    return round(v, 6)


def _same_value(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# ---------------------------------------------------------------------------
# Subjects


@lru_cache(maxsize=1)
def _terms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The term table's abbreviations (高企 → 高新技术企业), longest key first."""
    from index.tokenize import read_synonyms

    rows = [(s.key, s.expansions) for s in read_synonyms().values() if s.kind == "term" and len(s.key) >= 2]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@lru_cache(maxsize=4096)
def subject_forms(subject: str | None, places: frozenset[str] = frozenset()) -> frozenset[str]:
    """A subject as it compares: without city, brackets, quotes, "目标"/"数量" endings; abbreviations expanded.

    Empty for None or a subject that is only such words ("目标" in "到2025年目标为20000家").
    """
    s = _SUBJECT_NOISE.sub("", normalize(subject or "")).lower()
    for p in sorted(places, key=len, reverse=True):
        s = re.sub(rf"^{re.escape(p)}(?:市)?(?:的)?", "", s)
    s = _SUBJECT_LEAD.sub("", s)
    while (shorter := _SUBJECT_TRAIL.sub("", s)) != s:
        s = shorter
    forms = {s}
    for key, expansions in _terms():
        if key in s:
            forms |= {s.replace(key, x) for x in expansions if x not in s}
    return frozenset(f for f in forms if len(f) >= 2)


def same_subject(a: str, b: str, places: frozenset[str] = frozenset()) -> bool:
    """Whether two subjects name the same thing once both are normalised: one contains the other, or one is
    the other with a word left out ("南京金服平台入库企业" for "“南京金服”平台累计入库企业": its characters in
    order, at least 3/4 as long; "省级高新区" is not "国家级高新区", "技术中心" not "国家技术创新中心")."""
    return any(_contains(x, y) or _contains(y, x) for x in subject_forms(a, places) for y in subject_forms(b, places))


def _contains(short: str, long: str) -> bool:
    if short in long:
        return True
    if len(short) * 4 < len(long) * 3 or len(short) > len(long):
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def _mentions(text: str, subject: str | None, places: frozenset[str]) -> bool:
    text = _SUBJECT_NOISE.sub("", text).lower()
    return any(form in text for form in subject_forms(subject, places))


# ---------------------------------------------------------------------------
# Judging


@dataclass(frozen=True)
class Verdict:
    """`reason` None: supported, by the evidence numbers in `support`."""

    reason: str | None
    support: tuple[int, ...] = ()


def _markers(ns: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _figure_mismatch(g: Said, e: Evidence, f: Figure, reading: Reading) -> str | None:
    """Why clause figure `f` of `e` does not support sentence figure `g` (None: it does)."""
    where = f"{g.text} in [{e.n}]"
    city, places = city_of(e), _foreign(reading, [e])
    if places and city and city not in places:
        return f"{where} is {city}'s figure, not {'、'.join(sorted(places))}'s"
    if subject_forms(g.figure.subject, reading.places):
        if f.subject and not same_subject(g.figure.subject, f.subject, reading.places):
            return f"{where} is the figure of {f.subject}, not of {g.figure.subject}"
    elif f.subject and not _mentions(reading.text, f.subject, reading.places):
        # no subject of its own: it must not stand beside another figure's subject of the clause
        other = next((o.subject for o in clause_figures(e) if o.subject and _mentions(reading.text, o.subject, reading.places)
                      and not same_subject(o.subject, f.subject, reading.places)), None)
        if other:
            return f"{where} is the figure of {f.subject}, not of {other}"
    if g.claim == "target" and f.role == "baseline":
        return f"{where} is the {f.year or ''}{'年' if f.year else ''}baseline of {f.subject or 'its subject'}, not a target"
    if g.claim == "baseline" and f.role == "target":
        return f"{where} is a target{f' for {f.year}' if f.year else ''}, not a figure already reached"
    if g.figure.year and f.year and g.figure.year != f.year:
        return f"{where} is for {f.year}, not {g.figure.year}"
    if g.figure.year and not f.year and g.figure.year not in _years_of(e):
        return f"{where} is not stated for {g.figure.year}"
    return None


def _matches_value(g: Said, f: Figure) -> bool:
    kind = _unit_kind(f.unit)
    if g.kind and kind:
        return g.kind == kind and all(map(_same_value, (g.low, g.high), _value_range(f)))
    return all(map(_same_value, _raw_range(g.figure), _raw_range(f)))  # a unit we cannot convert


def _judge_figure(g: Said, cited: Sequence[Evidence], reading: Reading) -> Verdict:
    candidates = [(e, f) for e in cited for f in clause_figures(e) if _matches_value(g, f)]
    if candidates:
        reasons = []
        for e, f in candidates:
            why = _figure_mismatch(g, e, f, reading)
            if why is None:
                return Verdict(None, (e.n,))
            reasons.append(why)
        return Verdict(reasons[0])
    if why := _unit_mismatch(g, cited, reading.places):
        return Verdict(why)
    # Not a figure the layer read (a Chinese numeral in the clause, a table cell without a unit):
    # the number must be in the clause, and the subject and year too when the sentence gives them;
    # and the layer must not state another value for that subject ("3家" where it says 3—4家).
    for e in cited:
        if subject_forms(g.figure.subject, reading.places) and any(
                f.subject and same_subject(g.figure.subject, f.subject, reading.places) for f in clause_figures(e)):
            continue
        values = {_key(v) for v in (g.low, g.figure.value) if v is not None}
        if values & _numbers_of(e):
            city, places = city_of(e), _foreign(reading, [e])
            if places and city and city not in places:
                continue
            if subject_forms(g.figure.subject, reading.places) and not _mentions(digits(e.text), g.figure.subject, reading.places):
                continue
            if g.figure.year and g.figure.year not in _years_of(e):
                continue
            if g.claim == "target" and any(f.role == "baseline" and _same_value(f.value, g.figure.value)
                                           for f in clause_figures(e)):
                continue
            return Verdict(None, (e.n,))
    return Verdict(f"number {g.figure.value_text} is not in cited clause {_markers(e.n for e in cited)}")


def _unit_mismatch(g: Said, cited: Sequence[Evidence], places: frozenset[str]) -> str | None:
    """"66.5个百分点" where the clause says 科技进步贡献率 "66.5%": the value is there for that subject, in another unit."""
    for e in cited:
        for f in clause_figures(e):
            kind = _unit_kind(f.unit)
            if (g.kind and kind and g.kind != kind and _same_value(g.figure.value, f.value)
                    and (not subject_forms(g.figure.subject, places) or same_subject(g.figure.subject, f.subject or "", places))):
                return f"{g.text} in [{e.n}] is {f.value_text}{f.unit}, a different unit"
    return None


def _content_bigrams(text: str, places: frozenset[str]) -> set[str]:
    for p in places:
        text = text.replace(p, " ")
    text = _FUNCTION.sub(" ", normalize(text))
    return {run[i:i + 2] for run in _LETTERS.findall(text) for i in range(len(run) - 1)}


def _lexical(reading: Reading, cited: Sequence[Evidence]) -> tuple[float, int, int | None]:
    """(share of the sentence's content bigrams that a cited clause's text holds, how many it has, the clause
    holding most). Words of the plans' titles and sections are neutral: every plan is a 科技创新规划."""
    neutral = set().union(*(_content_bigrams(f"{e.title}\n{e.section}", frozenset()) for e in cited))
    claim = _content_bigrams(reading.text, reading.places) - neutral
    if len(claim) < MIN_BIGRAMS:
        return 1.0, len(claim), None
    pool: set[str] = set()
    best: tuple[float, int | None] = (-1.0, None)
    for e in cited:
        own = _content_bigrams(e.text, frozenset())
        pool |= own
        if len(claim & own) / len(claim) > best[0]:
            best = (len(claim & own) / len(claim), e.n)
    return len(claim & pool) / len(claim), len(claim), best[1]


def _denies(reading: Reading, cited: Sequence[Evidence]) -> str | None:
    """"南京没有提出高新技术企业目标[1]" where [1] sets one: a denial of what a cited clause states."""
    m = _NEGATION.search(reading.text)
    if not m:
        return None
    what = reading.text[m.end():]
    for e in cited:
        city, places = city_of(e), _foreign(reading, [e])
        if places and city and city not in places:
            continue  # "规划中未找到南通的…" citing 南京's plan denies nothing of it
        for f in clause_figures(e):
            if f.subject and any(form in what for form in subject_forms(f.subject, reading.places)):
                return f"says the plan does not state what cited clause [{e.n}] states ({f.subject})"
        subject = re.sub(r"[，。；、,;]+.*$", "", what)
        forms = subject_forms(subject, reading.places) if subject else frozenset()
        if forms and any(form in e.text for form in forms):
            return f"says the plan does not state what cited clause [{e.n}] states"
    return None


def judge(claim: str, cited: Sequence[Evidence], *, refusal: bool = False) -> Verdict:
    """Whether the cited clauses state what `claim` (a sentence without its markers) says."""
    if not cited:
        return Verdict("cites no clause [n]")
    now = _plan_year(cited[0])
    reading = read(claim, now=now, known=[e.city for e in cited if e.city])
    cities = {c for c in (city_of(e) for e in cited) if c}
    foreign = _foreign(reading, cited)
    if foreign and cities and not (foreign & cities) and not refusal:
        return Verdict(f"names {'、'.join(sorted(foreign))}, but cited clause {_markers(e.n for e in cited)} "
                       f"is from {'、'.join(sorted(cities))}'s plan")
    if why := _denies(reading, cited):
        return Verdict(why)
    allowed_years = frozenset().union(*(_years_of(e) for e in cited))
    stray = sorted(y for y in reading.years if y not in allowed_years)
    if stray:
        return Verdict(f"year {'、'.join(map(str, stray))} is not in cited clause {_markers(e.n for e in cited)}")
    support: dict[int, None] = {}
    for g in reading.said:
        verdict = _judge_figure(g, cited, reading)
        if verdict.reason:
            return verdict
        support.update(dict.fromkeys(verdict.support))
    numbers = frozenset().union(*(_numbers_of(e) for e in cited))
    missing = [token for token, value in reading.bare if _key(value) not in numbers]
    if missing:
        return Verdict(f"number {'、'.join(dict.fromkeys(missing))} is not in cited clause {_markers(e.n for e in cited)}")
    if reading.said or reading.bare or refusal:
        return Verdict(None, tuple(support) or tuple(e.n for e in cited))
    share, size, _ = _lexical(reading, cited)
    if share < MIN_SUPPORT:
        return Verdict(f"says what cited clause {_markers(e.n for e in cited)} does not "
                       f"({round(share * size)} of its {size} word pairs are in it)")
    return Verdict(None, tuple(e.n for e in cited))


def restated(claim: str, prior: Sequence[Evidence]) -> tuple[int, ...] | None:
    """The clauses (already cited) whose fact a sentence without markers restates, or None."""
    if not prior:
        return None
    reading = read(claim, now=_plan_year(prior[0]), known=[e.city for e in prior if e.city])
    if reading.said or reading.bare:
        verdict = judge(claim, prior)
        return verdict.support if verdict.reason is None else None
    # words only: a restatement restates one clause, and says something ("如下：" does not)
    _, size, best = _lexical(reading, prior)
    if best is None or size < MIN_BIGRAMS:
        return None
    return (best,) if judge(claim, [e for e in prior if e.n == best]).reason is None else None
