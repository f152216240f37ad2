"""Answers → what the page shows: chat text, the sources panel, comparison tables, checklists, outlines.

Pure functions over the assistant's public objects (`Answer`, `Citation`, the loaded
`PlanIndex`), so every view can be tested without a browser. Everything taken from a
plan or from a user is HTML-escaped before it is placed in markup.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pandas as pd

from assistant import NOT_SET, Answer, ChecklistItem, Citation  # NOT_SET: how the assistant says a plan sets no such target
from assistant.versions import ENDED, period_of, today_year
from ingest.periods import plan_kind
from ingest.records import Clause, DocumentMeta, Heading

CONTEXT_CLAUSES = 2  # neighbours shown on each side in the 上下文 view
# Units that count the same kind of thing (one plan writes 高新技术企业数 in 个, another in 家):
# compared as equal in the chart, shown as written in the table.
SAME_UNIT = {"个": "家"}
STATUS_LABELS = {"met": "已满足", "not met": "不满足", "unknown": "待确认"}


class IndexView(Protocol):
    """The parts of `index.store.PlanIndex` the views read."""

    docs: dict[str, DocumentMeta]
    clauses: list[Clause]
    headings: dict[str, list[Heading]]

    def clause_ids_of(self, doc_id: str) -> list[int]: ...

    def neighbours(self, clause: Clause, before: int = 1, after: int = 1) -> list[Clause]: ...


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def title_of(index: IndexView, doc_id: str) -> str:
    meta = index.docs.get(doc_id)
    return meta.title if meta else doc_id


def period_tag(citation: Citation) -> str:
    """（2021-2025，规划期已结束）: the cited plan's period as the answer contract carries it; "" without one."""
    if not citation.period:
        return ""
    return f"（{citation.period}{'，' + ENDED if citation.period_ended else ''}）"


def _period_span(citation: Citation) -> str:
    """The cited plan's period beside a source card's title, marked (class pq-period-ended) when it is over."""
    tag = period_tag(citation)
    if not tag:
        return ""
    return f'<span class="pq-period{" pq-period-ended" if citation.period_ended else ""}">{_e(tag)}</span>'


def section_path(section: str) -> str:
    """"一、总体要求 > (四)规划目标" → "一、总体要求 › (四)规划目标" (the contract joins with " > ")."""
    return " › ".join(section.split(" > ")) if section else "正文"


# -- chat -------------------------------------------------------------------------------------
def chat_message(answer: Answer, index: IndexView) -> str:
    """The assistant's chat bubble: a tag for refusals, the answer with [n] markers, a compact source list."""
    parts: list[str] = []
    if answer.notice:
        parts.append(f'<span class="pq-tag pq-tag-notice">提示</span> {_e(answer.notice)}\n\n')
    if answer.refused:
        parts.append('<span class="pq-tag pq-tag-refused">未找到依据</span>\n\n')
    parts.append(_e(answer.text))
    if answer.citations:
        lines = [f"[{n}] {title_of(index, c.doc_id)}{period_tag(c)} · {section_path(c.section)}"
                 for n, c in enumerate(answer.citations, 1)]
        parts.append('\n\n<div class="pq-cite-list">' + "<br>".join(_e(line) for line in lines) + "</div>")
    if nearest_only(answer):
        parts.append('\n\n<div class="pq-cite-list">最相近的条款见“来源”。</div>')
    parts.append(generation_note(answer))
    return "".join(parts)


def generation_note(answer: Answer) -> str:
    """A small note under an answer a generative backend touched: rewrite dropped in part or whole,
    or the model unusable; the dropped sentences and why are folded underneath. Empty otherwise."""
    report = answer.generation
    note = report.note() if report else None
    if not report or not note:
        return ""
    items = "".join(f"<li>{_e(d.sentence)} <span class=\"pq-gen-reason\">（{_e(d.reason)}）</span></li>"
                    for d in report.dropped)
    body = f"<details><summary>{_e(note)}</summary><ul>{items}</ul></details>" if items else _e(note)
    return f'\n\n<div class="pq-gen-note">{body}</div>'


def error_message(message: str) -> str:
    """A chat bubble for input the assistant could not take (empty question, unknown filter …)."""
    return f'<span class="pq-tag pq-tag-error">无法回答</span>\n\n{_e(message)}'


# -- sources ----------------------------------------------------------------------------------
def clause_of(index: IndexView, citation: Citation) -> Clause | None:
    """The clause a citation quotes from (None when the span is not inside one clause)."""
    for i in index.clause_ids_of(citation.doc_id):
        clause = index.clauses[i]
        if clause.char_start <= citation.char_start and citation.char_end <= clause.char_end:
            return clause
    return None


