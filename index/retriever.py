"""The search pipeline over a `Corpus`: filters, lexical and dense candidates, fusion, rerank.

A `Retriever` owns what searching needs and the corpus does not: the dense vector store, the
BM25 index, the query encoder (loaded on the first dense query, checked against the model the
index was built with) and the fusion and rerank weights. It returns `Hit`s; reading a plan's
records or figures is the corpus's job.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from index.corpus import Corpus
from index.embeddings import Encoder, get_encoder
from index.fusion import FusionWeights, fuse
from index.lexical import LexicalIndex
from index.rerank import RerankWeights, SearchHints, rerank
from index.settings import IndexSettings
from index.vectorstore import VectorStore
from index.versions import REBUILD_HINT, ModelMismatchError
from ingest.lexicon import city_key
from ingest.records import Clause, DocumentMeta

Mode = Literal["bm25", "dense", "hybrid", "hybrid+rerank"]
MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid", "hybrid+rerank")
CANDIDATES = 50  # how deep each system is read before fusion and rerank
TUNED_WEIGHTS = Path(__file__).with_name("tuned.json")  # written by `python -m tuning tune --write`


class FilterError(ValueError):
    """A filter names a plan, city or clause kind the index does not have."""


@dataclass(frozen=True)
class Filters:
    """Restrict a search; applied before ranking, never silently dropped."""

    cities: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cities or self.doc_ids or self.kinds)


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    meta: DocumentMeta


class Retriever:
    """Searches one corpus with its dense and lexical indexes. Thread-safe for reads."""

    def __init__(self, corpus: Corpus, dense: VectorStore, lexical: LexicalIndex, settings: IndexSettings,
                 embed_model: str):
        self.corpus, self.dense, self.lexical, self.settings = corpus, dense, lexical, settings
        self.embed_model = embed_model  # the model the vectors were built with; the query encoder must match
        self.fusion, self.rerank_weights = tuned_weights()
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()
        self._allowed: dict[Filters, np.ndarray] = {}  # the clause ids each filter lets through (the corpus is fixed)

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                encoder = get_encoder(self.settings)
                if encoder.model_id != self.embed_model:
                    raise ModelMismatchError(
                        f"The index was built with {self.embed_model}, but PLANQA_EMBED_MODEL gives "
                        f"{encoder.model_id}: {REBUILD_HINT}."
                    )
                self._encoder = encoder
            return self._encoder

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Clause ids passing `filters` (None = everything); unknown names are an error, not ignored."""
        if not filters:
            return None
        if filters not in self._allowed:
            ids = self._filter(filters)
            ids.setflags(write=False)
            self._allowed[filters] = ids
        return self._allowed[filters]

    def _filter(self, filters: Filters) -> np.ndarray:
        corpus = self.corpus
        unknown = [d for d in filters.doc_ids if d not in corpus.docs]
        if unknown:
            raise FilterError(f"没有这些规划：{'、'.join(unknown)}（可选：{'、'.join(sorted(corpus.docs))}）")
        city_names = {c for c in corpus.cities}
        bad_cities = [c for c in filters.cities if city_key(c) not in {city_key(x) for x in city_names}]
        if bad_cities:
            raise FilterError(f"没有这些城市的规划：{'、'.join(bad_cities)}（可选：{'、'.join(sorted(city_names))}）")
        bad_kinds = [k for k in filters.kinds if k not in ("paragraph", "table_row", "box_item", "heading")]
        if bad_kinds:
            raise FilterError(f"Unknown clause kind(s): {', '.join(bad_kinds)}")
        wanted_cities = {city_key(c) for c in filters.cities}
        mask = np.array([
            (not filters.doc_ids or c.doc_id in filters.doc_ids)
            and (not wanted_cities or city_key(corpus.clause_city[i] or "") in wanted_cities)
            and (not filters.kinds or c.kind in filters.kinds)
            for i, c in enumerate(corpus.clauses)
        ])
        return np.flatnonzero(mask)

    def candidates(
        self, query: str, depth: int, allowed: np.ndarray | None, mode: Mode = "hybrid+rerank", lexical_query: str | None = None,
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Each system's raw scores of its `depth` best clauses (what fusion and rerank start from; `tuning.tune` reads it)."""
        dense_scores: dict[int, float] = {}
        lexical_scores: dict[int, float] = {}
        if mode != "bm25":
            ids, scores = self.dense.search(self.encoder.encode_query(query), depth, allowed)
            dense_scores = dict(zip(map(int, ids), map(float, scores)))
        if mode != "dense":
            ids, scores = self.lexical.search(lexical_query or query, depth, allowed)
            lexical_scores = {int(i): float(s) for i, s in zip(ids, scores) if s > 0}
        return dense_scores, lexical_scores

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filters | None = None,
        hints: SearchHints | None = None,
        mode: Mode = "hybrid+rerank",
        lexical_query: str | None = None,
    ) -> list[Hit]:
        """Top-k clauses for `query`, best first. `lexical_query` lets a caller add expanded terms for BM25 only."""
        if mode not in MODES:
            raise ValueError(f"Unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        allowed = self.allowed(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        depth = max(k, CANDIDATES)
        dense_scores, lexical_scores = self.candidates(query, depth, allowed, mode, lexical_query)
        if mode == "dense":
            ranked = sorted(dense_scores.items(), key=lambda t: -t[1])
        elif mode == "bm25":
            ranked = sorted(lexical_scores.items(), key=lambda t: -t[1])
        else:
            ranked = sorted(fuse(dense_scores, lexical_scores, self.fusion).items(), key=lambda t: -t[1])
            if mode == "hybrid+rerank":
                # every candidate either system found (≤ 2·depth): the reranker's weights are fitted on that pool
                ranked = rerank(ranked, self.corpus.clauses, self.corpus.clause_city, hints or SearchHints(),
                                self.rerank_weights)
        clauses, docs = self.corpus.clauses, self.corpus.docs
        return [Hit(clauses[i], s, docs[clauses[i].doc_id]) for i, s in ranked[:k]]


def tuned_weights(path: Path | None = None) -> tuple[FusionWeights, RerankWeights]:
    """The fusion and rerank weights fitted on the dev set (`python -m tuning tune`), shipped beside the code.

    They belong to the code, not to an index version: every loaded version reads the same file, and
    a weight the file does not give keeps its hand-set default.
    """
    path = path or TUNED_WEIGHTS
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return FusionWeights(**data.get("fusion", {})), RerankWeights(**data.get("rerank", {}))
