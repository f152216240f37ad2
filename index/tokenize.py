"""jieba tokens for BM25 over the plans, and query-time synonym expansion.

Why a tokenizer of our own rather than `jieba.cut_for_search`:
- the policy terms of the plans (高新技术企业, 揭榜挂帅, 万人发明专利拥有量 …) are kept whole by a
  maintained user dictionary (`resources/policy_terms.txt`, regenerate candidates with
  `python -m index.terms`), loaded into a private `jieba.Tokenizer` so nobody else's jieba changes;
- each top-level word also yields its dictionary sub-words (search mode), so a question that says
  "企业" or "发明专利" still meets "高新技术企业" or "万人发明专利拥有量" — but every span yields one
  token once: the same span is never counted twice;
- text is NFKC-normalised (full-width digits and letters), Latin is lowercased, numbers are kept
  whole ("3.5", "20000"), stop words, punctuation and whitespace are dropped;
- questions say 高企, 科小, 研发强度, 宁 where plans say 高新技术企业, 科技型中小企业,
  研发投入占GDP比重, 南京: `expand_query` adds the canonical forms from `resources/terms.tsv`,
  but only when jieba yields the abbreviation as a word of its own ("通过" never means 南通).
HMM new-word guessing is off by default (`PLANQA_JIEBA_HMM`): it invents words like "宁高企" in
questions that never occur in plans, so the dictionary alone decides.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba

from index.settings import IndexSettings
from ingest.lexicon import PLACES, ResourceError, asked_places, data_lines
from ingest.lexicon import normalize as lexicon_normalize

RESOURCES = Path(__file__).with_name("resources")
POLICY_TERMS = RESOURCES / "policy_terms.txt"
STOPWORDS = RESOURCES / "stopwords.txt"
TERMS = RESOURCES / "terms.tsv"  # the one term table: synonyms, city abbreviations and indicator concepts
SYNONYMS = TERMS

# Bumped whenever the way documents are tokenised changes, so old lexical indexes are refused.
TOKENIZER_VERSION = 1

# Latin/digit runs are tokens by themselves (jieba without HMM would cut "3.5" into 3 / . / 5):
# "2025", "3.48", "5g", "r&d", "gdp", "s122".
_ALNUM = re.compile(r"[0-9A-Za-z]+(?:[.&][0-9A-Za-z]+)*")


@dataclass(frozen=True)
class Token:
    """A token and its span in the NFKC-normalised text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Synonym:
    """An abbreviation or variant and the canonical forms the plans use for it."""

    key: str
    expansions: tuple[str, ...]
    kind: str  # "term" or "city"


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), Latin lowercased: the form both plans and questions are matched in."""
    return lexicon_normalize(text, case="lower")


def _is_noise(token: str) -> bool:
    """Punctuation, symbols, whitespace and control characters only."""
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


def _content_lines(path: Path) -> Iterator[tuple[int, str]]:
    for number, raw in data_lines(path):
        yield number, raw.strip()


def read_policy_terms(path: Path = POLICY_TERMS) -> list[tuple[str, int | None, str | None]]:
    """`word [freq] [tag]` lines (jieba's user-dictionary format), '#' comments allowed."""
    entries = []
    for number, line in _content_lines(path):
        parts = line.split()
        if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
            raise ResourceError(f"{path}:{number}: expected 'word [freq] [tag]', got {line!r}")
        word = normalize(parts[0])
        entries.append((word, int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None))
    return entries


def read_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    return frozenset(normalize(line) for _, line in _content_lines(path))


def _term_rows(path: Path) -> Iterator[tuple[int, str, str, tuple[str, ...], str]]:
    """(line number, raw line, key, forms, kind) of each row of the term table."""
    for number, line in _content_lines(path):
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) not in (2, 3, 4) or not cols[0] or not cols[1]:
            raise ResourceError(f"{path}:{number}: expected 'key<TAB>form1|form2[<TAB>kind[<TAB>english]]', got {line!r}")
        kind = cols[2] if len(cols) >= 3 else "term"
        if kind == "place":
            raise ResourceError(f"{path}:{number}: places are rows of ingest/resources/places.tsv, not of the term table")
        if kind not in ("term", "city", "concept"):
            raise ResourceError(f"{path}:{number}: kind must be 'term', 'city' or 'concept', got {kind!r}")
        yield number, line, cols[0], tuple(f.strip() for f in cols[1].split("|") if f.strip()), kind


