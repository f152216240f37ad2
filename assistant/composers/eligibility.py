"""Eligibility: which measures of a plan fit the asker, and on what conditions.

The asker's kind (高新技术企业, 孵化器运营机构, 外籍专家 …) comes from the question or the
profile. A measure is a sentence with a form of support (支持, 奖励, 优先, 放宽 …) that
names that kind or covers much of what the user asks about (住房, 融资 …); measures
are scored by topic coverage (`TopicScorer`) plus a bonus for naming the asker's kind, and
only the window of the sentence that carries them is quoted. Conditions ("经认定的…",
"对首次认定的…", "符合条件的…") are quoted and marked met / not met / unknown from what the user
said, never guessed; amounts or thresholds the plan leaves open are said to be open.

A profile's free text is what the user *told*, not what they *ask*: it informs condition status
only, so an instruction or a figure pasted into it cannot steer retrieval or cause a refusal. Words
that every eligibility question uses (支持, 政策, 享受 …) are not its topic: a generic question
("可以享受哪些支持？") is about its subject, and measures are ranked by whether the subject is the
one who receives the support ("支持新型研发机构申报…", "对…科技型中小企业的财政支持").

A need (融资, 人才 …) is a set of topics of the policy taxonomy (index/resources/topics.tsv); a need in the
user's own words (容错保障, 高企认定) is the topics those words name, and its words rank its measures; an asker's
kind may weigh a listed need's topics (a talent's 人才: being attracted and served above workforce training). A need's
measures come from the clauses labelled with its topics, the clauses about the asker's kind and those a search
finds, scored alike (`need_candidates`: the clause's label strength, its section naming the asker's kind, the
need's terms, what the question asks, less for a section's introduction or the government's own organisation)
and listed first, need by need. Without a stated need, the question's topics are its needs (a field of work,
数字经济, says who the user is), and for a free question the topic of the section its best measure stands in
too. A task row of a work plan offers what its goal cell says; measures of several plans name their city. A
question with no measure by its needs or words is answered from its subject's topic before it is refused.
Every word list is data (index/resources/eligibility.tsv).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context, past_context, target_context
from assistant.composers.refusal import refuse
from assistant.composers.scoring import TopicScorer
from assistant.composers.windows import join, windows
from assistant.contract import ChecklistItem, ConditionCheck, Profile
from assistant.evidence import Span, sentences, shown
from assistant.query import normalize, topic_of
from ingest.records import Clause
from index.topics import LABEL_AT, index_topics, question_topics, read_topics, terms_pattern, topic_named
from ingest.sentences import FULL_STOPS, sentence_spans, split_sentences

ELIGIBILITY_WORDS = Path(__file__).resolve().parents[2] / "index" / "resources" / "eligibility.tsv"
_LISTS = ("subject", "support", "benefit", "qualifier", "generic", "asks_amount", "need", "not_measure", "spending", "object_verb",
          "object_join", "applicant", "accepts", "target_verb", "target_time", "own_task", "sector", "kind_need")


@lru_cache(maxsize=1)
def vocabulary(path: Path = ELIGIBILITY_WORDS) -> dict[str, list[tuple[str, str]]]:
    """The data file's lists: list name → [(entry, value)], in file order; a malformed row is an error naming its line."""
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in _LISTS}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3 or cols[0] not in out or cols[2] not in ("genre", "frame", "synonym") or not cols[1].strip():
            raise ValueError(f"{path}:{n}: expected list<TAB>entry<TAB>genre|frame|synonym<TAB>value, list one of {', '.join(_LISTS)}")
        out[cols[0]].append((cols[1].strip(), cols[3].strip() if len(cols) > 3 else ""))
    return out


def _alternation(name: str) -> re.Pattern:
    return re.compile("|".join(re.escape(e) for e, _ in sorted(vocabulary()[name], key=lambda t: -len(t[0]))))


def _subjects() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for alias, subject in vocabulary()["subject"]:
        out.setdefault(subject, []).append(alias)
    return {s: tuple(a) for s, a in out.items()}


