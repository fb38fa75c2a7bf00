"""The ``ccusplan`` command line against its contract: exit status, messages, result folder.

Every test runs the click group through ``CliRunner`` (as ``main()`` does, with a
fresh ``_State`` as ``obj``) inside ``tmp_path``, which is also the working
directory, so messages show short relative paths (``net/sources.csv``) and the
default result folder ``outputs/<case name>/`` lands in ``tmp_path``.

Exit status: 0 a plan was found; 1 infeasible (with a diagnosis in words);
2 bad input (file, row and field named; nothing written). No traceback ever.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import NO_DISCOUNT, hand_network, write_case, write_network

import ccusplan
import ccusplan.optimize
from ccusplan.cli import _State, cli
from ccusplan.io.results import RESULT_FILES

SUMMARY_KEYS = ("case", "status", "objective_musd", "best_bound_musd", "mip_gap",
                "levelized_cost_usd_per_t", "solver", "build_seconds", "solve_seconds",
                "n_variables", "n_binaries", "n_constraints", "stored_mtpa_by_period",
                "pipeline_km", "ccusplan_version")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> Result:
    """Run ``ccusplan ARGS`` as ``main()`` does; no exception but SystemExit may escape."""
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


def said(result: Result) -> str:
    """Everything printed (stdout and stderr) with whitespace runs as one space.

    The CLI prints through rich, which hard-wraps long lines at the console width
    (80 columns for a pipe); the words and their order are what is asserted.
    """
    return " ".join((result.stdout + "\n" + result.stderr).split())


def files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# ------------------------------------------------------------------ cases

def hand_case(folder: Path, target=(8,), name: str = "hand", **case_kw) -> Path:
    """The hand network in ``folder/net`` and its case ``folder/<name>.toml``."""
    write_network(folder / "net", **hand_network())
    tables = {"finance": NO_DISCOUNT, "solver": {"mip_gap": 0.0}} | case_kw
    return write_case(folder / f"{name}.toml", "net", [2025], target=list(target), **tables)


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


# ------------------------------------------------------- 1. a solved case

def test_solve_writes_the_whole_result_contract(tmp_path, solver):
    case = hand_case(tmp_path)
    r = invoke("solve", case, "--solver", solver, "--out", "res")
    assert r.exit_code == 0, said(r)
    out = tmp_path / "res"
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert set(RESULT_FILES) == {"summary.json", "plan_sources.csv", "plan_sinks.csv",
                                 "plan_pipelines.csv", "network.geojson", "timeline.csv",
                                 "timeline_sinks.csv", "timeline.png", "network_map.png",
                                 "cost_breakdown.png"}
    assert "results written to res/" in said(r)

    s = summary_of(out)
    assert set(SUMMARY_KEYS) <= s.keys()
    assert s["case"] == "hand" and s["status"] == "optimal"
    assert s["objective_musd"] == pytest.approx(124, abs=1e-6)
    assert s["best_bound_musd"] == pytest.approx(124, abs=1e-4)
    assert s["mip_gap"] == pytest.approx(0, abs=1e-6)
    assert s["levelized_cost_usd_per_t"] == pytest.approx(124 / 8)  # undiscounted, 1 year
    assert s["solver"].split()[0] == solver
    assert s["stored_mtpa_by_period"] == {"2025": pytest.approx(8)}
    assert s["pipeline_km"] == pytest.approx(330)
    assert s["ccusplan_version"] == ccusplan.__version__
    for k in ("build_seconds", "solve_seconds"):
        assert isinstance(s[k], float) and 0 <= s[k] < 60
    for k in ("n_variables", "n_binaries", "n_constraints"):
        assert isinstance(s[k], int) and s[k] > 0
    assert s["n_binaries"] < s["n_variables"]  # flows and capture are continuous

    src = pd.read_csv(out / "plan_sources.csv")
    snk = pd.read_csv(out / "plan_sinks.csv")
    pipes = pd.read_csv(out / "plan_pipelines.csv")
    assert src["source_id"].tolist() == ["S"]
    assert src["captured_mtpa"].sum() == pytest.approx(8)
    by_sink = snk.set_index("sink_id")["injected_mtpa"]
    assert by_sink.sum() == pytest.approx(s["stored_mtpa_by_period"]["2025"])
    assert by_sink.to_dict() == {"K1": pytest.approx(5), "K2": pytest.approx(3)}
    assert (pipes["pipes_added"] * pipes["length_km"]).sum() == pytest.approx(s["pipeline_km"])
    p = pipes.set_index(["from", "to"])
    assert p.loc[("S", "J"), "pipe_class"] == "small" and p.loc[("S", "J"), "pipes"] == 2
    assert p.loc[("S", "J"), "flow_mtpa"] == pytest.approx(8)
    assert p.loc[("K2", "J"), "flow_mtpa"] == pytest.approx(-3)

    gj = json.loads((out / "network.geojson").read_text())
    assert gj["type"] == "FeatureCollection"
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert {(f["properties"]["from"], f["properties"]["to"]) for f in lines} == {
        ("S", "J"), ("J", "K1"), ("K2", "J")}
    assert len(lines) == 3
    xy = {"S": [0, 0], "J": [0.5, 0.2], "K1": [1, 0], "K2": [1, 1]}
    for f in lines:
        ends = [f["properties"]["from"], f["properties"]["to"]]
        assert f["geometry"]["coordinates"] == [pytest.approx(xy[n]) for n in ends]
    points = {f["properties"]["id"]: f for f in gj["features"]
              if f["geometry"]["type"] == "Point"}
    assert {k: f["properties"]["role"] for k, f in points.items()} == {
        "S": "source", "K1": "sink", "K2": "sink", "J": "junction"}
    assert all(f["geometry"]["coordinates"] == pytest.approx(xy[k]) for k, f in points.items())


def test_default_out_dir_is_outputs_case_name_under_the_working_directory(
        tmp_path, monkeypatch, solver):
    case = hand_case(tmp_path / "cases", name="demo-1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    r = invoke("solve", case, "--solver", solver)
    assert r.exit_code == 0, said(r)
    out = work / "outputs" / "demo-1"
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert summary_of(out)["case"] == "demo-1"
    assert not (tmp_path / "cases" / "outputs").exists()  # not next to the case file
    assert sorted(p.name for p in (work / "outputs").iterdir()) == ["demo-1"]
    assert f"results written to {Path('outputs') / 'demo-1'}/" in said(r)


# --------------------------------------------------- 2. atomic replacement

def test_solving_again_replaces_the_results_and_leaves_no_temp_folders(tmp_path, solver):
    case = hand_case(tmp_path)
    out = tmp_path / "res" / "run"
    assert invoke("solve", case, "--solver", solver, "--out", out).exit_code == 0
    assert summary_of(out)["stored_mtpa_by_period"] == {"2025": pytest.approx(8)}

    hand_case(tmp_path, target=(3,))  # the same case file, now 3 Mt/yr
    r = invoke("solve", case, "--solver", solver, "--out", out)
    assert r.exit_code == 0, said(r)
    s = summary_of(out)
    assert s["stored_mtpa_by_period"] == {"2025": pytest.approx(3)}
    assert pd.read_csv(out / "plan_sinks.csv")["injected_mtpa"].sum() == pytest.approx(3)
    assert s["objective_musd"] < 124
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert [p.name for p in (tmp_path / "res").iterdir()] == ["run"]  # no .tmp-/.old- left


def test_an_infeasible_run_replaces_an_earlier_plan(tmp_path, solver):
    case = hand_case(tmp_path)
    assert invoke("solve", case, "--solver", solver, "--out", "res").exit_code == 0
    hand_case(tmp_path, target=(11,))  # more than S's 10 Mt/yr
    r = invoke("solve", case, "--solver", solver, "--out", "res")
    assert r.exit_code == 1
    assert summary_of(tmp_path / "res")["status"] == "infeasible"
    assert pd.read_csv(tmp_path / "res" / "plan_sinks.csv").empty
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hand.toml", "net", "res"]


# ------------------------------------------------------------- 3. infeasible

def solve_infeasible(tmp_path: Path, solver: str, network: dict, periods, target) -> tuple:
    write_network(tmp_path / "net", **network,
                  pipe_classes=[{"name": "p", "capacity_mtpa": 20, "capex_musd_per_unit": 1}])
    case = write_case(tmp_path / "inf.toml", "net", periods, target=list(target),
                      finance=NO_DISCOUNT)
    r = invoke("solve", case, "--solver", solver, "--out", "res")
    assert r.exit_code == 1, said(r)
    s = summary_of(tmp_path / "res")
    assert s["status"] == "infeasible" and s["objective_musd"] is None
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == sorted(RESULT_FILES)
    assert json.loads((tmp_path / "res" / "network.geojson").read_text())["features"] == []
    return r, s


def test_infeasible_target_beyond_capture_available_by_then(tmp_path, solver):
    """S1 (5 Mt/yr) runs from the start, S2 (5 Mt/yr) only from 2030: 8 Mt/yr is fine in
    2030 (10 available) but not in 2025 (5 available)."""
    k = {"id": "K", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 20}
    r, s = solve_infeasible(tmp_path, solver, dict(
        sources=[{"id": "S1", "lon": 0, "lat": 0, "capacity_mtpa": 5},
                 {"id": "S2", "lon": 0, "lat": 1, "capacity_mtpa": 5, "available_from": 2030}],
        sinks=[k],
        corridors=[{"from": "S1", "to": "K", "length_km": 10},
                   {"from": "S2", "to": "K", "length_km": 10}],
    ), periods=[2025, 2030], target=[8, 8])
    why = ("target of 2025 (8 Mt/yr) exceeds the capture capacity available by then "
           "(5 Mt/yr)")
    assert why in " ".join(r.stderr.split())
    assert "target of 2030" not in said(r)
    assert s["diagnosis"] == [why]


def test_infeasible_sink_not_connected_to_any_source(tmp_path, solver):
    """K1 takes at most 4 Mt/yr, so 8 Mt/yr needs K2 — which no corridor reaches."""
    r, s = solve_infeasible(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 1000, "max_injection_mtpa": 4},
               {"id": "K2", "lon": 2, "lat": 0, "capacity_mt": 1000,
                "max_injection_mtpa": 10}],
        corridors=[{"from": "S", "to": "K1", "length_km": 10}],
    ), periods=[2025], target=[8])
    why = ("target of 2025 (8 Mt/yr) exceeds the injection rate of the sinks available then "
           "that a source can reach (4 Mt/yr: K1 4); sink K2 cannot be reached from any source")
    assert why in " ".join(r.stderr.split())
    assert "sink K1" not in said(r)
    assert s["diagnosis"] == [why]


def test_infeasible_storage_of_the_reachable_sinks_names_them_and_the_unreachable(tmp_path,
                                                                                  solver):
    """3.5 Mt/yr for 15 one-year periods is 52.5 Mt; the sink S reaches holds 37 Mt and the
    one that would hold the rest (ARAMIS) has no corridor: the capacity checks count only
    the reachable sink, and name both."""
    r, s = solve_infeasible(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 37, "max_injection_mtpa": 10},
               {"id": "ARAMIS", "lon": 3, "lat": 0, "capacity_mt": 500,
                "max_injection_mtpa": 10}],
        corridors=[{"from": "S", "to": "K1", "length_km": 10}],
    ), periods=list(range(2025, 2040)), target=[3.5] * 15)
    why = ("the targets need 52.5 Mt stored over the horizon but the sinks a source can reach "
           "hold 37 Mt (K1 37); sink ARAMIS cannot be reached from any source")
    assert why in " ".join(r.stderr.split())
    assert s["diagnosis"] == [why]


def test_validate_says_when_no_plan_can_meet_the_targets(tmp_path):
    """The input is well formed, but 70 Mt/yr is more than every source can capture (10):
    validate says so, with solve's reason, and exits 1."""
    case = hand_case(tmp_path, target=(70,))
    r = invoke("validate", case)
    assert r.exit_code == 1, said(r)
    assert "no plan can meet the targets" in " ".join(r.stdout.split())
    assert ("target of 2025 (70 Mt/yr) exceeds the capture capacity available by then "
            "(10 Mt/yr)") in " ".join(r.stderr.split())
    assert invoke("validate", hand_case(tmp_path / "ok")).exit_code == 0


