"""The indexed plans as data: what each plan is, says and states, held apart from how it is searched.

A `Corpus` is the part of an index version that ingest produced: document metadata, source texts,
clauses in document order, headings, indicator and task records, and figures. Composers read it
directly (a record, a clause's neighbours, a plan's figures); searching it is `index.retriever`'s job.
Everything here is computed when a plan is indexed and stored with the version (`index.build`),
so answering a question never runs ingest.
"""
from __future__ import annotations

from ingest.records import Clause, DocumentMeta, Figure, Heading, IndicatorRecord, TaskRecord


class Corpus:
    """The plans of one index version, read-only once loaded. Thread-safe for reads."""

    def __init__(
        self,
        docs: dict[str, DocumentMeta],
        sources: dict[str, str],
        clauses: list[Clause],
        headings: dict[str, list[Heading]],
        indicators: list[IndicatorRecord],
        tasks: list[TaskRecord],
        figures: dict[str, list[Figure]],
    ):
        self.docs, self.sources, self.clauses, self.headings = docs, sources, clauses, headings
        self.indicators, self.tasks = indicators, tasks
        self.clause_city = [docs[c.doc_id].city for c in clauses]  # each clause's city, by clause id
        self._by_doc: dict[str, list[int]] = {}
        for i, c in enumerate(clauses):
            self._by_doc.setdefault(c.doc_id, []).append(i)
        self.figures_by_doc = figures  # doc_id → its figures in document order, computed when the plan was indexed
        self._figure_list = [f for doc_id in docs for f in figures.get(doc_id, ())]

    @property
    def cities(self) -> list[str]:
        return sorted({m.city for m in self.docs.values() if m.city})

    def source(self, doc_id: str) -> str:
        return self.sources[doc_id]

    def clause_ids_of(self, doc_id: str) -> list[int]:
        return self._by_doc.get(doc_id, [])

    def neighbours(self, clause: Clause, before: int = 1, after: int = 1) -> list[Clause]:
        """The clause with its neighbours in document order (the "上下文" view)."""
        ids = self._by_doc.get(clause.doc_id, [])
        pos = next((k for k, i in enumerate(ids) if self.clauses[i].clause_id == clause.clause_id), None)
        if pos is None:
            return [clause]
        return [self.clauses[i] for i in ids[max(0, pos - before): pos + after + 1]]

    @property
    def figures(self) -> list[Figure]:
        """Every figure the plans state (`ingest.figures`), in plan then document order."""
        return self._figure_list

    def figures_of(self, doc_id: str) -> list[Figure]:
        """The figures of one plan ([] for a plan the corpus does not have)."""
        return list(self.figures_by_doc.get(doc_id, ()))
