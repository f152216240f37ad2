"""The context of one question that every composer reads: the corpus and retriever, the understood query, the hits,
the user's filters and profile, the refusal thresholds; and where a clause stands in its plan."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from assistant.composers.scoring import TopicScorer
from assistant.composers.windows import FIGURE
from assistant.evidence import Span, sentences
from assistant.query import Query, concept_of
from assistant.resources import refusal_thresholds
from index.rerank import PAST_SECTION, TARGET_SECTION, SearchHints
from index.corpus import Corpus
from index.retriever import Filters, Hit, Mode, Retriever
from index.store import PlanIndex
from ingest.lexicon import cue, years_in
from ingest.records import Clause, IndicatorRecord

_FITTED = refusal_thresholds()
_PAST_WORDING = cue("past_wording")  # a clause that looks back whatever its section ("十三五"期间, 截至2020年底)


@dataclass(frozen=True)
class Thresholds:
    """Least topic coverage for a composer to answer; below it the assistant refuses.

    The defaults are the data file assistant/resources/thresholds.json, which `python -m tuning calibrate
    --write` fits on the dev set (k-fold; report in eval/README.md, "Refusal thresholds");
    PLANQA_MIN_* settings override them.
    """

    figure: float = _FITTED["figure"]  # a number or target (indicator row or sentence window)
    sentence: float = _FITTED["sentence"]  # a list or general answer
    measure: float = _FITTED["measure"]  # an eligibility measure
    task: float = _FITTED["task"]  # a row of a task table


@dataclass
class Context:
    """One question being answered: the index, the understood query and the retrieval results.

    Composers read the plans through `corpus` and search again through `search` (the `retriever` with
    the question's hints and the user's filters); `index` is the loaded version both belong to."""

    index: PlanIndex
    query: Query
    filters: Filters
    hits: list[Hit]
    profile: dict | None = None
    hints: SearchHints | None = None  # what the reranker knows of the question (indicator wordings, cities, year, period)
    mode: Mode = "hybrid+rerank"  # the retrieval configuration further searches use
    thresholds: Thresholds = field(default_factory=Thresholds)
    allowed_docs: frozenset[str] | None = None  # the plans the user's filters leave (None: every plan)

    @property
    def corpus(self) -> Corpus:
        return self.index.corpus

    @property
    def retriever(self) -> Retriever:
        return self.index.retriever

    def allows(self, doc_id: str) -> bool:
        """Whether the user's filters leave this plan: every composer reads records and clauses through it."""
        return self.allowed_docs is None or doc_id in self.allowed_docs

    @cached_property
    def row_clauses(self) -> dict[tuple[str, int], Clause]:
        """Table-row clauses by (doc_id, char_start), to cite an indicator record's row."""
        return {(c.doc_id, c.char_start): c for c in self.corpus.clauses if c.kind == "table_row"}

    @cached_property
    def scorer(self) -> TopicScorer:
        return TopicScorer.for_text(self.query.topic or self.query.text, self.corpus)

    def context(self, clause: Clause) -> str:
        """Where a clause stands: its plan's title, section path and caption (a question may name any of them)."""
        return f"{self.corpus.docs[clause.doc_id].title} {context_of(clause)}"

    @property
    def period(self) -> str | None:
        return (self.hints.period if self.hints else None) or self.query.period

    def row_span(self, record: IndicatorRecord) -> Span:
        clause = self.row_clauses.get((record.doc_id, record.char_start))
        if clause is None:  # a record always comes from a row; fall back to the exact record span
            text = self.corpus.source(record.doc_id)[record.char_start:record.char_end]
            clause = Clause(record.doc_id, f"{record.doc_id}@{record.char_start}", (), text, record.char_start, record.char_end, "table_row")
        return Span(clause, clause.char_start, clause.char_end, clause.text)

    def span_of(self, citation) -> Span | None:
        """The span a composer's citation quotes, inside the clause that holds it (None if no clause does)."""
        clause = next((c for c in (self.corpus.clauses[i] for i in self.corpus.clause_ids_of(citation.doc_id))
                       if c.char_start <= citation.char_start and citation.char_end <= c.char_end), None)
        return None if clause is None else Span(clause, citation.char_start, citation.char_end, citation.quote)

    def city_of(self, doc_id: str) -> str | None:
        return self.corpus.docs[doc_id].city

    def title_of(self, doc_id: str) -> str:
        return self.corpus.docs[doc_id].title

    def search(self, text: str, k: int, cities: tuple[str, ...] = ()) -> list[Hit]:
        """A further search with the question's hints (per city for comparisons, per subject for eligibility)."""
        filters = replace(self.filters, cities=cities) if cities else self.filters  # a plan filter always holds
        return self.retriever.search(text, k, filters=filters, hints=self.hints, mode=self.mode)


def context_of(clause: Clause) -> str:
    return " ".join(clause.section) + " " + (clause.caption or "")


def context_years(clause: Clause) -> set[int]:
    """Years the section path or caption names ("附件：…2020年重点工作目标" → {2020})."""
    return set(years_in(context_of(clause)))


def past_context(clause: Clause, text: str = "") -> bool:
    """Looks back: the plan's review section, or wording such as "十三五"期间 / 截至2020年底."""
    return bool(PAST_SECTION.search(context_of(clause))) or bool(_PAST_WORDING.search(text))


def target_context(clause: Clause) -> bool:
    return bool(TARGET_SECTION.search(context_of(clause)))


# -- indicator records --------------------------------------------------------------------------
def records_for(ctx: Context, concepts: tuple[str, ...], cities: tuple[str, ...]) -> list[IndicatorRecord]:
    """Indicator records of the named concepts, in the named cities (all cities when none)."""
    wanted = set(cities)
    return [
        r for r in ctx.corpus.indicators
        if concept_of(r.indicator) in concepts and (not wanted or ctx.city_of(r.doc_id) in wanted) and ctx.allows(r.doc_id)
    ]


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
