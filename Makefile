# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
CHROMIUM := /usr/bin/chromium
PDFTOPPM := /usr/bin/pdftoppm

.PHONY: run test test-postgresql lint lock bench migrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs come from the lock files (exact versions, checked against their hashes), so a fresh machine gets what CI
# tested; the project itself is then installed without resolving anything (setuptools comes from the lock too).
$(STAMP_RUN): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(STAMP_DEV): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(STAMP_RUN)

# The playground's browser test drives Debian's Chromium (Playwright downloads no browser), with an emoji font
# so the bot's texts look as on a phone. Installed once, when missing, if we may (root or password-less sudo);
# otherwise that one test is skipped and says why.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else \
		echo "note: $@ is missing; install Debian's chromium for the browser test"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "note: $@ is missing and there is no apt-get"; exit 0; fi; \
	echo "installing Debian's chromium for the browser test (once)"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null

# The certificate test renders the PDF to PNG with poppler's pdftoppm: installed the same way, once, when missing.
$(PDFTOPPM):
	@if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else \
		echo "note: $@ is missing; install Debian's poppler-utils for the certificate test"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "note: $@ is missing and there is no apt-get"; exit 0; fi; \
	echo "installing Debian's poppler-utils for the certificate test (once)"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null

run: $(STAMP_RUN)
	$(PY) main.py run

migrate: $(STAMP_RUN)
	$(PY) main.py migrate

# The suite on SQLite, then again on PostgreSQL: a throw-away server (Debian's postgresql, installed once when
# missing and we may) in a temporary folder on 127.0.0.1, started and stopped by pytest (scripts/pg_test_server.py).
test: $(STAMP_DEV) | $(CHROMIUM) $(PDFTOPPM)
	$(PY) -m pytest
	@if $(PY) scripts/pg_test_server.py available; then \
		echo "the same suite on PostgreSQL"; $(PY) -m pytest --backend=postgresql; \
	else echo "note: PostgreSQL is not installed and cannot be installed here; its test run is skipped"; fi

test-postgresql: $(STAMP_DEV)
	$(PY) -m pytest --backend=postgresql

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo --no-cache

# Refresh the lock files after a change of pyproject.toml's dependencies (the newest versions its ranges allow).
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps --no-emit-find-links \
	--no-emit-index-url --upgrade
lock: $(STAMP_DEV)
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock \
		pyproject.toml

bench: $(STAMP_DEV)
	$(PY) bench/registration.py
	$(PY) bench/catalogue.py
	$(PY) bench/catalogue.py --think 1-3
	$(PY) bench/delivery.py
	$(PY) bench/surveys.py
	$(PY) bench/broadcast.py
	$(PY) bench/reports.py
	$(PY) bench/certificates.py
	$(PY) bench/helpdesk.py
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
