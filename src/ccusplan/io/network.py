"""Read and validate a network: CSV folder, GeoJSON folder or GeoPackage.

Types, ranges, required flags and defaults come from the schema
(:func:`ccusplan.model.schema`, ``data/network_schema.csv``). Every problem in
every file is collected and raised together as one
:class:`~ccusplan.errors.InputError`; each :class:`~ccusplan.errors.Problem`
names the file, the row (CSV: spreadsheet row, header = row 1; GeoJSON and
GeoPackage: 1-based feature number) and the field.

The checks after type conversion are small functions, one per rule, listed in
``_CHECKS``; each takes the converted tables and returns its problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.errors import InputError, Problem
from ccusplan.io._layers import RawLayer, read_layers
from ccusplan.io.plausibility import far_nodes, misspelt_columns
from ccusplan.model import (
    JUNCTION_KINDS, MODES, NODE_TABLES, SINK_KINDS, SOURCE_KINDS, Network, schema,
)

_KINDS = {"sources": SOURCE_KINDS, "sinks": SINK_KINDS, "junctions": JUNCTION_KINDS}
_GENERIC_PIPE = ("capacity_mtpa", "fixed_cost_musd", "variable_cost_usd_per_t")


@dataclass(frozen=True)
class _Table:
    """A converted table with what is needed to point at its rows."""

    layer: RawLayer
    data: pd.DataFrame
    """Every contract column typed (float64 or str), invalid cells NaN; positional index."""

    def problems(self, mask: pd.Series, field: str | None, template: str,
                 *values: pd.Series) -> list[Problem]:
        """One Problem per row where ``mask`` is true; see :func:`_report`."""
        return _report(self.layer, mask, field, template, *values)


def _report(layer: RawLayer, mask: pd.Series, field: str | None, template: str,
            *values: pd.Series) -> list[Problem]:
    """One Problem for each row of ``layer`` where ``mask`` is true.

    The message is ``template.format(*row_values)`` with the row's entries of
    ``values`` (Series aligned with ``mask``); only flagged rows are formatted.
    """
    sel = mask.to_numpy(dtype=bool)
    if not sel.any():
        return []
    picked = [v.to_numpy(dtype=object)[sel] for v in values]
    return [Problem(layer.file, template.format(*args), int(row), field)
            for row, *args in zip(layer.rows[sel], *picked)]


def read_network(path: Path) -> Network:
    """Read and validate the network at ``path``.

    Parameters
    ----------
    path : pathlib.Path
        A folder holding ``sources``, ``sinks`` and optionally ``junctions``,
        ``corridors`` and ``pipe_classes`` tables, each as ``<table>.csv`` or
        ``<table>.geojson`` (giving both for one table is an error), or one
        ``.gpkg`` file with layers of those names (``pipe_classes`` may be an
        attribute-only layer). GeoJSON/GeoPackage nodes carry Point geometry
        instead of ``lon``/``lat`` (features without geometry use their
        ``lon``/``lat`` attributes); corridors may carry LineStrings. Geometry in
        another CRS is reprojected to WGS84 (EPSG:4326).

    Returns
    -------
    Network
        Every table holds every contract column of the schema, in schema order,
        then any extra columns of the file (kept as text, otherwise ignored).
        Numbers are float64 (``available_from`` too: a year, NaN if absent),
        text is ``str``; missing optional values are NaN unless the schema has a
        default. Node tables are indexed by ``id``. ``corridors`` has a
        ``geometry`` column of shapely LineStrings (WGS84 degrees) when its
        layer has line geometry. ``name`` is the folder name or file stem.

    Raises
    ------
    InputError
        With every problem found in every file.
    """
    path = Path(path)
    problems: list[Problem] = []
    layers = read_layers(path, problems)
    tables = {name: _Table(layer, _convert(layer, problems)) for name, layer in layers.items()}
    for check in _CHECKS:
        problems.extend(check(tables))
    if problems:
        raise InputError(_in_reading_order(problems))
    net = _network(path, tables)
    notes = [n for name, t in tables.items()
             for n in misspelt_columns(name, t.layer.file, t.layer.cells)]
    return replace(net, notes=tuple(notes + far_nodes(net.nodes())))


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were read), then by row."""
    order = {f: i for i, f in enumerate(dict.fromkeys(p.file for p in problems))}
    return sorted(problems, key=lambda p: (order[p.file], p.row or 0))


