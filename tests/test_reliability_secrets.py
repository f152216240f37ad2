"""Secrets never reach logs or error messages (issue 7.4).

tests/test_generation_openai.py already checks a key echoed by a 401/404 response, a password in
the base URL and `OPENAI_API_KEY` never being sent. Here: the key taken from `PLANQA_LLM_API_KEY`
with the endpoint unreachable (every logger at DEBUG, retries on), a streamed answer whose 500
response echoes the `Authorization` header, a whole process logging at DEBUG with the OpenAI
client's own debug logging on, and the login password of `PLANQA_AUTH`.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.generation import Evidence, GenerationError, GeneratorSettings, get_generator
from webui.settings import ServeSettings

KEY = "sk-planqa-reliability-7d41c2b9e0f3"
PASSWORD = "s3cret-planqa-pw-0519"
QUESTION = "南京到2025年高新技术企业要达到多少家？"
EVIDENCE = [Evidence(1, "nanjing-2021", "南京市“十四五”科技创新规划", "三、总体要求 > (四)规划目标",
                     "指标 | 2020年 | 2025年\n高新技术企业数(家) | 6507 | 20000", 0, 10)]
ROOT = Path(__file__).resolve().parents[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _everything_said(exc: BaseException) -> list[str]:
    """Every text an error can end up as: message, repr, traceback, and the suppressed cause's too."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    inner = exc.__cause__ or exc.__context__
    if inner is not None:
        texts += [str(inner), repr(inner), "".join(traceback.format_exception(inner))]
    return texts


@pytest.fixture
def openai_env(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("PLANQA_GENERATOR", "openai")
    monkeypatch.setenv("PLANQA_LLM_MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("PLANQA_LLM_API_KEY", KEY)
    monkeypatch.setenv("PLANQA_LLM_TIMEOUT", "3")
    yield


def test_unreachable_endpoint_key_from_env_is_in_no_error_or_log(openai_env, monkeypatch, caplog):
    monkeypatch.setenv("PLANQA_LLM_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("PLANQA_LLM_MAX_RETRIES", "1")  # the client logs its retry
    caplog.set_level(logging.DEBUG)
    generator = get_generator()
    with pytest.raises(GenerationError) as info:
        generator.generate(QUESTION, EVIDENCE)
    assert "cannot reach the LLM endpoint" in str(info.value) and "PLANQA_LLM_BASE_URL" in str(info.value)
    assert any(r.name.startswith(("openai", "httpx", "httpcore")) for r in caplog.records)  # logging was on
    logged = [caplog.text, *(r.getMessage() for r in caplog.records)]
    for text in [*_everything_said(info.value), *logged, repr(generator), str(GeneratorSettings())]:
        assert KEY not in text


class _EchoingProxy(BaseHTTPRequestHandler):
    """A misbehaving gateway: every request fails with 500 and a body quoting the Authorization header."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        body = json.dumps({"error": {"message": f"upstream rejected {self.headers.get('authorization')}"}}).encode()
        self.send_response(500)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def echoing_proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingProxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("streaming", [False, True], ids=["generate", "stream"])
def test_error_body_echoing_the_key_is_scrubbed(openai_env, monkeypatch, caplog, echoing_proxy, streaming):
    monkeypatch.setenv("PLANQA_LLM_BASE_URL", echoing_proxy)
    monkeypatch.setenv("PLANQA_LLM_MAX_RETRIES", "0")
    caplog.set_level(logging.DEBUG)
    generator = get_generator()
    with pytest.raises(GenerationError) as info:
        if streaming:
            "".join(generator.stream(QUESTION, EVIDENCE))
        else:
            generator.generate(QUESTION, EVIDENCE)
    message = str(info.value)
    assert "HTTP 500" in message and "upstream rejected Bearer ***" in message
    for text in [message, repr(info.value), "".join(traceback.format_exception(info.value)), caplog.text]:
        assert KEY not in text


SCRIPT = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
from assistant.generation import Evidence, GenerationError, GeneratorSettings, get_generator
settings = GeneratorSettings()
logging.getLogger("planqa").info("settings %r %s %s", settings, settings, settings.model_dump())
generator = get_generator()
logging.getLogger("planqa").info("generator %r", generator)
try:
    generator.generate("南京到2025年高新技术企业要达到多少家？", [Evidence(1, "nanjing-2021", "t", "s", "20000", 0, 5)])
except GenerationError as exc:
    logging.getLogger("planqa").exception("answer failed: %s", exc)
    print("error:", exc)
"""


def test_a_process_logging_everything_at_debug_never_prints_the_key():
    env = {**os.environ, "PLANQA_GENERATOR": "openai", "PLANQA_LLM_MODEL": "m", "PLANQA_LLM_API_KEY": KEY,
           "PLANQA_LLM_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1", "PLANQA_LLM_MAX_RETRIES": "1",
           "PLANQA_LLM_TIMEOUT": "3", "OPENAI_LOG": "debug", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "error: cannot reach the LLM endpoint" in done.stdout
    assert "DEBUG" in done.stderr and "Retrying request" in done.stderr  # the client really logged
    assert KEY not in done.stdout + done.stderr


def test_login_password_is_masked_wherever_the_settings_are_shown(monkeypatch, caplog):
    monkeypatch.setenv("PLANQA_AUTH", f"admin:{PASSWORD}")
    monkeypatch.setenv("PLANQA_HOST", "0.0.0.0")
    settings = ServeSettings()
    assert settings.credentials == ("admin", PASSWORD)  # it is really configured …
    logging.getLogger("planqa.test").warning("serving with %r / %s / %s", settings, settings, settings.model_dump())
    for text in (repr(settings), str(settings), settings.model_dump_json(), caplog.text, settings.exposure_warning() or ""):
        assert PASSWORD not in text  # … and never shown


def test_malformed_login_setting_is_reported_without_quoting_it(monkeypatch):
    monkeypatch.setenv("PLANQA_AUTH", f"admin{PASSWORD}")  # the colon forgotten
    with pytest.raises(ValueError) as info:
        ServeSettings()
    message = f"error: {info.value}"  # what app.main prints
    assert "PLANQA_AUTH must look like user:password" in message and PASSWORD not in message
