"""``ccusplan report`` and ``ccusplan doctor``: a plan as one HTML page, and what this
installation can do.

Registered on the main group by :mod:`ccusplan.cli`. Thin, like the rest of the
command line: parse, call :mod:`ccusplan.report.html` and :mod:`ccusplan.doctor`, print.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from ccusplan.cli_common import fail as _fail

EXIT_SOLVER_PROBLEM = 1


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e3:,.0f} kB"


@click.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="HTML file to write (default OUTDIR/report.html).")
@click.option("--no-tiles", "no_tiles", is_flag=True,
              help="No background map tiles: the page fetches nothing at all.")
@click.pass_obj
def report(state, outdir: Path, out, no_tiles) -> None:
    """One self-contained HTML page of the results in OUTDIR (read, not solved again):
    a solve's result folder, or a sweep's folder."""
    from ccusplan.report.html import write_report

    try:
        if (outdir / "sweep.csv").is_file() and (outdir / "runs.jsonl").is_file():
            written = _sweep_report(outdir, out)
        else:
            written = write_report(outdir, out, tiles=not no_tiles)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    state.out.print(f"report written to {written} ({_size(written)})")


def _sweep_report(folder: Path, out: Path | None) -> Path:
    import json

    from ccusplan.io.results import write_file
    from ccusplan.report.sweep_html import build_sweep_report

    with open(folder / "runs.jsonl") as f:
        first = json.loads(f.readline() or "{}")
    name = str(first.get("case", folder.name)).split("#")[0]
    out = Path(out) if out is not None else folder / "report.html"
    write_file(out, build_sweep_report(folder, name).encode())
    return out


@click.command()
@click.pass_obj
def doctor(state) -> None:
    """Versions, the solvers found, and a tiny model solved with each.

    Exit status 0 when every solver found solves the tiny model to its optimum, 1 when
    one fails or none is found.
    """
    from ccusplan.doctor import TINY_OPTIMUM_MUSD, checkup

    try:
        c = checkup()
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    con = state.out
    con.print(f"ccusplan {c.versions['ccusplan']} on Python {c.python} ({c.platform})")
    con.print("libraries: " + ", ".join(f"{k} {v}" for k, v in c.versions.items()
                                        if k != "ccusplan"))
    con.print("figure fonts: DejaVu Sans" + (f" + {c.cjk_font} (Chinese names)" if c.cjk_font
              else "; no font with Chinese characters (apt install fonts-noto-cjk)"))
    con.print(f"solvers found: {', '.join(s.name for s in c.solvers) or 'none'}")
    t = Table(box=None, header_style="bold", title_justify="left",
              title=f"tiny model solved with each (optimum {TINY_OPTIMUM_MUSD:g} MUSD by hand):")
    for col in ("solver", "version", "check", "status", "MUSD", "seconds"):
        t.add_column(col, justify="right" if col in ("MUSD", "seconds") else "left")
    for s in c.solvers:
        t.add_row(s.name, s.version, "[green]works[/]" if s.ok else "[red]FAILED[/]", s.detail,
                  "—" if s.objective_musd is None else f"{s.objective_musd:,.1f}",
                  f"{s.seconds:.2f}")
    if c.solvers:
        con.print(t)
    if c.ok:
        con.print("every solver found works")
        return
    broken = [s.name for s in c.solvers if not s.ok]
    click.echo("problem: " + (f"solver(s) not working: {', '.join(broken)}" if broken else
                              "no MILP solver found (install highspy: pip install highspy)"),
               err=True)
    sys.exit(EXIT_SOLVER_PROBLEM)
