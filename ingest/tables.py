"""Flattened tables → rows with their header, then indicator and task records.

Plans reach us as plain text in which every table has been flattened, in one of
three ways seen in the corpus:

* tab-prefixed cells: one cell per line, each line starting with a tab, rows
  separated by blank lines; a cell may wrap onto lines without a tab, and an
  empty cell is a lone tab (南通, 连云港, 江阴's attachment);
* tab-separated rows: one row per line, cells separated by tabs (句容);
* one cell per line, no tabs, cells separated by (blank) lines; empty cells are
  simply missing (南京's 表1);
* space-separated rows: one row per line under a header of column names, cells split
  by spaces (a PDF's ruled table as its text layer gives it).

Each is rebuilt into a `TableBlock` whose cells carry exact spans into the
source text (`text[s:e] == cell`), so that a table row can be cited like any
other clause. A table is only recognised from a header of column names: a list
of short lines is not a table. Rows are padded to the header's width with empty
cells (zero-length spans) so that `cells[k]` always belongs to `header[k]`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Iterator, Literal

from ingest.lexicon import FIVE_YEAR_ORDINAL, VALUE_CELL, YEAR, cn_number, cue, five_year_years, normalize, parse_number
from ingest.records import IndicatorRecord, TaskRecord, YearValue

Span = tuple[int, int]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    cell_spans: tuple[tuple[int, int], ...]  # each cell's exact span in the source text
    char_start: int  # = first non-empty cell's start
    char_end: int  # = last non-empty cell's end


@dataclass(frozen=True)
class TableBlock:
    caption: str | None  # e.g. "表1:南京市“十四五”科技创新主要指标"
    caption_span: tuple[int, int] | None
    header: tuple[str, ...]
    header_span: tuple[int, int]
    rows: tuple[TableRow, ...]
    char_start: int  # whole region, caption included (from the start of its first line)
    char_end: int  # to the end of the region's last line
    kind: Literal["indicator", "task", "other"]
    header_spans: tuple[tuple[int, int], ...] = ()  # each header cell's exact span


# ---------------------------------------------------------------------------
# Lines and spans

@dataclass(frozen=True)
class _Line:
    start: int
    end: int  # excluding the line break
    raw: str

    @property
    def is_tab(self) -> bool:
        return self.raw.startswith("\t")

    @property
    def is_blank(self) -> bool:
        return not self.is_tab and not self.raw.strip()

    @property
    def body(self) -> str:
        return self.raw.strip()


def _lines(text: str) -> list[_Line]:
    """Lines split at "\n" only (a trailing "\r" is not part of the line), with their offsets."""
    out: list[_Line] = []
    pos = 0
    for piece in text.split("\n"):
        raw = piece.removesuffix("\r")
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(piece) + 1
    return out


def _strip_span(text: str, start: int, end: int) -> Span:
    """The span of text[start:end] without surrounding whitespace (zero-length at `end` if empty)."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else (end, end)


# ---------------------------------------------------------------------------
# What cells and lines look like

_HEADING = re.compile(
    r"^(#{1,6}\s|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[.．、]\s*\D"
    r"|专栏|重大工程|表\s*\d|附表|图\s*[\d:：])"
)
_CAPTION = re.compile(r"^(表\s*[\d一二三四五六七八九十]|附表|专栏)")
_SENTENCE_END = re.compile(r"[。；;，,：:！!？?]$")
_PLACEHOLDER = re.compile(r"^[/／\\—–\-－]+$")
_TARGET_WORD = cue("target_column")  # ingest/resources/cues.tsv
_VALUE_HEADER = re.compile(rf"^(?:{_TARGET_WORD.pattern}|{cue('baseline_column').pattern})值?$")
_ATTRIBUTE = {"预期性", "约束性"}
_NAME_HEADERS = {"指标", "指标名称", "主要指标", "指标内容", "序号", "类别", "项目", "名称"}  # a first column
_COLUMN_NAMES = _NAME_HEADERS | {"属性", "指标属性", "单位", "备注"}
_MAX_HEADER_CELL = 16  # characters: a column name, not a sentence
_MAX_CONTINUATION = 30  # a wrapped cell's continuation line is short
_MAX_CELL_PER_LINE = 50  # longer lines end a one-cell-per-line table
_MAX_CAPTION = 40
_MAX_BLANKS = 2  # blank lines allowed inside a table, or between a caption and its header


