# The one command catalogue: the README, .ci/run and developers all use these targets.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n auto --dist loadfile
LOCALE_DIR ?= app/locale

.PHONY: help install run test lint check-lint pytest bench bench-full docs-images i18n-extract i18n-compile i18n-check clean

help:
	@echo "make run    install, migrate, seed the demo cohort (SQLite) and serve on $(HOST):$(PORT)"
	@echo "make test   install, then ruff, mypy and the whole pytest suite"
	@echo "make lint   ruff, mypy and a dependency vulnerability audit"
	@echo "make bench  benchmarks, each figure as a ratio against a baseline from the same run"
	@echo "make docs-images  re-render the README's pictures of a printed workbook"
	@echo "make i18n-extract  collect translatable strings into app/locale and update the catalogs"
	@echo "make i18n-compile  check, then compile the catalogs (.po -> .mo); part of make install"
	@echo "make i18n-check  every catalog complete, placeholders right, up to date with the code"

$(UV):
	@echo "uv not found: installing it for this user"
	python3 -m pip install --user --quiet uv

install: $(UV)
	$(UV) sync --frozen
	@$(MAKE) --no-print-directory i18n-compile

i18n-extract: $(UV)
	$(UV) run python -m tools.check_catalogs --extract $(LOCALE_DIR)/messages.pot
	$(UV) run pybabel --quiet update --no-fuzzy-matching --ignore-obsolete \
	  -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR)

# The check refuses a catalog that would compile into a wrong sentence (a broken placeholder,
# wrong plural forms) with file:line, and then nothing is compiled: the previous .mo stays.
i18n-compile: $(UV)
	$(UV) run python -m tools.check_catalogs --compile --locale-dir $(LOCALE_DIR)
	$(UV) run pybabel --quiet compile -d $(LOCALE_DIR)

i18n-check: $(UV)
	$(UV) run python -m tools.check_catalogs --locale-dir $(LOCALE_DIR)

run: install
	$(UV) run tandem demo --host $(HOST) --port $(PORT)

check-lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

pytest: install
	$(UV) run pytest $(PYTEST_ARGS)

test: check-lint pytest

lint: check-lint
	$(UV) run pip-audit --progress-spinner off --skip-editable

bench: install
	$(UV) run python -m bench --quick

bench-full: install
	$(UV) run python -m bench

docs-images: install
	$(UV) run python -m tools.readme_images docs

clean:
	rm -rf .venv .mypy_cache .pytest_cache .ruff_cache
