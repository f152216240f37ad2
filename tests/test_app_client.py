"""`python app.py` as a script would use it: the `/ask` API through gradio_client, behind a login."""
from __future__ import annotations

import httpx
import pytest
from app_support import PLANS, private_index, start_app, stop_app
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

from assistant.contract import AnswerRecord
from ingest import read_document

USER, PASSWORD = "planqa", "s3cret-pass"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("app-client")
    settings = private_index(root)
    log = root / "app.log"
    url, proc = start_app(settings, log, PLANQA_AUTH=f"{USER}:{PASSWORD}", PLANQA_CONCURRENCY="2")
    try:
        yield url, log
    finally:
        stop_app(proc)


@pytest.fixture(scope="module")
def client(served):
    return Client(served[0], auth=(USER, PASSWORD), verbose=False, analytics_enabled=False)


def source_of(doc_id: str) -> str:
    files = {"nanjing-2021": "nanjing-2021-sti-plan.txt", "nantong-2021": "nantong-2021-sti-plan.txt",
             "jurong-2022": "jurong-2022-sti-plan.txt", "lianyungang-2021": "lianyungang-2021-sti-plan.txt",
             "jiangyin-2020": "jiangyin-2020-innovation-action-plan.txt"}
    return read_document(PLANS / files[doc_id])


def test_ask_returns_the_json_contract_with_exact_citations(client):
    result = client.predict("南京到2025年高新技术企业要达到多少家？", api_name="/ask")
    record = AnswerRecord.model_validate(result)
    assert "20000" in record.answer and not record.refused
    assert record.citations and record.citations[0].doc_id == "nanjing-2021"
    for c in record.citations:
        assert source_of(c.doc_id)[c.char_start:c.char_end] == c.quote
    assert 1 <= len(record.retrieved) <= 10 and record.latency_ms > 0


@pytest.mark.parametrize("cities, plans", [(None, ["jurong-2022"]), (["句容市"], None)])
def test_a_filter_holds_when_the_question_names_another_city(client, cities, plans):
    """Restricted to 句容's plan, a question about 南京 gets a refusal that says so, never 南京's figure."""
    result = client.predict("南京到2025年高新技术企业要达到多少家？", cities, plans, api_name="/ask")
    assert result["refused"] and "20000" not in result["answer"] and "南京市的规划不在所选范围内" in result["answer"]
    assert all(c["doc_id"] == "jurong-2022" for c in result["citations"])


def test_ask_followup_takes_the_conversation_and_a_profile(client):
    """A follow-up through the API: the earlier questions come as `history`, an enterprise's fields as `profile`."""
    result = client.predict("那高新技术企业呢？", ["南京到2025年科技型中小企业要达到多少家？"], api_name="/ask_followup")
    assert not result["refused"] and "20000" in result["answer"]
    alone = client.predict("那高新技术企业呢？", api_name="/ask")
    assert "20000" not in alone["answer"]
    profiled = client.predict("有哪些支持？", None, {"city": "句容市", "type": "科技型中小企业", "needs": ["融资"]},
                              api_name="/ask_followup")
    assert profiled["citations"] and {c["doc_id"] for c in profiled["citations"]} == {"jurong-2022"}
    bad = client.predict("那高新技术企业呢？", "南京", api_name="/ask_followup")
    assert bad["refused"] and "history" in bad["answer"]


def test_ask_honours_a_plan_filter(client):
    result = client.predict("有哪些科技金融产品？", None, ["jurong-2022"], api_name="/ask")
    assert result["citations"] and {c["doc_id"] for c in result["citations"]} == {"jurong-2022"}


@pytest.mark.parametrize(("args", "expected"), [
    (("",), "问题为空"),
    (("研发强度目标？", ["苏州市"]), "苏州市"),
    (("研发强度目标？", None, ["no-such-plan"]), "no-such-plan"),
])
def test_bad_input_gives_a_refused_record_with_the_reason(client, args, expected):
    result = client.predict(*args, api_name="/ask")
    assert result["refused"] is True and expected in result["answer"] and result["citations"] == []


def test_only_ask_and_ask_followup_are_offered_to_api_clients(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert sorted(endpoints) == ["/ask", "/ask_followup"]


def test_login_is_required_when_auth_is_set(served):
    url, _ = served
    with pytest.raises(AuthenticationError, match="login"):
        Client(url, verbose=False, analytics_enabled=False).predict("南京高企目标？", api_name="/ask")
    assert httpx.post(f"{url}/login", data={"username": USER, "password": "wrong"}).status_code in (400, 401)


def test_serves_on_loopback_and_warns_about_nothing(served):
    url, log = served
    assert url.startswith("http://127.0.0.1:")
    text = log.read_text(encoding="utf-8")
    assert "without a login" not in text and PASSWORD not in text and "Traceback" not in text
