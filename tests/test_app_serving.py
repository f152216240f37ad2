"""Serving configuration (loopback by default, login, exposure warning) and the index built on first use."""
from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

import app
from index.settings import IndexSettings
from webui.settings import ServeSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("PLANQA_HOST", "PLANQA_PORT", "PLANQA_AUTH", "PLANQA_CONCURRENCY", "PLANQA_MAX_UPLOAD_MB",
                 "PLANQA_MAX_REQUEST_BYTES", "PLANQA_ALLOWED_HOSTS", "PLANQA_API_KEY", "PLANQA_INDEX_DIR",
                 "PLANQA_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_loopback_7860_without_login():
    s = ServeSettings()
    assert (s.host, s.port, s.credentials, s.loopback) == ("127.0.0.1", 7860, None, True)
    assert s.exposure_warning() is None and s.max_upload_bytes == 20 * 1024 * 1024


def test_environment_sets_host_port_and_login(monkeypatch):
    monkeypatch.setenv("PLANQA_HOST", "0.0.0.0")
    monkeypatch.setenv("PLANQA_PORT", "8080")
    monkeypatch.setenv("PLANQA_AUTH", "alice:pa:ss")
    s = ServeSettings()
    assert (s.host, s.port, s.credentials) == ("0.0.0.0", 8080, ("alice", "pa:ss"))
    assert "pa:ss" not in repr(s) and "pa:ss" not in str(s.model_dump())
    assert s.exposure_warning() is None  # exposed, but behind a login


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "planqa.example.org"])
def test_exposed_without_login_is_warned(host):
    warning = ServeSettings(host=host).exposure_warning()
    assert warning and host in warning and "PLANQA_AUTH" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_are_not_warned(host):
    assert ServeSettings(host=host).exposure_warning() is None


@pytest.mark.parametrize("auth", ["alice-s3cret", ":pw-s3cret", "alice-s3cret:", ":"])
def test_malformed_login_is_refused_with_the_expected_form_and_not_echoed(auth):
    with pytest.raises(ValidationError, match="user:password") as info:
        ServeSettings(auth=auth)
    assert "s3cret" not in str(info.value)


def test_bad_port_is_refused():
    with pytest.raises(ValidationError, match="PLANQA_PORT"):
        ServeSettings(port=70000)


def test_main_reports_bad_settings_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("PLANQA_AUTH", "no-colon")
    assert app.main() == 2
    err = capsys.readouterr().err
    assert "user:password" in err and "Traceback" not in err and "no-colon" not in err


def test_index_is_built_on_first_use(tmp_path, caplog):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "demo-plan.txt").write_text(
        "示范市科技创新规划\n\n一、发展目标\n\n到2025年，示范市高新技术企业达到800家。\n\n二、保障措施\n\n加强组织领导，完善考核机制。\n",
        encoding="utf-8",
    )
    settings = IndexSettings(plans_dir=plans, index_dir=tmp_path / "index", uploads_dir=tmp_path / "uploads")
    with caplog.at_level(logging.WARNING, logger="planqa.app"):
        assistant = app.ensure_index(settings)
    assert list(assistant.index.docs) == ["demo-plan"]
    assert any("python -m index build" in r.getMessage() for r in caplog.records)  # why it is building
    assert any("Index built: 1 plans" in r.getMessage() for r in caplog.records)
    assert "800" in assistant.ask("示范市到2025年高新技术企业达到多少家？").text


class _Run:
    """Stands in for uvicorn: records what `main` would serve."""

    def __init__(self):
        self.app = None
        self.serve = None

    def __call__(self, app, serve):
        self.app, self.serve = app, serve


def test_main_serves_with_the_settings_and_warns_when_exposed(monkeypatch, tmp_path, caplog):
    from app_support import private_index

    settings = private_index(tmp_path)
    run = _Run()
    monkeypatch.setattr(app.server, "run", run)
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("PLANQA_HOST", "0.0.0.0")
    monkeypatch.setenv("PLANQA_PORT", "8123")
    with caplog.at_level(logging.WARNING, logger="planqa.app"):
        assert app.main() == 0
    assert any("0.0.0.0:8123 without a login" in r.getMessage() for r in caplog.records)
    assert (run.serve.host, run.serve.port, run.serve.credentials) == ("0.0.0.0", 8123, None)
    assert not run.app.state.engine.ready  # an existing index loads in the background, once the server runs


