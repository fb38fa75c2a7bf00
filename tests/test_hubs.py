"""Sites that are not hubs (``hub`` false): a source only sends its own capture, a sink
only stores what reaches it. The flows they would pass on are zero, and the corridor by
corridor links (flow into a sink ≤ bound · open, out of a source ≤ bound · equipped) give
the strong facility-location relaxation: checked by hand on a two-warehouse instance, and
for validity against the same model without them on random networks, one and several
periods."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, draw_graph, load_case, write_case, \
    write_network
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare, run
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

#: serving cost (USD/t) of customer C1, C2 from warehouse W1, W2
SERVE = {("C1", "W1"): 1.0, ("C1", "W2"): 3.0, ("C2", "W1"): 3.0, ("C2", "W2"): 1.0}


def _warehouses(folder: Path, hub) -> Path:
    """Customers C1, C2 (1 Mt/yr each, all of it stored: target 2), warehouses W1, W2
    (opening 10 MUSD, 4 Mt/yr each), a corridor for every customer–warehouse pair with its
    serving cost per tonne and no fixed cost; crf 1, one year, no discounting. Opening one
    warehouse serves both: 10 + 1 + 3 = 14 MUSD, the optimum."""
    write_network(
        folder / "net",
        sources=[{"id": c, "lon": 0, "lat": i, "capacity_mtpa": 1.0, **FREE_SOURCE, "hub": hub}
                 for i, c in enumerate(("C1", "C2"))],
        sinks=[{"id": w, "lon": 1, "lat": i, "capacity_mt": 100, "max_injection_mtpa": 4.0,
                **FREE_SINK, "storage_capex_musd": 10.0, "hub": hub}
               for i, w in enumerate(("W1", "W2"))],
        corridors=[{"from": c, "to": w, "length_km": 1.0, "capacity_mtpa": 2.0,
                    "fixed_cost_musd": 0.0, "variable_cost_usd_per_t": v}
                   for (c, w), v in SERVE.items()])
    return write_case(folder / "case.toml", "net", [2025], target=[2.0],
                      finance={"crf": 1.0, "discount_rate": 0.0})


@pytest.mark.parametrize("hub, relaxed_musd", [
    # hubs: the LP opens each warehouse by the share of the most any period stores (2 of
    # its 4 Mt/yr) it injects, half, and serves each customer from its near one:
    # 2·0.5·10 + 1 + 1
    (True, 12.0),
    # not hubs: each customer's flow to a warehouse ≤ 1 · open, and all of it must go
    # somewhere, so open W1 + open W2 ≥ 1: 10 + transport 4, the integer optimum
    (False, 14.0),
])
def test_the_relaxation_of_two_warehouses_by_hand(tmp_path, hub, relaxed_musd):
    inst = prepare(*load_case(_warehouses(tmp_path, hub)))
    form = build(inst)
    relaxed = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0), relax=True)
    assert relaxed.objective == pytest.approx(relaxed_musd, abs=1e-6)
    whole = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    assert whole.objective == pytest.approx(14.0, abs=1e-6)
    assert ("terminal_sink_fwd" in form.lp.row_blocks) == (not hub)


def test_nothing_passes_through_a_site_that_is_not_a_hub(tmp_path):
    """A line S – K1 – K2 where K1 is full after 1 Mt/yr: S's other 2 Mt/yr pass through
    K1 to K2, unless K1 is not a hub; then the target (3) cannot be met."""
    def case(hub):
        folder = tmp_path / str(hub)
        write_network(
            folder / "net",
            sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 3.0, **FREE_SOURCE}],
            sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 1.0,
                    **FREE_SINK, "hub": hub},
                   {"id": "K2", "lon": 2, "lat": 0, "capacity_mt": 100,
                    "max_injection_mtpa": 5.0, **FREE_SINK}],
            corridors=[{"from": "S", "to": "K1", "length_km": 10.0, "capacity_mtpa": 5.0,
                        "fixed_cost_musd": 0.0, "variable_cost_usd_per_t": 1.0},
                       {"from": "K1", "to": "K2", "length_km": 10.0, "capacity_mtpa": 5.0,
                        "fixed_cost_musd": 0.0, "variable_cost_usd_per_t": 1.0}])
        return load_case(write_case(folder / "case.toml", "net", [2025], target=[3.0],
                                    finance=NO_DISCOUNT))
    assert run(*case(True), mip_gap=0.0).result.status == "optimal"
    assert run(*case(False), mip_gap=0.0).result.status == "infeasible"


@st.composite
def _networks(draw):
    """2–3 sources and 2 sinks on a random connected graph, each site a hub or not, one
    period or three, a target or a price."""
    n_src, n_snk = draw(st.integers(2, 3)), 2
    ids, edges = draw_graph(draw, n_src, n_snk)
    n = len(ids)
    pos = draw(st.lists(st.tuples(st.floats(0, 2), st.floats(0, 2)), min_size=n, max_size=n))
    hub = draw(st.lists(st.booleans(), min_size=n_src + n_snk, max_size=n_src + n_snk))
    sources = [{"id": ids[i], "lon": pos[i][0], "lat": pos[i][1],
                "capacity_mtpa": draw(st.sampled_from([1.0, 2.0, 4.0])), **FREE_SOURCE,
                "capture_capex_musd": draw(st.sampled_from([0.0, 3.0])),
                "capture_cost_usd_per_t": draw(st.sampled_from([5, 20, 40])), "hub": hub[i]}
               for i in range(n_src)]
    sinks = [{"id": ids[n_src + k], "lon": pos[n_src + k][0], "lat": pos[n_src + k][1],
              "capacity_mt": 1000, "max_injection_mtpa": draw(st.sampled_from([2.0, 5.0])),
              **FREE_SINK, "storage_capex_musd": draw(st.sampled_from([0.0, 4.0])),
              "storage_cost_usd_per_t": draw(st.sampled_from([1, 8])), "hub": hub[n_src + k]}
             for k in range(n_snk)]
    junctions = [{"id": ids[i], "lon": pos[i][0], "lat": pos[i][1]}
                 for i in range(n_src + n_snk, n)]
    corridors = [{"from": ids[a], "to": ids[b], "length_km": draw(st.sampled_from([10, 40, 90])),
                  "existing_capacity_mtpa": draw(st.sampled_from([0.0, 0.0, 1.5]))}
                 for a, b in edges]
    periods = draw(st.sampled_from([[2025], [2025, 2030, 2035]]))
    price = draw(st.sampled_from([None, 35.0]))
    total = min(sum(s["capacity_mtpa"] for s in sources), sum(k["max_injection_mtpa"] for k in sinks))
    target = None if price else [round(total * f, 3) for f in (0.3, 0.5, 0.7)[:len(periods)]]
    return sources, sinks, junctions, corridors, periods, target, price


@settings(max_examples=40, deadline=None)
@given(_networks())
def test_the_links_never_change_the_optimum(net):
    sources, sinks, junctions, corridors, periods, target, price = net
    classes = [{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 1.0},
               {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.6,
                "capex_musd_per_unit_per_mtpa": 0.05}]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_network(tmp / "net", sources, sinks, corridors, junctions or None, classes)
        inst = prepare(*load_case(write_case(tmp / "case.toml", "net", periods, target=target,
                                             price=price, finance=NO_DISCOUNT)))
    opts = SolveOptions(mip_gap=0.0)
    linked = solve_model(to_pulp(build(inst).lp), opts)
    plain = solve_model(to_pulp(build(inst, terminal_links=False).lp), opts)
    assert linked.status == plain.status
    if plain.objective is not None:
        assert linked.objective == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)
    # and never a weaker relaxation
    lin_lp = solve_model(to_pulp(build(inst).lp), opts, relax=True)
    plain_lp = solve_model(to_pulp(build(inst, terminal_links=False).lp), opts, relax=True)
    if plain_lp.objective is not None and lin_lp.objective is not None:
        assert lin_lp.objective >= plain_lp.objective - 1e-6
