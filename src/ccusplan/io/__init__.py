"""Read and validate inputs: networks (CSV, GeoJSON, GeoPackage) and cases (TOML).

:func:`load` is the usual entry point: it reads a case and the network it names.
Bad input raises :class:`ccusplan.errors.InputError` listing every problem.
"""

from __future__ import annotations

from pathlib import Path

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.io.case import load_case
from ccusplan.io.network import read_network
from ccusplan.model import Case, Network

__all__ = ["load", "load_case", "read_network"]


def load(case_path: Path) -> tuple[Case, Network]:
    """Read a case file and the network it names.

    Parameters
    ----------
    case_path : pathlib.Path
        The case TOML file.

    Returns
    -------
    tuple of (Case, Network)

    Raises
    ------
    InputError
        The case is invalid; or its network does not exist (the problem names
        the case file and field ``case.network``); or the network is invalid
        (the problems name the network's files).
    """
    case = load_case(case_path)
    if not case.case.network.exists():
        raise InputError(Problem(
            display_path(case.path),
            f"network not found: {case.case.network} does not exist "
            "(network paths are relative to the case file's folder)",
            field="case.network",
        ))
    return case, read_network(case.case.network)
