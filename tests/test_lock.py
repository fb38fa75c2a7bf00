"""requirements.lock, what `make run` and `make test` install, against pyproject.toml's
ranges: every dependency (and the test extra's) pinned to exactly one version per Python
branch, inside its declared range, with hashes; and the versions installed here are the
locked ones (the suite tests the locked set)."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+?)(?:\s*;\s*(.+?))?\s*\\?$")


def _locked() -> list[tuple[str, Version, Marker | None, int]]:
    """(name, version, marker, number of hashes) per pinned line."""
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    out = []
    for i, line in enumerate(lines):
        if m := _PIN.match(line):
            hashes = 0
            for nxt in lines[i + 1:]:
                if not nxt.strip().startswith("--hash=sha256:"):
                    break
                hashes += 1
            out.append((canonicalize_name(m.group(1)), Version(m.group(2)),
                        Marker(m.group(3)) if m.group(3) else None, hashes))
    return out


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]
            + project["optional-dependencies"]["test"]]


def _env(python: str) -> dict[str, str]:
    return {"python_full_version": python, "python_version": ".".join(python.split(".")[:2]),
            "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
            "implementation_name": "cpython", "platform_machine": "x86_64"}


@pytest.mark.parametrize("python", ["3.11.7", "3.12.1", "3.13.0"])
def test_every_declared_dependency_is_locked_once_within_its_range(python):
    env = _env(python)
    applies = [(n, v, h) for n, v, mk, h in _locked() if mk is None or mk.evaluate(env)]
    pinned = {}
    for name, v, hashes in applies:
        assert name not in pinned, f"{name} pinned twice for Python {python}"
        assert hashes >= 1, f"{name}=={v} has no hash"
        pinned[name] = v
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req} is not in requirements.lock: run `make lock`"
        assert pinned[name] in req.specifier, \
            f"requirements.lock has {name}=={pinned[name]}, outside {req}: run `make lock`"


def test_this_environment_has_the_locked_versions():
    """Run from `make test`, the suite sees what the lock pins; from `make test-latest`
    (a separate environment with the newest allowed versions) this does not apply."""
    if Path(sys.prefix).name != ".venv":
        pytest.skip(f"not the locked environment (.venv) but {sys.prefix}")
    py = ".".join(map(str, sys.version_info[:3]))
    env = _env(py)
    for name, v, mk, _ in _locked():
        if mk is None or mk.evaluate(env):
            assert Version(version(name)) == v, f"{name} {version(name)} installed, {v} locked"


def test_make_run_passes_a_case_and_options_to_solve():
    """``make run CASE=... ARGS="..."`` solves that case with those options (``make -n``
    prints the commands without running them)."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "--no-print-directory", "run",
                          "CASE=cases/qilu-shengli.toml", "ARGS=--threads 1 --time-limit 120"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1].endswith(
        "ccusplan solve cases/qilu-shengli.toml --threads 1 --time-limit 120")