def read_synonyms(path: Path = SYNONYMS) -> dict[str, Synonym]:
    """The `term` and `city` rows of the term table; single-character keys must be of kind `city`."""
    table: dict[str, Synonym] = {}
    for number, _, raw_key, raw_forms, kind in _term_rows(path):
        if kind == "concept":
            continue
        key = normalize(raw_key)
        if len(key) == 1 and kind != "city":
            raise ResourceError(f"{path}:{number}: a one-character key ({key!r}) is only allowed as a city abbreviation")
        if key in table:
            raise ResourceError(f"{path}:{number}: duplicate key {key!r}")
        table[key] = Synonym(key, tuple(normalize(f) for f in raw_forms), kind)
    return table


def read_places(path: Path = PLACES) -> tuple[str, ...]:
    """Places people ask about, with or without a plan in the corpus: the lexicon's one list of places
    known by name (ingest/resources/places.tsv) but for names read only in titles."""
    return asked_places(path)


def read_english(path: Path = TERMS) -> tuple[tuple[str, str, str], ...]:
    """(English wording, Chinese form, kind) from the term table's optional fourth column: a concept maps to its
    own name when that is one of its forms and shorter than its first alias (高层次人才, not the narrower
    高层次创新创业人才), else its first alias; a term to its key, a city to its canonical name. Wordings are lower case."""
    rows = []
    for number, line, key, forms, kind in _term_rows(path):
        cols = line.split("\t")
        if len(cols) < 4 or not cols[3].strip():
            continue
        general = kind == "concept" and key in forms and len(key) < len(forms[0])
        chinese = key if general else forms[0] if kind in ("concept", "city") else key
        for english in (e.strip().lower() for e in cols[3].split("|")):
            if not english or not english.isascii():
                raise ResourceError(f"{path}:{number}: an English wording must be plain ASCII, got {english!r}")
            rows.append((english, chinese, kind))
    return tuple(rows)


