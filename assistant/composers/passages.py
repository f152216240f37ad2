"""Lists and general questions: the plan's own words that answer, in document order, each cited.

Sentences of the retrieved clauses are scored by topic coverage (`TopicScorer`); of a long
sentence only the window of one to three comma-pieces that carries the topic is quoted, so
answers stay short and every quote is still an exact slice of the plan. A list question
prefers enumerations ("A、B、C等"), and when the question names a 专栏 box or a table
("中华药港科技服务重点平台", "省级以上高新区") its entries are listed by name, each cited; when
it names one entry of such a box ("…攻关方向里新材料领域") that entry is quoted.
"""
from __future__ import annotations

import re

from assistant.answer import Answer, AnswerBuilder
from assistant.composers.context import Context, rank_sentences
from assistant.composers.refusal import refuse
from assistant.composers.windows import along_names, document_order, finish, windows
from assistant.evidence import Span, sentences, shown
from assistant.lexicon import names_event, rule
from ingest.lexicon import YEAR
from ingest.records import Clause

WHOLE_BELOW = 120  # a sentence this short is quoted whole; of a longer one, the window that answers
MAX_PIECES = 4
FINISH_WITHIN = 160  # a window is read on to its sentence's end when the whole stays this short

LIMITS = {"list": 3, "general": 2}  # sentences per answer: short answers, the citations carry the rest
KEEP_RATIO = 0.75  # further sentences must score at least this share of the best one
MAX_CHARS = 240
LENGTH_COST = 0.0005  # per character: of two windows that cover the topic alike, the shorter is quoted
ENUMERATION_BONUS = 0.1  # a list question's answer is usually an enumeration
WHEN_BONUS = 0.05  # a "when" question: how much more a sentence stating a time scores
DEFINITION_BONUS = 0.5  # "“三统一”是指什么": the sentence that defines the quoted term
POINTED_BONUS = 0.3  # a follow-up quoting a term: a sentence that writes it
NAMED_KIND_GAP = 0.01  # "有哪些特色产品": a sentence naming things of the asked kind, in the best one's section, ranks
# just below the best (neither raising the bar the others are kept by nor rescuing an answer that would be refused)
_ASKS_DEFINITION = re.compile(r"是指|指什么|指的是|具体是|是什么意思|含义|包括哪些|哪些内容|(?:怎么|如何|怎样)划?分")
MIN_CONTAINER = 0.6  # how much of the topic a box or table caption must carry to be listed
MAX_ENTRIES = 8


def defines_quoted(ctx: Context) -> bool:
    """Whether the question asks what a quoted term is ("“两区”是怎么分的", "“三统一”是指什么") and a clause of the asked
    plans defines it ("“两区”即以港城大道为分界线…"): the defining sentence answers, not the part the question's
    other words name."""
    if not ctx.query.quoted or not _ASKS_DEFINITION.search(ctx.query.text):
        return False
    defining = re.compile("|".join(rf"“{re.escape(t)}”(?:即|是指|指的是|指)" for t in ctx.query.quoted))
    return any(defining.search(c.text) for c in ctx.corpus.clauses
               if ctx.allows(c.doc_id) and (not ctx.query.cities or ctx.city_of(c.doc_id) in ctx.query.cities))


def compose(ctx: Context) -> Answer:
    limit = LIMITS.get(ctx.query.intent, 2)
    if ctx.query.intent == "list":
        listed = from_container(ctx)
        if listed is not None:
            return listed
    ranked = best_windows(ctx)
    if not ranked or ranked[0][0] < ctx.thresholds.sentence:
        return refuse(ctx, "能回答该问题的条款")
    best = ranked[0][0]
    chosen: list[Span] = []
    used = 0
    for score, span in ranked:
        if len(chosen) >= limit or score < best * KEEP_RATIO:
            break
        if used and used + len(span.text) > MAX_CHARS:
            continue
        if any(span.char_start < c.char_end and c.char_start < span.char_end and span.clause.doc_id == c.clause.doc_id for c in chosen):
            continue
        chosen.append(span)
        used += len(span.text)
    chosen += [d for span in chosen for d in member_definitions(span)
               if not any(d.char_start < c.char_end and c.char_start < d.char_end for c in chosen)]
    builder = AnswerBuilder(ctx.corpus.sources)
    for span in document_order(chosen):
        builder.say(shown(span), span)
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[],
                  composer=ctx.query.intent, query=ctx.query)


