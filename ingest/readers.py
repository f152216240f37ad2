"""File → source text: the one string every offset in ingest indexes into.

Why this module is strict: a citation is only checkable if the text a clause
points into is reproducible from the file, and a plan office will feed it
whatever is on the shared drive. So each reader

* checks the file's *content* (magic bytes), not only its extension, and
  refuses oversized files before reading them;
* produces a deterministic text and keeps the source as written (no
  traditional→simplified conversion, no whitespace normalisation of .txt);
* raises `IngestError` with a bilingual message for anything it cannot read.

What each format yields:

* ``.txt`` / ``.md`` / ``.markdown``: ``data.decode(encoding)``, byte for byte.
  A UTF-8 BOM is removed (equivalent to ``utf-8-sig``), UTF-16 with a BOM is
  decoded; otherwise strict UTF-8 is tried first and, failing that, the
  encoding charset-normalizer detects (GBK/GB2312 are decoded as GB18030,
  their superset). Line endings are kept as in the file.
* ``.docx``: body paragraphs and tables in document order. Paragraphs are
  separated by a blank line, empty paragraphs dropped; a paragraph styled
  ``Heading N`` / ``标题 N`` is prefixed with N ``#`` so the parser sees it as a
  heading even when it carries no numbering. Each table row becomes one line
  of tab-separated cells (merged cells repeat, keeping columns aligned), the
  table framed by blank lines — the same shape as 句容's tables.
* ``.pdf``: pdfplumber's text of each page, pages joined with a blank line
  (scanned PDFs have no text layer and are refused: no OCR here).
* ``.html`` / ``.htm``: scripts, styles and ``<head>`` dropped; block elements
  on their own lines; ``<hN>`` as a markdown heading line; table rows as
  tab-separated cells; whitespace inside a line collapsed.
"""
from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from ingest.errors import IngestError
from ingest.settings import IngestSettings

TEXT_EXTENSIONS = (".txt", ".md", ".markdown")
SUPPORTED_EXTENSIONS = (*TEXT_EXTENSIONS, ".docx", ".pdf", ".html", ".htm")
# Formats whose reader ends every paragraph with a blank line itself (Word paragraphs, a page's blocks): a blank line
# there is a paragraph's end, never a page break that cut a sentence (ingest.structure.analyse, `paragraphs_marked`).
PARAGRAPH_EXTENSIONS = (".docx", ".html", ".htm")

