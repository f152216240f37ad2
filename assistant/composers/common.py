"""What every composer shares: the context of one question, topic scoring, figure windows, number formatting.

Scoring is one mechanism for every composer: the question's topic (cities, question and
frame words removed, see `assistant.query.topic_of`) becomes weighted *units* — an
abbreviation or indicator name with all the ways the plans write it (高企 = 高新技术企业,
研发强度 = 全社会研发投入占GDP比重 …), and character bigrams for the rest — each weighted
by how rare it is in the plans (IDF), so "主体" or "星级" count for more than "企业". A
passage's score is the weighted share of units it contains.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from assistant.evidence import Span, sentences
from assistant.query import Query, concept_of, normalize
from index.rerank import PAST_SECTION, TARGET_SECTION, SearchHints, bigrams, norm
from index.store import Filters, Hit, Mode, PlanIndex
from ingest.records import Clause, IndicatorRecord

# A figure: a number that is not a bare year ("2025年"): "3.3%", "1000家", "2－3家", "10~20个".
FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?!\d)(?!\s*年)")
# Pieces of a sentence that a window may start or end at (not "、": it joins the members of a list).
_PIECE_END = re.compile(r"[，,；;。！？!?：:]")
_LEADING_YEAR = re.compile(r"^(到|至|截至|截止)?\s*20\d\d\s*年(底|末)?")
CONTEXT_WEIGHT = 0.6  # a unit found only in the section path or caption counts this much


@dataclass(frozen=True)
class Thresholds:
    """Least topic coverage for a composer to answer; below it the assistant refuses.

    Calibrated on the dev set by `python -m assistant.calibrate` (k-fold cross-validated; the
    report is in eval/README.md, "Refusal thresholds"); PLANQA_MIN_* settings override them.
    """

    figure: float = 0.45  # a number or target (indicator row or sentence window)
    sentence: float = 0.35  # a list or general answer
    measure: float = 0.3  # an eligibility measure
    task: float = 0.5  # a row of a task table


@dataclass
class Context:
    """One question being answered: the index, the understood query and the retrieval results."""

    index: PlanIndex
    query: Query
    filters: Filters
    hits: list[Hit]
    profile: dict | None = None
    hints: SearchHints | None = None  # what the reranker knows of the question (indicator wordings, cities, year, period)
    mode: Mode = "hybrid+rerank"  # the retrieval configuration further searches use
    thresholds: Thresholds = field(default_factory=Thresholds)
    allowed_docs: frozenset[str] | None = None  # the plans the user's filters leave (None: every plan)

    def allows(self, doc_id: str) -> bool:
        """Whether the user's filters leave this plan: every composer reads records and clauses through it."""
        return self.allowed_docs is None or doc_id in self.allowed_docs

    @cached_property
    def row_clauses(self) -> dict[tuple[str, int], Clause]:
        """Table-row clauses by (doc_id, char_start), to cite an indicator record's row."""
        return {(c.doc_id, c.char_start): c for c in self.index.clauses if c.kind == "table_row"}

    @cached_property
    def scorer(self) -> TopicScorer:
        return TopicScorer.for_text(self.query.topic or self.query.text, self.index)

    def context(self, clause: Clause) -> str:
        """Where a clause stands: its plan's title, section path and caption (a question may name any of them)."""
        return f"{self.index.docs[clause.doc_id].title} {context_of(clause)}"

    @property
    def period(self) -> str | None:
        return (self.hints.period if self.hints else None) or self.query.period

    def row_span(self, record: IndicatorRecord) -> Span:
        clause = self.row_clauses.get((record.doc_id, record.char_start))
        if clause is None:  # a record always comes from a row; fall back to the exact record span
            text = self.index.source(record.doc_id)[record.char_start:record.char_end]
            clause = Clause(record.doc_id, f"{record.doc_id}@{record.char_start}", (), text, record.char_start, record.char_end, "table_row")
        return Span(clause, clause.char_start, clause.char_end, clause.text)

    def city_of(self, doc_id: str) -> str | None:
        return self.index.docs[doc_id].city

    def title_of(self, doc_id: str) -> str:
        return self.index.docs[doc_id].title

    def search(self, text: str, k: int, cities: tuple[str, ...] = ()) -> list[Hit]:
        """A further search with the question's hints (per city for comparisons, per subject for eligibility)."""
        filters = replace(self.filters, cities=cities) if cities else self.filters  # a plan filter always holds
        return self.index.search(text, k, filters=filters, hints=self.hints, mode=self.mode)


# -- topic scoring ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    """One thing the question is about, with every form that counts as saying it."""

    forms: tuple[str, ...]  # normalised (NFKC, upper case, without 的)
    weight: float


@lru_cache(maxsize=16384)
def _plain(text: str) -> str:
    """The form texts and units are compared in: NFKC, upper case, without 的 (全社会研发投入占GDP的比重)."""
    return norm(text).replace("的", "")


@lru_cache(maxsize=1)
def _stats(index: PlanIndex) -> tuple[int, Counter]:
    """(number of clauses, clause frequency of each bigram) of the loaded index (one cached, like the index)."""
    df: Counter = Counter()
    for clause in index.clauses:
        df.update(bigrams(clause.text))
    return len(index.clauses), df


