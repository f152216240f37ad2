"""The one sentence splitter: where a sentence of a plan, a question or an answer ends.

A sentence ends at a run of end marks (。；！？ and ASCII ;!?) together with the closing quotes and
brackets written right after it. Ingest cuts long paragraphs there, evidence quotes sentence by
sentence, the reranker scores a clause's best sentence and grounding checks an answer's sentences
(adding line breaks and [n] markers, which only a generated answer has). Readers of a question's parts
or of a figure's lead split at full stops only (`FULL_STOPS`, without ；): there ； joins the parts of
one request or one list of targets that share a lead ("到2025年，A达到…；B达到…").
"""
from __future__ import annotations

from functools import lru_cache

SENTENCE_END = "。；！？!?;"
FULL_STOPS = "。！？!?"  # ends that close a whole statement or question; ； does not
CLOSERS = "”’」』）)】》"  # closing quotes and brackets written after an end belong to its sentence


def sentence_cuts(text: str, start: int = 0, end: int | None = None, ends: str = SENTENCE_END) -> list[int]:
    """Offsets just after each sentence end inside `text[start:end]` (closing quotes stay with it);
    an end at the very end of the span makes no cut."""
    end = len(text) if end is None else end
    cuts: list[int] = []
    k = start
    while k < end:
        if text[k] in ends:
            k += 1
            while k < end and (text[k] in ends or text[k] in CLOSERS):
                k += 1
            if k < end:
                cuts.append(k)
            continue
        k += 1
    return cuts


def sentence_spans(text: str, ends: str = SENTENCE_END) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; the spans cover the text whole, whitespace included."""
    return list(_spans(text, ends))


def split_sentences(text: str, ends: str = SENTENCE_END) -> list[str]:
    """The sentences of `text` that hold more than whitespace (joined, the non-blank ones give the text back)."""
    return list(_sentences(text, ends))


# Cached: a plan's clause texts are split again on every question (the reranker, evidence, the composers).
@lru_cache(maxsize=32768)
def _spans(text: str, ends: str) -> tuple[tuple[int, int], ...]:
    bounds = [0, *sentence_cuts(text, 0, len(text), ends), len(text)]
    return tuple((a, b) for a, b in zip(bounds, bounds[1:]) if b > a)


@lru_cache(maxsize=32768)
def _sentences(text: str, ends: str) -> tuple[str, ...]:
    return tuple(text[a:b] for a, b in _spans(text, ends) if text[a:b].strip())


def sentence_start(text: str, pos: int, ends: str = SENTENCE_END) -> int:
    """Where the sentence holding offset `pos` begins."""
    s = pos
    while s > 0 and text[s - 1] not in ends:
        s -= 1
    while s < pos and (text[s] in ends or text[s] in CLOSERS):
        s += 1
    return s


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with a sentence end mark."""
    return bool(text) and text[-1] in SENTENCE_END
