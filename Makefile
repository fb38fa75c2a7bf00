# Two commands do all the set-up:
#   make run          create .venv if missing, install the locked versions and ccusplan,
#                     solve the default case (CASE=... another case, ARGS="..." options
#                     of `ccusplan solve`, e.g. ARGS="--threads 1 --time-limit 120")
#   make test         the same set-up, then the whole test suite
# and, for maintainers:
#   make lock         refresh requirements.lock: the newest versions pyproject.toml allows
#   make test-latest  those newest versions in .venv-latest (newest Python found), then
#                     the suite: what library users who do not use the lock get
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
CASE   ?= cases/shandong-2050.toml
ARGS   ?=
UV_VERSION := 0.13.9

# The newest Python 3.12+ on the PATH or under pyenv, else python3.
LATEST_PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 \
    $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
    python3; do $$p -c '' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: run test install lock test-latest clean

install: $(STAMP)

# Exact versions with their hashes, no resolution: what CI tested is what installs.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ccusplan solve $(CASE) $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

# uv resolves for every platform and Python >= 3.11 at once (--universal), with hashes.
lock:
	@test -x .venv-lock/bin/uv || { $(PYTHON) -m venv .venv-lock && \
	    .venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	printf 'setuptools>=68\nwheel\n' | .venv-lock/bin/uv pip compile pyproject.toml - \
	    --extra test --universal --python-version 3.11 --generate-hashes --upgrade \
	    --custom-compile-command "make lock" -o $(LOCK)

test-latest:
	@test -n "$(LATEST_PYTHON)" || { echo "no python3 found"; exit 1; }
	rm -rf .venv-latest
	$(LATEST_PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet -e '.[test]'
	.venv-latest/bin/python -m pip list --format=freeze > .venv-latest/versions.txt
	-.venv-latest/bin/ccusplan doctor
	.venv-latest/bin/python -m pytest -q

clean:
	rm -rf $(VENV) .venv-latest .venv-lock outputs .pytest_cache
