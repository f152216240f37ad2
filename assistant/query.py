"""Query understanding: which cities, what kind of question, which indicator, which year.

Rules rather than a model: the questions are short and the vocabulary of plans is
narrow, so explicit patterns are both faster and easier to audit than a classifier.
A follow-up ("那南通呢？", "它的牵头单位是谁？") is resolved against the previous turn
before anything else, so every later stage sees a self-contained question.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Iterable, Literal

Intent = Literal["target", "compare", "eligibility", "list", "general"]

# Cities with a plan in the corpus are passed in at run time (from the index); these are
# other places people ask about, so a question about them can be refused rather than
# answered with another city's figures.
OTHER_PLACES = (
    "苏州", "无锡", "常州", "镇江", "扬州", "泰州", "徐州", "淮安", "盐城", "宿迁", "昆山", "张家港",
    "常熟", "太仓", "宜兴", "溧阳", "丹阳", "扬中", "海门", "如皋", "启东", "海安", "如东", "东海",
    "灌云", "灌南", "上海", "北京", "天津", "重庆", "杭州", "宁波", "合肥", "深圳", "广州", "武汉",
    "成都", "西安", "青岛", "厦门", "长沙", "郑州", "济南", "福州", "沈阳", "大连", "哈尔滨",
)
# Single-character abbreviations, only trusted in the company of these neighbours.
SHORT_ALIASES = {"宁": "南京", "通": "南通", "港": "连云港", "澄": "江阴"}
_SHORT_BEFORE = set("在来赴驻沪苏锡常镇扬泰徐淮盐宿和与跟及、，,（( ") | {""}
_SHORT_AFTER = set("市的企高科研产创有在是到要今和与、，,？?）) 地") | {""}
EXTRA_ALIASES = {"港城": "连云港", "暨阳": "江阴"}

_COMPARE = re.compile(r"比较|对比|相比|比一比|哪个(城)?市|哪座城市|哪个城市|哪几个|各市|各地|分别|谁(更|最)?(高|低|多|少)|差距|排名|横向")
_ELIGIBLE = re.compile(
    r"我们|我司|我公司|本公司|我单位|本单位|我是|我们是|作为一家|作为一名|我在|我有|我的企业|我方|本企业|"
    r"能(否|不能)?(享受|申请|获得|拿到)|可以(享受|申请|获得)|有什么(支持|政策|扶持|补贴|奖励)|哪些(支持|政策|扶持|补贴|奖励|优惠)|"
    r"符合|资格|条件|申报|扶持|补贴|奖补|优惠"
)
_TARGET = re.compile(r"多少|目标|达到|达|比重|占比|比例|几(家|个|项|人|件)|数量|规模|增速|增长率|贡献率|强度|%|百分|亿元|万元")
_LIST = re.compile(r"哪些|有什么|列举|列出|主要(任务|措施|内容|方向|举措)|重点(任务|领域|方向|工程|产业)|包括|举措|措施|都有")
_FOLLOWUP_CITY = re.compile(r"^(那|那么|再看看|换成|如果是|还有)?\s*(?P<city>[\u4e00-\u9fff]{1,4}?)(市)?(呢|的呢|怎么样|如何|情况呢)?[？?。]?$")
_FOLLOWUP_PRONOUN = re.compile(r"^(它|其|这|这个|这项|这些|该|上述|那个|那项)")
_YEAR = re.compile(r"(20\d\d)\s*年?")


@dataclass(frozen=True)
class Query:
    """A question as understood: what the retrieval and composers act on."""

    text: str  # self-contained question (follow-ups resolved)
    original: str
    cities: tuple[str, ...] = ()  # canonical city names with a plan, e.g. ("南京市",)
    unknown_places: tuple[str, ...] = ()  # places named that have no plan in the corpus
    intent: Intent = "general"
    concepts: tuple[str, ...] = ()  # indicator concepts named (see resources/indicator_concepts.tsv)
    year: int | None = None
    numbers: tuple[str, ...] = ()  # numbers the user states (for false-premise checks)
    followup: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and collapsed whitespace: the form rules match on."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=1)
def indicator_concepts() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The concept table, longest aliases first so that 农业科技进步贡献率 beats 科技进步贡献率."""
    rows = []
    text = resources.files("assistant.resources").joinpath("indicator_concepts.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        concept, aliases = line.split("\t", 1)
        rows.append((concept.strip(), tuple(a.strip() for a in aliases.split("|") if a.strip())))
    return tuple(rows)


def concepts_in(text: str) -> tuple[str, ...]:
    """Concepts whose aliases occur in `text`; an alias inside a longer matched alias does not count."""
    norm = normalize(text).upper()
    hits: list[tuple[int, int, str]] = []  # (start, end, concept)
    for concept, aliases in indicator_concepts():
        for alias in aliases:
            a = normalize(alias).upper()
            for m in re.finditer(re.escape(a), norm):
                hits.append((m.start(), m.end(), concept))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for start, end, concept in hits:
        if any(start >= s and end <= e for s, e in taken):
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
            if before in _SHORT_BEFORE and after in _SHORT_AFTER:
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
    if n_cities >= 2 or (_COMPARE.search(text) and (concepts or n_cities != 1)):
        return "compare"
    if profile or _ELIGIBLE.search(text):
        if not (concepts and _TARGET.search(text) and not re.search(r"我们|我司|我公司|我是|作为", text)):
            return "eligibility"
    if concepts and _TARGET.search(text):
        return "target"
    if _LIST.search(text):
        return "list"
    if _TARGET.search(text):
        return "target"
    return "general"


def _numbers(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in re.finditer(r"\d+(?:\.\d+)?(?:万|亿)?", text) if not re.fullmatch(r"20\d\d", m.group(0)))


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
        if m and (named or others) and len(text) <= 12:
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
    cities, others = find_cities(text, known_cities)
    concepts = concepts_in(text)
    years = [int(y) for y in _YEAR.findall(text)]
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
    )
    if followup and previous is not None and not query.concepts and previous.concepts:
        query = replace(query, concepts=previous.concepts)
    return query
