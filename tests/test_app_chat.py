"""The chat streams its answer, and clicking an earlier message brings back its sources (issue 12, item 8).

In process: the page's own event functions over the session's index (the browser tests drive the same page)."""
from __future__ import annotations

import pytest

from webui import handlers, render


@pytest.fixture(scope="module")
def events(assistant, built_index, tmp_path_factory):
    from index.library import PlanLibrary
    from webui.page import build_app
    from webui.settings import ServeSettings

    demo = build_app(assistant, PlanLibrary(built_index), ServeSettings())
    return {fn.api_name: fn.fn for fn in demo.fns.values()}


NANJING = "南京到2025年高新技术企业要达到多少家？"


def test_the_answer_streams_into_the_chat(events):
    steps = list(events["on_ask"](NANJING, [], [], []))
    assert len(steps) >= 3
    partial = [s[0][-1]["content"] for s in steps[:-1]]
    assert all(len(a) < len(b) for a, b in zip(partial, partial[1:], strict=False))  # it grows
    history, sources, box = steps[-1]
    assert "20000" in history[-1]["content"] and "南京市“十四五”科技创新规划" in sources and box == ""
    assert history[0] == {"role": "user", "content": NANJING}


def test_a_refusal_or_an_error_comes_at_once(events):
    assert len(list(events["on_ask"]("   ", [], [], []))) == 1
    assert len(list(events["on_ask"]("苏州“十四五”高新技术企业目标是多少家？", [], [], []))) == 1


def test_clicking_an_earlier_message_brings_back_its_sources(assistant):
    first = handlers.chat(assistant, NANJING, [])
    second = handlers.chat(assistant, "那南通呢？", first.history)
    history = second.history
    assert len(history) == 4
    for position in (0, 1):  # the question or its answer
        shown = handlers.sources_of_message(assistant, history, position)
        assert "南京市“十四五”科技创新规划" in shown and "南通市“十四五”" not in shown
    later = handlers.sources_of_message(assistant, history, 3)
    assert later == second.sources and "南通市“十四五”科技创新规划" in later  # the follow-up keeps its context
    assert handlers.sources_of_message(assistant, history, 9) == render.NO_SOURCES


def test_the_select_event_is_wired(events):
    assert "on_select" in events
