"""The ``ccusplan`` command. Thin: parses, calls the layers, prints.

Exit status: 0 a plan was found; 1 infeasible or no solution (with a diagnosis);
2 bad input (a message naming file, row and field; nothing written).
Without ``--debug`` no traceback reaches the user.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

import ccusplan
from ccusplan.cli_common import EXIT_INTERNAL, EXIT_NO_PLAN
from ccusplan.cli_common import State as _State
from ccusplan.cli_common import fail as _fail
from ccusplan.cli_common import message as _message
from ccusplan.cli_common import pipeline_basis as _pipeline_basis
from ccusplan.cli_routes import straight_candidates_note
from ccusplan.errors import InputError, Problem

CURVE_FLOWS_MTPA = [0.25, 0.5, 1, 2, 5, 10, 20, 40]


def _check_solver(case_path: Path, case_solver: str, override: str | None) -> None:
    """An unknown or missing solver is bad input naming where the name came from."""
    from ccusplan.errors import display_path
    from ccusplan.optimize.pulp_backend import SolverUnavailable, pulp_name

    name = override or case_solver
    try:
        pulp_name(name)
    except SolverUnavailable as exc:
        where = (Problem("command line", str(exc), field="--solver") if override else
                 Problem(display_path(case_path), str(exc), field="solver.name"))
        raise InputError(where) from None


def _load(case_path: Path, solver: str | None = None, check_solver: bool = True):
    """The case and its network, with the solver's name checked too: every problem at
    once (a bad network does not hide a bad solver name)."""
    from ccusplan.io import load, load_case

    problems: list[Problem] = []
    c = net = None
    try:
        c, net = load(case_path)
    except InputError as exc:
        problems += exc.problems
        try:  # the network's problems: the case itself may still name a bad solver
            c = load_case(case_path)
        except InputError:
            pass  # the case's own problems, already listed
    if check_solver and (solver is not None or c is not None):
        try:
            _check_solver(case_path, None if c is None else c.solver.name, solver)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return c, net


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(ccusplan.__version__, prog_name="ccusplan")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Plan CO2 capture, transport and storage (CCUS) build-out with MILP."""
    state = ctx.ensure_object(_State)
    state.debug, state.quiet = debug, quiet


@cli.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.pass_obj
def validate(state: _State, case: Path) -> None:
    """Check CASE and its network; report every problem found, and whether the targets
    can be met at all (the checks ``solve`` explains an infeasible case with)."""
    from ccusplan.optimize import prepare
    from ccusplan.optimize.diagnose import precheck

    try:
        c, net = _load(case)
        inst = prepare(c, net)
        reasons = precheck(inst)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    corridors = "generated" if net.corridors is None else f"{len(net.corridors)} given"
    ports = len(net.ports)
    leased = ", ".join(f"{int((inst.cor_mode == m).sum())} {m}" for m in ("ship", "truck", "rail")
                       if (inst.cor_mode == m).any())
    summary = (f"case '{c.name}' ({c.case.mode} mode, {len(c.horizon.periods)} period(s)); "
               f"network '{net.name}': {len(net.sources)} sources, {len(net.sinks)} sinks, "
               f"{len(net.junctions)} junctions" + (f" ({ports} ports)" if ports else "")
               + f", corridors {corridors}" + (f"; {leased} corridors" if leased else ""))
    if reasons:
        state.out.print(f"{case}: the input is valid, but no plan can meet the targets — "
                        f"{summary}")
        for reason in reasons:
            _message(f"  - {reason}")
        _print_notes(state, c, net)
        sys.exit(EXIT_NO_PLAN)
    state.out.print(f"{case}: valid — {summary}")
    _print_notes(state, c, net)


def _print_notes(state: _State, case, net) -> None:
    """What in the input is valid but probably not meant, one ``note:`` line each."""
    for note in net.notes:
        state.out.print(f"note: {note}", markup=False, highlight=False)
    if (note := straight_candidates_note(case, net)) is not None:
        state.out.print(note)


@cli.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--solver", help="highs (default), scip, cbc, or any solver PuLP knows.")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True),
              help="Seconds; the best plan found is kept.")
