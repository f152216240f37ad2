"""`local`: a small Qwen2.5-Coder chat model run in this process by llama.cpp.

The GGUF comes from PyPI parts (`gguf.py`, the optional extra `llm`) and is loaded with
`llama-cpp-python` on first use; greedy decoding with the chat template stored in the
GGUF. Output goes through the same `grounding` check as every generative backend. To
serve the same model to several processes, run it as an OpenAI-compatible server
instead (`make llm-server`, `llm_server.py`) and use the `openai` generator.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_openai_messages

from .base import Draft, DraftStream, Evidence, GenerationError, Generator
from .gguf import QWEN_05B, GGUFParts, assemble_gguf, model, require
from .grounding import ground, ground_stream
from .messages import answer_messages, prompt_echo, refusal_text
from .settings import GeneratorSettings

CONTEXT_TOKENS = 4096  # six clauses, the rules and the answer fit with room to spare


class LocalGenerator(Generator):
    """Greedy decoding with the model's chat template; the model is loaded on first use."""

    name = "local"

    def __init__(self, cache_dir: Path = Path("build/models"), *, max_new_tokens: int = 256,
                 threads: int | None = None, parts: GGUFParts = QWEN_05B, prompts: Path | None = None) -> None:
        self.cache_dir, self.max_new_tokens, self.threads = cache_dir, max_new_tokens, threads
        self.parts, self.prompts = parts, prompts
        self.model = parts.name
        self._llm: Any = None
        self._lock = threading.Lock()  # one generation at a time: a llama.cpp context is not re-entrant
        self.last_stats: dict[str, float] = {}  # tokens and seconds of the last answer, for benchmarks

    @classmethod
    def from_settings(cls, settings: GeneratorSettings) -> LocalGenerator:
        return cls(settings.local_model_dir, max_new_tokens=settings.local_max_new_tokens,
                   threads=settings.local_threads, parts=model(settings.local_model))

    def load(self) -> None:
        """Assemble (once) and load the model; called by the first answer if not before."""
        with self._lock:
            if self._llm is not None:
                return
            require(self.parts, "PLANQA_GENERATOR=local")
            path = assemble_gguf(self.cache_dir, self.parts)
            from llama_cpp import Llama

            self._llm = Llama(model_path=str(path), n_ctx=CONTEXT_TOKENS, n_threads=self.threads,
                              verbose=False, seed=0)

    def generate(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> Draft:
        messages = answer_messages(question, evidence, self.prompts)
        return ground("".join(self._decode(messages)), evidence, generator=self.name, fallback=fallback,
                      refusal=refusal_text(question, self.prompts), echo=prompt_echo(messages, question, evidence))

    def stream(self, question: str, evidence: list[Evidence], fallback: Draft | None = None) -> DraftStream:
        messages = answer_messages(question, evidence, self.prompts)
        return ground_stream(self._decode(messages), evidence, generator=self.name, fallback=fallback,
                             refusal=refusal_text(question, self.prompts),
                             echo=prompt_echo(messages, question, evidence))

    def _decode(self, messages: list[BaseMessage]) -> Iterator[str]:
        """Text pieces as the model writes them."""
        self.load()
        start = time.perf_counter()
        first: float | None = None
        pieces = 0
        with self._lock:
            try:
                chunks = self._llm.create_chat_completion(
                    messages=convert_to_openai_messages(messages), temperature=0.0, top_k=1,
                    max_tokens=self.max_new_tokens, stream=True)
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content") or ""
                    if text:
                        first = first or time.perf_counter()
                        pieces += 1  # llama.cpp streams one token per chunk
                        yield text
            except (RuntimeError, ValueError) as exc:
                raise GenerationError(f"the local model failed: {type(exc).__name__}: {exc}") from None
        end = time.perf_counter()
        decoding = end - (first or end)
        self.last_stats = {"new_tokens": pieces, "seconds": end - start, "first_text_s": (first or end) - start,
                           "tokens_per_s": pieces / (end - start) if end > start else 0.0,
                           "decode_tokens_per_s": (pieces - 1) / decoding if decoding > 0 else 0.0}
