"""``ccusplan sweep``: a Monte Carlo sweep over a case's ``[uncertainty]`` table.

Registered on the main group by :mod:`ccusplan.cli`. Parse, call
:mod:`ccusplan.uncertainty.sweep` (which runs the samples through ``bench``), print.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ccusplan.cli_bench import (EXIT_INTERRUPTED, _backend, _duration, backend_options,
                                check_backend, shown_batch)
from ccusplan.cli_common import fail as _fail


@click.command()
@click.argument("case_path", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--samples", type=click.IntRange(min=1), required=True,
              help="Samples to draw and solve (sample i is the same whatever their number).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Seed of the draws (default: [uncertainty] seed).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True),
              help="Seconds per sample (default: [uncertainty] time_limit_s, else the case's).")
@click.option("--solver", help="Solver (default: the case's).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Solver threads per sample.")
@backend_options("Samples")
@click.option("--out", type=click.Path(path_type=Path),
              help="Sweep folder (default: outputs/<case>-sweep/); run again to resume.")
@click.pass_obj
def sweep(state, case_path: Path, samples, seed, time_limit, solver, threads, workers,
          scheduler, dask_local, out) -> None:
    """Solve SAMPLES draws of CASE's [uncertainty] factors, each as a whole case, and
    write sweep.csv, usage.csv and the sweep's figures."""
    from ccusplan.errors import InputError, display_path
    from ccusplan.io import load
    from ccusplan.io.results import check_out_dir
    from ccusplan.uncertainty.sweep import (PLANNED, SweepSettings, run_sweep, sweep_suite,
                                            write_sweep)
    from ccusplan.uncertainty.usage import percentiles

    try:
        check_backend(workers, scheduler, dask_local)
        case, _ = load(case_path)
        u = case.uncertainty
        out = Path(out or Path("outputs") / f"{case.name}-sweep")
        problem = check_out_dir(out, marker="runs.jsonl")
        if problem is not None:
            raise InputError(problem)
        settings = SweepSettings(
            samples, solver or case.solver.name,
            time_limit or (u.time_limit_s if u and u.time_limit_s else case.solver.time_limit_s),
            case.solver.mip_gap, threads, seed if seed is not None else (u.seed if u else 0))
        suite = sweep_suite(case_path, out, settings)
        progress = shown_batch(state, suite, suite.results,
                               _backend(workers, scheduler, dask_local),
                               lambda backend, start, row: run_sweep(suite, backend, start, row))
        written = write_sweep(suite, out)
    except KeyboardInterrupt:
        click.echo("interrupted: every finished sample is in runs.jsonl; run the same "
                   "command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    import pandas as pd

    table = pd.read_csv(written["sweep.csv"])
    ok = table[table["status"].isin(PLANNED)]
    con = state.out
    con.print(f"{suite.name}: {len(table)} samples ({progress.done} solved now, "
              f"{progress.skipped} before in {_duration(progress.seconds)}); "
              f"{len(ok)} with a plan")
    for col, label, fmt in (("npv_musd", "NPV (MUSD)", "{:,.0f}"),
                            ("usd_per_t", "USD/t stored", "{:,.2f}"),
                            ("pipeline_km", "km of new pipe", "{:,.0f}")):
        p = percentiles(ok[col].tolist())
        if p:
            con.print(f"{label}: P10 {fmt.format(p[10])}, P50 {fmt.format(p[50])}, "
                      f"P90 {fmt.format(p[90])}")
    usage = pd.read_csv(written["usage.csv"])
    firm = usage[(usage["kind"] == "corridor") & (usage["share"] >= 0.9)]
    con.print(f"corridors built in ≥ 90 % of the samples with a plan: {len(firm)} of "
              f"{int((usage['kind'] == 'corridor').sum())} ever built")
    con.print(f"written to {display_path(out)}/ (runs.jsonl, "
              + ", ".join(written) + ")")