# subject → aliases a sentence or a question may use
SUBJECTS: dict[str, tuple[str, ...]] = _subjects()
# a form of support: a sentence with one offers a measure
SUPPORT = _alternation("support")
_PUNCT = "，,。；;：:！？!?"
# Conditions a measure puts on who gets it, at the start of a clause piece: "对首次认定的高新技术企业"
# (not "加大对…的支持", where 对 only names the beneficiary), "符合条件的", "经认定的", "首次认定的".
CONDITION = re.compile(
    rf"(?:(?<=^)|(?<=[{_PUNCT}\s])|(?<=[并均可将则]))(?:对|凡)(?P<who>[^{_PUNCT}对]{{2,100}}?的[^{_PUNCT}的]{{1,12}}?)"
    rf"(?=给予|实施|开辟|予以|优先|在|可|按|实行|由|纳入|进行|提供|[{_PUNCT}]|$)"
    rf"|(?P<plain>符合[^{_PUNCT}]{{0,20}}?条件的|经[^{_PUNCT}]{{2,20}}?(?:认定|评定|备案)的|首次(?:认定|获批|入选)[^{_PUNCT}]{{0,12}}?的)"
)
# A support word (or 对/面向/为) whose object is the subject: directly ("支持新型研发机构") or as
# a member of a list ("奖励高校院所、新型研发机构", "对…、科技型中小企业的").
BENEFIT = _alternation("benefit")
# what may stand between the support word and the subject for it to be the direct object ("支持符合条件的新型研发机构")
QUALIFIER = re.compile(f"(?:{_alternation('qualifier').pattern})*")  # one or more in a row: 新建的省级及以上
GENERIC = _alternation("generic")
# a sentence that names who carries a task out ("（责任单位：…）"), not a measure anyone applies for
NOT_MEASURE = _alternation("not_measure")
# the government's own spending ("加大财政科技投入"): not a measure unless it names whom it supports
SPENDING = _alternation("spending")
# Who a measure is for: the applicant kinds its support word acts on (object_verb, applicant lists), and which of
# those kinds are an asker's own (accepts). A measure addressed only to other kinds is for someone else.
OBJECT_VERB = _alternation("object_verb")
APPLICANT = _alternation("applicant")
APPLICANT_KIND: dict[str, str] = dict(vocabulary()["applicant"])
ACCEPTS: dict[str, frozenset[str]] = {s: frozenset(k for k in v.split("|") if k) for s, v in vocabulary()["accepts"]}
OBJECT_VERB_AT = 4  # how far into a clause piece its support word may stand (after 大力, 积极 …)
OBJECT_AT = 8  # how far after the support word its object may begin (after 符合条件的, 一批 …)
# what joins two applicants of one object ("企业联合高校", "高校、符合条件的企业")
OBJECT_JOIN = re.compile(rf"(?:{_alternation('object_join').pattern})[^{_PUNCT}]{{0,14}}")
# A target ("到2025年，新增高层次人才500人"): a target verb with a figure after it in a sentence with a time frame.
TARGET = re.compile(rf"(?:{_alternation('target_verb').pattern})[^{_PUNCT}]{{0,16}}?\d")
TARGET_TIME = _alternation("target_time")
# a support word with an applicant right after it: what a target serving applicants ("为15家农业企业联系贷款") has
SERVES = re.compile(rf"(?:{BENEFIT.pattern})[^{_PUNCT}]{{0,8}}?\d[^{_PUNCT}]{{0,6}}?(?:{APPLICANT.pattern})")
# the government's own organisation and management (领导小组, 管理职能): not what an applicant receives
OWN_TASK = _alternation("own_task")
BENEFIT_DIRECT, BENEFIT_LISTED = 0.2, 0.1
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(万元|亿元|元|%|倍)")
ASKS_AMOUNT = _alternation("asks_amount")
MAX_MEASURES = 3
PER_NEED = 9  # measures shown for each need the user states (more find more gold measures at lower precision: eval/README.md)
# Each need a profile may state (the UI's list) and the taxonomy topics (index/resources/topics.tsv) it is.
NEEDS: dict[str, tuple[str, ...]] = {need: tuple(t for t in topics.split("|") if t) for need, topics in vocabulary()["need"]}
# A listed need as an asker of one kind has it (value "need=topic|topic:weight", weight 1 unless given): a talent's
# 人才 is above all being attracted and served (人才引进, 人才服务与安居); training a workforce (人才培养与评价),
# as much an employer's 人才, counts for less. A topic's weight scales how strongly its clauses are on the need.
KIND_NEEDS: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    (kind, need.strip()): tuple((t.partition(":")[0], float(t.partition(":")[2] or 1)) for t in topics.split("|") if t)
    for kind, value in vocabulary()["kind_need"] for need, _, topics in [value.partition("=")]}
if _bad := [f"{k} {n}" for k, n in KIND_NEEDS if k not in SUBJECTS or n not in NEEDS]:
    raise ValueError(f"{ELIGIBILITY_WORDS}: kind_need rows name an unknown subject or need: {'; '.join(_bad)}")
_unknown = [t for topics in [*NEEDS.values(), *([t for t, _ in w] for w in KIND_NEEDS.values()),
                             [t for t, _ in vocabulary()["sector"]]] for t in topics
            if t not in {x.name for x in read_topics()}]
if _unknown:
    raise ValueError(f"{ELIGIBILITY_WORDS}: needs name topics the taxonomy does not have: {'、'.join(_unknown)}")
