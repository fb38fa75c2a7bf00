"""The transport bound for a plan's sites with each source's flow followed near it.

Solves CASE as ``ccusplan solve`` does (polishing included), then, with the plan's sites
fixed, for each number of hops (``--hops``; 0: the single commodity alone): the size of
the model with :mod:`ccusplan.optimize.source_flows`, its LP relaxation's transport
bound and seconds, and the bound polishing proves in ``--polish-s`` (its step 4's MILP,
``SOURCE_FLOW_HOPS`` set to the hops). Prints a Markdown table with the machine and the
solver; see benchmarks/README.md, "Transport design".

    .venv/bin/python benchmarks/source_flows.py cases/shandong-2050.toml --hops 0,1,2,3
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
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

polish_module = importlib.import_module("ccusplan.optimize.polish")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case")
    ap.add_argument("--hops", default="0,1,2,3", help="hops to measure, comma-separated")
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
    print(f"plan {float(c @ x):,.1f} MUSD, transport {float(c @ x) - site_cost:,.2f}; "
          f"polishing's time {polish_s:g} s\n")
    print("| hops | columns | rows | LP bound, transport | LP s | polished bound | transport gap |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for hops in (int(h) for h in args.hops.split(",")):
        ext = polish_module.followed(inst, form, x, hops)
        arr = ext.lp.arrays()
        lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
        lo[sites] = hi[sites] = np.where(arr["integer"][sites], np.round(x[sites]), x[sites])
        t0 = time.perf_counter()
        lp = solve_model(to_pulp(ext.lp), SolveOptions(), relax=True, col_lo=lo, col_hi=hi)
        lp_s = time.perf_counter() - t0
        polish_module.SOURCE_FLOW_HOPS = hops
        p = polish_module.polish(inst, form, result, SolveOptions(time_limit_s=polish_s,
                                                                  mip_gap=case.solver.mip_gap),
                                 resize_s=polish_s)
        print(f"| {hops} | {ext.lp.n_cols:,} | {ext.lp.n_rows:,} | "
              f"{lp.objective - site_cost:,.2f} | {lp_s:.1f} | {p.transport_bound_musd:,.2f} | "
              f"{100 * p.transport_gap:.2f} % |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
