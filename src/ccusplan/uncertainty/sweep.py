"""A Monte Carlo sweep: every sample of a case's ``[uncertainty]`` solved as a whole case
through ``bench``'s machinery (one isolated process per sample under a hard time limit,
local workers or Dask, a resumable results table), then summarised.

Written to the sweep's folder:

* ``runs.jsonl``: one row per finished sample (``bench``'s results table: a killed
  sweep run again does only the samples it lacks);
* ``sweep.csv``: one row per sample — its drawn factors (sink factors as their mean and
  range over the sinks), status, NPV, gap, USD/t stored, km of new pipe, sites;
* ``usage.csv``: per source, sink and corridor, the share of solved samples that build
  it, the share that build it by each period, and its median first year;
* ``sweep_map.png`` (corridors by how often they are built) and
  ``sweep_distribution.png`` (NPV and USD/t over the samples, P10/P50/P90);
* ``report.html``: those, with the tables, on one self-contained page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.bench.batch import Backend, Progress, run_batch
from ccusplan.bench.results import ResultsTable
from ccusplan.bench.suite import CaseRef, RunSpec, Suite, case_digest, run_key
from ccusplan.errors import InputError, Problem, display_path
from ccusplan.io.results import write_file
from ccusplan.uncertainty.samples import draw
from ccusplan.uncertainty.spec import SINK_FACTORS

#: Statuses that come with a plan.
PLANNED = ("optimal", "feasible")
#: Seconds a sample may run past its limit (start-up, model building, polishing, read-back).
GRACE_S = 120.0


@dataclass(frozen=True)
class SweepSettings:
    samples: int
    solver: str
    time_limit_s: float
    mip_gap: float
    threads: int
    seed: int


def sweep_suite(case_path: Path, out: Path, settings: SweepSettings) -> Suite:
    """The sweep as a ``bench`` suite: one run per sample, results in ``out/runs.jsonl``."""
    from ccusplan.io import load

    case_path = Path(case_path).resolve()
    case, net = load(case_path)
    if case.uncertainty is None:
        raise InputError(Problem(display_path(case_path), "the case has no [uncertainty] "
                                 "table: add one saying what varies (docs/uncertainty.md)",
                                 field="uncertainty"))
    spec = case.uncertainty.model_copy(update={"seed": settings.seed})
    digest = case_digest(case_path, case.case.network)
    ref = CaseRef(case_path, case.name, digest, len(net.sources), len(net.sinks),
                  len(net.junctions), len(case.horizon.periods))
    where = display_path(case_path)
    sinks = net.sinks.sort_index()
    runs = []
    for i in range(settings.samples):
        sample = draw(spec, sinks, i, where)
        key = run_key(digest, settings.solver, settings.time_limit_s, settings.mip_gap,
                      settings.threads, 1, sample)
        runs.append(RunSpec(key, f"sweep-{case.name}", f"{case.name}#{i}", str(case_path),
                            digest, ref.n_sources, ref.n_sinks, ref.n_junctions, ref.n_periods,
                            settings.solver.lower(), float(settings.time_limit_s),
                            float(settings.mip_gap), int(settings.threads), 1, GRACE_S, sample))
    return Suite(case_path, f"sweep-{case.name}", Path(out) / "runs.jsonl", [ref], runs)


def run_sweep(suite: Suite, backend: Backend, on_start=None, on_row=None) -> Progress:
    """Solve the samples the results table lacks (``bench.batch.run_batch``)."""
    suite.results.parent.mkdir(parents=True, exist_ok=True)
    return run_batch(suite, backend, ResultsTable(suite.results), on_start, on_row)


def sweep_rows(suite: Suite) -> list[dict]:
    """This sweep's rows of its results table, in sample order (the table may also hold
    rows of other settings or seeds: only this suite's keys are taken)."""
    rows = {r["key"]: r for r in ResultsTable(suite.results).rows()}
    return [rows[r.key] for r in suite.runs if r.key in rows]


def sweep_table(rows: list[dict]) -> pd.DataFrame:
    """``sweep.csv``: one row per sample."""
    out = []
    for r in rows:
        s = r["sample"]
        row = {"sample": s["index"], "status": r["status"]}
        for name, v in s.items():
            if name == "index":
                continue
            if name in SINK_FACTORS:
                f = np.array(list(v.values()), float)
                row[f"{name}_mean"] = round(float(f.mean()), 6) if len(f) else None
                row[f"{name}_min"] = round(float(f.min()), 6) if len(f) else None
                row[f"{name}_max"] = round(float(f.max()), 6) if len(f) else None
            else:
                row[f"{name}_factor"] = round(float(v), 6)
        row |= {"npv_musd": r.get("objective_musd"), "mip_gap": r.get("mip_gap"),
                "usd_per_t": r.get("usd_per_t"), "pipeline_km": r.get("pipeline_km"),
                "sources_equipped": r.get("sources_equipped"),
                "sinks_opened": r.get("sinks_opened"),
                "solve_seconds": r.get("solve_seconds"), "message": r.get("message") or ""}
        out.append(row)
    return pd.DataFrame(out)


def usage_table(rows: list[dict], years: list[int]) -> pd.DataFrame:
    """``usage.csv``: per source, sink and corridor, how often the samples with a plan
    build it (``share``), by each period (``share_by_<year>``), and when (median and
    earliest first year)."""
    planned = [r for r in rows if r["status"] in PLANNED and r.get("built")]
    n = len(planned)
    firsts: dict[tuple[str, str], list[int]] = {}
    for r in planned:
        for what, table in r["built"].items():
            for item, year in table.items():
                firsts.setdefault((what[:-1], item), []).append(int(year))
    out = []
    for (what, item), ys in sorted(firsts.items()):
        y = np.array(ys)
        row = {"kind": what, "id": item, "samples_built": len(ys), "share": len(ys) / n,
               **{f"share_by_{p}": float((y <= p).sum()) / n for p in years},
               "first_year_median": float(np.median(y)), "first_year_earliest": int(y.min())}
        out.append(row)
    cols = ["kind", "id", "samples_built", "share", *(f"share_by_{p}" for p in years),
            "first_year_median", "first_year_earliest"]
    return pd.DataFrame(out, columns=cols)


def write_sweep(suite: Suite, out: Path) -> dict[str, Path]:
    """``sweep.csv``, ``usage.csv`` and the two figures from the sweep's finished rows."""
    from ccusplan.io import load
    from ccusplan.report.sweep_charts import plot_sweep_distribution, plot_sweep_map

    case, net = load(suite.path)
    rows = sweep_rows(suite)
    table = sweep_table(rows)
    usage = usage_table(rows, [int(y) for y in case.horizon.periods])
    annual = len(case.horizon.periods) == 1 and case.horizon.lengths_years[0] == 1
    planned = int(table["status"].isin(PLANNED).sum()) if len(table) else 0
    out = Path(out)
    files = {
        "sweep.csv": table.to_csv(index=False).encode(),
        "usage.csv": usage.to_csv(index=False).encode(),
        "sweep_map.png": plot_sweep_map(case.name, net, usage, planned),
        "sweep_distribution.png": plot_sweep_distribution(
            case.name, table[table["status"].isin(PLANNED)] if len(table) else table,
            "MUSD/yr" if annual else "MUSD"),
    }
    for name, data in files.items():
        write_file(out / name, data)
    from ccusplan.report.sweep_html import build_sweep_report

    write_file(out / "report.html", build_sweep_report(out, case.name).encode())
    return {name: out / name for name in (*files, "report.html")}