def _squash(s: str) -> str:
    """A cell's text with its internal whitespace removed: how a column name is compared."""
    return normalize(s, space="remove")


def _is_value(cell: str) -> bool:
    c = _squash(cell)
    return bool(VALUE_CELL.match(c) or _PLACEHOLDER.match(c))


def _is_placeholder(cell: str) -> bool:
    return not cell.strip() or bool(_PLACEHOLDER.match(_squash(cell)))


def _header_year(cell: str) -> int | None:
    c = _squash(cell)
    if m := YEAR.search(c):
        return int(m.group(1))
    if m := FIVE_YEAR_ORDINAL.search(c):  # a five-year plan's column states its last year: 十三五 → 2020
        n = cn_number(m.group(1))
        return five_year_years(n)[1] if n else None
    return None


def _is_value_header(cell: str) -> bool:
    return _header_year(cell) is not None or bool(_VALUE_HEADER.match(_squash(cell)))


def _is_column_name(cell: str) -> bool:
    return _is_value_header(cell) or _squash(cell) in _COLUMN_NAMES


def _is_heading(body: str) -> bool:
    return bool(_HEADING.match(body))


# ---------------------------------------------------------------------------
# Captions and kinds

def _caption(text: str, lines: list[_Line], i: int, floor: int) -> tuple[str, Span, int] | None:
    """The title line just above a header (at most two blank lines away): a 表N/专栏 line or a short title."""
    j, blanks = i - 1, 0
    while j >= floor and lines[j].is_blank:
        j, blanks = j - 1, blanks + 1
    if j < floor or blanks > _MAX_BLANKS or lines[j].is_tab:
        return None
    line = lines[j]
    lead = re.match(r"\s*(#{1,6}\s+)?", line.raw)
    s, e = _strip_span(text, line.start + lead.end(), line.end)
    title = text[s:e]
    if not title:
        return None
    if not _CAPTION.match(title):
        if len(title) > _MAX_CAPTION or _is_heading(title) or _SENTENCE_END.search(title) or "。" in title:
            return None
    return title, (s, e), j


def _kind(header: tuple[str, ...]) -> Literal["indicator", "task", "other"]:
    names = [_squash(h) for h in header]
    if any("牵头" in h for h in names) and any(re.search(r"参与|配合|协同|协助", h) for h in names):
        return "task"
    if any("指标" in h for h in names) and any(_is_value_header(h) for h in header):
        return "indicator"
    return "other"


# ---------------------------------------------------------------------------
# Rows

def _row(text: str, spans: list[Span], width: int) -> TableRow:
    """A row padded to `width` with empty cells placed right after the last present one."""
    spans = list(spans)
    while len(spans) < width:
        at = spans[-1][1]
        spans.append((at, at))
    present = [sp for sp in spans if sp[0] < sp[1]]
    first, last = (present[0], present[-1]) if present else (spans[0], spans[-1])
    return TableRow(tuple(text[s:e] for s, e in spans), tuple(spans), first[0], last[1])


def _block(text: str, lines: list[_Line], first_line: int, floor: int, header: list[Span],
           rows: list[TableRow], end: int) -> TableBlock:
    cap = _caption(text, lines, first_line, floor)
    header_cells = tuple(text[s:e] for s, e in header)
    start = lines[cap[2]].start if cap else lines[first_line].start
    return TableBlock(
        caption=cap[0] if cap else None,
        caption_span=cap[1] if cap else None,
        header=header_cells,
        header_span=(header[0][0], header[-1][1]),
        rows=tuple(rows),
        char_start=start,
        char_end=end,
        kind=_kind(header_cells),
        header_spans=tuple(header),
    )


