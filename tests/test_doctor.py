"""``ccusplan doctor``: versions, the solvers found and a tiny model solved with each,
checked against its optimum worked out by hand (124 MUSD, see ccusplan.doctor)."""

from __future__ import annotations

import platform

from click.testing import CliRunner

import ccusplan
import ccusplan.doctor
from ccusplan.cli import _State, cli
from ccusplan.doctor import check_solver


def doctor():
    r = CliRunner().invoke(cli, ["doctor"], obj=_State())
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output + r.stderr
    return r, {line.split()[0]: line.split() for line in r.stdout.splitlines()
               if line.split() and line.split()[0] in ("highs", "cbc")}


def test_doctor_lists_highs_and_cbc_as_working():
    r, rows = doctor()
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert f"ccusplan {ccusplan.__version__} on Python {platform.python_version()}" in out
    for lib in ("pulp", "highspy", "numpy", "pandas", "matplotlib", "CoolProp"):
        assert f" {lib} " in out
    assert "solvers found:" in out and "every solver found works" in out
    highs = rows["highs"]
    assert highs[1] == "highs" and highs[2].count(".") == 2, highs  # "highs 1.16.0"
    assert highs[3:6] == ["works", "optimal", "124.0"], highs
    cbc = rows["cbc"]  # "cbc devel (cbcbox 2.929)" or "cbc 2.10.3 (PuLP 3.3.2 bundled)"
    assert cbc[1] == "cbc" and (cbc[2] == "devel" or cbc[2].count(".") == 2), cbc
    assert cbc[-4:-1] == ["works", "optimal", "124.0"], cbc


def test_doctor_reports_a_solver_that_misses_the_hand_optimum(monkeypatch):
    """A wrong answer is a failure, not a pass: with the expected optimum changed, every
    solver's (right) 124 MUSD no longer matches and doctor exits 1 naming them."""
    monkeypatch.setattr(ccusplan.doctor, "TINY_OPTIMUM_MUSD", 125.0)
    r, rows = doctor()
    assert r.exit_code == 1
    assert rows["highs"][3] == "FAILED" and "FAILED" in rows["cbc"]
    assert "wrong optimum" in r.stdout
    assert "problem: solver(s) not working: " in r.stderr and "highs" in r.stderr


def test_versions_outside_the_declared_ranges_and_known_bad_ones_are_named():
    """An installed version outside pyproject's range is named with the range; a known-bad
    one with what goes wrong; versions inside the ranges give no warning."""
    from ccusplan.doctor import version_warnings

    bad = ("numpy", ">=2.9", "gives wrong answers")
    assert version_warnings({"pulp": "3.3.2", "numpy": "2.4.6"}, known_bad=(bad,)) == []
    assert version_warnings({"pulp": "9.0", "numpy": "2.9.1", "highspy": "1.7.2"},
                            known_bad=(bad,)) == [
        "pulp 9.0: outside the range ccusplan declares (<5,>=3.3)",
        "highspy 1.7.2: outside the range ccusplan declares (>=1.15)",
        "numpy 2.9.1: gives wrong answers"]


def test_a_missing_solver_is_a_finding_not_a_crash():
    c = check_solver("gurobi_not_here")
    assert not c.ok and c.detail.startswith("failed: SolverUnavailable: unknown solver")
