"""One encoder for every embedding model: a `SentenceTransformer`, loaded offline, cached per process.

`PLANQA_EMBED_MODEL` picks the model: `use-multilingual` (default) is the packaged Universal Sentence
Encoder module (`index/use_module.py`); anything else is a sentence-transformers model folder or a model
name already in the local Hugging Face cache (e.g. a user's own bge-small-zh). Models are only ever read
from disk (`local_files_only=True`), never downloaded. Every vector comes out L2-normalised float32, so
inner product is cosine similarity for the FAISS store.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from sentence_transformers import SentenceTransformer

from index.settings import IndexSettings
from index.use_module import USE_MODEL_NAME, EmbeddingModelError, USEMultilingual

QUERY_CACHE = 256  # query vectors kept per encoder

__all__ = ["EmbeddingModelError", "Encoder", "EncoderEmbeddings", "get_encoder", "load_model"]


def load_model(spec: str, threads: int = 1) -> tuple[SentenceTransformer, str]:
    """The model named by `spec` and its id for index manifests; loaded once per process.

    `threads` sets the built-in model's onnxruntime threads (0 = automatic); other models run on torch,
    whose thread count is process-wide and left alone.
    """
    return _load_model(spec.strip(), threads)  # one cache key however the arguments are spelled


@functools.lru_cache(maxsize=2)
def _load_model(spec: str, threads: int) -> tuple[SentenceTransformer, str]:
    if not spec:
        raise EmbeddingModelError(
            f"PLANQA_EMBED_MODEL is empty: unset it to use the built-in model ({USE_MODEL_NAME}) "
            "or give a sentence-transformers model folder."
        )
    if spec == USE_MODEL_NAME:
        module = USEMultilingual(threads=threads)
        return SentenceTransformer(modules=[module], device="cpu"), module.model_id
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise EmbeddingModelError(f"Embedding model {spec!r} is a file; give the model's folder.")
        try:
            model = SentenceTransformer(str(path.resolve()), device="cpu", local_files_only=True)
        except Exception as exc:  # sentence-transformers/transformers raise many types for a bad folder
            raise EmbeddingModelError(
                f"{path} is not a sentence-transformers model folder ({type(exc).__name__}: {_first_line(exc)})"
            ) from exc
        name = str(path.resolve())
    else:
        try:
            model = SentenceTransformer(spec, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbeddingModelError(
                f"Embedding model {spec!r} (PLANQA_EMBED_MODEL) is neither an existing folder nor a model in "
                "the local Hugging Face cache, and PlanQA never downloads models. Give the path of a "
                f"sentence-transformers model folder, or unset PLANQA_EMBED_MODEL to use the built-in "
                f"multilingual model. ({type(exc).__name__}: {_first_line(exc)})"
            ) from exc
        name = spec
    return model, f"st:{name}@{_dimension(model)}d"


class Encoder:
    """Embeds passages (clauses with their context) and queries with one model, batched and normalised."""

    def __init__(self, model: SentenceTransformer, model_id: str, batch_size: int = 64) -> None:
        if batch_size < 1:
            raise ValueError(f"The embedding batch size must be at least 1, got {batch_size}.")
        self.model = model
        self.model_id = model_id
        self.batch_size = batch_size
        self.dimension = _dimension(model)
        # A question is often searched more than once with the same text (per city, per part): the last
        # queries' vectors are kept, read-only.
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def encode_passages(self, texts: Sequence[str], progress: bool | None = None) -> np.ndarray:
        """`(len(texts), dimension)` float32, one normalised row per text, in order.

        `progress=None` shows a progress bar when there are more than four batches of texts.
        """
        texts = _checked(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if progress is None:
            progress = len(texts) > 4 * self.batch_size
        # encode_document applies the model's own "document"/"passage" prompt when it defines one.
        vectors = self.model.encode_document(
            texts, batch_size=self.batch_size, show_progress_bar=progress, normalize_embeddings=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """`(dimension,)` float32, normalised; uses the model's "query" prompt when it defines one."""
        (text,) = _checked([text])
        with self._queries_lock:
            if text in self._queries:
                self._queries.move_to_end(text)
                return self._queries[text]
        vector = self.model.encode_query([text], normalize_embeddings=True, show_progress_bar=False)[0]
        vector = np.ascontiguousarray(vector, dtype=np.float32)
        vector.setflags(write=False)
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector


def get_encoder(settings: IndexSettings | None = None) -> Encoder:
    """The encoder `PLANQA_EMBED_MODEL` / `PLANQA_EMBED_BATCH_SIZE` ask for (the model is cached per process)."""
    settings = settings or IndexSettings()
    model, model_id = load_model(settings.embed_model, settings.embed_threads)
    return Encoder(model, model_id, settings.embed_batch_size)


def _first_line(exc: Exception) -> str:
    return next(iter(str(exc).splitlines()), "")


def _dimension(model: SentenceTransformer) -> int:
    return model.get_embedding_dimension() or len(model.encode("probe"))


def _checked(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode_passages takes a list of texts, not one string (use encode_query).")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"Text #{i} to embed is a {type(text).__name__}, not a string.")
    return texts


class EncoderEmbeddings(Embeddings):
    """LangChain `Embeddings` over an `Encoder`, for vector stores and retrievers built with LangChain."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encoder.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.encode_query(text).tolist()
