"""Eligibility recall: do the assistant's citations for a profile cover the measures that apply to it?

`python -m eval eligibility [--gold eval/data/eligibility_gold.jsonl] [--out build/eval/eligibility]`

The gold file has one profile per line: `id`, `question`, `profile` (city, type, industry, stage,
needs), `doc_id` (the plan that applies) and `measures`, each `{"quote", "need", "conditions"}` where
`quote` is an exact substring of that plan's source text. For each profile the assistant is asked
`ask(question, profile=profile)`, and then

- a gold measure is *found* when some citation of the answer (same doc_id) overlaps a span of its
  quote in the plan (half-open ranges; a quote that occurs more than once marks every occurrence,
  and covering any one of them counts);
- a citation is *relevant* when it overlaps the span of some gold measure of the profile.

Citations are counted once per distinct (doc_id, char_start, char_end); one citation may find several
measures, and several citations may find the same measure (each is relevant). There is no length cap
on citations (unlike the dev-set scorer's citation precision), so the report gives citation lengths:
a long citation overlapping many measures would show there.

Per profile: recall = found / gold measures, precision = relevant / citations (None without citations).
Overall: micro (pooled counts) and macro (mean over profiles; precision over profiles with citations)
averages, and recall per need, micro and macro. Quotes are located in the assistant's own copy of each
plan (`index.source(doc_id)`), the text its citation offsets index.

A gold file that cannot be scored (bad JSON, missing fields, a quote not in its plan, an unknown
doc_id) stops the run with every bad line named and exit status 2, no traceback.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .dataset import DatasetError
from .gold import Span, occurrences
from .report import write_report

DEFAULT_GOLD = Path("eval/data/eligibility_gold.jsonl")
DEFAULT_OUT = Path("build/eval/eligibility")
PROFILE_FIELDS = ("id", "question", "profile", "doc_id", "measures")


# ---------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldMeasure:
    """One measure that applies to a profile, with every occurrence of its quote in the plan."""

    quote: str
    need: str
    conditions: tuple[str, ...]
    spans: tuple[Span, ...] = ()

    def covered_by(self, span: Span) -> bool:
        return any(gold.overlaps(span) for gold in self.spans)


@dataclass(frozen=True)
class GoldProfile:
    id: str
    question: str
    profile: dict[str, Any]
    doc_id: str
    measures: tuple[GoldMeasure, ...]
    line: int = 0


def parse_gold(path: Path) -> list[GoldProfile]:
    """Read the gold file and check its shape (quotes are located later, by `locate`).

    Raises DatasetError naming every bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(path, ["file not found (pass --gold FILE)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(path, [f"cannot read: {exc}"]) from None
    problems: list[str] = []
    profiles: list[GoldProfile] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        where = f"line {number} ({obj.get('id')})" if isinstance(obj.get("id"), str) else f"line {number}"
        bad = _shape_problems(obj)
        if bad:
            problems.extend(f"{where}: {p}" for p in bad)
            continue
        if obj["id"] in seen:
            problems.append(f"{where}: id repeated from line {seen[obj['id']]}")
            continue
        seen[obj["id"]] = number
        measures = tuple(GoldMeasure(m["quote"], m["need"], tuple(m.get("conditions", []))) for m in obj["measures"])
        profiles.append(GoldProfile(obj["id"], obj["question"], obj["profile"], obj["doc_id"], measures, number))
    if not profiles and not problems:
        problems.append("no profiles")
    if problems:
        raise DatasetError(path, problems)
    return profiles


def _shape_problems(obj: dict[str, Any]) -> list[str]:
    out = [f"missing field {name!r}" for name in PROFILE_FIELDS if name not in obj]
    if out:
        return out
    for name in ("id", "question", "doc_id"):
        if not isinstance(obj[name], str) or not obj[name].strip():
            out.append(f"{name!r} must be a non-empty string")
    if not isinstance(obj["profile"], dict):
        out.append("'profile' must be an object")
    measures = obj["measures"]
    if not isinstance(measures, list) or not measures:
        return out + ["'measures' must be a non-empty list"]
    quotes: dict[str, int] = {}
    for k, m in enumerate(measures, 1):
        if not isinstance(m, dict):
            out.append(f"measure {k}: not an object")
            continue
        if not isinstance(m.get("quote"), str) or not m["quote"]:
            out.append(f"measure {k}: 'quote' must be a non-empty string")
        elif m["quote"] in quotes:
            out.append(f"measure {k}: same quote as measure {quotes[m['quote']]}: {m['quote']!r}")
        else:
            quotes[m["quote"]] = k
        if not isinstance(m.get("need"), str) or not m["need"].strip():
            out.append(f"measure {k}: 'need' must be a non-empty string")
        conditions = m.get("conditions", [])
        if not isinstance(conditions, list) or not all(isinstance(c, str) for c in conditions):
            out.append(f"measure {k}: 'conditions' must be a list of strings")
    return out


def locate(profiles: Sequence[GoldProfile], source: Callable[[str], str | None], path: Path = DEFAULT_GOLD,
           known: Iterable[str] = ()) -> list[GoldProfile]:
    """The profiles with every occurrence of each quote located in `source(doc_id)` (None = unknown plan).

    Raises DatasetError naming every line whose doc_id is unknown or whose quote is not in its plan."""
    problems: list[str] = []
    located: list[GoldProfile] = []
    for p in profiles:
        where = f"line {p.line} ({p.id})"
        text = source(p.doc_id)
        if text is None:
            known_list = ", ".join(sorted(known)) or "?"
            problems.append(f"{where}: unknown doc_id {p.doc_id!r} (known: {known_list})")
            continue
        measures = []
        for k, m in enumerate(p.measures, 1):
            found = occurrences(m.quote, text)
            if not found:
                problems.append(f"{where}: measure {k} quote not found in {p.doc_id}: {m.quote!r}")
                continue
            measures.append(GoldMeasure(m.quote, m.need, m.conditions, tuple(Span(p.doc_id, s, e) for s, e in found)))
        located.append(GoldProfile(p.id, p.question, p.profile, p.doc_id, tuple(measures), p.line))
    if problems:
        raise DatasetError(path, problems)
    return located


# ---------------------------------------------------------------- scoring


@dataclass
class ProfileScore:
    id: str
    doc_id: str
    needs: list[str]
    measures: int
    found: int
    citations: int
    relevant: int
    recall: float
    precision: float | None  # None when the answer cites nothing
    per_need: dict[str, dict[str, int]]  # need → {"measures", "found"}
    missed: list[dict[str, str]]  # gold measures no citation covers
    irrelevant: list[dict[str, Any]]  # citations that cover no gold measure
    citation_chars: list[int]
    refused: bool | None = None
    composer: str | None = None
    latency_ms: float | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def citation_spans(citations: Iterable[Any]) -> list[tuple[Span, str]]:
    """Distinct (span, quote) of citations with doc_id, char_start, char_end (and quote), first use first."""
    out: list[tuple[Span, str]] = []
    seen: set[Span] = set()
    for c in citations:
        span = Span(c.doc_id, int(c.char_start), int(c.char_end))
        if span not in seen:
            seen.add(span)
            out.append((span, getattr(c, "quote", "")))
    return out


def score_profile(gold: GoldProfile, citations: Iterable[Any]) -> ProfileScore:
    """Recall and precision of one answer's citations against the profile's located gold measures."""
    spans = citation_spans(citations)
    found_flags = [any(m.covered_by(span) for span, _ in spans) for m in gold.measures]
    relevant_flags = [any(m.covered_by(span) for m in gold.measures) for span, _ in spans]
    per_need: dict[str, dict[str, int]] = {}
    for m, found in zip(gold.measures, found_flags):
        entry = per_need.setdefault(m.need, {"measures": 0, "found": 0})
        entry["measures"] += 1
        entry["found"] += int(found)
    n_found, n_relevant = sum(found_flags), sum(relevant_flags)
    return ProfileScore(
        id=gold.id, doc_id=gold.doc_id, needs=list(per_need), measures=len(gold.measures), found=n_found,
        citations=len(spans), relevant=n_relevant,
        recall=n_found / len(gold.measures) if gold.measures else 0.0,
        precision=n_relevant / len(spans) if spans else None,
        per_need=per_need,
        missed=[{"need": m.need, "quote": m.quote} for m, f in zip(gold.measures, found_flags) if not f],
        irrelevant=[{"doc_id": s.doc_id, "char_start": s.start, "char_end": s.end, "quote": q}
                    for (s, q), r in zip(spans, relevant_flags) if not r],
        citation_chars=[len(s) for s, _ in spans],
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(scores: Sequence[ProfileScore]) -> dict[str, Any]:
    """Overall micro and macro figures and recall per need."""
    measures, found = sum(s.measures for s in scores), sum(s.found for s in scores)
    citations, relevant = sum(s.citations for s in scores), sum(s.relevant for s in scores)
    chars = [n for s in scores for n in s.citation_chars]
    overall = {
        "profiles": len(scores),
        "measures": measures,
        "found": found,
        "citations": citations,
        "relevant": relevant,
        "recall_micro": found / measures if measures else None,
        "recall_macro": _mean([s.recall for s in scores]),
        "precision_micro": relevant / citations if citations else None,
        "precision_macro": _mean([s.precision for s in scores if s.precision is not None]),
        "profiles_without_citations": sum(1 for s in scores if not s.citations),
        "profiles_refused": sum(1 for s in scores if s.refused),
        "profiles_failed": sum(1 for s in scores if s.error),
        "citation_chars_p50": statistics.median(chars) if chars else None,
        "citation_chars_max": max(chars) if chars else None,
    }
    per_need: dict[str, dict[str, Any]] = {}
    for s in scores:
        for need, c in s.per_need.items():
            entry = per_need.setdefault(need, {"profiles": 0, "measures": 0, "found": 0, "_recalls": []})
            entry["profiles"] += 1
            entry["measures"] += c["measures"]
            entry["found"] += c["found"]
            entry["_recalls"].append(c["found"] / c["measures"])
    for entry in per_need.values():
        recalls = entry.pop("_recalls")
        entry["recall_micro"] = entry["found"] / entry["measures"]
        entry["recall_macro"] = _mean(recalls)
    return {"overall": overall, "per_need": dict(sorted(per_need.items()))}


# ---------------------------------------------------------------- running


def ask_all(assistant: Any, gold: Sequence[GoldProfile], warn: Callable[[str], None] = lambda m: None) -> list[ProfileScore]:
    """Ask every profile's question with its profile and score the answer's citations."""
    scores: list[ProfileScore] = []
    for p in gold:
        started = time.perf_counter()
        try:
            answer = assistant.ask(p.question, profile=p.profile)
        except Exception as exc:  # one failing question is scored as an answer citing nothing
            score = score_profile(p, [])
            score.error = f"{type(exc).__name__}: {exc}"
            score.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            warn(f"{p.id}: the assistant raised {score.error} (scored as citing nothing)")
            scores.append(score)
            continue
        score = score_profile(p, answer.citations)
        score.refused, score.composer = bool(answer.refused), getattr(answer, "composer", None)
        score.latency_ms = round(getattr(answer, "latency_ms", 0.0) or (time.perf_counter() - started) * 1000, 1)
        score.extra["checklist_items"] = len(answer.checklist or [])
        scores.append(score)
    return scores


def _git_state() -> dict[str, Any]:
    """Commit and whether the answering code had uncommitted changes (best effort; None without git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "assistant", "index", "ingest"],
                               capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "answering_code_modified": None}
    return {"commit": head.stdout.strip(), "answering_code_modified": bool(dirty.stdout.strip())}


def build_report(gold_path: Path, scores: Sequence[ProfileScore], config: dict[str, Any] | None = None) -> dict[str, Any]:
    summary = summarise(scores)
    return {
        "gold": str(gold_path),
        "date": date.today().isoformat(),
        "config": {**(config or {}), **_git_state()},
        **summary,
        "profiles": [
            {k: v for k, v in vars(s).items() if k not in ("citation_chars", "extra")} | s.extra
            for s in scores
        ],
    }


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_markdown(report: dict[str, Any]) -> str:
    o, cfg = report["overall"], report["config"]
    lines = [
        "# Eligibility recall",
        "",
        f"Gold `{report['gold']}`, {o['profiles']} profiles, {o['measures']} gold measures; {report['date']}; "
        f"search `{cfg.get('search_mode')}`, generator `{cfg.get('generator')}`, commit {cfg.get('commit')}"
        + (" with uncommitted changes in assistant/, index/ or ingest/" if cfg.get("answering_code_modified") else "") + ".",
        "",
        "| | micro | macro |",
        "| --- | ---: | ---: |",
        f"| recall (found / gold measures) | {_f(o['recall_micro'])} ({o['found']}/{o['measures']}) | {_f(o['recall_macro'])} |",
        f"| precision (relevant / citations) | {_f(o['precision_micro'])} ({o['relevant']}/{o['citations']}) "
        f"| {_f(o['precision_macro'])} |",
        "",
        f"Profiles without citations: {o['profiles_without_citations']} (left out of macro precision); refused: "
        f"{o['profiles_refused']}; failed: {o['profiles_failed']}. Citation length p50 {o['citation_chars_p50']}, "
        f"max {o['citation_chars_max']} characters.",
        "",
        "## Per need",
        "",
        "| need | profiles | measures | found | recall micro | recall macro |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for need, e in report["per_need"].items():
        lines.append(f"| {need} | {e['profiles']} | {e['measures']} | {e['found']} | {_f(e['recall_micro'])} | {_f(e['recall_macro'])} |")
    lines += [
        "",
        "## Per profile",
        "",
        "| id | needs | measures | found | recall | citations | relevant | precision | composer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in report["profiles"]:
        composer = "error" if p["error"] else f"{p['composer']}{' (refused)' if p['refused'] else ''}"
        lines.append(f"| {p['id']} | {'、'.join(p['needs'])} | {p['measures']} | {p['found']} | {_f(p['recall'])} | "
                     f"{p['citations']} | {p['relevant']} | {_f(p['precision'])} | {composer} |")
    lines += ["", "Missed measures and irrelevant citations are listed per profile in report.json.", ""]
    return "\n".join(lines)


def run(gold_path: Path, out_dir: Path) -> int:
    """The `python -m eval eligibility` command (errors → message on stderr, exit 2)."""
    gold = parse_gold(gold_path)  # shape first: a broken file fails before the index loads
    try:
        from assistant.service import Assistant

        assistant = Assistant.from_index()
        index = assistant.index
    except Exception as exc:  # no index, corrupt index, model mismatch: the assistant's own message
        print(f"error: cannot start the assistant: {exc}", file=sys.stderr)
        return 2
    gold = locate(gold, lambda d: index.source(d) if d in index.docs else None, gold_path, index.docs)
    scores = ask_all(assistant, gold, warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    generator = "extractive" if assistant.generator is None else type(assistant.generator).__name__
    report = build_report(gold_path, scores, {"search_mode": assistant.settings.search_mode, "generator": generator})
    markdown = render_markdown(report)
    json_path, md_path = write_report(out_dir, report, markdown)
    print(markdown)
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `eligibility` on `python -m eval`'s subcommands."""
    p = sub.add_parser("eligibility", help="recall and precision of eligibility answers' citations against gold measures")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.set_defaults(handler=lambda args: run(args.gold, args.out))
