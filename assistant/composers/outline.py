"""Outline, count and topic questions, answered from the plan's structure (`assistant.sections`).

- outline ("七大工程是哪些", "保障措施有哪些", "分哪几章", "“1+3”产业领域是哪几个"): the members of the section,
  box, table, series or enumerated group the question names, in order, each cited to its heading or words;
- count ("主要指标一共有几项", "有几个专栏", "几个特色产业园"): the number of members with the plan's own count
  word when it writes one ("十大支撑体系"), and the list; a two-level list the plan numbers as one (six 行动 with
  tasks 1–25) is counted at both levels;
- define ("“两区一廊多组团”具体指什么"): a name made of counted parts, by the group it names or by the sentences
  that spell it out;
- topic ("在引进海外人才方面有哪些举措", "如何支持企业建设研发机构"): the measures of the section
  about that topic — its sub-headings with each one's first sentence, or its own sentences.

The node is found by its title (with the synonym table, IDF-weighted like every composer), by
whether its members are the kind of thing counted ("几大行动" → members that are 行动; "几个园区" → a group of
产业园, through the container words of index/resources/containers.tsv), by a number or count word the question
states matching the node's ("七大工程" → 7 members), and by where the retrieved clauses lie. A table asked about
one category ("…平台里新一代信息技术领域有哪几个") lists the rows of that category by their naming column.
When no node is a clear match, `compose` returns None and the caller answers the usual way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import containers
from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context
from assistant.composers.refusal import refuse
from assistant.composers.scoring import RARE_WORD, TopicScorer
from assistant.composers.windows import finish, join, pieces
from assistant.evidence import Span, sentences, shown, unbroken
from assistant.ordinals import PLAN_POSITION
from assistant.sections import (NUMBERED_NAME, Node, all_nodes, chapters, item_lead, label_of, name_column, plan_tree,
                                sub_boxes, written_entry)
from index.rerank import PAST_SECTION
from assistant.prompts import load_prompt
from assistant.lexicon import rule
from ingest.lexicon import NUMBER_NOT_YEAR, YEAR_DIGITS, YEAR_PHRASE, cn_number, normalize
from ingest.periods import plan_kinds

_MEASURE = containers.pattern("measure").pattern
_UNIT = containers.pattern("counted_unit").pattern
# What a count or outline question counts: "几项", "哪几大行动", "多少个专栏", "几个海工船舶特色产业园", "分几章".
_COUNTED = re.compile(
    rf"(?:几|多少|哪几|哪些)\s*(?P<measure>{_MEASURE})?\s*(?P<phrase>[\u4e00-\u9fff]{{0,12}}?)\s*(?=[？?。，,！!吗呢]|是|有|包括|分别|都|$)")
_COUNT = re.compile(rf"(?<![哪那这])(?:几|多少)\s*(?:{_MEASURE}|{_UNIT})|{containers.pattern('count_frame').pattern}")
_OUTLINE = containers.pattern("list_frame")
_DEFINE = containers.pattern("define_frame")
_DESCRIBE = containers.pattern("describe_frame")
_TOPIC = containers.pattern("topic_frame")
# Verbs between a counted noun and its count ("主要指标表列了几项", "专栏一共设了几个").
_BEFORE_COUNT = re.compile(r"一共|总共|共|有|是|列了?|设了?|分成了?|分为|包括|包含|提出了?|部署了?|安排了?|规划了?|要|将")
# Words between a listed noun and the frame asking for its members ("重大工程都叫什么", "专栏分别是").
_BEFORE_LIST = re.compile(r"都|又|各|分别|具体")
# A container word in quotes ("那几个“重大工程”都叫什么"): counted like the word unquoted.
_QUOTED_CONTAINER = re.compile(r"“([^”]{1,12})”")
# A box or table named by its label and ordinal: "专栏5", "重大工程三", "表1".
_LABELLED = re.compile(rf"(?:{containers.pattern('container').pattern})\s*[一二三四五六七八九十\d]+")
# Nouns that only say what kind of answer is wanted; left out when a section title is matched.
_ASKING_NOUNS = containers.pattern("asking_noun")
_PART_NAMES = containers.pattern("part_name")
_MEASURE_NOUNS = set(containers.words("measure_noun"))  # not 方面: "包括哪几个方面" lists parts
_COUNTED_UNITS_LONGEST = tuple(sorted(containers.words("counted_unit"), key=len, reverse=True))
_STRUCTURAL = tuple(sorted({*containers.words("measure"), *containers.words("counted_unit"), *containers.words("container")},
                           key=len, reverse=True))

MIN_NODE = 0.55  # least title match (with the other signals) to answer from a node
MIN_TOPIC = 0.4  # least title-and-sentence match for a topic question
RIVAL_MARGIN = 0.2  # how much better a part of the kind must say the question's other words to beat a count word
MIN_GROUP = 0.6  # least match of a sentence's enumeration the question does not name by its words alone
MAX_MEMBERS = 30
LIST_CHARS = 600  # members listed until their names reach this many characters; the rest are counted ("等N项")
TOPIC_ITEMS = 6
ITEM_CHARS = 100  # a first sentence, cut at a comma-piece end only when longer
ITEM_FINISH = 150  # … unless the whole sentence stays this short
DEFINE_CHARS = 320  # a named grouping spelt out: its sentence and those that follow, up to this many characters


@dataclass(frozen=True)
class Shape:
    """What the question asks of the structure."""

    kind: str  # "count" | "outline" | "topic" | "define"
    counted: str  # the noun counted or listed ("行动", "章", "特色产业园", "" when none)
    number: int | None  # a member count the question states ("七大工程" → 7)
    measure: str = ""  # the measure word the question counts in ("个", "项")
    name: str = ""  # a name made of counted parts the question asks about ("两区一廊多组团", "1+3")
    by_name: bool = False  # an outline only because a part is named ("“空间布局”讲什么", "具体说说…"): that part or none


def grouping_name(text: str, quoted: tuple[str, ...] = ()) -> str:
    """A name made of counted parts in the question: quoted (“1+3”, “两区一廊多组团”) or not."""
    for q in quoted:
        q = q.strip("“”‘’\"' ")
        if NUMBERED_NAME.fullmatch(q):
            return q
    for m in re.finditer(r"“([^”]{2,20})”", text):
        if NUMBERED_NAME.fullmatch(m.group(1)):
            return m.group(1)
    # not a year, a period, a count word of the plan's ("六大") or the question's own adverbs ("一共多少个", "介绍一下")
    m = NUMBERED_NAME.search(re.sub(rf"{YEAR_DIGITS}\s*年|十[一二三四五]五|[一二三四五六七八九十两]大|[一总]共|多少|一下", " ", text))
    return m.group(0) if m and not m.group(0).isdigit() else ""


def shape_of(text: str, quoted: tuple[str, ...] = ()) -> Shape | None:
    """The structural shape of a question, or None (a figure, a fact, a comparison …)."""
    text = _QUOTED_CONTAINER.sub(lambda q: q.group(1) if containers.container_of(q.group(1)) else q.group(0), text)
    m = _COUNTED.search(text)
    phrase = (m.group("phrase") if m else "") or ""
    measure = (m.group("measure") if m else "") or ""
    phrase = _unit_first(phrase) or phrase  # "从哪几个方面展开", "由哪几部分组成": the unit counted
    if phrase.startswith("大") and phrase[1:] in containers.words("container"):
        phrase = phrase[1:]  # "几个大工程" counts 工程 as "几大工程" does (not 大学 of "几个大学")
    kind = containers.container_of(phrase)
    if kind and kind != phrase and _ASKING_NOUNS.fullmatch(phrase[:-len(kind)]) and _COUNT.search(text):
        phrase = kind  # "多少条具体任务" counts 任务
    counted = phrase if len(phrase) <= 4 else containers.container_of(phrase) or containers.container_of(
        re.split(r"[来去]", phrase, maxsplit=1)[0])  # "哪几大行动来推进": the kind, then how it is done
    stated = re.search(r"(?<!第)(?<!最后)(?<![那这每])([一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:大|个|项|条|类|方面|部分|章)", text)  # not "第四章", "那一章"
    number = None
    if stated:
        number = cn_number(stated.group(1))
    name = grouping_name(text, quoted)
    if name and _DEFINE.search(text) and not _COUNT.search(text):
        return Shape("define", counted, None, measure, name)
    if _COUNT.search(text):
        if m and not phrase:  # "句容的主导产业集群有几个": the counted noun comes before the count, in the piece
            # before it when the count's own piece names none ("规划里有不少专栏，一共多少个")
            pieces = re.split(r"[，,。？?！!\s]", text[:m.start()])
            before = re.sub(rf"(?:{_BEFORE_COUNT.pattern})+$", "", pieces[-1])
            if not before and len(pieces) > 1:
                before = re.sub(rf"(?:{_BEFORE_COUNT.pattern})+$", "", pieces[-2])
            counted = containers.container_of(before)
        return Shape("count", counted, number, measure, name)
    if counted in _MEASURE_NOUNS and not number:  # "在…方面有哪些举措": the measures of a topic's section
        return Shape("topic", "", None)
    listed = _OUTLINE.search(text)
    if listed and not counted:  # "重大工程都叫什么": the container named before the frame (not "…服务举措专栏讲什么",
        # one box named before its container word)
        before = re.sub(rf"(?:{_BEFORE_LIST.pattern})+$", "", re.split(r"[，,。？?！!\s]", text[:listed.start()])[-1])
        kind = containers.container_of(before)
        if kind and (before == kind or before[:-len(kind)].endswith(("的", "个", "些", "大", "项", "类", "里", "中"))):
            counted = kind
    if (listed or _DEFINE.search(text)) and (counted or number or name or re.search(r"哪[几些]|分别|各(?:自|是)", text)
                                                            or _LABELLED.search(text)):
        return Shape("outline", counted, number, measure, name)
    if (quoted and _OUTLINE.search(text)) or _DESCRIBE.search(text):  # "“空间布局”讲什么", "具体说说打造…平台"
        return Shape("outline", counted, number, measure, name, by_name=True)
    if _TOPIC.search(text) or (_PART_NAMES.search(text) and re.search(r"什么|哪些|哪几|如何|怎么", text)):
        return Shape("topic", counted, number)  # "发展目标是什么": the part's own words
    return None


def _unit_first(phrase: str) -> str:
    """The counted unit a counted phrase starts with when the rest only says what the plan does with it ("方面展开",
    "部分组成"), else "": not a 的-phrase or a noun ("方面的举措", "方面工作")."""
    unit = next((u for u in _COUNTED_UNITS_LONGEST if phrase.startswith(u) and phrase != u), "")
    rest = phrase[len(unit):]
    ok = unit and "的" not in rest and rest not in _MEASURE_NOUNS and not containers.container_of(phrase)
    return unit if ok else ""


def _after_unit(text: str) -> str:
    """What a question says after the unit it counts ("展开" of "从哪几个方面展开"): no word of the part asked."""
    m = _COUNTED.search(text)
    phrase = (m.group("phrase") if m else "") or ""
    unit = _unit_first(phrase)
    return phrase[len(unit):] if unit else ""


def asks_structure(text: str) -> bool:
    """A count of parts, not of things: "一共有几项？", "分几章", "有几个专栏", "几个特色产业园" (a container word counted),
    or what a name of counted parts stands for — not "新增多少个研发机构"."""
    tail = re.sub(r"[？?。！!\s呢吗]+$", "", text)
    if re.search(rf"(?:{containers.pattern('making_verb').pattern})\s*(?:几|多少)\s*(?:{_MEASURE}|{_UNIT})$", tail):
        return False  # "打算建几个？": how many are to be made is a target, not a count of the plan's parts
    if re.search(rf"(?:{rule('increment').pattern})\s*(?:几|多少)", tail):
        return False  # "要新增几个国家级高新区": how many more, not how many the plan lists
    if re.search(rf"(?:{rule('target').pattern})\s*(?:是|为)?\s*(?:几|多少)\s*(?:{_MEASURE}|{_UNIT})$", tail):
        return False  # "集聚顶尖人才团队的目标是多少个": the count is the target's figure, not a count of parts
    if re.search(rf"(?:几|多少)\s*(?:{_MEASURE}|{_UNIT})$", tail) or (bool(_COUNT.search(tail)) and tail.endswith(_STRUCTURAL)):
        return True
    shape = shape_of(text)
    return shape is not None and (shape.kind == "define" or (shape.kind == "count" and bool(
        shape.counted and (containers.container_of(shape.counted) or containers.is_plan_part(shape.counted)
                           or containers.pattern("listing_verb").search(text)))))


def tells_about(text: str) -> bool:
    """"具体说说…", "介绍一下…": a part is asked to be told about (answered from it when the question names it whole)."""
    return bool(_DESCRIBE.search(text))


def names_a_part(text: str) -> bool:
    """"发展目标是什么", "重点任务有哪些": a part of the plan by the name plans give it, not a figure."""
    return bool(_PART_NAMES.search(text)) and not re.search(r"多少|几[家个项人件名所位]|比重|占比", text)


def _topic_words(ctx: Context) -> str:
    """The words that name the part asked about: the topic, and any name the user quotes (“重点任务”)."""
    topic = " ".join([ctx.query.topic or ctx.query.text, *ctx.query.quoted])
    if rest := _after_unit(ctx.query.text):
        topic = topic.replace(rest, " ")
    words = [p for p in (_ASKING_NOUNS.sub(" ", piece) for piece in topic.split()) if p.strip()]
    # the names plans give their parts ("重点任务", "保障措施", "主要目标") are titles, not frame words; one the asked
    # plan does not use is read as the name of its family it does use ("主要任务" for a plan's 重点任务)
    docs = set(_docs(ctx))
    titles = " ".join(n.name for n in all_nodes(ctx.corpus) if n.doc_id in docs)
    names = [name if name in titles else next((w for w in sorted(containers.family(name)) if w in titles), name)
             for name in _PART_NAMES.findall(ctx.query.text)]
    return " ".join(words + names)


def _docs(ctx: Context) -> list[str]:
    return [d for d, meta in ctx.corpus.docs.items()
            if (not ctx.query.cities or meta.city in ctx.query.cities) and ctx.allows(d)]


def _says_plan(word: str, title: str) -> bool:
    """"那个三年计划" of “创新江阴”三年行动计划: a word ending as plans' kinds end (计划, 规划 …) whose characters the
    title holds in order names the plan, not a part of it."""
    if len(word) < 3 or word[-2:] not in {kind[-2:] for kind, _ in plan_kinds()}:
        return False
    rest = iter(title)
    return all(ch in rest for ch in word)


def _plain(text: str) -> str:
    return re.sub(r"[“”‘’\"'《》]", "", normalize(text, space="remove"))


def _quotes_name(ctx: Context, node: Node, name: str) -> bool:
    """The user quotes the node's own name, or its count word ("“1+3”产业领域"), or names it by its count word."""
    names = {_plain(node.name), _plain(node.title)}
    word = _plain(node.count_word.text) if node.count_word is not None else ""
    for q in [*ctx.query.quoted, name]:
        q = _plain(q)
        if q and (q in names or (word and q in word) or (node.kind == "group" and len(q) >= 2 and q in _plain(node.title))):
            return True
    return bool(word) and word in _plain(ctx.query.text)


