"""Answer files (`python -m assistant batch` output): one AnswerRecord per line.

A bad line never stops scoring: it is reported with its line number and the
item it would have answered counts as missing (wrong) in the scores.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assistant.contract import AnswerRecord

from .dataset import describe_validation_error


class AnswersError(ValueError):
    """An answers file that cannot be read at all."""


@dataclass
class AnswerSet:
    """The answers of one configuration, with what was wrong with the file."""

    name: str
    source: str  # the file it came from, or "in-process"
    answers: dict[str, AnswerRecord]
    problems: list[str] = field(default_factory=list)
    malformed: int = 0  # lines (or in-process answers) that are not a valid AnswerRecord with an id
    duplicates: int = 0  # later lines repeating an id (the first one is kept)


def load_answers(path: Path) -> AnswerSet:
    """Read an answers JSONL file named after its stem; raise AnswersError only if it cannot be read."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # tolerate a BOM from editors
    except FileNotFoundError:
        raise AnswersError(f"answers file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswersError(f"cannot read answers file {path}: {exc}") from None
    result = AnswerSet(name=path.stem, source=str(path), answers={})
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = AnswerRecord.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            result.malformed += 1
            result.problems.append(f"{path.name} line {lineno}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValidationError as exc:
            result.malformed += 1
            result.problems.append(f"{path.name} line {lineno}: {describe_validation_error(exc)}")
            continue
        if not record.id:
            result.malformed += 1
            result.problems.append(f"{path.name} line {lineno}: no 'id', cannot match it to a question")
            continue
        if record.id in result.answers:
            result.duplicates += 1
            result.problems.append(f"{path.name} line {lineno}: duplicate id {record.id!r} ignored (first kept)")
            continue
        result.answers[record.id] = record
    return result
