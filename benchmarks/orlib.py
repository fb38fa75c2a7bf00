"""OR-Library's large capacitated warehouse location problems through ``ccusplan solve``.

capa, capb and capc (100 warehouses × 1,000 customers; Beasley, EJOR 33 (1988) 314–325)
posed as CCUS networks as ``tests/test_published_optima.py`` poses the small ones, every
customer and warehouse a site that is not a hub (``hub`` false): a customer sends only
its own demand, a warehouse passes nothing on, as in the problem itself (on capb, 73 % of
the customer–warehouse pairs have a cheaper detour through another customer and
warehouse, which a network of hubs would take). The corridor by corridor links then give
the strong facility-location relaxation, and the optimum is OR-Library's (``capopt.txt``).

The whole command is timed (solve, reading back, polishing, writing results), beside
the solve time ``summary.json`` reports.

Usage::

    .venv/bin/python benchmarks/orlib.py PATH/TO/cflp-orlib capb 5000 --time-limit 120

Results: one JSON line on stdout and appended to ``benchmarks/results/orlib.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def read(path: Path, capacity: float | None) -> tuple[np.ndarray, ...]:
    """Capacities (m,), fixed costs (m,), demands (n,), cost of serving all of customer j
    from warehouse i (n, m). capa/capb/capc write the word ``capacity`` for the capacity."""
    tokens = path.read_text().split()
    m, n = int(tokens[0]), int(tokens[1])
    head = [capacity if t == "capacity" else float(t) for t in tokens[2:2 + 2 * m]]
    head = np.array(head, float).reshape(m, 2)
    rest = np.array(tokens[2 + 2 * m:2 + 2 * m + n * (m + 1)], float).reshape(n, m + 1)
    return head[:, 0], head[:, 1], rest[:, 0], rest[:, 1:]


def optimum(folder: Path, name: str, capacity: float) -> float | None:
    """OR-Library's optimum: capopt.txt lists capa/capb/capc one line per capacity,
    "capb  13656379.578 (capacity 5000)" then "      13361927.449 (capacity 6000)" ..."""
    current = None
    for line in (folder / "capopt.txt").read_text().splitlines():
        parts = line.replace("(", " ").replace(")", " ").split()
        if not parts:
            continue
        if not parts[0][0].isdigit():
            current, parts = parts[0], parts[1:]
        if current != name or not parts:
            continue
        if "capacity" not in parts or float(parts[parts.index("capacity") + 1]) == capacity:
            return float(parts[0])
    return None


def write_case(folder: Path, cap, fixed, demand, serve, time_limit: float,
               name: str = "orlib") -> Path:
    """The network and its case file ``<name>.toml`` in ``folder``; returns the case file."""
    m, n = len(cap), len(demand)
    net = folder / "net"
    net.mkdir(parents=True)
    rng = np.random.default_rng(0)  # positions only label the map
    pd.DataFrame({"id": [f"C{j}" for j in range(n)], "lon": rng.uniform(0, 1, n),
                  "lat": rng.uniform(0, 1, n), "capacity_mtpa": demand,
                  "capture_cost_usd_per_t": 0.0, "capture_capex_musd": 0.0,
                  "capture_fixed_om_musd_per_yr": 0.0, "hub": False}
                 ).to_csv(net / "sources.csv", index=False)
    pd.DataFrame({"id": [f"W{i}" for i in range(m)], "lon": rng.uniform(0, 1, m),
                  "lat": rng.uniform(0, 1, m), "capacity_mt": 1e9, "max_injection_mtpa": cap,
                  "storage_cost_usd_per_t": 0.0, "storage_capex_musd": fixed,
                  "storage_fixed_om_musd_per_yr": 0.0, "hub": False}
                 ).to_csv(net / "sinks.csv", index=False)
    j, i = np.divmod(np.arange(n * m), m)
    pd.DataFrame({"from": [f"C{a}" for a in j], "to": [f"W{b}" for b in i], "length_km": 1.0,
                  "capacity_mtpa": demand.sum(), "fixed_cost_musd": 0.0,
                  "variable_cost_usd_per_t": serve[j, i] / demand[j]}
                 ).to_csv(net / "corridors.csv", index=False)
    return one_year_case(folder, name, float(demand.sum()), f"time_limit_s = {time_limit}\n")


def one_year_case(folder: Path, name: str, target_mtpa: float, solver: str = "") -> Path:
    """``folder/<name>.toml``: the network in ``folder/net``, one period of one year with
    a capital recovery factor of 1 (the NPV is the published objective), the target, a
    zero gap and the ``solver`` lines given."""
    case = folder / f"{name}.toml"
    case.write_text(f"""[case]
name = "{name}"
network = "net"
mode = "target"

[horizon]
periods = [2025]
period_years = 1

[target]
mtpa = [{target_mtpa}]

[finance]
crf = 1.0
discount_rate = 0.0

[solver]
{solver}mip_gap = 0.0
""")
    return case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="the cflp-orlib folder")
    ap.add_argument("name", help="capa, capb, capc (or cap41 ...)")
    ap.add_argument("capacity", type=float, help="warehouse capacity (capa/capb/capc)")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    cap, fixed, demand, serve = read(a.folder / f"{a.name}.txt", a.capacity)
    with tempfile.TemporaryDirectory() as tmp:
        case = write_case(Path(tmp), cap, fixed, demand, serve, a.time_limit)
        t0 = time.perf_counter()
        run = subprocess.run([str(ROOT / ".venv" / "bin" / "ccusplan"), "solve", str(case),
                              "--threads", str(a.threads), "--out", str(Path(tmp) / "out")],
                             capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if run.returncode != 0:
            sys.exit(run.stderr or run.stdout)
        s = json.loads((Path(tmp) / "out" / "summary.json").read_text())
        sizes = {p.name: p.stat().st_size for p in (Path(tmp) / "out").iterdir()}
    obj = s.get("objective_musd") if s.get("objective_musd") is not None else s.get("npv_musd")
    row = {"instance": a.name, "capacity": a.capacity, "time_limit_s": a.time_limit,
           "threads": a.threads, "status": s.get("status"), "hubs": False,
           "objective": obj, "bound": s.get("best_bound_musd"),
           "published": optimum(a.folder, a.name, a.capacity),
           "solve_seconds": s.get("solve_seconds"), "wall_seconds": round(wall, 1),
           "network_geojson_bytes": sizes.get("network.geojson"),
           "machine": platform.node(), "python": platform.python_version()}
    print(json.dumps(row))
    (HERE / "results").mkdir(exist_ok=True)
    with open(HERE / "results" / "orlib.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
