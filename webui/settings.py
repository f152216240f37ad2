"""Serving configuration, read from `PLANQA_*` environment variables (pydantic-settings).

Loopback by default: an office deploying PlanQA on a shared machine must opt in to
exposing it, and exposing it without a login is logged as a warning. While it listens on
loopback without a login, only the bound host names are accepted in the Host header
(`host_allow_list`, enforced by `webui.guard.RequestGuard`).
"""
from __future__ import annotations

import ipaddress
import logging

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class ServeSettings(BaseSettings):
    """Where and how the web app listens."""

    # hide_input_in_errors: a malformed PLANQA_AUTH must not be echoed in the error (it holds a password).
    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore", hide_input_in_errors=True)

    host: str = "127.0.0.1"  # PLANQA_HOST
    port: int = 7860  # PLANQA_PORT
    auth: SecretStr | None = None  # PLANQA_AUTH=user:password (never logged)
    concurrency: int = 4  # PLANQA_CONCURRENCY: questions answered at once; the rest wait in the queue
    max_queue: int = 64  # PLANQA_MAX_QUEUE: requests waiting beyond this are turned away
    max_upload_mb: float = 20.0  # PLANQA_MAX_UPLOAD_MB: largest plan file accepted by the Plans tab
    # PLANQA_MAX_REQUEST_BYTES: largest request body (API JSON, the page's events); larger gets 413. 256 KB holds a
    # question (only its first 500 characters are used) and a chat history of about 200 turns (~1.1 KB each).
    max_request_bytes: int = 256 * 1024
    # PLANQA_ALLOWED_HOSTS: comma-separated host names accepted in the Host header besides the loopback names and
    # PLANQA_HOST ("*": any). Enforced on loopback without a login, or whenever it is set.
    allowed_hosts: str = ""
    # PLANQA_API_KEY: what programs send as `Authorization: Bearer …` (the JSON API, /v1, /retrieval, /mcp). Set
    # either this or PLANQA_AUTH and every program route requires it (HTTP Basic with PLANQA_AUTH's login works too).
    api_key: SecretStr | None = None
    # PLANQA_MAX_MESSAGE_CHARS: the longest question or chat message the program routes take (400 beyond it; the
    # assistant reads the first 500 characters of a question)
    max_message_chars: int = 2000
    # PLANQA_API_CONCURRENCY: answers the program routes compute at once (0: as many as requests); the rest wait.
    # Answering is CPU-bound Python: more threads at once only share the same core and each answer takes longer.
    api_concurrency: int = 2
    # PLANQA_STARTUP_WAIT_S: how long a request made while the index is still loading waits before a 503
    startup_wait_s: float = 120.0
    # PLANQA_TRUSTED_PROXIES: comma-separated addresses or networks of reverse proxies whose X-Forwarded-For /
    # X-Forwarded-Proto are believed ("127.0.0.1", "10.0.0.0/8"). Empty (the default): the headers are ignored and
    # the audit log records the socket's peer.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        names = [p.strip() for p in value.split(",") if p.strip()]
        for name in names:
            try:
                ipaddress.ip_network(name, strict=False)
            except ValueError:
                raise ValueError(f"PLANQA_TRUSTED_PROXIES: {name[:80]!r} is not an IP address or network") from None
        return ",".join(names)

    @field_validator("auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        user, sep, password = value.get_secret_value().partition(":")
        if not sep or not user or not password:
            raise ValueError("PLANQA_AUTH must look like user:password (both parts non-empty)")
        return value

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < 8:
            raise ValueError("PLANQA_API_KEY must be at least 8 characters")
        return value

    @field_validator("max_request_bytes")
    @classmethod
    def _request_limit(cls, value: int) -> int:
        if value < 1024:
            raise ValueError("PLANQA_MAX_REQUEST_BYTES must be at least 1024")
        return value

    @field_validator("port")
    @classmethod
    def _port_range(cls, value: int) -> int:
        if not 0 < value < 65536:
            raise ValueError("PLANQA_PORT must be between 1 and 65535")
        return value

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, password) for Gradio's login form, or None when no login is required."""
        if self.auth is None:
            return None
        user, _, password = self.auth.get_secret_value().partition(":")
        return user, password

    @property
    def programs_need_auth(self) -> bool:
        """True when the program routes require `Authorization` (PLANQA_AUTH or PLANQA_API_KEY is set)."""
        return self.credentials is not None or self.api_key is not None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def loopback(self) -> bool:
        """True when only this machine can connect."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name other than localhost may resolve to anything

    def host_allow_list(self) -> frozenset[str] | None:
        """Host names the app answers to, or None for any: the loopback names, PLANQA_HOST and
        PLANQA_ALLOWED_HOSTS, enforced on loopback without a login or when PLANQA_ALLOWED_HOSTS is set."""
        extra = {h.strip().lower().strip("[]") for h in self.allowed_hosts.split(",") if h.strip()}
        if "*" in extra:
            return None
        if not extra and not (self.loopback and self.credentials is None):
            return None
        return frozenset({"127.0.0.1", "localhost", "::1", self.host.lower().strip("[]"), *extra})

    def exposure_warning(self) -> str | None:
        """The warning to log when the app is reachable from other machines without a login."""
        if self.loopback or self.credentials is not None:
            return None
        return (
            f"PlanQA is listening on {self.host}:{self.port} without a login: anyone who can reach this machine "
            "can ask questions and upload or remove plans. Set PLANQA_AUTH=user:password, or PLANQA_HOST=127.0.0.1."
        )
