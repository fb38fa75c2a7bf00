"""Reference tables of the user guide, generated from the schemas the code itself uses.

Three sources, so the tables cannot drift from the code:

* network columns: ``data/network_schema.csv`` (read by :func:`ccusplan.model.schema`,
  which the network reader validates against);
* case keys: the pydantic models of :class:`ccusplan.model.Case` (names, types,
  constraints, defaults, and each field's attribute docstring);
* result files: ``data/results_schema.csv`` (checked against a real solve by
  ``tests/test_docs.py``).

A docs page marks a generated region as::

    <!-- BEGIN GENERATED: case finance -->
    ...
    <!-- END GENERATED: case finance -->

where the name is ``network <table>``, ``case tables``, ``case <table>``,
``results files`` or ``results <file>``. ``python -m ccusplan.docs_tables`` rewrites
every region of ``docs/*.md`` (``--check``: only say which are out of date, exit 1).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
import textwrap
import types
import typing
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import annotated_types as at
import pandas as pd
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ccusplan.model import Case, schema

REGION = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<name>[^>]+?) -->\n)(?P<body>.*?)"
    r"(?P<end><!-- END GENERATED: (?P=name) -->)", re.S)
_TYPE_NAMES = {str: "text", float: "number", int: "integer", bool: "true/false", Path: "path"}
_PLURAL = {"text": "texts", "number": "numbers", "integer": "integers", "path": "paths"}


# ------------------------------------------------------------------ markdown

def _cell(value: Any) -> str:
    """One table cell: no line breaks, ``|`` escaped, RST literals as markdown code."""
    text = " ".join(str(value).split()).replace("``", "`")
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ network

def network_table(table: str) -> str:
    """The columns of one network table (``sources``, ``sinks``, ``junctions``,
    ``corridors``, ``pipe_classes``) from ``data/network_schema.csv``."""
    s = schema()
    rows = s[s["table"] == table]
    if rows.empty:
        raise KeyError(f"no network table {table!r} in network_schema.csv")
    out = []
    for r in rows.itertuples():
        lo, hi = r.min, r.max
        span = f"{lo} – {hi}" if lo and hi else f"≥ {lo}" if lo else f"≤ {hi}" if hi else ""
        out.append([f"`{r.column}`", r.type, r.unit, "yes" if r.required else "no",
                    span, r.default, r.description])
    return _table(["column", "type", "unit", "required", "range", "default", "meaning"], out)


# ------------------------------------------------------------------ case

def case_models() -> dict[str, tuple[type[BaseModel], FieldInfo]]:
    """The case file's TOML tables: name -> (model, the Case field holding it)."""
    out = {}
    for name, field in Case.model_fields.items():
        model = _model_in(field.annotation)
        if model is not None:
            out[name] = (model, field)
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for t in (annotation, *typing.get_args(annotation)):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
    return None


