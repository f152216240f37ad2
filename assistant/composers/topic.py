"""Topic questions, answered section-first: "…在科技金融方面有哪些举措", "怎么支持…", "对…这块有啥支持".

The question maps to topics of the policy taxonomy (`index.topics`) and to its own topic words. Every
clause of the asked plan is scored by its topic labels and by those words, and every section by its
title and its clauses' scores, so a clause in a section about the topic ranks high even where its own
words are few. The answer lists the best clauses grouped by section, each as its lead phrase ("布局建设
“海智湾”国际人才街区") and the sentence that carries the specifics (named programmes, platforms,
figures), each cited, within about ANSWER_CHARS — a section whose title clearly wins the question is the answer and
is listed whole, within WHOLE_SECTION_CHARS; the rest is counted, with the quoted names it carries ("另有 N 条，提及
“科技云服务平台”…"), and its sections named. A question
asking for things of a kind to be named ("哪些孵化园", "啥品种", "有啥具体工程") has the items naming one listed
first, wherever they stand in the section order.

When no clause of the plan is about the topic, `TopicComposer.compose` returns None and the caller answers
the usual way; a topic the plan has clauses for is answered, never refused. The clauses are scored once per
question, whatever thresholds it is composed at. The words of topic questions and the
genre suffixes of named programmes are data (index/resources/topic_frames.tsv).
"""
from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from assistant.answer import Answer, AnswerBuilder, renumbered
from assistant.composers.context import Context, context_of
from assistant.composers.scoring import RARE_WORD, TopicScorer
from assistant.composers.windows import FIGURE, join, pieces, windows
from assistant.evidence import Span, sentences, shown
from assistant.lexicon import rule
from assistant.query import normalize
from assistant.sections import Node, all_nodes
from index.rerank import PAST_SECTION, TARGET_SECTION
from index.topics import LABEL_AT, index_topics, question_topics, read_topics, score_text, topic_named
from ingest.lexicon import YEAR
from ingest.records import Clause
from ingest.sentences import ends_sentence

FRAMES = Path(__file__).resolve().parents[2] / "index" / "resources" / "topic_frames.tsv"

ANSWER_CHARS = 600  # the listed items' text; the rest is folded
WHOLE_SECTION_CHARS = 1200  # … of a section that clearly wins the question: the section is the answer, listed whole
MIN_RELEVANCE = 0.35  # least clause relevance for a topic answer (below it the usual composers answer)
RESCUE_RELEVANCE = 0.3  # … when the usual composers found nothing: the plan's clauses on the topic instead of a refusal
KEEP_RATIO = 0.7  # a clause is listed when it scores at least this share of the best one
SECTION_KEEP = 0.5  # … and a clause of the best clause's own section at least this share
TOPIC_SHARE = 0.5  # of the question's taxonomy topics, those matching at least this share of the best
SECTION_WEIGHT = 0.5  # a clause's score: this share from its section (title and clauses), the rest its own words
TITLE_SHARE = 0.6  # a section's score: this share from its title, the rest from its best clauses (a section whose
# title says the topic in other words — "支撑安全韧性" for 公共安全 — is still found by what its clauses say)
SPECIFIC_WEIGHT = 0.25  # how much naming programmes, platforms and figures adds to a sentence
REPEAT_DECAY = 0.9  # each further sentence of the same clause counts this much less
MAX_SENTENCES = 6  # sentences of one clause that may be listed
CORE_SHARE = 0.7  # a winner's sub-section whose best sentence scores at least this share of the best one takes turns
TOP_SECTIONS = 0.85  # sections scoring at least this share of the best are listed first (section-first)
WIN_TITLE = 0.6  # a section whose own title scores at least this (topics and words) may win the question
WIN_MARGIN = 1.2  # … when it scores this many times any section outside it (else no section clearly wins)
WIN_CLIMB = 0.85  # a section holding the winner whose title scores this share of it wins instead (a box's section)
WHOLE_BELOW = 220  # a sentence (or a clause's sentences together) this short is quoted whole; of a longer one, the
# window that carries the specifics
MAX_PIECES = 4
SPECIFIC_WORDS = 0.75  # then the share of a clause's score its words carry (else half)
LEAD_CHARS = 32  # a clause's lead phrase ("培育科技型企业家：") is at most this long
LENGTH_COST = 0.0008
MAX_FOLDED = 6  # folded sections named
NAMED_WEIGHT = 0.3  # how much naming things adds to a sentence when choosing which of a long clause's are listed
NAMED_WINDOW = 0.15  # … and to a window of a long sentence, per named thing
MAX_NAMED = 4
FULL_NAMED = 2.5  # named things (weighted) at which a sentence's naming counts fully


@dataclass(frozen=True)
class Frames:
    frame: re.Pattern
    asking: re.Pattern
    self_: re.Pattern
    named: re.Pattern
    named_suffix: re.Pattern  # the suffix a named phrase ends in
    weak_named: re.Pattern  # a suffix that as often ends a generic phrase ("…政策体系")
    parts: re.Pattern
    part_noun: re.Pattern
    measures: re.Pattern  # "主要举措" asks for measures, not for the part a plan calls 主要任务
    parts_asked: re.Pattern
    kind_ask: re.Pattern  # "哪些孵化园", "啥品种", "具体工程": the question asks for things of a kind to be named
    specifics: re.Pattern  # "具体", "点名": the question asks for named things, of whatever kind
    organisations_asked: re.Pattern  # "哪些高校", "什么研究机构": the organisations' names are the answer