# ----------------------------------------------------------------- conversion

def _convert(layer: RawLayer, problems: list[Problem]) -> pd.DataFrame:
    """Typed table of every contract column, then the layer's extra columns."""
    spec = schema()[schema()["table"] == layer.table]
    cells = layer.cells
    out = {}
    for col in spec.itertuples(index=False):
        if col.column in cells:
            out[col.column] = _convert_column(cells[col.column], col, layer, problems)
            continue
        if col.required:
            problems.append(Problem(layer.file, _missing_column_message(col.column, cells), None,
                                    col.column))
        out[col.column] = _empty_column(col, len(cells))
    extras = {c: cells[c].where(cells[c] != "") for c in cells if c not in out}
    data = pd.DataFrame(out | extras, index=cells.index)
    if layer.geometry is not None:
        data["geometry"] = pd.Series(layer.geometry, index=cells.index, dtype=object)
    return data


def _missing_column_message(column: str, cells: pd.DataFrame) -> str:
    hint = " (or give Point geometry)" if column in ("lon", "lat") else ""
    found = ", ".join(cells.columns) or "none"
    return f"required column '{column}' is missing{hint}; columns found: {found}"


def _empty_column(col, n: int) -> pd.Series:
    """A column absent from the file: all default (or NaN), typed."""
    value = col.default if col.default != "" else np.nan
    if col.type == "text":
        return pd.Series([value] * n, dtype=str)
    return pd.Series(np.full(n, float(value)), dtype="float64")


def _convert_column(raw: pd.Series, col, layer: RawLayer, problems: list[Problem]) -> pd.Series:
    """Convert one column of text cells by its schema row, reporting every bad cell."""
    blank = raw.eq("")
    expected = _expected(col)
    if col.required:
        problems.extend(_report(layer, blank, col.column, f"empty; expected {expected}"))
    if col.type == "text":
        values = raw.where(~blank)
        return values.fillna(col.default) if col.default != "" else values
    if col.type == "bool":  # 1.0 true, 0.0 false, NaN blank (the default is the reader's)
        text = raw.str.lower()
        values = pd.Series(np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0,
                                                                     np.nan)), index=raw.index)
        bad = ~blank & values.isna()
        problems.extend(_report(layer, bad, col.column,
                                f"'{{}}' is not true or false; expected {expected}", raw))
        return values
    values = pd.to_numeric(raw.where(~blank), errors="coerce").astype("float64")
    bad = ~blank & ~np.isfinite(values)
    problems.extend(_report(layer, bad, col.column,
                            f"'{{}}' is not a number; expected {expected}", raw))
    bad |= _out_of_range(values, col, raw, layer, expected, problems)
    values = values.where(~bad)
    return values.fillna(float(col.default)) if col.default != "" else values


def _out_of_range(values: pd.Series, col, raw: pd.Series, layer: RawLayer, expected: str,
                  problems: list[Problem]) -> pd.Series:
    """Flag (and report) values not whole when they must be, or outside [min, max]."""
    rules = []
    if col.type == "int":
        rules.append((values.mod(1).gt(0), "is not a whole number"))
    if col.min != "":
        rules.append((values < float(col.min), f"is below the minimum {col.min}"))
    if col.max != "":
        rules.append((values > float(col.max), f"is above the maximum {col.max}"))
    flagged = pd.Series(False, index=values.index)
    for mask, what in rules:
        mask &= ~flagged
        problems.extend(_report(layer, mask, col.column, f"{{}} {what}; expected {expected}", raw))
        flagged |= mask
    return flagged


_TRUE = ("true", "yes", "1", "1.0")
_FALSE = ("false", "no", "0", "0.0")


def _expected(col) -> str:
    """What a valid value looks like, from the schema row: e.g. ``Mt/yr ≥ 0``."""
    if col.type == "text":
        return "a value"
    if col.type == "bool":
        return "true or false (yes/no, 1/0)"
    what = col.unit or ("a whole number" if col.type == "int" else "a number")
    if col.min != "" and col.max != "":
        return f"{what} in [{col.min}, {col.max}]"
    if col.min != "":
        return f"{what} ≥ {col.min}"
    if col.max != "":
        return f"{what} ≤ {col.max}"
    return what


