"""A two-stage stochastic build-out: one extensive-form MILP over a case's ``[stochastic]``
scenarios.

Each scenario is the base case with its factors applied (:func:`.samples.apply`), built
as its own MILP (pipes undirected, targets that may fall short at the table's price).
The extensive form stacks them side by side, each scenario's costs weighted by its
probability, and ties their build decisions — sources equipped and capture capacity
built, sinks opened and wells, pipes and their sized capacity — in every period that
starts up to ``shared_until`` (the first stage) with equality rows; flows, capture,
injection and later builds are each scenario's own (its recourse). Its optimum is the
expected cost of the best plan that must commit before knowing the scenario (RP).

Against it, as usual in stochastic programming (Birge and Louveaux, *Introduction to
Stochastic Programming*, Springer 2011, ch. 4):

* the wait-and-see cost WS: each scenario solved alone, weighted by its probability; the
  expected value of perfect information is EVPI = RP − WS (a scenario's cost alone is
  the best of its own solve and of its plans in the extensive form's and the mean-value
  plan's solutions, each a plan of that scenario alone);
* the expected cost of the mean-value plan EEV: the scenario of probability-weighted
  mean factors solved alone, its first stage fixed in every scenario and their recourse
  optimised; the value of the stochastic solution is VSS = EEV − RP.

Each figure is a MILP solved within a share of the time limit, from the warm start
``ccusplan solve`` uses; the mean-value plan's recourse (a feasible plan of the
extensive form) is the extensive form's start, so RP ≤ EEV. Where a solve stops at a
gap, the figures are stated with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.model import Case, Network
from ccusplan.uncertainty.spec import SINK_FACTORS, Scenario

#: Blocks whose values in the shared periods are the first stage.
SHARED_BLOCKS = ("capture_on", "capture_built", "sink_open", "wells", "pipes", "pipe_size")
#: Shares of the time limit: the mean-value problem, its plan's recourse in every
#: scenario, the scenarios alone (together), and the extensive form (the rest).
MEAN_SHARE, EEV_SHARE, ALONE_SHARE = 0.15, 0.15, 0.2


@dataclass(frozen=True)
class _Part:
    name: str
    probability: float
    inst: object
    form: object


@dataclass(frozen=True)
class StochasticOutcome:
    """The extensive form's plan per scenario, and the figures around it."""

    scenarios: list[tuple[str, float]]
    outcomes: list          # per scenario: ccusplan.optimize.Outcome (first stage shared)
    expected_musd: float | None      # RP: the extensive form's objective
    bound_musd: float | None
    gap: float | None
    status: str
    alone_musd: list[float | None]   # each scenario's own optimum (wait and see)
    mean_value_musd: float | None    # the mean-value problem's own optimum
    eev_musd: float | None           # the mean-value plan's expected cost
    shared_until: int
    seconds: float

    @property
    def wait_and_see_musd(self) -> float | None:
        if any(v is None for v in self.alone_musd):
            return None
        return float(sum(p * v for (_, p), v in zip(self.scenarios, self.alone_musd)))

    @property
    def evpi_musd(self) -> float | None:
        ws = self.wait_and_see_musd
        return None if ws is None or self.expected_musd is None else self.expected_musd - ws

    @property
    def vss_musd(self) -> float | None:
        return None if self.eev_musd is None or self.expected_musd is None \
            else self.eev_musd - self.expected_musd


def scenario_sample(s: Scenario, sinks) -> dict:
    """A scenario as a sample dict for :func:`.samples.apply` (sink factors by id)."""
    ids = [str(k) for k in sinks.index]
    out: dict = {"index": 0}
    for name in SINK_FACTORS:
        v = getattr(s, name)
        out[name] = {k: float(v.get(k, 1.0)) for k in ids} if isinstance(v, dict) \
            else dict.fromkeys(ids, float(v))
    for name in ("capture_cost", "pipeline_cost", "target", "price"):
        out[name] = float(getattr(s, name))
    return out


def mean_sample(samples: list[dict], probabilities: list[float]) -> dict:
    """The probability-weighted mean of each factor (per sink for the sink factors)."""
    out: dict = {"index": 0}
    for name, first in samples[0].items():
        if name == "index":
            continue
        if isinstance(first, dict):
            out[name] = {k: float(sum(p * s[name][k] for s, p in zip(samples, probabilities)))
                         for k in first}
        else:
            out[name] = float(sum(p * s[name] for s, p in zip(samples, probabilities)))
    return out