@lru_cache(maxsize=1)
def frames(path: Path = FRAMES) -> Frames:
    """The word lists of the data file, as patterns (longest entry first)."""
    kinds: dict[str, list[str]] = {"frame": [], "asking": [], "self": [], "named": [], "weak_named": [], "part": [],
                                   "part_after": [], "kind_ask": [], "specifics": [], "organisation": []}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2 or cols[1] not in kinds or not cols[0].strip():
            raise ValueError(f"{path}:{n}: expected entry<TAB>kind with kind one of {', '.join(kinds)}")
        kinds[cols[1]].append(cols[0].strip())

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    return Frames(
        frame=re.compile(alt(kinds["frame"])),
        asking=re.compile(alt(kinds["asking"])),
        self_=re.compile(alt(kinds["self"])),
        named=re.compile(rf"[\u4e00-\u9fff“”A-Za-z0-9]{{2,}}?(?:{alt(kinds['named'])})"),
        named_suffix=re.compile(rf"(?:{alt(kinds['named'])})$"),
        weak_named=re.compile(rf"(?:{alt(kinds['weak_named'])})$" if kinds["weak_named"] else r"(?!)"),
        parts=re.compile(rf"(?:{alt(kinds['part'])})[”」]?(?:里|中)?(?:都|分别|主要|具体|一共)?(?:讲(?:的|了)?)?(?:有|是|包括|包含|指)?(?:哪些|哪几|什么|啥)"),
        part_noun=re.compile(rf"(?:{alt(kinds['part'])})$"),
        measures=re.compile(r"(?:主要|重点|具体)(?:举措|措施)"),
        parts_asked=re.compile(rf"(?:哪些|哪几|几)[个大项类条]?\s*[\u4e00-\u9fff]{{0,4}}?(?:{alt(kinds['part'] + kinds['part_after'])})"),
        kind_ask=re.compile(rf"(?:{alt(kinds['kind_ask'])})[个类家项种所条]?的?([\u4e00-\u9fff、]{{2,16}})"),
        specifics=re.compile(alt(kinds["specifics"]) if kinds["specifics"] else r"(?!)"),
        organisations_asked=re.compile(
            rf"(?:{alt(kinds['kind_ask'])})\s*[\u4e00-\u9fff]{{0,4}}?(?:{alt(kinds['organisation'])})"
            if kinds["organisation"] else r"(?!)"),
    )


def asks_topic(text: str, intent: str, profile: bool = False, quoted: tuple[str, ...] = (), corpus=None) -> bool:
    """A question about what a plan does on a topic (not a figure, count, comparison, task or document question).

    An eligibility question counts only when the asker does not describe themselves and gave no profile
    ("句容科技金融方面有哪些支持" is a topic; "我们是高企，有哪些支持" is eligibility). A question that quotes
    a name wants that name's own passage, not the topic around it; a quoted topic term (“双碳”) is not such a name.
    """
    return _no_other_shape(text, intent, profile, quoted, corpus) and bool(frames().frame.search(text))


def _no_other_shape(text: str, intent: str, profile: bool, quoted: tuple[str, ...], corpus) -> bool:
    """Whether the question is none of the shapes the other composers answer: a quoted name, a self-described asker,
    a count, the parts of a plan, its structure, a figure or a definition."""
    from assistant.composers.outline import asks_structure, names_a_part, shape_of

    if intent not in ("list", "general", "eligibility") or quoted_names(quoted, corpus):
        return False  # a quoted name ("“科才贷”是怎么回事") is answered by its own passage
    if intent == "eligibility" and (profile or frames().self_.search(text)):
        return False
    shape = shape_of(text)
    if shape is not None and (shape.kind == "count" or shape.number or (
            shape.kind == "outline" and frames().part_noun.search(shape.counted))):
        return False  # "七大工程是哪些", "分哪几章": the parts themselves (outline); "有哪些具体举措" is a topic
    if asks_parts(text) or (names_a_part(text) and not frames().measures.search(text)):
        return False  # "重点工程有哪些", "包括哪几个方面", "重点任务是怎么部署的": the parts themselves
    return not (asks_structure(text) or re.search(r"多少|几[家个项条类大种]|是指|指什么|含义|什么意思|怎么回事", text))


def asks_open_list(text: str, quoted: tuple[str, ...] = (), corpus=None) -> bool:
    """A list question in no topic frame that asks neither a figure nor parts by number ("句容搞产学研对接有什么
    模式和活动", "对科研作风学风有哪些要求", "主攻什么"): what the plan says on its words, section first, answers it as a
    topic question does — not the best two or three sentences wherever they stand."""
    f = frames()
    if any(f.part_noun.search(kind) for kind in asked_kinds(text)) or f.organisations_asked.search(text):
        return False  # "有什么培养工程", "有哪些重大合作项目", "跟哪些高校对接": the parts or organisations by name
    return not rule("figure_ask").search(text) and "哪几" not in text and \
        _no_other_shape(text, "list", False, quoted, corpus)


def quoted_names(quoted: tuple[str, ...], corpus=None) -> tuple[str, ...]:
    """The quoted terms that name something of the plan's own ("科才贷", a part's title such as “空间布局”), not a topic
    of the taxonomy written in quotes ("在“双碳”这块": a topic term whole that no part of the plans is called)."""
    titles = _part_titles(corpus) if corpus is not None else frozenset()
    return tuple(q for q in quoted if q in titles or max((v for _, v in question_topics(q)), default=0) < len(q))


@lru_cache(maxsize=4)
def _part_titles(corpus) -> frozenset[str]:
    return frozenset(n.name for n in all_nodes(corpus))


