"""The hard time limit: a HiGHS or SCIP MIP in a child process, stopped at the deadline
with the best plan it had streamed.

The solver is given far more time than the deadline allows, so only the parent's stop can
end the solve in time; the plan it keeps must be a feasible plan of the model, its
objective at least the streamed bound.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from conftest import load_case

from ccusplan.optimize import build, prepare, scip_backend
from ccusplan.optimize.deadline import grace_s
from ccusplan.optimize.highs_backend import solve_in_child, version
from ccusplan.optimize.options import SolveOptions

CASES = Path(__file__).resolve().parents[1] / "cases"


@pytest.fixture(scope="module")
def shandong_lp():
    case, net = load_case(CASES / "shandong-2050.toml")
    return build(prepare(case, net)).lp


@pytest.fixture(scope="module")
def shandong(shandong_lp):
    return shandong_lp.arrays()


def _feasible(arr, x, tol=1e-6) -> bool:
    rows = arr["A"] @ x
    k = arr["integer"]
    return bool(np.all(x >= arr["col_lo"] - tol) and np.all(x <= arr["col_hi"] + tol)
                and np.all(rows >= arr["row_lo"] - tol) and np.all(rows <= arr["row_hi"] + tol)
                and np.allclose(x[k], np.round(x[k]), atol=tol))


@pytest.fixture(scope="module")
def southeastus_lp():
    """SimCCS's SoutheastUS 110 Mt/yr: plans within seconds, a proof of optimality only
    after minutes (benchmarks/README.md)."""
    case, net = load_case(CASES / "southeastus-110.toml")
    return build(prepare(case, net)).lp


@pytest.fixture(scope="module")
def southeastus(southeastus_lp):
    return southeastus_lp.arrays()


# The first streamed plan comes after the child starts and HiGHS's root: 5.5 s for the
# SoutheastUS MILP with two other solves on the machine's two cores; 20 s leaves room.
LIMIT_S = 20.0


def test_a_solve_past_its_deadline_is_stopped_and_keeps_its_best_plan(southeastus):
    reports = []
    t0 = time.perf_counter()
    r = solve_in_child(southeastus, southeastus["col_lo"], southeastus["col_hi"], SolveOptions(
        time_limit_s=LIMIT_S, mip_gap=0.0, threads=1, progress=reports.append,
        phase="branch and bound"), t_call=t0, version=version(), solver_time_limit_s=600.0)
    seconds = time.perf_counter() - t0
    assert seconds <= LIMIT_S + grace_s(LIMIT_S) + 1.0
    assert r.status == "feasible" and r.message == "stopped at the time limit"
    assert r.termination == "time_limit"
    assert _feasible(southeastus, r.x)
    assert r.objective == pytest.approx(float(southeastus["c"] @ r.x))
    assert r.best_bound is not None and r.best_bound <= r.objective
    assert 0 < r.mip_gap < 1
    plans = [p.incumbent for p in reports if p.incumbent is not None]
    assert plans and plans[-1] == pytest.approx(r.objective)
    assert all(a >= b - 1e-6 for a, b in zip(plans, plans[1:]))  # improving plans only


def test_a_solve_that_ends_in_time_returns_highs_own_result(shandong):
    lo, hi = shandong["col_lo"].copy(), shandong["col_hi"].copy()
    k = np.flatnonzero(shandong["integer"])
    lo[k] = hi[k] = 0.0  # nothing built: infeasible, proven at once
    r = solve_in_child(shandong, lo, hi, SolveOptions(time_limit_s=30.0, mip_gap=0.01, threads=1),
                       version=version())
    assert r.status == "infeasible" and r.termination == "infeasible"
    assert r.solve_seconds < 30.0


def test_a_script_without_a_main_guard_runs_once(tmp_path, shandong):
    """multiprocessing would have the child import the caller's script again; a script
    with no ``if __name__ == "__main__"`` guard must still run once."""
    import pickle
    import subprocess
    import sys

    model = tmp_path / "model.pkl"
    model.write_bytes(pickle.dumps(shandong))
    script = tmp_path / "plan.py"
    script.write_text(
        "import pickle, time\n"
        "from ccusplan.optimize.highs_backend import solve_in_child\n"
        "from ccusplan.optimize.options import SolveOptions\n"
        f"arr = pickle.loads(open({str(model)!r}, 'rb').read())\n"
        "print('started', flush=True)\n"
        "r = solve_in_child(arr, arr['col_lo'], arr['col_hi'],\n"
        "                   SolveOptions(time_limit_s=2.0, mip_gap=0.5, threads=1),\n"
        "                   version='highs')\n"
        "print('status', r.status, flush=True)\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("started") == 1
    assert out.stdout.count("status ") == 1


def test_a_start_is_kept_when_the_solver_finds_nothing_better_in_time(southeastus):
    """HiGHS reports only the plans it finds itself: stopped before it finds one better
    than the start, the solve returns the start."""
    c = southeastus["c"]
    lo, hi = southeastus["col_lo"].copy(), southeastus["col_hi"].copy()
    r0 = solve_in_child(southeastus, lo, hi, SolveOptions(time_limit_s=LIMIT_S, mip_gap=0.0, threads=1),
                        version=version(), solver_time_limit_s=600.0)
    assert r0.x is not None
    r = solve_in_child(southeastus, lo, hi, SolveOptions(time_limit_s=0.5, mip_gap=0.0, threads=1,
                                                     start=r0.x),
                       version=version(), solver_time_limit_s=600.0)
    assert r.status == "feasible" and r.message == "stopped at the time limit"
    assert float(c @ r.x) <= float(c @ r0.x) + 1e-6


@pytest.mark.skipif(not scip_backend.available(), reason="PySCIPOpt is not installed")
def test_scip_past_its_deadline_is_stopped_and_keeps_its_best_plan(tmp_path, southeastus_lp,
                                                                   southeastus):
    from ccusplan.optimize.deadline import run_in_child
    from ccusplan.optimize.highs_backend import write_model

    path = tmp_path / "model.mps"
    write_model(southeastus_lp, path)
    model = {"c": southeastus["c"], "mps": str(path), "names": southeastus_lp.column_names(),
             "integer": southeastus["integer"]}
    reports = []
    t0 = time.perf_counter()
    r = run_in_child(scip_backend._streaming, model, None, None,
                     SolveOptions(solver="scip", time_limit_s=LIMIT_S, mip_gap=0.0,
                                  progress=reports.append, phase="branch and bound"),
                     t_call=t0, version=scip_backend.version(), solver_time_limit_s=600.0)
    assert time.perf_counter() - t0 <= LIMIT_S + grace_s(LIMIT_S) + 1.0
    # SCIP's heuristics find a plan within seconds; its proof takes minutes
    assert r.termination == "time_limit" and r.status == "feasible"
    assert _feasible(southeastus, r.x)
    assert r.best_bound is not None and r.best_bound <= r.objective + 1e-6
    plans = [p.incumbent for p in reports if p.incumbent is not None]
    assert plans and plans[-1] == pytest.approx(r.objective)


def test_cbc_past_its_deadline_is_stopped_and_the_start_kept(tmp_path):
    """CBC writes its plans only when it ends: a CBC process still running at the deadline
    is stopped, and the start plan it was given is the plan (here a stand-in process that
    ignores its time limit)."""
    import subprocess
    import sys

    from ccusplan.optimize import cbc_backend

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    t0 = time.perf_counter()
    stopped = cbc_backend._wait(proc, SolveOptions(time_limit_s=0.5), tmp_path / "log", t0)
    assert stopped and time.perf_counter() - t0 <= 0.5 + grace_s(0.5) + 1.0
    start = np.array([1.0, 2.0])
    r = cbc_backend._result("", None, start, True, "", np.array([3.0, 4.0]), True, "cbc",
                            3.0, 0.0, proc.returncode)
    assert r.status == "feasible" and r.termination == "time_limit"
    assert r.objective == 11.0 and r.best_bound is None and np.array_equal(r.x, start)
    r = cbc_backend._result("", None, None, True, "", np.array([3.0, 4.0]), True, "cbc",
                            3.0, 0.0, proc.returncode)
    assert r.status == "no_solution" and r.termination == "time_limit_no_plan"


def test_cbc_ending_without_a_plan_of_its_own_keeps_the_start():
    """CBC may end on its clock with no plan, having refused the start by its own
    tolerances: the start is still a plan of the model, with the bound of CBC's log."""
    from ccusplan.optimize import cbc_backend

    head = "Stopped on time (no integer solution - continuous used) - objective value 7.0"
    start = np.array([1.0, 2.0])
    r = cbc_backend._result(head, np.zeros(2), start, False, "Lower bound:  9.5\n",
                            np.array([3.0, 4.0]), True, "cbc", 60.0, 0.0, 0)
    assert r.status == "feasible" and r.termination == "time_limit"
    assert r.objective == 11.0 and r.best_bound == 9.5 and np.array_equal(r.x, start)
    r = cbc_backend._result(head, np.zeros(2), None, False, "", np.array([3.0, 4.0]), True,
                            "cbc", 60.0, 0.0, 0)
    assert r.status == "no_solution" and r.termination == "time_limit_no_plan"


