"""Multi-period behaviour planners rely on, on tiny networks solved by hand.

In the style of tests/test_milp_hand.py: every test runs with each installed solver
(HiGHS and CBC must agree), ``crf = 0.1``, and objectives are worked out on paper in
the docstring. With discounting, ``W(a, b)`` is the sum of the discount factors of
years ``a .. b-1`` counted from the first period's start (``W(0, 5)`` is the first
five-year period), the weight every per-year cost of a period is multiplied by.

Covered elsewhere and not repeated here (tests/test_milp_hand.py): building late
is cheaper than building early; one big pipe early against a small one looped later
flips with the discount rate; an existing line is looped when full; a source runs
only from its available year (single switch); integer wells.
"""

from __future__ import annotations

import pytest

from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network
from ccusplan.optimize import run

NO_DISCOUNT = {"crf": 0.1, "discount_rate": 0.0}


def W(a: int, b: int, rate: float) -> float:
    """Discounted years a .. b-1 (years counted from the first period's start)."""
    return sum((1.0 + rate) ** -k for k in range(a, b))


def _solve(tmp_path, solver, network_kw, periods, target=None, period_years=1,
           finance=NO_DISCOUNT, **case_kw):
    write_network(tmp_path / "net", **network_kw)
    case = write_case(tmp_path / "case.toml", "net", periods,
                      target=None if target is None else list(target),
                      period_years=period_years, finance=finance, **case_kw)
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal", out.result
    return out


def _by(table, key: str, column: str) -> dict:
    """{(id, period): value} of one plan table column."""
    return {(k, int(p)): v for k, p, v in zip(table[key], table["period"], table[column])}


def test_assets_persist_and_keep_paying_when_idle(tmp_path, solver):
    """Targets 4, 0, 4 Mt/yr in three one-year periods. Source S (capex 100 MUSD), a
    50 km pipe (1 MUSD/km) and sink K (capex 20 MUSD) are needed in 2025, so all are
    built then. Nothing is needed in 2026, but what is built stays in service (an
    asset is never removed and built again), so its annuity keeps being paid:
    0.1·(100 + 50 + 20) = 17 MUSD/yr for all three years = 51 MUSD (34 if the assets
    could be dropped for 2026). Capture and storage are free per tonne."""
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 5,
                  **FREE_SOURCE, "capture_capex_musd": 100}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_capex_musd": 20}],
        corridors=[{"from": "S", "to": "K", "length_km": 50}],
        pipe_classes=[{"name": "p", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0}],
    ), periods=[2025, 2026, 2027], target=[4, 0, 4])
    assert out.result.objective == pytest.approx(51.0, abs=1e-6)
    src, snk, pipes = out.plan.sources, out.plan.sinks, out.plan.pipelines
    assert src["equipped"].tolist() == [1, 1, 1]
    assert src["built_this_period"].tolist() == [1, 0, 0]
    assert src["captured_mtpa"].tolist() == pytest.approx([4, 0, 4])
    assert snk["open"].tolist() == [1, 1, 1] and snk["opened_this_period"].tolist() == [1, 0, 0]
    assert pipes["pipes"].tolist() == [1, 1, 1] and pipes["pipes_added"].tolist() == [1, 0, 0]
    assert pipes["capex_musd"].tolist() == pytest.approx([50, 0, 0])
    assert out.plan.npv_musd == pytest.approx(
        {"capture": 30, "transport": 15, "storage": 6, "revenue": 0})
    assert out.plan.npv_musd_by_period["capture"].tolist() == pytest.approx([10, 10, 10])


@pytest.mark.parametrize("rate", [0.0, 0.10])
def test_a_pipe_is_looped_in_the_period_it_is_needed(tmp_path, solver, rate):
    """One 100 km corridor; targets 2, 4, 8 Mt/yr over three five-year periods.
    Classes: small 5 Mt/yr at 1.0 MUSD/km, big 10 Mt/yr at 1.45 MUSD/km; crf 0.1.
    With W1 = W(0,5), W2 = W(5,10), W3 = W(10,15):

    * big from 2025:                       14.5 (W1 + W2 + W3)
    * small from 2025, looped in 2035:     10 (W1 + W2 + W3) + 10 W3
    * small from 2025, looped in 2030:     10 (W1 + W2 + W3) + 10 (W2 + W3)
    * small from 2025, big added in 2035:  10 (W1 + W2 + W3) + 14.5 W3

    Undiscounted 217.5, 200, 250, 222.5; at 10 %/yr 121.32, 99.74, 125.64, 106.98. The
    second pipe is laid in 2035, when 8 Mt/yr first exceeds one small pipe — not
    earlier — and the first is never removed.
    """
    w1, w2, w3 = W(0, 5, rate), W(5, 10, rate), W(10, 15, rate)
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 100}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0},
                      {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.45}],
    ), periods=[2025, 2030, 2035], target=[2, 4, 8], period_years=5,
        finance={"crf": 0.1, "discount_rate": rate})
    assert out.result.objective == pytest.approx(10 * (w1 + w2 + w3) + 10 * w3, abs=1e-6)
    p = out.plan.pipelines
    assert set(p["pipe_class"]) == {"small"}
    assert p.set_index("period")["pipes"].to_dict() == {2025: 1, 2030: 1, 2035: 2}
    assert p.set_index("period")["pipes_added"].to_dict() == {2025: 1, 2030: 0, 2035: 1}
    assert p.set_index("period")["flow_mtpa"].tolist() == pytest.approx([2, 4, 8])
    assert out.plan.npv_musd_by_period["transport"].tolist() == pytest.approx(
        [10 * w1, 10 * w2, 20 * w3])


