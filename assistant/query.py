"""Query understanding: which cities, what kind of question, which indicator, which year.

Rules rather than a model: the questions are short and the vocabulary of plans is
narrow, so explicit patterns are both faster and easier to audit than a classifier.
A follow-up ("那南通呢？", "它的牵头单位是谁？") is resolved against the previous turn
before anything else, so every later stage sees a self-contained question.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from assistant.lexicon import names_event, rule
from index.tokenize import read_places, read_synonyms
from ingest.lexicon import BARE_YEAR, COUNT_MEASURES, FIVE_YEAR_ORDINAL, QUESTION_YEAR, STATED_NUMBER, YEAR_DIGITS, YEAR_PHRASE, YEAR_RANGE, city_key, cue, full_years, place_stem, question_years
from ingest.lexicon import normalize as lexicon_normalize
from ingest.sentences import FULL_STOPS, split_sentences

Intent = Literal["target", "compare", "eligibility", "list", "general", "document", "task"]
Period = Literal["past", "target"]
Unit = Literal["count", "money", "percent"]

# One city list: the corpus's cities come from the loaded plans at run time; every other name of a place —
# places without a plan, one-character abbreviations (宁, 通, 港, 澄), other names (港城, 暨阳) — is a row of
# the one term table (index/resources/terms.tsv, kinds `place` and `city`).
_PLACE_ROWS = read_places()
_CITY_ROWS = {k: s.expansions[0] for k, s in read_synonyms().items() if s.kind == "city"}
OTHER_PLACES = _PLACE_ROWS  # a question about one of these with no plan is refused, not answered with another city's
# Single-character abbreviations, only trusted in the company of these neighbours.
SHORT_ALIASES = {k: v for k, v in _CITY_ROWS.items() if len(k) == 1}
_SHORT_BEFORE = set("在来赴驻沪苏锡常镇扬泰徐淮盐宿和与跟及、，,（( ") | {""}
_SHORT_AFTER = set("市的企高科研产创有在是到要今和与、，,？?）) 地目现去每全近当各三两“\"《") | {""}
_ENUMERATION = set("、和与及")  # "宁、通、港三市": a short name in a list of places
_NOT_AFTER = set("过常用知讯信道报风路口区务")  # 通过, 港口 …: words, not places
EXTRA_ALIASES = {k: v for k, v in _CITY_ROWS.items() if len(k) > 1}

# The rule word lists are data (index/resources/question_words.tsv, each entry marked genre term, question frame or
# synonym); see assistant/lexicon.py.
_COMPARE = rule("compare")
# Comparative words that need no second city ("科技进步贡献率各市对比"); "分别" alone with one city
# names several things of that city ("南京国家级孵化器和众创空间分别要有多少家"), not a comparison.
_COMPARE_ALONE = rule("compare_alone")
# A superlative about an indicator ("谁的技术合同成交额目标最低"): with no city named, every city is compared.
_SUPERLATIVE = rule("superlative")
_ELIGIBLE = rule("eligible")
_FIGURE_ASK = rule("figure_ask")
_TARGET = re.compile(f"{_FIGURE_ASK.pattern}|{rule('target').pattern}")
_HOW = rule("how")
# About the plan document itself: its number, date, issuer.
_DOCUMENT = rule("document")
_DOCUMENT_OBJECT = rule("document_object")
# Who carries a task out: the lead and partner units of 江阴-style task tables.
_TASK = rule("task")
# Looking back ("十三五"末, 现有, 已经, 基数) or ahead (目标, 到2025年, “十四五”).
_PAST = cue("question_past")  # ingest/resources/cues.tsv, beside the other baseline and target cues
_AHEAD = cue("question_ahead")
_ALREADY = cue("question_already")  # 已经, 截至: looks back even after 到 and a year
_UNITS = (("money", re.compile(f"{rule('unit_money').pattern}|{rule('money_in_yi').pattern}")),
          ("percent", rule("unit_percent")), ("count", rule("unit_count")))
_QUOTED = re.compile(r"《([^》]{2,40})》|“([^”]{2,30})”|「([^」]{2,30})」")
_QUOTE_CHARS = "“”\"《》「」『』"
# Question and frame words: what the question asks, not what it is about.
_FRAME = rule("frame")
_LEADING = re.compile(r"^[是在和与及对从把给让就还也都]+")
_LIST = rule("list")
_FOLLOWUP_CITY = re.compile(r"^(那|那么|再看看|换成|如果是|还有)?\s*(?P<city>[\u4e00-\u9fff]{1,4}?)(市)?(呢|的呢|怎么样|如何|情况呢)?[？?。]?$")
# An elliptical follow-up: a noun phrase and 呢 ("那高新技术企业呢？", "技术合同成交额呢", "换成南通的研发强度呢").
_ELLIPTICAL = re.compile(rf"^(?:{rule('followup_lead').pattern})?\s*(?P<rest>.+?)\s*(?:{rule('followup_tail').pattern})\s*[？?。]?$")
_CONTINUES = re.compile(rf"^(?:{rule('continues').pattern})[，,\s]*")
# a question asked across the library, not of the conversation's city ("哪些城市…", "各市…"; "谁最高" when it names a figure)
_WHICH_CITIES = re.compile("|".join(f"(?:{rule(r).pattern})" for r in ("which_cities", "compare_alone")))
_ACROSS_CITIES = re.compile(f"{_WHICH_CITIES.pattern}|(?:{rule('superlative').pattern})")
_COMPARE_FOLLOWUP = rule("compare_followup")
_OWN_QUESTION = rule("own_question")
_FOLLOWUP_PRONOUN = re.compile(rf"^({rule('pronoun').pattern})")
_TWO_POINTER = re.compile(rf"^(?:{rule('two_pointer').pattern})")  # "这两个指标…": the indicators of the last two questions
# "这一条…", "该项工作…", "这两个…", "这个是谁牵头的": the item (or items) the previous question asked about
_ITEM_POINTER = re.compile(rf"^(?:{rule('item_pointer').pattern})")
_SAME_POINTER = rule("same_pointer")  # "同一个指标", "有没有类似的做法": the same, of another city
_PART_POINTER = re.compile(rf"^(?:{rule('part_pointer').pattern})")  # "专栏里…", "里面…": inside what was named
# "外国人才呢，十四五要引进多少？": a follow-up that opens with a subject of its own and 呢, then asks of it
OWN_SUBJECT = 6  # characters of a follow-up's topic word that make it a subject of its own (海内外高层次创业人才)
_SUBJECT_SHIFT = re.compile(rf"^(?:{rule('followup_lead').pattern})?(?P<subject>[\u4e00-\u9fff]{{2,10}})呢[，,]")
# A year: "2025年", or "到2025" without 年; "2000家" is a count, not a year (ingest.lexicon.QUESTION_YEAR).
_YEAR = QUESTION_YEAR


@dataclass(frozen=True)
class Query:
    """A question as understood: what the retrieval and composers act on."""

    text: str  # self-contained question (follow-ups resolved)
    original: str
    cities: tuple[str, ...] = ()  # canonical city names with a plan, e.g. ("南京市",)
    unknown_places: tuple[str, ...] = ()  # places named that have no plan in the corpus
    intent: Intent = "general"
    concepts: tuple[str, ...] = ()  # indicator concepts named (the concept rows of index/resources/terms.tsv)
    year: int | None = None
    numbers: tuple[str, ...] = ()  # numbers the user states (for false-premise checks)
    followup: bool = False
    topic: str = ""  # what the question is about: cities, question and frame words removed
    period: Period | None = None  # from the wording alone; a year is judged against each plan's period
    unit: Unit | None = None  # the kind of figure asked for, when the wording says
    quoted: tuple[str, ...] = ()  # names the user puts in quotes (“紫琅英才计划”), checked against the plans
    notes: tuple[str, ...] = field(default_factory=tuple)
    subject: str = ""  # what the conversation is about: the topic of its first question, kept by pronoun follow-ups


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and collapsed whitespace: the form rules match on."""
    return full_years(lexicon_normalize(text, space="collapse"))


