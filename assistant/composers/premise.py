"""A premise that states a qualifier the plan contradicts: refuse, and quote the plan's own wording.

A question may take for granted how a plan qualifies something it names: how many there are ("两个国家级高新区"
where the plan writes 1个国家级高新区), whether it is built ("…实验室已经建成" where
the plan writes 筹建…; the `status_*` rules), its level ("争创国家农业高新技术
产业示范区" where the plan writes 省级农业高新技术产业示范区; or said of it, "农高区已经是国家级的了", where the plan
writes it only with another level or the asked one only as an aim) or whether it is the only one ("全国三个…试点城市
之一" where the plan writes 全国唯一的…试点城市). The qualifier words are data (the `qualifier_*` rules of
index/resources/question_words.tsv). The named thing is the longest run of the question's words after (or,
for 之一, before) the qualifier that the asked plan writes. Only when every place the plan writes it carries a
different qualifier (and none carries the asked one) is the question refused; the refusal quotes the plan's
sentence so the reader sees what the plan does say. Questions naming no city, or things the plan writes
without a qualifier, are left to the usual composers.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer import Answer
from assistant.composers.context import Context
from assistant.composers.refusal import refuse
from assistant.evidence import Span, sentences
from assistant.lexicon import EVENT_RULES, entries, rule
from ingest.lexicon import (COUNT_MEASURES, FIVE_YEAR_ORDINAL, STATED_NUMBER, UNITS, YEAR, YEAR_DIGITS, normalize, parse_number,
                            years_in)
from ingest.sentences import FULL_STOPS

MIN_NAME = 4  # characters of the named thing: shorter runs (孵化器) are too common to judge a premise by
MAX_NAME = 24
KIND_HEAD = 3  # characters of a kind's head noun (实验室, 示范区, 孵化器)
LEVEL_RULES = {  # rule → the levels its words stand for (省级以上 covers the province and the nation)
    "qualifier_national": frozenset("N"),
    "qualifier_provincial_up": frozenset("PN"),
    "qualifier_provincial": frozenset("P"),
    "qualifier_municipal": frozenset("M"),
    "qualifier_municipal_up": frozenset("MPN"),
}
_JOIN = "和及与、或/"  # between stacked qualifiers: 国家和省级…
_PLAIN = re.compile(r"[\s“”‘’\"'《》〈〉「」『』]")


def _plain(text: str) -> str:
    return _PLAIN.sub("", normalize(text))


def _levels() -> list[tuple[str, frozenset[str]]]:
    words = [(w, levels) for rule, levels in LEVEL_RULES.items() for w in entries(rule)]
    return sorted(words, key=lambda t: -len(t[0]))


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Contradiction:
    asked: str  # the question's wording (国家农业高新技术产业示范区)
    written: str  # the plan's wording (省级农业高新技术产业示范区)
    span: Span  # the plan's sentence that writes it
    gives_no: str = ""  # for a detail the plan does not give (分项数字): what it leaves out; else a contradiction


_PLAIN_TEXTS: "weakref.WeakKeyDictionary[object, dict[str, list[tuple[object, str]]]]" = weakref.WeakKeyDictionary()


def _plan_texts(corpus, doc_id: str) -> list[tuple[object, str]]:
    """(clause, plain text) of one plan, computed once per corpus (every question with a city reads them)."""
    per_doc = _PLAIN_TEXTS.setdefault(corpus, {})
    if doc_id not in per_doc:
        per_doc[doc_id] = [(corpus.clauses[i], _plain(corpus.clauses[i].text)) for i in corpus.clause_ids_of(doc_id)]
    return per_doc[doc_id]


_PLAIN_JOINED: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()


def _plan_joined(corpus, doc_id: str) -> str:
    """One plan's plain clause texts, one a line, joined once per corpus (names are looked up in it)."""
    per_doc = _PLAIN_JOINED.setdefault(corpus, {})
    if doc_id not in per_doc:
        per_doc[doc_id] = "\n".join(t for _, t in _plan_texts(corpus, doc_id))
    return per_doc[doc_id]


def _docs(ctx: Context) -> list[str]:
    """The plans of the cities asked about (every plan when none is named), within the user's filters."""
    return [d for d, meta in ctx.corpus.docs.items() if (not ctx.query.cities or meta.city in ctx.query.cities) and ctx.allows(d)]


def _longest(candidates: list[str], joined: str, least: int = MIN_NAME) -> str | None:
    """The longest candidate (tried longest first, at least `least` characters) the plans write."""
    for name in sorted(candidates, key=len, reverse=True):
        if len(name) >= least and re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", name) and name in joined:
            return name
    return None


def _inside(text: str, joined: str) -> str | None:
    """The longest run of `text` (MIN_NAME to MAX_NAME characters) the plans write: a name anywhere in it."""
    return _longest([text[i:j] for i in range(len(text)) for j in range(i + MIN_NAME, min(len(text), i + MAX_NAME) + 1)],
                    joined)


def _named_before(question: str, at: int, joined: str, least: int) -> str | None:
    """The longest run the plans write that ends right before `at` (filler such as 这个/现在 and a 的 left out): the
    thing a claim is made of ("农高区已经是…", "燃气轮机试验装置是省级…")."""
    head = _FILLER.sub("", question[:at]).removesuffix("的")
    return _longest([head[-k:] for k in range(least, min(len(head), MAX_NAME) + 1)], joined, least=least)


def _first_sentence(text: str) -> str:
    """`text` up to its first full stop (the part of a question a refusal repeats)."""
    return re.split(f"[{re.escape(FULL_STOPS)}]", text)[0]


def _sentences_naming(name: str, texts):
    """(sentence, its compared form) of every clause sentence that writes `name`."""
    for clause, text in texts:
        if name not in text:
            continue
        for sentence in sentences(clause):
            plain = _plain(sentence.text)
            if name in plain:
                yield sentence, plain