# --------------------------------------------------------------------- checks

def _check_not_empty(tables: dict[str, _Table]) -> list[Problem]:
    """Sources and sinks need at least one row each."""
    return [Problem(t.layer.file, f"no {name}: at least one is needed")
            for name, t in tables.items() if name in ("sources", "sinks") and t.data.empty]


def _check_kinds(tables: dict[str, _Table]) -> list[Problem]:
    """A source's, sink's or junction's ``kind`` must be one of the known kinds."""
    out = []
    for name, kinds in _KINDS.items():
        if name in tables:
            t = tables[name]
            kind = t.data["kind"]
            out += t.problems(~kind.isin(kinds), "kind",
                              f"unknown kind '{{}}'; expected one of: {', '.join(kinds)}", kind)
    return out


def _node_ids(tables: dict[str, _Table]) -> pd.DataFrame:
    """Every node id with the file and row it comes from, in file order."""
    parts = [pd.DataFrame({"id": tables[n].data["id"], "file": tables[n].layer.file,
                           "row": tables[n].layer.rows, "table": n})
             for n in NODE_TABLES if n in tables]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["id", "file", "row", "table"])


def _check_duplicate_ids(tables: dict[str, _Table]) -> list[Problem]:
    """Node ids must be unique within and across the node files."""
    ids = _node_ids(tables).dropna(subset=["id"])
    dup = ids[ids.duplicated("id", keep="first")]
    first = ids.drop_duplicates("id").set_index("id").loc[dup["id"]]
    return [
        Problem(f, f"id '{i}' is used more than once: also in {f0} row {r0}; ids must be unique "
                   "across sources, sinks and junctions", int(r), "id")
        for i, f, r, f0, r0 in zip(dup["id"], dup["file"], dup["row"], first["file"], first["row"])
    ]


def _check_corridor_nodes(tables: dict[str, _Table]) -> list[Problem]:
    """Corridor ends must name nodes (checked only when sources and sinks were read)."""
    if "corridors" not in tables or not {"sources", "sinks"} <= tables.keys():
        return []
    t = tables["corridors"]
    known = _node_ids(tables)["id"]
    out = []
    for end in ("from", "to"):
        node = t.data[end]
        out += t.problems(node.notna() & ~node.isin(known), end,
                          "unknown node '{}'; expected an id from sources, sinks or junctions",
                          node)
    return out


def _check_corridor_loops(tables: dict[str, _Table]) -> list[Problem]:
    """A corridor must join two different nodes."""
    if "corridors" not in tables:
        return []
    t = tables["corridors"]
    same = t.data["from"].eq(t.data["to"]).fillna(False)
    return t.problems(same, "to", "corridor joins '{}' to itself; from and to must differ",
                      t.data["to"])


def _check_corridor_duplicates(tables: dict[str, _Table]) -> list[Problem]:
    """Each unordered pair of nodes may have one corridor of each mode only."""
    if "corridors" not in tables:
        return []
    t = tables["corridors"]
    a, b = t.data["from"], t.data["to"]
    key = ["lo", "hi", "mode"]
    pairs = pd.DataFrame({"lo": a.where(a <= b, b), "hi": b.where(a <= b, a),
                          "mode": t.data["mode"].fillna("pipeline"),
                          "row": t.layer.rows}).dropna(subset=["lo", "hi"])
    dup = pairs[pairs.duplicated(key, keep="first")]
    first = pairs.drop_duplicates(key).set_index(key)["row"]
    first_row = first.loc[pd.MultiIndex.from_frame(dup[key])].to_numpy()
    return [
        Problem(t.layer.file, f"{m} corridor {lo}–{hi} is given more than once (first at row "
                f"{r0}); give each pair once per mode", int(r), "from")
        for lo, hi, m, r, r0 in zip(dup["lo"], dup["hi"], dup["mode"], dup["row"], first_row)
    ]


