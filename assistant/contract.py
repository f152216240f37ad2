"""The JSON answer contract that evaluation scripts rely on (see eval/README.md).

These pydantic models are the one definition of that contract: the assistant
produces them, `python -m assistant ask|batch` prints them, `eval/` reads them.
"""
from __future__ import annotations

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


class AnswerRecord(BaseModel):
    """One line of `python -m assistant batch` output."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)  # top 10
    latency_ms: float = 0.0
