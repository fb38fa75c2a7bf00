"""Fix-and-optimise by region (ccusplan.optimize.neighbourhoods): two copies of the hand
network far apart, one region each, each source capturing all its 8 Mt/yr. A plan forced to store 6 Mt/yr at the dearer sink
of one copy (transport and storage 11 MUSD dearer there, worked out below) is re-sized
in vain, then the search of that copy's region finds the optimum of the whole, 248 MUSD
(twice the hand optimum of 124), and is idle once both regions have been searched
around it."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NO_DISCOUNT, hand_network, load_case, write_case, write_network

from ccusplan.optimize import neighbourhoods
from ccusplan.optimize.formulation import build
from ccusplan.optimize.instance import prepare
from ccusplan.optimize.neighbourhoods import RegionSearch, free_columns, regions
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import solve_model, to_pulp


def _two_copies(tmp_path):
    one = hand_network()
    far = {"S": "S2", "J": "J2", "K1": "K12", "K2": "K22"}
    one["sources"] = [{**r, "capacity_mtpa": 8} for r in one["sources"]]  # 8 each: 16
    net = {k: list(v) for k, v in one.items() if k != "pipe_classes"}
    for key in ("sources", "sinks", "junctions"):
        net[key] += [{**r, "id": far[r["id"]], "lon": r["lon"] + 40} for r in one[key]]
    net["corridors"] += [{**r, "from": far[r["from"]], "to": far[r["to"]]}
                         for r in one["corridors"]]
    write_network(tmp_path / "net", **net, pipe_classes=one["pipe_classes"])
    case = write_case(tmp_path / "two.toml", "net", [2025], target=[16],
                      finance=NO_DISCOUNT, solver={"mip_gap": 0.0})
    return load_case(case)


@pytest.fixture
def two_copies(tmp_path, monkeypatch):
    """The instance and formulation of the two copies, one region each."""
    monkeypatch.setattr(neighbourhoods, "REGION_NODES", 4)
    inst = prepare(*_two_copies(tmp_path))
    return inst, build(inst)


def test_the_search_of_a_region_finds_what_re_sizing_cannot(two_copies):
    inst, form = two_copies
    model = to_pulp(form.lp)
    arr = form.lp.arrays()
    c = arr["c"]
    assert solve_model(model, SolveOptions(mip_gap=0.0)).objective == pytest.approx(248.0)

    label = regions(inst)
    ids = list(inst.node_ids)
    first = {label[ids.index(n)] for n in ("S", "J", "K1", "K2")}
    second = {label[ids.index(n)] for n in ("S2", "J2", "K12", "K22")}
    assert len(first) == 1 and len(second) == 1 and first != second

    # forced: K2 stores 6 Mt/yr and K1 2 — storage 2·1 + 6·2 = 14 instead of 11, and
    # K2–J needs two small pipes (16 over 80 km) where one did (8): 124 + 11 = 135
    k2 = list(inst.snk_node).index(ids.index("K2"))
    lo = arr["col_lo"].copy()
    lo[form.lp.blocks["injection"][k2, 0]] = 6.0
    forced = solve_model(model, SolveOptions(mip_gap=0.0), col_lo=lo)
    assert forced.objective == pytest.approx(248.0 + 11.0)

    search = RegionSearch(inst, form, SolveOptions(threads=1))
    assert search.n_regions == 2 and not search.idle(forced.x)
    assert search.step(forced.x, 30.0) is None  # re-sized: its pipes already fit its flows
    x, steps = forced.x, 0
    while not search.idle(x) and steps < 6:
        better = search.step(x, 30.0)
        x = x if better is None else better
        steps += 1
    assert float(c @ x) == pytest.approx(248.0)
    rows = arr["A"] @ x
    assert np.all(rows >= arr["row_lo"] - 1e-6) and np.all(rows <= arr["row_hi"] + 1e-6)
    # at most: the other region in vain, the better one, then both in vain around it
    assert search.idle(x) and steps <= 4


def test_a_region_frees_its_sites_corridors_and_flows_only(two_copies):
    inst, form = two_copies
    ids = list(inst.node_ids)
    inside = np.isin(np.arange(len(ids)), [ids.index(n) for n in ("S", "J", "K1", "K2")])
    free = free_columns(inst, form, inside)
    b = form.lp.blocks
    src = list(inst.src_node).index(ids.index("S"))
    src2 = list(inst.src_node).index(ids.index("S2"))
    assert free[b["capture"][src]].all() and not free[b["capture"][src2]].any()
    cor = inside[inst.cor_from] | inside[inst.cor_to]
    assert free[b["flow_fwd"][cor]].all() and not free[b["flow_fwd"][~cor]].any()
    assert free[b["pipes"][cor[inst.opt_corridor]]].all()
    assert not free[b["pipes"][~cor[inst.opt_corridor]]].any()
    assert free.sum() == form.lp.n_cols / 2  # the two copies are alike
