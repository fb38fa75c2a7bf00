"""Flow bounds on bridges and price-mode source screening (ccusplan.optimize.bounds,
Instance.src_may_capture): checked against hand values, against brute force on
random graphs, and by optima that do not move when the tightening is switched off."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, load_case, write_case, write_network
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import run
from ccusplan.optimize.bounds import corridor_flow_bounds
from ccusplan.optimize.instance import Instance


def test_bridge_bounds_by_hand():
    """Nodes 0..5. A triangle 0-1-2 (no bridges) joined by bridge 2-3 to a path 3-4 and a
    spur 3-5. Supply: 8 at node 0, 3 at node 4, 1 at node 5; injection: 10 at node 1,
    2 at node 5. Global bound 11 (one period).

    - 2→3 (from 2 to 3): supply on 0-1-2's side 8, injection on 3-4-5's side 2 → 2;
      3→2: supply 3+1 = 4, injection 10 → 4.
    - 3→4: supply {0,1,2,3,5} = 9, injection at {4} 0 → 0; 4→3: supply 3, injection 12 → 3.
    - 5→3 (corridor from 5 to 3): supply 1, injection {0..4} 10 → 1; 3→5: supply 11,
      injection 2 → 2.
    - triangle corridors keep 11.
    """
    cor = np.array([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [5, 3]])
    supply = np.array([8, 0, 0, 0, 3, 1], float)[:, None]
    inj = np.array([0, 10, 0, 0, 0, 2], float)[:, None]
    b = corridor_flow_bounds(6, cor[:, 0], cor[:, 1], supply, inj, np.array([11.0]))
    assert b[:, :3, 0].tolist() == [[11] * 3, [11] * 3]
    assert b[:, 3, 0].tolist() == [2, 4]
    assert b[:, 4, 0].tolist() == [0, 3]
    assert b[:, 5, 0].tolist() == [1, 2]


def test_parallel_corridors_are_not_bridges():
    """Two corridors joining the same two nodes: removing one leaves the other, so
    neither is a bridge and both keep the global bound."""
    b = corridor_flow_bounds(2, np.array([0, 1]), np.array([1, 0]),
                             np.array([[5.0], [0.0]]), np.array([[0.0], [4.0]]),
                             np.array([100.0]))
    assert (b == 100.0).all()


@st.composite
def _graphs(draw):
    n = draw(st.integers(2, 9))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                          .filter(lambda e: e[0] != e[1]), min_size=1, max_size=14))
    T = draw(st.integers(1, 2))
    vals = st.floats(0, 10, allow_nan=False).map(lambda v: round(v, 3))
    supply = np.array(draw(st.lists(vals, min_size=n * T, max_size=n * T))).reshape(n, T)
    inj = np.array(draw(st.lists(vals, min_size=n * T, max_size=n * T))).reshape(n, T)
    glob = np.array(draw(st.lists(st.floats(1, 50), min_size=T, max_size=T)))
    return n, np.array(edges), supply, inj, glob


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_bridge_bounds_match_brute_force(g):
    """Each corridor removed in turn from a multigraph: if its ends fall apart, the
    bound each way is min(global, supply on the near side, injection on the far side);
    otherwise the global bound."""
    n, edges, supply, inj, glob = g
    b = corridor_flow_bounds(n, edges[:, 0], edges[:, 1], supply, inj, glob)
    for e, (u, v) in enumerate(edges.tolist()):
        m = nx.MultiGraph()
        m.add_nodes_from(range(n))
        m.add_edges_from(tuple(x) for k, x in enumerate(edges.tolist()) if k != e)
        if nx.has_path(m, u, v):
            want = np.stack([glob, glob])
        else:
            side_u = sorted(nx.node_connected_component(m, u))
            side_v = sorted(nx.node_connected_component(m, v))
            want = np.stack([
                np.minimum(glob, np.minimum(supply[side_u].sum(0), inj[side_v].sum(0))),
                np.minimum(glob, np.minimum(supply[side_v].sum(0), inj[side_u].sum(0)))])
        np.testing.assert_allclose(b[:, e], want, atol=1e-9)


def _spur_network(tmp_path, **source_b):
    """Sources A (5 Mt/yr) and B on spurs to a junction J, J to sink K (60 km)."""
    return write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 5, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 20},
                 {"id": "B", "lon": 0, "lat": 1, "capacity_mtpa": 4, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10, **source_b}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 20,
                **FREE_SINK}],
        junctions=[{"id": "J", "lon": 1, "lat": 0.5}],
        corridors=[{"from": "A", "to": "J", "length_km": 10},
                   {"from": "B", "to": "J", "length_km": 20},
                   {"from": "J", "to": "K", "length_km": 60}],
        pipe_classes=[{"name": "trend", "capacity_mtpa": 100, "capex_musd_per_unit": 1.0}])


def test_spur_bounds_on_a_real_instance(tmp_path):
    """On the spur network (a tree: every corridor is a bridge) in target mode at 6 Mt/yr,
    A–J carries at most A's 5 Mt/yr towards J and nothing back (no sink on A's side),
    B–J at most 4, J–K at most the 6 Mt/yr target."""
    _spur_network(tmp_path)
    case = write_case(tmp_path / "case.toml", "net", [2025], target=[6], finance=NO_DISCOUNT)
    from ccusplan.optimize.instance import prepare

    inst = prepare(*load_case(case))
    b = inst.corridor_flow_bound_mtpa[:, :, 0]
    assert b.tolist() == [[5, 4, 6], [0, 0, 0]]


def test_price_mode_screens_sources_that_cannot_pay(tmp_path, solver, monkeypatch):
    """Price 30 $/t, crf 0.1, pipes 1 MUSD per km (A–J 10 km, B–J 20 km, J–K 60 km).
    A captures at 20 $/t with no fixed cost: it earns (30 − 20)·5 = 50 MUSD/yr.
    B captures at 10 $/t with a fixed capex:
    - 100 MUSD (10 MUSD/yr): at its full 4 Mt/yr it earns (30 − 10)·4 = 80 > 10, so it
      may pay and is kept; optimum −50 − 80 + 10 + 0.1·(10 + 20 + 60) = −111 MUSD/yr;
    - 1,000 MUSD (100 MUSD/yr > 80): it cannot pay and is screened out; optimum A alone,
      −50 + 0.1·(10 + 60) = −43 MUSD/yr.
    Screened or not (the screen switched off), the optima agree.
    """
    for capex, want, may in ((100.0, -111.0, [True, True]), (1000.0, -43.0, [True, False])):
        _spur_network(tmp_path, capture_capex_musd=capex)
        case = write_case(tmp_path / "case.toml", "net", [2025], price=30, finance=NO_DISCOUNT)
        out = run(*load_case(case), solver=solver, mip_gap=0.0)
        assert out.instance.src_may_capture[:, 0].tolist() == may
        assert out.result.objective == pytest.approx(want, abs=1e-6)
        with monkeypatch.context() as m:
            m.setattr(Instance, "src_may_capture", property(lambda self: self.src_available))
            plain = run(*load_case(case), solver=solver, mip_gap=0.0)
        assert plain.result.objective == pytest.approx(want, abs=1e-6)