# Topics that name who the applicant is rather than what they need (高新技术企业, 科技型中小企业): the subject does that.
_ACTOR_TOPICS = {"企业梯次培育"}
# Topics that are fields of work (数字经济, 海洋): a question naming one says what the user does, not what they need.
SECTORS = frozenset(t for t, _ in vocabulary()["sector"])
SUBJECT_BONUS = 0.15
NAMED_BONUS = 0.08  # a need's measure that names the asker's kind
KEEP_RATIO = 0.6
LENGTH_COST = 0.0005
WHOLE_BELOW = 220  # a sentence this short is quoted whole; of a longer one, the window that carries the measure
MAX_PIECES = 4
# A need's measures: a sentence this short is quoted whole (its comma-pieces are the plan's measures, one after
# another), of a longer one the run of up to NEED_PIECES pieces with the need's words; in a clause labelled with
# the need this strongly (its section title names the need) a sentence needs no support word to be a measure.
WHOLE_NEED = 160
NEED_PIECES = 6
STRONG_LABEL = 2.0
STRENGTH_WEIGHT = 0.3
SEARCH_K = 30  # clauses a search for a need's words and the question adds to the clauses its topics label
ASKED_AT = 0.5  # a sentence covering this share of what the user asks is on their need without the need's terms
AMOUNT_BONUS = 0.05  # a measure that states a sum or rate
KIND_SECTION = 0.5  # a measure under a title or caption naming the asker's kind ("新型研发机构提质增效工程")
FOCUS_WEIGHT = 0.5  # how much covering what the question asks ranks a need's measures
ASKED_WEIGHT = 1.0  # the same, for a need read from the question itself (no stated need)
OWN_WEIGHT = 0.8  # how much covering the user's own words for a need ranks its measures
OWN_TASK_COST = 0.12  # a sentence about the government's own organisation (领导小组, 管理职能) ranks lower
# How the features of a need's candidate sentence weigh, besides the need's terms (0.1 each), the clause's label strength
# and what the question asks (set by hand, in the proportions a logistic fit of the eligibility gold's candidates gave):
SUPPORT_BONUS = 0.12  # the sentence has a form of support itself
NAMED_PROGRAMME = 0.05  # it names a programme, product or platform in quotes (“苏科贷”)
INTRO_COST = 0.1  # it is in a section's introduction (a section with sub-sections): the general aims, not measures
ABOUT_COST = 0.08  # its clause is reached only by naming the asker's kind, not by being about the need
FIRST_COST = 0.06  # it opens its clause, where plans state a principle or aim
NEED_MARGIN = 0.35  # a need's measures scoring this far below its MARGIN_FROM-th best (counted from 0) are left out
MARGIN_FROM = 2
ASKED_MARGIN = 1.0  # the same, for a need read from the question: its words rank, so fewer measures are left out
LEAD_AT = 24  # a clause's first sentence this short, without a comma, is its lead phrase (a title of what follows)


@dataclass(frozen=True)
class Condition:
    text: str
    status: str  # "met" | "not met" | "unknown"


def subjects_in(text: str) -> list[str]:
    return [s for s, aliases in SUBJECTS.items() if any(a in text for a in aliases)]


def canonical(text: str) -> str:
    """`text` with each subject's aliases written as the subject (高企培育库 → 高新技术企业培育库), without 的."""
    text = normalize(text)
    for subject, aliases in SUBJECTS.items():
        for a in sorted(aliases, key=len, reverse=True):
            if len(a) >= 2 and a != subject and a not in subject:
                text = text.replace(a, subject)
    return text.replace("的", "")


def conditions_in(text: str) -> list[str]:
    """The clean condition phrases of a measure ("首次认定的高新技术企业", "符合条件的"), exact substrings of it."""
    return [(m.group("who") or m.group("plain")) for m in CONDITION.finditer(text)]


_NEGATION = re.compile(r"不是|并非|尚未|还没有?|没有|未能?|不")
_VERBS = re.compile(r"^(被|已|已经)?(列入|纳入|进入|进了|认定为|成为|获批|入选|属于|是)")


def condition_status(condition: str, told: str) -> str:
    """Met only when the user's words state the whole condition; not met when they deny it; else unknown.

    A condition is "stated" when every character pair of its qualifier (after aliases are written
    the same way, 高企 = 高新技术企业) occurs in what the user told; "符合条件的" names nothing the
    user could state, so it stays unknown. Denied: a negation right before a stated part.
    """
    qualifier = condition.rsplit("的", 1)[0] if condition.count("的") and not condition.endswith("的") else condition
    core = _VERBS.sub("", canonical(qualifier).removesuffix("条件").strip())
    if not core or condition.startswith("符合") and "条件" in condition and len(core) <= 4:
        return "unknown"
    said = canonical(told)
    grams = {core[i:i + 2] for i in range(len(core) - 1)} or {core}
    parts = [p for p in re.split(r"[、和及与或]", core) if len(p) >= 2]
    for part in parts + [s for s in SUBJECTS if s in canonical(condition)]:
        for m in re.finditer(re.escape(part), said):
            if _NEGATION.search(said[max(0, m.start() - 8):m.start()].split("，")[-1]):
                return "not met"
    if all(g in said for g in grams):
        return "met"
    return "unknown"


def asking_part(text: str, profile: dict) -> str:
    """The question without the sentences of the profile's free text (which inform condition status only)."""
    free = normalize(str(profile.get("text") or "")).replace(" ", "")
    if not free:
        return text
    kept = [s for s in split_sentences(text, FULL_STOPS) if normalize(s).strip(" " + FULL_STOPS).replace(" ", "") not in free]
    return "".join(kept)


def specific_topic(topic: str) -> str:
    """The topic without pieces that only say "support" (支持政策, 享受): what is left is what the user asks about."""
    return " ".join(p for p in topic.split() if len(GENERIC.sub("", p)) >= 2)


def _pieces(text: str) -> list[str]:
    return [p for p in re.split(rf"[{_PUNCT}]", text) if p.strip(" *")]


