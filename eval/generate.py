"""Coverage sets generated from the parsed corpus: `python -m eval generate`.

The hand-written dev set samples the plans; these sets enumerate them. Every indicator row, every
section with three or more sub-headings, every table and every task row of the parsed corpus
becomes a question whose answer and evidence come from ingest's records (`ingest.load_corpus`),
never from the assistant. Items are in the dataset format of eval/README.md; every quote is
checked here to be an exact single-line substring of its plan with 8-60 characters, and an item
that cannot be given such a quote is skipped and counted, never written broken.

What the sets share with the parser (and so cannot catch) is listed in eval/README.md,
"Coverage sets". The output depends only on the plans: same corpus, byte-identical files.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .corpus import DEFAULT_PLANS_DIR, load_sources

if TYPE_CHECKING:  # ingest is imported when a set is generated, so `python -m eval run` does not need it
    from ingest.records import Clause, Heading, IndicatorRecord, ParsedDocument, TaskRecord

DEFAULT_OUT_DIR = Path("eval/data/coverage")
SETS: tuple[str, ...] = ("indicators", "outlines", "tables", "tasks", "prose_figures")
QUOTE_MIN, QUOTE_MAX = 8, 60  # as eval/check.py requires
MIN_CHILDREN = 3  # a section is an outline question when it has this many sub-headings
CORE_MIN, CORE_MAX = 4, 12  # length of a sub-heading's core title (a list item's fact)
TASK_PHRASE_MAX = 20
_MEASURES = ("项", "个", "行", "条")  # after a Chinese numeral in a count answer: 十五项, 七个

_CN = "一二三四五六七八九十百零〇两"
# Outline numbering at the start of a heading: 第一章 / 一、 / （一） / (1) / 1． / 1. / ①; and 附件：
_NUMBERING = re.compile(
    rf"^\s*(?:第\s*[{_CN}\d]+\s*(?:章|节|篇|部分)|[{_CN}]+\s*[、．.]|[（(]\s*[{_CN}\d]+\s*[）)]|\d{{1,3}}\s*[.．、]"
    rf"|[①-⑳]|附\s*件\s*[{_CN}\d]*\s*[：:]?)\s*"
)
_PIECE_END = "，,。；;：:、！？!?"  # where a title's leading phrase ends
_CLAUSE_END = "，,。；;：:！？!?"  # a task's first piece ends here (not at 、: "A、B、C" is one piece)
_TRAILING = "的和与及、等并，,。；;：: "
_CAPTION_PREFIX = re.compile(r"^\s*(?:(?:附|续)?表\s*\d+\s*[:：.．]?|专栏\s*\d*\s*[:：]?)\s*")

# Colloquial rewrites of indicator names: generic wordings people use, not fitted to any question.
INDICATOR_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"全社会研发(?:经费)?(?:支出|投入)?占(?:地区生产总值|GDP)的?(?:比重|比例)", "研发强度"),
        (r"高新技术产业产值占.*?(?:比重|比例)$", "高新技术产业产值占比"),
        (r"高新技术企业", "高企"),
        (r"科技型中小企业", "科小"),
        (r"技术(?:市场)?合同成交额", "技术交易额"),
        (r"^每万人口?(?:拥有)?", "万人"),
        (r"新型研发机构", "新研机构"),
        (r"规模以上", "规上"),
    )
)


class GenerateError(ValueError):
    """The corpus cannot be generated from (no plans parsed); the message says why."""


@dataclass
class SetResult:
    """One coverage set: its items (dataset-format dicts) and what was left out, with reasons."""

    name: str
    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def skip(self, doc_id: str, what: str, reason: str) -> None:
        self.skipped.append(f"{doc_id}: {what}: {reason}")


# ---------------------------------------------------------------------------------------------
# entry points


def available_sets() -> tuple[str, ...]:
    """The sets this checkout can generate: `prose_figures` needs `ingest.figures`."""
    return tuple(name for name in SETS if name != "prose_figures" or _figures_module() is not None)


def _figures_module():
    try:
        from ingest import figures
    except ImportError:
        return None
    return figures


def generate(plans_dir: Path = DEFAULT_PLANS_DIR, sets: Sequence[str] | None = None) -> dict[str, SetResult]:
    """Parse the plans with ingest and build the requested sets (default: all available), in a fixed order."""
    sets = available_sets() if sets is None else tuple(sets)
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        raise GenerateError(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(SETS)}")
    missing = [s for s in sets if s not in available_sets()]
    if missing:
        raise GenerateError(f"{', '.join(missing)} needs ingest/figures.py (extract_figures), which this checkout lacks")
    from ingest.corpus import load_corpus
    from ingest.errors import IngestError

    sources = load_sources(plans_dir)  # the text offsets and quotes refer to (eval/corpus.py)
    try:
        corpus = load_corpus(plans_dir)
    except IngestError as exc:
        raise GenerateError(str(exc)) from None
    if corpus.errors and not corpus.documents:
        raise GenerateError("no plan could be parsed: " + "; ".join(e.message for e in corpus.errors))
    order = {doc_id: k for k, doc_id in enumerate(sources)}  # manifest order, not file-name order
    docs: list[ParsedDocument] = []
    problems: list[str] = [f"{e.file}: not parsed: {e.message}" for e in corpus.errors]
    for doc in sorted(corpus.documents, key=lambda d: (order.get(d.meta.doc_id, len(order)), d.meta.doc_id)):
        if sources.get(doc.meta.doc_id) != doc.text:
            problems.append(f"{doc.meta.doc_id}: parsed text differs from the plan file (offsets would not match); left out")
            continue
        docs.append(doc)
    builders: dict[str, Callable[[ParsedDocument, SetResult], None]] = {
        "indicators": _indicator_items,
        "outlines": _outline_items,
        "tables": _table_items,
        "tasks": _task_items,
        "prose_figures": _figure_items,
    }
    results: dict[str, SetResult] = {}
    for name in SETS:
        if name not in sets:
            continue
        result = SetResult(name, skipped=list(problems))
        for doc in docs:
            builders[name](doc, result)
        results[name] = result
    return results


def write_sets(results: dict[str, SetResult], out_dir: Path = DEFAULT_OUT_DIR) -> list[Path]:
    """One JSONL file per set, `<out_dir>/<set>.jsonl`, written whole (a set with no items writes no file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, result in results.items():
        path = out_dir / f"{name}.jsonl"
        if not result.items:
            path.unlink(missing_ok=True)
            continue
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in result.items), encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------
# 1. indicators: every indicator row, in the plan's wording and in a colloquial one