def beside_topics(text: str, answer: Answer) -> bool:
    """Whether `answer` quotes nothing on the topics `text` names ("双碳方面有哪些科技项目" answered with the parts of
    科技创新现状, found by the word 科技 alone): neither the answer's text (the part's name, its items) nor its
    citations' section titles use a term of one of them. False when the question names no topic."""
    named = {name for name, _ in question_topics(text)}
    said = score_text(" ".join([answer.text, *(c.section for c in answer.citations)]))  # the part's name is in its text
    return bool(named) and not any(said.get(name, 0.0) > 0 for name in named)


def asks_parts(text: str) -> bool:
    """Whether the question asks for parts by a genre name ("有哪些重点工程", "包括哪几个方面", "哪几个细分方向")."""
    return bool(frames().parts.search(text) or frames().parts_asked.search(text))


_KIND_END = re.compile(r"[干做搞是有在的呢吗啊]")  # the asked noun phrase ends at a verb or particle ("哪些企业干啥")
_KIND_SPLIT = re.compile(r"、|和|与|及|或|[之一这那]类|等")  # "孵化园、科技园之类", "品种和模式": one kind each
MAX_KIND = 8
_NAME_ASKED = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:都|分别|各自|各)?(?:叫|称为|名称是)(?:什么|啥)")
_NAME_WORD = re.compile(r"名字|名称")  # "叫什么名字" asks a name, it names no kind


def asked_kinds(text: str) -> list[str]:
    """The kinds of thing a question asks to have named ("哪些孵化园、科技园之类的载体" → 孵化园; "啥品种和模式" →
    品种, 模式; "有啥具体工程" → 工程); frame and asking words name no kind ("有哪些举措", "哪些具体动作" ask none)."""
    f = frames()
    out: list[str] = []
    phrases = []
    for m in f.kind_ask.finditer(text):
        pieces = _KIND_END.split(m.group(1))
        # "哪些有本地特色的科技贷款产品": the kind is the noun phrase the 有…的 leads to
        phrases.append(pieces[0] or next((p for p in reversed(pieces) if len(p) >= 2), ""))
    # "本地人才计划叫什么名字": the kind is what is named, written before the frame asking its name
    phrases += [re.split(r"[的之、]", m.group(1))[-1] for m in _NAME_ASKED.finditer(text)]
    for phrase in phrases:
        for piece in _KIND_SPLIT.split(phrase):
            piece = f.frame.sub("", f.asking.sub("", piece))
            if 2 <= len(piece) <= MAX_KIND and piece not in out and not _NAME_WORD.fullmatch(piece):
                out.append(piece)
    return out


def names_kind(text: str, kinds: list[str]) -> bool:
    """Whether a passage names a thing of an asked kind: the kind's own word, or a phrase ending in the kind's genre
    suffix ("孵化园" asked: "星河科创园"; "人才计划" asked: "…英才计划")."""
    f = frames()
    for kind in kinds:
        if kind in text:
            return True
        suffix = f.part_noun.search(kind) or f.named_suffix.search(kind)
        if suffix and suffix.start() > 0 and re.search(r"[\u4e00-\u9fff]{2}" + re.escape(suffix.group(0)), text):
            return True
    return False


def _focus(ctx: Context, plain_of: Sequence[str] = ()) -> str:
    """The question's topic words without the words that only say what kind of answer is wanted, nor a colloquial
    synonym of the topics `plain_of` names (融资难 of 科技金融), which the topic labels carry and plans seldom write."""
    topic = ctx.query.topic or ctx.query.text
    for name in plain_of:
        if (t := topic_named(name)) is not None:
            for synonym in sorted(t.synonyms, key=len, reverse=True):
                if len(synonym) >= 2 and synonym not in t.terms:
                    topic = topic.replace(synonym, " ")
    pieces = (frames().asking.sub(" ", p) for p in topic.split())
    return " ".join(w for p in pieces for w in p.split() if len(w) >= 2)


def specificity(text: str) -> float:
    """0…1: how many named programmes, platforms, quoted names and figures a passage carries."""
    f = frames()
    quoted = len(re.findall(r"“[^”]{1,30}”", text))
    named = len(f.named.findall(text))
    figures = len(FIGURE.findall(text))
    listed = text.count("、")
    return min(1.0, (0.5 * min(quoted, 3) + 0.3 * min(named, 3) + 0.3 * min(figures, 3) + 0.05 * min(listed, 6)) / 2.5)


_PROSE = re.compile(r"[。；;，,、]")
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9]*[A-Z0-9](?![A-Za-z])")  # CCUS, PCT, 5G: a name in Latin letters
_NAME_CUT = re.compile(r".*[的和与及等或并为在对把以于]")  # a named phrase starts after the last function character
NAMED_TAIL = 6  # characters before a named suffix that may belong to the name
COMMON_NAMED = 2  # a weak-suffixed phrase used in more clauses of the plan than this is generic ("工作机制")


def named_items(text: str, uses=None) -> set[str]:
    """The distinct named things a passage carries: quoted names, Latin acronyms, figures, and phrases ending in
    a named suffix ("…研究院", "…中心"); one ending in a weak suffix ("…机制") only when `uses` (a phrase's
    clause count in the plan) says it is rare there."""
    found = {m.group(0) for m in re.finditer(r"“[^”]{1,30}”", text)}
    found |= {m.group(0) for m in _ACRONYM.finditer(text) if not re.fullmatch(r"\d+", m.group(0))}
    found |= {m.group(0) for m in FIGURE.finditer(text)}
    for m in frames().named.finditer(text):
        phrase = m.group(0)
        suffix = frames().named_suffix.search(phrase)
        head = phrase[:suffix.start()] if suffix else phrase
        head = _NAME_CUT.sub("", head[-NAMED_TAIL:])
        name = head + (suffix.group(0) if suffix else "")
        if len(head) < 2 or "“" in name or "”" in name:
            continue
        if uses is None or not frames().weak_named.search(name) or uses(name) <= COMMON_NAMED:
            found.add(name)
    return found