def addressed_to(piece: str) -> set[str]:
    """The applicant kinds a clause piece's opening support word acts on ("鼓励龙头骨干企业、高校院所围绕…" → 大企业,
    高校院所): the applicants named right after it and those joined to them (、 和 联合 …); empty when it opens otherwise."""
    verb = OBJECT_VERB.search(piece[:OBJECT_VERB_AT + 4])
    if not verb or verb.start() > (OBJECT_VERB_AT if len(verb.group()) > 1 else 0):
        return set()  # a one-character preposition (对, 为) after a verb is that verb's ("加强对孵化器…的考核")
    kinds: set[str] = set()
    end, first = verb.end(), True
    for m in APPLICANT.finditer(piece, end):
        gap = piece[end:m.start()]
        if (len(gap) > OBJECT_AT) if first else (gap and not OBJECT_JOIN.fullmatch(gap)):
            break
        kinds.add(APPLICANT_KIND[m.group()])
        end, first = m.end(), False
    return kinds


def names_kind(text: str, aliases: tuple[str, ...], subjects: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether `text` names the asker's kind by one of its aliases, not as part of an applicant name of another kind
    that runs past it (科技型企业 of 科技型企业家, whose 企业家 is another kind)."""
    accepted = frozenset().union(*(ACCEPTS.get(s, frozenset()) for s in subjects)) if subjects else frozenset()
    others = [(m.start(), m.end()) for name, kind in APPLICANT_KIND.items() if accepted and kind not in accepted
              for m in re.finditer(re.escape(name), text)]
    for a in aliases:
        for m in re.finditer(re.escape(a), text):
            if not any(s < m.end() and m.start() < e and (s < m.start() or e > m.end()) for s, e in others):
                return True
    return False


def for_others(text: str, subjects: list[str] | tuple[str, ...]) -> bool:
    """Whether the measure `text` is addressed to other kinds of applicant only than the asker's (a university's
    measure shown to a startup, 企业家 training to a returnee scientist): its lead piece says whom it is for. False
    when the asker's kind or the object is unknown."""
    accepted = frozenset().union(*(ACCEPTS.get(s, frozenset()) for s in subjects)) if subjects else frozenset()
    pieces = _pieces(text)
    if not accepted or not pieces:
        return False
    kinds = addressed_to(pieces[0])
    return bool(kinds) and not kinds & accepted


# a piece that ends in a figure and its unit ("重点建设外国专家工作室10家")
_FIGURE_END = re.compile(rf"\d+(?:\.\d+)?\s*[^\d{_PUNCT}\s]{{0,4}}?(?:以上|左右)?\s*$")


def _target_piece(piece: str) -> bool:
    """A piece of a target: a target verb with its figure, a figure at its end, or a time frame."""
    return bool(TARGET.search(piece) or _FIGURE_END.search(piece)
                or TARGET_TIME.search(piece) and (re.search(r"\d", piece) or len(piece) <= 8))


def not_offered(text: str, sentence: str = "") -> bool:
    """Nothing to apply for: a task assignment (责任单位), a statement of the government's own spending
    (加大财政科技投入) leading it or naming no applicant, or a target — pieces that all set figures, one with a target
    verb, or a window led by target pieces ("到2025年，新增…500人"), half of them or more, in a sentence with a time
    frame — unless it serves applicants by name. `sentence` is the sentence `text` is quoted from."""
    pieces = _pieces(text)
    if NOT_MEASURE.search(text) or not pieces:
        return True
    if SPENDING.search(pieces[0]) or SPENDING.search(text) and not any(addressed_to(p) for p in pieces):
        return True
    if SERVES.search(text):  # a figure of a service to applicants ("每年为15家农业企业联系贷款…") is an offer
        return False
    targets = [_target_piece(p) for p in pieces]
    if all(targets) and any(TARGET.search(p) for p in pieces):
        return True
    return bool(TARGET_TIME.search(sentence or text) and targets[0] and 2 * sum(targets) >= len(targets))


# Field names clients send besides the Profile model's own: a profile dict passed to `ask` directly is read under them.
TYPE_FIELDS = ("entity_type", "applicant_type")
NEED_FIELDS = ("needs", "need")


def applicant_type(profile: dict) -> str:
    """The profile's applicant type under any name the Profile model accepts for it (type, enterprise_type) or a
    client sends (entity_type)."""
    alias = Profile.model_fields["type"].validation_alias
    names = [*(getattr(alias, "choices", None) or ["type"]), *TYPE_FIELDS]
    return next((str(profile[n]).strip() for n in names if isinstance(n, str) and profile.get(n)), "")


def stated_needs(profile: dict) -> list[str]:
    """The needs a profile states, as written: a list or one string ("融资、人才"), under needs or need."""
    raw = next((profile[n] for n in NEED_FIELDS if profile.get(n)), [])
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out = [p.strip() for item in items if isinstance(item, str) for p in re.split(r"[、，,；;/]", item)]
    return list(dict.fromkeys(p for p in out if p))


def beneficiary(text: str, aliases: tuple[str, ...]) -> float:
    """How plainly `text` makes the subject the one who receives support (see BENEFIT)."""
    best = 0.0
    for a in aliases:
        for m in re.finditer(re.escape(a), text):
            before = text[max(0, m.start() - 60):m.start()]
            before = re.split(rf"[{_PUNCT}]", before)[-1]
            verbs = list(BENEFIT.finditer(before))
            if not verbs:
                continue
            gap = before[verbs[-1].end():]
            if QUALIFIER.fullmatch(gap):
                best = max(best, BENEFIT_DIRECT)
            elif re.search(r"[、和及与]$", gap):
                best = max(best, BENEFIT_LISTED)
    return best


