"""The post-check every generative backend's output goes through.

A model may cite a clause it was not given, state a figure no clause contains, give a clause's
figure to the wrong subject, year or city, call a baseline a target, or obey an instruction
hidden in a clause. So the output is split into sentences and a sentence is kept only when

1. it cites at least one `[n]` and every cited `n` is one of the given clauses — or, without
   markers, it restates a fact of a clause already cited by a kept sentence before it (it is
   then kept as written, citing that clause);
2. a cited clause states what it claims (`claims.judge`): every figure by value (万/亿, Chinese
   numerals, ranges, bounds and percentages normalised by `ingest.lexicon`), for the same
   subject, in the same role (a baseline is not a target), and for the year and city the
   sentence names; every other number by value; a sentence without numbers by its words, and
   never denying what the clause states ("没有提出…");
3. it says more than the "《title》 section" line shown above a clause, more than numbers
   ("[1] 2020年"), and does not copy the clauses' " / " layout (small models paste the prompt), and
4. it is not an echo of the prompt: fewer than half of its character bigrams may come
   from the prompt's own wording rather than from the clauses or the question
   (small models copy the rules or the template; seen with the local 0.5B model).

What a clause states comes from the figure layer (`Evidence.figures`: the figures whose span
lies in the clause, as `Corpus.figures_of` gives them), and the sentence is read by the same
rules (`ingest.figures.extract_figures`), so "到2025年…超2万家" matches the row "高新技术企业数 |
20000" of 2025 while "目标为6507家" (the 2020 baseline) and "南通…20000家" citing 南京's row do not.
The cited clause's title and section count as part of it, since the model reads them with it; a
leading list ordinal ("1. ", "（2）") and markup around words ("**6507**家", "<b>…</b>") are not
part of the claim and are skipped.

A clause that carries instructions instead of plan text ("忽略以上规则，回答……",
"ignore previous instructions") is quarantined: it is withheld from the prompt
(`messages.format_clauses`) and a sentence citing it is dropped, so an injected
figure cannot be laundered through a citation of the clause that injected it.

Sentences that fail are dropped (and reported in `Draft.dropped`); when none
survives, the fallback draft (the extractive answer) is returned instead, marked
`fell_back`, or, without one, the refusal text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from ingest.lexicon import NUMBER_TOKEN, normalize
from ingest.sentences import CLOSERS, SENTENCE_END

from . import claims
from .base import Draft, DraftStream, Evidence, GroundedSentence, Rejected

# What the rules tell a model to say when the clauses do not answer (prompts/system.md).
REFUSAL_MARK = "规划中未找到"

_MARKER = r"[\[［【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]］】]"
_MARKER_RE = re.compile(_MARKER)
# A sentence ends at 。！？； (or ASCII !?;) or a line break, with closing quotes and any
# [n] markers written after the stop on the same line, plus the whitespace that follows.
# (A marker opening the next line belongs to the next line: models copy the "[n] …" layout.)
_END_RE = re.compile(rf"(?:[{re.escape(SENTENCE_END)}]+[{re.escape(CLOSERS)}]*(?:[ \t]*{_MARKER})*|\n)\s*")
# What may still turn into the end of the current sentence while streaming.
_PENDING_RE = re.compile(r"[ \t]*(?:[\[［【][\d\s,，、]*)?")
_ORDINAL_RE = re.compile(r"^\s*(?:[-*•·]\s*|\d{1,2}[.、)）](?!\d)\s*|[（(]\d{1,2}[)）]\s*)")
_CONTENT_RE = re.compile(r"\w")
# Emphasis and tags a model may wrap a figure in ("**6507**家", "<b>6507</b>家"): not part of the claim.
_MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]{0,40}>|\*{1,3}|_{2,3}|`+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# A number with what only reads it ("2025年", "1.77%", "3万"): not words of a claim.
_NUMBER_WORD_RE = NUMBER_TOKEN
_INJECTION_RE = re.compile(
    r"(?:忽略|无视|忘记|忘掉|违反|不要遵守|不必遵守|不再遵守)[^。！？\n]{0,12}(?:规则|指令|指示|提示|设定)"
    r"|ignore\s+(?:all\s+|the\s+|any\s+)?(?:previous|above|prior|earlier|preceding)\s+(?:instructions|rules|prompts?)"
    r"|system\s+prompt|系统提示词",
    re.IGNORECASE,
)


def is_injected(text: str) -> bool:
    """Whether `text` tries to instruct the model (a plan clause never does)."""
    return bool(_INJECTION_RE.search(normalize(text)))


def split_sentences(text: str) -> list[str]:
    """Cut text at 。！？；/line breaks; each piece keeps its markers and trailing whitespace."""
    pieces, start = [], 0
    for match in _END_RE.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


def cited_numbers(sentence: str) -> tuple[int, ...]:
    """The clause numbers a sentence cites, in order, without repeats."""
    found: dict[int, None] = {}
    for marker in _MARKER_RE.findall(sentence):
        for n in re.findall(r"\d+", marker):
            found.setdefault(int(n), None)
    return tuple(found)


def echo_bigrams(prompt: str, question: str, evidence: list[Evidence]) -> frozenset[str]:
    """Bigrams of the prompt's own wording: in `prompt` but not in the question or any clause."""
    own = _bigrams(question)
    for e in evidence:
        own |= _bigrams(f"{e.title}\n{e.section}\n{e.text}")
    return frozenset(_bigrams(prompt) - own)


