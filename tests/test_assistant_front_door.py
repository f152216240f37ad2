"""The assistant's front door: `from assistant import …` gives a caller everything, and the README's
Python example runs as written against a real index."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import assistant

ROOT = Path(__file__).resolve().parents[1]


def readme_python() -> str:
    """The README's Python example: the first python block after "From Python" (later ones are HTTP clients)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "From Python" in text, "the README's Python example is introduced by 'From Python'"
    block = re.search(r"```python\n(.*?)```", text[text.index("From Python"):], re.S)
    assert block, "no python block after 'From Python'"
    return block.group(1)


def test_exports_resolve_to_the_objects_they_name() -> None:
    from assistant.answer import Answer
    from assistant.service import Assistant, QuestionError
    from index.retriever import FilterError, Filters

    assert (assistant.Assistant, assistant.Answer, assistant.QuestionError) == (Assistant, Answer, QuestionError)
    assert (assistant.Filters, assistant.FilterError) == (Filters, FilterError)
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None and name in dir(assistant)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        assistant.Nope  # noqa: B018


def test_importing_one_light_module_does_not_load_the_service() -> None:
    code = "import sys, assistant.contract; print('assistant.service' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_readme_example_imports_only_the_front_door() -> None:
    tree = ast.parse(readme_python())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports and all(isinstance(n, ast.ImportFrom) and n.module == "assistant" for n in imports)
    assert {a.name for n in imports for a in n.names} <= set(assistant.__all__)


def test_readme_example_runs(built_index) -> None:
    env = {"PLANQA_INDEX_DIR": str(built_index.index_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin",
           "PLANQA_GENERATOR": "extractive"}
    run = subprocess.run([sys.executable, "-c", readme_python()], cwd=ROOT, capture_output=True, text=True, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert "[1]" in lines[0] and lines[1].startswith("[1] nanjing-2021 [")
    record = json.loads(next(line for line in lines if line.startswith("{")))
    assert record["refused"] is False and record["citations"][0]["doc_id"] == "nanjing-2021"
    assert lines[-1].startswith("问题为空")
