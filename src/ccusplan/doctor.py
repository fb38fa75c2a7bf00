"""``ccusplan doctor``: what this installation can do, in the spirit of oemof's install
check: the versions of Python, ccusplan and the libraries it rests on, the MILP solvers
PuLP finds, and a tiny model solved with each of them through the whole chain (files
read and validated, model built, solved, plan read back) and checked against its
optimum worked out by hand.

The tiny model (the test suite's hand network): source S (10 Mt/yr, 10 USD/t) → junction
J → sinks K1 (≤ 6 Mt/yr, 1 USD/t) and K2 (≤ 6 Mt/yr, 2 USD/t); 8 Mt/yr to store in one
year, capital recovery factor 0.1, no discounting; pipe classes small (5 Mt/yr, 1 MUSD per
km-unit) and big (20 Mt/yr, 3). Optimum :data:`TINY_OPTIMUM_MUSD` = capture 80 + trunk
S–J two small pipes 20 + one small pipe J–K1 (5) and K2–J (8) 13 + storage 5·1 + 3·2 = 124.
"""

from __future__ import annotations

import platform
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

import pandas as pd
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

import ccusplan
from ccusplan.report import fonts

#: Distributions whose versions are reported (PyPI names).
LIBRARIES = ("pulp", "highspy", "cbcbox", "pyscipopt", "numpy", "pandas", "scipy", "networkx",
             "shapely", "geopandas", "pyogrio", "pyproj", "pydantic", "CoolProp", "matplotlib", "rich",
             "click")
#: Installed versions known to misbehave with ccusplan: (distribution, versions, what goes
#: wrong). Reported with the reason, in place of the plain out-of-range warning.
KNOWN_BAD = (
    ("CoolProp", ">=8", "its import takes about 3.5 s, against about 1 s for 7.2, "
                        "on every command that computes CO2 properties"),
)
TINY_OPTIMUM_MUSD = 124.0
TOLERANCE = 1e-6
TIME_LIMIT_S = 60.0

_FREE = {"capture_capex_musd": 0, "capture_fixed_om_musd_per_yr": 0}
_FREE_SINK = {"storage_capex_musd": 0, "storage_fixed_om_musd_per_yr": 0}
TINY_NETWORK = {
    "sources": [{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10,
                 "capture_cost_usd_per_t": 10, **_FREE}],
    "sinks": [{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 6,
               "storage_cost_usd_per_t": 1, **_FREE_SINK},
              {"id": "K2", "lon": 1, "lat": 1, "capacity_mt": 100, "max_injection_mtpa": 6,
               "storage_cost_usd_per_t": 2, **_FREE_SINK}],
    "junctions": [{"id": "J", "lon": 0.5, "lat": 0.2}],
    "corridors": [{"from": "S", "to": "J", "length_km": 100},
                  {"from": "J", "to": "K1", "length_km": 50},
                  {"from": "K2", "to": "J", "length_km": 80}],
    "pipe_classes": [{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1},
                     {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 3}],
}
TINY_CASE = """\
[case]
name = "doctor"
network = "net"

[horizon]
periods = [2025]
period_years = 1

[target]
mtpa = [8]

[finance]
crf = 0.1
discount_rate = 0.0

[solver]
mip_gap = 0.0
"""


@dataclass(frozen=True)
class SolverCheck:
    """One solver on the tiny model."""

    name: str            # as ccusplan's --solver takes it (highs, cbc, ...)
    version: str         # e.g. "highs 1.15.1"
    ok: bool             # solved to the hand optimum
    detail: str          # the status when it works, else what went wrong, in words
    seconds: float
    objective_musd: float | None = None


@dataclass(frozen=True)
class Checkup:
    """Everything ``ccusplan doctor`` reports."""

    python: str
    platform: str
    versions: dict[str, str]   # distribution → version, or "not installed"
    solvers: list[SolverCheck]
    warnings: list[str]        # installed versions outside ccusplan's ranges or known bad
    cjk_font: str | None = None  # the figures' font for Chinese names, None when none found

    @property
    def ok(self) -> bool:
        """At least one solver found, and every solver found solves the tiny model."""
        return bool(self.solvers) and all(s.ok for s in self.solvers)


