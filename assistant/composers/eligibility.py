"""Eligibility: which measures of a plan fit the asker, and on what conditions.

The asker's kind (高新技术企业, 孵化器运营机构, 外籍专家 …) comes from the question or the
profile. A measure is a sentence with a form of support (支持, 奖励, 优先, 考核, 放宽 …) that
names that kind or covers much of what the user asks about (住房, 配套, 考核优秀 …); measures
are scored by topic coverage (`TopicScorer`) plus a bonus for naming the asker's kind, and
only the window of the sentence that carries them is quoted. Conditions ("经认定的…",
"对首次认定的…", "符合条件的…") are quoted and marked met / not met / unknown from what the user
said, never guessed; amounts or thresholds the plan leaves open are said to be open.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.common import (
    Context,
    TopicScorer,
    past_context,
    target_context,
    windows,
)
from assistant.composers.refusal import refuse
from assistant.evidence import Span, sentences

# subject → aliases a sentence or a question may use
SUBJECTS: dict[str, tuple[str, ...]] = {
    "高新技术企业": ("高新技术企业", "高企"),
    "科技型中小企业": ("科技型中小企业", "科小", "中小企业", "小微企业", "科技型企业", "初创"),
    "新型研发机构": ("新型研发机构", "新研机构"),
    "孵化器": ("孵化器", "众创空间", "加速器", "孵化载体", "孵化基地", "孵化园", "星创天地", "双创载体", "平台载体", "创新创业载体"),
    "创投机构": ("创投", "创业投资", "风险投资", "天使投资", "投资机构"),
    "高层次人才": ("高层次人才", "领军人才", "创新创业人才", "科技人才", "人才团队", "顶尖人才", "青年人才", "博士", "院士", "人才"),
    "外籍人才": ("外籍", "外国人才", "外国专家", "外国高端人才", "海外人才", "海外高层次", "国际人才", "外国人员"),
    "外资企业": ("外资企业", "外资研发", "外商投资", "跨国公司"),
    "专精特新企业": ("专精特新", "小巨人", "单项冠军"),
    "瞪羚/独角兽企业": ("瞪羚", "独角兽"),
    "上市企业": ("上市", "科创板"),
    "农业科技型企业": ("农业科技型企业", "农业企业", "农业科技"),
    "企业研发机构": ("研发机构", "工程技术研究中心", "企业技术中心", "重点实验室", "研发中心"),
    "高校院所": ("高校", "科研院所", "院所", "科研人员"),
}
SUPPORT = re.compile(
    r"支持|鼓励|给予|奖励|补助|补贴|资助|奖补|扶持|优先|贷款|贴息|减免|加计扣除|税收优惠|风险补偿|后补助|一事一议|"
    r"认定|培育|引导|绿色通道|政策|融资|担保|落户|保障|考核|考评|评定|绩效|便利|放宽|配套|安居|允许|不与|服务|帮助|停止"
)
# Conditions a measure puts on who gets it ("对首次认定的高新技术企业", "符合条件的", "经认定的").
CONDITION = re.compile(
    r"(对|凡)[^，。；、]{2,30}?的|符合[^，。；]{0,20}?条件的|经[^，。；]{2,20}?(认定|评定|备案)的|首次(认定|获批|入选)[^，。；]{0,12}?的"
)
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(万元|亿元|元|%|倍)")
ASKS_AMOUNT = re.compile(r"多少钱|多少万|金额|额度|补贴多少|奖励多少|补助多少|资助多少|最高.*多少|给多少|能领多少")
MAX_MEASURES = 3
SUBJECT_BONUS = 0.15
KEEP_RATIO = 0.6
LENGTH_COST = 0.0005
WHOLE_BELOW = 120  # a sentence this short is quoted whole; of a longer one, the window that carries the measure
MAX_PIECES = 4


@dataclass(frozen=True)
class Condition:
    text: str
    status: str  # "met" | "not met" | "unknown"


def subjects_in(text: str) -> list[str]:
    return [s for s, aliases in SUBJECTS.items() if any(a in text for a in aliases)]


def condition_status(condition: str, told: str) -> str:
    """Met only when the user said so; not met only when the user said the opposite; else unknown."""
    for subject in subjects_in(condition):
        aliases = SUBJECTS[subject]
        if any(re.search(rf"(不是|并非|尚未|还没有?|未)(被)?(认定为?|成为|获批|是)?[^，。；]{{0,6}}{re.escape(a)}", told) for a in aliases):
            return "not met"
        if any(a in told for a in aliases):
            return "met"
    return "unknown"


def measures(ctx: Context, scorer: TopicScorer, aliases: tuple[str, ...], cities: tuple[str, ...]) -> list[tuple[float, Span]]:
    """Windows of sentences with a form of support that name the subject or cover the question, best first."""
    hits = ctx.search(f"{ctx.query.text} {' '.join(aliases[:3])}", 30, cities)
    found: list[tuple[float, Span]] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        if hit.clause.kind == "heading" or past_context(hit.clause) or target_context(hit.clause):
            continue  # the review of the last period reports results and the targets section sets figures: neither offers support
        context = ctx.context(hit.clause)
        for sentence in sentences(hit.clause):
            if not SUPPORT.search(sentence.text):
                continue
            names = any(a in sentence.text for a in aliases)
            cover = scorer.coverage(sentence.text, context)
            if not names and cover < 0.4:
                continue
            best = max(
                ((scorer.coverage(w.text, context) + SUBJECT_BONUS * any(a in w.text for a in aliases) - LENGTH_COST * len(w.text), w)
                 for w in windows(sentence, MAX_PIECES, WHOLE_BELOW) if SUPPORT.search(w.text)),
                key=lambda t: t[0],
            )
            key = (best[1].clause.doc_id, best[1].char_start)
            if key in seen:
                continue
            seen.add(key)
            found.append((best[0] + 0.05 / (1 + rank) + 0.05 * bool(AMOUNT.search(best[1].text)), best[1]))
    found.sort(key=lambda t: -t[0])
    return found


def compose(ctx: Context) -> Answer:
    profile = ctx.profile or {}
    told = " ".join([ctx.query.text, *[str(v) for v in profile.values() if v]])
    subjects = ([profile["type"]] if profile.get("type") in SUBJECTS else []) or subjects_in(told)
    aliases = tuple(a for s in subjects for a in SUBJECTS[s])
    cities = ctx.query.cities or tuple(c for c in [profile.get("city")] if c)
    scorer = ctx.scorer
    ranked = measures(ctx, scorer, aliases, cities)
    if not ranked or ranked[0][0] < ctx.thresholds.measure:
        return refuse(ctx, f"面向{'、'.join(subjects) or '该类主体'}的支持措施")
    found = [span for score, span in ranked if score >= ranked[0][0] * KEEP_RATIO][:MAX_MEASURES]
    if ASKS_AMOUNT.search(ctx.query.text) and not any(AMOUNT.search(s.text) for s in found):
        best = found[0]
        return refuse(ctx, "具体的支持金额或额度（规划未写明）", (f"相关条款：{best.text}", best))
    builder = AnswerBuilder(ctx.index.sources)
    checklist = []
    where = "、".join(cities) if cities else "各规划"
    builder.raw(f"{where}中{'与' + '、'.join(subjects) + '相关' if subjects else '相关'}的措施：\n")
    open_amounts = False
    for n, span in enumerate(sorted(found, key=lambda s: (s.clause.doc_id, s.char_start)), 1):
        conditions = [Condition(m.group(0), condition_status(m.group(0), told)) for m in CONDITION.finditer(span.text)]
        builder.say(f"{n}. {span.text}", span)
        if conditions:
            marks = {"met": "已满足", "not met": "不满足", "unknown": "待确认"}
            builder.raw("（条件：" + "；".join(f"{c.text}（{marks[c.status]}）" for c in conditions) + "）")
        open_amounts = open_amounts or not AMOUNT.search(span.text)
        builder.raw("\n")
        checklist.append({
            "measure": span.text, "doc_id": span.clause.doc_id, "city": ctx.city_of(span.clause.doc_id),
            "section": " > ".join(span.clause.section),
            "conditions": [{"text": c.text, "status": c.status} for c in conditions],
            "amount_given": bool(AMOUNT.search(span.text)),
        })
    if open_amounts:
        builder.raw("规划未写明具体金额或门槛。")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="eligibility",
                  query=ctx.query, checklist=checklist)
