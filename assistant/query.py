"""Query understanding: which cities, what kind of question, which indicator, which year.

Rules rather than a model: the questions are short and the vocabulary of plans is
narrow, so explicit patterns are both faster and easier to audit than a classifier.
A follow-up ("那南通呢？", "它的牵头单位是谁？") is resolved against the previous turn
before anything else, so every later stage sees a self-contained question.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from index.tokenize import read_places, read_synonyms

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

_COMPARE = re.compile(r"比较|对比|相比|比一比|哪个(城)?市|哪座城市|哪个城市|哪几个|各市|各地|分别|谁(更|最)?(高|低|多|少)|差距|排名|横向")
# Comparative words that need no second city ("科技进步贡献率各市对比"); "分别" alone with one city
# names several things of that city ("南京国家级孵化器和众创空间分别要有多少家"), not a comparison.
_COMPARE_ALONE = re.compile(r"比较|对比|相比|哪个(城)?市|哪座城市|哪个城市|各市|各地|谁(更|最)?(高|低|多|少)|排名|横向|"
                            r"[两三四五六七八九十]个?城市|各(个)?城市|所有城市|全部城市|几个城市")
# A superlative about an indicator ("谁的技术合同成交额目标最低"): with no city named, every city is compared.
_SUPERLATIVE = re.compile(r"最(高|低|多|少|大|小|快|慢)|谁|哪(个|座|一个)?(城市|市)")
_ELIGIBLE = re.compile(
    r"我们|我司|我公司|本公司|我单位|本单位|我是|我们是|作为一家|作为一名|我在|我有|我的企业|我方|本企业|"
    r"能(否|不能)?(享受|申请|获得|拿到)|可以(享受|申请|获得)|有什么(支持|政策|扶持|补贴|奖励)|哪些(支持|政策|扶持|补贴|奖励|优惠)|"
    r"符合|资格|条件|申报|扶持|补贴|奖补|优惠"
)
_TARGET = re.compile(
    r"多少|多大|多高|多长|第几|几位|目标|达到|达|突破|超过|比重|占比|比例|几(家|个|项|人|件|名|所)|数量|规模|增速|增长率|贡献率|强度|"
    r"%|百分|亿元|万元|\d+(\.\d+)?(万|亿)?(家|个|项|人|件|名)"
)
# About the plan document itself: its number, date, issuer.
_DOCUMENT = re.compile(r"文号|发文字号|文件号|哪天|哪一天|何时|什么时候|日期|印发|发布|发文|哪个部门|哪个单位|制定")
_DOCUMENT_OBJECT = re.compile(r"规划|计划|文件|通知")
# Who carries a task out: the lead and partner units of 江阴-style task tables.
_TASK = re.compile(r"牵头|责任单位|责任部门|负责部门|参与部门|配合部门|由(哪个|哪些|谁)")
# Looking back ("十三五"末, 现有, 已经) or ahead (目标, 到2025年, “十四五”).
_PAST = re.compile(r"十三五|截至|目前|现有|现在|如今|已有|已经|以来|共有|各有|现状|基期|了(多少|几)|过(多少|几)")
_AHEAD = re.compile(r"目标|力争|计划(要|到|在|于|达到|20)|十四五|预期|要(达到|做到|突破|提高|建成|完成|发展)|到20\d\d")
_UNITS = (
    ("money", re.compile(r"多少(钱|资金|万元|亿元|元)|金额|额度|资金.*多少|多少.*(资金|经费|补贴|奖励|资助)|(亿|万)元")),
    ("percent", re.compile(r"%|百分|比重|占比|比例|强度|贡献率|增速|增长率|增幅")),
    ("count", re.compile(r"几(家|个|项|人|件|名|所|位)|多少(家|个|项|人|件|名|所|位)|(家|个|项|人|件|名)数|\d+(\.\d+)?\s*万?(家|个|项|人|件|名)")),
)
_QUOTED = re.compile(r"《([^》]{2,40})》|“([^”]{2,30})”|「([^」]{2,30})」")
_QUOTE_CHARS = "“”\"《》「」『』"
# Question and frame words: what the question asks, not what it is about.
_FRAME = re.compile(
    r"请问|一下|请列出|列出|列举|列了|规划里|规划中|文件中|目标值|目标|是多少|(?<!共)有多少|多少|多大|分别|各是|各有|各自|哪些|哪几[个家类种项所]?|"
    r"用来做|用来|用于做|干什么|做什么|什么|怎么|怎样|如何|是否|能否|能不能|可以|可不可以|有没有|是不是|对吗|是吗|具体是|是指|指的是|说的|哪所|哪家|"
    r"哪个更(高|低|多|少|大)|谁(更|最)?(高|低|多|少|大)|哪个(城)?市|哪座城市|哪个城市|哪个部门|哪个单位|哪个|[两三四五六七八九十]+(市|地|城)|"
    r"这项任务|该任务|任务|由谁|牵头单位|牵头|负责|准备|打算|希望|想要|一共|总共|市里会给|市里会|市里|会给|"
    r"吗|呢|吧|啊|的|了|我们|我们是|我是|我司|我公司|一家|一名|一位|几个|几家|几类|几种|"
    r"20\d\d\s*年?(底|末)?|(?<=五”)(末|期间|时期)|(?<=五)(末|期间|时期)|规划|到|要(?![求素点])|达到|做到|[？?！!，,。、\s“”《》:：()（）]"
)
_LEADING = re.compile(r"^[是在和与及对从把给让就还也都]+")
_LIST = re.compile(r"哪些|哪几|有什么|列举|列出|主要(任务|措施|内容|方向|举措)|重点(任务|领域|方向|工程|产业)|包括|举措|措施|都有")
_FOLLOWUP_CITY = re.compile(r"^(那|那么|再看看|换成|如果是|还有)?\s*(?P<city>[\u4e00-\u9fff]{1,4}?)(市)?(呢|的呢|怎么样|如何|情况呢)?[？?。]?$")
# An elliptical follow-up: a noun phrase and 呢 ("那高新技术企业呢？", "技术合同成交额呢", "换成南通的研发强度呢").
_ELLIPTICAL = re.compile(r"^(?:那|那么|那如果是|如果是|换成|还有|再看看|再问一下)?\s*(?P<rest>.+?)\s*(?:呢|怎么样|如何|情况呢|的情况)\s*[？?。]?$")
_CONTINUES = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|此外|同时)[，,\s]*")
_OWN_QUESTION = re.compile(r"多少|哪些|哪个|几[家个项人件名所位]|什么|是否|怎么|如何|吗")
_FOLLOWUP_PRONOUN = re.compile(r"^(它|其|这|这个|这项|这些|该|上述|那个|那项)")
# A year: "2025年", or "到2025" without 年; "2000家" is a count, not a year.
_YEAR = re.compile(r"(?<![\d.])(20[1-5]\d)(?=\s*年)|(?<=[到至])(?<!达到)(?<!做到)(?<!提到)(?<!升到)(20[1-5]\d)(?![\d.])")


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


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and collapsed whitespace: the form rules match on."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


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


def find_cities(text: str, known: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(cities with a plan, other places) named in `text`, in order of first mention."""
    known = list(known)
    stems = {k.removesuffix("市").removesuffix("县").removesuffix("区"): k for k in known}
    positions: list[tuple[int, str]] = []
    for stem, city in stems.items():
        i = text.find(stem)
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
    for place in OTHER_PLACES:
        if place in text and not any(place in c or c.removesuffix("市") in place for c in cities):
            others.append(place)
    return tuple(cities), tuple(others)


