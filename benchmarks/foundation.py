"""Foundation benchmarks: model build and solve, timed separately, per solver.

A small registry of benchmark specs (name + how to build the case) in the spirit
of linopy's benchmarks, and a runner with two phases:

* **build** (no solver): ``prepare`` (case + network -> arrays), ``build`` (the
  sparse MILP) and ``to_pulp`` (the PuLP model), each timed, repeated, median
  kept; model sizes (variables, integers, rows, nonzeros) recorded. Run on the
  Shandong case truncated to 1..6 periods and extended to 8/12/24 periods (all
  with the network's 140 corridors x 19 built-in pipe classes), so build time
  can be plotted against model size and fitted with a line.
* **solve**: :func:`ccusplan.optimize.run` exactly as the CLI calls it (build,
  LP-support warm start, MILP, read-back), per solver, one run at a time, each
  in a fresh Python process (clean caches, peak memory per run).

Usage::

    .venv/bin/python benchmarks/foundation.py --solvers highs,cbc --time-limit 600
    .venv/bin/python benchmarks/foundation.py --quick            # 1-period smoke test
    .venv/bin/python benchmarks/foundation.py --markdown-only    # table from the JSON

Results: ``benchmarks/results/foundation.json`` (machine info once, then one
record per build spec and per solve run) and ``foundation.md`` (tables made
from the JSON). If ``benchmarks/README.md`` has ``<!-- results:start -->`` /
``<!-- results:end -->`` markers, the same tables are written between them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The machine description, load, idle wait and lock are shared with ``ccusplan bench``.
from ccusplan.bench.machine import MACHINE_LOCK as LOCK
from ccusplan.bench.machine import cpu_busy, file_lock, machine_info, wait_until_idle  # noqa: F401
from ccusplan.bench.machine import loadavg as _loadavg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: Where src/, cases/ and networks/ are read from: the repository, or a snapshot of
#: one commit (``--snapshot``) so edits made while the benchmark runs do not leak in.
ROOT = Path(os.environ.get("CCUSPLAN_BENCH_ROOT", REPO))
DEFAULT_CASE = ROOT / "cases" / "shandong-2050.toml"
RESULTS = HERE / "results"
MARK = "@@BENCH-RESULT@@"


# ======================================================================== registry

@dataclass(frozen=True)
class Spec:
    """One benchmark case: a name and how to build (case, network)."""

    name: str
    description: str
    make: Callable[[], tuple]
    solve: bool = True          # part of the solve phase (else build only)


def _load():
    from ccusplan.io import load

    return load(DEFAULT_CASE)


def horizon_copy(case, n: int):
    """``case`` with its horizon cut to (or extended to) ``n`` periods.

    Targets stay those of the case file: ``mtpa`` lists are cut to the first
    ``n`` periods; when extending, further periods follow at ``period_years``
    spacing with the last target (and price) held flat. A scale-up target
    (base/factor/by) is a function of the years and is left as it is.
    """
    hz = case.horizon
    periods = list(hz.periods)
    if n <= len(periods):
        periods = periods[:n]
    else:
        step = hz.period_years
        periods += [periods[-1] + step * k for k in range(1, n - len(periods) + 1)]

    def fit(values: list) -> list:
        return values[:n] if n <= len(values) else values + [values[-1]] * (n - len(values))

    update: dict = {"horizon": hz.model_copy(update={"periods": periods})}
    if case.target is not None and case.target.mtpa is not None:
        update["target"] = case.target.model_copy(update={"mtpa": fit(list(case.target.mtpa))})
    if case.price is not None and isinstance(case.price.usd_per_t, list):
        update["price"] = case.price.model_copy(update={"usd_per_t": fit(list(case.price.usd_per_t))})
    new = case.model_copy(update=update)
    # model_copy skips validation: re-validate so a broken copy fails here, not in the solver
    return type(case).model_validate(new.model_dump())


def _periods(n: int) -> Callable[[], tuple]:
    def make():
        case, net = _load()
        return horizon_copy(case, n), net
    return make


def _registry() -> dict[str, Spec]:
    specs = [Spec("shandong-2050", "default case, as in cases/shandong-2050.toml (6 periods)", _load)]
    for n in (1, 2, 4):
        specs.append(Spec(f"shandong-T{n}", f"default case, horizon cut to its first {n} period(s)",
                          _periods(n)))
    # T6 is the default case itself; the build sweep still lists it under its T-name
    for n in (3, 5, 6):
        specs.append(Spec(f"shandong-T{n}", f"default case, horizon cut to {n} periods",
                          _periods(n), solve=False))
    for n in (8, 12, 24):
        specs.append(Spec(f"shandong-T{n}", f"default case, horizon extended to {n} periods "
                          "(2050 target held flat; build only: storage runs out, infeasible)",
                          _periods(n), solve=False))
    return {s.name: s for s in specs}


SPECS = _registry()
BUILD_SWEEP = ["shandong-T1", "shandong-T2", "shandong-T3", "shandong-T4", "shandong-T5",
               "shandong-T6", "shandong-T8", "shandong-T12", "shandong-T24"]
SOLVE_SET = ["shandong-T1", "shandong-T2", "shandong-T4", "shandong-2050"]
QUICK_BUILD, QUICK_SOLVE = ["shandong-T1"], ["shandong-T1"]


# ======================================================================== machine

def _git() -> dict:
    def sh(*cmd):
        r = subprocess.run(["git", *cmd], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    dirty = sh("status", "--porcelain", "--", "src")
    return {"commit": sh("rev-parse", "HEAD"), "src_dirty": bool(dirty) if dirty is not None else None}


# ======================================================================== phases (worker side)

def _model_sizes(lp) -> dict:
    arr = lp.arrays()
    integer, hi = arr["integer"], arr["col_hi"]
    return {
        "n_variables": int(lp.n_cols),
        "n_binaries": int(integer.sum()),   # as Outcome.sizes: every integer column
        "n_binary_01": int((integer & (hi <= 1)).sum()),
        "n_general_integer": int((integer & (hi > 1)).sum()),
        "n_constraints": int(lp.n_rows),
        "n_nonzeros": int(arr["A"].nnz),
    }


def bench_build(spec_name: str, repeats: int) -> dict:
    """Time prepare / formulation / PuLP model ``repeats`` times after one warm-up.

    Then ``repeats`` more with Python's garbage collector off (as :mod:`timeit` does):
    the PuLP model is hundreds of thousands of small Python objects, and the
    difference shows what the collector costs as the model grows.
    """
    import gc

    from ccusplan.optimize import build, prepare
    from ccusplan.optimize.pulp_backend import to_pulp

    case, net = SPECS[spec_name].make()
    samples: dict[str, list[float]] = {"prepare": [], "formulation": [], "pulp_model": [], "total": []}
    gc_off: list[float] = []
    for k in range(2 * repeats + 1):
        inst = form = None
        gc.collect()                # every repeat starts without the last one's garbage
        if k > repeats:
            gc.disable()
        t0 = time.perf_counter()
        inst = prepare(case, net)
        t1 = time.perf_counter()
        form = build(inst)
        form.lp.arrays()            # assembly of the sparse matrix belongs to the formulation
        t2 = time.perf_counter()
        to_pulp(form.lp)
        t3 = time.perf_counter()
        gc.enable()
        if k == 0:                  # warm-up: lazy imports, caches; kept as the cold build
            cold = {"prepare": t1 - t0, "formulation": t2 - t1, "pulp_model": t3 - t2,
                    "total": t3 - t0}
            continue
        if k > repeats:
            gc_off.append(t3 - t0)
            continue
        for key, v in zip(samples, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            samples[key].append(v)
    sizes = _model_sizes(form.lp)
    # headline: the minimum over the repeats, the usual estimator when other processes
    # may steal the CPU (timeit's advice); the median is kept too
    best = {k: min(v) for k, v in samples.items()}
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "kind": "build", "case": spec_name, "periods": int(inst.n_periods),
        "n_corridors": int(len(inst.cor_from)), "n_pipe_options": int(len(inst.opt_corridor)),
        **sizes, "repeats": repeats,
        "build_seconds": best["total"],
        "prepare_seconds": best["prepare"], "formulation_seconds": best["formulation"],
        "pulp_model_seconds": best["pulp_model"],
        "build_seconds_median": med["total"],
        "build_seconds_cold": cold["total"],   # first build in a fresh process
        "cold": cold,
        "build_seconds_gc_off": min(gc_off),
        "samples_gc_off": gc_off,
        "build_seconds_max": max(samples["total"]),
        "samples": samples,
        "us_per_nonzero": 1e6 * best["total"] / max(sizes["n_nonzeros"], 1),
        "ms_per_1k_nonzeros": 1e6 * best["total"] / max(sizes["n_nonzeros"], 1),
        "us_per_variable": 1e6 * best["total"] / max(sizes["n_variables"], 1),
        "loadavg": _loadavg(),
        "ccusplan_from": str(Path(sys.modules["ccusplan"].__file__).parent.parent),
    }


def bench_solve(spec_name: str, solver: str, time_limit: float, warm_start: bool | None) -> dict:
    """One :func:`ccusplan.optimize.run`, with the warm start's share of the solve time."""
    import ccusplan.optimize as opt

    case, net = SPECS[spec_name].make()
    ws_log: dict = {}
    original = opt.lp_support_start

    def timed_start(*a, **kw):  # run() looks the name up at call time: time the warm start
        t = time.perf_counter()
        try:
            warm = original(*a, **kw)
            x = getattr(warm, "x", warm)   # a WarmStart (x, lp_bound) or the plan itself
            ws_log["found"] = x is not None
            return warm
        finally:
            ws_log["seconds"] = time.perf_counter() - t

    opt.lp_support_start = timed_start
    load_before = _loadavg()
    ru0_self = resource.getrusage(resource.RUSAGE_SELF)
    ru0_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        out = opt.run(case, net, solver=solver, time_limit_s=time_limit, warm_start=warm_start)
    finally:
        opt.lp_support_start = original
    wall = time.perf_counter() - t0
    ru1_self = resource.getrusage(resource.RUSAGE_SELF)
    ru1_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((ru1_self.ru_utime + ru1_self.ru_stime) - (ru0_self.ru_utime + ru0_self.ru_stime)
           + (ru1_kids.ru_utime + ru1_kids.ru_stime) - (ru0_kids.ru_utime + ru0_kids.ru_stime))
    r = out.result
    ws_on = case.solver.warm_start if warm_start is None else warm_start
    return {
        "kind": "solve", "case": spec_name, "periods": int(out.instance.n_periods),
        **_model_sizes(out.formulation.lp),
        "solver": r.solver, "solver_name": solver,
        "warm_start": "on" if ws_on else "off",
        "warm_start_found": ws_log.get("found"),
        "warm_start_seconds": ws_log.get("seconds"),
        "time_limit_s": time_limit, "mip_gap_target": case.solver.mip_gap,
        "threads": case.solver.threads,
        "build_seconds": out.build_seconds,
        "solve_seconds": r.solve_seconds,
        "milp_seconds": (r.solve_seconds - ws_log["seconds"]) if "seconds" in ws_log else r.solve_seconds,
        "wall_seconds": wall,
        "cpu_seconds": cpu,          # this process + child processes (CBC runs as one)
        "peak_rss_mib": round(max(ru1_self.ru_maxrss, ru1_kids.ru_maxrss) / 1024, 1),
        "status": r.status,
        "objective_musd": r.objective,
        "best_bound_musd": r.best_bound,
        "mip_gap": r.mip_gap,
        "message": r.message,
        "loadavg_before": load_before, "loadavg_after": _loadavg(),
        "ccusplan_from": str(Path(opt.__file__).parents[2]),
    }


