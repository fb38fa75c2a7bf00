"""``ccusplan compare OUTDIR_A OUTDIR_B ...``: solved plans side by side."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ccusplan.cli_common import fail as _fail


@click.command("compare")
@click.argument("outdirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--csv", "csv_path", type=click.Path(path_type=Path),
              help="Also write the comparison table to this CSV file.")
@click.pass_obj
def compare(state, outdirs: tuple[Path, ...], csv_path) -> None:
    """Compare the plans in two or more result folders of `ccusplan solve`."""
    from ccusplan.errors import InputError, Problem
    from ccusplan.io.result_folder import read_result_folder
    from ccusplan.report.plan_comparison import cheapest, compare_plans, different_targets

    try:
        if len(outdirs) < 2:
            raise InputError(Problem("command line", "give at least two result folders to "
                                     "compare", field="OUTDIRS"))
        problems, folders = [], []
        for d in outdirs:
            try:
                folders.append(read_result_folder(d))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        table = compare_plans(folders)
        if csv_path is not None:
            table.to_csv(csv_path, float_format="%.6g")
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    _print(state, table)
    best = cheapest(folders)
    if best is not None:
        i, diff = best
        names = list(table.columns)
        unit = folders[i].summary.get("objective_unit", "MUSD")
        money = unit.split(" ")[0]  # MUSD or MUSD/yr
        others = ", ".join(f"{d:,.1f} {money} less than {n}" for n, d in zip(names, diff)
                           if d == d and d > 0)
        state.out.print(f"cheapest: [bold]{names[i]}[/] ({folders[i].summary['objective_musd']:,.1f}"
                        f" {unit}{'; ' + others if others else ''})")
    if (note := different_targets(folders)) is not None:
        state.out.print(note, markup=False, highlight=False)
    if csv_path is not None:
        state.out.print(f"table written to {csv_path}")


def _print(state, table) -> None:
    t = Table(box=None, header_style="bold")
    t.add_column("")
    for name in table.columns:
        t.add_column(name, justify="right")
    last = None
    for (metric, period), row in table.iterrows():
        if period != "" and period != last:
            t.add_row(f"[bold]{period}[/]", *[""] * len(table.columns))
            last = period
        label = metric if period == "" else f"  {metric}"
        t.add_row(label, *(_cell(v) for v in row))
    state.out.print(t)


def _cell(v) -> str:
    if isinstance(v, str):
        return v
    if v is None or v != v:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"
