"""Figures as shown and as numbers: a unit's kind, a value with its unit, every figure a text states."""
from __future__ import annotations

import re

from ingest.lexicon import FIGURE, number_readings

_UNIT_KIND = (("money", re.compile(r"元")), ("percent", re.compile(r"%|％|百分")), ("count", re.compile(r"[家个项人件名所位]")))


def unit_kind(unit: str | None) -> str | None:
    """"亿元" → money, "%" → percent, "家" → count (None when the unit says nothing of that kind)."""
    return next((kind for kind, p in _UNIT_KIND if unit and p.search(unit)), None)


def fits_kind(unit: str | None, asked: str | None) -> bool:
    """Whether a figure in `unit` can answer a question asking a figure of kind `asked` (money, percent, count): yes
    when either says nothing of its kind."""
    kind = unit_kind(unit)
    return not (asked and kind and kind != asked)


def value_with_unit(value_text: str | None, unit: str | None) -> str:
    """"20000" + "家" → "20000家"; "3左右" + "%" → "3%左右"; ">8" + "%" → ">8%"."""
    if not value_text:
        return ""
    unit = unit or ""
    m = re.match(r"^([<>≥≤＞＜]?\s*[\d.,]+)(.*)$", value_text.strip())
    if m and unit:
        return f"{m.group(1)}{unit}{m.group(2)}"
    return f"{value_text}{unit if unit and not value_text.endswith(unit) else ''}"


def figures_in(text: str) -> list[float]:
    """Every figure a text states, as numbers, in each reading the lexicon gives ("超2万家" → 2 and 20000)."""
    return number_readings(text)


def states_kind(text: str, kind: str) -> bool:
    """Whether a text states a figure of the kind asked ("money": "515亿元"; "percent": "3.48%")."""
    return any(unit_kind((m.group("mult") or "") + m.group("unit")) == kind for m in FIGURE.finditer(text))


def shown_number(value: float) -> str:
    """A number as a reader writes it: no trailing zeros, at most two decimals (16400, 1.5, 0.25)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def difference(delta: float, unit: str | None) -> str:
    """The size of a difference in the figures' unit: shares in 个百分点 ("1个百分点"), others as they are ("16400家")."""
    return f"{shown_number(round(abs(delta), 4))}{'个百分点' if unit in ('%', '％') else unit or ''}"

