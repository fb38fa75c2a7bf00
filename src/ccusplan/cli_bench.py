"""``ccusplan generate`` and ``ccusplan bench``: synthetic networks and batch benchmarks.

Registered on the main group by :mod:`ccusplan.cli`. Thin, like the rest of the
command line: parse, call :mod:`ccusplan.generate` and :mod:`ccusplan.bench`, print.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ccusplan.cli_common import fail as _fail

EXIT_INTERRUPTED = 130


# ------------------------------------------------------------------ generate

@click.command()
@click.option("--sources", type=click.IntRange(min=1), required=True, help="Capture sites.")
@click.option("--sinks", type=click.IntRange(min=1), required=True, help="Storage sinks.")
@click.option("--junctions", type=click.IntRange(min=0), default=0, show_default=True,
              help="Hubs between industrial centres and basins.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="The same seed and sizes always give the same network.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Network folder to write, e.g. networks/NAME (NAME names the case).")
@click.option("--case", "case_path", type=click.Path(path_type=Path),
              help="Case file to write (default: next to the folder, NAME.toml).")
@click.option("--force", is_flag=True, help="Replace an existing network and case file.")
@click.pass_obj
def generate(state, sources, sinks, junctions, seed, out, case_path, force) -> None:
    """A synthetic network of any size and its matching case (deterministic per seed)."""
    from ccusplan.generate.casefile import GenerateSpec, write_generated
    from ccusplan.io import load

    try:
        written = write_generated(GenerateSpec(sources, sinks, junctions, seed), out,
                                  case_path, force=force)
        case, net = load(written)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    cap = net.sources["capacity_mtpa"].sum()
    inj = net.sinks["max_injection_mtpa"].sum()
    kinds = net.sources["kind"].value_counts()
    def count(n: int, what: str) -> str:
        return f"{n:,} {what}{'' if n == 1 else 's'}"

    state.out.print(f"wrote {out}/: {count(len(net.sources), 'source')} ({cap:,.1f} Mt/yr; "
                    + ", ".join(f"{k} {v:,}" for k, v in kinds.items()) + f"), "
                    f"{count(len(net.sinks), 'sink')} ({inj:,.1f} Mt/yr), "
                    f"{count(len(net.junctions), 'junction')}")
    target = ", ".join(f"{y} {t:g}" for y, t in zip(case.horizon.periods, case.target.mtpa))
    state.out.print(f"case {written}: target Mt/yr {target}")


# ------------------------------------------------------------------ bench

class _SuiteGroup(click.Group):
    """``ccusplan bench SUITE ...`` is ``ccusplan bench run SUITE ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_SuiteGroup)
def bench() -> None:
    """Batch benchmarks: `ccusplan bench SUITE` runs a suite, `bench report` summarises."""


def backend_options(what: str):
    """``--workers``, ``--scheduler`` and ``--dask-local``: where ``what`` run."""
    def wrap(f):
        f = click.option("--dask-local", "dask_local", type=click.IntRange(min=1), metavar="N",
                         help="Start a local Dask cluster of N single-threaded workers and "
                              "run on it.")(f)
        f = click.option("--scheduler", metavar="ADDRESS",
                         help="Run on this Dask scheduler's workers, e.g. "
                              "tcp://10.0.0.5:8786.")(f)
        return click.option("--workers", type=click.IntRange(min=1), default=1,
                            show_default=True,
                            help=f"{what} at a time on this machine (each in its own "
                                 "process).")(f)
    return wrap


def check_backend(workers: int, scheduler: str | None, dask_local: int | None) -> None:
    """More than one of ``--workers``, ``--scheduler`` and ``--dask-local`` is bad input."""
    from ccusplan.errors import InputError, Problem

    chosen = [f for f, v in (("--scheduler", scheduler), ("--dask-local", dask_local),
                             ("--workers", workers != 1)) if v]
    if len(chosen) > 1:
        raise InputError(Problem("command line", f"give one of --workers, --scheduler and "
                                 f"--dask-local, not {' and '.join(chosen)}", field=chosen[1]))


@bench.command("run")
@click.argument("suite", type=click.Path(path_type=Path))
@backend_options("Runs")
@click.option("--results", type=click.Path(path_type=Path),
              help="Results table (JSONL; default: the suite's `results`).")
@click.option("--exclusive", is_flag=True,
              help="First wait for the machine-wide benchmark lock (shared with "
                   "benchmarks/*.py), so no other benchmark times on these cores.")
