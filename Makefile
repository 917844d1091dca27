# Serverless at Scale: the workshop and pocketcloud.
#   make workshop   start pocketcloud, execute every notebook headless, write build/*.ipynb and build/*.html
#                   (the Korean edition, notebooks/ko, to build/ko/)
#   make test       the whole test suite: unit, pocketcloud behaviour, helpers, notebooks (nbval)
#   make ko-sync    copy the English notebooks' code cells into the Korean ones (notebooks/ko)
#   make mutation   mutation testing (mutmut) of the modules the lessons rest on; writes build/mutation/report.md
# Both set themselves up first (.venv, pip install, a MariaDB server from apt when none is found).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := .[workshop,lab,pocketcloud,dev]
# Every package version the suite was last run with; `make lock` writes it anew from the newest allowed.
LOCK   := constraints.txt
# Packages whose private names pocketcloud relies on; `make check-latest` tries their newest allowed releases.
LATEST := moto boto3 botocore s3transfer awslambdaric
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# The Korean edition: the same code cells; the helpers speak Korean there (the kernel starts in notebooks/ko).
KO_NOTEBOOKS := $(sort $(wildcard notebooks/ko/[0-9]*.ipynb))
# Settings for the private pocketcloud that test and workshop runs start (free ports, own state dir).
TEST_CLOUD = POCKETCLOUD_STATE_DIR=$(CURDIR)/build/$(1)-cloud POCKETCLOUD_PORT=0 POCKETCLOUD_XRAY_PORT=0
# nbval over notebooks $(2) on a pocketcloud of their own ($(1)), each written with its outputs to folder $(3).
NBVAL = $(call TEST_CLOUD,$(1)) $(BIN)/pocketcloud run -- \
  $(BIN)/python -m pytest -q -p no:cacheprovider -p tests.notebooks.keep_outputs --keep-outputs=$(3) \
  --nbval-lax --nbval-cell-timeout=900 $(2)
# nbconvert executes notebooks $(2) on a pocketcloud of their own ($(1)) into folder $(3).
EXECUTE = $(call TEST_CLOUD,$(1)) $(BIN)/pocketcloud run -- \
  $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 --output-dir $(3) $(2)

# make lab: where JupyterLab opens and what else it is given (e.g. LAB_ARGS="--no-browser --port 8890").
LAB_DIR  ?= notebooks
LAB_ARGS ?=
# JupyterLab refuses to run as root (containers, cloud notebook VMs) unless told it may.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup db-server browser apt-python-venv workshop test test-unit test-notebooks mutation lab bench clean lint lock check-latest ko-sync

setup: $(STAMP) db-server

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || $(MAKE) --no-print-directory apt-python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '$(EXTRAS)'
	@touch $@

# The lock anew: the newest releases pyproject.toml allows, installed in a scratch venv and frozen.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet -e '$(EXTRAS)'
	{ echo "# Tested versions of every package make setup installs (make lock writes this file)."; \
	  build/lock-venv/bin/python -m pip freeze --exclude-editable; } > $(LOCK)
	rm -rf build/lock-venv

# The newest moto, boto3 and awslambdaric that pyproject.toml allows, everything else as locked, in a scratch
# venv: the unit and pocketcloud behaviour tests say whether a release moved what pocketcloud hooks into.
check-latest: db-server
	rm -rf build/latest-venv && $(PYTHON) -m venv build/latest-venv
	build/latest-venv/bin/python -m pip install --quiet --upgrade pip
	grep -v -i -E '^($(subst $(eval) ,|,$(LATEST)))==' $(LOCK) > build/latest-constraints.txt
	build/latest-venv/bin/python -m pip install --quiet -c build/latest-constraints.txt -e '$(EXTRAS)'
	build/latest-venv/bin/python -m pip install --quiet --upgrade -c build/latest-constraints.txt $(LATEST)
	build/latest-venv/bin/python -m pip list 2>/dev/null | grep -i -E '^($(subst $(eval) ,|,$(LATEST))) '
	build/latest-venv/bin/pytest -q tests/unit tests/pocketcloud

# Debian/Ubuntu ship venv/ensurepip separately.
apt-python-venv:
	@$(call apt_install,python3-venv python3-pip)

define apt_install
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "Please install: $(1) (e.g. sudo apt-get install $(1))"; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(1) >/dev/null
endef

