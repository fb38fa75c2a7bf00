"""Directed pipes in a single period (formulation.build, ``directed``): the optimum is the
undirected formulation's, by hand and on random networks; over several periods pipes
stay undirected."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    FREE_SINK,
    FREE_SOURCE,
    NO_DISCOUNT,
    draw_graph,
    load_case,
    write_case,
    write_network,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ccusplan.optimize import build, prepare, run
from ccusplan.optimize.pulp_backend import solve_model, to_pulp
from ccusplan.optimize.options import SolveOptions

CLASSES = [{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 1.0},
           {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.6,
            "capex_musd_per_unit_per_mtpa": 0.05}]
#: sized classes alone, as SimCCS's trends: corridors without existing capacity are
#: bare, their flows the pipes' sized capacity (no flow columns)
SIZED = [{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 0.8,
          "capex_musd_per_unit_per_mtpa": 0.12}, CLASSES[1]]


def _objective(inst, directed):
    form = build(inst, directed=directed)
    out = solve_model(to_pulp(form.lp), SolveOptions(mip_gap=0.0))
    return form, out


def test_two_way_corridor_by_hand(tmp_path):
    """Sources A (4 Mt/yr) and B (3) at the two ends of corridor A–B (100 km, crf 0.1, no
    discounting); sink KA beside A injects at most 3 Mt/yr, KB beside B at most 4, each
    joined by an existing line. Target 7 Mt/yr, all of it: KB takes B's 3 and the 1 Mt/yr
    of A's that KA cannot, so A–B carries 1 Mt/yr from A to B in one small pipe
    (0.1 · 1 MUSD/km · 100 km = 10 MUSD/yr), laid A→B and none B→A."""
    write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 4, **FREE_SOURCE},
                 {"id": "B", "lon": 1, "lat": 0, "capacity_mtpa": 3, **FREE_SOURCE}],
        sinks=[{"id": "KA", "lon": 0, "lat": 0.01, "capacity_mt": 100, "max_injection_mtpa": 3,
                **FREE_SINK},
               {"id": "KB", "lon": 1, "lat": 0.01, "capacity_mt": 100, "max_injection_mtpa": 4,
                **FREE_SINK}],
        corridors=[{"from": "A", "to": "B", "length_km": 100},
                   {"from": "A", "to": "KA", "length_km": 1, "existing_capacity_mtpa": 10},
                   {"from": "B", "to": "KB", "length_km": 1, "existing_capacity_mtpa": 10}],
        pipe_classes=CLASSES[:1])
    case = write_case(tmp_path / "case.toml", "net", [2025], target=[7], finance=NO_DISCOUNT)
    inst = prepare(*load_case(case))
    form, out = _objective(inst, None)
    assert form.pipe_blocks == (("pipes", "pipe_size"), ("pipes_rev", "pipe_size_rev"))
    assert out.objective == pytest.approx(10.0, abs=1e-6)
    b = form.lp.blocks
    ab = 0  # A–B is corridor 0 and its only option
    assert out.x[b["pipes"]][ab, 0] == pytest.approx(1) and out.x[b["pipes_rev"]][ab, 0] == 0
    assert form.pipes(out.x)[ab, 0] == pytest.approx(1)
    plan = run(*load_case(case), mip_gap=0.0).plan
    line = plan.pipelines.set_index("corridor").loc[ab]
    assert (line["pipes"], line["flow_mtpa"]) == (1, pytest.approx(1.0))


def test_several_periods_stay_undirected(tmp_path):
    write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 0, "lat": 0, "capacity_mtpa": 4, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 4,
                **FREE_SINK}],
        corridors=[{"from": "A", "to": "K", "length_km": 10}], pipe_classes=CLASSES[:1])
    case = write_case(tmp_path / "case.toml", "net", [2025, 2030], target=[1, 2],
                      finance=NO_DISCOUNT)
    inst = prepare(*load_case(case))
    assert build(inst).pipe_blocks == (("pipes", "pipe_size"),)
    with pytest.raises(ValueError, match="single period"):
        build(inst, directed=True)


@st.composite
def _networks(draw):
    """2–3 sources and 2 sinks on a random connected graph of up to 7 nodes, some
    corridors with existing capacity, a target or a price."""
    n_src, n_snk = draw(st.integers(2, 3)), 2
    ids, edges = draw_graph(draw, n_src, n_snk)
    n = len(ids)
    caps = draw(st.lists(st.sampled_from([1.0, 2.0, 4.0, 6.0]), min_size=n_src, max_size=n_src))
    injs = draw(st.lists(st.sampled_from([2.0, 5.0, 8.0]), min_size=2, max_size=2))
    pos = draw(st.lists(st.tuples(st.floats(0, 2), st.floats(0, 2)), min_size=n, max_size=n))
    corridors = [{"from": ids[a], "to": ids[b], "length_km": draw(st.sampled_from([10, 40, 90])),
                  "existing_capacity_mtpa": draw(st.sampled_from([0.0, 0.0, 1.5]))}
                 for a, b in edges]
    sources = [{"id": ids[i], "lon": pos[i][0], "lat": pos[i][1], "capacity_mtpa": caps[i],
                **FREE_SOURCE, "capture_cost_usd_per_t": draw(st.sampled_from([5, 20, 40]))}
               for i in range(n_src)]
    sinks = [{"id": ids[n_src + k], "lon": pos[n_src + k][0], "lat": pos[n_src + k][1],
              "capacity_mt": 1000, "max_injection_mtpa": injs[k], **FREE_SINK,
              "storage_cost_usd_per_t": draw(st.sampled_from([1, 8]))} for k in range(n_snk)]
    junctions = [{"id": ids[i], "lon": pos[i][0], "lat": pos[i][1]} for i in range(n_src + n_snk, n)]
    price = draw(st.sampled_from([None, 35.0]))
    target = None if price else min(sum(caps), sum(injs)) * draw(st.sampled_from([0.3, 0.7, 1.0]))
    classes = draw(st.sampled_from([CLASSES, SIZED]))
    return sources, sinks, junctions, corridors, target, price, classes


@settings(max_examples=40, deadline=None)
@given(_networks())
def test_directed_optimum_equals_undirected(net):
    sources, sinks, junctions, corridors, target, price, classes = net
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_network(tmp / "net", sources, sinks, corridors, junctions or None, classes)
        case = write_case(tmp / "case.toml", "net", [2025],
                          target=None if target is None else [target], price=price,
                          finance=NO_DISCOUNT)
        inst = prepare(*load_case(case))
    form, directed = _objective(inst, True)
    _, undirected = _objective(inst, False)
    bare = (inst.cor_existing_mtpa == 0).sum() if classes is SIZED else 0
    assert form.lp.blocks["flow_fwd"].shape[0] == len(corridors) - bare
    assert directed.status == undirected.status
    if undirected.objective is not None:
        assert directed.objective == pytest.approx(undirected.objective, rel=1e-7, abs=1e-6)
        # the flows read back from the plan balance capture and injection at every node
        x, b = directed.x, form.lp.blocks
        fwd, rev = form.flows(x)[:, :, 0]
        out = np.zeros(len(inst.node_ids))
        np.add.at(out, inst.cor_from, fwd - rev)
        np.add.at(out, inst.cor_to, rev - fwd)
        np.add.at(out, inst.src_node, -x[b["capture"]][:, 0])
        np.add.at(out, inst.snk_node, x[b["injection"]][:, 0])
        np.testing.assert_allclose(out, 0.0, atol=1e-6)
