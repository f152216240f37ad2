"""One measure in both plans of a city, side by side: each plan asked alone, each answer under its plan's name.

A version question the indicator diff does not answer ("两版的科技信贷产品分别叫什么", "首次认定的高企奖励，
十五五比十四五提高了多少", "创新券政策有什么变化") is about a clause each plan writes in its own words. Its
own words, once the two plans' names and what links them are taken out (`one_plan_question`, the rules of
assistant/resources/version_words.tsv), are asked of each plan alone; `side_by_side` sets the two answers one
under the other, each headed by its plan and period and cited on its own side. When the question asks how much a
figure changed and each side states one amount of the asked thing in one unit, the change is worked out.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answer import Answer, renumbered
from assistant.composers.values import difference
from assistant.contract import Citation
from assistant.versions import PlanVersion, words
from ingest.lexicon import FIGURE, FIVE_YEAR_ORDINAL, figure_value, in_base_unit, normalize

_NAME = "\u0000"  # where a plan's name stood, while the links around it are found
_QUOTES = "“”\"‘’「」"
_PIECE = re.compile(r"[，,；;。：:\n]")
MIN_SHARED = 2  # character pairs an amount's lead words share with the question, at least, to be its amount
_UNIT_FACTOR = {"亿元": 1e8, "万元": 1e4, "元": 1.0}


def _names_out(text: str) -> str:
    """`text` with every name of a plan (十四五, “十五五”规划, 两版, 新旧) and the words linking them taken out."""
    marked = FIVE_YEAR_ORDINAL.sub(_NAME, text)
    marked = words("both").sub(_NAME, marked)
    name = rf"[{_QUOTES}]?{_NAME}[{_QUOTES}]?(?:{words('name_tail').pattern})*"
    link, after = words("link").pattern, words("link_after").pattern
    return re.sub(rf"(?:(?:{link})?{name})+(?:{after})?", "", marked)


def _tidy(text: str) -> str:
    return re.sub(r"^[\s，,、的]+|[\s，,、的]+(?=[？?]?$)", "", text).strip()


def one_plan_question(text: str) -> str:
    """The question a version question asks of each plan alone: the plans' names and links taken out, a frame
    asking how much something changed asked as how much it is, one asking what changed as what it is."""
    out = _names_out(text)
    out = words("delta").sub("是多少", out)
    out = words("what_changed").sub("是什么", out)
    return _tidy(out)


def subject_of(text: str) -> str:
    """What a version question asking how much something changed is about, without the asking frame: a plan
    asked for it shows the clauses that state it ("科技信贷风险补偿资金池")."""
    return _tidy(words("delta").sub("", _names_out(text)))


def asks_delta(text: str) -> bool:
    return bool(words("delta").search(text))


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", normalize(text))
    return {s[i:i + 2] for i in range(len(s) - 1)}


def asked_amount(question: str, citations: Sequence[Citation]) -> tuple[float, str, str] | None:
    """(value, unit, as written) of the amount one side's quotes give for what the question names: of every amount
    in the quotes, the one whose clause piece (its words before it, and after it up to the next amount) shares most
    character pairs with the question, at least MIN_SHARED; of equals the later ("由5000万元扩大至1.5亿元")."""
    asked = _bigrams(question)
    best: tuple[int, float, str, str] | None = None
    for c in citations:
        quote = c.quote.replace("\n", "")
        found = [m for m in FIGURE.finditer(quote)]
        for k, m in enumerate(found):
            value = figure_value(m)
            if value is None or m["range"]:
                continue
            before = _PIECE.split(quote[:m.start()])[-1]
            after = _PIECE.split(quote[m.end():found[k + 1].start() if k + 1 < len(found) else len(quote)])[0]
            score = len(asked & (_bigrams(before) | _bigrams(after)))
            if score >= MIN_SHARED and (best is None or score >= best[0]):
                best = (score, value, m["unit"], m.group(0).strip())
    return None if best is None else best[1:]


def _change(old: tuple[float, str, str], new: tuple[float, str, str]) -> str | None:
    """"增加3.5亿元" between two amounts of one unit family (亿元 and 万元 convert), None across families."""
    (a, ua, _), (b, ub, _) = old, new
    if ua == ub:
        delta, unit = b - a, ub
    else:
        va, base_a = in_base_unit(a, ua)
        vb, base_b = in_base_unit(b, ub)
        if base_a != base_b or va is None or vb is None or ub not in _UNIT_FACTOR:
            return None
        delta, unit = (vb - va) / _UNIT_FACTOR[ub], ub
    return f"{'增加' if delta >= 0 else '减少'}{difference(delta, unit)}" if delta else "不变"


def answer_each(question: str, pair: tuple[PlanVersion, PlanVersion], year: int,
                ask: Callable[[str, PlanVersion], Answer]) -> Answer | None:
    """Ask each plan of `pair` the question alone (`ask(text, plan)`), then set the answers side by side. When the
    question asks how much a figure changed and one plan's answer states no amount of it, that plan is asked for
    the subject itself, so its clauses stating the amount are shown."""
    asked = one_plan_question(question)
    if not asked:
        return None
    answers = [ask(asked, plan) for plan in pair]
    if asks_delta(question) and (subject := subject_of(question)) and subject != asked:
        for k, plan in enumerate(pair):
            if answers[k].refused or asked_amount(asked, answers[k].citations) is None:
                again = ask(subject, plan)
                if not again.refused and asked_amount(asked, again.citations) is not None:
                    answers[k] = again
    return side_by_side(question, pair, (answers[0], answers[1]), year)


def side_by_side(question: str, pair: tuple[PlanVersion, PlanVersion], answers: tuple[Answer, Answer],
                 year: int) -> Answer | None:
    """The two plans' answers one under the other, each headed by its plan and period (None when neither plan
    answers). A side that finds nothing says so; a change is added when the question asks one (`asks_delta`)."""
    if all(a.refused for a in answers):
        return None
    parts: list[str] = []
    citations: list[Citation] = []
    for version, answer in zip(pair, answers):
        parts.append(f"{version.label(year)}：")
        if answer.refused:
            parts.append(f"{version.short}规划中未找到相应条款。")
            continue
        parts.append(renumbered(answer.text, len(citations)))
        citations += answer.citations
    if asks_delta(question) and not any(a.refused for a in answers):
        asked = one_plan_question(question)
        old, new = (asked_amount(asked, a.citations) for a in answers)
        if old and new and (change := _change(old, new)):
            parts.append(f"按两版所写：{pair[1].short}{new[2]}，{pair[0].short}{old[2]}，{pair[1].short}比{pair[0].short}{change}。")
    first = answers[0] if not answers[0].refused else answers[1]
    return Answer(text="\n".join(parts), citations=citations, refused=False, retrieved=[], composer="versions:side_by_side",
                  query=first.query)
