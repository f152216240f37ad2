"""The `local` generator: GGUF assembly and one end-to-end answer (marked `llm`: `make test-llm`).

Needs the optional extra (`pip install -e '.[llm]'`); without it the tests skip and say so.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from generation_support import nanjing_evidence

from assistant.generation import Draft, GenerationError, GroundedSentence
from assistant.generation.grounding import check_sentence
from assistant.generation.local_backend import QWEN_05B, GGUFParts, LocalGenerator, assemble_gguf, missing_packages

MODELS = Path(__file__).resolve().parent.parent / "build" / "models"
MISSING = missing_packages()
needs_llm_extra = pytest.mark.skipif(bool(MISSING), reason=f"optional 'llm' extra not installed: {', '.join(MISSING)}")


def test_missing_parts_give_a_clear_error(tmp_path):
    parts = GGUFParts("x.gguf", ("planqa_no_such_part1",), 10, "0" * 64)
    with pytest.raises(GenerationError, match=r"parts are not installed \(planqa_no_such_part1\).*\.\[llm\]"):
        assemble_gguf(tmp_path, parts)
    assert not list(tmp_path.iterdir())


@pytest.mark.llm
@needs_llm_extra
def test_assembly_is_checked_and_atomic(tmp_path):
    wrong = GGUFParts("bad.gguf", QWEN_05B.modules[:1], 1, "0" * 64)
    with pytest.raises(GenerationError, match="expected 000000000000…"):
        assemble_gguf(tmp_path, wrong)
    assert not list(tmp_path.iterdir())  # no partial file left behind
    path = assemble_gguf(MODELS)
    assert path.stat().st_size == QWEN_05B.size
    with path.open("rb") as f:
        assert hashlib.file_digest(f, "sha256").hexdigest() == QWEN_05B.sha256


@pytest.mark.llm
@needs_llm_extra
def test_local_model_answers_through_the_grounding_check():
    evidence = nanjing_evidence()
    by_n = {e.n: e for e in evidence}
    fallback = Draft("南京到2025年高新技术企业数目标为20000家[1]。",
                     (GroundedSentence("南京到2025年高新技术企业数目标为20000家[1]。", (1,)),), generator="extractive")
    generator = LocalGenerator(MODELS, max_new_tokens=48)
    generator.load()
    start = time.perf_counter()
    stream = generator.stream("南京到2025年高新技术企业要达到多少家？", evidence, fallback)
    chunks = list(stream)
    seconds = time.perf_counter() - start
    draft = stream.draft
    stats = generator.last_stats
    print(f"\nlocal answer: {seconds:.1f} s ({stats['first_text_s']:.1f} s to first text), {stats['prompt_tokens']} "
          f"prompt + {stats['new_tokens']} new tokens, {stats['tokens_per_s']:.2f} tokens/s overall, "
          f"{stats['decode_tokens_per_s']:.2f} tokens/s decoding")
    print(f"raw: {draft.raw!r}\nshown: {draft.text!r}\ndropped: {draft.dropped}")
    assert draft.raw and stats["new_tokens"] > 0 and draft.generator == "local"
    assert "".join(chunks) == draft.text
    if draft.fell_back:
        assert draft.text == fallback.text and draft.dropped
    else:
        for sentence in draft.sentences:
            assert check_sentence(sentence.text, by_n) == sentence
