"""Ships, trucks and rail: leased transport beside pipelines, worked out by hand.

Every case: CRF 0.1, no discounting, 10-year periods (a period's annual cost × 10).

Truck then pipeline. Source S and sink K 100 km apart, joined by a truck corridor
(5 USD/t + 0.1 USD/t·km = 15 USD/t; 0.1 MUSD a year while in use) and a generic
pipe (50 MUSD, 1 USD/t: 0.1 × 50 = 5 MUSD a year once laid, every later year too).
Per year at V Mt/yr: truck 0.1 + 15 V, pipe 5 + V; they break even at
V* = (5 − 0.1) / (15 − 1) = 0.35 Mt/yr. With targets 0.2, 0.5 and 1.0 Mt/yr the trucks
carry 2030 (3.1 MUSD a year against 5.2) and the pipe the rest (5.5 and 6.0 against
7.6 and 15.1): transport 10 × (3.1 + 5.5 + 6.0) = 146 MUSD; capture at 10 USD/t,
10 × 10 × (0.2 + 0.5 + 1.0) = 170 MUSD.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FREE_SINK, FREE_SOURCE, write_case, write_network

from ccusplan.io import load
from ccusplan.optimize import run

FINANCE = {"crf": 0.1, "discount_rate": 0.0}
TRUCK = {"usd_per_t_km": 0.1, "usd_per_t": 5.0, "fixed_musd_per_yr": 0.1}


def _truck_or_pipe(tmp_path, targets):
    write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K", "lon": 0.9, "lat": 0, "capacity_mt": 1000,
                "max_injection_mtpa": 10, **FREE_SINK}],
        corridors=[{"from": "S", "to": "K", "length_km": 100, "mode": "truck"},
                   {"from": "S", "to": "K", "length_km": 100, "capacity_mtpa": 10,
                    "fixed_cost_musd": 50, "variable_cost_usd_per_t": 1}])
    path = write_case(tmp_path / "tp.toml", "net", [2030, 2040, 2050], target=targets,
                      period_years=10, finance=FINANCE, **{"transport.truck": TRUCK})
    return load(path)


def test_trucks_carry_the_first_tonnes_and_a_pipeline_takes_over_at_the_break_even(tmp_path):
    case, net = _truck_or_pipe(tmp_path, [0.2, 0.5, 1.0])
    out = run(case, net, time_limit_s=60)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(170 + 146, rel=1e-6)
    p = out.plan.pipelines
    truck = p[p["mode"] == "truck"].set_index("period")
    pipe = p[p["mode"] == "pipeline"].set_index("period")
    assert list(truck.index) == [2030] and truck.loc[2030, "flow_mtpa"] == pytest.approx(0.2)
    assert truck.loc[2030, "pipe_class"] == "truck" and truck.loc[2030, "capex_musd"] == 0
    assert list(pipe.index) == [2040, 2050]
    assert list(pipe["flow_mtpa"]) == pytest.approx([0.5, 1.0])
    assert out.plan.npv_musd["transport"] == pytest.approx(146, rel=1e-6)


@pytest.mark.parametrize("volume, mode", [(0.34, "truck"), (0.36, "pipeline")])
def test_the_switch_is_at_the_break_even_volume(tmp_path, volume, mode):
    """One period at V just below and just above V* = 0.35 Mt/yr."""
    case, net = _truck_or_pipe(tmp_path, [0.1, 0.2, volume])
    out = run(case, net, time_limit_s=60)
    p = out.plan.pipelines
    last = p[p["period"] == 2050]
    assert list(last["mode"]) == [mode]
    trucked = 0.1 + 15 * np.array([0.1, 0.2])
    last_cost = 0.1 + 15 * volume if mode == "truck" else 5 + volume
    assert out.plan.npv_musd["transport"] == pytest.approx(10 * (trucked.sum() + last_cost))


SHIP_COSTS = {"transport.ship": {"usd_per_t_km": 0.02, "usd_per_t": 3, "fixed_musd_per_yr": 0},
              "transport.port": {"om_fraction_per_yr": 0.0}}


def _port_network(folder, offshore_pipe: bool = True):
    """Source S, port P (terminal 20 MUSD + 30 MUSD per Mt/yr, 2 USD/t loaded), offshore
    sink K; S–P a generic pipe (10 MUSD), P–K a ship corridor of 500 km and, if
    ``offshore_pipe``, S–K a generic offshore pipe of 500 MUSD."""
    corridors = [{"from": "S", "to": "P", "length_km": 10, "capacity_mtpa": 10,
                  "fixed_cost_musd": 10, "variable_cost_usd_per_t": 0},
                 {"from": "P", "to": "K", "length_km": 500, "mode": "ship"}]
    if offshore_pipe:
        corridors.append({"from": "S", "to": "K", "length_km": 500, "capacity_mtpa": 10,
                          "fixed_cost_musd": 500, "variable_cost_usd_per_t": 0})
    return write_network(
        folder,
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K", "kind": "saline_offshore", "lon": 4, "lat": 0, "capacity_mt": 1000,
                "max_injection_mtpa": 10, **FREE_SINK}],
        junctions=[{"id": "P", "name": "Port", "lon": 0.1, "lat": 0, "kind": "port",
                    "port_capex_musd": 20, "port_capex_musd_per_mtpa": 30,
                    "port_cost_usd_per_t": 2}],
        corridors=corridors)


def test_a_ship_reaches_offshore_storage_first_and_a_pipeline_later(tmp_path):
    """Source S, port P and offshore sink K. S–P a generic pipe (10 MUSD: 1 MUSD a year),
    P–K a ship corridor of 500 km (3 + 0.02 × 500 = 13 USD/t, and the port's 2 USD/t
    handled: 15), the port's terminal 20 MUSD and 30 MUSD per Mt/yr (no O&M), S–K a
    generic offshore pipe of 500 MUSD (50 MUSD a year). Targets 2 then 5 Mt/yr.
    2030 by ship: 1 + 0.1 × (20 + 30 × 2) + 15 × 2 = 39 MUSD a year (the pipe: 50).
    2040 by the pipe: 50 + what stays in service, S–P 1 and the terminal 8 = 59 (by
    ship: 1 + 0.1 × (20 + 30 × 5) + 15 × 5 = 93). Transport 10 × (39 + 59) = 980 MUSD,
    against 1,000 by the pipe alone and 1,320 by ship alone."""
    _port_network(tmp_path / "net")
    path = write_case(tmp_path / "ship.toml", "net", [2030, 2040], target=[2, 5],
                      period_years=10, finance=FINANCE, **SHIP_COSTS)
    out = run(*load(path), time_limit_s=60)
    assert out.result.status == "optimal"
    assert out.plan.npv_musd["transport"] == pytest.approx(980, rel=1e-6)
    p = out.plan.pipelines
    ship = p[p["mode"] == "ship"]
    assert list(ship["period"]) == [2030] and list(ship["flow_mtpa"]) == pytest.approx([2])
    ports = out.plan.ports.set_index("period")
    assert list(ports["open"]) == [1, 1]
    assert list(ports["capacity_mtpa"]) == pytest.approx([2, 2])
    assert list(ports["throughput_mtpa"]) == pytest.approx([2, 0])
    assert ports.loc[2030, "capex_musd"] == pytest.approx(20 + 30 * 2)
    # polishing trims an over-built terminal and a ship kept in use while idle
    from ccusplan.optimize.polish import trim_leased_and_ports

    b = out.formulation.lp.blocks
    x = out.result.x.copy()
    x[b["port_capacity"]] = 5.0
    trimmed = trim_leased_and_ports(out.instance, out.formulation, x)
    assert list(trimmed[b["port_capacity"]].ravel()) == pytest.approx([2, 2])
    assert list(trimmed[b["port_open"]].ravel()) == [1, 1]


def test_bad_modes_name_file_row_and_field_and_write_nothing(tmp_path):
    """A misspelt mode, a truck corridor with a capital cost, a truck with existing pipe,
    a ship between two sources, a port of an unknown kind: exit 2, every problem named."""
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 1},
                 {"id": "T", "lon": 1, "lat": 0, "capacity_mtpa": 1}],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 10, "max_injection_mtpa": 2}],
        junctions=[{"id": "P", "lon": 0.5, "lat": 0, "kind": "harbour"}],
        corridors=[{"from": "S", "to": "K", "mode": "barge"},
                   {"from": "T", "to": "K", "mode": "truck", "fixed_cost_musd": 3},
                   {"from": "S", "to": "T", "mode": "ship"},
                   {"from": "P", "to": "K", "mode": "rail", "existing_capacity_mtpa": 1}])
    path = write_case(tmp_path / "bad.toml", "net", [2030], target=[1])
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["solve", str(path), "--out", str(out)], obj=_State())
    assert r.exit_code == 2 and not out.exists()
    text = r.output
    for expected in ("corridors.csv, row 2, field 'mode': unknown mode 'barge'",
                     "corridors.csv, row 3, field 'fixed_cost_musd': a truck corridor lays no pipe",
                     "corridors.csv, row 4, field 'from': ship corridor S–T must join a port",
                     "corridors.csv, row 5, field 'existing_capacity_mtpa': a rail corridor",
                     "junctions.csv, row 2, field 'kind': unknown kind 'harbour'"):
        assert expected in text, text


# ------------------------------------------------------------------ routes compare --modes

def _costs():
    from ccusplan.costs.modes import ModeCost, PortCost

    modes = {"truck": ModeCost(0.1, 5.0, 0.1), "rail": ModeCost(0.05, 10.0, 1.0),
             "ship": ModeCost(0.01, 0.0, 0.0)}
    return modes, PortCost(capex_musd=30.0, capex_musd_per_mtpa=0.0, om_fraction_per_yr=0.0,
                           usd_per_t=10.0)


def test_mode_costs_by_volume_and_the_truck_to_rail_break_even_by_hand():
    """300 km: truck 5 + 0.1 × 300 + 0.1 / V = 35 + 0.1/V USD/t, rail 10 + 0.05 × 300 +
    1/V = 25 + 1/V: equal at V = 0.9 / 10 = 0.09 Mt/yr (36.11 USD/t). Ship over 500 km
    with a port of 30 MUSD at CRF 0.1: 0.01 × 500 + 10 + 3/V. The pipeline is the
    engineering model's cheapest size at each volume."""
    from ccusplan.model import PipelineSpec
    from ccusplan.routes.modes import Distances, break_evens, cost_by_volume, pipeline_usd_per_t

    spec, crf = PipelineSpec(), 0.1
    modes, port = _costs()
    d = Distances(pipeline_km=300, land_km=300, sea_km=500)
    t = cost_by_volume(d, spec, crf, modes, port, [0.05, 0.09, 1.0])
    assert list(t["truck"]) == pytest.approx([35 + 0.1 / v for v in (0.05, 0.09, 1.0)])
    assert list(t["rail"]) == pytest.approx([25 + 1 / v for v in (0.05, 0.09, 1.0)])
    assert list(t["ship"]) == pytest.approx([15 + 3 / v for v in (0.05, 0.09, 1.0)])
    assert t["pipeline"].iloc[2] == pytest.approx(pipeline_usd_per_t(1.0, d, spec, crf))
    full = cost_by_volume(d, spec, crf, modes, port)
    b = break_evens(d, spec, crf, modes, port, full)
    first = b.iloc[0]
    assert (first["below"], first["above"]) == ("truck", "rail")
    assert first["mtpa"] == pytest.approx(0.09, rel=1e-3)
    assert first["usd_per_t"] == pytest.approx(25 + 1 / 0.09, rel=1e-3)
    # every later change of mode: the two modes swap order across it
    for _, r in b.iloc[1:].iterrows():
        below = cost_by_volume(d, spec, crf, modes, port, [r["mtpa"] * (1 - 1e-3)]).iloc[0]
        above = cost_by_volume(d, spec, crf, modes, port, [r["mtpa"] * (1 + 1e-3)]).iloc[0]
        assert below[r["below"]] <= below[r["above"]] and above[r["above"]] <= above[r["below"]]