def _highlighted(clause: Clause, citation: Citation | Sequence[Citation]) -> str:
    """The clause as HTML, each quoted span inside <mark>; table rows as a one-row table."""
    cited = [citation] if isinstance(citation, Citation) else list(citation)
    covers = any(c.char_start <= clause.char_start and clause.char_end <= c.char_end for c in cited)
    if clause.kind == "table_row" and clause.cells:
        header = "".join(f"<th>{_e(h)}</th>" for h in (clause.header or ()))
        cells = "".join(f"<td>{_e(c)}</td>" for c in clause.cells)
        caption = f"<caption>{_e(clause.caption)}</caption>" if clause.caption else ""
        row_class = ' class="pq-hit"' if covers else ""
        head = f"<thead><tr>{header}</tr></thead>" if header else ""
        return f'<table class="pq-row">{caption}{head}<tbody><tr{row_class}>{cells}</tr></tbody></table>'
    text, out, pos = clause.text, [], 0
    for start, end in _merged([(c.char_start - clause.char_start, c.char_end - clause.char_start) for c in cited], len(text)):
        out.append(f"{_e(text[pos:start])}<mark>{_e(text[start:end])}</mark>")
        pos = end
    return f'<div class="pq-clause">{"".join(out)}{_e(text[pos:])}</div>'


