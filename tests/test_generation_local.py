"""The local models: GGUF assembly, the in-process `local` generator, and the OpenAI-compatible server.

The model tests are marked `llm` (`make test-llm`, which installs the extra); without the extra
they skip and say so. The end-to-end test starts `python -m assistant.generation.llm_server` (llama.cpp's
server) and PlanQA's own app pointed at it, and asks through PlanQA's OpenAI-compatible API.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from generation_support import nanjing_evidence

from assistant.generation import Draft, GenerationError, GroundedSentence
from assistant.generation.gguf import MODELS, QWEN_05B, GGUFParts, assemble_gguf, missing_packages, model
from assistant.generation.grounding import check_sentence
from assistant.generation.llm_server import main as server_main
from assistant.generation.llm_server import server_command
from assistant.generation.local_backend import LocalGenerator
from bench.process import free_port, start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "build" / "models"
MISSING = missing_packages()
needs_llm_extra = pytest.mark.skipif(bool(MISSING), reason=f"optional 'llm' extra not installed: {', '.join(MISSING)}")
QUESTION = "南京到2025年高新技术企业要达到多少家？"


def test_missing_parts_give_a_clear_error(tmp_path):
    parts = GGUFParts("x", "x.gguf", ("planqa_no_such_part1",), 10, "0" * 64)
    with pytest.raises(GenerationError, match=r"parts are not installed \(planqa_no_such_part1\).*\.\[llm\]"):
        assemble_gguf(tmp_path, parts)
    assert not list(tmp_path.iterdir())


def test_models_are_named_and_an_unknown_name_lists_the_choices():
    assert set(MODELS) == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert model(" Qwen2.5-Coder-1.5B ") is MODELS["qwen2.5-coder-1.5b"]
    with pytest.raises(GenerationError, match="unknown local model 'qwen-72b'.*qwen2.5-coder-0.5b, qwen2.5-coder-1.5b"):
        model("qwen-72b")


def test_the_server_command_is_llama_cpps_server_on_the_given_address():
    command = server_command(Path("/m/q.gguf"), "qwen2.5-coder-1.5b", "127.0.0.1", 8081, 2)
    assert command[1:3] == ["-m", "llama_cpp.server"]
    assert command[command.index("--model") + 1] == "/m/q.gguf"
    assert command[command.index("--model_alias") + 1] == "qwen2.5-coder-1.5b"
    assert command[command.index("--port") + 1] == "8081" and command[command.index("--n_threads") + 1] == "2"
    assert "--n_threads" not in server_command(Path("/m/q.gguf"), "m", "127.0.0.1", 1, None)


def test_the_server_refuses_an_unknown_model_with_a_message(capsys):
    assert server_main(["--model", "gpt-9"]) == 2
    assert "unknown local model 'gpt-9'" in capsys.readouterr().err


@pytest.mark.llm
@needs_llm_extra
def test_assembly_is_checked_and_atomic(tmp_path):
    wrong = GGUFParts("bad", "bad.gguf", QWEN_05B.modules[:1], 1, "0" * 64)
    with pytest.raises(GenerationError, match="expected 000000000000…"):
        assemble_gguf(tmp_path, wrong)
    assert not list(tmp_path.iterdir())  # no partial file left behind
    for parts in MODELS.values():
        path = assemble_gguf(MODELS_DIR, parts)
        assert path.stat().st_size == parts.size
        with path.open("rb") as f:
            assert hashlib.file_digest(f, "sha256").hexdigest() == parts.sha256


@pytest.mark.llm
@needs_llm_extra
def test_local_model_answers_through_the_grounding_check():
    evidence = nanjing_evidence()
    by_n = {e.n: e for e in evidence}
    fallback = Draft("南京到2025年高新技术企业数目标为20000家[1]。",
                     (GroundedSentence("南京到2025年高新技术企业数目标为20000家[1]。", (1,)),), generator="extractive")
    generator = LocalGenerator(MODELS_DIR, max_new_tokens=64)
    generator.load()
    stream = generator.stream(QUESTION, evidence, fallback)
    chunks = list(stream)
    draft, stats = stream.draft, generator.last_stats
    print(f"\nlocal answer: {stats['seconds']:.1f} s ({stats['first_text_s']:.1f} s to first text), "
          f"{stats['new_tokens']:.0f} tokens, {stats['decode_tokens_per_s']:.1f} tokens/s decoding\n"
          f"raw: {draft.raw!r}\nshown: {draft.text!r}\ndropped: {draft.dropped}")
    assert draft.raw and stats["new_tokens"] > 0 and draft.generator == "local"
    assert "".join(chunks) == draft.text
    if draft.fell_back:
        assert draft.text == fallback.text and draft.dropped
    else:
        for sentence in draft.sentences:
            assert check_sentence(sentence.text, by_n) == sentence


@pytest.mark.llm
@needs_llm_extra
def test_end_to_end_through_the_local_openai_compatible_server(tmp_path):
    """llama.cpp's server (make llm-server) ← PlanQA's `openai` generator ← PlanQA's own OpenAI API ← the openai client."""
    import openai

    port = free_port()
    log = tmp_path / "llm-server.log"
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen([sys.executable, "-m", "assistant.generation.llm_server", "--model", QWEN_05B.name,
                                   "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "HF_HUB_OFFLINE": "1"})
    base = f"http://127.0.0.1:{port}/v1"
    app = None
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            assert time.monotonic() < deadline, "the llm server did not start in 300 s"
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        assert httpx.get(f"{base}/models").json()["data"][0]["id"] == QWEN_05B.name
        url, app = start_app(tmp_path / "app.log", PLANQA_GENERATOR="openai", PLANQA_LLM_BASE_URL=base,
                             PLANQA_LLM_MODEL=QWEN_05B.name, PLANQA_LLM_TIMEOUT="300")
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=600)
        response = client.chat.completions.create(model="planqa", messages=[{"role": "user", "content": QUESTION}])
        report = response.planqa["generation"]
        print(f"\nanswer: {response.choices[0].message.content!r}\ngeneration: {report}")
        assert report["backend"] == "openai" and report["model"] == QWEN_05B.name
        assert report["error"] is None  # the model was reached and answered
        assert report["kept"] > 0 or (report["fallback"] and report["dropped"])
        assert response.citations and not response.refused
        for c in response.citations:  # every citation is still an exact span of its plan
            assert c["quote"] and c["char_end"] - c["char_start"] == len(c["quote"])
        if report["kept"]:
            assert response.choices[0].message.content.count("[") >= 1
    finally:
        if app is not None:
            stop_app(app)
        stop_app(server)


def test_a_missing_extra_is_named_with_how_to_install_it():
    from assistant.generation.gguf import require

    parts = GGUFParts("x", "x.gguf", tuple(f"planqa_no_such_part{i}" for i in range(1, 6)), 10, "0" * 64)
    # llama_cpp leads the list where the extra is not installed (as in CI); three names are shown, then "…"
    with pytest.raises(GenerationError, match=r"^the llm server needs the optional packages (llama_cpp, )?"
                                              r"planqa_no_such_part1, planqa_no_such_part2(, planqa_no_such_part3)? …: "
                                              r"pip install -e '\.\[llm\]'"):
        require(parts, "the llm server")
