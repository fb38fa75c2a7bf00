"""A plan read back from another solver's solution file, checked before it is used.

``ccusplan solve CASE --write-model FILE.mps`` writes the model with ccusplan's column
names (:meth:`.LinearProgram.column_names`); any solver can solve it, and
``ccusplan solve CASE --solution FILE`` reads the values back by name. Formats, told
apart by their content:

* CPLEX's XML solution (``<CPLEXSolution>``, ``<variable name=… value=…/>``);
* HiGHS's solution file (``Highs.writeSolution``, the raw style: a ``# Columns N``
  section of ``name value`` lines);
* Gurobi's ``.sol`` and SCIP's ``.sol``: ``name value`` lines, ``#`` comments, SCIP's
  ``(obj:…)`` after the value and its header lines.

Columns the file does not name are 0, as every solver writes them when it leaves zeros
out. The values are checked against the model (bounds, integrality, every row) before a
plan is made of them: a file from another case, or a solution the solver did not
finish, is refused with the names of what it violates.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.optimize.lp import LinearProgram

#: Absolute tolerance on bounds, integrality and rows (solvers' default feasibility
#: tolerances are 1e-6; values written with 15 digits lose little more).
TOLERANCE = 1e-5
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?inf(inity)?$", re.I)


def read_values(path: Path) -> dict[str, float]:
    """Column name → value, from a solution file in any of the module's formats."""
    text = path.read_text(errors="replace")
    if "<CPLEXSolution" in text[:2000] or text.lstrip().startswith("<?xml"):
        return _cplex(path, text)
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("# Columns ")), None)
    if start is not None:  # HiGHS: exactly N lines after the header
        n = int(lines[start].split()[2])
        return dict(_pair(path, start + 1 + k, lines[start + 1 + k]) for k in range(n))
    values = {}
    for i, line in enumerate(lines):
        words = line.split()
        if len(words) >= 2 and not line.lstrip().startswith("#") and _NUMBER.match(words[1]):
            values[words[0]] = float(words[1])
    if not values:
        raise _bad(path, "no 'name value' lines: not a solution file ccusplan reads (CPLEX "
                   ".sol XML, HiGHS's solution file, Gurobi or SCIP .sol)")
    return values


def _bad(path: Path, message: str) -> InputError:
    return InputError(Problem(display_path(path), message))


def _pair(path: Path, i: int, line: str) -> tuple[str, float]:
    words = line.split()
    if len(words) < 2 or not _NUMBER.match(words[1]):
        raise _bad(path, f"line {i + 1}: expected 'name value', found {line!r}")
    return words[0], float(words[1])


def _cplex(path: Path, text: str) -> dict[str, float]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise _bad(path, f"not well-formed XML ({exc})") from None
    values = {}
    for v in root.iter("variable"):
        name, value = v.get("name"), v.get("value")
        if name is None or value is None or not _NUMBER.match(value):
            raise _bad(path, "a <variable> without a name and a numeric value")
        values[name] = float(value)
    return values


def solution_columns(lp: LinearProgram, path: Path) -> np.ndarray:
    """The column values of ``lp`` in the solution file ``path``, checked to be a plan of
    it (:class:`InputError` naming the file and what is violated otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "no such solution file")
    values = read_values(path)
    names = lp.column_names()
    index = {name: j for j, name in enumerate(names)}
    unknown = [name for name in values if name not in index]
    if unknown:
        raise _bad(path, f"{len(unknown)} name(s) that no column of this case's model has, "
                   f"e.g. {', '.join(unknown[:3])}: a solution of another model (write this "
                   "one with --write-model)")
    x = np.zeros(len(names))
    for name, value in values.items():
        x[index[name]] = value
    problems = violations(lp, x)
    if problems:
        raise _bad(path, "not a plan of this case's model: " + "; ".join(problems))
    return x


def violations(lp: LinearProgram, x: np.ndarray, most: int = 5) -> list[str]:
    """What ``x`` violates in ``lp`` (bounds, integrality, rows), by name, at most ``most``."""
    arr = lp.arrays()
    names = lp.column_names()
    out = []
    if not np.all(np.isfinite(x)):
        j = int(np.flatnonzero(~np.isfinite(x))[0])
        return [f"{names[j]} = {x[j]} is not a number"]
    low = np.flatnonzero(x < arr["col_lo"] - TOLERANCE)
    high = np.flatnonzero(x > arr["col_hi"] + TOLERANCE)
    frac = np.flatnonzero(arr["integer"] & (np.abs(x - np.round(x)) > TOLERANCE))
    out += [f"{names[j]} = {x[j]:g} below its lower bound {arr['col_lo'][j]:g}" for j in low]
    out += [f"{names[j]} = {x[j]:g} above its upper bound {arr['col_hi'][j]:g}" for j in high]
    out += [f"{names[j]} = {x[j]:g} is not integer" for j in frac]
    activity = arr["A"] @ x
    scale = np.maximum(1.0, np.abs(activity))
    rows = np.flatnonzero((activity < arr["row_lo"] - TOLERANCE * scale)
                          | (activity > arr["row_hi"] + TOLERANCE * scale))
    row_names = lp.row_names() if len(rows) else []
    for i in rows:
        lo, hi = arr["row_lo"][i], arr["row_hi"][i]
        want = f"= {lo:g}" if lo == hi else (f"≥ {lo:g}" if math.isfinite(lo) and activity[i] < lo
                                             else f"≤ {hi:g}")
        out.append(f"row {row_names[i]} is {activity[i]:g}, must be {want}")
    return out[:most] + ([f"and {len(out) - most} more"] if len(out) > most else [])
