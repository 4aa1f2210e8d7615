# Kelisim. `make run` talks to the bot; `make test` runs every check. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := .tools/bin/uv
APP_PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
# Never let uv fetch a Python build: only the registries are reachable.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export RASA_TELEMETRY_ENABLED := false
# Rasa 3.6 prints pages of dependency warnings; they are not ours to fix.
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3

# Rasa 3.6 needs Python 3.10; find one even when pyenv's shim does not expose it.
PY310 := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
PY3 := $(shell for p in python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: help
help:
	@echo "make run        install what is missing, train if needed, start everything (playground without a token)"
	@echo "make test       install, train if needed, run every check (lint, types, Rasa validation and stories, pytest)"
	@echo "make install    create .venv (app, Python 3.11+) and .venv-rasa (Rasa 3.6, Python 3.10) from the lock files"
	@echo "make train      train the Rasa model if its data changed"
	@echo "make check      the inner loop: lint, types, content check, the fast unit tests (SQLite; no processes, Rasa, Redis)"
	@echo "make content-check  every problem in content/ (missing translations, limits, front matter)"
	@echo "make nlu-report intent accuracy, dispute type and place per language slice on the held-out set (rasa_project/tests/nlu)"
	@echo "make lint       ruff (rules and format) and mypy"
	@echo "make test-cluster  replicas with parts killed while fifty people talk (make test runs it)"
	@echo "make format     format the code and apply ruff's safe fixes"
	@echo "make hooks      run lint and the content check before each commit (pre-commit)"
	@echo "make guide-screenshots  the screenshots in docs/content-guide.md, made again by the test that follows the guide"
	@echo "make bench      drive simulated users through the full stack (see bench/README.md; figures in docs/benchmarks.md)"
	@echo "make lock       re-resolve uv.lock and rasa_project/requirements.lock"
	@echo "make clean      remove virtualenvs, models and var/ (the database too)"

$(UV):
	@test -n "$(PY3)" || { echo "Python 3.11+ is needed as python3" >&2; exit 1; }
	$(PY3) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PY3)
	@touch $@

# Every wheel is checked against the lock's hashes, and a lock line without one is refused: a
# tampered mirror or index cannot slip code into the environment that loads the model.
.venv-rasa/.installed: $(UV) rasa_project/requirements.lock
	@test -n "$(PY310)" || { echo "Rasa 3.6 needs python3.10 on PATH" >&2; exit 1; }
	test -x .venv-rasa/bin/python || $(UV) venv --python $(PY310) .venv-rasa
	$(UV) pip sync --require-hashes --python .venv-rasa/bin/python rasa_project/requirements.lock
	@touch $@

.PHONY: install
install: .venv/.installed .venv-rasa/.installed

.PHONY: train
train: install
	$(APP_PY) -m bot model train

.PHONY: db
db: .venv/.installed
	$(APP_PY) -m bot db upgrade

.PHONY: run
run: train db
	$(APP_PY) -m bot stack --exit-with-parent

# Headless Chromium for the playground's browser test, from Debian's packages.
.PHONY: browser
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "install Debian's chromium for the browser test (sudo apt-get install chromium)" >&2; fi; }

# docs/content-guide.md's screenshots, taken by the test that follows the guide step by step
# (tests/browser/test_outreach_officer.py) in Chromium, with Debian's colour emoji font.
GUIDE_IMAGES := docs/images/content-guide

.PHONY: guide-screenshots
guide-screenshots: train browser emoji-font
	KELISIM_REQUIRE_BROWSER=1 KELISIM_GUIDE_SCREENSHOTS=$(CURDIR)/$(GUIDE_IMAGES) \
		.venv/bin/pytest -q tests/browser/test_outreach_officer.py
	@ls -l $(GUIDE_IMAGES)

.PHONY: emoji-font
emoji-font:
	@fc-list 2>/dev/null | grep -q "Noto Color Emoji" || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null; \
		else echo "install Debian's fonts-noto-color-emoji, or the screenshots show boxes for emoji (sudo apt-get install fonts-noto-color-emoji)" >&2; fi; }

PY_DIRS := bot tests bench rasa_project/kelisim_nlu rasa_project/kelisim_engine

.PHONY: lint
lint: .venv/.installed
	.venv/bin/ruff check $(PY_DIRS)
	.venv/bin/ruff format --check $(PY_DIRS)
	.venv/bin/mypy

.PHONY: format
format: .venv/.installed
	.venv/bin/ruff format $(PY_DIRS)
	.venv/bin/ruff check --fix $(PY_DIRS)

# Runs lint and the content check before each commit (.pre-commit-config.yaml).
.PHONY: hooks
hooks: .venv/.installed
	.venv/bin/pre-commit install

.PHONY: rasa-validate
rasa-validate: .venv-rasa/.installed
	cd rasa_project && PYTHONPATH=.. ../$(RASA) data validate --config config.yml --domain domain --data data --fail-on-warnings

.PHONY: rasa-test
rasa-test: train
	cd rasa_project && PYTHONPATH=.. ../$(RASA) test core --model ../models/kelisim.tar.gz --stories tests/test_stories.yml \
		--out ../results/core --fail-on-prediction-errors --no-plot

.PHONY: content-check
content-check: .venv/.installed
	$(APP_PY) -m bot content check

.PHONY: nlu-report
nlu-report: train
	$(APP_PY) -m bot model report --out results/nlu

.PHONY: check
check: lint content-check
	.venv/bin/pytest tests/unit -q -n 2 -m "not slow and not postgresql"

.PHONY: test
test: install browser lint content-check rasa-validate train rasa-test
	KELISIM_REQUIRE_BROWSER=1 .venv/bin/pytest -n 2 --dist loadfile -m "not cluster"
	$(MAKE) --no-print-directory test-cluster

# Replicas with parts killed while fifty people talk (docs/deployment.md), alone on the
# machine: its answers must come within the times a real outage allows.
.PHONY: test-cluster
test-cluster: train
	.venv/bin/pytest -q -m cluster tests/integration/test_cluster.py

.PHONY: bench
bench: train db
	.venv/bin/python -m bench.turns

# uv prefers the versions already in the output file: re-locking adds what is new and leaves
# the rest where it is (add --upgrade to move them).
.PHONY: lock
lock: $(UV)
	$(UV) lock
	echo "rasa==3.6.21" | $(UV) pip compile - --python-version 3.10 --python-platform x86_64-unknown-linux-gnu --generate-hashes -o rasa_project/requirements.lock

.PHONY: clean
clean:
	rm -rf .venv .venv-rasa .tools models var results
