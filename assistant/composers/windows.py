"""Windows: the part of a sentence that answers, as exact spans (comma-pieces, runs of them, a leading year).

A window never ends on a comma or colon: `join` leaves the mark out, and `finish` reads a window on
to its sentence's end when the rest is short, so an answer quotes whole statements; a window still
cut inside its sentence is shown with "……" (`evidence.shown`).
"""
from __future__ import annotations

import re

from assistant.evidence import Span
from ingest.lexicon import NUMBER_NOT_YEAR, YEAR_PHRASE, cue, names_year

# A figure: a number that is not a bare year ("2025年"): "3.3%", "1000家", "2－3家", "10~20个".
# A year range ("2020－2022年") states no figure either.
FIGURE = NUMBER_NOT_YEAR
# Pieces of a sentence that a window may start or end at (not "、": it joins the members of a list).
_PIECE_END = re.compile(r"[，,；;。！？!?：:]")
_TRAILING_MARK = "，,；;：:、"  # left out of a window's end (a sentence's own 。！？ stays)
_LEADING_YEAR = re.compile(rf"^(?:{cue('year_lead').pattern})?\s*{YEAR_PHRASE}")


def pieces(span: Span) -> list[Span]:
    """The comma-pieces of a sentence span, each with its exact offsets."""
    out: list[Span] = []
    start = 0
    text = span.text
    for m in _PIECE_END.finditer(text):
        _add_piece(out, span, start, m.end())
        start = m.end()
    _add_piece(out, span, start, len(text))
    return out


def _add_piece(out: list[Span], span: Span, start: int, end: int) -> None:
    piece = span.text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = span.char_start + start + lead
    out.append(Span(span.clause, s, s + len(stripped), stripped))


def join(parts: list[Span]) -> Span:
    """The exact span from the first piece's start to the last piece's end, without a trailing comma or colon."""
    first, last = parts[0], parts[-1]
    clause = first.clause
    end = last.char_end
    while end - first.char_start > 1 and clause.text[end - clause.char_start - 1] in _TRAILING_MARK:
        end -= 1
    text = clause.text[first.char_start - clause.char_start: end - clause.char_start]
    return Span(clause, first.char_start, end, text)


def finish(window: Span, sentence: Span, within: int) -> Span:
    """The window read on to its sentence's end when the whole stays within `within` characters."""
    clause = window.clause
    rest = clause.text[window.char_end - clause.char_start: sentence.char_end - clause.char_start]
    if not rest.strip(_TRAILING_MARK) or sentence.char_end - window.char_start > within:
        return window
    return Span(clause, window.char_start, sentence.char_end,
                clause.text[window.char_start - clause.char_start: sentence.char_end - clause.char_start])


def windows(span: Span, max_pieces: int = 3, whole_below: int = 40, finish_within: int = 0) -> list[Span]:
    """Every run of 1…max_pieces consecutive pieces of a sentence (a sentence under `whole_below` characters
    stays whole); with `finish_within`, each run is read on to the sentence's end when that keeps it that short."""
    ps = pieces(span)
    if len(span.text) <= whole_below or len(ps) <= 1:
        return [span]
    runs = [join(ps[i:j]) for i in range(len(ps)) for j in range(i + 1, min(len(ps), i + max_pieces) + 1)]
    if not finish_within:
        return runs
    out: dict[tuple[int, int], Span] = {}
    for run in runs:
        done = finish(run, span, finish_within)
        out.setdefault((done.char_start, done.char_end), done)
    return list(out.values())


_QUOTED_NAME = re.compile(r"“([^“”]{1,12})”")


def along_names(window: Span, sentence: Span) -> Span:
    """The window read back or on over the pieces of its sentence that quote a name of the kind it quotes — one ending
    in the same character (启动“苏科贷”，健全“澄科贷”“锡科贷”…: 贷), the head of a Chinese compound: a list of named
    programmes is not cut in two."""
    tails = {name[-1] for name in _QUOTED_NAME.findall(window.text)}
    if not tails:
        return window
    ps = pieces(sentence)
    named = [p for p in ps if any(name[-1] in tails for name in _QUOTED_NAME.findall(p.text))]
    start = min([window.char_start] + [p.char_start for p in named])
    end = max([window.char_end] + [p.char_end for p in named])
    if (start, end) == (window.char_start, window.char_end):
        return window
    first = next(p for p in ps if p.char_start >= start)
    last = [p for p in ps if p.char_end <= end][-1]
    joined = join([first, last])
    if joined.char_end < window.char_end:  # the window ends past its last piece (a sentence's own 。)
        joined = Span(window.clause, joined.char_start, window.char_end,
                      window.clause.text[joined.char_start - window.clause.char_start:window.char_end - window.clause.char_start])
    return joined


def with_year(window: Span, sentence: Span) -> Span:
    """Prefix the window with the sentence's leading "到2025年，" when the window itself names no year."""
    if names_year(window.text):
        return window
    ps = pieces(sentence)
    for k, p in enumerate(ps):
        if p.char_start >= window.char_start:
            break
        if (_LEADING_YEAR.match(p.text) and len(p.text) <= 14 and k + 1 < len(ps)
                and ps[k + 1].char_start == window.char_start):
            return join([p, window])
    return window


_CELL = re.compile(r"[^\t\n]+")
_NUMBERED = re.compile(r"^\s*\d{1,2}\s*[.．、]\s*")


def figure_cells(window: Span) -> Span:
    """A window across a table row's cells ("4\t净增高新技术企业40家\t高新区") narrowed to the cells that state a
    figure with words around it; a lone number cell (a row's serial) and the cells after are left out."""
    if "\t" not in window.text and "\n" not in window.text:
        return window
    cells = [m for m in _CELL.finditer(window.text) if m.group(0).strip()]
    # a task's title cell ("5.打好高企引育攻坚战") states no figure: its number is the task's
    stating = [m for m in cells if FIGURE.search(_NUMBERED.sub("", m.group(0))) and re.search(r"[\u4e00-\u9fff]", m.group(0))]
    if not stating:
        return window
    first, last = stating[0], stating[-1]
    start = first.start() + len(first.group(0)) - len(first.group(0).lstrip())
    end = last.end() - (len(last.group(0)) - len(last.group(0).rstrip()))
    return Span(window.clause, window.char_start + start, window.char_start + end, window.text[start:end])


def document_order(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.clause.doc_id, s.char_start))