def test_the_page_is_mounted_with_the_limits_and_no_monitoring(tmp_path):
    from app_support import private_index
    from fastapi import FastAPI

    from assistant.service import Assistant
    from webui.page import mount_page

    settings = private_index(tmp_path)
    demo = mount_page(FastAPI(), Assistant.from_index(settings), settings, ServeSettings(auth="alice:pw-123"))
    assert demo.enable_monitoring is False and demo.show_error is False
    assert demo.max_file_size == 20 * 1024 * 1024 and demo.auth == [("alice", "pw-123")]


def test_main_reports_a_missing_plans_directory(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PLANQA_PLANS_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PLANQA_UPLOADS_DIR", str(tmp_path / "uploads"))
    assert app.main() == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "Traceback" not in err


# -- issue 15: request limit, Host allow-list, monitoring -----------------------------------------------------
def test_request_limit_and_host_allow_list_defaults():
    s = ServeSettings()
    assert s.max_request_bytes == 256 * 1024
    assert s.host_allow_list() == {"127.0.0.1", "localhost", "::1"}


@pytest.mark.parametrize(("env", "expected"), [
    ({"PLANQA_ALLOWED_HOSTS": "planqa.lan, 10.0.0.5"}, {"127.0.0.1", "localhost", "::1", "planqa.lan", "10.0.0.5"}),
    ({"PLANQA_ALLOWED_HOSTS": "*"}, None),  # any host, on purpose
    ({"PLANQA_HOST": "0.0.0.0"}, None),  # exposed: the names it is reached by are not known (and it is warned)
    ({"PLANQA_HOST": "0.0.0.0", "PLANQA_ALLOWED_HOSTS": "planqa.lan"}, {"127.0.0.1", "localhost", "::1", "0.0.0.0",
                                                                        "planqa.lan"}),
    ({"PLANQA_AUTH": "alice:pw"}, None),  # behind a login
    ({"PLANQA_HOST": "127.0.0.2"}, {"127.0.0.1", "localhost", "::1", "127.0.0.2"}),
])
def test_host_allow_list_follows_the_settings(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ServeSettings().host_allow_list() == expected


def test_a_tiny_request_limit_is_refused(monkeypatch):
    monkeypatch.setenv("PLANQA_MAX_REQUEST_BYTES", "100")
    with pytest.raises(ValidationError, match="PLANQA_MAX_REQUEST_BYTES"):
        ServeSettings()


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:7860", "127.0.0.1"), ("LocalHost", "localhost"), ("[::1]:7860", "::1"), ("::1", "::1"),
    ("evil.example:80", "evil.example"),
])
def test_host_name_of_a_host_header(header, name):
    from webui.guard import host_name

    assert host_name(header) == name


def test_scrub_replaces_lone_surrogates_only():
    from webui.guard import scrub

    value = {"q": ["\ud800南京\U0001f680", ("\udfff",)], "n": 3}
    assert scrub(value) == {"q": ["\ufffd南京\U0001f680", ("\ufffd",)], "n": 3}


def test_main_guards_every_request(monkeypatch, tmp_path):
    from app_support import private_index

    from webui.api_common import ProgramAuth
    from webui.guard import RequestGuard

    settings = private_index(tmp_path)
    run = _Run()
    monkeypatch.setattr(app.server, "run", run)
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("PLANQA_MAX_REQUEST_BYTES", "65536")
    assert app.main() == 0
    by_class = {m.cls: m.kwargs for m in run.app.user_middleware}
    guard = by_class[RequestGuard]
    assert guard["max_body"] == 65536 and "localhost" in guard["allowed_hosts"]
    assert run.app.user_middleware[0].cls is RequestGuard  # outermost: before the key check and every route
    assert by_class[ProgramAuth]["api_key"] is None and by_class[ProgramAuth]["login"] is None


def test_forwarded_headers_are_believed_only_from_configured_proxies(monkeypatch):
    """uvicorn's own default trusts X-Forwarded-For from 127.0.0.1; PlanQA trusts only PLANQA_TRUSTED_PROXIES."""
    from webui.server import uvicorn_options

    options = uvicorn_options(ServeSettings())
    assert options["proxy_headers"] is False
    monkeypatch.setenv("PLANQA_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ")
    options = uvicorn_options(ServeSettings())
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "127.0.0.1,10.0.0.0/8"
    monkeypatch.setenv("PLANQA_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValueError, match="PLANQA_TRUSTED_PROXIES"):
        ServeSettings()
