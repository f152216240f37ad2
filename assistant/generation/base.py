"""The generator interface: numbered evidence in, a grounded draft out.

Shaped like simonw/llm's model layer: one abstract `Generator`, concrete backends
in their own modules (extractive, openai, local), chosen by name. Every backend
sees the same records, so the assistant can swap them without knowing which
one runs, and the generative ones share one post-check (`grounding.ground`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ingest.records import Figure

if TYPE_CHECKING:
    from .settings import GeneratorSettings


class GenerationError(RuntimeError):
    """A backend could not produce an answer (misconfigured, unreachable, model missing).

    The message is meant for users as is, and never contains a secret.
    """


@dataclass(frozen=True)
class Evidence:
    """One numbered clause given to a generator: it may be cited as `[n]`.

    `text` is what the model reads and what numbers are checked against (for a
    table row, put the header in it: "指标 | 2020年 | 2025年\\n高新技术企业数（家） | 6507 | 20000");
    `char_start`/`char_end` are the span of the plan a citation of `[n]` points to.

    The rest tells the grounding check what the clause states (`claims.py`): the plan's city,
    year and period ("2021-2025"), and `figures`, the figure layer's figures whose span lies in
    this clause (`Corpus.figures_of`); None reads them from `text` with the same rules.
    """

    n: int
    doc_id: str
    title: str
    section: str  # heading path joined with " > "
    text: str
    char_start: int
    char_end: int
    city: str | None = None
    year: int | None = None
    period: str | None = None
    figures: tuple[Figure, ...] | None = None


@dataclass(frozen=True)
class GroundedSentence:
    """A sentence of an answer and the evidence numbers it cites (text keeps its `[n]` markers)."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class Rejected:
    """A sentence the grounding check dropped, and why (for logs, eval and the UI's debug view)."""

    text: str
    reason: str


@dataclass(frozen=True)
class Draft:
    """What a generator returns.

    `text` is the answer shown to the user (the kept sentences, with `[n]` markers);
    `fell_back` says the generative output was unusable and `text` is the fallback's;
    `raw` is the model's unchecked output, kept for debugging, never shown as the answer.
    """

    text: str
    sentences: tuple[GroundedSentence, ...] = ()
    refused: bool = False
    dropped: tuple[Rejected, ...] = ()
    generator: str = ""
    fell_back: bool = False
    raw: str | None = None

    @property
    def cited(self) -> tuple[int, ...]:
        """Evidence numbers cited by the kept sentences, in order of first appearance."""
        seen: dict[int, None] = {}
        for sentence in self.sentences:
            for n in sentence.cites:
                seen.setdefault(n, None)
        return tuple(seen)


class DraftStream:
    """Text chunks as they are produced; `.draft` is the final `Draft` once iteration ends.

    The same shape as llm's `Response`: iterate to show text as it comes, then
    read the full result. Reading `.draft` early consumes the rest of the stream.
    """

    def __init__(self, chunks: Iterator[str], finish: Callable[[], Draft]) -> None:
        self._chunks = chunks
        self._finish = finish
        self._draft: Draft | None = None

    def __iter__(self) -> Iterator[str]:
        if self._draft is None:
            yield from self._chunks
            self._draft = self._finish()

    @property
    def draft(self) -> Draft:
        if self._draft is None:
            for _ in self:
                pass
        assert self._draft is not None
        return self._draft


class Generator(ABC):
    """Turns a question and numbered evidence into a grounded `Draft`.

    `fallback` is the extractive answer for the same evidence: a generative backend
    returns it (marked `fell_back`) when none of its own sentences survive the check.
    """

    name: ClassVar[str]
    model: str | None = None  # the model's name, reported with the answer (None: no model)

    @classmethod
    def from_settings(cls, settings: GeneratorSettings) -> Generator:
        """Build the backend from `PLANQA_*` settings (backends with options override this)."""
        return cls()

    @abstractmethod
    def generate(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> Draft:
        """Answer `question` from `evidence` only."""

    def stream(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> DraftStream:
        """Answer as a stream of text chunks; backends that cannot stream yield one chunk."""
        draft = self.generate(question, evidence, fallback)
        return DraftStream(iter([draft.text]), lambda: draft)
