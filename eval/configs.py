"""Named configurations for in-process evaluation (`python -m eval run --config NAME`).

Each name fixes the retrieval mode; answers are composed the same way, so the
configurations compare retrieval while the answer metrics show its effect end to end.
Only evaluation uses it; `eval.runner` imports it only when an in-process run is asked for, so scoring answer
files never loads the index or the models.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.contract import AnswerRecord
from assistant.service import Assistant
from index.retriever import MODES

CONFIGS = {"default": "hybrid+rerank", **{m: m for m in MODES}}


def run_config(name: str) -> Callable[[str, Sequence[str], dict | None], AnswerRecord]:
    """A function answering (question, history, profile) with configuration `name` (models loaded once)."""
    if name not in CONFIGS:
        raise KeyError(f"unknown configuration {name!r}; choose one of {', '.join(CONFIGS)}")
    assistant = Assistant.from_index()
    mode = CONFIGS[name]

    def answer(question: str, history: Sequence[str] = (), profile: dict | None = None) -> AnswerRecord:
        return assistant.ask(question, history=history, profile=profile, mode=mode).record(question)  # type: ignore[arg-type]

    return answer
