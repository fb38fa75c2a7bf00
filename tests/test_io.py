"""Tests of the input layer: network tables (CSV, GeoJSON, GeoPackage) and case files."""

from __future__ import annotations

import io
from pathlib import Path
from textwrap import dedent

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from ccusplan.errors import InputError, Problem
from ccusplan.io import load, load_case, read_network
from ccusplan.model import columns

SOURCES = """\
id,name,kind,lon,lat,capacity_mtpa,available_from,note
s1,Plant A,cement,117.0,36.5,2.5,2030,keep me
s2,Plant B,,117.5,36.0,1.0,,
"""
SINKS = """\
id,name,kind,lon,lat,capacity_mt,max_injection_mtpa,storage_cost_usd_per_t
k1,Basin,saline,118.0,37.0,500,10,12.5
k2,Field,eor,118.5,37.5,50,2,-20
"""
JUNCTIONS = "id,lon,lat\nj1,117.8,36.8\n"
CORRIDORS = """\
from,to,length_km,capacity_mtpa,fixed_cost_musd,variable_cost_usd_per_t
s1,j1,90,,,
s2,j1,100,,,
j1,k1,40,5,100,1.5
j1,k2,,,,
"""
PIPE_CLASSES = """\
name,capacity_mtpa,capex_musd_per_unit,om_fraction_per_yr
small,2,0.5,0.02
large,10,1.2,
"""
GOOD = {"sources": SOURCES, "sinks": SINKS, "junctions": JUNCTIONS,
        "corridors": CORRIDORS, "pipe_classes": PIPE_CLASSES}
LINES = {("s1", "j1"), ("s2", "j1"), ("j1", "k1"), ("j1", "k2")}

CASE = """\
[case]
name = "demo"
network = "../networks/net"

[horizon]
periods = [2025, 2030, 2035]
period_years = 5

[target]
mtpa = [1, 2, 3]
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in tmp_path so problems show short relative paths (net/sources.csv)."""
    monkeypatch.chdir(tmp_path)