def _indicator_items(doc: ParsedDocument, out: SetResult) -> None:
    meta, text = doc.meta, doc.text
    city = meta.city or meta.doc_id
    short = _short_city(city)
    word = _doc_word(meta.title)
    captions = _row_captions(doc)
    for k, rec in enumerate(doc.indicators, start=1):
        what = f"indicator row {k} ({rec.indicator})"
        value = (rec.target.value_text or "").strip()
        if not value:
            out.skip(meta.doc_id, what, "no target value")
            continue
        year = rec.target.year or _period_end(meta.period)
        if year is None:
            out.skip(meta.doc_id, what, "no target year in the table or the plan's period")
            continue
        quote = _indicator_quote(text, rec)
        if quote is None:
            out.skip(meta.doc_id, what, "no 8-60 character quote for the row's name cell")
            continue
        facts = [_value_alternatives(value, rec.unit)]
        evidence = [{"doc_id": meta.doc_id, "quote": quote}]
        baseline = f"{rec.baseline.value_text} ({rec.baseline.year}) → " if rec.baseline and rec.baseline.value_text else ""
        table = captions.get((rec.char_start, rec.char_end)) or "indicator table"
        notes = f"{table}: {rec.indicator} ({rec.unit or '-'}) {baseline}{value} ({year}); from ingest's IndicatorRecord"
        name = _unbracket(rec.indicator)
        colloquial = _rewrite(name)
        five_year = _five_year_plan(meta.period, year)
        base_id = f"indicators-{meta.doc_id}-{k:02d}"
        out.items.append(_item(
            f"{base_id}-plan", "target", f"{city}{word}中，到{year}年{rec.indicator}的目标是多少？",
            city, facts, evidence, notes, paraphrased=False,
        ))
        if colloquial != name:
            when = f"{five_year}末" if five_year else f"到{year}年"
            question = f"{short}{when}{colloquial}目标值是多少？"
        else:  # no rewrite applies: the same wording in another frame
            when = f"“{five_year}”末" if five_year else f"{year}年"
            question = f"按{short}的{word}，{name}在{when}要达到多少？"
        out.items.append(_item(
            f"{base_id}-colloquial", "target", question, city, facts, evidence,
            notes + (f"; colloquial: {colloquial}" if colloquial != name else "; no rewrite applies: other frame"),
            paraphrased=colloquial != name,
        ))