@lru_cache(maxsize=1)
def _paraphrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(wording, plan forms) pairs from the term table's term rows (index/resources/terms.tsv), longest first.

    Indicator concepts are not used here: their aliases group an indicator's wordings with
    its members (孵化载体 = 孵化器 | 众创空间), which are not interchangeable words.
    """
    from index.tokenize import default_tokenizer

    pairs = [(norm(s.key), tuple(sorted({norm(s.key), *(norm(f) for f in s.expansions)})))
             for s in default_tokenizer().synonyms.values() if s.kind == "term"]
    return tuple(sorted(pairs, key=lambda t: -len(t[0])))


@lru_cache(maxsize=4096)
def _word_idf(index: PlanIndex, forms: tuple[str, ...]) -> float:
    """IDF of a word (any of its forms) over the index's clauses."""
    n = len(index.clauses)
    df = sum(1 for c in index.clauses if any(f in _plain(c.text) for f in forms))
    return math.log((n + 1) / (df + 1)) + 0.1


class TopicScorer:
    """Weighted share of the question's topic units found in a text."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.total = sum(u.weight for u in units)

    @classmethod
    def for_text(cls, topic: str, index: PlanIndex) -> TopicScorer:
        n, df = _stats(index)

        def idf(gram: str) -> float:
            return math.log((n + 1) / (df.get(gram, 0) + 1)) + 0.1

        text = norm(topic)
        units: list[Unit] = []
        for key, forms in _paraphrases():
            if len(key) >= 2 and key in text:
                units.append(Unit(tuple(f.replace("的", "") for f in forms), sum(idf(g) for g in bigrams(key)) or 1.0))
                text = text.replace(key, " ")
        # a Latin word the plans never use ("Nanjing", "high-tech") can match nothing: it is not the topic
        units.extend(Unit((g,), idf(g)) for g in sorted(bigrams(text)) if not (g.isascii() and g.isalpha() and g not in df))
        return cls(units)

    @classmethod
    def for_words(cls, topic: str, index: PlanIndex) -> TopicScorer:
        """Units are the topic's words (jieba with the policy dictionary), each with its synonyms' plan forms.

        Bigram units suit short indicator names; for matching a heading or a section's sentences,
        words are the better unit: "支持企业建设研发机构" is 支持 · 企业 · 建设 · 研发机构, not 持企 or 设研.
        """
        from index.tokenize import default_tokenizer

        tokenizer = default_tokenizer()
        units: list[Unit] = []
        for token in tokenizer.words(topic):
            word = norm(token.text)
            if len(word) < 2 or word in tokenizer.stopwords or not re.search(r"[\u4e00-\u9fffA-Z0-9]", word):
                continue
            synonym = tokenizer.synonyms.get(token.text)
            forms = {word, *(norm(f) for f in synonym.expansions)} if synonym and synonym.kind == "term" else {word}
            units.append(Unit(tuple(sorted(f.replace("的", "") for f in forms)), _word_idf(index, tuple(sorted(forms)))))
        return cls(units)

    def coverage(self, text: str, context: str = "", numbers: bool = True) -> float:
        """0…1: units in `text` count fully, units only in `context` (section, caption) count CONTEXT_WEIGHT.

        numbers=False leaves out the figures the question states ("突破5000家"): they are premises to
        check, not the topic (for an indicator row, whose own figures are checked separately).
        """
        units = self.units if numbers else [u for u in self.units if not u.forms[0][:1].isdigit()]
        total = sum(u.weight for u in units)
        if not total:
            return 0.0
        t, c = _plain(text), _plain(context)
        got = 0.0
        for unit in units:
            if any(f in t for f in unit.forms):
                got += unit.weight
            elif c and any(f in c for f in unit.forms):
                got += CONTEXT_WEIGHT * unit.weight
        return got / total

    def anchors(self, text: str) -> list[int]:
        """Positions in `text` (without 的) where a unit occurs (to tell which figure a sentence states about the topic)."""
        t = _plain(text)
        out = []
        for unit in self.units:
            for f in unit.forms:
                i = t.find(f)
                while i >= 0:
                    out.append(i)
                    i = t.find(f, i + 1)
        return sorted(out)


def context_of(clause: Clause) -> str:
    return " ".join(clause.section) + " " + (clause.caption or "")


_YEARS = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def context_years(clause: Clause) -> set[int]:
    """Years the section path or caption names ("附件：…2020年重点工作目标" → {2020})."""
    return {int(y) for y in _YEARS.findall(context_of(clause))}


# -- windows: the part of a sentence that answers -----------------------------------------------
def pieces(span: Span) -> list[Span]:
    """The comma-pieces of a sentence span, each with its exact offsets."""
    out: list[Span] = []
    start = 0
    text = span.text
    for m in _PIECE_END.finditer(text):
        _add_piece(out, span, start, m.end())
        start = m.end()
    _add_piece(out, span, start, len(text))
    return out


def _add_piece(out: list[Span], span: Span, start: int, end: int) -> None:
    piece = span.text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = span.char_start + start + lead
    out.append(Span(span.clause, s, s + len(stripped), stripped))


def join(parts: list[Span]) -> Span:
    """The exact span from the first piece's start to the last piece's end."""
    first, last = parts[0], parts[-1]
    clause = first.clause
    text = clause.text[first.char_start - clause.char_start: last.char_end - clause.char_start]
    return Span(clause, first.char_start, last.char_end, text)


def windows(span: Span, max_pieces: int = 3, whole_below: int = 40) -> list[Span]:
    """Every run of 1…max_pieces consecutive pieces of a sentence (a sentence under `whole_below` characters stays whole)."""
    ps = pieces(span)
    if len(span.text) <= whole_below or len(ps) <= 1:
        return [span]
    return [join(ps[i:j]) for i in range(len(ps)) for j in range(i + 1, min(len(ps), i + max_pieces) + 1)]


def with_year(window: Span, sentence: Span) -> Span:
    """Prefix the window with the sentence's leading "到2025年，" when the window itself names no year."""
    if re.search(r"20\d\d", window.text):
        return window
    ps = pieces(sentence)
    for k, p in enumerate(ps):
        if p.char_start >= window.char_start:
            break
        if (_LEADING_YEAR.match(p.text) and len(p.text) <= 14 and k + 1 < len(ps)
                and ps[k + 1].char_start == window.char_start):
            return join([p, window])
    return window


