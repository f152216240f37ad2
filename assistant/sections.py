"""The plan's own structure as a tree: chapters and sections, 专栏 boxes, tables, and their members.

Outline, count and topic questions are answered from here rather than from loose sentences:
"南通的七大工程是哪些" lists a section's child headings, "主要指标一共有几项" counts a table's
rows, "南京在引进海外人才方面有哪些举措" quotes the measures of the section about that topic.

A `Node` is a heading (with the clauses up to the next heading of its level or above), a 专栏
box or table (its items or rows), or a *series* of boxes that share a label ("重大工程一 …",
"重大工程二 …" → 重大工程; "专栏1 …", "专栏2 …" → 专栏). Nothing here depends on one plan's
wording: the numbering vocabulary is the parser's (`ingest.structure.strip_numbering`), the rest is geometry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from assistant.evidence import Span
from index.store import PlanIndex
from ingest.records import Clause
from ingest.structure import strip_numbering

NodeKind = Literal["section", "box", "table", "series"]

# A caption's label before its ordinal: "重大工程一 科技领军企业培育工程" → "重大工程"; "创新布局专栏3：高端装备" → "创新布局专栏".
_SERIES_LABEL = re.compile(r"^\s*([\u4e00-\u9fff]{1,8}?)\s*[一二三四五六七八九十\d]+\s*[：:\s\u2002\u3000]")


@dataclass
class Node:
    """One part of a plan's structure; `clause` is the heading or caption clause that names it (None for a series)."""

    doc_id: str
    kind: NodeKind
    title: str  # as written
    level: int
    clause: Clause | None
    start: int  # the range of source text the node covers
    end: int
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)
    items: list[Clause] = field(default_factory=list)  # box items / table rows / the section's own paragraphs

    @property
    def name(self) -> str:
        return strip_numbering(self.title)

    @property
    def path(self) -> list[str]:
        """Names of the ancestors, top first (without this node)."""
        out, node = [], self.parent
        while node is not None:
            out.append(node.name)
            node = node.parent
        return out[::-1]

    def name_span(self) -> Span | None:
        """The exact span of the node's name inside its heading clause (numbering left out), for citing."""
        if self.clause is None:
            return None
        c, name = self.clause, self.name
        i = c.text.find(name)
        if i < 0:
            return Span(c, c.char_start, c.char_end, c.text)
        return Span(c, c.char_start + i, c.char_start + i + len(name), name)

    def members(self) -> list[tuple[str, Span]]:
        """What the node enumerates, each with the span that names it: child headings, else box items / rows."""
        parts = [c for c in self.children if c.kind == "section"] or [c for c in self.children if self.kind == "series"]
        if parts:
            return [(child.name, span) for child in parts if (span := child.name_span()) is not None]
        return [m for m in (item_lead(c) for c in self.items if c.kind in ("box_item", "table_row")) if m is not None]

    def descendants(self) -> list[Node]:
        out = []
        for child in self.children:
            out.append(child)
            out.extend(child.descendants())
        return out

    def body(self) -> list[Clause]:
        """Every non-heading clause the node covers, in document order."""
        return self.items + [c for d in self.descendants() for c in d.items]


def item_lead(clause: Clause) -> tuple[str, Span] | None:
    """An entry's name: a table row's first named cell, or a box item's words before "：" / the first sentence end."""
    text = clause.text
    if clause.kind == "table_row" and clause.cells:
        cells = [c.strip() for c in clause.cells if c.strip() and not re.fullmatch(r"[\d.．、\s]+", c.strip())]
        if not cells:
            return None
        name = cells[0]
        i = text.find(name)
    else:
        m = re.match(r"\s*(?:\d+\s*[．.、]|[（(]\d+[)）])?\s*([^：:。；;！？]{2,40}?)(?:[：:。；;！？]|$)", text)
        if not m:
            return None
        name = m.group(1).strip()
        i = text.find(name)
    if i < 0 or not name:
        return None
    span = Span(clause, clause.char_start + i, clause.char_start + i + len(name), name)
    return strip_numbering(name), span


