"""The transport design for fixed sites, its flows followed source by source: the bound.

A measured variant of the re-routing step of polishing (``ccusplan.optimize.polish``),
not kept: see benchmarks/README.md, "Transport design: polishing the plan".

With the sites fixed (:mod:`.polish`), every source's capture in every period is known.
The aggregate model links a corridor's flow to its pipes only through their capacity, so
its LP relaxation lays a small fraction of a large pipe wherever some CO2 passes, and
its bound on the transport cost is weak (Shandong's sites: 79 MUSD against a 146 MUSD
design). Followed source by source (one commodity per source and period, the
disaggregated form of fixed-charge network design: Magnanti & Wong 1984, Transportation
Science 18(1); Gendron, Crainic & Frangioni 1999, in "Telecommunications Network
Planning"), the CO2 of source k on a corridor is at most what k captures, d_k, and at
most what the corridor's pipes hold:

    f_k ≤ Σ_o min(d_k, Q_o)·n_o + g_k,       Σ_k g_k ≤ existing capacity,

over the corridor's pipe options o (capacity Q_o, n_o pipes in service) — a pipe that
holds all of k's CO2 counts whole for it, where the aggregate row only counts the share
of its capacity used. The rows are valid: any plan's flows split into source-to-sink
paths and circulations; circulations only cost, and each path carries no more of its
source's CO2 than the source captures, nor than the pipes and existing capacity of each
corridor it uses. The sum of the commodities' flows is the plan's flow on each corridor
and way (the aggregate balance, capacity and cost rows stay as they are).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.lp import LinearProgram

#: Commodity flow columns at most (pairs of source and period × corridors × 2 ways): the
#: source-by-source model is built only below it.
MAX_COLUMNS = 400_000


def disaggregated(inst: Instance, form: Formulation, x: np.ndarray,
                  max_columns: int = MAX_COLUMNS) -> LinearProgram | None:
    """``form``'s program with the commodity columns and rows above added, for the
    capture in ``x`` (the sites' columns of ``x`` are the ones fixed), or ``None`` when
    it would have more than ``max_columns`` commodity flow columns. The added columns
    cost nothing; the blocks are ``commodity_flow`` (P, 2, E), ``commodity_sink``
    (P, K) and ``commodity_existing`` (P, 2, X) for the P pairs of a capturing source
    and period."""
    lp, T = form.lp, inst.n_periods
    E, N = len(inst.cor_from), len(inst.node_ids)
    capture = x[lp.blocks["capture"]]                         # (I, T)
    src, tp = np.nonzero(capture > 1e-9)                      # the pairs (source, period)
    P = len(src)
    if P == 0 or P * 2 * E > max_columns:
        return None
    d = capture[src, tp]                                      # (P,)
    bound = inst.corridor_flow_bound_mtpa                     # (2, E, T)
    out = lp.copy()
    hi = np.minimum(d[:, None, None], bound[:, :, tp].transpose(2, 0, 1))
    f = out.add_vars("commodity_flow", (P, 2, E), hi=hi)
    K = len(inst.snk_node)
    z = out.add_vars("commodity_sink", (P, K))
    ext = np.flatnonzero(inst.cor_existing_mtpa[:E] > 0)
    g = out.add_vars("commodity_existing", (P, 2, len(ext)),
                     hi=np.minimum(d[:, None, None], inst.cor_existing_mtpa[ext][None, None, :]))

    # conservation of each commodity at each node: out − in + sunk = captured there
    pn = lambda nodes: np.arange(P)[:, None] * N + nodes[None, :]  # noqa: E731
    tail, head = inst.cor_from, inst.cor_to
    rhs = np.zeros((P, N))
    rhs[np.arange(P), inst.src_node[src]] = d
    out.add_rows("commodity_balance", P * N, [
        (pn(tail), f[:, 0, :], 1.0), (pn(head), f[:, 0, :], -1.0),
        (pn(head), f[:, 1, :], 1.0), (pn(tail), f[:, 1, :], -1.0),
        (pn(inst.snk_node), z, 1.0),
    ], lo=rhs.ravel(), hi=rhs.ravel())

    # the commodities add up to the plan's flow on each corridor, each way, each period
    fm = form.flow_map.tocoo()                                # rows (way·E + e)·T + t
    way_e, t_of = np.divmod(np.arange(2 * E * T), T)
    rows_of = np.full((2 * E, T), -1)
    rows_of[way_e, t_of] = np.arange(2 * E * T)
    cf = rows_of[np.arange(2 * E)[None, :], tp[:, None]]      # (P, 2E): their row
    out.add_rows("commodity_sum", 2 * E * T, [
        (cf, f.reshape(P, 2 * E), 1.0), (fm.row, fm.col, -1.0)], lo=0.0, hi=0.0)

    # each commodity's flow: at most what it captures of each pipe's capacity, + existing
    rl = np.arange(P * 2 * E).reshape(P, 2, E)
    terms = [(rl, f, 1.0)]
    if len(ext):
        terms.append((rl[:, :, ext], g, -1.0))
    for nb, _ in form.pipe_blocks:
        n = lp.blocks[nb]                                     # (O, T)
        # directed pipes (one period) carry one way each; undirected ones both
        carried = (0, 1) if len(form.pipe_blocks) == 1 else (int(nb.endswith("_rev")),)
        e_o = inst.opt_corridor
        for way in carried:
            coef = np.minimum(d[:, None], inst.opt_cap_mtpa[None, :])      # (P, O)
            coef = np.minimum(coef, bound[way][e_o][:, tp].T)
            terms.append((rl[:, way, :][:, e_o], n[:, tp].T, -coef))
    out.add_rows("commodity_link", P * 2 * E, terms, hi=0.0)
    if len(ext):
        tt = np.arange(T)
        r = (np.arange(2)[:, None, None] * len(ext) + np.arange(len(ext))[None, :, None]) * T \
            + tt[None, None, :]                                # (2, X, T)
        out.add_rows("commodity_existing_shared", 2 * len(ext) * T,
                     [(r[:, :, tp].transpose(2, 0, 1), g, 1.0)],
                     hi=np.repeat(np.tile(inst.cor_existing_mtpa[ext], 2), T))
    return out


def main(argv: list[str] | None = None) -> int:
    """Solve CASE, then bound the transport design for its plan's sites four ways: the
    LP relaxation of the aggregate and of the source-by-source model, and each model's
    MILP from the plan within each time limit (one thread)."""
    from ccusplan.io import load
    from ccusplan.optimize import run
    from ccusplan.optimize.lp import restrict
    from ccusplan.optimize.options import SolveOptions
    from ccusplan.optimize.pulp_backend import solve_model, to_pulp

    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    ap.add_argument("case")
    ap.add_argument("--limits", default="12,60", help="MILP time limits, s")
    ap.add_argument("--solver", default="highs")
    args = ap.parse_args(argv)
    case, net = load(args.case)
    outcome = run(case, net, threads=1)
    inst, form, x = outcome.instance, outcome.formulation, outcome.result.x
    c = form.lp.arrays()["c"]
    sites = form.site_columns()
    site_cost = float(c[sites] @ x[sites])
    transport = float(c @ x) - site_cost
    print(f"{case.name}: plan's transport {transport:,.2f} MUSD")
    t0 = time.perf_counter()
    split = disaggregated(inst, form, x)
    print(f"source-by-source model: {split.n_cols:,} columns, {split.n_rows:,} rows, "
          f"built in {time.perf_counter() - t0:.2f} s")
    opts = SolveOptions(threads=1, msg=False, solver=args.solver)
    models = {}
    for name, lp in (("aggregate", form.lp), ("source by source", split)):
        a = lp.arrays()
        lo, hi = a["col_lo"].copy(), a["col_hi"].copy()
        lo[sites] = hi[sites] = np.where(a["integer"][sites], np.round(x[sites]), x[sites])
        start = np.zeros(lp.n_cols)
        start[:len(x)] = x
        if lp is split:  # the plan's flows split by source: an LP over the new columns
            free = np.arange(len(x), lp.n_cols)
            sub = restrict(lp, free, start, a["A"] @ start, a["A"].tocsc())
            r = solve_model(to_pulp(sub), opts.but(solver="highs"))
            start[free] = r.x
        models[name] = (to_pulp(lp), lo, hi, start)
        r = solve_model(models[name][0], opts.but(solver="highs"), relax=True, col_lo=lo, col_hi=hi)
        print(f"{name}: LP relaxation's transport bound {r.objective - site_cost:,.2f}")
    total = float(c @ x)
    for limit in (float(v) for v in args.limits.split(",")):
        for name, (model, lo, hi, start) in models.items():
            r = solve_model(model, opts.but(time_limit_s=limit, start=start,
                                            mip_gap=1e-3 * transport / total),
                            col_lo=lo, col_hi=hi)
            print(f"{name}, {args.solver}, {limit:g} s: transport {r.objective - site_cost:,.2f}, "
                  f"bound {r.best_bound - site_cost:,.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
