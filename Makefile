# The course's two commands:  make lab  (set up, then JupyterLab)  and  make test  (set up, then every test).
# Both create .venv on first use and reinstall only when a requirements file or pyproject.toml changes.

PYTHON ?= python3
PORT ?= 8888
# .ci/run also tests the oldest Python in a venv of its own: make test PYTHON=python3.10 VENV=.venv-py3.10
VENV ?= .venv
BIN := $(VENV)/bin
LAB_STAMP := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check
# JupyterLab refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# A cell that runs longer than CELL_TIMEOUT seconds, or a kernel that does not start within 60 s, fails
# its test with the cell named (a hung kernel once sat for 10 minutes). The slowest cell takes ~5 s.
CELL_TIMEOUT ?= 120
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg \
	--nbval-cell-timeout=$(CELL_TIMEOUT) --nbval-kernel-startup-timeout=60

.PHONY: lab test test-nb html app setup clean help mutate assignments hub

help:
	@echo "make lab   set up .venv, then start JupyterLab on notebooks/ (NO_BROWSER=1, PORT=8888)"
	@echo "make test  set up .venv with the test tools, then pytest over tests/ (browser tests included)"
	@echo "           and nbval over notebooks/ and app/"
	@echo "make html  the whole course as static HTML in build/html/ (stored outputs, no execution)"
	@echo "make app   the training Playground as a web app (Voila, code hidden) on localhost:PORT"
	@echo "make assignments  the graded assignments (nbgrader): source, student release and gradebook"
	@echo "           in build/classroom/ (README: Graded assignments)"
	@echo "make hub CLASS=list.txt  the course for a class on JupyterHub (IP=127.0.0.1 PORT=8000 ISOLATION=accounts|shared COURSE=release|notebooks)"
	@echo "make hub-load  the load test: STUDENTS=10 students at once run notebook 07 on a local hub (minutes)"
	@echo "make mutate mutation testing of nnlib's core modules with mutmut (JOBS=1; not part of make test)"
	@echo "make clean remove .venv"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is needed, this is " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }

$(LAB_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	touch $@

$(TEST_STAMP): requirements-test.txt $(LAB_STAMP)
	$(PIP) install -r requirements-test.txt
	touch $@

setup: $(LAB_STAMP)

lab: $(LAB_STAMP)
	@echo "Starting JupyterLab on notebooks/ at http://localhost:$(PORT)/lab (the URL with its token follows)"
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) $(ROOT_FLAG) \
		$(if $(NO_BROWSER),--no-browser,)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest tests notebooks app $(NBVAL)

# One notebook under nbval, e.g.  make test-nb NB=notebooks/00-start-here.ipynb
test-nb: $(TEST_STAMP)
	$(BIN)/python -m pytest $(NB) $(NBVAL)

html: $(LAB_STAMP)
	$(BIN)/python scripts/build_html.py build/html
	@echo "open build/html/index.html"

app: $(LAB_STAMP)
	@echo "Serving the Playground at http://localhost:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/voila app/playground.ipynb --port=$(PORT) $(if $(NO_BROWSER),--no-browser,)

# make assignments: nbgrader's course directory in build/classroom/ (git-ignored), derived from
# notebooks/ by classroom/assignments.py: source/ (with solutions), release/ (hand this out), gradebook.db.
assignments: $(LAB_STAMP)
	$(BIN)/python classroom/assignments.py
# make hub CLASS=classroom/class-list.example.txt [IP=127.0.0.1] [PORT=8000] [ISOLATION=accounts|shared]
#          [COURSE=release|notebooks] [ADMIN=name]
# JupyterHub for a class (classroom/hub.py): one password and one copy of the course per student.
# COURSE=release (default): each home gets the student release of make assignments (no solutions),
# rebuilt first when missing or older than notebooks/; COURSE=notebooks: the self-learner notebooks,
# solutions folded in (an ungraded class). ISOLATION unset: accounts as root, shared otherwise.
# Its state (passwords, database, students' homes) goes to classroom-state/ (STATE=... for another).
HUB_PORT := $(if $(filter command line,$(origin PORT)),$(PORT),8000)
IP ?= 127.0.0.1
ISOLATION ?=
COURSE ?= release
STATE ?= classroom-state
RELEASE_STAMP := build/classroom/.release-built
.PHONY: hub-needs-class
hub-needs-class:
	@if [ -z "$(CLASS)" ]; then echo "make hub needs a class list: make hub CLASS=path/to/list.txt (one student name per line; see classroom/class-list.example.txt)"; exit 2; fi
	@case "$(COURSE)" in release|notebooks) ;; *) echo "make hub: COURSE=$(COURSE): expected COURSE=release (the student release, no solutions) or COURSE=notebooks (solutions folded in)"; exit 2;; esac
# The student release, rebuilt when a notebook or the assignment builder changed since.
$(RELEASE_STAMP): $(wildcard notebooks/*.ipynb) classroom/assignments.py classroom/nbgrader_config.py $(LAB_STAMP)
	$(MAKE) assignments
	@touch $@
# That CLASS is given is checked first, before any set-up; the list's names are checked when the
# hub starts (after the set-up and the release).
hub: hub-needs-class $(LAB_STAMP) $(if $(filter release,$(COURSE)),$(RELEASE_STAMP),)
	$(BIN)/python -m classroom.hub "$(CLASS)" --ip "$(IP)" --port "$(HUB_PORT)" --course "$(COURSE)" --state-dir "$(STATE)" \
		$(if $(ISOLATION),--isolation "$(ISOLATION)",) $(if $(ADMIN),--admin "$(ADMIN)",)

# make hub-load [STUDENTS=10]: the load test (classroom/hub_load.py). STUDENTS students log in at once on
# a local hub, start their servers and run notebook 07 through the Jupyter server API; it reports spawn
# time, cell latency and memory per student into benchmarks/results/ and fails on any wrong output or
# lost notebook. Outside make test: a few minutes (tests/test_hub_load.py runs its machinery with 2).
STUDENTS ?= 10
.PHONY: hub-load
hub-load: $(TEST_STAMP)
	$(BIN)/python -m classroom.hub_load --students "$(STUDENTS)"

# make bench: nnlib vs PyTorch, scikit-learn and the matmul limit, plus course timings (a few minutes).
# Writes benchmarks/results/ (git-ignored). Benchmark-only packages: requirements-bench.txt.
BENCH_STAMP := $(VENV)/.installed-bench
.PHONY: bench
$(BENCH_STAMP): requirements-bench.txt $(LAB_STAMP)
	$(PIP) install -r requirements-bench.txt || { echo "PyTorch could not be installed: the benchmark runs without it"; \
		grep -iv '^torch' requirements-bench.txt > $(VENV)/requirements-bench-notorch.txt; \
		$(PIP) install -r $(VENV)/requirements-bench-notorch.txt; }
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench.py

# make mutate: mutmut plants small bugs in nnlib's eleven core modules and runs the unit tests against
# each (settings in setup.cfg; tests/MUTATION.md has the score and the survivors judged equivalent).
# Outside make test: 5 to 11 minutes with JOBS=2 (two workers), longer with one. The survivors are listed
# at the end (.venv/bin/mutmut show NAME shows one).
DEV_STAMP := $(VENV)/.installed-dev
JOBS ?= 1
$(DEV_STAMP): requirements-dev.txt $(TEST_STAMP)
	$(PIP) install -r requirements-dev.txt
	touch $@

mutate: $(DEV_STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(JOBS)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .venv-py* mutants