_MEMBER_DEFINED = re.compile(r"“(?P<term>[^“”]{1,8})”(?:即|是指|指)[^；;。]*[；;。]?")


def member_definitions(span: Span) -> list[Span]:
    """"…按照“一道两区多节点”的空间结构…。“一道”即…；“两区”即…；“多节点”即…": a quoted grouping shown, or one of its
    members' definitions, brings every member its clause defines — the structure is told whole."""
    clause = span.clause
    found = list(_MEMBER_DEFINED.finditer(clause.text))
    if len(found) < 2:
        return []
    offset = span.char_start - clause.char_start
    shown_text = clause.text[offset:offset + len(span.text)]
    groupings = re.findall(r"“([^“”]{2,16})”", shown_text)
    if not any(m.start() < offset + len(span.text) and offset < m.end() for m in found) and \
            not any(sum(m.group("term") in g for m in found) >= 2 for g in groupings):
        return []
    return [Span(clause, clause.char_start + m.start(), clause.char_start + m.end(), m.group(0)) for m in found]


def kind_words(question: str) -> tuple[str, ...]:
    """The words after a list question's asking word ("有哪些特色产品" → 特色, 产品; "跟哪些高校和孵化平台对接" → 高校,
    孵化, 平台, 对接), one of which a sentence naming such things puts after its names ("…等创新信贷产品"). Looser than
    `topic.asked_kinds` (whole kind phrases a topic item must name): any word may be the kind, as only a sentence
    that also enumerates or quotes names before it is lifted."""
    from index.tokenize import default_tokenizer

    m = re.search(rf"(?:{rule('list').pattern})(?P<rest>[^，,。？?！!；;]*)", question)
    if m is None:
        return ()
    tokenizer = default_tokenizer()
    return tuple(w for w in (t.text for t in tokenizer.words(m.group("rest")))
                 if len(w) >= 2 and w not in tokenizer.stopwords and not rule("frame").fullmatch(w))


def best_windows(ctx: Context) -> list[tuple[float, Span]]:
    """Each retrieved sentence's best window with its score, best first."""
    scorer = ctx.scorer
    listing = ctx.query.intent == "list"
    defined = ctx.query.quoted if _ASKS_DEFINITION.search(ctx.query.text) else ()
    # a follow-up that quotes a term of the conversation ("其中的“两区”是以哪条路为界分的？") asks of that term: the
    # sentences that write it count more than the conversation's subject alone
    pointed = tuple(t for t in ctx.query.quoted if t in (ctx.query.original or "")) if ctx.query.followup else ()

    kinds = kind_words(ctx.query.original or ctx.query.text) if listing else ()
    # "…等创新信贷产品" names things of the kind before it; "“宁创贷”" is one by its head, the kind's last character
    named_kind = re.compile(rf"(?:等|”)[^，。；、“]{{0,8}}?(?:{'|'.join(map(re.escape, kinds))})"
                            rf"|“[^“”]{{1,10}}[{''.join(re.escape(k[-1]) for k in kinds)}]”") if kinds else None

    def bonus(text: str) -> float:
        b = ENUMERATION_BONUS * min(1.0, (text.count("、") + text.count("”“")) / 3) if listing else 0.0
        if any(re.search(re.escape(n) + r"[^。；]{0,12}?(即|是指|指的是|包括|[：:（(])", text) for n in defined):
            b += DEFINITION_BONUS
        if any(n in text for n in pointed):
            b += POINTED_BONUS
        return b

    out = []
    for base, sentence in rank_sentences(ctx, ctx.hits[:10]):
        context = ctx.context(sentence.clause)
        rank_part = base - scorer.coverage(sentence.text, context)
        score, window = max(
            ((scorer.coverage(w.text, context) - LENGTH_COST * len(w.text) + bonus(w.text), w)
             for w in windows(sentence, MAX_PIECES, WHOLE_BELOW)),
            key=lambda t: t[0],
        )
        shown_window = finish(window, sentence, FINISH_WITHIN)  # chosen as cut, quoted whole
        out.append((score + rank_part, along_names(shown_window, sentence) if listing else shown_window))
    out.sort(key=lambda t: -t[0])
    if asks_when(ctx.query.original or ctx.query.text) and out:
        # "燃气轮机试验装置什么时候建成": a sentence that states a time counts more; one in a clause whose best sentence
        # names the thing without a time scores as that one ("…燃气轮机试验装置…。着力推进…，2025年基本完成建设工程")
        def dated(text: str) -> bool:  # a year and an event ("2025年基本完成建设工程"), not a review's figure
            return bool(YEAR.search(text)) and names_event(text)

        best_of: dict[int, tuple[float, bool]] = {}
        for score, span in out:
            best_of.setdefault(id(span.clause), (score, dated(span.text)))
        out = [((max(score, best_of[id(span.clause)][0]) if not best_of[id(span.clause)][1] else score) + WHEN_BONUS
                if dated(span.text) else score, span) for score, span in out]
        out.sort(key=lambda t: -t[0])
    if named_kind is not None and out:
        # the things asked for are named near what answers best, in words the question does not use
        # ("“新研贷”“园区贷”等创新信贷产品" beside "科技企业贷款需求清单"): such sentences of its section count more
        best, section = out[0][0], out[0][1].clause.section
        out = [(max(score, best - NAMED_KIND_GAP) if span.clause.section == section and named_kind.search(span.text)
                else score, span) for score, span in out]
        out.sort(key=lambda t: -t[0])
    return out


