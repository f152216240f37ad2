"""Who issued a plan, when, for which city: from manifest.json, else from the text's header.

Why infer at all: a plan dropped into ``data/plans/`` without a manifest entry
must still be citable by city and title. Chinese government documents put
that information in a few conventional places, which is all this reads:

* the notice wrapper ``<issuer> 关于印发《<title>》的通知`` (possibly broken
  over two lines), or the first short line that names a plan
  (规划/计划/方案/意见/纲要), taking ``《…》`` content when quoted;
* the red-header line ``<issuer>文件``, the document number
  ``句政办发〔2022〕41号``, a signature date on its own line
  (``2020年3月15日``, ``二〇二〇年三月十五日``, or ``2021年12月``), a
  ``发布时间:2021-10-24`` label, or the closing ``<issuer>2021年10月24日印发``;
* a labelled line (``发文机关：…``, ``发布机构：…``, ``来源：…``; ``发布日期：2023年5月10日``,
  ``日期：2023-05-10``), an issuer alone on a short line (``镇江市科学技术局``), or issuer and
  date on one line (``镇江市人民政府办公室 2023年5月10日``), as a plan's own header or a web page prints them;
* the period from the title: ``“十四五”`` → 2021-2025, ``（2020－2022年）`` → 2020-2022.

The city is the 市/县/区 name that starts the title, else the issuer's; a list
of Jiangsu place names is only a last hint for titles such as “创新江阴”.
Manifest values always win; only the fields a manifest entry leaves out are inferred.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.errors import IngestError
from ingest.lexicon import (
    BRACKETED_YEAR,
    CN_YEAR_DIGITS,
    YEAR_DIGITS,
    YEAR_RANGE,
    cn_number,
    first_year,
    five_year_years,
    known_cities,
)
from ingest.records import DocumentMeta

MANIFEST_NAME = "manifest.json"
DOC_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

_HEADER_CHARS = 3000
_SHORT_LINE = 60
_TITLE_WORDS = re.compile(r"规划|计划|方案|意见|纲要")
_TOP_HEADING = re.compile(r"^[一1][、．.]\S")
_NOTICE = re.compile(r"关于印发\s*《?(?P<title>[^《》\n]+?(?:\n[^《》\n]+?)?)》?\s*的(?:通知|决定)")
_CELL_LABEL = re.compile(r"^.*[:：]\s*")  # everything up to the last label colon on the notice's line
_QUOTED_TITLE = re.compile(r"《([^《》]+)》")
_ISSUER_END = re.compile(r"(?:委|政府|办公室|办公厅|委员会|局|厅|部|院|会)$")
_RED_HEADER = re.compile(r"^(?P<issuer>\S.{1,40}?)\s*文件$")
_DOC_NUMBER = re.compile(rf"[\u4e00-\u9fa5]{{1,12}}{BRACKETED_YEAR}\s*\d+\s*号")
_NUM = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_YEAR = f"{YEAR_DIGITS}|{CN_YEAR_DIGITS}"
_DATE_LINE = re.compile(rf"^(?P<y>{_YEAR})年(?P<m>{_NUM})月(?:(?P<d>{_NUM})日)?$")
_DATE_LABEL = re.compile(
    r"(?:发布时间|发布日期|成文日期|印发日期|印发时间|发文日期|公布日期|公开日期|日期|时间)\s*[:：]\s*"
    rf"(?P<y>{YEAR_DIGITS})[-年/.](?P<m>\d{{1,2}})[-月/.](?P<d>\d{{1,2}})"
)
_ISO_DATE_LINE = re.compile(rf"^(?P<y>{YEAR_DIGITS})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})$")
# an issuer's name: Chinese words (a bracketed part allowed) ending in an organ's word
_ISSUER_NAME = r"[\u4e00-\u9fa5（）()]{2,38}?(?:委|政府|办公室|办公厅|委员会|局|厅|部|院|会)"
_ISSUER_LABEL = re.compile(
    rf"(?:发文机关|发文单位|发布机构|发布单位|印发单位|制发机关|成文单位|信息来源|来源)\s*[:：]\s*(?P<issuer>{_ISSUER_NAME})"
    r"(?![\u4e00-\u9fa5])"
)
_ISSUER_ALONE = re.compile(rf"^(?P<issuer>{_ISSUER_NAME})(?:\s*(?P<y>{_YEAR})年(?P<m>{_NUM})月(?P<d>{_NUM})日)?$")
_ISSUED_LINE = re.compile(rf"^(?P<issuer>\S.{{1,40}}?)\s*(?P<y>{_YEAR})年(?P<m>{_NUM})月(?P<d>{_NUM})日\s*印发$")
# A five-year ordinal counts only when quoted or naming a 规划/时期/期间 (a header line may mention one in
# passing), a year range only when closed by 年 (2020－2022年); their years: ingest.lexicon.
_FIVE_YEAR = re.compile(r"[“\"「]([一二三四五六七八九十]{1,2})五[”\"」]|([一二三四五六七八九十]{1,2})五(?:规划|时期|期间)")
_YEAR_RANGE = re.compile(YEAR_RANGE.pattern + r"\s*年")
# A place name ends in 市/县/区, but not 城市/都市/地区/园区-less words such as 社区, 景区, 区域.
_PLACE = re.compile(r"([\u4e00-\u9fa5]{2,7}?(?:(?<![城都超门集夜])市|县|(?<![社景片街地山小])区))(?![域块间别划])")


class ManifestEntry(BaseModel):
    """One plan in manifest.json; fields left out are inferred from the text."""

    model_config = ConfigDict(extra="forbid")

    file: str
    doc_id: str | None = Field(default=None, pattern=DOC_ID_PATTERN)
    city: str | None = None
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    year: int | None = None
    period: str | None = None

    @field_validator("file")
    @classmethod
    def _bare_file_name(cls, value: str) -> str:
        if not value or Path(value).name != value or value in {".", ".."}:
            raise ValueError("must be a bare file name in the plans directory, without a path")
        return value


def load_manifest(directory: str | Path) -> dict[str, ManifestEntry]:
    """Manifest entries of a plans directory keyed by file name ({} when there is no manifest)."""
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"{MANIFEST_NAME}: 不是有效的 UTF-8 JSON / not valid UTF-8 JSON ({exc})") from None
    items = raw.get("documents") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise IngestError(f'{MANIFEST_NAME}: 需要 {{"documents": [...]}} / expected {{"documents": [...]}}')
    entries: dict[str, ManifestEntry] = {}
    doc_ids: dict[str, str] = {}
    for number, item in enumerate(items, 1):
        try:
            entry = ManifestEntry.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
            raise IngestError(f"{MANIFEST_NAME}: 第 {number} 条无效 / entry {number} is invalid: {problems}") from None
        if entry.file in entries:
            raise IngestError(f"{MANIFEST_NAME}: 文件 {entry.file} 出现两次 / file {entry.file} is listed twice")
        if entry.doc_id is not None and entry.doc_id in doc_ids:
            raise IngestError(
                f"{MANIFEST_NAME}: doc_id {entry.doc_id} 重复（{doc_ids[entry.doc_id]}、{entry.file}）"
                f" / doc_id {entry.doc_id} is used by both {doc_ids[entry.doc_id]} and {entry.file}"
            )
        entries[entry.file] = entry
        if entry.doc_id is not None:
            doc_ids[entry.doc_id] = entry.file
    return entries


def resolve_metadata(text: str, file_name: str, entry: ManifestEntry | None = None) -> DocumentMeta:
    """The plan's metadata: the manifest entry's fields where given, inferred ones for the rest."""
    meta = infer_metadata(text, file_name)
    if entry is None:
        return meta
    given = entry.model_dump(exclude_unset=True, exclude={"file"})
    given = {k: v for k, v in given.items() if v is not None or k not in ("doc_id", "title")}  # never null
    if "date" in given and "year" not in given:
        given["year"] = _year_of(given["date"]) or meta.year
    return replace(meta, **given)


def infer_metadata(text: str, file_name: str) -> DocumentMeta:
    """Metadata read from the header (and closing line) of a plan's text alone."""
    header = _header_lines(text)
    short = [line for line in header if len(line) <= _SHORT_LINE]
    title, issuer = _title_and_issuer(header, file_name)
    issuer = issuer or _red_header_issuer(short)
    labelled, signed_on = _labelled_issuer(short, title)
    issuer = issuer or labelled
    issued_by, issued_on = _issued_line(text)
    issuer = issuer or issued_by
    date = _date(short) or signed_on or issued_on
    doc_number = next((m.group(0) for line in short if (m := _DOC_NUMBER.search(line))), None)
    period = _period([title, *short])
    year = _year_of(date) or _year_of(doc_number) or _year_of(period)
    return DocumentMeta(
        doc_id=default_doc_id(file_name, text),
        city=_city(title, issuer),
        title=title,
        issuer=issuer,
        doc_number=" ".join(doc_number.split()) if doc_number else None,
        date=date,
        year=year,
        period=period,
        file=file_name,
        sha256=text_sha256(text),
    )