def _check_modes(tables: dict[str, _Table]) -> list[Problem]:
    """A corridor's ``mode`` is a known mode; a ship, truck or rail corridor has no pipe
    columns (fixed_cost_musd, existing capacity), and a ship corridor joins a port to a
    port or a sink (checked when the node files were read)."""
    if "corridors" not in tables:
        return []
    t = tables["corridors"]
    mode = t.data["mode"]
    out = t.problems(~mode.isin(MODES), "mode",
                     f"unknown mode '{{}}'; expected one of: {', '.join(MODES)}", mode)
    leased = mode.isin(MODES[1:])
    out += t.problems(leased & t.data["fixed_cost_musd"].notna(), "fixed_cost_musd",
                      "a {} corridor lays no pipe and has no capital cost: leave "
                      "fixed_cost_musd blank (its costs are the case's [transport] table's, "
                      "or variable_cost_usd_per_t)", mode)
    out += t.problems(leased & t.data["existing_capacity_mtpa"].gt(0), "existing_capacity_mtpa",
                      "a {} corridor has no existing pipe: leave existing_capacity_mtpa blank "
                      "or 0", mode)
    if not {"sources", "sinks"} <= tables.keys():
        return out
    ports = set()
    if "junctions" in tables:
        j = tables["junctions"].data
        ports = set(j.loc[j["kind"].eq("port"), "id"])
    sinks = set(tables["sinks"].data["id"])
    a, b = t.data["from"], t.data["to"]
    port_a, port_b = a.isin(ports), b.isin(ports)
    ok = (port_a & (port_b | b.isin(sinks))) | (port_b & a.isin(sinks))
    return out + t.problems(mode.eq("ship") & ~ok & a.notna() & b.notna(), "from",
                            "ship corridor {}–{} must join a port (a junction of kind port) to "
                            "a port or a sink", a, b)


def _check_generic_pipe(tables: dict[str, _Table]) -> list[Problem]:
    """A pipeline corridor's capacity_mtpa, fixed_cost_musd and variable_cost_usd_per_t:
    all three or none (a ship, truck or rail corridor may give either alone)."""
    if "corridors" not in tables:
        return []
    t = tables["corridors"]
    cells = t.layer.cells
    given = pd.DataFrame({c: cells[c].ne("") if c in cells else False for c in _GENERIC_PIPE},
                         index=cells.index)
    partial = given.any(axis=1) & ~given.all(axis=1) & t.data["mode"].eq("pipeline")
    msg = ("a generic pipe needs all of capacity_mtpa, fixed_cost_musd and "
           "variable_cost_usd_per_t (or none of them); this one is missing")
    return [p for c in _GENERIC_PIPE for p in t.problems(partial & ~given[c], c, msg)]


def _check_pipe_classes(tables: dict[str, _Table]) -> list[Problem]:
    """Pipe class names are unique and each class carries something (> 0 Mt/yr)."""
    if "pipe_classes" not in tables:
        return []
    t = tables["pipe_classes"]
    name, cap = t.data["name"], t.data["capacity_mtpa"]
    dup = name.notna() & name.duplicated(keep="first")
    return (t.problems(dup, "name", "pipe class '{}' is given more than once", name)
            + t.problems(cap.le(0), "capacity_mtpa", "capacity is 0; expected Mt/yr > 0"))


_CHECKS: tuple[Callable[[dict[str, _Table]], list[Problem]], ...] = (
    _check_not_empty,
    _check_kinds,
    _check_duplicate_ids,
    _check_corridor_nodes,
    _check_corridor_loops,
    _check_corridor_duplicates,
    _check_modes,
    _check_generic_pipe,
    _check_pipe_classes,
)


# ------------------------------------------------------------------- assembly

def _network(path: Path, tables: dict[str, _Table]) -> Network:
    """Assemble the validated tables into a Network."""
    def nodes(name: str) -> pd.DataFrame:
        data = tables[name].data if name in tables else _empty_table(name)
        return data.set_index("id")

    def optional(name: str) -> pd.DataFrame | None:
        return tables[name].data if name in tables else None

    return Network(
        name=path.name if path.is_dir() else path.stem,
        sources=nodes("sources"),
        sinks=nodes("sinks"),
        junctions=nodes("junctions"),
        corridors=optional("corridors"),
        pipe_classes=optional("pipe_classes"),
        path=path,
    )


def _empty_table(table: str) -> pd.DataFrame:
    """A table with no rows and every contract column, typed."""
    spec = schema()[schema()["table"] == table]
    return pd.DataFrame({c.column: _empty_column(c, 0) for c in spec.itertuples(index=False)})
