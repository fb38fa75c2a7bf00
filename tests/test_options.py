"""Solve options: one object from the case's ``[solver]`` table and the caller's overrides,
handed to every solver."""

from __future__ import annotations

import pytest
from conftest import NO_DISCOUNT, hand_network, load_case, write_case, write_network

from ccusplan.optimize import RunOptions, SolveOptions, run


def _hand(tmp_path, **solver):
    write_network(tmp_path / "net", **hand_network())
    return load_case(write_case(tmp_path / "hand.toml", "net", [2025], target=[8.0],
                                finance=NO_DISCOUNT, solver=solver))


def test_overrides_win_over_options_and_options_over_the_case(tmp_path):
    case, _ = _hand(tmp_path, name="cbc", time_limit_s=45, mip_gap=0.02, threads=2, seed=4,
                    polish=False)
    base = RunOptions.of_case(case.solver)
    assert (base.solver, base.time_limit_s, base.mip_gap, base.threads, base.seed,
            base.polish, base.warm_start) == ("cbc", 45, 0.02, 2, 4, False, True)
    opts = RunOptions.of_case(case.solver, SolveOptions(solver="highs", mip_gap=0.0),
                              mip_gap=0.5, threads=None)
    # None keeps what came before; the options' fields over the case's; overrides last
    assert (opts.solver, opts.mip_gap, opts.threads, opts.time_limit_s) == ("highs", 0.5, 2, 45)


def test_an_unknown_option_is_refused(tmp_path):
    case, net = _hand(tmp_path)
    with pytest.raises(TypeError, match="unknown solve options: time_limit"):
        run(case, net, time_limit=5)


def test_a_step_of_a_run_keeps_the_solver_options_and_drops_the_switches():
    opts = RunOptions(solver="scip", time_limit_s=60, mip_gap=0.01, threads=1, seed=3,
                      polish=False)
    step = opts.but(time_limit_s=6.0)
    assert type(step) is SolveOptions
    assert (step.solver, step.time_limit_s, step.mip_gap, step.threads, step.seed) == \
        ("scip", 6.0, 0.01, 1, 3)
    assert opts.time_limit_s == 60  # unchanged


@pytest.mark.parametrize("seed", [0, 11])
def test_every_solver_reaches_the_hand_optimum_with_any_seed(tmp_path, solver, seed):
    """The hand network's optimum, 124 MUSD (tests/test_milp_hand.py), whatever the
    solver's random seed."""
    case, net = _hand(tmp_path, mip_gap=0.0)
    out = run(case, net, solver=solver, seed=seed, threads=1)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(124.0, rel=1e-6)