def states_figure(scorer: TopicScorer, text: str) -> bool:
    """A figure in the same or the next comma-piece as a unit of the topic ("…企业数实现倍增，突破1000家")."""
    t = _plain(text)
    for a in scorer.anchors(text):
        rest = t[a:]
        cuts = [m.start() for m in _PIECE_END.finditer(rest)][:2]
        if FIGURE.search(rest[: cuts[1]] if len(cuts) > 1 else rest):
            return True
    return False


def past_context(clause: Clause, text: str = "") -> bool:
    """Looks back: the plan's review section, or wording such as "十三五"期间 / 截至2020年底."""
    return bool(PAST_SECTION.search(context_of(clause))) or bool(re.search(r"十三五|截至|截止", text))


def target_context(clause: Clause) -> bool:
    return bool(TARGET_SECTION.search(context_of(clause)))


# -- sentence ranking ---------------------------------------------------------------------------
def rank_sentences(ctx: Context, hits: list[Hit], want_number: bool = False) -> list[tuple[float, Span]]:
    """Sentences of the hits, scored by topic coverage (context counted lower) plus a little of the hit's rank."""
    out: list[tuple[float, Span]] = []
    scorer = ctx.scorer
    for rank, hit in enumerate(hits):
        if hit.clause.kind == "heading":
            continue
        context = ctx.context(hit.clause)
        for span in sentences(hit.clause):
            score = scorer.coverage(span.text, context) + 0.05 / (1 + rank)
            if want_number and not FIGURE.search(span.text):
                score -= 0.3
            out.append((score, span))
    out.sort(key=lambda t: -t[0])
    return out


def document_order(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.clause.doc_id, s.char_start))


# -- indicator records --------------------------------------------------------------------------
def records_for(ctx: Context, concepts: tuple[str, ...], cities: tuple[str, ...]) -> list[IndicatorRecord]:
    """Indicator records of the named concepts, in the named cities (all cities when none)."""
    wanted = set(cities)
    return [
        r for r in ctx.index.indicators
        if concept_of(r.indicator) in concepts and (not wanted or ctx.city_of(r.doc_id) in wanted) and ctx.allows(r.doc_id)
    ]


_UNIT_KIND = (("money", re.compile(r"元")), ("percent", re.compile(r"%|％|百分")), ("count", re.compile(r"[家个项人件名所位]")))


def unit_kind(unit: str | None) -> str | None:
    """"亿元" → money, "%" → percent, "家" → count (None when the unit says nothing of that kind)."""
    return next((kind for kind, p in _UNIT_KIND if unit and p.search(unit)), None)


def value_with_unit(value_text: str | None, unit: str | None) -> str:
    """"20000" + "家" → "20000家"; "3左右" + "%" → "3%左右"; ">8" + "%" → ">8%"."""
    if not value_text:
        return ""
    unit = unit or ""
    m = re.match(r"^([<>≥≤＞＜]?\s*[\d.,]+)(.*)$", value_text.strip())
    if m and unit:
        return f"{m.group(1)}{unit}{m.group(2)}"
    return f"{value_text}{unit if unit and not value_text.endswith(unit) else ''}"


_CN_MULT = {"万": 1e4, "亿": 1e8}


def figures_in(text: str) -> list[float]:
    """Every figure a text states, as numbers ("超2万家" → 20000 and 2)."""
    out = []
    for m in re.finditer(r"(?<![\d.])(\d+(?:\.\d+)?)(?!\d)\s*(万|亿)?", normalize(text).replace(",", "")):
        value = float(m.group(1))
        out.append(value)
        if m.group(2):
            out.append(value * _CN_MULT[m.group(2)])
    return out
