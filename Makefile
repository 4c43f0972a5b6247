# 阳光交易平台 — the two commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INI ?= development.ini
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install db demo run serve worker simbank simguarantor test test-sqlite test-slow test-browser screenshots test-all drills fuzz-deep bench lint format clean catalogs js-gm js

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@# pytest's rewritten test modules compiled once here, as pip compiles what it installs:
	@# otherwise every xdist worker of the first test run rewrites all 500 of them itself.
	$(PYTEST) --collect-only -q -p no:xdist >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## create the virtualenv and install the project with its test tools

db: install ## apply the database migrations
	$(BIN)/trading migrate $(INI)

demo: db ## load the demo data (idempotent)
	$(BIN)/trading demo $(INI)

run: demo ## everything: install, migrate, demo data, web app, Huey worker, bank, guarantee provider and witness
	@echo
	@echo "  阳光交易平台 running at http://localhost:6543  (Ctrl-C stops them all)"
	@echo "  demo logins above; every password is the one printed with them"
	@echo
	@$(BIN)/trading-worker $(INI) & worker=$$!; \
	  $(SIMBANK) & bank=$$!; \
	  $(WITNESS) & witness=$$!; \
	  $(SIMGUARANTOR) & guarantor=$$!; \
	  trap 'kill $$worker $$bank $$witness $$guarantor 2>/dev/null; wait $$worker $$bank $$witness $$guarantor 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/pserve $(INI)

# The demo supervisor's witness (监督见证, issue #17): `trading demo` made its key beside
# audit.witnesses_file; every 15 s it checks the log's newest checkpoint against the one it
# saw before and gives its cosignature back (the checkpoints page lists it).
WITNESS = $(BIN)/trading-witness run --log-url http://localhost:6543 --log-key var/witness/log.vkey \
	--key var/witness/supervisor-witness.key --state var/witness/supervisor-state.txt \
	--submit --every 15

# The simulated bank (投标保证金: sub-accounts, signed payment notifications, refunds); its
# own pages: http://localhost:6550/ (a transfer, as a bidder makes it) and /accounts/<no>.
SIMBANK = $(BIN)/python -m trading.bidsecurity.simbank --port 6550 --state var/simbank.sqlite3 \
	--key var/simbank.key --public-out var/simbank.pub \
	--notify http://localhost:6543/api/v1/bidsecurity/notifications

simbank: install ## the simulated bank alone (port 6550), its key in var/simbank.key
	$(SIMBANK)

# The simulated guarantee provider (电子保函: applications, signed guarantees, release, claim).
SIMGUARANTOR = $(BIN)/python -m trading.bidsecurity.simguarantor --port 6551 \
	--state var/simguarantor.sqlite3 --key var/simguarantor.key --public-out var/simguarantor.pub

simguarantor: install ## the simulated guarantee provider alone (port 6551), key in var/simguarantor.key
	$(SIMGUARANTOR)

serve: db ## the web app only, reloading on code changes
	$(BIN)/pserve --reload $(INI)

worker: db ## the Huey worker only
	$(BIN)/trading-worker $(INI)

# Every test run keeps its compiled test modules (__pycache__, git-ignored), even where the
# environment sets PYTHONDONTWRITEBYTECODE: without them each xdist worker rewrites the
# asserts of and compiles all ~250 test modules again on every run (≈7 s of CPU a worker).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

# `make test` is the quick whole: every unit, page, API and rule test (under two minutes on
# 2 cores). The slow ones (whole demo loads, CLI subprocesses, the API fuzz) and the browser
# walks have their own targets; .ci/run runs them all.
QUICK := -m "not slow and not browser"

