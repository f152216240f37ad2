"""Ordinal follow-ups: "第五个讲的是啥" after a list names the fifth item that list gave; "海安那个高新区主攻什么"
after a list that gave 海安高新区 names that item; "那生物医药呢" after "新材料方向具体有哪些" swaps one entry of a
list for another.

In a chat an official asks for a plan's parts ("重大工程都有哪些？") and then points into the answer by
position ("第五个讲的是啥，里面有哪些项目？", "最后一个呢？"). The position means nothing to the plans; the
previous answer's items do. So the previous question is answered again (answers are deterministic), its
listed items are read off its lines, and the ordinal is replaced by the item's name; the question then goes
the usual way, with the conversation's city.
"""
from __future__ import annotations

import re

from assistant.answer import Answer
from assistant.lexicon import rule
from assistant.sections import written_entry
from ingest.lexicon import city_key, cn_number
from ingest.sentences import SENTENCE_END
from ingest.structure import numbering

ORDINAL = re.compile(r"第\s*(?P<n>[一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:个|项|条|家|类|大|部分|点)?|(?P<last>最后[一那这]?[个项条家所])")
_ITEM = re.compile(r"^\s*(?:\d+\.\s*)?(?P<name>[^\n\[\]]{2,60}?)\s*\[\d+\]\s*$")


_DEMONSTRATIVE = re.compile(rf"(?:{rule('pronoun').pattern})(?:[个家所项条座])?")
_QUALIFIER = re.compile(r"[（(][^）)]{1,12}[）)]$")  # "南通高新区（国家级）": the item's name without its note


def points_by_name(question: str) -> bool:
    """Whether a follow-up points with a demonstrative ("海安那个高新区", "这个中心") that may name a listed item."""
    return bool(_DEMONSTRATIVE.search(question))


def asks_by_position(question: str) -> re.Match | None:
    """The ordinal a follow-up points with ("第五个", "第3项", "最后一个"), or None."""
    return ORDINAL.search(question)


def listed_items(answer: Answer) -> list[str]:
    """The names an answer listed, one a line ("剑桥大学南京科技创新中心[1]", "1. …[2]"), in order."""
    if answer.refused:
        return []
    lines = answer.text.splitlines()[1:]  # the first line says what is listed
    items = [m.group("name").rstrip("：:") for m in map(_ITEM.match, lines) if m]
    if len(items) >= 2:
        return items
    # entries run on in one sentence ("…定位：南通高新区（国家级）[1]、海安高新区（省级）[2]、…"): each piece before a citation
    pieces = [re.sub(r"\s+", "", p) for p in re.split(r"\[\d+\]", answer.text)[:-1]]
    named = [re.sub(r"^.*[：:]", "", p.lstrip("、，,；;")) for p in pieces]
    return [n for n in named if 2 <= len(n) <= 60 and not any(ch in SENTENCE_END for ch in n)] if len(named) >= 2 else items


def _sub_heading(item: str) -> bool:
    """A listed line numbered as a sub-heading ("(一)实验室体系建设", the plans' numbering: ingest.structure)."""
    found = numbering(item)
    return found is not None and found[0] == "cjk_paren"


def resolve(question: str, previous: Answer) -> str | None:
    """The follow-up with its ordinal replaced by the item it points at, or None when it points past the list."""
    m = asks_by_position(question)
    items = listed_items(previous)
    if m is None or not items:
        return None
    labels = [i for i in items if _sub_heading(i)]
    if labels and len(labels) < len(items):
        # a list whose lines run under numbered sub-headings ("(一)重大科技基础设施建设", then its facilities): "第一个" counts
        # the entries, "第一类/第一部分" the sub-headings
        items = labels if re.match(r"\s*(?:类|部分|方面|块|板块)", question[m.end():]) or m.group(0).endswith(("类", "部分")) \
            else [i for i in items if not _sub_heading(i)]
    if m.group("last"):
        n = len(items)
    else:
        n = cn_number(m.group("n"))
    if n is None or not 1 <= n <= len(items):
        return None
    item, rest = items[n - 1], question[m.end():]
    noun = re.match(r"[\u4e00-\u9fff]{1,2}", rest)
    if noun and item.endswith(noun.group(0)):
        rest = rest[noun.end():]  # "第二个工程具体做什么" → "…建设工程具体做什么", not "…工程工程"
    resolved = question[:m.start()] + item + rest
    cities = previous.query.cities if previous.query is not None else ()
    # the conversation's city, as the list's — also before an item whose name opens with it ("南京都市圈…工程": the
    # name's words, not the place)
    if cities and not any(city_key(c) in resolved and not resolved.startswith(city_key(c)) for c in cities):
        resolved = f"{city_key(cities[0])}{resolved}"
    return resolved