def measures(ctx: Context, scorer: TopicScorer, aliases: tuple[str, ...], cities: tuple[str, ...],
             asking: str | None = None, subjects: tuple[str, ...] = ()) -> list[tuple[float, Span]]:
    """Windows of sentences with a form of support that name the subject or cover the question, best first; not
    targets, spending statements or measures addressed to other kinds of applicant than `subjects`."""
    hits = ctx.search(f"{asking or ctx.query.text} {' '.join(aliases[:3])}", 30, cities)
    found: list[tuple[float, Span]] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        if hit.clause.kind == "heading" or past_context(hit.clause) or target_context(hit.clause):
            continue  # the review of the last period reports results and the targets section sets figures: neither offers support
        context = ctx.context(hit.clause)
        for sentence in sentences(hit.clause):
            if not SUPPORT.search(sentence.text) or _is_lead(hit.clause, sentence):  # a lead phrase is a title
                continue
            names = any(a in sentence.text for a in aliases)
            cover = scorer.coverage(sentence.text, context)
            if not names and cover < 0.4:
                continue
            best = max(
                ((scorer.coverage(w.text, context) + SUBJECT_BONUS * any(a in w.text for a in aliases)
                  + beneficiary(w.text, aliases) - LENGTH_COST * len(w.text), w)
                 for w in windows(sentence, MAX_PIECES, WHOLE_BELOW) if SUPPORT.search(w.text)
                 and not not_offered(w.text, sentence.text) and not for_others(w.text, subjects)),
                key=lambda t: t[0], default=None,
            )
            if best is None:
                continue
            key = (best[1].clause.doc_id, best[1].char_start)
            if key in seen:
                continue
            seen.add(key)
            found.append((best[0] + 0.05 / (1 + rank) + 0.05 * bool(AMOUNT.search(best[1].text)), best[1]))
    found.sort(key=lambda t: -t[0])
    return found


def _wants(asking: str) -> str:
    """What the user asks for: what they say they are ("我是刚引进的高层次人才") is not what they need ("住房方面有什么安排")."""
    return "，".join(p for p in re.split(r"[，,。；;！!]", asking) if not re.match(r"\s*(我|本|作为|身为)", p))


def needs_of(profile: dict, asking: str) -> list[str]:
    """The listed needs (NEEDS) the user states: the profile's, else those whose taxonomy topics the question names."""
    named = [n for n in stated_needs(profile) if n in NEEDS]
    if named:
        return named
    asked = {t for t, _ in _topics_named(_wants(asking))}
    return [n for n, topics in NEEDS.items() if asked & set(topics)]


@dataclass(frozen=True)
class Need:
    """What the user needs, as its answer groups it: a label (【融资】), the taxonomy topics it is, and the user's own
    words for it when it is not one of the listed needs ("容错保障"), which rank its measures."""

    label: str
    topics: tuple[str, ...]
    words: str = ""
    stated: bool = True  # False: read from the question, whose words then rank its measures more
    weights: tuple[tuple[str, float], ...] = ()  # topics that count for less than 1 for this asker (KIND_NEEDS)


@lru_cache(maxsize=512)
def _topics_named(text: str) -> tuple[tuple[str, float], ...]:
    """`question_topics` of a text, kept: the same need words and questions come back."""
    return tuple(question_topics(text))


def listed_need(need: str, subjects: tuple[str, ...] | list[str] = ()) -> Need:
    """A listed need as an asker of these kinds has it: its topics weighted as the first of their kinds that has the
    need its own way says (KIND_NEEDS), else the need's own topics (NEEDS), each of weight 1."""
    weighted = next((KIND_NEEDS[(s, need)] for s in subjects if (s, need) in KIND_NEEDS), None)
    if weighted is None:
        return Need(need, NEEDS[need])
    return Need(need, tuple(t for t, _ in weighted), weights=tuple((t, w) for t, w in weighted if w != 1.0))


def need_groups(profile: dict, asking: str, subjects: tuple[str, ...] | list[str] = ()) -> list[Need]:
    """The needs to answer, in the user's order. A listed need is its topics; a need in the user's own words is the
    taxonomy topics those words name (高企认定 → 企业梯次培育), and no group when they name none (its words still rank
    the measures, as part of what the user asks). Unless a listed need is stated, each further topic the question
    asks about (what it wants, not what the user says they are) is one."""
    out: list[Need] = []
    for need in stated_needs(profile):
        if need in NEEDS:
            out.append(listed_need(need, subjects))
        elif topics := tuple(t for t, _ in _topics_named(need)):
            out.append(Need(need, topics, need))
    if any(n in NEEDS for n in stated_needs(profile)):
        return out  # needs picked from the list are what the user wants; the question's other words describe them
    covered = {t for need in out for t in need.topics}
    wants = _wants(asking)
    topics = [t for t, _ in _topics_named(wants) if t not in _ACTOR_TOPICS and t not in covered
              and not _forms_in(t, wants) <= {f for c in covered for f in _forms_in(c, wants)}]
    if any(t not in SECTORS for t in topics):  # a field of work says who the user is, unless it is all they name
        topics = [t for t in topics if t not in SECTORS]
    asked: list[Need] = []  # a topic the question asks about that no stated need covers is a need too
    for topic in topics:
        label = next((n for n, ts in NEEDS.items() if topic in ts), topic)
        asked.append(Need(label, (topic,), stated=False))
    merged: dict[str, tuple[str, ...]] = {}
    for need in asked:
        merged[need.label] = merged.get(need.label, ()) + need.topics
    return out + [Need(label, topics, stated=False) for label, topics in merged.items() if label not in {n.label for n in out}]


