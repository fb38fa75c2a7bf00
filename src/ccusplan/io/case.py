"""Read and validate a case file (TOML) into a :class:`ccusplan.model.Case`.

Every problem becomes a :class:`~ccusplan.errors.Problem` naming the case file,
the TOML line where the key (or its table) is written when it can be found
(``row``), and the dotted key (``field``, e.g. ``horizon.periods``). All
problems pydantic reports are raised together as one
:class:`~ccusplan.errors.InputError`.
"""

from __future__ import annotations

import re
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ccusplan.errors import InputError, Problem, display_path
from ccusplan.model import Case

_TABLE_LINE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_TOML_POSITION = re.compile(r"at line (\d+)")
_TABLE_IN_MESSAGE = re.compile(r"\[(\w+)\](?: (\w+))?")
_SHOULD = re.compile(r"^(Input|String|List|Value) should (be |have )?")
_NOT_SETTABLE = ("path",)
"""Case fields set by the loader, not by the user."""


def load_case(path: Path) -> Case:
    """Read and validate the case file at ``path``.

    Parameters
    ----------
    path : pathlib.Path
        A TOML case file (see docs/case-file.md). ``[case] network`` is relative to the
        file's folder.

    Returns
    -------
    Case
        With ``case.network`` resolved to an absolute path and ``path`` set to
        the case file's absolute path.

    Raises
    ------
    InputError
        The file is missing or not TOML, or any key is unknown, missing or has
        a bad value; ``row`` is the TOML line (1-based) where known.
    """
    path = Path(path).resolve()
    text = _read_text(path)
    data = _parse(text, path)
    problems = [_unknown(path, text, (key,), Case) for key in _NOT_SETTABLE if key in data]
    data = {k: v for k, v in data.items() if k not in _NOT_SETTABLE}
    _resolve_network(data, path.parent)
    try:
        case = Case.model_validate(data | {"path": path})
    except ValidationError as exc:
        problems += validation_problems(exc, path, text)
    if problems:
        raise InputError(problems)
    return case


def read_toml(path: Path, what: str = "case file") -> tuple[str, dict[str, Any]]:
    """The text and the parsed content of the TOML file ``path`` (``what`` names it in
    messages); a missing, unreadable or malformed file is an InputError."""
    text = _read_text(Path(path), what)
    return text, _parse(text, Path(path))


def _read_text(path: Path, what: str = "case file") -> str:
    """The file's text; a missing or unreadable file is an InputError."""
    where = display_path(path)
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        raise InputError(Problem(where, f"{what} not found: {path} {state}; "
                                        "expected a TOML file"))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(where, f"cannot read as UTF-8 text: {exc}")) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML; a syntax error names the file, line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _TOML_POSITION.search(str(exc))
        raise InputError(Problem(display_path(path), f"not valid TOML: {exc}",
                                 int(line.group(1)) if line else None)) from None


def _resolve_network(data: dict[str, Any], folder: Path) -> None:
    """Make ``[case] network`` absolute, relative to the case file's folder (in place)."""
    info = data.get("case")
    if isinstance(info, dict) and isinstance(info.get("network"), str):
        info["network"] = str((folder / info["network"]).resolve())


# ------------------------------------------------------- pydantic -> problems

def validation_problems(exc: ValidationError, path: Path, text: str,
                        root: type[BaseModel] = Case) -> list[Problem]:
    """One Problem per key pydantic complains about (union alternatives merged), by line.

    ``root`` is the model the TOML file was validated against (a case by default).
    """
    merged: dict[tuple[str | None, int | None], list[dict[str, Any]]] = {}
    found = []
    for err in exc.errors():
        if err["type"] == "extra_forbidden":
            found.append(_unknown(path, text, err["loc"], root))
        else:
            merged.setdefault(_field(err, root), []).append(err)
    _drop_wrong_alternatives(merged)
    lines = _key_lines(text)
    found += [
        Problem(display_path(path), _message(errs, item), _line(lines, field), field)
        for (field, item), errs in merged.items()
    ]
    return sorted(found, key=lambda p: p.row or 0)


def _drop_wrong_alternatives(merged: dict) -> None:
    """For a union such as ``float | list[float]`` given a list with a bad item, keep the
    item's error ("item 2: expected a finite number") and drop the other alternative's
    "expected a number" about the whole value (in place)."""
    for field, item in list(merged):
        whole = merged.get((field, None))
        if item is not None and whole and all(e["type"].endswith("_type") for e in whole):
            del merged[(field, None)]