def _indicator_quote(text: str, rec: IndicatorRecord) -> str | None:
    """The row's name cell (with its bracketed unit); name, unit and value where the row is one line;
    the cell's leading tab where the name cell is shorter than 8 characters (eval/README.md, "Quotes")."""
    row = text[rec.char_start : rec.char_end]
    i = row.find(rec.indicator)
    if i < 0:
        return None
    j = i + len(rec.indicator)
    m = re.match(r"[ \t]*[（(][^（）()\n]{1,8}[）)]", row[j:])
    if m:
        j += m.end()
    start, end = rec.char_start + i, rec.char_start + j
    if "\n" not in row:  # a one-line row (句容): name, unit and value
        end = rec.char_end
    elif end - start < QUOTE_MIN and start > 0 and text[start - 1] == "\t":
        start -= 1
    quote = text[start:end]
    return quote if _quote_ok(text, quote) else None


def _value_alternatives(value: str, unit: str | None) -> list[str] | str:
    """The target as the plan writes it, plus the forms a natural answer uses (2万 for 20000, 超500 for >500)."""
    alts = [value]
    unit = (unit or "").strip()
    short_unit = unit if len(unit) <= 2 else ""
    number = re.fullmatch(r"\d+(?:\.\d+)?", value)
    if number and float(value) >= 10000 and float(value) % 1000 == 0:
        alts.append(f"{float(value) / 10000:g}万")
    m = re.fullmatch(r"[>＞≥]\s*(\d+(?:\.\d+)?)", value)
    if m:
        x = m[1]
        alts += [f"超{x}", f"超过{x}", f"{x}以上"] + ([f"{x}{short_unit}以上"] if short_unit else [])
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*左右", value)
    if m and short_unit:
        alts.append(f"{m[1]}{short_unit}左右")
    alts = list(dict.fromkeys(alts))
    return alts if len(alts) > 1 else alts[0]


def _rewrite(name: str) -> str:
    for pattern, repl in INDICATOR_REWRITES:
        name = pattern.sub(repl, name)
    return name


def _row_captions(doc: ParsedDocument) -> dict[tuple[int, int], str]:
    return {(c.char_start, c.char_end): c.caption for c in doc.clauses if c.kind == "table_row" and c.caption}


# ---------------------------------------------------------------------------------------------
# 2. outlines: every section with three or more sub-headings, as a list question


