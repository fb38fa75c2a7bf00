"""[costs] capture_cost_multiplier: every capture cost of every source, given or default."""

from __future__ import annotations

import pytest

from conftest import hand_network, load_case, write_case, write_network
from ccusplan.costs.defaults import SOURCE_COST_COLUMNS
from ccusplan.optimize import prepare, run

NO_DISCOUNT = {"crf": 0.1, "discount_rate": 0.0}


def test_doubling_capture_costs_doubles_the_capture_part_of_the_hand_worked_optimum(tmp_path, solver):
    """The hand-worked network of conftest (optimum 124 MUSD/yr: capture 8 Mt/yr × 10 $/t
    = 80, transport 33, storage 11). With capture costs × 2 the same plan stays optimal
    (capture is needed whatever it costs) and capture costs 160: 204 MUSD/yr."""
    write_network(tmp_path / "net", **hand_network())
    case = write_case(tmp_path / "c.toml", "net", [2025], target=[8], finance=NO_DISCOUNT,
                      costs={"capture_cost_multiplier": 2.0})
    out = run(*load_case(case), solver=solver, mip_gap=0.0)
    assert out.result.objective == pytest.approx(204.0, abs=1e-6)
    assert out.plan.npv_musd["capture"] == pytest.approx(160.0, abs=1e-6)


def test_the_multiplier_scales_default_costs_too(tmp_path):
    """A coal plant with blank costs: every filled capture cost column × 1.5."""
    write_network(tmp_path / "net",
                  sources=[{"id": "S", "kind": "coal_power", "lon": 0, "lat": 0, "capacity_mtpa": 3}],
                  sinks=[{"id": "K", "lon": 0.5, "lat": 0, "capacity_mt": 100,
                          "max_injection_mtpa": 5}])
    base = prepare(*load_case(write_case(tmp_path / "a.toml", "net", [2025], target=[1])))
    high = prepare(*load_case(write_case(tmp_path / "b.toml", "net", [2025], target=[1],
                                         costs={"capture_cost_multiplier": 1.5})))
    a, b = base.network.sources, high.network.sources
    assert (a[SOURCE_COST_COLUMNS] > 0).all().all()
    assert b[SOURCE_COST_COLUMNS].to_numpy() == pytest.approx(1.5 * a[SOURCE_COST_COLUMNS].to_numpy())
    assert high.snk_cost_usd_per_t == pytest.approx(base.snk_cost_usd_per_t)