def _valid_header(text: str, spans: list[Span]) -> bool:
    cells = [_squash(text[s:e]) for s, e in spans]
    return len(cells) >= 2 and all(0 < len(c) <= _MAX_HEADER_CELL and not _SENTENCE_END.search(c) for c in cells)


# -- tab-prefixed cells -----------------------------------------------------

@dataclass
class _Cell:
    """A tab-prefixed cell being read: its span so far and the index of its last line."""

    span: Span
    line: int

    def extend(self, span: Span, line: int) -> None:
        """Continue a wrapped cell with the text of a later line."""
        s, e = self.span
        self.span, self.line = ((s if s < e else span[0]), span[1]), line


def _tab_group(text: str, lines: list[_Line], j: int) -> tuple[list[Span], list[_Cell], int, bool]:
    """Read the non-blank lines from `j`: (loose leading lines, cells, next line index, clean end).

    A line without a tab continues the cell above it when it is short; a line
    that cannot be a continuation ends the group early (`clean end` False).
    """
    loose: list[Span] = []
    cells: list[_Cell] = []
    n = len(lines)
    while j < n and not lines[j].is_blank:
        line = lines[j]
        if line.is_tab:
            cells.append(_Cell(_strip_span(text, line.start + 1, line.end), j))
        else:
            body = line.body
            if len(_squash(body)) > _MAX_CONTINUATION or _is_heading(body):
                return loose, cells, j, False
            span = _strip_span(text, line.start, line.end)
            if cells:
                cells[-1].extend(span, j)
            else:
                loose.append(span)
        j += 1
    return loose, cells, j, True


def _tab_prefixed(text: str, lines: list[_Line], i: int, floor: int) -> tuple[TableBlock, int] | None:
    if not lines[i].is_tab or (i > 0 and lines[i - 1].is_tab):
        return None
    _, header_cells, j, clean = _tab_group(text, lines, i)
    header = [c.span for c in header_cells]
    if not clean or not _valid_header(text, header):
        return None
    width = len(header)
    rows: list[TableRow] = []
    pending: list[_Cell] = []  # cells of the row being read
    last_line = j - 1
    n = len(lines)

    def emit(cells: list[_Cell]) -> None:
        nonlocal last_line
        rows.append(_row(text, [c.span for c in cells], width))
        last_line = cells[-1].line

    while True:
        k = j
        while k < n and lines[k].is_blank:
            k += 1
        if k >= n:
            break
        loose, cells, j, clean = _tab_group(text, lines, k)
        if loose:
            # a wrapped cell continued after a blank line ("海安高新区" / "（省级）")
            if not pending or not cells:
                break
            pending[-1].extend((loose[0][0], loose[-1][1]), k + len(loose) - 1)
        elif not cells:
            break
        elif pending and len(pending) + len(cells) > width:
            emit(pending)
            pending = []
        pending.extend(cells)
        while len(pending) >= width:
            emit(pending[:width])
            pending = pending[width:]
        if not clean:
            break
    if pending and len(pending) >= max(2, width - 1):  # a short last row, not a lone box title
        emit(pending)
    if not rows:
        return None
    return _block(text, lines, i, floor, header, rows, lines[last_line].end), last_line + 1


# -- tab-separated rows -----------------------------------------------------

def _split_tabs(text: str, line: _Line) -> list[Span]:
    spans, pos = [], line.start
    for part in line.raw.split("\t"):
        spans.append(_strip_span(text, pos, pos + len(part)))
        pos += len(part) + 1
    return spans