def _outline_items(doc: ParsedDocument, out: SetResult) -> None:
    meta, text = doc.meta, doc.text
    city = meta.city or meta.doc_id
    word = _doc_word(meta.title)
    headings = doc.headings
    titles = Counter(_strip_numbering(h.title) for h in headings)
    n = 0
    for k, h in enumerate(headings):
        children = _children(headings, k)
        if len(children) < MIN_CHILDREN:
            continue
        title = _strip_numbering(h.title)
        what = f"section {title!r}"
        if titles[title] > 1:  # the same title twice in one plan: name its parent too
            parent = _parent(headings, k)
            title_q = f"{_quoted(_strip_numbering(parent.title))}中的{_quoted(title)}" if parent else _quoted(title)
        else:
            title_q = _quoted(title)
        facts, evidence, problems = [], [], []
        for child in children:
            core = _core_title(_strip_numbering(child.title))
            quote = _heading_quote(text, child)
            if not core or quote is None:
                problems.append(f"{child.title!r}: {'no core title' if not core else 'no 8-60 character quote'}")
                continue
            if core not in facts:
                facts.append(core)
            evidence.append({"doc_id": meta.doc_id, "quote": quote})
        if problems:
            out.skip(meta.doc_id, what, "; ".join(problems))
            continue
        n += 1
        notes = f"{h.title}: {len(children)} sub-headings ({', '.join(c.title for c in children)}); from ingest's headings"
        out.items.append(_item(
            f"outlines-{meta.doc_id}-{n:02d}", "list", f"{city}{word}的{title_q}部分包括哪几个方面？",
            city, facts, evidence, notes, paraphrased=False,
        ))


def _children(headings: Sequence[Heading], k: int) -> list[Heading]:
    """The direct sub-headings of headings[k]: one level down, until the next heading at its level or above."""
    level = headings[k].level
    children = []
    for h in headings[k + 1 :]:
        if h.level <= level:
            break
        if h.level == level + 1:
            children.append(h)
    return children


def _parent(headings: Sequence[Heading], k: int) -> Heading | None:
    level = headings[k].level
    return next((h for h in reversed(headings[:k]) if h.level < level), None)


def _core_title(title: str) -> str:
    """The leading phrase of a title (up to its first punctuation, 4-12 characters): a list item's fact.

    A phrase shorter than 4 characters takes the next piece too ("稀土、石墨烯"); one longer than 12
    is cut at a word boundary. A whole title shorter than 4 characters ("新医药") stays as it is.
    """
    title = title.strip().rstrip(_TRAILING)
    pieces = re.split(f"(?<=[{re.escape(_PIECE_END)}])", title)
    core = ""
    for piece in pieces:
        core += piece
        if len(core.rstrip(_PIECE_END)) >= CORE_MIN:
            break
    core = core.rstrip(_PIECE_END)
    return _cut_words(core, CORE_MAX)


def _heading_quote(text: str, h: Heading) -> str | None:
    """The heading line as written (8-60 characters). A short heading is cited with its line's markup
    ("**（一）指导思想**") or the text that runs on along its line; a short heading alone on its line,
    by the first text line under it."""
    start, end = h.char_start, h.char_end
    quote = text[start:end].strip()
    if QUOTE_MIN <= len(quote) <= QUOTE_MAX and _quote_ok(text, quote):
        return quote
    line_start, line_end = text.rfind("\n", 0, start) + 1, _line_end(text, start)
    line = text[line_start:line_end].strip()
    if len(quote) < QUOTE_MIN and QUOTE_MIN <= len(line) <= QUOTE_MAX and _quote_ok(text, line):
        return line
    if line_end - start >= QUOTE_MIN:  # the body runs on after the heading on its line (or the heading is long)
        return _clip(text, start)
    nxt = _next_text_line(text, line_end)
    return _clip(text, nxt) if nxt is not None else None


# ---------------------------------------------------------------------------------------------
# 3. tables: every table, asked for its number of rows