def _forms_in(topic: str, text: str) -> set[str]:
    """The taxonomy forms (terms, synonyms) of `topic` that `text` uses."""
    t = topic_named(topic)
    norm = text.upper()
    return {f for f in (*t.terms, *t.synonyms) if f in norm} if t else set()


def _lead_phrase(clause: Clause, span: Span) -> Span | None:
    """The clause's short lead phrase ("助推企业“科创板”上市。", "加大…力度：") when `span` is the sentence right after it:
    the lead names what the measure is, so it is quoted with it."""
    first = sentences(clause)
    if len(first) < 2 or span.char_start <= first[0].char_start:
        return None
    lead = first[0]
    if len(lead.text) > LEAD_AT or re.search(r"[，,；;]", lead.text):
        return None
    between = clause.text[lead.char_end - clause.char_start: span.char_start - clause.char_start]
    return lead if not between.strip() else None


def _is_lead(clause: Clause, span: Span) -> bool:
    """A clause's short lead phrase followed by more of the clause: a title, not a measure of its own."""
    first = sentences(clause)
    return (len(first) > 1 and span.char_start == first[0].char_start and len(span.text) <= LEAD_AT
            and not re.search(r"[，,；;]", span.text))


def topic_measures(ctx: Context, need: Need, aliases: tuple[str, ...], cities: tuple[str, ...],
                   asking: str, subjects: tuple[str, ...] = (), focus: TopicScorer | None = None) -> list[Span]:
    """The best PER_NEED measures for one need (`need_candidates`), within NEED_MARGIN of the first, none overlapping."""
    scored = need_candidates(ctx, need, aliases, cities, asking, subjects, focus)
    out: list[Span] = []
    for score, span in scored:
        if score < scored[min(MARGIN_FROM, len(scored) - 1)][0] - (NEED_MARGIN if need.stated else ASKED_MARGIN):
            break
        if len(out) < PER_NEED and not any(_overlaps(span, o) for o in out):
            out.append(span)
    return out


def need_candidates(ctx: Context, need: Need, aliases: tuple[str, ...], cities: tuple[str, ...],
                    asking: str, subjects: tuple[str, ...] = (), focus: TopicScorer | None = None) -> list[tuple[float, Span]]:
    """Candidate measures for one need, best first. Its clauses: those the taxonomy labels with its topics (a clause
    under "完善金融支持创新体系" is 科技金融 even where it only names 投贷联动), those about the asker's kind, and those a
    search for the need and the question finds. Their sentences with a form of support (any sentence, where the
    clause's own title names the need) are ranked by one score: how strongly the clause is about the need, how many
    of its terms the sentence has, how much of what the user asks (`focus`) and of their own words for the need it
    covers, whether it names the asker's kind as the one supported — less for a section's introduction, its opening
    sentence or the government's own organisation. The quote is the window of the sentence that carries the measure."""
    topics = need.topics
    weight = dict(need.weights)
    words = terms_pattern(tuple(term for t in read_topics() if t.name in topics for term in t.terms)) if topics else None
    own = TopicScorer.for_words(need.words, ctx.corpus) if need.words else None
    labels = index_topics(ctx.corpus)
    intros = frozenset().union(*(_parents(ctx.corpus, d) for d in ctx.corpus.docs))

    focus_weight = FOCUS_WEIGHT if need.stated else ASKED_WEIGHT

    def relevance(text: str, context: str) -> float:
        return (focus_weight * (focus.coverage(text, context) if focus and focus.units else 0.0)
                + OWN_WEIGHT * (own.coverage(text, context) if own and own.units else 0.0))

    def on_need(text: str) -> bool:  # the need's terms, or much of what the user asks or calls the need
        return bool(words and words.search(text)) or relevance(text, "") >= ASKED_AT * (focus_weight + OWN_WEIGHT * bool(own))

    tasks = {(t.doc_id, t.char_start): t for t in ctx.corpus.tasks}
    searched = {(h.clause.doc_id, h.clause.char_start) for h in ctx.search(
        " ".join([need.words, *_topic_terms(topics)[:4], asking]).strip(), SEARCH_K, cities)}
    scored: list[tuple[float, Span]] = []
    for doc_id, meta in ctx.corpus.docs.items():
        if not ctx.allows(doc_id) or (cities and meta.city not in cities):
            continue
        for i in ctx.corpus.clause_ids_of(doc_id):
            clause = ctx.corpus.clauses[i]
            strength = max((labels[i].get(t, 0.0) * weight.get(t, 1.0) for t in topics), default=0.0)
            context = ctx.context(clause)
            # a clause about the asker's kind ("重大工程四 新型研发机构提质增效工程") holds its measures for any need
            about_asker = strength < LABEL_AT and any(a in clause.text or a in context for a in aliases)
            found = strength < LABEL_AT and (doc_id, clause.char_start) in searched
            task = tasks.get((doc_id, clause.char_start)) if clause.kind == "table_row" else None
            # a task row of a work plan ("年内举办“新生代企业家研修班”") offers what its goal cell says, though the
            # table stands under a 工作目标 title; other rows there set figures
            if (clause.kind == "heading" or (strength < LABEL_AT and not about_asker and not found)
                    or past_context(clause) or (target_context(clause) and task is None)):
                continue
            strong = strength >= STRONG_LABEL
            for sentence in (_cell_sentences(clause, task.target or task.task) if task else sentences(clause)):
                # a plan's task sentence ("以市场化方式组建…种子基金") is a measure where the clause's title names the need,
                # and a sentence on the need that names the asker's kind concerns them, with a form of support or not
                if (not (strong or on_need(sentence.text)) or NOT_MEASURE.search(sentence.text) or _is_lead(clause, sentence)
                        or not (SUPPORT.search(sentence.text) or strong or any(a in sentence.text for a in aliases))):
                    continue
                # the whole sentence when short and an offer, else the run of its pieces that carries the measure
                # (a whole led by the government's own spending, "加大财政科技投入，落实…政策", is not)
                def fits(w: Span) -> bool:
                    return ((strong or on_need(w.text)) and not not_offered(w.text, sentence.text)
                            and not for_others(w.text, subjects)
                            and (not about_asker or found or any(a in w.text or a in context for a in aliases)))

                window = sentence if len(sentence.text) <= WHOLE_NEED and fits(sentence) else max(
                    (w for w in windows(sentence, NEED_PIECES, 0) if fits(w)),
                    key=lambda w: (len(words.findall(w.text)) if words else 0) + bool(SUPPORT.search(w.text))
                    + 2 * relevance(w.text, "") + 0.5 * w.text.count("“") - len(w.text) / 1000, default=None)
                if window is None:
                    continue
                lead = _lead_phrase(clause, window)
                shown_text = f"{lead.text}{window.text}" if lead else window.text
                around = f"{context} {clause.text}"  # what the question asks counts partly where only the clause has it
                hits = min(3, len(words.findall(shown_text))) if words else 0
                score = (1.0 + 0.1 * hits + STRENGTH_WEIGHT * min(strength, 3)
                         + beneficiary(window.text, aliases) + NAMED_BONUS * names_kind(window.text, aliases, subjects)
                         + relevance(shown_text, around) - OWN_TASK_COST * bool(OWN_TASK.search(window.text))
                         + SUPPORT_BONUS * bool(SUPPORT.search(window.text)) + NAMED_PROGRAMME * ("“" in window.text)
                         - INTRO_COST * (clause.section in intros) - ABOUT_COST * (about_asker or found)
                         - FIRST_COST * (sentence.char_start == clause.char_start)
                         + AMOUNT_BONUS * bool(AMOUNT.search(window.text))
                         + KIND_SECTION * names_kind(context, aliases, subjects)
)
                scored.append((score, join([lead, window]) if lead else window))
    scored.sort(key=lambda t: -t[0])
    return scored