# RDS instances are real MariaDB servers; the mariadb client is used by the proxy tests.
db-server:
	@if { command -v mariadbd || command -v mysqld || [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ]; } >/dev/null 2>&1 \
	   && command -v mariadb >/dev/null 2>&1; then :; \
	else echo "Installing MariaDB server and client from apt"; $(call apt_install,mariadb-server mariadb-client); fi

# The browser tests open JupyterLab in Debian's Chromium, driven through its ChromeDriver; fonts-noto-cjk
# so that Hangul renders in the screenshots.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	  && fc-list :lang=ko family 2>/dev/null | grep -q .; then :; \
	else echo "Installing Chromium, ChromeDriver and a font with Hangul from apt"; $(call apt_install,chromium chromium-driver fonts-noto-cjk); fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pocketcloud helpers

# Lint first (ten seconds): a line ruff refuses or a type mypy refuses fails the run before the slow tiers.
test: setup lint test-unit test-notebooks

# The unit tier waits far more than it computes (clouds starting, MariaDB, Lambda cold starts), so its test files
# run side by side on TEST_WORKERS pytest-xdist workers; tests/parallel.py keeps each file on one worker and the
# tests of the default port and the repo's .pocketcloud (learner, browser) one after another.
TEST_WORKERS ?= 4
test-unit: setup browser
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup tests
	$(BIN)/pytest -q --doctest-modules pocketcloud helpers

# nbval executes each notebook once; keep_outputs writes it with its outputs to build/executed/ (the Korean
# edition, right after on a fresh pocketcloud of its own, to build/executed/ko/), where test_figures.py then reads
# every figure, table and progress bar (and fails when a notebook is missing).
test-notebooks: setup
	@mkdir -p build
	@[ -n "$(NOTEBOOKS)" ] || { echo "no notebooks yet"; exit 0; }; \
	rm -rf build/executed && \
	$(call NBVAL,nbval,$(NOTEBOOKS),build/executed) && \
	{ [ -z "$(KO_NOTEBOOKS)" ] || $(call NBVAL,nbval-ko,$(KO_NOTEBOOKS),build/executed/ko); } && \
	EXECUTED_NOTEBOOKS=$(CURDIR)/build/executed $(BIN)/pytest -q -p no:cacheprovider tests/notebooks/test_figures.py

# Mutation testing (slow, not part of make test): pyproject.toml's [tool.mutmut] says which modules are mutated and
# which fast unit tests run against them. MUTANTS narrows a run (e.g. MUTANTS='pocketcloud.vpc.rules*'; every
# named mutant is run again); results are kept in mutants/ between runs, and the report covers every module.
MUTATION_WORKERS ?= 2
MUTANTS ?=
mutation: setup
	$(BIN)/mutmut run --max-children $(MUTATION_WORKERS) $(MUTANTS)
	$(BIN)/python tests/mutation_report.py

workshop: setup
	@mkdir -p build/ko
	$(call EXECUTE,workshop,$(NOTEBOOKS),build)
	$(BIN)/jupyter nbconvert --to html --output-dir build build/*.ipynb
	@[ -z "$(KO_NOTEBOOKS)" ] || { $(call EXECUTE,workshop-ko,$(KO_NOTEBOOKS),build/ko) && \
	  $(BIN)/jupyter nbconvert --to html --output-dir build/ko build/ko/*.ipynb; }
	@echo "Executed notebooks and HTML are in build/ (the Korean edition in build/ko/)"

# pocketcloud on the default port (state in ./.pocketcloud, where helpers.connect() looks first) plus
# JupyterLab, both on 127.0.0.1. JupyterLab prints its URL with the token; pocketcloud keeps running
# after JupyterLab stops ('pocketcloud down' or 'make clean' stops it).
lab: setup
	$(BIN)/pocketcloud --state-dir $(CURDIR)/.pocketcloud up
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir $(LAB_DIR) $(LAB_ROOT) $(LAB_ARGS)

# The Korean edition (notebooks/ko) keeps the English code cells: run this after changing an English code cell.
# It copies them into notebooks/ko/src/*.py and syncs the Korean .ipynb; it fails when a notebook's cell types differ.
ko-sync: setup
	$(BIN)/python tools/sync_ko_notebooks.py

bench: setup
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	-[ -x $(BIN)/pocketcloud ] && $(BIN)/pocketcloud down
	rm -rf build .pocketcloud .pytest_cache
