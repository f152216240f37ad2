"""Questions in English: read in the plans' Chinese words, answered as any question, led by one English sentence.

The plans are Chinese and every composer works on Chinese words, so an English question is first put in
the plans' words: indicator concepts and terms through the English column of the term table
(index/resources/terms.tsv) and of the policy taxonomy (topics.tsv), question frames through the `english` entries of question_words.tsv, city and
place names through their pinyin (any plan a user uploads gets its city's pinyin, no list needed), years as
"到2025年" / "2020年". The question is read clause by clause, its clause marks kept as Chinese punctuation, so a
question of two parts asks two things ("…by 2025, and what was it in 2020?"), a yes-or-no question asks 吗, and a
place of one sentence is not the plan of the next. A count of a plan's groupings takes the plan's count word ("seven
key projects" → 七大 重点工程, "how many major campaigns" → 几大攻坚战), "what does <plan> say/plan on …" the topic frame
有哪些举措, "is led by X" the claim 是X牵头的, and words the library writes as one run are read as one. A city-like name no plan holds ("Qingshan City") is kept as such, so it is refused like a
Chinese question about an unknown place. The answer is the Chinese answer with its quotes and citations,
after one English sentence that says what it holds.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from assistant.answer import Answer
from assistant import bilingual, romanised
from assistant.bilingual import known, topic_term, translate_run
from assistant.lexicon import entries, rule
from index.tokenize import read_concepts, read_english, read_places, read_policy_terms, read_synonyms
from index.topics import read_topics
from ingest.lexicon import VALUE_AS_SHOWN, YEAR_DIGITS, cn_numeral, place_stem

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LOOKS_BACK = re.compile(r"\b(?:did|had|was|were)\b", re.I)  # a question in the past tense
_KEEP = re.compile(r"\b(?:R&D|GDP|PCT|AI|5G|IC)\b", re.I)  # acronyms the plans themselves write


def is_english(text: str) -> bool:
    """Mostly Latin letters and at least three words: an English question (a Chinese one may hold R&D or GDP); or
    no Chinese at all and two words ("And in 2020?", "And Nantong's?": a short English follow-up)."""
    latin, cjk = len(_LATIN.findall(text)), len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return latin >= 8 and latin > 3 * cjk and words >= 3 or cjk == 0 and words >= 2 and latin >= 4


@lru_cache(maxsize=1)
def _pinyin():
    from pypinyin import lazy_pinyin

    return lazy_pinyin


def pinyin(name: str) -> str:
    """"南京市" → "Nanjing": the name without its 市/县/区, in pinyin, capitalised."""
    stem = place_stem(name)
    return "".join(_pinyin()(stem)).capitalize()


@lru_cache(maxsize=8)
def _table(cities: tuple[str, ...]) -> tuple[tuple[re.Pattern, str], ...]:
    """(English wording as a pattern, Chinese form), longest wording first."""
    pairs = _pairs(cities)
    ordered = sorted(pairs.items(), key=lambda kv: -len(kv[0]))
    return tuple((re.compile(rf"(?<![A-Za-z]){_either_number(e, pairs).replace('technology', '(?:technology|(?<!-)tech)')}"
                             rf"(?:'s|s)?(?![A-Za-z])", re.I), c) for e, c in ordered)  # "tech" is "technology" written short, not the end of "high-tech"


def _either_number(english: str, pairs: dict[str, str]) -> str:
    """A wording as a pattern that also takes its last word in the singular: "tech-based smes" matches "a
    tech-based SME", "laboratories" "laboratory" — unless the singular is a wording of its own ("which city" is
    not "which cities"); the plural of a singular wording is taken by the caller."""
    *head, last = english.split(" ")
    stem = " ".join([*head, ""]) if head else ""
    if len(last) > 4 and last.endswith("ies") and stem + last[:-3] + "y" not in pairs:
        return re.escape(stem + last[:-3]) + "(?:ies|y)"
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")) and english[:-1] not in pairs:
        return re.escape(stem + last[:-1]) + "s?"
    if len(last) > 3 and re.search(r"[^aeiou]y$", last) and stem + last[:-1] + "ies" not in pairs:
        return re.escape(stem + last[:-1]) + "(?:y|ies)"  # "high-tech industry" takes "high-tech industries"
    return re.escape(english)


@lru_cache(maxsize=8)
def _pairs(cities: tuple[str, ...]) -> dict[str, str]:
    """{English wording (lower case): Chinese form}: places in pinyin, the term table's and taxonomy's English
    columns, the `english` question words."""
    pairs: dict[str, str] = {}
    for name in (*cities, *read_places()):
        pairs[pinyin(name).lower()] = place_stem(name)
    for english, chinese, _ in read_english():
        pairs.setdefault(english, chinese)
    for entry in entries("english"):  # written by hand for English, so before the taxonomy's derived terms
        english, _, chinese = entry.partition("=")
        pairs.setdefault(english.strip().lower(), chinese.strip())
    for topic in read_topics():  # the taxonomy's English terms name the topic's term the dictionary gives, else its first
        for english in topic.english_terms:
            pairs.setdefault(english.lower(), topic_term(english.lower(), topic.terms))
    return pairs


_WH = re.compile(r"\b(which|what)\s+((?:(?:[A-Za-z&\-]+(?:'s)?|“[^”]*”)(?:\s+|(?=[?.!,;:]|$))){1,5})", re.I)  # "What are Jiangyin's leading …"
_AUX = frozenset("does do did are were will would can could should has have is was".split())


def _plural(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z\-]+[^\Wsui]s", word)) and word.lower() not in _AUX


def _list_ask(m: re.Match, cities: tuple[str, ...]) -> str:
    """"which/what" asks for a list (哪些) before a plural noun and its verb ("Which loan products does …",
    "What support measures are …") and "which" right before a plural noun ("Which programmes support …");
    a wording the tables hold ("which cities", "what measures") is left to them, as is "which department leads"."""
    wh, words = m.group(1).lower(), m.group(2).split()
    first = words[0].lower()
    if any(f"{wh} {form}" in _pairs(cities) for form in (first, first[:-1], first[:-2])):
        return m.group(0)
    listed = wh == "which" and _plural(words[0])
    if wh == "what" and first in ("are", "were") and len(words) > 1:  # "What are the main tasks of …": a list
        rest = words[2:] if words[1].lower() == "the" else words[1:]
        listed = any(_plural(w) for w in rest[:4])
    for word, after in zip(words[:4], words[1:]):
        if word.lower() in _AUX:
            break
        if _plural(word) and (after.lower() in _AUX or (wh == "which" and after.lower() in _AFTER_NOUN)):
            listed = True  # "Which joint innovation centres with foreign universities …": the noun, then its modifier
            break
    return f" 哪些 {m.group(2)}" if listed else m.group(0)


_AFTER_NOUN = frozenset("with for in of that from on at to".split())  # words that follow a noun, not a verb


def to_chinese(text: str, cities: tuple[str, ...], uses: Callable[[str], int] | None = None,
               library: str | None = None) -> str:
    """The question in the plans' words. Words the tables do not hold are looked up in the dictionary
    (assistant/bilingual.py) when `uses` counts how often the library's text uses a Chinese word, and a
    capitalised word no dictionary knows is read as a name in pinyin when `library` (the library's text) is
    given ("Kecaidai" → 科才贷, assistant/romanised.py); English words without a Chinese form are left out.
    The question is read clause by clause (see `clauses`), its clause marks kept as Chinese punctuation, so the
    composers see its parts as a Chinese asker writes them ("…到2025年多少，2020年是多少？")."""
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 30,000 is one number
    text = re.sub(r"^\s*(?:what|how)\s+about\s+(?:in\s+|for\s+)?(.+?)\s*\??\s*$", r"那\1呢？", text, flags=re.I)  # a follow-up
    short = re.match(r"^\s*and\s+(?:in\s+|for\s+|at\s+)?(.+?)(?:'s)?\s*\??\s*$", text, flags=re.I)
    if short and len(short.group(1).split()) <= 4 and not _opening().search(short.group(1)):
        text = f"那{short.group(1)}呢？"  # "And in 2020?", "And Nantong's?": the previous question of this
    text = re.sub(rf"^那\s*({YEAR_DIGITS})\s*呢？$", r"那\1年呢？", text)  # a year asked again is a year
    parts = clauses(text)
    read = [_clause(clause, cities, uses, library) for clause, _ in parts]
    asked = _asks(parts, read)
    out = "".join(f" {chinese} {_MARKS.get(mark.strip(), '，')}" if mark else f" {chinese}"
                  for chinese, (_, mark) in zip(asked, parts))
    out = re.sub(r"([，；：。？！])(?:\s*[，；：。？！])+", r"\1", out)
    return re.sub(r"\s+", " ", out).strip(" ，；：") or text


_MARKS = {",": "，", ";": "；", ":": "：", ".": "。", "?": "？", "!": "！"}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’")


@lru_cache(maxsize=1)
def _opening() -> re.Pattern:
    """A word that opens a question clause: a question word or an auxiliary (english_wh, english_yes_no)."""
    words = "|".join(re.escape(w) for w in (*entries("english_wh"), *entries("english_yes_no")))
    return re.compile(rf"(?:{words})\b", re.I)


def clauses(text: str) -> list[tuple[str, str]]:
    """(clause, the mark that ends it) of an English question: cut at , ; : . ? ! followed by a space or the end
    (not inside quotes, not in 10,000 or 3.5) and at "and" right before a question word or an auxiliary ("…, and
    how many did it have in 2020?", "what is it and when is …"); an "and" that opens a clause is dropped."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    cuts = [m for m in re.finditer(rf"\s*[,;:.?!]+(?=\s|$)|\s+and\s+(?={_opening().pattern})", text, flags=re.I)
            if not any(a < m.start() < b for a, b in quoted)]
    out, at = [], 0
    for m in cuts:
        mark = m.group(0).strip()
        out.append((text[at:m.start()], mark[-1] if mark and mark != "and" else ","))
        at = m.end()
    if text[at:].strip():
        out.append((text[at:], ""))
    return [(re.sub(r"^\s*(?:and|but|so)\s+", "", c, flags=re.I).strip(), m) for c, m in out if c.strip()] or [(text, "")]


_PRONOUN_ASK = re.compile(r"^(?:what|which)\s+(?:is|was|are|were|'s)\s+(?:it|that|this|they|these|those|the\s+"
                          rf"(?:{YEAR_DIGITS}\s+)?(?:figure|number|value|level|count|amount))\b", re.I)
# "which are they", "what are these", "what do they cover": the things counted in another clause, named (是哪些)
_PLURAL_ASK = re.compile(r"^(?:which\s+(?:is|are|were)\s+(?:it|they|these|those)|what\s+(?:are|were|do|did)\s+"
                         r"(?:they|these|those))\b", re.I)
_FIGURE_ASKED = re.compile(r"多少|几")
_ASK_WORD = re.compile(r"多少|几|哪|什么|谁|吗")


def _asks(parts: list[tuple[str, str]], read: list[str]) -> list[str]:
    """Each clause's reading with what it asks in Chinese. A clause that opens with an auxiliary ("Does …", "Is
    there …") asks yes or no: 吗. In a question of two or more asking clauses, "what is it" asks 是什么 — 是多少 where
    it names a year or another clause asks a figure ("…, and what was it in 2020?"), "which are they" / "what do they
    cover" asks 是哪些 (the things another clause counts) — and a "what/which" clause
    with no asking word of its own asks a figure when another clause does ("What R&D intensity … in 2025, and …")."""
    opening = _opening()
    yes_no = re.compile(rf"(?:{'|'.join(map(re.escape, entries('english_yes_no')))})\b", re.I)
    asking = [bool(opening.match(c)) for c, _ in parts]
    out = list(read)
    for i, (clause, _) in enumerate(parts):
        if yes_no.match(clause) and "吗" not in out[i]:
            out[i] = f"{out[i]} 吗"
    if sum(asking) < 2:
        return out
    for i, (clause, _) in enumerate(parts):
        if _PLURAL_ASK.match(clause) and not re.search(YEAR_DIGITS, clause):
            out[i] = f"{out[i]} 是哪些"
        elif _PRONOUN_ASK.match(clause):
            figure = re.search(YEAR_DIGITS, clause) or any(_FIGURE_ASKED.search(r) for j, r in enumerate(read) if j != i)
            out[i] = f"{out[i]} {'是多少' if figure else '是什么'}"
    for i, (clause, _) in enumerate(parts):
        if re.match(r"(?:what|which)\b", clause, re.I) and not _ASK_WORD.search(out[i]) and any(
                _FIGURE_ASKED.search(r) for j, r in enumerate(out) if j != i):
            out[i] = f"{out[i]} 多少"
    return out


_NAMED_GROUPING = re.compile(r"['\"‘“](?=[^'\"’”]*\d)([\dA-Z+＋/\-]{2,12})['\"’”]")  # '1+3', "1+N", ‘2+X’


def _named_groupings(text: str) -> tuple[str, list[str]]:
    """A quoted grouping of numbers ("'1+3' industry fields", "'1+N' policies") in Chinese quotes, as plans write
    it (“1+3”产业领域), with the capital letters it holds (kept, not read as English words)."""
    letters: list[str] = []

    def quoted(m: re.Match) -> str:
        letters.extend(re.findall(r"[A-Z]", m.group(1)))
        return f" “{m.group(1)}” "

    return _NAMED_GROUPING.sub(quoted, text), letters


# "… is led by COSCO Shipping, isn't it?": the unit the question says leads, read as a Chinese asker states it (是…牵头的)
_LED_BY = re.compile(r"\b(?:is|are|was|were)\s+(?:being\s+)?led\s+by\s+(?:the\s+)?(?P<unit>[^,?;]+?)\s*(?=[,?;]|$)", re.I)


@lru_cache(maxsize=1)
def _topic_verb() -> re.Pattern:
    """"What does/has <a plan> <verb> on/for/about …" (english_topic_verb): what the plan does about a topic."""
    verbs = "|".join(sorted(map(re.escape, entries("english_topic_verb")), key=len, reverse=True))
    return re.compile(rf"^(?P<head>what\s+(?:does|do|did|has|have|will)\s+.+?)\s+(?:{verbs})\s+"
                      r"(?=(?:on|about|for|in|regarding|concerning)\b)", re.I)


def _topic_asked(text: str) -> str:
    """A clause asking what a plan does about a topic, with the topic frame a Chinese asker writes (有哪些举措);
    a clause that names a year or a target asks a figure and is left as it is."""
    if re.search(YEAR_DIGITS, text) or re.search(r"\btargets?\b|\bhow\s+(?:many|much)\b", text, re.I):
        return text
    return _topic_verb().sub(lambda m: f"{m['head']} 有哪些举措 ", text)


def _clause(text: str, cities: tuple[str, ...], uses: Callable[[str], int] | None, library: str | None) -> str:
    """One clause in the plans' words (see `to_chinese`)."""
    text, letters = _named_groupings(text)
    text = _LED_BY.sub(r" 是〔\g<unit>〕牵头的 ", text)
    text = _topic_asked(text)
    text = re.sub(r"\bR\s*(?:and|&)\s*D\b", "R&D", text, flags=re.I)  # "R and D", "r & d"
    text = re.sub(r"\b(\d{1,3})k\b", r"\1,000", text, flags=re.I)  # "per 10k people" → "per 10,000 people"
    text = re.sub(r"\b(?:to|on|with|about|of)\s+how\s+(?:much|many)\b", " ", text, flags=re.I) \
        if re.match(rf"(?:{'|'.join(map(re.escape, entries('english_yes_no')))})\b", text, re.I) else text
    text = re.sub(r"\b(?P<end>(?:at\s+)?the\s+end\s+of\s+(?:the\s+)?)?(?P<n>\d{1,2})(?:st|nd|rd|th)\s+(?:five[- ]year(?:\s+plan)?(?:\s+period)?|FYP\b(?:\s+period)?)",
                  lambda m: f" {cn_numeral(int(m['n']))}五{'末' if m['end'] else ''} " if 11 <= int(m["n"]) <= 19 else m.group(0),
                  text, flags=re.I)  # "the 13th Five-Year (Plan) period" → 十三五, "at the end of …" → 十三五末
    # "did … have by the end of 2020" looks back: as of that year (截至2020年底), not a target to reach by it
    out = re.sub(rf"\b(?:by|until|as of)\s+(?:the end of\s+)?({YEAR_DIGITS})\b", r" 截至\1年底 ", text, flags=re.I) \
        if _LOOKS_BACK.search(text) else text
    out = re.sub(rf"\b(by|until|to|before)\s+(?:the end of\s+)?({YEAR_DIGITS})\b", r" 到\2年 ", out, flags=re.I)
    out = re.sub(rf"\b(?:at the end of|end of)\s+({YEAR_DIGITS})\b", r" \1年底 ", out, flags=re.I)
    out = re.sub(rf"(?<![到\d])\b({YEAR_DIGITS})\b(?!年)", r" \1年 ", out)
    if library is not None:  # before "… City": "Donghu Science City" is a name
        out = _CAPITALISED_RUN.sub(lambda m: _english_name(m, cities, library), out)
    # a city, county or district no plan holds keeps its name, so it is refused as an unknown place
    out = re.sub(r"\b([A-Z][a-z]+)\s+(City|County|District)\b",
                 lambda m: m.group(0) if m.group(1).lower() in {pinyin(c).lower() for c in cities} else
                 f" {m.group(1)}{ {'City': '市', 'County': '县', 'District': '区'}[m.group(2)]} ", out)
    out = _WH.sub(lambda m: _list_ask(m, cities), out)
    out = _counted().sub(lambda m: _count_word(m, cities, library), out)
    for pattern, chinese in _table(cities):
        out = pattern.sub(f" {chinese} ", out)
    kept = [*_KEEP.findall(out), *letters]
    if uses is not None:
        out = _ENGLISH_RUN.sub(lambda m: _translated(m, out, kept, uses, library), out)
    out = re.sub(r"(?<![A-Za-z&])[A-Za-z][A-Za-z'\-]*(?![A-Za-z&])", lambda m: m.group(0) if m.group(0) in kept or
                 re.fullmatch(r"[A-Z][a-z]+", m.group(0)) and _followed_by_suffix(out, m.end()) else " ", out)
    out = re.sub(r"[,.;:!?]", " ", out)
    out = " ".join(_joined(out.split(), library, _place_stems(cities)))
    out = re.sub(r"〔([^〕]*)〕", lambda m: "".join(m.group(1).split()), out)  # a unit said to lead is one name
    return re.sub(r"“([^”]*)”", lambda m: "“" + "".join(m.group(1).split()) + "”", out)  # a quoted grouping is one name


@lru_cache(maxsize=8)
def _place_stems(cities: tuple[str, ...]) -> frozenset[str]:
    """The library's cities and the places people ask about, as a question names them (南京, 江北新区)."""
    return frozenset(place_stem(name) for name in (*cities, *read_places()))


@lru_cache(maxsize=1)
def _numbers() -> dict[str, int]:
    """{English number word: its value} (english_number)."""
    return {w.strip().lower(): int(n) for w, _, n in (e.partition("=") for e in entries("english_number"))}


@lru_cache(maxsize=1)
def _counted() -> re.Pattern:
    """"how many" or a number, and the one to four words after it ("seven key projects", "8 industrial chains
    does …", "how many major campaigns")."""
    numbers = "|".join(sorted(map(re.escape, _numbers()), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z\d.,'])(?P<n>how\s+many|{numbers}|\d{{1,2}})\s+(?P<words>[A-Za-z][A-Za-z\-]*"
                      r"(?:\s+[A-Za-z][A-Za-z\-]*){0,3})(?![A-Za-z'])", re.I)


def _count_word(m: re.Match, cities: tuple[str, ...], library: str | None) -> str:
    """A count of a plan's groupings, as the plans count them: "seven key projects" → 七大 重点工程, "eight
    industrial chains" → 八大 产业链, "how many major campaigns" → 几大攻坚战. The noun phrase ends at its first
    plural noun; it must be a container the plans count (containers.tsv, a synonym read as the entry it stands
    for): the container ending in a dictionary word of the noun, and holding one of most of the words before it,
    wins (ties: the container those words fill most, then the one the library writes most). Words before the
    noun that the container does not hold stay for the tables, and a phrase whose end the tables hold ("industrial
    chains") is left to them (with "how many", wholly: "how many jobs" asks a figure); a number before anything
    else ("three years", "two companies") stays as it is."""
    from assistant.containers import read_containers

    asked = m["n"].lower().split()[0] == "how"
    value = 0 if asked else int(m["n"]) if m["n"].isdigit() else _numbers()[m["n"].lower()]
    words = m["words"].split()
    end = next((i for i, w in enumerate(words) if _plural(w)), None)
    if not (asked or 2 <= value <= 20) or end is None:
        return m.group(0)
    noun, before, rest = words[end], words[:end], words[end + 1:]
    heads = {w: bilingual.headwords(bilingual.american(w)) for w in (noun, *before)}

    def held(word: str, container: str) -> str:
        return max((h for h in heads[word] if h in container), key=len, default="")

    best, score, used = None, None, []
    for entry in read_containers()["container"]:
        container = entry.word
        if not any(container.endswith(h) for h in heads[noun]):  # a Chinese noun ends with its head: 产业链, 重点工程
            continue
        matched = [w for w in before if held(w, container)]
        filled = sum(len(held(w, container)) for w in (noun, *matched)) / len(container)
        key = (1 + len(matched), filled, library.count(container) if library else 0)
        if score is None or key > score:
            best, score, used = entry.stands_for or container, key, matched
    if best is None:
        return m.group(0)
    phrase = [*before, noun]
    tables = _table(cities)
    held_from = next((k for k in range(len(phrase)) if any(p.fullmatch(" ".join(phrase[k:])) for p, _ in tables)), None)
    if held_from is not None and asked:  # the tables know what is asked of: a figure as much as a count
        return m.group(0)
    if held_from is not None:  # the tables hold the noun's wording: only the count word is added
        kept, counted = phrase[:held_from], " ".join(phrase[held_from:])
    else:
        kept, counted = [w for w in before if w not in used], best
    tail = " ".join(rest)
    if asked:  # 几 + a measure word right before the counted noun, as a Chinese asker writes it; "how many major …"
        major = [w for w in kept if rule("english_count_major").fullmatch(w.lower())]  # asks the plan's N大: 几大
        kept = [w for w in kept if w not in major]
        return f" {' '.join(kept)} {'几大' if major else '几个'}{counted} {tail} "
    numeral = "两" if value == 2 else cn_numeral(value)
    return f" {numeral}大 {' '.join(kept)} {counted} {tail} "


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Chinese words the tables know as one: indicator concepts and their aliases, the term table's keys and
    forms, the policy terms jieba is given."""
    words = {c for concept, aliases in read_concepts() for c in (concept, *aliases)}
    words |= {w for key, synonym in read_synonyms().items() if synonym.kind == "term" for w in (key, *synonym.expansions)}
    words |= {word for word, _, _ in read_policy_terms()}
    return frozenset(w for w in words if len(w) >= 3 and _CJK.search(w))


@lru_cache(maxsize=1)
def _target_word() -> str:
    """The plans' word for "target" (the english entry target=目标)."""
    return next((c.strip() for e in entries("english") for w, _, c in [e.partition("=")] if w.strip() == "target"), "")


MIN_JOINED = 2  # how often the library must write neighbouring words as one run for them to be read as one


def _joined(words: list[str], library: str | None = None, places: frozenset[str] = frozenset()) -> list[str]:
    """Neighbouring Chinese words that make one word the tables know, joined — in English order or with its
    "of" turned round ("contribution rate of S&T progress": 贡献率 科技 进步 → 科技进步贡献率), so an indicator
    or term the English says in pieces is found as a Chinese asker writes it; with the library's text, also
    words of two characters or more (no place among them, no 和) the library writes as one run at least MIN_JOINED
    times, in English order (国际 科技 合作 → 国际科技合作); a word the tables know may stand either side of the
    word for "target" ("annual growth targets for R&D expenditure": 年均增长 目标 研发投入 → 研发投入年均增长 目标)."""
    out: list[str] = []
    target = _target_word()
    i = 0
    while i < len(words):
        for size in range(min(4, len(words) - i), 1, -1):
            span = words[i:i + size]
            if not all(re.fullmatch(r"[\u4e00-\u9fff]+", w) for w in span):
                continue
            whole = next((w for k in range(size) if (w := "".join(span[k:] + span[:k])) in _known()), None)
            if whole is None and library and not places & set(span) and min(map(len, span)) >= 2 \
                    and library.count("".join(span)) >= MIN_JOINED:
                whole = "".join(span)
            if whole is None and size == 3 and span[1] == target:  # "growth targets for R&D": 增长 目标 研发 → 研发增长 目标
                whole = next((w for w in ("".join(span[::2]), span[2] + span[0]) if w in _known()), None)
                whole = whole and f"{whole} {target}"
            if whole is not None:
                out.append(whole)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'&\-]*(?:\s+[A-Za-z][A-Za-z'&\-]*)*")  # R&D is one word of a run


def _translated(m: re.Match, text: str, kept: list[str], uses: Callable[[str], int], library: str | None) -> str:
    """A run of English words the tables left, in the library's words; acronyms the plans write and a
    place name before 市/县/区 stay as they are; a capitalised word no dictionary knows that spells a
    name of the library in pinyin becomes that name."""
    words = m.group(0).split()
    tail = words.pop() if words and re.fullmatch(r"[A-Z][a-z]+", words[-1]) and _followed_by_suffix(text, m.end()) else None
    out: list[str] = []
    run: list[str] = []
    for word in [*words, None]:
        name = _name(word, library) if word is not None and word not in kept else None
        if word is None or word in kept or name:
            out.extend(translate_run(run, uses))
            run = []
            if word is not None:
                out.append(name or word)
        else:
            run.append(word)
    if tail is not None:  # stays joined to its 市/县/区
        return f" {' '.join([*out, tail])}"
    return f" {' '.join(out)} " if out else " "


_CAPITALISED_RUN = re.compile(r"(?<![A-Za-z'])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+(?![A-Za-z'])")
MAX_NAME_WORDS = 3  # the longest English phrase one piece of a name is looked up as


def _english_name(m: re.Match, cities: tuple[str, ...], library: str) -> str:
    """A name of two or more capitalised words ("China Medicine Port") as the run of the library's text that
    spells it piece by piece in the dictionary's words (中华 药 港 → 中华药港; a city's pinyin is its name: Nantong
    Innovation Zone → 南通创新区; a word no dictionary glosses is read in pinyin: Jiangsu Ocean University →
    江苏海洋大学), for any plan; kept as it is when a table holds it, when it opens with a question
    word or an auxiliary, when it is only cities, or when no run spells it."""
    words = m.group(0).split()
    held = {pinyin(c).lower(): place_stem(c) for c in cities}
    opening = {w.lower() for w in (*entries("english_wh"), *entries("english_yes_no"))}
    if m.group(0).lower() in _pairs(cities) or words[0].lower() in opening or all(w.lower() in held for w in words):
        return m.group(0)
    found: dict[str, int] = {}

    def spell(at: int, sofar: str) -> None:
        if at == len(words):
            if len(sofar) >= 3 and (n := library.count(sofar)):
                found[sofar] = n
            return
        for size in range(min(MAX_NAME_WORDS, len(words) - at), 0, -1):
            phrase = " ".join(words[at:at + size])
            pieces = (held[phrase.lower()],) if phrase.lower() in held else bilingual.headwords(phrase)
            if not pieces and size == 1:  # a word no dictionary glosses is a name in pinyin (Jiangsu → 江苏)
                pieces = tuple(filter(None, (romanised.name(phrase, library),)))
            for piece in pieces:
                if sofar + piece in library:
                    spell(at + size, sofar + piece)

    spell(0, "")
    return f" {max(found, key=lambda w: (found[w], len(w)))} " if found else m.group(0)


def _name(word: str, library: str | None) -> str | None:
    """A capitalised word the dictionary does not hold, read as a name of the library in pinyin; an apostrophe
    before a syllable that opens with a vowel only separates syllables ("Hai'an" → Haian → 海安)."""
    word = re.sub(r"(?<=[a-z])'(?=[aoe][a-z]*$)", "", word)
    if library is None or not re.fullmatch(r"[A-Z][a-z]+", word) or known(word):
        return None
    return romanised.name(word, library)


def _followed_by_suffix(text: str, at: int) -> bool:
    return text[at:at + 1] in ("市", "县", "区")


@lru_cache(maxsize=1)
def _units() -> tuple[tuple[str, float, str], ...]:
    """(Chinese unit, multiplier, English unit), longest unit first: "亿元" → (亿元, 1e8, "yuan")."""
    out = []
    for entry in entries("english_unit"):
        chinese, _, english = entry.partition("=")
        factor, _, unit = english.partition(" ")
        out.append((chinese, float(factor), unit.strip()))
    return tuple(sorted(out, key=lambda u: -len(u[0])))


def _amount(x: float) -> str:
    """12000000000 → "12 billion", 20000 → "20,000", 3.48 → "3.48"."""
    for size, word in ((1e9, " billion"), (1e6, " million")):
        if x >= size:
            return f"{x / size:,.6g}{word}"
    return f"{x:,.6g}"


def _in_english(value: str) -> str:
    """"20000家" → "20,000"; "4500亿元" → "450 billion yuan"; "3%左右" → "about 3%"; "2025年4%" → "4% in 2025"."""
    year = re.match(rf"\s*({YEAR_DIGITS})年", value)
    value = value[year.end():] if year else value
    about = "about " if "左右" in value else ""
    more = "over " if re.search(r"^[>超]|以上", value) else ""
    number = re.search(r"\d+(?:\.\d+)?", value)
    if not number:
        return value
    rest = value[number.end():].strip()
    factor, unit = next(((f, u) for zh, f, u in _units() if rest.startswith(zh)), (1.0, ""))
    shown = _amount(float(number.group(0)) * factor)
    text = f"{shown}%" if unit == "%" else f"{shown} {unit}".strip()
    return f"{about}{more}{text}" + (f" in {year.group(1)}" if year else "")


def _cell(row) -> str:
    """A comparison cell in English: its value and unit, and the year it is for."""
    if row.value is None or re.match(rf"\s*{YEAR_DIGITS}年", row.target or ""):
        return _in_english(row.target)
    year = row.year or next(iter(re.findall(rf"({YEAR_DIGITS})年", row.target or "")), None)
    return _in_english(f"{row.value:g}{row.unit or ''}") + (f" in {year}" if year else "")


_FIGURE = VALUE_AS_SHOWN
_DATED = (re.compile(rf"到({YEAR_DIGITS})年[^。；（]*?目标为([^（）。，；]+)"),  # 到2025年，…目标为20000家
          re.compile(rf"({YEAR_DIGITS})年为([^（）。，；]+)"),  # （2020年为6507家）, …2020年为2.24%
          re.compile(rf"规划目标：({YEAR_DIGITS})年([^（）。，；]+)"))  # （规划目标：2025年2.5%）


def dated_figures(text: str) -> list[tuple[str, str]]:
    """(year, value) of each figure a composed sentence dates, in the order it states them: "…到2025年，高新技术企业数
    目标为20000家（2020年为6507家）" → [("2025", "20000家"), ("2020", "6507家")], so the English lead gives each
    figure its own year (a baseline is not reported as the target's year)."""
    found = sorted({(m.start(), m.group(1), m.group(2).strip()) for p in _DATED for m in p.finditer(text)})
    return [(year, value) for _, year, value in found if re.search(r"\d", value)]


LEAD_VALUES = 3  # figures of one quote the English lead names ("50, 200 and 1,000")


def lead(answer: Answer, cities: tuple[str, ...]) -> str:
    """One English sentence about the Chinese answer that follows."""
    where = ", ".join(pinyin(c) for c in (answer.query.cities if answer.query else ())) or "the plans"
    if answer.refused:
        places = answer.query.unknown_places if answer.query else ()
        if places:
            held = ", ".join(pinyin(c) for c in cities)
            return (f"The library holds no plan for {', '.join(pinyin(p) if _CJK.search(p) else p for p in places)}; "
                    f"it holds the plans of {held} (details in Chinese below).")
        return f"The plans of {where} do not state this; the nearest text is quoted in Chinese below."
    if answer.table:
        cells = [f"{pinyin(r.city)} {_cell(r)} {r.citation or ''}".strip() for r in answer.table if r.target]
        return f"Compared across the plans: {'; '.join(cells)} (the Chinese table and quotes follow)." if cells else \
            "None of the plans states this figure (details in Chinese below)."
    if answer.composer == "target":
        parts = re.split(r"(\[\d+\])", answer.text)
        stated = []
        for text, marker in zip(parts[::2], parts[1::2]):
            dated = dated_figures(text)
            if dated:
                stated.append(f"{'; '.join(f'{_in_english(v)} for {y}' for y, v in dated)} {marker}")
                continue
            values = [v for v in _FIGURE.findall(text) if not re.fullmatch(YEAR_DIGITS, v)]
            year = re.search(rf"到({YEAR_DIGITS})年", text)
            if values:  # every figure the quote states (up to LEAD_VALUES), not only its last
                shown = [_in_english(v) for v in values[-LEAD_VALUES:]]
                said = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
                dated = f" for {year.group(1)}" if year and len(shown) == 1 else ""  # a year is one figure's
                stated.append(f"{said}{dated} {marker}")
        if stated:
            return f"The plan of {where} states {'; '.join(stated)} (quoted in Chinese below)."
    n = len(answer.citations)
    return f"The plan of {where} says the following ({n} cited clause{'s' if n != 1 else ''}, quoted in Chinese below)."
