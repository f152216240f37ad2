"""The JSON answer contract that evaluation scripts rely on (see eval/README.md).

These pydantic models are the one definition of that contract: the assistant
produces them, `python -m assistant ask|batch` prints them, `eval/` reads them.
"""
from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A quoted span of a plan: `quote == source_text[char_start:char_end]`."""

    doc_id: str
    section: str  # the heading path joined with " > "
    quote: str
    char_start: int
    char_end: int
    # the quoted plan's period ("2021-2025") and whether it ended before today (PLANQA_TODAY): an answer from a
    # plan whose period is over says so; None when the plan states no period
    period: str | None = None
    period_ended: bool | None = None


class Retrieved(BaseModel):
    """One retrieved passage, best first."""

    doc_id: str
    char_start: int
    char_end: int
    score: float


class DroppedSentence(BaseModel):
    """A sentence of a model's rewrite that the grounding check dropped, and why."""

    sentence: str
    reason: str  # e.g. "6507家 in [1] is the 2020年baseline of 高新技术企业数, not a target"


class GenerationReport(BaseModel):
    """What a generative backend (`PLANQA_GENERATOR=openai|local`) did with an answer.

    `kept` sentences of the model's text passed the grounding check and, unless `fallback`, are the
    answer; `fallback` says the composed, extractive answer was returned instead: none passed, the
    model could not be used (`error`: its endpoint failed, no clause to give it), or what passed left
    out a figure or a clause of the extractive answer (`missing`).
    """

    backend: str  # "openai", "local", …
    model: str | None = None
    kept: int = 0
    dropped: list[DroppedSentence] = Field(default_factory=list)
    fallback: bool = False
    error: str | None = None
    missing: list[str] = Field(default_factory=list)  # what the rewrite left out of the extractive answer ("20000家", "[2]")

    def note(self) -> str | None:
        """One line for a reader: whether the model's rewrite was used, and what of it was dropped.

        None when the rewrite was used whole (nothing to warn about)."""
        dropped = len(self.dropped)
        if self.error:
            return f"未使用模型改写（{self.error}），以下为摘录原文的答案。"
        if self.fallback:
            if self.missing:
                return f"模型改写遗漏了原答案中的{'、'.join(self.missing)}，已改用摘录原文的答案。"
            if dropped:
                return f"模型改写的 {dropped} 句均未通过引文核验，已改用摘录原文的答案。"
            return "模型未给出可核验的改写，以下为摘录原文的答案。"
        if dropped:
            return f"模型改写：保留 {self.kept} 句，删去 {dropped} 句引文不支持的内容。"
        return None