def _title_quotes(ctx: Context, node: Node) -> bool:
    """"其中“一廊”…" of a section titled 培育“一廊”创新策源力: the title quotes the very term the user quotes (not the plan's
    own name, “创新江阴”, which its parts repeat)."""
    plan_title = ctx.corpus.docs[node.doc_id].title
    return any(len(q) >= 2 and f"“{q}”" in node.name and q not in plan_title for q in ctx.query.quoted)


def _counted_by_its_word(node: Node, shape: Shape) -> bool:
    """"一共搭了几大（几个）支撑体系" of a part whose members the plan counts as "十大支撑体系": the question counts them by
    the plan's own count noun."""
    return (shape.kind == "count" and bool(shape.measure) and bool(shape.counted) and node.count_word is not None
            and _plain(node.count_word.text).endswith(_plain(shape.counted)))


def _rest_of(kindless: TopicScorer | None, plan_title: str) -> TopicScorer | None:
    """The question's words besides the kind counted and the plan's title ("用来提升创新效能" of "…的大工程有几个"), or
    None when it has none."""
    if kindless is None:
        return None
    rest = TopicScorer([u for u in kindless.units if not any(f in _plain(plan_title) for f in u.forms)])
    return rest if rest.units else None


def _rest_cover(rest: TopicScorer, node: Node, plan_title: str) -> float:
    said = f"{node.name} {_sentence_of(node)}" if node.kind == "group" else node.name
    return rest.coverage(said, " ".join([plan_title, *node.path]))