def test_routes_compare_with_modes_writes_the_table_the_chart_and_the_break_evens(tmp_path):
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    out = tmp_path / "r"
    r = CliRunner().invoke(cli, ["routes", "compare", str(root / "networks" / "qilu-shengli"),
                                 "--from", "QILU", "--to", "SHENGLI-EOR", "--modes",
                                 "--out", str(out)], obj=_State())
    assert r.exit_code == 0, r.output
    import pandas as pd

    t = pd.read_csv(out / "modes.csv")
    assert list(t.columns) == ["mtpa", "pipeline", "truck", "rail", "cheapest"]  # no port: no ship
    assert (t["cheapest"] == t[["pipeline", "truck", "rail"]].idxmin(axis=1)).all()
    assert t["cheapest"].iloc[0] == "truck" and t["cheapest"].iloc[-1] == "pipeline"
    assert "truck below" in r.output and "pipeline above" in r.output
    assert (out / "modes.png").read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------ candidates by mode

def test_truck_rail_and_ship_candidates_follow_their_radius_and_the_sea(tmp_path):
    """Truck 60 km, rail 150 km, ships 600 km from the Caofeidian port (118.5° E,
    38.95° N): the Bohai sink (119.8, 38.7; 116.3 km of open sea) gets a ship corridor,
    the Yellow Sea sink south of the Shandong peninsula (121.5, 35.5; 466 km) none — its
    great circle crosses the peninsula. Source A is 0.5° (43.3 km at 39° N) from the
    port, B 1.5° (129.8 km): A gets a truck and a rail corridor to the port, B rail only.
    Lengths: the geodesic × 1.2 by land, × 1.1 by sea."""
    from ccusplan.optimize import prepare
    from ccusplan.routes.candidates import geodesic_km

    write_network(
        tmp_path / "net",
        sources=[{"id": "A", "lon": 118.0, "lat": 38.95, "capacity_mtpa": 1},
                 {"id": "B", "lon": 117.0, "lat": 38.95, "capacity_mtpa": 1}],
        sinks=[{"id": "BOHAI", "kind": "saline_offshore", "lon": 119.8, "lat": 38.7,
                "capacity_mt": 100, "max_injection_mtpa": 5},
               {"id": "YELLOW", "kind": "saline_offshore", "lon": 121.5, "lat": 35.5,
                "capacity_mt": 100, "max_injection_mtpa": 5}],
        junctions=[{"id": "CFD", "lon": 118.5, "lat": 38.95, "kind": "port"}])
    path = write_case(tmp_path / "c.toml", "net", [2030], target=[1],
                      candidates={"truck_radius_km": 60.0, "rail_radius_km": 150.0,
                                  "ship_max_km": 600.0})
    inst = prepare(*load(path))
    c = inst.network.corridors
    leased = c[c["mode"] != "pipeline"]
    got = {(m, frozenset((a, b))): km for a, b, m, km in
           zip(leased["from"], leased["to"], leased["mode"], leased["length_km"])}
    km = lambda a, b: float(geodesic_km(*a, *b))  # noqa: E731
    want = {("truck", frozenset(("A", "CFD"))): 1.2 * km((118.0, 38.95), (118.5, 38.95)),
            ("rail", frozenset(("A", "CFD"))): 1.2 * km((118.0, 38.95), (118.5, 38.95)),
            ("rail", frozenset(("B", "CFD"))): 1.2 * km((117.0, 38.95), (118.5, 38.95)),
            ("ship", frozenset(("CFD", "BOHAI"))): 1.1 * km((118.5, 38.95), (119.8, 38.7))}
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-9), k
    # the pipelines are generated as before, beside them
    assert (c["mode"] == "pipeline").sum() > 0


