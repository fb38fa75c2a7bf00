"""Live progress of a solve: the optimize layer's progress callable (phases, elapsed time,
incumbent, bound, gap) with HiGHS and CBC, CBC's log lines, the live line ``ccusplan
solve`` draws on a terminal (and nothing extra when stderr is not one), and the last
guard that keeps tracebacks from users without ``--debug``.

Every test runs without a terminal: the progress hook is a plain list's ``append``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

import ccusplan.cli
from ccusplan.cli import _State, cli, main
from ccusplan.cli_progress import ProgressLine
from ccusplan.optimize import run
from ccusplan.optimize.progress import PHASES, CbcLogWatcher, Progress
from conftest import FREE_SINK, hand_network, load_case, write_case, write_network

#: The small model (10 sources) closes this gap in a few seconds with HiGHS and CBC alike.
GAP = 0.05


def random_case(folder: Path, n_sources: int, seed: int = 3) -> Path:
    """A small seeded three-period build-out whose MILP takes branch and bound a moment:
    ``n_sources`` sources with fixed capture costs, four sinks, generated corridors."""
    rng = np.random.default_rng(seed)
    sources = [{"id": f"S{i}", "lon": 117 + rng.uniform(0, 2), "lat": 36 + rng.uniform(0, 1.5),
                "capacity_mtpa": float(rng.uniform(0.5, 4)),
                "capture_cost_usd_per_t": float(rng.uniform(20, 60)),
                "capture_capex_musd": float(rng.uniform(20, 80)),
                "capture_fixed_om_musd_per_yr": 0} for i in range(n_sources)]
    sinks = [{"id": f"K{k}", "lon": 117 + rng.uniform(0, 2), "lat": 36 + rng.uniform(0, 1.5),
              "capacity_mt": 300, "max_injection_mtpa": 15, **FREE_SINK,
              "storage_cost_usd_per_t": 5, "storage_capex_musd": 30} for k in range(4)]
    write_network(folder / "net", sources, sinks,
                  pipe_classes=[{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 0.6},
                                {"name": "big", "capacity_mtpa": 12, "capex_musd_per_unit": 1.2}])
    return write_case(folder / "random.toml", "net", [2025, 2030, 2035], target=[4, 10, 20],
                      period_years=5, finance={"crf": 0.1, "discount_rate": 0.05})


@pytest.fixture(scope="module")
def small_case(tmp_path_factory):
    return load_case(random_case(tmp_path_factory.mktemp("random"), 10))


@pytest.fixture(scope="module")
def harder_case(tmp_path_factory):
    """Still branching after 3 s with no gap allowed, with either solver."""
    return load_case(random_case(tmp_path_factory.mktemp("random14"), 14))


def test_progress_reports_every_phase_with_increasing_times_and_the_final_gap(small_case,
                                                                              solver):
    reports: list[Progress] = []
    out = run(*small_case, solver=solver, mip_gap=GAP, time_limit_s=60, progress=reports.append)
    assert out.result.status == "optimal"

    elapsed = [p.elapsed_s for p in reports]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0
    assert elapsed[-1] <= out.result.solve_seconds + 0.5
    phases = [p.phase for p in reports]
    assert set(phases) <= set(PHASES)
    # the warm start's LP relaxation, its restricted MILP, then the MILP, in that order
    first = {ph: phases.index(ph) for ph in ("LP relaxation", "warm start", "branch and bound")}
    assert first["LP relaxation"] < first["warm start"] < first["branch and bound"]
    assert phases.count("done") == 1 and phases[-1] == "done"

    done = reports[-1]
    assert done.gap is not None and done.gap <= GAP
    assert done.gap == pytest.approx(out.result.mip_gap)
    assert done.incumbent == pytest.approx(out.result.objective)
    assert done.bound == pytest.approx(out.result.best_bound)
    # the LP relaxation's result is a valid bound: never above the plan found
    lp = [p for p in reports if p.phase == "LP relaxation" and p.bound is not None]
    assert lp and lp[-1].bound <= out.result.objective + 1e-6
    for p in reports:
        if p.incumbent is not None and p.bound is not None and p.phase != "warm start":
            assert p.gap == pytest.approx(abs(p.incumbent - p.bound) / abs(p.incumbent))


def test_highs_reports_incumbent_and_bound_while_branching(harder_case):
    """With no gap allowed and a 3 s limit HiGHS is still branching when stopped: its
    callbacks report the incumbent and a rising bound while it runs, not only at the end."""
    reports: list[Progress] = []
    out = run(*harder_case, solver="highs", mip_gap=0.0, time_limit_s=3, progress=reports.append)
    bb = [p for p in reports if p.phase == "branch and bound"]
    final = bb[-1]
    during = [p for p in bb[:-1] if p.incumbent is not None and p.bound is not None]
    assert during, [(p.elapsed_s, p.incumbent, p.bound) for p in bb]
    assert all(p.elapsed_s < final.elapsed_s for p in during)
    assert all(p.bound <= p.incumbent + 1e-6 for p in during)
    assert out.result.objective is not None


def test_cbc_reports_elapsed_time_while_it_runs(harder_case):
    """CBC runs as a subprocess: a watcher thread reports (at least) the elapsed time
    every half second while it branches."""
    reports: list[Progress] = []
    run(*harder_case, solver="cbc", mip_gap=0.0, time_limit_s=3, progress=reports.append)
    bb = [p for p in reports if p.phase == "branch and bound"]
    assert len(bb) >= 3
    ticks = np.diff([p.elapsed_s for p in bb[:-1]])
    assert (ticks > 0).all() and (ticks < 1.5).all()


def test_cbc_log_lines_give_the_incumbent_and_the_bound():
    w = CbcLogWatcher(Path("unused.log"), "branch and bound", print, 0.0)
    w.read("Cbc0012I Integer solution of 150.5 found by DiveCoefficient after 9 iterations\n")
    assert (w._incumbent, w._bound) == (150.5, None)
    w.read("Cbc0010I After 100 nodes, 7 on tree, 140 best solution, best possible 126.5 "
           "(0.31 seconds)\n"
           "Cbc0010I After 200 nodes, 3 on tree, 1e+50 best solution, best possible 127 "
           "(0.52 seconds)\n")
    assert (w._incumbent, w._bound) == (140.0, 127.0)  # 1e+50 is CBC's "none yet"


# ------------------------------------------------------------------ the live line

def test_the_live_line_shows_phase_incumbent_bound_and_gap():
    line = ProgressLine(Console(file=io.StringIO()), "case (highs)", enabled=True)
    assert line.text().plain.startswith("case (highs) · building the model · ")
    line.update(Progress("branch and bound", 12.0, 14392.9, 14249.3, 0.00998))
    text = line.text().plain
    assert "branch and bound" in text
    assert "incumbent 14,392.9 · bound 14,249.3 · gap 1.00%" in text


def test_the_live_line_draws_on_a_terminal(tmp_path):
    buf = io.StringIO()
    term = Console(file=buf, force_terminal=True, width=160)
    case = write_case(tmp_path / "hand.toml", write_network(tmp_path / "net", **hand_network()),
                      [2025], target=[8], finance={"crf": 0.1, "discount_rate": 0.0})
    with ProgressLine(term, "hand (highs)", enabled=True) as progress:
        assert progress is not None
        run(*load_case(case), solver="highs", progress=progress)
    assert "hand (highs)" in buf.getvalue()


def test_the_live_line_is_off_when_disabled():
    with ProgressLine(Console(file=io.StringIO()), "x", enabled=False) as progress:
        assert progress is None


def test_solve_prints_nothing_extra_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_network(tmp_path / "net", **hand_network())
    case = write_case(tmp_path / "hand.toml", "net", [2025], target=[8],
                      finance={"crf": 0.1, "discount_rate": 0.0})
    r = CliRunner().invoke(cli, ["solve", str(case), "--out", "res"], obj=_State())
    assert r.exit_code == 0, r.output
    assert r.stderr == ""  # no progress line, no spinner frames in a log
    for phase in PHASES[:3]:
        assert phase not in r.stdout


# ------------------------------------------------------------------ no traceback

def _main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["ccusplan", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code, capsys.readouterr().err


def test_an_error_outside_a_commands_handling_never_shows_a_traceback(tmp_path, monkeypatch,
                                                                      capsys):
    """Printing the summary happens after a command's own error handling: the entry point's
    guard turns anything raised there into a message (exit 3); --debug shows the traceback."""
    monkeypatch.chdir(tmp_path)
    write_network(tmp_path / "net", **hand_network())
    case = write_case(tmp_path / "hand.toml", "net", [2025], target=[8],
                      finance={"crf": 0.1, "discount_rate": 0.0})

    def broken(*a, **k):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(ccusplan.cli, "_print_summary", broken)
    code, err = _main(monkeypatch, capsys, "solve", str(case), "--out", "res")
    assert code == 3
    assert "internal error: RuntimeError: the printer caught fire" in err
    assert "Traceback" not in err
    monkeypatch.setattr(sys, "argv", ["ccusplan", "--debug", "solve", str(case), "--out", "res"])
    with pytest.raises(RuntimeError, match="printer caught fire"):
        main()


def test_cbc_hand_over_is_counted_outside_its_clock():
    """CBC reads the model and writes the solution outside its own clock; the difference
    to CBC's own wall-clock time (the last line of its log) is what a later solve's budget
    must leave for it, so the time limit holds for the whole run."""
    from ccusplan.optimize.cbc_backend import _outside_solver_clock

    log = ("Result - Optimal solution found\n\nObjective value:  124.0\n"
           "Total time (CPU seconds):       0.41   (Wallclock seconds):       0.45\n")
    assert _outside_solver_clock(log, 3.2) == pytest.approx(2.75)
    assert _outside_solver_clock("no timing line", 3.2) == 0.0
