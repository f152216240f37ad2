"""PlanQA as an MCP server: tools `ask`, `search`, `compare`, `check_eligibility`, `list_plans`.

    python -m assistant.mcp            # over stdio, for an agent that starts it (Claude Desktop, an IDE …)

The same server is served over streamable HTTP at `/mcp` by the web app (`webui/server.py`).
Each tool calls the operation of the same name in `assistant.tools`, so answers, checks and
messages are those of the JSON API. Every tool returns structured content (the JSON of the
models in `assistant.contract`: answers with exact citations, offsets into the plan's source
text) and its text. Input a tool cannot take comes back as a tool error saying what to send.

Built with the official SDK (`mcp` 2.x: `mcp.server.mcpserver.MCPServer`). The index is loaded
on the first call, so an agent's `initialize` and `tools/list` are answered at once.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from assistant import tools
from assistant.contract import (
    ApiAnswer,
    ComparisonResult,
    EligibilityResult,
    PlanInfo,
    Profile,
    SearchHit,
)

if TYPE_CHECKING:
    from assistant.service import Assistant

INSTRUCTIONS = (
    "PlanQA answers questions about Chinese local science-and-technology innovation plans (科技创新规划) and "
    "cites the exact clause every statement rests on: each citation gives doc_id, section, the quote and its "
    "char_start/char_end in the plan's source text. Ask in Chinese. `list_plans` names the plans and cities; "
    "`ask` answers (a refusal says the plans do not state it); `compare` puts one indicator side by side across "
    "cities; `check_eligibility` lists the support measures an applicant may qualify for; `search` returns clauses."
)

Names = Annotated[list[str] | None, Field(description="names, e.g. [\"南京市\"]; omitted or empty: all")]


def build_server(get_assistant: Callable[[], Assistant], name: str = "planqa") -> MCPServer:
    """The MCP server over the assistant `get_assistant()` returns (called on each tool call)."""
    server = MCPServer(name, title="PlanQA 科创规划问答", instructions=INSTRUCTIONS, version="0.1.0")

    def run(fn: Callable[..., object], *args, **kwargs):
        try:
            return fn(get_assistant(), *args, **kwargs)
        except tools.InputError as exc:
            raise ToolError(str(exc)) from None
        except tools.Unavailable as exc:
            raise ToolError(f"PlanQA 暂不可用：{exc}") from None

    @server.tool(description="Answer a question about the plans, with exact citations. `history`: the user's "
                             "earlier questions, oldest first (follow-ups such as “那南通呢？”). `cities`/`doc_ids` "
                             "restrict the plans (a question about a city outside them is refused and says so). "
                             "`profile` (city, type, industry, stage, rd_level, needs, text) for eligibility questions.")
    def ask(question: Annotated[str, Field(description="the question, in Chinese, e.g. 南京到2025年高新技术企业要达到多少家？")],
            history: Annotated[list[str] | None, Field(description="earlier user questions, oldest first")] = None,
            cities: Names = None, doc_ids: Names = None, profile: Profile | None = None) -> ApiAnswer:
        record, _ = run(tools.ask, question, history, tools.make_filters(cities, doc_ids), profile)
        return record

    @server.tool(description="The clauses that best match `query` (hybrid BM25 + dense retrieval, reranked), "
                             "each with its plan, section, text and exact offsets.")
    def search(query: Annotated[str, Field(description="words to look for, e.g. 科技金融 贷款")],
               k: Annotated[int, Field(ge=1, le=tools.MAX_SEARCH_K, description="how many clauses")] = 10,
               cities: Names = None, doc_ids: Names = None) -> list[SearchHit]:
        return run(tools.search, query, k, tools.make_filters(cities, doc_ids))

    @server.tool(description="Compare one indicator (e.g. 高新技术企业数, 研发投入强度, 技术合同成交额) across cities: "
                             "one row per city with the target the plan sets (or none), each cited.")
    def compare(indicator: Annotated[str, Field(description="the indicator, e.g. 高新技术企业数")],
                cities: Annotated[list[str] | None, Field(description="two or more cities; omitted: all")] = None,
                ) -> ComparisonResult:
        return run(tools.compare, indicator, cities)

    @server.tool(description="The support measures an applicant may be eligible for, with the conditions each "
                             "attaches (met / not met / unknown from what the profile tells) and where it is stated.")
    def check_eligibility(profile: Profile) -> EligibilityResult:
        return run(tools.check_eligibility, profile)

    @server.tool(description="The plans PlanQA can answer from: doc_id, title, city, issuer, period.")
    def list_plans() -> list[PlanInfo]:
        return run(tools.list_plans)

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
