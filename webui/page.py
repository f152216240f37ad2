"""The Gradio page: 问答 (chat with cited clauses), 城市对比, 版本对比, 资格自查 and 规划库, and the Gradio API's `/ask`.

The page is Chinese whatever the browser's language (`ChinesePage`: Gradio's own words in its zh-CN messages),
and the chat keeps the last question and the start of its answer in view (`KEEP_QUESTION_IN_VIEW`).

`build_app` makes the Blocks; `mount_page` mounts them at "/" on the server's FastAPI application
(`webui/server.py`) with the login, theme and limits of `ServeSettings`. Every event calls a
handler of `webui.handlers` or the plan library.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import gradio as gr
import tqdm
from fastapi import FastAPI

from assistant.service import Assistant
from index.settings import IndexSettings
from ingest import SUPPORTED_EXTENSIONS
from webui import handlers, render
from webui.exports import ExportFolder
from index.library import PlanLibrary, UploadError
from webui.openai_api import pieces
from webui.settings import ServeSettings

# Gradio's track_tqdm (the upload and remove events below) patches tqdm's close to read `self._progress`, which a bar
# made before the patch lacks (the index build's, at start-up): garbage-collected later, its __del__ logged a traceback.
# A class default gives every bar the attribute; gradio sets it on the bars it makes itself.
tqdm.tqdm._progress = None

CSS_PATH = Path(__file__).with_name("style.css")
LIBRARY_POLL_S = 10  # how often an open page checks whether the library changed
GRADIO_CACHE_S = 3600  # Gradio's copies of uploads and exports are removed after an hour

# After every change of the chat (each streamed piece too), its scroll box shows the last question at the top, so
# the answer's first lines stay in view however long the answer and its citation list grow (Gradio's own
# autoscroll, off, would follow the end of the answer: the citation list).
KEEP_QUESTION_IN_VIEW = """() => requestAnimationFrame(() => {
  const box = document.querySelector('#pq-chat .bubble-wrap');
  const asked = box ? box.querySelectorAll('.message-row.user-row') : [];
  if (!asked.length) return;
  const last = asked[asked.length - 1];
  box.scrollTop = Math.max(0, last.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8);
})"""

THEME = gr.themes.Soft(
    primary_hue="blue",
    neutral_hue="slate",
    font=["system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"],  # no web fonts: offline
    font_mono=["ui-monospace", "monospace"],
)


def build_app(assistant: Assistant, library: PlanLibrary, serve: ServeSettings | None = None) -> gr.Blocks:
    """The page; every event calls a handler of `webui.handlers` or the plan library."""
    serve = serve or ServeSettings()
    index = assistant.index
    exports = ExportFolder()  # <temp>/planqa-exports: Gradio sends files only from the temp folder or the cwd

    def header_html() -> str:
        idx = assistant.index
        cities = "、".join(idx.cities)
        return (f'<div class="pq-header"><h1>科创规划问答 · PlanQA</h1>'
                f"<p>已收录 {len(idx.docs)} 个地方科技创新规划（{cities}）。每个回答都引用规划原文条款，"
                f"可在右侧查看条款所在章节与上下文。</p></div>")

    def plan_choices() -> list[tuple[str, str]]:
        return [(f"{m.title}（{m.city or doc_id}）", doc_id) for doc_id, m in sorted(assistant.index.docs.items())]

    with gr.Blocks(title="PlanQA 科创规划问答", delete_cache=(GRADIO_CACHE_S, GRADIO_CACHE_S)) as demo:
        header = gr.HTML(header_html())
        with gr.Tabs():
            # -- 问答 ------------------------------------------------------------------------
            with gr.Tab("问答", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=7):
                    with gr.Row():
                        city_filter = gr.Dropdown(index.cities, multiselect=True, label="限定城市（不选则检索全部）",
                                                  scale=1)
                        plan_filter = gr.Dropdown(plan_choices(), multiselect=True, label="限定规划", scale=2,
                                                  elem_id="pq-plan-filter")
                    chatbot = gr.Chatbot(label="对话", height=480, elem_id="pq-chat", buttons=["copy"],
                                         feedback_options=None, layout="bubble", autoscroll=False,
                                         placeholder="请输入关于各地科技创新规划的问题，例如目标数值、重点任务、支持政策。")
                    with gr.Row():
                        question = gr.Textbox(placeholder="例如：南京到2025年高新技术企业要达到多少家？", show_label=False,
                                              scale=8, elem_id="pq-question", submit_btn=False, max_lines=4)
                        ask_btn = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="pq-ask")
                        clear_btn = gr.Button("新对话", scale=1, min_width=80)
                    with gr.Row(equal_height=False):
                        gr.Examples([[q] for q in handlers.EXAMPLES_OFFICIALS], inputs=[question], label="示例 · 政府部门")
                        gr.Examples([[q] for q in handlers.EXAMPLES_ENTERPRISES], inputs=[question],
                                    label="示例 · 企业与机构")
                with gr.Column(scale=5):
                    gr.Markdown("#### 来源")
                    sources = gr.HTML(render.NO_SOURCES, elem_id="pq-sources")

            # -- 城市对比 ----------------------------------------------------------------------
            with gr.Tab("城市对比", id="compare"):
                choices = handlers.indicator_choices(index)
                with gr.Row():
                    concept = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="指标",
                                          info="来自各规划的指标表", scale=2, elem_id="pq-concept")
                    compare_cities = gr.CheckboxGroup(index.cities, value=index.cities, label="城市", scale=3)
                    compare_btn = gr.Button("对比", variant="primary", scale=1, min_width=80, elem_id="pq-compare")
                compare_note = gr.Markdown(elem_classes=["pq-note"])
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        compare_table = gr.Dataframe(label="对比表（“引用”对应右侧条款）", interactive=False, wrap=True,
                                                     elem_id="pq-compare-table")
                        compare_chart = gr.BarPlot(x="城市", y="目标值", title="规划目标值", tooltip=["城市", "目标值", "规划表述"],
                                                   sort=None, y_lim=[0, None], visible=False, height=300)
                    with gr.Column(scale=2):
                        gr.Markdown("#### 引用条款")
                        compare_sources = gr.HTML(render.NO_SOURCES, elem_id="pq-compare-sources")

            # -- 版本对比 ----------------------------------------------------------------------
            with gr.Tab("版本对比", id="versions"):
                series_cities = handlers.version_cities(index)
                with gr.Row():
                    version_city = gr.Dropdown(series_cities, value=None, label="城市（有两个时期规划的城市）", scale=3,
                                               elem_id="pq-version-city")
                    version_btn = gr.Button("对比两版", variant="primary", scale=1, min_width=80, elem_id="pq-versions")
                version_note = gr.Markdown(handlers.version_hint(index), elem_classes=["pq-note"],
                                           elem_id="pq-version-note")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        version_table = gr.Dataframe(label="两版指标对比（“引用”对应右侧条款）", interactive=False, wrap=True,
                                                     elem_id="pq-version-table",
                                                     column_widths=["7%", "21%", "10%", "10%", "10%", "10%", "14%", "10%", "8%"])
                        version_only = gr.Dataframe(label="只在一版中的章节与主题（“引用”对应右侧条款）", interactive=False,
                                                    wrap=True, elem_id="pq-version-only",
                                                    column_widths=["24%", "10%", "46%", "20%"])
                    with gr.Column(scale=2):
                        gr.Markdown("#### 引用条款")
                        version_sources = gr.HTML(render.NO_SOURCES, elem_id="pq-version-sources")

            # -- 资格自查 ----------------------------------------------------------------------
            with gr.Tab("资格自查", id="eligibility"), gr.Row(equal_height=False):
                with gr.Column(scale=2):
                    p_city = gr.Dropdown(index.cities, value=None, label="所在城市", elem_id="pq-city")
                    p_type = gr.Dropdown(list(handlers.SUBJECT_TYPES), value="科技型中小企业", label="主体类型",
                                         allow_custom_value=True, elem_id="pq-type")
                    p_industry = gr.Textbox(label="所属行业", placeholder="如：生物医药、新材料、软件")
                    p_stage = gr.Dropdown(list(handlers.STAGES), value=None, label="发展阶段", allow_custom_value=True)
                    p_rd = gr.Radio(list(handlers.RD_LEVELS), value="无", label="已有研发机构级别")
                    p_needs = gr.CheckboxGroup(list(handlers.NEEDS), value=[], label="想了解的支持（可多选）",
                                               info="不选则按补充说明和主体类型查找", elem_id="pq-needs")
                    p_text = gr.Textbox(label="补充说明", lines=3, elem_id="pq-text",
                                        placeholder="如：已进入高企培育库；去年研发投入占营收6%；想找银行贷款")
                    check_btn = gr.Button("开始自查", variant="primary", elem_id="pq-check")
                with gr.Column(scale=3):
                    checklist = gr.Markdown("填写左侧信息后点击“开始自查”，这里列出可能适用的支持措施、条件是否满足和需准备的材料。",
                                            elem_id="pq-checklist")
                    export = gr.File(label="导出 Markdown", interactive=False, elem_id="pq-export")
                    with gr.Accordion("引用条款", open=False):
                        check_sources = gr.HTML(render.NO_SOURCES)

            # -- 规划库 ------------------------------------------------------------------------
            with gr.Tab("规划库", id="plans"):
                plans = gr.Dataframe(render.plans_table(index, library.uploaded()), label="已索引的规划",
                                     interactive=False, wrap=True, elem_id="pq-plans",
                                     column_widths=["8%", "24%", "9%", "15%", "13%", "9%", "6%", "6%", "10%"])
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        outline_pick = gr.Dropdown(plan_choices(), value=next(iter(sorted(index.docs)), None), label="查看目录")
                        outline = gr.Markdown(render.outline_markdown(index, next(iter(sorted(index.docs)), None)),
                                              max_height=420, elem_id="pq-outline")
                    with gr.Column(scale=2):
                        upload = gr.File(label=f"上传规划（txt / md / docx / pdf / html，不超过 {serve.max_upload_mb:.0f} MB）",
                                         file_types=list(SUPPORTED_EXTENSIONS), type="filepath", elem_id="pq-upload")
                        upload_btn = gr.Button("加入并重建索引", variant="primary", elem_id="pq-upload-btn")
                        removable = gr.Dropdown(library.uploaded(), value=None, label="已上传的规划（内置规划不可删除）",
                                                elem_id="pq-removable")
                        remove_btn = gr.Button("删除所选规划并重建索引", variant="stop", elem_id="pq-remove-btn")
                        library_status = gr.Markdown(elem_id="pq-library-status")

        # -- events ----------------------------------------------------------------------------
        def on_ask(q: str, history: list, cities: list, doc_ids: list):
            """The answer streams into the chat piece by piece; the final bubble and the sources come last."""
            turn = handlers.chat(assistant, q, history, cities, doc_ids)
            if turn.answer is not None and not turn.answer.refused and not turn.answer.notice:
                shown = ""
                for piece in pieces(turn.answer.text):
                    shown += piece
                    yield [*turn.history[:-1], {"role": "assistant", "content": html.escape(shown)}], gr.skip(), ""
            yield turn.history, turn.sources, turn.question_box

        def on_select(history: list, cities: list, doc_ids: list, evt: gr.SelectData):
            """Clicking an earlier message brings back its sources."""
            position = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            return handlers.sources_of_message(assistant, history, int(position), cities, doc_ids)

        ask_inputs = [question, chatbot, city_filter, plan_filter]
        ask_outputs = [chatbot, sources, question]
        ask_btn.click(on_ask, ask_inputs, ask_outputs, api_visibility="private")
        question.submit(on_ask, ask_inputs, ask_outputs, api_visibility="private")
        clear_btn.click(lambda: ([], render.NO_SOURCES, ""), None, [chatbot, sources, question],
                        api_visibility="private")
        chatbot.change(None, None, None, js=KEEP_QUESTION_IN_VIEW, api_visibility="private", queue=False)
        chatbot.select(on_select, [chatbot, city_filter, plan_filter], sources, api_visibility="private")

        def on_compare(c: str, cities: list):
            result = handlers.compare(assistant, c, cities)
            chart = gr.BarPlot(value=result.chart, visible=result.chart is not None)
            return result.note, result.table, chart, result.sources

        compare_outputs = [compare_note, compare_table, compare_chart, compare_sources]
        compare_btn.click(on_compare, [concept, compare_cities], compare_outputs, api_visibility="private")
        concept.input(on_compare, [concept, compare_cities], compare_outputs, api_visibility="private")

        def on_versions(city: str | None):
            result = handlers.versions(assistant, city)
            return result.note, result.table, result.only, result.sources

        version_outputs = [version_note, version_table, version_only, version_sources]
        version_btn.click(on_versions, version_city, version_outputs, api_visibility="private")
        version_city.input(on_versions, version_city, version_outputs, api_visibility="private")

        def on_check(city, kind, industry, stage, rd, needs, text, request: gr.Request):
            profile = {"city": city, "type": kind, "industry": industry, "stage": stage, "rd_level": rd,
                       "needs": needs, "text": text}
            result = handlers.eligibility(assistant, profile, exports, session=request.session_hash)
            return result.markdown, result.export_path, result.sources

        check_btn.click(on_check, [p_city, p_type, p_industry, p_stage, p_rd, p_needs, p_text], [checklist, export, check_sources],
                        api_visibility="private")
        outline_pick.change(lambda d: render.outline_markdown(assistant.index, d), outline_pick, outline,
                            api_visibility="private")

        refreshed = [header, plans, outline_pick, removable, city_filter, plan_filter, concept, compare_cities, p_city,
                     version_city, version_note]

        def refresh(scope: list[str] | None = None, all_cities: bool = False) -> tuple[Any, ...]:
            """The library's choices on every control; `scope` also sets the chat's 限定规划, `all_cities` clears
            限定城市 (a city chosen before would hide the plan just uploaded)."""
            idx = assistant.index
            cities = gr.Dropdown(choices=idx.cities, value=[]) if all_cities else gr.Dropdown(choices=idx.cities)
            chosen = gr.Dropdown(choices=plan_choices()) if scope is None else gr.Dropdown(choices=plan_choices(), value=scope)
            return (
                header_html(), render.plans_table(idx, library.uploaded()), gr.Dropdown(choices=plan_choices()),
                gr.Dropdown(choices=library.uploaded(), value=None), cities,
                chosen, gr.Dropdown(choices=handlers.indicator_choices(idx)),
                gr.CheckboxGroup(choices=idx.cities), gr.Dropdown(choices=idx.cities),
                gr.Dropdown(choices=handlers.version_cities(idx)), handlers.version_hint(idx),
            )

        def library_version() -> str:
            """Changes whenever a plan is added or removed (by this page, another page or another process)."""
            return f"{assistant.index.version}|{'/'.join(library.uploaded())}"

        # Every page sees the current library: on load (a reloaded page or a second tab), and, while it is
        # open, within LIBRARY_POLL_S of a change made elsewhere. Without this a page kept the choices it
        # was built with, and removing a plan uploaded later failed with "not in the list of choices".
        def on_load() -> tuple[Any, ...]:
            return (library_version(), *refresh())

        def on_tick(seen: str, chosen: list | None) -> tuple[Any, ...]:
            now = library_version()
            if now == seen:
                return tuple(gr.skip() for _ in range(len(refreshed) + 1))
            # a plan removed elsewhere leaves this page's 限定规划 too: a scope naming it would refuse every question
            return (now, *refresh(handlers.plans_in_library(chosen, assistant.index.docs)))

        seen = gr.State("")
        poll = gr.Timer(LIBRARY_POLL_S)
        demo.load(on_load, None, [seen, *refreshed], api_visibility="private", api_name="page_load", queue=False)
        poll.tick(on_tick, [seen, plan_filter], [seen, *refreshed], api_visibility="private", api_name="library_poll",
                  queue=False, show_progress="hidden")

        def who(request: gr.Request | None) -> str:
            """The client for the change log: its address, and the login name when there is one."""
            if request is None:
                return "-"
            host = request.client.host if request.client else "-"
            return f"{host} ({request.username})" if request.username else host

        # The plan just uploaded joins the chat's 限定规划: a question that names no place ("一共有几个专栏？")
        # then means that plan, not the whole library; the user sees the choice and can clear it.
        # Gradio finds the progress tracker by this default value (its documented idiom).
        def on_upload(path: str | None, chosen: list | None, request: gr.Request,
                      progress=gr.Progress(track_tqdm=True)):  # noqa: B008
            if not path:
                return ("请先选择一个规划文件。", None, library_version(), *refresh())
            progress(0, desc="校验文件")
            try:
                change = library.add(path, client=who(request))
            except UploadError as exc:
                return (f"**未加入**：{exc}", None, library_version(), *refresh())
            scope = handlers.plans_after_upload(chosen, change.doc_id, assistant.index.docs)
            note = "问答已限定为所选规划（含刚上传的这份），可在问答页的“限定规划”中更改。" if change.doc_id in scope else ""
            return (f"**{change.message}**{note}", None, library_version(), *refresh(scope, all_cities=True))

        def on_remove(name: str | None, chosen: list | None, request: gr.Request,
                      progress=gr.Progress(track_tqdm=True)):  # noqa: B008
            if not name:
                return ("请先选择要删除的上传规划。", library_version(), *refresh())
            progress(0, desc="删除并重建索引")
            try:
                change = library.remove(name, client=who(request))
            except UploadError as exc:
                return (f"**未删除**：{exc}", library_version(), *refresh())
            return (f"**{change.message}**", library_version(),
                    *refresh(handlers.plans_in_library(chosen, assistant.index.docs)))

        upload_btn.click(on_upload, [upload, plan_filter], [library_status, upload, seen, *refreshed], concurrency_limit=1,
                         concurrency_id="library", api_visibility="private")
        remove_btn.click(on_remove, [removable, plan_filter], [library_status, seen, *refreshed], concurrency_limit=1,
                         concurrency_id="library", api_visibility="private")

        def ask(question: str, cities: list[str] | None = None, plans: list[str] | None = None) -> dict:
            """Answer one question; returns the JSON contract (answer, refused, citations, retrieved, latency_ms)."""
            return handlers.ask_record(assistant, question, cities, plans)

        def ask_followup(question: str, history: list[str] | None = None, profile: dict | None = None,
                         cities: list[str] | None = None, plans: list[str] | None = None) -> dict:
            """Answer a question in a conversation: `history` is the user's earlier questions, oldest first;
            `profile` the eligibility fields. Returns the JSON contract, like `ask` (whose three inputs stay as they were)."""
            return handlers.ask_record(assistant, question, cities, plans, history, profile)

        gr.api(ask, api_name="ask")
        gr.api(ask_followup, api_name="ask_followup")
    demo.queue(default_concurrency_limit=serve.concurrency, max_size=serve.max_queue)
    return demo


# Gradio translates its own words (the uploader's "Drop File Here", "Clear", "Loading…") into the browser's
# language, read from `navigator.language` before any page script can run; this page is Chinese whatever the
# browser's language, so the served HTML says so first (Gradio's zh-CN messages then apply everywhere).
PAGE_LOCALE = "zh-CN"
_LOCALE_SCRIPT = (
    "<script>(() => {const lang = %s; for (const [k, v] of [['language', lang], ['languages', [lang, 'zh']]]) "
    "{try {Object.defineProperty(Navigator.prototype, k, {get: () => v, configurable: true});} catch (e) {}}})();"
    "</script>" % json.dumps(PAGE_LOCALE)
)


class ChinesePage:
    """ASGI middleware: the page's HTML (GET /) says it is Chinese, so Gradio picks its zh-CN messages."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []
        # the page's HTML is rewritten as text: ask for it uncompressed (it is small)
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k != b"accept-encoding"]}

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                headers = dict(message.get("headers", []))
                if not headers.get(b"content-type", b"").startswith(b"text/html") or b"content-encoding" in headers:
                    start["pass"] = True
                    await send(message)
                return
            if start.get("pass"):
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            html_bytes = localise(b"".join(body))
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(html_bytes)).encode()))
            await send({"type": "http.response.start", "status": start["status"], "headers": headers})
            await send({"type": "http.response.body", "body": html_bytes})

        await self.app(scope, receive, capture)


