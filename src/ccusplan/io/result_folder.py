"""Read a result folder written by ``ccusplan solve`` back, for reports made later
(possibly on another machine, from the folder alone: nothing is solved again).

Every problem found (a missing file, invalid JSON, a missing column, a value that is
not a number) becomes a :class:`~ccusplan.errors.Problem` naming the file and field;
all of them are raised together as one :class:`~ccusplan.errors.InputError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ccusplan.errors import InputError, Problem, display_path

#: summary.json keys the report needs (core keys every solve writes, which it shows).
SUMMARY_KEYS = ("case", "status", "objective_musd", "best_bound_musd", "mip_gap",
                "levelized_cost_usd_per_t", "solver", "solve_seconds", "pipeline_km",
                "stored_mtpa_by_period")
#: Numeric columns each table needs when the folder holds a plan (ids and names aside).
PLAN_COLUMNS = {
    "plan_sources.csv": ("period", "equipped", "built_capacity_mtpa", "captured_mtpa",
                         "capex_musd"),
    "plan_sinks.csv": ("period", "open", "injected_mtpa", "cumulative_mt", "capacity_mt",
                       "capex_musd"),
    "plan_pipelines.csv": ("corridor", "period", "pipes", "pipes_added", "capacity_mtpa",
                           "flow_mtpa", "length_km", "capex_musd"),
    "plan_ports.csv": ("period", "open", "capacity_mtpa", "throughput_mtpa", "capex_musd"),
    "timeline.csv": ("period", "stored_mtpa", "pipeline_km_total"),
    "timeline_sinks.csv": ("period", "injected_mtpa", "cumulative_mt", "capacity_mt",
                           "share_used"),
}
TEXT_COLUMNS = {"plan_sources.csv": ("source_id", "name", "kind"),
                "plan_sinks.csv": ("sink_id", "name", "kind"),
                "plan_pipelines.csv": ("from", "to", "pipe_class"),
                "plan_ports.csv": ("port_id",),
                "timeline_sinks.csv": ("sink_id",)}
#: Columns every timeline.csv has, with or without a plan.
TIMELINE_COLUMNS = ("period", "period_years", "target_mtpa", "price_usd_per_t")
PLAN_STATUSES = ("optimal", "feasible")


@dataclass(frozen=True)
class ResultFolder:
    """The content of a result folder; ``tables`` by file name (``plan_sources.csv`` ...)."""

    path: Path
    summary: dict
    tables: dict[str, pd.DataFrame]
    network: dict  # network.geojson

    @property
    def has_plan(self) -> bool:
        return self.summary["status"] in PLAN_STATUSES


def read_result_folder(path: Path) -> ResultFolder:
    """Read ``summary.json``, the plan and timeline tables and ``network.geojson``.

    Raises
    ------
    InputError
        ``path`` is not a result folder, or a file in it is missing or malformed.
    """
    path = Path(path)
    where = display_path(path)
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a folder"
        raise InputError(Problem(where, f"{what}; expected a result folder written by "
                                        "`ccusplan solve` (holding summary.json)"))
    if not (path / "summary.json").is_file():
        raise InputError(Problem(where, "not a ccusplan result folder: it holds no "
                                        "summary.json (write one with `ccusplan solve CASE "
                                        "--out FOLDER`)"))
    problems: list[Problem] = []
    summary = _read_summary(path / "summary.json", problems)
    planned = summary is not None and summary.get("status") in PLAN_STATUSES
    tables = {}
    for name in ("plan_sources.csv", "plan_sinks.csv", "plan_pipelines.csv", "timeline.csv",
                 "timeline_sinks.csv"):
        tables[name] = _read_table(path / name, planned, problems)
    if (path / "plan_ports.csv").is_file():  # written where the network has ports
        tables["plan_ports.csv"] = _read_table(path / "plan_ports.csv", planned, problems)
    network = _read_geojson(path / "network.geojson", problems)
    if problems:
        raise InputError(problems)
    return ResultFolder(path, summary, tables, network)


def _missing(file: Path, problems: list[Problem]) -> bool:
    if file.is_file():
        return False
    problems.append(Problem(display_path(file), "missing from the result folder (every "
                                                "`ccusplan solve` writes it)"))
    return True


def _read_summary(file: Path, problems: list[Problem]) -> dict | None:
    where = display_path(file)
    try:
        s = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(where, f"not valid JSON ({exc})"))
        return None
    if not isinstance(s, dict):
        problems.append(Problem(where, "expected a JSON object"))
        return None
    for key in SUMMARY_KEYS:
        if key not in s:
            problems.append(Problem(where, "missing (a summary written by `ccusplan solve` "
                                           "has it)", field=key))
    if problems:
        return None
    checks = {"case": str, "status": str, "solver": str, "stored_mtpa_by_period": dict}
    for key, kind in checks.items():
        if not isinstance(s[key], kind):
            problems.append(Problem(where, f"expected {'text' if kind is str else 'an object'}",
                                    field=key))
    for key in ("objective_musd", "best_bound_musd", "mip_gap", "levelized_cost_usd_per_t",
                "solve_seconds", "pipeline_km"):
        if s[key] is not None and (isinstance(s[key], bool)
                                   or not isinstance(s[key], (int, float))):
            problems.append(Problem(where, "expected a number or null", field=key))
    return None if problems else s


def _read_table(file: Path, planned: bool, problems: list[Problem]) -> pd.DataFrame | None:
    if _missing(file, problems):
        return None
    where = display_path(file)
    try:
        df = pd.read_csv(file, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        problems.append(Problem(where, f"not a readable CSV table ({exc})"))
        return None
    need = TIMELINE_COLUMNS if file.name == "timeline.csv" else ()
    if planned:
        need = (*need, *PLAN_COLUMNS[file.name], *TEXT_COLUMNS.get(file.name, ()))
    for col in dict.fromkeys(need):
        if col not in df.columns:
            problems.append(Problem(where, "column missing", field=col))
    numeric = set(PLAN_COLUMNS[file.name]) | ({"period"} if file.name == "timeline.csv" else set())
    for col in [c for c in df.columns if c in numeric or c.endswith(("_mtpa", "_musd", "_mt"))]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # the header is row 1
            problems.append(Problem(where, f"expected a number, got {df[col][bad].iloc[0]!r}",
                                    row=row, field=col))
        else:
            df[col] = values
    for col in TEXT_COLUMNS.get(file.name, ()):
        if col in df.columns:
            df[col] = df[col].astype("string").fillna("").astype(object)
    return df


def _read_geojson(file: Path, problems: list[Problem]) -> dict | None:
    if _missing(file, problems):
        return None
    where = display_path(file)
    try:
        gj = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(where, f"not valid JSON ({exc})"))
        return None
    feats = gj.get("features") if isinstance(gj, dict) else None
    if not isinstance(feats, list):
        problems.append(Problem(where, "expected a GeoJSON FeatureCollection with a "
                                       "'features' list"))
        return None
    for i, f in enumerate(feats):
        geom = f.get("geometry") if isinstance(f, dict) else None
        if not (isinstance(geom, dict) and isinstance(f.get("properties"), dict)
                and _coordinates_ok(geom.get("type"), geom.get("coordinates"))):
            problems.append(Problem(where, "expected a Point or LineString feature with "
                                           f"lon/lat coordinates and properties (feature {i + 1})"))
            break
    return gj


def _coordinates_ok(kind, coords) -> bool:
    def point(p) -> bool:
        return (isinstance(p, list) and len(p) >= 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p[:2]))

    if kind == "Point":
        return point(coords)
    return kind == "LineString" and isinstance(coords, list) and len(coords) >= 2 \
        and all(point(p) for p in coords)