def write_network(folder: Path, **override: str | None) -> Path:
    """Write the good CSV network into ``folder``; ``table=text`` replaces, ``=None`` omits."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, text in (GOOD | override).items():
        if text is not None:
            (folder / f"{table}.csv").write_text(dedent(text))
    return folder


def problems(fn, *args) -> list[Problem]:
    """The problems of the InputError ``fn(*args)`` raises."""
    with pytest.raises(InputError) as info:
        fn(*args)
    return info.value.problems


def one(found: list[Problem], **where) -> Problem:
    """The single problem with the given attributes (file, row, field)."""
    hits = [p for p in found if all(getattr(p, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"expected one problem with {where}, got: {found}"
    return hits[0]


def to_features() -> dict[str, pd.DataFrame]:
    """The good network as (Geo)DataFrames: points, lines and an attribute table."""
    out = {}
    for table, text in GOOD.items():
        df = pd.read_csv(io.StringIO(text))
        if "lon" in df:
            attrs = df.drop(columns=["lon", "lat", "note"], errors="ignore")
            points = gpd.points_from_xy(df["lon"], df["lat"])
            out[table] = gpd.GeoDataFrame(attrs, geometry=points, crs=4326)
        else:
            out[table] = df
    pts = pd.concat([out[t].set_index("id").geometry for t in ("sources", "sinks", "junctions")])
    lines = [shapely.LineString([pts[a], pts[b]]) for a, b in zip(out["corridors"]["from"],
                                                                   out["corridors"]["to"])]
    out["corridors"] = gpd.GeoDataFrame(out["corridors"], geometry=lines, crs=4326)
    return out


# -------------------------------------------------------------- good networks

def test_csv_network_has_every_contract_column_typed_and_defaults_filled(tmp_path):
    net = read_network(write_network(tmp_path / "net"))
    assert net.name == "net" and net.path == tmp_path / "net"
    assert list(net.sources.columns) == columns("sources")[1:] + ["note"]
    assert net.sources.index.tolist() == ["s1", "s2"] and net.sources.index.name == "id"
    assert net.sources.loc["s2", "kind"] == "other"
    assert net.sources.loc["s1", "note"] == "keep me" and pd.isna(net.sources.loc["s2", "note"])
    assert net.sources["available_from"].dtype == "float64"
    assert np.isnan(net.sources.loc["s2", "available_from"])
    assert np.isnan(net.sources.loc["s1", "capture_capex_musd"])
    assert net.sinks.loc["k2", "storage_cost_usd_per_t"] == -20.0
    assert (net.corridors["terrain_factor"] == 1).all()
    assert (net.corridors["existing_capacity_mtpa"] == 0).all()
    assert "geometry" not in net.corridors
    assert (net.pipe_classes["capex_musd_per_unit_per_mtpa"] == 0).all()
    assert net.pipe_classes["om_fraction_per_yr"].tolist() == [0.02, 0.0]
    assert {tuple(sorted(p)) for p in zip(net.corridors["from"], net.corridors["to"])} >= {tuple(sorted(e)) for e in LINES}


def test_optional_files_absent_give_empty_junctions_and_no_corridors(tmp_path):
    net = read_network(write_network(tmp_path / "net", junctions=None, corridors=None,
                                     pipe_classes=None))
    assert net.junctions.empty and list(net.junctions.columns) == [
        "name", "lon", "lat", "kind", "port_capex_musd", "port_capex_musd_per_mtpa",
        "port_cost_usd_per_t"]
    assert net.corridors is None and net.pipe_classes is None


def assert_same_tables(a, b, geometry_ok=True):
    for t in ("sources", "sinks", "junctions", "pipe_classes"):
        left = getattr(a, t).drop(columns="note", errors="ignore")
        pd.testing.assert_frame_equal(left, getattr(b, t), check_exact=False)
    pd.testing.assert_frame_equal(a.corridors, b.corridors.drop(columns="geometry"))
    assert all(g.geom_type == "LineString" for g in b.corridors["geometry"])


def test_geojson_folder_gives_the_same_tables_as_csv(tmp_path):
    csv = read_network(write_network(tmp_path / "net"))
    (tmp_path / "gj").mkdir()
    for table, frame in to_features().items():
        pyogrio.write_dataframe(frame, tmp_path / "gj" / f"{table}.geojson", driver="GeoJSON")
    assert_same_tables(csv, read_network(tmp_path / "gj"))


def test_semicolon_separated_files_with_decimal_commas_give_the_same_tables(tmp_path):
    """As spreadsheet programs write CSV where the comma is the decimal mark: ``;`` between
    cells, ``12,5`` for 12.5 (text with commas, such as names, stays as it is)."""
    csv = read_network(write_network(tmp_path / "net"))
    (tmp_path / "semi").mkdir()
    for table, text in GOOD.items():
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame = frame.apply(lambda col: col.str.replace(".", ",", regex=False)
                            if col.name not in ("id", "name", "kind", "note", "from", "to")
                            else col)
        frame.to_csv(tmp_path / "semi" / f"{table}.csv", sep=";", index=False)
    assert "12,5" in (tmp_path / "semi" / "sinks.csv").read_text()
    semi = read_network(tmp_path / "semi")
    for t in ("sources", "sinks", "junctions", "corridors", "pipe_classes"):
        pd.testing.assert_frame_equal(getattr(csv, t), getattr(semi, t))


def test_geopackage_gives_the_same_tables_and_reprojects_to_wgs84(tmp_path):
    csv = read_network(write_network(tmp_path / "net"))
    gpkg = tmp_path / "net.gpkg"
    for table, frame in to_features().items():
        if isinstance(frame, gpd.GeoDataFrame):
            frame = frame.to_crs(3857)
        pyogrio.write_dataframe(frame, gpkg, layer=table)
    net = read_network(gpkg)
    assert net.name == "net"
    assert_same_tables(csv, net)
    assert net.corridors["geometry"][0].coords[0] == pytest.approx((117.0, 36.5))


def test_mixed_csv_and_geojson_folder(tmp_path):
    folder = write_network(tmp_path / "net", sinks=None)
    pyogrio.write_dataframe(to_features()["sinks"], folder / "sinks.geojson")
    assert read_network(folder).sinks.loc["k1", "lon"] == 118.0


# --------------------------------------------------------------- bad networks

def test_missing_network_folder_names_the_path(tmp_path):
    p = problems(read_network, tmp_path / "nowhere")
    assert len(p) == 1 and str(tmp_path / "nowhere") in p[0].message


def test_missing_required_files_reported_together(tmp_path):
    p = problems(read_network, write_network(tmp_path / "net", sources=None, sinks=None))
    one(p, file="net/sources.csv", row=None)
    one(p, file="net/sinks.csv", row=None)
    assert len(p) == 2


def test_missing_required_columns_one_problem_each(tmp_path):
    folder = write_network(tmp_path / "net", sources="id,lon\ns1,117\ns2,117.5\n")
    p = problems(read_network, folder)
    for col in ("lat", "capacity_mtpa"):
        assert "missing" in one(p, file="net/sources.csv", row=None, field=col).message
    assert len(p) == 2


def test_non_numeric_value_names_row_field_and_expectation(tmp_path):
    bad = SOURCES.replace("1.0,,", "abc,,")
    p = problems(read_network, write_network(tmp_path / "net", sources=bad))
    msg = one(p, file="net/sources.csv", row=3, field="capacity_mtpa").message
    assert "'abc' is not a number" in msg and "Mt/yr ≥ 0" in msg


def test_values_out_of_range_all_reported(tmp_path):
    bad = SOURCES.replace("117.5,36.0,1.0", "200,-95,-1")
    p = problems(read_network, write_network(tmp_path / "net", sources=bad))
    assert "[-180, 180]" in one(p, row=3, field="lon").message
    one(p, row=3, field="lat")
    assert "below the minimum 0" in one(p, row=3, field="capacity_mtpa").message
    assert len(p) == 3


def test_negative_corridor_length_and_fractional_year(tmp_path):
    folder = write_network(tmp_path / "net", corridors=CORRIDORS.replace("s2,j1,100", "s2,j1,-3"),
                           sources=SOURCES.replace("2.5,2030", "2.5,2030.5"))
    p = problems(read_network, folder)
    one(p, file="net/corridors.csv", row=3, field="length_km")
    assert "whole number" in one(p, file="net/sources.csv", row=2, field="available_from").message


def test_empty_required_values(tmp_path):
    bad = SINKS.replace("k2,Field,eor,118.5,37.5", ",Field,eor,118.5,")
    p = problems(read_network, write_network(tmp_path / "net", sinks=bad))
    assert one(p, file="net/sinks.csv", row=3, field="id").message.startswith("empty")
    one(p, file="net/sinks.csv", row=3, field="lat")


def test_blank_lines_are_counted_as_rows(tmp_path):
    bad = SOURCES.replace("\ns2", "\n\ns2").replace("1.0,,", "x,,")
    p = problems(read_network, write_network(tmp_path / "net", sources=bad))
    one(p, row=4, field="capacity_mtpa")


def test_duplicate_ids_within_and_across_files(tmp_path):
    folder = write_network(tmp_path / "net", sources=SOURCES.replace("s2,", "s1,"),
                           junctions=JUNCTIONS.replace("j1", "k1"))
    p = problems(read_network, folder)
    assert "net/sources.csv row 2" in one(p, file="net/sources.csv", row=3, field="id").message
    assert "net/sinks.csv row 2" in one(p, file="net/junctions.csv", row=2, field="id").message


def test_unknown_kind(tmp_path):
    p = problems(read_network, write_network(tmp_path / "net", sinks=SINKS.replace("eor", "moon")))
    assert "saline_offshore" in one(p, file="net/sinks.csv", row=3, field="kind").message


def test_corridor_rules(tmp_path):
    bad = CORRIDORS + "j1,s9,,,,\nk1,k1,,,,\nk2,j1,,,,\ns1,k1,3,1,,\n"
    p = problems(read_network, write_network(tmp_path / "net", corridors=bad))
    assert "'s9'" in one(p, row=6, field="to").message
    assert "itself" in one(p, row=7, field="to").message
    assert "first at row 5" in one(p, row=8, field="from").message
    one(p, row=9, field="fixed_cost_musd")
    one(p, row=9, field="variable_cost_usd_per_t")
    assert len(p) == 5 and all(q.file == "net/corridors.csv" for q in p)


def test_pipe_class_rules(tmp_path):
    bad = PIPE_CLASSES + "small,0,1,\n"
    p = problems(read_network, write_network(tmp_path / "net", pipe_classes=bad))
    one(p, file="net/pipe_classes.csv", row=4, field="name")
    assert "> 0" in one(p, file="net/pipe_classes.csv", row=4, field="capacity_mtpa").message


@pytest.mark.parametrize("content", [b'id,lon,lat\n"s1,1,2\n', b"\x89PNG\x00\x01\xff", b""])
def test_unparseable_csv_names_the_file(tmp_path, content):
    folder = write_network(tmp_path / "net", junctions=None)
    (folder / "junctions.csv").write_bytes(content)
    p = problems(read_network, folder)
    one(p, file="net/junctions.csv", row=None)


def test_header_only_sources(tmp_path):
    p = problems(read_network, write_network(tmp_path / "net", sources=SOURCES.splitlines()[0]))
    assert "no sources" in one(p, file="net/sources.csv").message


def test_csv_and_geojson_for_the_same_table_is_an_error(tmp_path):
    folder = write_network(tmp_path / "net")
    pyogrio.write_dataframe(to_features()["sinks"], folder / "sinks.geojson")
    assert "twice" in one(problems(read_network, folder), file="net/sinks.geojson").message


def test_geojson_problems_use_feature_numbers(tmp_path):
    folder = write_network(tmp_path / "net", sources=None)
    src = to_features()["sources"]
    src.loc[1, "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    src.loc[0, "capacity_mtpa"] = -1
    pyogrio.write_dataframe(src, folder / "sources.geojson")
    p = problems(read_network, folder)
    one(p, file="net/sources.geojson", row=1, field="capacity_mtpa")
    assert "Point" in one(p, file="net/sources.geojson", row=2, field="geometry").message


def test_geopackage_missing_layer(tmp_path):
    pyogrio.write_dataframe(to_features()["sources"],
                            tmp_path / "n.gpkg", layer="sources")
    assert "'sinks'" in one(problems(read_network, tmp_path / "n.gpkg"), file="n.gpkg").message


def test_problems_in_several_files_reported_together(tmp_path):
    folder = write_network(tmp_path / "net", sources=SOURCES.replace("2.5", "lots"),
                           sinks=SINKS.replace("500", "-1"),
                           corridors=CORRIDORS.replace("j1,k2", "j1,k9"))
    p = problems(read_network, folder)
    assert {q.file for q in p} == {"net/sources.csv", "net/sinks.csv", "net/corridors.csv"}


# ---------------------------------------------------------------------- cases

def write_case(tmp_path: Path, text: str = CASE) -> Path:
    (tmp_path / "cases").mkdir(exist_ok=True)
    case = tmp_path / "cases" / "demo.toml"
    case.write_text(dedent(text))
    return case


def test_case_resolves_network_relative_to_case_file(tmp_path):
    case = load_case(write_case(tmp_path))
    assert case.case.network == tmp_path / "networks" / "net"
    assert case.path == tmp_path / "cases" / "demo.toml"
    assert case.horizon.lengths_years == [5, 5, 5]


def test_price_mode_case(tmp_path):
    text = CASE.replace('network = "', 'mode = "price"\nnetwork = "').replace(
        "[target]\nmtpa = [1, 2, 3]", "[price]\nusd_per_t = 60\n\n[candidates]\nk_nearest = 6\n")
    case = load_case(write_case(tmp_path, text))
    assert case.price.usd_per_t == 60 and case.candidates.k_nearest == 6


def test_missing_case_file(tmp_path):
    p = problems(load_case, tmp_path / "nope.toml")
    assert "nope.toml" in p[0].file and "not found" in p[0].message


def test_toml_syntax_error_names_file_and_line(tmp_path):
    text = CASE.replace("period_years = 5", "period_years 5")
    p = problems(load_case, write_case(tmp_path, text))
    assert p[0].file == "cases/demo.toml" and p[0].row == 7 and "TOML" in p[0].message


def test_unknown_keys_are_named_with_the_allowed_ones(tmp_path):
    text = CASE.replace('name = "demo"', 'name = "demo"\ncolour = "red"')
    text = "path = 'x'\n" + text + "[extra]\n"
    p = problems(load_case, write_case(tmp_path, text))
    msg = one(p, field="case.colour", row=4).message
    assert "unknown key 'colour'" in msg and "network, mode" in msg
    one(p, field="extra")
    assert "path" not in one(p, field="path", row=1).message.split("allowed:")[1]
    assert len(p) == 3


def test_missing_key_and_bad_values_reported_together(tmp_path):
    text = CASE.replace("periods = [2025, 2030, 2035]", "").replace('name = "demo"', "name = 3")
    text += "\n[solver]\nmip_gap = 2\n"
    p = problems(load_case, write_case(tmp_path, text))
    assert one(p, field="horizon.periods").message == "required key missing"
    one(p, field="case.name", row=2)
    one(p, field="solver.mip_gap")


def test_periods_not_increasing(tmp_path):
    p = problems(load_case, write_case(tmp_path, CASE.replace("2030, 2035", "2035, 2030")))
    assert "increasing" in one(p, field="horizon.periods", row=6).message


def test_target_length_differs_from_periods(tmp_path):
    p = problems(load_case, write_case(tmp_path, CASE.replace("[1, 2, 3]", "[1, 2]")))
    assert "one target per period" in one(p, field="target.mtpa", row=10).message


def test_scale_up_by_outside_horizon(tmp_path):
    text = CASE.replace("mtpa = [1, 2, 3]", "base_mtpa = 2\nfactor = 100\nby = 2050")
    p = problems(load_case, write_case(tmp_path, text))
    assert "outside the horizon" in one(p, field="target.by").message


def test_list_item_and_union_errors_are_readable(tmp_path):
    text = CASE.replace("[1, 2, 3]", "[1, -2, 3]")
    assert one(problems(load_case, write_case(tmp_path, text)),
               field="target.mtpa").message.startswith("item 2: expected greater than")


def test_load_reads_case_and_network(tmp_path):
    write_network(tmp_path / "networks" / "net")
    case, net = load(write_case(tmp_path))
    assert case.name == "demo" and net.name == "net" and len(net.sources) == 2


def test_load_missing_network_is_a_case_problem(tmp_path):
    p = problems(load, write_case(tmp_path))
    q = one(p, file="cases/demo.toml", field="case.network")
    assert str(tmp_path / "networks" / "net") in q.message


def test_load_reports_network_problems_in_network_files(tmp_path):
    write_network(tmp_path / "networks" / "net", sinks=SINKS.replace("500", "x"))
    one(problems(load, write_case(tmp_path)), file="networks/net/sinks.csv", row=2,
        field="capacity_mt")
