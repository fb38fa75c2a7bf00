"""The README and the user guide in docs/ stay true to the code.

(a) the generated reference tables match the schemas they come from;
(b) ``results_schema.csv`` lists exactly the files, keys and columns a real solve writes;
(c) every relative link (and anchor) in README.md and docs/*.md resolves;
(d) every command shown runs or parses: lines ``$ ccusplan …`` of ```console blocks are
    run on a copy of the shipped cases and networks and must exit 0; ``ccusplan …``
    commands anywhere else (```sh and ```text blocks) must parse against the command
    line (command, options, option values), without running.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import pandas as pd
import pytest

from ccusplan import docs_tables
from ccusplan.cli import cli
from conftest import NO_DISCOUNT, hand_network, write_case, write_network

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
#: What a console example may read and write, copied into a fresh folder per page.
WORKSPACE = ("cases", "networks", "tests/data/simccs", "benchmarks/suites")
RUN_TIMEOUT_S = 180
REGENERATE = "run python -m ccusplan.docs_tables"

_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def _ccusplan() -> str:
    exe = Path(sys.executable).with_name("ccusplan")
    return str(exe) if exe.exists() else shutil.which("ccusplan") or "ccusplan"


def _rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


# ------------------------------------------------------------------ (a) generated tables

def _regions(text: str) -> set[str]:
    return {m["name"] for m in docs_tables.REGION.finditer(text)}


def test_generated_tables_are_up_to_date():
    stale = [_rel(p) for p in docs_tables.stale_pages(DOCS)]
    assert not stale, f"generated tables out of date in {', '.join(stale)}: {REGENERATE}"


def test_every_schema_table_is_in_the_docs():
    regions = set().union(*(_regions(p.read_text(encoding="utf-8")) for p in PAGES))
    schema = docs_tables.schema()
    results = docs_tables.results_schema()
    wanted = ({f"network {t}" for t in schema["table"].unique()}
              | {"case tables"} | {f"case {t}" for t in docs_tables.case_models()}
              | {"results files"}
              | {f"results {f}" for f in results.loc[results["key"] != "", "file"].unique()})
    missing = sorted(wanted - regions)
    assert not missing, f"no generated region for {missing}: add <!-- BEGIN GENERATED: name --> " \
                        f"<!-- END GENERATED: name --> to a docs page and {REGENERATE}"


def test_a_stale_region_is_noticed():
    text = (DOCS / "network-input.md").read_text(encoding="utf-8")
    edited = text.replace("| `capacity_mtpa` | float | Mt/yr | yes |",
                          "| `capacity_mtpa` | float | t/yr | yes |", 1)
    assert edited != text
    assert docs_tables.regenerate(edited) == text


def test_every_case_key_has_a_meaning():
    blank = [f"[{t}] {k}" for t, (model, _) in docs_tables.case_models().items()
             for k in model.model_fields if not docs_tables.attribute_docs(model).get(k)]
    assert not blank, f"case keys without a docstring: {blank}"


# ------------------------------------------------------------------ (b) results schema

@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory) -> Path:
    """A real ``ccusplan solve --report`` of a two-period hand case with ``[reduce]`` and
    a port, so every result file is written (reduction.csv, plan_ports.csv and
    report.html included)."""
    tmp = tmp_path_factory.mktemp("tiny")
    hand = hand_network()
    hand["junctions"] = hand["junctions"] + [{"id": "P", "lon": 0.2, "lat": 0, "kind": "port"}]
    hand["corridors"] = hand["corridors"] + [{"from": "S", "to": "P", "length_km": 20},
                                             {"from": "P", "to": "K1", "mode": "ship"}]
    net = write_network(tmp / "net", **hand)
    case = write_case(tmp / "tiny.toml", net, [2025, 2030], target=[4, 8], period_years=5,
                      finance=NO_DISCOUNT, reduce={"cluster_km": 10.0})
    out = tmp / "out"
    run = subprocess.run([_ccusplan(), "solve", str(case), "--out", str(out), "--report"],
                         capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=tmp)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def _schema_keys(file: str) -> list[str]:
    s = docs_tables.results_schema()
    return s.loc[(s["file"] == file) & (s["key"] != ""), "key"].tolist()


def _match(schema_keys: list[str], written: set[str], file: str) -> None:
    """Every written key matches a schema key and every schema key matches one written."""
    patterns = {k: docs_tables.key_pattern(k) for k in schema_keys}
    undocumented = sorted(w for w in written if not any(p.match(w) for p in patterns.values()))
    unwritten = sorted(k for k, p in patterns.items() if not any(p.match(w) for w in written))
    assert not undocumented, f"{file} writes {undocumented}, not in results_schema.csv"
    assert not unwritten, f"results_schema.csv lists {unwritten} for {file}, not written"


def test_results_schema_lists_every_file(tiny_result):
    s = docs_tables.results_schema()
    written = {p.name for p in tiny_result.iterdir()}
    _match(s["file"].unique().tolist(), written, "the result folder")


def test_results_schema_matches_summary_json(tiny_result):
    summary = json.loads((tiny_result / "summary.json").read_text())
    assert summary["reduction"] is not None and summary["status"] == "optimal"
    _match(_schema_keys("summary.json"), set(summary), "summary.json")


@pytest.mark.parametrize("file", ["plan_sources.csv", "plan_sinks.csv", "plan_pipelines.csv",
                                  "timeline.csv", "timeline_sinks.csv", "reduction.csv"])
def test_results_schema_matches_csv(tiny_result, file):
    columns = pd.read_csv(tiny_result / file, nrows=0).columns
    assert any(c.startswith("km_added_") for c in columns) or file != "timeline.csv"
    _match(_schema_keys(file), set(columns), file)


def test_results_schema_matches_geojson(tiny_result):
    features = json.loads((tiny_result / "network.geojson").read_text())["features"]
    roles = {f["properties"].get("role", "line") for f in features}
    assert roles == {"source", "sink", "junction", "line"}
    _match(_schema_keys("network.geojson"),
           set().union(*(f["properties"] for f in features)), "network.geojson")


def test_results_schema_rows_are_complete():
    s = docs_tables.results_schema()
    assert list(s.columns) == ["file", "key", "unit", "type", "meaning"]
    assert not s.duplicated(["file", "key"]).any()
    assert (s["meaning"] != "").all() and (s["type"] != "").all()


# ------------------------------------------------------------------ (c) links

def _prose(text: str) -> str:
    """The text outside fenced blocks and inline code."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text.replace("`", "")).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in _FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        if m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line):
            base = slug(m.group(1))
            name, n = base, 0
            while name in found:
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in _LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target} (no file {dest})")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target} (no heading #{anchor} in {dest.name})")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_links_resolve(page):
    assert not broken_links(page), f"{_rel(page)}: broken links {broken_links(page)}"


def test_a_broken_link_is_noticed(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# A heading: with `code`\n")
    page.write_text("[ok](there.md#a-heading-with-code) [no](missing.md) "
                    "[bad](there.md#nothing) `[code](not-a-link.md)`\n")
    assert [b.split(" ")[0] for b in broken_links(page)] == ["missing.md", "there.md#nothing"]


def test_the_guide_is_linked_from_its_index():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    unlinked = [p.name for p in DOCS.glob("*.md") if p.name != "README.md"
                and f"]({p.name})" not in index]
    assert not unlinked, f"docs pages missing from docs/README.md: {unlinked}"


# ------------------------------------------------------------------ (d) commands

def blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of each fenced block."""
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def _joined(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def console_commands(text: str) -> list[str]:
    """The ``$ `` lines of ```console blocks (continuations joined), without ``$ ``."""
    return [line[2:] for kind, body in blocks(text) if kind == "console"
            for line in _joined(body.splitlines()) if line.startswith("$ ")]


def shown_commands(text: str) -> list[str]:
    """Every ``ccusplan …`` command of the other blocks: ``sh`` lines, ``$ `` lines."""
    out = []
    for kind, body in blocks(text):
        if kind == "console":
            continue
        for line in _joined(body.splitlines()):
            line = line.removeprefix("$ ") if line.startswith("$ ") else \
                (line if kind in ("sh", "bash", "shell") else "")
            line = line.split(" #")[0].strip()
            if line.startswith("ccusplan ") or line == "ccusplan":
                out.append(line)
    return out


def parse(command: str) -> None:
    """Parse a ``ccusplan …`` command line against the CLI, down to its subcommand, the
    way click would before running it; raises click's usage error when it does not."""
    args = shlex.split(command)[1:]
    ctx = cli.make_context("ccusplan", args)
    cmd: click.Command = cli
    while isinstance(cmd, click.Group):
        protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
        pending = [*protected, *ctx.args]
        name, cmd, rest = cmd.resolve_command(ctx, pending)
        ctx = cmd.make_context(name, rest, parent=ctx)


