"""Generative rewriting of composed answers: kept only under the grounding check, else the composed answer stands."""
from __future__ import annotations

import json

import pytest

from assistant.contract import AnswerRecord, DroppedSentence, GenerationReport
from assistant.generation import Draft, Evidence, GenerationError, Generator
from assistant.generation.grounding import ground
from assistant.service import Assistant
from index.build import load_index

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


# -- the answer record says what the generator did (issue 14, item 2) ---------------------------------------

def test_extractive_answers_report_no_generation(index):
    answer = Assistant(index).ask(QUESTION)
    assert answer.generation is None
    assert answer.record(QUESTION).model_dump()["generation"] is None


def test_a_kept_rewrite_reports_backend_model_and_kept_sentences(index):
    generator = Scripted("南京市到2025年高新技术企业数达到2万家[1]。")
    generator.model = "scripted-7b"
    answer = Assistant(index, generator=generator).ask(QUESTION)
    record = answer.record(QUESTION)
    assert "2万家" in record.answer
    assert record.generation == GenerationReport(backend="scripted", model="scripted-7b", kept=1, dropped=[],
                                                 fallback=False)


def test_a_partly_dropped_rewrite_lists_each_dropped_sentence_with_its_reason(index):
    answer, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。高新技术企业数的目标是6507家[1]。南京会成为全球第一[1]。")
    report = answer.record(QUESTION).generation
    assert answer.text == "南京市到2025年高新技术企业数达到20000家[1]。"
    assert report.kept == 1 and not report.fallback and report.model is None
    assert [d.sentence for d in report.dropped] == ["高新技术企业数的目标是6507家[1]。", "南京会成为全球第一[1]。"]
    assert "6507家 in [1] is the 2020年baseline of 高新技术企业数, not a target" in report.dropped[0].reason
    assert "does not" in report.dropped[1].reason


def test_a_rewrite_dropped_whole_reports_the_fallback(index):
    composed = Assistant(index).ask(QUESTION)
    answer, _ = ask(index, "南通到2025年高新技术企业数达到20000家[1]。")
    assert answer.text == composed.text and answer.citations == composed.citations
    report = answer.record(QUESTION).generation
    assert report.fallback and report.kept == 0 and report.error is None
    assert report.dropped == [DroppedSentence(sentence="南通到2025年高新技术企业数达到20000家[1]。",
                                              reason="names 南通, but cited clause [1] is from 南京's plan")]


def test_a_failing_backend_reports_its_error(index):
    answer, _ = ask(index, GenerationError("cannot reach the LLM endpoint http://127.0.0.1:9/v1 (model m)"))
    report = answer.record(QUESTION).generation
    assert report.fallback and report.kept == 0 and not report.dropped
    assert report.error == "cannot reach the LLM endpoint http://127.0.0.1:9/v1 (model m)"


def test_the_report_survives_the_json_contract(index):
    answer, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。南京的目标是30000家[1]。")
    line = answer.record(QUESTION, id="q1").model_dump_json()
    back = AnswerRecord.model_validate_json(line)
    assert back.generation == answer.generation
    assert json.loads(line)["generation"]["dropped"][0]["reason"].startswith("number 30000")


# -- and says so wherever the answer is shown (issue 14, item 2) ----------------------------------------------

def test_a_rewrite_that_leaves_out_a_figure_of_the_answer_is_not_used(index):
    composed = Assistant(index).ask(QUESTION)
    answer, _ = ask(index, "2020年南京高新技术企业数为6507家[1]。")  # true, grounded, but not the answer
    report = answer.generation
    assert answer.text == composed.text and answer.citations == composed.citations
    assert report.fallback and report.kept == 1 and report.missing == ["20000家"]
    assert report.note() == "模型改写遗漏了原答案中的20000家，已改用摘录原文的答案。"
    kept, _ = ask(index, "南京到2025年高企要达到2万家[1]。")  # the same figure, written another way
    assert not kept.generation.fallback and kept.generation.missing == []


def test_the_report_reads_as_one_note(index):
    kept, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。")
    partly, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。高新技术企业数的目标是6507家[1]。")
    whole, _ = ask(index, "南通到2025年高新技术企业数达到20000家[1]。")
    failed, _ = ask(index, GenerationError("cannot reach the LLM endpoint"))
    assert kept.generation.note() is None  # used whole: nothing to warn about
    assert partly.generation.note() == "模型改写：保留 1 句，删去 1 句引文不支持的内容。"
    assert whole.generation.note() == "模型改写的 1 句均未通过引文核验，已改用摘录原文的答案。"
    assert failed.generation.note() == "未使用模型改写（cannot reach the LLM endpoint），以下为摘录原文的答案。"


def test_the_chat_shows_a_note_with_the_dropped_sentences_under_the_answer(index):
    from webui import render

    partly, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。高新技术企业数的目标是<b>6507</b>家[1]。")
    message = render.chat_message(partly, index)
    assert 'class="pq-gen-note"' in message
    assert "删去 1 句" in message and "&lt;b&gt;6507&lt;/b&gt;" in message and "<b>6507" not in message
    assert "pq-gen-note" not in render.chat_message(Assistant(index).ask(QUESTION), index)  # extractive: no note
    kept, _ = ask(index, "南京市到2025年高新技术企业数达到20000家[1]。")
    assert "pq-gen-note" not in render.chat_message(kept, index)


def test_the_openai_compatible_response_carries_the_report(index):
    from assistant import tools
    from webui import openai_api

    scripted = Scripted("南京市到2025年高新技术企业数达到20000家[1]。高新技术企业数的目标是6507家[1]。")
    extra = openai_api._extra(tools.ask(Assistant(index, generator=scripted), QUESTION)[0])
    assert extra["generation"]["kept"] == 1 and extra["generation"]["dropped"][0]["sentence"].startswith("高新技术企业数")
    assert openai_api._extra(tools.ask(Assistant(index), QUESTION)[0])["generation"] is None
