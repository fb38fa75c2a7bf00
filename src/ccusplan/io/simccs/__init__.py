"""Import a SimCCS scenario folder as a ccusplan network and case.

:func:`import_scenario` reads a SimCCS 2.0 scenario (``files``), places its sources and
sinks on the cells of the dataset's cost raster exactly as SimCCS does (``grid``), maps
every term of SimCCS's model onto the network contract (``mapping``) and writes the
network folder and a case with SimCCS's semantics (``casefile``). Bad input raises
:class:`~ccusplan.errors.InputError` naming the SimCCS file, row and column, before
anything is written; what ccusplan cannot reproduce term for term comes back as notes.
"""

from __future__ import annotations

import dataclasses

import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from shapely.geometry import mapping as geo_mapping

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.io.network import read_network
from ccusplan.io.simccs.casefile import case_toml
from ccusplan.io.simccs.files import RASTER, read_raster, read_scenario
from ccusplan.io.simccs.grid import Raster
from ccusplan.io.simccs.mapping import Tables, notes, tables
from ccusplan.model import TABLES, Network

#: SimCCS's defaults in its user interface (``gui/Gui.java``): capital recovery rate
#: ".1", number of years "30", capture target "15" Mt/yr.
DEFAULT_CRF = 0.1
DEFAULT_PROJECT_YEARS = 30.0
DEFAULT_TARGET_MTPA = 15.0

_CASE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_COORD_DECIMALS = 7


@dataclass(frozen=True)
class ImportOptions:
    """What SimCCS keeps in its user interface rather than in the scenario folder."""

    mode: Literal["target", "price"] = "target"
    target_mtpa: float = DEFAULT_TARGET_MTPA
    tax_credit_usd_per_t: float = 0.0
    """SimCCS's price-mode "Tax/Credit ($/t)", added to every capture cost (credit < 0)."""
    crf: float = DEFAULT_CRF
    project_years: float = DEFAULT_PROJECT_YEARS
    raster: Path | None = None
    """Cost raster header; default ``<scenario>/../../BaseData/CostNetwork/Construction Costs.txt``."""
    cap_trends_at_target: bool = False
    """As SimCCS's earlier writers (2019, the Gateway): every trend's capacity at most the
    target (target mode)."""
    diameters: bool = False
    """Pipe classes from the legacy diameter table (``Transport/Transport.txt``, SimCCS's
    diameter model) instead of the cost trends of ``Linear.txt``; any number of pipes per
    corridor, as in that model."""


@dataclass(frozen=True)
class ImportReport:
    network: Network            # the written network, read back and validated
    case_path: Path
    raster: Raster
    notes: list[str]