def _rival_cover(rest: TopicScorer | None, candidates: list[tuple[Node, list]], counted: str, plan_title: str) -> float:
    """How well the best part whose members are of the kind counted (most of them named so) says the question's other
    words: a part counted only by its count word ("三大工程" in a sentence about 新材料) that says them less is not the
    one asked ("用来提升创新效能的大工程有几个": the chapter of seven 工程 that says 提升创新发展效能)."""
    if rest is None or not containers.container_of(counted):
        return 0.0
    best = 0.0
    for node, members in candidates:
        if len(members) >= 2 and sum(containers.names_kind(name, counted) for name, _ in members) * 2 >= len(members):
            best = max(best, _rest_cover(rest, node, plan_title))
    return best


def _headed_by(node: Node, counted: str) -> bool:
    """Whether a table's naming column is headed by the container word counted or a word of its family ("指标表"
    of a table captioned "“十四五”科技创新发展目标" whose rows the column 指标 names)."""
    if node.kind != "table" or not counted:
        return False
    rows = [c for c in node.items if c.kind == "table_row"]
    column = name_column(rows)
    header = rows[0].header if rows else None
    if column is None or not header or column >= len(header):
        return False
    return any(_plain(header[column]) == _plain(w) for w in containers.family(counted))


def _named_by_label(text: str, node: Node) -> bool:
    """The question names this box or table by its label and ordinal ("专栏5", "创新布局专栏3" or just "专栏3")."""
    label = label_of(node)
    if not label:
        return False
    plain = _plain(text)
    word = next((w for w in sorted(containers.words("container"), key=len, reverse=True)
                 if re.sub(r"[一二三四五六七八九十\d]+$", "", label).endswith(w)), "")
    short = label[label.rindex(word):] if word else label
    return any(re.search(re.escape(x) + r"(?![\d一二三四五六七八九十])", plain) for x in {label, short})


