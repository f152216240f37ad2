"""Generative rewriting of composed answers: kept only under the grounding check, else the composed answer stands."""
from __future__ import annotations

import pytest

from assistant.generation import Draft, Evidence, GenerationError, Generator
from assistant.generation.grounding import ground
from assistant.service import Assistant
from index.store import load_index

QUESTION = "南京到2025年高新技术企业要达到多少家？"


class Scripted(Generator):
    """A backend whose 'model output' is scripted; the real grounding check judges it."""

    name = "scripted"

    def __init__(self, reply: str | Exception):
        self.reply = reply
        self.seen: list[Evidence] = []

    def generate(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> Draft:
        self.seen = evidence
        if isinstance(self.reply, Exception):
            raise self.reply
        return ground(self.reply, evidence, generator=self.name, refusal="规划中未找到相关内容。", fallback=fallback)


@pytest.fixture(scope="module")
def index(built_index):
    return load_index(built_index)


def ask(index, reply):
    generator = Scripted(reply)
    return Assistant(index, generator=generator).ask(QUESTION), generator


def test_grounded_rewrite_replaces_the_composed_answer_with_exact_citations(index):
    answer, gen = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。")
    assert answer.composer.endswith("+scripted")
    assert "20000" in answer.text and "[1]" in answer.text
    assert len(answer.citations) == 1
    c = answer.citations[0]
    assert index.source(c.doc_id)[c.char_start:c.char_end] == c.quote
    assert "20000" in c.quote and "高新技术企业数" in c.quote
    assert "高新技术企业数" in gen.seen[0].text and "2025年" in gen.seen[0].text  # the row comes with its header


@pytest.mark.parametrize("reply", [
    "南京市到2025年高新技术企业数达到30000家[1]。",   # a number its clause does not contain
    "南京市到2025年高新技术企业数达到20000家[9]。",   # a clause that was not given
    "南京的高新技术企业会很多。",                     # no citation at all
])
def test_ungrounded_output_leaves_the_composed_answer(index, reply):
    composed = Assistant(index).ask(QUESTION)
    answer, _ = ask(index, reply)
    assert answer.text == composed.text and answer.citations == composed.citations
    assert "+scripted" not in answer.composer


def test_failing_backend_leaves_the_composed_answer(index):
    composed = Assistant(index).ask(QUESTION)
    answer, _ = ask(index, GenerationError("endpoint unreachable"))
    assert answer.text == composed.text and not answer.refused
