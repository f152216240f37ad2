"""Generator configuration from `PLANQA_*` environment variables (pydantic-settings)."""
from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GeneratorSettings(BaseSettings):
    """Which generator answers, and how the generative ones reach their model.

    The API key is a `SecretStr`: its repr and str are masked, so printing or
    logging the settings never shows it.
    """

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    generator: str = "extractive"  # extractive | openai | local

    # `openai`: any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, DeepSeek, Qwen ...).
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 60.0  # seconds per request
    llm_max_retries: int = 1
    llm_max_tokens: int = 512
    llm_temperature: float = 0.0

    # `local`: a GGUF model (gguf.MODELS) assembled from its PyPI parts into this cache directory, run by llama.cpp.
    local_model: str = "qwen2.5-coder-0.5b"  # or qwen2.5-coder-1.5b
    local_model_dir: Path = Path("build/models")
    local_max_new_tokens: int = 256
    local_threads: int | None = None  # llama.cpp CPU threads; None lets llama.cpp choose
