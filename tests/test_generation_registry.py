"""Generators are chosen by name (`PLANQA_GENERATOR`) behind one interface."""
from __future__ import annotations

from pathlib import Path

import pytest
from generation_support import nanjing_evidence

from assistant.generation import Draft, GenerationError, GeneratorSettings, GroundedSentence, get_generator
from assistant.generation.passthrough import ExtractiveGenerator
from assistant.generation.local_backend import LocalGenerator

COMPOSED = Draft("南京到2025年高新技术企业数目标为20000家[1]。",
                 (GroundedSentence("南京到2025年高新技术企业数目标为20000家[1]。", (1,)),))


def test_extractive_is_the_default_and_returns_the_composed_answer(monkeypatch):
    monkeypatch.delenv("PLANQA_GENERATOR", raising=False)
    generator = get_generator()
    assert isinstance(generator, ExtractiveGenerator)
    draft = generator.generate("南京高企目标？", nanjing_evidence(), fallback=COMPOSED)
    assert draft.text == COMPOSED.text and draft.generator == "extractive" and not draft.fell_back
    stream = generator.stream("南京高企目标？", nanjing_evidence(), fallback=COMPOSED)
    assert list(stream) == [COMPOSED.text] and stream.draft == draft
    with pytest.raises(GenerationError, match="pass it as `fallback`"):
        generator.generate("南京高企目标？", nanjing_evidence())


def test_local_is_configured_from_env_without_loading_anything(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANQA_GENERATOR", "LOCAL")
    monkeypatch.setenv("PLANQA_LOCAL_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("PLANQA_LOCAL_MAX_NEW_TOKENS", "64")
    monkeypatch.setenv("PLANQA_LOCAL_MODEL", "qwen2.5-coder-1.5b")
    generator = get_generator()
    assert isinstance(generator, LocalGenerator)
    assert generator.cache_dir == Path(tmp_path) and generator.max_new_tokens == 64
    assert generator.model == "qwen2.5-coder-1.5b"
    assert not list(tmp_path.iterdir())  # the model is assembled on first use only


def test_unknown_generator_names_the_choices():
    with pytest.raises(GenerationError, match="unknown generator 'gpt' .*extractive, openai, local"):
        get_generator("gpt", GeneratorSettings())
