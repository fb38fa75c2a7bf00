"""Parallel speed-up of ``ccusplan bench``: one suite on 1 and on K local workers.

The suite (``suites/speedup.toml``: eight independent runs, each solved to its gap
well inside its time limit, so a run's length is its work and not a limit) is run
with ``--workers 1`` and ``--workers K`` into fresh results tables, in the order
1, K, K, 1 so that a drift in the machine's background load falls on both sides.
Each batch's wall time is measured around the whole command (start-up, every run,
every row written). The target: speed-up T1 / TK ≥ 0.8 · K.

The code benchmarked is ``src/`` of a git revision (default HEAD), extracted to a
temporary folder, so uncommitted edits made by others meanwhile cannot leak in.
The machine-wide benchmark lock is held throughout.

Usage::

    .venv/bin/python benchmarks/speedup.py               # K = 2, waits for an idle machine
    .venv/bin/python benchmarks/speedup.py --workers 4 --wait-idle 0

Results: ``benchmarks/results/speedup.json`` (machine, each batch's wall time and
load, the speed-up) and ``speedup.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import foundation as fb  # noqa: E402  (snapshot, machine info, idle wait, lock)

SUITE = HERE / "suites" / "speedup.toml"
RESULTS = HERE / "results"


def batch(workers: int, results: Path, env: dict) -> dict:
    """Run the suite once on ``workers`` local workers into ``results``; its timings."""
    results.unlink(missing_ok=True)
    busy = fb.cpu_busy()
    load = fb._loadavg()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ccusplan.cli", "--quiet", "bench", str(SUITE),
                    "--workers", str(workers), "--results", str(results)],
                   check=True, env=env, cwd=fb.REPO)
    wall = time.perf_counter() - t0
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    return {"workers": workers, "wall_seconds": round(wall, 2), "runs": len(rows),
            "statuses": sorted({r["status"] for r in rows}),
            "run_wall_seconds_median": statistics.median(r["wall_seconds"] for r in rows),
            "run_wall_seconds_sum": round(sum(r["wall_seconds"] for r in rows), 2),
            "other_cores_busy_before": busy, "loadavg_before": load,
            "loadavg_after": fb._loadavg()}


def markdown(doc: dict) -> str:
    m, k = doc["machine"], doc["workers"]
    lines = ["### Parallel speed-up of `ccusplan bench` (local workers)", "",
             f"Suite `suites/speedup.toml`: {doc['batches'][0]['runs']} independent runs, "
             "each in its own process, solved to its gap (HiGHS, 1 thread). Batches run in "
             f"the order 1, {k}, {k}, 1 workers; the wall time is that of the whole "
             "command.", "",
             "| workers | batch wall s | median run wall s | sum of run wall s | busy cores "
             "before | load average before |",
             "|---:|---:|---:|---:|---:|---|"]
    for b in doc["batches"]:
        lines.append(f"| {b['workers']} | {b['wall_seconds']:.1f} | "
                     f"{b['run_wall_seconds_median']:.1f} | {b['run_wall_seconds_sum']:.1f} | "
                     f"{b['other_cores_busy_before']} | {b['loadavg_before']} |")
    s = doc["speedup"]
    lines += ["", f"**Speed-up on {k} workers: {s:.2f}** (T1 / T{k} from the mean batch "
              f"times, {doc['t1_seconds']:.1f} s / {doc['tk_seconds']:.1f} s); the target "
              f"{0.8 * k:.1f} (0.8 · K) is {'met' if s >= 0.8 * k else 'NOT met'}.", "",
              f"Machine: {m['cpu_model']}, {m['logical_cores']} logical cores, {m['ram_gib']} "
              f"GiB RAM; {m['platform']}; solvers "
              + ", ".join(m["solvers"].values()) + f"; run {m['date']} (UTC), code "
              f"{doc['code']['source']} {str(doc['code'].get('commit'))[:12]}. Busy cores are "
              "those other processes kept busy in the second before a batch (the machine is "
              "shared)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2, help="K (default 2)")
    ap.add_argument("--wait-idle", type=float, default=600.0,
                    help="wait up to this many seconds for the machine to be idle before "
                    "starting (default 600); the load seen is recorded either way")
    ap.add_argument("--snapshot", default="HEAD", help="git revision of src/ to benchmark")
    args = ap.parse_args(argv)
    with fb.run_lock(), tempfile.TemporaryDirectory(prefix="ccusplan-speedup-") as tmp:
        commit = fb.snapshot(args.snapshot, Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        busy, waited = fb.wait_until_idle(args.wait_idle)
        machine = fb.machine_info()
        order = [1, args.workers, args.workers, 1]
        batches = []
        for k in order:
            print(f"[speedup] {k} worker(s) ...", end=" ", flush=True)
            batches.append(batch(k, Path(tmp) / f"k{k}-{len(batches)}.jsonl", env))
            print(f"{batches[-1]['wall_seconds']:.1f} s", flush=True)
        t1 = statistics.mean(b["wall_seconds"] for b in batches if b["workers"] == 1)
        tk = statistics.mean(b["wall_seconds"] for b in batches if b["workers"] == args.workers)
        doc = {"benchmark": "speedup", "machine": machine, "workers": args.workers,
               "code": {"source": f"git archive {args.snapshot}", "commit": commit},
               "idle_wait": {"other_cores_busy": busy, "waited_s": round(waited, 1)},
               "batches": batches, "t1_seconds": round(t1, 2), "tk_seconds": round(tk, 2),
               "speedup": round(t1 / tk, 3), "efficiency": round(t1 / tk / args.workers, 3)}
    RESULTS.mkdir(exist_ok=True)
    fb._save(doc, RESULTS / "speedup.json")
    (RESULTS / "speedup.md").write_text(markdown(doc))
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
