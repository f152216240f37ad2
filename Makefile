# PlanQA: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-llm install index eval bench clean

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

test-llm: $(STAMP)
	$(PIP) install --quiet -e '.[dev,llm]'
	$(PY) -m pytest -q -m llm

index: $(STAMP)
	$(PY) -m index build

eval: $(STAMP)
	$(PY) -m eval run --dataset eval/data/dev.jsonl

clean:
	rm -rf build