# ======================================================================== runner (parent side)

def snapshot(rev: str, into: Path) -> str:
    """Extract src/, cases/ and networks/ of commit ``rev`` into ``into``; its full hash."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.strip()
    tar = into / "snapshot.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(tar), commit,
                    "src", "cases", "networks"], cwd=REPO, check=True)
    with tarfile.open(tar) as tf:
        tf.extractall(into, filter="data")
    tar.unlink()
    return commit


def _use_root(root: Path) -> None:
    """Point this process and its workers at ``root`` (a snapshot)."""
    global ROOT, DEFAULT_CASE
    ROOT, DEFAULT_CASE = root, root / "cases" / "shandong-2050.toml"
    os.environ["CCUSPLAN_BENCH_ROOT"] = str(root)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(root / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    sys.path.insert(0, str(root / "src"))


def _worker(task: dict, timeout: float) -> dict:
    """Run one task in a fresh interpreter; its result is the line after MARK."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {**task, "status": "harness_timeout", "error": f"no result within {timeout:.0f} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {**task, "status": "error", "error": (p.stderr or p.stdout)[-2000:]}


def _save(doc: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(out)


def linear_fit(xs: list[float], ys: list[float]) -> dict | None:
    """Least-squares line y = a + b x with R²."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return {"intercept_s": a, "slope": b, "r2": 1 - ss_res / ss_tot if ss_tot else 1.0}


def scaling_summary(builds: list[dict]) -> dict:
    ok = [b for b in builds if "build_seconds" in b and "n_nonzeros" in b]
    fits = {}
    for phase in ("build_seconds", "build_seconds_gc_off", "pulp_model_seconds",
                  "formulation_seconds", "prepare_seconds"):
        if not all(phase in b for b in ok):
            continue
        f = linear_fit([b["n_nonzeros"] for b in ok], [b[phase] for b in ok])
        if f:
            f["ms_per_1k_nonzeros"] = f.pop("slope") * 1e6
            fits[phase] = f
    fv = linear_fit([b["n_variables"] for b in ok], [b["build_seconds"] for b in ok])
    if fv:
        fv["us_per_variable"] = fv.pop("slope") * 1e6
        fits["build_seconds_vs_variables"] = fv
    return fits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--solvers", default="highs", help="comma-separated, e.g. highs,cbc")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve (default 600)")
    ap.add_argument("--warm-start", default="case",
                    help="case (the case file's setting, default), on, off, or on,off")
    ap.add_argument("--cases", help=f"comma-separated solve specs (default {','.join(SOLVE_SET)})")
    ap.add_argument("--repeats", type=int, default=5, help="timed build repeats per spec (default 5)")
    ap.add_argument("--no-build", action="store_true", help="skip the build-scaling phase")
    ap.add_argument("--no-solve", action="store_true", help="skip the solve phase")
    ap.add_argument("--merge", action="store_true",
                    help="with --no-build or --no-solve: keep that phase's records from the "
                    "existing --out file (their machine/code block is kept alongside)")
    ap.add_argument("--out", type=Path, help="JSON path (default benchmarks/results/foundation.json, "
                    "foundation-quick.json with --quick)")
    ap.add_argument("--quick", action="store_true", help="1-period model only (smoke test)")
    ap.add_argument("--markdown-only", action="store_true", help="rewrite the .md from the JSON and stop")
    ap.add_argument("--wait-idle", type=float, default=180.0,
                    help="before each task wait up to this many seconds for the machine to be "
                    "idle (< 0.3 cores busy); the busy cores seen are recorded (default 180)")
    ap.add_argument("--snapshot", default="HEAD",
                    help="benchmark src/, cases/ and networks/ as of this git revision, extracted "
                    "to a temporary folder (default HEAD: uncommitted edits made by others while "
                    "the benchmark runs cannot leak in); 'worktree' uses the files as they are")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        task = json.loads(args.worker)
        if task["kind"] == "build":
            res = bench_build(task["case"], task["repeats"])
        else:
            res = bench_solve(task["case"], task["solver"], task["time_limit"], task["warm_start"])
        print(MARK + json.dumps(res), flush=True)
        return 0

    out = args.out or RESULTS / ("foundation-quick.json" if args.quick else "foundation.json")
    md = out.with_suffix(".md")
    if args.markdown_only:
        write_markdown(json.loads(out.read_text()), md, readme=not args.quick)
        print(f"wrote {md}")
        return 0

    with run_lock():
        return _snapshot_and_run(args, ap, out, md)


@contextlib.contextmanager
def run_lock():
    """One runner at a time on this machine: timings must not compete for the cores,
    and two runners would overwrite each other's results."""
    def waiting(holder: str) -> None:
        print(f"another benchmark run (process {holder}) holds {LOCK}; waiting ...", flush=True)

    with file_lock(LOCK, on_wait=waiting):
        yield


def _snapshot_and_run(args, ap, out: Path, md: Path) -> int:
    if args.snapshot == "worktree":
        return _main(args, ap, out, md, code={"source": "working tree", **_git()})
    with tempfile.TemporaryDirectory(prefix="ccusplan-bench-") as tmp:
        commit = snapshot(args.snapshot, Path(tmp))
        _use_root(Path(tmp))
        return _main(args, ap, out, md, code={"source": f"git archive {args.snapshot}",
                                              "commit": commit, "src_dirty": False})


def _main(args, ap, out: Path, md: Path, code: dict) -> int:
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    from ccusplan.optimize.pulp_backend import pulp_name

    for s in solvers:
        pulp_name(s)  # fail fast on a solver that is not installed
    ws_opts = {"case": [None], "on": [True], "off": [False], "on,off": [True, False],
               "off,on": [False, True]}[args.warm_start]
    build_specs = QUICK_BUILD if args.quick else BUILD_SWEEP
    solve_specs = QUICK_SOLVE if args.quick else (args.cases.split(",") if args.cases else SOLVE_SET)
    repeats = min(args.repeats, 3) if args.quick else args.repeats
    for name in solve_specs:
        if name not in SPECS:
            ap.error(f"unknown case '{name}'; known: {', '.join(SPECS)}")

    doc = {"benchmark": "foundation", "machine": machine_info(), "code": code,
           "options": {"solvers": solvers, "time_limit_s": args.time_limit,
                       "warm_start": args.warm_start, "repeats": repeats, "quick": args.quick},
           "specs": {n: SPECS[n].description for n in dict.fromkeys(build_specs + solve_specs)},
           "build": [], "solve": [], "build_scaling": {}}
    if args.merge and out.exists():
        old = json.loads(out.read_text())
        kept = [ph for ph, skip in (("build", args.no_build), ("solve", args.no_solve)) if skip]
        for ph in kept:
            doc[ph] = old.get(ph, [])
            if ph == "build":
                doc["build_scaling"] = old.get("build_scaling", {})
        doc["specs"] = {**old.get("specs", {}), **doc["specs"]}
        if kept:
            doc["kept_from_previous_run"] = {
                "phases": kept, "date": old["machine"].get("date"),
                "code": old.get("code"), "options": old.get("options")}
    # progress goes to <out>.partial.json: the last complete results stay in place
    # until this run has finished
    partial = out.with_name(out.stem + ".partial.json")
    _save(doc, partial)

    if not args.no_build:
        for name in build_specs:
            print(f"[build] {name} ...", end=" ", flush=True)
            busy, waited = wait_until_idle(args.wait_idle)
            r = _worker({"kind": "build", "case": name, "repeats": repeats}, timeout=1800)
            r.update(other_cores_busy_before=busy, waited_for_idle_s=round(waited, 1))
            doc["build"].append(r)
            print(f"{r.get('build_seconds', float('nan')):.3f} s "
                  f"({r.get('n_nonzeros')} nnz, {r.get('n_variables')} vars)", flush=True)
            doc["build_scaling"] = scaling_summary(doc["build"])
            _save(doc, partial)

    if not args.no_solve:
        for name in solve_specs:
            for solver in solvers:
                for ws in ws_opts:
                    print(f"[solve] {name} {solver} warm_start={ws if ws is not None else 'case'} ...",
                          end=" ", flush=True)
                    task = {"kind": "solve", "case": name, "solver": solver,
                            "time_limit": args.time_limit, "warm_start": ws}
                    busy, waited = wait_until_idle(args.wait_idle)
                    r = _worker(task, timeout=args.time_limit * 1.5 + 300)
                    r.update(other_cores_busy_before=busy, waited_for_idle_s=round(waited, 1))
                    doc["solve"].append(r)
                    _save(doc, partial)
                    print(f"{r.get('status')} obj={r.get('objective_musd')} gap={r.get('mip_gap')} "
                          f"build={r.get('build_seconds', float('nan')):.2f}s "
                          f"solve={r.get('solve_seconds', float('nan')):.2f}s", flush=True)

    doc["machine"]["loadavg_at_end"] = _loadavg()
    doc["machine"]["date_end"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    _save(doc, out)
    partial.unlink(missing_ok=True)
    write_markdown(doc, md, readme=not args.quick and out.resolve() == (RESULTS / "foundation.json"))
    print(f"wrote {out} and {md}")
    return 0


# ======================================================================== markdown

def _f(v, fmt: str = "{:,.2f}", none: str = "–") -> str:
    if v is None:
        return none
    try:
        return fmt.format(v)
    except (ValueError, TypeError):
        return str(v)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def results_markdown(doc: dict) -> str:
    m = doc["machine"]
    code = doc.get("code") or m.get("git") or {}
    out: list[str] = []
    solve = doc.get("solve", [])
    if solve:
        out += ["### Solve runs (`ccusplan.optimize.run`, one at a time, fresh process each)", ""]
        rows = []
        for r in solve:
            rows.append([
                f"`{r['case']}`", _f(r.get("periods"), "{}"),
                _f(r.get("n_variables"), "{:,}"),
                f"{_f(r.get('n_binaries'), '{:,}')} ({_f(r.get('n_binary_01'), '{:,}')})",
                _f(r.get("n_constraints"), "{:,}"), _f(r.get("n_nonzeros"), "{:,}"),
                r.get("solver") or r.get("solver_name", "?"), r.get("warm_start", "?"),
                _f(r.get("build_seconds")),
                f"{_f(r.get('solve_seconds'), '{:,.1f}')} ({_f(r.get('warm_start_seconds'), '{:,.1f}')})",
                f"**{r.get('status')}**",
                _f(r.get("objective_musd"), "{:,.1f}"), _f(r.get("best_bound_musd"), "{:,.1f}"),
                _f(r.get("mip_gap"), "{:.2%}"),
                _f(r.get("cpu_seconds"), "{:,.1f}"), _f(r.get("peak_rss_mib"), "{:,.0f}"),
                _f(r.get("other_cores_busy_before"), "{:.1f}"),
            ])
        out += _table(["case", "T", "variables", "integer (0/1)", "constraints", "nonzeros",
                       "solver", "warm start", "build s", "solve s (warm start s)", "status",
                       "objective MUSD", "best bound MUSD", "gap", "CPU s", "peak MiB", "busy cores before"],
                      rows)
        out += ["", f"Time limit {_f(solve[0].get('time_limit_s'), '{:,.0f}')} s per solve "
                "(warm start + MILP together); target relative gap "
                f"{_f(solve[0].get('mip_gap_target'), '{:.0%}')} (the case's `[solver] mip_gap`). "
                "*integer* counts every integer column (`Outcome.sizes['n_binaries']`); the "
                "0/1 ones are in brackets, the rest are pipe counts. *build s* is `run()`'s own "
                "`build_seconds` (first build in a fresh process). *solve s* is "
                "`result.solve_seconds`, which includes the LP-support warm start (bracketed). "
                "*CPU s* is user+system time of the run and of child processes (CBC); *busy cores "
                "before* is what other processes used in the second before the run started. "
                "A status *feasible* is a solver stopped by the time limit with a plan; its gap "
                "is the gap it had then.", ""]
    builds = [b for b in doc.get("build", []) if "build_seconds" in b]
    if builds:
        out += ["### Build scaling (no solver; fastest of "
                f"{builds[0].get('repeats')} repeats after a warm-up)", ""]
        rows = [[f"`{b['case']}`", str(b["periods"]), f"{b['n_variables']:,}",
                 f"{b['n_binaries']:,}", f"{b['n_constraints']:,}", f"{b['n_nonzeros']:,}",
                 _f(b["prepare_seconds"], "{:.3f}"), _f(b["formulation_seconds"], "{:.3f}"),
                 _f(b["pulp_model_seconds"], "{:.3f}"), _f(b["build_seconds"], "{:.3f}"),
                 _f(b.get("build_seconds_gc_off"), "{:.3f}"),
                 _f(b.get("build_seconds_cold"), "{:.3f}"),
                 _f(b["ms_per_1k_nonzeros"], "{:.2f}"), _f(b["us_per_variable"], "{:.1f}")]
                for b in builds]
        out += _table(["case", "T", "variables", "integer", "constraints", "nonzeros",
                       "prepare s", "formulation s", "PuLP model s", "build s", "build s, GC off", "cold build s",
                       "ms / 1k nnz", "µs / variable"], rows)
        out += ["", "*build s* is the fastest repeat with Python's garbage collector on (as in a "
                "real run), *GC off* the fastest with it off; *ms / 1k nnz* and *µs / variable* "
                "divide *build s*. *cold build s* is the warm-up: the first build in the fresh "
                "process, which pays for lazy imports and caches filled on first use."]
        fits = doc.get("build_scaling") or scaling_summary(builds)
        if fits:
            out += ["", "Least-squares line through all sizes (seconds = intercept + slope × size):", ""]
            rows = []
            for phase, f in fits.items():
                if "ms_per_1k_nonzeros" in f:
                    rows.append([phase.replace("_seconds", "").replace("_gc_off", ", GC off"),
                                 "nonzeros",
                                 _f(f["ms_per_1k_nonzeros"], "{:.3f} ms / 1k nnz"),
                                 _f(f["intercept_s"], "{:.4f}"), _f(f["r2"], "{:.4f}")])
                else:
                    rows.append(["build", "variables", _f(f["us_per_variable"], "{:.2f} µs / var"),
                                 _f(f["intercept_s"], "{:.4f}"), _f(f["r2"], "{:.4f}")])
            out += _table(["phase", "size", "slope", "intercept s", "R²"], rows)
        out += [""]
    v = m.get("versions", {})
    out += ["### Machine", "",
            f"- {m.get('cpu_model')}, {m.get('logical_cores')} logical cores, "
            f"{m.get('ram_gib')} GiB RAM; {m.get('platform')}",
            f"- Python {m.get('python')}; " + ", ".join(f"{k} {val}" for k, val in v.items() if val),
            "- solvers: " + ", ".join(f"{val}" for val in m.get("solvers", {}).values()),
            f"- run {m.get('date')} → {m.get('date_end', '?')} (UTC); load average at start "
            f"{m.get('loadavg_at_start')}, at end {m.get('loadavg_at_end', '?')}",
            f"- code: {code.get('source')}, commit {str(code.get('commit'))[:12]}"
            + (" (src/ had uncommitted changes)" if code.get("src_dirty") else "")]
    kept = doc.get("kept_from_previous_run")
    if kept:
        kc = kept.get("code") or {}
        out += [f"- the {' and '.join(kept['phases'])} phase records are from an earlier run "
                f"({kept.get('date')}, code {kc.get('source')}, commit {str(kc.get('commit'))[:12]})"]
    out += [""]
    return "\n".join(out)


def write_markdown(doc: dict, md: Path, readme: bool = False) -> None:
    body = results_markdown(doc)
    md.write_text("# Foundation benchmark results\n\nGenerated by `benchmarks/foundation.py` from "
                  f"`{md.with_suffix('.json').name}`; see `benchmarks/README.md`.\n\n" + body)
    readme_path = HERE / "README.md"
    if readme and readme_path.exists():
        text = readme_path.read_text()
        a, b = "<!-- results:start -->", "<!-- results:end -->"
        if a in text and b in text:
            head, rest = text.split(a, 1)
            _, tail = rest.split(b, 1)
            readme_path.write_text(f"{head}{a}\n{body}\n{b}{tail}")


if __name__ == "__main__":
    sys.exit(main())
