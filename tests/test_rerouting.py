"""Re-routing a plan's flows path by path (ccusplan.optimize.rerouting): a hand case
whose optimum one move reaches, each corridor's pipe cost against the re-sizing MILP,
and random networks against the plan the search starts from."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, draw_network, load_case, write_case, \
    write_network
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_polish import _feasible

from ccusplan.optimize.formulation import build
from ccusplan.optimize.instance import prepare
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.polish import resize
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.rerouting import CorridorCosts, applies, decompose, reroute

#: small 5 Mt/yr at 1 MUSD per km, big 20 Mt/yr at 1.2: with CRF 0.1, 0.1 and 0.12
#: MUSD a year per km
CLASSES = [{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1},
           {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 1.2}]


def _trunk_case(tmp_path):
    """Sources A and B (4 Mt/yr each, free; no CO2 passes through them) and sink K
    (free); junction J. Corridors A–K and B–K 200 km, A–J and B–J 50 km, J–K 180 km.
    Target 8 Mt/yr in both of two one-year periods, no discounting: a year's pipes cost
    0.1 MUSD per km small, 0.12 big. Optimum: A–J, B–J small (5 + 5), J–K big (21.6): 31.6 a year, 63.2 in all.
    Direct A–K and B–K small: 20 + 20 = 40 a year."""
    write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 0, "lat": 1, "capacity_mtpa": 4, "hub": False,
                  **FREE_SOURCE},
                 {"id": "B", "lon": 0, "lat": -1, "capacity_mtpa": 4, "hub": False,
                  **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10,
                **FREE_SINK}],
        junctions=[{"id": "J", "lon": 0.3, "lat": 0}],
        corridors=[{"from": "A", "to": "K", "length_km": 200},
                   {"from": "B", "to": "K", "length_km": 200},
                   {"from": "A", "to": "J", "length_km": 50},
                   {"from": "B", "to": "J", "length_km": 50},
                   {"from": "J", "to": "K", "length_km": 180}],
        pipe_classes=CLASSES)
    case = write_case(tmp_path / "trunk.toml", "net", [2025, 2026], target=[8, 8],
                      finance=NO_DISCOUNT, solver={"mip_gap": 0.0})
    return load_case(case)


def _corridor(inst, a: str, b: str) -> int:
    ids = list(inst.node_ids)
    ends = {ids.index(a), ids.index(b)}
    return next(e for e in range(len(inst.cor_from))
                if {inst.cor_from[e], inst.cor_to[e]} == ends)


def _closed(inst, form, *ends) -> np.ndarray:
    """Column upper bounds with no pipes and no flow on the corridors between ``ends``."""
    hi = form.lp.arrays()["col_hi"].copy()
    b = form.lp.blocks
    for a, z in ends:
        e = _corridor(inst, a, z)
        hi[b["pipes"][inst.opt_corridor == e].ravel()] = 0.0
        hi[b["flow_fwd"][e]] = hi[b["flow_rev"][e]] = 0.0
    return hi


def _rerouted_to_the_optimum(tmp_path, start_musd, *closed):
    """The trunk case solved with the corridors between ``closed`` ends shut (its optimum
    then costs ``start_musd``), that plan re-routed: feasible, at the optimum 63.2 MUSD.
    Returns (inst, form, start, re-routed columns)."""
    inst = prepare(*_trunk_case(tmp_path))
    form = build(inst)
    start = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0),
                        col_hi=_closed(inst, form, *closed))
    assert start.objective == pytest.approx(start_musd)
    x = reroute(inst, form, start.x, seconds=30)
    assert x is not None and _feasible(form.lp, x)
    assert form.lp.arrays()["c"] @ x == pytest.approx(63.2)
    return inst, form, start, x


def test_one_move_takes_a_flow_onto_the_trunk_and_reaches_the_optimum(tmp_path):
    """Plan: A direct to K (small, 20 a year), B through J (small 5 + small 18): 43 a
    year, 86 MUSD. Moving A's flow: its own pipe to K costs 20 a year, while through J
    it adds 5 (A–J small) and 3.6 (J–K small → big): A moves, and the plan is the
    optimum, 63.2 MUSD (MILP to 0 gap: the same)."""
    inst, form, start, x = _rerouted_to_the_optimum(tmp_path, 86.0, ("A", "J"), ("B", "K"))
    assert applies(inst, form)
    assert solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0)).objective == \
        pytest.approx(63.2)
    sites = form.site_columns()
    assert np.allclose(x[sites], start.x[sites])
    flows = form.flows(x)
    assert np.abs(flows[:, _corridor(inst, "A", "K")]).max() == 0.0
    assert np.abs(flows[:, _corridor(inst, "J", "K")]).max() == pytest.approx(8.0)


def test_closing_a_corridor_moves_two_flows_onto_the_trunk_where_one_move_cannot(tmp_path):
    """Plan: A and B each direct to K (small, 20 a year each): 40 a year, 80 MUSD. No
    single flow gains by moving (A through J alone: A–J small 5 + J–K small 18 = 23 >
    20), but with A–K closed A must move (23), and then B gains by joining it (B–J 5,
    J–K small → big 3.6, against 20): 31.6 a year, the optimum 63.2 MUSD."""
    _rerouted_to_the_optimum(tmp_path, 80.0, ("A", "J"), ("B", "J"))


def test_a_plans_flows_split_into_paths_add_up_to_them(tmp_path):
    """The optimum's flows (A→J→K and B→J→K, 4 Mt/yr each, both periods) split into
    four paths of 4 Mt/yr, each of two corridors, that add up to the flows."""
    case, network = _trunk_case(tmp_path)
    inst = prepare(case, network)
    form = build(inst)
    x = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0)).x
    fl = form.flows(x)
    net = fl[0] - fl[1]
    supply = np.zeros((len(inst.node_ids), 2))
    np.add.at(supply, inst.src_node, x[form.lp.blocks["capture"]])
    np.add.at(supply, inst.snk_node, -x[form.lp.blocks["injection"]])
    paths = decompose(inst, net, supply)
    assert len(paths) == 4
    assert all(amount == pytest.approx(4.0) and len(p) == 2 for _, _, _, amount, p in paths)
    total = np.zeros_like(net)
    for _, _, t, amount, p in paths:
        for e, sign in p:
            total[e, t] += sign * amount
    assert np.allclose(total, net)


@st.composite
def _flows(draw):
    T = draw(st.integers(2, 4))
    return [draw(st.floats(0.0, 45.0)) for _ in range(T)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_flows())
def test_a_corridors_pipes_cost_what_the_re_sizing_milp_finds(tmp_path_factory, flows):
    """For random flows over 2–4 periods on the trunk case's J–K corridor, the cheapest
    pipes never decreasing (:class:`CorridorCosts`) cost what :func:`.polish.resize`'s
    MILP finds for the same flows, and the pipes it lists carry them."""
    tmp = tmp_path_factory.mktemp("corridor")
    T = len(flows)
    write_network(
        tmp / "net",
        sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 50, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 10**4, "max_injection_mtpa": 50,
                **FREE_SINK}],
        corridors=[{"from": "A", "to": "K", "length_km": 180}],
        pipe_classes=CLASSES + [{"name": "mid", "capacity_mtpa": 9, "capex_musd_per_unit": 1.1}])
    periods = list(range(2025, 2025 + T))
    case, network = load_case(write_case(tmp / "c.toml", "net", periods, mode="price",
                                         price=[100.0] * T, finance=NO_DISCOUNT))
    inst = prepare(case, network)
    form = build(inst)
    b = form.lp.blocks
    x = np.zeros(form.lp.n_cols)
    f = np.round(np.array(flows), 6)
    x[b["capture"][0]] = x[b["injection"][0]] = x[b["flow_fwd"][0]] = f
    x[b["capture_built"][0]] = np.maximum.accumulate(f)
    x[b["capture_on"][0]] = x[b["sink_open"][0]] = 1.0
    big = np.flatnonzero(inst.opt_class == "big")[0]
    x[b["pipes"][big]] = 3.0  # room for 60 Mt/yr: feasible, re-sized below
    assert _feasible(form.lp, x)
    sized, _ = resize(inst, form, x, SolveOptions(time_limit_s=30))
    c = form.lp.arrays()["c"]
    pipes_musd = float(c[b["pipes"].ravel()] @ sized[b["pipes"].ravel()])
    costs = CorridorCosts(inst)
    dp, added = costs.plan(0, f)
    assert dp == pytest.approx(pipes_musd, abs=1e-6)
    laid = np.zeros(T)
    for t, o, n in added:
        laid[t:] += n * inst.opt_cap_mtpa[o]
    assert (laid >= f - 1e-5).all()


@st.composite
def _networks(draw):
    net = draw_network(draw, draw(st.integers(2, 4)))
    total = sum(s["capacity_mtpa"] for s in net["sources"])
    return net, [round(total * f, 3) for f in (0.2, 0.4, 0.6)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_networks(), st.integers(0, 2**31))
def test_a_re_routed_plan_is_feasible_keeps_its_sites_and_costs_less(tmp_path_factory, drawn,
                                                                      seed):
    """On random networks over three periods, from the optimum with a random third of
    the corridors closed (a plan that routes around them): a re-routed plan on the whole
    network is feasible, keeps every site's capture and injection, costs less than the
    plan it started from, and no less than the optimum for those sites (the fixed-site
    problem solved to 0 gap)."""
    net, target = drawn
    tmp = tmp_path_factory.mktemp("reroute")
    write_network(tmp / "net", **net)
    case, network = load_case(write_case(tmp / "c.toml", "net", [2025, 2030, 2035],
                                         target=target, period_years=5, finance=NO_DISCOUNT))
    inst = prepare(case, network)
    form = build(inst)
    model = to_pulp(form.lp)
    arr = form.lp.arrays()
    hi = arr["col_hi"].copy()
    b = form.lp.blocks
    closed = np.random.default_rng(seed).random(len(inst.cor_from)) < 1 / 3
    hi[b["pipes"][closed[inst.opt_corridor]].ravel()] = 0.0
    hi[b["flow_fwd"][closed].ravel()] = hi[b["flow_rev"][closed].ravel()] = 0.0
    start = solve_model(model, SolveOptions(mip_gap=0.0), col_hi=hi)
    if start.x is None:  # the closed corridors cut every sink off
        return
    x = reroute(inst, form, start.x, seconds=30)
    if x is None:
        return
    assert _feasible(form.lp, x)
    sites = form.site_columns()
    assert np.allclose(x[sites], start.x[sites], atol=1e-6)
    assert arr["c"] @ x < start.objective - 1e-9
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    integer = arr["integer"][sites]
    lo[sites] = hi[sites] = np.where(integer, np.round(x[sites]), x[sites])
    exact = solve_model(model, SolveOptions(mip_gap=0.0), col_lo=lo, col_hi=hi)
    assert arr["c"] @ x >= exact.objective - 1e-6


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=14),
    st.lists(st.one_of(st.floats(0.01, 10.0), st.just(np.inf)), min_size=28, max_size=28),
    st.integers(0, n - 1), st.integers(0, n - 1))))
def test_the_arc_graph_finds_the_cheapest_path_over_parallel_corridors(drawn):
    """Paths over the corridors both ways, parallel ones among them and some arcs barred
    (inf), cost what networkx's Dijkstra finds on the same arcs, and follow arcs that
    exist and are allowed."""
    import networkx as nx

    from ccusplan.optimize.rerouting import _Arcs

    N, pairs, weights, a, z = drawn
    pairs = [(u, v) for u, v in pairs if u != v] or [(0, 1)]
    frm, to = np.array([u for u, _ in pairs]), np.array([v for _, v in pairs])
    E = len(pairs)
    w = np.array(weights[:2 * E])
    g = nx.DiGraph()
    g.add_nodes_from(range(N))
    for i in np.flatnonzero(np.isfinite(w)):
        u, v = (frm[i % E], to[i % E]) if i < E else (to[i % E], frm[i % E])
        if not g.has_edge(u, v) or g[u][v]["w"] > w[i]:
            g.add_edge(u, v, w=w[i])
    path = _Arcs(frm, to, N).path(w, a, z)
    if a == z:
        assert path == []
        return
    if not nx.has_path(g, a, z):
        assert path is None
        return
    assert path is not None
    node, cost = a, 0.0
    for e, sign in path:
        tail, head = (frm[e], to[e]) if sign == 1 else (to[e], frm[e])
        assert tail == node
        arc = w[e if sign == 1 else e + E]
        assert np.isfinite(arc)
        cost, node = cost + arc, head
    assert node == z
    assert cost == pytest.approx(nx.dijkstra_path_length(g, a, z, weight="w"))