def resolve_by_name(question: str, previous: Answer, name_end: re.Pattern | None = None) -> str | None:
    """"海安那个高新区主攻什么产业" after a list that gave 海安高新区: the question with the demonstrative dropped, so
    it names the item ("海安高新区主攻什么产业"), with the conversation's city; None when no listed item is named.
    `name_end` (the genre suffixes of names, …中心$) lets the words name a thing inside a quoted sentence too."""
    plain = _DEMONSTRATIVE.sub("", question)
    names = [_QUALIFIER.sub("", item) for item in listed_items(previous)]
    if not any(len(name) >= 3 and name in plain and name not in question for name in names):
        # "海安那个主导产业是啥": the words before the demonstrative begin one listed item's name
        # the demonstrative after the words ("其中高性能膜材料那个": 那个, not the 其 of 其中)
        pointer = next((m for m in _DEMONSTRATIVE.finditer(question) if re.search(r"[\u4e00-\u9fff]{2}$", question[:m.start()])), None)
        head = re.search(r"[\u4e00-\u9fff]{2,6}$", question[:pointer.start()]) if pointer else None
        starting = [n for n in names if head and n.startswith(head.group(0)) and n != head.group(0)]
        if not starting and head and name_end is not None:
            # "其中高性能膜材料那个" after a sentence naming several (…创新中心、高性能膜材料创新中心创建…): the name in
            # the previous answer that begins with the words (the longest run of them that begins one) and ends in a
            # genre suffix (…中心, …平台, …计划)
            suffix = name_end.pattern.removesuffix("$")
            for k in range(len(head.group(0)), 1, -1):
                words = head.group(0)[-k:]
                starting = sorted({m.group(0) for m in re.finditer(rf"{re.escape(words)}[\u4e00-\u9fff]{{0,8}}?{suffix}", previous.text)})
                if starting:
                    head = re.search(rf"{re.escape(words)}$", question[:pointer.start()])
                    break
        if len(starting) != 1:
            return None
        plain = question[:head.start()] + starting[0] + question[pointer.end():]
    cities = previous.query.cities if previous.query is not None else ()
    if cities and not any(city_key(c) in plain for c in cities):
        plain = f"{city_key(cities[0])}{plain}"
    return plain


# "集成电路那块呢？", "那生物医药呢": a follow-up naming only a thing of its own, pointed at or not
_ENTRY_ASKED = re.compile(rf"^(?:{rule('followup_lead').pattern})?\s*(?P<entry>[\u4e00-\u9fff]{{2,12}}?)"
                          rf"(?:{rule('pointer').pattern})?\s*(?:{rule('followup_tail').pattern})\s*[？?。]?$")


def asks_entry(question: str) -> bool:
    """Whether a follow-up names only a thing of its own ("集成电路那块呢？"): it may swap an entry of a list."""
    return bool(_ENTRY_ASKED.match(question.strip()))


def swap_entry(question: str, previous: str, lists: list[list[str]]) -> str | None:
    """The previous question asked of the entry a follow-up names instead of the one it named ("南京专栏3里新能源汽车
    攻关方向有哪些？" then "集成电路那块呢？": …里集成电路攻关方向…), when one of the plan's `lists` (the members of a
    box, a table or a section) holds both; None otherwise."""
    m = _ENTRY_ASKED.match(question.strip())
    if m is None:
        return None
    asked = m.group("entry")  # (a city named there finds no entry: "那南通呢" is left to the follow-up rules)
    for names in lists:
        theirs = [(n, w) for n in names if (w := written_entry(n, previous))]
        mine = [n for n in names if written_entry(n, asked)]
        if len(theirs) == 1 and len(mine) == 1 and mine[0] != theirs[0][0]:
            return previous.replace(theirs[0][1], written_entry(mine[0], asked), 1)
    return None


# "第20条", "第三项任务": a position in the plan's own numbered items (not in an answer's list); "第五章", "第三部分",
# "最后一章": a chapter of the plan
PLAN_POSITION = re.compile(r"第\s*(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})\s*(?:(?P<item>条|项)|(?P<chapter>章|部分|篇))"
                           r"|最后[一这那]?(?P<last>章|部分|篇)")


def name_positions(text: str, name_of, chapter_of=lambda n: None) -> str:
    """`text` with each "第N条/第N项" replaced by `name_of(N)` (the plan's item so numbered) and each "第N章/第N部分/
    最后一章" by `chapter_of(N)` (-1 for the last), where they give one."""
    def name(m: re.Match) -> str:
        n = -1 if m.group("last") else cn_number(m.group("n"))
        found = (name_of if m.group("item") else chapter_of)(n) if n else None
        return f"“{found}”" if found else m.group(0)
    return PLAN_POSITION.sub(name, text)