def _table_items(doc: ParsedDocument, out: SetResult) -> None:
    meta, text = doc.meta, doc.text
    city = meta.city or meta.doc_id
    word = _doc_word(meta.title)
    for k, rows in enumerate(_tables(doc.clauses), start=1):
        first = rows[0]
        n = len(rows)
        label = first.caption or (first.section[-1] if first.section else f"table {k}")
        what = f"table {label!r}"
        display = _CAPTION_PREFIX.sub("", first.caption) if first.caption else f"{_strip_numbering(label)}部分的表格"
        evidence = []
        caption_quote = _caption_quote(text, first)
        if caption_quote:
            evidence.append({"doc_id": meta.doc_id, "quote": caption_quote})
        else:
            row_quote = _row_quote(text, first.char_start, first.char_end)
            if row_quote:
                evidence.append({"doc_id": meta.doc_id, "quote": row_quote})
        numbered = _numbered_to(rows) == n
        if numbered:  # rows numbered 1..n: the last row states the count
            last = _row_quote(text, rows[-1].char_start, rows[-1].char_end)
            if last and last not in [e["quote"] for e in evidence]:
                evidence.append({"doc_id": meta.doc_id, "quote": last})
        if not evidence:
            out.skip(meta.doc_id, what, "neither its caption nor its first row gives an 8-60 character quote")
            continue
        noun = _row_noun(first.header)
        # a bare Chinese numeral would match inside 十四五 or 四个面向: it must carry a measure word
        from ingest.lexicon import cn_numeral

        facts = [[str(n)] + [f"{cn_numeral(n)}{m}" for m in _MEASURES]]
        basis = "its rows are numbered 1..n" if numbered else "the plan does not state the count: rows as parsed"
        notes = f"{label}: {n} table_row clauses ({basis}); from ingest's clauses"
        out.items.append(_item(
            f"tables-{meta.doc_id}-{k:02d}", "fact", f"{city}{word}中{_quoted(display)}共列了{noun}？",
            city, facts, evidence, notes, paraphrased=False,
        ))


def _tables(clauses: Iterable[Clause]) -> list[list[Clause]]:
    """table_row clauses grouped by table: consecutive rows with the same caption and header."""
    groups: list[list[Clause]] = []
    key = None
    for c in clauses:
        if c.kind != "table_row":
            continue
        k = (c.caption, c.header)
        if groups and k == key:
            groups[-1].append(c)
        else:
            groups.append([c])
            key = k
    return groups


def _numbered_to(rows: Sequence[Clause]) -> int | None:
    """n when a 序号 column numbers the rows 1..n in order, else None."""
    header = rows[0].header or ()
    col = next((i for i, h in enumerate(header) if re.sub(r"\s", "", h) in ("序号", "编号")), None)
    if col is None:
        return None
    numbers = [(r.cells or ())[col].strip() if r.cells and len(r.cells) > col else "" for r in rows]
    return len(rows) if numbers == [str(i) for i in range(1, len(rows) + 1)] else None


def _row_noun(header: tuple[str, ...] | None) -> str:
    cells = [re.sub(r"\s", "", h) for h in header or ()]
    if any("指标" in h for h in cells):
        return "几项指标"
    if "主要目标" in cells:
        return "几项主要目标"
    if "项目名称" in cells:
        return "几个项目"
    return "几项"


def _caption_quote(text: str, row: Clause) -> str | None:
    """The caption as written, nearest before the table's first row."""
    if not row.caption:
        return None
    i = text.rfind(row.caption, 0, row.char_start)
    if i < 0 or not _quote_ok(text, row.caption):
        return None
    return row.caption


def _row_quote(text: str, start: int, end: int) -> str | None:
    """A quote from a table row: its first line of 8+ characters (a short cell keeps its leading tab)."""
    pos = start
    while pos < end:
        line_end = min(_line_end(text, pos), end)
        body_start = pos
        while body_start < line_end and text[body_start] in " \t\u3000":
            body_start += 1
        body = text[body_start:line_end].rstrip()
        if len(body) >= QUOTE_MIN:
            return _clip(text, body_start)
        if len(body) == QUOTE_MIN - 1 and body_start > 0 and text[body_start - 1] == "\t":
            return text[body_start - 1 : body_start + len(body)]
        pos = line_end + 1
    return None


