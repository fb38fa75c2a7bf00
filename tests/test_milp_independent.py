"""The MILP against optima computed by independent methods.

* With fixed pipe sizes (generic corridors) and no fixed costs, the build-out is a
  min-cost flow: the transport cost must equal ``networkx.min_cost_flow_cost``.
* A fixed-charge transportation instance (every source ships all it has; explicit-cost
  corridors) against its true optimum by enumerating every set of opened corridors,
  each priced by a min-cost flow.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network
from ccusplan.optimize import run



def _nx_cost(supply: dict, sink_cap: dict, arcs: list[tuple[str, str, int, int]]) -> int:
    """Min-cost flow: sources must ship all their supply into sinks (≤ sink_cap)."""
    g = nx.DiGraph()
    total = sum(supply.values())
    for n, s in supply.items():
        g.add_node(n, demand=-s)
    g.add_node("_T", demand=total)
    for k, cap in sink_cap.items():
        g.add_edge(k, "_T", capacity=cap, weight=0)
    for a, b, cap, w in arcs:  # undirected corridor: both directions
        g.add_edge(a, b, capacity=cap, weight=w)
        g.add_edge(b, a, capacity=cap, weight=w)
    return nx.min_cost_flow_cost(g)


def _layout(seed: int, n_src: int, n_snk: int, n_jct: int, extra: int):
    rng = np.random.default_rng(seed)
    ids = ([f"S{i}" for i in range(n_src)] + [f"K{i}" for i in range(n_snk)]
           + [f"J{i}" for i in range(n_jct)])
    # a random spanning tree keeps every node connected, plus extra random edges
    order = rng.permutation(len(ids))
    pairs = {tuple(sorted((ids[order[i]], ids[order[rng.integers(i)]])))
             for i in range(1, len(ids))}
    n_pairs = min(len(ids) - 1 + extra, len(ids) * (len(ids) - 1) // 2)
    while len(pairs) < n_pairs:
        a, b = rng.choice(len(ids), 2, replace=False)
        pairs.add(tuple(sorted((ids[a], ids[b]))))
    return rng, ids, sorted(pairs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n_src=st.integers(1, 4), n_snk=st.integers(1, 3),
       n_jct=st.integers(0, 3), extra=st.integers(0, 5))
def test_transport_cost_equals_networkx_min_cost_flow(tmp_path_factory, seed, n_src, n_snk,
                                                      n_jct, extra):
    rng, ids, pairs = _layout(seed, n_src, n_snk, n_jct, extra)
    supply = {f"S{i}": int(rng.integers(1, 6)) for i in range(n_src)}
    total = sum(supply.values())
    sink_cap = {f"K{i}": int(rng.integers(1, 8)) for i in range(n_snk)}
    sink_cap["K0"] += max(0, total - sum(sink_cap.values()))  # feasible injection
    arcs = [(a, b, int(rng.integers(total // 2 + 1, 2 * total + 1)), int(rng.integers(1, 20)))
            for a, b in pairs]
    try:
        expected = _nx_cost(supply, sink_cap, arcs)
    except nx.NetworkXUnfeasible:
        return  # corridor capacities too small for this draw; nothing to compare
    tmp = tmp_path_factory.mktemp("mcf")
    write_network(
        tmp / "net",
        sources=[{"id": s, "lon": 0, "lat": 0, "capacity_mtpa": v, **FREE_SOURCE} for s, v in supply.items()],
        sinks=[{"id": k, "lon": 1, "lat": 0, "capacity_mt": 1e6, "max_injection_mtpa": v,
                **FREE_SINK} for k, v in sink_cap.items()],
        junctions=[{"id": j, "lon": 0.5, "lat": 0.5} for j in ids if j.startswith("J")] or None,
        corridors=[{"from": a, "to": b, "length_km": 1, "capacity_mtpa": c, "fixed_cost_musd": 0,
                    "variable_cost_usd_per_t": w} for a, b, c, w in arcs],
    )
    case = write_case(tmp / "case.toml", "net", [2030], target=[total],
                      finance={"crf": 0.1, "discount_rate": 0.0})
    out = run(*load_case(case), solver="highs", mip_gap=0.0)
    assert out.result.status == "optimal"
    assert out.plan.npv_musd["transport"] == pytest.approx(expected, abs=1e-6)
    assert out.result.objective == pytest.approx(expected, abs=1e-6)


def _fixed_charge_instance():
    """3 sources × 3 sinks, every pair a corridor with a fixed and a variable cost."""
    supply = {"S0": 4, "S1": 3, "S2": 5}
    sink_cap = {"K0": 6, "K1": 5, "K2": 7}
    fixed = np.array([[60, 20, 90], [30, 70, 40], [80, 50, 25]])  # MUSD (× crf 0.1)
    var = np.array([[2, 6, 1], [5, 1, 4], [3, 2, 7]])            # USD/t
    cap = 8
    arcs = [(f"S{i}", f"K{j}", cap, int(var[i, j]), float(fixed[i, j]))
            for i in range(3) for j in range(3)]
    return supply, sink_cap, arcs


def _brute_force(supply, sink_cap, arcs, crf=0.1) -> float:
    best = np.inf
    for mask in itertools.product([0, 1], repeat=len(arcs)):
        opened = [a for a, m in zip(arcs, mask) if m]
        try:
            flow = _nx_cost(supply, sink_cap, [(a, b, c, w) for a, b, c, w, _ in opened])
        except nx.NetworkXUnfeasible:
            continue
        best = min(best, flow + crf * sum(f for *_, f in opened))
    return best


def test_fixed_charge_transportation_true_optimum(tmp_path, solver):
    supply, sink_cap, arcs = _fixed_charge_instance()
    expected = _brute_force(supply, sink_cap, arcs)
    write_network(
        tmp_path / "net",
        sources=[{"id": s, "lon": 0, "lat": i, "capacity_mtpa": v, **FREE_SOURCE}
                 for i, (s, v) in enumerate(supply.items())],
        sinks=[{"id": k, "lon": 1, "lat": i, "capacity_mt": 1e6, "max_injection_mtpa": v,
                **FREE_SINK} for i, (k, v) in enumerate(sink_cap.items())],
        corridors=[{"from": a, "to": b, "length_km": 100, "capacity_mtpa": c, "fixed_cost_musd": f,
                    "variable_cost_usd_per_t": w} for a, b, c, w, f in arcs],
    )
    case = write_case(tmp_path / "case.toml", "net", [2030], target=[sum(supply.values())],
                      finance={"crf": 0.1, "discount_rate": 0.0})
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(expected, abs=1e-6)
    # the plan's own opened corridors, priced independently, give the same cost
    opened = set(zip(out.plan.pipelines["from"], out.plan.pipelines["to"]))
    chosen = [a for a in arcs if (a[0], a[1]) in opened]
    assert _nx_cost(supply, sink_cap, [a[:4] for a in chosen]) + 0.1 * sum(a[4] for a in chosen) \
        == pytest.approx(expected)
    assert len(chosen) < len(arcs)  # fixed charges bind: not every corridor is worth opening
