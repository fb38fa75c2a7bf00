"""Read the raw layers of a network: text cells, record numbers and geometry.

A network is a folder of CSV and/or GeoJSON files, or one GeoPackage. Each
layer is read into a :class:`RawLayer` of stripped text cells (``""`` where a
value is missing), whatever its format, so one schema-driven converter
(:mod:`ccusplan.io.network`) checks every format alike. Point geometry becomes
``lon``/``lat`` cells (WGS84 degrees); line geometry of corridors is kept as
shapely objects. Problems found while reading are appended to a list, never
raised one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ccusplan.errors import Problem, display_path
from ccusplan.model import TABLES

REQUIRED_TABLES = ("sources", "sinks")
FORMATS = (".csv", ".geojson")
_NODE_GEOMETRY = "Point"
_LINE_GEOMETRY = "LineString"
_BINARY_SNIFF_BYTES = 8192
#: A number written with a decimal comma, e.g. ``-12,5`` (in a semicolon-separated file).
_DECIMAL_COMMA = r"^([+-]?\d+),(\d+)$"


def _separator(file: Path) -> str:
    """``;`` for a file whose header row has more semicolons than commas (as spreadsheet
    programs write CSV in locales with a decimal comma), else ``,``."""
    with file.open(encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    return ";" if header.count(";") > header.count(",") else ","


@dataclass(frozen=True)
class RawLayer:
    """One table as read from its file, before any type conversion.

    Attributes
    ----------
    table : str
        Contract table name (``sources``, ``sinks`` ...).
    file : str
        Where the table came from, as shown to the user in problems.
    cells : pandas.DataFrame
        Stripped text cells, ``""`` for missing values; positional index.
    rows : numpy.ndarray
        For each record the number a user looks for: the spreadsheet row of a
        CSV (header = row 1, first data row = 2) or the 1-based feature number
        of a GeoJSON/GeoPackage layer.
    geometry : numpy.ndarray or None
        Shapely lines (WGS84) of a corridors layer, ``None`` for rows without
        geometry; ``None`` when the layer carries no line geometry.
    """

    table: str
    file: str
    cells: pd.DataFrame
    rows: np.ndarray
    geometry: np.ndarray | None = None


def read_layers(path: Path, problems: list[Problem]) -> dict[str, RawLayer]:
    """Read every network layer found at ``path`` (folder or ``.gpkg`` file).

    Parameters
    ----------
    path : pathlib.Path
        A folder of ``<table>.csv`` / ``<table>.geojson`` files, or a GeoPackage.
    problems : list of Problem
        Problems found (missing path or file, unreadable file ...) are appended.

    Returns
    -------
    dict of str to RawLayer
        The layers that could be read, keyed by table name.
    """
    if not path.exists():
        problems.append(Problem(display_path(path), f"network not found: {path} does not exist"))
        return {}
    if path.is_dir():
        return _read_folder(path, problems)
    if path.suffix.lower() == ".gpkg":
        return _read_gpkg(path, problems)
    problems.append(Problem(
        display_path(path),
        "not a network: expected a folder of CSV/GeoJSON files or a .gpkg file",
    ))
    return {}


def _read_folder(folder: Path, problems: list[Problem]) -> dict[str, RawLayer]:
    """Read ``<table>.csv`` or ``<table>.geojson`` for each table; both is an error."""
    layers = {}
    for table in TABLES:
        found = [f for f in (folder / f"{table}{ext}" for ext in FORMATS) if f.is_file()]
        if len(found) > 1:
            problems.append(Problem(
                display_path(found[1]),
                f"{table} is given twice, as {found[0].name} and {found[1].name}: keep only one",
            ))
        elif not found and table in REQUIRED_TABLES:
            problems.append(Problem(
                display_path(folder / f"{table}.csv"),
                f"missing required file: a network needs {table}.csv (or {table}.geojson)",
            ))
        elif found:
            reader = _read_csv if found[0].suffix == ".csv" else _read_geojson
            layer = reader(found[0], table, problems)
            if layer is not None:
                layers[table] = layer
    return layers


def _read_csv(file: Path, table: str, problems: list[Problem]) -> RawLayer | None:
    """Read a CSV as text cells; blank lines are dropped but still counted as rows."""
    where = display_path(file)
    with file.open("rb") as fh:
        if b"\x00" in fh.read(_BINARY_SNIFF_BYTES):
            problems.append(Problem(where, "cannot read: binary data, expected a CSV text file"))
            return None
    sep = _separator(file)
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, sep=sep,
                         skip_blank_lines=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        problems.append(Problem(where, "file is empty: expected a header row naming the columns"))
        return None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.append(Problem(where, f"cannot read as CSV (UTF-8, separated by commas or "
                                       f"semicolons): {exc}"))
        return None
    cells = _as_text(df)
    if sep == ";":  # as spreadsheets write CSV where the comma is the decimal mark
        cells = cells.apply(lambda col: col.str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True))
    keep = cells.ne("").any(axis=1).to_numpy()
    rows = np.flatnonzero(keep) + 2
    return RawLayer(table, where, cells[keep].reset_index(drop=True), rows)


def _read_geojson(file: Path, table: str, problems: list[Problem]) -> RawLayer | None:
    """Read one GeoJSON file as a layer."""
    where = display_path(file)
    try:
        frame = pyogrio.read_dataframe(file)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        problems.append(Problem(where, f"cannot read as GeoJSON: {exc}"))
        return None
    return _feature_layer(frame, table, where, problems)


def _read_gpkg(file: Path, problems: list[Problem]) -> dict[str, RawLayer]:
    """Read the layers named like the tables from a GeoPackage."""
    where = display_path(file)
    try:
        names = set(pyogrio.list_layers(file)[:, 0])
    except (pyogrio.errors.DataSourceError, ValueError) as exc:
        problems.append(Problem(where, f"cannot read as GeoPackage: {exc}"))
        return {}
    layers = {}
    for table in TABLES:
        if table not in names:
            if table in REQUIRED_TABLES:
                found = ", ".join(sorted(names)) or "none"
                problems.append(Problem(
                    where, f"missing required layer '{table}' (layers found: {found})",
                ))
            continue
        frame = pyogrio.read_dataframe(file, layer=table)
        layers[table] = _feature_layer(frame, table, f"{where}, layer '{table}'", problems)
    return layers


def _feature_layer(frame: pd.DataFrame, table: str, where: str,
                   problems: list[Problem]) -> RawLayer:
    """Turn features (GeoDataFrame, or DataFrame without geometry) into a RawLayer.

    Geometry is reprojected to WGS84 (EPSG:4326) when the layer has another CRS.
    Node tables take ``lon``/``lat`` from Point geometry (a feature without
    geometry keeps its ``lon``/``lat`` attributes); corridors keep LineStrings.
    """
    geoms = None
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is not None:
            frame = frame.to_crs(4326)
        geoms = frame.geometry.to_numpy()
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    cells = _as_text(frame.reset_index(drop=True))
    rows = np.arange(1, len(cells) + 1)
    if geoms is None:
        return RawLayer(table, where, cells, rows)
    if table == "corridors":
        _check_geometry_type(geoms, _LINE_GEOMETRY, where, rows, problems)
        has_line = shapely.get_type_id(geoms) == shapely.GeometryType.LINESTRING
        lines = np.where(has_line, geoms, None) if has_line.any() else None
        return RawLayer(table, where, cells, rows, lines)
    if table == "pipe_classes":
        return RawLayer(table, where, cells, rows)
    _check_geometry_type(geoms, _NODE_GEOMETRY, where, rows, problems)
    return RawLayer(table, where, _points_to_lonlat(cells, geoms), rows)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text, ``""`` where missing; column names stripped."""
    return pd.DataFrame(
        {str(c).strip(): frame[c].astype(str).where(frame[c].notna(), "").str.strip()
         for c in frame.columns},
        index=frame.index,
    )


