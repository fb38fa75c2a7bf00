"""The Qilu–Shengli example (networks/qilu-shengli, -routed; cases/qilu-shengli*.toml):
the committed files are exactly what their build script and `routes candidates` write."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ccusplan.cli import _State, cli
from ccusplan.io import load
from ccusplan.io.obstacles import read_obstacles

ROOT = Path(__file__).resolve().parents[1]
NET = ROOT / "networks" / "qilu-shengli"
ROUTED = ROOT / "networks" / "qilu-shengli-routed"


def test_the_committed_files_are_exactly_the_build_scripts_output(tmp_path):
    spec = importlib.util.spec_from_file_location("qs_build", NET / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(tmp_path)
    for name in ("sources.csv", "sinks.csv", "corridors.csv", "obstacles.geojson"):
        assert (tmp_path / name).read_text() == (NET / name).read_text(), name


def test_the_routed_network_is_the_output_of_routes_candidates(tmp_path):
    r = CliRunner().invoke(cli, ["routes", "candidates", str(NET), "--out", str(tmp_path / "r")],
                           obj=_State())
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r" / "junctions.csv").read_text() == (ROUTED / "junctions.csv").read_text()
    ours = json.loads((tmp_path / "r" / "corridors.geojson").read_text())["features"]
    committed = json.loads((ROUTED / "corridors.geojson").read_text())["features"]
    assert len(ours) == len(committed)
    for a, b in zip(ours, committed):
        assert a["properties"] == b["properties"]
        if a["geometry"] is None:
            assert b["geometry"] is None
        else:
            assert np.allclose(a["geometry"]["coordinates"], b["geometry"]["coordinates"],
                               atol=1e-6)


@pytest.mark.parametrize("case", ["qilu-shengli.toml", "qilu-shengli-routed.toml"])
def test_both_cases_load_and_no_node_is_inside_a_forbidden_obstacle(case):
    c, net = load(ROOT / "cases" / case)
    obstacles = read_obstacles(net.path, net.nodes())   # raises if a node were inside
    assert obstacles["forbidden"].sum() == 6 and set(obstacles["kind"]) == {
        "river", "urban", "reserve"}
    cor = net.corridors
    line = cor[(cor["from"] == "QILU") & (cor["to"] == "SHENGLI-EOR")]
    assert line["length_km"].tolist() == [109.0]
    assert line["existing_capacity_mtpa"].tolist() == [1.7]