@cache
def attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Each field's attribute docstring (the string literal right after it), by name."""
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0].body
        for node, after in zip(body, body[1:]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[node.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return docs


def _constraints(metadata: list) -> list[str]:
    out = []
    for m in metadata:
        if isinstance(m, FieldInfo):
            out += _constraints(m.metadata)
        for kind, attr, sign in ((at.Gt, "gt", ">"), (at.Ge, "ge", "≥"),
                                 (at.Lt, "lt", "<"), (at.Le, "le", "≤")):
            if isinstance(m, kind):
                out.append(f"{sign} {_number(getattr(m, attr))}")
        if isinstance(m, at.MinLen) and m.min_length > 0:
            out.append("not empty")
        if getattr(m, "pattern", None):
            out.append(f"matching `{m.pattern}`")
    return out


def type_text(annotation: Any, metadata: list | None = None) -> str:
    """A field's type in words, e.g. ``number, ≥ 0, < 1`` or ``list of integers``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0], [*args[1:], *(metadata or [])])
    if origin in (typing.Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        text = " or ".join(parts)
    elif origin is list:
        word, *limits = type_text(args[0]).split(", ")
        text = ", ".join(["list of " + _PLURAL.get(word, word), *limits])
    elif origin is typing.Literal:
        text = " / ".join(f'`"{v}"`' if isinstance(v, str) else f"`{v}`" for v in args)
    else:
        text = _TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return ", ".join([text, *_constraints(metadata or [])])


def _number(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return _number(v)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None or isinstance(field.default, BaseModel):
        return "(table of defaults)"
    return "—" if field.default is None else f"`{_toml(field.default)}`"


def case_tables() -> str:
    """The case file's tables: whether each is needed, and what it is for."""
    rows = []
    for name, (model, field) in case_models().items():
        doc = inspect.cleandoc(model.__doc__ or "").split("\n\n")[0]
        doc = re.sub(r"^``\[\w+\]``:\s*", "", doc)
        doc = doc[:1].upper() + doc[1:]
        need = {"target": "in target mode", "price": "in price mode"}.get(
            name, "yes" if field.is_required() else "no")
        rows.append([f"[`[{name}]`](#{name})", need, doc])
    return _table(["table", "required", "what it is"], rows)


def case_table(table: str) -> str:
    """The keys of one case table (``case``, ``horizon``, ``finance`` …, or a sub-table
    such as ``transport.ship``)."""
    tables = case_models()
    top, *sub = table.split(".")
    if top not in tables:
        raise KeyError(f"no case table [{table}]; the case has {', '.join(tables)}")
    model = tables[top][0]
    for name in sub:
        model = _model_in(model.model_fields[name].annotation)
    docs = attribute_docs(model)
    rows = [[f"`{name}`", type_text(f.annotation, f.metadata), _default(f), docs.get(name, "")]
            for name, f in model.model_fields.items()]
    return _table(["key", "type", "default", "meaning"], rows)


# ------------------------------------------------------------------ results

@cache
def results_schema() -> pd.DataFrame:
    """``data/results_schema.csv``: one row per result file (``key`` empty) and per key or
    column of it, with unit, type and meaning. A key ``km_added_<class>`` stands for a
    family of columns (see :func:`key_pattern`)."""
    with resources.files("ccusplan").joinpath("data/results_schema.csv").open() as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def key_pattern(key: str) -> re.Pattern:
    """The names a schema key stands for: ``<...>`` is any non-empty text."""
    parts = re.split(r"<[^>]+>", key)
    return re.compile(".+".join(re.escape(p) for p in parts) + r"\Z")


def results_files() -> str:
    """Every file ``ccusplan solve`` writes, and what it holds."""
    s = results_schema()
    rows = [[f"`{r.file}`", r.type, r.meaning] for r in s[s["key"] == ""].itertuples()]
    return _table(["file", "format", "what it holds"], rows)


def results_table(file: str) -> str:
    """The keys or columns of one result file, in the order it writes them."""
    s = results_schema()
    rows = s[(s["file"] == file) & (s["key"] != "")]
    if rows.empty:
        raise KeyError(f"no keys of {file!r} in results_schema.csv")
    head = "key" if file.endswith((".json", ".geojson")) else "column"
    return _table([head, "unit", "type", "meaning"],
                  [[f"`{r.key}`", r.unit, r.type, r.meaning] for r in rows.itertuples()])


# ------------------------------------------------------------------ regions

def render(name: str) -> str:
    """The markdown of the generated region ``name``."""
    kind, _, arg = name.partition(" ")
    if kind == "network":
        return network_table(arg)
    if kind == "case":
        return case_tables() if arg == "tables" else case_table(arg)
    if kind == "results":
        return results_files() if arg == "files" else results_table(arg)
    raise KeyError(f"unknown generated region {name!r}")


def regenerate(text: str) -> str:
    """``text`` with every generated region rendered anew."""
    return REGION.sub(lambda m: m["begin"] + render(m["name"]) + m["end"], text)


def stale_pages(docs: Path) -> list[Path]:
    """The pages of ``docs`` whose generated regions are out of date."""
    return [p for p in sorted(Path(docs).glob("*.md"))
            if regenerate(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ccusplan.docs_tables",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", nargs="?", type=Path, default=Path("docs"),
                        help="folder of markdown pages (default: docs)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a page is out of date")
    args = parser.parse_args(argv)
    stale = stale_pages(args.docs)
    for page in stale:
        if args.check:
            print(f"{page}: generated tables out of date")
        else:
            page.write_text(regenerate(page.read_text(encoding="utf-8")), encoding="utf-8")
            print(f"{page}: generated tables rewritten")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
