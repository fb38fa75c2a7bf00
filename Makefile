# Two commands do all the set-up (DESIGN.md, "Set-up contract"):
#   make run   — create .venv if missing, install ccusplan, solve the default case
#   make test  — the same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CASE   ?= cases/shandong-2050.toml

.PHONY: run test install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ccusplan solve $(CASE)

test: $(STAMP)
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) outputs .pytest_cache