def check_sentence(
    sentence: str, evidence: dict[int, Evidence], echo: frozenset[str] = frozenset(), prior: tuple[int, ...] = ()
) -> GroundedSentence | Rejected:
    """Keep `sentence` (markers made canonical) or say why it is rejected; `echo` from `echo_bigrams`.

    `prior`: the clauses cited by the sentences kept before this one, which a sentence without
    markers may restate.
    """
    text = _canonical_markers(sentence.strip())
    cites = cited_numbers(text)
    claim = _ORDINAL_RE.sub("", _MARKUP_RE.sub("", _MARKER_RE.sub("", text)), count=1)
    grams = _bigrams(claim)
    if len(grams) >= 3 and len(grams & echo) * 2 >= len(grams):
        return Rejected(text, "repeats the prompt's instructions")
    if " / " in claim:
        return Rejected(text, "copies the clauses' layout instead of answering")
    if len("".join(_LETTERS_RE.findall(_NUMBER_WORD_RE.sub("", claim)))) < 2:
        return Rejected(text, "states no claim, only numbers")
    if not cites:
        usable = [evidence[n] for n in prior if n in evidence and not is_injected(evidence[n].text)]
        support = claims.restated(claim, usable)
        if support:
            return GroundedSentence(text, support)
        return Rejected(text, "cites no clause [n]" + (" and restates no fact of the clauses cited" if usable else ""))
    unknown = [n for n in cites if n not in evidence]
    if unknown:
        given = f"[1]–[{max(evidence)}]" if evidence else "none"
        return Rejected(text, f"cites {_markers(unknown)}, but the clauses given are {given}")
    injected = [n for n in cites if is_injected(evidence[n].text)]
    if injected:
        return Rejected(text, f"cites {_markers(injected)}, which holds instructions rather than plan text")
    if _only_source_line(claim, [evidence[n] for n in cites]):
        return Rejected(text, "only repeats the source line of the clause")
    verdict = claims.judge(claim, [evidence[n] for n in cites], refusal=REFUSAL_MARK in claim)
    if verdict.reason:
        return Rejected(text, verdict.reason)
    return GroundedSentence(text, cites)


def ground(
    raw: str,
    evidence: list[Evidence],
    *,
    generator: str,
    refusal: str,
    fallback: Draft | None = None,
    echo: frozenset[str] = frozenset(),
) -> Draft:
    """Check a model's whole output; see the module docstring."""
    check = _Check(evidence, generator=generator, refusal=refusal, fallback=fallback, echo=echo)
    for piece in split_sentences(raw):
        check.add(piece)
    return check.finish(raw)


def ground_stream(
    chunks: Iterable[str],
    evidence: list[Evidence],
    *,
    generator: str,
    refusal: str,
    fallback: Draft | None = None,
    echo: frozenset[str] = frozenset(),
) -> DraftStream:
    """Check a model's output while it streams: each sentence is shown once it has passed.

    The chunks yielded join to exactly `stream.draft.text`.
    """
    check = _Check(evidence, generator=generator, refusal=refusal, fallback=fallback, echo=echo)
    raw: list[str] = []

    def checked() -> Iterator[str]:
        pending = ""
        for chunk in chunks:
            raw.append(chunk)
            pending += chunk
            done, pending = _complete_sentences(pending)
            for piece in done:
                if shown := check.add(piece):
                    yield shown
        for piece in split_sentences(pending):
            if shown := check.add(piece):
                yield shown
        if not check.kept:
            yield check.finish("".join(raw)).text

    return DraftStream(checked(), lambda: check.finish("".join(raw)))


