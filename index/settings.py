"""Index configuration, read from `PLANQA_*` environment variables (pydantic-settings)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class IndexSettings(BaseSettings):
    """Where the index lives and which embedding model builds it."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    # "use-multilingual" = the packaged Universal Sentence Encoder (default); otherwise a
    # sentence-transformers model directory or an installed model name.
    embed_model: str = "use-multilingual"
    embed_batch_size: int = 64
    # onnxruntime threads for the built-in model (0 = one per core). It runs one short text at a time,
    # which parallelises poorly on shared cores (bench/RESULTS.md); scale out with processes instead.
    embed_threads: int = 1
    plans_dir: Path = Path("data/plans")
    uploads_dir: Path = Path("build/uploads")  # plans added through the app
    index_dir: Path = Path("build/index")
    # The most plans the library holds (shipped and uploaded); an upload beyond it is refused.
    max_plans: int = Field(200, gt=0)
    # Above this many vectors FAISS switches from exact IndexFlatIP to an approximate index.
    faiss_flat_max: int = 50_000
    faiss_approx: str = "hnsw"  # "hnsw", "hnswsq" (8-bit vectors: 1/4 the memory, for ~10^6 clauses) or "ivfpq"
    # HNSW: links per node and build/search breadth (recall against them: bench/SCALE.md).
    faiss_hnsw_m: int = 32
    faiss_hnsw_ef_construction: int = 100
    faiss_hnsw_ef_search: int = 128
    # IVF-PQ: inverted lists scanned per query (nlist ≈ 4·√n is fixed when the index is built).
    faiss_ivf_nprobe: int = 32
    # Where the dense vectors live (index/vector_backends.py): "faiss" embedded in the index directory
    # (index/faiss_store.py), or "milvus" (index/milvus_store.py). Chosen when the index is built; loading
    # follows what was built.
    vector_store: Literal["faiss", "milvus"] = "faiss"
    # Milvus server or cluster, e.g. "http://milvus.example:19530"; empty = Milvus Lite, a local database
    # inside the index version directory (one process at a time).
    milvus_uri: str = ""
    milvus_token: SecretStr = SecretStr("")  # "user:password" or an API key; never written to the index
    # Collections are named f"{prefix}_{version}": one prefix per deployment sharing a cluster.
    milvus_collection: str = "planqa"
    # Index above `faiss_flat_max` vectors (exact FLAT below, as for FAISS) and its build/search parameters.
    milvus_index_type: str = "HNSW"
    milvus_index_params: dict[str, Any] = {"M": 32, "efConstruction": 100}
    milvus_search_params: dict[str, Any] = {"ef": 128}
    # BM25 (bm25s): scoring variant and parameters, chosen by measurement (see index/lexical.py).
    bm25_method: str = "lucene"  # any bm25s method: "lucene", "bm25+", "robertson", "atire", "bm25l"
    bm25_k1: float = 1.5
    bm25_b: float = 0.75
    # jieba's HMM guesses unknown words ("宁高企", "来宁") differently in questions and in plans;
    # off, segmentation comes from the dictionary + policy_terms.txt alone and stays consistent.
    jieba_hmm: bool = False
    # Where jieba caches its prefix dictionary (None = the system temp dir).
    jieba_cache_dir: Path | None = None