def _field(err: dict[str, Any], root: type[BaseModel] = Case) -> tuple[str | None, int | None]:
    """Dotted TOML key of an error and the list item (0-based) it is about, if any.

    Union member tags in ``loc`` (e.g. ``'list[float]'``) are skipped. A
    table-level rule whose message starts with one of the table's keys is
    placed at that key ("periods must be ..." -> ``horizon.periods``); errors
    of whole-case rules (empty ``loc``) at the ``[table] key`` their message
    names, e.g. ``[target] mtpa`` -> ``target.mtpa``.
    """
    if not err["loc"]:
        return _field_from_message(err["msg"], root), None
    model: type[BaseModel] | None = root
    keys: list[str] = []
    item = None
    for part in err["loc"]:
        if isinstance(part, int):
            item = part
        elif model is not None and part in model.model_fields:
            keys.append(part)
            model = _submodel(model.model_fields[part].annotation)
    first_word = err["msg"].removeprefix("Value error, ").split(" ", 1)[0]
    if err["type"] == "value_error" and model is not None and first_word in model.model_fields:
        keys.append(first_word)
    return ".".join(keys) or None, item


def _field_from_message(msg: str, root: type[BaseModel] = Case) -> str | None:
    """``target.mtpa`` from "... [target] mtpa has ...", ``target`` from "[target] table"."""
    m = _TABLE_IN_MESSAGE.search(msg)
    if m is None:
        return None
    table, key = m.groups()
    sub = _submodel(root.model_fields[table].annotation) if table in root.model_fields else None
    return f"{table}.{key}" if sub is not None and key in sub.model_fields else table


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``Target | None``."""
    for t in (annotation, *typing.get_args(annotation)):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
    return None


def _unknown(path: Path, text: str, loc: tuple, root: type[BaseModel]) -> Problem:
    """Problem for a key the table does not have, listing the keys it does."""
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        model = _submodel(model.model_fields[part].annotation) if model else None
    allowed = list(model.model_fields) if model else []
    if model is root:
        allowed = [k for k in allowed if k not in _NOT_SETTABLE]
    field = ".".join(str(p) for p in loc)
    return Problem(display_path(path), f"unknown key '{loc[-1]}' (allowed: {', '.join(allowed)})",
                   _line(_key_lines(text), field), field)


def _message(errs: list[dict[str, Any]], item: int | None) -> str:
    """What is wrong with one key, from its pydantic errors (several for a union).

    E.g. ``item 2: expected a number or a list (got 'abc')``.
    """
    first = errs[0]
    if first["type"] == "missing":
        text = "required key missing"
    elif first["type"] == "value_error":
        text = first["msg"].removeprefix("Value error, ")
    else:
        first_exp, *others = dict.fromkeys(_expectation(e) for e in errs)
        wanted = " or ".join([first_exp, *(o.removeprefix("expected ") for o in others)])
        text = f"{wanted} (got {first['input']!r})"
    return f"item {item + 1}: {text}" if item is not None else text


def _expectation(err: dict[str, Any]) -> str:
    """Pydantic's "Input should be ..." as "expected ..."."""
    kind = err["type"]
    if kind in ("model_type", "dict_type"):
        return "expected a table of keys"
    if kind == "path_type":
        return "expected a path as text"
    if kind == "string_pattern_mismatch":
        return f"expected text matching {err['ctx']['pattern']}"
    return _SHOULD.sub("expected ", err["msg"])


# ------------------------------------------------------------- line numbers

def _key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each ``[table]`` header and ``key =`` as dotted keys.

    A cheap scan, not a TOML parser: good for pointing at a line, nothing else.
    """
    lines: dict[str, int] = {}
    table = ""
    for n, line in enumerate(text.splitlines(), start=1):
        if m := _TABLE_LINE.match(line):
            table = m.group(1)
            lines.setdefault(table, n)
        elif m := _KEY_LINE.match(line):
            lines.setdefault(f"{table}.{m.group(1)}" if table else m.group(1), n)
    return lines


def _line(lines: dict[str, int], field: str | None) -> int | None:
    """Line of ``field``, else of its table, else None."""
    if field is None:
        return None
    return lines.get(field) or lines.get(field.split(".")[0])
