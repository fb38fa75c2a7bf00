"""Rounded cut-set rows at the sites' nodes (:func:`.formulation.define_node_cuts`): the
LP relaxation with and without them worked out by hand on a small mesh, and for validity
the optimum with them against the optimum without on random networks, one period and
three."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import draw_network_with_existing, instance_of, load_case, small_big_case
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare
from ccusplan.optimize.formulation import NODE_CUT_COLUMNS
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp


def _mesh(folder: Path) -> Path:
    """Source S (2 Mt/yr) on a triangle S–K, S–J, J–K and source B (8 Mt/yr) on a bridge
    B–K to the sink K (:func:`conftest.small_big_case`: every corridor 10 km, a small pipe
    1.0 MUSD a year, a big one 1.6). The optimum lays a small pipe S–K and a big one
    B–K: 2.6."""
    return small_big_case(folder, {"S": (0, 0, 2.0), "B": (4, 0, 8.0)}, (0.5, 0.5),
                          [("S", "K"), ("S", "J"), ("J", "K"), ("B", "K")])


@pytest.mark.parametrize("node_cuts, relaxed_musd", [
    # without: S's 2 Mt/yr ride on a fifth of a big pipe S–K (S–K is on a cycle, so only
    # the global bound, 10, caps what a pipe counts for): 0.2·1.6; B's 8 on a whole big
    # pipe (the bridge's bound, 8, caps it: 8/8 of 1.6 against 8/3 of 1.0)
    (False, 0.2 * 1.6 + 1.6),
    # with: at S each pipe counts for at most S's 2 Mt/yr, so the pipes on S's corridors
    # add up to one, the cheapest a small one (1.0); B as before; K's row (10 Mt/yr in:
    # 3 + 8 from those two) cuts nothing more: the integer optimum
    (True, 1.0 + 1.6),
])
def test_the_relaxation_of_a_mesh_by_hand(tmp_path, node_cuts, relaxed_musd):
    inst = prepare(*load_case(_mesh(tmp_path)))
    form = build(inst, node_cuts=node_cuts)
    relaxed = solve_model(to_pulp(form.lp), SolveOptions(), relax=True)
    assert relaxed.objective == pytest.approx(relaxed_musd, abs=1e-6)
    whole = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    assert whole.objective == pytest.approx(2.6, abs=1e-6)
    assert ("node_cut_source" in form.lp.row_blocks) == node_cuts


def test_only_large_models_get_them_by_default(tmp_path):
    form = build(prepare(*load_case(_mesh(tmp_path))))
    assert form.lp.n_cols < NODE_CUT_COLUMNS
    assert "node_cut_source" not in form.lp.row_blocks


_networks = st.composite(draw_network_with_existing)


@settings(max_examples=40, deadline=None)
@given(drawn=_networks(), periods=st.sampled_from([[2025], [2025, 2030, 2035]]),
       share=st.sampled_from([0.4, 0.8]))
def test_the_rows_never_change_the_optimum(drawn, periods, share):
    inst = instance_of(drawn, periods, share)
    opts = SolveOptions(mip_gap=0.0)
    cut, plain = build(inst, node_cuts=True), build(inst, node_cuts=False)
    with_rows, without = solve_model(to_pulp(cut.lp), opts), solve_model(to_pulp(plain.lp), opts)
    assert with_rows.status == without.status
    if without.objective is not None:
        assert with_rows.objective == pytest.approx(without.objective, rel=1e-7, abs=1e-6)
        # and never a weaker relaxation
        lp_with = solve_model(to_pulp(cut.lp), opts, relax=True)
        lp_without = solve_model(to_pulp(plain.lp), opts, relax=True)
        assert lp_with.objective >= lp_without.objective - 1e-6