def default_doc_id(file_name: str, text: str) -> str:
    """A stable slug: the ASCII file stem as [a-z0-9-], else ``plan-<first 8 hex of the text's sha256>``."""
    stem = Path(file_name).stem
    if stem.isascii():
        slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:64].strip("-")
        if slug:
            return slug
    return f"plan-{text_sha256(text)[:8]}"


def text_sha256(text: str) -> str:
    """Hash of the source text (UTF-8): changes exactly when offsets may have changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header_lines(text: str) -> list[str]:
    """Non-empty lines before the first top-level heading, without markdown decoration."""
    lines = []
    for raw in text[:_HEADER_CHARS].splitlines():
        line = raw.strip().lstrip("#").replace("**", "").strip()
        if _TOP_HEADING.match(line):
            break
        if line:
            lines.append(line)
    return lines


def _title_and_issuer(header: list[str], file_name: str) -> tuple[str, str | None]:
    joined = "\n".join(header)
    notice = _NOTICE.search(joined)
    if notice:
        title = "".join(notice.group("title").split("\n")).strip()
        line_start = joined.rfind("\n", 0, notice.start()) + 1
        # a web page's header table puts a label cell ("名称：") before the notice: not the issuer's
        prefix = _CELL_LABEL.sub("", joined[line_start:notice.start()]).strip()
        issuer = prefix or _previous_issuer_line(joined[:line_start])
        return title, _squash(issuer) if issuer else None
    for line in header:
        if len(line) > _SHORT_LINE or line[-1] in "。；：，！？;:,":
            continue
        quoted = [q for q in _QUOTED_TITLE.findall(line) if _TITLE_WORDS.search(q)]
        if quoted:
            return quoted[0].strip(), None
        if _TITLE_WORDS.search(line):
            return line, None
    stem = Path(file_name).stem
    if re.search(r"[\u4e00-\u9fa5]", stem):
        return stem, None
    first = next((line for line in header if len(line) <= _SHORT_LINE), None)
    return first or stem, None


def _previous_issuer_line(before: str) -> str | None:
    lines = [line for line in before.split("\n") if line.strip()]
    if lines and len(lines[-1]) <= 40 and _ISSUER_END.search(lines[-1].strip()):
        return lines[-1]
    return None


def _red_header_issuer(lines: list[str]) -> str | None:
    for line in lines:
        if m := _RED_HEADER.match(line):
            return _squash(m.group("issuer"))
    return None


def _labelled_issuer(lines: list[str], title: str) -> tuple[str | None, str | None]:
    """(issuer, date) from a header line: ``发文机关：…``/``来源：…``, else a short line that is only an
    issuer's name (the title and lines naming a plan aside), with the date when it follows on that line."""
    for line in lines:
        if m := _ISSUER_LABEL.search(line):
            return _squash(m.group("issuer")), None
    for line in lines:
        compact = "".join(line.split())
        if compact == "".join(title.split()) or _TITLE_WORDS.search(compact):
            continue
        if m := _ISSUER_ALONE.match(compact):
            on = _iso_date(m.group("y"), m.group("m"), m.group("d")) if m.group("y") else None
            return m.group("issuer"), on
    return None, None


