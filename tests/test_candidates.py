"""Candidate corridors: Delaunay + k nearest neighbours, geodesic lengths × detour."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from scipy.spatial import Delaunay

from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network
from ccusplan.optimize import prepare, run
from ccusplan.routes.candidates import candidate_corridors


def _nodes(n=30, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"lon": 116 + 3 * rng.random(n), "lat": 35 + 3 * rng.random(n)},
                        index=[f"N{i:02d}" for i in range(n)])


def test_candidates_contain_delaunay_and_knn_and_are_connected():
    nodes = _nodes()
    c = candidate_corridors(nodes, k_nearest=3, detour_factor=1.2)
    pairs = set(zip(c["from"], c["to"]))
    assert all(a < b for a, b in pairs) and len(pairs) == len(c)  # unordered, unique
    # every Delaunay edge (a planar triangulation in lon·cos(lat), lat is the same graph
    # for points this close) and every node's 3 nearest neighbours are candidates
    xy = np.column_stack([nodes["lon"] * np.cos(np.radians(36.5)), nodes["lat"]])
    ids = nodes.index.to_numpy()
    tri = Delaunay(xy).simplices
    delaunay = {tuple(sorted((ids[s[i]], ids[s[j]]))) for s in tri for i, j in ((0, 1), (1, 2), (0, 2))}
    assert len(delaunay - pairs) <= 1  # projection differences may flip one co-circular edge
    g = nx.Graph(list(pairs))
    assert nx.is_connected(g) and g.number_of_nodes() == len(nodes)
    assert min(dict(g.degree).values()) >= 3


def test_lengths_are_geodesic_times_detour():
    nodes = _nodes(10)
    c = candidate_corridors(nodes, k_nearest=2, detour_factor=1.3)
    geod = Geod(ellps="WGS84")
    a, b = nodes.loc[c["from"]], nodes.loc[c["to"]]
    _, _, m = geod.inv(a["lon"].to_numpy(), a["lat"].to_numpy(), b["lon"].to_numpy(), b["lat"].to_numpy())
    assert c["length_km"].to_numpy() == pytest.approx(1.3 * m / 1000, rel=1e-12)


def test_candidates_do_not_depend_on_input_order():
    nodes = _nodes()
    c1 = candidate_corridors(nodes, 4, 1.2)
    c2 = candidate_corridors(nodes.sample(frac=1, random_state=3), 4, 1.2)
    pd.testing.assert_frame_equal(c1, c2)


def test_a_network_without_corridors_gets_candidates_from_the_case(tmp_path):
    """No corridors.csv: the case's [candidates] settings generate them and the plan ships
    over them; a longer detour factor lengthens every generated corridor."""
    write_network(tmp_path / "net",
                  sources=[{"id": f"S{i}", "lon": 117 + 0.3 * i, "lat": 36, "capacity_mtpa": 2, **FREE_SOURCE}
                           for i in range(4)],
                  sinks=[{"id": "K", "lon": 117.5, "lat": 37, "capacity_mt": 500,
                          "max_injection_mtpa": 10, **FREE_SINK}])
    lengths = {}
    for detour in (1.0, 1.5):
        case = write_case(tmp_path / f"c{detour}.toml", "net", [2030], target=[6],
                          candidates={"k_nearest": 2, "detour_factor": detour})
        c, net = load_case(case)
        assert net.corridors is None
        inst = prepare(c, net)
        assert inst.network.corridors.attrs["generated"]
        lengths[detour] = inst.cor_length_km
        out = run(c, net, solver="highs")
        assert out.result.status == "optimal"
        assert out.plan.stored_mtpa[0] == pytest.approx(6)
    assert lengths[1.5] == pytest.approx(1.5 * lengths[1.0])


def test_add_to_given_keeps_the_given_corridors_and_adds_candidates(tmp_path):
    """A network whose corridors file holds one existing line S0–K (109 km, 1.7 Mt/yr):
    without [candidates] add_to_given only that line exists; with it the candidates
    (Delaunay + k nearest) are added, the S0–K pair once, as given (its real length and
    capacity, not the geodesic)."""
    write_network(tmp_path / "net",
                  sources=[{"id": f"S{i}", "lon": 117 + 0.3 * i, "lat": 36, "capacity_mtpa": 2,
                            **FREE_SOURCE} for i in range(4)],
                  sinks=[{"id": "K", "lon": 117.5, "lat": 37, "capacity_mt": 500,
                          "max_injection_mtpa": 10, **FREE_SINK}],
                  corridors=[{"from": "K", "to": "S0", "length_km": 109.0,
                              "existing_capacity_mtpa": 1.7}])
    only = prepare(*load_case(write_case(tmp_path / "a.toml", "net", [2030], target=[1])))
    assert len(only.cor_from) == 1
    case = write_case(tmp_path / "b.toml", "net", [2030], target=[6],
                      candidates={"k_nearest": 2, "add_to_given": True})
    c, net = load_case(case)
    inst = prepare(c, net)
    cor = inst.network.corridors
    generated = candidate_corridors(net.nodes(), 2, 1.2)
    assert len(cor) == len(generated)  # the given pair is among the candidates: kept once
    pairs = [frozenset(p) for p in zip(cor["from"], cor["to"])]
    assert len(set(pairs)) == len(pairs)
    line = cor[[p == frozenset({"K", "S0"}) for p in pairs]]
    assert line[["length_km", "existing_capacity_mtpa"]].values.tolist() == [[109.0, 1.7]]
    assert inst.network.corridors.attrs["generated"]
    out = run(c, net, solver="highs")
    assert out.result.status == "optimal" and out.plan.stored_mtpa[0] == pytest.approx(6)
