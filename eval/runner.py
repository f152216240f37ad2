"""In-process runs: the one seam between the scorer and the assistant.

The configurations are in `eval/configs.py`:

    def run_config(name: str) -> Callable[[str, Sequence[str], dict | None], AnswerRecord]

which loads whatever the configuration `name` needs (index, models) once and
returns a function answering one question, given the earlier user turns of its
conversation (oldest first) and an eligibility profile or None. Names are the assistant's own (e.g.
"bm25", "dense", "hybrid", "hybrid+rerank"); it must accept DEFAULT_CONFIG, and
for an unknown name raise an exception whose message lists the known ones.
`eval.configs` (and with it the assistant) is imported only here and only when an in-process run
is asked for, so scoring answer files never needs the models.
"""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence

from tqdm import tqdm

from assistant.contract import AnswerRecord

from .answers import AnswerSet
from .dataset import EvalItem

DEFAULT_CONFIG = "default"
UNAVAILABLE = "in-process runs need the assistant; pass --answers"


class RunnerError(RuntimeError):
    """The assistant cannot be run in-process (not importable, or the configuration is unknown)."""


def resolve(name: str) -> Callable[[str, Sequence[str], dict | None], AnswerRecord]:
    """Return the assistant's answer function for configuration `name`."""
    try:
        api = importlib.import_module("eval.configs")
    except ImportError as exc:
        raise RunnerError(f"{UNAVAILABLE} (cannot import eval.configs: {exc})") from None
    run_config = getattr(api, "run_config", None)
    if not callable(run_config):
        raise RunnerError(f"{UNAVAILABLE} (eval.configs has no run_config)")
    try:
        return run_config(name)
    except Exception as exc:  # unknown name, no index built yet ...: the assistant's own message says what to do
        raise RunnerError(f"the assistant could not start configuration {name!r}: {type(exc).__name__}: {exc}") from None


def run_in_process(name: str, items: Sequence[EvalItem]) -> AnswerSet:
    """Answer every item with configuration `name`; a question that fails is reported and left missing."""
    answer = resolve(name)
    result = AnswerSet(name=name, source="in-process", answers={})
    for item in tqdm(items, desc=name, unit="q"):
        started = time.perf_counter()
        try:
            record = AnswerRecord.model_validate(answer(item.question, item.history, item.profile))
        except Exception as exc:  # one failing question (or a malformed record) must not lose the run
            result.malformed += 1
            result.problems.append(f"{name} {item.id}: the assistant failed: {type(exc).__name__}: {exc}")
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        updates = {"id": item.id}
        if not record.latency_ms:
            updates["latency_ms"] = elapsed_ms
        result.answers[item.id] = record.model_copy(update=updates)
    return result