def test_parse_rejects_what_the_cli_rejects():
    parse("ccusplan bench benchmarks/suites/smoke.toml --workers 2")
    parse("ccusplan --quiet solve cases/x.toml --time-limit 30")
    for bad in ("ccusplan solve cases/x.toml --no-such-option", "ccusplan solv cases/x.toml",
                "ccusplan costs pipeline --mtpa -1 --km 5", "ccusplan generate --sinks 2"):
        with pytest.raises(click.UsageError):
            parse(bad)


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_commands_shown_parse(page):
    text = page.read_text(encoding="utf-8")
    for command in console_commands(text) + shown_commands(text):
        assert command.startswith("ccusplan "), \
            f"{_rel(page)}: a console block may only show ccusplan commands: $ {command}"
        try:
            parse(command)
        except click.ClickException as exc:
            pytest.fail(f"{_rel(page)}: `{command}` does not parse: {exc.format_message()}")


def _workspace(folder: Path) -> Path:
    for part in WORKSPACE:
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _run_page(page: Path, folder: Path) -> list[tuple[str, int, str]]:
    """Run the page's console commands in order in a fresh workspace; stop at a failure."""
    ran = []
    ws = _workspace(folder)
    for command in console_commands(page.read_text(encoding="utf-8")):
        run = subprocess.run([_ccusplan(), *shlex.split(command)[1:]], cwd=ws, text=True,
                             capture_output=True, timeout=RUN_TIMEOUT_S)
        ran.append((command, run.returncode, run.stdout + run.stderr))
        if run.returncode != 0:
            break
    return ran


@pytest.fixture(scope="module")
def console_runs(tmp_path_factory) -> dict[Path, list[tuple[str, int, str]]]:
    """Every page's console commands, pages two at a time (each in its own workspace)."""
    pages = [p for p in PAGES if console_commands(p.read_text(encoding="utf-8"))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda p: _run_page(p, tmp_path_factory.mktemp(p.stem)), pages)
        return dict(zip(pages, runs))


def test_the_docs_show_runnable_examples(console_runs):
    commands = [c for ran in console_runs.values() for c, _, _ in ran]
    used = {shlex.split(c)[1] for c in commands}
    assert len(commands) >= 15, commands
    assert {"solve", "validate", "report", "compare", "doctor", "costs", "routes",
            "import", "generate"} <= used, used


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_console_commands_run(console_runs, page):
    for command, status, output in console_runs.get(page, []):
        assert status == 0, f"{_rel(page)}: `{command}` exited {status}:\n{output[-3000:]}"
