"""SimCCS's formulation against ccusplan's, side by side, on the same HiGHS and machine.

For each SoutheastUS case (capture targets of 50 and 110 Mt/yr, and price mode) and
each relative gap (1 % and 0.01 %, i.e. ``mip_rel_gap`` 1e-2 and 1e-4):

* **simccs** — SimCCS's own MPS file (``benchmarks/data/simccs/``, as SimCCS wrote it
  for its published run) read by highspy and solved;
* **ccusplan** — ``cases/southeastus-*.toml`` (made by ``ccusplan import simccs``)
  solved by :func:`ccusplan.optimize.run`, exactly as ``ccusplan solve`` does it (HiGHS
  through highspy, LP-support warm start on); build and solve timed separately.

Each run is a fresh Python process, one at a time, after waiting for the machine to be
idle; the machine-wide lock of ``foundation.py`` keeps two benchmark runners apart.

Times to a gap vary from one HiGHS random seed to another by up to a factor of two
(SoutheastUS 110 Mt/yr to 0.01 % on SimCCS's MPS: 195.5–396.8 s over seeds 0–9), more
than most formulation changes move them; so each formulation runs under the same seeds
(``--seeds``, HiGHS's ``random_seed``, set on every HiGHS instance of the run) and the
table compares medians.
A killed run resumes with ``--merge``: finished runs are kept in ``simccs.partial.json``.

Usage::

    .venv/bin/python benchmarks/simccs.py                      # everything, seeds 0-2, ~1 h
    .venv/bin/python benchmarks/simccs.py --cases 50,price --seeds 3,4 --merge  # more seeds
    .venv/bin/python benchmarks/simccs.py --merge --redo ccusplan  # ccusplan's side anew
    .venv/bin/python benchmarks/simccs.py --markdown-only      # simccs.md from the JSON

Results: ``benchmarks/results/simccs.json`` (machine, then one record per run) and
``simccs.md`` (the tables).
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import foundation as fb  # machine info, idle wait, lock, snapshot

MPS = HERE / "data" / "simccs"
RESULTS = HERE / "results"
MARK = "@@SIMCCS-BENCH@@"
#: case -> (SimCCS MPS file, ccusplan case file, SimCCS's published objective $M/yr)
CASES = {
    "50": ("cap-50.mps", "southeastus-50.toml", 5140.68646722),
    "110": ("cap-110.mps", "southeastus-110.toml", 14894.84976208),
    "price": ("price.mps", "southeastus-price.toml", -473.62566802),
}
GAPS = (1e-2, 1e-4)
FORMULATIONS = ("simccs", "ccusplan")


# ======================================================================== worker side

def run_simccs(case: str, gap: float, time_limit: float, seed: int) -> dict:
    """SimCCS's MPS read and solved by highspy."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", float(time_limit))
    t0 = time.perf_counter()
    h.readModel(str(MPS / CASES[case][0]))
    t1, c1 = time.perf_counter(), time.process_time()
    h.run()
    t2, c2 = time.perf_counter(), time.process_time()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    lp = h.getLp()
    integrality = list(lp.integrality_)
    return {
        "build_seconds": round(t1 - t0, 4), "solve_seconds": round(t2 - t1, 3),
        "solve_cpu_seconds": round(c2 - c1, 3), "lp_iterations": info.simplex_iteration_count,
        "status": {"Optimal": "optimal", "Time limit reached": "feasible"}.get(status, status),
        "objective": info.objective_function_value, "best_bound": info.mip_dual_bound,
        "mip_gap": info.mip_gap, "nodes": info.mip_node_count,
        "n_variables": h.getNumCol(), "n_constraints": h.getNumRow(),
        "n_integer": sum(1 for v in integrality if v != highspy.HighsVarType.kContinuous),
        "solver": f"highs {h.version()}",
    }