@lru_cache(maxsize=1)
def indicator_concepts() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The concept rows of the one term table (index/resources/terms.tsv), in file order."""
    from index.tokenize import read_concepts

    return read_concepts()


@lru_cache(maxsize=1)
def _alias_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((concept, re.compile(re.escape(normalize(a).upper()))) for concept, aliases in indicator_concepts() for a in aliases)


@lru_cache(maxsize=4096)
def concepts_in(text: str) -> tuple[str, ...]:
    """Concepts whose aliases occur in `text`; an alias overlapping a longer (or earlier) match does not count."""
    norm = normalize(text).upper()
    hits: list[tuple[int, int, str]] = []  # (start, end, concept)
    for concept, pattern in _alias_patterns():
        for m in pattern.finditer(norm):
            hits.append((m.start(), m.end(), concept))
    hits.extend(_growth_hits(norm))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for start, end, concept in hits:
        # 每万人高价值发明专利拥有量 names one indicator, not 高价值发明专利 and 发明专利拥有量.
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if concept not in found:
            found.append(concept)
    return tuple(found)


GROWTH_GAP = 6  # characters between a growth indicator's subject and its growth word ("研发经费每年要增长")


@lru_cache(maxsize=1)
def _growth_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(concept, pattern) for each alias ending in a growth word: its stem, a few characters, any growth word."""
    words = rule("growth_word")
    out = []
    for concept, aliases in indicator_concepts():
        for alias in aliases:
            norm = normalize(alias).upper()
            m = re.search(rf"(?:{words.pattern})$", norm)
            if m and m.start() >= 2:
                out.append((concept, re.compile(rf"{re.escape(norm[:m.start()])}[^，,。；;？?]{{0,{GROWTH_GAP}}}?(?:{words.pattern})")))
    return tuple(out)


def _growth_hits(norm: str) -> list[tuple[int, int, str]]:
    """Growth concepts a question names with the subject and the growth word apart (`growth_word`)."""
    return [(m.start(), m.end(), concept) for concept, pattern in _growth_patterns() for m in pattern.finditer(norm)]


def concept_of(indicator_name: str) -> str | None:
    """The one concept an indicator record belongs to (its longest matching alias)."""
    found = concepts_in(indicator_name)
    return found[0] if found else None


def _short_alias_hits(text: str) -> list[str]:
    hits = []
    for i, ch in enumerate(text):
        if ch in SHORT_ALIASES:
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if (before in _SHORT_BEFORE and after in _SHORT_AFTER) or (before in _ENUMERATION and after not in _NOT_AFTER):
                hits.append(SHORT_ALIASES[ch])
    return hits


# a university or college named after a city: the city's name, a kind of school (理工, 师范 …), then 大学 / 学院
_INSTITUTION_AFTER = re.compile(rf"(?:{rule('institution_infix').pattern})?(?:大学|学院)(?=(?:{rule('institution_end').pattern}))")


