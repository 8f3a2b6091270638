# Two commands do all set-up on a machine with only Python 3.11+ and make:
#   make run    install, migrate, load the seeds, create demo accounts, serve on 127.0.0.1:8000
#   make test   install with dev dependencies and run the whole suite (set DATABASE_URL for PostgreSQL)
#   make serve  production: collectstatic, migrate, gunicorn (see README, "Serving in production")

UV_VERSION := 0.13.9
PYTHON ?= python3
# Use uv when it is on the PATH; otherwise bootstrap a private copy into .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
MANAGE := $(UV) run --no-sync python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev lint format serve browser-deps clean bench bench-workday

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --no-dev

install-dev: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked

run: export DEBUG ?= 1
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_seeds
	$(MANAGE) demo_accounts
	@echo "Serving on http://$(HOST):$(PORT)/ (demo accounts: see README.md)"
	$(MANAGE) runserver $(HOST):$(PORT)

# Production: hashed and compressed static files (served by whitenoise), migrations, then
# gunicorn with WEB_CONCURRENCY worker processes of THREADS threads each (gthread: a slow
# client holds one thread, not a whole worker) on BIND. Put the buffering proxy of
# deploy/nginx.conf in front. Needs SECRET_KEY and ALLOWED_HOSTS (and DATABASE_URL for
# PostgreSQL) in the environment: see "Serving in production" in README.md.
WEB_CONCURRENCY ?= 2
THREADS ?= 4
BIND ?= $(HOST):$(PORT)
serve: install
	$(MANAGE) collectstatic --noinput
	$(MANAGE) migrate --noinput
	$(UV) run --no-sync gunicorn tracker.wsgi:application --bind $(BIND) \
	  --worker-class gthread --workers $(WEB_CONCURRENCY) --threads $(THREADS) \
	  --timeout 30 --graceful-timeout 30 --keep-alive 5 \
	  --max-requests 2000 --max-requests-jitter 200

test: install-dev browser-deps lint
	$(UV) run --no-sync pytest

# Browser tests drive Debian's Chromium; install it when it is missing and we can.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium; install it (package chromium)."; exit 1; \
	  fi; \
	fi

# The page benchmark (bench/README.md): one sync gunicorn worker per database and size, wrk
# (Debian's package, installed here when missing) against every page and two references, with
# every cache off (BENCH_CACHES=off: each page drawn as after a change; on: the caches kept).
# A quick run: make bench BENCH_SIZES=1000 BENCH_DATABASES=sqlite BENCH_ROUNDS=2
BENCH_SIZES ?= 1000,100000
BENCH_DATABASES ?= sqlite,postgres
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432
BENCH_ROUNDS ?= 3
BENCH_DURATION ?= 5
BENCH_CACHES ?= off
bench: install-dev
	@if ! command -v wrk >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -qq wrk >/dev/null || { echo "Install wrk (Debian package wrk)."; exit 1; }; \
	fi
	$(UV) run --no-sync python -m bench.pages --sizes $(BENCH_SIZES) --databases $(BENCH_DATABASES) \
	  --postgres $(BENCH_POSTGRES) --rounds $(BENCH_ROUNDS) --duration $(BENCH_DURATION) \
	  --caches $(BENCH_CACHES)

# A working day (bench/README.md): make serve's gunicorn (WEB_CONCURRENCY workers of THREADS
# threads) on PostgreSQL at 100k commitments with the cache in Redis (a database of its own,
# flushed first), 8 analysts looping over dashboard, list, commitment and a follow-up one time
# in ten, then the one-query ceiling under the same 8; BENCH_WORKDAY_DURATION seconds each.
BENCH_REDIS ?= redis://127.0.0.1:6379/12
BENCH_WORKDAY_DURATION ?= 60
BENCH_WORKDAY_ROUNDS ?= 1
bench-workday: install-dev
	$(UV) run --no-sync python -m bench.workday --postgres $(BENCH_POSTGRES) --redis $(BENCH_REDIS) \
	  --workers $(WEB_CONCURRENCY) --threads $(THREADS) \
	  --duration $(BENCH_WORKDAY_DURATION) --rounds $(BENCH_WORKDAY_ROUNDS)

# ruff, and the architecture's import contracts (.importlinter).
lint:
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports --no-cache

format:
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

clean:
	rm -rf .venv .tools var
