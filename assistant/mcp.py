"""PlanQA as an MCP server: tools `ask`, `search`, `compare`, `versions`, `check_eligibility`, `list_plans`.

    python -m assistant.mcp            # over stdio, for an agent that starts it (Claude Desktop, an IDE …)

The same server is served over streamable HTTP at `/mcp` by the web app (`webui/server.py`).
Each tool calls the operation of the same name in `assistant.tools`, so answers, checks and
messages are those of the JSON API. Every tool returns structured content (the JSON of the
models in `assistant.contract`: answers with exact citations, offsets into the plan's source
text) and its text. Input a tool cannot take comes back as a tool error saying, in plain words, what to send
(never pydantic's raw text); the limits are the JSON API's (message length, history, filters) and
answers take the same slots (`slot`: at most PLANQA_API_CONCURRENCY at once).

Built with the official SDK (`mcp` 2.x: `mcp.server.mcpserver.MCPServer`). The index is loaded
on the first call, so an agent's `initialize` and `tools/list` are answered at once; a tool call
made meanwhile waits for it (as long as `get_assistant` waits) and otherwise gets a tool error
carrying the reason.
"""
from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import Field, ValidationError

from assistant import tools, version_table
from assistant.contract import (
    ApiAnswer,
    ComparisonResult,
    EligibilityResult,
    PlanInfo,
    Profile,
    SearchHit,
    VersionDiff,
)

if TYPE_CHECKING:
    from assistant.service import Assistant

INSTRUCTIONS = (
    "PlanQA answers questions about Chinese local science-and-technology innovation plans (科技创新规划) and "
    "cites the exact clause every statement rests on: each citation gives doc_id, section, the quote and its "
    "char_start/char_end in the plan's source text. Ask in Chinese. `list_plans` names the plans and cities; "
    "`ask` answers (a refusal says the plans do not state it); `compare` puts one indicator side by side across "
    "cities; `versions` relates a city's two plans of different periods (what changed, were old targets met); "
    "`check_eligibility` lists the support measures an applicant may qualify for; `search` returns clauses."
)

Cities = Annotated[list[str] | None, Field(max_length=tools.MAX_CITIES,
                                           description="city names, e.g. [\"南京市\"]; omitted or empty: all")]
DocIds = Annotated[list[str] | None, Field(max_length=tools.MAX_DOC_IDS,
                                           description="plan ids, e.g. [\"nanjing-2021\"]; omitted or empty: all")]
DEFAULT_MAX_MESSAGE_CHARS = 2000  # PLANQA_MAX_MESSAGE_CHARS's default (webui/settings.py); the web app passes its own


