"""A benchmark suite: cases × solvers × settings × repeats, read from a TOML file.

::

    [suite]
    name = "smoke"
    cases = ["../../cases/shandong-2050.toml"]    # relative to this file
    solvers = ["highs", "cbc"]
    repeats = 1
    grace_s = 60          # a run still going at time_limit_s + grace_s is killed
    results = "../results/smoke.jsonl"            # default: <this file>.jsonl
    instances = "../instances"                    # where [[generate]] cases are written

    [settings]            # every combination of these lists is one setting
    time_limit_s = [10, 60]
    mip_gap = [0.01]
    threads = [1]

    [[generate]]          # a synthetic case (ccusplan generate), made when needed
    sources = 100
    sinks = 10
    seed = 1

Every run has a key: a hash of the case file's bytes and its network's data files,
the solver, the setting and the repeat number. A results table holding a key has that
run finished, so a suite run again does only what is missing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.generate.casefile import NAME_PATTERN, GenerateSpec, materialize

NETWORK_DATA = (".csv", ".geojson", ".gpkg")
"""Network files whose bytes enter a run's key (not READMEs or build scripts)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SuiteInfo(_Strict):
    """``[suite]``: what to run and where the results go."""

    name: Annotated[str, Field(min_length=1, pattern=NAME_PATTERN.pattern)]
    description: str = ""
    cases: list[Path] = []
    """Case files, relative to the suite file."""
    solvers: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    repeats: Annotated[int, Field(ge=1)] = 1
    grace_s: Annotated[float, Field(gt=0)] = 120.0
    """A run is killed at ``time_limit_s + grace_s`` seconds (start-up and model building
    are outside the solver's own limit)."""
    results: Path | None = None
    instances: Path | None = None


class Settings(_Strict):
    """``[settings]``: lists whose every combination is one solver setting."""

    time_limit_s: Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)] = [600.0]
    mip_gap: Annotated[list[Annotated[float, Field(ge=0, lt=1)]], Field(min_length=1)] = [0.01]
    threads: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)] = [1]


class Generate(_Strict):
    """``[[generate]]``: a synthetic case, as ``ccusplan generate`` writes it."""

    sources: Annotated[int, Field(ge=1)]
    sinks: Annotated[int, Field(ge=1)]
    junctions: Annotated[int, Field(ge=0)] = 0
    seed: Annotated[int, Field(ge=0)] = 0
    name: Annotated[str, Field(pattern=NAME_PATTERN.pattern)] | None = None
    """Default ``syn-<sources>-<sinks>-<junctions>-s<seed>``."""

    @property
    def case_name(self) -> str:
        return self.name or f"syn-{self.sources}-{self.sinks}-{self.junctions}-s{self.seed}"


class SuiteFile(_Strict):
    """A whole suite file."""

    suite: SuiteInfo
    settings: Settings = Settings()
    generate: list[Generate] = []

    @model_validator(mode="after")
    def _some_case(self) -> SuiteFile:
        if not self.suite.cases and not self.generate:
            raise ValueError("[suite] cases is empty and there is no [[generate]] table: "
                             "list at least one case")
        return self


@dataclass(frozen=True)
class CaseRef:
    """One case of a suite, checked: its file, name, content digest and size."""

    path: Path
    name: str
    digest: str
    n_sources: int
    n_sinks: int
    n_junctions: int
    n_periods: int


@dataclass(frozen=True)
class RunSpec:
    """One run: a case with one solver, one setting and a repeat number."""

    key: str
    suite: str
    case: str
    case_path: str
    case_digest: str
    n_sources: int
    n_sinks: int
    n_junctions: int
    n_periods: int
    solver: str
    time_limit_s: float
    mip_gap_target: float
    threads: int
    repeat: int
    grace_s: float
    sample: dict | None = None   # a sweep's sample (ccusplan.uncertainty.samples)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Suite:
    """A checked suite: its file, results table, cases and runs (in running order)."""

    path: Path
    name: str
    results: Path
    cases: list[CaseRef]
    runs: list[RunSpec]


