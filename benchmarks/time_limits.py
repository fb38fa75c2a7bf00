"""Do time limits hold? ``ccusplan solve`` per case and limit, its solve and wall seconds.

Each run is the whole command as a user types it (``--threads 1``), timed from outside;
``solve_seconds``, status and gap come from its ``summary.json``. Rows are appended to
``results/time_limits.jsonl`` (with the machine, its load and the solver versions) as
each run ends, and the table of every row so far is printed.

Usage::

    .venv/bin/python benchmarks/time_limits.py --cases china-100x-2050,china-100x-2050-full \\
        --limits 60,120,300 [--solver highs]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "time_limits.jsonl"


def measure(case: str, limit_s: float, solver: str) -> dict:
    from ccusplan.bench.machine import host, loadavg
    from ccusplan.optimize.pulp_backend import pulp_name, solver_version

    with tempfile.TemporaryDirectory() as out:
        load = loadavg()
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "ccusplan"), "solve", str(ROOT / "cases" / f"{case}.toml"),
             "--solver", solver, "--threads", "1", "--time-limit", f"{limit_s:g}",
             "--out", out], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        summary = Path(out) / "summary.json"
        s = json.loads(summary.read_text()) if summary.exists() else {}
    return {"case": case, "solver": solver_version(pulp_name(solver)), "time_limit_s": limit_s,
            "solve_seconds": s.get("solve_seconds"), "wall_seconds": round(wall, 1),
            "status": s.get("status", f"exit {done.returncode}"),
            "objective_musd": s.get("objective_musd"), "mip_gap": s.get("mip_gap"),
            "transport_gap": s.get("transport_gap"), "machine": host(),
            "loadavg_at_start": load}


def table(rows: list[dict]) -> str:
    out = ["| case | solver | limit s | solve s | wall s | late s | status | gap |",
           "|---|---|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        solve = r["solve_seconds"]
        late = "" if solve is None else f"{solve - r['time_limit_s']:+.1f}"
        gap = "" if r["mip_gap"] is None else f"{100 * r['mip_gap']:.2f} %"
        out.append(f"| `{r['case']}` | {r['solver']} | {r['time_limit_s']:g} | "
                   f"{'' if solve is None else f'{solve:.1f}'} | {r['wall_seconds']:.1f} | "
                   f"{late} | {r['status']} | {gap} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", required=True, help="case names under cases/, comma-separated")
    ap.add_argument("--limits", default="60,120,300", help="seconds, comma-separated")
    ap.add_argument("--solver", default="highs")
    args = ap.parse_args()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    for case in args.cases.split(","):
        for limit in (float(v) for v in args.limits.split(",")):
            row = measure(case, limit, args.solver)
            with RESULTS.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            print(json.dumps(row), flush=True)
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    print(table(rows))


if __name__ == "__main__":
    main()