def _tab_separated(text: str, lines: list[_Line], i: int, floor: int) -> tuple[TableBlock, int] | None:
    line = lines[i]
    if line.is_tab or "\t" not in line.raw or (i > 0 and "\t" in lines[i - 1].raw):
        return None
    header = _split_tabs(text, line)
    if not _valid_header(text, header):
        return None
    width = len(header)
    rows: list[TableRow] = []
    j, last_line = i + 1, i
    while j < len(lines):
        k = j
        while k < len(lines) and lines[k].is_blank and k - j < _MAX_BLANKS:
            k += 1
        cand = lines[k] if k < len(lines) else None
        if cand is None or cand.is_tab or "\t" not in cand.raw:
            break
        spans = _split_tabs(text, cand)
        if not 2 <= len(spans) <= width:
            break
        rows.append(_row(text, spans, width))
        last_line, j = k, k + 1
    if not rows:
        return None
    return _block(text, lines, i, floor, header, rows, lines[last_line].end), last_line + 1


# -- space-separated rows (a PDF's ruled table as its text layer gives it) -------

_SPACES = re.compile(r"[ \u3000]+")


def _split_spaces(text: str, line: _Line) -> list[Span]:
    spans, pos = [], line.start
    for m in _SPACES.finditer(line.raw + " "):
        part_end = line.start + m.start()
        if part_end > pos:
            spans.append((pos, part_end))
        pos = line.start + m.end()
    return spans


def _space_separated(text: str, lines: list[_Line], i: int, floor: int) -> tuple[TableBlock, int] | None:
    """A header whose every cell is a column name (with a year or value column), then rows whose
    value columns hold values; a name cell that itself holds spaces takes the row's extra words."""
    line = lines[i]
    if "\t" in line.raw or not _SPACES.search(line.raw.strip()):
        return None
    header = _split_spaces(text, line)
    cells = [text[s:e] for s, e in header]
    if len(header) < 3 or not all(_is_column_name(c) for c in cells) or not any(_is_value_header(c) for c in cells):
        return None
    if _squash(cells[0]) not in _NAME_HEADERS:
        return None
    width = len(header)
    value_cols = [k for k, c in enumerate(cells) if _is_value_header(c)]
    rows: list[TableRow] = []
    j = i + 1
    while j < len(lines):
        spans = _split_spaces(text, lines[j])
        if len(spans) < width or _is_heading(lines[j].body):
            break
        extra = len(spans) - width
        spans = [(spans[0][0], spans[extra][1]), *spans[extra + 1:]]
        if not all(_is_value(text[s:e]) for s, e in (spans[k] for k in value_cols)):
            break
        rows.append(_row(text, spans, width))
        j += 1
    if not rows:
        return None
    return _block(text, lines, i, floor, header, rows, lines[j - 1].end), j


# -- one cell per line ------------------------------------------------------

def _cell_kind(cell: str) -> str:
    """'value' (a number or a dash), 'attr' (预期性/约束性), 'text' (a name) or 'stop' (not a cell)."""
    if _is_value(cell):
        return "value"
    if _squash(cell) in _ATTRIBUTE:
        return "attr"
    if len(cell) > _MAX_CELL_PER_LINE or _is_heading(cell) or _SENTENCE_END.search(cell) or "。" in cell:
        return "stop"
    return "text"


def _place(row: list[tuple[Span, str]], kinds: list[str], is_category: bool) -> list[Span]:
    """Put a row's cells under their columns by what they hold, never by position alone.

    Text cells fill the text columns (right-aligned when the first is a merged
    category column, else left-aligned); values fill the value columns
    right-aligned, since a table of targets may omit a baseline but never the
    target; an attribute goes to the attribute column.
    """
    width = len(kinds)
    placed: list[Span | None] = [None] * width
    for group in ("text", "value", "attr"):
        cols = [k for k in range(width) if kinds[k] == group]
        got = [sp for sp, kind in row if kind == group]
        if len(got) > len(cols):
            raise ValueError("more cells than columns")
        right = group == "value" or (group == "text" and is_category)
        for col, sp in zip(cols[len(cols) - len(got):] if right else cols, got):
            placed[col] = sp
    spans: list[Span] = []
    for sp in placed:
        if sp is None:
            at = spans[-1][1] if spans else next(s for s in placed if s is not None)[0]
            sp = (at, at)
        spans.append(sp)
    return spans


