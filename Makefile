# parkcredit: the commands a developer and CI run. `make demo` and `make test` are all a new
# machine needs; each creates .venv on first use and reinstalls only when a lock file changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# A committed .python-version makes pyenv resolve `python3` to 3.12 inside the repository.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
# This machine's pip configuration names local wheel folders that may be absent; pip warns once
# per package about them, which buries real errors. The filter keeps pip's exit status (pipefail).
PIP_NOISE := 2>&1 | { grep -v 'is neither a file nor a directory' || true; }

# Stamps are keyed by the lock (and pyproject, for the entry point) so a changed lock reinstalls
# and an unchanged one costs nothing.
RUNTIME_KEY := $(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
DEV_KEY := $(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-16)
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(RUNTIME_KEY)
DEV_STAMP := $(VENV)/.installed-dev-$(DEV_KEY)

COV_FAIL_UNDER ?= 90
PYTEST_ARGS ?=

.PHONY: help demo test lint pytest bench venv venv-dev clean-venv

help:
	@echo "make demo    安装依赖,生成演示园区并启动平台(http://127.0.0.1:8000/)"
	@echo "make test    ruff、格式检查、mypy、迁移检查和全部测试(覆盖率 >= $(COV_FAIL_UNDER)%)"
	@echo "make lint    ruff 与 mypy"
	@echo "make bench   以 --quick 运行 bench/ 下的全部基准测试"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || { \
		echo "需要 Python 3.12(当前 $(PYTHON) 为 $$($(PYTHON) --version 2>&1));可用 PYTHON=python3.12 make ... 指定" >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): | $(BIN)/python
	@echo "==> 安装运行依赖(requirements.lock)"
	$(PIP) install --require-hashes -r requirements.lock $(PIP_NOISE)
	$(PIP) install --no-deps -e . $(PIP_NOISE)
	@rm -f $(VENV)/.installed-runtime-*
	@touch $@

$(DEV_STAMP): | $(BIN)/python
	@echo "==> 安装开发依赖(requirements-dev.lock)"
	$(PIP) install --require-hashes -r requirements-dev.lock $(PIP_NOISE)
	$(PIP) install --no-deps -e . $(PIP_NOISE)
	@rm -f $(VENV)/.installed-dev-*
	@touch $@

venv: $(RUNTIME_STAMP)
venv-dev: $(DEV_STAMP)

# var/ holds the SQLite file; WhiteNoise warns on every start while its static root is missing.
DATA_DIRS := var/staticfiles
$(DATA_DIRS):
	mkdir -p $@

demo: $(RUNTIME_STAMP) | $(DATA_DIRS)
	$(BIN)/parkcredit demo $(DEMO_ARGS)

test: $(DEV_STAMP) | $(DATA_DIRS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory pytest

# The test run alone; .ci/run repeats it on PostgreSQL with DATABASE_URL set.
# pytest exits 5 when it collects nothing, and make fails on any non-zero status.
pytest: $(DEV_STAMP) | $(DATA_DIRS)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(COV_FAIL_UNDER) $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(DEV_STAMP) | $(DATA_DIRS)
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench/ 下没有基准测试"; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "==> $$script --quick"; \
		$(BIN)/python "$$script" --quick; \
	done

clean-venv:
	rm -rf $(VENV)