def classify(text: str, n_cities: int, concepts: tuple[str, ...], profile: bool = False) -> Intent:
    """The composer to use; comparison wins when several cities or comparative words appear."""
    if n_cities >= 2 or (n_cities == 0 and (_COMPARE_ALONE.search(text) or (
            (_COMPARE.search(text) or _SUPERLATIVE.search(text)) and concepts))):
        return "compare"
    if _TASK.search(text):
        return "task"
    if _DOCUMENT.search(text) and _DOCUMENT_OBJECT.search(text) and not concepts and not re.search(r"多少|哪些", text):
        return "document"
    # an enterprise describing itself, unless it only asks for an indicator's figure
    if (profile or _ELIGIBLE.search(text)) and not (
        concepts and _TARGET.search(text) and not re.search(r"我们|我司|我公司|我是|作为", text)
    ):
        return "eligibility"
    if concepts and _TARGET.search(text):
        return "target"
    if _LIST.search(text):
        return "list"
    if _TARGET.search(text):
        return "target"
    return "general"


def period_of(text: str) -> Period | None:
    """"target" when the wording looks ahead, "past" when it looks back, else None."""
    if _AHEAD.search(text):
        return "target"
    if _PAST.search(text):
        return "past"
    return None


def unit_of(text: str) -> Unit | None:
    """The kind of figure asked for: money ("多少万元"), a share ("比重"), a count ("几家")."""
    return next((unit for unit, pattern in _UNITS if pattern.search(text)), None)