def _merged(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to [0, length], sorted, overlapping ones merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((max(s, 0), min(e, length)) for s, e in spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def _plain(clause: Clause) -> str:
    if clause.kind == "table_row" and clause.cells:
        return " | ".join(c for c in clause.cells if c)
    return clause.text


def source_card(index: IndexView, citation: Citation | Sequence[Citation], label: str) -> str:
    """One cited clause: plan title, section path, the clause with its quotes marked, a 上下文 view.

    Several citations of one clause (sentences of one paragraph) share a card, so a paragraph is shown once.
    """
    cited = [citation] if isinstance(citation, Citation) else list(citation)
    first = cited[0]
    meta = index.docs.get(first.doc_id)
    city = f'<span class="pq-city">{_e(meta.city)}</span>' if meta and meta.city else ""
    section = section_path(first.section)
    clause = clause_of(index, first)
    if clause is None:
        body = "".join(f'<div class="pq-clause"><mark>{_e(c.quote)}</mark></div>' for c in cited)
        context = ""
    else:
        body = _highlighted(clause, cited)
        around = index.neighbours(clause, CONTEXT_CLAUSES, CONTEXT_CLAUSES)
        items = []
        for other in around:
            if other.clause_id == clause.clause_id:
                items.append(f'<div class="pq-ctx pq-ctx-current">{_highlighted(other, cited)}</div>')
            else:
                items.append(f'<div class="pq-ctx">{_e(_plain(other))}</div>')
        context = f'<details class="pq-context"><summary>上下文</summary>{"".join(items)}</details>'
    offsets = "，".join(f"{c.char_start}–{c.char_end}" for c in cited)
    return (
        f'<div class="pq-source">'
        f'<div class="pq-source-head"><span class="pq-badge">{_e(label)}</span>'
        f'<span class="pq-title">{_e(title_of(index, first.doc_id))}</span>{_period_span(first)}{city}</div>'
        f'<div class="pq-section">{_e(section)}</div>{body}{context}'
        f'<div class="pq-offsets">{_e(first.doc_id)} · 字符 {_e(offsets)}</div>'
        f"</div>"
    )


def by_clause(index: IndexView, citations: Sequence[Citation], labels: Sequence[str]) -> list[tuple[str, list[Citation]]]:
    """Citations grouped by the clause they quote, in order of first use, each group with its joined labels
    ("[1][3]"); a citation that is not inside one clause stays alone."""
    groups: dict[object, tuple[list[str], list[Citation]]] = {}
    for k, (c, label) in enumerate(zip(citations, labels)):
        clause = clause_of(index, c)
        key = (c.doc_id, clause.clause_id) if clause is not None else k
        names, cited = groups.setdefault(key, ([], []))
        names.append(label)
        cited.append(c)
    return [("".join(dict.fromkeys(names)), cited) for names, cited in groups.values()]


def nearest_only(answer: Answer) -> list[Citation]:
    """A refusal's nearest clauses, without those its own text already cites (e.g. a corrected figure)."""
    if not answer.refused:
        return []
    cited = [(c.doc_id, c.char_start, c.char_end) for c in answer.citations]
    return [n for n in answer.nearest
            if not any(d == n.doc_id and s <= n.char_start and n.char_end <= e for d, s, e in cited)]


NO_SOURCES = '<div class="pq-empty">提问后，这里显示答案引用的规划条款、所在章节和上下文。</div>'


def citations_html(citations: Sequence[Citation], index: IndexView) -> str:
    """The sources panel for citations numbered [1], [2] … in order (a view that is not an answer)."""
    labels = [f"[{n}]" for n in range(1, len(citations) + 1)]
    cards = [source_card(index, cited, label) for label, cited in by_clause(index, citations, labels)]
    return '<div class="pq-sources">' + "".join(cards) + "</div>" if cards else NO_SOURCES


def sources_html(answer: Answer, index: IndexView) -> str:
    """The sources panel for one answer: its citations, or for a refusal the nearest clauses."""
    labels = [f"[{n}]" for n in range(1, len(answer.citations) + 1)]
    cards = [source_card(index, cited, label) for label, cited in by_clause(index, answer.citations, labels)]
    nearest = nearest_only(answer)
    if nearest:
        cards.append('<div class="pq-nearest-note">规划中未找到能回答该问题的条款。以下是最相近的条款，仅供参考：</div>')
        cards += [source_card(index, cited, "相近") for _, cited in by_clause(index, nearest, ["相近"] * len(nearest))]
    if not cards:
        return '<div class="pq-empty">这个回答没有引用条款。</div>'
    return '<div class="pq-sources">' + "".join(cards) + "</div>"


# -- 城市对比 ---------------------------------------------------------------------------------
COMPARISON_COLUMNS = ["城市", "规划指标（原文）", "规划表述", "引用"]


def comparison_table(answer: Answer, concept: str | None = None) -> pd.DataFrame:
    """City × indicator rows with their citation marker; unset targets say so, never zero."""
    rows = [r for r in (answer.table or []) if concept is None or r.concept == concept]
    out = [{
        "城市": r.city or "",
        "规划指标（原文）": r.indicator or ("正文表述" if r.target else "—"),
        "规划表述": r.target or NOT_SET,
        "引用": r.citation or "—",
    } for r in rows]
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS)


def comparison_chart(answer: Answer, concept: str | None = None) -> tuple[pd.DataFrame | None, str]:
    """(bar-chart data, note): a chart of the tables' numbers, only when they share a unit."""
    rows = [r for r in (answer.table or []) if concept is None or r.concept == concept]
    numeric = [r for r in rows if r.value is not None]
    unset = [r.city for r in rows if not r.target]
    in_text = [r.city for r in rows if r.target and r.value is None]
    notes = []
    if unset:
        notes.append(f"{'、'.join(unset)}：{NOT_SET}（图中不显示，不按 0 计）。")
    if in_text:
        notes.append(f"{'、'.join(in_text)}的表述不是指标表中的数值，未作图。")
    written = {r.unit or "" for r in numeric}
    units = {SAME_UNIT.get(u, u) for u in written}
    if not numeric:
        return None, " ".join(notes + ["没有可作图的数值目标。"])
    if len(units) > 1:
        return None, " ".join(notes + [f"各规划的单位不同（{'、'.join(sorted(u or '无单位' for u in written))}），不作图比较。"])
    years = {r.year for r in numeric}
    if len(years) > 1:
        notes.append("各规划的目标年份不同，已在城市名后标注。")
    frame = pd.DataFrame({
        "城市": [f"{r.city}（{r.year}）" if len(years) > 1 and r.year else r.city for r in numeric],
        "目标值": [float(r.value) for r in numeric],
        "规划表述": [r.target or "" for r in numeric],
    })
    if any(written):
        notes.append(f"单位：{'、'.join(sorted(written))}。")
    return frame, " ".join(notes)


# -- 资格自查 ---------------------------------------------------------------------------------
# -- 版本对比 ---------------------------------------------------------------------------------
def _figure(value: str | None, year: int | None, unit: str | None) -> str:
    if not value:
        return "—"
    return f"{year}年 {value}{unit or ''}" if year else f"{value}{unit or ''}"


def _change(row: Any) -> str:
    if row.change is None:
        return "—"
    unit = (row.new or row.old).unit or ""
    step = f"{_number(abs(row.change))}{'个百分点' if unit == '%' else unit}"
    pct = f"（{'+' if row.change >= 0 else '-'}{_number(round(abs(row.change_pct), 1))}%）" if row.change_pct is not None else ""
    return f"{'提高' if row.change >= 0 else '降低'}{step}{pct}" if row.change else "持平"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


class VersionMarkers:
    """[n] markers for the 版本对比 view's citations: one number per cited span, shared by its two tables."""

    def __init__(self) -> None:
        self.cited: list[Citation] = []

    def __call__(self, *sources: Any) -> str:
        out = []
        for s in sources:
            if s is None:
                continue
            key = (s.doc_id, s.char_start, s.char_end)
            found = next((n for n, c in enumerate(self.cited, 1) if (c.doc_id, c.char_start, c.char_end) == key), None)
            if found is None:
                self.cited.append(s)
                found = len(self.cited)
            out.append(f"[{found}]")
        return "".join(dict.fromkeys(out)) or "—"


def version_table(diff: Any, marker: VersionMarkers | None = None) -> tuple[pd.DataFrame, list[Citation]]:
    """(the table, its citations numbered by the 引用 column): one row per indicator of a `VersionDiff` —
    延续 (both plans), 新增, 不再列出 — each plan's base and target with years, the change and the verdict."""
    old, new = diff.old.label, diff.new.label
    columns = ["类别", "指标", f"{old}基期", f"{old}目标", f"{new}基期", f"{new}目标", "目标变化", f"{old}目标完成情况", "引用"]
    marker = marker or VersionMarkers()

    rows = []
    for kind, items in (("延续", diff.indicators), ("新增", diff.added), ("不再列出", diff.dropped)):
        for r in items:
            o, n = r.old, r.new
            status = r.status or "—"
            if r.status and r.actual and n is None:
                status += f"（{new}规划：{r.actual}{o.unit or ''}）"
            rows.append({
                "类别": kind,
                "指标": r.indicator if o is None or n is None or o.indicator == n.indicator else f"{n.indicator}（{old}：{o.indicator}）",
                f"{old}基期": _figure(o.base, o.base_year, o.unit) if o else "—",
                f"{old}目标": _figure(o.target, o.target_year, o.unit) if o else "—",
                f"{new}基期": _figure(n.base, n.base_year, n.unit) if n else "—",
                f"{new}目标": _figure(n.target, n.target_year, n.unit) if n else "—",
                "目标变化": _change(r),
                f"{old}目标完成情况": status,
                "引用": marker(o.citation if o else None, n.citation if n else None, r.actual_citation),
            })
    return pd.DataFrame(rows, columns=columns), marker.cited


# What each list of a `VersionDiff`'s one-plan-only sections and topics is called on the page: a task section only
# the newer plan has is new, one only the older plan has is no longer a section of its own; a taxonomy topic is read
# from section titles, so the newer plan may still mention a "dropped" topic in its text.
VERSION_ONLY_KINDS = (("sections_added", "新增章节", "new"), ("sections_dropped", "不再单独成节", "old"),
                      ("topics_added", "新增主题（仅新版章节标题涉及）", "new"),
                      ("topics_dropped", "减少的主题（仅旧版章节标题涉及）", "old"))
VERSION_ONLY_COLUMNS = ["类别", "规划", "章节或主题", "引用"]


def version_only_table(diff: Any, marker: VersionMarkers) -> pd.DataFrame:
    """The task sections and taxonomy topics only one plan of a `VersionDiff` has, one row each, cited on that
    plan with the markers of `marker` (so they continue the indicator table's numbering and share its cards)."""
    rows = []
    for field, kind, side in VERSION_ONLY_KINDS:
        plan = getattr(diff, side)
        for item in getattr(diff, field):
            rows.append({"类别": kind, "规划": plan.label, "章节或主题": item.title, "引用": marker(*item.citations)})
    return pd.DataFrame(rows, columns=VERSION_ONLY_COLUMNS)


def citation_for(answer: Answer, item: ChecklistItem) -> int | None:
    """The [n] of the citation that quotes a checklist measure."""
    for n, c in enumerate(answer.citations, 1):
        if c.doc_id == item.doc_id and c.quote == item.measure:
            return n
    return None


def preparation(item: ChecklistItem) -> list[str]:
    """What the applicant should get ready, derived only from what the clause states or leaves open."""
    notes = []
    for cond in item.conditions:
        if cond.status == "unknown":
            notes.append(f"核实是否符合“{cond.text}”，准备相应证明材料")
        elif cond.status == "not met":
            notes.append(f"目前不符合“{cond.text}”，可先了解达到该条件的途径")
    if not item.conditions:
        notes.append("规划未列出具体条件，以主管部门发布的申报通知为准")
    if not item.amount_given:
        notes.append("规划未写明支持金额或门槛，需查阅配套实施细则")
    return notes


def profile_summary(profile: dict[str, Any]) -> str:
    labels = {"city": "城市", "type": "主体类型", "industry": "行业", "stage": "发展阶段", "rd_level": "研发机构级别",
              "needs": "想了解的支持", "text": "补充说明"}
    return "；".join(f"{labels[k]}：{'、'.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                    for k, v in profile.items() if k in labels and v)


def measure_title(measure: str, limit: int = 28) -> str:
    """A measure's lead-in phrase ("推进新型研发机构权益分配改革:继续…" → its part before the first pause)."""
    head = re.split(r"[：:，,；;。]", measure.strip(), maxsplit=1)[0]
    return head if len(head) <= limit else head[:limit] + "…"


def checklist_markdown(answer: Answer, index: IndexView, profile: dict[str, Any]) -> str:
    """The eligibility checklist as Markdown: shown on the page and exported as a file."""
    lines = ["## 资格自查结果", "", f"**您的情况**：{profile_summary(profile) or '未填写'}", ""]
    if answer.refused or not answer.checklist:
        lines += ["> **未找到依据**：" + answer.text.replace("\n", " "), ""]
    for k, item in enumerate(answer.checklist or [], 1):
        n = citation_for(answer, item)
        marker = f"[{n}]" if n else ""
        section = item.section or ""
        lines += [
            f"### {k}. {'【' + item.need + '】' if item.need else ''}{measure_title(item.measure)}",
            f"- **出处**：{title_of(index, item.doc_id)} › {section_path(section)}",
            f"- **原文**：{item.measure}{marker}",
        ]
        if item.conditions:
            lines.append("- **条件**：")
            for cond in item.conditions:
                lines.append(f"  - 【{STATUS_LABELS.get(cond.status, '待确认')}】{cond.text}")
        else:
            lines.append("- **条件**：规划未列出")
        lines.append("- **需准备**：" + "；".join(preparation(item)))
        lines.append("")
    if answer.citations:
        lines += ["### 引用", ""]
        lines += [f"- [{n}] {title_of(index, c.doc_id)} · {section_path(c.section)}（{c.doc_id}，字符 {c.char_start}–{c.char_end}）"
                  for n, c in enumerate(answer.citations, 1)]
        lines.append("")
    lines.append("*条件状态只依据您填写的信息判断；“待确认”表示规划有该条件而您未说明。以主管部门正式通知为准。*")
    return "\n".join(lines)


# -- 规划 -------------------------------------------------------------------------------------
PLAN_COLUMNS = ["城市", "标题", "类别", "规划期", "发文机关", "文号", "日期", "条款数", "来源", "doc_id"]


def plans_table(index: IndexView, uploaded_files: Iterable[str] = ()) -> pd.DataFrame:
    """The indexed plans with their metadata and clause counts; uploaded ones marked as such. Each plan's kind and
    period are read as the assistant reads them (ingest/periods.py), a period over by today marked 规划期已结束."""
    uploaded = set(uploaded_files)
    year = today_year()
    rows = []
    for doc_id, meta in sorted(index.docs.items(), key=lambda kv: (kv[1].city or "", kv[0])):
        period, ended = period_of(meta, year)
        shown = (period.display() + (f"，{ENDED}" if ended else "")) if period else (meta.period or "—")
        rows.append({
            "城市": meta.city or "—", "标题": meta.title, "类别": plan_kind(meta.title or "", period) or "—", "规划期": shown,
            "发文机关": meta.issuer or "—", "文号": meta.doc_number or "—",
            "日期": meta.date or (str(meta.year) if meta.year else "—"), "条款数": len(index.clause_ids_of(doc_id)),
            "来源": "上传" if meta.file in uploaded else "内置", "doc_id": doc_id,
        })
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def outline_markdown(index: IndexView, doc_id: str | None) -> str:
    """A plan's heading tree as an indented Markdown list."""
    if not doc_id or doc_id not in index.docs:
        return "选择一个规划查看目录。"
    meta = index.docs[doc_id]
    headings: Sequence[Heading] = index.headings.get(doc_id, [])
    lines = [f"#### {meta.title}", ""]
    if not headings:
        lines.append("（该规划没有识别出标题层级，按正文段落索引。）")
    lines += ["  " * (max(h.level, 1) - 1) + f"- {h.title}" for h in headings]
    return "\n".join(lines)
