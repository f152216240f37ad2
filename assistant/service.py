"""The assistant's public API: `Assistant.from_index().ask(question, history, filters, profile)`.

Question in → checked and normalised → understood → retrieved → composed by the
composer for its intent → optionally rewritten by a generative backend (whose output
must pass the grounding check) → `Answer` with exact citations.
"""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any, Callable, Sequence

from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answer import Answer
from assistant.composers import compare, eligibility, extractive, target
from assistant.composers.common import Context
from assistant.composers.refusal import refuse
from assistant.contract import Retrieved
from assistant.query import Query, indicator_concepts, understand
from index.rerank import SearchHints
from index.settings import IndexSettings
from index.store import Filters, Hit, Mode, PlanIndex, current_index

COMPOSERS: dict[str, Callable[[Context], Answer]] = {
    "target": target.compose,
    "compare": compare.compose,
    "eligibility": eligibility.compose,
    "list": extractive.compose,
    "general": extractive.compose,
}


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, no text); the message says what to do."""


class AssistantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    search_mode: str = "hybrid+rerank"
    max_question_chars: int = 500  # longer input is truncated with a notice
    top_k: int = 10


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    from opencc import OpenCC

    return OpenCC("t2s").convert


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_question(question: Any, limit: int) -> tuple[str, str | None]:
    """(question ready to parse, notice for the user or None); raises QuestionError when nothing is left."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本。")
    text = _CONTROL.sub("", question)
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise QuestionError("问题为空：请输入要查询的问题，例如“南京到2025年高新技术企业要达到多少家？”")
    notice = None
    if len(text) > limit:
        text, notice = text[:limit], f"问题过长（{len(question)}字），只使用了前{limit}字。"
    text = _t2s()(text)
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", text):
        raise QuestionError("问题中没有可识别的文字：请用中文描述要查询的内容。")
    return text, notice


def hints_for(query: Query) -> SearchHints:
    aliases = {c: a for c, a in indicator_concepts()}
    phrases = tuple(a for c in query.concepts for a in aliases.get(c, ())[:3])
    return SearchHints(phrases=phrases, numeric=query.intent in ("target", "compare"), cities=query.cities, year=query.year)


class Assistant:
    """Answers questions over one loaded index (reloaded when a rebuild switches versions)."""

    def __init__(self, index: PlanIndex | Callable[[], PlanIndex], settings: AssistantSettings | None = None, generator: Any = None):
        self._index = index
        self.settings = settings or AssistantSettings()
        self.generator = generator

    @classmethod
    def from_index(cls, index_settings: IndexSettings | None = None, settings: AssistantSettings | None = None,
                   generator: Any = None) -> "Assistant":
        """An assistant over the current index version (`build/index` unless PLANQA_INDEX_DIR says otherwise)."""
        index_settings = index_settings or IndexSettings()
        current_index(index_settings)  # fail now, with the rebuild hint, if there is no usable index
        return cls(lambda: current_index(index_settings), settings, generator)

    @property
    def index(self) -> PlanIndex:
        return self._index() if callable(self._index) else self._index

    def understand(self, question: str, history: Sequence[str] = (), profile: dict | None = None) -> Query:
        index = self.index
        previous: list[Query] = []
        for turn in history[-3:]:
            try:
                text, _ = clean_question(turn, self.settings.max_question_chars)
            except QuestionError:
                continue
            previous.append(understand(text, index.cities, previous))
        text, _ = clean_question(question, self.settings.max_question_chars)
        return understand(text, index.cities, previous, profile=bool(profile))

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        profile: dict | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        """Answer one question. `history` = the user's earlier questions, oldest first."""
        started = time.perf_counter()
        index = self.index
        _, notice = clean_question(question, self.settings.max_question_chars)
        query = self.understand(question, history, profile)
        filters = filters or Filters()
        index.allowed(filters)  # an unknown plan or city in the filters is an error, not ignored
        if query.cities:
            filters = replace(filters, cities=query.cities)
        hints = hints_for(query)
        hits: list[Hit] = []
        if not (query.unknown_places and not query.cities):
            hits = index.search(query.text, max(self.settings.top_k, 20), filters=filters, hints=hints,
                                mode=mode or self.settings.search_mode)  # type: ignore[arg-type]
        ctx = Context(index=index, query=query, filters=filters, hits=hits, profile=profile, extras={"hints": hints})
        if query.unknown_places and not query.cities:
            answer = refuse(ctx, f"{'、'.join(query.unknown_places)}的科技创新规划（已收录：{'、'.join(index.cities)}）")
        else:
            answer = COMPOSERS[query.intent](ctx)
        if self.generator is not None and not answer.refused:
            answer = self.generator(ctx, answer)
        answer.retrieved = [
            Retrieved(doc_id=h.clause.doc_id, char_start=h.clause.char_start, char_end=h.clause.char_end, score=round(h.score, 6))
            for h in hits[:10]
        ]
        answer.query = query
        answer.notice = notice
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