# The storage tests run on both backends: S3 against TRADING_TEST_S3_URL when it is set
# (.ci/run starts moto_server), else against a moto server inside the test process.
test: install ## the suite (quick part): SQLite, then PostgreSQL, Redis and S3 when their URLs are set
	@if [ "$${TRADING_REQUIRE_SERVICES:-}" = 1 ]; then \
	  for v in TRADING_TEST_DATABASE_URL TRADING_TEST_REDIS_URL TRADING_TEST_S3_URL; do \
	    if [ -z "$${!v:-}" ]; then echo "TRADING_REQUIRE_SERVICES=1 but $$v is not set" >&2; exit 1; fi; \
	  done; fi
	$(PYTEST) -n $(PYTEST_WORKERS) -q $(QUICK)
	@if [ -n "$${TRADING_TEST_DATABASE_URL:-}" ]; then \
	  echo "== database-backed tests again on PostgreSQL =="; \
	  $(PYTEST) -n $(PYTEST_WORKERS) -q --db=postgresql $(QUICK); \
	else echo "(TRADING_TEST_DATABASE_URL not set: PostgreSQL run skipped)"; fi

test-sqlite: install ## the quick suite on SQLite only
	$(PYTEST) -n $(PYTEST_WORKERS) -q $(QUICK)

# The API fuzz is slow-marked for `make test`; `make fuzz-deep` runs it deeper, so not here.
SLOW := -m "(slow or hypothesis) and not browser" --ignore=tests/security/test_api_fuzz.py

test-slow: install ## the slow tests (demo loads, CLI subprocesses, API fuzz) and every property test at full depth
	TRADING_HYPOTHESIS=deep $(PYTEST) -n $(PYTEST_WORKERS) -q $(SLOW)
	@if [ -n "$${TRADING_TEST_DATABASE_URL:-}" ]; then \
	  echo "== database-backed slow tests again on PostgreSQL =="; \
	  TRADING_HYPOTHESIS=deep $(PYTEST) -n $(PYTEST_WORKERS) -q --db=postgresql $(SLOW); fi

test-browser: install ## the browser walks in Debian's Chromium (apt install chromium chromium-driver)
	$(PYTEST) -n $(PYTEST_WORKERS) -q -m browser

# The user guide's screenshots (docs/images/, linked from docs/guide/): every page the guide
# shows, as each demo role, at 390 and 1 366 px, and the main ones again in English
# (en-*.png, for docs/operator-guide.md). Chinese glyphs need a CJK font
# (apt-get install fonts-noto-cjk); commit the PNGs it rewrites.
screenshots: install ## rewrite docs/images/ from the browser walk of the guide's pages
	TRADING_SCREENSHOTS=1 $(PYTEST) -q tests/browser/test_guide_screens.py

test-all: test test-slow test-browser ## everything but the drills, the deep fuzz and the benches

drills: install ## fault drills (killed workers, private PostgreSQL/Redis/S3, two workers and two web processes)
	$(PYTEST) -n $(PYTEST_WORKERS) -q --drills tests/drills

# worksteal: an idle worker takes queued tests from the busy one. With the default `load`
# split all seven API-fuzz roles (3 min each on a slow host) went to one worker while the
# other idled after the schema fuzz: 22 min 44 s instead of 12 min 20 s.
fuzz-deep: install ## the deep fuzz run (25 examples per API operation and role)
	TRADING_FUZZ_EXAMPLES=25 $(PYTEST) -n $(PYTEST_WORKERS) --dist worksteal -q \
	  tests/security/test_api_fuzz.py tests/security/test_schema_fuzz.py

bench: install ## every benchmark (figures as ratios to a floor measured in the same run)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b $(BENCH_ARGS) || exit 1; done

lint: install ## ruff
	$(BIN)/ruff check trading bid_crypto tests

format: install ## ruff format
	$(BIN)/ruff format trading bid_crypto tests

clean: ## remove local state (database, queue, files, generated development keys)
	rm -rf var

js-gm: ## rebuild the vendored 国密 library trading/static/vendor/sm-crypto.js (needs node/npm)
	cd tools/js-gm && npm ci --no-audit --no-fund && node build.mjs

catalogs: install ## re-extract UI strings and merge them into the English catalog
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --omit-header -o trading/locale/trading.pot .
	$(BIN)/pybabel update -D trading -i trading/locale/trading.pot -d trading/locale -l en --no-fuzzy-matching

js: ## rebuild the vendored browser libraries and the offline sealing bundle (needs node/npm)
	cd tools/js && npm ci --no-audit --no-fund && node build.mjs