def test_infeasible_cumulative_storage_beyond_all_sinks(tmp_path, solver):
    """5 Mt/yr for three one-year periods is 15 Mt; the only sink holds 12 Mt (each
    period's rate alone would fit)."""
    r, s = solve_infeasible(tmp_path, solver, dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10}],
        sinks=[{"id": "K", "lon": 1, "lat": 0, "capacity_mt": 12, "max_injection_mtpa": 10}],
        corridors=[{"from": "S", "to": "K", "length_km": 10}],
    ), periods=[2025, 2026, 2027], target=[5, 5, 5])
    why = "the targets need 15 Mt stored over the horizon but all sinks together hold 12 Mt"
    assert why in " ".join(r.stderr.split())
    assert s["diagnosis"] == [why]


# -------------------------------------------------------------- 4. bad input

def _net(**change):
    """hand_network() with ``change(table_rows)`` applied per table."""
    def write(tmp_path: Path) -> None:
        net = hand_network()
        for table, fn in change.items():
            net[table] = fn(net[table])
        write_network(tmp_path / "net", **net)
    return write


def _set(row: int, **values):
    """Rows with ``values`` set in the row a spreadsheet calls ``row`` (header = 1)."""
    return lambda rows: [r | values if i == row - 2 else r for i, r in enumerate(rows)]