def test_cumulative_capacity_fills_the_cheap_sink_first_and_opens_the_next_in_time(
        tmp_path, solver):
    """Periods 2025, 2030, 2040 (5, 10 and 5 years long), 4 Mt/yr each; 10 %/yr.
    Sink A (1 $/t) holds 30 Mt; sink B (2 $/t, 10 MUSD to open) is unlimited; free
    source and pipes. A tonne in A instead of B saves 1 $/t, worth more the earlier it
    is saved, so A takes all it can as early as it can: 4 Mt/yr in 2025 (20 Mt), then
    the 10 Mt left spread over 2030's 10 years (1 Mt/yr) — full at 30 Mt, never beyond.
    B must open in 2030 (A cannot take 4 Mt/yr for 10 more years) and takes 3, then 4.
    With W1 = W(0,5), W2 = W(5,15), W3 = W(15,20):
    cost = 4·1·W1 + (1·1 + 3·2)·W2 + 4·2·W3 + 0.1·10·(W2 + W3).
    (Keeping A's last 10 Mt for 2040 instead would cost W2 − 2·W3 ≈ 2.20 MUSD more.)
    """
    r = 0.10
    w1, w2, w3 = W(0, 5, r), W(5, 15, r), W(15, 20, r)
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE}],
        sinks=[{"id": "A", "lon": 1, "lat": 0, "capacity_mt": 30, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 1},
               {"id": "B", "lon": 1, "lat": 1, "capacity_mt": 1e6, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 2, "storage_capex_musd": 10}],
        corridors=[{"from": "S", "to": "A", "length_km": 10},
                   {"from": "S", "to": "B", "length_km": 10}],
        pipe_classes=[{"name": "free", "capacity_mtpa": 10, "capex_musd_per_unit": 0}],
    ), periods=[2025, 2030, 2040], target=[4, 4, 4], period_years=5,
        finance={"crf": 0.1, "discount_rate": r})
    expected = 4 * w1 + 7 * w2 + 8 * w3 + 1.0 * (w2 + w3)
    assert out.result.objective == pytest.approx(expected, abs=1e-6)
    snk = out.plan.sinks
    assert _by(snk, "sink_id", "injected_mtpa") == pytest.approx(
        {("A", 2025): 4, ("A", 2030): 1, ("A", 2040): 0,
         ("B", 2025): 0, ("B", 2030): 3, ("B", 2040): 4})
    assert _by(snk, "sink_id", "cumulative_mt") == pytest.approx(
        {("A", 2025): 20, ("A", 2030): 30, ("A", 2040): 30,
         ("B", 2025): 0, ("B", 2030): 30, ("B", 2040): 50})
    assert (snk["cumulative_mt"] <= snk["capacity_mt"] + 1e-6).all()
    assert _by(snk, "sink_id", "opened_this_period") == {
        ("A", 2025): 1, ("A", 2030): 0, ("A", 2040): 0,
        ("B", 2025): 0, ("B", 2030): 1, ("B", 2040): 0}
    assert _by(snk, "sink_id", "capex_musd")[("B", 2030)] == pytest.approx(10)


