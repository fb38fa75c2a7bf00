"""``ccusplan routes compare`` and ``ccusplan compare`` through the command line: what
they print and write, and bad input (exit 2, the file, feature and field named, nothing
written)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

from ccusplan.cli import _State, cli
from ccusplan.costs.pipeline import size_pipeline
from ccusplan.model import PipelineSpec
from conftest import FREE_SINK, FREE_SOURCE, hand_network, write_case, write_network
from routes_helpers import geodesic_km, write_obstacles, write_raster


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    return result


def said(result) -> str:
    return " ".join((result.stdout + "\n" + result.stderr).split())


def two_node_network(tmp_path, obstacles=None, corridors=None):
    net = write_network(
        tmp_path / "net",
        sources=[{"id": "S", "lon": 117.0, "lat": 36.0, "capacity_mtpa": 2, **FREE_SOURCE}],
        sinks=[{"id": "K", "lon": 117.8, "lat": 36.4, "capacity_mt": 100,
                "max_injection_mtpa": 5, **FREE_SINK}],
        corridors=corridors)
    if obstacles is not None:
        write_obstacles(net, obstacles)
    return net


OBSTACLES = [
    {"name": "town", "kind": "urban", "forbidden": True, "geometry": box(117.33, 36.12, 117.47, 36.28)},
    {"name": "river", "kind": "river", "cost_factor": 3,
     "geometry": shapely.LineString([(117.15, 36.5), (117.55, 35.85)]).buffer(0.005)}]


def test_compare_prints_and_writes_k_routes_with_their_pipes(tmp_path):
    net = two_node_network(tmp_path, OBSTACLES,
                           corridors=[{"from": "S", "to": "K", "length_km": 120}])
    r = invoke("routes", "compare", net, "--from", "S", "--to", "K", "--k", "3",
               "--mtpa", "2", "--out", "cmp")
    assert r.exit_code == 0, r.output
    out = tmp_path / "cmp"
    assert {p.name for p in out.iterdir()} == {"routes.geojson", "routes.csv", "routes.png"}
    assert (out / "routes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "routes.csv")
    assert list(table["route"]) == ["1", "2", "3", "given"]
    geo = geodesic_km((117.0, 36.0), (117.8, 36.4))
    assert table["geodesic_km"].to_numpy() == pytest.approx(geo, rel=1e-6)
    assert table["detour_ratio"].to_numpy() == pytest.approx(table["length_km"] / geo, rel=1e-5)
    given = table[table["route"] == "given"].iloc[0]
    assert given["length_km"] == 120 and np.isnan(given["crossed_river_km"])
    # each pipe is the one costs.pipeline sizes at 2 Mt/yr over the route's length and terrain
    for _, row in table.iterrows():
        p = size_pipeline(2.0, row["length_km"], PipelineSpec(), _crf(),
                          terrain_factor=row["cost_weight"] / row["length_km"])
        assert row["nominal_diameter_in"] == p["nominal_diameter_in"]
        assert row["capex_musd"] == pytest.approx(p["capex_musd"], rel=1e-5)
        assert row["levelized_usd_per_t"] == pytest.approx(p["levelized_usd_per_t"], rel=1e-5)
    feats = json.loads((out / "routes.geojson").read_text())["features"]
    assert len(feats) == 4 and feats[-1]["geometry"] is None   # the given line has no geometry
    for f in feats[:3]:
        line = shapely.geometry.shape(f["geometry"])
        assert not line.intersects(OBSTACLES[0]["geometry"])
        assert f["properties"]["length_km"] == pytest.approx(table.loc[feats.index(f), "length_km"],
                                                            rel=1e-5)
    text = said(r)
    assert "S → K: geodesic" in text and "given 120.0" in text
    assert text.count("river") >= 3  # every route crosses the river, and says so


def _crf() -> float:
    from ccusplan.costs.finance import capital_recovery_factor
    from ccusplan.model import Finance

    f = Finance()
    return capital_recovery_factor(f.discount_rate, f.pipeline_life_years)


def test_compare_over_a_cost_raster_uses_the_grid(tmp_path):
    net = two_node_network(tmp_path)
    from pyproj import Transformer

    t = Transformer.from_crs(4326, "EPSG:32650", always_xy=True)
    (x0, x1), (y0, y1) = t.transform([116.8, 118.0], [36.6, 35.8])
    values = np.full((int((y0 - y1) // 1000), int((x1 - x0) // 1000)), 2.0)
    write_raster(net / "cost_surface.tif", values, x0, y0, 1000.0)
    r = invoke("routes", "compare", net, "--from", "S", "--to", "K", "--k", "1", "--out", "c")
    assert r.exit_code == 0, r.output
    row = pd.read_csv(tmp_path / "c" / "routes.csv").iloc[0]
    assert row["cost_weight"] == pytest.approx(2 * row["length_km"], rel=1e-5)  # ×2 everywhere
    assert row["length_km"] == pytest.approx(geodesic_km((117.0, 36.0), (117.8, 36.4)), rel=1e-5)
    assert "1 km grid" in said(r)


def test_no_route_when_forbidden_obstacles_enclose_a_node(tmp_path):
    ring = box(117.7, 36.3, 117.9, 36.5).difference(box(117.75, 36.35, 117.85, 36.45))
    net = two_node_network(tmp_path, [{"name": "ring", "forbidden": True, "geometry": ring}])
    r = invoke("routes", "compare", net, "--from", "S", "--to", "K", "--out", "c")
    assert r.exit_code == 1
    assert "no route joins S and K" in said(r)
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("feature, expected", [
    ({"cost_factor": 0.5}, "row 1, field 'cost_factor': 0.5 is below 1"),
    ({"cost_factor": "high"}, "row 1, field 'cost_factor': 'high' is not a number"),
    ({"forbidden": True, "cost_factor": 2}, "row 1, field 'cost_factor': a forbidden obstacle "
                                            "has no cost factor: give either forbidden = true"),
    ({}, "row 1, field 'cost_factor': expected a cost_factor ≥ 1 or forbidden = true"),
    ({"forbidden": "maybe"}, "row 1, field 'forbidden': 'maybe' is not true or false"),
    ({"cost_factor": 2, "geometry": shapely.LineString([(117, 36), (118, 37)])},
     "row 1, field 'geometry': geometry is a LineString; expected a Polygon"),
    ({"cost_factor": 2, "geometry": shapely.Polygon([(117, 36), (118, 37), (118, 36), (117, 37)])},
     "row 1, field 'geometry': invalid polygon (Self-intersection"),
    ({"forbidden": True, "geometry": box(116.9, 35.9, 117.1, 36.1)},
     "row 1, field 'geometry': node 'S' lies inside this forbidden obstacle"),
])
@pytest.mark.parametrize("command", ["compare", "candidates"])
def test_bad_obstacles_exit_2_naming_file_feature_and_field(tmp_path, feature, expected, command):
    net = two_node_network(tmp_path, [{"name": "x", "geometry": box(117.3, 36.1, 117.4, 36.2),
                                       **feature}])
    args = (["--from", "S", "--to", "K"] if command == "compare" else []) + ["--out", "o"]
    r = invoke("routes", command, net, *args)
    assert r.exit_code == 2
    assert f"net/obstacles.geojson, {expected}" in said(r)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("make, expected", [
    (lambda p: write_raster(p, np.ones((5, 5)), 0, 5, 1, count=2), "has 2 bands"),
    (lambda p: write_raster(p, -np.ones((5, 5)), 0, 5, 1), "25 cells hold multipliers that are not "
                                                           "positive numbers, the first at row 1, "
                                                           "column 1 (-1)"),
    (lambda p: write_raster(p, np.ones((5, 5)), 0, 5, 1, crs=None), "has no coordinate reference"),
    (lambda p: p.write_text("not a tiff"), "cannot read as a GeoTIFF"),
])
def test_bad_cost_raster_exits_2(tmp_path, make, expected):
    net = two_node_network(tmp_path)
    make(net / "cost_surface.tif")
    r = invoke("routes", "compare", net, "--from", "S", "--to", "K", "--out", "o")
    assert r.exit_code == 2
    assert "net/cost_surface.tif" in said(r) and expected in said(r)
    assert not (tmp_path / "o").exists()


def test_unknown_nodes_exit_2_naming_the_options(tmp_path):
    net = two_node_network(tmp_path)
    r = invoke("routes", "compare", net, "--from", "X", "--to", "Y")
    assert r.exit_code == 2
    text = said(r)
    assert "field '--from': unknown node 'X'" in text and "field '--to': unknown node 'Y'" in text


# ------------------------------------------------------------------ compare plans

def test_compare_puts_solved_plans_side_by_side(tmp_path):
    """The hand network (tests/conftest.py: 124 MUSD/yr at 8 Mt/yr, 330 km of pipe costing
    330 MUSD) against the same network with capture at 15 instead of 10 USD/t: the same
    plan, 8 Mt × 5 USD/t = 40 MUSD/yr dearer (164)."""
    write_network(tmp_path / "cheap", **hand_network())
    dear = hand_network()
    dear["sources"] = [{**dear["sources"][0], "capture_cost_usd_per_t": 15}]
    write_network(tmp_path / "dear", **dear)
    for name in ("cheap", "dear"):
        case = write_case(tmp_path / f"{name}.toml", name, [2030], target=[8],
                          finance={"crf": 0.1, "discount_rate": 0.0})
        assert invoke("solve", case, "--out", f"out-{name}").exit_code == 0
    r = invoke("compare", "out-cheap", "out-dear", "--csv", "cmp.csv")
    assert r.exit_code == 0, r.output
    text = said(r)
    assert "objective MUSD 124 164" in text
    assert "new pipe km 330 330" in text and "capex MUSD 330 330" in text
    assert "cheapest: out-cheap (124.0 MUSD/yr; 40.0 MUSD/yr less than out-dear)" in text
    table = pd.read_csv(tmp_path / "cmp.csv", dtype=str, keep_default_na=False)
    stored = table[(table["metric"] == "stored Mt/yr") & (table["period"] == "2030")]
    assert stored[["out-cheap", "out-dear"]].astype(float).to_numpy().tolist() == [[8.0, 8.0]]
    assert "same targets" not in text


def test_compare_says_when_the_plans_meet_different_targets(tmp_path):
    """The hand network at 8 and at 6 Mt/yr: the smaller plan is cheaper, and compare says
    the two do not meet the same targets."""
    write_network(tmp_path / "net", **hand_network())
    for name, target in (("eight", 8), ("six", 6)):
        case = write_case(tmp_path / f"{name}.toml", "net", [2030], target=[target],
                          finance={"crf": 0.1, "discount_rate": 0.0})
        assert invoke("solve", case, "--out", f"out-{name}").exit_code == 0
    text = said(invoke("compare", "out-eight", "out-six"))
    assert "cheapest: out-six" in text
    assert ("note: the plans do not meet the same targets (Mt/yr by period — out-eight: "
            "target 2030 8; out-six: target 2030 6)") in text


def test_compare_needs_result_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    r = invoke("compare", "empty", "missing")
    assert r.exit_code == 2
    text = said(r)
    assert "empty: not a ccusplan result folder" in text and "missing: does not exist" in text


def test_validate_and_solve_note_that_generated_candidates_ignore_obstacles(tmp_path):
    net = two_node_network(tmp_path, OBSTACLES)
    case = write_case(tmp_path / "c.toml", "net", [2030], target=[1])
    note = ("note: net has obstacles, but the candidate corridors generated for this case "
            "are straight lines that ignore them; `ccusplan routes candidates net --out DIR`")
    r = invoke("validate", case)
    assert r.exit_code == 0 and note in said(r)
    assert invoke("routes", "candidates", net, "--out", "routed").exit_code == 0
    routed = write_case(tmp_path / "r.toml", "routed", [2030], target=[1])
    r = invoke("validate", routed)
    assert r.exit_code == 0 and "note:" not in said(r)


def test_a_node_in_a_grid_cell_touched_by_a_forbidden_obstacle_needs_smaller_cells(tmp_path):
    """S sits 300 m from a forbidden block: outside it, but inside a 1-km cell it touches."""
    net = two_node_network(tmp_path, [{"name": "block", "forbidden": True,
                                       "geometry": box(117.0035, 35.99, 117.02, 36.01)}])
    r = invoke("routes", "candidates", net, "--out", "o")
    assert r.exit_code == 2
    assert ("field '--cell-km': node 'S' lies in a 1 km grid cell that a forbidden obstacle "
            "touches") in said(r)
    assert not (tmp_path / "o").exists()
    assert invoke("routes", "candidates", net, "--out", "o", "--cell-km", "0.1").exit_code == 0


def test_candidates_say_that_given_corridors_are_kept_and_not_routed(tmp_path):
    """A network that gives its corridors: the pairs it gives are kept as they are, and the
    command says so instead of seeming to route nothing."""
    net = two_node_network(tmp_path, OBSTACLES, corridors=[{"from": "S", "to": "K",
                                                             "length_km": 90}])
    r = invoke("routes", "candidates", net, "--out", "o")
    assert r.exit_code == 0, said(r)
    text = said(r)
    assert "routed 0 candidate pairs" in text
    assert "net gives 1 corridor(s): kept as given, not routed" in text
    assert "without" not in said(invoke("routes", "candidates", two_node_network(
        tmp_path / "bare", OBSTACLES), "--out", tmp_path / "o2"))