# ---------------------------------------------------------------------------------------------
# 4. tasks: every task row, asked for its lead unit


def _task_items(doc: ParsedDocument, out: SetResult) -> None:
    meta, text = doc.meta, doc.text
    city = meta.city or meta.doc_id
    rows: list[tuple[int, TaskRecord, str, str]] = []
    for k, task in enumerate(doc.tasks, start=1):
        cell = task.target or task.task  # the row's own cell: a task (重点任务) spans several rows
        what = f"task row {k} ({cell[:20]})"
        if not task.lead_units:
            out.skip(meta.doc_id, what, "no lead unit")
            continue
        quote = _cell_quote(text, cell, task.char_start, task.char_end)
        if quote is None:
            out.skip(meta.doc_id, what, "no 8-60 character quote for the cell")
            continue
        rows.append((k, task, _task_phrase(cell), quote))
    by_phrase: dict[str, list[tuple[int, TaskRecord, str, str]]] = defaultdict(list)
    for row in rows:
        by_phrase[row[2]].append(row)
    for k, task, phrase, quote in rows:
        same = by_phrase[phrase]
        if len(same) > 1 and len({r[1].lead_units for r in same}) > 1:
            out.skip(meta.doc_id, f"task row {k} ({phrase})", "its short phrase also names another row with other lead units")
            continue
        if len(same) > 1 and same[0][0] != k:
            out.skip(meta.doc_id, f"task row {k} ({phrase})", "same question and answer as an earlier row")
            continue
        facts = list(dict.fromkeys(task.lead_units))
        partners = f"; partners: {'、'.join(task.partner_units)}" if task.partner_units else ""
        notes = f"{task.task} / {task.target or '-'}: lead {'、'.join(task.lead_units)}{partners}; from ingest's TaskRecord"
        out.items.append(_item(
            f"tasks-{meta.doc_id}-{k:02d}", "fact", f"{city}{_quoted(phrase)}这项任务由哪个部门牵头？",
            city, facts, [{"doc_id": meta.doc_id, "quote": quote}], notes, paraphrased=False,
        ))


def _task_phrase(cell: str) -> str:
    """The cell's first clause (up to its first comma or full stop), cut to 20 characters at a word boundary."""
    cell = _strip_numbering(cell).strip()
    piece = re.split(f"[{re.escape(_CLAUSE_END)}]", cell, maxsplit=1)[0].strip() or cell
    phrase = _cut_words(piece.rstrip(_TRAILING), TASK_PHRASE_MAX, close=True)
    return re.sub(r"(?:达到|达|为)$", "", phrase) if len(phrase) > QUOTE_MIN else phrase


def _cell_quote(text: str, cell: str, start: int, end: int) -> str | None:
    """The cell as written in the row (a wrapped cell by its first line), cut to 60 characters."""
    for length in range(min(len(cell), QUOTE_MAX), QUOTE_MIN - 1, -1):
        i = text.find(cell[:length], start, end)
        if i >= 0:
            return _clip(text, i)
    return None


# ---------------------------------------------------------------------------------------------
# 5. prose_figures: every target figure of prose or a 专栏 box with a clear subject, asked for its value