class AnswerRecord(BaseModel):
    """One line of `python -m assistant batch` output."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)  # top 10
    latency_ms: float = 0.0
    generation: GenerationReport | None = None  # None: the extractive generator answered (the default)


class ComparisonRow(BaseModel):
    """One city × indicator cell of a comparison: what the plan sets, or `target` None ("规划未提出")."""

    city: str
    concept: str
    indicator: str | None = None  # the row's name as the plan writes it (None for a sentence or an unset cell)
    target: str | None = None  # the figure as shown ("2025年20000家", or the sentence's words)
    value: float | None = None  # the number, when a table row or the figure layer gives one
    unit: str | None = None
    year: int | None = None
    citation: str | None = None  # the answer's [n] marker for this cell


class ConditionCheck(BaseModel):
    """A condition a measure attaches, judged against what the user told."""

    text: str
    status: Literal["met", "not met", "unknown"]


class ChecklistItem(BaseModel):
    """One support measure an applicant may be eligible for, with its conditions and where it is stated."""

    measure: str  # the quoted measure (exactly the citation's quote)
    doc_id: str
    city: str | None = None
    section: str = ""
    conditions: list[ConditionCheck] = Field(default_factory=list)
    amount_given: bool = False  # whether the measure states an amount
    need: str | None = None  # the stated need it answers (融资, 人才 …), None for the best general matches


# -- what programs send and get back (JSON API, OpenAI-compatible chat, Dify retrieval, MCP) --------------------
class Profile(BaseModel):
    """An applicant's eligibility fields; unknown fields are an error, not ignored (`assistant.tools.check_profile`
    also checks the city and the needs against the index)."""

    model_config = ConfigDict(extra="forbid")

    city: str | None = Field(None, max_length=40, description="所在城市, e.g. 南京市")
    # enterprise_type: the name some clients send for the same field (read as type, written back as type)
    type: str | None = Field(None, max_length=40, validation_alias=AliasChoices("type", "enterprise_type"),
                             description="主体类型, e.g. 科技型中小企业, 高新技术企业, 高层次人才")
    industry: str | None = Field(None, max_length=100, description="所属行业, e.g. 生物医药")
    stage: str | None = Field(None, max_length=40, description="发展阶段: 初创期, 成长期, 成熟期, 拟上市")
    rd_level: str | None = Field(None, max_length=20, description="已有研发机构级别: 无, 市级, 省级, 国家级")
    needs: list[str] = Field(default_factory=list, max_length=6,
                             description="融资, 研发平台, 人才, 税收与奖补, 载体与空间, 成果转化")
    text: str | None = Field(None, max_length=1000, description="补充说明 (free text: what the applicant tells)")


class SourceCitation(Citation):
    """A citation with the plan it quotes named: what API responses carry."""

    title: str
    city: str | None = None


class PlanInfo(BaseModel):
    """One plan in the index."""

    doc_id: str
    title: str
    city: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    period: str | None = None
    kind: str | None = None  # 五年规划, 三年行动计划 … (ingest/periods.py plan_kind)
    period_ended: bool | None = None
    clauses: int = 0


class SearchHit(BaseModel):
    """One retrieved clause with the offsets a citation needs (`text == source[char_start:char_end]`)."""

    doc_id: str
    title: str
    city: str | None = None
    section: str
    kind: str
    text: str
    char_start: int
    char_end: int
    score: float


class ApiAnswer(AnswerRecord):
    """The JSON contract (AnswerRecord) with each citation's plan named, and the assistant's notice."""

    citations: list[SourceCitation] = Field(default_factory=list)
    notice: str | None = None  # e.g. the question was truncated


class ComparisonResult(ApiAnswer):
    """A comparison: one row per city (`target` None: the plan sets no such target), each with its [n] marker."""

    table: list[ComparisonRow] = Field(default_factory=list)


class EligibilityResult(ApiAnswer):
    """The support measures a profile may be eligible for, each with its conditions and where it is stated."""

    checklist: list[ChecklistItem] = Field(default_factory=list)


class VersionPlan(BaseModel):
    """One side of a version comparison: a plan of the city's series and its period."""

    doc_id: str
    title: str
    period: str  # "2021-2025"
    label: str  # how answers name the period: “十四五”, or 2020—2022年
    period_ended: bool = False


class VersionSide(BaseModel):
    """An indicator row as one plan writes it: base and target with their years, cited on that plan."""

    indicator: str
    unit: str | None = None
    base: str | None = None  # the figure as written ("612"), None when the row gives no base
    base_value: float | None = None
    base_year: int | None = None
    target: str | None = None
    target_value: float | None = None
    target_year: int | None = None
    attribute: str | None = None  # 预期性 / 约束性
    citation: SourceCitation


class VersionRow(BaseModel):
    """One indicator across the two plans (`old` or `new` None: new or dropped), the change of its target and
    whether the old target was met by the newer plan's figure for that year (达成 / 未达成 / 无法判断)."""

    indicator: str
    old: VersionSide | None = None
    new: VersionSide | None = None
    change: float | None = None  # new target minus old target, in the unit (percentage points for %)
    change_pct: float | None = None  # the change as a share of the old target, in %
    status: Literal["达成", "未达成", "无法判断"] | None = None  # None for an indicator only the newer plan sets
    actual: str | None = None  # the newer plan's figure for the old target year, as written
    actual_citation: SourceCitation | None = None  # where the newer plan states it


class VersionOnly(BaseModel):
    """A section, or a taxonomy topic, that only one of the two plans has: cited on that plan."""

    doc_id: str
    title: str  # the section's title as written, or the topic's name
    citations: list[SourceCitation] = Field(default_factory=list)


class VersionDiff(BaseModel):
    """What changed between two plans of one city: the indicator rows matched by concept, the new and dropped
    indicators, the task sections and taxonomy topics one plan only has; every figure and title cited on its side."""

    city: str
    old: VersionPlan
    new: VersionPlan
    indicators: list[VersionRow] = Field(default_factory=list)  # set by both plans
    added: list[VersionRow] = Field(default_factory=list)  # set by the newer plan only
    dropped: list[VersionRow] = Field(default_factory=list)  # set by the older plan only
    sections_added: list[VersionOnly] = Field(default_factory=list)  # task sections of the newer plan only
    sections_dropped: list[VersionOnly] = Field(default_factory=list)  # task sections of the older plan only
    topics_added: list[VersionOnly] = Field(default_factory=list)  # taxonomy topics only the newer plan's titles carry
    topics_dropped: list[VersionOnly] = Field(default_factory=list)  # … only the older plan's titles carry
