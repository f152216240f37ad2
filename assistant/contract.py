"""The JSON answer contract that evaluation scripts rely on (see eval/README.md).

These pydantic models are the one definition of that contract: the assistant
produces them, `python -m assistant ask|batch` prints them, `eval/` reads them.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A quoted span of a plan: `quote == source_text[char_start:char_end]`."""

    doc_id: str
    section: str  # the heading path joined with " > "
    quote: str
    char_start: int
    char_end: int


class Retrieved(BaseModel):
    """One retrieved passage, best first."""

    doc_id: str
    char_start: int
    char_end: int
    score: float


class DroppedSentence(BaseModel):
    """A sentence of a model's rewrite that the grounding check dropped, and why."""

    sentence: str
    reason: str  # e.g. "6507家 in [1] is the 2020年baseline of 高新技术企业数, not a target"


class GenerationReport(BaseModel):
    """What a generative backend (`PLANQA_GENERATOR=openai|local`) did with an answer.

    `kept` sentences of the model's text passed the grounding check and are the answer; `fallback`
    says none did (or the model could not be used) and the composed, extractive answer was returned
    instead; `error` says why the model could not be used (its endpoint failed, no clause to give it).
    """

    backend: str  # "openai", "local", …
    model: str | None = None
    kept: int = 0
    dropped: list[DroppedSentence] = Field(default_factory=list)
    fallback: bool = False
    error: str | None = None


class AnswerRecord(BaseModel):
    """One line of `python -m assistant batch` output."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)  # top 10
    latency_ms: float = 0.0
    generation: GenerationReport | None = None  # None: the extractive generator answered (the default)


class ComparisonRow(BaseModel):
    """One city × indicator cell of a comparison: what the plan sets, or `target` None ("规划未提出")."""

    city: str
    concept: str
    indicator: str | None = None  # the row's name as the plan writes it (None for a sentence or an unset cell)
    target: str | None = None  # the figure as shown ("2025年20000家", or the sentence's words)
    value: float | None = None  # the number, when a table row or the figure layer gives one
    unit: str | None = None
    year: int | None = None
    citation: str | None = None  # the answer's [n] marker for this cell


class ConditionCheck(BaseModel):
    """A condition a measure attaches, judged against what the user told."""

    text: str
    status: Literal["met", "not met", "unknown"]


class ChecklistItem(BaseModel):
    """One support measure an applicant may be eligible for, with its conditions and where it is stated."""

    measure: str  # the quoted measure (exactly the citation's quote)
    doc_id: str
    city: str | None = None
    section: str = ""
    conditions: list[ConditionCheck] = Field(default_factory=list)
    amount_given: bool = False  # whether the measure states an amount
    need: str | None = None  # the stated need it answers (融资, 人才 …), None for the best general matches