def _cells_from(text: str, lines: list[_Line], i: int) -> Iterator[tuple[Span, int]]:
    """The non-blank lines from `i` as (cell span, line index), up to a tab or a run of blank lines."""
    j, n = i, len(lines)
    while j < n:
        k = j
        while k < n and lines[k].is_blank:
            k += 1
        if k >= n or k - j > _MAX_BLANKS or "\t" in lines[k].raw:
            return
        yield _strip_span(text, lines[k].start, lines[k].end), k
        j = k + 1


def _cell_per_line(text: str, lines: list[_Line], i: int, floor: int) -> tuple[TableBlock, int] | None:
    body = lines[i].body
    if len(body) > _MAX_HEADER_CELL or "\t" in lines[i].raw or _squash(body) not in _NAME_HEADERS:
        return None
    cells = _cells_from(text, lines, i)
    header = [next(cells)[0]]
    last_line = i
    cell = next(cells, None)
    while cell and _is_column_name(text[cell[0][0]:cell[0][1]]):
        header.append(cell[0])
        last_line = cell[1]
        cell = next(cells, None)
    if len(header) < 2:
        return None
    kinds = []
    for s, e in header:
        h = _squash(text[s:e])
        kinds.append("value" if _is_value_header(h) else "attr" if "属性" in h else "text")
    text_columns = kinds.count("text")
    is_category = _squash(text[slice(*header[0])]) == "类别"
    rows: list[TableRow] = []
    current: list[tuple[Span, str]] = []
    current_end = last_line

    def close() -> bool:
        """Turn `current` into a row if it holds a value; False when its cells do not fit the header."""
        if not any(c != "text" for _, c in current):
            return False
        try:
            rows.append(_row(text, _place(current, kinds, is_category), len(header)))
        except ValueError:
            return False
        return True

    while cell:
        span, k = cell
        kind = _cell_kind(text[span[0]:span[1]])
        if kind == "stop" or (kind != "text" and not current):
            break
        if kind == "text" and any(c != "text" for _, c in current):
            if not close():
                current = []
                break
            last_line, current = current_end, []
        if kind == "text" and len(current) >= text_columns:
            break  # more names than name columns: not a row of this table
        current.append((span, kind))
        current_end = k
        cell = next(cells, None)
    if current and close():  # a trailing name with no value is not a row
        last_line = current_end
    if not rows:
        return None
    return _block(text, lines, i, floor, header, rows, lines[last_line].end), last_line + 1


# ---------------------------------------------------------------------------
# Public API

def find_tables(text: str) -> list[TableBlock]:
    """Every flattened table in `text`, in order, as non-overlapping regions with exact cell spans."""
    if not isinstance(text, str):
        raise TypeError(f"find_tables needs the decoded text of a plan (str), not {type(text).__name__}")
    if not text:
        return []
    lines = _lines(text)
    blocks: list[TableBlock] = []
    i = floor = 0
    while i < len(lines):
        found = (_tab_prefixed(text, lines, i, floor) or _tab_separated(text, lines, i, floor)
                 or _cell_per_line(text, lines, i, floor) or _space_separated(text, lines, i, floor))
        if found:
            blocks.append(found[0])
            i = floor = found[1]
        else:
            i += 1
    return blocks


def _one_line(cell: str) -> str:
    """A wrapped cell read as one line: Chinese text joins without a space."""
    return re.sub(r"\s*\n\s*", "", cell).strip()


def _column(header: tuple[str, ...], pattern: str, exclude: Collection[int | None] = ()) -> int | None:
    """The first column whose name matches `pattern`."""
    return next((k for k, h in enumerate(header) if k not in exclude and re.search(pattern, _squash(h))), None)


_UNIT_IN_NAME = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（）()]{1,6})[）)]\s*$")


