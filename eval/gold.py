"""Gold spans: where each evidence quote of an item sits in its plan.

A quote may occur more than once in a plan; every occurrence is a gold span,
because a passage containing any of them supports the answer equally well.
"""
from __future__ import annotations

from dataclasses import dataclass

from .dataset import EvalItem


@dataclass(frozen=True)
class Span:
    """A half-open character range `[start, end)` of one plan's source text."""

    doc_id: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.doc_id == other.doc_id and self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return max(0, self.end - self.start)


@dataclass(frozen=True)
class GoldQuote:
    """One evidence quote and all its occurrences; covering any occurrence covers the quote."""

    doc_id: str
    quote: str
    spans: tuple[Span, ...]

    def covered_by(self, span: Span) -> bool:
        return any(gold.overlaps(span) for gold in self.spans)


def occurrences(quote: str, text: str) -> list[tuple[int, int]]:
    """Every (start, end) where `quote` occurs in `text`, overlapping occurrences included."""
    found: list[tuple[int, int]] = []
    start = text.find(quote)
    while start != -1 and quote:
        found.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return found


def locate_gold(items: list[EvalItem], sources: dict[str, str]) -> tuple[dict[str, list[GoldQuote]], list[str]]:
    """Return ({item id: its gold quotes}, problems); a problem names a quote that cannot be found."""
    gold: dict[str, list[GoldQuote]] = {}
    problems: list[str] = []
    for item in items:
        quotes: list[GoldQuote] = []
        for ev in item.evidence:
            text = sources.get(ev.doc_id)
            if text is None:
                problems.append(f"{item.id}: unknown doc_id {ev.doc_id!r} (known: {', '.join(sorted(sources))})")
                continue
            found = occurrences(ev.quote, text)
            if not found:
                problems.append(f"{item.id}: quote not found in {ev.doc_id}: {ev.quote!r}")
                continue
            quotes.append(GoldQuote(ev.doc_id, ev.quote, tuple(Span(ev.doc_id, s, e) for s, e in found)))
        gold[item.id] = quotes
    return gold, problems
