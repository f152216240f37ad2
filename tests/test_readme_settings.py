"""README's configuration table names every `PLANQA_*` setting the code reads (issue 21 item 7).

The settings classes' fields (pydantic-settings, prefix PLANQA_) and every `PLANQA_…` name written in the
product's source (read with os.environ) must appear in the README's "Configuration" section, and the section
names none that the code does not know.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("ingest", "index", "assistant", "webui")
NAME = re.compile(r"PLANQA_[A-Z0-9_]+")


def settings_fields() -> set[str]:
    from assistant.generation.settings import GeneratorSettings
    from assistant.service import AssistantSettings
    from index.settings import IndexSettings
    from ingest.settings import IngestSettings
    from webui.settings import ServeSettings
    from webui.workers import WorkerSettings

    classes = (ServeSettings, WorkerSettings, IndexSettings, IngestSettings, AssistantSettings, GeneratorSettings)
    return {f"PLANQA_{name.upper()}" for cls in classes for name in cls.model_fields}


def source_names() -> set[str]:
    files = [ROOT / "app.py", *(p for top in PRODUCT for p in (ROOT / top).rglob("*.py"))]
    # a prefix cut short in the source ("PLANQA_MIN_" …) is no setting of its own
    return {n for path in files for n in NAME.findall(path.read_text(encoding="utf-8")) if not n.endswith("_")}


def documented() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Configuration\n")
    end = text.index("\n## ", start + 1)
    return {n for n in NAME.findall(text[start:end]) if not n.endswith("_")}


def test_the_readme_lists_every_setting() -> None:
    missing = sorted((settings_fields() | source_names()) - documented())
    assert not missing, f"add these to README.md's Configuration table: {missing}"


def test_the_readme_lists_no_setting_the_code_does_not_read() -> None:
    unknown = sorted(documented() - settings_fields() - source_names())
    assert not unknown, f"README.md's Configuration table names settings nothing reads: {unknown}"