@dataclass
class Scored:
    clause: Clause
    score: float
    section: Node | None
    section_score: float = 0.0  # the best score of the sections it lies in (their titles and clauses)
    topics: dict[str, float] = field(default_factory=dict)  # its topic scores (index_topics, cached per corpus)


def _contains(node: Node, clause: Clause) -> bool:
    """A section holds the clauses in its range; a box or table only its own items (a range may span other text)."""
    if node.kind == "section":
        return node.start <= clause.char_start < node.end
    return clause.caption is not None and any(item is clause for item in node.items)


def _deepest(nodes: list[Node], clause: Clause) -> Node | None:
    inside = [n for n in nodes if _contains(n, clause)]
    return max(inside, key=lambda n: (n.level, n.start)) if inside else None


@dataclass(frozen=True)
class _Layout:
    """Which clauses of a plan each section, box and table holds, and the deepest one holding each clause: fixed
    by the plan's structure, so computed once per plan and corpus instead of on every topic question."""
    nodes: list[Node]
    members: dict[int, list[int]]  # id(node) → clause indices it holds
    deepest: dict[int, Node | None]  # clause index → deepest node holding it


_LAYOUTS: "weakref.WeakKeyDictionary[object, dict[str, _Layout]]" = weakref.WeakKeyDictionary()


def _layout(corpus, doc: str) -> _Layout:
    per_doc = _LAYOUTS.setdefault(corpus, {})
    if doc not in per_doc:
        ids = corpus.clause_ids_of(doc)
        nodes = [n for n in all_nodes(corpus) if n.doc_id == doc and n.kind in ("section", "box", "table")]
        members = {id(n): [i for i in ids if _contains(n, corpus.clauses[i])] for n in nodes}
        per_doc[doc] = _Layout(nodes, members, {i: _deepest(nodes, corpus.clauses[i]) for i in ids})
    return per_doc[doc]


def _ancestors(node: Node | None) -> list[Node]:
    out = []
    while node is not None:
        out.append(node)
        node = node.parent
    return out


def _specific(focus: str, topics: list[str], ctx: Context) -> bool:
    """Whether the question names something narrower than its taxonomy topics ("碳纤维" under 关键核心技术攻关,
    "石化产业" under 产业创新): a word left after the topics' forms are taken out that few clauses use."""
    rest = focus
    for topic in read_topics():
        if topic.name in topics:
            for form in sorted((*topic.terms, *topic.synonyms), key=len, reverse=True):
                rest = rest.replace(form, " ")
    left = TopicScorer.for_words(rest, ctx.corpus) if rest.strip() else None
    return bool(left and any(u.weight >= RARE_WORD for u in left.units))


def score_clauses(ctx: Context, doc: str, topics: list[str], scorer: TopicScorer | None,
                  specific: bool = False) -> list[Scored]:
    """Every clause of the plan with its relevance to the topic (its labels and words, and its section's);
    when the question is `specific`, its own words count more than its topics."""
    corpus = ctx.corpus
    labels = index_topics(corpus)
    ids = corpus.clause_ids_of(doc)
    layout = _layout(corpus, doc)
    nodes = layout.nodes

    def topic_part(scores: dict[str, float], full: float = 2.0) -> float:
        return max((min(1.0, scores.get(t, 0.0) / full) for t in topics), default=0.0)

    def words_part(text: str, context: str = "") -> float:
        return scorer.coverage(text, context) if scorer is not None else 0.0

    def combine(t: float, w: float) -> float:
        if scorer is None:
            return t
        if not topics:
            return w
        return (1 - SPECIFIC_WORDS) * t + SPECIFIC_WORDS * w if specific else 0.5 * (t + w)

    own: dict[int, float] = {}
    for i in ids:
        c = corpus.clauses[i]
        if c.kind == "heading" or (c.kind == "paragraph" and not _PROSE.search(c.text)):
            continue  # a heading names a section; a paragraph without a sentence or list is a signature or footer line
        own[i] = combine(topic_part(labels[i]), words_part(c.text, context_of(c)))
    # a section's score: its title (its own name counts fully, the titles above it less), and the best of its clauses
    section_score: dict[int, float] = {}
    for node in nodes:
        if node.clause is None:
            continue
        title = combine(topic_part(_title_scores(node), 1.0), words_part(node.name, " ".join(node.path)))
        inside = sorted((own[i] for i in layout.members[id(node)] if i in own), reverse=True)
        body = sum(inside[:3]) / 3 if inside else 0.0
        section_score[id(node)] = TITLE_SHARE * title + (1 - TITLE_SHARE) * body
    out = []
    for i, base in own.items():
        c = corpus.clauses[i]
        where = " ".join([*c.section, c.caption or ""])
        if PAST_SECTION.search(where):
            continue  # the review of the last period reports results, not measures
        deepest = layout.deepest[i]
        chain = _ancestors(deepest)
        sec = max((section_score.get(id(n), 0.0) * (0.85 ** k) for k, n in enumerate(chain)), default=0.0)
        score = (1 - SECTION_WEIGHT) * base + SECTION_WEIGHT * sec
        if TARGET_SECTION.search(where):
            score *= 0.6  # goals state figures; the measures are in the tasks
        out.append(Scored(c, score, next((n for n in chain if n.kind in ("section", "box")), deepest), sec, labels[i]))
    out.sort(key=lambda s: -s.score)
    return out