def run_ccusplan(case: str, gap: float, time_limit: float, root: Path, seed: int) -> dict:
    """The imported case through ``ccusplan.optimize.run``, as ``ccusplan solve`` does it."""
    import highspy

    from ccusplan.io import load
    from ccusplan.optimize import run

    _seed_every_highs(highspy, seed)
    calls = _count_highs_runs(highspy)
    t0 = time.perf_counter()
    c, net = load(root / "cases" / CASES[case][1])
    load_seconds = time.perf_counter() - t0
    c1 = time.process_time()
    out = run(c, net, solver="highs", time_limit_s=time_limit, mip_gap=gap)
    cpu = time.process_time() - c1 - out.build_seconds  # run() builds first: ~all CPU
    r = out.result
    return {
        "build_seconds": round(load_seconds + out.build_seconds, 4),
        "solve_seconds": round(r.solve_seconds, 3), "solve_cpu_seconds": round(cpu, 3),
        "lp_iterations": sum(k["lp_iterations"] for k in calls),
        "status": r.status, "objective": r.objective, "best_bound": r.best_bound,
        "mip_gap": r.mip_gap, "nodes": calls[-1]["nodes"] if calls else None,
        "highs_runs": len(calls), "n_variables": out.sizes["n_variables"],
        "n_constraints": out.sizes["n_constraints"], "n_integer": out.sizes["n_binaries"],
        "solver": r.solver,
    }


def _seed_every_highs(highspy, seed: int) -> None:
    """HiGHS's ``random_seed`` on every instance made from here on (the run makes several)."""
    original = highspy.Highs.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.setOptionValue("random_seed", seed)

    highspy.Highs.__init__ = init


def _count_highs_runs(highspy) -> list[dict]:
    """Record every ``Highs.run`` of this process (warm start: LP, rounding, restricted MILP;
    then the MILP): its simplex iterations and branch-and-bound nodes."""
    calls: list[dict] = []
    original = highspy.Highs.run

    def run(self, *args, **kwargs):
        status = original(self, *args, **kwargs)
        info = self.getInfo()
        calls.append({"lp_iterations": info.simplex_iteration_count,
                      "nodes": info.mip_node_count})
        return status

    highspy.Highs.run = run
    return calls


def _worker(task: dict) -> None:
    if task["formulation"] == "simccs":
        res = run_simccs(task["case"], task["gap"], task["time_limit"], task["seed"])
    else:
        res = run_ccusplan(task["case"], task["gap"], task["time_limit"], Path(task["root"]),
                           task["seed"])
    print(MARK + json.dumps({**task, **res}), flush=True)


# ======================================================================== runner side

