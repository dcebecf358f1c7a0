# cms-sync: `make demo` publishes the series to a throwaway local WordPress,
# `make test` runs the whole suite. Both set up what they need themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What the venv, the real WordPress (tests, demo) and the browser tests need.
DEBIAN_PACKAGES := python3-venv wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-xml \
	php-mbstring mariadb-server chromium chromium-driver fonts-noto-core

.PHONY: all test lint check-debian venv clean demo demo-stop bench

all: test

$(BIN)/cms-sync: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/cms-sync

check-debian:
	scripts/install-debian-packages $(DEBIAN_PACKAGES)

lint: venv
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

test: check-debian venv lint
	$(BIN)/pytest

bench: check-debian venv
	$(BIN)/python benchmarks/bench.py

demo: check-debian venv
	scripts/demo

demo-stop:
	python3 scripts/local_wordpress.py stop .wp

clean:
	rm -rf $(VENV) rendered .pytest_cache .mypy_cache .ruff_cache