def _sentence(clause, wording: str) -> Span | None:
    return next((s for s in sentences(clause) if wording in _plain(s.text)), None)


def _written_levels(name: str, texts, alt: str, word_of: dict[str, frozenset[str]]):
    """Each place the plans write `name`: (clause, plain text, the hit, the run of qualifiers right before it or None,
    the levels they stand for)."""
    before = re.compile(rf"((?:(?:{alt})[{_JOIN}]?)+)的?$")
    for clause, text in texts:
        for hit in re.finditer(re.escape(name), text):
            q = before.search(text[max(0, hit.start() - 12):hit.start()])
            found = frozenset().union(*(word_of[w] for w in re.findall(alt, q.group(1)))) if q else frozenset()
            yield clause, text, hit, q, found


def _level_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    levels = _levels()
    word_of = dict(levels)
    alt = _alt(word_of)
    for m in re.finditer(alt, question):
        asked = word_of[m.group(0)]
        rest = question[m.end():].removeprefix("的")
        name = _longest([rest[:k] for k in range(MIN_NAME, min(len(rest), MAX_NAME) + 1)], joined)
        if name is None:
            continue
        # "省级重大科技基础设施燃气轮机试验装置": the named instance after the category decides which places count
        tail = rest[len(name):]
        instance = _longest([tail[:k] for k in range(MIN_NAME, min(len(tail), MAX_NAME) + 1)], joined)
        places = [(c, t) for c, t in texts if instance is None or instance in t]
        written: tuple[str, object] | None = None
        for clause, _, _, q, found in _written_levels(name, places, alt, word_of):
            if q is None or found & asked:
                # the plan writes it unqualified somewhere, or with the asked level: no contradiction of this name
                # (a level word inside a name, 南通国家农业科技园区, before the one the question claims)
                written = None
                break
            written = written or (q.group(1) + ("的" if q.group(0).endswith("的") else "") + name, clause)
        if written is not None:
            span = _sentence(written[1], written[0])
            if span is not None:
                return Contradiction(m.group(0) + name, written[0], span)
    return None


_ALREADY = rule("status_already")  # "已经是", "现在是": what a question says a thing already is


def _only_aimed(kind: str, texts) -> tuple[str, Span] | None:
    """Where the plans write a level and kind ("国家级经开区") only as an aim (以…为目标, 三年内创成…, 争创…) and never
    as what something is: (the aim's words, its sentence); else None."""
    planned, done = rule("status_planned"), rule("status_done")
    is_ = re.compile(rf"(?:{rule('status_is').pattern})$")  # "…是/获批国家级经开区": what a thing is
    aimed: tuple[str, Span] | None = None
    for clause, text in texts:
        for hit in re.finditer(re.escape(kind), text):
            start = max(0, hit.start() - _NEAR)
            cue = planned.search(text[start:hit.end() + 4])
            if cue is None:
                if done.search(text[start:hit.start()]) or is_.search(text[start:hit.start()]):
                    return None  # somewhere the plan calls a thing so
                continue
            if aimed is None and (span := _sentence(clause, kind)) is not None:
                aimed = (text[start + cue.start():max(hit.end(), start + cue.end())].lstrip("，,"), span)
    return aimed


def _predicative_level(question: str, texts, joined: str) -> Contradiction | None:
    """"农高区已经是国家级的了" where the plan writes the name only with another level (加快建设省级农高区), or with the
    asked level only as an aim (争创国家级…): the plan does not say it is of that level."""
    levels = _levels()
    word_of = dict(levels)
    alt = _alt(word_of)
    planned = rule("level_aim")  # 争创国家级… is an aim; 加快建设省级… builds up what is 省级 already
    for m in re.finditer(rf"(?:{_ALREADY.pattern})({alt})", question):
        asked = word_of[m.group(1)]
        name = _named_before(question, m.start(), joined, least=3)
        if name is None:
            continue
        rest = question[m.end():]
        kind = _longest([m.group(1) + rest[:k] for k in range(2, min(len(rest), MAX_NAME) + 1)], joined)
        if kind is not None and (aimed := _only_aimed(kind, texts)) is not None:
            return Contradiction(name + m.group(0) + kind[len(m.group(1)):], *aimed)  # "…已经是国家级经开区": an aim
        written: tuple[str, object] | None = None
        for clause, text, hit, q, found in _written_levels(name, texts, alt, word_of):
            if q is None:
                continue  # "农高区涉农企业": the name alone says nothing of its level
            aim = planned.search(text[max(0, hit.start() - 12 - 6):hit.start() - len(q.group(0)) + 1])
            if found & asked and aim is None:
                return None  # the plan does call it so
            if written is None:
                lead = aim.group(0) if aim is not None and found & asked else ""
                written = (lead + q.group(0) + name, clause)
        if written is not None:
            span = _sentence(written[1], written[0]) or next((s for s in sentences(written[1]) if name in _plain(s.text)), None)
            if span is not None:
                return Contradiction(name + m.group(0), written[0], span)
        elif len(name) >= MIN_NAME and (planned := _planned_only(name, texts, rule("status_done"))) is not None:
            # "光电科学紫琅实验室已经是国家实验室了吧" where the plan writes it with no level, only as planned (筹建…)
            said = re.match(r"[^了吧吗呢？?，,。；;]*", rest).group(0)  # what the question says it is (…国家实验室)
            return Contradiction(name + m.group(0) + said, *planned)
    return None


_RANK = re.compile(r"(\d+|[一二三四五六七八九十]+)")