def library_versions() -> dict[str, str]:
    """ccusplan and :data:`LIBRARIES` with their installed versions."""
    out = {"ccusplan": ccusplan.__version__}
    for dist in LIBRARIES:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def version_warnings(versions: dict[str, str] | None = None,
                     known_bad=KNOWN_BAD) -> list[str]:
    """Installed versions outside the ranges ccusplan declares, or in :data:`KNOWN_BAD`.

    ``versions`` maps distribution → version (default: what is installed here).

    >>> version_warnings({"CoolProp": "8.0.1", "pulp": "3.3.2"}, known_bad=())
    ['CoolProp 8.0.1: outside the range ccusplan declares (<8,>=7.2)']
    """
    given = {} if versions is None else versions
    out = {}
    for req in map(Requirement, requires("ccusplan") or []):
        v = _version_of(req.name, given, versions is None)
        if req.marker is None and v is not None and v not in req.specifier:
            out[req.name] = f"{req.name} {v}: outside the range ccusplan declares " \
                            f"({req.specifier})"
    for name, spec, why in known_bad:
        v = _version_of(name, given, versions is None)
        if v is not None and v in SpecifierSet(spec):
            out[name] = f"{name} {v}: {why}"
    return list(out.values())


def _version_of(dist: str, given: dict[str, str], look: bool) -> Version | None:
    try:
        return Version(version(dist) if look else given[dist])
    except (PackageNotFoundError, KeyError, InvalidVersion):
        return None


def solvers_found() -> list[str]:
    """The solvers PuLP finds here, by the names ``--solver`` takes."""
    from ccusplan.optimize.pulp_backend import ALIASES, available_solvers

    friendly = {real: name for name, real in ALIASES.items()}
    return [friendly.get(s, s) for s in available_solvers()]


def _write_tiny_case(folder: Path) -> Path:
    net = folder / "net"
    net.mkdir()
    for table, rows in TINY_NETWORK.items():
        pd.DataFrame(rows).to_csv(net / f"{table}.csv", index=False)
    case = folder / "doctor.toml"
    case.write_text(TINY_CASE)
    return case


def check_solver(name: str) -> SolverCheck:
    """Solve the tiny model with solver ``name``; never raises (a failure is reported)."""
    from ccusplan.io import load
    from ccusplan.optimize import run
    from ccusplan.optimize.pulp_backend import pulp_name, solver_version

    t0 = time.perf_counter()
    try:
        label = solver_version(pulp_name(name))
        with tempfile.TemporaryDirectory(prefix="ccusplan-doctor-") as tmp:
            outcome = run(*load(_write_tiny_case(Path(tmp))), solver=name,
                          time_limit_s=TIME_LIMIT_S, mip_gap=0.0)
    except Exception as exc:  # noqa: BLE001 - a broken solver is a finding, not a crash
        return SolverCheck(name, name, False, f"failed: {type(exc).__name__}: {exc}",
                           time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    res = outcome.result
    if res.objective is None:
        return SolverCheck(name, label, False, f"no plan: {res.status}", seconds)
    if abs(res.objective - TINY_OPTIMUM_MUSD) > TOLERANCE * TINY_OPTIMUM_MUSD:
        return SolverCheck(name, label, False, f"wrong optimum, expected "
                           f"{TINY_OPTIMUM_MUSD:g} MUSD", seconds, res.objective)
    return SolverCheck(name, label, True, res.status, seconds, res.objective)


def checkup() -> Checkup:
    """Versions, solvers found, and the tiny model solved with each solver."""
    return Checkup(platform.python_version(), f"{platform.system()} {platform.machine()}",
                   library_versions(), [check_solver(s) for s in solvers_found()],
                   version_warnings(), fonts.cjk_family())