def load_suite(path: Path) -> Suite:
    """Read, check and expand the suite file at ``path``.

    Generated cases are written (or refreshed) under the suite's ``instances`` folder;
    every case is loaded and validated, and every solver checked, before anything runs.

    Raises
    ------
    InputError
        Every problem at once: the suite file's (naming its line and key), a missing
        case file, an unknown solver, or a case or network that does not validate.
    """
    from ccusplan.io.case import read_toml, validation_problems

    path = Path(path).resolve()
    text, data = read_toml(path, "suite file")
    try:
        spec = SuiteFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, path, text, SuiteFile)) from None
    where = display_path(path)
    folder = path.parent
    problems = _solver_problems(where, spec.suite.solvers)
    paths = [(folder / p).resolve() for p in spec.suite.cases]
    problems += [Problem(where, f"item {i + 1}: case file not found: {p}", field="suite.cases")
                 for i, p in enumerate(paths) if not p.is_file()]
    names = [g.case_name for g in spec.generate]
    problems += [Problem(where, f"two [[generate]] tables make the case '{n}': give them "
                         "different names", field="generate.name")
                 for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise InputError(problems)
    cases = _check_cases(paths)               # before anything is written
    instances = (folder / spec.suite.instances if spec.suite.instances
                 else folder / "instances").resolve()
    cases += _check_cases([materialize(GenerateSpec(g.sources, g.sinks, g.junctions, g.seed),
                                       instances, g.case_name) for g in spec.generate])
    results = (folder / spec.suite.results if spec.suite.results
               else path.with_suffix(".jsonl")).resolve()
    return Suite(path, spec.suite.name, results, cases, _expand(spec, cases))


def _solver_problems(where: str, solvers: list[str]) -> list[Problem]:
    from ccusplan.optimize.pulp_backend import SolverUnavailable, pulp_name

    problems = []
    for i, name in enumerate(solvers):
        try:
            pulp_name(name)
        except SolverUnavailable as exc:
            problems.append(Problem(where, f"item {i + 1}: {exc}", field="suite.solvers"))
    return problems


def _check_cases(paths: list[Path]) -> list[CaseRef]:
    """Load every case (all problems together); duplicates are listed once."""
    from ccusplan.io import load

    problems: list[Problem] = []
    cases: list[CaseRef] = []
    for p in dict.fromkeys(paths):
        try:
            case, net = load(p)
        except InputError as exc:
            problems += exc.problems
            continue
        cases.append(CaseRef(p, case.name, case_digest(p, case.case.network),
                             len(net.sources), len(net.sinks), len(net.junctions),
                             len(case.horizon.periods)))
    if problems:
        raise InputError(problems)
    return cases


def case_digest(case_path: Path, network: Path) -> str:
    """SHA-256 of the case file's bytes and of its network's data files (name and bytes)."""
    h = hashlib.sha256(Path(case_path).read_bytes())
    network = Path(network)
    files = ([network] if network.is_file() else
             sorted(p for p in network.rglob("*") if p.suffix.lower() in NETWORK_DATA))
    for f in files:
        h.update(f.relative_to(network.parent).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def run_key(case_digest_hex: str, solver: str, time_limit_s: float, mip_gap: float,
            threads: int, repeat: int, sample: dict | None = None) -> str:
    """The identity of a run (16 hex digits); a sweep's runs add their sample."""
    what = {"case": case_digest_hex, "solver": solver.lower(), "time_limit_s": float(time_limit_s),
            "mip_gap": float(mip_gap), "threads": int(threads), "repeat": int(repeat)}
    if sample is not None:
        what["sample"] = sample
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def _expand(spec: SuiteFile, cases: list[CaseRef]) -> list[RunSpec]:
    """Every run, repeat by repeat (a batch stopped early has whole repeats first)."""
    s, info = spec.settings, spec.suite
    settings = list(itertools.product(s.time_limit_s, s.mip_gap, s.threads))
    runs = []
    for repeat in range(1, info.repeats + 1):
        for case in cases:
            for solver in info.solvers:
                for limit, gap, threads in settings:
                    runs.append(RunSpec(
                        run_key(case.digest, solver, limit, gap, threads, repeat), info.name,
                        case.name, str(case.path), case.digest, case.n_sources, case.n_sinks,
                        case.n_junctions, case.n_periods, solver.lower(), float(limit),
                        float(gap), int(threads), repeat, info.grace_s))
    return runs
