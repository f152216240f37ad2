"""Prompt files, loaded by name from `prompts/` as LangChain templates.

Prompts are plain text files with `{placeholders}` so they can be read and edited
without touching code: `system.md` (the rules), `answer.md` (numbered clauses and the
question), `refusal.md`, `condense_followup.md`. `PLANQA_PROMPTS_DIR` points elsewhere.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "prompts"
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")


class PromptError(ValueError):
    """A prompt name that does not exist or is not a plain name."""


def prompts_dir() -> Path:
    """`PLANQA_PROMPTS_DIR` if set, else the repository's `prompts/`."""
    return Path(os.environ.get("PLANQA_PROMPTS_DIR") or DEFAULT_DIR)


def prompt_text(name: str, directory: Path | None = None) -> str:
    """The raw text of prompt `name` (`prompts/<name>.md`), without the final newline."""
    directory = directory or prompts_dir()
    if not _NAME_RE.fullmatch(name):
        raise PromptError(f"invalid prompt name {name!r}: use lower-case letters, digits and _")
    path = directory / f"{name}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.md"))) or "none"
        raise PromptError(f"no prompt named {name!r} in {directory} (available: {known})")
    return path.read_text(encoding="utf-8").rstrip("\n")


def load_prompt(name: str, directory: Path | None = None) -> PromptTemplate:
    """Prompt `name` as a `PromptTemplate` whose variables are its `{placeholders}`."""
    return PromptTemplate.from_template(prompt_text(name, directory))


def load_chat_prompt(
    system: str = "system", human: str = "answer", directory: Path | None = None
) -> ChatPromptTemplate:
    """A system + human `ChatPromptTemplate` built from two prompt files."""
    return ChatPromptTemplate.from_messages(
        [("system", prompt_text(system, directory)), ("human", prompt_text(human, directory))]
    )