def _drop(column: str):
    return lambda rows: [{k: v for k, v in r.items() if k != column} for r in rows]


def _case_text(old: str, new: str):
    def write(tmp_path: Path) -> None:
        case = tmp_path / "hand.toml"
        assert old in case.read_text()
        case.write_text(case.read_text().replace(old, new, 1))
    return write


BAD_INPUT = {
    "missing required column": (
        _net(sources=_drop("capacity_mtpa")),
        ["net/sources.csv, field 'capacity_mtpa': required column 'capacity_mtpa' is missing"]),
    "non-numeric value": (
        _net(sinks=_set(3, max_injection_mtpa="lots")),
        ["net/sinks.csv, row 3, field 'max_injection_mtpa': 'lots' is not a number"]),
    "negative capacity": (
        _net(sinks=_set(2, capacity_mt=-5)),
        ["net/sinks.csv, row 2, field 'capacity_mt': -5 is below the minimum 0"]),
    "negative length": (
        _net(corridors=_set(3, length_km=-50)),
        ["net/corridors.csv, row 3, field 'length_km': -50 is below the minimum 0"]),
    "lon out of range": (
        _net(sinks=_set(3, lon=200)),
        ["net/sinks.csv, row 3, field 'lon': 200 is above the maximum 180", "[-180, 180]"]),
    "lat out of range": (
        _net(junctions=_set(2, lat=-95)),
        ["net/junctions.csv, row 2, field 'lat': -95 is below the minimum -90", "[-90, 90]"]),
    "duplicate id across node files": (
        _net(junctions=lambda rows: rows + [{"id": "K2", "lon": 0.7, "lat": 0.7}]),
        ["net/junctions.csv, row 3, field 'id': id 'K2' is used more than once: "
         "also in net/sinks.csv row 3"]),
    "corridor names an unknown node": (
        _net(corridors=_set(4, **{"from": "K9"})),
        ["net/corridors.csv, row 4, field 'from': unknown node 'K9'"]),
    "periods not increasing": (
        _case_text("periods = [2025]\n", "periods = [2030, 2025]\n"),
        ["hand.toml", "field 'horizon.periods'", "strictly increasing, but 2025 follows 2030"]),
    "target list length differs from periods": (
        _case_text("mtpa = [8]", "mtpa = [8, 8]"),
        ["hand.toml", "field 'target.mtpa'", "[target] mtpa has 2 values but [horizon] "
         "periods has 1"]),
    "missing network folder": (
        _case_text('network = "net"', 'network = "nowhere"'),
        ["hand.toml, field 'case.network': network not found", "nowhere does not exist"]),
    "TOML syntax error": (
        _case_text("period_years = 1", "period_years 1"),
        ["hand.toml, row 8: not valid TOML", "line 8"]),
    "unknown key in the case": (
        _case_text('mode = "target"', 'mode = "target"\ncolour = "red"'),
        ["hand.toml, row 5, field 'case.colour': unknown key 'colour'", "allowed: name"]),
    "unknown solver in the case": (
        _case_text('mip_gap = 0.0', 'mip_gap = 0.0\nname = "nope"'),
        ["unknown solver 'nope'", "available:"]),
}