def _split_unit(name: str) -> tuple[str, str | None]:
    m = _UNIT_IN_NAME.match(name)
    return (m["name"], m["unit"].strip()) if m else (name, None)


def indicator_records(block: TableBlock, doc_id: str, city: str | None) -> list[IndicatorRecord]:
    """One record per row of an indicator table; [] for any other kind of table."""
    if block.kind != "indicator":
        return []
    header = block.header
    name_col = _column(header, r"指标(名称|内容)?$")
    name_col = _column(header, r"指标") if name_col is None else name_col
    value_cols = [k for k, h in enumerate(header) if _is_value_header(h)]
    if name_col is None or not value_cols:
        return []
    unit_col = _column(header, r"^单位$")
    attr_col = _column(header, r"属性")
    cat_col = _column(header, r"^(类别|领域|类型|方面)$", (name_col,))
    target_col = next((k for k in reversed(value_cols) if _TARGET_WORD.search(_squash(header[k]))), value_cols[-1])
    baseline_cols = [k for k in value_cols if k != target_col and not _TARGET_WORD.search(_squash(header[k]))]
    baseline_col = baseline_cols[-1] if baseline_cols else None

    records: list[IndicatorRecord] = []
    category: str | None = None
    for row in block.rows:
        cell = dict(enumerate(row.cells))
        raw_name = _one_line(cell.get(name_col, ""))
        if not raw_name:
            continue
        name, unit = _split_unit(raw_name)
        if unit_col is not None and cell.get(unit_col, "").strip():
            unit = _one_line(cell[unit_col])
        if cat_col is not None and cell.get(cat_col, "").strip():
            category = _one_line(cell[cat_col])
        target_text = cell.get(target_col, "").strip() or None
        baseline = None
        if baseline_col is not None and not _is_placeholder(cell.get(baseline_col, "")):
            b = cell[baseline_col].strip()
            baseline = YearValue(_header_year(header[baseline_col]), b, parse_number(b))
        attribute = (cell.get(attr_col, "").strip() or None) if attr_col is not None else None
        records.append(IndicatorRecord(
            doc_id=doc_id,
            city=city,
            indicator=name,
            unit=unit,
            baseline=baseline,
            target=YearValue(_header_year(header[target_col]), target_text, parse_number(target_text)),
            attribute=attribute,
            char_start=row.char_start,
            char_end=row.char_end,
            category=category,
        ))
    return records


_UNIT_SEP = re.compile(r"[、，,；;\s]+")


def _units(cell: str) -> tuple[str, ...]:
    return tuple(u for u in _UNIT_SEP.split(cell) if u)


def task_records(block: TableBlock, doc_id: str) -> list[TaskRecord]:
    """One record per row of a task-assignment table; merged category/task cells carry down."""
    if block.kind != "task":
        return []
    header = block.header
    cat_col = _column(header, r"类别|领域|方面")
    task_col = _column(header, r"任务", (cat_col,))
    target_col = _column(header, r"目标")
    lead_col = _column(header, r"牵头")
    partner_col = _column(header, r"参与|配合|协同|协助")
    records: list[TaskRecord] = []
    category = task = None
    for row in block.rows:
        cell = dict(enumerate(row.cells))
        if cat_col is not None and cell.get(cat_col, "").strip():
            category, task = _one_line(cell[cat_col]), None
        if task_col is not None and cell.get(task_col, "").strip():
            task = _one_line(cell[task_col])
        target = _one_line(cell.get(target_col, "")) if target_col is not None else ""
        if not task and not target:
            continue
        records.append(TaskRecord(
            doc_id=doc_id,
            category=category,
            task=task or target,
            target=target or None,
            lead_units=_units(cell.get(lead_col, "")) if lead_col is not None else (),
            partner_units=_units(cell.get(partner_col, "")) if partner_col is not None else (),
            char_start=row.char_start,
            char_end=row.char_end,
        ))
    return records
