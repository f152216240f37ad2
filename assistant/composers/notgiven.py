"""A sum or standard the plan does not give: say what the plan does state, and that it gives no amount.

A question that asks for an amount, a ratio or a threshold ("积分要达到多少分", "加计扣除的具体比例",
"补贴多少钱" — the `amount_ask` words of index/resources/question_words.tsv) and whose answer cites only
clauses that state no such figure is not answered by those clauses: it is refused, and the nearest clause
is quoted so the reader sees what the plan says instead. A bound asked for ("单个项目最高能拿多少钱") is not
answered by figures the plan states only as the opposite bound ("5万元以上的项目"): that answer is refused too,
quoting the figure the plan does give; so is an amount asked per unit ("单家企业最高能贷多少") answered only by
aggregates ("累计发放…亿元"), an area or a length (占地多少亩) by clauses that state none, and a year (哪一年获批) by
clauses that state no year.
"""
from __future__ import annotations

import re

from ingest.lexicon import AMOUNT as LEXICON_AMOUNT
from ingest.lexicon import NUMBER_WORD, YEAR, question_years

from assistant.answer import Answer
from assistant.contract import Citation
from assistant.composers.context import Context
from assistant.composers.refusal import refuse
from assistant.lexicon import entries, rule
from assistant.composers.premise import LEVEL_RULES

# A figure that answers an amount question: money, a share, points, a multiple; and, by what is asked, its kind.
AMOUNT = LEXICON_AMOUNT
_KINDS = (
    (re.compile(r"比例|比重|百分"), re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|倍)")),
    (re.compile(r"多少分|分数|积分|打分|评分|计分"), re.compile(r"\d+(?:\.\d+)?\s*分")),
    (re.compile(rf"钱|金额|额度|元|{rule('money_in_yi').pattern}"), re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元)")),
)


def amount_pattern(question: str) -> re.Pattern:
    """The figures that would answer: a share for 比例, points for 多少分, money for 多少钱, else any amount."""
    return next((figure for asked, figure in _KINDS if asked.search(question)), AMOUNT)
_FIGURE_COMPOSERS = ("target", "document", "task", "refusal")


def asks_amount(text: str) -> bool:
    """Whether the question asks for a sum, ratio or standard."""
    return bool(rule("amount_ask").search(text))


def _refuse_quoting(ctx: Context, citation: Citation, reason: str, unquoted: str | None = None) -> Answer:
    """A refusal for `reason` that quotes what the cited clause does say ("X规划写的是：…"); when its span cannot be
    read back, the refusal alone (`unquoted` as the reason when given)."""
    span = ctx.span_of(citation)
    if span is None:
        return refuse(ctx, unquoted or reason)
    city = ctx.city_of(citation.doc_id) or ctx.title_of(citation.doc_id)
    return refuse(ctx, reason, (f"{city}规划写的是：{' '.join(citation.quote.split())}", span))


_BOUNDS = {"upper": ("最高", "下限"), "lower": ("最低", "上限")}  # asked bound → (its word, the opposite one's word)


def asked_bound(text: str) -> str | None:
    """"upper" for "最高能拿多少钱", "lower" for "下限是多少", else None."""
    if rule("amount_upper_ask").search(text):
        return "upper"
    if rule("amount_lower_ask").search(text):
        return "lower"
    return None


def _as_bound(side: str, quote: str, figure: re.Match) -> str | None:
    """The wording that states `figure` as a bound of `side` ("5万元以上": lower; "最高500万元": upper), else None."""
    before = re.search(rf"(?:{rule(f'bound_{side}_before').pattern})$", quote[max(0, figure.start() - 6):figure.start()])
    after = rule(f"bound_{side}_after").match(quote, figure.end())
    if before is None and after is None:
        return None
    return (before.group(0) if before else "") + figure.group(0) + (after.group(0) if after else "")


