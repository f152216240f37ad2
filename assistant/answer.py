"""The answer the assistant returns, and how sentences with markers are assembled.

Composers add sentences one at a time with the evidence each rests on; the builder
numbers citations in order of first use ([1], [2] …), so the text, the markers and
the citation list can never disagree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.contract import AnswerRecord, ChecklistItem, Citation, ComparisonRow, GenerationReport, Retrieved
from assistant.evidence import Span, cite
from assistant.query import Query


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    refused: bool
    retrieved: list[Retrieved]
    composer: str = "extractive"
    query: Query | None = None
    latency_ms: float = 0.0
    notice: str | None = None  # e.g. "the question was truncated"
    table: list[ComparisonRow] | None = None  # comparison view: one row per city and indicator
    checklist: list[ChecklistItem] | None = None  # eligibility view: one item per measure
    nearest: list[Citation] = field(default_factory=list)  # shown with a refusal
    generation: GenerationReport | None = None  # what a generative backend did (None: extractive)
    question_chars: int | None = None  # how much of a too-long question was used (None: all of it)

    def record(self, question: str, id: str | None = None) -> AnswerRecord:
        """The JSON contract object; `question` is echoed only as far as it was used (a long one was truncated)."""
        if self.question_chars is not None and isinstance(question, str):
            question = question[: self.question_chars]
        return AnswerRecord(
            id=id, question=question, answer=self.text, refused=self.refused,
            citations=self.citations, retrieved=self.retrieved[:10], latency_ms=round(self.latency_ms, 2),
            generation=self.generation,
        )


class AnswerBuilder:
    """Collects sentences with their citations; `[n]` markers follow first use."""

    def __init__(self, sources: dict[str, str]):
        self._sources = sources
        self._parts: list[str] = []
        self.citations: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def marker(self, span: Span) -> str:
        key = (span.clause.doc_id, span.char_start, span.char_end)
        if key not in self._index:
            self.citations.append(cite(span, self._sources[span.clause.doc_id]))
            self._index[key] = len(self.citations)
        return f"[{self._index[key]}]"

    def say(self, text: str, *evidence: Span) -> None:
        """Add one statement, followed by the markers of its evidence."""
        markers = "".join(self.marker(s) for s in evidence)
        self._parts.append(f"{text}{markers}")

    def item(self, text: str, *evidence: Span) -> None:
        """Add one list item on its own line (a list reads as lines, not as one run of "。[1]；…")."""
        self.say(("\n" if self._parts else "") + text, *evidence)

    def raw(self, text: str) -> None:
        """Add text that states nothing from the plans (a table frame, a heading, a notice)."""
        self._parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self._parts).strip()


_MARKER = re.compile(r"\[(\d+)\]")


def renumbered(text: str, offset: int) -> str:
    """An answer's citation markers shifted by `offset`, to follow another answer's ([1] → [4] after three)."""
    return _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", text)
