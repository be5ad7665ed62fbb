# 托育机构登记备案服务平台 — developer commands.
#
#   make run      serve http://127.0.0.1:8000 with PostgreSQL, Redis, Celery worker and beat
#   make test     the whole test suite
#
# Both use DATABASE_URL / REDIS_URL when set; otherwise they start an embedded PostgreSQL (data in
# .data/pg) and an embedded Redis for the duration of the command (tuoyu_portal/embedded_services.py).
# Only Python 3.11+ is needed; `.venv` is created and kept in step with pyproject.toml.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EMBEDDED_SERVICES := $(PY) -m tuoyu_portal.embedded_services
# Extra pytest arguments, e.g. `make test ARGS="-k filing -x"`; PYTEST_WORKERS=0 runs serially.
ARGS ?=
PYTEST_WORKERS ?= 2

# Production-like values for `check --deploy`: throwaway secrets generated for each lint run.
DEPLOY_ENV = DEBUG=0 \
	ALLOWED_HOSTS=portal.example.gov.cn \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEY="$$($(PY) -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')" \
	HEALTH_DEPT_PUSH_SECRET="$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')"

.DEFAULT_GOAL := help
.PHONY: help install run test e2e lint shell backup restore clean distclean messages bench fuzz

help:
	@echo "make run        serve the portal at http://127.0.0.1:8000 (web, worker, beat; Ctrl-C stops all)"
	@echo "make test       run the test suite (ARGS='...' passes pytest arguments)"
	@echo "make bench      province-scale data sets at 3 scales + measurements -> docs/performance.md (an hour+)"
	@echo "make e2e        browser journeys in headless Chromium; screenshots in docs/screens/"
	@echo "make messages   re-extract the English catalogue, compile it, list untranslated entries (docs/i18n.md)"

	@echo "make lint       ruff, lint-imports, makemigrations --check, check --deploy, pip-audit, bandit"
	@echo "make fuzz       schemathesis over every API operation, 1000 examples each"
	@echo "make install    create .venv and install the project"
	@echo "make shell      Django shell against the same services as make run"
	@echo "make backup     pg_dump + uploaded documents + manifest under .data/backups/"
	@echo "make restore    restore a backup into a fresh database and verify it (see docs/deploy.md)"
	@echo "make clean      remove caches and collected static files"
	@echo "make distclean  also remove .venv and .data (the embedded database)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; set PYTHON=python3.11 or newer")'
	@existed=$$(test -e $(VENV) && echo 1); \
	echo "$(PYTHON) -m venv $(VENV)"; \
	if ! $(PYTHON) -m venv $(VENV); then \
		test -n "$$existed" || rm -rf $(VENV); \
		echo "'$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv"; exit 1; \
	fi

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(EMBEDDED_SERVICES) run

test: $(STAMP)
	$(EMBEDDED_SERVICES) test $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(ARGS)

# Every check runs even when an earlier one fails, so one pass shows all problems.
lint: $(STAMP)
	@status=0; \
	echo "== ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== lint-imports (the layers: platform imports no app, no cycles; pyproject.toml)"; $(VENV)/bin/lint-imports || status=1; \
	echo "== makemigrations --check, check --deploy (production-like environment)"; \
	$(DEPLOY_ENV) $(EMBEDDED_SERVICES) exec -- sh -c '\
		python manage.py makemigrations --check --dry-run && \
		python manage.py check --deploy --fail-level WARNING' || status=1; \
	echo "== OpenAPI schema (the exchange contract) generates without warnings"; \
	$(DEPLOY_ENV) $(PY) manage.py spectacular --fail-on-warn --validate --file /dev/null || status=1; \
	echo "== pip-audit (known vulnerabilities in installed packages)"; $(PY) .ci/pip_audit.py || status=1; \
	echo "== bandit"; $(VENV)/bin/bandit -q -r tuoyu_portal registry inspections subsidies -c pyproject.toml || status=1; \
	exit $$status

shell: $(STAMP)
	$(EMBEDDED_SERVICES) exec -- python manage.py shell

# End-to-end journeys in headless Chromium (Debian's chromium package; see tests/e2e/conftest.py).
E2E_STAMP := $(VENV)/.installed-e2e
$(E2E_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,e2e]"
	@touch $@

e2e: $(STAMP) $(E2E_STAMP)
	$(EMBEDDED_SERVICES) test -m e2e tests/e2e $(ARGS)

# Backup drill (docs/deploy.md): database (pg_dump) + uploaded documents + a verification manifest.
backup: $(STAMP)
	$(EMBEDDED_SERVICES) exec -- python manage.py backup

# make restore BACKUP=.data/backups/<stamp> TARGET_DATABASE_URL=postgres://…/fresh_db TARGET_MEDIA=/srv/media
restore: $(STAMP)
	@test -n "$(BACKUP)" -a -n "$(TARGET_DATABASE_URL)" -a -n "$(TARGET_MEDIA)" || { echo "usage: make restore BACKUP=dir TARGET_DATABASE_URL=url TARGET_MEDIA=dir"; exit 2; }
	$(EMBEDDED_SERVICES) exec -- python manage.py restore "$(BACKUP)" --database-url "$(TARGET_DATABASE_URL)" --media-root "$(TARGET_MEDIA)"

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .mypy_cache .coverage htmlcov build dist *.egg-info .data/static

distclean: clean
	@if [ -f .data/pg/postmaster.pid ] && kill -0 "$$(head -n 1 .data/pg/postmaster.pid)" 2>/dev/null; then \
		echo "the embedded PostgreSQL in .data/pg is running: stop make run / make test first"; exit 1; fi
	rm -rf $(VENV) .data

# The English catalogue (docs/i18n.md): extract every marked string into locale/en/.../django.po,
# compile the .mo (committed: a bare machine has no msgfmt), and list what still needs English.
# Needs GNU gettext (apt-get install gettext).
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv --ignore=.data --ignore="tests/*" --ignore="docs/*" --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages -l en --ignore=.venv --ignore=.data
	@$(PY) -c 'import polib; po = polib.pofile("locale/en/LC_MESSAGES/django.po"); todo = po.untranslated_entries() + po.fuzzy_entries(); print(f"{len(todo)} entries need English"); [print("  " + e.msgid.splitlines()[0]) for e in todo]'

# Province-scale benchmark (not part of `make test`): drops and recreates the database
# named by DATABASE_URL (its name must contain "bench") once per scale of BENCH_SCALES
# (default "0.1 0.3 1.0"; 1.0 = 1 000 000 institutions, 5 000 000 inspections), generates the
# data set with set-based SQL, measures, and writes docs/performance.{md,json} with every figure
# as a curve over the scales. BENCH_SCALE=0.01 for one 1 % run. Without DATABASE_URL the embedded
# PostgreSQL is used.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	@touch $@

bench: $(STAMP) $(BENCH_STAMP)
	@if [ -n "$$DATABASE_URL" ]; then PY=$(PY) sh bench/run.sh; \
	else $(EMBEDDED_SERVICES) exec -- sh -c 'DATABASE_URL="$$(python -m tuoyu_portal.service_urls with-dbname "$$DATABASE_URL" tuoyu_bench)" PY=python sh bench/run.sh'; fi

# Long fuzzing run of the whole API (tests/security/test_fuzz_api.py; make test runs 100 each).
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COVERAGE=1 $(EMBEDDED_SERVICES) test $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) tests/security/test_fuzz_api.py $(ARGS)
