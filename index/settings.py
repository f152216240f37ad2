"""Index configuration, read from `PLANQA_*` environment variables (pydantic-settings)."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class IndexSettings(BaseSettings):
    """Where the index lives and which embedding model builds it."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    # "use-multilingual" = the packaged Universal Sentence Encoder (default); otherwise a
    # sentence-transformers model directory or an installed model name.
    embed_model: str = "use-multilingual"
    embed_batch_size: int = 64
    plans_dir: Path = Path("data/plans")
    index_dir: Path = Path("build/index")
    # Above this many vectors FAISS switches from exact IndexFlatIP to an approximate index.
    faiss_flat_max: int = 50_000
    faiss_approx: str = "hnsw"  # "hnsw" or "ivfpq"
