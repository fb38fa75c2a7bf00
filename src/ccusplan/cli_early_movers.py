"""``ccusplan early-movers``: a network's cheapest first tonnes, source by source, with
their sinks (:mod:`ccusplan.early_movers`). Registered on the main group by
:mod:`ccusplan.cli`."""

from __future__ import annotations

from pathlib import Path

import click

from ccusplan.cli_common import fail as _fail

#: Rows printed (the whole list is in early_movers.csv).
SHOWN = 15


@click.command("early-movers")
@click.argument("case_path", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--mtpa", type=click.FloatRange(min=0, min_open=True), default=50.0,
              show_default=True, help="Mt/yr of capture to list.")
@click.option("--year", type=int,
              help="Sources and sinks available by this year (default: the first period).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder for early_movers.csv and early_movers.png "
                   "(default: outputs/<case>-early-movers/).")
@click.pass_obj
def early_movers(state, case_path: Path, mtpa: float, year, out) -> None:
    """The cheapest sources of CASE's network until --mtpa Mt/yr, each piped on its own
    to the sink that stores its CO2 cheapest: capture, transport and storage USD/t, as a
    table and a map."""
    from ccusplan.early_movers import early_movers as list_movers
    from ccusplan.errors import InputError
    from ccusplan.io import load
    from ccusplan.io.results import check_out_dir, write_file
    from ccusplan.report.early_movers_map import plot_early_movers

    try:
        case, net = load(case_path)
        out = Path(out or Path("outputs") / f"{case.name}-early-movers")
        if (problem := check_out_dir(out, marker="early_movers.csv")) is not None:
            raise InputError(problem)
        movers = list_movers(case, net, mtpa, year)
        png = plot_early_movers(case.name, net, movers)
        out.mkdir(parents=True, exist_ok=True)
        write_file(out / "early_movers.csv",
                   movers.table.round(4).to_csv(index=False, lineterminator="\n").encode())
        write_file(out / "early_movers.png", png)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    t = movers.table
    say = state.out.print
    say(f"{case.name}: the cheapest {movers.reached_mtpa:,.1f} Mt/yr from {len(t)} of "
        f"{movers.candidates:,} sources available by {movers.year}, each piped to its cheapest "
        "sink (USD/t):")
    if len(t):
        shown = t.head(SHOWN)
        say(f"{'':>4} {'source':<18} {'kind':<17} {'Mt/yr':>6} {'sink':<18} {'km':>6} "
            f"{'capture':>8} {'transport':>9} {'storage':>8} {'total':>7}")
        for _, r in shown.iterrows():
            say(f"{r['rank']:>4} {str(r['source_id'])[:18]:<18} {r['kind']:<17} "
                f"{r['mtpa']:>6.2f} {str(r['sink_id'])[:18]:<18} {r['distance_km']:>6.0f} "
                f"{r['capture_usd_per_t']:>8.2f} {r['transport_usd_per_t']:>9.2f} "
                f"{r['storage_usd_per_t']:>8.2f} {r['total_usd_per_t']:>7.2f}")
        if len(t) > SHOWN:
            say(f"  … {len(t) - SHOWN} more in early_movers.csv")
        kinds = t.groupby("kind")["mtpa"].sum().sort_values(ascending=False)
        say("by kind (Mt/yr): " + ", ".join(f"{k} {v:,.1f}" for k, v in kinds.items())
            + f"; USD/t {t['total_usd_per_t'].min():.2f} to {t['total_usd_per_t'].max():.2f}")
    if movers.reached_mtpa < mtpa - 1e-9:
        say(f"only {movers.reached_mtpa:,.1f} of {mtpa:g} Mt/yr: no more sources, or no sink "
            f"with room, available by {movers.year} (--year a later one)")
    say(f"written to {out}/ (early_movers.csv, early_movers.png)")
