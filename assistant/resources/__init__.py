"""Data files the assistant reads: the calibrated refusal thresholds (`python -m tuning calibrate --write`)."""
from __future__ import annotations

import json
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")  # written by `python -m tuning calibrate --write`


def refusal_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, float]:
    """Least topic coverage for each composer to answer (figure, sentence, measure, task)."""
    return {name: float(value) for name, value in json.loads(path.read_text(encoding="utf-8")).items()}