def read_concepts(path: Path = TERMS) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The `concept` rows of the term table, in file order: (concept, its aliases)."""
    seen: set[str] = set()
    rows = []
    for number, _, key, forms, kind in _term_rows(path):
        if kind != "concept":
            continue
        if key in seen:
            raise ResourceError(f"{path}:{number}: duplicate concept {key!r}")
        seen.add(key)
        rows.append((key, forms))
    return tuple(rows)


@contextmanager
def quiet_jieba() -> Iterator[None]:
    """jieba logs "Building prefix dict …" at DEBUG on its own stderr handler; silence it while we load."""
    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class PolicyTokenizer:
    """A private jieba tokenizer with the policy-term dictionary, stop words and synonyms."""

    def __init__(
        self,
        settings: IndexSettings | None = None,
        *,
        terms_path: Path = POLICY_TERMS,
        stopwords_path: Path = STOPWORDS,
        synonyms_path: Path = SYNONYMS,
    ) -> None:
        settings = settings or IndexSettings()
        self.hmm = settings.jieba_hmm
        self.terms = read_policy_terms(terms_path)
        self.stopwords = read_stopwords(stopwords_path)
        self.synonyms = read_synonyms(synonyms_path)
        self._jieba = jieba.Tokenizer()
        if settings.jieba_cache_dir is not None:
            settings.jieba_cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(settings.jieba_cache_dir)
        with quiet_jieba():
            self._jieba.initialize()
        for word, freq, tag in self.terms:
            # Without a frequency, jieba's own suggestion: just enough to beat the word's split.
            self._jieba.add_word(word, freq or self._jieba.suggest_freq(word), tag)
        digest = hashlib.sha256(f"v{TOKENIZER_VERSION} hmm={self.hmm} jieba={jieba.__version__}\n".encode())
        digest.update(repr(self.terms).encode())
        digest.update(repr(sorted(self.stopwords)).encode())
        self._fingerprint = digest.hexdigest()

    @property
    def fingerprint(self) -> str:
        """Identifies how documents are tokenised (not the query synonyms): an index built with
        another dictionary or stop-word list no longer matches the questions' tokens."""
        return self._fingerprint

    def is_word(self, word: str) -> bool:
        return bool(self._jieba.FREQ.get(word))

    def suggest_freq(self, word: str) -> int:
        """jieba's frequency that just keeps `word` whole against its split (curation aid)."""
        return self._jieba.suggest_freq(normalize(word))

    def words(self, text: str) -> list[Token]:
        """Top-level words (jieba default mode, Latin/digit runs whole) of the normalised text,
        stop words and punctuation included: the positions search-mode sub-words hang from."""
        text = normalize(text)
        out: list[Token] = []
        pos = 0
        for match in _ALNUM.finditer(text):
            out.extend(self._cut(text[pos : match.start()], pos))
            out.append(Token(match.group(), match.start(), match.end()))
            pos = match.end()
        out.extend(self._cut(text[pos:], pos))
        return out

    def _cut(self, segment: str, offset: int) -> Iterator[Token]:
        start = offset
        for word in self._jieba.cut(segment, HMM=self.hmm):
            yield Token(word, start, start + len(word))
            start += len(word)

    def spans(self, text: str) -> list[Token]:
        """BM25 tokens with their spans: each word, preceded by the dictionary words strictly
        inside it (search mode, any length ≥ 2: 万人发明专利拥有量 → 发明, 专利, 发明专利, 拥有量 …);
        one token per span, stop words and punctuation removed."""
        out: list[Token] = []
        for word in self.words(text):
            if _is_noise(word.text) or word.text in self.stopwords:
                continue
            w = word.text
            for size in range(2, len(w)):
                for i in range(len(w) - size + 1):
                    sub = w[i : i + size]
                    if self.is_word(sub) and sub not in self.stopwords:
                        out.append(Token(sub, word.start + i, word.start + i + size))
            out.append(word)
        return out

    def tokenize_document(self, text: str) -> list[str]:
        """The token list BM25 indexes for one passage."""
        return [t.text for t in self.spans(text)]

    def expand_query(self, text: str) -> list[str]:
        """Question tokens plus the canonical forms of the abbreviations it uses, each token once.

        A key of two or more characters is expanded when it is one of the question's tokens — a
        word or a dictionary sub-word (双创载体 → 双创) — never a mere substring; a one-character
        city abbreviation only when jieba yields it as a word *and* it stands in a city pattern:
        first word of the question, after 在/来/驻/赴 …, or next to another city's one-character
        name ("在宁高校", "宁句城际", "沪通合作"; not "通过", "科贷通", "一本通").
        """
        tokens = self.tokenize_document(text)
        words = [w.text for w in self.words(text) if not _is_noise(w.text)]
        keys = [t for t in tokens if len(t) > 1] + [w for i, w in enumerate(words) if len(w) == 1 and _city_pattern(words, i)]
        for key in keys:
            if synonym := self.synonyms.get(key):
                for form in synonym.expansions:
                    tokens.extend(self.tokenize_document(form))
        return list(dict.fromkeys(tokens))


# Words that introduce a place ("在宁高校", "来通投资") and one-character names of nearby cities
# that pair with ours ("宁镇扬", "沪通", "苏锡常").
_BEFORE_CITY = frozenset("在 来 驻 赴 留 回 到 入 落户 扎根 立足 深耕".split())
_CITY_CHARS = frozenset("宁通港澄锡沪苏杭镇扬句常泰盐徐淮宿连")


def _city_pattern(words: list[str], i: int) -> bool:
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    return before is None or before in _BEFORE_CITY or before in _CITY_CHARS or after in _CITY_CHARS


@lru_cache(maxsize=1)
def default_tokenizer() -> PolicyTokenizer:
    """The one shared tokenizer (loading jieba's dictionary takes ~0.5 s, so it is loaded once)."""
    return PolicyTokenizer()


def tokenize_document(text: str) -> list[str]:
    """BM25 tokens of a passage with the default tokenizer."""
    return default_tokenizer().tokenize_document(text)


def expand_query(text: str) -> list[str]:
    """BM25 tokens of a question, abbreviations expanded, with the default tokenizer."""
    return default_tokenizer().expand_query(text)