_LISTING_IN = re.compile(rf"(?:{'|'.join(map(re.escape, containers.words('container')))})[里中内](?:面)?")


def find_node(ctx: Context, shape: Shape) -> tuple[float, Node] | None:
    """The node the question is about, with its score (None when nothing is a candidate)."""
    docs = set(_docs(ctx))
    if len(docs) != 1:  # one plan at a time: a comparison across plans is another composer's work
        return None
    words = _topic_words(ctx)
    if shape.kind == "count" and shape.counted and not (containers.container_of(shape.counted) or containers.is_plan_part(shape.counted)):
        # "布局表里列了多少个项目": the things counted are the rows, not words of the part's title
        words = re.sub(rf"(?:{_LISTING_IN.pattern})|[个项家条类所座]?{re.escape(shape.counted)}(?=\s|$)", " ", words)
    scorer = TopicScorer.for_words(words, ctx.corpus) if words.strip() else None
    if scorer is not None and not scorer.units:
        scorer = None
    doc = next(iter(docs))
    plan_title = ctx.corpus.docs[doc].title  # words of the plan's own title name no part of it
    plain_title = _plain(plan_title)
    if scorer is not None:  # nor does a word naming the plan by its kind in other words ("那个三年计划")
        scorer = TopicScorer([u for u in scorer.units if not any(
            f not in plain_title and _says_plan(f, plain_title) for f in u.forms)])
        scorer = scorer if scorer.units else None
    # "科创规划总共几章": 科创 names the plan, so no part is named; what the words say of a part besides the plan's title
    own = TopicScorer([u for u in scorer.units if not any(f in plain_title for f in u.forms)]) if scorer else None
    repeated_title = _bare_title(plan_title)
    hit_rank = {}
    for rank, hit in enumerate(ctx.hits[:5]):
        hit_rank.setdefault(hit.clause.doc_id, []).append((hit.clause.char_start, rank))
    counted = shape.counted
    # "句容搞科技招商，主要盯哪些领域": a rare word beside the kind asked (招商), which a heading of the plan says, names
    # what the listed part is about
    rare = []
    if own is not None and shape.kind == "outline" and counted and not ctx.query.quoted:  # a quoted name names the part
        headings = _plain(" ".join(n.name for n in all_nodes(ctx.corpus) if n.doc_id == doc))
        rare = [u for u in own.units if u.weight >= RARE_WORD and not any(f in _plain(counted) for f in u.forms)
                and any(f in headings for f in u.forms)]
    # a part whose title says the kind counted but whose members are not of it ("实施…行动" of "分哪几大行动") is one member
    # of the series asked for: its title counts only by the question's other words
    kindless = TopicScorer([u for u in scorer.units if not any(f in _plain(counted) for f in u.forms)]) \
        if scorer is not None and counted and containers.container_of(counted) else None
    leaf_ok = names_a_part(ctx.query.text)
    introduced = _partition(shape, ctx)
    best: tuple[float, Node] | None = None
    best_title = 0.0
    candidates = [n for n in all_nodes(ctx.corpus) if n.doc_id == doc
                  and not (containers.is_plan_part(counted) and n.kind != "section")]  # "几章": parts, not groups
    candidates += [sub for n in candidates for sub in sub_boxes(n)]  # "实验室体系建设列了哪几项": a box's sub-heading
    rest = _rest_of(kindless, plan_title) if shape.kind == "count" and shape.measure else None
    with_members = [(node, node.members(introduced=introduced)) for node in candidates]
    rival = _rival_cover(rest, with_members, counted, plan_title) if rest is not None and any(
        _counted_by_its_word(n, shape) for n in candidates) else 0.0
    for node, members in with_members:
        if shape.kind in ("count", "define") and len(members) < 2:
            continue
        if shape.kind == "outline" and len(members) < 2 and not (
                (leaf_ok and node.kind == "section" or _named_by_label(ctx.query.text, node)
                 or (node.kind == "section" and (_quotes_name(ctx, node, shape.name) or _title_quotes(ctx, node)))
                 or _names_whole(ctx, node, shape))
                and node.body()):
            continue  # a section without parts ("主要目标有哪些") is listed by its own sentences
        if shape.kind == "topic" and not node.body():
            continue
        # a part named with the plan's own title ("“创新江阴”三年行动计划2020年重点工作目标") is named by its other words
        bare = node.name.replace(repeated_title, " ") if repeated_title else node.name
        title = (own if own is not None and own.units and bare != node.name else scorer).coverage(
            bare, " ".join([plan_title, *node.path])) if scorer else 0.0
        if node.clause is not None and node.clause.kind == "box_item":
            # a box's sub-heading is named by the box's label when the question also writes the sub-heading's whole
            # name ("重大工程二下面的实验室体系建设"); the label alone names the box
            labelled = _named_by_label(ctx.query.text, node.parent) and _writes_whole(ctx.query.text, node.name)
        else:
            labelled = _named_by_label(ctx.query.text, node)
        by_word = (_counted_by_its_word(node, shape) and (rest is None or _rest_cover(rest, node, plan_title) + RIVAL_MARGIN >= rival)) \
            or _title_quotes(ctx, node) or _headed_by(node, counted)
        named = _quotes_name(ctx, node, shape.name) or by_word
        if rare and not (named or labelled):
            where = _plain(" ".join([*node.path, node.name]))
            if not any(f in where for u in rare for f in u.forms):
                continue  # a part whose name and headings say nothing of it is not the one asked about
        if node.kind == "group":
            # a sentence's enumeration answers a count, or a question that names it (“1+3”, 八大产业链); a plain "有哪些"
            # is better answered by the sentence itself, with its context. Its words are the sentence's, not just its noun.
            if not (named or shape.kind == "count" or (shape.number and len(members) == shape.number)):
                continue
            context = " ".join([plan_title, *node.path])
            title = 0.5 * scorer.coverage(node.name, context) + 0.5 * scorer.coverage(f"{node.name} {_sentence_of(node)}", context) \
                if scorer else 0.0
            if not named and title < MIN_GROUP:
                continue
        if named or labelled:
            title = max(title, 1.0)  # the user quotes the part's own name, states its count word or its label
        elif scorer is None and counted and containers.names_kind(bare, counted):
            title = 1.0  # "这个三年计划一共多少项任务": no word but the plan's and the kind, which this part's title says
        elif shape.kind == "define":
            continue
        score = title - 0.005 * len(node.name) + (0.5 if labelled or by_word else 0.0)  # of two titles the words cover alike,
        # the one they cover more tightly; the part the question names by its label, its count word or the term its title
        # quotes before the series it belongs to or a part the stated count merely fits
        if shape.kind != "topic":  # and the one whose name the question spells out further ("重点创新平台" of 重点创新平台建设工程)
            score += SPELLED_BONUS * max(0, _spelled(ctx.query.text, node.name) - 3)
        if shape.kind == "topic" and scorer is not None:  # the section whose own sentences say it best
            score = 0.5 * title + 0.5 * max((scorer.coverage(x.text) for c in node.items for x in sentences(c)), default=0.0)
        if counted and not containers.is_plan_part(counted):
            share = sum(containers.names_kind(name, counted) for name, _ in members) / len(members) if members else 0.0
            if (kindless is not None and node.kind == "section" and share < 0.5 and not (named or labelled)
                    and containers.names_kind(bare, counted) and _in_series(node, counted)):
                score -= title - (kindless.coverage(bare, " ".join([plan_title, *node.path])) if kindless.units else 0.0)
            if containers.names_kind(bare, counted) or share >= 0.5:
                score += 0.3 + 0.2 * share
            elif (shape.kind == "count" and node.kind in ("section", "group") and not (named or labelled) and share == 0
                  and containers.container_of(counted)):
                continue  # "高新区有多少个分园": a section none of whose parts is a 园 does not count 分园
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
            best, best_title = (score, node), (max(title, 1.0) if named else own.coverage(node.name) if own and own.units else 0.0)
    if containers.is_plan_part(counted) and (best is None or best_title < MIN_NODE):  # "分几章": no part is named, so the plan's own
        roots = [n for n in plan_tree(ctx.corpus)[doc] if n.kind == "section"]
        plan = _plan_node(ctx, doc, roots)
        if len(plan.members()) >= 2:
            return 1.0, plan
    return best


