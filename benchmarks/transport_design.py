"""How well a plan's pipes fit their flows: the oversized pipes of a result folder.

A corridor's pipes are *oversized* when their capacity is more than twice the peak flow
they ever carry while their capital cost is more than 1.25 × that of the single pipe
``ccusplan costs pipeline`` sizes for that peak over that length (the engineering
model the case prices pipes with). Corridors with a given capacity or cost (imported
``pipe_classes.csv``, SimCCS trends) are left out: there is no engineering size to
compare with.

Usage::

    .venv/bin/python benchmarks/transport_design.py CASE.toml RESULT_DIR [RESULT_DIR ...]

Prints, per folder: corridors built, oversized ones (with the worst few), their km, and
the transport cost and transport gap from summary.json where present. A case's pipe
catalogue may lack the size ``costs pipeline`` picks (the China cases offer 6", 8",
12", 16", 24", 36" and 48"): each oversized corridor is also priced with the cheapest
single pipe of the case's own options on it that carries the peak
(``catalogue_capex_musd``), and those within 1.25 × of it are counted apart — the
catalogue's granularity, not the plan's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.costs.pipeline import size_pipeline
from ccusplan.io import load, load_case
from ccusplan.optimize import prepare

CAPACITY_RATIO = 2.0
COST_RATIO = 1.25


def audit(case_path: Path, folder: Path) -> pd.DataFrame:
    """One row per corridor built: its peak flow, capacity, capex, and the single
    pipe's capex for the peak; ``oversized`` marks the misfits."""
    case = load_case(case_path)
    crf = case.finance.crf_of(case.finance.pipeline_life_years)
    p = pd.read_csv(folder / "plan_pipelines.csv")
    last = p.sort_values("period").groupby("corridor").last()
    per = p.groupby("corridor").agg(capex_musd=("capex_musd", "sum"),
                                    length_km=("length_km", "first"))
    # a corridor's rows add up to its flow; negative: carried to→from
    per["peak_mtpa"] = p.groupby(["corridor", "period"])["flow_mtpa"].sum().abs() \
        .groupby(level="corridor").max()
    per["capacity_mtpa"] = last["capacity_mtpa"]
    per["pipes"] = last["pipe_class"].astype(str) + " ×" + last["pipes"].astype(str)
    single = []
    for peak, km in zip(per["peak_mtpa"], per["length_km"]):
        try:
            single.append(size_pipeline(max(peak, 1e-3), km, case.pipeline, crf)["capex_musd"]
                          if peak > 0 else 0.0)
        except ValueError:  # too much for one standard size
            single.append(float("nan"))
    per["single_capex_musd"] = single
    per["oversized"] = (per["capacity_mtpa"] > CAPACITY_RATIO * per["peak_mtpa"]) & \
        (per["capex_musd"] > COST_RATIO * per["single_capex_musd"])
    per["catalogue_capex_musd"] = float("nan")
    if per["oversized"].any():
        inst = prepare(*load(case_path))
        for e in per.index[per["oversized"]]:
            o = np.flatnonzero((inst.opt_corridor == e)
                               & (inst.opt_cap_mtpa >= per.at[e, "peak_mtpa"] - 1e-9))
            if len(o):
                per.at[e, "catalogue_capex_musd"] = float(inst.opt_capex_musd[o].min())
    per["catalogue"] = per["oversized"] & \
        (per["capex_musd"] <= COST_RATIO * per["catalogue_capex_musd"])
    return per


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", type=Path)
    ap.add_argument("folders", type=Path, nargs="+")
    args = ap.parse_args(argv)
    for folder in args.folders:
        per = audit(args.case, folder)
        bad = per[per["oversized"]]
        s = json.loads((folder / "summary.json").read_text())
        misfit = bad[~bad["catalogue"]]
        print(f"{folder}: {len(per)} corridors built, {len(bad)} oversized "
              f"({bad['length_km'].sum():,.1f} of {per['length_km'].sum():,.1f} km), "
              f"{len(misfit)} of them beyond the catalogue's granularity "
              f"({misfit['length_km'].sum():,.1f} km); "
              f"objective {s['objective_musd']:,.2f}, transport "
              f"{s.get('transport_musd', float('nan')):,.2f} MUSD, transport gap "
              f"{s.get('transport_gap')}")
        if len(bad):
            cols = ["pipes", "peak_mtpa", "capacity_mtpa", "length_km", "capex_musd",
                    "single_capex_musd", "catalogue_capex_musd"]
            print(bad.sort_values("capex_musd", ascending=False)[cols].head(8).round(2)
                  .to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
