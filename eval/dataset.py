"""Evaluation dataset items (one JSON object per line), loaded and validated.

The format is documented in eval/README.md. Unknown fields are ignored so that
authors can keep their own annotations next to the ones the scorer reads.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ItemType = Literal["target", "fact", "list", "compare", "eligibility", "unanswerable"]
ITEM_TYPES: tuple[str, ...] = get_args(ItemType)
FALSE_PREMISE_TAG = "false_premise"


class DatasetError(ValueError):
    """A dataset file that cannot be scored; `problems` lists every bad line."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


class Evidence(BaseModel):
    """A quote that a supporting passage must contain (exact substring of the plan)."""

    model_config = ConfigDict(extra="ignore")

    doc_id: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class EvalItem(BaseModel):
    """One question with what a correct answer must contain and where it is stated."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    type: ItemType
    question: str = Field(min_length=1)
    city: str | list[str] | None = None
    answer_facts: list[str | list[str]] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    notes: str | None = None
    history: list[str] = Field(default_factory=list)  # earlier user turns, oldest first (a follow-up)
    profile: dict | None = None  # eligibility fields the user gave (city, type, industry, stage, needs, text)
    kind: str | None = None  # the question's shape (outline, count, prose_figure, followup …), for per-kind figures

    @field_validator("answer_facts")
    @classmethod
    def _alternatives_not_empty(cls, facts: list[str | list[str]]) -> list[str | list[str]]:
        for fact in facts:
            alternatives = [fact] if isinstance(fact, str) else fact
            if not alternatives or not all(a.strip() for a in alternatives):
                raise ValueError(f"empty fact or empty list of alternatives: {fact!r}")
        return facts

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def false_premise(self) -> bool:
        return FALSE_PREMISE_TAG in (self.notes or "")


def load_dataset(path: Path) -> list[EvalItem]:
    """Read and validate every line; raise DatasetError naming each bad line (nothing is skipped silently)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # tolerate a BOM from editors
    except FileNotFoundError:
        raise DatasetError(path, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(path, [f"cannot read: {exc}"]) from None
    items: list[EvalItem] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = EvalItem.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {lineno}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except ValidationError as exc:
            problems.append(f"line {lineno}: {describe_validation_error(exc)}")
            continue
        if item.id in seen:
            problems.append(f"line {lineno}: duplicate id {item.id!r} (first on line {seen[item.id]})")
            continue
        seen[item.id] = lineno
        items.append(item)
    if problems:
        raise DatasetError(path, problems)
    if not items:
        raise DatasetError(path, ["no items"])
    return items


def describe_validation_error(exc: ValidationError) -> str:
    """One line per field error, e.g. "type: Input should be 'target', ..."."""
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'object'}: {err['msg']}" for err in exc.errors())
