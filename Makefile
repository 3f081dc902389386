# Wegwijzer assistant. Two commands do everything on a fresh machine:
#   make run    install if needed, train if the model is missing or stale, serve (Ctrl-C stops)
#   make test   install if needed, then run every check
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# The install is redone only when requirements.lock changes (by content, not by date).
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-16)
INSTALLED := $(VENV)/.installed-$(LOCK_HASH)
SPACY_NL := build/spacy_nl/meta.json
WEBCHAT := web/node_modules/rasa-webchat/lib/index.js
# The model for the current training inputs (expanded by the shell in each recipe).
MODEL = "$$($(PY) -m scripts.model path)"

export RASA_TELEMETRY_ENABLED := false
export LOG_LEVEL ?= WARNING
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install model run run-scaled bench report nginx test test-unit test-conversations test-nlu test-search validate eval clean redis-server chromium

help:
	@echo "make run    start the assistant: chat page http://localhost:8080/, Rasa on 5005, actions on 5055"
	@echo "make test   run every check (data validation, pytest, conversation and NLU tests)"
	@echo "make report anonymous overview of the questions for the VP's jaarverslag (reports/)"
	@echo "make bench  load benchmark against Rasa's starter bot (docs/benchmarks.md)"
	@echo "make eval   NLU evaluation against two baselines and cross-validation (writes docs/nlu.md)"
	@echo "make clean  remove the virtual environment, built pipeline, models and results"

install: $(INSTALLED) $(SPACY_NL) $(WEBCHAT)

$(INSTALLED): requirements.lock
	@python=$$(scripts/find-python.sh); \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Existing $(VENV) is not Python 3.10: recreating it"; rm -rf $(VENV); fi; \
	[ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==24.0
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

$(SPACY_NL): $(INSTALLED) scripts/build_spacy_nl.py
	$(PY) scripts/build_spacy_nl.py build/spacy_nl

$(WEBCHAT): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm (Node.js) is needed for the chat page widget: install nodejs and npm"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The privacy tests run a private Redis (no persistence) to check the scaled tracker store.
redis-server:
	@command -v redis-server >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } \
	  || { echo "error: the tests need redis-server: install the Debian package redis-server"; exit 1; }

# The scaled mode's load balancer.
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } \
	  || { echo "error: the scaled mode needs nginx: install the Debian package nginx"; exit 1; }

# The browser tests drive Debian's Chromium with Playwright (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || { echo "error: the browser tests need chromium: install the Debian package chromium"; exit 1; }

model: install
	$(PY) -m scripts.model ensure >/dev/null
	$(PY) -m actions.search

run: install model
	exec $(PY) -m scripts.serve $(MODEL)

# Load benchmark against Rasa's starter bot (docs/benchmarks.md); BENCH_ARGS=--scaled for the scaled mode.
BENCH_ARGS ?=
bench: install model redis-server nginx
	$(PY) -m scripts.bench $(BENCH_ARGS)

# The anonymous annual overview for the vertrouwenspersoon from the weekly counts
# (channels/insight.py): reports/wegwijzer-inzicht-<year>.md, .html and the charts as PNG.
# REPORT_ARGS="--year 2026" or "--counts FILE" (docs/privacy.md, "Anonymous counts").
REPORT_ARGS ?=
report: install
	$(PY) -m scripts.report $(REPORT_ARGS)

# Redis (no persistence), two Rasa replicas, the action server and nginx in front (docs/deploy.md).
run-scaled: install model redis-server nginx
	exec $(PY) -m scripts.serve $(MODEL) --scaled

validate: install
	$(RASA) data validate --fail-on-warnings --max-history 5

test: validate model test-unit test-conversations test-nlu test-search
	@echo "All checks passed."

test-unit: install model redis-server nginx chromium
	$(PY) -m pytest -q tests

test-conversations: install model
	$(RASA) test core --model $(MODEL) --stories tests/conversations \
	  --fail-on-prediction-errors --out results/conversations --no-plot

# The held-out NLU sets, never trained on, each with its floors: tests/gates.yml (which says what
# each set is). The model is loaded once for all of them (scripts/gates.py); each set is scored as
# `rasa test nlu` scores it, reports in results/<set>/.
test-nlu: install model
	$(PY) -m scripts.gates nlu --model $(MODEL)

# Not part of `make test` (it trains three more models): our pipeline against two baselines on
# the held-out sets, plus cross-validation; writes results/eval/ and docs/nlu.md.
eval: install
	$(PY) -m scripts.nlu_eval

clean:
	rm -rf $(VENV) build models results reports web/node_modules

# Free questions about the guide, end to end (NLU + topic search), on the held-out question sets
# with their floors in tests/gates.yml; the goal is 90 % answered.
test-search: install model
	$(PY) -m scripts.gates search --model $(MODEL)
