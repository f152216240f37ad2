"""A LangChain `BaseRetriever` over the plan index, for use in any LangChain chain."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.retriever import Filters
from index.store import PlanIndex


class PlanRetriever(BaseRetriever):
    """Returns clauses as `Document`s; metadata carries the offsets a citation needs."""

    index: Any  # PlanIndex (Any: pydantic cannot validate the class)
    k: int = 10
    filters: Filters | None = None
    mode: str = "hybrid+rerank"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        index: PlanIndex = self.index
        return [
            Document(
                page_content=hit.clause.text,
                metadata={
                    "doc_id": hit.clause.doc_id,
                    "city": hit.meta.city,
                    "title": hit.meta.title,
                    "section": " > ".join(hit.clause.section),
                    "kind": hit.clause.kind,
                    "char_start": hit.clause.char_start,
                    "char_end": hit.clause.char_end,
                    "score": hit.score,
                },
            )
            for hit in index.search(query, self.k, filters=self.filters, mode=self.mode)  # type: ignore[arg-type]
        ]