def winner(ctx: Context, doc: str, asked: list[tuple[str, float]], scorer: TopicScorer | None) -> Node | None:
    """The section (or box) whose own title clearly matches the question best, if one does.

    A title scores by the asked topics it names (each weighted by its share of the question's best topic)
    and by the question's words it carries; it wins when it scores WIN_TITLE or more and WIN_MARGIN times
    any section that neither holds it nor lies in it (a title naming a lesser topic of the question loses).
    """
    if not asked:
        weights: dict[str, float] = {}
    else:
        weights = {t: w / asked[0][1] for t, w in asked}
    nodes = [n for n in all_nodes(ctx.corpus) if n.doc_id == doc and n.kind in ("section", "box") and n.clause is not None]
    if scorer is not None:  # titles are weighed against each other: words no plan says ("东西") weigh none of them
        scorer = scorer.said_in(ctx.corpus)
        scorer = scorer if scorer.units else None

    def title(node: Node) -> float:
        own = _title_scores_own(node)
        t = max((min(1.0, own.get(name, 0.0)) * w for name, w in weights.items()), default=0.0)
        words = scorer.coverage(node.name) if scorer is not None else 0.0
        if scorer is None:
            return t
        return words if not weights else 0.5 * (t + words)

    scored = sorted(((title(n), n) for n in nodes if not PAST_SECTION.search(n.name)), key=lambda x: -x[0])
    if not scored or scored[0][0] < WIN_TITLE:
        return None
    best, node = scored[0]
    related = {id(a) for a in _ancestors(node)}
    for value, other in scored[1:]:
        if id(other) in related or (node.start <= other.start and other.end <= node.end) or other.name == node.name:
            continue
        if best < WIN_MARGIN * value:
            return None
        break
    titles = {id(n): v for v, n in scored}
    while node.parent is not None and titles.get(id(node.parent), 0.0) >= max(WIN_TITLE, WIN_CLIMB * best):
        node = node.parent  # the box or subsection's section is about the question too: the whole of it wins
    return node


@lru_cache(maxsize=8192)
def _titles_scores(titles: tuple[str, ...]) -> dict[str, float]:
    """The taxonomy topics a run of section titles names (titles repeat across questions: computed once; read only)."""
    from index.topics import score_text

    return score_text("", list(titles))


def _title_scores_own(node: Node) -> dict[str, float]:
    return _titles_scores((node.name,))


def _title_scores(node: Node) -> dict[str, float]:
    return _titles_scores((*node.path, node.name))


def lead_of(clause: Clause) -> Span | None:
    """A clause's lead phrase: its words before "：" ("布局建设“海智湾”国际人才街区:"), or a short first sentence."""
    m = re.match(r"\s*(?:\d+\s*[．.、]|[（(][一二三四五六七八九十\d]+[)）])?\s*([^：:。；;！？，,]{2,%d}?)\s*[：:]" % LEAD_CHARS, clause.text)
    if m:
        i = m.start(1)
        return Span(clause, clause.char_start + i, clause.char_start + m.end(1), m.group(1))
    first = sentences(clause)[:1]
    if first and len(first[0].text) <= LEAD_CHARS // 2 + 4 and len(sentences(clause)) > 1:
        return first[0]
    return None


def named_windows(sentence: Span, relevance, uses=None) -> list[Span]:
    """The whole sentence when short, else its window with the most specifics, named things and relevance per
    character — and the best window apart from it that names something too: a long sentence of a section often
    names its things in two places ("…打造华阳“一港三园”布局，谋划宝华5公里创新圈…，做好“枢纽+产业”的经济体系…")."""
    options = windows(sentence, MAX_PIECES, WHOLE_BELOW)

    def value(w: Span) -> float:
        return specificity(w.text) + relevance(w.text) - LENGTH_COST * len(w.text) \
            + NAMED_WINDOW * min(MAX_NAMED, named_weight(named_items(w.text, uses)))
    best = max(options, key=value)
    apart = [w for w in options if w.char_end <= best.char_start or w.char_start >= best.char_end]
    second = max(apart, key=value, default=None)
    return [best] if second is None or not named_items(second.text, uses) else [best, second]


def named_weight(names) -> float:
    """How much a set of named things counts: a phrase ending in a weak suffix ("…工作机制") half a name."""
    return sum(0.5 if frames().weak_named.search(n) and "“" not in n else 1.0 for n in names)


def plan_uses(corpus, doc: str):
    """How many clauses of the plan use a phrase (a phrase many use is generic, not a name)."""
    texts = [corpus.clauses[i].text for i in corpus.clause_ids_of(doc)]

    @lru_cache(maxsize=4096)
    def uses(phrase: str) -> int:
        return sum(1 for t in texts if phrase in t)
    return uses


@dataclass
class Item:
    clause: Clause
    section: Node | None
    lead: Span | None
    body: Span
    score: float
    first: bool = False  # in one of the sections the question is most about: listed before the rest
    won: bool = False  # in the section whose own title matches the question clearly best: listed before all
    rank: int = 0  # which sentence of its clause (0 = the one with the most specifics)
    names: float = 0.0  # the named things its body carries (named_weight)


@dataclass(frozen=True)
class _Scores:
    """The one plan asked about, the question's topics and words, and that plan's clauses scored on them (best first)."""

    doc: str
    focus: str
    asked: list[tuple[str, float]]
    topics: list[str]
    scorer: TopicScorer | None
    clauses: list[Scored]


