"""Chinese names written in pinyin ("Kecaidai", "Zilang") found in the library's own text.

English questions name products, programmes and places by their pinyin; no dictionary holds them. A word
is spelled out as a run of the library's characters, each read in any of its readings (tones dropped), so
"Kecaidai" finds 科才贷 wherever a plan writes it — any plan, uploaded or shipped, with no list of names.
Of several runs that spell the word, one the text quotes as a name (“科才贷”, 《…》) wins, then the most
frequent; a run of one character is no name.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_CJK = re.compile(r"[\u4e00-\u9fff]")
_OPEN, _CLOSE = "“‘《「\"", "”’》」\""
MIN_LETTERS = 4  # "Ke" or "Su" alone spells too many runs to be a name
MAX_CHARS = 8    # the longest name spelled out


@lru_cache(maxsize=8192)
def readings(char: str) -> tuple[str, ...]:
    """Every reading of one character in plain letters: 行 → ("xing", "hang", …); not a Chinese character → ()."""
    if not _CJK.fullmatch(char):
        return ()
    from pypinyin import Style, pinyin

    return tuple(dict.fromkeys(r.replace("ü", "v") for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0]))


def spellings(word: str, text: str) -> Counter:
    """The runs of `text` (two characters or more) whose readings spell `word` exactly, with how often each occurs."""
    word = word.lower()
    found: Counter = Counter()
    first = word[0]
    for start, char in enumerate(text):
        if not any(r[0] == first for r in readings(char) if r):
            continue
        stack = [(start, 0)]
        while stack:
            at, done = stack.pop()
            if done == len(word):
                if at - start >= 2:
                    found[text[start:at]] += 1
                continue
            if at >= len(text) or at - start >= MAX_CHARS:
                continue
            for reading in readings(text[at]):
                if reading and word.startswith(reading, done):
                    stack.append((at + 1, done + len(reading)))
    return found


@lru_cache(maxsize=256)
def _name_cached(word: str, text: str) -> str | None:
    runs = spellings(word, text)
    if not runs:
        return None

    def quoted(run: str) -> int:
        return sum(1 for m in re.finditer(re.escape(run), text)
                   if m.start() > 0 and text[m.start() - 1] in _OPEN and text[m.end():m.end() + 1] in _CLOSE)

    return max(runs, key=lambda run: (quoted(run) > 0, runs[run], len(run)))


def name(word: str, text: str) -> str | None:
    """The library's Chinese for a word written in pinyin ("Sukedai" → 苏科贷), or None when no run spells it."""
    if len(word) < MIN_LETTERS or not word.isascii() or not word.isalpha():
        return None
    return _name_cached(word.lower(), text)
