# Two entry points for a fresh machine (see README): `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

# Installs come from the lock file, so a fresh machine gets the versions that were tested.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

# After changing the dependencies in pyproject.toml: write requirements.lock anew (uv, Python 3.11, Linux x86_64).
lock: setup
	$(VENV)/bin/pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu -q -o requirements.lock

.PHONY: setup demo test coverage bench reliability lock
setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/ipmonitor demo

# The suite on every core (pytest-xdist); one file's tests stay on one worker, so a module's
# fixture (a built site, generated seeds) is made once.
test: setup
	$(VENV)/bin/python -m pytest -n auto --dist loadfile

# The same run, with line coverage of ipmonitor/ and jobs/ (the commands run as real processes included).
coverage: setup
	$(VENV)/bin/python -m pytest -n auto --dist loadfile --cov --cov-report=term-missing:skip-covered

# The attacks and injected faults of docs/reliability.md (also part of `make test`).
reliability: setup
	$(VENV)/bin/python -m pytest -m reliability -q

bench: setup
	$(VENV)/bin/python bench/run.py $(if $(SIZES),--sizes $(SIZES)) $(if $(REPEAT),--repeat $(REPEAT))