def _score(ctx: Context) -> _Scores | None:
    """The plan's clauses scored on the question's topic; None when it asks of no one plan or names no topic or word."""
    docs = [d for d, meta in ctx.corpus.docs.items()
            if (not ctx.query.cities or meta.city in ctx.query.cities) and ctx.allows(d)]
    if len(docs) != 1:
        return None  # one plan at a time: topics across plans are a comparison
    doc = docs[0]
    focus = _focus(ctx)
    asked = question_topics(normalize(ctx.query.text))
    topics = [t for t, w in asked if w >= TOPIC_SHARE * asked[0][1]] if asked else []
    scorer = _words_scorer(focus, ctx)
    if not topics and scorer is None:
        return None
    scored = score_clauses(ctx, doc, topics, scorer, _specific(focus, topics, ctx))
    if topics and (not scored or scored[0].score < MIN_RELEVANCE) and \
            (plain := _focus(ctx, [t for t, _ in asked])) != focus:
        # "怎么帮科技企业解决融资难": nothing scores on the words as said; the topic's synonym left to its labels
        other = _words_scorer(plain, ctx)
        again = score_clauses(ctx, doc, topics, other, _specific(plain, topics, ctx))
        if again and (not scored or again[0].score > scored[0].score):
            focus, scorer, scored = plain, other, again
    return _Scores(doc, focus, asked, topics, scorer, scored)


def _words_scorer(words: str, ctx: Context) -> TopicScorer | None:
    """A scorer of the focus words; None when there are none, or none the plans' tokeniser keeps."""
    scorer = TopicScorer.for_words(words, ctx.corpus) if words else None
    return scorer if scorer is not None and scorer.units else None


class TopicComposer:
    """One question's topic answer at any relevance threshold: the plan's clauses are scored at the first `compose`
    and kept, so a second threshold (the rescue's RESCUE_RELEVANCE after MIN_RELEVANCE) only re-reads them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @cached_property
    def _scores(self) -> _Scores | None:
        return _score(self.ctx)

    def compose(self, least: float = MIN_RELEVANCE) -> Answer | None:
        """The plan's clauses on the asked topic, grouped by section; None when the plan has none scoring `least`."""
        scores = self._scores
        if scores is None or not scores.clauses or scores.clauses[0].score < least:
            return None
        return _answer(self.ctx, scores)


def each_city(ctx: Context) -> Answer | None:
    """"南京和连云港在科技金融上的举措有什么不同": each city's own topic answer, one under the other (None when no city's
    plan has clauses on it). Topics are answered one plan at a time; a comparison of measures is their answers side by
    side, for the reader to set against each other."""
    parts: list[str] = []
    citations = []
    for city in ctx.query.cities:
        answer = TopicComposer(replace(ctx, query=replace(ctx.query, cities=(city,), intent="list"))).compose(RESCUE_RELEVANCE)
        parts.append(f"【{city}】")
        if answer is None:
            parts.append(f"{city}规划中未找到相应条款。")
            continue
        parts.append(renumbered(answer.text, len(citations)))
        citations += answer.citations
    if not citations:
        return None
    return Answer(text="\n".join(parts), citations=citations, refused=False, retrieved=[], composer="topic", query=ctx.query)


def _answer(ctx: Context, scores: _Scores) -> Answer | None:
    """The answer from the scored clauses: the best of them and the winning section's, listed within ANSWER_CHARS."""
    doc, topics, scorer, scored = scores.doc, scores.topics, scores.scorer, scores.clauses
    best = scored[0].score
    # the best clause's own section is kept whole down to a lower share: its neighbours are on the same point
    kept = [s for s in scored if s.score >= KEEP_RATIO * best
            or (s.section is scored[0].section and s.section is not None and s.score >= SECTION_KEEP * best)]
    kept += _each_topic(scored, kept, topics)
    won = winner(ctx, doc, [(t, w) for t, w in scores.asked if t in topics], scorer)
    if won is not None:  # the winning section's clauses are listed, even those below the keep ratio
        kept += [s for s in scored if s.score < KEEP_RATIO * best and _contains(won, s.clause)]
    items = _items(ctx, kept, topics, scorer, won)
    if not items:
        return None
    shown_items, folded = _fit(items)
    builder = AnswerBuilder(ctx.corpus.sources)
    names = "、".join(topics) or scores.focus
    builder.raw(f"{ctx.corpus.docs[doc].title}中关于{names or '该主题'}的内容（按章节）：\n")
    _render(builder, shown_items)
    goal = _goal_of(ctx, doc, shown_items)
    goals = [goal] if goal is not None else _topic_goal(ctx, doc, topics, shown_items)
    if goals:
        builder.raw("目标：")
        for k, span in enumerate(goals):
            builder.say(("" if k == 0 else "；") + span.text, span)
        builder.raw("\n")
    rest = [i for i in folded if not any(i.clause is s.clause for s in shown_items)]
    if rest:
        shown_sections = {id(x.section) for x in shown_items}
        sections = list({id(i.section): i.section for i in rest if i.section is not None and i.section.clause is not None
                         and id(i.section) not in shown_sections}.values())
        builder.raw(f"另有 {len(rest)} 条")
        names = _folded_names(rest, builder.text)
        if names:
            builder.raw("，提及")
            for k, span in enumerate(names):
                builder.say(("" if k == 0 else "、") + span.text, span)
        if sections:
            builder.raw("，见")
            for k, node in enumerate(sections[:MAX_FOLDED]):
                span = node.name_span()
                if span is not None:
                    builder.say(("" if k == 0 else "、") + f"“{node.name}”", span)
        builder.raw("。")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="topic", query=ctx.query)


