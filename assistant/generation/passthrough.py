"""`extractive` (the default): the answer the assistant's composers built, passed through.

The composers in `assistant/composers/` already answer from the clauses alone,
deterministically and without a model; the assistant hands their answer to
`generate` as `fallback`, so every backend is called the same way and this one
simply returns it. No grounding check is needed: composers quote the plan.
"""
from __future__ import annotations

from dataclasses import replace

from .base import Draft, Evidence, GenerationError, Generator


class ExtractiveGenerator(Generator):
    """Returns the composed (extractive) draft unchanged."""

    name = "extractive"

    def generate(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> Draft:
        if fallback is None:
            raise GenerationError("the extractive generator returns the composed answer: pass it as `fallback`")
        return replace(fallback, generator=fallback.generator or self.name)
