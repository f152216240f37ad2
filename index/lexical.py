"""BM25 over passages (bm25s) with jieba policy-term tokens, a metadata filter, and persistence.

The caller gives one text and id per clause (see `index.passages`). A filter is applied as bm25s's
`weight_mask` before top-k selection, so a filtered search returns the allowed passages' best k, and an
empty filter an empty result. Scoring is bm25s's "lucene" variant (`PLANQA_BM25_*`), which scores a
passage sharing no token with the question 0, so such passages are left out (variants compared in
eval/README.md, *BM25 variant*).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NamedTuple, Union

import bm25s
import numpy as np

from index.settings import IndexSettings
from index.tokenize import PolicyTokenizer, default_tokenizer

FORMAT_VERSION = 1
META_FILE = "lexical.json"
BM25_FILES = ("params.index.json", "vocab.index.json", "data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
REBUILD = "rebuild it with `python -m index build`"

PassageId = Union[str, int]


class LexicalIndexError(ValueError):
    """The lexical index cannot be built or loaded as asked; the message says why and what to do."""


class LexicalHits(NamedTuple):
    """Best first; unpacks as `ids, scores = index.search(...)`."""

    ids: list[PassageId]
    scores: np.ndarray


class LexicalIndex:
    """A bm25s index over token lists of passages, addressed by the caller's passage ids."""

    def __init__(self, bm25: bm25s.BM25, ids: Sequence[PassageId], tokenizer: PolicyTokenizer) -> None:
        if bm25.scores["num_docs"] != len(ids):
            raise LexicalIndexError(f"{len(ids)} ids for {bm25.scores['num_docs']} indexed passages")
        self._bm25 = bm25
        self._ids = list(ids)
        self._row = {pid: i for i, pid in enumerate(self._ids)}
        self.tokenizer = tokenizer

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        ids: Sequence[PassageId] | None = None,
        *,
        tokenizer: PolicyTokenizer | None = None,
        settings: IndexSettings | None = None,
    ) -> "LexicalIndex":
        """Tokenise every text (`tokenize_document`) and index the token lists; ids default to
        the texts' positions (0, 1, …)."""
        tokenizer = tokenizer or default_tokenizer()
        return cls.from_tokens([tokenizer.tokenize_document(t) for t in texts], ids, tokenizer=tokenizer,
                               settings=settings)

    @classmethod
    def from_tokens(
        cls,
        tokens: Sequence[Sequence[str]],
        ids: Sequence[PassageId] | None = None,
        *,
        tokenizer: PolicyTokenizer | None = None,
        settings: IndexSettings | None = None,
    ) -> "LexicalIndex":
        """Index token lists that `tokenizer.tokenize_document` already gave (stored with an index
        version, so a change of the library re-indexes without re-tokenising every plan)."""
        ids = list(range(len(tokens))) if ids is None else list(ids)
        if len(tokens) != len(ids):
            raise LexicalIndexError(f"{len(tokens)} texts but {len(ids)} ids: give one id per text")
        if not tokens:
            raise LexicalIndexError("nothing to index: no passages were given")
        if len(set(ids)) != len(ids):
            dupes = sorted(str(i) for i, n in Counter(ids).items() if n > 1)[:5]
            raise LexicalIndexError(f"passage ids must be unique; repeated: {', '.join(dupes)}")
        tokenizer = tokenizer or default_tokenizer()
        settings = settings or IndexSettings()
        bm25 = bm25s.BM25(method=settings.bm25_method, k1=settings.bm25_k1, b=settings.bm25_b)
        bm25.index([list(t) for t in tokens], show_progress=False)
        return cls(bm25, ids, tokenizer)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[PassageId]:
        return list(self._ids)

    def mask(self, allowed: Collection[PassageId] | np.ndarray) -> np.ndarray:
        """A 0/1 weight per passage: a boolean array aligned with `ids`, or a collection of ids
        (ids this index does not hold are ignored: they can match nothing here)."""
        if isinstance(allowed, np.ndarray) and allowed.dtype == bool:
            if allowed.shape != (len(self._ids),):
                raise ValueError(f"a boolean filter needs one entry per passage ({len(self._ids)}), got shape {allowed.shape}")
            return allowed.astype(np.float32)
        if isinstance(allowed, np.ndarray) and allowed.dtype.kind in "fc":
            raise TypeError("a numeric array is not a filter: give a boolean mask or a collection of passage ids")
        if isinstance(allowed, (str, bytes)):
            raise TypeError("`allowed` must be a collection of passage ids, not a single id string")
        weights = np.zeros(len(self._ids), dtype=np.float32)
        rows = [self._row[pid] for pid in allowed if pid in self._row]
        weights[rows] = 1.0
        return weights

    def search(
        self, query: str, k: int = 10, allowed: Collection[PassageId] | np.ndarray | None = None
    ) -> LexicalHits:
        """The k best passages for a question (synonyms expanded), restricted to `allowed` if given."""
        return self.search_tokens(self.tokenizer.expand_query(query), k, allowed)

    def search_tokens(
        self, tokens: Sequence[str], k: int = 10, allowed: Collection[PassageId] | np.ndarray | None = None
    ) -> LexicalHits:
        """Like `search`, for an already tokenised query."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        weights = None if allowed is None else self.mask(allowed)
        candidates = len(self._ids) if weights is None else int(np.count_nonzero(weights))
        token_ids = self._bm25.get_tokens_ids(list(tokens))
        if candidates == 0 or not token_ids:
            return LexicalHits([], np.zeros(0, dtype=np.float32))
        docs, scores = self._bm25.retrieve(
            [token_ids], k=min(k, candidates), weight_mask=weights, show_progress=False, n_threads=0
        )
        docs, scores = docs[0], scores[0]
        keep = scores > 0
        return LexicalHits([self._ids[int(i)] for i in docs[keep]], scores[keep].astype(np.float32))

    def save(self, directory: Path | str) -> None:
        """Write the bm25s arrays, then `lexical.json` (ids, tokenizer fingerprint) last, into
        `directory`. Making the write atomic is the index directory's job (`index.versions`)."""
        directory = Path(directory)
        self._bm25.save(directory, show_progress=False)
        meta = {
            "format_version": FORMAT_VERSION,
            "tokenizer": self.tokenizer.fingerprint,
            "bm25s_version": bm25s.__version__,
            "ids": self._ids,
        }
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path | str, *, tokenizer: PolicyTokenizer | None = None) -> "LexicalIndex":
        """Load what `save` wrote; a missing, partial or foreign directory is a LexicalIndexError."""
        directory = Path(directory)
        if not directory.is_dir():
            raise LexicalIndexError(f"no lexical index at {directory}: {REBUILD}")
        missing = [name for name in (META_FILE, *BM25_FILES) if not (directory / name).is_file()]
        if missing:
            raise LexicalIndexError(f"lexical index at {directory} is incomplete (missing {', '.join(missing)}): {REBUILD}")
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            ids = meta["ids"]
            fingerprint = meta["tokenizer"]
            version = meta["format_version"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LexicalIndexError(f"lexical index at {directory} is corrupt ({META_FILE}: {exc}): {REBUILD}") from exc
        if version != FORMAT_VERSION:
            raise LexicalIndexError(f"lexical index at {directory} has format {version}, this code reads {FORMAT_VERSION}: {REBUILD}")
        tokenizer = tokenizer or default_tokenizer()
        if fingerprint != tokenizer.fingerprint:
            raise LexicalIndexError(
                f"lexical index at {directory} was built with another tokenizer (policy_terms.txt, "
                f"stopwords.txt or tokenizer settings changed since): {REBUILD}"
            )
        try:
            bm25 = bm25s.BM25.load(directory, show_progress=False)
            _check_arrays(bm25, len(ids))
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise LexicalIndexError(f"lexical index at {directory} is corrupt ({exc}): {REBUILD}") from exc
        return cls(bm25, ids, tokenizer)


def _check_arrays(bm25: bm25s.BM25, n_ids: int) -> None:
    """Catch a truncated or mismatched file that np.load alone would accept."""
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    n_docs = bm25.scores["num_docs"]
    if n_docs != n_ids:
        raise ValueError(f"{n_ids} ids for {n_docs} indexed passages")
    # bm25s adds an empty token "" to the vocabulary without a score column.
    if len(indptr) - 1 not in (len(bm25.vocab_dict), len(bm25.vocab_dict) - 1) or len(data) != len(indices) or int(indptr[-1]) != len(data):
        raise ValueError("score arrays and vocabulary do not fit together")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= n_docs):
        raise ValueError("passage numbers out of range")