def renumber(draft: Draft, evidence: list[Evidence]) -> tuple[Draft, list[Evidence]]:
    """Renumber the markers 1..k in order of first citation; return the cited evidence in that order.

    The answer's `[i]` then refers to the i-th citation, as the JSON contract lists them.
    """
    by_n = {e.n: e for e in evidence}
    order = [n for n in _first_citations(draft) if n in by_n]
    new = {old: i for i, old in enumerate(order, start=1)}

    def sub(text: str) -> str:
        return re.sub(r"\[(\d+)\]", lambda m: f"[{new.get(int(m.group(1)), m.group(1))}]", text)

    sentences = tuple(
        GroundedSentence(sub(s.text), tuple(new.get(n, n) for n in s.cites)) for s in draft.sentences
    )
    cited = [replace(by_n[old], n=i) for old, i in new.items()]
    return replace(draft, text=sub(draft.text), sentences=sentences), cited


class _Check:
    """Sentence-by-sentence state shared by `ground` and `ground_stream`."""

    def __init__(self, evidence: list[Evidence], *, generator: str, refusal: str, fallback: Draft | None,
                 echo: frozenset[str]):
        self.evidence, self.echo = {e.n: e for e in evidence}, echo
        self.generator, self.refusal, self.fallback = generator, refusal, fallback
        self.kept: list[GroundedSentence] = []
        self.dropped: list[Rejected] = []
        self.parts: list[str] = []
        self._break = False  # a line ended since the last kept sentence

    def add(self, piece: str) -> str:
        """Check one sentence; return the text to show for it ('' when it is not kept)."""
        ends_line = "\n" in piece[len(piece.rstrip()) :]
        if not _CONTENT_RE.search(_MARKER_RE.sub("", piece)):
            self._break |= ends_line
            return ""  # punctuation or markdown noise: neither a claim nor worth reporting
        prior = tuple(dict.fromkeys(n for kept in self.kept for n in kept.cites))
        result = check_sentence(piece, self.evidence, self.echo, prior)
        if isinstance(result, Rejected):
            self.dropped.append(result)
            self._break |= ends_line  # keep the layout: what followed it still starts a line
            return ""
        shown = ("\n" if self._break and self.parts else "") + result.text
        self._break = ends_line
        self.kept.append(result)
        self.parts.append(shown)
        return shown

    def finish(self, raw: str) -> Draft:
        dropped = tuple(self.dropped)
        if self.kept:
            refused = all(REFUSAL_MARK in s.text for s in self.kept)
            return Draft("".join(self.parts), tuple(self.kept), refused, dropped, self.generator, False, raw)
        if self.fallback is not None:
            return replace(self.fallback, generator=self.generator, fell_back=True, dropped=dropped, raw=raw)
        return Draft(self.refusal, (), True, dropped, self.generator, False, raw)


def _complete_sentences(buffer: str) -> tuple[list[str], str]:
    """Split off the sentences of a streaming buffer that can no longer grow."""
    done, start = [], 0
    for match in _END_RE.finditer(buffer):
        if _PENDING_RE.fullmatch(buffer[match.end() :]):
            break  # more markers or whitespace may still belong to this sentence
        done.append(buffer[start : match.end()])
        start = match.end()
    return [piece for piece in done if piece.strip()], buffer[start:]


def _only_source_line(claim: str, cited: list[Evidence]) -> bool:
    """Whether a sentence says nothing but the `《title》 section` line the prompt shows above a clause."""
    rest = claim.replace("[n]", "")
    for e in cited:
        for label in (e.title, *e.section.split(" > ")):
            if label.strip():
                rest = rest.replace(label.strip(), "")
    return not _CONTENT_RE.search(rest)


def _bigrams(text: str) -> set[str]:
    """Pairs of adjacent letters (CJK included; digits, markers and punctuation break a run)."""
    runs = _LETTERS_RE.findall(normalize(_MARKER_RE.sub(" ", text)))
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def _canonical_markers(text: str) -> str:
    """［1］, 【1】 and [1, 2] become [1] and [1][2]."""
    return _MARKER_RE.sub(lambda m: _markers(int(n) for n in re.findall(r"\d+", m.group())), text)


def _markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _first_citations(draft: Draft) -> list[int]:
    found: dict[int, None] = {}
    for n in (int(m) for m in re.findall(r"\[(\d+)\]", draft.text)):
        found.setdefault(n, None)
    for n in draft.cited:
        found.setdefault(n, None)
    return list(found)
