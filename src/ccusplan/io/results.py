"""Write results atomically (the result folder of ``ccusplan solve``).

All files are written into a temporary folder next to the destination, which is
then moved into place, so a reader never sees a half-written result and a
crash leaves the previous result untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ccusplan.errors import InputError, Problem

RESULT_FILES = ("summary.json", "plan_sources.csv", "plan_sinks.csv", "plan_pipelines.csv",
                "network.geojson", "timeline.csv", "timeline_sinks.csv", "timeline.png",
                "network_map.png", "cost_breakdown.png")


def check_out_dir(out: Path, marker: str = "summary.json") -> Problem | None:
    """Why results may not go to ``out`` (replacing a folder that is not a result), if so.

    A non-empty folder is replaced only when it holds ``marker`` (the file that shows it
    is an earlier result of the same kind)."""
    out = Path(out).resolve()
    if out == Path.cwd().resolve() or out == out.parent:
        return Problem("command line", f"results need a folder of their own, not {out}",
                       field="--out")
    for p in (out, *out.parents):
        if p.exists() and not p.is_dir():
            return Problem("command line", f"{p} exists and is not a folder", field="--out")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).exists():
        return Problem("command line", f"refusing to replace {out}: it is not empty and holds "
                       f"no ccusplan results ({marker}); choose another folder",
                       field="--out")
    return None


def staging_dir(out: Path) -> Path:
    """A new empty sibling folder of ``out`` to write into before it is moved to ``out``,
    with the permissions ``mkdir`` would give it (``tempfile.mkdtemp`` makes it private:
    a result folder moved into place would stay ``drwx------``)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    return tmp


def write_file(path: Path, data: bytes) -> None:
    """``data`` to ``path`` whole or not at all: a temporary file beside it, moved into
    place, with the permissions a new file gets."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(out: Path, writers: dict[str, Callable[[Path], None]],
                 marker: str = "summary.json") -> Path:
    """Run each writer into a temporary sibling folder, then move it to ``out`` (which may
    replace a folder only if it holds ``marker``, see :func:`check_out_dir`)."""
    out = Path(out).resolve()
    problem = check_out_dir(out, marker)
    if problem is not None:
        raise InputError(problem)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(out)
    try:
        for name, write in writers.items():
            write(tmp / name)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_results(out: Path, summary: dict, tables: dict[str, pd.DataFrame],
                  geojson: dict, files: dict[str, bytes] | None = None) -> Path:
    """summary.json, the tables (CSV), network.geojson and any ready-made ``files``
    (e.g. PNG figures, by file name), written atomically into ``out``."""
    writers: dict[str, Callable[[Path], None]] = {
        "summary.json": lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"),
        "network.geojson": lambda p: p.write_text(json.dumps(geojson) + "\n"),
    }
    for name, df in tables.items():
        writers[name] = lambda p, df=df: df.to_csv(p, index=False, float_format="%.6g")
    for name, data in (files or {}).items():
        writers[name] = lambda p, data=data: p.write_bytes(data)
    return write_atomic(out, writers)