@pytest.mark.parametrize("spoil, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_exits_2_naming_file_row_and_field_and_writes_nothing(
        tmp_path, spoil, expected):
    hand_case(tmp_path)
    spoil(tmp_path)
    before = files_under(tmp_path)
    for out in (["--out", "res"], []):
        r = invoke("solve", "hand.toml", *out)
        assert r.exit_code == 2, said(r)
        for text in expected:
            assert text in said(r)
        assert files_under(tmp_path) == before  # no res/, no outputs/, no temp folders
    assert not (tmp_path / "res").exists() and not (tmp_path / "outputs").exists()


def test_unknown_solver_option_exits_2_and_writes_nothing(tmp_path):
    hand_case(tmp_path)
    before = files_under(tmp_path)
    r = invoke("solve", "hand.toml", "--solver", "nope", "--out", "res")
    assert r.exit_code == 2
    assert "unknown solver 'nope'" in said(r) and "highs" in said(r)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("command", ["solve", "validate"])
def test_a_bad_network_does_not_hide_a_bad_solver_name(tmp_path, command):
    hand_case(tmp_path, solver={"name": "nope"})
    _net(sinks=_set(2, capacity_mt=-5))(tmp_path)
    r = invoke(command, "hand.toml")
    assert r.exit_code == 2
    text = said(r)
    assert "2 problems in the input" in text
    assert "net/sinks.csv, row 2, field 'capacity_mt'" in text
    assert "hand.toml, field 'solver.name': unknown solver 'nope'" in text


