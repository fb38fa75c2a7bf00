"""SimCCS scenario folders in the forms earlier SimCCS releases and the SimCCS Gateway
wrote: ``Sources.txt`` and ``Sinks.txt`` (tab-separated, one header row, CR-only line
endings in one of them, a numeric header row in another) and right-of-way cost trends.

The folders are LANL's public SimCCS data (the SoutheastUS capScenario as its 2019 code
wrote it, and the Gateway's scenario1), read in place from the folder
``CCUSPLAN_SIMCCS_MORE`` names; the tests are skipped, saying where they looked, where
they are absent. Published objectives: CPLEX at its default relative gap of 1e-4.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import load_case

from ccusplan.errors import InputError
from ccusplan.io.simccs import ImportOptions, import_scenario
from ccusplan.optimize import run

MORE = Path(os.environ.get("CCUSPLAN_SIMCCS_MORE", Path(__file__).resolve().parents[2]
                           / "shared" / "data" / "simccs-more"))
CAP_TXT = MORE / "SoutheastUS-capScenario-txt2019" / "Scenarios" / "capScenario"
GATEWAY = MORE / "SoutheastUS-scenario1-maptool" / "Scenarios" / "scenario1"
DATA = Path(__file__).parent / "data" / "simccs"
CAP_CSV = DATA / "SoutheastUS" / "Scenarios" / "capScenario"
RASTER = DATA / "SoutheastUS" / "raster_header.txt"

pytestmark = pytest.mark.skipif(not MORE.is_dir(), reason=f"SimCCS's older scenario folders "
                                f"not found at {MORE} (set CCUSPLAN_SIMCCS_MORE)")


def _import(scenario: Path, folder: Path, target: float):
    report = import_scenario(scenario, folder / "net", folder / "case.toml",
                             ImportOptions(raster=RASTER, target_mtpa=target))
    return report, *load_case(report.case_path)


def test_the_2019_text_folder_imports_as_the_public_csv_one(tmp_path):
    """Sources.txt (CR-only line endings) and Sinks.txt hold the public CSVs' numbers:
    the networks written are the same file for file, but for the sinks' names (the .txt
    gives their locations, the CSV their numbers)."""
    _import(CAP_TXT, tmp_path / "txt", 50)
    _import(CAP_CSV, tmp_path / "csv", 50)
    a, b = tmp_path / "txt" / "net", tmp_path / "csv" / "net"
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for f in a.iterdir():
        if f.name == "sinks.csv":
            x, y = pd.read_csv(f), pd.read_csv(b / f.name)
            assert x.drop(columns="name").equals(y.drop(columns="name"))
            assert x["name"].tolist()[:2] == ["Gulf offshore", "Cranfield"]
        else:
            assert f.read_bytes() == (b / f.name).read_bytes(), f.name


@pytest.mark.slow
def test_the_gateway_scenario_with_right_of_way_costs_reproduces_simccs(tmp_path):
    """scenario1 at 50 Mt/yr: right-of-way cost trends (the per-tonne part divided by the
    pipe utilisation 0.93), a trend breakpoint of 5.27 Mt/yr and 190 candidate edges.
    SimCCS/CPLEX: 4,989.61608559 $M/yr, within 1e-4 of the optimum. (About 80 s on 2
    cores: marked slow.)"""
    report, case, net = _import(GATEWAY, tmp_path, 50)
    assert (len(net.corridors), net.pipe_classes["capacity_mtpa"].tolist()[0]) == (190, 5.27273)
    out = run(case, net, solver="highs")
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(4989.61608559, rel=1e-4)


def _copy(tmp_path: Path, scenario: Path) -> Path:
    dst = tmp_path / "Scenarios" / scenario.name
    shutil.copytree(scenario, dst)
    return dst


def test_a_txt_and_a_csv_that_disagree_are_bad_input(tmp_path):
    folder = _copy(tmp_path, CAP_CSV)
    text = (CAP_TXT / "Sources" / "Sources.txt").read_bytes().replace(b"7.236", b"7.5", 1)
    (folder / "Sources" / "Sources.txt").write_bytes(text)
    with pytest.raises(InputError, match="Sources.txt.*disagrees with Sources.csv"):
        _import(folder, tmp_path / "out", 50)
    # the same numbers beside each other are fine
    (folder / "Sources" / "Sources.txt").write_bytes(
        (CAP_TXT / "Sources" / "Sources.txt").read_bytes())
    _import(folder, tmp_path / "ok", 50)


def test_a_malformed_txt_names_its_file_line_and_field(tmp_path):
    folder = _copy(tmp_path, CAP_TXT)
    text = (folder / "Sinks" / "Sinks.txt").read_text().replace("\t379\t", "\tlots\t", 1)
    (folder / "Sinks" / "Sinks.txt").write_text(text)
    with pytest.raises(InputError) as e:
        _import(folder, tmp_path / "out", 50)
    message = e.value.render()
    assert "Sinks.txt" in message and "row 2" in message and "fieldCap (MtCO2)" in message
    assert "'lots' is not a number" in message


def test_a_misplaced_site_in_a_txt_names_the_txt_and_its_columns(tmp_path):
    """A sink moved off the candidate network: the message names Sinks.txt and its own
    LON/LAT columns (K and L), not the CSV's."""
    folder = _copy(tmp_path, CAP_TXT)
    text = (folder / "Sinks" / "Sinks.txt").read_text().replace("-91.2980", "-90.5000", 1)
    (folder / "Sinks" / "Sinks.txt").write_text(text)
    with pytest.raises(InputError) as e:
        _import(folder, tmp_path / "out", 50)
    message = e.value.render()
    assert "Sinks.txt" in message and "K: LON, L: LAT" in message and "Sinks.csv" not in message


def test_trends_capped_at_the_target_as_the_earlier_writers_did(tmp_path):
    report = import_scenario(GATEWAY, tmp_path / "net", tmp_path / "case.toml",
                             ImportOptions(raster=RASTER, target_mtpa=50,
                                           cap_trends_at_target=True))
    assert report.network.pipe_classes["capacity_mtpa"].tolist() == [5.27273, 50.0]
    assert any("capped at the target (50 Mt/yr)" in n for n in report.notes)
    plain = import_scenario(GATEWAY, tmp_path / "net2", tmp_path / "case2.toml",
                            ImportOptions(raster=RASTER, target_mtpa=50))
    assert plain.network.pipe_classes["capacity_mtpa"].tolist() == [5.27273, 111.132]