def asks_when(question: str) -> bool:
    """"什么时候建成", "哪一年获批": a time asked of an event (the `when_ask` and `event_*` words)."""
    return bool(rule("when_ask").search(question)) and names_event(question)


def _lead(clause: Clause) -> Span | None:
    """An entry's name: a table row's first cell, or a box item's words before "：" (with exact offsets)."""
    if clause.kind == "table_row" and clause.cells:
        name = clause.cells[0].strip()
        i = clause.text.find(name)
    else:
        m = re.match(r"\s*([^：:。，,；]{2,30})[：:]", clause.text)
        if not m:
            return None
        name, i = m.group(1).strip(), clause.text.find(m.group(1).strip())
    if i < 0 or not name:
        return None
    return Span(clause, clause.char_start + i, clause.char_start + i + len(name), name)


def from_container(ctx: Context) -> Answer | None:
    """The entries of the 专栏 box or table the question names, or the one entry it names."""
    scorer = ctx.scorer
    seen: set[tuple[str, str]] = set()
    best: tuple[float, str, str] | None = None
    for hit in ctx.hits[:10]:
        c = hit.clause
        if c.kind not in ("box_item", "table_row") or not c.caption or (c.doc_id, c.caption) in seen:
            continue
        seen.add((c.doc_id, c.caption))
        items = [ctx.corpus.clauses[i] for i in ctx.corpus.clause_ids_of(c.doc_id) if ctx.corpus.clauses[i].caption == c.caption]
        names = [lead.text for lead in map(_lead, items) if lead is not None]
        # the caption names the box; an entry's name may carry the rest ("…攻关方向里新材料领域")
        score = max([scorer.coverage(f"{c.caption} {n}") for n in names] + [scorer.coverage(c.caption)])
        if best is None or score > best[0]:
            best = (score, c.doc_id, c.caption)
    if best is None or best[0] < MIN_CONTAINER:
        return None
    _, doc_id, caption = best
    entries = [ctx.corpus.clauses[i] for i in ctx.corpus.clause_ids_of(doc_id)
               if ctx.corpus.clauses[i].caption == caption and ctx.corpus.clauses[i].kind in ("box_item", "table_row")]
    leads = [(c, _lead(c)) for c in entries]
    leads = [(c, lead) for c, lead in leads if lead is not None]
    if len(leads) < 2:
        return None
    builder = AnswerBuilder(ctx.corpus.sources)
    top = max(scorer.coverage(x.text) for _, x in leads)
    named = [(c, lead) for c, lead in leads if top > 0 and scorer.coverage(lead.text) == top and lead.text not in caption]
    if len(named) == 1:  # the question names one entry of the box: quote it
        clause = named[0][0]
        for span in sentences(clause)[:2]:
            builder.say(span.text, span)
    else:
        builder.raw(re.sub(r"^专栏\s*\d*\s*[：:]?\s*", "", caption).strip() + "：")
        for k, (_, lead) in enumerate(leads[:MAX_ENTRIES]):
            builder.say(("" if k == 0 else "、") + lead.text, lead)
        builder.raw("。")
    return Answer(text=builder.text, citations=builder.citations, refused=False, retrieved=[], composer="list", query=ctx.query)