def test_problems_in_several_files_are_all_reported_in_one_run(tmp_path):
    hand_case(tmp_path)
    _net(sources=_set(2, capacity_mtpa="ten"),
         sinks=_set(3, capacity_mt=-1, lat=91),
         corridors=_set(2, to="Q"))(tmp_path)
    r = invoke("solve", "hand.toml", "--out", "res")
    assert r.exit_code == 2
    text = said(r)
    assert "4 problems in the input" in text
    for where in ("net/sources.csv, row 2, field 'capacity_mtpa'",
                  "net/sinks.csv, row 3, field 'lat'",
                  "net/sinks.csv, row 3, field 'capacity_mt'",
                  "net/corridors.csv, row 2, field 'to'"):
        assert where in text
    assert not (tmp_path / "res").exists()


def test_missing_case_file_exits_2(tmp_path):
    r = invoke("solve", "nowhere.toml")
    assert r.exit_code == 2
    assert "nowhere.toml" in said(r) and "not found" in said(r)
    assert files_under(tmp_path) == set()


def test_the_installed_entry_point_reports_bad_input_without_traceback(tmp_path):
    """``main()`` through a real process: exit 2, the problem on stderr, stdout empty."""
    hand_case(tmp_path)
    _net(sinks=_set(2, capacity_mt=-5))(tmp_path)
    p = subprocess.run([sys.executable, "-c", "from ccusplan.cli import main; main()",
                        "solve", "hand.toml"], capture_output=True, text=True, cwd=tmp_path,
                       env=os.environ | {"COLUMNS": "200"}, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "net/sinks.csv, row 2, field 'capacity_mt'" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout and p.stdout == ""
    assert not (tmp_path / "outputs").exists()


# --------------------------------------------------------------- 5. validate

def test_validate_good_case_prints_the_counts_and_writes_nothing(tmp_path):
    hand_case(tmp_path)
    before = files_under(tmp_path)
    r = invoke("validate", "hand.toml")
    assert r.exit_code == 0, said(r)
    assert ("hand.toml: valid — case 'hand' (target mode, 1 period(s)); network 'net': "
            "1 sources, 2 sinks, 1 junctions, corridors 3 given") in said(r)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("spoil, expected", [BAD_INPUT[k] for k in (
    "non-numeric value", "duplicate id across node files", "missing network folder",
    "unknown key in the case")], ids=["non-numeric", "duplicate-id", "no-network",
                                      "unknown-key"])
def test_validate_bad_case_exits_2_with_the_same_message(tmp_path, spoil, expected):
    hand_case(tmp_path)
    spoil(tmp_path)
    before = files_under(tmp_path)
    r = invoke("validate", "hand.toml")
    assert r.exit_code == 2
    for text in expected:
        assert text in said(r)
    assert "valid —" not in said(r)
    assert files_under(tmp_path) == before


# -------------------------------------------------------- 6. solver options

@pytest.fixture
def solve_calls(monkeypatch):
    """Options the main MILP solve receives (``optimize.run`` → ``solve_model``)."""
    calls = []
    real = ccusplan.optimize.solve_model

    def spy(model, opts, **kw):
        calls.append(vars(opts))
        return real(model, opts, **kw)

    monkeypatch.setattr(ccusplan.optimize, "solve_model", spy)
    return calls


def test_time_limit_mip_gap_and_threads_override_the_case(tmp_path, solver, solve_calls):
    case = hand_case(tmp_path, solver={"mip_gap": 0.0, "time_limit_s": 600})
    r = invoke("solve", case, "--solver", solver, "--mip-gap", "0.5", "--time-limit", "30",
               "--threads", "1", "--seed", "3", "--out", "res")
    assert r.exit_code == 0, said(r)
    (call,) = solve_calls
    assert call["solver"] == solver and call["mip_gap"] == 0.5 and call["threads"] == 1
    assert call["seed"] == 3
    assert 0 < call["time_limit_s"] <= 30
    s = summary_of(tmp_path / "res")
    assert s["solver"].split()[0] == solver and s["status"] in ("optimal", "feasible")
    assert s["mip_gap"] <= 0.5 + 1e-9
    assert 124 - 1e-6 <= s["objective_musd"] <= 2 * 124 + 1e-6  # gap 0.5 of the optimum
    assert s["best_bound_musd"] <= s["objective_musd"] + 1e-6


def test_without_options_the_case_solver_table_applies(tmp_path, solver, solve_calls):
    case = hand_case(tmp_path, solver={"name": solver, "mip_gap": 0.0, "time_limit_s": 45,
                                       "seed": 7})
    r = invoke("solve", case, "--out", "res")
    assert r.exit_code == 0, said(r)
    (call,) = solve_calls
    assert call["solver"] == solver and call["mip_gap"] == 0.0 and call["seed"] == 7
    assert 0 < call["time_limit_s"] <= 45
    assert summary_of(tmp_path / "res")["solver"].split()[0] == solver


@pytest.mark.parametrize("option, value", [
    ("--time-limit", "0"), ("--time-limit", "-5"), ("--time-limit", "soon"),
    ("--mip-gap", "1.5"), ("--mip-gap", "-0.1"), ("--threads", "0"),
])
def test_out_of_range_options_are_rejected_before_anything_runs(tmp_path, option, value):
    hand_case(tmp_path)
    before = files_under(tmp_path)
    r = invoke("solve", "hand.toml", option, value, "--out", "res")
    assert r.exit_code == 2
    assert f"Invalid value for '{option}'" in said(r)
    assert files_under(tmp_path) == before


# ------------------------------------------------------------------ misc

def test_version_and_help(tmp_path):
    r = invoke("--version")
    assert r.exit_code == 0 and ccusplan.__version__ in r.stdout
    r = invoke("solve", "--help")
    assert r.exit_code == 0
    for option in ("--solver", "--time-limit", "--mip-gap", "--threads", "--out"):
        assert option in r.stdout


def test_quiet_prints_nothing_on_success_but_still_writes(tmp_path, solver):
    case = hand_case(tmp_path)
    r = invoke("--quiet", "solve", case, "--solver", solver, "--out", "res")
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    assert summary_of(tmp_path / "res")["status"] == "optimal"


# ---------------------------------------------------- once bugs, now fixed

def test_each_message_is_one_line_when_piped(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # what rich assumes for a pipe without a terminal
    hand_case(tmp_path)
    _net(sinks=_set(3, max_injection_mtpa="lots"))(tmp_path)
    r = invoke("solve", "hand.toml")
    assert r.exit_code == 2
    assert ("net/sinks.csv, row 3, field 'max_injection_mtpa': 'lots' is not a number; "
            "expected Mt/yr ≥ 0") in r.stderr.splitlines()[1]


def test_out_dot_is_not_an_internal_error(tmp_path, solver):
    hand_case(tmp_path)
    r = invoke("solve", "hand.toml", "--solver", solver, "--out", ".")
    assert r.exit_code in (0, 2) and "internal error" not in said(r)


def test_unknown_solver_in_the_case_names_file_and_field(tmp_path):
    hand_case(tmp_path, solver={"name": "nope"})
    r = invoke("solve", "hand.toml")
    assert r.exit_code == 2
    assert "hand.toml" in said(r) and "solver.name" in said(r)


def test_validate_rejects_an_unknown_solver_in_the_case(tmp_path):
    hand_case(tmp_path, solver={"name": "nope"})
    assert invoke("validate", "hand.toml").exit_code == 2


def test_out_inside_a_file_is_bad_input(tmp_path):
    hand_case(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    r = invoke("solve", "hand.toml", "--out", "afile/sub")
    assert r.exit_code == 2 and "internal error" not in said(r)
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_out_never_replaces_a_folder_of_other_files(tmp_path):
    hand_case(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "precious.txt").write_text("keep me")
    r = invoke("solve", "hand.toml", "--out", "d")
    assert r.exit_code == 2 and "refusing to replace" in said(r)
    assert (tmp_path / "d" / "precious.txt").read_text() == "keep me"


def test_summary_records_the_time_limit_and_says_nothing_when_kept(tmp_path, solver):
    case = hand_case(tmp_path, solver={"name": solver, "mip_gap": 0.0, "time_limit_s": 45})
    r = invoke("solve", case, "--time-limit", "30", "--out", "res")
    assert r.exit_code == 0, said(r)
    assert summary_of(tmp_path / "res")["time_limit_s"] == 30
    assert "past its" not in r.output


def test_a_solve_past_its_time_limit_is_reported(tmp_path, monkeypatch):
    # HiGHS 1.15.1's central rounding ignores the clock (benchmarks/README.md, "HiGHS and
    # the time limit"):
    # stand in for it with a solve that reports 100 s more than it took
    real = ccusplan.optimize.solve_model

    def late(model, solver, **kw):
        res = real(model, solver, **kw)
        return replace(res, solve_seconds=res.solve_seconds + 100.0)

    monkeypatch.setattr(ccusplan.optimize, "solve_model", late)
    case = hand_case(tmp_path, solver={"mip_gap": 0.0, "time_limit_s": 45})
    r = invoke("solve", case, "--time-limit", "30", "--out", "res")
    assert r.exit_code == 0, said(r)
    s = summary_of(tmp_path / "res")
    assert s["solve_seconds"] > 100 and s["time_limit_s"] == 30
    late_s = s["solve_seconds"] - 30
    assert f"the solve ran {late_s:.0f} s past its 30 s time limit" in " ".join(r.output.split())


@pytest.mark.parametrize("seconds, limit, noted", [
    (30.0, 30.0, False), (34.9, 30.0, False), (35.1, 30.0, True),       # 5 s floor
    (1_850.0, 1_800.0, False), (1_891.0, 1_800.0, True),              # 5 % of the limit
    (10_000.0, None, False),                                           # no limit given
])
def test_overrun_tolerance(seconds, limit, noted):
    from ccusplan.optimize import overrun_note

    assert (overrun_note(seconds, limit) is not None) == noted