def _rank_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    """"南京在国家创新型城市排行榜里排第2吧", "南通高新区要冲进全国前20位，靠哪些举措" where every sentence of the plan
    that writes the ranked thing beside a rank of the same form (第N, 前N) gives another one (名列全国第4位, 进入全国前
    40位): refused with the plan's rank, whether the question confirms the rank or asks on top of it."""
    for m in rule("rank_stated").finditer(question):
        number = _RANK.match(question, m.end())
        stated = parse_number(number.group(1)) if number else None
        if stated is None:
            continue
        head = question[:m.start()]
        name = _inside(head, joined)
        if name is None:
            continue
        written: tuple[str, Span] | None = None
        for sentence, plain in _sentences_naming(name, texts):
            for hit in rule("rank_written").finditer(plain):
                rank = _RANK.match(plain, hit.end())
                value = parse_number(rank.group(1)) if rank else None
                if value is None or hit.group(0)[-1] != m.group(0)[-1] or \
                        not re.match(r"[位名强]", plain[rank.end():rank.end() + 1]):
                    continue
                if value == stated:
                    return None  # the plan gives the stated rank
                written = written or (plain[hit.start():rank.end() + 1], sentence)
        if written is not None:
            return Contradiction(question[m.start():number.end()], *written)
    return None


def _said_level(question: str, texts, joined: str) -> Contradiction | None:
    """"燃气轮机试验装置是省级重大科技基础设施吧" where every sentence of the plan that writes the name and a qualified kind
    gives the kind another level (…成为全省两个国家重大科技基础设施之一) and none the asked one; an aim claimed so too
    ("紫金山实验室目标是争创省级实验室" where the plan writes 争创国家实验室)."""
    levels = _levels()
    word_of = dict(levels)
    alt = _alt(word_of)
    for m in re.finditer(rf"(?:{rule('said_is').pattern})(?:一?个)?(?:{rule('aim_claim').pattern})?({alt})", question):
        asked = word_of[m.group(1)]
        name = _named_before(question, m.start(), joined, least=3)
        rest = question[m.end():].removeprefix("的")
        kind = _longest([rest[:k] for k in range(3, min(len(rest), MAX_NAME) + 1)], joined, least=3)
        if name is None or kind is None:
            continue
        written: tuple[str, Span] | None = None
        # the kind's qualifiers in each sentence that writes the name (the name itself masked: no kind inside it)
        naming = [(sentence, plain.replace(name, "|")) for sentence, plain in _sentences_naming(name, texts)]
        # the level a plan writes right after the name, in brackets ("南通高新区（国家级）"), is the name's own
        bracketed = [(sentence, b) for sentence, plain in naming
                     if (b := re.search(rf"\|[（(]((?:{alt})[^（）()]{{0,4}})[)）]", plain)) is not None]
        if any(word_of[re.match(alt, b.group(1)).group(0)] & asked for _, b in bracketed):
            continue
        if bracketed:
            sentence, b = bracketed[0]
            return Contradiction(name + m.group(0) + kind, name + b.group(0)[1:], sentence)
        # the kind, else its head noun ("重点实验室" of a name the plan writes only beside 国家实验室: 实验室)
        for said in dict.fromkeys((kind, kind[-KIND_HEAD:])):
            for sentence, _, _, q, found in _written_levels(said, naming, alt, word_of):
                if q is None:
                    continue
                if found & asked:
                    return None  # the plan gives the kind the asked level beside the name
                written = written or (q.group(0) + said, sentence)
            if written is not None:
                return Contradiction(name + m.group(0) + kind, *written)
    return None


def _predicative_aim(question: str, texts, joined: str) -> Contradiction | None:
    """"中华药港已经是首次进口药品口岸了吧" where the plan writes the subject and, in the same clause, what it is said
    to be only as an aim (争创首次进口药品口岸): the plan does not say it is so."""
    for m in _ALREADY.finditer(question):
        name = _named_before(question, m.start(), joined, least=2)
        rest = question[m.end():]
        kind = _longest([rest[:k] for k in range(MIN_NAME, min(len(rest), MAX_NAME) + 1)], joined)
        if name is None or kind is None or not any(name in t and kind in t for _, t in texts):
            continue
        if (aimed := _only_aimed(kind, texts)) is not None:
            return Contradiction(name + m.group(0) + kind, *aimed)
    return None


_EVENT_GAP = 8  # characters between a question's year and the event it dates ("2019年才获批建设")
_EVENT_SPAN = 40  # characters after a plan's year in which the event it dates is written


def _event(window: str) -> tuple[str, re.Match] | None:
    """The first event word in `window`: (its rule, the match)."""
    found = [(name, m) for name in EVENT_RULES if (m := rule(name).search(window)) is not None]
    return min(found, key=lambda t: t[1].start()) if found else None


def _year_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    """"江苏镇江国家农业科技园区是2019年才获批建设的吧" where the plan dates the same kind of event (获批, 批准) about the
    same name only in other years (2015年…获得科技部批准建设): the plan does not date it so. Only questions that ask
    for confirmation state such a premise."""
    if not rule("confirm_ask").search(question):
        return None
    for y in YEAR.finditer(question):
        asked = _event(question[y.end():y.end() + _EVENT_GAP])
        if asked is None:
            continue
        kind, word = asked
        rest = question[:y.start()] + "|" + question[y.end() + word.end():]
        name = _inside(rest, joined)
        if name is None:
            continue
        dated: list[tuple[str, Span]] = []
        for sentence, plain in _sentences_naming(name, texts):
            years = list(YEAR.finditer(plain))
            for i, py in enumerate(years):
                end = min(years[i + 1].start() if i + 1 < len(years) else len(plain), py.end() + _EVENT_SPAN)
                found = _event(plain[py.end():end])
                if found is None or found[0] != kind:
                    continue
                if py.group(1) == y.group(1):
                    return None  # the plan dates it as the question does
                dated.append((plain[py.start():py.end() + found[1].end()], sentence))
        if dated:
            return Contradiction(y.group(0) + word.group(0), *dated[0])
    return None