def test_sources_and_sinks_run_only_from_their_available_year(tmp_path, solver):
    """Two one-year periods, 4 Mt/yr each, no discounting. Source S1 captures at 30 $/t
    with 5 MUSD/yr fixed O&M; S2 at 10 $/t with 100 MUSD capex (10/yr) exists only from
    2026. Sink K1 (3 $/t) is always there; K2 (1 $/t, 20 MUSD capex → 2/yr) only from 2026.
    Free pipes.

    2025: only S1 and K1 can run: 4·30 + 5 + 4·3 = 137.
    2026: S1 stays equipped and keeps paying its O&M (5); capturing there costs 120 more,
    equipping S2 10 + 40 = 50 — switch. Storing in K2 costs 2 + 4 = 6 against 12 in
    K1 — switch. 2026 = 5 + 50 + 6 = 61. Objective 198 MUSD.
    """
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "S1", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 30, "capture_fixed_om_musd_per_yr": 5},
                 {"id": "S2", "lon": 0, "lat": 1, "capacity_mtpa": 5, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10, "capture_capex_musd": 100,
                  "available_from": 2026}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 3},
               {"id": "K2", "lon": 1, "lat": 1, "capacity_mt": 1000, "max_injection_mtpa": 10,
                **FREE_SINK, "storage_cost_usd_per_t": 1, "storage_capex_musd": 20,
                "available_from": 2026}],
        junctions=[{"id": "J", "lon": 0.5, "lat": 0.5}],
        corridors=[{"from": n, "to": "J", "length_km": 10} for n in ("S1", "S2", "K1", "K2")],
        pipe_classes=[{"name": "free", "capacity_mtpa": 10, "capex_musd_per_unit": 0}],
    ), periods=[2025, 2026], target=[4, 4])
    assert out.result.objective == pytest.approx(198.0, abs=1e-6)
    src, snk = out.plan.sources, out.plan.sinks
    assert _by(src, "source_id", "captured_mtpa") == pytest.approx(
        {("S1", 2025): 4, ("S1", 2026): 0, ("S2", 2025): 0, ("S2", 2026): 4})
    assert _by(src, "source_id", "equipped") == {
        ("S1", 2025): 1, ("S1", 2026): 1, ("S2", 2025): 0, ("S2", 2026): 1}
    assert _by(snk, "sink_id", "injected_mtpa") == pytest.approx(
        {("K1", 2025): 4, ("K1", 2026): 0, ("K2", 2025): 0, ("K2", 2026): 4})
    assert _by(snk, "sink_id", "opened_this_period")[("K2", 2026)] == 1
    assert out.plan.npv_musd_by_period["capture"].tolist() == pytest.approx([125, 55])
    assert out.plan.npv_musd_by_period["storage"].tolist() == pytest.approx([12, 6])


def test_a_later_asset_costs_its_discounted_annuities_only(tmp_path, solver):
    """Spending later is cheaper: the same source (capex 100 MUSD, crf 0.1 → 10/yr) is
    needed from 2025 in one case and from 2035 in the other (targets 0 before), over
    three five-year periods at 8 %/yr; free pipe and sink. Its NPV is 10·W(0,15) = 92.44
    when built in 2025 and 10·W(10,15) = 20.01 when built in 2035: the ratio is
    W(10,15)/W(0,15), the discount factor of ten years weighted over the service years.
    """
    r = 0.08
    costs = {}
    for first, target in ((2025, [2, 2, 2]), (2035, [0, 0, 2])):
        out = _solve(tmp_path / str(first), solver, dict(
            sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 5,
                      **FREE_SOURCE, "capture_capex_musd": 100}],
            sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000,
                    "max_injection_mtpa": 10, **FREE_SINK}],
            corridors=[{"from": "S", "to": "K", "length_km": 10}],
            pipe_classes=[{"name": "free", "capacity_mtpa": 10, "capex_musd_per_unit": 0}],
        ), periods=[2025, 2030, 2035], target=target, period_years=5,
            finance={"crf": 0.1, "discount_rate": r})
        src = out.plan.sources.set_index("period")
        assert src["built_this_period"].idxmax() == first
        costs[first] = out.result.objective
    assert costs[2025] == pytest.approx(10 * W(0, 15, r), abs=1e-6)
    assert costs[2035] == pytest.approx(10 * W(10, 15, r), abs=1e-6)


def test_price_trajectory_stores_only_in_periods_where_it_pays(tmp_path, solver):
    """Price mode with a credit per period of 10, 30, 50 $/t (one-year periods, no
    discounting). Source A captures at 20 $/t (5 Mt/yr), B at 40 $/t (5 Mt/yr); free
    pipes and sink; no capital costs. Storing pays when the credit exceeds the capture
    cost: nothing in 2025, A in 2026 (−10·5), A and B in 2027 (−30·5 − 10·5).
    Objective −50 − 200 = −250 MUSD; revenue −(30·5 + 50·10) = −650.
    """
    out = _solve(tmp_path, solver, dict(
        sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 20},
                 {"id": "B", "lon": 0, "lat": 1, "capacity_mtpa": 5, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 40}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 20,
                **FREE_SINK}],
        corridors=[{"from": "A", "to": "K", "length_km": 1}, {"from": "B", "to": "K", "length_km": 1}],
        pipe_classes=[{"name": "free", "capacity_mtpa": 20, "capex_musd_per_unit": 0}],
    ), periods=[2025, 2026, 2027], price=[10, 30, 50])
    assert out.result.objective == pytest.approx(-250.0, abs=1e-6)
    assert out.plan.stored_mtpa.tolist() == pytest.approx([0, 5, 10])
    assert out.plan.npv_musd["revenue"] == pytest.approx(-650)
    assert out.plan.npv_musd_by_period["revenue"].tolist() == pytest.approx([0, -150, -500])