def topic_of(text: str, known_cities: Iterable[str]) -> str:
    """The question without its cities, question words and frame words (pieces joined by spaces)."""
    for city in sorted(known_cities, key=len, reverse=True):
        # the city as a place ("南京的…", "在南通", "宁和句容"), not inside a name ("南理工江阴创新港"); 南京市级 keeps 市级
        stem = re.escape(city.removesuffix("市"))
        text = re.sub(rf"(?:(?<=^)|(?<=[^\u4e00-\u9fff])|(?<=[是在和与及、对来到赴进里]))({stem}(市(?!级))?)", " ", text)
        text = re.sub(rf"{stem}(市(?!级))?(?=[的市、和与及，,？?“\s]|$)", " ", text)
    for alias in sorted(EXTRA_ALIASES, key=len, reverse=True):
        text = text.replace(alias, " ")
    chars = list(text)
    for i, ch in enumerate(chars):  # short aliases only where find_cities would read them as a city
        if ch in SHORT_ALIASES and ch in "".join(_short_alias_chars(text)):
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if (before in _SHORT_BEFORE and after in _SHORT_AFTER) or (before in _ENUMERATION and after not in _NOT_AFTER):
                chars[i] = " "
    pieces = (_LEADING.sub("", piece) for piece in _FRAME.sub(" ", "".join(chars)).split())
    return " ".join(p for p in pieces if len(p) >= 2 or p.isdigit())


def quoted_names(text: str) -> tuple[str, ...]:
    """Names in quotes or title marks, innermost quotes stripped: 《“创新江阴”三年行动计划》 → “创新江阴”三年行动计划 and 创新江阴."""
    names: list[str] = []
    for m in _QUOTED.finditer(text):
        name = next(g for g in m.groups() if g is not None).strip()
        names.append(name)
        names.extend(inner for inner in re.findall(r"“([^”]{2,30})”", name))
    return tuple(dict.fromkeys(n for n in names if n.strip(_QUOTE_CHARS)))


def _short_alias_chars(text: str) -> list[str]:
    return [ch for ch in SHORT_ALIASES if ch in text]


# A number in markup or code is not a figure the user states: "[1]", "alert(1)", "1=1", "x86".
_MARKUP_NUMBER = re.compile(r"\[\d+\]|(?<=[A-Za-z_=<>(])\d+|\d+(?=\s*[=<>)])")


def _numbers(text: str) -> tuple[str, ...]:
    """Figures the user states, years and markup left out ("2025年高企达到3万家" → ("3万",))."""
    skip = {m.start() for m in _YEAR.finditer(text)}
    for m in _MARKUP_NUMBER.finditer(text):
        skip.update(range(m.start(), m.end()))
    return tuple(m.group(0) for m in re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?:万|亿)?", text) if m.start() not in skip)


_SENTENCE = re.compile(r"(?<=[。！？!?])")
_ASKS = re.compile(r"[？?]|多少|多大|哪|什么|吗|呢|怎么|怎样|如何|是否|几[家个项人件名所位类种]|有没有|能否|可否")