def _part(case: Case, net: Network, sample: dict, name: str, p: float, penalty) -> _Part:
    from ccusplan.optimize import build, prepare
    from ccusplan.uncertainty.samples import apply

    inst = prepare(*apply(case, net, sample))
    form = build(inst, directed=False,
                 shortfall_usd_per_t=penalty if inst.mode == "target" else None)
    return _Part(name, p, inst, form)


def _shared_columns(part: _Part, until: int) -> np.ndarray:
    t = np.flatnonzero(np.asarray(part.inst.years) <= until)
    b = part.form.lp.blocks
    return np.concatenate([b[name][:, t].ravel() for name in SHARED_BLOCKS if name in b]
                          ).astype(int)


def extensive_form(parts: list[_Part], until: int):
    """The stacked program, each scenario's column offset, and its shared columns."""
    from ccusplan.optimize.lp import LinearProgram

    lp = LinearProgram()
    offsets, shared = [], []
    for s, part in enumerate(parts):
        a = part.form.lp.arrays()
        cols = lp.add_vars(f"scenario_{s}", (len(a["c"]),), lo=a["col_lo"], hi=a["col_hi"],
                           integer=a["integer"])
        A = a["A"].tocoo()
        lp.add_rows(f"scenario_{s}", A.shape[0], [(A.row, cols[A.col], A.data)],
                    lo=a["row_lo"], hi=a["row_hi"])
        lp.add_cost(cols, part.probability * a["c"])
        offsets.append(int(cols[0]))
        shared.append(_shared_columns(part, until))
    if any(len(s) != len(shared[0]) for s in shared):
        raise ValueError("the scenarios' first stages differ in size")
    for s in range(1, len(parts)):
        r = np.arange(len(shared[0]))
        lp.add_rows(f"first_stage_{s}", len(r), [(r, offsets[s] + shared[s], 1.0),
                                                 (r, offsets[0] + shared[0], -1.0)],
                    lo=0.0, hi=0.0)
    return lp, offsets, shared


def _check_layouts(parts: list[_Part], where: str) -> None:
    base = parts[0].form.lp.blocks
    for part in parts[1:]:
        b = part.form.lp.blocks
        for name in SHARED_BLOCKS:
            if (name in base) != (name in b) or (name in b and b[name].shape != base[name].shape):
                raise InputError(Problem(where, f"scenario {part.name} changes the network's "
                                         f"layout ({name}): scenarios may change factors "
                                         "only", field="stochastic.scenarios"))


