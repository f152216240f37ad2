"""Eligibility: which measures of a plan name the asker's kind of organisation, and on what conditions.

A measure is a sentence that names the subject (高新技术企业, 孵化器 …) together with a
form of support. Its conditions ("经认定的…", "对首次认定的…", "符合条件的…") are quoted and
marked met / not met / unknown only from what the user said; amounts or thresholds the
plan leaves open are said to be open, never filled in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.common import Context, overlap, topic_bigrams
from assistant.composers.refusal import refuse
from assistant.evidence import Span, sentences
from index.store import Filters

# subject → aliases a sentence or a question may use
SUBJECTS: dict[str, tuple[str, ...]] = {
    "高新技术企业": ("高新技术企业", "高企"),
    "科技型中小企业": ("科技型中小企业", "科小", "中小企业", "小微企业", "科技型企业"),
    "新型研发机构": ("新型研发机构",),
    "孵化器": ("孵化器", "众创空间", "加速器", "孵化载体", "孵化基地", "孵化园", "星创天地"),
    "创投机构": ("创投", "创业投资", "风险投资", "天使投资", "投资机构", "基金"),
    "高层次人才": ("高层次人才", "领军人才", "创新创业人才", "科技人才", "人才团队", "顶尖人才", "青年人才", "博士", "院士"),
    "外籍人才": ("外籍", "外国人才", "海外人才", "海外高层次", "国际人才"),
    "专精特新企业": ("专精特新", "小巨人", "单项冠军"),
    "瞪羚/独角兽企业": ("瞪羚", "独角兽"),
    "上市企业": ("上市", "科创板"),
    "农业科技型企业": ("农业科技型企业", "农业企业", "农业科技"),
    "企业研发机构": ("研发机构", "工程技术研究中心", "企业技术中心", "重点实验室", "研发中心"),
    "高校院所": ("高校", "科研院所", "院所"),
}
SUPPORT = re.compile(
    r"支持|鼓励|给予|奖励|补助|补贴|资助|奖补|扶持|优先|贷款|贴息|减免|加计扣除|税收优惠|风险补偿|后补助|一事一议|"
    r"认定|培育|引导|绿色通道|政策|融资|担保|落户|保障"
)
CONDITION = re.compile(
    r"(对|凡)[^，。；]{2,30}?的|符合[^，。；]{0,20}?条件的|经[^，。；]{2,20}?(认定|评定|备案)的?|首次[^，。；]{2,12}|"
    r"新(认定|获批|引进)[^，。；]{0,12}|达到[^，。；]{2,20}|根据[^，。；]{2,20}"
)
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(万元|亿元|元|%|倍)")
ASKS_AMOUNT = re.compile(r"多少钱|多少万|金额|额度|补贴多少|奖励多少|补助多少|资助多少|最高.*多少|给多少")
MAX_MEASURES = 4
MIN_SCORE = 0.12


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


def measures(ctx: Context, subject_aliases: tuple[str, ...], cities: tuple[str, ...]) -> list[tuple[float, Span]]:
    """Sentences naming the subject with a form of support, best first."""
    grams = topic_bigrams(ctx.query.text)
    filters = Filters(cities=cities) if cities else ctx.filters
    extra = " ".join(subject_aliases[:3])
    hits = ctx.index.search(f"{ctx.query.text} {extra} 支持 奖励 补助", 40, filters=filters, hints=ctx.extras.get("hints"))
    found: list[tuple[float, Span]] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits):
        if hit.clause.kind == "heading":
            continue
        for span in sentences(hit.clause):
            if span.text in seen or not any(a in span.text for a in subject_aliases) or not SUPPORT.search(span.text):
                continue
            seen.add(span.text)
            found.append((overlap(grams, span.text) + 0.3 / (1 + rank) + 0.1 * bool(AMOUNT.search(span.text)), span))
    found.sort(key=lambda t: -t[0])
    return [f for f in found if f[0] >= MIN_SCORE]


def compose(ctx: Context) -> Answer:
    profile = ctx.profile or {}
    told = " ".join([ctx.query.text, *[str(v) for v in profile.values() if v]])
    subjects = ([profile["type"]] if profile.get("type") in SUBJECTS else []) or subjects_in(told) or ["科技型中小企业"]
    aliases = tuple(a for s in subjects for a in SUBJECTS[s])
    cities = ctx.query.cities or tuple(c for c in [profile.get("city")] if c)
    found = measures(ctx, aliases, cities)[:MAX_MEASURES]
    if not found:
        return refuse(ctx, f"面向{'、'.join(subjects)}的支持措施")
    if ASKS_AMOUNT.search(ctx.query.text) and not any(AMOUNT.search(s.text) for _, s in found):
        best = found[0][1]
        return refuse(ctx, "具体的支持金额或额度（规划未写明）", (f"相关条款：{best.text}", best))
    builder = AnswerBuilder(ctx.index.sources)
    checklist = []
    where = "、".join(cities) if cities else "各规划"
    builder.raw(f"{where}中与{'、'.join(subjects)}相关的支持措施：\n")
    spans = sorted((s for _, s in found), key=lambda s: (s.clause.doc_id, s.char_start))
    for n, span in enumerate(spans, 1):
        conditions = [Condition(m.group(0), condition_status(m.group(0), told)) for m in CONDITION.finditer(span.text)]
        builder.say(f"{n}. {span.text}", span)
        notes = []
        if conditions:
            marks = {"met": "已满足", "not met": "不满足", "unknown": "待确认"}
            notes.append("条件：" + "；".join(f"{c.text}（{marks[c.status]}）" for c in conditions))
        if not AMOUNT.search(span.text):
            notes.append("规划未写明具体金额或门槛")
        if notes:
            builder.raw("（" + "；".join(notes) + "）")
        builder.raw("\n")
        checklist.append({
            "measure": span.text, "doc_id": span.clause.doc_id, "city": ctx.city_of(span.clause.doc_id),
            "section": " > ".join(span.clause.section),
            "conditions": [{"text": c.text, "status": c.status} for c in conditions],
            "amount_given": bool(AMOUNT.search(span.text)),
        })
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="eligibility",
                  query=ctx.query, checklist=checklist)
