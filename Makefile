# cms-sync: `make demo` publishes the series to a throwaway local WordPress,
# `make test` runs the whole suite. Both set up what they need themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What the venv, the real WordPress (tests, demo) and the browser tests need.
DEBIAN_PACKAGES := python3-venv wordpress wordpress-theme-twentytwentythree \
	wordpress-theme-twentytwentyone php-cli php-mysql php-xml \
	php-mbstring mariadb-server chromium chromium-driver fonts-noto-core

.PHONY: all test lint lint-plugin check-debian venv clean demo demo-stop bench plugin

all: test

$(BIN)/cms-sync: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/cms-sync

check-debian:
	scripts/install-debian-packages $(DEBIAN_PACKAGES)

lint: venv lint-plugin
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

# The companion WordPress plugin: every PHP file must parse (php -l stops at the first error).
PLUGIN_DIR := wordpress-plugin
PLUGIN_FILES := $(shell find $(PLUGIN_DIR) -type f -not -name '.*' 2>/dev/null | sort)
lint-plugin:
	@for file in $(filter %.php,$(PLUGIN_FILES)); do \
		php -d display_errors=stderr -d log_errors=0 -l "$$file" >/dev/null || exit 1; \
	done; echo "php -l: $(words $(filter %.php,$(PLUGIN_FILES))) plugin files OK"

# An installable zip for Plugins > Add New > Upload Plugin: the plugin folder inside.
plugin: dist/cms-sync-companion.zip

dist/cms-sync-companion.zip: $(PLUGIN_FILES)
	rm -rf dist/cms-sync-companion $@
	mkdir -p dist
	cp -R $(PLUGIN_DIR) dist/cms-sync-companion
	cd dist && $(PYTHON) -m zipfile -c cms-sync-companion.zip cms-sync-companion
	rm -rf dist/cms-sync-companion
	@echo "Built $@: upload it in wp-admin, Plugins > Add New > Upload Plugin"

# The compatibility tier runs the tests marked `compat` on this release as well (Debian ships 6.1).
WORDPRESS_ARCHIVE ?= ../shared/wordpress/wordpress-7.0.4.tar.gz

# CMS_SYNC_REQUIRE_TIERS=1: a tier whose binaries are missing fails instead of skipping.
test: check-debian venv lint
	BIN=$(BIN) scripts/run_tests "$(WORDPRESS_ARCHIVE)"

bench: check-debian venv
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

demo: check-debian venv
	scripts/demo

demo-stop:
	python3 scripts/local_wordpress.py stop .wp

# The README's pictures (docs/images/*.png), taken from the real pages: a throwaway WordPress
# with the companion plugin, the preview and `cms-sync plan`, in the tests' headless Chromium.
.PHONY: screenshots
screenshots: check-debian venv
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) rendered dist .pytest_cache .mypy_cache .ruff_cache