class PlainServer(MCPServer):
    """An MCPServer whose tool errors for malformed arguments say in plain words what to send."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"{name} 的参数有误：{tools.plain_errors(exc.__cause__.errors())}") from None
            raise


def build_server(get_assistant: Callable[[], Assistant], name: str = "planqa", *,
                 max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
                 slot: Callable[[], AbstractContextManager[Any]] | None = None) -> MCPServer:
    """The MCP server over the assistant `get_assistant()` returns (called on each tool call; it may wait for
    the index and raise `tools.Unavailable`). `slot()` is held while an answer is computed."""
    server = PlainServer(name, title="PlanQA 科创规划问答", instructions=INSTRUCTIONS, version="0.1.0")
    hold = slot or contextlib.nullcontext

    def run(fn: Callable[..., object], *args, texts: dict[str, list[str]] | None = None, slotted: bool = True,
            **kwargs):
        try:
            for field, values in (texts or {}).items():
                tools.check_length(field, values, max_message_chars)
            assistant = get_assistant()
            with hold() if slotted else contextlib.nullcontext():
                return fn(assistant, *args, **kwargs)
        except tools.InputError as exc:
            raise ToolError(str(exc)) from None
        except tools.Unavailable as exc:
            raise ToolError(f"PlanQA 暂不可用：{tools.hide_paths(str(exc))}") from None

    @server.tool(description="Answer a question about the plans, with exact citations. `history`: the user's "
                             "earlier questions, oldest first (follow-ups such as “那南通呢？”). `cities`/`doc_ids` "
                             "restrict the plans (a question about a city outside them is refused and says so). "
                             "`profile` (city, type, industry, stage, rd_level, needs, text) for eligibility questions.")
    def ask(question: Annotated[str, Field(description="the question, in Chinese, e.g. 南京到2025年高新技术企业要达到多少家？")],
            history: Annotated[list[str] | None, Field(max_length=tools.MAX_HISTORY_ITEMS,
                                                       description="earlier user questions, oldest first")] = None,
            cities: Cities = None, doc_ids: DocIds = None, profile: Profile | None = None) -> ApiAnswer:
        record, _ = run(tools.ask, question, history, tools.make_filters(cities, doc_ids), profile,
                        texts={"question": [question], "history": history or []})
        return record

    @server.tool(description="The clauses that best match `query` (hybrid BM25 + dense retrieval, reranked), "
                             "each with its plan, section, text and exact offsets.")
    def search(query: Annotated[str, Field(description="words to look for, e.g. 科技金融 贷款")],
               k: Annotated[int, Field(ge=1, le=tools.MAX_SEARCH_K, description="how many clauses")] = 10,
               cities: Cities = None, doc_ids: DocIds = None) -> list[SearchHit]:
        filters = tools.make_filters(cities, doc_ids) if cities or doc_ids else None
        return run(tools.search, query, k, filters, texts={"query": [query]})

    @server.tool(description="Compare one indicator (e.g. 高新技术企业数, 研发投入强度, 技术合同成交额) across cities: "
                             "one row per city with the target the plan sets (or none), each cited. Only the given "
                             "cities' plans are read (a city the indicator names outside them is said so).")
    def compare(indicator: Annotated[str, Field(max_length=tools.MAX_INDICATOR_CHARS,
                                                description="the indicator, e.g. 高新技术企业数")],
                cities: Annotated[list[str] | None, Field(max_length=tools.MAX_CITIES,
                                                          description="two or more cities; omitted: all")] = None,
                ) -> ComparisonResult:
        return run(tools.compare, indicator, cities)

    @server.tool(description="What changed between two plans of one city (e.g. its 十四五 and 十五五 plans): per indicator "
                             "the old and new base and target with their years, the change (absolute and %), whether "
                             "the old target was met by the newer plan's figure (达成 / 未达成 / 无法判断), and the new "
                             "and dropped indicators; each figure cited on its own plan. `doc_ids`: the two plans "
                             "(default: the city's current plan and the one before it).")
    def versions(city: Annotated[str | None, Field(max_length=40, description="the city, e.g. 南京市")] = None,
                 doc_ids: Annotated[list[str] | None, Field(max_length=2, description="two plans of the city")] = None,
                 ) -> VersionDiff:
        return run(version_table.versions, city, doc_ids)

    @server.tool(description="The support measures an applicant may be eligible for, with the conditions each "
                             "attaches (met / not met / unknown from what the profile tells) and where it is stated. "
                             "Only the plans of `cities`/`doc_ids`, else of the profile's city, are read (a place "
                             "the profile's text names outside them is said so).")
    def check_eligibility(profile: Profile, cities: Cities = None, doc_ids: DocIds = None) -> EligibilityResult:
        filters = tools.make_filters(cities, doc_ids) if cities or doc_ids else None
        return run(tools.check_eligibility, profile, filters)

    @server.tool(description="The plans PlanQA can answer from: doc_id, title, city, issuer, period.")
    def list_plans() -> list[PlanInfo]:
        return run(tools.list_plans, slotted=False)

    return server


def lazy_assistant() -> Callable[[], Assistant]:
    """`Assistant.from_index()` on first use, then the same one (thread-safe)."""
    lock = threading.Lock()
    loaded: list[Assistant] = []

    def get() -> Assistant:
        with lock:
            if not loaded:
                from assistant.service import Assistant

                try:
                    loaded.append(Assistant.from_index())
                except Exception as exc:  # noqa: BLE001 — the index errors name the rebuild command
                    raise tools.Unavailable(str(exc)) from None
            return loaded[0]

    return get


def main() -> int:
    build_server(lazy_assistant()).run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
