"""``ccusplan stochastic``: the two-stage stochastic build-out of a case's ``[stochastic]``
scenarios. Registered on the main group by :mod:`ccusplan.cli`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ccusplan.cli_common import fail as _fail


@click.command()
@click.argument("case_path", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True),
              help="Seconds for everything (default: the case's [solver] time_limit_s).")
@click.option("--threads", type=click.IntRange(min=1), help="Solver threads.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Result folder (default: outputs/<case>-stochastic/).")
@click.pass_obj
def stochastic(state, case_path: Path, time_limit, threads, out) -> None:
    """Solve CASE's [stochastic] scenarios as one extensive-form MILP: a first stage shared
    by every scenario, each scenario's recourse, the expected cost, and the value of the
    stochastic solution (VSS) and of perfect information (EVPI)."""
    from ccusplan.cli_progress import ProgressLine
    from ccusplan.errors import InputError
    from ccusplan.io import load
    from ccusplan.optimize.progress import reporting
    from ccusplan.io.results import check_out_dir, write_atomic, write_results
    from ccusplan.optimize.outputs import Results
    from ccusplan.report.figures import result_figures
    from ccusplan.uncertainty.stochastic import solve_stochastic

    try:
        case, net = load(case_path)
        out = Path(out or Path("outputs") / f"{case.name}-stochastic")
        if (problem := check_out_dir(out, marker="stochastic.json")) is not None:
            raise InputError(problem)
        err = state.err
        with ProgressLine(err, f"{case.name} (stochastic)",
                          err.is_terminal and not state.quiet) as progress, reporting(progress):
            so = solve_stochastic(case, net, time_limit, threads)
        summary = _summary(case.name, so)
        writers = {"stochastic.json": lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"),
                   "first_stage.csv": lambda p: _first_stage(so).to_csv(p, index=False)}
        for (name, _), o in zip(so.scenarios, so.outcomes):
            if o.plan is None:
                continue
            r = Results.of(o)
            writers[f"scenario-{name}"] = (lambda p, r=r: write_results(
                p, r.summary, r.tables, r.geojson, result_figures(r)))
        write_atomic(out, writers, marker="stochastic.json")
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    con = state.out

    def m(v) -> str:
        return "—" if v is None else f"{v:,.1f}"

    con.print(f"{case.name}: {so.status}, expected cost {m(so.expected_musd)} MUSD (bound "
              f"{m(so.bound_musd)}" + (f", gap {so.gap:.2%}" if so.gap is not None else "")
              + f"); first stage shared up to {so.shared_until}; {so.seconds:.1f} s",
              highlight=False)
    for (name, p), o, alone in zip(so.scenarios, so.outcomes, so.alone_musd):
        con.print(f"  {name} (p = {p:g}): {m(o.result.objective)} MUSD with the shared "
                  f"first stage, {m(alone)} alone", highlight=False)
    con.print(f"wait and see {m(so.wait_and_see_musd)}, EVPI {m(so.evpi_musd)}; mean-value "
              f"plan {m(so.mean_value_musd)}, its expected cost (EEV) {m(so.eev_musd)}, VSS "
              f"{m(so.vss_musd)} MUSD", highlight=False)
    con.print(f"results written to {out}/ (stochastic.json, first_stage.csv, "
              + ", ".join(f"scenario-{n}/" for n, _ in so.scenarios) + ")")


def _summary(case_name: str, so) -> dict:
    return {"case": case_name, "status": so.status, "expected_musd": so.expected_musd,
            "best_bound_musd": so.bound_musd, "mip_gap": so.gap,
            "shared_until": so.shared_until,
            "scenarios": [{"name": n, "probability": p,
                           "cost_musd": o.result.objective, "alone_musd": a}
                          for (n, p), o, a in zip(so.scenarios, so.outcomes, so.alone_musd)],
            "wait_and_see_musd": so.wait_and_see_musd, "evpi_musd": so.evpi_musd,
            "mean_value_musd": so.mean_value_musd, "eev_musd": so.eev_musd,
            "vss_musd": so.vss_musd, "seconds": round(so.seconds, 3)}


def _first_stage(so):
    """The builds every scenario shares: sources, sinks and pipes first in service in the
    periods up to ``shared_until`` (read off the first scenario's plan)."""
    import pandas as pd

    plan = next((o.plan for o in so.outcomes if o.plan is not None), None)
    cols = ["what", "id", "period", "detail"]
    if plan is None:
        return pd.DataFrame(columns=cols)
    rows = []
    s = plan.sources[(plan.sources["built_this_period"] > 0)
                     & (plan.sources["period"] <= so.shared_until)]
    rows += [("source", i, y, f"{c:g} Mt/yr of capture") for i, y, c in
             zip(s["source_id"], s["period"], s["built_capacity_mtpa"])]
    k = plan.sinks[(plan.sinks["opened_this_period"] > 0) & (plan.sinks["period"] <= so.shared_until)]
    rows += [("sink", i, y, "opened") for i, y in zip(k["sink_id"], k["period"])]
    p = plan.pipelines[(plan.pipelines["pipes_added"] > 0)
                       & (plan.pipelines["period"] <= so.shared_until)]
    rows += [("corridor", f"{a}|{b}", y, f"{n} × {c}") for a, b, y, n, c in
             zip(p["from"], p["to"], p["period"], p["pipes_added"], p["pipe_class"])]
    return pd.DataFrame(rows, columns=cols)
