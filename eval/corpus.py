"""The plans' source texts, keyed by doc_id, as the offsets in answers index them.

Offsets in citations and retrieved spans refer to `Path.read_text(encoding="utf-8")`
of the file named in `manifest.json`, so that is exactly what is loaded here.
"""
from __future__ import annotations

import json
from pathlib import Path

DEFAULT_PLANS_DIR = Path("data/plans")


class CorpusError(ValueError):
    """The plans folder or its manifest cannot be read; the message says what to fix."""


def load_sources(plans_dir: Path = DEFAULT_PLANS_DIR) -> dict[str, str]:
    """Return {doc_id: source text} for every document listed in `plans_dir/manifest.json`."""
    manifest_path = Path(plans_dir) / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"no manifest at {manifest_path} (pass --plans DIR holding the plans and manifest.json)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"cannot read {manifest_path}: {exc}") from None
    documents = manifest.get("documents") if isinstance(manifest, dict) else None
    if not isinstance(documents, list):
        raise CorpusError(f"{manifest_path} has no 'documents' list")
    sources: dict[str, str] = {}
    for entry in documents:
        if not isinstance(entry, dict) or not entry.get("doc_id") or not entry.get("file"):
            raise CorpusError(f"{manifest_path}: every document needs 'doc_id' and 'file', got {entry!r}")
        path = manifest_path.parent / entry["file"]
        try:
            sources[entry["doc_id"]] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"cannot read plan {entry['doc_id']} from {path}: {exc}") from None
    return sources
