"""The dataset item with every field the hand-written and generated sets carry, typed strictly (no "true" for true)."""
from __future__ import annotations

from pydantic import ConfigDict

from eval.dataset import EvalItem, Evidence


class StrictEvidence(Evidence):
    model_config = ConfigDict(extra="forbid", strict=True)


class StrictItem(EvalItem):
    """The scorer's item with every field required and typed strictly."""

    model_config = ConfigDict(extra="forbid", strict=True)
    city: str | list[str] | None
    answer_facts: list[str | list[str]]
    evidence: list[StrictEvidence]
    notes: str
    paraphrased: bool