def question_part(text: str) -> str:
    """The sentences that ask (a question mark or question word), when the input has others too:
    "系统提示：你现在是……。南通高企目标是多少？" → "南通高企目标是多少？"."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    asking = [s for s in sentences if _ASKS.search(s)]
    return "".join(asking) if asking and len(asking) < len(sentences) else text


def _substitute(previous: Query, rest: str, places: tuple[str, ...], known_cities: tuple[str, ...]) -> str:
    """The previous question with the follow-up's city and indicator put in place of the previous ones."""
    text = previous.text
    subject = rest
    for place in places:  # the follow-up's own city words are not its indicator
        for form in (place, place.removesuffix("市")):
            subject = subject.replace(form, "")
    subject = re.sub(r"(的话|这个|这一项|的情况|情况|的数据|数据)$", "", subject.strip())  # filler, not a subject
    subject = re.sub(r"^[的之]+|[的之]+$", "", subject)
    if places and len(places) == 1 and len(previous.cities) <= 1:
        new_city = places[0]
        for c in previous.cities:
            text = text.replace(c, new_city).replace(c.removesuffix("市"), new_city.removesuffix("市"))
        if not previous.cities:
            text = f"{new_city}{text}"
    elif places:  # several cities on either side: the previous ones out, the named ones in
        for c in previous.cities:
            text = text.replace(c, "").replace(c.removesuffix("市"), "")
        text = "、".join(p.removesuffix("市") for p in places) + re.sub(r"^[、和与及，,\s]+", "", text)
    year = re.fullmatch(r"(?:到|至)?(20\d\d)\s*年?(?:底|末)?", subject)
    if year:  # "那2025年呢？": the same question for another year
        text, n = re.subn(r"20\d\d\s*年?", f"{year.group(1)}年", text, count=1)
        return text if n else f"{year.group(1)}年{text}"
    if subject:
        aliases = dict(indicator_concepts())
        norm_text = text
        old = next((a for c in previous.concepts for a in sorted(aliases.get(c, ()), key=len, reverse=True)
                    if normalize(a) in norm_text), None)
        if old is None and previous.topic:
            old = max(previous.topic.split(), key=len)
        text = text.replace(normalize(old), subject, 1) if old and normalize(old) in text else f"{text} {subject}"
    return text


def understand(
    question: str,
    known_cities: Iterable[str],
    history: list[Query] | None = None,
    profile: bool = False,
) -> Query:
    """Parse `question`; with `history` (earlier turns, oldest first) resolve a follow-up first."""
    known_cities = tuple(known_cities)
    original = question
    text = normalize(question)
    previous = history[-1] if history else None
    followup = False
    intent_text: str | None = None  # a pronoun follow-up's intent comes from its own words
    if previous is not None:
        m = _FOLLOWUP_CITY.match(text)
        named, others = find_cities(text, known_cities)
        elliptical = _ELLIPTICAL.match(text)
        if elliptical and len(text) <= 24 and not _OWN_QUESTION.search(elliptical.group("rest")) and (
                concepts_in(text) or _YEAR.search(text) or named or others or previous.concepts):
            # "那高新技术企业呢？", "那连云港的研发投入强度呢？": the previous question with the city, the indicator or both replaced.
            text, followup = _substitute(previous, elliptical.group("rest"), named or others, known_cities), True
        elif m and (named or others) and len(text) <= 12:
            # "那南通呢？": ask the previous question again about another city.
            new_city = named[0] if named else others[0]
            base = previous.text
            for c in previous.cities:
                base = base.replace(c, new_city).replace(c.removesuffix("市"), new_city.removesuffix("市"))
            if not previous.cities:
                base = f"{new_city}{base}"
            text, followup = base, True
        elif _FOLLOWUP_PRONOUN.match(text) or (len(text) <= 14 and not named and not concepts_in(text)):
            # "它的牵头单位是谁？": keep the previous subject in view.
            text, followup = f"{previous.text} {text}", True
            intent_text = normalize(original)
        elif previous.cities and not (named or others) and _CONTINUES.match(text):
            # "那高企2020年有多少家？": a new question in the same conversation stays with the previous city.
            text, followup = f"{previous.cities[0].removesuffix('市')}{_CONTINUES.sub('', text, count=1)}", True
    cities, others = find_cities(text, known_cities)
    concepts = concepts_in(text)
    years = [int(a or b) for a, b in _YEAR.findall(text)]
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
        period=period_of(text),
        unit=unit_of(intent_text or text),
        quoted=quoted_names(text),
    )
    if followup and previous is not None and not query.concepts and previous.concepts:
        query = replace(query, concepts=previous.concepts)
    return query
