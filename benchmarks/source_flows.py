"""The transport bound for a plan's sites: each source's flow followed near it, and the
rounded cut-sets.

Solves CASE as ``ccusplan solve`` does (polishing included), then, with the plan's sites
fixed, for each number of hops (``--hops``; 0: the single commodity alone) and largest
node set (``--sets``; 0: no cut-sets): the size of the model with
:mod:`ccusplan.optimize.source_flows`, its LP relaxation's transport bound and seconds,
the bound after the rounds of :mod:`ccusplan.optimize.cut_sets` (given ``--cut-s``), and
the bound polishing proves in ``--polish-s`` (step 4 with those settings). Prints a
Markdown table with the machine and the solver; see benchmarks/README.md, "Transport
design".

    .venv/bin/python benchmarks/source_flows.py cases/shandong-2050.toml --hops 0,2 --sets 0,3
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

import numpy as np

from ccusplan.bench.machine import machine_info
from ccusplan.io import load
from ccusplan.optimize import POLISH_SHARE, run
from ccusplan.optimize.cut_sets import crossings, cut_set_bound
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

polish_module = importlib.import_module("ccusplan.optimize.polish")
cut_sets = importlib.import_module("ccusplan.optimize.cut_sets")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case")
    ap.add_argument("--hops", default="0,1,2,3", help="hops to measure, comma-separated")
    ap.add_argument("--sets", default="0,3",
                    help="largest node sets of the cut-sets to measure, comma-separated")
    ap.add_argument("--cut-s", type=float, default=600.0,
                    help="time for the cut-sets' rounds in each measurement, s")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="the solve's limit, s (default: the case's)")
    ap.add_argument("--polish-s", type=float, default=None,
                    help="polishing's time for each measurement, s (default: as in the solve)")
    args = ap.parse_args(argv)
    case, net = load(args.case)
    info = machine_info()
    print(f"{case.name}; {info['cpu_model']}, {info['logical_cores']} cores, load "
          f"{info['loadavg_at_start']}; {info['solvers']}")
    kw = {} if args.time_limit is None else {"time_limit_s": args.time_limit}
    out = run(case, net, **kw)
    inst, form, result = out.instance, out.formulation, out.result
    polish_s = args.polish_s or POLISH_SHARE * out.time_limit_s
    c, x = form.lp.arrays()["c"], result.x
    sites = form.site_columns()
    site_cost = float(c[sites] @ x[sites])
    transport = float(c @ x) - site_cost
    print(f"plan {float(c @ x):,.1f} MUSD, transport {transport:,.2f}; "
          f"polishing's time {polish_s:g} s\n")
    print("| hops | node sets of up to | columns | rows | LP bound, transport | LP s | "
          "with the cut-sets | rounds | cuts | s | polished bound | transport gap |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    supply = polish_module.supply(inst, form, x)
    for hops in (int(h) for h in args.hops.split(",")):
        ext = polish_module.followed(inst, form, x, hops)
        arr = ext.lp.arrays()
        lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
        lo[sites] = hi[sites] = np.where(arr["integer"][sites], np.round(x[sites]), x[sites])
        t0 = time.perf_counter()
        lp = solve_model(to_pulp(ext.lp), SolveOptions(), relax=True, col_lo=lo, col_hi=hi)
        lp_s = time.perf_counter() - t0
        for sets in (int(k) for k in args.sets.split(",")):
            cuts = cut_set_bound(ext.lp, lo, hi, crossings(inst, form, supply, sets),
                                 SolveOptions(time_limit_s=args.cut_s), scale=transport)
            polish_module.SOURCE_FLOW_HOPS = polish_module.SOURCE_FLOW_HOPS_WIDE = hops
            cut_sets.MAX_SET_NODES = sets
            p = polish_module.polish(inst, form, result,
                                     SolveOptions(time_limit_s=polish_s, mip_gap=case.solver.mip_gap),
                                     resize_s=polish_s)
            bound = "–" if cuts.bound is None else f"{cuts.bound - site_cost:,.2f}"
            print(f"| {hops} | {sets} | {ext.lp.n_cols:,} | {ext.lp.n_rows:,} | "
                  f"{lp.objective - site_cost:,.2f} | {lp_s:.1f} | {bound} | {cuts.rounds} | "
                  f"{cuts.cuts:,} | {cuts.seconds:.1f} | {p.transport_bound_musd:,.2f} | "
                  f"{100 * p.transport_gap:.2f} % |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