def import_scenario(scenario: Path, out: Path, case_path: Path,
                    options: ImportOptions = ImportOptions(), force: bool = False) -> ImportReport:
    """Convert the SimCCS scenario folder ``scenario`` into a network ``out`` and a case.

    Parameters
    ----------
    scenario : pathlib.Path
        A SimCCS scenario folder (``Sources/``, ``Sinks/``, ``Transport/``, ``Network/``).
    out : pathlib.Path
        Network folder to write: ``sources.csv``, ``sinks.csv``, ``junctions.csv``,
        ``pipe_classes.csv`` and ``corridors.geojson`` (the candidate routes as lines).
    case_path : pathlib.Path
        Case file to write.
    options : ImportOptions
        Mode, target or tax/credit, capital recovery factor, project length, raster.
    force : bool
        Replace an existing network's tables in ``out`` and an existing case file.

    Returns
    -------
    ImportReport

    Raises
    ------
    InputError
        Any SimCCS file is missing or malformed, a source or sink is off the raster or
        off the candidate network, or the destinations are taken; nothing is written.
    """
    scenario, out, case_path = Path(scenario), Path(out), Path(case_path)
    problems = _destination_problems(out, case_path, force)
    if options.diameters and options.cap_trends_at_target:
        problems.append(Problem("command line", "--cap-trends-at-target caps Linear.txt's cost "
                                "trends; with --diameters the pipe classes come from "
                                "Transport.txt instead: give one of the two",
                                field="--cap-trends-at-target"))
    sc = read_scenario(scenario, problems, diameters=options.diameters)
    raster = read_raster(Path(options.raster or os.path.normpath(scenario / RASTER)), problems)
    if problems:
        raise InputError(problems)
    found: list[str] = []
    t = tables(sc, raster, options.project_years, problems, found)
    if problems or t is None:
        raise InputError(problems)
    if options.cap_trends_at_target and options.mode == "target":
        classes = t.pipe_classes.copy()
        classes["capacity_mtpa"] = classes["capacity_mtpa"].clip(upper=options.target_mtpa)
        t = dataclasses.replace(t, pipe_classes=classes)
        found.append(f"every trend's capacity capped at the target ({options.target_mtpa:g} "
                     "Mt/yr), as SimCCS's earlier writers did")
    found += notes(t, options.mode, options.tax_credit_usd_per_t)
    _write_network(out, t)
    if options.diameters:
        found.append("pipe classes from the legacy diameter table (Transport/Transport.txt): "
                     "capital costFix × ConCost + costROW × ROWCost, O&M costO&M per km, "
                     "capacity maxCap; any number of pipes per corridor")
    text = case_toml(case_path, out, display_path(scenario), options.mode, options.target_mtpa,
                     options.tax_credit_usd_per_t, options.crf, options.project_years, found,
                     one_pipe=not options.diameters)
    _write_text(case_path, text)
    return ImportReport(read_network(out), case_path, raster, found)


def _destination_problems(out: Path, case_path: Path, force: bool) -> list[Problem]:
    problems = []
    if out.exists() and not out.is_dir():
        problems.append(Problem("command line", f"{out} exists and is not a folder", field="--out"))
    elif out.is_dir() and not force:
        taken = sorted(p.name for t in TABLES for p in out.glob(f"{t}.*")
                       if p.suffix in (".csv", ".geojson"))
        if taken:
            problems.append(Problem("command line", f"{out} already holds a network "
                                    f"({', '.join(taken)}); give --force to replace it",
                                    field="--out"))
    if not _CASE_NAME.match(case_path.stem):
        problems.append(Problem("command line", f"the case name '{case_path.stem}' (the file "
                                "name) may only hold letters, digits, '_', '.' and '-'",
                                field="--case"))
    if case_path.exists() and not force:
        problems.append(Problem("command line", f"{case_path} exists; give --force to replace it",
                                field="--case"))
    return problems


# ------------------------------------------------------------------- writing

def _geojson(corridors: pd.DataFrame) -> dict:
    def clean(v):
        if hasattr(v, "item"):
            v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v

    def geometry(line):
        if line is None:
            return None
        g = geo_mapping(line)
        g["coordinates"] = [[round(x, _COORD_DECIMALS), round(y, _COORD_DECIMALS)]
                            for x, y in g["coordinates"]]
        return g

    props = corridors.drop(columns="geometry")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": geometry(line),
                          "properties": {k: clean(v) for k, v in row.items()}}
                         for line, (_, row) in zip(corridors["geometry"], props.iterrows())]}


def _write_network(out: Path, t: Tables) -> None:
    """All tables into a temporary sibling folder, then moved into ``out`` file by file
    (an existing network's tables, in any format, are removed first)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name in ("sources", "sinks", "junctions", "pipe_classes"):
            getattr(t, name).to_csv(tmp / f"{name}.csv", index=False)
        (tmp / "corridors.geojson").write_text(json.dumps(_geojson(t.corridors)) + "\n")
        out.mkdir(exist_ok=True)
        for old in [p for table in TABLES for p in out.glob(f"{table}.*")
                    if p.suffix in (".csv", ".geojson")]:
            old.unlink()
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


__all__ = ["ImportOptions", "ImportReport", "import_scenario"]