def _states_time(text: str) -> bool:
    """Whether a text states any time: a year, a five-year period (十四五), or a time_stated word (年底, 期间 …)."""
    return bool(re.search(YEAR_DIGITS, text) or FIVE_YEAR_ORDINAL.search(text) or rule("time_stated").search(text))


def _undated_event(question: str, texts, joined: str) -> Contradiction | None:
    """"田湾核电站四期工程哪一年建成投运" where no clause of the plan that names the thing (nor its headings) states a
    time at all (a year, 年底, "十四五"期间 …): the plan does not date it, and the answer says so. A clause that dates
    anything is left to the usual composers (its year may be the one asked)."""
    when = rule("when_ask").search(question)
    if when is None or _event(question) is None:
        return None
    name = _inside(question[:when.start()] + "|" + question[when.end():], joined)
    if name is None:
        return None
    places = [(clause, text) for clause, text in texts if name in text]
    other = _inside(question.replace(name, "|"), joined)
    if other is not None and not any(other in text for _, text in places):
        return None  # the question names something else as well ("燃气轮机那个大科学装置"): which thing is not clear
    if not places or any(_states_time(text + " ".join(getattr(clause, "section", ()) or ())) for clause, text in places):
        return None
    sentence = next(s for s, _ in _sentences_naming(name, places))
    return Contradiction(_first_sentence(question), name, sentence, "时间")


def _uniqueness_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    only = _alt(entries("qualifier_only"))
    one_of = _alt(entries("qualifier_one_of"))
    for m in re.finditer(one_of, question):  # "全国三个X之一" where the plan writes 唯一的X
        head = question[:m.start()]
        name = _longest([head[-k:] for k in range(MIN_NAME, min(len(head), MAX_NAME) + 1)], joined)
        if name is None:
            continue
        counted = re.search(rf"[一二两三四五六七八九十百几多\d]+[个家批座所项]?{re.escape(name)}$", head)
        asked = (counted.group(0) if counted else name) + m.group(0)
        hits = [(c, t, h) for c, t in texts for h in re.finditer(re.escape(name), t)]
        if any(re.match(one_of, t[h.end():]) for _, t, h in hits):
            return None
        unique = [(c, re.search(rf"(?:{only})$", t[:h.start()])) for c, t, h in hits]
        unique = [(c, q) for c, q in unique if q is not None]
        if unique:
            clause, q = unique[0]
            written = q.group(0) + name
            span = _sentence(clause, written)
            if span is not None:
                return Contradiction(asked, written, span)
    for m in re.finditer(only, question):  # "唯一的X" where the plan writes X之一
        rest = question[m.end():]
        name = _longest([rest[:k] for k in range(MIN_NAME, min(len(rest), MAX_NAME) + 1)], joined)
        if name is None:
            continue
        hits = [(c, t, h) for c, t in texts for h in re.finditer(re.escape(name), t)]
        # "苏北唯一、全省两个国家重大科技基础设施之一": 唯一 said of it a few words before still says it
        if any(re.search(rf"(?:{only})[^，。；,;]{{0,8}}$", t[:h.start()]) for _, t, h in hits):
            return None
        several = [(c, re.match(one_of, t[h.end():])) for c, t, h in hits]
        several = [(c, q) for c, q in several if q is not None]
        if several:
            clause, q = several[0]
            written = name + q.group(0)
            span = _sentence(clause, written)
            if span is not None:
                return Contradiction(m.group(0) + name, written, span)
    return None


_NEAR = 12  # characters around a name where a plan says it is planned or done
# words between a name and a claim about it ("…实验室现在已经建成", "这个装置目前已经投用"): not part of the name
_FILLER = re.compile(rf"(?:{rule('claim_filler').pattern})+$")


def _piece_start(text: str, at: int) -> int:
    """Where the comma-piece holding position `at` of `text` begins."""
    return max((text.rfind(mark, 0, at) + 1 for mark in "，。；,;：:"), default=0)


def _status_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    """"光电科学紫琅实验室已经建成了" where every place the plan writes the name says it is planned (筹建…, …（筹）,
    争创…) and none says it is done (建成, 获批, 成功…): the plan does not say it is built."""
    claim = rule("status_claim").search(question)
    if claim is None:
        return None
    before = _FILLER.sub("", question[:claim.start()]).removesuffix("的")
    after = question[claim.end():].removeprefix("了").removeprefix("的")
    # "X已经建成了吧" names X before the claim, "已经建成X了" after it; nearest the claim first, then anywhere before it
    name = (_longest([before[-k:] for k in range(MIN_NAME, min(len(before), MAX_NAME) + 1)], joined)
            or _longest([after[:k] for k in range(MIN_NAME, min(len(after), MAX_NAME) + 1)], joined)
            or _inside(before, joined))
    if name is None:
        return None
    # "已经建成/投用了吧" is borne out only by words of building; 落户, 获批 bear out "已经获批/落地"
    done = rule("status_built") if rule("status_claim_built").search(claim.group(0)) else rule("status_done")
    written = _planned_only(name, texts, done)
    return Contradiction(name + claim.group(0), *written) if written is not None else None


def _planned_only(name: str, texts, done: re.Pattern) -> tuple[str, Span] | None:
    """Where the plans write `name` as planned (筹建…, …（筹）, 争创…) and nowhere near a word of `done` (建成, 获批 …):
    (the planned wording, its sentence); else None."""
    planned = rule("status_planned")
    written: tuple[str, object] | None = None
    for clause, text in texts:
        for hit in re.finditer(re.escape(name), text):
            around = text[max(0, hit.start() - _NEAR):hit.end() + _NEAR]
            if done.search(around.replace(name, " ")):
                return None  # somewhere the plan says it is built, approved or in place
            # "推进X…项目建设"; "最终建成具备…的X": a cue may open the comma-piece the name ends, however long
            offset = min(max(0, hit.start() - _NEAR), _piece_start(text, hit.start()))
            cue = planned.search(text[offset:hit.end() + 3 * _NEAR])
            if cue is not None and written is None:
                if offset + cue.start() < hit.start():  # "筹建光电科学紫琅实验室"
                    wording = text[offset + cue.start():hit.end()]
                else:  # "光电科学紫琅实验室(筹)"
                    wording = text[hit.start():offset + cue.end()]
                written = (wording, clause)
    if written is None:
        return None
    span = next((s for s in sentences(written[1]) if name in _plain(s.text)), None)
    return (written[0], span) if span is not None else None