@lru_cache(maxsize=4)
def plan_tree(index: PlanIndex) -> dict[str, list[Node]]:
    """Top-level nodes of each plan (cached per loaded index)."""
    return {doc_id: _doc_tree(index, doc_id) for doc_id in index.docs}


@lru_cache(maxsize=4)
def all_nodes(index: PlanIndex) -> list[Node]:
    out: list[Node] = []
    for roots in plan_tree(index).values():
        for root in roots:
            out.append(root)
            out.extend(root.descendants())
    return out


def _doc_tree(index: PlanIndex, doc_id: str) -> list[Node]:
    clauses = [index.clauses[i] for i in index.clause_ids_of(doc_id)]
    heading_clause = {c.char_start: c for c in clauses if c.kind == "heading"}
    source_end = len(index.source(doc_id))
    headings = [h for h in index.headings.get(doc_id, []) if h.char_start in heading_clause]
    roots: list[Node] = []
    stack: list[Node] = []
    nodes: list[Node] = []
    for h in headings:
        node = Node(doc_id, "section", heading_clause[h.char_start].text, h.level, heading_clause[h.char_start], h.char_start, source_end)
        while stack and stack[-1].level >= node.level:
            stack.pop().end = h.char_start
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        else:
            if roots:
                roots[-1].end = min(roots[-1].end, h.char_start)
            roots.append(node)
        stack.append(node)
        nodes.append(node)
    for node in nodes:  # a node ends where the next heading of its level or above begins
        later = [n.start for n in nodes if n.start > node.start and n.level <= node.level]
        node.end = min(later) if later else source_end
    # boxes and tables: the clauses sharing a caption, placed under the deepest section that contains them
    containers: dict[str, Node] = {}
    for c in clauses:
        if c.caption and c.kind in ("box_item", "table_row"):
            box = containers.get(c.caption)
            if box is None:
                head = next((h for h in clauses if h.kind == "heading" and h.caption == c.caption and h.text.strip()
                             and h.char_start <= c.char_start and strip_numbering(h.text) in _squash(c.caption)), None)
                kind: NodeKind = "table" if c.kind == "table_row" else "box"
                box = Node(doc_id, kind, head.text if head else c.caption, 99, head, c.char_start, c.char_end)
                containers[c.caption] = box
                parent = _deepest(nodes, c.char_start)
                if parent is not None:
                    box.parent = parent
                    parent.children.append(box)
            box.items.append(c)
            box.end = max(box.end, c.char_end)
    for section in nodes:  # a section's own paragraphs: those no child section covers
        section.items = [c for c in clauses if c.kind in ("paragraph", "box_item") and not c.caption
                         and section.start <= c.char_start < section.end
                         and not any(ch.kind == "section" and ch.start <= c.char_start < ch.end for ch in section.children)]
    extra = list(containers.values()) + _series(doc_id, containers.values())
    roots.extend(node for node in extra if node.parent is None or node.kind == "series")
    return roots


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _deepest(nodes: list[Node], pos: int) -> Node | None:
    inside = [n for n in nodes if n.start <= pos < n.end]
    return max(inside, key=lambda n: n.level) if inside else None


def _series(doc_id: str, containers) -> list[Node]:
    """Boxes whose captions share a label and run an ordinal ("重大工程一…九") as one enumerable node."""
    groups: dict[str, list[Node]] = {}
    for box in containers:
        if box.kind != "box":
            continue
        m = _SERIES_LABEL.match(box.title)
        if m:
            groups.setdefault(m.group(1), []).append(box)
    out = []
    for label, boxes in groups.items():
        if len(boxes) >= 2:
            boxes.sort(key=lambda b: b.start)
            series = Node(doc_id, "series", label, 0, None, boxes[0].start, boxes[-1].end)
            series.children = boxes  # the boxes keep their section parent; the series only lists them
            out.append(series)
    return out
