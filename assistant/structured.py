"""Queries for the structured operations — an indicator across cities, a profile's eligibility — built from fields.

The 城市对比 and 资格自查 views, /api/compare, /api/eligibility and MCP give the assistant fields, not a
question: what they ask (intent), of which cities and for which year is set from those fields, never read back
out of a sentence. The words still get a text — the one retrieval searches for and the composers quote and
weigh (a comparison's 目标, what an applicant says it wants) — and the question reader reads only the words
(indicator concepts, topic, period, unit, quoted names).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from assistant.query import Query, understand

PEOPLE = ("高层次人才", "外籍人才", "海外人才")  # subjects asked about in the first person singular


def compare_question(concept: str, cities: Sequence[str], year: int | None = None) -> str:
    """The words of a comparison: the indicator's targets across `cities` (in `year` when given)."""
    return f"{'、'.join(cities)}的{f'{year}年' if year else ''}{concept}目标对比"


def profile_question(profile: Mapping[str, Any]) -> str:
    """The words of an eligibility check: the profile as an applicant would say it."""
    subject = profile.get("type") or "科技型企业"
    city = profile.get("city") or ""
    if subject in PEOPLE:
        head = f"我是一名{subject}" + (f"，在{city}工作" if city else "")
    else:
        head = f"我们是{city + '的' if city else ''}一家{subject}"
    extras = []
    if profile.get("industry"):
        extras.append(f"所属行业是{profile['industry']}")
    if profile.get("stage"):
        extras.append(f"目前处于{profile['stage']}")
    if profile.get("rd_level") and profile["rd_level"] != "无":
        extras.append(f"建有{profile['rd_level']}研发机构")
    text = "，".join([head, *extras])
    if profile.get("text"):
        text += f"。{str(profile['text']).strip()}"
    return text + "。可以享受哪些支持政策？"


def compare_query(text: str, cities: Sequence[str], known_cities: Iterable[str], year: int | None = None) -> Query:
    """A comparison of `cities` (canonical names, two or more), `text` its words (`compare_question`, cleaned).
    A year the caller gives wins over one the indicator's words name."""
    words = understand(text, known_cities)
    return replace(words, intent="compare", cities=tuple(cities), year=year if year is not None else words.year)


def eligibility_query(text: str, profile: Mapping[str, Any], known_cities: Iterable[str]) -> Query:
    """An eligibility check for `profile` (checked: its city canonical), `text` its words (`profile_question`,
    cleaned). The profile's city is the city asked about; without one, the places its free text names are."""
    words = understand(text, known_cities, profile=True)
    city = profile.get("city")
    return replace(words, intent="eligibility", **({"cities": (city,), "unknown_places": ()} if city else {}))
