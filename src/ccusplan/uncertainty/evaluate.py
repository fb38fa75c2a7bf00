"""A solved plan under another case: its build decisions fixed (all, or those up to a
year), the rest re-optimised, and what it costs there.

The plan's sources equipped and capture capacity built, sinks opened and wells drilled,
and pipes laid (count and sized capacity per corridor and pipe class) are fixed in the
periods up to ``until`` (every period by default); flows, capture, injection and any
later build are optimised. Targets may fall short at a stated price per tonne (a fixed
plan may not reach them under another case), so every evaluation has a plan. What was
built and is not used is reported as stranded: capture capacity beyond what is
captured, pipe laid on corridors that carry nothing, sinks open that store nothing.

The regret of a plan under a case is its cost there less the case's own optimum (or
best plan found, when that one was stopped by a time limit: the regret is then stated
against that plan).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.model import LEASED_MODES, Case, Network

#: Default price of a tonne short of a target, USD/t: ccusplan assumption, about twice the
#: levelised cost of the dearest plans of the shipped cases (Shandong 72, China 68 USD/t
#: stored), so that falling short never pays while storing is possible.
SHORTFALL_USD_PER_T = 200.0


@dataclass(frozen=True)
class Evaluation:
    """A plan evaluated under a case."""

    outcome: object                 # ccusplan.optimize.Outcome of the evaluation
    cost_musd: float | None         # the objective with the penalty of any shortfall
    shortfall_mt: float             # tonnes short of the targets, over the horizon (Mt)
    shortfall_musd: float           # their penalty, in the objective's money
    stranded_capture_mtpa: float    # capture capacity built but not used, last period
    stranded_pipe_km: float         # new pipe on corridors that carry nothing in any period
    idle_sinks: int                 # sinks open that never store
    fixed_until: int


def _periods(plan: pd.DataFrame) -> set[int]:
    return set(plan["period"].astype(int))


def fixed_columns(inst, form, result, until: int | None, where: str) -> tuple[np.ndarray, np.ndarray]:
    """The columns a result folder's plan fixes in ``inst``'s MILP (undirected pipes),
    periods up to ``until``, and their values."""
    years = [int(y) for y in inst.years]
    fix_t = [t for t, y in enumerate(years) if until is None or y <= until]
    t_of = {y: t for t, y in enumerate(years)}
    b, cols, vals = form.lp.blocks, [], []
    problems: list[Problem] = []

    def put(block, index_of, table, key, col, name):
        values = np.zeros((len(index_of), len(years)))
        for row, (k, y, v) in enumerate(zip(table[key], table["period"], table[col])):
            if k not in index_of:
                problems.append(Problem(f"{where}/{name}", f"{k} is not in this case's network",
                                        row=row + 2, field=key))
            elif int(y) not in t_of:
                problems.append(Problem(f"{where}/{name}", f"period {int(y)} is not one of "
                                        "this case's", row=row + 2, field="period"))
            else:
                values[index_of[k], t_of[int(y)]] = v
        cols.append(b[block][:, fix_t].ravel())
        vals.append(values[:, fix_t].ravel())

    src = {k: i for i, k in enumerate(inst.network.sources.index.astype(str))}
    snk = {k: i for i, k in enumerate(inst.network.sinks.index.astype(str))}
    s = result.tables["plan_sources.csv"].assign(source_id=lambda d: d["source_id"].astype(str))
    k = result.tables["plan_sinks.csv"].assign(sink_id=lambda d: d["sink_id"].astype(str))
    put("capture_on", src, s, "source_id", "equipped", "plan_sources.csv")
    put("capture_built", src, s, "source_id", "built_capacity_mtpa", "plan_sources.csv")
    put("sink_open", snk, k, "sink_id", "open", "plan_sinks.csv")
    if "plan_ports.csv" in result.tables and len(inst.port_node):  # port terminals built
        ports = {k: i for i, k in enumerate(inst.node_ids[inst.port_node].astype(str))}
        pt = result.tables["plan_ports.csv"].assign(port_id=lambda d: d["port_id"].astype(str))
        put("port_open", ports, pt, "port_id", "open", "plan_ports.csv")
        put("port_capacity", ports, pt, "port_id", "capacity_mtpa", "plan_ports.csv")
    if "wells" in k and len(form.lp.blocks["wells"]):
        hw = {key: j for j, key in enumerate(inst.network.sinks.index.astype(str)[
            np.flatnonzero(~np.isnan(inst.snk_well_mtpa))])}
        put("wells", hw, k[k["sink_id"].isin(hw)], "sink_id", "wells", "plan_sinks.csv")

    # pipes: (corridor ends, class) → option; sized capacity where the option is sized
    # (ships, trucks and rail are leased period by period: re-optimised, not fixed)
    ids = inst.node_ids.astype(str)
    ends = [frozenset((ids[a], ids[c])) for a, c in zip(inst.cor_from, inst.cor_to)]
    option = {(ends[e], str(cls)): o for o, (e, cls) in
              enumerate(zip(inst.opt_corridor, inst.opt_class))}
    sized_at = {o: j for j, o in enumerate(form.sized)}
    n = np.zeros((len(inst.opt_corridor), len(years)))
    q = np.zeros((len(form.sized), len(years)))
    p = result.tables["plan_pipelines.csv"]
    rows = zip(p["from"].astype(str), p["to"].astype(str), p["pipe_class"].astype(str),
               p["period"].astype(int), p["pipes"], p["capacity_mtpa"])
    for row, (a, c, cls, year, pipes, capacity) in enumerate(rows):
        if cls == "existing" or cls in LEASED_MODES:  # leased transport is not built
            continue
        o = option.get((frozenset((a, c)), cls))
        if o is None:
            problems.append(Problem(f"{where}/plan_pipelines.csv", f"no corridor {a}–{c} "
                                    f"with pipe class {cls} in this case",
                                    row=row + 2, field="pipe_class"))
            continue
        if year not in t_of:
            continue  # named above for the sites' tables
        n[o, t_of[year]] = pipes
        if o in sized_at:
            q[sized_at[o], t_of[year]] = capacity
    if problems:
        raise InputError(problems)
    nb, qb = form.pipe_blocks[0]
    cols += [b[nb][:, fix_t].ravel(), b[qb][:, fix_t].ravel()]
    vals += [n[:, fix_t].ravel(), q[:, fix_t].ravel()]
    return np.concatenate(cols).astype(int), np.concatenate(vals)


def evaluate(case: Case, net: Network, plan, until: int | None = None,
             shortfall_usd_per_t: float = SHORTFALL_USD_PER_T,
             time_limit_s: float | None = None) -> Evaluation:
    """The plan in ``plan`` (a result folder's path, or the folder read with
    :func:`~ccusplan.io.result_folder.read_result_folder`) under ``case``: its builds
    fixed up to ``until``, the rest re-optimised within ``time_limit_s`` (default: the
    case's)."""
    from ccusplan.io.result_folder import read_result_folder
    from ccusplan.optimize import Outcome, build, prepare
    from ccusplan.optimize.options import RunOptions
    from ccusplan.optimize.plan import read_plan
    from ccusplan.optimize.pulp_backend import solve_model, to_pulp

    result = plan if not isinstance(plan, (str, Path)) else read_result_folder(Path(plan))
    where = display_path(result.path)
    if not result.has_plan:
        raise InputError(Problem(where, f"the result has no plan to evaluate (status "
                                 f"{result.summary['status']})", field="status"))
    opts = RunOptions.of_case(case.solver, None,
                              **({"time_limit_s": time_limit_s} if time_limit_s else {}))
    t0 = time.perf_counter()
    inst = prepare(case, net)
    shortfall = shortfall_usd_per_t if inst.mode == "target" else None
    form = build(inst, directed=False, shortfall_usd_per_t=shortfall)
    model = to_pulp(form.lp)
    cols, vals = fixed_columns(inst, form, result, until, where)
    arr = form.lp.arrays()
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    vals = np.minimum(vals, hi[cols])    # a plan built beyond this case's limits keeps them
    lo[cols] = vals
    hi[cols] = vals
    built = time.perf_counter() - t0
    res = solve_model(model, opts, col_lo=lo, col_hi=hi)
    plan = read_plan(inst, form, res.x) if res.x is not None else None
    out = Outcome(inst, form, res, plan, built, [], opts.time_limit_s, None)
    short = res.x[form.lp.blocks["target_shortfall"]] if (
        res.x is not None and "target_shortfall" in form.lp.blocks) else np.zeros(inst.n_periods)
    short_mt = float(short @ inst.period_years)
    short_musd = float(shortfall * (short @ inst.weight_years)) if shortfall else 0.0
    stranded_capture = stranded_km = 0.0
    idle = 0
    if plan is not None:
        last = plan.sources[plan.sources["period"] == plan.sources["period"].max()]
        stranded_capture = float((last["built_capacity_mtpa"] - last["captured_mtpa"]).clip(0).sum())
        pl = plan.pipelines[plan.pipelines["pipe_class"] != "existing"]
        carries = pl.groupby("corridor")["flow_mtpa"].apply(lambda f: f.abs().max() > 1e-6)
        dead = pl[pl["corridor"].isin(carries.index[~carries])]
        stranded_km = float((dead["pipes_added"] * dead["length_km"]).sum())
        opened = plan.sinks.groupby("sink_id")
        idle = int((opened["open"].max() > 0).sum() - (opened["injected_mtpa"].max() > 1e-6).sum())
    return Evaluation(out, res.objective, short_mt, short_musd, stranded_capture, stranded_km,
                      idle, until if until is not None else int(inst.years[-1]))