def _spawn(task: dict, root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)]
    limit = task["time_limit"] * 2 + 120
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, env=env, cwd=root,
                           check=False)
    except subprocess.TimeoutExpired:
        return {**task, "status": "harness_timeout"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {**task, "status": "error", "error": (p.stderr or p.stdout)[-2000:]}


def _run_all(args, root: Path, code: dict) -> dict:
    out = RESULTS / "simccs.json"
    partial = RESULTS / "simccs.partial.json"
    doc = {"machine": fb.machine_info(), "code": code,
           "settings": {"time_limit_s": args.time_limit, "gaps": list(GAPS)}, "runs": []}
    source = partial if partial.exists() else out
    if args.merge and source.exists():
        old = json.loads(source.read_text())
        doc["runs"] = old["runs"]
        doc["earlier"] = old.get("earlier", []) + [{"machine": old["machine"], "code": old["code"]}]
        if args.redo:  # the code changed: its formulation's earlier runs are superseded
            doc["runs"] = [r for r in doc["runs"] if r["formulation"] != args.redo]
            for e in doc["earlier"]:
                e["superseded"] = sorted({*e.get("superseded", []), args.redo})
    done = {(r["case"], r["gap"], r["formulation"], r.get("seed", 0)) for r in doc["runs"]}
    for case in args.cases:
        for gap in GAPS:
            for seed in args.seeds:
                for form in FORMULATIONS:
                    if (case, gap, form, seed) in done:
                        continue
                    busy, waited = fb.wait_until_idle(args.wait_idle)
                    task = {"case": case, "gap": gap, "formulation": form, "seed": seed,
                            "time_limit": args.time_limit, "root": str(root)}
                    print(f"{case:>5} gap {gap:g} {form:>8} seed {seed} (busy cores {busy}) ...",
                          end=" ", flush=True)
                    rec = _spawn(task, root)
                    rec.update(busy_cores_before=busy, waited_s=round(waited, 1),
                               loadavg_after=fb._loadavg())
                    rec.pop("root", None)
                    print(rec.get("status"), rec.get("objective"), rec.get("solve_seconds"),
                          flush=True)
                    doc["runs"].append(rec)
                    fb._save(doc, partial)
    doc["machine"]["loadavg_at_end"] = fb._loadavg()
    fb._save(doc, out)
    partial.unlink(missing_ok=True)
    return doc


# ======================================================================== report

def _f(v, fmt="{:,.2f}"):
    return "–" if v is None else fmt.format(v)


def _times(runs: list[dict], **match) -> list[float]:
    return sorted(r["solve_seconds"] for r in runs
                  if all(r.get(k) == v for k, v in match.items())
                  and r.get("solve_seconds") is not None and r.get("status") == "optimal")


def _median(v: list[float]) -> float | None:
    if not v:
        return None
    k = len(v) // 2
    return v[k] if len(v) % 2 else (v[k - 1] + v[k]) / 2


def _spread(v: list[float]) -> str:
    if not v:
        return "–"
    rng = f" [{v[0]:,.1f}–{v[-1]:,.1f}]" if len(v) > 1 else ""
    return f"{_median(v):,.1f}{rng}"


def results_markdown(doc: dict) -> str:
    m, runs = doc["machine"], doc["runs"]
    lines = ["# SimCCS's formulation vs ccusplan's (SoutheastUS, HiGHS)", "",
             "Generated by `benchmarks/simccs.py` from `simccs.json`; see the script's docstring.",
             ""]
    head = ["case", "gap", "seeds", "SimCCS MPS s, median [min–max]",
            "ccusplan s, median [min–max]", "ccusplan / SimCCS (medians)",
            "ccusplan faster on seeds", "objective $M/yr (ccusplan, SimCCS)", "SimCCS published"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in [c for c in CASES if any(r["case"] == c for r in runs)]:
        for gap in GAPS:
            t = {f: _times(runs, case=case, gap=gap, formulation=f) for f in FORMULATIONS}
            if not any(t.values()):
                continue
            seeds = sorted({r.get("seed", 0) for r in runs if r["case"] == case and r["gap"] == gap})
            by_seed = {f: {r.get("seed", 0): r for r in runs if r["case"] == case
                           and r["gap"] == gap and r["formulation"] == f} for f in FORMULATIONS}
            both = [sd for sd in seeds if all(by_seed[f].get(sd, {}).get("solve_seconds")
                                              is not None for f in FORMULATIONS)]
            wins = sum(by_seed["ccusplan"][sd]["solve_seconds"] < by_seed["simccs"][sd]["solve_seconds"]
                       for sd in both)
            med = {f: _median(t[f]) for f in FORMULATIONS}
            ratio = _f(med["ccusplan"] / med["simccs"], "{:.2f}") \
                if med["ccusplan"] and med["simccs"] else "–"
            objs = {f: min((r["objective"] for r in by_seed[f].values()
                            if r.get("objective") is not None), default=None) for f in FORMULATIONS}
            lines.append("| " + " | ".join([
                case if case == "price" else f"{case} Mt/yr", f"{gap * 100:g} %",
                ", ".join(map(str, seeds)), _spread(t["simccs"]), _spread(t["ccusplan"]), ratio,
                f"{wins} of {len(both)}",
                f"{_f(objs['ccusplan'], '{:,.3f}')}, {_f(objs['simccs'], '{:,.3f}')}",
                f"{CASES[case][2]:,.3f}"]) + " |")
    note = ("*s*: solve wall time to `mip_rel_gap` 1e-2 and 1e-4 (ccusplan's is what `ccusplan "
            "solve` does at the commit below, build excluded; SimCCS's is highspy on the MPS "
            "file), over HiGHS "
            "random seeds; runs that did not finish (status other than optimal) are left out "
            "of the medians. *ccusplan faster on seeds*: seeds on which ccusplan took less time "
            "than SimCCS's MPS. A status *feasible* hit the time limit "
            f"({doc['settings']['time_limit_s']:g} s). Model sizes, CPU seconds, B&B nodes and "
            "simplex iterations (ccusplan: of all its HiGHS runs, nodes of the final MILP; these "
            "do not depend on the load) are in the table of every run.")
    lines += ["", note, "", "## Every run", ""]
    head = ["case", "gap", "formulation", "seed", "variables (integer)", "constraints",
            "build s", "solve s", "solve CPU s", "status", "objective", "best bound",
            "final gap", "B&B nodes", "simplex iterations", "busy cores before"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in runs:
        size = (f"{r['n_variables']:,} ({r['n_integer']:,})", f"{r['n_constraints']:,}") \
            if r.get("n_variables") is not None else ("–", "–")
        lines.append("| " + " | ".join([
            r["case"], f"{r['gap']:g}", r["formulation"], str(r.get("seed", 0)), *size,
            _f(r.get("build_seconds")), _f(r.get("solve_seconds"), "{:,.1f}"),
            _f(r.get("solve_cpu_seconds"), "{:,.1f}"),
            str(r.get("status")), _f(r.get("objective"), "{:,.3f}"),
            _f(r.get("best_bound"), "{:,.3f}"), _f(r.get("mip_gap"), "{:.3%}"),
            _f(r.get("nodes"), "{:,}"), _f(r.get("lp_iterations"), "{:,}"),
            _f(r.get("busy_cores_before"))]) + " |")
    v = m["versions"]
    machine = (f"- {m['cpu_model']}, {m['logical_cores']} logical cores, {m['ram_gib']} GiB "
               f"RAM; {m['platform']}")
    versions = (f"- Python {m['python']}; highspy {v.get('highspy')}, pulp {v.get('pulp')}; "
                f"solvers: {', '.join(m['solvers'].values())}")
    when = (f"- run {m['date']} (UTC); load average at start {m['loadavg_at_start']}, at end "
            f"{m.get('loadavg_at_end')}")
    code = [f"- code: {doc['code'].get('source')}, commit {str(doc['code'].get('commit'))[:12]}"]
    code += [f"- runs merged in from an earlier invocation (`--merge`): run "
             f"{e['machine'].get('date')}, code {e['code'].get('source')}, commit "
             f"{str(e['code'].get('commit'))[:12]}"
             + (f" (its {', '.join(e['superseded'])} runs dropped and run again)"
                if e.get("superseded") else "") for e in doc.get("earlier", [])]
    lines += ["", "## Machine", "", machine, versions, when, *code, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="50,110,price", help="comma list of 50, 110, price")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--seeds", default="0,1,2", help="HiGHS random seeds, comma list")
    ap.add_argument("--wait-idle", type=float, default=300.0,
                    help="wait up to this long before each run for the machine to be idle")
    ap.add_argument("--snapshot", default="HEAD",
                    help="commit whose src/, cases/, networks/ are benchmarked, or 'worktree'")
    ap.add_argument("--merge", action="store_true",
                    help="add these runs (as further repeats) to the existing simccs.json")
    ap.add_argument("--redo", choices=FORMULATIONS,
                    help="with --merge: drop the earlier runs of this formulation and run "
                         "them again (after a change to its code), keeping the other's")
    ap.add_argument("--markdown-only", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(json.loads(args.worker))
        return 0
    if args.markdown_only:
        doc = json.loads((RESULTS / "simccs.json").read_text())
        (RESULTS / "simccs.md").write_text(results_markdown(doc))
        return 0
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    try:
        args.seeds = [int(v) for v in args.seeds.split(",") if v.strip()]
    except ValueError:
        ap.error(f"--seeds: expected a comma list of integers, got {args.seeds!r}")
    unknown = set(args.cases) - CASES.keys()
    if unknown:
        ap.error(f"unknown case(s) {', '.join(sorted(unknown))}; known: {', '.join(CASES)}")
    with fb.run_lock():
        if args.snapshot == "worktree":
            doc = _run_all(args, REPO, {"source": "working tree", **fb._git()})
        else:
            with tempfile.TemporaryDirectory(prefix="ccusplan-simccs-bench-") as tmp:
                commit = fb.snapshot(args.snapshot, Path(tmp))
                doc = _run_all(args, Path(tmp), {"source": f"git archive {args.snapshot}",
                                                 "commit": commit})
    (RESULTS / "simccs.md").write_text(results_markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
