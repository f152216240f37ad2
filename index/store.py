"""The loaded index: one version's `Corpus` (what the plans say) beside its `Retriever` (how to search them).

`PlanIndex` is the one object the assistant, the tools and the UI hold for the current version; it
adds nothing of its own beyond the version directory and manifest. New code reads `.corpus` and
asks `.retriever`; the delegating attributes keep older callers working. Building and loading a
version live in `index.build`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from index.corpus import Corpus
from index.embeddings import Encoder
from index.rerank import SearchHints
from index.retriever import Filters, Hit, Mode, Retriever
from index.settings import IndexSettings
from index.versions import Manifest
from ingest.records import Clause, DocumentMeta, Figure, Heading, IndicatorRecord, TaskRecord


class PlanIndex:
    """A loaded index version: its corpus and its retriever. Thread-safe for reads."""

    def __init__(self, version: Path, manifest: Manifest, corpus: Corpus, retriever: Retriever, settings: IndexSettings):
        self.version, self.manifest, self.settings = version, manifest, settings
        self.corpus, self.retriever = corpus, retriever

    # -- the corpus ------------------------------------------------------------------------
    @property
    def docs(self) -> dict[str, DocumentMeta]:
        return self.corpus.docs

    @property
    def sources(self) -> dict[str, str]:
        return self.corpus.sources

    @property
    def clauses(self) -> list[Clause]:
        return self.corpus.clauses

    @property
    def headings(self) -> dict[str, list[Heading]]:
        return self.corpus.headings

    @property
    def indicators(self) -> list[IndicatorRecord]:
        return self.corpus.indicators

    @property
    def tasks(self) -> list[TaskRecord]:
        return self.corpus.tasks

    @property
    def cities(self) -> list[str]:
        return self.corpus.cities

    @property
    def figures(self) -> list[Figure]:
        return self.corpus.figures

    def source(self, doc_id: str) -> str:
        return self.corpus.source(doc_id)

    def clause_ids_of(self, doc_id: str) -> list[int]:
        return self.corpus.clause_ids_of(doc_id)

    def neighbours(self, clause: Clause, before: int = 1, after: int = 1) -> list[Clause]:
        return self.corpus.neighbours(clause, before, after)

    def figures_of(self, doc_id: str) -> list[Figure]:
        return self.corpus.figures_of(doc_id)

    # -- the retriever ---------------------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        return self.retriever.encoder

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        return self.retriever.allowed(filters)

    def candidates(self, query: str, depth: int, allowed: np.ndarray | None, mode: Mode = "hybrid+rerank",
                   lexical_query: str | None = None) -> tuple[dict[int, float], dict[int, float]]:
        return self.retriever.candidates(query, depth, allowed, mode, lexical_query)

    def search(self, query: str, k: int = 10, *, filters: Filters | None = None, hints: SearchHints | None = None,
               mode: Mode = "hybrid+rerank", lexical_query: str | None = None) -> list[Hit]:
        return self.retriever.search(query, k, filters=filters, hints=hints, mode=mode, lexical_query=lexical_query)