@click.pass_obj
def bench_run(state, suite: Path, workers, scheduler, dask_local, results, exclusive) -> None:
    """Run SUITE: every case × solver × setting × repeat not yet in its results table."""
    from ccusplan.bench.batch import run_batch
    from ccusplan.bench.results import ResultsTable
    from ccusplan.bench.suite import load_suite
    from ccusplan.errors import display_path

    try:
        check_backend(workers, scheduler, dask_local)
        s = load_suite(suite)
        table = ResultsTable(results or s.results)
        with _machine_lock(state, exclusive):
            progress = shown_batch(state, s, table.path, _backend(workers, scheduler, dask_local),
                                   lambda backend, start, row: run_batch(s, backend, table,
                                                                          start, row))
    except KeyboardInterrupt:
        click.echo("interrupted: every finished run is in the results table; run the same "
                   "command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    done = ", ".join(f"{k} {v}" for k, v in sorted(progress.statuses.items())) or "nothing to do"
    state.out.print(f"{s.name}: {progress.done} run(s) in {_duration(progress.seconds)} "
                    f"({done}); {progress.skipped} already done; results in "
                    f"{display_path(table.path)}")


def shown_batch(state, suite, results: Path, backend, run):
    """``run(backend, on_start, on_row)`` behind the progress view; the backend is closed
    whatever happens."""
    try:
        view = _ProgressView(state, suite, results, backend.where)
        with view:
            return run(backend, view.start, view.row)
    finally:
        backend.close()


def _backend(workers: int, scheduler: str | None, dask_local: int | None):
    if scheduler or dask_local:
        from ccusplan.bench.dask_backend import DaskBackend

        return DaskBackend(scheduler, dask_local)
    from ccusplan.bench.local import LocalBackend

    return LocalBackend(workers)


def _machine_lock(state, exclusive: bool):
    import contextlib

    from ccusplan.bench.machine import MACHINE_LOCK, file_lock

    if not exclusive:
        return contextlib.nullcontext()
    return file_lock(MACHINE_LOCK, on_wait=lambda pid: state.err.print(
        f"waiting for the benchmark lock {MACHINE_LOCK} (held by process {pid}) ..."))


def _duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s} s")


class _ProgressView:
    """A progress bar (runs done, running, left) and one line per finished run."""

    def __init__(self, state, suite, results: Path, where: str):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.state, self.suite, self.results, self.where = state, suite, results, where
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                            console=state.err, disable=state.quiet, transient=True)
        self.task = None

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    @staticmethod
    def _counts(p) -> str:
        return f"{p.done}/{p.to_run} done, {p.running} running, {p.left} left"

    def start(self, p) -> None:
        from ccusplan.errors import display_path

        self.bar.console.print(f"{self.suite.name}: {p.total} runs, {p.skipped} already in "
                               f"{display_path(self.results)}, {p.to_run} to run on {self.where}")
        self.task = self.bar.add_task(self.suite.name, total=max(p.to_run, 1),
                                      counts=self._counts(p))

    def row(self, p, r: dict) -> None:
        self.bar.update(self.task, completed=p.done, counts=self._counts(p))
        obj = "" if r["objective_musd"] is None else f" {r['objective_musd']:,.1f} MUSD"
        gap = "" if r["mip_gap"] is None else f", gap {r['mip_gap']:.2%}"
        wall = "" if r["wall_seconds"] is None else f" ({r['wall_seconds']:.1f} s)"
        note = f" — {r['message'].splitlines()[0]}" if r["status"] in (
            "error", "killed", "timeout") and r["message"] else ""
        self.bar.console.print(f"  {r['status']:<11} {r['case']} {r['solver']} "
                               f"{r['time_limit_s']:g}s gap {r['mip_gap_target']:g} threads "
                               f"{r['threads']} #{r['repeat']}:{obj}{gap}{wall}{note}",
                               highlight=False)


@bench.command("report")
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder for the summary and figures (default: the results' folder).")
@click.option("--metric", type=click.Choice(["solve", "total", "wall"]), default="solve",
              show_default=True, help="Time of the performance profile: solver, build + "
                                      "solve, or the run's wall time.")
@click.pass_obj
def bench_report(state, results: Path, out, metric) -> None:
    """Summarise RESULTS: markdown per case × solver, performance profile, scaling chart."""
    from ccusplan.bench.report import write_report
    from ccusplan.errors import InputError, Problem, display_path

    try:
        if not results.is_file():
            raise InputError(Problem(display_path(results), "results table not found: "
                                     "expected the JSONL file `ccusplan bench` writes"))
        written = write_report(results, out or results.parent, metric)
    except ValueError as exc:
        _fail(state, InputError(Problem(display_path(results), str(exc))))
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    state.out.print(written["markdown"].read_text(), markup=False, highlight=False)
    state.out.print("written: " + ", ".join(str(p) for p in written.values()))
