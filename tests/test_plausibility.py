"""Input that is valid but probably not meant: a note, not an error (io.plausibility)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, write_case, write_network

from ccusplan.cli import _State, cli
from ccusplan.io import read_network

NETWORKS = Path(__file__).resolve().parents[1] / "networks"


def _rotterdam(folder: Path, swap: bool = False, extra: dict | None = None) -> Path:
    """Five sources around Rotterdam and two offshore sinks; with ``swap`` the third
    source's lon and lat are exchanged (51.9, 4.3 instead of 4.3, 51.9)."""
    coords = [(4.3, 51.9), (4.5, 51.8), (4.1, 51.95), (4.4, 52.0), (4.2, 51.85)]
    if swap:
        coords[2] = coords[2][::-1]
    sources = [{"id": f"S{i}", "lon": lon, "lat": lat, "capacity_mtpa": 2, **FREE_SOURCE,
                **(extra or {})} for i, (lon, lat) in enumerate(coords)]
    sinks = [{"id": f"K{i}", "lon": lon, "lat": lat, "capacity_mt": 100,
              "max_injection_mtpa": 10, **FREE_SINK}
             for i, (lon, lat) in enumerate([(3.6, 52.1), (3.9, 52.3)])]
    write_network(folder / "net", sources, sinks)
    return write_case(folder / "case.toml", "net", [2030], target=[4], finance=NO_DISCOUNT)


def _validate(case: Path):
    return CliRunner().invoke(cli, ["validate", str(case)], obj=_State())


def test_a_misspelt_optional_column_gets_a_note_naming_the_column_meant(tmp_path):
    r = _validate(_rotterdam(tmp_path, extra={"capture_cost_usd_per_ton": 30}))
    assert r.exit_code == 0, r.output
    line = " ".join(r.output.split())
    assert ("note: " in line and "column 'capture_cost_usd_per_ton' is not one ccusplan "
            "reads, and is ignored; did you mean 'capture_cost_usd_per_t'?" in line)


def test_swapped_lon_and_lat_get_a_note_naming_the_node(tmp_path):
    r = _validate(_rotterdam(tmp_path, swap=True))
    assert r.exit_code == 0, r.output
    line = " ".join(r.output.split())
    assert "source 'S2' at lon 51.95, lat 4.1 is" in line and "swapped?" in line
    assert "'S0'" not in line  # the others are near each other
    assert read_network(tmp_path / "net").notes and \
        not read_network(_rotterdam(tmp_path / "ok").parent / "net").notes


@pytest.mark.parametrize("name", ["shandong", "china", "qilu-shengli", "southeastus"])
def test_the_shipped_networks_raise_no_note(name):
    """China's westernmost sites are 836 km from any other, a fifth of the way across the
    network: far, but not farther than the rest of it is across."""
    assert read_network(NETWORKS / name).notes == ()