_PARTITION = re.compile(r"分(?:为|成)?了?(?:哪|几)")  # "分哪些细分领域", "分成几块": what a part is divided into


def _partition(shape: Shape, ctx: Context) -> bool:
    """Whether the question counts a part's members (a measure word) or asks what it is divided into (分哪些): its
    dash-led sub-areas are then its members even after a paragraph or two of introduction."""
    return bool(shape.measure) or bool(_PARTITION.search(ctx.query.original if not ctx.query.followup else ctx.query.text))


def _in_series(node: Node, counted: str) -> bool:
    """Whether `node` is one of three or more siblings most of which are of the kind `counted` (六大行动 of 重点任务)."""
    siblings = node.parent.members() if node.parent is not None else []
    return len(siblings) >= 3 and sum(containers.names_kind(name, counted) for name, _ in siblings) >= 0.5 * len(siblings)


def _names_whole(ctx: Context, node: Node, shape: Shape) -> bool:
    """The question writes the part's whole name: one asked only by its name ("具体说说打造…平台"), or a section
    of its own sentences named in four characters or more and counted with a measure word ("定了哪几个发展定位"; not
    "新材料产业往哪些方向发展", which asks for its specifics rather than its sentences one by one)."""
    return (shape.by_name or (len(_plain(node.name)) >= 4 and bool(shape.measure))) and _writes_whole(ctx.query.text, node.name)


SPELLED_BONUS = 0.02  # per character beyond three of the longest run of a node's name the question writes


def _spelled(question: str, name: str) -> int:
    """Length of the longest run of `name` that `question` writes word for word (quotes and spaces aside)."""
    q, n = _plain(question), _plain(name)
    best = 0
    for i in range(len(n)):
        while i + best < len(n) and n[i:i + best + 1] in q:
            best += 1
    return best


def _writes_whole(question: str, name: str) -> bool:
    """Whether `question` writes the whole of `name` (quotes and spaces aside)."""
    return _spelled(question, name) >= len(_plain(name))


def _sentence_of(node: Node) -> str:
    """The sentence of a group's clause that enumerates it."""
    at = node.parts[0][1].char_start if node.parts else node.start
    return next((s.text for s in sentences(node.clause) if s.char_start <= at < s.char_end), node.clause.text) if node.clause else ""


def _bare_title(title: str) -> str:
    """A plan's title as its parts repeat it: without the year range in brackets ("“创新江阴”三年行动计划（2020－2022年）"
    → "“创新江阴”三年行动计划")."""
    return re.sub(r"[（(][^）)]*[）)]\s*$", "", title).strip()


def _plan_node(ctx: Context, doc: str, roots: list[Node]) -> Node:
    node = Node(doc, "section", ctx.corpus.docs[doc].title, 0, None, 0, len(ctx.corpus.source(doc)))
    node.children = roots
    return node


