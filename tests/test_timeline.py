"""The build-out timeline (timeline.csv, timeline_sinks.csv) and its figures
(timeline.png, network_map.png), checked against a three-period build-out worked by hand.

The hand network (``build_out_network``), crf 0.1, periods 2025, 2030, 2035 of five
years, targets 2, 4, 8 Mt/yr:

* S1 (coal_power, ≤ 5 Mt/yr): 50 MUSD to equip + 10 MUSD per Mt/yr of capacity,
  10 $/t. S2 (cement, same costs) exists from 2035. S3 (80 $/t) is never worth using.
* K1: 30 Mt in all, 1 $/t, 10 MUSD to open, 50 km from S1. K2: 400 Mt, 2 $/t,
  10 MUSD, 100 km from S1. S2–S1 is 20 km; K1–K2 (200 km) and S3–S1 stay unused.
* Pipe classes: small 5 Mt/yr at 1 MUSD/km, big 10 Mt/yr at 1.45 MUSD/km.

The plan: S1 and K1 with a small S1–K1 pipe in 2025; S1 grows to 4 Mt/yr in 2030 and
K1 is then full (2·5 + 4·5 = 30 Mt); in 2035 S2 is equipped (8 > 5 Mt/yr) with a small
S2–S1 pipe, and K2 opens with a big S1–K2 pipe (145 MUSD, against 200 for two small).
Opening K2 earlier, or sending more to K1, only adds cost. Costs per year
(MUSD/yr, annuities at crf 0.1):

====  ==========================  ===================  ==================  =====
year  capture                     transport            storage             total
====  ==========================  ===================  ==================  =====
2025  5 + 0.1·10·2 + 2·10 = 27    5                    1 + 2·1 = 3         35
2030  5 + 4 + 40 = 49             5                    1 + 4 = 5           59
2035  5 + 5 + 8 + 80 = 98         5 + 2 + 14.5 = 21.5  1 + 1 + 8·2 = 18    137.5
====  ==========================  ===================  ==================  =====

so the levelised cost of each period is total / stored = 17.5, 14.75, 17.1875 USD/t
whatever the discount rate (a period's cost and tonnes are both weighted by its W),
and each period's NPV is its total × W(period). Capital committed: 2025 50 + 20 + 50 +
10 = 130; 2030 20 (2 Mt/yr more at S1); 2035 50 + 40 + 20 + 145 + 10 = 265 MUSD.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from ccusplan.cli import _State, cli
from ccusplan.io.results import RESULT_FILES
from ccusplan.model import SOURCE_KINDS
from ccusplan.optimize import run
from ccusplan.optimize.outputs import plan_tables, summary
from ccusplan.optimize.timeline import class_column, km_added_by_class
from ccusplan.report import network_map, timeline_chart
from conftest import FREE_SINK, FREE_SOURCE, load_case, write_case, write_network

PERIODS = [2025, 2030, 2035]
TARGET = [2, 4, 8]
ANNUAL_MUSD = np.array([35.0, 59.0, 137.5])


def W(a: int, b: int, rate: float) -> float:
    return sum((1.0 + rate) ** -k for k in range(a, b))


def build_out_network() -> dict:
    source = {**FREE_SOURCE, "capacity_mtpa": 5, "capture_capex_musd": 50,
              "capture_capex_musd_per_mtpa": 10, "capture_cost_usd_per_t": 10}
    return dict(
        sources=[{"id": "S1", "kind": "coal_power", "lon": 117.0, "lat": 36.0, **source},
                 {"id": "S2", "kind": "cement", "lon": 117.0, "lat": 36.18, **source,
                  "available_from": 2035},
                 {"id": "S3", "kind": "steel", "lon": 116.9, "lat": 35.95, **source,
                  "capture_cost_usd_per_t": 80}],
        sinks=[{"id": "K1", "kind": "eor", "lon": 117.45, "lat": 36.0, "capacity_mt": 30,
                "max_injection_mtpa": 10, **FREE_SINK, "storage_cost_usd_per_t": 1,
                "storage_capex_musd": 10},
               {"id": "K2", "kind": "saline", "lon": 117.0, "lat": 36.9, "capacity_mt": 400,
                "max_injection_mtpa": 10, **FREE_SINK, "storage_cost_usd_per_t": 2,
                "storage_capex_musd": 10}],
        corridors=[{"from": "S1", "to": "K1", "length_km": 50},
                   {"from": "S1", "to": "K2", "length_km": 100},
                   {"from": "S2", "to": "S1", "length_km": 20},
                   {"from": "K1", "to": "K2", "length_km": 200},
                   {"from": "S3", "to": "S1", "length_km": 10}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0},
                      {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.45}],
    )


def build_out_case(folder, rate: float = 0.0, target=TARGET):
    write_network(folder / "net", **build_out_network())
    return write_case(folder / "build.toml", "net", PERIODS, target=list(target), period_years=5,
                      finance={"crf": 0.1, "discount_rate": rate}, solver={"mip_gap": 0.0})


@pytest.mark.parametrize("rate", [0.0, 0.08])
def test_timeline_of_the_hand_worked_build_out(tmp_path, solver, rate):
    """Every column of timeline.csv against the plan worked out in the module docstring."""
    out = run(*load_case(build_out_case(tmp_path, rate)), solver=solver, mip_gap=0.0)
    assert out.result.status == "optimal"
    w = np.array([W(0, 5, rate), W(5, 10, rate), W(10, 15, rate)])
    assert out.result.objective == pytest.approx(ANNUAL_MUSD @ w, abs=1e-6)

    t = plan_tables(out)["timeline.csv"].set_index("period")
    assert t.index.tolist() == PERIODS
    assert t["period_years"].tolist() == [5, 5, 5]
    assert t["target_mtpa"].tolist() == TARGET and t["price_usd_per_t"].isna().all()
    assert t["captured_mtpa"].tolist() == pytest.approx(TARGET)
    assert t["stored_mtpa"].tolist() == pytest.approx(TARGET)
    assert t["cumulative_stored_mt"].tolist() == pytest.approx([10, 30, 70])
    assert t["capture_capacity_mtpa"].tolist() == pytest.approx([2, 4, 8])
    assert t["sources_added"].tolist() == [1, 0, 1] and t["sources_total"].tolist() == [1, 1, 2]
    assert t["sinks_added"].tolist() == [1, 0, 1] and t["sinks_total"].tolist() == [1, 1, 2]
    assert t["pipeline_km_added"].tolist() == pytest.approx([50, 0, 120])
    assert t["pipeline_km_total"].tolist() == pytest.approx([50, 50, 170])
    assert [c for c in t.columns if c.startswith("km_added_")] == ["km_added_small",
                                                                  "km_added_big"]
    assert t["km_added_small"].tolist() == pytest.approx([50, 0, 20])
    assert t["km_added_big"].tolist() == pytest.approx([0, 0, 100])
    assert t["capex_musd"].tolist() == pytest.approx([130, 20, 265])
    assert t["npv_musd_period"].tolist() == pytest.approx(ANNUAL_MUSD * w)
    assert t["npv_musd_to_date"].iloc[-1] == pytest.approx(out.result.objective, abs=1e-6)
    assert t["levelized_cost_usd_per_t"].tolist() == pytest.approx([17.5, 14.75, 17.1875])
    stored_w = np.array(TARGET) * w
    assert t["levelized_cost_to_date_usd_per_t"].tolist() == pytest.approx(
        np.cumsum(ANNUAL_MUSD * w) / np.cumsum(stored_w))
    s = summary(out)
    assert t["levelized_cost_to_date_usd_per_t"].iloc[-1] == pytest.approx(
        s["levelized_cost_usd_per_t"])
    assert t["avoided_mtpa"].tolist() == pytest.approx(list(s["avoided_mtpa_by_period"].values()))
    assert t["pipeline_km_total"].iloc[-1] == pytest.approx(s["pipeline_km"])


def test_sink_timeline_fills_k1_exactly_and_never_beyond(tmp_path, solver):
    """K1 (30 Mt) takes 2 then 4 Mt/yr and is full at the end of 2030 (share 1, never
    more); K2 opens in 2035 and holds 8·5 = 40 of its 400 Mt."""
    out = run(*load_case(build_out_case(tmp_path)), solver=solver, mip_gap=0.0)
    k = plan_tables(out)["timeline_sinks.csv"]
    assert k.columns.tolist() == ["period", "sink_id", "name", "kind", "open", "injected_mtpa",
                                  "cumulative_mt", "capacity_mt", "share_used"]
    assert list(zip(k["period"], k["sink_id"])) == [
        (2025, "K1"), (2025, "K2"), (2030, "K1"), (2030, "K2"), (2035, "K1"), (2035, "K2")]
    assert k["open"].tolist() == [1, 0, 1, 0, 1, 1]
    assert k["injected_mtpa"].tolist() == pytest.approx([2, 0, 4, 0, 0, 8])
    assert k["cumulative_mt"].tolist() == pytest.approx([10, 0, 30, 0, 30, 40])
    assert k["share_used"].tolist() == pytest.approx([1 / 3, 0, 1, 0, 1, 0.1])
    assert (k["cumulative_mt"] <= k["capacity_mt"] * (1 + 1e-9)).all()


def test_km_columns_are_ordered_by_nominal_size_then_capacity():
    """Nominal sizes sort by number (4" before 16"), then named classes by capacity."""
    assert class_column('16"') == "km_added_nps_16in"
    assert class_column("Trend (2)") == "km_added_trend_2"
    pipes = pd.DataFrame({
        "corridor": [0, 1, 2, 3], "period": [2025, 2025, 2030, 2030],
        "pipe_class": ['16"', '4"', "wide", "narrow"], "pipes": [1, 2, 1, 1],
        "pipes_added": [1, 2, 1, 1], "capacity_mtpa": [8.0, 1.0, 20.0, 3.0],
        "length_km": [10.0, 5.0, 7.0, 3.0]})
    km = km_added_by_class(pipes, np.array([2025, 2030]))
    assert km.columns.tolist() == ['4"', '16"', "narrow", "wide"]
    assert km.loc[2025].tolist() == pytest.approx([10, 10, 0, 0])  # 2 pipes × 5 km, 1 × 10
    assert km.loc[2030].tolist() == pytest.approx([0, 0, 3, 7])


def test_every_source_kind_has_its_own_colour():
    assert set(timeline_chart.KIND_COLOURS) == set(SOURCE_KINDS)
    assert len(set(timeline_chart.KIND_COLOURS.values())) == len(SOURCE_KINDS)


# ----------------------------------------------------------- ccusplan solve

def _pixels(png, rgb: tuple, tol: float = 1.5 / 255) -> int:
    """How many pixels of an RGBA image read by imread have this colour."""
    return int((np.abs(png[..., :3] - np.asarray(rgb[:3])) <= tol).all(axis=-1).sum())


def _hex(colour: str) -> tuple:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _map_area(png) -> np.ndarray:
    """The map's axes (the legends to its right and the titles above left out)."""
    h, w = png.shape[:2]
    return png[int(h * (1 - 0.88)):int(h * (1 - 0.08)), int(w * 0.07):int(w * 0.73)]