@pytest.fixture(scope="module")
def southeastus_good(southeastus):
    """SoutheastUS 110 Mt/yr's best plan after 10 s (HiGHS, one thread)."""
    r = solve_in_child(southeastus, southeastus["col_lo"], southeastus["col_hi"],
                       SolveOptions(time_limit_s=10.0, mip_gap=0.0, threads=1),
                       version=version(), solver_time_limit_s=600.0)
    assert r.x is not None
    return r


def test_a_plan_improved_by_the_parent_is_taken_by_highs(southeastus, southeastus_good):
    """A plan in the child's queue is handed to HiGHS as a user solution, and HiGHS ends on
    it or a cheaper one (its own result, before the parent compares plans). Given 1 s and
    no start, HiGHS has the 10-second plan from its first call for user solutions, after
    its set-up."""
    import queue

    from ccusplan.optimize.highs_backend import _streaming

    class Sent(list):
        def send(self, message):
            self.append(message)

        def close(self):
            pass

    good = southeastus_good
    lo, hi = southeastus["col_lo"], southeastus["col_hi"]
    inbox = queue.Queue()
    inbox.put(good.x)
    sent = Sent()
    _streaming(sent, southeastus, lo, hi, SolveOptions(time_limit_s=1.0, mip_gap=0.0, threads=1),
               version(), inbox)
    assert inbox.empty()
    kind, result = sent[-1]
    assert kind == "done" and result.objective <= good.objective + 1e-6 * abs(good.objective)
    assert _feasible(southeastus, result.x)


