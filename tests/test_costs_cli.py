"""`ccusplan costs pipeline|curve`, and the MILP choosing the sizes the sizing tool chooses."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network
from ccusplan.cli import _State, cli
from ccusplan.costs.finance import capital_recovery_factor
from ccusplan.costs.pipeline import size_pipeline
from ccusplan.model import PipelineSpec
from ccusplan.optimize import run

KEYS = {"nominal_diameter_in", "inner_diameter_m", "velocity_m_s", "pressure_drop_mpa",
        "boosters", "capex_musd", "om_musd_per_yr", "levelized_usd_per_t", "density_kg_m3"}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], obj=_State())


def test_costs_pipeline_json_has_the_contract_keys_and_matches_the_library():
    r = invoke("costs", "pipeline", "--mtpa", 1.7, "--km", 109, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert KEYS <= set(out)
    lib = size_pipeline(1.7, 109, PipelineSpec(), capital_recovery_factor(0.08, 30))
    assert out["nominal_diameter_in"] == lib["nominal_diameter_in"] in (10, 12)  # Qilu–Shengli
    assert out["capex_musd"] == pytest.approx(lib["capex_musd"])
    # ρ·v·A is the mass flow: 1.7 Mt/yr
    area = 3.141592653589793 * out["inner_diameter_m"] ** 2 / 4
    kg_s = out["density_kg_m3"] * out["velocity_m_s"] * area
    assert kg_s * 3.15576e7 / 1e9 == pytest.approx(1.7, rel=0.01)


def test_costs_pipeline_table_and_bad_input():
    r = invoke("costs", "pipeline", "--mtpa", 5, "--km", 200)
    assert r.exit_code == 0 and "nominal size" in r.stdout and "levelised" in r.stdout
    assert invoke("costs", "pipeline", "--mtpa", 0, "--km", 100).exit_code == 2


def test_a_flow_no_size_carries_is_an_input_error_saying_how_to_split_it():
    """100 Mt/yr is more than the largest standard size (48") carries at the default 2 m/s:
    exit 2 (bad input), not an internal error, with the largest size's capacity (the flow
    at 2 m/s through its inner diameter at the line's density) and a split that fits."""
    from ccusplan.costs.pipeline import size_capacities_mtpa

    r = invoke("costs", "pipeline", "--mtpa", 100, "--km", 100)
    assert r.exit_code == 2, r.output
    largest = float(size_capacities_mtpa(PipelineSpec()).max())
    assert 40 < largest < 100
    assert f"at most {largest:.2f} Mt/yr" in r.output and "--mtpa 50" in r.output
    assert "internal error" not in r.output and "max_velocity_m_s" in r.output
    half = invoke("costs", "pipeline", "--mtpa", 50, "--km", 100, "--json")
    assert half.exit_code == 0 and json.loads(half.output)["nominal_diameter_in"] == 48


def test_costs_curve_prints_and_plots(tmp_path):
    png = tmp_path / "curve.png"
    r = invoke("costs", "curve", "--km", 150, "--plot", png)
    assert r.exit_code == 0, r.output
    assert "cheapest" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


@pytest.mark.parametrize("mtpa", [0.8, 1.7, 4.0, 9.0])
def test_milp_picks_the_size_the_sizing_tool_picks(tmp_path, mtpa):
    """One source, one sink, a 109 km corridor, one period: the MILP buys exactly the
    size `ccusplan costs pipeline` names for the flow it carries (under 150 km no booster
    is needed, so the two cost the line identically)."""
    write_network(tmp_path / "net",
                  sources=[{"id": "S", "lon": 118.3, "lat": 36.8, "capacity_mtpa": mtpa,
                            **FREE_SOURCE}],
                  sinks=[{"id": "K", "lon": 117.8, "lat": 37.2, "capacity_mt": 1e4,
                          "max_injection_mtpa": 50, **FREE_SINK}],
                  corridors=[{"from": "S", "to": "K", "length_km": 109}])
    case = write_case(tmp_path / "c.toml", "net", [2030], target=[mtpa],
                      finance={"discount_rate": 0.08, "pipeline_life_years": 30})
    out = run(*load_case(case), solver="highs", mip_gap=0.0)
    pipes = out.plan.pipelines
    assert len(pipes) == 1 and pipes["pipes"].iloc[0] == 1
    tool = size_pipeline(mtpa, 109, PipelineSpec(), capital_recovery_factor(0.08, 30))
    assert pipes["pipe_class"].iloc[0] == tool["name"]
    assert pipes["capex_musd"].iloc[0] == pytest.approx(tool["capex_musd"], rel=1e-9)


def test_an_uphill_corridor_carries_less_and_the_milp_knows(tmp_path):
    """450 m of climb over 109 km costs ρ·g·Δz ≈ 4.1 MPa of the 5 MPa budget: the same flow
    needs a larger pipe than on the flat, and the MILP buys the size the sizing tool names
    for that climb."""
    spec, crf = PipelineSpec(), capital_recovery_factor(0.08, 30)
    flat = size_pipeline(1.7, 109, spec, crf, max_boosters=0)
    climb = size_pipeline(1.7, 109, spec, crf, elevation_change_m=450, max_boosters=0)
    assert climb["nominal_diameter_in"] > flat["nominal_diameter_in"]
    write_network(tmp_path / "net",
                  sources=[{"id": "S", "lon": 118.3, "lat": 36.8, "capacity_mtpa": 1.7,
                            **FREE_SOURCE}],
                  sinks=[{"id": "K", "lon": 117.8, "lat": 37.2, "capacity_mt": 1e4,
                          "max_injection_mtpa": 50, **FREE_SINK}],
                  corridors=[{"from": "K", "to": "S", "length_km": 109,
                              "elevation_change_m": -450}])  # S → K climbs 450 m
    case = write_case(tmp_path / "c.toml", "net", [2030], target=[1.7],
                      finance={"discount_rate": 0.08, "pipeline_life_years": 30})
    out = run(*load_case(case), solver="highs", mip_gap=0.0)
    assert out.plan.pipelines["pipe_class"].iloc[0] == climb["name"]


def test_a_size_catalogue_restricts_the_plan(tmp_path):
    """With [pipeline] sizes_in = [16], 1.7 Mt/yr over 109 km can only use 16" pipe
    (the free choice is 10"); its cost is the 16" cost on that corridor."""
    write_network(tmp_path / "net",
                  sources=[{"id": "S", "lon": 118.3, "lat": 36.8, "capacity_mtpa": 1.7,
                            **FREE_SOURCE}],
                  sinks=[{"id": "K", "lon": 117.8, "lat": 37.2, "capacity_mt": 1e4,
                          "max_injection_mtpa": 50, **FREE_SINK}],
                  corridors=[{"from": "S", "to": "K", "length_km": 109}])
    case = write_case(tmp_path / "c.toml", "net", [2030], target=[1.7],
                      pipeline={"sizes_in": [16]})
    out = run(*load_case(case), solver="highs", mip_gap=0.0)
    assert out.plan.pipelines["pipe_class"].tolist() == ['16"']
    bad = write_case(tmp_path / "bad.toml", "net", [2030], target=[1.7],
                     pipeline={"sizes_in": [13]})
    with pytest.raises(Exception, match="sizes_in"):
        load_case(bad)