def test_evaluate_fixes_a_plans_port_and_pipes_and_re_optimises_the_leased_transport(tmp_path):
    """The ship plan of the hand case above, evaluated under its own case: same objective
    (its port and pipes fixed, the ships re-optimised to the same choice)."""
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    test_a_ship_reaches_offshore_storage_first_and_a_pipeline_later(tmp_path)
    case = tmp_path / "ship.toml"
    runner = CliRunner()
    r = runner.invoke(cli, ["solve", str(case), "--out", str(tmp_path / "plan")], obj=_State())
    assert r.exit_code == 0, r.output
    assert (tmp_path / "plan" / "plan_ports.csv").is_file()
    r = runner.invoke(cli, ["evaluate", str(tmp_path / "plan"), "--case", str(case),
                            "--out", str(tmp_path / "ev.csv")], obj=_State())
    assert r.exit_code == 0, r.output
    import pandas as pd

    t = pd.read_csv(tmp_path / "ev.csv")
    assert t["cost_musd"].iloc[0] == pytest.approx(10 * 10 * 7 + 980, rel=1e-6)


def test_no_pipelines_at_sea_leaves_offshore_storage_to_ships(tmp_path):
    """[candidates] pipelines_at_sea = false: no new pipeline reaches the offshore sink
    (the generic pipe given to it stays, as an asset); the ship carries the target, at
    the hand-worked cost of the ship case (2 Mt/yr: 1 + 0.1 × (20 + 30 × 2) + 15 × 2 =
    39 MUSD a year by ship and the S–P pipe)."""
    from ccusplan.optimize import prepare
    from ccusplan.optimize.instance import offshore_corridors

    _port_network(tmp_path / "net", offshore_pipe=False)
    path = write_case(tmp_path / "c.toml", "net", [2030], target=[2], period_years=10,
                      finance=FINANCE, candidates={"add_to_given": True,
                                                   "pipelines_at_sea": False},
                      **SHIP_COSTS)
    inst = prepare(*load(path))
    c = inst.network.corridors
    at_sea = offshore_corridors(c, inst.network) & (c["mode"] == "pipeline").to_numpy()
    assert not at_sea.any()
    out = run(*load(path), time_limit_s=60)
    assert out.plan.npv_musd["transport"] == pytest.approx(10 * 39, rel=1e-6)
