"""`openai`: any OpenAI-compatible chat endpoint through `langchain-openai`.

Works with vLLM, Ollama, a llama.cpp server, DeepSeek, Qwen/DashScope ... Set
`PLANQA_LLM_BASE_URL`, `PLANQA_LLM_MODEL` and, if the endpoint needs one,
`PLANQA_LLM_API_KEY`. The output goes through `grounding` like every generative
backend. The key is held as a `SecretStr` and scrubbed from every error message.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from .base import Draft, DraftStream, Evidence, GenerationError, Generator
from .grounding import ground, ground_stream
from .messages import answer_messages, prompt_echo, refusal_text
from .settings import GeneratorSettings

# Sent when no key is configured, so the client never falls back to OPENAI_API_KEY
# from the environment and hands a real OpenAI key to an arbitrary endpoint.
_NO_KEY = "EMPTY"


class OpenAIGenerator(Generator):
    """Answers with a chat model behind an OpenAI-compatible `/v1/chat/completions`."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        timeout: float = 60.0,
        max_retries: int = 1,
        max_tokens: int = 512,
        temperature: float = 0.0,
        prompts: Path | None = None,
    ) -> None:
        self.base_url, self.model, self.prompts = base_url, model, prompts
        self._secret = api_key.get_secret_value() if api_key else ""
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=api_key or SecretStr(_NO_KEY),
            timeout=timeout,
            max_retries=max_retries,
            max_tokens=max_tokens,
            temperature=temperature,
        )

    @classmethod
    def from_settings(cls, settings: GeneratorSettings) -> OpenAIGenerator:
        missing = [env for env, value in (("PLANQA_LLM_BASE_URL", settings.llm_base_url),
                                          ("PLANQA_LLM_MODEL", settings.llm_model)) if not value]
        if missing:
            raise GenerationError(f"PLANQA_GENERATOR=openai needs {' and '.join(missing)} to be set")
        return cls(
            base_url=settings.llm_base_url or "",
            model=settings.llm_model or "",
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        )

    def __repr__(self) -> str:
        return f"OpenAIGenerator(base_url={_public_url(self.base_url)!r}, model={self.model!r})"

    def generate(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> Draft:
        messages = answer_messages(question, evidence, self.prompts)
        try:
            reply = self._chat.invoke(messages)
        except openai.OpenAIError as exc:
            raise self._error(exc) from None
        return ground(_text(reply.content), evidence, generator=self.name, fallback=fallback,
                      refusal=refusal_text(question, self.prompts), echo=prompt_echo(messages, question, evidence))

    def stream(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> DraftStream:
        messages = answer_messages(question, evidence, self.prompts)
        return ground_stream(self._chunks(messages), evidence, generator=self.name, fallback=fallback,
                             refusal=refusal_text(question, self.prompts),
                             echo=prompt_echo(messages, question, evidence))

    def _chunks(self, messages: list[BaseMessage]) -> Iterator[str]:
        try:
            for chunk in self._chat.stream(messages):
                if text := _text(chunk.content):
                    yield text
        except openai.OpenAIError as exc:
            raise self._error(exc) from None

    def _error(self, exc: openai.OpenAIError) -> GenerationError:
        """A plain message for a failed call: what failed and what to check, with no secret in it."""
        where = f"{_public_url(self.base_url)} (model {self.model})"
        if isinstance(exc, openai.APITimeoutError):
            message = (f"the LLM endpoint {where} did not answer in time; "
                       "check PLANQA_LLM_BASE_URL or raise PLANQA_LLM_TIMEOUT")
        elif isinstance(exc, openai.APIConnectionError):
            message = f"cannot reach the LLM endpoint {where}; check PLANQA_LLM_BASE_URL and that the server is running"
        elif isinstance(exc, openai.APIStatusError):
            hint = {401: "check PLANQA_LLM_API_KEY", 403: "check PLANQA_LLM_API_KEY",
                    404: "check PLANQA_LLM_MODEL and PLANQA_LLM_BASE_URL (usually ending in /v1)"}
            detail = _short(exc.response.text)
            verb = "failed on" if exc.status_code >= 500 else "refused"
            message = (f"the LLM endpoint {where} {verb} the request (HTTP {exc.status_code})"
                       + (f": {detail}" if detail else "")
                       + (f"; {hint[exc.status_code]}" if exc.status_code in hint else ""))
        else:
            message = f"the LLM endpoint {where} failed: {type(exc).__name__}: {_short(str(exc))}"
        return GenerationError(self._scrub(message))

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _text(content: object) -> str:
    """A message's content as text (providers may send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = (p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, str | dict))
        return "".join(parts)
    return ""


def _public_url(url: str) -> str:
    """The URL without any user:password part."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _short(text: str, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"
