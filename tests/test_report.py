"""``ccusplan report`` and ``solve --report``: one self-contained HTML page built from a
result folder's files alone; ``cost_breakdown.png``; the capital/operating split of the
NPV; bad result folders as clear messages (exit 2, nothing written).

The plan is test_timeline.py's three-period build-out worked by hand, undiscounted:
per year (MUSD/yr, crf 0.1) capture 27, 49, 98 of which capital (annuities of sites and
capacity) 5 + 2, 5 + 4, 10 + 8; transport 5, 5, 21.5, all capital (no O&M); storage
3, 5, 18 of which capital 1, 1, 2 (K1, then K2 opened). Over five-year periods:
capture 170 capital + 700 operating, transport 157.5 + 0, storage 20 + 110.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from matplotlib.image import imread

from ccusplan.cli import _State, cli
from ccusplan.report import cost_chart
from ccusplan.report.network_map import period_colours
from test_timeline import PERIODS, build_out_case

SPLIT = {"capture": (170.0, 700.0), "transport": (157.5, 0.0), "storage": (20.0, 110.0)}


def invoke(*args) -> Result:
    r = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output + r.stderr
    return r


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    """A result folder of the hand build-out (HiGHS, no gap), written by solve --report."""
    root = tmp_path_factory.mktemp("solved")
    case = build_out_case(root)
    r = invoke("solve", case, "--solver", "highs", "--out", root / "res", "--report")
    assert r.exit_code == 0, r.output
    assert "report.html" in r.stdout
    return root / "res"


@pytest.fixture()
def moved(solved, tmp_path) -> Path:
    """The result folder alone, copied elsewhere (no case file, no network next to it),
    without the report solve wrote."""
    return Path(shutil.copytree(solved, tmp_path / "elsewhere" / "res",
                                ignore=shutil.ignore_patterns("report.html")))


class _Page(HTMLParser):
    """Scripts, style sheets and tables of a page, by parsing it."""

    def __init__(self, text: str):
        super().__init__()
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a)
        elif tag == "link":
            self.links.append(a)
        elif tag == "table":
            self._table = self.tables.setdefault(a.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(self._cell.strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def map_of(text: str) -> dict:
    m = re.search(r"window\.CCUSPLAN_MAP = (\{.*?\});\n", text, re.S)
    return json.loads(m.group(1))


def rows_by(table: list[list[str]], key: str) -> dict[str, dict[str, str]]:
    head = table[0]
    return {r[head.index(key)]: dict(zip(head, r)) for r in table[1:]}


# ------------------------------------------------------------------ the page

def test_the_report_is_built_from_the_result_folder_alone(moved):
    r = invoke("report", moved)
    assert r.exit_code == 0, r.output
    out = moved / "report.html"
    assert f"report written to {out}" in " ".join(r.stdout.split())
    text = out.read_text()
    page = _Page(text)
    # self-contained: every script and style inline, images as data URIs
    assert page.scripts and all("src" not in s for s in page.scripts)
    assert page.links == []
    assert re.findall(r"url\((?!data:|#)", text) == []  # data URIs and in-page refs only
    assert "leafletjs.com" in text and "sourceMappingURL" not in text

    data = map_of(text)
    gj = json.loads((moved / "network.geojson").read_text())
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert len(data["pipes"]) == len(lines) == 3
    colour = {y: "#%02x%02x%02x" % tuple(round(255 * c) for c in rgba[:3])
              for y, rgba in period_colours(np.array(PERIODS)).items()}
    first = {(f["properties"]["from"], f["properties"]["to"]): f["properties"]["first_period"]
             for f in lines}
    assert first == {("S1", "K1"): 2025, ("S1", "K2"): 2035, ("S2", "S1"): 2035}
    assert sorted(p["colour"]["period"] for p in data["pipes"]) == sorted(
        colour[y] for y in first.values())
    # the big S1–K2 pipe (10 Mt/yr) is drawn wider than the small ones (5 Mt/yr)
    widths = sorted(p["weight"] for p in data["pipes"])
    assert widths[0] == widths[1] < widths[2]
    # K1 holds 30 of its 30 Mt by the end; K2 40 of 400
    share = {re.search(r"<b>(\w+)</b>", k["tip"]).group(1): k["share"] for k in data["sinks"]}
    assert share == {"K1": pytest.approx(1.0), "K2": pytest.approx(0.1)}
    assert len(data["sources"]) == 2 and data["tiles"]["url"].startswith("https://")

    # tables: the plan as the CSV files hold it
    src = rows_by(page.tables["source-table"], "id")
    assert set(src) == {"S1", "S2"}
    capex = pd.read_csv(moved / "plan_sources.csv").groupby("source_id")["capex_musd"].sum()
    assert float(src["S1"]["capital MUSD"]) == pytest.approx(capex["S1"], abs=0.05)
    assert src["S2"]["equipped from"] == "2035"
    snk = rows_by(page.tables["sink-table"], "id")
    assert snk["K1"]["share used %"] == "100.0%" and snk["K2"]["share used %"] == "10.0%"
    periods = rows_by(page.tables["period-table"], "period")
    assert [periods[str(y)]["stored Mt/yr"] for y in PERIODS] == ["2.0", "4.0", "8.0"]
    pipes = page.tables["pipe-table"]
    assert len(pipes) == 1 + 3
    costs = rows_by(page.tables["cost-table"], "part")
    for part, (capital, operating) in SPLIT.items():
        assert float(costs[part]["capital (annuities)"]) == pytest.approx(capital)
        assert float(costs[part]["operating"].replace(",", "")) == pytest.approx(operating)
    assert float(costs["total"]["total"].replace(",", "")) == pytest.approx(1157.5)
    # the two charts, inline SVG
    assert text.count("<svg") >= 2 and "<img" not in text


def test_no_tiles_leaves_nothing_to_fetch(moved, tmp_path):
    r = invoke("report", moved, "--no-tiles", "--out", tmp_path / "offline.html")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "offline.html").read_text()
    assert map_of(text)["tiles"] is None
    assert "tile.openstreetmap.org" not in text
    assert not (moved / "report.html").exists()  # --out: written there only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "offline.html"]


def test_summary_splits_each_part_into_capital_and_operating(solved):
    s = json.loads((solved / "summary.json").read_text())
    split = s["npv_musd_capital_operating"]
    for part, (capital, operating) in SPLIT.items():
        assert split[part]["capital"] == pytest.approx(capital, abs=1e-6)
        assert split[part]["operating"] == pytest.approx(operating, abs=1e-6)
        assert split[part]["capital"] + split[part]["operating"] == pytest.approx(
            s["npv_musd_by_part"][part])


def test_the_capital_convention_is_stated_in_the_summary_and_the_report(solved):
    """Capital as annuities for the years inside the horizon: said, so that a late asset's
    few years of annuities are not read as a flaw."""
    s = json.loads((solved / "summary.json").read_text())
    assert "annuities" in s["capital_convention"]
    assert "neither paid nor credited" in s["capital_convention"]
    text = (solved / "report.html").read_text()
    assert "neither paid nor credited" in text


def test_cost_breakdown_png(solved):
    png = imread(solved / "cost_breakdown.png")
    assert png.shape[:2] == cost_chart.SIZE_PX[::-1]
    for part, colour in cost_chart.PART_COLOURS.items():
        rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        n = int((np.abs(png[..., :3] - rgb) <= 1.5 / 255).all(axis=-1).sum())
        assert n > 200, part  # each part's capital bar (and its capex bars) is drawn


def test_an_infeasible_result_is_reported_with_its_diagnosis(tmp_path):
    case = build_out_case(tmp_path, target=[2, 4, 16])  # more than S1-S3 can capture
    r = invoke("solve", case, "--solver", "highs", "--out", tmp_path / "res", "--report")
    assert r.exit_code == 1
    text = (tmp_path / "res" / "report.html").read_text()
    s = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert s["diagnosis"] and "No plan (infeasible)" in text
    assert all(d.split(" (")[0] in text for d in s["diagnosis"])
    data = map_of(text)
    assert data["pipes"] == [] and data["bounds"] is None


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("damage, expected", [
    (lambda d: (d / "summary.json").write_text("{ not json"),
     "summary.json: not valid JSON"),
    (lambda d: (d / "summary.json").write_text(json.dumps(
        {k: v for k, v in json.loads((d / "summary.json").read_text()).items() if k != "status"})),
     "summary.json, field 'status': missing"),
    (lambda d: pd.read_csv(d / "plan_sources.csv").drop(columns="captured_mtpa").to_csv(
        d / "plan_sources.csv", index=False),
     "plan_sources.csv, field 'captured_mtpa': column missing"),
    (lambda d: pd.read_csv(d / "plan_sinks.csv").assign(injected_mtpa=["2", "x", "4", "0", "0", "8"])
     .to_csv(d / "plan_sinks.csv", index=False),
     "plan_sinks.csv, row 3, field 'injected_mtpa': expected a number, got 'x'"),
    (lambda d: (d / "network.geojson").unlink(),
     "network.geojson: missing from the result folder"),
    (lambda d: (d / "network.geojson").write_text('{"type": "FeatureCollection", "features": '
                                                  '[{"geometry": {"type": "Point"}}]}'),
     "network.geojson: expected a Point or LineString feature"),
])
def test_a_damaged_result_folder_is_bad_input_and_nothing_is_written(moved, damage, expected):
    damage(moved)
    before = sorted(p.name for p in moved.iterdir())
    r = invoke("report", moved)
    assert r.exit_code == 2
    assert expected in " ".join(r.stderr.split()), r.stderr
    assert sorted(p.name for p in moved.iterdir()) == before
    assert "report.html" not in before  # nothing was written


def test_not_a_result_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    for target, expected in (("nowhere", "nowhere: does not exist"),
                             ("file.txt", "file.txt: is not a folder"),
                             ("empty", "empty: not a ccusplan result folder")):
        r = invoke("report", tmp_path / target)
        assert r.exit_code == 2 and expected in " ".join(r.stderr.split()), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file.txt"]


def test_out_in_a_missing_folder_is_bad_input(moved, tmp_path):
    r = invoke("report", moved, "--out", tmp_path / "no" / "such" / "r.html")
    assert r.exit_code == 2
    assert "field '--out'" in r.stderr and "does not exist" in r.stderr
    assert not (moved / "report.html").exists()
