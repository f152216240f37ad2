"""Let a generative backend (`openai`, `local`) rewrite a composed answer, under the grounding check.

The composers' answer is the fallback: the model sees the clauses that answer cites
plus the next best retrieved ones, numbered, each with the figure layer's figures; whatever
sentence of its output a cited clause does not support is dropped (`generation.grounding`),
and if none survives, or what survives leaves out a figure or a cited clause of the composed
answer, the composed answer stands. A failing endpoint also leaves the composed
answer. Either way the answer's `generation` report says so (the JSON contract's `generation`).
"""
from __future__ import annotations

import logging
from dataclasses import replace

from assistant.answer import Answer
from assistant.composers.context import Context
from assistant.contract import Citation, DroppedSentence, GenerationReport
from assistant.generation import Draft, Evidence, GenerationError, Generator, claims
from assistant.generation.grounding import renumber
from index.passages import row_text
from index.corpus import Corpus
from ingest.records import Clause

MAX_EVIDENCE = 6
log = logging.getLogger(__name__)


def cites(answer: Answer, clause: Clause) -> bool:
    """Whether one of the answer's citations quotes from `clause`."""
    return any(c.doc_id == clause.doc_id and clause.char_start <= c.char_start < clause.char_end
               for c in answer.citations)


def evidence_for(ctx: Context, answer: Answer) -> tuple[list[Evidence], list[Clause]]:
    """Numbered clauses: those the answer cites first, then the best other hits."""
    clauses = [clause for clause in ctx.corpus.clauses if cites(answer, clause)]
    for hit in ctx.hits:
        if len(clauses) >= MAX_EVIDENCE:
            break
        if hit.clause not in clauses and hit.clause.kind != "heading":
            clauses.append(hit.clause)
    evidence = [as_evidence(ctx.corpus, c, n, ctx.title_of(c.doc_id)) for n, c in enumerate(clauses[:MAX_EVIDENCE], 1)]
    return evidence, clauses[:MAX_EVIDENCE]


def as_evidence(corpus: Corpus, clause: Clause, n: int, title: str) -> Evidence:
    """Clause `n` as a generator sees it, with what the grounding check compares against: the plan's
    city, year and period, and the figure layer's figures whose span lies in the clause."""
    meta = corpus.docs[clause.doc_id]
    figures = tuple(f for f in corpus.figures_of(clause.doc_id)
                    if clause.char_start <= f.char_start and f.char_end <= clause.char_end)
    return Evidence(
        n=n, doc_id=clause.doc_id, title=title, section=" > ".join(clause.section),
        text=row_text(clause) if clause.kind == "table_row" else clause.text,
        char_start=clause.char_start, char_end=clause.char_end,
        city=meta.city, year=meta.year, period=meta.period, figures=figures,
    )


def lost(answer: Answer, draft: Draft, evidence: list[Evidence], clauses: list[Clause]) -> list[str]:
    """What the kept sentences leave out of the composed answer: its figures stated outside brackets
    (by value: "2万家" keeps "20000家") and the clauses it cites, as `[n]` in the model's numbering."""
    missing = claims.missing_figures(answer.text, draft.text)
    cited = {n for sentence in draft.sentences for n in sentence.cites}
    for e, clause in zip(evidence, clauses):
        if cites(answer, clause) and e.n not in cited:
            missing.append(f"[{e.n}]")
    return missing


def rewrite(generator: Generator, ctx: Context, answer: Answer) -> Answer:
    """The generator's grounded answer, or `answer`'s text when nothing it wrote passes; either way with
    `generation` saying what happened (backend, model, sentences kept and dropped with why, fallback)."""
    report = GenerationReport(backend=generator.name, model=getattr(generator, "model", None), fallback=True)
    evidence, clauses = evidence_for(ctx, answer)
    if not evidence:
        return replace(answer, generation=report.model_copy(update={"error": "no clause to give the model"}))
    try:
        draft = generator.generate(ctx.query.text, evidence, fallback=Draft(text=answer.text, generator="extractive"))
    except GenerationError as exc:
        log.warning("generator %s failed, keeping the extractive answer: %s", generator.name, exc)
        return replace(answer, generation=report.model_copy(update={"error": str(exc)}))
    # dropped sentences keep the clause numbers the model was given
    report.dropped = [DroppedSentence(sentence=r.text, reason=r.reason) for r in draft.dropped]
    if draft.fell_back or not draft.sentences:
        return replace(answer, generation=report)
    report.kept = len(draft.sentences)
    report.missing = lost(answer, draft, evidence, clauses)
    if report.missing:  # a rewrite may say it better, never say less
        return replace(answer, generation=report)
    draft, cited = renumber(draft, evidence)
    by_span = {(c.char_start, c.char_end, c.doc_id): c for c in clauses}
    citations = []
    for e in cited:
        clause = by_span[(e.char_start, e.char_end, e.doc_id)]
        citations.append(Citation(doc_id=clause.doc_id, section=e.section, quote=ctx.corpus.source(clause.doc_id)[clause.char_start:clause.char_end],
                                  char_start=clause.char_start, char_end=clause.char_end))
    report.fallback = False
    return replace(answer, text=draft.text, citations=citations, refused=draft.refused,
                   composer=f"{answer.composer}+{generator.name}", generation=report)