def _cell_sentences(clause: Clause, cell: str) -> list[Span]:
    """The sentences of one cell of a table row (a task row's goal), with absolute offsets; none if it is not there."""
    at = clause.text.find(cell)
    if at < 0 or not cell.strip():
        return []
    out = []
    for start, end in sentence_spans(cell):
        piece = cell[start:end]
        if piece.strip(" \n\t。；;"):
            lead = len(piece) - len(piece.lstrip())
            s = clause.char_start + at + start + lead
            out.append(Span(clause, s, s + len(piece.strip()), piece.strip()))
    return out


@lru_cache(maxsize=8)
def _parents(corpus, doc_id: str) -> frozenset:
    """Sections of a plan that have sub-sections: a clause right under one is the section's introduction."""
    paths = {corpus.clauses[i].section for i in corpus.clause_ids_of(doc_id)}
    return frozenset(p[:k] for p in paths for k in range(1, len(p)))


def _topic_terms(topics: tuple[str, ...]) -> list[str]:
    """The genre terms of topics, the first of each topic first."""
    terms = [t.terms for t in read_topics() if t.name in topics]
    return [term for k in range(max(map(len, terms), default=0)) for group in terms if k < len(group) for term in [group[k]]]


def _overlaps(a: Span, b: Span) -> bool:
    return a.clause.doc_id == b.clause.doc_id and a.char_start < b.char_end and b.char_start < a.char_end