_COUNT = r"\d+(?:\.\d+)?|[一二两三四五六七八九十百]+"
# a count the question states: not one it asks (哪两个, 几个), not 一 (一个系统 names one thing), not a year's digits
_STATED_COUNT = re.compile(rf"(?<![哪几多第\d.一二两三四五六七八九十百])(\d+|[两二三四五六七八九十]+)(来|多|余)?([{COUNT_MEASURES}])")
_MODIFIER = 14  # characters of a 的-phrase between a plan's count and the noun it counts
_ROUGH = 0.2  # "50来个", "80多家": a count said roughly holds any number within this share of it
_MIN_NOUN = 3  # 独角兽, 高新区: a counted noun may be shorter than a name


def _count_contradiction(question: str, texts, joined: str, figures) -> Contradiction | None:
    """"南通有两个国家级高新区" where the plan counts the same noun only with other numbers (1个国家级高新区): the
    stated count is refused, quoting the plan's. Any place the plan gives the stated number for the noun — a range
    that holds it (1-2家), the noun before its number (新型研发机构2－3家), an indicator row — keeps the question."""
    for m in _STATED_COUNT.finditer(question):
        stated = parse_number(m.group(1))
        if stated is None:
            continue
        rough = _ROUGH * stated if m.group(2) else 0.0
        rest = question[m.end():]
        candidates = [rest[:k] for k in range(min(len(rest), MAX_NAME), _MIN_NOUN - 1, -1)]
        for noun in candidates:
            if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", noun) or noun not in joined:
                continue
            counted = re.compile(rf"({_COUNT})(?:[-~—–－至]({_COUNT}))?([{COUNT_MEASURES}])的?"
                                 rf"(?:[^，。；,;]{{0,{_MODIFIER}}}的)?{re.escape(noun)}")  # "3—5个具有…基础的大学创新港"
            before = re.compile(rf"{re.escape(noun)}[^，。；,;]{{0,8}}?({_COUNT})(?:[-~—–－至]({_COUNT}))?[{COUNT_MEASURES}]")
            plan_counts: list[tuple[object, str]] = []
            for clause, text in texts:
                for pattern, is_count in ((counted, True), (before, False)):
                    for hit in pattern.finditer(text):
                        lo = parse_number(hit.group(1))
                        hi = parse_number(hit.group(2)) if hit.group(2) else lo
                        if lo is not None and hi is not None and lo - rough <= stated <= hi + rough:
                            return None  # the plan does give this number for the noun
                        if is_count:
                            plan_counts.append((clause, hit.group(0)))
            if any(f.value is not None and abs(f.value - stated) <= rough and f.subject and noun in _plain(f.subject)
                   for f in figures):
                return None  # an indicator row or figure of that subject states it
            if not plan_counts:
                continue  # the plan counts the noun nowhere: try a shorter noun
            clause, written = plan_counts[0]
            span = _sentence(clause, written)
            if span is not None:
                low = re.search(rf"(?:{_COUNT})\s*(?:到|至|[-~—–－])$", question[:m.start()])  # "5到8个…": the range said
                return Contradiction(question[low.start() if low else m.start():m.end()] + noun, written, span)
            break
    return None


_DETAIL_LEAD = re.compile(r"(?:左右|多|余|来|及?以上)?的?")
_NOUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_MIN_DETAIL_NOUN = 2  # 城市, 企业: the counted noun of a restated count ("40个左右城市")


def _detail_not_given(question: str, texts) -> Contradiction | None:
    """"覆盖40个左右城市，其中江苏省内有几个" / "那1家独角兽企业是哪个行业的": a count the question restates from the plan
    and a part of it (breakdown_ask) or what they are (identity_ask) asked, where no sentence of the plan that states
    that count goes on to give such a detail (其中…, a further count, a list) or names what it counts before it
    ("A、B等3家"): the plan gives the count only, and the answer says so."""
    for m in _STATED_COUNT.finditer(question):
        stated = parse_number(m.group(1))
        after = question[m.end():]
        breakdown, identity = rule("breakdown_ask").search(after), rule("identity_ask").search(after)
        ask = min((a for a in (breakdown, identity) if a is not None), key=lambda a: a.start(), default=None)
        if stated is None or ask is None:
            continue
        lead = _DETAIL_LEAD.match(after).end()
        run = _NOUN.match(after, lead, ask.start())
        if run is None or not re.fullmatch(rf"[,，\s]*(?:{rule('detail_gap').pattern})?[,，\s]*", after[run.end():ask.start()]):
            continue  # the detail is asked of something else ("…3家上市企业，牵头单位是哪个")
        measure = m.group(3)
        for k in range(min(len(run.group(0)), MAX_NAME), _MIN_DETAIL_NOUN - 1, -1):
            noun = run.group(0)[:k]
            counted = re.compile(rf"({_COUNT})(?:[-~—–－至]({_COUNT}))?{measure}(?:左右|多|余)?的?"
                                 rf"(?:[^，。；,;]{{0,{_MODIFIER}}}的)?{re.escape(noun)}")  # "3—5个具有…基础的大学创新港"
            places = []
            for clause, text in texts:
                if noun not in text:
                    continue
                for sentence in sentences(clause):
                    plain = _plain(sentence.text)
                    for hit in counted.finditer(plain):
                        lo = parse_number(hit.group(1))
                        hi = parse_number(hit.group(2)) if hit.group(2) else lo
                        if lo is not None and hi is not None and lo <= stated <= hi:
                            places.append((plain, hit, sentence))
            if not places:
                continue
            for plain, hit, _ in places:
                tail, head = plain[hit.end():], plain[:hit.start()]
                if rule("count_detail").search(tail) or re.search(rf"(?:{rule('count_named').pattern})$", head):
                    return None  # the plan goes on to give the detail, or names what it counts
                if ask is breakdown and re.search(rf"(?:{_COUNT}){measure}", tail):
                    return None  # a further count of the same measure may be the part asked for
            plain, hit, sentence = places[0]
            gives_no = "分项数字" if ask is breakdown else "具体名称或所属领域"
            asked = _first_sentence(question[m.start():]).replace(",", "，")
            return Contradiction(asked, hit.group(0), sentence, gives_no)
    return None