@click.option("--mip-gap", "mip_gap", type=click.FloatRange(0, 1), help="Relative gap to stop at.")
@click.option("--threads", type=click.IntRange(min=1), help="Solver threads.")
@click.option("--seed", type=click.IntRange(min=0),
              help="The solver's random seed (default: the case's, else the solver's own).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Result folder (default outputs/<case name>/).")
@click.option("--solver-log", is_flag=True, help="Show the solver's own log.")
@click.option("--report", "with_report", is_flag=True,
              help="Also write report.html (as `ccusplan report` does).")
@click.option("--write-model", "model_file", type=click.Path(path_type=Path),
              help="Only write the model to this MPS (or .lp) file, for another solver.")
@click.option("--solution", "solution_file", type=click.Path(path_type=Path),
              help="Do not solve: read another solver's solution of the --write-model file "
                   "(CPLEX or Gurobi .sol, HiGHS's or SCIP's solution file).")
@click.pass_obj
def solve(state: _State, case: Path, solver, time_limit, mip_gap, threads, seed, out,
          solver_log, with_report, model_file, solution_file) -> None:
    """Solve CASE and write the plan (summary.json, plan_*.csv, network.geojson, timeline)."""
    from ccusplan.cli_progress import ProgressLine
    from ccusplan.io.results import check_out_dir, write_results
    from ccusplan.optimize import RunOptions, from_solution, run, write_model
    from ccusplan.optimize.outputs import Results
    from ccusplan.report.figures import result_figures

    err = state.err
    try:
        if model_file is not None and solution_file is not None:
            raise InputError(Problem("command line", "--write-model and --solution exclude "
                                     "each other: write the model, solve it, then read the "
                                     "solution back", field="--solution"))
        c, net = _load(case, solver, check_solver=model_file is None)
        if model_file is not None:
            form = write_model(c, net, model_file)
            arr = form.lp.arrays()
            state.out.print(f"model of {c.name} written to {model_file}: "
                            f"{form.lp.n_cols:,} columns ({int(arr['integer'].sum()):,} "
                            f"integer), {form.lp.n_rows:,} rows, objective in MUSD with no "
                            "constant; read a solution back with --solution FILE")
            return
        out = out or Path("outputs") / c.name
        if (problem := check_out_dir(out)) is not None:
            raise InputError(problem)
        _print_notes(state, c, net)
        live = err.is_terminal and not state.quiet and not solver_log
        if solution_file is not None:
            outcome = from_solution(c, net, solution_file)
        else:
            with ProgressLine(err, f"{c.name} ({solver or c.solver.name})", live) as progress:
                outcome = run(c, net, RunOptions(
                    solver=solver, time_limit_s=time_limit, mip_gap=mip_gap, threads=threads,
                    seed=seed, msg=solver_log, progress=progress))
        results = Results.of(outcome)
        s = results.summary
        write_results(out, s, results.tables, results.geojson, result_figures(results))
        if with_report:
            from ccusplan.report.html import write_report

            write_report(out)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    _print_summary(state.out, s, outcome)
    if s["status"] in ("infeasible", "no_solution"):
        for reason in outcome.diagnosis or ["the solver found no plan within its limits"]:
            _message(f"  - {reason}")
        state.out.print(f"results written to {out}/")
        sys.exit(EXIT_NO_PLAN)
    state.out.print(f"results written to {out}/ ({', '.join(_files(results.tables))}"
                    + (", report.html)" if with_report else ")"))


# ------------------------------------------------------------------ import

@cli.group("import")
def import_() -> None:
    """Convert other tools' scenarios into ccusplan networks and cases."""


@import_.command("simccs")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Network folder to write, e.g. networks/NAME.")
@click.option("--case", "case_path", type=click.Path(path_type=Path),
              help="Case file to write (default cases/<NAME>.toml).")
@click.option("--target", type=click.FloatRange(min=0),
              help="Capture target, Mt/yr (SimCCS's cap mode; default 15, as in SimCCS).")
@click.option("--price", is_flag=True, help="SimCCS's price mode: no target.")
@click.option("--tax-credit", "tax_credit", type=float,
              help="Price mode: SimCCS's Tax/Credit, USD/t added to every capture cost "
                   "(a credit is negative; default 0).")
