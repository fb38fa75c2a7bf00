"""``ccusplan early-movers``: the cheapest first tonnes, worked out by hand.

Sources and sinks on the equator (1° of longitude: 111.3195 km, WGS84), detour factor
1.2, CRF 0.1, pipe classes small (2 Mt/yr, 0.6 MUSD per km) and big (5 Mt/yr, 1.0):

* A (2 Mt/yr, 10 USD/t) at 0°: K1 (storage 5 USD/t, room 2 Mt/yr) at 0.5°, 66.79 km:
  one small pipe, 0.1 × 0.6 × 66.79 / 2 = 2.0038 USD/t; total 17.0038.
* B (3 Mt/yr, 12 USD/t) at 0.6°: K1 is nearest (0.1°) but A fills it; K2 (storage 8,
  room 10) at 1.5°, 120.22 km: one big pipe, 0.1 × 1.0 × 120.22 / 3 = 4.0075
  (two small ones: 4.8090); total 24.0075.
* C (4 Mt/yr, 30 USD/t) at 3°: not needed for 5 Mt/yr.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, write_case, write_network

from ccusplan.cli import _State, cli
from ccusplan.early_movers import early_movers
from ccusplan.io import load

KM_PER_DEGREE = 111.3195 * 1.2


@pytest.fixture
def case_path(tmp_path):
    write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 0.0, "lat": 0, "capacity_mtpa": 2, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10},
                 {"id": "B", "lon": 0.6, "lat": 0, "capacity_mtpa": 3, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 12},
                 {"id": "C", "lon": 3.0, "lat": 0, "capacity_mtpa": 4, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 30}],
        sinks=[{"id": "K1", "lon": 0.5, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 2,
                **FREE_SINK, "storage_cost_usd_per_t": 5},
               {"id": "K2", "lon": 1.5, "lat": 0, "capacity_mt": 500,
                "max_injection_mtpa": 10, **FREE_SINK, "storage_cost_usd_per_t": 8}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 2, "capex_musd_per_unit": 0.6},
                      {"name": "big", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0}])
    return write_case(tmp_path / "em.toml", "net", [2030], target=[5], finance=NO_DISCOUNT,
                      candidates={"detour_factor": 1.2})


def test_the_cheapest_sources_fill_the_cheapest_sinks_by_hand(case_path):
    case, net = load(case_path)
    m = early_movers(case, net, 5.0)
    t = m.table.set_index("source_id")
    assert list(t.index) == ["A", "B"] and m.reached_mtpa == 5.0
    assert t.loc["A", "sink_id"] == "K1" and t.loc["B", "sink_id"] == "K2"
    assert t.loc["A", "distance_km"] == pytest.approx(0.5 * KM_PER_DEGREE, rel=1e-4)
    assert t.loc["A", "pipe"] == "small" and t.loc["B", "pipe"] == "big"
    assert t.loc["A", "transport_usd_per_t"] == pytest.approx(
        0.1 * 0.6 * 0.5 * KM_PER_DEGREE / 2, rel=1e-4)
    assert t.loc["B", "transport_usd_per_t"] == pytest.approx(
        0.1 * 1.0 * 0.9 * KM_PER_DEGREE / 3, rel=1e-4)
    assert t.loc["A", "total_usd_per_t"] == pytest.approx(
        10 + 5 + 0.1 * 0.6 * 0.5 * KM_PER_DEGREE / 2, rel=1e-6)
    assert t["cumulative_mtpa"].tolist() == [2.0, 5.0]
    # asked for more than the sinks can take: all three, C into K2's room
    more = early_movers(case, net, 100.0)
    assert more.table["source_id"].tolist() == ["A", "B", "C"] and more.reached_mtpa == 9.0


def test_the_command_writes_the_table_and_the_map(case_path, tmp_path):
    out = tmp_path / "em-out"
    r = CliRunner().invoke(cli, ["early-movers", str(case_path), "--mtpa", "5", "--out",
                                 str(out)], obj=_State())
    assert r.exit_code == 0, r.output
    assert "the cheapest 5.0 Mt/yr from 2 of 3 sources available by 2030" in r.output
    table = pd.read_csv(out / "early_movers.csv")
    assert table["source_id"].tolist() == ["A", "B"]
    assert (out / "early_movers.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = CliRunner().invoke(cli, ["early-movers", str(case_path), "--mtpa", "50", "--out",
                                 str(out)], obj=_State())
    assert "only 9.0 of 50 Mt/yr" in r.output


def test_a_bad_case_is_a_message_with_exit_status_2(tmp_path):
    r = CliRunner().invoke(cli, ["early-movers", str(tmp_path / "missing.toml")], obj=_State())
    assert r.exit_code == 2 and "Traceback" not in r.output
