"""report.html opened in a real headless browser: Debian's ``chromium`` driven through
``chromium-driver`` by Selenium (``.ci/run`` installs both when missing; without them the
tests skip, unless ``CCUSPLAN_REQUIRE_BROWSER`` is set, as CI sets it, and then fail).

The browser resolves no host names at all (``--host-resolver-rules``), so the page is
seen as on a machine with no network: map tiles cannot load. Checked: the map holds one
pipe per built corridor of ``network.geojson`` (and its sites), the two charts render,
the tables sort, the legend switches pipe colours, and nothing logs an error (but the
tiles' failed requests, on the page that asks for tiles). A screenshot of the whole page
is written to ``test-artifacts/report.png`` (or ``$CCUSPLAN_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from ccusplan.cli import _State, cli
from ccusplan.report.network_map import period_colours
from test_timeline import PERIODS, build_out_case

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("CCUSPLAN_TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
WIDTH, HEIGHT = 1400, 1000
TILE_HOST = "tile.openstreetmap.org"


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        why = ("chromium and chromium-driver are not installed "
               "(apt-get install chromium chromium-driver; .ci/run does it)")
        if os.environ.get("CCUSPLAN_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},{HEIGHT}", "--host-resolver-rules=MAP * ~NOTFOUND"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The hand build-out solved with its report (tiles asked for), and the same result
    reported again with --no-tiles."""
    root = tmp_path_factory.mktemp("browser")
    res = root / "res"
    for args in (["solve", build_out_case(root), "--solver", "highs", "--out", res, "--report"],
                 ["report", res, "--no-tiles", "--out", root / "offline.html"]):
        r = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
        assert r.exit_code == 0, r.output
    return {"tiles": res / "report.html", "offline": root / "offline.html", "result": res}


def _open(driver, page: Path) -> list[dict]:
    """Load ``page``; the browser's log entries up to then are dropped, its own returned."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")
    driver.set_window_size(WIDTH, HEIGHT)
    driver.get(page.as_uri())
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
        and d.find_elements("css selector", "#map .leaflet-pane"))
    return driver.get_log("browser")


def _lines(result: Path) -> list[dict]:
    gj = json.loads((result / "network.geojson").read_text())
    return [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]


def _column(driver, table: str, i: int) -> list[str]:
    return [td.text for td in driver.find_elements(
        "css selector", f"#{table} tbody tr td:nth-child({i})")]


def test_the_report_in_a_headless_browser(browser, pages):
    d = browser
    logs = _open(d, pages["offline"])
    colour = {y: "#%02x%02x%02x" % tuple(round(255 * c) for c in rgba[:3])
              for y, rgba in period_colours(np.array(PERIODS)).items()}

    # the map: one path per built corridor, each site, the sinks filled to their share
    pipes = d.find_elements("css selector", "#map path.ccus-pipe")
    assert len(pipes) == len(_lines(pages["result"])) == 3
    assert len(d.find_elements("css selector", "#map path.ccus-source")) == 2
    fills = d.execute_script(
        "return Array.from(document.querySelectorAll('.ccus-sink .gauge')).map("
        "g => g.querySelector('i').getBoundingClientRect().height / g.clientHeight)")
    assert sorted(fills) == pytest.approx([0.1, 1.0], abs=0.02)  # K2 40 of 400 Mt, K1 full
    assert d.execute_script("return L.version") == "1.9.3"
    box = d.find_element("id", "map").rect
    assert box["width"] > 800 and box["height"] > 500
    assert all(p.rect["width"] > 5 or p.rect["height"] > 5 for p in pipes)

    # the charts render: inline SVG drawn at the page's width, full of paths
    for chart in ("timeline-chart", "cost-chart"):
        svg = d.find_element("css selector", f"#{chart} svg")
        assert svg.rect["width"] > 800 and svg.rect["height"] > 250, chart
        assert len(svg.find_elements("css selector", "path")) > 50, chart

    # no console errors of any kind (nothing is fetched)
    assert [e for e in logs if e["level"] in ("SEVERE", "WARNING")] == []

    # a screenshot of the whole page, kept as a test artifact
    height = d.execute_script("return document.body.scrollHeight")
    d.set_window_size(WIDTH, height)
    d.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    assert d.save_screenshot(str(shot))
    png = imread(shot)
    assert png.shape[1] == WIDTH and png.shape[0] >= 0.9 * height
    assert (png[..., :3].std(axis=(0, 1)) > 0.05).all()  # not a blank page
    for year in (2025, 2035):  # the pipes (and sites) of both build periods are visible
        rgb = np.array([int(colour[year][i:i + 2], 16) / 255 for i in (1, 3, 5)])
        assert (np.abs(png[..., :3] - rgb) <= 2 / 255).all(axis=-1).sum() > 300, year
    d.set_window_size(WIDTH, HEIGHT)

    # sortable tables: by Mt stored by the end, K1 (30) then K2 (40), then reversed
    sinks = "sink-table"
    head = [th for th in d.find_elements("css selector", f"#{sinks} th")
            if th.text.startswith("stored by the end")][0]
    head.click()
    assert _column(d, sinks, 1) == ["K1", "K2"]
    head.click()
    assert _column(d, sinks, 1) == ["K2", "K1"]

    # the legend switches pipe colours from build period to capacity
    strokes = lambda: sorted(p.get_attribute("stroke") for p in  # noqa: E731
                             d.find_elements("css selector", "#map path.ccus-pipe"))
    assert strokes() == sorted([colour[2025], colour[2035], colour[2035]])
    data = json.loads(re.search(r"window\.CCUSPLAN_MAP = (\{.*?\});\n",
                                pages["offline"].read_text(), re.S).group(1))
    d.execute_script("var s = document.getElementById('pipe-colour'); s.value = 'size';"
                     "s.dispatchEvent(new Event('change', {bubbles: true}));")
    assert strokes() == sorted(p["colour"]["size"] for p in data["pipes"])


def test_without_tiles_the_network_shows_over_the_shipped_geography(browser, pages):
    d = browser
    logs = _open(d, pages["tiles"])
    assert len(d.find_elements("css selector", "#map path.ccus-pipe")) == 3
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 10).until(lambda d: d.find_elements("css selector", ".tiles-note"))
    assert "map tiles unavailable" in d.find_element("css selector", ".tiles-note").text
    logs += d.get_log("browser")
    errors = [e for e in logs if e["level"] == "SEVERE"]
    assert errors, "the tiles were expected to fail to load here"
    assert all(e["source"] == "network" and TILE_HOST in e["message"] for e in errors), errors
    background = d.execute_script(
        "return getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor")
    from matplotlib.colors import to_rgb

    from ccusplan import geography

    sea = tuple(round(255 * v) for v in to_rgb(geography.SEA))
    assert background == f"rgb({sea[0]}, {sea[1]}, {sea[2]})"
    # the Natural Earth layer lies under the tiles' pane: seen only where tiles are missing
    z = d.execute_script(
        "var g = document.querySelector('.leaflet-geography-pane'), "
        "t = document.querySelector('.leaflet-tile-pane');"
        "return [getComputedStyle(g).zIndex, getComputedStyle(t).zIndex];")
    assert int(z[0]) < int(z[1])