@click.option("--crf", type=click.FloatRange(0, 1, min_open=True), default=0.1,
              show_default=True, help="Capital recovery factor.")
@click.option("--project-years", "project_years", type=click.FloatRange(min=0, min_open=True),
              default=30.0, show_default=True,
              help="Project length: each sink injects at most its capacity / this per year.")
@click.option("--raster", type=click.Path(path_type=Path),
              help="Cost raster header (default: the dataset's "
                   "BaseData/CostNetwork/Construction Costs.txt).")
@click.option("--cap-trends-at-target", "cap_trends", is_flag=True,
              help="As SimCCS's earlier writers (2019, the Gateway): every cost trend's "
                   "capacity at most the target.")
@click.option("--diameters", is_flag=True,
              help="Pipe classes from the legacy diameter table (Transport/Transport.txt, "
                   "4\" to 42\") instead of Linear.txt's cost trends.")
@click.option("--force", is_flag=True, help="Replace an existing network and case file.")
@click.pass_obj
def import_simccs(state: _State, scenario: Path, out: Path, case_path, target, price,
                  tax_credit, crf, project_years, raster, cap_trends, diameters, force) -> None:
    """Convert the SimCCS scenario folder SCENARIO into a network and a case."""
    from ccusplan.io.simccs import DEFAULT_TARGET_MTPA, ImportOptions, import_scenario

    try:
        if price and target is not None:
            raise InputError(Problem("command line", "give either --target or --price, not both",
                                     field="--price"))
        if tax_credit is not None and not price:
            raise InputError(Problem("command line", "--tax-credit is SimCCS's price-mode value; "
                                     "give --price too", field="--tax-credit"))
        case_path = case_path or Path("cases") / f"{out.name}.toml"
        options = ImportOptions(
            mode="price" if price else "target",
            target_mtpa=DEFAULT_TARGET_MTPA if target is None else target,
            tax_credit_usd_per_t=tax_credit or 0.0, crf=crf, project_years=project_years,
            raster=raster, cap_trends_at_target=cap_trends, diameters=diameters)
        report = import_scenario(scenario, out, case_path, options, force=force)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    _print_import(state.out, scenario, out, report, options)


def _print_import(console: Console, scenario: Path, out: Path, report, options) -> None:
    net = report.network
    routes = int(net.corridors["capacity_mtpa"].isna().sum())
    links = len(net.corridors) - routes
    classes = ", ".join(f"{n} ≤ {q:g} Mt/yr" for n, q in
                        zip(net.pipe_classes["name"], net.pipe_classes["capacity_mtpa"]))

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    console.print(f"imported SimCCS scenario {scenario.name} into {out}/: "
                  f"{count(len(net.sources), 'source')}, {count(len(net.sinks), 'sink')}, "
                  f"{count(len(net.junctions), 'junction')}, {count(routes, 'corridor')} along "
                  "SimCCS's cell routes"
                  + (f" (+ {count(links, 'zero-cost link')} for terminals sharing a cell)"
                     if links else "")
                  + f"; pipe classes {classes}")
    what = (f"target {options.target_mtpa:g} Mt/yr" if options.mode == "target" else
            f"price mode, tax/credit {options.tax_credit_usd_per_t:g} USD/t")
    console.print(f"case {report.case_path}: {what}; crf {options.crf:g}, project "
                  f"{options.project_years:g} years; one period of one year (MUSD/yr), "
                  + ("any number of pipes" if options.diameters else "at most one pipe")
                  + " per corridor, gap 1e-4")
    if report.notes:
        console.print("not reproduced term for term (also noted in the case file):")
        for note in report.notes:
            console.print(f"  - {note}")


# ------------------------------------------------------------------ costs

@cli.group()
def costs() -> None:
    """Engineering cost tools: size a pipeline, draw cost curves."""


_CASE_OPTION = click.option("--case", type=click.Path(path_type=Path),
                            help="Take [pipeline] and [finance] from this case file.")