def _issued_line(text: str) -> tuple[str | None, str | None]:
    """``<issuer>2021年10月24日印发`` among the closing lines of the document."""
    for line in reversed([line.strip() for line in text[-2000:].splitlines() if line.strip()][-10:]):
        if m := _ISSUED_LINE.match(line):
            return _squash(m.group("issuer")), _iso_date(m.group("y"), m.group("m"), m.group("d"))
    return None, None


def _date(lines: list[str]) -> str | None:
    month_only = None
    for line in lines:
        compact = "".join(line.split())
        if m := _DATE_LABEL.search(compact) or _ISO_DATE_LINE.match(compact):
            return _iso_date(m.group("y"), m.group("m"), m.group("d"))
        if m := _DATE_LINE.match(compact):
            if m.group("d"):
                return _iso_date(m.group("y"), m.group("m"), m.group("d"))
            month_only = month_only or _iso_date(m.group("y"), m.group("m"), None)
    return month_only


def _iso_date(year: str, month: str, day: str | None) -> str | None:
    y, m = cn_number(year, digitwise=True), cn_number(month)
    d = cn_number(day) if day else None
    if y is None or m is None or not 1 <= m <= 12 or (day and (d is None or not 1 <= d <= 31)):
        return None
    return f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else "")


def _period(candidates: list[str]) -> str | None:
    for line in candidates:
        if m := _YEAR_RANGE.search(line):
            return f"{m.group(1)}-{m.group(2)}"
        if m := _FIVE_YEAR.search(line):
            n = cn_number(m.group(1) or m.group(2))
            if n and n >= 3:
                start, end = five_year_years(n)
                return f"{start}-{end}"
    return None


def _city(title: str, issuer: str | None) -> str | None:
    if m := _PLACE.match(title.lstrip("“\"《")):
        return m.group(1)
    for part in (issuer or "").split():
        if m := _PLACE.match(part.removeprefix("中共")):
            return m.group(1)
    for name in sorted(known_cities(), key=len, reverse=True):
        if name in title:
            return name + "市"
    return None


def _year_of(value: str | None) -> int | None:
    return first_year(value)


def _squash(value: str) -> str:
    return " ".join(value.split())