def test_the_parent_improves_plans_and_hands_them_back(southeastus, southeastus_good):
    """The improver runs in the parent, from the start on, until it is idle: here it turns
    any plan dearer than the 10-second plan into that plan, once. Started from a plan with
    an idle pipe added, the solve ends on the 10-second plan or a cheaper one, however
    little time HiGHS had to find its own."""
    c = southeastus["c"]
    lo, hi = southeastus["col_lo"], southeastus["col_hi"]
    good = southeastus_good
    spoilt = good.x.copy()
    k = np.flatnonzero(southeastus["integer"] & (good.x < 0.5) & (c > 0))[0]
    spoilt[k] = 1.0  # one more asset, used by nothing: dearer, still a plan
    assert _feasible(southeastus, spoilt) and float(c @ spoilt) > good.objective

    class Once:
        steps = []

        def idle(self, x):
            return bool(self.steps)

        def step(self, x, seconds, stop=None):
            self.steps.append(float(c @ x))
            return good.x if float(c @ good.x) < float(c @ x) else None

    once = Once()
    r = solve_in_child(southeastus, lo, hi, SolveOptions(time_limit_s=1.0, mip_gap=0.0,
                                                         threads=1, start=spoilt,
                                                         improve=once),
                       version=version(), solver_time_limit_s=600.0)
    assert once.steps == [pytest.approx(float(c @ spoilt))]
    assert r.x is not None and r.objective <= good.objective + 1e-6 * abs(good.objective)
    assert _feasible(southeastus, r.x)