def _opposite_bound_only(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal when the question asks a bound and every figure of the asked kind the answer quotes is stated as the
    opposite bound; else None."""
    bound = asked_bound(ctx.query.original)
    if bound is None or not (asks_amount(ctx.query.original) or rule("figure_ask").search(ctx.query.original)):
        return None
    opposite = "lower" if bound == "upper" else "upper"
    pattern = amount_pattern(ctx.query.original)
    found = [(c, _as_bound(opposite, c.quote, m)) for c in answer.citations for m in pattern.finditer(c.quote)]
    if not found or not all(wording for _, wording in found):
        return None
    first, wording = found[0]
    asked, given = _BOUNDS[bound]
    return _refuse_quoting(ctx, first, f"问题所问的{asked}数额：规划只给出{given}（“{wording}”），未写明{asked}数额")


_AGGREGATE_WINDOW = 12  # characters before a figure in which a plan says it is an aggregate ("累计发放“苏科贷”…")


def aggregates_only(question: str, quotes: list[str]) -> tuple[int, re.Match, str] | None:
    """When `question` asks an amount per unit ("单家企业最高能贷多少") and every figure of the asked kind in `quotes` is
    stated as an aggregate ("累计发放…139.37亿元", "3000万元风险补偿资金池"), or the amount of one year ("2020年…投了多少亿")
    and every such figure is a total over years (累计…1047亿元): (the quote's index, its first figure, the unit
    asked); else None."""
    unit = rule("per_unit_ask").search(question)
    asked = unit.group(0) if unit else None
    years = question_years(question)
    if asked is None and len(years) == 1 and not rule("period_total_ask").search(question):
        asked = f"{years[0]}年当年"  # "2020年…投了多少亿": one year's amount, which a 累计 total over years does not give
    if asked is None or not (asks_amount(question) or asked_bound(question) or rule("figure_ask").search(question)):
        return None
    # per unit, any aggregate ("发放…", "…资金池"); of one year, a total over years ("累计…", "…期间")
    before, after = (rule("aggregate_before"), rule("aggregate_after")) if unit else (rule("total_over_years"), None)
    found = [(i, m) for i, q in enumerate(quotes) for m in amount_pattern(question).finditer(q)]
    if not found or not all(before.search(quotes[i][max(0, m.start() - _AGGREGATE_WINDOW):m.start()])
                            or (after and after.match(quotes[i], m.end())) for i, m in found):
        return None
    return (*found[0], asked)


def _aggregate_only(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal when the question asks an amount per unit and the answer quotes only aggregates; else None."""
    found = aggregates_only(ctx.query.original, [c.quote for c in answer.citations])
    if found is None:
        return None
    index, figure, unit = found
    return _refuse_quoting(ctx, answer.citations[index], f"问题所问的{unit}数额：规划只给出总额（“{figure.group(0)}”），未写明{unit}的数额")


def measure_missing(question: str, quotes: list[str]) -> bool:
    """Whether `question` asks an area or a length (占地多少亩, 多少公里) and no quote states a figure in such a unit."""
    if not rule("measure_ask").search(question):
        return False
    figure = re.compile(rf"(?:{NUMBER_WORD.pattern})\s*[万千百]?\s*(?:{rule('measure_unit').pattern})")  # 55 万平方米
    return not any(figure.search(q) for q in quotes)


def _measure_not_given(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal quoting the answer's first clause when an area or a length is asked and none is quoted; else None."""
    if not measure_missing(ctx.query.original, [c.quote for c in answer.citations]):
        return None
    return _refuse_quoting(ctx, answer.citations[0], "问题所问的面积或长度：规划未写明这一数字")


def _year_not_given(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal quoting the answer's first clause when a year is asked ("哪一年获批") and no quote states one; else
    None. "“十四五”期间…争创" gives a period, not the year asked."""
    if answer.composer == "document" or not rule("year_ask").search(ctx.query.original) or \
            any(YEAR.search(c.quote) for c in answer.citations):  # a plan's period is read from its title's 十四五 too
        return None
    return _refuse_quoting(ctx, answer.citations[0], "问题所问的年份：规划未写明这一年份")


# How a figure's subject is qualified, by family: its level (国家级, 省级以上 …: the levels each stands for) and its
# scope (全社会 vs 规上工业). A question asking one that every figure of the answer states another of is not answered.
# A question asks a level only by a 级 word (国家级, 省级以上); a plan may state one as 国家… too (国家制造业“单项冠军”).
_QUALIFIERS = {
    # 各类, 各级: a figure of every level together ("各类双创孵化载体达60家") is no figure of the one level asked
    "level": tuple((w, levels) for name, levels in LEVEL_RULES.items() for w in entries(name))
    + tuple((w, frozenset("A")) for w in entries("qualifier_all_levels")),
    "scope": tuple((w, frozenset({name})) for name in ("scope_whole", "scope_industrial") for w in entries(name)),
}


def qualifiers(text: str, family: str, asked: bool = False) -> list[tuple[str, frozenset[str]]]:
    """The qualifier words of `family` in `text`, longest first, none inside a longer one (省级以上 is not also 省级);
    `asked`: as a question asks a level (by its 级 words only)."""
    found, taken = [], [False] * len(text)
    words = [(w, k) for w, k in _QUALIFIERS[family] if not (asked and family == "level" and "级" not in w)]
    for word, keys in sorted(words, key=lambda t: -len(t[0])):
        for m in re.finditer(re.escape(word), text):
            if not any(taken[m.start():m.end()]):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                found.append((word, keys))
    return found


_RANKS = "MPN"  # the levels from the lowest: 市, 省, 国家


def _answers(stated: frozenset[str], asked: frozenset[str]) -> bool:
    """A figure stated of `stated` levels answers a question asking `asked` ones when they share one and it counts none
    below the lowest asked: 省级以上 answers 省级 (以上 is often left unsaid), not 国家级; 市级以上 does not answer 省级以上."""
    ranked = [k for k in asked if k in _RANKS]
    if not stated & asked or not ranked:
        return bool(stated & asked)
    lowest = min(_RANKS.index(k) for k in ranked)
    return all(_RANKS.index(k) >= lowest for k in stated if k in _RANKS)


def _other_qualifier(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal when the question asks a figure of one level or scope ("省级孵化器", "规上工业企业研发投入强度") and every
    figure the answer quotes is stated of another (国家级孵化器, 全社会研发投入) or of every level together (各类双创孵化载体)
    and none of the asked one; else None."""
    if answer.composer != "target":
        return None
    question = ctx.query.original or ctx.query.text
    if rule("rank_verdict").search(question) or rule("rank_written").search(question):
        return None  # "在国家级高新区里的排名": the level names the field ranked in, not the figure's own
    for family in _QUALIFIERS:
        asked = qualifiers(ctx.query.original, family, asked=True)
        if not asked:
            continue
        keys = frozenset().union(*(k for _, k in asked))
        stated = [qualifiers(c.quote, family) for c in answer.citations]
        if all(s and not any(_answers(k, keys) for _, k in s) for s in stated):
            return _refuse_quoting(ctx, answer.citations[0], f"问题所问的“{asked[0][0]}”数字：规划给出的是“{stated[0][0][0]}”的，"
                                                              f"未写明{asked[0][0]}的数字")
    return None


def _support_not_given(ctx: Context, answer: Answer) -> Answer | None:
    """A refusal when the question asks the amount of a kind of support ("补贴标准是多少钱") and the figure answer quotes
    no clause that gives money of any kind (新型研发机构…营业收入超200亿元 is not what it gets); else None."""
    question = ctx.query.original
    if answer.composer != "target" or not asks_amount(question) or not rule("support_money").search(question):
        return None
    if any(rule("support_money").search(c.quote) for c in answer.citations):
        return None
    return _refuse_quoting(ctx, answer.citations[0], "问题所问的补助或奖励数额：规划未写明金额或标准")


def check(ctx: Context, answer: Answer) -> Answer:
    """`answer` unchanged, or a refusal quoting its first clause when it states none of the amounts asked for (or
    only the opposite bound of the one asked for)."""
    if answer.refused or not answer.citations:
        return answer
    if (bounded := _opposite_bound_only(ctx, answer) or _aggregate_only(ctx, answer)
            or _measure_not_given(ctx, answer) or _year_not_given(ctx, answer) or _other_qualifier(ctx, answer)
            or _support_not_given(ctx, answer)) is not None:
        return bounded
    if answer.composer in _FIGURE_COMPOSERS:
        return answer
    if not asks_amount(ctx.query.original) or any(amount_pattern(ctx.query.original).search(c.quote) for c in answer.citations):
        return answer
    return _refuse_quoting(ctx, answer.citations[0], "问题所问的具体数额或标准：规划未写明金额、比例或门槛",
                           unquoted="问题所问的具体数额或标准（规划未写明）")