def solve_stochastic(case: Case, net: Network, time_limit_s: float | None = None,
                     threads: int | None = None) -> StochasticOutcome:
    """The extensive form of ``case``'s ``[stochastic]`` table, with WS, EEV, VSS, EVPI."""
    from ccusplan.optimize import Outcome
    from ccusplan.optimize.options import RunOptions
    from ccusplan.optimize.plan import read_plan
    from ccusplan.optimize.pulp_backend import solve_model, to_pulp

    where = display_path(case.path) if case.path else "case"
    st = case.stochastic
    if st is None:
        raise InputError(Problem(where, "the case has no [stochastic] table: add one with "
                                 "its scenarios (docs/uncertainty.md)", field="stochastic"))
    t0 = time.perf_counter()
    opts = RunOptions.of_case(case.solver, None, **{k: v for k, v in (
        ("time_limit_s", time_limit_s), ("threads", threads)) if v is not None})
    limit = opts.time_limit_s
    sinks = net.sinks.sort_index()
    unknown = [(s.name, k) for s in st.scenarios for name in SINK_FACTORS
               if isinstance(getattr(s, name), dict) for k in getattr(s, name)
               if k not in set(map(str, sinks.index))]
    if unknown:
        raise InputError([Problem(where, f"scenario {n}: sink {k} is not in the network",
                                  field="stochastic.scenarios") for n, k in unknown])
    samples = [scenario_sample(s, sinks) for s in st.scenarios]
    probs = [s.probability for s in st.scenarios]
    parts = [_part(case, net, smp, s.name, s.probability, st.shortfall_usd_per_t)
             for smp, s in zip(samples, st.scenarios)]
    _check_layouts(parts, where)
    lp, offsets, shared = extensive_form(parts, st.shared_until)
    model = to_pulp(lp)

    # the mean-value problem, and its first stage's recourse in every scenario (EEV): a
    # feasible plan of the extensive form, which starts from it
    mv = _part(case, net, mean_sample(samples, probs), "mean", 1.0, st.shortfall_usd_per_t)
    _check_layouts([parts[0], mv], where)
    mv_res = _solve_alone(mv, opts, MEAN_SHARE * limit)
    eev, start = None, None
    if mv_res.x is not None:
        mv_cols = _shared_columns(mv, st.shared_until)
        first = np.where(mv.form.lp.arrays()["integer"][mv_cols], np.round(mv_res.x[mv_cols]),
                         mv_res.x[mv_cols])
        recourse = [_recourse(p, cols, first, opts, EEV_SHARE * limit / len(parts))
                    for p, cols in zip(parts, shared)]
        if all(r.x is not None for r in recourse):
            eev = float(sum(p.probability * r.objective for p, r in zip(parts, recourse)))
            start = np.concatenate([r.x for r in recourse])

    # each scenario alone (wait and see)
    alone = [_solve_alone(p, opts, ALONE_SHARE * limit / len(parts)) for p in parts]

    left = max(limit - (time.perf_counter() - t0), 0.1 * limit)
    rp = solve_model(model, opts.but(time_limit_s=left, start=start))
    if start is not None and (rp.objective is None or rp.objective > eev):
        rp = replace(rp, x=start, objective=eev)   # the mean-value plan is the best found

    # each scenario's plan from the extensive form's solution
    outcomes = []
    for part, off in zip(parts, offsets):
        n = part.form.lp.n_cols
        x = None if rp.x is None else rp.x[off:off + n]
        cost = None if x is None else float(part.form.lp.arrays()["c"] @ x)
        res = replace(rp, x=x, objective=cost, best_bound=None, mip_gap=None,
                      termination=None) if x is not None else rp
        plan = read_plan(part.inst, part.form, x) if x is not None else None
        outcomes.append(Outcome(part.inst, part.form, res, plan, 0.0, [], limit, None))
    # a scenario's best plan found: alone, or within the extensive form's or the
    # mean-value plan's solutions (each is a plan of that scenario alone)
    best_alone = []
    for part, off, r, o in zip(parts, offsets, alone, outcomes):
        c = part.form.lp.arrays()["c"]
        found = [v for v in (r.objective, o.result.objective if o.plan is not None else None,
                             None if start is None else float(c @ start[off:off + len(c)]))
                 if v is not None]
        best_alone.append(min(found) if found else None)
    gap = None if rp.objective is None or rp.best_bound is None else \
        max(rp.objective - rp.best_bound, 0.0) / max(abs(rp.objective), 1e-9)
    return StochasticOutcome(
        [(p.name, p.probability) for p in parts], outcomes, rp.objective, rp.best_bound,
        gap, str(rp.status), best_alone, mv_res.objective, eev,
        st.shared_until, time.perf_counter() - t0)


def _recourse(part: _Part, cols: np.ndarray, first: np.ndarray, opts, limit: float):
    """One scenario's MILP with its first stage fixed to ``first``, from the same warm
    start as a scenario alone (its LP relaxation and restricted MILPs respect the fixed
    columns)."""
    arr = part.form.lp.arrays()
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    v = np.minimum(np.maximum(first, lo[cols]), hi[cols])
    lo[cols], hi[cols] = v, v
    fixed = replace(part.form, lp=part.form.lp.with_bounds(lo, hi))
    return _solve_alone(_Part(part.name, part.probability, part.inst, fixed), opts, limit)


def _solve_alone(part: _Part, opts, limit: float):
    """One scenario's MILP, from the warm start ``ccusplan solve`` uses (LP support)."""
    from ccusplan.optimize import WARM_START_LP_SHARE, WARM_START_SHARE
    from ccusplan.optimize.pulp_backend import solve_model, to_pulp
    from ccusplan.optimize.warmstart import lp_support_start

    t0 = time.perf_counter()
    model = to_pulp(part.form.lp)
    step = opts.but(msg=False, progress=None)
    warm = lp_support_start(part.inst, part.form, model,
                            step.but(time_limit_s=WARM_START_SHARE * limit),
                            lp_time_limit_s=WARM_START_LP_SHARE * limit)
    model = warm.model or model
    left = max(limit - (time.perf_counter() - t0), 0.1)
    return solve_model(model, opts.but(time_limit_s=left, start=warm.x))
