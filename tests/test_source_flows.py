"""Each source's own flow near it (:mod:`.source_flows`): the LP relaxation with and
without it worked out by hand on a small network, and for validity the optimum with it
against the optimum without on random networks, one period and three, with every site
free and with a plan's sites fixed. The bound it gives polishing: tests/test_cut_sets.py."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import draw_network_with_existing, instance_of, load_case, spur_and_loop
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.source_flows import SourceFlows


@pytest.mark.parametrize("hops, relaxed_musd", [
    # without: the spur's bound (2) makes its pipe a whole small one (1.0); on the loop
    # only the global bound (10) caps a pipe, so S's 2 Mt/yr ride on a fifth of a big
    # pipe (0.32) and B's 8 on eight tenths of one (1.28)
    (0, 1.0 + 0.32 + 1.28),
    # one hop: B's own flow leaves B on pipes each counted for at most its 8 Mt/yr, so a
    # whole big pipe (1.6); S's flow is followed only on its spur, as before
    (1, 1.0 + 0.32 + 1.6),
    # two hops: S's flow, followed past J too, leaves J on pipes each counted for at most
    # its 2 Mt/yr, so a whole small pipe (1.0): the integer optimum
    (2, 1.0 + 1.0 + 1.6),
])
def test_the_relaxation_by_hand(tmp_path, hops, relaxed_musd):
    inst = prepare(*load_case(spur_and_loop(tmp_path)))
    form = build(inst, source_flows=SourceFlows(hops) if hops else None)
    relaxed = solve_model(to_pulp(form.lp), SolveOptions(), relax=True)
    assert relaxed.objective == pytest.approx(relaxed_musd, abs=1e-6)
    whole = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    assert whole.objective == pytest.approx(3.6, abs=1e-6)
    # the columns of the model without come first, unchanged
    plain = build(inst)
    assert form.lp.blocks["capture"].tolist() == plain.lp.blocks["capture"].tolist()
    assert form.flows(whole.x).shape == plain.flows(whole.x[:plain.lp.n_cols]).shape


_networks = st.composite(draw_network_with_existing)


@settings(max_examples=30, deadline=None)
@given(drawn=_networks(), periods=st.sampled_from([[2025], [2025, 2030, 2035]]),
       share=st.sampled_from([0.4, 0.8]), hops=st.sampled_from([1, 2, 3]))
def test_they_never_change_the_optimum(drawn, periods, share, hops):
    inst = instance_of(drawn, periods, share)
    opts = SolveOptions(mip_gap=0.0)
    plain = build(inst)
    without = solve_model(to_pulp(plain.lp), opts)
    extended = build(inst, source_flows=SourceFlows(hops))
    with_flows = solve_model(to_pulp(extended.lp), opts)
    assert with_flows.status == without.status
    if without.objective is None:
        return
    assert with_flows.objective == pytest.approx(without.objective, rel=1e-7, abs=1e-6)
    assert solve_model(to_pulp(extended.lp), opts, relax=True).objective >= \
        solve_model(to_pulp(plain.lp), opts, relax=True).objective - 1e-6
    # the optimum's sites fixed, each source followed for what it captures there: the
    # transport optimum for those sites unchanged
    sites = plain.site_columns()
    # (to the solver's tolerance: held as they come, a sink's 3.00000007 Mt/yr would need a
    # pipe larger than a 3-Mt/yr one)
    fixed = np.round(without.x[sites], 6)
    capture = np.round(without.x[plain.lp.blocks["capture"]], 6)
    for form in (plain, build(inst, source_flows=SourceFlows(hops, capture))):
        arr = form.lp.arrays()
        lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
        lo[sites] = hi[sites] = fixed
        again = solve_model(to_pulp(form.lp), opts, col_lo=lo, col_hi=hi)
        assert again.objective == pytest.approx(without.objective, rel=1e-7, abs=1e-6)
