"""Where the CBC solver comes from.

PuLP 3 bundled a CBC binary; PuLP 4 no longer does. ccusplan runs CBC through
PuLP's ``COIN_CMD`` with an explicit binary, found in this order:

1. ``CCUSPLAN_CBC``: the path of a CBC binary the user chose;
2. the ``cbcbox`` wheel (a ccusplan dependency; the wheel PuLP 4's ``cbc`` extra installs);
3. PuLP 3's bundled binary, where that PuLP is installed;
4. ``cbc`` on the ``PATH`` (e.g. Debian's and Ubuntu's ``coinor-cbc``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The environment variable naming a CBC binary to use before any other.
ENV_VAR = "CCUSPLAN_CBC"


@dataclass(frozen=True)
class CbcBinary:
    """A CBC executable and where it was found."""

    path: Path
    origin: str   # "CCUSPLAN_CBC", "cbcbox 2.929", "PuLP 3.3.2 bundled", "PATH"


def _from_env() -> CbcBinary | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return CbcBinary(Path(value), ENV_VAR) if value else None


def _from_cbcbox() -> CbcBinary | None:
    try:
        import cbcbox
        from importlib.metadata import version

        path = Path(cbcbox.cbc_bin_path())
        return CbcBinary(path, f"cbcbox {version('cbcbox')}") if path.is_file() else None
    except Exception:  # noqa: BLE001 - not installed, or no build for this platform
        return None


def _from_pulp() -> CbcBinary | None:
    import pulp

    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is None:
        return None
    with warnings.catch_warnings():  # PuLP 3 deprecates its bundled CBC
        warnings.simplefilter("ignore", DeprecationWarning)
        path = bundled().path
    return CbcBinary(Path(path), f"PuLP {pulp.__version__} bundled") if path and \
        Path(path).is_file() else None


def _from_path() -> CbcBinary | None:
    found = shutil.which("cbc")
    return CbcBinary(Path(found), "PATH") if found else None


@cache
def find_cbc() -> CbcBinary | None:
    """The CBC binary ccusplan uses (see the module's docstring), or None."""
    for finder in (_from_env, _from_cbcbox, _from_pulp, _from_path):
        if (found := finder()) is not None:
            return found
    return None


def label(cbc: CbcBinary) -> str:
    """How results name this CBC, e.g. ``"cbc 2.10.3 (PuLP 3.3.2 bundled)"``."""
    return f"cbc {cbc_version(cbc.path)} ({cbc.origin})"


@cache
def cbc_version(path: Path) -> str:
    """The version CBC prints of itself, e.g. ``"2.10.3"``, or ``"devel"`` for a build of CBC's main branch."""
    out = subprocess.run([str(path), "-quit"], capture_output=True, text=True,
                         timeout=30).stdout
    m = re.search(r"Version:\s*(\S+)", out)
    if m is None:
        return "unknown"
    return m.group(1) if m.group(1)[0].isdigit() else m.group(1).lower()
