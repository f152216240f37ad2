"""The layout of a Chinese government plan: headings and their levels, 专栏 boxes, the table of
contents, the cover/notice, and running text rejoined across page breaks.

Plans number their outline with a handful of styles (一、 > （一） > 1． > （1）), but which style
comes first, the markdown ``#`` depth, the bracket width and bold markup all vary from plan to plan
and even inside one plan. So a heading's level comes from the *order in which numbering styles
appear* (a style stack, as in a hand-written outline), never from ``#`` counts.

Everything here works on character offsets into the source text: a `Segment` is a span plus its
role and section path; `ingest.clauses` turns segments into citable `Clause` records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Sequence

from ingest.lexicon import YEAR_DIGITS, cn_number
from ingest.records import Heading
from ingest.sentences import FULL_STOPS

Span = tuple[int, int]  # (start, end) offsets into the source text
SegmentKind = Literal["heading", "title", "caption", "paragraph", "box_item", "table"]

NOTICE_SECTION = ("印发通知",)  # cover letter that issues the plan: 文件头, 发文字号, 关于印发…的通知
COVER_SECTION = ("封面",)  # a cover without a notice (title, date) before the table of contents
PREAMBLE_SECTION = ("前言",)  # text between the plan's title and its first heading

MAX_TITLE = 60  # a "heading" longer than this is a numbered paragraph, not a title
_FRONT_LIMIT = 60  # the title and notice are looked for among the first lines only
_CN = "一二三四五六七八九十百零〇两"
_SPACE = " \t\u3000\xa0\r\f\v"
# A line ending in one of these ends a sentence (or a caption): it is never joined to the next line.
_TERMINAL = set("。！？；：!?;:…”’」』）)】》")
_TITLE_END = FULL_STOPS  # where a numbered heading's title ends and its body text begins
_PAIRS = {"《": "》", "（": "）", "(": ")", "“": "”", "「": "」", "【": "】"}
_STRIP_TITLE = "。．.：:；;，, \t\u3000"

_MD = re.compile(r"#{1,6}[ \t\u3000]*")
# Numbering styles, most specific first. Each group(1) is the number.
_NUMBERING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第\s*([{_CN}\d]+)\s*[章篇](?!程)|第\s*([{_CN}\d]+)\s*部分")),
    ("jie", re.compile(rf"第\s*([{_CN}\d]+)\s*节")),
    ("cjk_dun", re.compile(rf"([{_CN}]+)\s*[、．.](?![{_CN}\d])")),
    ("cjk_paren", re.compile(rf"[（(]\s*([{_CN}]+)\s*[）)]")),
    ("arabic_paren", re.compile(r"[（(]\s*(\d{1,3})\s*[）)]")),
    # Decimal outline numbers ("1.1", "3.2.1"): the number is the last part, the style its depth
    # (decimal2, decimal3…); a space must follow, so a figure such as "3.5倍" is never a heading.
    ("decimal", re.compile(r"\d{1,2}(?:[.．]\d{1,2}){0,2}[.．](\d{1,2})(?=[ \t\u3000])")),
    ("arabic_dot", re.compile(r"(\d{1,3})\s*[.．、](?![\d.．%％])")),
    ("circled", re.compile(r"([①-⑳])")),
)
_DECIMAL_DEPTHS = range(2, 5)
_NUMBERED = {style for style, _ in _NUMBERING if style != "decimal"} | {f"decimal{d}" for d in _DECIMAL_DEPTHS}
# A numbered line that states a target or a result ("3．每万人口高价值发明专利拥有量达到12件", "（2）研发投入
#占比提高到3.5%") is an item of a list, not a heading: a verb of reaching followed by a figure with its unit.
_TARGET_ITEM = re.compile(
    r"(?:达到|超过|突破|不低于|不少于|提高到|提高至|提升到|提升至|增长到|增长至|增至|保持在|控制在|稳定在|累计|新增|净增|年均增长)"
    rf"[^，。；,;]{{0,16}}?(?:约|近|超)?\s*[\d{_CN}]+(?:\.\d+)?\s*(?:%|％|个百分点|[万亿千百]?(?:件|家|个|项|人|名|亿元|万元|元|所|座|台|套|平方米|亩|倍))"
)
# Headings that always sit at the top of the outline whatever came before them.
_TOP_NAMED = re.compile(r"(前言|序言|引言|导言|总则|结语|结束语)")
_ATTACHMENT = re.compile(rf"附\s*件\s*([{_CN}\d]*)\s*(?:[：:\s]\s*(.*))?")
# The label of a 专栏 box or a numbered 重大工程 ("专栏1：", "创新布局专栏3：", "重大工程一 "), then its title.
_BOX_LABEL = re.compile(
    rf"(?:[\u4e00-\u9fff]{{0,6}}专栏\s*(?:[\d{_CN}]+\s*[：:]?|[：:])|专栏\s+|重[大点](?:工程|项目|专项|行动|任务)\s*[{_CN}\d]+)\s*"
)
_BOX = re.compile(_BOX_LABEL.pattern + r"\S")
_TABLE_CAPTION = re.compile(r"(?:附|续)?表\s*\d+")
_TOC_HEAD = re.compile(r"(?:专栏|图表|附表|表格)?\s*目\s*[录次]")
_PAGE_NO = re.compile(r"\d{1,3}")
_TOC_ENTRY_WITH_PAGE = re.compile(r".*?(?:[.…·．\-—_ \t]{2,}|\s)\d{1,3}")
_NOTICE = re.compile(rf"印发|通知|文件$|〔{YEAR_DIGITS}〕|\[{YEAR_DIGITS}\]|发布时间|此件公开发布|^各.{{2,200}}[：:]$")
_TITLE_WORDS = re.compile(r"规划|计划|方案|纲要|意见|办法")
# Every non-text line starts with one of these (or holds 专栏 near its start): a cheap first filter.
_STARTERS = set("#*（(第附续表重前序引导总结①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳0123456789０１２３４５６７８９" + _CN)
# Page furniture a PDF reader leaves between pages: "12", "- 12 -", "— 12 —", "第12页", "12/57".
_PAGE_FURNITURE = re.compile(r"[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+")
_IMPRINT = re.compile(rf"\S{{2,40}}{YEAR_DIGITS}年\d{{1,2}}月\d{{1,2}}日印发")  # "中共南京市委办公厅2021年10月24日印发"


class Line(NamedTuple):
    """One source line: `start`/`end` bracket its text without surrounding whitespace.
    (Named tuples, not dataclasses, for the per-line records: a 50 MB plan has millions of lines.)"""

    start: int
    end: int
    tabbed: bool  # indented with a tab: a cell of a flattened table, never an outline heading


class Mark(NamedTuple):
    """What one line is. `title`/`body` are absolute spans; markup (#, **) is outside both."""

    role: Literal["heading", "box", "caption", "text"]
    title: Span
    style: str | None = None
    number: int | None = None
    body: Span | None = None
    depth: int = 0  # markdown "#" marks before the line (a web page's <hN>): 0 when none


class Segment(NamedTuple):
    """A span of the source with its role and section path; `table` indexes the given table spans."""

    kind: SegmentKind
    start: int
    end: int
    section: tuple[str, ...]
    caption: str | None = None
    table: int | None = None


@dataclass
class Layout:
    """What `analyse` found: segments in document order, the outline, the TOC spans, oddities."""

    segments: list[Segment] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    toc: list[Span] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_lines(text: str) -> list[Line]:
    """Every non-blank line of `text` (split at "\\n" only, so offsets stay exact), stripped."""
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        body = raw.strip()
        if body:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            lines.append(Line(start, start + len(body), "\t" in raw[:lead]))
        pos += len(raw) + 1
    return lines


def strip_span(text: str, start: int, end: int) -> Span:
    """`(start, end)` narrowed to exclude surrounding whitespace (an empty span stays empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def classify_line(text: str, line: Line) -> Mark:
    """Decide whether a line is a heading (which style, number, title, same-line body), a box or
    table caption, or plain text. Pure function of the line: context is applied in `analyse`."""
    s, e = line.start, line.end
    if text[s] not in _STARTERS and "专栏" not in text[s : s + 12]:
        return Mark("text", (s, e))  # most lines: running text (keeps 50 MB files fast)
    md = _MD.match(text, s, e)
    p = md.end() if md else s
    title, body, bold = (p, e), None, False
    if text.startswith("**", p):
        close = text.find("**", p + 2, e)
        if close > p + 2:
            title, bold = strip_span(text, p + 2, close), True
            rest = strip_span(text, close + 2, e)
            if rest[0] < rest[1] and text[rest[0] : rest[1]].strip("*"):
                body = rest
    ts, te = title
    if ts >= te:
        return Mark("text", (s, e))
    head = text[ts:te]
    if not line.tabbed:
        for style, rx in _NUMBERING:
            m = rx.match(head)
            if not m:
                continue
            after = strip_span(text, ts + m.end(), te)
            if after[0] >= after[1] or text[after[0]] in "%％.．、，,":
                break
            number = cn_number(next(g for g in m.groups() if g))
            if style == "decimal":  # unmarked "11.5 条措施已落实。" is a sentence: decimal titles carry no 。
                if not (md or bold) and "。" in text[ts:te]:
                    return Mark("text", (s, e))
                style = f"decimal{m.group(0).count('.') + m.group(0).count('．') + 1}"
            if not bold:
                title, body = _split_title(text, ts, after[0], te)
            if title[1] - title[0] > MAX_TITLE or (body is None and _TARGET_ITEM.search(text, title[0], title[1])):
                return Mark("text", (s, e))
            if not (md or bold) and _clause_like(text[title[0] : title[1]]):
                return Mark("text", (s, e))  # "（7）对…项目，…的，按…给予支持，单个项目最高…" is a numbered clause
            return Mark("heading", title, style, number, body, text.count("#", s, p))
    bare = head.strip("*#" + _SPACE)
    if _TABLE_CAPTION.match(head) and len(head) <= MAX_TITLE and "。" not in head:
        return Mark("caption", (ts, te))
    if _BOX.match(head) and len(head) <= MAX_TITLE and not any(c in head for c in "。，；") and body is None:
        return Mark("box", (ts, te))
    if line.tabbed:
        return Mark("text", (s, e))
    att = _ATTACHMENT.fullmatch(head)
    if att and len(head) <= MAX_TITLE + 20 and "。" not in head and body is None:
        return Mark("heading", (ts, te), "attachment", cn_number(att.group(1) or "1"))
    if _TOP_NAMED.fullmatch(bare):
        return Mark("heading", (ts, te), "top", 1, body)
    if md or bold:
        if te - ts <= MAX_TITLE:
            level = text.count("#", s, p)
            return Mark("heading", (ts, te), "bold" if bold else f"md{level}", None, body, level)
    return Mark("text", (s, e))


def _clause_like(title: str) -> bool:
    """A numbered line whose "title" runs on through a semicolon or several commas is a clause of a
    numbered list (a policy article), not a heading: outline titles are a phrase or two."""
    return "；" in title or title.count("，") >= 2


def find_toc(text: str, lines: Sequence[Line] | None = None) -> list[Span]:
    """Spans of the table(s) of contents, each from its 目录 line to its last entry.

    Entries are short lines followed by page numbers (on their own line or after leaders); the
    span ends at the last page number, so the plan's own title and first heading, which usually
    follow, are kept. A 目录 without page numbers ends with the last entry that reappears later
    in the text (every entry of a contents list is a heading of the body).
    """
    lines = split_lines(text) if lines is None else lines
    spans: list[Span] = []
    i = 0
    while i < len(lines):
        if not _TOC_HEAD.fullmatch(text[lines[i].start : lines[i].end]):
            i += 1
            continue
        last = _toc_by_pages(text, lines, i)
        if last is None:
            last = _toc_by_repeats(text, lines, i)
        if last is not None:
            spans.append((lines[i].start, lines[last].end))
            i = last
        i += 1
    return spans


def _toc_by_pages(text: str, lines: Sequence[Line], head: int) -> int | None:
    last_page, since_page = None, 0
    for j in range(head + 1, len(lines)):
        body = text[lines[j].start : lines[j].end]
        if _PAGE_NO.fullmatch(body) or (len(body) <= 80 and _TOC_ENTRY_WITH_PAGE.fullmatch(body)):
            last_page, since_page = j, 0
        elif _TOC_HEAD.fullmatch(body):
            since_page = 0
        elif len(body) <= MAX_TITLE and not any(c in body for c in "。；;"):
            since_page += 1
            if since_page > 3:
                break
        else:
            break
    return last_page


def _toc_by_repeats(text: str, lines: Sequence[Line], head: int) -> int | None:
    last, body_from = None, len(text)
    for j in range(head + 1, len(lines)):
        ln = lines[j]
        entry = text[ln.start : ln.end].strip("#*" + _SPACE)
        if ln.start >= body_from or len(entry) > MAX_TITLE or any(c in entry for c in "。；;"):
            break
        again = text.find(entry, ln.end) if entry else -1
        if again < 0:
            break
        last, body_from = j, min(body_from, again)
    return last if last is not None and last > head + 1 else None


def analyse(text: str, title: str | None = None, tables: Sequence[Span] = (), paragraphs_marked: bool = False) -> Layout:
    """Segment a plan: front matter, title, preamble, then the outline with its boxes and text.

    `title` (the plan's title from its metadata) helps find the title line; `tables` are the
    spans of tables found by `ingest.tables`: their lines are not read here, and each becomes one
    ``table`` segment carrying the section and caption in force where it stands.
    """
    layout = Layout()
    lines = split_lines(text)
    layout.toc = find_toc(text, lines)
    if layout.toc:
        layout.warnings.append(
            "table of contents excluded: " + ", ".join(f"chars {a}-{b}" for a, b in layout.toc)
        )
    units = _units(text, lines, layout.toc, tables)
    _assign_zones(text, units, title)
    _join_page_breaks(text, units, paragraphs_marked)
    _walk(text, units, layout)
    if not layout.headings:
        layout.warnings.append("no headings found: flat document")
    return layout


# ---------------------------------------------------------------------------------------------
# internals


_STRUCTURAL = _NUMBERED | {"attachment", "top"}


@dataclass(slots=True)
class _Unit:
    """A line (or a table) on its way to becoming segments; `end` grows when text is rejoined."""

    start: int
    end: int
    mark: Mark | None  # None for a table
    tabbed: bool = False
    table: int | None = None
    last_line: Span = (0, 0)  # the physical line the unit's text ends on
    zone: Literal["front", "title", "preamble", "body"] = "body"

    @property
    def joinable(self) -> bool:
        return self.mark is not None and not self.tabbed and (self.mark.role == "text" or self.mark.body is not None)


def _split_title(text: str, ts: int, after: int, te: int) -> tuple[Span, Span | None]:
    """A numbered line "1．标题。正文……" → (title span incl. its 。, body span) or (whole, None)."""
    for k in range(after, te):
        if text[k] in _TITLE_END:
            body = strip_span(text, k + 1, te)
            if body[0] < body[1]:
                return (ts, k + 1), body
            break
    return (ts, te), None


def _units(text: str, lines: Sequence[Line], toc: Sequence[Span], tables: Sequence[Span]) -> list[_Unit]:
    """One unit per line outside the TOC, one per table (its lines are not read), in order."""
    units: list[_Unit] = []
    skip = sorted([(a, b, None) for a, b in toc] + [(a, b, k) for k, (a, b) in enumerate(tables)], key=lambda x: x[0])
    placed: set[int] = set()
    i = 0
    for ln in lines:
        while i < len(skip) and skip[i][1] <= ln.start:
            i += 1
        hit = next((x for x in skip[i : i + 4] if ln.start < x[1] and ln.end > x[0]), None)
        if hit is not None:
            k = hit[2]
            if k is not None and k not in placed:
                placed.add(k)
                units.append(_Unit(hit[0], hit[1], None, table=k))
            continue
        mark = classify_line(text, ln)
        end = mark.body[1] if mark.body else mark.title[1]
        units.append(_Unit(mark.title[0], end, mark, ln.tabbed, last_line=(ln.start, ln.end)))
    for k, (a, b) in enumerate(tables):  # tables with no text on any line still get their place
        if k not in placed:
            units.append(_Unit(a, b, None, table=k))
    units.sort(key=lambda u: u.start)
    return units


def _normal(s: str) -> str:
    return re.sub(r"[\s#*]+", "", s)


def _assign_zones(text: str, units: Sequence[_Unit], title: str | None) -> None:
    """Front matter (notice or cover), the title line, the preamble, then the body, which opens
    at the first numbered heading. A plan with no such heading has no body: it is flat."""
    body_start = next(
        (k for k, u in enumerate(units) if u.mark and u.mark.role == "heading" and u.mark.style in _STRUCTURAL),
        len(units),
    )
    title_at = _find_title(text, units, title, min(body_start, _FRONT_LIMIT))
    front_end = title_at if title_at is not None else _notice_end(text, units, min(body_start, _FRONT_LIMIT))
    for k, u in enumerate(units):
        u.zone = "front" if k < front_end else "preamble" if k < body_start else "body"
    if title_at is not None:
        units[title_at].zone = "title"


def _is_notice(text: str, u: _Unit) -> bool:
    return u.mark is not None and bool(_NOTICE.search(text[u.start : u.end]))


def _header_like(text: str, u: _Unit) -> bool:
    """A line that may sit in a notice header: a notice phrase, or short (an issuer, a date)."""
    return u.mark is not None and (_is_notice(text, u) or u.end - u.start <= 40)


def _notice_end(text: str, units: Sequence[_Unit], limit: int) -> int:
    """Without a title line, the notice is the run of header lines at the top, up to its last
    notice phrase (南京's "南京印发《…》" + "发布时间:…")."""
    end = 0
    for k in range(limit):
        if not _header_like(text, units[k]):
            break
        if _is_notice(text, units[k]):
            end = k + 1
    return end


def _find_title(text: str, units: Sequence[_Unit], title: str | None, limit: int) -> int | None:
    """Index of the unit holding the plan's own title line, searched before the first heading:
    the metadata title if a line spells it, else a short 规划/计划/方案 line under the header."""
    want = _normal(title) if title else None
    candidates = [
        k
        for k in range(limit)
        if units[k].mark is not None and want and _normal(text[units[k].start : units[k].end]) == want
    ]
    if candidates:
        return candidates[-1]
    for k in range(limit):
        u = units[k]
        line = text[u.start : u.end]
        if (
            u.mark is not None
            and not u.tabbed
            and len(line) <= 50
            and _TITLE_WORDS.search(line)
            and not re.search(r"印发|通知|[。，,；：:]", line)
        ):
            return k
        if not _header_like(text, u):
            break
    return None


def _unbalanced(s: str) -> bool:
    return any(s.count(o) > s.count(c) for o, c in _PAIRS.items())


def _join_page_breaks(text: str, units: list[_Unit], paragraphs_marked: bool = False) -> None:
    """Rejoin a sentence cut by a page break: the line stops mid-sentence (no 。；！？：…), only blank
    lines (and maybe a page number, as PDF text has) follow, and running text continues. The joined
    unit spans the break, newlines and page number included, so its text is still one slice.
    `paragraphs_marked`: the reader ended every paragraph with a blank line (a .docx, a web page), so only
    a single line break (a <br>) continues a paragraph."""
    joined: list[_Unit] = []
    k = 0
    while k < len(units):
        u, v = (joined[-1] if joined else None), units[k]
        w = units[k + 1] if k + 1 < len(units) else None
        if u is not None and _page_number(text, v):
            if w is not None and _continues(text, u, w, v.end, paragraphs_marked):
                u.end, u.last_line = w.end, w.last_line
                k += 1
            else:
                joined.append(v)
        elif u is not None and _continues(text, u, v, u.end, paragraphs_marked):
            u.end, u.last_line = v.end, v.last_line
        else:
            joined.append(v)
        k += 1
    units[:] = joined


def _page_number(text: str, u: _Unit) -> bool:
    return u.mark is not None and u.mark.role == "text" and bool(_PAGE_FURNITURE.fullmatch(text[u.start : u.end]))


def _continues(text: str, u: _Unit, v: _Unit, gap_from: int, paragraphs_marked: bool = False) -> bool:
    if u.zone != v.zone or u.zone == "title":
        return False
    if not (u.joinable and v.mark is not None and v.mark.role == "text" and not v.tabbed):
        return False
    if text[u.end - 1] in _TERMINAL or text.startswith(("——", "—", "-", "•", "·"), v.start):
        return False
    gap = text[gap_from : v.start]
    if gap.strip() or text.count("\n", u.end, v.start) > (1 if paragraphs_marked else 6):
        return False
    own = text[u.mark.body[0] if u.mark.body else u.start : u.end]
    last = text[u.last_line[0] : u.last_line[1]]
    if u.mark.body is not None:
        last = text[max(u.last_line[0], u.mark.body[0]) : u.last_line[1]]
    return _unbalanced(own) or any(c in last for c in "，、；,") or len(last) >= 25


class _Outline:
    """The style stack: which numbering style sits at which level right now."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int | None, str]] = []  # (style, number, title)
        self.last: dict[str, int] = {}  # last number seen per style, across parents (南通 （4） after （3）)

    def fits(self, style: str, number: int | None) -> bool:
        """Whether a heading continues the outline's numbering (used inside boxes, whose own
        sub-lists restart at （一） and must not be taken for the next section)."""
        if style in ("attachment", "top"):
            return True
        if number is None:
            return False
        for st, n, _ in reversed(self.stack):
            if st == style:
                return n is not None and number == n + 1
        return number == 1 or number == self.last.get(style, 0) + 1

    def push(self, style: str, number: int | None, title: str, warnings: list[str], where: int) -> int:
        if style in ("attachment", "top"):
            self.stack = []
        at = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i][0] == style), None)
        if number is not None and style in _NUMBERED:
            expected = (self.stack[at][1] or 0) + 1 if at is not None else None
            if (expected is not None and number != expected) or (
                expected is None and number not in (1, self.last.get(style, 0) + 1)
            ):
                warnings.append(f"heading numbering jumps at char {where}: {title!r}")
            self.last[style] = number
        if at is not None:
            del self.stack[at:]
        self.stack.append((style, number, title))
        return len(self.stack)

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(t for _, _, t in self.stack)


def numbering(title: str) -> tuple[str, int] | None:
    """A heading's numbering style and number ("20．促进…" → ("arabic_dot", 20), "（三）…" → ("cjk_paren", 3)), or
    None for a heading without one (a box label is a label, not a numbering)."""
    text = _MD.sub("", title.strip(), count=1).strip("*" + _SPACE)
    found = None if _BOX_LABEL.match(text) else _numbering_match(text)
    if found is None:
        return None
    style, m = found
    number = cn_number(next(g for g in m.groups() if g)) if style != "circled" else None
    return (style, number) if number else None


def _numbering_match(text: str) -> tuple[str, re.Match[str]] | None:
    """The first numbering style that opens `text`, with its match."""
    for style, pattern in _NUMBERING:
        m = pattern.match(text)
        if m:
            return style, m
    return None


def strip_numbering(title: str) -> str:
    """A heading's words without markdown marks, its numbering ("（一）", "3．", "第一章"), a box label
    ("专栏1：", "重大工程一") or a table number ("表1:"): the one numbering vocabulary, used by the parser
    and by whatever names a heading to a user."""
    text = _MD.sub("", title.strip(), count=1).strip("*" + _SPACE)
    label = _BOX_LABEL.match(text) or re.match(r"(?:附|续)?表\s*\d+\s*[：:]?\s*", text)
    if label:
        text = text[label.end():]
    elif (found := _numbering_match(text)) is not None:
        text = text[found[1].end():]
    return text.strip(_STRIP_TITLE + "*#") or title.strip()


def _clean_title(text: str, span: Span) -> str:
    return text[span[0] : span[1]].strip(_STRIP_TITLE + "*#") or text[span[0] : span[1]]


def _walk(text: str, units: Sequence[_Unit], layout: Layout) -> None:
    segs = layout.segments
    front_section = NOTICE_SECTION if any(u.zone == "front" and _is_notice(text, u) for u in units) else COVER_SECTION
    preamble = PREAMBLE_SECTION if any(u.zone == "body" for u in units) else ()
    outline = _Outline()
    box: str | None = None
    box_list: dict[str, int] = {}  # the box's own numbered list: style → last number
    depth = box_depth = 0  # "#" marks of the last outline heading; of the one a box opened under
    pending_caption: str | None = None

    for k, u in enumerate(units):
        nxt = units[k + 1] if k + 1 < len(units) else None
        if u.table is not None:
            section = outline.section if u.zone == "body" else front_section if u.zone == "front" else preamble
            segs.append(Segment("table", u.start, u.end, section, pending_caption or box, table=u.table))
            pending_caption = None
            continue
        mark, pending_caption = u.mark, None  # a caption holds only for a table right below it
        assert mark is not None
        if u.zone == "front":
            segs.append(Segment("paragraph", u.start, u.end, front_section))
            continue
        if u.zone == "title":
            segs.append(Segment("title", mark.title[0], mark.title[1], ()))
            if u.end > mark.title[1]:
                segs.append(Segment("paragraph", *strip_span(text, mark.title[1], u.end), preamble))
            continue
        if u.zone == "preamble":
            segs.append(Segment("paragraph", u.start, u.end, preamble))
            continue
        before_table = nxt is not None and nxt.table is not None
        role = mark.role
        if role == "heading" and before_table and mark.style not in _STRUCTURAL and mark.body is None:
            role = "caption"  # "### 主要指标" right above a table is the table's caption
        if role == "text" and before_table and _caption_like(text, u):
            role = "caption"
        if role == "heading" and mark.style == "attachment" and _bare(text, mark) and _after_attachment(units, k):
            role = "text"  # "附件" page marker repeating the attachment heading just above
        if role == "text" and _IMPRINT.fullmatch(text[u.start : u.end]):
            segs.append(Segment("paragraph", u.start, u.end, NOTICE_SECTION))
            continue
        if role == "heading":
            assert mark.style is not None
            if box is not None and _in_box(box_list, outline, mark, box_depth):
                segs.append(Segment("box_item", u.start, u.end, outline.section, box))
                continue
            title = _clean_title(text, mark.title)
            level = outline.push(mark.style, mark.number, title, layout.warnings, mark.title[0])
            box, depth = None, mark.depth
            layout.headings.append(Heading(title, level, mark.title[0], mark.title[1]))
            segs.append(Segment("heading", mark.title[0], mark.title[1], outline.section))
            if mark.body is not None:
                segs.append(Segment("paragraph", mark.body[0], u.end, outline.section))
        elif role == "box":
            box, box_list, box_depth = text[mark.title[0] : mark.title[1]], {}, depth
            segs.append(Segment("caption", mark.title[0], mark.title[1], outline.section, box))
        elif role == "caption":
            pending_caption = text[u.start : u.end]
            segs.append(Segment("caption", u.start, u.end, outline.section, pending_caption))
        else:
            kind: SegmentKind = "box_item" if box is not None else "paragraph"
            segs.append(Segment(kind, u.start, u.end, outline.section, box))


def _in_box(box_list: dict[str, int], outline: _Outline, mark: Mark, box_depth: int = 0) -> bool:
    """Whether a heading-like line inside a 专栏 belongs to the box: it continues the box's own
    list (（一）平台工程, （二）人才工程…), or it does not continue the outline's numbering. An
    unnumbered heading marked as high as the heading the box sits under (a page's next <h3> after
    a box under an <h4>) closes the box: the page's own markup says it is the outline's."""
    assert mark.style is not None
    if mark.number is None and mark.depth and box_depth and mark.depth <= box_depth:
        return False
    own = box_list.get(mark.style)
    if mark.number is not None and own is not None and mark.number == own + 1:
        box_list[mark.style] = mark.number
        return True
    if outline.fits(mark.style, mark.number):
        return False
    if mark.number is not None:
        box_list[mark.style] = mark.number
    return True


def _bare(text: str, mark: Mark) -> bool:
    att = _ATTACHMENT.fullmatch(text[mark.title[0] : mark.title[1]])
    return att is not None and not att.group(2)


def _after_attachment(units: Sequence[_Unit], k: int) -> bool:
    prev = units[k - 1].mark if k > 0 else None
    return prev is not None and prev.role == "heading" and prev.style == "attachment"


def _caption_like(text: str, u: _Unit) -> bool:
    line = text[u.start : u.end]
    return "\n" not in line and len(line) <= 40 and not any(c in line for c in "。，；;,")
