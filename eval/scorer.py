"""Score one configuration's answers against a dataset, per question and aggregated.

A question without an answer counts as wrong wherever it has a denominator
(retrieval 0, facts 0, not refused on an unanswerable, a false refusal on an
answerable) and is counted under `missing`; it has no length or latency.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.contract import AnswerRecord

from . import metrics
from .answers import AnswerSet
from .dataset import ITEM_TYPES, EvalItem
from .gold import GoldQuote, Span

RETRIEVAL = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "evidence_recall@10")
ANSWER = ("fact_accuracy", "fact_recall")
REFUSAL = ("refusal_accuracy", "false_refusal_rate", "premise_correction")
MEAN_METRICS = RETRIEVAL + ANSWER + REFUSAL  # per-item values averaged over the items they apply to
METRICS = (  # every reported metric, in report order
    *RETRIEVAL, "retrieved_chars_p50", *ANSWER, "citation_exactness", "citation_precision", *REFUSAL,
    "answer_chars_p50", "latency_ms_p50", "latency_ms_p95",
)
COUNTS = ("items", "answered", "missing", "refused", "citations")


@dataclass
class ItemScore:
    """What one answer earned; a metric is None where it does not apply to the item."""

    id: str
    type: str
    answered: bool
    refused: bool
    values: dict[str, float | None]
    citations: int = 0
    exact: int = 0
    cited_with_gold: int = 0  # citations of items that have gold spans (precision's denominator)
    precise: int = 0
    answer_chars: int | None = None
    latency_ms: float | None = None
    retrieved_chars: list[int] = field(default_factory=list)  # lengths of the top-10 retrieved spans
    kind: str | None = None  # the item's question shape, when the dataset gives it


@dataclass
class Summary:
    """Aggregates over a group of items: value and denominator of each metric, plus counts."""

    metrics: dict[str, float | None]
    n: dict[str, int]
    counts: dict[str, int]


@dataclass
class ConfigResult:
    """Everything the report shows for one configuration."""

    name: str
    source: str
    items: list[ItemScore]
    overall: Summary
    per_type: dict[str, Summary]
    per_kind: dict[str, Summary] = field(default_factory=dict)  # by question shape, when the dataset gives kinds
    unknown_ids: list[str] = field(default_factory=list)
    malformed: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def score_item(item: EvalItem, gold: Sequence[GoldQuote], answer: AnswerRecord | None,
               retrieval: dict[str, float] | None, sources: dict[str, str]) -> ItemScore:
    """Score one answer (None when missing); `retrieval` comes from metrics.retrieval_scores."""
    values: dict[str, float | None] = dict.fromkeys(MEAN_METRICS)
    refused = bool(answer and answer.refused)
    if gold:
        values.update(retrieval or dict.fromkeys(metrics.RETRIEVAL_METRICS, 0.0))
        values["evidence_recall@10"] = metrics.evidence_recall(gold, _evidence_spans(answer)) if answer else 0.0
    if item.answerable:
        values["false_refusal_rate"] = 1.0 if (answer is None or refused) else 0.0
        if item.answer_facts:
            hits = metrics.fact_hits(answer.answer, item.answer_facts) if answer and not refused else []
            values["fact_accuracy"] = float(bool(hits) and all(hits))
            values["fact_recall"] = sum(hits) / len(item.answer_facts)
    else:
        values["refusal_accuracy"] = float(refused)
    if item.false_premise and (item.answer_facts or gold):
        values["premise_correction"] = float(answer is not None and _corrects_premise(item, gold, answer))
    score = ItemScore(item.id, item.type, answer is not None, refused, values, kind=item.kind)
    if answer is not None:
        score.answer_chars = len(answer.answer)
        score.latency_ms = answer.latency_ms
        score.retrieved_chars = [len(span) for span in _retrieved_spans(answer)]
        score.citations = len(answer.citations)
        score.exact = sum(metrics.citation_is_exact(c, sources) for c in answer.citations)
        if gold:
            score.cited_with_gold = len(answer.citations)
            score.precise = sum(metrics.citation_is_precise(c, gold) for c in answer.citations)
    return score


def score_answers(items: Sequence[EvalItem], gold: dict[str, list[GoldQuote]], sources: dict[str, str],
                  answer_set: AnswerSet) -> ConfigResult:
    """Score every dataset item against `answer_set` and aggregate overall and per type."""
    answers = answer_set.answers
    retrieval = metrics.retrieval_scores(
        {item.id: (gold[item.id], _retrieved_spans(answers[item.id])) for item in items if item.id in answers}
    )
    scores = [score_item(item, gold[item.id], answers.get(item.id), retrieval.get(item.id), sources) for item in items]
    known = {item.id for item in items}
    return ConfigResult(
        name=answer_set.name,
        source=answer_set.source,
        items=scores,
        overall=summarise(scores),
        per_type={t: summarise([s for s in scores if s.type == t]) for t in ITEM_TYPES if any(s.type == t for s in scores)},
        per_kind={k: summarise([s for s in scores if s.kind == k]) for k in sorted({s.kind for s in scores if s.kind})},
        unknown_ids=sorted(set(answers) - known),
        malformed=answer_set.malformed,
        duplicates=answer_set.duplicates,
        problems=list(answer_set.problems),
    )


def summarise(scores: Sequence[ItemScore]) -> Summary:
    """Means of per-item metrics, micro-averaged citation shares, length and latency percentiles."""
    values: dict[str, float | None] = {}
    n: dict[str, int] = {}
    for name in MEAN_METRICS:
        present = [s.values[name] for s in scores if s.values[name] is not None]
        values[name], n[name] = (sum(present) / len(present) if present else None), len(present)
    cited = sum(s.citations for s in scores)
    cited_gold = sum(s.cited_with_gold for s in scores)
    values["citation_exactness"], n["citation_exactness"] = _share(sum(s.exact for s in scores), cited), cited
    values["citation_precision"], n["citation_precision"] = _share(sum(s.precise for s in scores), cited_gold), cited_gold
    lengths = [s.answer_chars for s in scores if s.answer_chars is not None]
    latencies = [s.latency_ms for s in scores if s.latency_ms is not None]
    values["answer_chars_p50"], n["answer_chars_p50"] = metrics.median(lengths), len(lengths)
    spans = [length for s in scores for length in s.retrieved_chars]  # retrieval that returns whole plans shows here
    values["retrieved_chars_p50"], n["retrieved_chars_p50"] = metrics.median(spans), len(spans)
    for name, q in (("latency_ms_p50", 50), ("latency_ms_p95", 95)):
        values[name], n[name] = metrics.percentile(latencies, q), len(latencies)
    counts = {
        "items": len(scores),
        "answered": sum(s.answered for s in scores),
        "missing": sum(not s.answered for s in scores),
        "refused": sum(s.refused for s in scores),
        "citations": cited,
    }
    return Summary({name: values[name] for name in METRICS}, {name: n[name] for name in METRICS}, counts)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _retrieved_spans(answer: AnswerRecord) -> list[Span]:
    return [Span(r.doc_id, r.char_start, r.char_end) for r in answer.retrieved[: metrics.RETRIEVAL_DEPTH]]


def _evidence_spans(answer: AnswerRecord) -> list[Span]:
    """Top-10 retrieved plus cited spans: what evidence recall@10 looks at."""
    return _retrieved_spans(answer) + [Span(c.doc_id, c.char_start, c.char_end) for c in answer.citations]


def _corrects_premise(item: EvalItem, gold: Sequence[GoldQuote], answer: AnswerRecord) -> bool:
    """The true figure is stated: all facts present, or (no facts) a gold quote quoted or precisely cited."""
    if item.answer_facts:
        return all(metrics.fact_hits(answer.answer, item.answer_facts))
    quoted = any(metrics.normalise(q.quote) in metrics.normalise(answer.answer) for q in gold)
    return quoted or any(metrics.citation_is_precise(c, gold) for c in answer.citations)

