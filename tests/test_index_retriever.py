"""The LangChain retriever over the plan index, in a small chain: retriever | format | prompt."""
from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.prompts import PromptTemplate
from langchain_core.runnables import RunnableLambda

from index.langchain_retriever import PlanRetriever
from index.build import current_index
from index.retriever import Filters

QUESTION = "南京到2025年高新技术企业要达到多少家？"


@pytest.fixture(scope="module")
def index(built_index):
    return current_index(built_index)


def format_docs(docs: list[Document]) -> dict[str, str]:
    """Numbered quotes with where each comes from: what a prompt cites."""
    return {"context": "\n".join(
        f"[{n}] {d.metadata['title']} · {d.metadata['section']}：{d.page_content}" for n, d in enumerate(docs, 1))}


def test_retriever_format_prompt_chain(index) -> None:
    retriever = PlanRetriever(index=index, k=4, filters=Filters(cities=("南京市",)))
    prompt = PromptTemplate.from_template("只依据下列条文回答，并标注编号。\n{context}")
    chain = retriever | RunnableLambda(format_docs) | prompt
    text = chain.invoke(QUESTION).to_string()
    docs = retriever.invoke(QUESTION)
    assert len(docs) == 4 and text.startswith("只依据下列条文回答")
    for n, d in enumerate(docs, 1):
        assert f"[{n}] {d.metadata['title']} · {d.metadata['section']}：{d.page_content}" in text
    assert any("高新技术企业" in d.page_content for d in docs)


def test_metadata_are_the_hits_with_exact_offsets(index) -> None:
    docs = PlanRetriever(index=index, k=5, filters=Filters(cities=("南京市",))).invoke(QUESTION)
    hits = index.search(QUESTION, 5, filters=Filters(cities=("南京市",)))
    assert [d.page_content for d in docs] == [h.clause.text for h in hits]
    for d, hit in zip(docs, hits):
        m = d.metadata
        assert set(m) == {"doc_id", "city", "title", "section", "kind", "char_start", "char_end", "score"}
        assert m["doc_id"] == hit.clause.doc_id and m["city"] == "南京市" == hit.meta.city
        assert m["title"] == index.docs[m["doc_id"]].title and m["section"] == " > ".join(hit.clause.section)
        assert m["kind"] == hit.clause.kind and m["score"] == pytest.approx(hit.score)
        assert index.source(m["doc_id"])[m["char_start"]:m["char_end"]] == d.page_content  # a citation can quote it
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_mode_and_k_are_passed_through(index) -> None:
    docs = PlanRetriever(index=index, k=2, mode="bm25").invoke("高新技术企业")
    assert [d.page_content for d in docs] == [h.clause.text for h in index.search("高新技术企业", 2, mode="bm25")]