_ZONE_PREFIX = 2  # characters before a sub-area word that make it one zone's name (临港开发区, not 开发区)


_COUNT_ASK = re.compile(rf"(?:几|多少)[{COUNT_MEASURES}处片]")
_INDEFINITE = re.compile(r"(?:若干|一批|一些|多个|数个)[^，。；,;]{0,6}$")  # "分片建设若干“海智湾”…": no number
_DEFINITE = COUNT_MEASURES.replace("批", "") + "处片大"  # measures of a number (一批 is "several"; 四大 counts)


def _indefinite_count(question: str, texts, joined: str, figures=lambda: ()) -> Contradiction | None:
    """"要建几个“海智湾”国际人才街区" where every sentence of the plan that writes the thing counts it only as 若干 /
    一批 (…在全市分片建设若干“海智湾”国际人才街区) and the plan counts neither it nor any thing its name joins with a
    number anywhere, nor does the figure layer (`figures`, called only for such a question): the plan gives no count,
    and the answer says what it does write."""
    m = _COUNT_ASK.search(question)
    if m is None:
        return None
    rest = _first_sentence(question[m.end():])
    name = _longest([rest[:k] for k in range(3, min(len(rest), MAX_NAME) + 1)], joined, least=3)
    if name is None:
        return None
    indefinite: tuple[str, Span] | None = None
    for sentence, plain in _sentences_naming(name, texts):
        for hit in re.finditer(re.escape(name), plain):
            if vague := _INDEFINITE.search(plain[max(0, hit.start() - 12):hit.start()]):
                indefinite = indefinite or (vague.group(0) + name, sentence)
    if indefinite is None:
        return None
    # the thing, or each thing its name joins (概念验证中心和中试平台), may be counted with a number anywhere, before
    # or after it (建成概念验证中心15家、中试平台20家), or by the figure layer
    parts = [p for p in re.split(r"[和及与、]", name) if len(p) >= 2]
    for part in parts:
        counted = re.compile(rf"(?:{_COUNT})[{_DEFINITE}][^，。；,;]{{0,6}}{re.escape(part)}|{re.escape(part)}(?:{_COUNT})[{_DEFINITE}]")
        if any(counted.search(text) for _, text in texts):
            return None
    if any(f.subject and any(p in _plain(f.subject) for p in parts) for f in figures()):
        return None
    return Contradiction(_first_sentence(question[m.start():]), indefinite[0], indefinite[1], "具体数量")


def _basis_contradiction(question: str, texts, joined: str) -> Contradiction | None:
    """"南理工江阴创新港是依托东南大学建设的吧" where every sentence of the plan that writes the named thing with a
    basis (依托南京理工大学江阴校区，…建成…南理工江阴创新港) gives another one and none writes the asked basis."""
    basis = rule("basis").pattern
    m = re.search(rf"(?:{basis})(?P<on>[\u4e00-\u9fff]{{2,16}}?)(?=(?:{rule('basis_end').pattern}))", question)
    if m is None:
        return None
    head = question[:m.start()].removesuffix("是").removesuffix("都")
    name = _named_before(head + "。", len(head), joined, least=MIN_NAME) if head else None
    asked = m.group("on")
    if name is not None and name.startswith("的"):
        name = name[1:]  # "江阴的南理工江阴创新港": the plan writes "…为一体的南理工江阴创新港"
    if name is None or len(name) < MIN_NAME or asked in name or re.search(r"哪|什么|谁|啥", asked):
        return None
    written: tuple[str, Span] | None = None
    for sentence, plain in _sentences_naming(name, texts):
        if asked in plain:
            return None  # the plan writes the asked basis beside it
        on = re.search(rf"(?:{basis})([^，。；,;、]{{2,20}})", plain)
        if on is not None and written is None:
            written = (on.group(0), sentence)
    if written is None:
        return None
    return Contradiction(f"{name}{m.group(0)}", written[0], written[1])


def _zones(text: str) -> list[str]:
    """The zone names a text writes, in order: a sub-area word with the characters right before it (临港开发区), not a
    level (省级经开区)."""
    words, levels = _alt(entries("sub_area")), _alt(w for w, _ in _levels())
    found = (m.group(0) for m in re.finditer(rf"[\u4e00-\u9fff]{{{_ZONE_PREFIX}}}(?:{words})", text))
    return [z for z in found if not re.search(levels, z) and z[_ZONE_PREFIX - 1] != "级"]