def compose(ctx: Context) -> Answer:
    profile = ctx.profile or {}
    asking = asking_part(ctx.query.text, profile)
    told = " ".join([ctx.query.text, *[str(v) for v in profile.values() if v]])
    kind = applicant_type(profile)
    subjects = ([kind] if kind in SUBJECTS else subjects_in(kind)) or subjects_in(asking)
    aliases = tuple(a for s in subjects for a in SUBJECTS[s])
    # the profile's city is where the user is; a city named in the free text does not move them
    cities = tuple(c for c in [profile.get("city")] if c) or ctx.query.cities
    topic = topic_of(asking, ctx.corpus.cities) if profile else ctx.query.topic
    focus = specific_topic(topic)
    scorer = TopicScorer.for_text(focus, ctx.corpus) if focus and (subjects or focus != topic) else ctx.scorer
    ranked = measures(ctx, scorer, aliases, cities, asking, tuple(subjects))
    kept = [span for score, span in ranked if score >= ranked[0][0] * KEEP_RATIO] \
        if ranked and ranked[0][0] >= ctx.thresholds.measure else []
    if cities:
        found = kept[:MAX_MEASURES]
    else:  # no city: the best of each plan that has one, so the answer says which cities offer it
        found = [span for k, span in enumerate(kept) if span.clause.doc_id not in {s.clause.doc_id for s in kept[:k]}]
    groups = need_groups(profile, asking, subjects)
    if found and not profile:  # a free question: the topic the best measure's clause is most about is asked for too
        at = next((i for i in ctx.corpus.clause_ids_of(found[0].clause.doc_id) if ctx.corpus.clauses[i] is found[0].clause), None)
        scores = index_topics(ctx.corpus)[at] if at is not None else {}
        best = max((t for t in scores if t not in _ACTOR_TOPICS and t not in SECTORS), key=scores.get, default=None)
        if best and scores[best] >= STRONG_LABEL and best not in {t for g in groups for t in g.topics}:
            groups.append(Need(next((n for n, ts in NEEDS.items() if best in ts), best), (best,), stated=False))
    wants = specific_topic(topic_of(" ".join([_wants(asking), *(n for n in stated_needs(profile) if n not in NEEDS)]),
                                    ctx.corpus.cities))
    asked = TopicScorer.for_words(wants, ctx.corpus) if wants else None  # what the user asks for ranks each need's measures
    if asked:  # the asker's own kind ("我们这类机构" of a 新型研发机构) is who asks, not what they ask for
        asked = TopicScorer([u for u in asked.units if not any(f in a for f in u.forms for a in aliases)
                             and not any(GENERIC.fullmatch(f) for f in u.forms)])
    if not groups and not found:  # no stated need and no measure by the question's words: the subject's own topic
        groups = [Need(t, (t,), stated=False) for t, _ in _topics_named(" ".join(subjects)) if t not in _ACTOR_TOPICS][:1]
    if groups and stated_needs(profile):  # stated needs: a measure found by the question's words must serve one of them
        # (naming the asker's kind is not enough: "加快培育科技型中小企业" is about them, not what they need)
        topics = {x for g in groups for x in g.topics}
        need_words = terms_pattern(tuple(term for t in read_topics() if t.name in topics for term in t.terms)) if topics else None
        own = [TopicScorer.for_words(g.words, ctx.corpus) for g in groups if g.words]
        found = [span for span in found if (need_words and need_words.search(span.text))
                 or any(o.units and o.coverage(span.text) >= 0.5 for o in own)
                 or bool(asked and asked.units and asked.coverage(span.text) >= ASKED_AT)]  # or for what they ask

    grouped: dict[str, str] = {}  # measure start → need
    for need in groups:
        for span in topic_measures(ctx, need, aliases, cities, asking, tuple(subjects), asked):
            if any(_overlaps(span, f) for f in found):
                continue
            found.append(span)
            grouped[f"{span.clause.doc_id}@{span.char_start}"] = need.label
    if not found:  # refused only when neither the question's words nor its topics find a measure
        return refuse(ctx, f"面向{'、'.join(subjects) or '该类主体'}的支持措施")
    needs = [need.label for need in groups]
    if ASKS_AMOUNT.search(asking) and not any(AMOUNT.search(s.text) for s in found):
        best = found[0]
        return refuse(ctx, "具体的支持金额或额度（规划未写明）", (f"相关条款：{best.text}", best))
    builder = AnswerBuilder(ctx.corpus.sources)
    checklist = []
    where = "、".join(cities) if cities else "各规划"
    builder.raw(f"{where}中{'与' + '、'.join(subjects) + '相关' if subjects else '相关'}的措施：\n")
    open_amounts = False
    marks = {"met": "已满足", "not met": "不满足", "unknown": "待确认"}
    # the measures for the needs the user states come first, need by need in their order; then the others
    rank = {need: k for k, need in enumerate(needs)}
    order = sorted(found, key=lambda s: (rank.get(grouped.get(f"{s.clause.doc_id}@{s.char_start}", ""), len(needs)),
                                         s.clause.doc_id, s.char_start))
    several = len({s.clause.doc_id for s in order}) > 1  # measures of several plans: each names its city
    for n, span in enumerate(order, 1):
        conditions = [Condition(c, condition_status(c, told)) for c in conditions_in(span.text)]
        need = grouped.get(f"{span.clause.doc_id}@{span.char_start}")
        city = ctx.city_of(span.clause.doc_id) if several else None
        builder.say(f"{n}. {'【' + need + '】' if need else ''}{'（' + city + '）' if city else ''}{shown(span)}", span)
        if conditions:
            builder.raw("（条件：" + "；".join(f"{c.text}（{marks[c.status]}）" for c in conditions) + "）")
        open_amounts = open_amounts or not AMOUNT.search(span.text)
        builder.raw("\n")
        checklist.append(ChecklistItem(
            measure=span.text, doc_id=span.clause.doc_id, city=ctx.city_of(span.clause.doc_id),
            section=" > ".join(span.clause.section),
            conditions=[ConditionCheck(text=c.text, status=c.status) for c in conditions],
            amount_given=bool(AMOUNT.search(span.text)), need=grouped.get(f"{span.clause.doc_id}@{span.char_start}"),
        ))
    if open_amounts:
        builder.raw("规划未写明具体金额或门槛。")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="eligibility",
                  query=ctx.query, checklist=checklist)