def _check_geometry_type(geoms: np.ndarray, expected: str, where: str,
                         rows: np.ndarray, problems: list[Problem]) -> None:
    """Report features whose geometry is present but not of the expected type."""
    types = shapely.get_type_id(geoms)
    wanted = getattr(shapely.GeometryType, expected.upper())
    bad = (types != wanted) & (types != shapely.GeometryType.MISSING)
    problems.extend(
        Problem(where, f"geometry is a {g.geom_type}; expected a {expected}", int(r), "geometry")
        for r, g in zip(rows[bad], geoms[bad])
    )


def _points_to_lonlat(cells: pd.DataFrame, geoms: np.ndarray) -> pd.DataFrame:
    """Write Point coordinates into ``lon``/``lat`` cells (attributes kept where no point)."""
    is_point = ((shapely.get_type_id(geoms) == shapely.GeometryType.POINT)
                & ~shapely.is_empty(geoms))
    if not is_point.any():
        return cells
    coords = np.full((len(geoms), 2), np.nan)
    coords[is_point] = shapely.get_coordinates(geoms[is_point])
    out = cells.copy()
    for k, name in enumerate(("lon", "lat")):
        old = out[name] if name in out else pd.Series("", index=out.index, dtype=str)
        out[name] = pd.Series(coords[:, k], index=out.index).astype(str).where(is_point, old)
    return out