def compose(ctx: Context) -> Answer | None:
    """An answer from the node the question is about, or None when no node clearly is."""
    text = ctx.query.original if not ctx.query.followup else ctx.query.text
    shape = shape_of(text, ctx.query.quoted)
    if shape is None:
        return None
    wrong = miscounted(ctx, text, shape)
    if wrong is not None:
        return wrong
    found = find_node(ctx, shape)
    if shape.kind == "define" and (found is None or found[0] < MIN_NODE):
        return _define(ctx, shape.name)
    if shape.name and (found is None or found[0] < MIN_NODE) and _MEMBERS_ASKED.search(text):
        unsaid = _parts_unsaid(ctx, shape.name)  # "“三园三基地”具体是哪三个园区": named, its parts said nowhere
        if unsaid is not None:
            return refuse(ctx, f"“{shape.name}”具体所指的各部分（规划只写了这一提法）", (unbroken(unsaid.text), unsaid))
    if found is None or found[0] < MIN_TOPIC:
        return None
    if found[0] < MIN_NODE and shape.kind != "topic" and (shape.kind == "count" or _member_named(ctx, found[1]) is None):
        return None  # a node one of whose entries the question names needs only a topic question's match
    _, node = found
    if shape.by_name and not (_quotes_name(ctx, node, shape.name) or _names_whole(ctx, node, shape)):
        return None  # "“苏科贷”讲的是什么": a name no part of the plan has is answered from the sentences that use it
    builder = AnswerBuilder(ctx.corpus.sources)
    if shape.kind != "count" and (one := _member_named(ctx, node)) is not None:
        # "…攻关方向里新材料领域列了哪些": that entry's own words answer, not the list of entries — a box's entry
        # whole, under the box's name; any other entry is left to the sentences that use its words
        name, span = one
        if not _has_body(span):
            return None
        builder.raw(f"{node.name}中，")
        builder.say(" ".join(span.clause.text.split()), Span(span.clause, span.clause.char_start, span.clause.char_end, span.clause.text))
        return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="outline", query=ctx.query)
    if shape.kind != "count" and rule("part_targets_ask").search(text) and _targets_of(builder, node):
        return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="outline", query=ctx.query)
    members = _rows_asked(ctx, node) or node.members(introduced=_partition(shape, ctx))
    leaves = node.numbered_leaves() if shape.kind == "count" and not _counts_children(shape, node) else []
    column = _column_asked(ctx, node, _filter_columns(ctx, node)) if shape.kind == "outline" else None
    if (shape.kind == "topic" and not (shape.counted or shape.number)) or (shape.kind == "outline" and len(members) < 2):
        _topic(builder, node, ctx)
    elif column is not None:
        _rows_with(builder, node, column, members)
    elif leaves:
        _two_levels(builder, node, leaves, shape)
    elif shape.kind == "count":
        _head(builder, node, f"共{len(members)}{_unit(shape)}")
        _list(builder, members)
    else:
        _head(builder, node, "包括")
        _list(builder, members)
    if not builder.citations:
        return None
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="outline", query=ctx.query)


def _targets_of(builder: AnswerBuilder, node: Node) -> bool:
    """The part's own sentences that state a year's figure ("到2025年，力争突破50项…"), after its name; False when
    it states none (its sub-parts answer then)."""
    stating = [s for c in node.items for s in sentences(c) if re.search(YEAR_PHRASE, s.text) and NUMBER_NOT_YEAR.search(s.text)]
    if not stating:
        return False
    builder.raw(f"{node.name}的目标：")
    for span in stating:
        builder.item(shown(span), span)
    return True


_STATED_COUNT = re.compile(r"(?P<n>[一二三四五六七八九十两]{1,3}|\d{1,2})\s*(?:大|个|项|条|类|家)\s*(?P<noun>[\u4e00-\u9fff]{2,10})")


def miscounted(ctx: Context, text: str, shape: Shape) -> Answer | None:
    """A question that states how many parts there are ("安排了12项重大工程", "七大行动是哪些") where the asked plan
    lists another number under that name: refused as a false premise, with the plan's count and its parts.
    None when the plan has that many, names no such parts, or several plans are asked."""
    m = _STATED_COUNT.search(text)
    docs = _docs(ctx)
    if not shape.number or m is None or len(docs) != 1:
        return None
    noun = re.sub(r"(?:具体|分别|都|是|有|包括|各|主要).*$", "", m.group("noun"))
    if len(noun) < 2:
        return None
    # a part named so ("重大工程"), by its count word ("七大行动"), or with words of its own the question writes too
    # ("…新材料领域列了哪两个平台" names no 科研平台)
    named = [n for n in all_nodes(ctx.corpus) if n.doc_id == docs[0] and len(n.members()) >= 2 and (
        (n.name.endswith(noun) and (n.name == noun or n.name.removesuffix(noun)[-2:] in text))
        or (n.count_word is not None and n.count_word.text.endswith(noun)))]
    if not named:
        return None

    def stated(node: Node) -> int | None:
        word = node.count_word.text if node.count_word is not None else ""
        lead = re.match(r"[一二三四五六七八九十两]{1,3}", word)
        return cn_number(lead.group(0)) if lead else None

    if any(len(n.members()) == shape.number or stated(n) == shape.number for n in named):
        return None
    node = max(named, key=lambda n: (n.count_word is not None, len(n.members())))
    count = stated(node) or len(node.members())
    builder = AnswerBuilder(ctx.corpus.sources)
    said = text[m.start():m.start("noun") + len(noun)]
    builder.raw(load_prompt("not_found").format(reason=f"“{said}”的说法") + "\n")
    _head(builder, node, f"共{count}{_unit(shape)}，而非{shape.number}{_unit(shape)}")
    _list(builder, node.members())
    return Answer(text=builder.text, citations=builder.citations, refused=True, retrieved=[], composer="outline",
                  query=ctx.query)


