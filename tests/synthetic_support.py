"""An assistant over made-up plans, indexed in a temporary folder: tests of mechanisms that must not depend on the
shipped plans' wording build their own plans with this."""
from __future__ import annotations

from pathlib import Path


def assistant_over(plans: dict[str, str], root: Path):
    """An `Assistant` over `plans` ({file stem: plan text}), indexed under `root`."""
    from assistant import Assistant
    from index.settings import IndexSettings
    from index.build import build_index, current_index

    folder = root / "plans"
    folder.mkdir()
    for stem, text in plans.items():
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    settings = IndexSettings(plans_dir=folder, index_dir=root / "index", uploads_dir=root / "uploads")
    build_index([folder], settings=settings, progress=False)
    return Assistant(current_index(settings))
