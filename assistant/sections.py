"""The plan's own structure as a tree: chapters and sections, 专栏 boxes, tables, and their members.

Outline, count and topic questions are answered from here rather than from loose sentences:
"南通的七大工程是哪些" lists a section's child headings, "主要指标一共有几项" counts a table's
rows, "南京在引进海外人才方面有哪些举措" quotes the measures of the section about that topic.

A `Node` is a heading (with the clauses up to the next heading of its level or above), a 专栏
box or table (its items or rows), a *series* of boxes that share a label ("重大工程一 …",
"重大工程二 …" → 重大工程; "专栏1 …", "专栏：…", "创新布局专栏3 …" → 专栏), or a *group* a sentence
enumerates and names ("A、B、C等三大海工船舶装备特色产业园", "围绕A、B等“1+3”产业领域", "“三站三中心”（A、B…）").
A node may carry the plan's own count word for it ("面向未来谋划建立十大支撑体系" for ten 体系 sections).
Nothing here depends on one plan's wording: the numbering vocabulary is the parser's
(`ingest.structure.strip_numbering`), container words come from index/resources/containers.tsv, the rest is geometry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from assistant import containers
from assistant.evidence import Span
from index.corpus import Corpus
from ingest.lexicon import cn_number
from ingest.records import Clause, Heading
from ingest.structure import numbering, strip_numbering

NodeKind = Literal["section", "box", "table", "series", "group"]

# A caption's label before its ordinal or colon: "重大工程一 科技领军企业培育工程" → "重大工程"; "创新布局专栏3：高端装备" →
# "创新布局专栏"; "专栏1探索建立…" → "专栏"; "专栏：产业创新紫琅专项" → "专栏".
_SERIES_LABEL = re.compile(r"^\s*([\u4e00-\u9fff]{1,8}?)\s*(?:[一二三四五六七八九十\d]+\s*[：:\s\u2002\u3000]|\d+(?=[\u4e00-\u9fff“])|[：:])")
_CN_DIGITS = "一二三四五六七八九十两"
# The plan's own count of a group: "十大", "6大", "“1+3”"; a count word with its noun: "十大支撑体系".
_COUNT = rf"(?:[{_CN_DIGITS}]{{1,3}}|\d{{1,2}})\s*[大个项类条种]|[“\"]?\d+(?:\s*\+\s*\d+)+[”\"]?"
_COUNT_WORD = re.compile(rf"([{_CN_DIGITS}]{{1,3}}|\d{{1,2}})大([\u4e00-\u9fff]{{1,12}})")
# An inline enumeration's tail: "…等三大…", "…等“1+3”…", "…等产业链", or a count alone: "…优化创新发展环境五大攻坚战".
_GROUP_TAIL = re.compile(rf"等\s*(?P<count>{_COUNT})?|(?P<bare>(?:[{_CN_DIGITS}]{{1,3}})大)")
_ITEM_STOP = re.compile(r"[，。；：,;:！？!?（）()\n\t]")
# "“三站三中心”（院士工作站、博士后科研工作站…）": a name, then its members in brackets.
_BRACKETED = re.compile(r"(?P<name>“[^”]{2,14}”|[\u4e00-\u9fff]{2,10})[（(](?P<items>[^（）()]{2,80}?、[^（）()]{2,200}?)[）)]")
# A name made of counted parts: “两区一廊多组团”, “1+3”, “2+6”, “三站三中心”.
NUMBERED_NAME = re.compile(rf"\d+(?:\s*\+\s*\d+)+|(?:[{_CN_DIGITS}多\d]+(?:(?![{_CN_DIGITS}多\d])[\u4e00-\u9fff]){{1,3}}){{2,}}")


@dataclass(eq=False)  # a node is itself: hashed and compared by identity
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
    parts: list[tuple[str, Span]] = field(default_factory=list)  # a group's members, as a sentence enumerates them
    count_word: Span | None = None  # the plan's own count of the members ("十大支撑体系"), when it states one

    @cached_property
    def name(self) -> str:  # read on every topic question for every node: computed once
        return self.title if self.kind == "group" else strip_numbering(self.title)

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

    def members(self, introduced: bool = False) -> list[tuple[str, Span]]:
        """What the node enumerates, each with the span that names it: child headings, else box items / rows
        (a table row by its naming column), else a group's enumerated parts, else a section's dash-led paragraphs
        (with `introduced`, also after at most as many paragraphs of introduction: for a question that counts them,
        "分哪几块", whereas "重点支持哪些方向" wants the introduction's specifics too)."""
        if self.parts:
            return list(self.parts)
        parts = [c for c in self.children if c.kind == "section"] or [c for c in self.children if self.kind == "series"]
        if parts:
            return [(child.name, span) for child in parts if (span := child.name_span()) is not None]
        column = name_column(self.items) if self.kind == "table" else None
        entries = [m for m in (item_lead(c, column) for c in self.items if c.kind in ("box_item", "table_row")) if m is not None]
        runs = [c for c in self.items if c.kind == "paragraph"]
        led = [c for c in runs if _RUN_IN.match(c.text)]
        if len(led) < 2:
            led = [c for c in runs if _COLON_LED.match(c.text)]
        if not entries and self.kind == "section" and len(led) >= 2 and (
                len(led) == len(runs) or (introduced and 2 * len(led) >= len(runs))):
            # a section written as dash- or colon-led paragraphs ("——坚持企业主体、需求导向。…"): each one's lead phrase
            entries = [m for m in (item_lead(c) for c in led) if m is not None]
        return entries

    def descendants(self) -> list[Node]:
        out = []
        for child in self.children:
            out.append(child)
            out.extend(child.descendants())
        return out

    def body(self) -> list[Clause]:
        """Every non-heading clause the node covers, in document order."""
        return self.items + [c for d in self.descendants() for c in d.items]

    def numbered_leaves(self) -> list[tuple[Node, list[Node]]]:
        """A two-level list the plan numbers as one: sub-sections whose own sub-sections run one numbering across
        them ("（一）…行动" 1．–4．, "（二）…" 5．–10．…), as (sub-section, its numbered parts); [] otherwise."""
        groups = [(c, [g for g in c.children if g.kind == "section"]) for c in self.children if c.kind == "section"]
        if len(groups) < 2 or any(not leaves for _, leaves in groups):
            return []
        numbers = [_leading_number(g.title) for _, leaves in groups for g in leaves]
        if None in numbers or numbers != list(range(1, len(numbers) + 1)):
            return []
        return groups


def _leading_number(title: str) -> int | None:
    m = re.match(r"\s*[#*\s]*(\d{1,3})\s*[.．、]", title)
    return int(m.group(1)) if m else None


def name_column(rows: list[Clause]) -> int | None:
    """The column that names each row of a table: its header says so (名称 …), else the first column whose cells are
    words, mostly distinct ("项目名称", not the 行业领域 several rows share, nor the 序号); None when no column is."""
    rows = [r for r in rows if r.kind == "table_row" and r.cells]
    if len(rows) < 2:
        return None
    width = max(len(r.cells or ()) for r in rows)
    candidates = []
    for j in range(width):
        values = [r.cells[j].strip() for r in rows if r.cells and j < len(r.cells) and r.cells[j].strip()]
        if len(values) < 0.8 * len(rows) or sum(bool(re.fullmatch(r"[\d.．、%/\s<>≥≤~～-]+", v)) for v in values) > len(values) / 2:
            continue
        if len(set(values)) >= 0.8 * len(values):
            candidates.append(j)
    if not candidates:
        return None
    header = rows[0].header or ()
    named = [j for j in candidates if j < len(header) and containers.pattern("name_header").search(header[j])]
    return (named or candidates)[0]


# A paragraph that opens as one entry of a run-in list: "——坚持…。" (the genre's way of writing principles), or else
# a short lead phrase and a colon ("强化产业技术创新能力：…", the genre's way of writing a goal's aspects); where a
# section has both, the dashes are the list and a colon-led paragraph its introduction ("发展思路：…").
_RUN_IN = re.compile(r"\s*[—–-]{1,2}\s*\S")
_COLON_LED = re.compile(r"\s*[^，,。；;：:\s]{2,16}[：:]")


def written_entry(name: str, text: str, stem: bool = True) -> str | None:
    """How `text` writes a list entry: whole, by its head ("机器人" of 机器人及应用) or, with `stem`, without the two
    characters of its category word ("新能源汽车" of 新能源汽车产业); None when it does not."""
    head = re.split(r"及|和|与|、", name)[0]
    forms = ((name, 2), (head, 2), (name[:-2], 4)) if stem else ((name, 2), (head, 2))
    return next((w for w, least in forms if len(w) >= least and w in text), None)


def item_lead(clause: Clause, column: int | None = None) -> tuple[str, Span] | None:
    """An entry's name: a table row's naming cell (`column`, else its first named cell), or a box item's words
    before "：" / the first sentence end."""
    text = clause.text
    if clause.kind == "table_row" and clause.cells:
        cells = [c.strip() for c in clause.cells if c.strip() and not re.fullmatch(r"[\d.．、\s]+", c.strip())]
        if column is not None and column < len(clause.cells) and clause.cells[column].strip():
            cells = [clause.cells[column].strip()]
        if not cells:
            return None
        name = cells[0].split("\n")[0].strip()  # "海安高新区\n\n（省级）": the name, not its qualifier
        i = text.find(name)
    else:
        m = re.match(r"\s*(?:\d+\s*[．.、]|[（(]\d+[)）]|[—–-]{1,2})?\s*([^：:。；;！？]{2,40}?)(?:[：:。；;！？]|$)", text)
        if not m:
            return None
        name = m.group(1).strip()
        i = text.find(name)
    if i < 0 or not name:
        return None
    span = Span(clause, clause.char_start + i, clause.char_start + i + len(name), name)
    return strip_numbering(name), span


@lru_cache(maxsize=4)
def plan_tree(corpus: Corpus) -> dict[str, list[Node]]:
    """Top-level nodes of each plan (cached per loaded corpus)."""
    return {doc_id: _doc_tree(corpus, doc_id) for doc_id in corpus.docs}


SUB_HEADING_CHARS = 20  # a box item this short, numbered and without punctuation heads the items after it


@lru_cache(maxsize=256)
def sub_boxes(node: Node) -> tuple[Node, ...]:
    """A box whose items run under numbered sub-headings ("(一)重大科技基础设施建设" …, "(二)实验室体系建设" …): each
    sub-heading with the items after it, as a box of its own. Not in the tree: the box itself still lists every item."""
    if node.kind != "box":
        return ()
    heads = [i for i, c in enumerate(node.items) if (found := numbering(c.text)) is not None and found[0] in ("cjk_paren", "cjk_dun")
             and len(words := strip_numbering(c.text)) <= SUB_HEADING_CHARS and not re.search(r"[。；;，,:：]", words)]
    if len(heads) < 2:
        return ()
    out = []
    for k, i in enumerate(heads):
        items = node.items[i + 1:heads[k + 1] if k + 1 < len(heads) else len(node.items)]
        head = node.items[i]
        sub = Node(node.doc_id, "box", head.text, node.level + 1, head, head.char_start,
                   items[-1].char_end if items else head.char_end, items=list(items))
        sub.parent = node
        out.append(sub)
    return tuple(out)


@lru_cache(maxsize=4)
def all_nodes(corpus: Corpus) -> list[Node]:
    out: list[Node] = []
    for roots in plan_tree(corpus).values():
        for root in roots:
            out.append(root)
            out.extend(root.descendants())
    return out


def _doc_tree(corpus: Corpus, doc_id: str) -> list[Node]:
    return doc_tree(doc_id, [corpus.clauses[i] for i in corpus.clause_ids_of(doc_id)], corpus.headings.get(doc_id, []),
                    len(corpus.source(doc_id)))


def doc_tree(doc_id: str, clauses: list[Clause], all_headings: list[Heading], source_end: int) -> list[Node]:
    """Top-level nodes of one plan from its clauses and headings (what ingest parsed), in document order."""
    heading_clause = {c.char_start: c for c in clauses if c.kind == "heading"}
    headings = [h for h in all_headings if h.char_start in heading_clause]
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
    boxes: dict[str, Node] = {}
    for c in clauses:
        if c.caption and c.kind in ("box_item", "table_row"):
            box = boxes.get(c.caption)
            if box is None:
                head = next((h for h in clauses if h.kind == "heading" and h.caption == c.caption and h.text.strip()
                             and h.char_start <= c.char_start and strip_numbering(h.text) in _squash(c.caption)), None)
                kind: NodeKind = "table" if c.kind == "table_row" else "box"
                box = Node(doc_id, kind, head.text if head else c.caption, 99, head, c.char_start, c.char_end)
                boxes[c.caption] = box
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
    for group in _groups(doc_id, clauses):  # after the sections' own paragraphs: a group lists, it holds no clause
        parent = _deepest(nodes, group.start)
        if parent is not None:
            group.parent = parent
            parent.children.append(group)
        else:
            roots.append(group)
    extra = list(boxes.values()) + _series(doc_id, boxes.values())
    roots.extend(node for node in extra if node.parent is None or node.kind == "series")
    _add_count_words(roots, clauses)
    return roots


def label_of(node: Node) -> str:
    """A box's or table's label with its ordinal, as the question may name it ("专栏4", "重大工程三", "表1"), or ""."""
    if node.kind not in ("box", "table"):
        return ""
    m = re.match(r"\s*([\u4e00-\u9fff]{1,8}?\s*[一二三四五六七八九十\d]+)(?=\s|[：:\u2002\u3000]|[\u4e00-\u9fff“])", node.title)
    return re.sub(r"\s+", "", m.group(1)) if m and _SERIES_LABEL.match(node.title) else ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _deepest(nodes: list[Node], pos: int) -> Node | None:
    inside = [n for n in nodes if n.start <= pos < n.end]
    return max(inside, key=lambda n: n.level) if inside else None


def _series(doc_id: str, containers) -> list[Node]:
    """Boxes and tables whose captions share a label ("重大工程一…九", "专栏1…8") as one enumerable node; a label
    that ends another ("专栏" in "创新布局专栏3") takes in its boxes too, so "几个专栏" counts every 专栏."""
    labels: dict[Node, str] = {}
    for box in containers:
        m = _SERIES_LABEL.match(box.title)
        if m:
            labels[box] = m.group(1)
    out, seen = [], set()
    for label in dict.fromkeys(labels.values()):
        boxes = sorted((b for b, other in labels.items() if other.endswith(label)), key=lambda b: b.start)
        key = tuple(id(b) for b in boxes)
        if len(boxes) >= 2 and key not in seen:
            seen.add(key)
            series = Node(doc_id, "series", label, 0, None, boxes[0].start, boxes[-1].end)
            series.children = boxes  # the boxes keep their section parent; the series only lists them
            out.append(series)
    return out


def _number(token: str) -> int | None:
    token = token.strip("“”\" ")
    if "+" in token:
        return sum(int(t) for t in token.split("+") if t.strip().isdigit())
    token = re.sub(r"[大个项类条种\s]", "", token)
    return cn_number(token) if token else None


def _noun_of(run: str, counted: bool) -> str:
    """The grouping noun at the start of `run`: up to its first container-word end, extended while another container
    word ends within three characters ("产业集群的形成…" → 产业集群; "产业链攻关一批产业" → 产业链); without one, words
    up to 的 when the plan counts them ("五大攻坚战"), else nothing."""
    words = containers.words("container")
    ends = [k for k in range(2, min(len(run), 16) + 1) if any(run[:k].endswith(w) for w in words)]
    if ends:
        best = ends[0]
        for k in ends[1:]:
            if k - best > 3:
                break
            best = k
        return run[:best]
    if not counted:
        return ""
    head = run.split("的")[0][:10]
    return head if len(head) >= 2 else ""


def _groups(doc_id: str, clauses: list[Clause]) -> list[Node]:
    """Groups a sentence enumerates and names: "A、B、C等三大海工船舶装备特色产业园", "A、B等“1+3”产业领域",
    "A、B…E五大攻坚战", "A、B等产业链" (an uncounted name must end in a container word), "“三站三中心”（A、B…）"."""
    out: list[Node] = []
    for c in clauses:
        if c.kind not in ("paragraph", "box_item"):
            continue
        text = c.text
        for m in _GROUP_TAIL.finditer(text):
            count_text = m.group("count") or m.group("bare") or ""
            run = re.match(r"[\u4e00-\u9fff]{1,16}", text[m.end():])
            name = _noun_of(run.group(0), bool(count_text)) if run else ""
            if len(name) < 2:
                continue
            begin = max((x.end() for x in _ITEM_STOP.finditer(text, 0, m.start())), default=0)
            count = _number(count_text) if count_text else None
            parts = _split_items(c, begin, m.start(), count)
            if len(parts) < 2 or (count is not None and count < 2):
                continue
            if count is not None and count < len(parts):
                parts = parts[-count:]
            node = Node(doc_id, "group", name, 99, c, c.char_start, c.char_end, parts=parts)
            if count_text:
                at = c.char_start + m.start(0) + (0 if m.group("bare") else m.group(0).index(count_text))
                node.count_word = Span(c, at, c.char_start + m.end() + len(name), source_slice(c, at, c.char_start + m.end() + len(name)))
            out.append(node)
        for m in _BRACKETED.finditer(text):
            name = m.group("name").strip("“”")
            if not (m.group("name").startswith("“") or NUMBERED_NAME.fullmatch(name) or containers.container_of(name)):
                continue
            parts = _split_items(c, m.start("items"), m.end("items"))
            if len(parts) >= 2:
                out.append(Node(doc_id, "group", name, 99, c, c.char_start, c.char_end, parts=parts))
    return out


def source_slice(clause: Clause, start: int, end: int) -> str:
    """The clause's text between two absolute offsets."""
    return clause.text[start - clause.char_start:end - clause.char_start]


def _split_items(c: Clause, begin: int, end: int, count: int | None = None) -> list[tuple[str, Span]]:
    """The 、-separated items of c.text[begin:end] as exact spans; lead verbs before the first one are left out
    ("围绕A、B" → A, B), and the last is split at 和/及/与 when the plan's count says one more ("A、B和C等三大").
    Nothing when an item is too short or too long to be a name."""
    leads = containers.pattern("enum_lead")
    bounds: list[tuple[int, int]] = []
    pos = begin
    for piece in c.text[begin:end].split("、"):
        bounds.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    if count is not None and count == len(bounds) + 1:
        s, e = bounds[-1]
        cut = max(c.text.rfind(x, s, e) for x in "和及与")
        if cut > s:
            bounds[-1:] = [(s, cut), (cut + 1, e)]
    out: list[tuple[str, Span]] = []
    for k, (s, e) in enumerate(bounds):
        while s < e and c.text[s] in " \u3000“\"":
            s += 1
        while k == 0 and (lead := leads.match(c.text, s, e)) and e - lead.end() >= 2:
            s = lead.end()
        while e > s and c.text[e - 1] in " \u3000”\"":
            e -= 1
        item = c.text[s:e]
        if not 2 <= len(item) <= 30:
            return []
        out.append((item, Span(c, c.char_start + s, c.char_start + e, item)))
    return out


def _add_count_words(roots: list[Node], clauses: list[Clause]) -> None:
    """Give each node with several members the count word the plan writes for them: "N大" + a noun of the members'
    kind, with N their number, looked for inside the node, then in its parent, then anywhere in the plan."""
    found = []  # (clause, start in clause, number, noun)
    for c in clauses:
        for m in _COUNT_WORD.finditer(c.text):
            n = _number(m.group(1))
            noun = _noun_of(m.group(2), True)
            if n and n >= 2 and noun:
                found.append((c, m.start(), n, noun))
    todo = [d for r in roots for d in [r, *r.descendants()]]
    for node in todo:
        if node.count_word is not None or node.kind == "group":
            continue
        members = node.members()
        if len(members) < 2:
            continue
        names = [name for name, _ in members]
        near = [(node.start, node.end)] + ([(node.parent.start, node.parent.end)] if node.parent is not None else [])
        for k, (lo, hi) in enumerate([*near, (0, 1 << 62)]):
            # by the members' kind anywhere in the plan; by the title's only inside the node itself
            inside = [(c, i, noun) for c, i, n, noun in found if n == len(members) and lo <= c.char_start < hi
                      and _same_kind(noun, node.name if k == 0 else "", names)]
            if inside:
                c, i, noun = min(inside, key=lambda t: abs(t[0].char_start - node.start))
                end = i + len(_COUNT_WORD.match(c.text, i).group(1)) + 1 + len(noun)
                node.count_word = Span(c, c.char_start + i, c.char_start + end, c.text[i:end])
                break


def _same_kind(noun: str, title: str, names: list[str]) -> bool:
    """A counted noun names these members: a container word it ends with is in the title or in most members'
    names (十大支撑体系 → 体系 sections; 六大行动 → 行动), else its last two characters are."""
    kinds = [w for w in containers.words("container") if noun.endswith(w)] or [noun[-2:]]
    return any((title and k in title) or sum(k in n for n in names) >= len(names) / 2 for k in kinds)


# items, not chapters (一、, 第一章); decimal outline numbers ("1.2") restart under every parent, so never one running series
ITEM_STYLES = ("cjk_paren", "arabic_paren", "arabic_dot")


def chapters(corpus: Corpus, doc_id: str) -> list[tuple[int, Node]]:
    """The plan's chapters with their numbers: its top-level sections that carry a number (by position when none
    does); an unnumbered appendix is no chapter."""
    roots = [node for node in plan_tree(corpus).get(doc_id, []) if node.kind == "section"]
    numbers = [(found[1], node) for node in roots if (found := numbering(node.title)) is not None]
    return numbers or list(enumerate(roots, 1))


def chapter(corpus: Corpus, doc_id: str, n: int) -> Node | None:
    """The plan's chapter `n` ("第五章", "第三部分"; -1 for "最后一章"), None past the end."""
    numbers = chapters(corpus, doc_id)
    if n == -1:
        return numbers[-1][1] if numbers else None
    return next((node for number, node in numbers if number == n), None)


def numbered(corpus: Corpus, doc_id: str, n: int) -> Node | None:
    """The plan's item numbered `n` ("第20条" of a plan whose tasks run 1．…25．), when one numbering style of the
    plan's items gives exactly one part that number; of several such styles, the one that never restarts (a
    running series). None when the number is ambiguous (every section's "（二）") or no item carries it."""
    by_style: dict[str, list[tuple[int, Node]]] = {}
    for node in all_nodes(corpus):
        if node.doc_id == doc_id and node.kind == "section" and (found := numbering(node.title)) is not None \
                and found[0] in ITEM_STYLES:
            by_style.setdefault(found[0], []).append((found[1], node))
    single = {style: [node for number, node in parts if number == n] for style, parts in by_style.items()}
    single = {style: nodes[0] for style, nodes in single.items() if len(nodes) == 1}
    running = [style for style in single if len({number for number, _ in by_style[style]}) == len(by_style[style])]
    if len(single) == 1:
        return next(iter(single.values()))
    return single[running[0]] if len(running) == 1 else None