def test_solve_writes_the_timeline_tables_and_figures(tmp_path, monkeypatch, solver):
    monkeypatch.chdir(tmp_path)
    case = build_out_case(tmp_path)
    r = CliRunner().invoke(cli, ["solve", str(case), "--solver", solver, "--out", "res"],
                           obj=_State())
    assert r.exit_code == 0, r.output
    out = tmp_path / "res"
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert "timeline.csv" in r.output and "network_map.png" in r.output

    t = pd.read_csv(out / "timeline.csv")
    assert t["period"].tolist() == PERIODS
    assert t["km_added_big"].tolist() == pytest.approx([0, 0, 100])
    assert t["npv_musd_period"].tolist() == pytest.approx(ANNUAL_MUSD * 5)
    k = pd.read_csv(out / "timeline_sinks.csv")
    assert (k["cumulative_mt"] <= k["capacity_mt"] * (1 + 1e-9)).all()
    assert k.loc[(k["sink_id"] == "K1") & (k["period"] == 2030), "share_used"].item() == 1
    assert pd.read_csv(out / "plan_sinks.csv")["capex_musd"].tolist() == pytest.approx(
        [10, 0, 0, 0, 0, 10])

    chart = imread(out / "timeline.png")
    assert chart.shape[:2] == timeline_chart.SIZE_PX[::-1]
    # one bar colour per kind captured: coal (S1, from 2025) and cement (S2, 2035)
    for kind in ("coal_power", "cement"):
        assert _pixels(chart, _hex(timeline_chart.KIND_COLOURS[kind])) > 500, kind
    assert _pixels(chart, _hex(timeline_chart.KIND_COLOURS["steel"])) == 0  # S3 unused

    m = imread(out / "network_map.png")
    assert m.shape[:2] == network_map.SIZE_PX[::-1]
    colours = network_map.period_colours(np.array(PERIODS))
    area = _map_area(m)
    # pipes, S1 and K1 first built in 2025; S2, K2 and two pipes in 2035; nothing in 2030
    assert _pixels(area, colours[2025]) > 300
    assert _pixels(area, colours[2035]) > 300
    assert _pixels(area, colours[2030]) < 20
    assert (area[..., :3] < 0.9).any(axis=-1).mean() > 0.01  # drawn on, not blank