def test_a_solve_told_to_stop_ends_at_once_with_its_start(southeastus, southeastus_good):
    """Once ``stop`` is set, the child is stopped however much time it has left, and its
    best plan (here the start) is kept."""
    import threading

    stop = threading.Event()
    stop.set()
    t0 = time.perf_counter()
    r = solve_in_child(southeastus, southeastus["col_lo"], southeastus["col_hi"],
                       SolveOptions(time_limit_s=600.0, mip_gap=0.0, threads=1,
                                    start=southeastus_good.x, stop=stop), version=version())
    assert time.perf_counter() - t0 < 10.0
    assert r.status == "feasible" and r.termination == "interrupted"
    assert r.message == "stopped: the search it served has ended"
    assert r.objective == pytest.approx(southeastus_good.objective)


def test_the_improver_hears_when_the_search_it_serves_ends(southeastus, southeastus_good):
    """An improver step still running when the child ends is told so (its ``stop`` is
    set), so the solve does not wait out the step: here a step that would wait 60 s."""
    heard = []

    class Waiting:
        def idle(self, x):
            return bool(heard)

        def step(self, x, seconds, stop=None):
            heard.append(stop.wait(60.0))
            return None

    t0 = time.perf_counter()
    r = solve_in_child(southeastus, southeastus["col_lo"], southeastus["col_hi"],
                       SolveOptions(time_limit_s=600.0, mip_gap=0.05, threads=1,
                                    start=southeastus_good.x, improve=Waiting()),
                       version=version())
    assert heard == [True]
    assert time.perf_counter() - t0 < 30.0
    assert r.status == "optimal" and r.mip_gap <= 0.05


def _bound_then_wait(conn, arr, lo, hi, opts, version, inbox=None):
    """A stand-in child: streams one bound (in ``opts.seed``'s place, as a fraction of a
    million) and then searches for a minute without a word."""
    conn.send(("bound", opts.seed / 1e6))
    time.sleep(60.0)


def test_a_plan_improved_within_the_gap_of_the_streamed_bound_ends_the_solve(
        southeastus, southeastus_good):
    """The parent needs no word from the child once a plan it improved is within the gap
    of the child's last bound: the solve ends at once, optimal, with that plan and bound
    (the stand-in child would wait a minute). The start, dearer, was outside the gap."""
    from ccusplan.optimize.deadline import run_in_child

    c = southeastus["c"]
    good = southeastus_good
    spoilt = good.x.copy()
    k = np.flatnonzero(southeastus["integer"] & (good.x < 0.5) & (c > 0))[0]
    spoilt[k] = 1.0
    extra = float(c @ spoilt) - good.objective
    bound = good.objective - 0.5 * extra  # good: 0.5·extra above it, spoilt: 1.5·extra
    gap = extra / good.objective  # between the two plans' gaps

    class Once:
        done = False

        def idle(self, x):
            return self.done

        def step(self, x, seconds, stop=None):
            time.sleep(1.0)  # the bound arrives first
            self.done = True
            return good.x

    t0 = time.perf_counter()
    r = run_in_child(_bound_then_wait, southeastus, southeastus["col_lo"], southeastus["col_hi"],
                     SolveOptions(time_limit_s=120.0, mip_gap=gap, seed=round(bound * 1e6),
                                  start=spoilt, improve=Once()), t_call=t0, version="test")
    assert time.perf_counter() - t0 < 20.0
    assert r.status == "optimal" and r.termination == "gap_reached"
    assert r.objective == pytest.approx(good.objective)
    assert r.best_bound == pytest.approx(bound, abs=1e-5) and r.mip_gap <= gap