def past_the_series(ctx: Context, text: str) -> Answer | None:
    """A box or table the question names by its label and an ordinal past the end of the plan's series of that
    label ("专栏7讲的是什么" where the 专栏 end at 专栏6), or a chapter past the plan's last ("第九章" of six):
    refused as a false premise, with the series listed.
    None when the plan has that member, no such series, or several plans are asked."""
    docs = _docs(ctx)
    if len(docs) != 1:
        return None
    asked = next((m for m in PLAN_POSITION.finditer(text) if m.group("chapter")), None)  # "第九章" of a plan of six
    numbered = chapters(ctx.corpus, docs[0])
    if asked is not None and (n := cn_number(asked.group("n"))) and len(numbered) >= 2 and n > max(k for k, _ in numbered):
        plan = _plan_node(ctx, docs[0], [node for _, node in numbered])
        return _not_in_series(ctx, asked.group(0), plan, f"共{len(numbered)}{asked.group('chapter')}")
    plain = _plain(text)
    series = [n for n in all_nodes(ctx.corpus) if n.doc_id == docs[0] and n.kind == "series"]
    for node in sorted(series, key=lambda n: -len(n.name)):  # "创新布局专栏11" is of 创新布局专栏, not of 专栏
        asked = re.search(re.escape(_plain(node.name)) + r"(\d{1,2}|[一二三四五六七八九十]{1,3})(?![\d一二三四五六七八九十])", plain)
        if asked is None:
            continue
        numbers = [cn_number(m.group(0)) for b in node.children if (m := re.search(r"(\d+|[一二三四五六七八九十]+)$", label_of(b)))]
        wanted = cn_number(asked.group(1))
        if wanted is None or not numbers or any(n is None for n in numbers) or wanted <= max(numbers):
            return None  # a member of the series (or a gap inside it) is left to the other composers
        return _not_in_series(ctx, f"{node.name}{asked.group(1)}", node,
                              f"共{len(node.members())}个，至{node.name}{max(numbers)}为止")
    return None


def _not_in_series(ctx: Context, asked: str, series: Node, said: str) -> Answer:
    """The refusal of a member past a series' end: what was asked is not found, then the series and its members."""
    builder = AnswerBuilder(ctx.corpus.sources)
    builder.raw(load_prompt("not_found").format(reason=f"“{asked}”") + "\n")
    _head(builder, series, said)
    _list(builder, series.members())
    return Answer(text=builder.text, citations=builder.citations, refused=True, retrieved=[], composer="outline",
                  query=ctx.query)


_SAID_MEASURES = frozenset("个家条项类章节所座批")
_COUNTED_UNITS = frozenset(containers.words("counted_unit"))


def _unit(shape: Shape) -> str:
    """A count is said in the question's own measure word ("几个专栏" → 共4个, "几家" → 共15家), else in 项
    ("几大", "多少" name no measure to repeat); the plan's own count word follows. A noun counted directly
    (containers.tsv's counted_unit) is said with its measure word: "分成几个部分" → 共5个部分, "分几章" → 共5章."""
    measure = shape.measure if shape.measure in _SAID_MEASURES else ""
    if shape.counted in _COUNTED_UNITS:
        return measure + shape.counted
    return measure or "项"


def _head(builder: AnswerBuilder, node: Node, verb: str, more: str = "") -> None:
    """"重点任务共10项（十大支撑体系[n]）：" — the node's name, what is said of it, and the plan's count word."""
    builder.raw(f"{node.name}{verb}")
    if node.count_word is not None and node.count_word.text != node.name:
        builder.raw("（")
        builder.say(node.count_word.text, node.count_word)
        builder.raw("）")
    builder.raw(f"，{more}：" if more else "：")


def _counts_children(shape: Shape, node: Node) -> bool:
    """The question counts the first level ("几大行动", "六大…"), not the numbered items under it."""
    names = [name for name, _ in node.members()]
    if shape.number and shape.number == len(names):
        return True
    return bool(shape.counted) and sum(containers.names_kind(n, shape.counted) for n in names) >= len(names) / 2


def _two_levels(builder: AnswerBuilder, node: Node, groups: list[tuple[Node, list[Node]]], shape: Shape) -> None:
    """"重点任务共6项（六大行动），下分25项：行动一：任务1；任务2。行动二：…" — every numbered item, by its group."""
    total = sum(len(leaves) for _, leaves in groups)
    _head(builder, node, f"共{len(groups)}{_unit(shape)}", f"下分{total}{_unit(shape)}")
    for child, leaves in groups:
        name = child.name_span()
        if name is None:
            continue
        builder.item(unbroken(name.text), name)
        builder.raw("：")
        _list(builder, [(leaf.name, span) for leaf in leaves if (span := leaf.name_span()) is not None], indent="　")


def lists_rows_with_column(ctx: Context) -> bool:
    """"…要布局哪些重大企业创新平台？牵头的是哪些企业？": the rows of a table the question names, listed with the column
    it asks for (a lead column asked this way is the table's, not a task paragraph's)."""
    text = ctx.query.original if not ctx.query.followup else ctx.query.text
    shape = shape_of(text, ctx.query.quoted)
    if shape is None or shape.kind != "outline":
        return False
    found = find_node(ctx, shape)
    return found is not None and found[0] >= MIN_NODE and _column_asked(ctx, found[1], _filter_columns(ctx, found[1])) is not None


def _rows_asked(ctx: Context, node: Node) -> list[tuple[str, Span]]:
    """A table's rows of the category the question names ("新一代信息技术领域有哪几个" → the rows whose 行业领域 cell
    is 新一代信息技术), by their naming column; [] when the question names no category some rows share."""
    if node.kind != "table":
        return []
    rows = [c for c in node.items if c.kind == "table_row" and c.cells]
    column = name_column(rows)
    question = _plain(ctx.query.text)
    picked = [r for r in rows if any(j != column and len(_plain(cell)) >= 2 and _plain(cell) in question
                                     for j, cell in enumerate(r.cells or ()))]
    if not picked or len(picked) == len(rows):
        return []
    return [m for m in (item_lead(r, column) for r in picked) if m is not None]


def _filter_columns(ctx: Context, node: Node) -> set[int]:
    """The columns whose cells the question names to pick rows ("新一代信息技术领域…" → 行业领域)."""
    question = _plain(ctx.query.text)
    return {j for r in node.items if r.kind == "table_row" for j, cell in enumerate(r.cells or ())
            if len(_plain(cell)) >= 2 and _plain(cell) in question}