def localise(page: bytes) -> bytes:
    """The page's HTML with `lang` set to PAGE_LOCALE and the locale script first in <head>."""
    text = page.decode("utf-8", errors="replace")
    text = re.sub(r'(<html\b[^>]*?\blang=")[^"]*(")', rf"\g<1>{PAGE_LOCALE}\g<2>", text, count=1)
    text = re.sub(r"<head>", lambda m: m.group(0) + _LOCALE_SCRIPT, text, count=1)
    return text.encode("utf-8")


def mount_page(app: FastAPI, assistant: Assistant, index_settings: IndexSettings, serve: ServeSettings,
               build: Any = None) -> gr.Blocks:
    """Build the page over `assistant` and mount it at "/" on `app` (Gradio's login when PLANQA_AUTH is set)."""
    library = PlanLibrary(index_settings, serve.max_upload_bytes, current_docs=lambda: assistant.index.docs,
                          current_sources=lambda: assistant.index.sources)
    demo = (build or build_app)(assistant, library, serve)
    gr.mount_gradio_app(
        app, demo, "/", server_name=serve.host, server_port=serve.port, auth=serve.credentials,
        auth_message="PlanQA 需要登录" if serve.credentials else None,
        max_file_size=serve.max_upload_bytes, show_error=False, footer_links=["api"],
        theme=THEME, css_paths=[CSS_PATH], enable_monitoring=False,  # /monitoring/summary would be public
    )
    # Mounted, not launched, Gradio skips its own check that an event's input file is one it stored for an
    # upload (`processing_utils._check_allowed` returns early until `has_launched`): turn that check on too.
    demo.has_launched = True
    app.add_middleware(ChinesePage)  # type: ignore[arg-type]
    return demo