def _aim_owner(question: str, texts, joined: str) -> Contradiction | None:
    """"江阴高新区三年内创成国家级经开区" where the plan writes that aim (创成/争创/以…为目标 + 国家级经开区) only in clauses
    about another zone (全面提升临港开发区创新能级 … 三年内，创成国家级经开区) that never name the asked zone, and never
    writes the aimed status beside the asked zone: the plan gives the aim to the other zone."""
    claim = rule("aim_claim").search(question)
    if claim is None:
        return None
    words = _alt(entries("sub_area"))
    head = question[:claim.start()]
    zone = next((m for m in reversed(list(re.finditer(words, head)))), None)
    if zone is None:
        return None
    asked = _longest([head[i:zone.end()] for i in range(max(0, zone.start() - 4), zone.start() + 1)], joined, least=3)
    rest = question[claim.end():]
    kind = _longest([rest[:k] for k in range(MIN_NAME, min(len(rest), MAX_NAME) + 1)], joined)
    if asked is None or kind is None:
        return None
    planned = rule("status_planned")
    aims: list[tuple[object, str, re.Match]] = []
    for clause, text in texts:
        if kind not in text:
            continue
        headings = _plain("\n".join(reversed(getattr(clause, "section", ()) or ())))  # the clause's own heading first
        if asked in text or asked in headings:
            return None  # the plan writes the status beside the asked zone
        for hit in re.finditer(re.escape(kind), text):
            cue = planned.search(text[max(0, hit.start() - _NEAR):hit.end()])
            if cue is not None:
                aims.append((clause, text, hit, headings))
    if not aims:
        return None
    owners = []
    for clause, text, hit, headings in aims:
        others = [z for z in _zones((headings + "\n" + text).replace(kind, "|")) if asked not in z and z not in asked]
        if not others:
            return None  # an aim no other zone owns
        owners.append((clause, text, hit, others[0]))
    clause, text, hit, owner = owners[0]
    span = next((s for s in sentences(clause) if kind in _plain(s.text)), None)
    if span is None:
        return None
    start = max(0, hit.start() - _NEAR)
    cue = start + planned.search(text[start:hit.end()]).start()
    aim = text[max(text.rfind(",", 0, cue), text.rfind("，", 0, cue), text.rfind("。", 0, cue)) + 1:hit.end()]
    return Contradiction(asked + claim.group(0) + kind, f"{owner}：{aim}", span)


_GROUPING = re.compile(r"\d+(?:\+(?:\d+|[A-Za-z]))+")  # a grouping label: "3+1+1", "1+N"
_LABEL_NEAR = 10  # characters after a label in which a plan opens its members (：, （, 即, 包括 …)


def _grouping_not_listed(question: str, texts) -> Contradiction | None:
    """"连云港高新区的“3+1+1”产业体系具体是哪几个产业" where the plan writes the label but nowhere lists its members
    (no "A、B等“1+3”产业领域" before it, no colon, bracket or 即/包括 right after it): the plan gives the label only."""
    for label in _GROUPING.finditer(question):
        if rule("identity_ask").search(question, label.end()) is None:
            continue
        places = []
        for clause, text in texts:
            for sentence in sentences(clause) if label.group(0) in text else ():
                plain = _plain(sentence.text)
                for hit in re.finditer(rf"(?<![\d+]){re.escape(label.group(0))}(?![\d+])", plain):
                    if re.search(rf"(?:{rule('count_named').pattern})$", plain[:hit.start()]) or \
                            rule("count_detail").search(plain[hit.end():hit.end() + _LABEL_NEAR]):
                        return None  # the plan names the members
                    places.append((plain, hit, sentence))
        if places:
            plain, hit, sentence = places[0]
            piece_start = max(plain.rfind(",", 0, hit.start()), plain.rfind("，", 0, hit.start())) + 1
            piece_end = min((i for i in (plain.find(",", hit.end()), plain.find("，", hit.end())) if i >= 0), default=len(plain))
            asked = _first_sentence(question[label.start():])
            return Contradiction(asked, plain[piece_start:piece_end].rstrip("。"), sentence, "其具体组成")
    return None


def contradiction(ctx: Context) -> Contradiction | None:
    """The first qualifier of the question that the asked plans contradict, or None."""
    docs = _docs(ctx)
    texts = [pair for d in docs for pair in _plan_texts(ctx.corpus, d)]
    if not texts:
        return None
    joined = "\n".join(_plan_joined(ctx.corpus, d) for d in docs)
    # a follow-up's premise is read with the subject the conversation gives it ("这个实验室已经建成了吧？")
    question = _plain(ctx.query.text if ctx.query.followup else (ctx.query.original or ctx.query.text))
    # the figure layer is read only for a question that states a count (most questions state none)
    figures = [f for d in docs for f in ctx.corpus.figures_of(d)] if _STATED_COUNT.search(question) else []
    return (_uniqueness_contradiction(question, texts, joined) or _level_contradiction(question, texts, joined)
            or _status_contradiction(question, texts, joined) or _predicative_level(question, texts, joined)
            or _predicative_aim(question, texts, joined) or _said_level(question, texts, joined)
            or _rank_contradiction(question, texts, joined) or _year_contradiction(question, texts, joined)
            or _undated_event(question, texts, joined)
            or _count_contradiction(question, texts, joined, figures) or _detail_not_given(question, texts)
            or _indefinite_count(question, texts, joined, lambda: [f for d in docs for f in ctx.corpus.figures_of(d)])
            or _aim_owner(question, texts, joined) or _grouping_not_listed(question, texts)
            or _basis_contradiction(question, texts, joined))


_STATED_UNIT = "|".join(map(re.escape, sorted({*UNITS, *COUNT_MEASURES}, key=len, reverse=True)))  # 万平方米, 位 …