def find_cities(text: str, known: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(cities with a plan, other places) named in `text`, in order of first mention."""
    known = list(known)
    stems = {place_stem(k): k for k in known}
    positions: list[tuple[int, str]] = []
    for stem, city in stems.items():
        # the first mention that is not the head of an institution's name ("南京理工大学江阴校区" in a question about
        # 江阴: 南京 names the university, not the city)
        i = next((m.start() for m in re.finditer(re.escape(stem), text) if not _INSTITUTION_AFTER.match(text, m.end())), -1)
        if i >= 0:
            positions.append((i, city))
    for alias, stem in EXTRA_ALIASES.items():
        i = text.find(alias)
        if i >= 0 and stem in stems:
            positions.append((i, stems[stem]))
    for stem in _short_alias_hits(text):
        if stem in stems:
            positions.append((text.find(next(k for k, v in SHORT_ALIASES.items() if v == stem)), stems[stem]))
    positions.sort()
    cities: list[str] = []
    for _, city in positions:
        if city not in cities:
            cities.append(city)
    others = []
    # "临川市青岚区": a 市 or 县 written right before a held plan's place is that place's parent, not another place
    parents = {m.group(1) for stem in stems for m in re.finditer(rf"([\u4e00-\u9fff]{{2,3}}[市县]){re.escape(stem)}", text)
               if stem and not stems[stem].endswith("市")}
    for place in OTHER_PLACES:
        if place in text and place not in parents and not any(place in c or city_key(c) in place for c in cities):
            others.append(place)
    for place in place_names(text):
        stem = place[:-1]
        if place in parents:
            continue
        if stem in stems or stem in EXTRA_ALIASES or any(stem in o or o in stem for o in others):
            continue
        if not any(stem in c or city_key(c) in stem for c in cities):
            others.append(place)
    return tuple(cities), tuple(others)


def place_names(text: str) -> tuple[str, ...]:
    """Names of a 市, 县 or 区 a question asks about, whether or not any list knows them ("青山市的研发强度"):
    two or three characters and the suffix, standing where a place stands (after the start, a comma or 在/和/跟 …,
    before 的/规划/科技 …), not a common word (全市, 城市, 高新区, 示范区 …); XX新区 is a place too (浦东新区). A 区 may be a district of a city
    with a plan; the assistant keeps it only when no plan mentions it."""
    before, after = rule("place_before"), rule("place_after")
    generic = re.compile(f"(?:{rule('place_generic').pattern})$")
    out: list[str] = []
    for i in range(len(text)):
        for size in (3, 2):
            j = i + size
            if j >= len(text) or text[j] not in "市县区":
                continue
            name = text[i:j]
            stem = name[:2] if size == 3 and name.endswith("新") and text[j] == "区" else name  # 浦东新区
            if not re.fullmatch(r"[\u4e00-\u9fff]+", name) or generic.search(stem) or before.match(name) or name[0] in "年月日":
                continue  # "到2025年农高区": the date's 年 starts no place
            if i > 0 and (text[i - 1] in _QUOTE_CHARS or not (before.match(text[i - 1]) or not re.match(r"[\u4e00-\u9fff]", text[i - 1]))):
                continue
            rest = text[j + 1:]
            if i > 0 and rest and not (after.match(rest) or not re.match(r"[\u4e00-\u9fff\d“]", rest)):
                continue  # mid-sentence, the name must also end where a place ends
            if name + text[j] not in out:
                out.append(name + text[j])
            break
    # an English question's place no plan holds, kept in pinyin by assistant/english.py ("Qingshan市")
    out.extend(m.group(0) for m in re.finditer(r"[A-Z][a-z]{2,}[市县区]", text) if m.group(0) not in out)
    return tuple(out)


def owns_plan(place: str, text: str) -> bool:
    """Whether the question asks about `place`'s own plan ("盐城的科创规划里…"), not about `place` in another plan."""
    stem = re.escape(place_stem(place))
    return bool(re.search(rf"{stem}[市县区]?的?[^，,。？?；;]{{0,6}}(?:{rule('plan_word').pattern})", text))


def asked_of(place: str, text: str, cities: Iterable[str]) -> bool:
    """Whether the question's asking piece (its last clause) is about `place` ("X县的…") and names none of `cities`:
    "南京提了“两区一廊多组团”，柏崖县的科技创新空间布局是怎么安排的" asks of 柏崖县; 南京 only sets the scene."""
    pieces = [p for p in re.split(r"[，,；;。]", text) if p.strip()]
    last = pieces[-1] if len(pieces) >= 2 else ""
    return bool(re.search(rf"{re.escape(place_stem(place))}[市县区]?的", last)) and \
        not any(place_stem(c) in last for c in cities)


def compares(place: str, text: str, places: Iterable[str]) -> bool:
    """Whether the question sets `place` against another of the `places` it names ("徐州和南京谁高", "南京和上海比"): a
    place without a plan on one side of a comparison leaves it unanswerable (not "在上海设立了哪几个研发中心", not
    "跟苏南、上海合作的项目")."""
    stem = re.escape(place_stem(place))
    other = "|".join(re.escape(place_stem(p)) for p in places if place_stem(p) != place_stem(place))
    if not other:
        return False
    joined = re.search(rf"{stem}[市县区]?\s*(?:和|与|跟|同|、|比)\s*(?:{other})|(?:{other})[市县区]?\s*(?:和|与|跟|同|、|比)\s*{stem}", text)
    return bool(joined) and bool(_COMPARE.search(text) or _SUPERLATIVE.search(text) or _COMPARE_ALONE.search(text))


def classify(text: str, n_cities: int, concepts: tuple[str, ...], profile: bool = False) -> Intent:
    """The composer to use; comparison wins when several cities or comparative words appear."""
    if n_cities >= 2 or (n_cities == 0 and (_COMPARE_ALONE.search(text) or (
            (_COMPARE.search(text) or _SUPERLATIVE.search(text)) and concepts))):
        return "compare"
    if _TASK.search(text) and not (_ELIGIBLE.search(text) and rule("self_reference").search(text)):
        return "task"  # not "我们团队…想牵头建个新型研发机构，有什么扶持": the asker leads, and asks what applies
    if ((_DOCUMENT.search(text) or (YEAR_RANGE.search(text) and rule("confirm_ask").search(text)))
            and _DOCUMENT_OBJECT.search(text) and not concepts
            and not re.search(r"多少|哪些", text)  # "规划是2021到2025年的吧": a period claimed of the plan
            and not names_event(text)):  # "计划什么时候建成": a thing's date
        return "document"
    # an enterprise describing itself, unless it only asks for an indicator's figure; with a profile, a figure word
    # counts only in the piece that asks (the last), not in what the asker says of itself ("规模比较大，想建…有什么支持")
    asks = re.split(r"[，,；;。]", text.rstrip("？?！!。 "))[-1] if profile else text
    if (profile or _ELIGIBLE.search(text)) and not (
        concepts and _TARGET.search(asks) and not rule("self_reference").search(text)
    ):
        return "eligibility"
    if concepts and _TARGET.search(text):
        return "target"
    if _LIST.search(text):
        return "list"
    if _TARGET.search(text) and not (_HOW.search(text) and not _FIGURE_ASK.search(text)):
        return "target"  # "怎么突破", "碳达峰怎么搞": a way is asked for, not a figure
    return "general"


def year_period(year: int, spans: Sequence[tuple[int, int]]) -> Period | None:
    """The period a year asks of plans spanning `spans` (first, last year each): the past when it comes before the
    first year of most of them, a target when none has begun after it, else None (service.resolve_period)."""
    if spans and sum(year < first for first, _ in spans) > len(spans) / 2:
        return "past"
    if spans and all(year >= first for first, _ in spans):
        return "target"
    return None


def period_of(text: str) -> Period | None:
    """"target" when the wording looks ahead, "past" when it looks back, else None. A year after 到 alone does not
    look ahead against words saying what there already is ("到2020年底已经有多少了"; not "到2025年要过多少")."""
    if _AHEAD.search(text) and not (_ALREADY.search(text) and not _AHEAD.search(_YEAR.sub(" ", text))):
        return "target"
    if _PAST.search(text):
        return "past"
    return None


def unit_of(text: str) -> Unit | None:
    """The kind of figure asked for: money ("多少万元"), a share ("比重"), a count ("几家")."""
    return next((unit for unit, pattern in _UNITS if pattern.search(text)), None)


_LABELLED_NUMBER = re.compile(rf"(?:{rule('number_label').pattern})\s*(\d+)")
_LABELLED_PART = re.compile(rf"(?:{rule('number_label').pattern})\s*\d+\s*[条项个章节部分]?")


# what may follow a city named after its subject ("国家重点实验室南京要达到多少家"): a modal or planning verb
_CITY_THEN = "要(?!素)|准备|打算|计划|将|怎么|如何"


def _points_back(text: str) -> bool:
    """Whether a follow-up opens with a pronoun, after a year it names ("到2025年它们的营业收入目标呢？")."""
    return bool(_FOLLOWUP_PRONOUN.match(re.sub(rf"^(?:到|至)?{YEAR_PHRASE}", "", text)))


def _possessed(pieces: list[str], text: str) -> str:
    """The topic's longest piece, with the piece the question writes before it with 的 ("生物医药的关键共性技术方向"):
    the thing an attribute is asked of stays with the attribute."""
    longest = max(pieces or [""], key=len)
    before = next((p for p in pieces if p != longest and f"{p}的{longest}" in text), "")
    return f"{before}的{longest}" if before else longest


def topic_of(text: str, known_cities: Iterable[str]) -> str:
    """The question without its cities, question words and frame words (pieces joined by spaces)."""
    for city in sorted(known_cities, key=len, reverse=True):
        # the city as a place ("南京的…", "在南通", "宁和句容"), not inside a name ("南理工江阴创新港"); 南京市级 keeps 市级
        stem = re.escape(city_key(city))
        text = re.sub(rf"(?:(?<=^)|(?<=[^\u4e00-\u9fff])|(?<=[是在和与及、对来到赴进里抓管]))({stem}(市(?!级))?)", " ", text)
        text = re.sub(rf"{stem}(市(?!级))?(?=[的市、和与及，,？?“\s]|{_CITY_THEN}|$)", " ", text)
    for alias in sorted(EXTRA_ALIASES, key=len, reverse=True):
        text = text.replace(alias, " ")
    chars = list(text)
    for i, ch in enumerate(chars):  # short aliases only where find_cities would read them as a city
        if ch in SHORT_ALIASES and ch in "".join(_short_alias_chars(text)):
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if (before in _SHORT_BEFORE and after in _SHORT_AFTER) or (before in _ENUMERATION and after not in _NOT_AFTER):
                chars[i] = " "
    text = _LABELLED_PART.sub(" ", "".join(chars))  # "专栏5", "第20条" point at a part; its words are not the topic
    pieces = (_LEADING.sub("", piece) for piece in _FRAME.sub(" ", text).split())
    return " ".join(p for p in pieces if len(p) >= 2 or p.isdigit())


def quoted_names(text: str) -> tuple[str, ...]:
    """Names in quotes or title marks, innermost quotes stripped: 《“创新江阴”三年行动计划》 → “创新江阴”三年行动计划 and 创新江阴."""
    names: list[str] = []
    for m in _QUOTED.finditer(text):
        name = next(g for g in m.groups() if g is not None).strip()
        names.append(name)
        names.extend(inner for inner in re.findall(r"“([^”]{2,30})”", name))
    # a period quoted (“十四五”) names no programme or part
    return tuple(dict.fromkeys(n for n in names if n.strip(_QUOTE_CHARS) and not FIVE_YEAR_ORDINAL.fullmatch(n.strip(_QUOTE_CHARS))))


def _short_alias_chars(text: str) -> list[str]:
    return [ch for ch in SHORT_ALIASES if ch in text]


# A number in markup or code is not a figure the user states: "[1]", "alert(1)", "1=1", "x86".
_MARKUP_NUMBER = re.compile(r"\[\d+\]|(?<=[A-Za-z_=<>(])\d+|\d+(?=\s*[=<>)])")


def _numbers(text: str) -> tuple[str, ...]:
    """Figures the user states, years and markup left out ("2025年高企达到3万家" → ("3万",); "2020和2025分别是" → ())."""
    skip = {m.start() for m in _YEAR.finditer(text)} | {m.start() for m in BARE_YEAR.finditer(text)}
    for m in _MARKUP_NUMBER.finditer(text):
        skip.update(range(m.start(), m.end()))
    for m in _LABELLED_NUMBER.finditer(text):  # "专栏5", "第20条": a part's label, not a figure
        skip.update(range(m.start(1), m.end(1)))
    return tuple(m.group(0) for m in STATED_NUMBER.finditer(text) if m.start() not in skip)


_ASKS = rule("asks")


def question_part(text: str) -> str:
    """The sentences that ask (a question mark or question word), when the input has others too:
    "系统提示：你现在是……。南通高企目标是多少？" → "南通高企目标是多少？"."""
    sentences = split_sentences(text, FULL_STOPS)  # ； joins parts of one request
    asking = [s for s in sentences if _ASKS.search(s)]
    return "".join(asking) if asking and len(asking) < len(sentences) else text


def asking_last(text: str) -> str:
    """A question whose last sentences only set the scene ("主要指标表里一共列了几项？南通的科技规划。"): those sentences
    first, so that the asking sentence ends the text, where the question's frames are read."""
    sentences = split_sentences(text, FULL_STOPS)
    asking = max((i for i, s in enumerate(sentences) if _ASKS.search(s)), default=None)
    if asking is None or asking == len(sentences) - 1:
        return text
    scene = "".join(sentences[asking + 1:]).strip()
    scene += "" if scene.endswith(tuple(FULL_STOPS)) else "。"
    return scene + "".join(sentences[:asking + 1]).strip()


def separate_asks(text: str) -> list[str]:
    """The pieces of a message that each ask something, when there are two or more and nothing else: its sentences, or
    the comma pieces of its one sentence ("大学创新港要建几个，形成什么样的综合体？"); else []."""
    pieces = split_sentences(text, FULL_STOPS)
    if len(pieces) == 1:
        pieces = [p for p in re.split(r"(?<=[，,])", text) if p.strip()]
    return pieces if len(pieces) >= 2 and all(_ASKS.search(p) for p in pieces) else []


_MEASURE_AFTER = rule("indicator_measure")


def _part_after(place: str, text: str, note: bool = False) -> re.Match | None:
    """Where `text` names a part of a city right after `place` ("江阴高新区", "如皋市高新区"): group "area" is the part
    (with its note "（国家级）" when `note`), without the place and its 市."""
    noted = r"(?:[(（][^)）]{1,8}[)）])?" if note else ""
    return re.search(rf"{re.escape(place)}(?:市(?!级))?(?P<area>[\u4e00-\u9fff]{{0,4}}?(?:{rule('sub_area').pattern}){noted})",
                     text)


def local_area(text: str, place: str) -> str | None:
    """The part of a city `text` names with `place` before a part word ("如皋高新区" of "那如皋高新区呢"), or None."""
    m = _part_after(place, text)
    return m.group(0) if m else None


def _in_year(text: str, year: str) -> str:
    """The question asked of another year: its first year replaced, or the year put before it when it names none."""
    text, n = re.subn(rf"{YEAR_DIGITS}\s*年?", f"{year}年", text, count=1)
    return text if n else f"{year}年{text}"


def _joined_before_end(text: str, words: str) -> str:
    """`words` added to a question before its closing question mark (words after it are not read as asking)."""
    end = len(text.rstrip(FULL_STOPS))
    return f"{text[:end]} {words}{text[end:]}"


# a follow-up's filler, and its pointer back to the previous indicator ("临港开发区这个指标呢")
_FILLER = re.compile(r"(的话|[那这]一?[个项条块]?(?:指标|数字?)|[那这]一?[个项条块]|的情况|情况|的数据|数据|方面|自己|各自|分别|本身|的?目标)$")


def _substitute(previous: Query, rest: str, places: tuple[str, ...], known_cities: tuple[str, ...]) -> str:
    """The previous question with the follow-up's city and indicator put in place of the previous ones."""
    text = previous.text
    local = local_area(rest, places[0]) if len(places) == 1 and places[0] not in known_cities and len(previous.cities) == 1 else None
    if local:
        # "那如皋高新区呢？" after a question about 南通高新区: a place without a plan named with a part word is a part
        # of the conversation's city (its plan may write about it; service.known_districts checks), asked in place
        # of the part the previous question named, its note ("（国家级）") and all
        city = city_key(previous.cities[0])
        had = _part_after(city, text, note=True)
        text = (text[:had.start("area")] + local + text[had.end("area"):]) if had else text.replace(city, city + local, 1)
        rest, places = rest.replace(local, ""), ()
    subject = rest
    for place in places:  # the follow-up's own city words are not its indicator
        for form in (place, city_key(place)):
            subject = subject.replace(form, "")
    item = bool(re.search(r"[那这]一?[项条]$", subject.strip()))  # "那标准质量品牌那条呢": another item of a series
    subject = subject.strip()
    while (bare := _FILLER.sub("", subject)) != subject:  # "高新区自己的目标": 高新区
        subject = bare.strip()
    modifier = subject.endswith(("的", "之"))  # "农业的呢？": a kind of the previous indicator, not another one
    subject = re.sub(r"^[的之]+|[的之]+$", "", subject)
    if places and len(places) == 1 and len(previous.cities) <= 1:
        new_city = places[0]
        for c in previous.cities:
            text = text.replace(c, new_city).replace(city_key(c), city_key(new_city))
        if not previous.cities:
            text = f"{new_city}{text}"
    elif places:  # several cities on either side: the previous ones out, the named ones in
        for c in previous.cities:
            text = text.replace(c, "").replace(city_key(c), "")
        text = "、".join(city_key(p) for p in places) + re.sub(r"^[、和与及，,\s]+", "", text)
    if subject and len(subject) <= 6 and period_of(subject) is not None and not concepts_in(subject) \
            and not re.search(r"\d", subject):
        # "那十三五末呢？" after a 2025 target: the same question of that period, in place of the year
        dated = re.sub(rf"(?:到|至)?{YEAR_PHRASE}", subject, text, count=1)
        return dated if dated != text else f"{subject}{text}"
    year = re.fullmatch(rf"(?:到|至)?({YEAR_DIGITS})\s*年?(?:底|末)?", subject)
    if year is None and not _FRAME.sub("", subject).strip():  # "2020年当年的目标": a year with frame words only
        year = re.search(rf"({YEAR_DIGITS})\s*年", subject)
    if year:  # "那2025年呢？": the same question for another year
        return _in_year(text, year.group(1))
    dated = re.match(rf"(?:到|至)?({YEAR_DIGITS})\s*年(?:底|末)?的?", subject)
    if dated and not concepts_in(subject):
        # "那2020年的入库目标呢？": another year, and words about the same indicator (入库), not a new subject
        text = _in_year(text, dated.group(1))
        words = _FRAME.sub("", subject[dated.end():]).strip()
        return _joined_before_end(text, words) if words else text
    area = next(reversed(list(rule("sub_area").finditer(subject))), None) if subject else None  # 高新区和临港开发区: the last
    had = rule("sub_area").search(text) if area and area.end() == len(subject) else None
    if had:  # "临港开发区呢？" after a question about the 高新区: the same question of the other part of the city
        return text[:had.start()] + subject + text[had.end():]
    if area and area.end() == len(subject) and len(previous.cities) == 1 and \
            city_key(previous.cities[0]) in text:  # "那高新区自己呢？" after a city's figure: the same of that part,
        aliases = dict(indicator_concepts())  # named before the indicator's wording ("江阴到2022年高新区全社会研发…")
        at = min((text.find(normalize(a)) for c in previous.concepts for a in aliases.get(c, ()) if normalize(a) in text),
                 default=-1)
        key = city_key(previous.cities[0])
        return text[:at] + subject + text[at:] if at >= 0 else text.replace(key, key + subject, 1)
    if subject:
        aliases = dict(indicator_concepts())
        norm_text = text

        def where(words: str) -> bool:  # "…攻关方向里，新材料有哪些": the words that say where, not the subject replaced
            return words.endswith(("里", "中")) or bool(re.search(re.escape(words) + r"[^，,。？?\s]{0,4}[里中](?![心国])", previous.text))

        old = next((a for c in previous.concepts for a in sorted(aliases.get(c, ()), key=len, reverse=True)
                    if normalize(a) in norm_text and not where(normalize(a))), None)
        if old is None and previous.topic:
            pieces = previous.topic.split()
            old = re.sub(r"(?<=..)[有是在]$", "", max([p for p in pieces if not where(p)] or pieces, key=len))  # 新材料有哪些
        named = next((m for m in re.finditer(r"“[^“”]+”", text) if old and normalize(old) in m.group(0)), None)
        if named is None and item and old:  # the item's whole name the previous question wrote ("打好高企引育攻坚战")
            named = next((m for p in (previous.topic or "").split() if normalize(old) in p
                          for m in [re.search(re.escape(p), text)] if m is not None), None)
        if named is not None and not modifier:
            # "那科技金融那一条呢？" after "“打好高企引育攻坚战”是哪些部门负责的": another item of the series, not a
            # name with a word swapped
            text = text[:named.start()] + subject + text[named.end():]
        elif old and normalize(old) in text:
            # the indicator's whole wording goes, with a measure word after the alias ("…占GDP" + 比重)
            if modifier and not concepts_in(subject):  # "农业的" + 科技进步贡献率 → 农业科技进步贡献率
                text = text.replace(normalize(old), subject + normalize(old), 1)
            else:
                text = re.sub(rf"{re.escape(normalize(old))}(?:{_MEASURE_AFTER.pattern})?", lambda _: subject, text, count=1)
        else:
            text = f"{text} {subject}"
    return text


_COUNTED = re.compile(rf"(?:多少|几)[{COUNT_MEASURES}]?([\u4e00-\u9fff]{{2,12}})[？?。]?$")  # "…发放了多少苏科贷？": 苏科贷
# what a follow-up asking across the cities says besides ("五个城市里谁最高？", "哪个城市更高？"): nothing of its own
_ACROSS_WORDS = re.compile(r"[？?。，,！!\s]|[那呢的里中是个更最高低多少大小快慢谁哪这]|[一二三四五六七八九十\d]+个?城市|城市|其他|所有")
_SWAP_CHARS = 16  # a follow-up this short naming only another city and asking words re-asks the previous question


def _own_words(text: str, cities: Sequence[str]) -> bool:
    """Whether a follow-up says a subject of its own beside the cities it names and its asking words ("那南京定的是多少"
    says none; "那南京有哪些举措" says 举措)."""
    rest = topic_of(text, ())
    for city in cities:
        rest = rest.replace(city, " ").replace(city_key(city), " ")
    rest = re.sub(rf"^(?:{rule('followup_lead').pattern})", "", rest.strip())
    return any(len(piece) >= 2 for piece in re.split(r"\s+", rest))


def _in_conversation(previous: Query, text: str, shifted: bool) -> str:
    """A follow-up naming no place, asked of the conversation's place and, when it keeps it, its subject (大学创新港 of
    "南京打算建多少个大学创新港？" for "建好以后要形成个什么样的综合体？"): the subject is not kept when either question
    names an indicator, the follow-up opens with a subject of its own and 呢, or points at a subject of its own
    ("新材料那块靠哪些龙头企业带动？")."""
    own = re.search(rf"[\u4e00-\u9fff]{{2}}(?:{rule('pointer').pattern})", text)
    place = conversation_place(previous, text)
    if _PART_POINTER.match(text) and previous.quoted and not shifted:
        return f"{place}{''.join(previous.quoted)} {text}"  # "那专栏里列了哪些平台" after "“中华药港”要…": 中华药港's box
    kept = previous.subject and not previous.concepts and not concepts_in(text) and not own and not shifted \
        and previous.subject not in text
    return f"{place}{previous.subject} {text}" if kept else f"{place}{text}"


def _indicator_wording(previous: Query) -> str | None:
    """The longest wording of the previous question's indicators that it writes ("研发投入强度"), or None."""
    aliases = dict(indicator_concepts())
    return next((a for c in previous.concepts for a in sorted(aliases.get(c, ()), key=len, reverse=True)
                 if normalize(a) in previous.text), None)


def conversation_place(previous: Query, text: str) -> str:
    """The place a follow-up naming none is asked of: the previous question's city, with the part of it the previous
    question named right after the city ("江阴高新区到2022年…" → 江阴高新区), unless the follow-up names a part itself."""
    place = city_key(previous.cities[0])
    if rule("sub_area").search(text):
        return place
    m = _part_after(place, previous.text)
    return place + m.group("area") if m else place


def understand(
    question: str,
    known_cities: Iterable[str],
    history: list[Query] | None = None,
    profile: bool = False,
) -> Query:
    """Parse `question`; with `history` (earlier turns, oldest first) resolve a follow-up first."""
    known_cities = tuple(known_cities)
    question = asking_last(question)
    original = question
    text = normalize(question)
    previous = history[-1] if history else None
    followup = False
    subject = ""  # kept from the previous question by a pronoun follow-up
    intent_text: str | None = None  # a pronoun follow-up's intent comes from its own words
    unit_text: str | None = None  # the words that say the kind of figure asked, when not the whole text
    renamed = False  # a follow-up whose subject replaced the previous question's indicator
    carried = False  # a follow-up that keeps the previous question's city and names no subject of its own
    own_subject = False  # a follow-up that keeps the city but names a subject of its own: not the previous indicator
    shifted = _SUBJECT_SHIFT.match(text) if previous is not None else None
    # a follow-up that names a subject of its own before 呢 ("外国人才呢，…"): not the previous subject or indicator
    shifted_subject = bool(shifted and not _FOLLOWUP_PRONOUN.match(shifted.group("subject"))
                           and not period_of(shifted.group("subject")) and not question_years(shifted.group("subject")))
    if previous is not None:
        named, others = find_cities(text, known_cities)
        if named and previous.cities and not set(named) & set(previous.cities):
            text = _SAME_POINTER.sub("", text)  # "南通同一个指标呢？", "句容有没有类似的做法？": the same, of that city
        again = re.sub(rf"{re.escape(city_key(named[0]))}(?:市(?!级))?", "", text, count=1) if named else text
        if len(previous.cities) == 1 and named == previous.cities and not others and len(text) <= _SWAP_CHARS \
                and not topic_of(again, known_cities):
            # "那现在南通有几家？" after a question about 南通: the city said again and no subject of its own — a
            # follow-up all the same (not "南通具体说说…专项", which names its own)
            text, named = again, ()
        m = _FOLLOWUP_CITY.match(text)
        elliptical = _ELLIPTICAL.match(text)
        if named and previous.cities and previous.concepts and not concepts_in(text) and _COMPARE_FOLLOWUP.search(text) \
                and any(c not in previous.cities for c in named):
            # "比南京的目标高吗？", "和南京比呢？" after a city's figure: the same question of both cities, compared
            # over each plan's own horizon (the first city's year need not be in the other's plan)
            extra = "".join(city_key(c) for c in named if c not in previous.cities)
            base = re.sub(rf"(?:到|至)?{YEAR_PHRASE}", "", previous.text)
            text, followup = f"{extra}和{base}", True
        elif not (named or others) and previous.concepts and not concepts_in(text) and len(text) <= _SWAP_CHARS \
                and _ACROSS_CITIES.search(text) and len(_ACROSS_WORDS.sub("", _ACROSS_CITIES.sub("", text))) <= 2 \
                and not _TASK.search(text):  # "谁牵头？" asks who leads the task, not which city
            # "哪个城市更高？", "五个城市里谁最高？" after a city's figure: the same indicator (and year) across the
            # library's cities, ranked
            worded = _indicator_wording(previous) or previous.concepts[0]
            year = f"{previous.year}年" if previous.year else ""
            text, followup = f"{year}{normalize(worded)}{'目标' if '目标' in previous.text else ''}{text}", True
        elif elliptical and len(text) <= 24 and not _OWN_QUESTION.search(elliptical.group("rest")) and not _points_back(text) and (
                concepts_in(text) or _YEAR.search(text) or named or others or previous.concepts):
            # "那高新技术企业呢？", "那连云港的研发投入强度呢？": the previous question with the city, the indicator or both replaced.
            text, followup = _substitute(previous, elliptical.group("rest"), named or others, known_cities), True
            # the follow-up's own subject took the indicator's place ("那科技金融那一条呢？"): its concept stays behind
            renamed = bool(previous.concepts) and not concepts_in(text)
        elif (m and (named or others) and len(text) <= 12) or (
                named and previous.cities and not set(named) & set(previous.cities) and not concepts_in(text)
                and len(text) <= _SWAP_CHARS and not _own_words(text, named)):
            # "那南通呢？", "那南京定的是多少？": ask the previous question again about another city.
            new_city = named[0] if named else others[0]
            base = previous.text
            for c in previous.cities:
                base = base.replace(c, new_city).replace(city_key(c), city_key(new_city))
            if not previous.cities:
                base = f"{new_city}{base}"
            text, followup = base, True
        elif _points_back(text) or (not named and not others and not concepts_in(text) and not _WHICH_CITIES.search(text) and (
                len(text) <= 14 or not topic_of(text, known_cities))):  # "那规划要到2025年达到多少人？": no subject of its own
            # "它的牵头单位是谁？": keep the previous subject in view.
            # the previous question's place and subject, not its asking words ("定位是什么", "重点招引哪些方向")
            # (one city with the part of it the previous question named: "江阴高新区…" then "附件里这项谁牵头")
            place = conversation_place(previous, text) if len(previous.cities) == 1 else \
                "".join(city_key(c) for c in previous.cities)
            # a part of the city named on its own ("北片区主要承担啥功能？") is the follow-up's own subject
            own = not _FOLLOWUP_PRONOUN.match(text) and rule("sub_area").search(topic_of(text, known_cities))
            own = own or shifted_subject
            # a figure asked without a year of its own is asked for the previous question's year ("年底…总数要到多少" after
            # "2020年重点工作目标里…净增多少家"), and so is who leads it (a task row is of a year: "哪个部门牵头？")
            year = f"{previous.year}年" if (previous.year and not question_years(text) and period_of(text) is None
                                            and (rule("figure_ask").search(text) or text.rstrip("？?").endswith("呢")
                                                 or _TASK.search(text))) \
                else ""  # not "十三五末是多少"; "那占GDP的比重呢？" asks the same year
            # "那占GDP的比重呢？": a share of the previous subject, said as one wording with it (…经费支出占GDP的比重)
            share = re.sub(rf"^(?:{rule('followup_lead').pattern})", "", text)
            text, joint = (share, "") if share.startswith("占") else (text, " ")
            # "这一条是谁牵头的": the item the previous question asked of (its whole topic), not the conversation's subject
            about = previous.topic if _ITEM_POINTER.match(text) else previous.subject or previous.topic
            if _TWO_POINTER.match(text):  # "这两个指标2020年分别是多少": both indicators of the last two questions
                worded = [normalize(w) for h in history[-2:] if (w := _indicator_wording(h))]
                about = "和".join(worded) if len(worded) == 2 and worded[0] != worded[1] else about
            text = _ITEM_POINTER.sub("", text) or text  # the pointer itself ("这项工作") is no word of the item
            text, followup = (f"{place}{text}" if own else f"{place}{year}{about or previous.text}{joint}{text}"), True
            subject = "" if shifted_subject else previous.subject or previous.topic
            intent_text = normalize(original)
        elif previous.cities and not (named or others) and _CONTINUES.match(text):
            # "那高企2020年有多少家？": a new question in the same conversation stays with the previous city.
            rest = _CONTINUES.sub('', text, count=1)
            # "那2020年当年发了多少" after 苏科贷's total: the conversation's subject too
            text, followup = _in_conversation(previous, rest, shifted_subject), True
            # (not the previous indicator's wording when the follow-up names a subject of its own: "那十三五期间引进了
            # 多少海内外高层次创业人才" after a question on 新引进高层次创新创业人才's target)
            own_subject = any(len(w) >= OWN_SUBJECT for w in topic_of(rest, known_cities).split())
            carried = not own_subject
        elif len(previous.cities) == 1 and not (named or others) and not _ACROSS_CITIES.search(text):
            # "建好以后要形成个什么样的综合体？": a question naming no place asks about the conversation's city, and,
            # when neither it nor the previous question names an indicator, about the conversation's subject too
            # (大学创新港 of "南京打算建多少个大学创新港？")
            # — not when it points at a subject of its own ("新材料那块靠哪些龙头企业带动？")
            text, followup = _in_conversation(previous, text, shifted_subject), True
            carried = True
    if carried and previous is not None and previous.concepts and not concepts_in(text) and not shifted_subject:
        # "2020年底的时候实际有多少家？" after a question about 科技型中小企业: the indicator's wording joins the text, so
        # a figure the plan states in prose (not only its indicator row) is found by its words
        worded = _indicator_wording(previous)
        if worded:
            unit_text = text  # the kind of figure is the follow-up's own ("这个比重"), not the joined wording's (经费)
            text = _joined_before_end(text, normalize(worded))
    own_years = question_years(normalize(original)) if followup else []
    if own_years and previous is not None and text.startswith(previous.text):
        # "2020年的基数是多少？" after a question about 2025: the follow-up's year replaces the previous one
        text = _YEAR.sub(str(own_years[-1]), previous.text) + text[len(previous.text):]
    cities, others = find_cities(text, known_cities)
    concepts = concepts_in(text)
    years = question_years(text)
    query = Query(
        text=text,
        original=original,
        cities=cities,
        unknown_places=others,
        intent=classify(intent_text or text, len(cities), concepts, profile),
        concepts=concepts,
        year=years[-1] if years else None,
        numbers=_numbers(normalize(original)),
        followup=followup,
        topic=topic_of(question_part(text), known_cities),
        # a follow-up that names a year or looks back or ahead says the period itself ("2020年的基数是多少？")
        period=period_of(normalize(original)) if own_years or (followup and period_of(normalize(original))) else period_of(text),
        unit=unit_of(intent_text or unit_text or text),
        quoted=quoted_names(text),
    )
    # a question's subject is the thing its figure counts ("苏科贷" of "累计发放了多少苏科贷"), else its topic's longest
    # piece ("创新区" of "南通创新区的定位是什么"), not what it asks of it
    counted = _COUNTED.search(question_part(text))
    counted_piece = counted.group(1) if counted and counted.group(1) in query.topic.split() else ""
    query = replace(query, subject=subject or counted_piece or _possessed(query.topic.split(), question_part(text)))
    if followup and previous is not None and not query.concepts and previous.concepts and not shifted_subject and not renamed \
            and not own_subject:
        query = replace(query, concepts=previous.concepts)
    return query