def _column_asked(ctx: Context, node: Node, skip: set[int] = frozenset()) -> int | None:
    """The column a question about a table asks for ("…高新区的定位分别是什么" → 发展目标及定位), by the header's
    words in the question; None when it names no column but the naming one (or one it picks rows by)."""
    if node.kind != "table":
        return None
    from index.tokenize import default_tokenizer

    rows = [c for c in node.items if c.kind == "table_row" and c.cells]
    header = next((r.header for r in rows if r.header), None)
    if not header:
        return None
    naming = name_column(rows)
    question = _plain(ctx.query.text)
    tokenizer = default_tokenizer()
    best, best_hits = None, 0
    for j, cell in enumerate(header):
        if j == naming or j in skip:
            continue
        hits = sum(len(t.text) >= 2 and t.text in question and t.text not in tokenizer.stopwords for t in tokenizer.words(cell))
        if hits > best_hits:
            best, best_hits = j, hits
    return best


def _rows_with(builder: AnswerBuilder, node: Node, column: int, members: list[tuple[str, Span]]) -> None:
    """Each row by its name, then the asked column's cell: "南通高新区[1]——以“争创…”为发展目标…[2]；…"."""
    builder.raw(f"{node.name}：")
    used = 0
    for k, (name, span) in enumerate(members):
        row = span.clause
        cell = (row.cells or ())[column].strip() if column < len(row.cells or ()) else ""
        at = row.text.find(cell) if cell else -1
        builder.item(unbroken(span.text), span)
        if at >= 0:
            piece = Span(row, row.char_start + at, row.char_start + at + len(cell), cell)
            builder.say("——" + unbroken(piece.text), piece)
            used += len(cell)
        if used > LIST_CHARS and k + 1 < len(members):
            builder.raw(f"\n……等{len(members)}项")
            break


def _define(ctx: Context, name: str) -> Answer | None:
    """A name made of counted parts spelt out: the sentence that names it and the sentences after it in the same
    clause, up to DEFINE_CHARS ("构建…“两区一廊多组团”全域创新格局。“两区”即…，“一廊”即…")."""
    docs = _docs(ctx)
    if len(docs) != 1 or not name:
        return None
    key = _plain(name)
    best: tuple[float, list[Span]] | None = None
    for i in ctx.corpus.clause_ids_of(docs[0]):
        clause = ctx.corpus.clauses[i]
        if clause.kind == "heading" or key not in _plain(clause.text):
            continue
        spans = sentences(clause)
        at = next((k for k, s in enumerate(spans) if key in _plain(s.text)), None)
        if at is None:
            continue
        chosen = [spans[at]]
        for s in spans[at + 1:]:  # the sentences after it that spell its parts out ("“两区”即…")
            if sum(len(x.text) for x in chosen) + len(s.text) > DEFINE_CHARS or not _spells_out(s.text, name):
                break
            chosen.append(s)
        # the clause that spells the name out: more words after it, parts of it quoted again ("“两区”即")
        rest = "".join(s.text for s in chosen)
        score = len(rest) / DEFINE_CHARS + rest.count("即") + (0.5 if clause.kind != "table_row" else 0.0)
        if best is None or score > best[0]:
            best = (score, chosen)
    if best is None:
        return None
    builder = AnswerBuilder(ctx.corpus.sources)
    for span in best[1]:
        builder.say(unbroken(span.text), span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="outline", query=ctx.query)


_MEMBERS_ASKED = re.compile(r"哪[几些一二三四五六七八九十两]|分别|具体(?:是|指)")  # the parts of a name are asked for


def _parts_unsaid(ctx: Context, name: str) -> Span | None:
    """The sentence naming a grouping of counted parts ("着力构建“三园三基地”新材料产业发展格局") when the plan says
    nowhere what any part is (no “三园”, no 三园即/指/是/包括); None when it does, or the name has no counted parts."""
    docs = _docs(ctx)
    parts = [p for p in re.findall(r"[一二三四五六七八九十两多\d]+[^一二三四五六七八九十两多\d+、，,·]{1,3}", name) if len(p) >= 2]
    if len(docs) != 1 or not parts:
        return None
    source = ctx.corpus.source(docs[0])
    if any(re.search(rf"“{re.escape(p)}”|{re.escape(p)}(?:即|指|是|包括)", source) for p in parts):
        return None
    key = _plain(name)
    for i in ctx.corpus.clause_ids_of(docs[0]):
        clause = ctx.corpus.clauses[i]
        if clause.kind != "heading" and key in _plain(clause.text):
            return next((s for s in sentences(clause) if key in _plain(s.text)), None)
    return None


def _spells_out(sentence: str, name: str) -> bool:
    """A sentence that goes on about a name's parts: it says 即 / 其中 / 分别, or names one of them (“两区”, “一廊”)."""
    parts = [p for p in re.findall(r"[一二三四五六七八九十两多\d]+[^一二三四五六七八九十两多\d+]{1,3}", name) if len(p) >= 2]
    return bool(re.match(r"\W*(?:即|其中|分别|具体)", sentence)) or any(p in sentence for p in parts)


def _has_body(span: Span) -> bool:
    """Whether a member named by `span` is a box's entry that goes on after its name ("集成电路产业:EDA工具,…")."""
    return span.clause.kind == "box_item" and len(span.clause.text) > len(span.text) + 2


def _member_named(ctx: Context, node: Node) -> tuple[str, Span] | None:
    """The one member the question names, whole, by its head ("机器人" of 机器人及应用) or, a box's entry, without its
    last two characters ("新能源汽车" of 新能源汽车产业); None when it names none or several."""
    text = ctx.query.text
    # a box's entry may be named without its category word (新能源汽车产业) — not a title with nothing after it
    # ("(一)重大科技基础设施建设" heads what "要建哪些重大科技基础设施" asks to be listed)
    found = [(name, span) for name, span in node.members() if written_entry(name, text, stem=_has_body(span))]
    return found[0] if len(found) == 1 else None


def _list(builder: AnswerBuilder, members: list[tuple[str, Span]], indent: str = "") -> None:
    used = 0
    for k, (name, span) in enumerate(members[:MAX_MEMBERS]):
        if k and used + len(span.text) > LIST_CHARS:
            builder.raw(f"\n……等{len(members)}项")
            return
        builder.item(indent + unbroken(span.text), span)
        used += len(span.text)
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