@costs.command("pipeline")
@click.option("--mtpa", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Flow, Mt/yr.")
@click.option("--km", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Length, km.")
@click.option("--max-boosters", type=click.IntRange(min=0), help="Most intermediate boosters.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_CASE_OPTION
@click.pass_obj
def costs_pipeline(state: _State, mtpa, km, max_boosters, as_json, case) -> None:
    """The cheapest standard size for a flow over a length, with its hydraulics and costs."""
    import json

    from ccusplan.costs.pipeline import NoStandardSize, size_pipeline

    try:
        spec, crf = _pipeline_basis(case)
        try:
            r = size_pipeline(mtpa, km, spec, crf, max_boosters=max_boosters)
        except NoStandardSize as exc:  # the flow asked for is the user's input
            raise InputError(Problem("command line", str(exc), field="--mtpa")) from None
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    if as_json:
        click.echo(json.dumps(r))
        return
    rows = [("nominal size", f'{r["nominal_diameter_in"]}"'),
            ("inner diameter", f'{r["inner_diameter_m"]:.3f} m'),
            ("velocity", f'{r["velocity_m_s"]:.2f} m/s'),
            ("CO2 density", f'{r["density_kg_m3"]:.0f} kg/m3'),
            ("pressure drop", f'{r["pressure_drop_mpa"]:.2f} MPa'),
            ("boosters", str(r["boosters"])),
            ("capital cost", f'{r["capex_musd"]:,.1f} MUSD ({spec.cost_year} USD, {spec.region})'),
            ("O&M incl. energy", f'{r["om_musd_per_yr"]:,.2f} MUSD/yr'),
            ("levelised", f'{r["levelized_usd_per_t"]:,.2f} USD/t')]
    t = Table(box=None, show_header=False, title=f"{mtpa:g} Mt/yr over {km:g} km")
    for k, v in rows:
        t.add_row(k, v)
    state.out.print(t)


@costs.command("curve")
@click.option("--km", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Length, km.")
@click.option("--plot", type=click.Path(path_type=Path), help="Also draw the curves to this PNG.")
@_CASE_OPTION
@click.pass_obj
def costs_curve(state: _State, km, plot, case) -> None:
    """Levelised pipeline cost (USD/t) against flow for each size, over KM km."""
    from ccusplan.costs.pipeline import levelized_cost_curve

    try:
        spec, crf = _pipeline_basis(case)
        curve = levelized_cost_curve(km, spec, crf)
        if plot is not None:
            from ccusplan.report.curves import plot_cost_curve

            plot_cost_curve(curve, plot, f"CO2 pipeline, {km:g} km ({spec.cost_year} USD)")
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    shown = levelized_cost_curve(km, spec, crf, flows=CURVE_FLOWS_MTPA).T  # sizes × flows
    t = Table(box=None, header_style="bold",
              title=f"levelised USD/t over {km:g} km (· = above the velocity limit)")
    t.add_column("size \\ Mt/yr")
    for q in shown.columns:
        t.add_column(f"{q:g}", justify="right")
    for name, row in shown.iterrows():
        t.add_row(name, *("·" if v != v else f"{v:.1f}" for v in row))
    t.add_row("[bold]cheapest[/]", *(f"[bold]{shown[q].idxmin()}[/]" for q in shown.columns))
    state.out.print(t)
    if plot is not None:
        state.out.print(f"plot written to {plot}")


def _files(tables: dict) -> tuple[str, ...]:
    """The result files written: every solve's, and plan_ports.csv where there are ports."""
    from ccusplan.io.results import RESULT_FILES

    return RESULT_FILES + (("plan_ports.csv",) if "plan_ports.csv" in tables else ())


def _print_summary(console: Console, s: dict, outcome) -> None:
    def num(v, fmt="{:,.1f}"):
        return "—" if v is None else fmt.format(v)

    unit = "MUSD/yr" if s["objective_unit"] == "MUSD/yr" else "MUSD NPV"
    console.print(f"[bold]{s['case']}[/]: {s['status']} "
                  f"(objective {num(s['objective_musd'])} {unit}, "
                  f"bound {num(s['best_bound_musd'])}, gap {num(s['mip_gap'], '{:.2%}')}; "
                  f"{s['solver']})")
    console.print(f"model: {s['n_variables']:,} variables ({s['n_binaries']:,} integer), "
                  f"{s['n_constraints']:,} constraints; build {s['build_seconds']:.2f} s, "
                  f"solve {s['solve_seconds']:.2f} s")
    if s.get("transport_musd") is not None:
        console.print(f"transport design polished for the chosen sites: "
                      f"{num(s['transport_musd_before_polish'], '{:,.2f}')} → "
                      f"{num(s['transport_musd'], '{:,.2f}')} {unit}, bound "
                      f"{num(s['transport_bound_musd'], '{:,.2f}')}, transport gap "
                      f"{num(s['transport_gap'], '{:.2%}')} ({s['polish_seconds']:.1f} s)")
    if (late := outcome.overrun_note) is not None:
        console.print(f"note: {late}")
    if (r := s.get("reduction")) is not None:
        console.print(f"reduction: {r['sources_before']:,} sources → {r['sources_after']:,} "
                      f"({r['sources_in_hubs']:,} merged into {r['hubs']:,} hubs), corridors "
                      f"{r['corridors_before']:,} → {r['corridors_after']:,} "
                      f"({r['corridors_pruned']:,} pruned); capture capacity "
                      f"{r['capacity_mtpa_before']:,.1f} → {r['capacity_mtpa_after']:,.1f} Mt/yr")
    plan = outcome.plan
    if plan is None:
        return
    t = Table(box=None, header_style="bold")
    for col in ("period", "target Mt/yr", "stored Mt/yr", "sources", "sinks", "new pipe km"):
        t.add_column(col, justify="right")
    p = plan.pipelines
    for i, y in enumerate(outcome.instance.years):
        src = plan.sources[(plan.sources["period"] == y) & (plan.sources["equipped"] > 0)]
        snk = plan.sinks[(plan.sinks["period"] == y) & (plan.sinks["open"] > 0)]
        km = (p.loc[p["period"] == y, "pipes_added"] * p.loc[p["period"] == y, "length_km"]).sum()
        tgt = outcome.instance.target_mtpa[i] if outcome.instance.mode == "target" else None
        t.add_row(str(y), num(tgt), num(plan.stored_mtpa[i]), str(len(src)), str(len(snk)),
                  num(km, "{:,.0f}"))
    console.print(t)
    parts = s["objective_musd_by_part"]
    annual = unit == "MUSD/yr"
    label = "Cost by part (MUSD/yr)" if annual else "NPV by part (MUSD)"
    money = (lambda v: f"{v:,.1f}") if annual else (lambda v: f"{v:,.0f}")  # noqa: E731
    console.print(f"{label}: capture {money(parts['capture'])}, transport "
                  f"{money(parts['transport'])}, storage {money(parts['storage'])}"
                  + (f", revenue {money(parts['revenue'])}" if parts["revenue"] else "")
                  + f"; levelised {num(s['levelized_cost_usd_per_t'], '{:,.2f}')} USD/t stored, "
                  f"{num(s['levelized_cost_usd_per_t_avoided'], '{:,.2f}')} USD/t avoided; "
                  f"{s['pipeline_km']:,.0f} km of new pipe")


def _register() -> None:
    """Commands defined in their own modules."""
    from ccusplan.cli_bench import bench, generate
    from ccusplan.cli_compare import compare
    from ccusplan.cli_report import doctor, report
    from ccusplan.cli_routes import routes
    from ccusplan.cli_early_movers import early_movers
    from ccusplan.cli_evaluate import evaluate
    from ccusplan.cli_stochastic import stochastic
    from ccusplan.cli_sweep import sweep

    cli.add_command(generate)
    cli.add_command(bench)
    cli.add_command(report)
    cli.add_command(doctor)
    cli.add_command(routes)
    cli.add_command(compare)
    cli.add_command(early_movers)
    cli.add_command(sweep)
    cli.add_command(evaluate)
    cli.add_command(stochastic)


_register()


def main() -> None:
    """The ``ccusplan`` entry point: no traceback reaches the user without ``--debug``,
    whatever goes wrong outside a command's own error handling (click turns Ctrl-C
    into "Aborted!")."""
    state = _State()
    try:
        cli(obj=state)
    except Exception as exc:  # noqa: BLE001 - the last guard before a traceback
        if state.debug:
            raise
        _message(f"internal error: {type(exc).__name__}: {exc}\n"
                 "(run `ccusplan --debug ...` for the traceback and report it)")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
