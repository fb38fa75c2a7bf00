"""Published instances with proven optima, written as ccusplan cases for a bench suite.

Two families, posed as CCUS networks:

- OR-Library's capacitated warehouse location problems (Beasley, EJOR 33 (1988)
  314–325): customers are sources captured in full, warehouses sinks with an opening
  cost and an injection limit, each customer–warehouse pair a corridor with its per-unit
  cost, every site not a hub (as ``orlib.py`` poses them: nothing passes through a
  customer or a warehouse).
- Single-sink fixed-charge transportation problems (Legault, Côté and Gendron, "A novel
  reformulation for the single-sink fixed-charge transportation problem", instances and
  optima at github.com/robinlegault/SSFCTP): n suppliers, each a source with its
  capacity, fixed cost (capture capex, capital recovery factor 1) and per-unit cost, all
  joined to one sink that must receive the demand.

One period of one year, no discounting: a case's NPV is the published objective. Usage::

    .venv/bin/python benchmarks/published.py PATH/TO/external-optima
    .venv/bin/python benchmarks/published.py --compare benchmarks/results/solvers.jsonl

The first writes the cases under ``benchmarks/instances/published/`` (not committed)
with ``optima.json``; the second prints, per case and solver, the objective found
against the published optimum, as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from orlib import one_year_case
from orlib import optimum as orlib_optimum
from orlib import read as orlib_read
from orlib import write_case as orlib_case

HERE = Path(__file__).resolve().parent
OUT = HERE / "instances" / "published"

#: OR-Library instances: name → warehouse capacity (None: the file's own)
ORLIB = {"cap41": None, "cap71": None, "cap101": None, "cap131": None, "capb": 5000.0}
#: Legault et al.'s instances, one per group and size
SSFCTP = ("g1_n500_0", "g1_n1000_0", "g1_n5000_0", "g2_n500_beta10_0",
          "g3_n500_Br10_Fr60_0", "g4_n500_0")


def ssfctp_read(path: Path) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Demand, and each supplier's capacity, unit cost and fixed cost."""
    tok = path.read_text().split()
    n = int(tok[0])
    demand = float(tok[1])
    v = np.array(tok[2:2 + 3 * n], float).reshape(3, n)
    return demand, v[0], v[1], v[2]


def ssfctp_optimum(folder: Path, name: str) -> float:
    """The optimum in the authors' ``results/detailed_results_group<g>.txt``: a block per
    family ("g1_n500_i ,i=0,...9") listing instances 0–9 in order."""
    family, index = name.rsplit("_", 1)
    text = (folder / "results" / f"detailed_results_group{name[1]}.txt").read_text()
    block = text.split(f" {family}_i ")[1].split("\n", 1)[1].split("_____")[0]
    return float(re.findall(r"Optimal value = ([0-9.]+)", block)[int(index)])


def ssfctp_case(folder: Path, name: str, demand, cap, unit, fixed) -> Path:
    """Suppliers as sources, one sink; returns the case file."""
    n = len(cap)
    net = folder / "net"
    net.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)  # positions only label the map
    pd.DataFrame({"id": [f"S{i}" for i in range(n)], "lon": rng.uniform(0, 1, n),
                  "lat": rng.uniform(0, 1, n), "capacity_mtpa": cap,
                  "capture_cost_usd_per_t": unit, "capture_capex_musd": fixed,
                  "capture_fixed_om_musd_per_yr": 0.0}).to_csv(net / "sources.csv", index=False)
    pd.DataFrame({"id": ["D"], "lon": [0.5], "lat": [0.5], "capacity_mt": [1e12],
                  "max_injection_mtpa": [demand], "storage_cost_usd_per_t": [0.0],
                  "storage_capex_musd": [0.0], "storage_fixed_om_musd_per_yr": [0.0]}
                 ).to_csv(net / "sinks.csv", index=False)
    pd.DataFrame({"from": [f"S{i}" for i in range(n)], "to": "D", "length_km": 1.0,
                  "capacity_mtpa": cap, "fixed_cost_musd": 0.0,
                  "variable_cost_usd_per_t": 0.0}).to_csv(net / "corridors.csv", index=False)
    return one_year_case(folder, name, demand)


def write_all(folder: Path, out: Path) -> dict[str, float]:
    """Every instance's case under ``out``; returns case name → its optimum."""
    optima: dict[str, float] = {}
    orlib, ssfctp = folder / "cflp-orlib", folder / "ssfctp-legault"
    for name, capacity in ORLIB.items():
        cap, fixed, demand, serve = orlib_read(orlib / f"{name}.txt", capacity)
        case_name = name if capacity is None else f"{name}-{capacity:g}"
        orlib_case(out / case_name, cap, fixed, demand, serve, 600.0, case_name)
        optima[case_name] = orlib_optimum(orlib, name, capacity) if capacity is not None \
            else _orlib_small_optimum(orlib, name)
    for name in SSFCTP:
        demand, cap, unit, fixed = ssfctp_read(ssfctp / name)
        ssfctp_case(out / name, name, demand, cap, unit, fixed)
        optima[name] = ssfctp_optimum(ssfctp, name)
    (out / "optima.json").write_text(json.dumps(optima, indent=1) + "\n")
    return optima


def _orlib_small_optimum(folder: Path, name: str) -> float:
    for line in (folder / "capopt.txt").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return float(parts[1])
    raise KeyError(name)


def compare(results: Path, optima_path: Path) -> str:
    """A Markdown table: per published case and solver, status, objective, bound and its
    distance from the published optimum."""
    optima = json.loads(optima_path.read_text())
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    lines = ["| case | optimum | solver | status | objective | bound | objective − optimum | solve s |",
             "|---|---:|---|---|---:|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: (r.get("case", ""), r.get("solver", ""))):
        opt = optima.get(r.get("case"))
        if opt is None:
            continue
        obj, bound = r.get("objective_musd"), r.get("best_bound_musd")
        diff = "–" if obj is None else f"{(obj - opt) / abs(opt):+.2e} (rel.)"
        lines.append(f"| `{r['case']}` | {opt:,.3f} | {r['solver']} | {r.get('status')} | "
                     f"{'–' if obj is None else f'{obj:,.3f}'} | "
                     f"{'–' if bound is None else f'{bound:,.3f}'} | {diff} | "
                     f"{r.get('solve_seconds', float('nan')):.1f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, nargs="?", help="the external-optima folder")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--compare", type=Path, help="a bench results table (JSONL)")
    a = ap.parse_args()
    if a.compare:
        print(compare(a.compare, a.out / "optima.json"))
        return
    if a.folder is None:
        sys.exit("give the external-optima folder (cflp-orlib/ and ssfctp-legault/ in it)")
    for name, value in write_all(a.folder, a.out).items():
        print(f"{name}: optimum {value:,.6f}")


if __name__ == "__main__":
    main()
