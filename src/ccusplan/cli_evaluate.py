"""``ccusplan evaluate``: solved plans under other cases, and their regret.

Registered on the main group by :mod:`ccusplan.cli`. Parse, call
:mod:`ccusplan.uncertainty.evaluate`, print and write the table.
"""

from __future__ import annotations

from pathlib import Path

import click

from ccusplan.cli_common import fail as _fail

COLUMNS = ("plan", "scenario", "status", "cost_musd", "own_optimum_musd", "own_gap",
           "regret_musd", "shortfall_mt", "shortfall_musd", "stranded_capture_mtpa",
           "stranded_pipe_km", "idle_sinks", "fixed_until")


@click.command()
@click.argument("plans", metavar="PLAN_DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--case", "case_path", type=click.Path(path_type=Path),
              help="Evaluate under this case (its own optimum is solved for the regret).")
@click.option("--sweep", "sweep_dir", type=click.Path(path_type=Path),
              help="Evaluate under every solved sample of this sweep folder.")
@click.option("--fix-until", "until", type=int,
              help="Fix the plans' builds up to this year only (default: every period).")
@click.option("--shortfall-usd-per-t", "penalty", type=click.FloatRange(min=0),
              default=None, help="Price of a tonne short of a target "
              "[default: 200, ccusplan.uncertainty.evaluate.SHORTFALL_USD_PER_T].")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True),
              help="Seconds per evaluation (default: the case's).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Table to write (default: evaluation.csv in the sweep folder, else "
                   "outputs/evaluation.csv); regret.csv, plans × scenarios, beside it.")
@click.pass_obj
def evaluate(state, plans, case_path, sweep_dir, until, penalty, time_limit, out) -> None:
    """Fix the build decisions of solved PLAN_DIRs, re-optimise the rest under another
    case (--case) or every sample of a sweep (--sweep), and tabulate cost, regret,
    shortfall and stranded capacity."""
    import pandas as pd

    from ccusplan.errors import InputError, Problem, display_path
    from ccusplan.uncertainty.evaluate import SHORTFALL_USD_PER_T

    penalty = SHORTFALL_USD_PER_T if penalty is None else penalty
    try:
        if (case_path is None) == (sweep_dir is None):
            raise InputError(Problem("command line", "give one of --case and --sweep",
                                     field="--case"))
        from ccusplan.io.result_folder import read_result_folder

        read = {plan: read_result_folder(plan) for plan in plans}   # once per plan
        scenarios = _scenarios(case_path, sweep_dir, time_limit)
        rows = [_row(plan, read[plan], name, case, net, own, own_gap, until, penalty,
                     time_limit)
                for name, case, net, own, own_gap in scenarios for plan in plans]
        table = pd.DataFrame(rows, columns=COLUMNS)
        out = Path(out or (Path(sweep_dir) / "evaluation.csv" if sweep_dir
                           else Path("outputs") / "evaluation.csv"))
        out.parent.mkdir(parents=True, exist_ok=True)
        from ccusplan.io.results import write_file

        write_file(out, table.to_csv(index=False).encode())
        regret = table.pivot(index="plan", columns="scenario", values="regret_musd")
        regret = regret.reindex(index=list(dict.fromkeys(table["plan"])),
                                columns=list(dict.fromkeys(table["scenario"])))
        write_file(out.with_name("regret.csv"), regret.to_csv().encode())
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    con = state.out
    if case_path is not None:
        for r in table.itertuples():
            con.print(f"{r.plan} under {r.scenario}: {r.status}, cost {_m(r.cost_musd)} MUSD, "
                      f"own optimum {_m(r.own_optimum_musd)}, regret {_m(r.regret_musd)}; "
                      f"short {r.shortfall_mt:,.2f} Mt ({_m(r.shortfall_musd)} MUSD at "
                      f"{penalty:g} USD/t); stranded {r.stranded_capture_mtpa:,.2f} Mt/yr "
                      f"of capture, {r.stranded_pipe_km:,.0f} km of pipe, "
                      f"{r.idle_sinks} idle sink(s)", highlight=False)
    else:
        for plan, g in table.groupby("plan", sort=False):
            reg = g["regret_musd"].dropna()
            con.print(f"{plan}: over {len(g)} samples, regret mean {_m(reg.mean())}, "
                      f"P90 {_m(reg.quantile(0.9))}, max {_m(reg.max())} MUSD; short in "
                      f"{int((g['shortfall_mt'] > 1e-3).sum())}", highlight=False)
    con.print(f"written to {display_path(out)} and {display_path(out.with_name('regret.csv'))} "
              "(plans × scenarios)")


def _m(v) -> str:
    return "—" if v is None or v != v else f"{v:,.1f}"


def _scenarios(case_path, sweep_dir, time_limit):
    """(name, case, network, own optimum, its gap) per scenario."""
    from ccusplan.io import load
    from ccusplan.optimize import run

    if case_path is not None:
        case, net = load(case_path)
        own = run(case, net, **({"time_limit_s": time_limit} if time_limit else {})).result
        return [(case.name, case, net, own.objective, own.mip_gap)]
    from ccusplan.bench.results import ResultsTable
    from ccusplan.errors import InputError, Problem, display_path
    from ccusplan.uncertainty.samples import apply

    runs = Path(sweep_dir) / "runs.jsonl"
    if not runs.is_file():
        raise InputError(Problem(display_path(sweep_dir), "no runs.jsonl: not a sweep folder "
                                 "(`ccusplan sweep` writes one)"))
    rows = [r for r in ResultsTable(runs).rows() if r.get("sample") is not None]
    rows.sort(key=lambda r: r["sample"]["index"])
    case, net = load(rows[0]["case_path"]) if rows else (None, None)
    return [(f"sample {r['sample']['index']}", *apply(case, net, r["sample"]),
             r.get("objective_musd"), r.get("mip_gap")) for r in rows]


def _row(plan, result, name, case, net, own, own_gap, until, penalty, time_limit) -> dict:
    from ccusplan.uncertainty.evaluate import evaluate as evaluate_plan

    e = evaluate_plan(case, net, result, until, penalty, time_limit)
    cost = e.cost_musd
    return {"plan": str(plan), "scenario": name, "status": str(e.outcome.result.status),
            "cost_musd": cost, "own_optimum_musd": own, "own_gap": own_gap,
            "regret_musd": None if cost is None or own is None else cost - own,
            "shortfall_mt": round(e.shortfall_mt, 6), "shortfall_musd": e.shortfall_musd,
            "stranded_capture_mtpa": round(e.stranded_capture_mtpa, 6),
            "stranded_pipe_km": round(e.stranded_pipe_km, 3), "idle_sinks": e.idle_sinks,
            "fixed_until": e.fixed_until}
