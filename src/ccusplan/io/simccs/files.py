"""Read the files of a SimCCS scenario folder, exactly as SimCCS reads them.

A scenario folder (SimCCS 2.0, ``Datasets/<dataset>/Scenarios/<scenario>/``) holds:

* ``Sources/Sources.csv`` and ``Sinks/Sinks.csv`` (or, as earlier releases and the
  SimCCS Gateway wrote them, ``Sources.txt`` and ``Sinks.txt``: one header row, then
  tab-separated fields; CR-only, LF or CRLF line endings) — the CSVs comma-separated,
  three header rows, data from row 4 until the first line that is blank or begins with ``,`` or a
  space; fields split on commas outside double quotes. Text is UTF-8 or cp1252
  (SimCCS's own sample has a cp1252 en dash in a header).
* ``Transport/Linear.txt`` — one header row, then ``ID  SLOPE  INTERCEPT`` per cost
  trend, optionally with a right-of-way slope and intercept.
* ``Network/CandidateNetwork/CandidateNetwork.txt`` — header
  ``Vertex1 Vertex2 Cost ConCost ROWCost CellRoute``, then one undirected edge per
  row with its cell route (both end cells included).

and, for placing sources and sinks, the header of the dataset's cost raster
(``BaseData/CostNetwork/Construction Costs.txt``, an ESRI ASCII grid).

Every problem names the file, the row (the file's line number: SimCCS's CSV headers
are rows 1–3, so the first source is row 4) and the column (SimCCS's spreadsheet
letter and header) and says what was expected; all are collected, never raised one
at a time.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.errors import Problem, display_path
from ccusplan.io.simccs.grid import Raster

SOURCES = Path("Sources/Sources.csv")
SINKS = Path("Sinks/Sinks.csv")
LINEAR = Path("Transport/Linear.txt")
#: The legacy diameter table (4" to 42"), read instead of LINEAR when asked for.
DIAMETERS = Path("Transport/Transport.txt")
CANDIDATES = Path("Network/CandidateNetwork/CandidateNetwork.txt")
#: The cost raster SimCCS reads, relative to the scenario folder (dataset/BaseData/...).
RASTER = Path("../../BaseData/CostNetwork/Construction Costs.txt")

_HEADER_ROWS = 3
_BINARY_SNIFF_BYTES = 8192
_WHOLE = re.compile(r"^\d+$")
_RASTER_KEYS = ("ncols", "nrows", "xllcorner", "yllcorner", "cellsize")


@dataclass(frozen=True)
class Column:
    """One SimCCS spreadsheet column: where it is, what it holds, what is allowed."""

    name: str            # column name in the parsed table
    letter: str          # spreadsheet column (A = field 0)
    header: str          # SimCCS's header text
    unit: str = ""       # "" for text columns
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None

    @property
    def index(self) -> int:
        return ord(self.letter) - ord("A")

    @property
    def field(self) -> str:
        return f"{self.letter}: {self.header}"

    @property
    def expected(self) -> str:
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f"{self.unit} in [{lo:g}, {hi:g}]"
        if lo is not None:
            return f"{self.unit} ≥ {lo:g}"
        return self.unit or "a value"


def _money(name, letter, header, unit, minimum=0.0):
    return Column(name, letter, header, unit, minimum=minimum)


_LON = {"unit": "degrees", "required": True, "minimum": -180.0, "maximum": 180.0}
_LAT = {"unit": "degrees", "required": True, "minimum": -90.0, "maximum": 90.0}

SOURCE_COLUMNS = (
    Column("id", "A", "Unique ID", required=True),
    Column("name", "B", "Name"),
    Column("prod_mtpa", "C", "Capturable CO2 (MtCO2/yr)", "MtCO2/yr", True, 0.0),
    _money("total_usd_per_t", "D", "Total unit cost ($/tCO2)", "$/tCO2", None),
    _money("capex_musd", "E", "Fixed capital cost ($M)", "$M"),
    _money("fom_musd_per_yr", "F", "Fixed O&M cost ($M/yr)", "$M/yr"),
    _money("var_usd_per_t", "G", "Variable O&M cost ($/tCO2)", "$/tCO2", None),
    Column("lon", "H", "X-LON", **_LON),
    Column("lat", "I", "Y-LAT", **_LAT),
)
SINK_COLUMNS = (
    Column("id", "A", "Unique ID", required=True),
    Column("name", "B", "Name"),
    Column("cap_mt", "C", "Storage capacity (MtCO2)", "MtCO2", True, 0.0),
    _money("total_usd_per_t", "D", "Total unit cost ($/tCO2)", "$/tCO2", None),
    _money("site_capex_musd", "E", "Site-wide fixed capital cost ($M)", "$M"),
    _money("site_fom_musd_per_yr", "F", "Site-wide fixed O&M cost ($M/yr)", "$M/yr"),
    _money("well_mtpa", "G", "Individual well injection rate (MtCO2/yr)", "MtCO2/yr"),
    _money("well_capex_musd", "H", "Injection fixed capital cost ($M)", "$M"),
    _money("well_fom_musd_per_yr", "I", "Injection fixed O&M cost ($M/yr)", "$M/yr"),
    _money("inj_usd_per_t", "J", "Injection variable O&M cost ($/tCO2)", "$/tCO2", None),
    Column("lon", "K", "X-LON", **_LON),
    Column("lat", "L", "Y-LAT", **_LAT),
)

#: The older text forms (``Sources/Sources.txt``, ``Sinks/Sinks.txt``): one header row,
#: tab-separated fields (a name may hold spaces).
SOURCE_TXT_COLUMNS = (
    Column("id", "A", "ID", required=True),
    _money("capex_musd", "B", "costFix ($M)", "$M"),
    _money("fom_musd_per_yr", "C", "fixO&M ($M/y)", "$M/yr"),
    _money("var_usd_per_t", "D", "varO&M ($/tCO2)", "$/tCO2", None),
    Column("prod_mtpa", "E", "capMax (MtCO2/y)", "MtCO2/yr", True, 0.0),
    Column("lon", "G", "LON", **_LON),
    Column("lat", "H", "LAT", **_LAT),
    Column("name", "I", "NAME"),
)
SINK_TXT_COLUMNS = (
    Column("id", "A", "Sink_ID", required=True),
    Column("name", "B", "NAME"),
    Column("cap_mt", "C", "fieldCap (MtCO2)", "MtCO2", True, 0.0),
    _money("site_capex_musd", "D", "costFix ($M)", "$M"),
    _money("site_fom_musd_per_yr", "E", "fixO&M ($M/yr)", "$M/yr"),
    _money("well_mtpa", "F", "wellCap (MtCO2/yr)", "MtCO2/yr"),
    _money("well_capex_musd", "G", "wellCostFix ($M)", "$M"),
    _money("well_fom_musd_per_yr", "H", "wellFixO&M ($M/yr)", "$M/yr"),
    _money("inj_usd_per_t", "I", "varO&M ($/tCO2)", "$/tCO2", None),
    Column("lon", "K", "LON", **_LON),
    Column("lat", "L", "LAT", **_LAT),
)
#: Sinks.txt's last field, the site's location, names it when present.
SINK_TXT_LOCATION = 16

#: ``Transport.txt``: one row per pipe diameter. Money in $M, capacities in Mt/yr; the
#: capital parts are per unit of the edge's construction and right-of-way cost sums
#: (``CandidateNetwork.txt``'s ConCost, ROWCost), O&M per km of the edge and year.
DIAMETER_COLUMNS = (
    Column("id", "A", "ID", required=True),
    Column("name", "B", "Name", required=True),
    Column("inches", "C", "Value", "inches", True, 0.0),
    Column("cost_fix", "D", "costFix", "$M per unit cost", True, 0.0),
    Column("cost_var", "E", "costVar", "$M per Mt/yr per km", True, 0.0, 0.0),
    Column("cost_row", "F", "costROW", "$M per unit cost", True, 0.0),
    Column("width_row", "G", "wdthROW", "ft", True, 0.0),
    Column("cost_om", "H", "costO&M", "$M per km per yr", True, 0.0),
    Column("min_cap", "I", "minCap", "Mt/yr", True, 0.0),
    Column("max_cap", "J", "maxCap", "Mt/yr", True, 0.0),
    Column("flow_loss", "K", "flowLoss", "share", True, 0.0, 0.0),
)

TREND_COLUMNS = (
    Column("id", "A", "ID", required=True),
    Column("slope", "B", "SLOPE", "$M per Mt/yr per unit cost", True, 0.0),
    Column("intercept", "C", "INTERCEPT", "$M per unit cost", True, 0.0),
    Column("row_slope", "D", "X (ROW)", "$M per Mt/yr per unit cost", True, 0.0),
    Column("row_intercept", "E", "C (ROW)", "$M per unit cost", True, 0.0),
)


@dataclass(frozen=True)
class Scenario:
    """The parsed files of a SimCCS scenario; ``line`` columns hold each row's line number.

    * ``sources``: id, name, prod_mtpa, capex_musd, fom_musd_per_yr, var_usd_per_t, lon, lat
      (the "total unit cost" form already resolved: capex = O&M = 0, var = total);
    * ``sinks``: id, name, cap_mt, simplified (bool), site_capex_musd, site_fom_musd_per_yr,
      well_mtpa (NaN: no well limit if simplified, no well at all otherwise),
      well_capex_musd, well_fom_musd_per_yr, inj_usd_per_t, lon, lat;
    * ``trends``: id, slope, intercept, row_slope, row_intercept (β, α, β′, α′);
    * ``edges``: v1, v2, con, row_cost, route (array of cells from v1 to v2);
    * ``diameters``: the legacy diameter table when asked for (:data:`DIAMETER_COLUMNS`),
      else empty.
    """

    folder: Path
    sources: pd.DataFrame
    sinks: pd.DataFrame
    trends: pd.DataFrame
    edges: pd.DataFrame
    txt: bool = False   # sources and sinks read from the older .txt forms
    diameters: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def file(self, relative: Path) -> str:
        """A file of the scenario, for messages (the sheets as the form read)."""
        if self.txt and relative in (SOURCES, SINKS):
            relative = relative.with_suffix(".txt")
        return display_path(self.folder / relative)

    def position_fields(self, relative: Path) -> str:
        """The longitude and latitude columns of a sheet, for messages."""
        if relative == SOURCES:
            return "G: LON, H: LAT" if self.txt else "H: X-LON, I: Y-LAT"
        return "K: LON, L: LAT" if self.txt else "K: X-LON, L: Y-LAT"


# ------------------------------------------------------------------ text

def _lines(path: Path, problems: list[Problem]) -> list[str] | None:
    """The file's lines (LF, CRLF or CR-only), decoded as UTF-8 or else cp1252."""
    where = display_path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        problems.append(Problem(where, f"missing SimCCS file: {path} {what}"))
        return None
    raw = path.read_bytes()
    if b"\x00" in raw[:_BINARY_SNIFF_BYTES]:
        problems.append(Problem(where, "cannot read: binary data, expected a text file"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return re.split(r"\r\n|\r|\n", text)


def _number(text: str, col: Column, where: str, line: int,
            problems: list[Problem], blank: float = 0.0) -> float:
    """A cell as a number; problems for an empty required cell, text or a value out of range."""
    if text == "":
        if col.required:
            problems.append(Problem(where, f"empty; expected {col.expected}", line, col.field))
        return blank
    try:
        value = float(text)
    except ValueError:
        value = np.nan
    if not np.isfinite(value):
        problems.append(Problem(where, f"'{text}' is not a number; expected {col.expected}",
                                line, col.field))
        return np.nan
    if col.minimum is not None and value < col.minimum:
        problems.append(Problem(where, f"{text} is below the minimum {col.minimum:g}; "
                                       f"expected {col.expected}", line, col.field))
        return np.nan
    if col.maximum is not None and value > col.maximum:
        problems.append(Problem(where, f"{text} is above the maximum {col.maximum:g}; "
                                       f"expected {col.expected}", line, col.field))
        return np.nan
    return value


# ------------------------------------------------------------- sources, sinks

def _sheet_rows(path: Path, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """(line number, stripped fields) of each data row of a SimCCS sources/sinks sheet."""
    lines = _lines(path, problems)
    if lines is None:
        return []
    rows = []
    for line_no, line in enumerate(lines[_HEADER_ROWS:], start=_HEADER_ROWS + 1):
        if line == "" or line[0] in ", ":
            break
        fields = next(csv.reader([line]))
        rows.append((line_no, [f.strip() for f in fields]))
    if not rows:
        problems.append(Problem(display_path(path), f"no data rows: SimCCS reads them from row "
                                f"{_HEADER_ROWS + 1}, after {_HEADER_ROWS} header rows"))
    return rows


def _txt_rows(path: Path, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """(line number, stripped fields) of each data row of an older ``.txt`` sheet: one
    header row (named or numbered), tab-separated fields, blank lines skipped."""
    lines = _lines(path, problems)
    if lines is None:
        return []
    rows = [(n, [f.strip() for f in line.split("\t")])
            for n, line in enumerate(lines[1:], start=2) if line.strip()]
    if not rows:
        problems.append(Problem(display_path(path), "no data rows: expected one header row, "
                                "then one tab-separated row per site"))
    return rows


def _sheet(path: Path, columns: tuple[Column, ...], problems: list[Problem],
           resolve: Callable[[Callable[..., float]], dict], txt: bool = False) -> pd.DataFrame:
    """Parse every data row by ``columns``; ``resolve`` gets the row's cell-to-number
    function (column name, value if blank) and returns the row's values. ``txt``: the
    older tab-separated form (:func:`_txt_rows`)."""
    where = display_path(path)
    needed = max(c.index for c in columns) + 1
    records = []
    for line, fields in (_txt_rows if txt else _sheet_rows)(path, problems):
        if len(fields) < needed:
            problems.append(Problem(where, f"has {len(fields)} fields; expected at least "
                                           f"{needed} (columns A–{columns[-1].letter})", line))
            continue
        cells = {c.name: fields[c.index] for c in columns}
        if txt and columns is SINK_TXT_COLUMNS and len(fields) > SINK_TXT_LOCATION \
                and fields[SINK_TXT_LOCATION]:
            cells["name"] = fields[SINK_TXT_LOCATION]

        def value(name: str, blank: float = 0.0, cells=cells, line=line) -> float:
            if name not in cells:          # a column this form has not (the .txt: no total)
                return blank
            col = next(c for c in columns if c.name == name)
            return _number(cells[name], col, where, line, problems, blank)

        record = resolve(value)
        if cells["id"] == "":
            problems.append(Problem(where, "empty; expected an ID", line, columns[0].field))
        records.append({"id": cells["id"], "name": cells["name"] or cells["id"],
                        **record, "line": line})
    table = pd.DataFrame.from_records(records)
    if len(table):
        dup = table["id"].ne("") & table["id"].duplicated(keep="first")
        first = table.drop_duplicates("id").set_index("id")["line"]
        problems.extend(
            Problem(where, f"ID '{i}' is used more than once (first at row {first[i]})",
                    int(line), columns[0].field)
            for i, line in zip(table.loc[dup, "id"], table.loc[dup, "line"]))
    return table


def _simplified(v: Callable[..., float]) -> float:
    """Column D: the whole unit cost when non-blank and non-zero, else NaN."""
    total = v("total_usd_per_t")
    return total if total != 0 else np.nan


def _source_values(v: Callable[..., float]) -> dict:
    out = {"prod_mtpa": v("prod_mtpa", np.nan), "lon": v("lon", np.nan), "lat": v("lat", np.nan)}
    total = _simplified(v)
    if np.isnan(total):
        out |= {k: v(k) for k in ("capex_musd", "fom_musd_per_yr", "var_usd_per_t")}
    else:
        out |= {"capex_musd": 0.0, "fom_musd_per_yr": 0.0, "var_usd_per_t": total}
    return out


def _sink_values(v: Callable[..., float]) -> dict:
    out = {"cap_mt": v("cap_mt", np.nan), "lon": v("lon", np.nan), "lat": v("lat", np.nan)}
    total = _simplified(v)
    if np.isnan(total):
        out |= {k: v(k) for k in ("site_capex_musd", "site_fom_musd_per_yr", "well_capex_musd",
                                  "well_fom_musd_per_yr", "inj_usd_per_t")}
        out |= {"simplified": False, "well_mtpa": v("well_mtpa", np.nan)}
    else:
        out |= {"simplified": True, "site_capex_musd": 0.0, "site_fom_musd_per_yr": 0.0,
                "well_mtpa": np.nan, "well_capex_musd": 0.0, "well_fom_musd_per_yr": 0.0,
                "inj_usd_per_t": total}
    return out


# ------------------------------------------------------------------- trends

def _data_rows(lines: list[str]):
    """(line number, whitespace-separated fields) of each non-blank line after the header."""
    for line_no, line in enumerate(lines[1:], start=2):
        if fields := line.split():
            yield line_no, fields


def _trends(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """``Linear.txt``: one header row, then 3 (or 5, with right-of-way) fields per trend."""
    where = display_path(path)
    lines = _lines(path, problems)
    if lines is None:
        return pd.DataFrame()
    records = []
    for line_no, fields in _data_rows(lines):
        if len(fields) not in (3, 5):
            problems.append(Problem(where, f"has {len(fields)} fields; expected 3 (ID, SLOPE, "
                                           "INTERCEPT) or 5 (and a right-of-way slope and "
                                           "intercept), tab-separated", line_no))
            continue
        fields += ["0", "0"] * (len(fields) == 3)
        values = {c.name: _number(f, c, where, line_no, problems)
                  for c, f in zip(TREND_COLUMNS[1:], fields[1:])}
        records.append({"id": fields[0], **values, "line": line_no})
    if not records and len(lines) > 0:
        problems.append(Problem(where, "no cost trends: expected rows of ID, SLOPE, INTERCEPT "
                                       "after the header row"))
    return pd.DataFrame.from_records(records)


def _diameters(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """``Transport.txt``: a header row naming :data:`DIAMETER_COLUMNS`, then one row per
    diameter, whitespace-separated, capacities rising."""
    where = display_path(path)
    lines = _lines(path, problems)
    if lines is None:
        return pd.DataFrame()
    header = [c.header for c in DIAMETER_COLUMNS]
    if not lines or lines[0].split() != header:
        problems.append(Problem(where, "not a SimCCS diameter table: the header row must be '"
                                + " ".join(header) + "'", 1))
        return pd.DataFrame()
    records = []
    for line_no, fields in _data_rows(lines):
        if len(fields) != len(DIAMETER_COLUMNS):
            problems.append(Problem(where, f"has {len(fields)} fields; expected "
                                           f"{len(DIAMETER_COLUMNS)} ({', '.join(header)})",
                                    line_no))
            continue
        values = {c.name: _number(f, c, where, line_no, problems)
                  for c, f in zip(DIAMETER_COLUMNS[2:], fields[2:])}
        records.append({"id": fields[0], "name": fields[1], **values, "line": line_no})
    table = pd.DataFrame.from_records(records)
    if not records:
        problems.append(Problem(where, "no diameters: expected one row per pipe diameter "
                                       "after the header row"))
        return table
    cap = table["max_cap"].to_numpy(float)
    problems.extend(
        Problem(where, f"maxCap {c:g} is not above the previous diameter's {p:g}; expected "
                       "capacities rising from row to row", int(line), "J: maxCap")
        for p, c, line in zip(cap[:-1], cap[1:], table["line"][1:]) if not c > p)
    return table


# ------------------------------------------------------------ candidate network

def _cell(text: str, where: str, line: int, field: str, problems: list[Problem]) -> int | None:
    if _WHOLE.match(text) and int(text) >= 1:
        return int(text)
    problems.append(Problem(where, f"'{text}' is not a cell number; expected a whole number "
                                   "≥ 1", line, field))
    return None


def _edges(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """``CandidateNetwork.txt``: edges with construction and right-of-way costs and routes."""
    where = display_path(path)
    lines = _lines(path, problems)
    if lines is None:
        return pd.DataFrame()
    header = lines[0].split() if lines else []
    if header[:1] != ["Vertex1"] or "ConCost" not in header:
        problems.append(Problem(where, "not a SimCCS 2.0 candidate network: the header must be "
                                       "'Vertex1 Vertex2 Cost ConCost ROWCost CellRoute' (an "
                                       "older file without per-edge costs is rebuilt by SimCCS "
                                       "from its cost raster; regenerate it with SimCCS 2.0)", 1))
        return pd.DataFrame()
    con_col = Column("con", "D", "ConCost", "cost-surface units", True, 0.0)
    row_col = Column("row_cost", "E", "ROWCost", "cost-surface units", True, 0.0)
    records, seen = [], {}
    for line_no, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 7:
            problems.append(Problem(where, f"has {len(fields)} fields; expected Vertex1, Vertex2, "
                                           "Cost, ConCost, ROWCost and a route of at least two "
                                           "cells", line_no))
            continue
        n_bad = len(problems)
        v1 = _cell(fields[0], where, line_no, "Vertex1", problems)
        v2 = _cell(fields[1], where, line_no, "Vertex2", problems)
        con = _number(fields[3], con_col, where, line_no, problems)
        row_cost = _number(fields[4], row_col, where, line_no, problems)
        route = [_cell(f, where, line_no, "CellRoute", problems) for f in fields[5:]]
        if len(problems) > n_bad:
            continue
        if v1 == v2:
            problems.append(Problem(where, f"edge joins cell {v1} to itself; Vertex1 and Vertex2 "
                                           "must differ", line_no, "Vertex2"))
            continue
        if (route[0], route[-1]) == (v2, v1):
            route.reverse()
        if (route[0], route[-1]) != (v1, v2):
            problems.append(Problem(where, f"route runs from cell {route[0]} to {route[-1]}; "
                                           f"expected it to join Vertex1 ({v1}) and Vertex2 ({v2})",
                                    line_no, "CellRoute"))
            continue
        key = (min(v1, v2), max(v1, v2))
        if key in seen:
            problems.append(Problem(where, f"edge {v1}–{v2} is given more than once (first at row "
                                           f"{seen[key]}); give each pair once", line_no, "Vertex1"))
            continue
        seen[key] = line_no
        records.append({"v1": v1, "v2": v2, "con": con, "row_cost": row_cost,
                        "route": np.asarray(route, np.int64), "line": line_no})
    if not records and not problems:
        problems.append(Problem(where, "no edges: expected one row per candidate edge after the "
                                       "header"))
    return pd.DataFrame.from_records(records)


# -------------------------------------------------------------------- raster

def read_raster(path: Path, problems: list[Problem]) -> Raster | None:
    """The header of an ESRI ASCII grid (``ncols``, ``nrows``, ``xllcorner``, ``yllcorner``,
    ``cellsize``; ``NODATA_value`` and the cell values that follow are not read)."""
    where = display_path(path)
    if not path.is_file():
        problems.append(Problem(where, "raster header not found: SimCCS places sources and sinks "
                                       "on the cells of its cost raster, so the import needs its "
                                       "header; give --raster FILE (the dataset's BaseData/"
                                       "CostNetwork/Construction Costs.txt, or a text file with "
                                       "its ncols, nrows, xllcorner, yllcorner and cellsize lines)"))
        return None
    found: dict[str, tuple[str, int]] = {}
    with path.open("r", encoding="latin-1") as fh:
        for line_no, line in enumerate(fh, start=1):
            parts = line.split()
            if len(parts) != 2 or not parts[0][:1].isalpha():
                break
            found[parts[0].lower()] = (parts[1], line_no)
    if {"xllcenter", "yllcenter"} & found.keys():
        problems.append(Problem(where, "xllcenter/yllcenter are not supported: SimCCS's rasters "
                                       "give xllcorner and yllcorner"))
        return None
    missing = [k for k in _RASTER_KEYS if k not in found]
    if missing:
        problems.append(Problem(where, f"not an ESRI ASCII grid header: missing {', '.join(missing)}"
                                       f" (expected lines such as 'ncols 1321' at the top)"))
        return None
    values: dict[str, float] = {}
    for key in _RASTER_KEYS:
        text, line = found[key]
        if key in ("ncols", "nrows"):
            ok, what = _WHOLE.match(text) is not None and int(text) >= 1, "a whole number ≥ 1"
        elif key == "cellsize":
            ok, what = _is_number(text) and float(text) > 0, "a number > 0"
        else:
            ok, what = _is_number(text), "a number"
        if not ok:
            problems.append(Problem(where, f"{key} '{text}' is not {what}", line, key))
            continue
        values[key] = int(text) if key in ("ncols", "nrows") else float(text)
    if len(values) < len(_RASTER_KEYS):
        return None
    return Raster(**values)


def _is_number(text: str) -> bool:
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


# ---------------------------------------------------------------------- all

def read_scenario(folder: Path, problems: list[Problem], diameters: bool = False) -> Scenario:
    """Read the four scenario files (with ``diameters``, ``Transport.txt`` instead of
    ``Linear.txt``); problems of every file are appended to ``problems``."""
    folder = Path(folder)
    if not folder.is_dir():
        problems.append(Problem(display_path(folder), "not a SimCCS scenario folder: it does not "
                                "exist or is not a folder"))
        empty = pd.DataFrame()
        return Scenario(folder, empty, empty, empty, empty)
    txt = not (folder / SOURCES).is_file() and (folder / SOURCES.with_suffix(".txt")).is_file()
    return Scenario(
        folder, txt=txt,
        sources=_either(folder, SOURCES, SOURCE_COLUMNS, SOURCE_TXT_COLUMNS, _source_values,
                        problems),
        sinks=_either(folder, SINKS, SINK_COLUMNS, SINK_TXT_COLUMNS, _sink_values, problems),
        trends=pd.DataFrame() if diameters else _trends(folder / LINEAR, problems),
        edges=_edges(folder / CANDIDATES, problems),
        diameters=_diameters(folder / DIAMETERS, problems) if diameters else pd.DataFrame(),
    )


def _either(folder: Path, csv_path: Path, columns, txt_columns, resolve,
            problems: list[Problem]) -> pd.DataFrame:
    """The sheet from its ``.csv`` (SimCCS 2.0) or its ``.txt`` (earlier releases and the
    SimCCS Gateway); with both, they must hold the same sites and numbers."""
    txt_path = csv_path.with_suffix(".txt")
    has_csv, has_txt = (folder / csv_path).is_file(), (folder / txt_path).is_file()
    if has_txt and not has_csv:
        return _sheet(folder / txt_path, txt_columns, problems, resolve, txt=True)
    table = _sheet(folder / csv_path, columns, problems, resolve)
    if has_txt:
        other = _sheet(folder / txt_path, txt_columns, problems, resolve, txt=True)
        numbers = [c for c in table.columns if c not in ("id", "name", "line")]
        a = table.set_index("id")[numbers] if len(table) else table
        b = other.set_index("id")[numbers] if len(other) else other
        same = (len(a) == len(b) and set(a.index) == set(b.index)
                and np.allclose(a.sort_index().to_numpy(float), b.sort_index().to_numpy(float),
                                rtol=1e-9, atol=1e-12, equal_nan=True))
        if not same:
            problems.append(Problem(display_path(folder / txt_path), f"disagrees with "
                                    f"{csv_path.name} beside it (other sites or numbers): "
                                    "keep one of the two"))
    return table