def _figure_items(doc: ParsedDocument, out: SetResult) -> None:
    meta, text = doc.meta, doc.text
    city = meta.city or meta.doc_id
    word = _doc_word(meta.title)
    figures = _figures_module().document_figures(doc)
    targets = [f for f in figures if f.role == "target" and f.subject]
    seen: set[str] = set()
    n = 0
    for k, fig in enumerate(figures, start=1):
        if fig.source not in ("prose", "box") or fig.role != "target":
            continue
        what = f"figure {k} ({fig.subject or '-'} {fig.value_text}{fig.unit or ''})"
        subject = (fig.subject or "").strip()
        if not FIGURE_SUBJECT[0] <= len(subject) <= FIGURE_SUBJECT[1]:
            out.skip(meta.doc_id, what, f"subject not {FIGURE_SUBJECT[0]}-{FIGURE_SUBJECT[1]} characters")
            continue
        rivals = [g for g in targets if g is not fig and _same_subject(g.subject, subject)
                  and (g.value, g.unit) != (fig.value, fig.unit)
                  and (g.year is None or fig.year is None or g.year == fig.year)]
        if rivals:
            out.skip(meta.doc_id, what, f"the plan gives {subject} other target values too "
                     f"({', '.join(sorted({g.value_text + (g.unit or '') for g in rivals}))})")
            continue
        if fig.year:
            question = f"{city}{word}中，到{fig.year}年{subject}的目标是多少？"
        else:
            question = f"{city}{word}提出{subject}要达到多少？"
        if question in seen:
            out.skip(meta.doc_id, what, "same question and answer as an earlier figure")
            continue
        quote = _figure_quote(text, fig.char_start, fig.char_end)
        if quote is None:
            out.skip(meta.doc_id, what, "no 8-60 character quote on one line")
            continue
        seen.add(question)
        n += 1
        notes = (f"{fig.source} figure: {subject} {fig.value_text}{fig.unit or ''} ({fig.year or 'no year'}), "
                 f"clause {fig.clause_id}; from ingest's Figure")
        out.items.append(_item(
            f"prose_figures-{meta.doc_id}-{n:02d}", "target", question, city,
            [_figure_facts(fig.value_text, fig.value, fig.unit)], [{"doc_id": meta.doc_id, "quote": quote}],
            notes, paraphrased=False,
        ))


FIGURE_SUBJECT = (2, 12)


def _same_subject(a: str | None, b: str) -> bool:
    return re.sub(r"\s", "", a or "") == re.sub(r"\s", "", b)


def _figure_facts(value_text: str, value: float | None, unit: str | None) -> list[str] | str:
    """The value with its unit as the plan writes it (3600家, 2万家), plus the other numeral form (20000家)."""
    unit = (unit or "").strip()
    alts = [f"{value_text}{unit}"]
    if value is not None and re.fullmatch(r"\d+(?:\.\d+)?万", value_text):
        alts.append(f"{value:g}{unit}")
    elif value is not None and re.fullmatch(r"\d+", value_text) and value >= 10000 and value % 1000 == 0:
        alts.append(f"{value / 10000:g}万{unit}")
    return alts if len(alts) > 1 else alts[0]


def _figure_quote(text: str, start: int, end: int) -> str | None:
    """The figure's own span (subject through value and unit); a short one widened to its comma-piece,
    a long one cut; a span across a page-break line, by its last line."""
    if "\n" in text[start:end]:
        start = text.rfind("\n", start, end) + 1
    quote = text[start:end]
    if QUOTE_MIN <= len(quote) <= QUOTE_MAX and _quote_ok(text, quote):
        return quote
    if len(quote) > QUOTE_MAX:
        return _clip(text, start)
    line_start, line_end = text.rfind("\n", 0, start) + 1, _line_end(text, start)
    for stops in (_CLAUSE_END, "。；;！？!?"):
        lo = max([line_start] + [text.rfind(ch, line_start, start) + 1 for ch in stops])
        his = [i for i in (text.find(ch, end, line_end) for ch in stops) if i >= 0]
        hi = min(his) + 1 if his else line_end
        piece = text[lo:hi].strip()
        if QUOTE_MIN <= len(piece) <= QUOTE_MAX and _quote_ok(text, piece):
            return piece
    return None


# ---------------------------------------------------------------------------------------------
# helpers


def _item(id_: str, type_: str, question: str, city: str, facts: list, evidence: list[dict[str, str]],
          notes: str, *, paraphrased: bool) -> dict[str, Any]:
    return {"id": id_, "type": type_, "question": question, "city": city, "answer_facts": facts,
            "evidence": evidence, "notes": notes, "paraphrased": paraphrased}


