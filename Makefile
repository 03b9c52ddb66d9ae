# Two entry points for a fresh machine (see README): `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,bench]'
	touch $@

.PHONY: setup demo test bench reliability
setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/ipmonitor demo

test: setup
	$(VENV)/bin/python -m pytest

# The attacks and injected faults of docs/reliability.md (also part of `make test`).
reliability: setup
	$(VENV)/bin/python -m pytest -m reliability -q

bench: setup
	$(VENV)/bin/python bench/run.py $(if $(SIZES),--sizes $(SIZES)) $(if $(REPEAT),--repeat $(REPEAT))