# Content signatures of formats people rename by mistake; used to say what a file really is.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "PDF", "PDF"),
    (b"PK\x03\x04", "ZIP 压缩包（.zip/.docx/.xlsx）", "a ZIP archive (.zip/.docx/.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.doc/.xls）", "a legacy Office file (.doc/.xls)"),
    (b"{\\rtf", "RTF", "RTF"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF87a", "GIF 图片", "a GIF image"),
    (b"GIF89a", "GIF 图片", "a GIF image"),
    (b"\x1f\x8b", "gzip 压缩文件", "gzip data"),
    (b"Rar!\x1a\x07", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (b"\x7fELF", "可执行程序", "an executable"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936"}
# C0/C1 control characters other than tab, newline, vertical tab, form feed, carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.01
_HEADING_STYLE = re.compile(r"^(?:Heading|标题)\s*([1-6])$", re.IGNORECASE)


def read_document(path: str | Path, settings: IngestSettings | None = None) -> str:
    """Return the source text of a plan file, or raise `IngestError` saying why not."""
    path = Path(path)
    settings = settings or IngestSettings()
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise IngestError(
            f"{name}: 不支持的文件类型“{suffix or '（无扩展名）'}”，支持 {', '.join(SUPPORTED_EXTENSIONS)}"
            f" / unsupported file type {suffix or '(none)'!r}; supported: {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise IngestError(f"{name}: 找不到文件 / file not found: {path}") from None
    except OSError as exc:
        raise IngestError(f"{name}: 无法访问文件 / cannot access file ({exc.strerror})") from None
    if not path.is_file():
        raise IngestError(f"{name}: 不是普通文件 / not a regular file")
    if size > settings.max_file_bytes:
        raise IngestError(
            f"{name}: 文件过大（{size / 1024 / 1024:.1f} MB，上限 {settings.max_file_mb:g} MB）"
            f" / file too large ({size / 1024 / 1024:.1f} MB; limit {settings.max_file_mb:g} MB)"
        )
    if size == 0:
        raise _no_text(name, "文件为空", "the file is empty")
    readers: dict[str, Callable[[Path, IngestSettings], str]] = {
        ".docx": _read_docx,
        ".pdf": _read_pdf,
        ".html": _read_html,
        ".htm": _read_html,
    }
    try:
        text = readers.get(suffix, _read_plain)(path, settings)
    except OSError as exc:
        raise IngestError(f"{name}: 读取失败 / cannot read file ({exc.strerror or exc})") from None
    if not text.strip():
        raise _no_text(name, "内容全为空白", "only whitespace")
    check_text_limits(text, name, settings)
    return text


def _sniff(head: bytes) -> tuple[str, str] | None:
    """(Chinese, English) name of the binary format `head` starts with, if we recognise it."""
    for magic, zh, en in _MAGIC:
        if head.startswith(magic):
            return zh, en
    return None


def decode_text(data: bytes, name: str = "text") -> str:
    """Decode the bytes of a plain-text file (see the module docstring for the rules)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError:
            raise IngestError(f"{name}: 文件以 UTF-8 BOM 开头但内容不是有效的 UTF-8 / UTF-8 BOM but invalid UTF-8") from None
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(f"{name}: UTF-16 BOM 但内容无效 / UTF-16 BOM but invalid UTF-16") from None
    else:
        kind = _sniff(data[:16])
        if kind:
            raise IngestError(f"{name}: 文件内容是 {kind[0]}，不是文本 / the content is {kind[1]}, not text")
        if b"\x00" in data:
            raise _binary(name)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_detected(data, name)
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * max(len(text), 1):
        raise _binary(name)
    return text


def _decode_detected(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files pay for it

    matches = list(from_bytes(data))
    if not matches:
        _raise_if_damaged_utf8(data, name)
        raise _binary(name)
    # Short texts often fit several CJK codecs equally well (cp949, big5, gb18030 all with zero
    # chaos); plans are Chinese, so among the equally plausible ones the GB family wins.
    tied = [m for m in matches if m.chaos <= matches[0].chaos]
    chosen = next((m for m in tied if _is_gb(m.encoding)), matches[0])
    encoding = "gb18030" if _is_gb(chosen.encoding) else chosen.encoding
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise IngestError(f"{name}: 无法识别文本编码 / cannot determine the text encoding") from None


def _raise_if_damaged_utf8(data: bytes, name: str) -> None:
    """Text that is UTF-8 but for a few bytes gets told where, rather than being guessed at or called binary."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        decoded = data.decode("utf-8", errors="replace")
        if decoded.count("\ufffd") <= max(1, len(decoded) // 1000):
            raise IngestError(
                f"{name}: 基本是 UTF-8 文本，但第 {exc.start} 字节处有无效字节（文件可能被截断或损坏）"
                f" / mostly UTF-8 text, but with invalid bytes at byte {exc.start} (truncated or damaged?)"
            ) from None


def _is_gb(encoding: str) -> bool:
    return encoding.lower().replace("_", "") in _GB_FAMILY


def _read_plain(path: Path, settings: IngestSettings) -> str:
    return decode_text(path.read_bytes(), path.name)


def _read_docx(path: Path, settings: IngestSettings) -> str:
    import docx
    from docx.table import Table

    name = path.name
    _expect_magic(path, b"PK\x03\x04", "Word 文档（.docx）", "Word document (.docx)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise IngestError(f"{name}: 压缩结构损坏，不是有效的 .docx / corrupt zip, not a valid .docx") from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise IngestError(
            f"{name}: 压缩包中没有 word/document.xml，不是 Word 文档 / a zip without word/document.xml is not a Word document"
        )
    # Declared sizes are what zipfile will inflate at most (it stops at file_size), so checking
    # them bounds memory even when the archive lies about its contents.
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.max_unpacked_bytes:
        raise IngestError(
            f"{name}: 解压后 {unpacked / 1024 / 1024:.0f} MB，超过上限 {settings.max_unpacked_mb:g} MB（疑似压缩炸弹）"
            f" / unpacks to {unpacked / 1024 / 1024:.0f} MB, over the {settings.max_unpacked_mb:g} MB limit (zip bomb?)"
        )
    xml = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    if xml > settings.max_xml_bytes:
        raise IngestError(
            f"{name}: 文档的 XML 解压后 {xml / 1024 / 1024:.0f} MB，超过上限 {settings.max_xml_mb:g} MB（PLANQA_MAX_XML_MB）"
            f" / its XML unpacks to {xml / 1024 / 1024:.0f} MB, over the {settings.max_xml_mb:g} MB limit"
        )
    _count_docx_paragraphs(path, name, settings)
    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                rows = ["\t".join(_one_line(cell.text) for cell in row.cells) for row in item.rows]
                rows = [r for r in rows if r.strip()]
                if rows:
                    blocks.append("\n".join(rows))
            elif item.text.strip():
                blocks.append(_heading_marks(item.style.name if item.style is not None else "") + item.text)
    except IngestError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on malformed XML
        raise IngestError(f"{name}: 无法解析 Word 文档 / cannot parse the .docx ({type(exc).__name__})") from None
    if not blocks:
        raise _no_text(name, "文档中没有段落或表格文字", "no paragraph or table text")
    return "\n\n".join(blocks)


_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


def _count_docx_paragraphs(path: Path, name: str, settings: IngestSettings) -> int:
    """Stream word/document.xml, counting paragraphs, and stop at the first one over the limit.

    python-docx reads the whole XML into memory and walks it; a small .docx can hold millions of
    empty paragraphs. This pass reads the entry in blocks (inflated bytes counted against
    `max_xml_mb` as they come, whatever the zip directory claims) and keeps no element, so a bomb
    is refused after reading only as much as the limits allow.
    """
    from lxml import etree

    paragraphs = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as stream:
            parser = etree.XMLPullParser(events=("end",), tag=_W_P, resolve_entities=False, no_network=True,
                                         huge_tree=False)
            read = 0
            while block := stream.read(1 << 16):
                read += len(block)
                if read > settings.max_xml_bytes:
                    raise IngestError(
                        f"{name}: 文档的 XML 超过上限 {settings.max_xml_mb:g} MB（PLANQA_MAX_XML_MB）"
                        f" / its XML exceeds the {settings.max_xml_mb:g} MB limit"
                    )
                parser.feed(block)
                for _, element in parser.read_events():
                    paragraphs += 1
                    if paragraphs > settings.max_paragraphs:
                        raise _too_many_paragraphs(name, settings)
                    element.clear(keep_tail=True)
            parser.close()
    except IngestError:
        raise
    except Exception as exc:  # zlib, CRC or XML errors: the archive or its XML is damaged
        raise IngestError(f"{name}: 无法解析 Word 文档 / cannot parse the .docx ({type(exc).__name__})") from None
    return paragraphs


def _too_many_paragraphs(name: str, settings: IngestSettings) -> IngestError:
    return IngestError(
        f"{name}: 段落超过 {settings.max_paragraphs} 个（PLANQA_MAX_PARAGRAPHS），不像一份规划，未读取"
        f" / more than {settings.max_paragraphs} paragraphs, not read"
    )


def check_text_limits(text: str, name: str, settings: IngestSettings) -> None:
    """Refuse a text longer than `max_chars` or with more non-empty lines than `max_paragraphs` (before parsing)."""
    if len(text) > settings.max_chars:
        raise IngestError(
            f"{name}: 正文 {len(text)} 字，超过上限 {settings.max_chars} 字（PLANQA_MAX_CHARS）"
            f" / {len(text)} characters, over the {settings.max_chars} limit"
        )
    if text.count("\n") >= settings.max_paragraphs:
        lines = sum(1 for line in text.splitlines() if line.strip())
        if lines > settings.max_paragraphs:
            raise _too_many_paragraphs(name, settings)


def _heading_marks(style_name: str) -> str:
    match = _HEADING_STYLE.match(style_name.strip())
    return "#" * int(match.group(1)) + " " if match else ""


def _one_line(cell_text: str) -> str:
    """A table cell on one line, so that one row stays one line for the table parser."""
    return " ".join(cell_text.split())


def _read_pdf(path: Path, settings: IngestSettings) -> str:
    import pdfplumber

    name = path.name
    _expect_magic(path, b"%PDF-", "PDF", "PDF", search=1024)
    pages: list[str] = []
    try:
        with pdfplumber.open(path) as pdf:
            declared = _declared_pages(pdf)
            if declared > settings.max_pages:  # the page tree's own count, read before any page is built
                raise IngestError(
                    f"{name}: PDF 有 {declared} 页，超过上限 {settings.max_pages} 页（PLANQA_MAX_PAGES），未读取"
                    f" / {declared} pages, over the {settings.max_pages} page limit"
                )
            for number, page in enumerate(pdf.pages, 1):
                if number > settings.max_pages:
                    raise IngestError(
                        f"{name}: PDF 超过 {settings.max_pages} 页（PLANQA_MAX_PAGES），未读取"
                        f" / more than {settings.max_pages} pages, not read"
                    )
                pages.append((page.extract_text() or "").strip("\n"))
                page.close()  # drop the page's parsed objects: long PDFs otherwise hold them all
    except IngestError:
        raise
    except Exception as exc:  # pdfminer raises its own types for encrypted or broken files
        detail = "已加密 / encrypted" if "password" in str(exc).lower() or "Encrypt" in type(exc).__name__ else type(exc).__name__
        raise IngestError(f"{name}: 无法解析 PDF / cannot parse the PDF ({detail})") from None
    if not any(p.strip() for p in pages):
        raise _no_text(name, "PDF 没有文字层，扫描件需先 OCR", "the PDF has no text layer; a scan needs OCR first")
    return "\n\n".join(pages)


def _declared_pages(pdf) -> int:
    """The /Count of the PDF's page tree (0 when it cannot be read: the page loop still counts)."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count"))
        return int(count) if isinstance(count, int) else 0
    except Exception:  # noqa: BLE001 - a damaged page tree is left to the reader's own error
        return 0


_HTML_DROP = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
_HTML_BLOCKS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol", "dl", "dt",
    "dd", "table", "tr", "blockquote", "pre", "figure", "figcaption", "caption", "form", "address", "hr", "br",
    "h1", "h2", "h3", "h4", "h5", "h6",
)
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SOURCE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r]*\n\s*(?=[{_CJK}])")
_SOURCE_BREAK = re.compile(r"[ \t\r]*\n\s*")
_CELL_MARK = "\x1f"  # joins a row's cells until whitespace is collapsed, then becomes a tab


def _read_html(path: Path, settings: IngestSettings) -> str:
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    kind = _sniff(data.lstrip()[:16]) or (("二进制数据", "binary data") if b"\x00" in data[:4096] else None)
    if kind:
        raise IngestError(f"{path.name}: 文件内容是 {kind[0]}，不是 HTML / the content is {kind[1]}, not HTML")
    soup = BeautifulSoup(data, "html.parser")  # bytes in: BeautifulSoup honours <meta charset> (GBK pages)
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for node in soup.find_all(string=True):
        if "\n" in node and node.find_parent(("pre", "textarea")) is None:
            node.replace_with(_unwrap_source_lines(str(node)))
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:  # nested tables are read as their outer cell's text
            _flatten_rows(table)
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            title = _one_line(heading.get_text(" "))
            heading.replace_with(f"\n{'#' * level} {title}\n" if title else "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = []
    for raw in soup.get_text().split("\n"):
        if _CELL_MARK in raw:  # a table row: cells tab-separated, whitespace collapsed inside each cell
            lines.append("\t".join(" ".join(cell.split()) for cell in raw.split(_CELL_MARK)))
        else:
            lines.append(" ".join(raw.split()))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    if not text.strip():
        raise _no_text(path.name, "页面中没有正文文字", "the page has no body text")
    return text


def _flatten_rows(table) -> None:
    """Each row of `table` → one line of cells joined by `_CELL_MARK`. A cell spanning rows or
    columns (rowspan/colspan) repeats in every row and column it covers, as merged .docx cells do,
    so a row's Nth cell is always the header's Nth column."""
    carried: dict[int, tuple[str, int]] = {}  # column → (text, rows it still covers below)
    for row in [r for r in table.find_all("tr") if r.find_parent("table") is table]:
        cells: list[str] = []
        column = 0

        def carry_over() -> None:
            nonlocal column
            while column in carried:
                text, left = carried.pop(column)
                cells.append(text)
                if left > 1:
                    carried[column] = (text, left - 1)
                column += 1

        for cell in row.find_all(("td", "th"), recursive=False):
            carry_over()
            text = _one_line(cell.get_text(" "))
            rows, cols = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for _ in range(cols):
                cells.append(text)
                if rows > 1:
                    carried[column] = (text, rows - 1)
                column += 1
        carry_over()
        row.replace_with(f"\n{_CELL_MARK.join(cells)}\n" if any(cells) else "\n")


def _span(value) -> int:
    """A rowspan/colspan attribute as a count: 1 when absent or malformed, at most 100."""
    try:
        return min(max(int(str(value).strip()), 1), 100)
    except (TypeError, ValueError):
        return 1


def _unwrap_source_lines(text: str) -> str:
    """A line break in HTML source is a space, or nothing between two CJK characters (CSS Text 3)."""
    return _SOURCE_BREAK.sub(" ", _CJK_SOURCE_BREAK.sub("", text))


def _expect_magic(path: Path, magic: bytes, zh: str, en: str, search: int = 0) -> None:
    with path.open("rb") as handle:
        head = handle.read(max(len(magic), search) + 16)
    found = head.find(magic, 0, search + len(magic)) if search else (0 if head.startswith(magic) else -1)
    if found < 0:
        actual = _sniff(head)
        why_zh, why_en = (f"内容是 {actual[0]}", f"the content is {actual[1]}") if actual else (
            "内容与扩展名不符", "the content does not match the extension")
        raise IngestError(f"{path.name}: 不是有效的 {zh}：{why_zh} / not a valid {en}: {why_en}")


def _no_text(name: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(f"{name}: 没有可读取的文本（{why_zh}） / no readable text ({why_en})")


def _binary(name: str) -> IngestError:
    return IngestError(f"{name}: 文件是二进制数据，不是文本 / the file is binary, not text")