def test_an_infeasible_solve_still_writes_a_timeline_of_its_targets(tmp_path, monkeypatch,
                                                                    solver):
    """16 Mt/yr in 2035 is more than S1, S2 and S3 (5 Mt/yr each) can capture: no plan;
    the timeline holds the periods and targets only, the figures the targets and the
    candidate network."""
    monkeypatch.chdir(tmp_path)
    case = build_out_case(tmp_path, target=[2, 4, 16])
    r = CliRunner().invoke(cli, ["solve", str(case), "--solver", solver, "--out", "res"],
                           obj=_State())
    assert r.exit_code == 1, r.output
    out = tmp_path / "res"
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    t = pd.read_csv(out / "timeline.csv")
    assert t.columns.tolist() == ["period", "period_years", "target_mtpa", "price_usd_per_t"]
    assert t["target_mtpa"].tolist() == [2, 4, 16]
    assert pd.read_csv(out / "timeline_sinks.csv").empty
    assert imread(out / "timeline.png").shape[:2] == timeline_chart.SIZE_PX[::-1]
    assert imread(out / "network_map.png").shape[:2] == network_map.SIZE_PX[::-1]


def test_a_long_pipe_class_legend_is_not_cut_at_the_picture_s_edge():
    """Pipe-class names of any length: the legend to the right of the pipeline chart ends
    inside the picture (its last columns stay blank) and the picture keeps its size."""
    import io

    years = [2025, 2030, 2035]
    timeline = pd.DataFrame({"period": years, "target_mtpa": [1.0, 2.0, 3.0],
                             "stored_mtpa": [1.0, 2.0, 3.0],
                             "pipeline_km_total": [10.0, 20.0, 30.0]})
    names = [f'{d}" twin line, offshore section, extra-heavy wall' for d in (10, 18, 22, 48)]
    km = pd.DataFrame(np.full((3, 4), 10.0), index=years, columns=names)
    png = imread(io.BytesIO(timeline_chart.plot_timeline("long", timeline, None, km)))
    assert png.shape[:2] == timeline_chart.SIZE_PX[::-1]
    edge = png[:, -4:, :3]
    assert (edge > 0.9).all()  # white: no text runs off the right edge


def test_the_charts_line_says_musd_per_year_for_a_one_year_case():
    """SimCCS's cases are one period of one year: their objective is a cost per year."""
    from ccusplan.report.figures import note

    s = {"status": "optimal", "objective_musd": 5140.7, "pipeline_km": 1234.0}
    assert note({**s, "objective_unit": "MUSD/yr"}).startswith("optimal, 5,141 MUSD/yr;")
    assert note({**s, "objective_unit": "MUSD (NPV)"}).startswith("optimal, NPV 5,141 MUSD;")