FOLDED_NAMES = 240  # characters of named things the folded items carry, named after "另有 N 条"


def _folded_names(rest: list[Item], said: str) -> list[Span]:
    """The quoted names (“苏科贷”) and Latin acronyms the folded items carry, best item first, each once, none said
    already or inside one named before, within FOLDED_NAMES: what else the plan names on the topic, each cited."""
    out: list[Span] = []
    seen: set[str] = set()
    used = 0
    for item in rest:
        body = item.body
        for name in sorted(named_items(body.text), key=body.text.find):
            if not (name.startswith("“") or _ACRONYM.fullmatch(name)) or name in said or any(name in n for n in seen):
                continue
            if used + len(name) > FOLDED_NAMES:
                return out
            at = body.text.find(name)
            out.append(Span(body.clause, body.char_start + at, body.char_start + at + len(name), name))
            seen.add(name)
            used += len(name) + 1
    return out


def _each_topic(scored: list[Scored], kept: list[Scored], topics: list[str]) -> list[Scored]:
    """"本地人才怎么培养、怎么留住": a question naming two topics is answered on each — for a topic no kept clause is
    labelled with, its best-scoring labelled clause (and that clause's section-mates within SECTION_KEEP of it)."""
    if len(topics) < 2:
        return []
    added: list[Scored] = []
    for name in topics:
        if any(s.topics.get(name, 0.0) >= LABEL_AT for s in kept + added):
            continue
        best = next((s for s in scored if s.topics.get(name, 0.0) >= LABEL_AT), None)
        if best is not None:
            added += [s for s in scored if s is best or (best.section is not None and s.section is best.section
                                                         and s.score >= SECTION_KEEP * best.score and s not in kept)]
    return added


def _goal_of(ctx: Context, doc: str, shown_items: list[Item]) -> Span | None:
    """"城市“硅巷”到底怎么搞": the measures are in the section on it, its target in the plan's goals ("建成运营城市硅巷超
    300万平方米") — the comma-piece of a goals section that names the quoted subject with a figure, when no item shown
    states one for it."""
    subjects = [q for q in ctx.query.quoted if len(q) >= 2]
    if not subjects or any(FIGURE.search(i.body.text) and any(q in i.body.text for q in subjects) for i in shown_items):
        return None
    for clause in _goal_clauses(ctx, doc):
        for sentence in sentences(clause):
            for piece in pieces(sentence):
                if FIGURE.search(piece.text) and any(q in piece.text for q in subjects):
                    return join([piece])
    return None


def _goal_clauses(ctx: Context, doc: str):
    """The clauses of the plan's goals sections (发展目标, 主要目标 …), headings left out."""
    for i in ctx.corpus.clause_ids_of(doc):
        clause = ctx.corpus.clauses[i]
        if clause.kind != "heading" and TARGET_SECTION.search(" ".join(clause.section)):
            yield clause


GOAL_PIECES = 2  # figures of the topic's goal shown at most


def _topic_goal(ctx: Context, doc: str, topics: list[str], shown_items: list[Item]) -> list[Span]:
    """"句容在农业科技上准备怎么发力": the measures are in the tasks, the topic's goal in the plan's goals section (a
    sub-part titled on it: "农业科技创新步伐加快。…培育…农业科技型企业达40家以上…贡献率达到75%") — the comma-pieces
    of the goals clause that state a figure with a term of the topic (at most GOAL_PIECES; a clause whose title or lead
    names the topic first, then the one with most such pieces), unless that clause is shown already or an item shown
    states a dated figure on the topic."""
    patterns = [t.pattern for t in read_topics() if t.name in topics]
    if not patterns or any(YEAR.search(i.body.text) and FIGURE.search(i.body.text) and any(p.search(i.body.text) for p in patterns)
                           for i in shown_items):
        return []  # an item shown states a dated figure on the topic already ("到2022年，力争…达25件")
    shown = {id(i.clause) for i in shown_items}
    best: tuple[int, list[Span]] | None = None
    for clause in _goal_clauses(ctx, doc):
        if id(clause) in shown:
            continue
        said = sentences(clause)
        title = " ".join([clause.section[-1] if clause.section else "", said[0].text if said else ""])
        figures = [piece for sentence in said for piece in pieces(sentence)
                   if FIGURE.search(piece.text) and "\n" not in piece.text and any(p.search(piece.text) for p in patterns)]
        on_topic = 2 * sum(1 for p in patterns if p.search(title)) + len(figures)  # a sub-part titled on it first
        if figures and (best is None or on_topic > best[0]):
            best = (on_topic, figures[:GOAL_PIECES])
    return best[1] if best is not None else []


