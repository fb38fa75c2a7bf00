"""Shared test helpers: write tiny networks and cases to disk, list installed solvers.

One tiny model plus named overrides composes the test cases (the Calliope way):
``write_network`` writes CSVs from lists of dicts; ``write_case`` a TOML case.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ccusplan.io import load
from ccusplan.optimize.pulp_backend import available_solvers

SOLVERS = [s for s, real in (("highs", "HiGHS"), ("cbc", "PULP_CBC_CMD"))
           if real in available_solvers()]


def write_network(folder: Path, sources, sinks, corridors=None, junctions=None,
                  pipe_classes=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("sources", sources), ("sinks", sinks), ("corridors", corridors),
                       ("junctions", junctions), ("pipe_classes", pipe_classes)):
        if rows is not None:
            pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
    return folder


def _toml_value(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def write_case(path: Path, network: str | Path, periods, target=None, price=None,
               period_years: int = 1, mode: str | None = None, **tables) -> Path:
    """A case file. ``tables`` are extra TOML tables, e.g. finance={"crf": 0.1}."""
    mode = mode or ("price" if price is not None else "target")
    doc = {"case": {"name": path.stem, "network": str(network), "mode": mode},
           "horizon": {"periods": list(periods), "period_years": period_years}}
    if target is not None:
        doc["target"] = {"mtpa": list(target)} if isinstance(target, (list, tuple)) else target
    if price is not None:
        doc["price"] = {"usd_per_t": price}
    doc.update(tables)
    lines = []
    for table, kv in doc.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in kv.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def load_case(path: Path):
    return load(path)


@pytest.fixture(params=SOLVERS)
def solver(request) -> str:
    """Each installed solver in turn (HiGHS and CBC agree on every solved test case)."""
    return request.param
