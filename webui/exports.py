"""The 资格自查 Markdown exports: one file per page session in one managed folder, old ones removed.

Each export used to be a new `资格自查-*.md` in the system temp folder, kept forever. Now a
session's new export replaces its previous one, and session folders untouched for
`max_age_s` (an hour) are removed whenever another export is written. Gradio copies the
file into its own cache when it sends it to the page; `app.py` has Gradio clean that cache too.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_DIR = Path(tempfile.gettempdir()) / "planqa-exports"
MAX_AGE_S = 3600.0


class ExportFolder:
    """`write(markdown, session)` → the path of that session's one export file."""

    def __init__(self, root: Path | str = DEFAULT_DIR, max_age_s: float = MAX_AGE_S):
        self.root = Path(root)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()

    @staticmethod
    def _key(session: str | None) -> str:
        return re.sub(r"[^0-9A-Za-z_-]", "", session or "")[:64] or "no-session"

    def write(self, markdown: str, session: str | None = None) -> Path:
        folder = self.root / self._key(session)
        with self._lock:
            self.prune(keep=folder)
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.md"):
                old.unlink(missing_ok=True)
            path = folder / f"资格自查-{time.strftime('%Y%m%d-%H%M%S')}.md"
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(markdown + "\n")
            os.replace(tmp, path)
            os.utime(folder)  # the session's folder counts as used now
            return path

    def prune(self, keep: Path | None = None) -> int:
        """Remove session folders older than `max_age_s`; returns how many."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - self.max_age_s
        removed = 0
        for folder in self.root.iterdir():
            if folder == keep or not folder.is_dir():
                continue
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
            except FileNotFoundError:  # removed meanwhile by another process using the same folder
                continue
        return removed

    def files(self) -> list[Path]:
        return sorted(self.root.rglob("*.md")) if self.root.is_dir() else []
