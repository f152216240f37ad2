"""Outline, count and topic questions, answered from the plan's structure (`assistant.sections`).

- outline ("七大工程是哪些", "保障措施有哪些", "分哪几章"): the members of the section, box, table or
  series the question names, in order, each cited to its heading;
- count ("主要指标一共有几项", "有几个专栏"): the number of members, and the list;
- topic ("在引进海外人才方面有哪些举措", "如何支持企业建设研发机构"): the measures of the section
  about that topic — its sub-headings with each one's first sentence, or its own sentences.

The node is found by its title (with the synonym table, IDF-weighted like every composer), by
whether its members are the kind of thing counted ("几大行动" → members that are 行动), by a
number the question states matching its member count ("七大工程" → 7 members) and by where the
retrieved clauses lie. When no node is a clear match, `compose` returns None and the caller
answers the usual way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.composers.scoring import TopicScorer
from assistant.composers.windows import finish, join, pieces
from assistant.evidence import Span, sentences, shown, unbroken
from assistant.sections import Node, all_nodes, plan_tree
from index.rerank import PAST_SECTION
from ingest.numbers import cn_number

# What a count or outline question counts: "几项", "哪几大行动", "多少个专栏", "分几章".
_COUNTED = re.compile(
    r"(?:几|多少|哪几|哪些)\s*(?:个|项|条|类|大|种|块)?\s*([\u4e00-\u9fff]{0,4}?)\s*(?=[？?。，,！!吗呢]|是|有|包括|分别|$)")
_COUNT = re.compile(r"(?<!哪)(?:几|多少)\s*(?:个|项|条|类|大|种|块|章|部分|节|篇|方面)|一共|总共|共有|共分|共[几多]")
_OUTLINE = re.compile(r"哪[几些]|有什么|包括|包含|分为|分成|由哪|构成|组成|主要内容|框架|结构|目录|列出|列举|都有")
_TOPIC = re.compile(r"如何|怎么|怎样|采取|举措|措施|方面|安排|部署|做法|路径|抓手|支持|推进|推动|加强")
# The parts of a whole plan ("分几章", "由哪几部分组成").
_PLAN_PARTS = {"章", "部分", "篇", "板块", "大块", "大部分", "块"}
# Nouns that only say what kind of answer is wanted; left out when a section title is matched.
_ASKING_NOUNS = re.compile(r"方面|举措|措施|政策|安排|做法|工作|内容|部署|打算|有关|相关|方向|重点|主要|具体|部分|包括|包含|"
                           r"分为|分成|组成|构成|提出了?|列出|列了|都有|有|大|几|项|个|条|类|一共|总共|共有")
_PART_NAMES = re.compile(r"(?:重点|主要|保障|发展|总体|基本)(?:任务|目标|指标|措施|举措|工程|行动|领域|方向|原则)")
_MEASURE_NOUNS = {"举措", "措施", "政策", "安排", "做法", "支持", "扶持", "工作"}  # not 方面: "包括哪几个方面" lists parts
_STRUCTURAL = {"章", "部分", "节", "篇", "项", "条", "个", "方面", "行动", "工程", "任务", "措施", "举措", "指标", "专栏", "类", "板块"}

MIN_NODE = 0.55  # least title match (with the other signals) to answer from a node
MIN_TOPIC = 0.4  # least title-and-sentence match for a topic question
MAX_MEMBERS = 12
TOPIC_ITEMS = 6
ITEM_CHARS = 100  # a first sentence, cut at a comma-piece end only when longer
ITEM_FINISH = 150  # … unless the whole sentence stays this short


@dataclass(frozen=True)
class Shape:
    """What the question asks of the structure."""

    kind: str  # "count" | "outline" | "topic"
    counted: str  # the noun counted or listed ("行动", "章", "" when none)
    number: int | None  # a member count the question states ("七大工程" → 7)


def shape_of(text: str) -> Shape | None:
    """The structural shape of a question, or None (a figure, a fact, a comparison …)."""
    m = _COUNTED.search(text)
    counted = (m.group(1) if m else "") or ""
    stated = re.search(r"([一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:大|个|项|条|类|方面|部分|章)", text)
    number = None
    if stated:
        token = stated.group(1)
        number = int(token) if token.isdigit() else cn_number(token.replace("两", "二"))
    if _COUNT.search(text):
        return Shape("count", counted, number)
    if counted in _MEASURE_NOUNS and not number:  # "在…方面有哪些举措": the measures of a topic's section
        return Shape("topic", "", None)
    if _OUTLINE.search(text) and (counted or number or re.search(r"哪[几些]", text)):
        return Shape("outline", counted, number)
    if _TOPIC.search(text) or (_PART_NAMES.search(text) and re.search(r"什么|哪些|哪几|如何|怎么", text)):
        return Shape("topic", counted, number)  # "发展目标是什么": the part's own words
    return None


def asks_structure(text: str) -> bool:
    """A count of parts, not of things: "一共有几项？", "分几章", "有几个专栏" (not "新增多少个研发机构")."""
    tail = re.sub(r"[？?。！!\s呢吗]+$", "", text)
    return bool(re.search(r"(?:几|多少)\s*(?:个|项|条|类|大|种|块|章|部分|节|篇|方面)$", tail)) or (
        bool(_COUNT.search(tail)) and tail.endswith(tuple(_STRUCTURAL)))


def names_a_part(text: str) -> bool:
    """"发展目标是什么", "重点任务有哪些": a part of the plan by the name plans give it, not a figure."""
    return bool(_PART_NAMES.search(text)) and not re.search(r"多少|几[家个项人件名所位]|比重|占比", text)


def _topic_words(ctx: Context) -> str:
    """The words that name the part asked about: the topic, and any name the user quotes (“重点任务”)."""
    topic = " ".join([ctx.query.topic or ctx.query.text, *ctx.query.quoted])
    words = [p for p in (_ASKING_NOUNS.sub(" ", piece) for piece in topic.split()) if p.strip()]
    # the names plans give their parts ("重点任务", "保障措施", "主要目标") are titles, not frame words
    return " ".join(words + _PART_NAMES.findall(ctx.query.text))


def _docs(ctx: Context) -> list[str]:
    return [d for d, meta in ctx.index.docs.items()
            if (not ctx.query.cities or meta.city in ctx.query.cities) and ctx.allows(d)]


def find_node(ctx: Context, shape: Shape) -> tuple[float, Node] | None:
    """The node the question is about, with its score (None when nothing is a candidate)."""
    docs = set(_docs(ctx))
    if len(docs) != 1:  # one plan at a time: a comparison across plans is another composer's work
        return None
    words = _topic_words(ctx)
    scorer = TopicScorer.for_words(words, ctx.index) if words.strip() else None
    if scorer is not None and not scorer.units:
        scorer = None
    hit_rank = {}
    for rank, hit in enumerate(ctx.hits[:5]):
        hit_rank.setdefault(hit.clause.doc_id, []).append((hit.clause.char_start, rank))
    counted = shape.counted
    leaf_ok = names_a_part(ctx.query.text)
    best: tuple[float, Node] | None = None
    best_title = 0.0
    doc = next(iter(docs))
    plan_title = ctx.index.docs[doc].title  # words of the plan's own title name no part of it
    candidates = [n for n in all_nodes(ctx.index) if n.doc_id == doc]
    for node in candidates:
        members = node.members()
        if shape.kind == "count" and len(members) < 2:
            continue
        if shape.kind == "outline" and len(members) < 2 and not (leaf_ok and node.kind == "section" and node.body()):
            continue  # a section without parts ("主要目标有哪些") is listed by its own sentences
        if shape.kind == "topic" and not node.body():
            continue
        title = scorer.coverage(node.name, " ".join([plan_title, *node.path])) if scorer else 0.0
        if any(q.strip("“”‘’ ") in (node.name, node.title) for q in ctx.query.quoted):
            title = max(title, 1.0)  # the user quotes the part's own name
        score = title - 0.005 * len(node.name)  # of two titles the words cover alike, the one they cover more tightly
        if shape.kind == "topic" and scorer is not None:  # the section whose own sentences say it best
            score = 0.5 * title + 0.5 * max((scorer.coverage(x.text) for c in node.items for x in sentences(c)), default=0.0)
        if counted and counted not in _PLAN_PARTS:
            share = sum(name.endswith(counted) or counted in name for name, _ in members) / len(members) if members else 0.0
            if node.name.endswith(counted) or share >= 0.5:
                score += 0.3 + 0.2 * share
        if shape.number and len(members) == shape.number:
            score += 0.4
        near = [r for s, r in hit_rank.get(doc, []) if node.start <= s < node.end]
        if near:
            score += 0.1 / (1 + min(near))
        if shape.kind == "topic":
            score -= 0.02 * node.level  # of two sections with the same title words, the broader one
            if PAST_SECTION.search(" ".join([*node.path, node.name])):
                score -= 0.3  # measures are in the plan's tasks, not in its review of the past
        if best is None or score > best[0]:
            best, best_title = (score, node), title
    if counted in _PLAN_PARTS and (best is None or best_title < MIN_NODE):  # "分几章": no part is named, so the plan's own
        roots = [n for n in plan_tree(ctx.index)[doc] if n.kind == "section"]
        plan = _plan_node(ctx, doc, roots)
        if len(plan.members()) >= 2:
            return 1.0, plan
    return best


def _plan_node(ctx: Context, doc: str, roots: list[Node]) -> Node:
    node = Node(doc, "section", ctx.index.docs[doc].title, 0, None, 0, len(ctx.index.source(doc)))
    node.children = roots
    return node


def compose(ctx: Context) -> Answer | None:
    """An answer from the node the question is about, or None when no node clearly is."""
    shape = shape_of(ctx.query.original if not ctx.query.followup else ctx.query.text)
    if shape is None:
        return None
    found = find_node(ctx, shape)
    if found is None or found[0] < (MIN_TOPIC if shape.kind == "topic" else MIN_NODE):
        return None
    _, node = found
    if shape.kind != "count" and _names_one_member(ctx, node):
        return None  # "…攻关方向里新材料领域列了哪些": that entry's own words answer, not the list of entries
    builder = AnswerBuilder(ctx.index.sources)
    title = node.name if node.kind != "series" else f"{node.name}（{len(node.children)}个）"
    members = node.members()
    if (shape.kind == "topic" and not (shape.counted or shape.number)) or (shape.kind == "outline" and len(members) < 2):
        _topic(builder, node, ctx)
    elif shape.kind == "count":
        builder.raw(f"{title}共{len(members)}项：")
        _list(builder, members)
    else:
        builder.raw(f"{title}包括：")
        _list(builder, members)
    if not builder.citations:
        return None
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="outline", query=ctx.query)


def _names_one_member(ctx: Context, node: Node) -> bool:
    text = ctx.query.text
    return sum(1 for name, _ in node.members() if len(name) >= 2 and name in text) == 1


def _list(builder: AnswerBuilder, members: list[tuple[str, Span]]) -> None:
    for name, span in members[:MAX_MEMBERS]:
        builder.item(unbroken(span.text), span)
    if len(members) > MAX_MEMBERS:
        builder.raw(f"\n……等{len(members)}项")


def lead(span: Span) -> Span:
    """The start of a sentence up to ITEM_CHARS, cut at a comma-piece end (an exact span); read on to
    the sentence's end when the whole stays within ITEM_FINISH."""
    ps = pieces(span)
    chosen = [ps[0]]
    for p in ps[1:]:
        if p.char_end - chosen[0].char_start > ITEM_CHARS:
            break
        chosen.append(p)
    return finish(join(chosen), span, ITEM_FINISH)


def _topic(builder: AnswerBuilder, node: Node, ctx: Context) -> None:
    """A section's measures: each sub-section's title with its first sentence, or the section's own sentences."""
    builder.raw(f"{node.name}：")
    subsections = [c for c in node.children if c.kind == "section"]
    items: list[tuple[Span | None, Span | None]] = []
    if len(subsections) >= 2:
        for k, child in enumerate(subsections[:MAX_MEMBERS]):  # every part named; the first ones with their first sentence
            first = next((s for c in child.body() for s in sentences(c) if len(s.text) >= 6), None) if k < TOPIC_ITEMS else None
            items.append((child.name_span(), lead(first) if first else None))
    else:
        for clause in node.body():
            for s in sentences(clause):
                if len(s.text) >= 8 and len(items) < TOPIC_ITEMS:
                    items.append((None, lead(s)))
    for name, first in items:
        if name is not None:
            builder.item(name.text, name)
            if first is not None and first.text != name.text:
                builder.say("——" + shown(first), first)
        elif first is not None:
            builder.item(shown(first), first)