def _items(ctx: Context, kept: list[Scored], topics: list[str], scorer: TopicScorer | None,
           won: Node | None = None) -> list[Item]:
    """Each kept clause's sentences as candidate items, best first (a clause's later sentences decayed);
    the winning section's clauses first, each with its lead and its most specific sentence, then their
    further sentences, then the other sections."""
    patterns = [t.pattern for t in read_topics() if t.name in topics]

    def relevance(text: str) -> float:
        hits = sum(1 for p in patterns if p.search(text))
        words = scorer.coverage(text) if scorer is not None else 0.0
        return 0.5 * min(1, hits) + 0.5 * words

    out: list[Item] = []
    uses = plan_uses(ctx.corpus, kept[0].clause.doc_id) if kept else None
    top_section = max((s.section_score for s in kept), default=0.0)
    best_section = kept[0].section if kept else None  # the section of the best clause is among the first, whatever its title
    for s in kept:
        first = s.section_score >= TOP_SECTIONS * top_section or (s.section is not None and s.section is best_section)
        inside = won is not None and _contains(won, s.clause)
        lead = lead_of(s.clause)
        candidates = []
        for sentence in sentences(s.clause):
            if len(sentence.text) < 8 or (lead is not None and sentence.char_end <= lead.char_end):
                continue
            for window in named_windows(sentence, relevance, uses) if s.clause.kind != "table_row" else [sentence]:
                named = frozenset(named_items(window.text, uses))
                value = s.score + 0.3 * relevance(window.text) + SPECIFIC_WEIGHT * specificity(window.text)
                naming = NAMED_WEIGHT * min(1.0, named_weight(named) / FULL_NAMED)
                candidates.append((value + naming, value, window, named_weight(named)))
        if not candidates and lead is None:
            continue
        # of a long clause, the sentences that name the most things are listed, in that order: the one shown first
        # (and the others waiting behind every clause's first) by relevance and the things it names together
        candidates = sorted(candidates, key=lambda t: -t[0])[:MAX_SENTENCES]
        if len(candidates) > 1:
            candidates = _whole(s.clause, candidates)
        for k, (_, value, window, names) in enumerate(candidates):
            out.append(Item(s.clause, s.section, lead if k == 0 else None, window, value * REPEAT_DECAY ** k, first,
                            inside, k, names))
        if not candidates and lead is not None:
            out.append(Item(s.clause, s.section, None, lead, s.score, first, inside))
    # a question asking for things of a kind ("哪些孵化园", "具体工程") has the items naming one listed first
    question = ctx.query.original if not ctx.query.followup else ctx.query.text
    kinds = asked_kinds(question)
    naming = {id(i): names_kind(_item_text(i), kinds) for i in out} if kinds else {}
    if all(naming.values()):
        naming = {}  # every item names the kind (or none is asked): no preference
    # in the winner: every clause's best sentence first, its own clauses before the boxes it holds
    # a question asking for specifics ("有哪些具体动作", "点名支持了…") has the items naming nothing listed last
    specifics = bool(frames().specifics.search(question))
    # of the winner's sub-sections, those about as relevant as its best take turns; one far below it waits
    # ("吸引高端人才" in a chapter whose other sub-sections train workers and entrepreneurs)
    best_of: dict[int, float] = {}
    for i in out:
        if i.won:
            best_of[id(i.section)] = max(best_of.get(id(i.section), 0.0), i.score)
    top = max(best_of.values(), default=0.0)
    out.sort(key=lambda i: (not naming.get(id(i), False), specifics and i.names < 1, not i.won,
                            i.won and best_of[id(i.section)] < CORE_SHARE * top, i.rank if i.won else 0,
                            i.won and i.section is not won, not i.first, -i.score))
    return out


def _whole(clause: Clause, candidates: list[tuple[float, float, Span, float]]) -> list[tuple[float, float, Span, float]]:
    """A clause whose sentences (after its lead) together are no longer than a sentence quoted whole, as one item:
    its sentences belong together ("支持长三角碳中和战略发展研究院,开展…研究。推动研究成果率先在…示范应用。"), and
    split, its second sentence would wait behind every other clause's first and be folded."""
    start = min(c[2].char_start for c in candidates)
    end = max(c[2].char_end for c in candidates)
    if clause.kind == "table_row" or end - start > WHOLE_BELOW:
        return candidates
    offset = clause.char_start
    body = Span(clause, start, end, clause.text[start - offset:end - offset])
    return [(max(c[0] for c in candidates), max(c[1] for c in candidates), body, sum(c[3] for c in candidates))]


def _item_text(item: Item) -> str:
    """What an item says of the kind it names: its sentence, its clause's lead, its box's caption (a box item of
    "碳达峰碳中和示范工程" is one of that 工程's)."""
    return " ".join(t for t in (item.body.text, item.lead.text if item.lead else "", item.clause.caption or "") if t)


def _fit(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """The best items within ANSWER_CHARS (at least one), and the rest."""
    chosen: list[Item] = []
    used = 0
    for item in items:
        size = len(item.body.text) + (len(item.lead.text) + 2 if item.lead else 0)
        if chosen and used + size > (WHOLE_SECTION_CHARS if item.won else ANSWER_CHARS):
            continue
        if any(c.clause is item.clause and c.body.char_start < item.body.char_end and item.body.char_start < c.body.char_end
               for c in chosen):
            continue
        chosen.append(item)
        used += size
    rest = [i for i in items if i not in chosen]
    # a clause's lead goes with its first shown sentence
    for item in chosen:
        if item.lead is None:
            first = next((c for c in chosen if c.clause is item.clause and c.lead is not None), None)
            if first is None:
                item.lead = lead_of(item.clause) if item.body.char_start > item.clause.char_start else None
    return chosen, rest


def _render(builder: AnswerBuilder, items: list[Item]) -> None:
    order = sorted(items, key=lambda i: (i.section.start if i.section else i.clause.char_start, i.body.char_start))
    current: object = object()
    n = 0
    for item in order:
        if item.section is not current:
            current = item.section
            span = item.section.name_span() if item.section is not None else None
            if span is not None:
                builder.say(f"【{item.section.name}】", span)
                builder.raw("\n")
        n += 1
        builder.raw(f"{n}. ")
        if item.lead is not None and item.lead.text not in item.body.text:
            builder.say(item.lead.text, item.lead)
            if not ends_sentence(item.lead.text):
                builder.raw("：")
        builder.say(shown(item.body), item.body)
        builder.raw("\n")