def unborne_number(ctx: Context, answer: Answer) -> Contradiction | None:
    """"江阴高新区要…每年上升10位，是吧" answered by a passage that says 每年上升5位: a number the question states as its
    premise (asking to confirm it, or 既然/听说…) with a measure word, where the answer's quotes state numbers with that
    measure and none is the stated one. For the composers that quote passages, not figures (a figure answer holds
    numbers against its own windows)."""
    question = _premise_asked(ctx)
    if question is None:
        return None
    for stated in ctx.query.numbers:
        m = re.search(rf"(?<![\d.]){re.escape(stated)}\s*(?P<unit>{_STATED_UNIT})", question)
        value = parse_number(stated)
        if m is None or value is None:
            continue
        # "500万平方米" against "超300万平方米": the numbers before the same unit, their 万/亿 read
        written = [(c, x) for c in answer.citations
                   for x in re.finditer(rf"({STATED_NUMBER.pattern})\s*{re.escape(m.group('unit'))}", c.quote)]
        if written and not any(abs((parse_number(x.group(1)) or 0.0) - value) < 1e-9 * max(1.0, value) for _, x in written):
            citation, x = written[0]
            span = ctx.span_of(citation)
            piece = re.split(r"[，,；;。]", citation.quote[:x.start()])[-1] + citation.quote[x.start():x.end()]
            if span is not None:
                return Contradiction(stated + m.group("unit"), piece.strip(), span)
    return None


def _premise_asked(ctx: Context) -> str | None:
    """The question when it states a premise to be confirmed (…是吧, 既然/听说/规划说…) or states a number before
    asking something else, else None."""
    question = ctx.query.original or ctx.query.text
    if rule("confirm_ask").search(question) or rule("premise_frame").search(question):
        return question
    # "南京要在2025年建成500万平方米的城市硅巷，这个怎么推进？": a number stated before the ask, the ask no figure's
    pieces = re.split(r"[，,；;]", question)
    stated = len(pieces) >= 2 and any(re.search(r"\d", p) for p in pieces[:-1])
    return question if stated and not rule("figure_ask").search(question) else None


_EVENT_GAP = 8  # characters between a year and the event it dates ("2025年基本完成建设", "2023年就建成投用")


@lru_cache(maxsize=1)
def _dated_event() -> re.Pattern:
    """A year and, a few characters on, an event it dates (the `event_*` words)."""
    events = "|".join(rule(name).pattern for name in EVENT_RULES)
    return re.compile(rf"({YEAR_DIGITS})\s*年[^，,。；;？?]{{0,{_EVENT_GAP}}}?(?:{events})")


def _piece_naming(run: str, sentence: Span) -> Span:
    """The comma-piece of `sentence` that writes `run` (the thing the question and the plan both name)."""
    at = sentence.text.find(run)
    start = max((sentence.text.rfind(c, 0, at) for c in "，,；;：:"), default=-1) + 1
    ends = [e for e in (sentence.text.find(c, at + len(run)) for c in "，,；;。") if e >= 0]
    end = min(ends) if ends else len(sentence.text)
    offset = sentence.char_start
    return Span(sentence.clause, offset + start, offset + end, sentence.text[start:end])


def citation_overlaps(sentence: Span, answer: Answer) -> bool:
    """Whether one of the answer's citations lies in `sentence` (the sentence the answer quoted, not its neighbours)."""
    return any(c.doc_id == sentence.clause.doc_id and c.char_start < sentence.char_end and sentence.char_start < c.char_end
               for c in answer.citations)


def unborne_year(ctx: Context, answer: Answer) -> Contradiction | None:
    """"…规划说2023年就建成投用了？" answered by passages whose clause dates that event another year ("2025年基本完成建设
    工程"): a year the question states of an event as its premise, where the cited clauses date events and never that
    year — or date none, never name that year and it is not the plan's horizon (the piece naming the thing is quoted).
    For the composers that quote passages (a figure answer holds years against its own windows)."""
    question = _premise_asked(ctx)
    dated = _dated_event()
    m = dated.search(question) if question is not None else None
    if m is None:
        return None
    clauses = dict.fromkeys(span.clause for c in answer.citations if (span := ctx.span_of(c)) is not None)
    cited = [sentence for clause in clauses for sentence in sentences(clause)]
    written = [(x, sentence) for sentence in cited for x in dated.finditer(sentence.text)]
    if written:
        if any(x.group(1) == m.group(1) for x, _ in written):
            return None
        x, sentence = written[0]
        return Contradiction(m.group(0), x.group(0), sentence)
    # "规划里说2023年要建成…，对吗" where the clauses on it date nothing and never name that year, nor is it the plan's
    # horizon (by which every aim of it is set): the plan gives no such year
    horizons = {str(y[-1]) for s in cited if (y := years_in(ctx.corpus.docs[s.clause.doc_id].period))}
    if cited and m.group(1) not in horizons and not any(m.group(1) in s.text for s in cited):
        runs = [(_inside(question, s.text) or "", s) for s in cited]  # the thing each sentence names of the question's
        run, best = max(runs, key=lambda t: (len(t[0]), citation_overlaps(t[1], answer)))
        if run:
            piece = _piece_naming(run, best)
            return Contradiction(m.group(0), " ".join(piece.text.split()), piece, "这一年份")
    return None


def check(ctx: Context) -> Answer | None:
    """A refusal that quotes the plan's wording when the question's premise contradicts it, else None."""
    found = contradiction(ctx)
    return None if found is None else refusal(ctx, found)


def refusal(ctx: Context, found: Contradiction) -> Answer:
    """The refusal for a contradicted premise (or a detail the plan does not give), quoting the plan's sentence."""
    city = ctx.city_of(found.span.clause.doc_id) or ctx.title_of(found.span.clause.doc_id)
    if found.gives_no:
        return refuse(ctx, f"“{found.asked}”的答案（{city}规划只写了“{found.written}”，未给出{found.gives_no}）",
                      (f"{city}规划原文：{' '.join(found.span.text.split())}", found.span))
    return refuse(ctx, f"“{found.asked}”这一说法（{city}规划写的是“{found.written}”）",
                  (f"{city}规划原文：{' '.join(found.span.text.split())}", found.span))
