"""What every composer shares: the context of one question, sentence scoring, number formatting."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from assistant.evidence import Span, sentences
from assistant.query import Query, concept_of
from index.store import Filters, Hit, PlanIndex
from ingest.records import Clause, IndicatorRecord

# Characters and words that carry no topic: dropped before measuring overlap.
_FILLER = set("的了吗呢啊吧么是有在和与及或为对把被将要会能可以们这那哪些什么多少怎样如何几个家项年月日到达中上下市县区请问一下")
_QUESTION_WORDS = re.compile(r"请问|是多少|有多少|多少|哪些|什么|怎么|怎样|如何|是否|能否|可以|有没有|吗|呢|[？?！!，,。.\s]")


@dataclass
class Context:
    """One question being answered: the index, the understood query and the retrieval results."""

    index: PlanIndex
    query: Query
    filters: Filters
    hits: list[Hit]
    profile: dict | None = None
    extras: dict = field(default_factory=dict)

    @cached_property
    def row_clauses(self) -> dict[tuple[str, int], Clause]:
        """Table-row clauses by (doc_id, char_start), to cite an indicator record's row."""
        return {(c.doc_id, c.char_start): c for c in self.index.clauses if c.kind == "table_row"}

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


def topic_bigrams(text: str) -> set[str]:
    """Character bigrams of the question's topic words (question words and fillers removed)."""
    text = unicodedata.normalize("NFKC", text)
    text = _QUESTION_WORDS.sub(" ", text)
    grams = set()
    for chunk in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?", text):
        if chunk.isascii():
            grams.add(chunk.lower())
            continue
        for a, b in zip(chunk, chunk[1:]):
            if not (a in _FILLER and b in _FILLER):
                grams.add(a + b)
    return grams


def overlap(question_grams: set[str], text: str) -> float:
    """Share of the question's topic bigrams found in `text` (0…1)."""
    if not question_grams:
        return 0.0
    norm = unicodedata.normalize("NFKC", text).lower()
    return sum(1 for g in question_grams if g in norm) / len(question_grams)


def rank_sentences(ctx: Context, hits: list[Hit], grams: set[str], want_number: bool = False) -> list[tuple[float, Span]]:
    """Sentences of the hits, scored by topic overlap plus a little of the hit's rank."""
    out: list[tuple[float, Span]] = []
    for rank, hit in enumerate(hits):
        if hit.clause.kind == "heading":
            continue
        context = " ".join(hit.clause.section)
        for span in sentences(hit.clause):
            score = overlap(grams, span.text) + 0.25 * overlap(grams, context) + 0.05 / (1 + rank)
            if want_number and not re.search(r"\d", span.text):
                score -= 0.3
            out.append((score, span))
    out.sort(key=lambda t: -t[0])
    return out


def document_order(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.clause.doc_id, s.char_start))


def records_for(ctx: Context, concepts: tuple[str, ...], cities: tuple[str, ...]) -> list[IndicatorRecord]:
    """Indicator records of the named concepts, in the named cities (all cities when none)."""
    wanted = set(cities)
    return [
        r for r in ctx.index.indicators
        if concept_of(r.indicator) in concepts and (not wanted or ctx.city_of(r.doc_id) in wanted)
    ]


def best_record(records: list[IndicatorRecord], question: str) -> IndicatorRecord | None:
    """Of several rows of one concept, the one whose name is closest to the question."""
    if not records:
        return None
    grams = topic_bigrams(question)
    return max(records, key=lambda r: (overlap(grams, r.indicator), -len(r.indicator)))


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


def parse_number(text: str) -> float | None:
    """"3万" → 30000.0, "20,000" → 20000.0, "4%" → 4.0."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*(万|亿)?", text.replace(",", ""))
    if not m:
        return None
    return float(m.group(1)) * _CN_MULT.get(m.group(2) or "", 1.0)