def _quote_ok(text: str, quote: str) -> bool:
    return QUOTE_MIN <= len(quote) <= QUOTE_MAX and "\n" not in quote and "\r" not in quote and quote in text


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _next_text_line(text: str, pos: int) -> int | None:
    """Start of the first non-blank line after `pos` (without its indentation)."""
    m = re.compile(r"\n[ \t\u3000\r]*(?=[^\s])").search(text, pos)
    return m.end() if m else None


def _clip(text: str, start: int) -> str | None:
    """From `start` to the end of its line, or, when longer than 60, to the last punctuation mark
    within 60 characters (at 8 or more): an exact single-line quote."""
    line_end = _line_end(text, start)
    line = text[start:line_end].rstrip()
    if len(line) > QUOTE_MAX:
        cut = max((i + 1 for i, ch in enumerate(line[:QUOTE_MAX]) if ch in _PIECE_END and i + 1 >= QUOTE_MIN), default=QUOTE_MAX)
        line = line[:cut]
    return line if _quote_ok(text, line) else None


def _strip_numbering(title: str) -> str:
    return _NUMBERING.sub("", title, count=1).strip().rstrip("。．.：:；; ")


def _unbracket(name: str) -> str:
    return re.sub(r"[（(]([^（）()]*)[）)]", r"\1", name)


def _quoted(s: str) -> str:
    """“s”, with quotation marks inside s turned into single ones (Chinese nesting)."""
    return "“" + s.replace("“", "‘").replace("”", "’") + "”"


def _short_city(city: str) -> str:
    from ingest.lexicon import city_key

    return city_key(city) if len(city) > 2 else city


def _doc_word(title: str) -> str:
    for word in ("规划", "行动计划", "计划", "方案", "纲要"):
        if word in title:
            return word
    return "规划"


def _period_end(period: str | None) -> int | None:
    from ingest.lexicon import years_in

    years = years_in(period)
    return years[-1] if years else None


def _five_year_plan(period: str | None, year: int) -> str | None:
    """十四五 for a 2021-2025 plan whose target year is 2025; None otherwise."""
    from ingest.lexicon import cn_numeral, five_year_ordinal, years_in

    years = years_in(period)
    n = five_year_ordinal(years[0], years[1]) if len(years) == 2 and years[1] == year else None
    return f"{cn_numeral(n)}五" if n else None




@cache
def _tokenizer():
    import jieba  # a private tokenizer: the index's user dictionary must not change these cuts

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


_OPEN, _CLOSE = "“《（(「【", "”》）)」】"


def _cut_words(s: str, limit: int, *, close: bool = False) -> str:
    """`s` if it fits in `limit` characters, else its leading words that do (trailing 的/和/、 dropped).

    A cut inside quotation marks or brackets goes back to before the opening mark; where that leaves
    too little and `close` is set (questions, not facts), the mark is closed instead.
    """
    if len(s) <= limit:
        return s
    out = ""
    for token in _tokenizer().lcut(s, HMM=False):
        if len(out) + len(token) > limit:
            break
        out += token
    out = out.rstrip(_TRAILING)
    depth, opened = 0, None
    for i, ch in enumerate(out):
        if ch in _OPEN:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    if depth and opened is not None:
        if len(out[:opened].rstrip(_TRAILING)) >= QUOTE_MIN or not close:
            out = out[:opened].rstrip(_TRAILING)
        else:
            out = out.rstrip("—－-、，, ") + _CLOSE[_OPEN.index(out[opened])]
    return out if len(out) >= CORE_MIN else s[:limit]


def summary(results: dict[str, SetResult]) -> str:
    lines = []
    for name, result in results.items():
        lines.append(f"{name}: {len(result.items)} items, {len(result.skipped)} skipped")
        lines += [f"  skipped {s}" for s in result.skipped]
    return "\n".join(lines)


__all__ = ["DEFAULT_OUT_DIR", "SETS", "GenerateError", "SetResult", "available_sets", "generate",
           "summary", "write_sets"]
