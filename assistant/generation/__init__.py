"""Generators: the backends that turn numbered evidence into a grounded answer draft.

`get_generator(name, settings)` picks one by name (`PLANQA_GENERATOR`): `extractive`
(the default: returns the answer the deterministic composers in `assistant/composers/`
built), `openai` (any OpenAI-compatible endpoint) or `local` (a small GGUF model run here).
The assistant calls every backend the same way, `generate(question, evidence,
fallback=composed_draft)`; a generative backend falls back to that draft when none
of its sentences passes the grounding check. Backends are imported only when
chosen, so the default never needs the optional `llm` packages.
"""
from __future__ import annotations

from importlib import import_module
from types import MappingProxyType

from .base import Draft, DraftStream, Evidence, GenerationError, Generator, GroundedSentence, Rejected
from .settings import GeneratorSettings

# name -> "module:class", resolved lazily.
BACKENDS = MappingProxyType({
    "extractive": "assistant.generation.passthrough:ExtractiveGenerator",
    "openai": "assistant.generation.openai_backend:OpenAIGenerator",
    "local": "assistant.generation.local_backend:LocalGenerator",
})


def get_generator(name: str | None = None, settings: GeneratorSettings | None = None) -> Generator:
    """The backend called `name` (default: `settings.generator`), built from `settings`."""
    settings = settings or GeneratorSettings()
    name = (name or settings.generator).strip().lower()
    if name not in BACKENDS:
        raise GenerationError(f"unknown generator {name!r} (PLANQA_GENERATOR): choose one of {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[name].split(":")
    try:
        backend: type[Generator] = getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise GenerationError(f"generator {name!r} is not available: {exc}") from None
    return backend.from_settings(settings)


__all__ = [
    "BACKENDS", "Draft", "DraftStream", "Evidence", "GenerationError", "Generator", "GeneratorSettings",
    "GroundedSentence", "Rejected", "get_generator",
]
