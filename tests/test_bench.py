"""``ccusplan bench``: suites, isolated runs under a hard limit, resumable results, Dask.

Runs solve the hand network of ``conftest.hand_network`` (optimum 124 MUSD, one
period), so a run's time is mostly starting a Python process. The Dask test starts a
real scheduler and two workers on 127.0.0.1; the resume test kills a real batch with
SIGKILL mid-way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ccusplan.bench.isolate import execute
from ccusplan.bench.results import ResultsTable
from ccusplan.bench.suite import load_suite
from ccusplan.cli import _State, cli
from ccusplan.errors import InputError
from conftest import SOLVERS, hand_network, write_case, write_network

HAND_OPTIMUM_MUSD = 124.0


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    return result


def hand_case(folder: Path) -> Path:
    write_network(folder / "net", **hand_network())
    return write_case(folder / "hand.toml", "net", [2030], [8], finance={"crf": 0.1,
                      "discount_rate": 0.0})


def write_suite(folder: Path, solvers=("highs",), repeats=1, time_limit_s=30,
                grace_s=60, extra: str = "") -> Path:
    hand_case(folder)
    path = folder / "suite.toml"
    path.write_text(f"""[suite]
name = "t"
cases = ["hand.toml"]
solvers = {json.dumps(list(solvers))}
repeats = {repeats}
grace_s = {grace_s}
results = "results/t.jsonl"

[settings]
time_limit_s = [{time_limit_s}]
{extra}""")
    return path


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# ------------------------------------------------------------------ suite

def test_suite_expands_cases_solvers_settings_repeats(tmp_path):
    path = write_suite(tmp_path, solvers=("highs", "cbc"), repeats=2,
                       extra="mip_gap = [0.01, 0.001]\nthreads = [1, 2]\n")
    s = load_suite(path)
    assert len(s.runs) == 1 * 2 * 2 * 2 * 2
    assert len({r.key for r in s.runs}) == len(s.runs)
    assert [r.repeat for r in s.runs[:8]] == [1] * 8          # whole repeats first
    assert s.results == tmp_path / "results" / "t.jsonl"
    # the key follows the case's content: an edited network makes new runs
    keys = {r.key for r in s.runs}
    with open(tmp_path / "net" / "sinks.csv", "a") as fh:
        fh.write("K3,2,2,100,1\n")
    assert not keys & {r.key for r in load_suite(path).runs}


def test_bad_suite_names_file_line_and_key_and_writes_nothing(tmp_path):
    hand_case(tmp_path)
    (tmp_path / "suite.toml").write_text("""[suite]
name = "t"
cases = ["hand.toml", "missing.toml"]
solvers = ["highs", "nosuchsolver"]
repeats = 0
results = "results/t.jsonl"

[settings]
time_limit_s = [-1]
gap = [0.1]
""")
    r = invoke("bench", "suite.toml")
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert "suite.toml, row 5, field 'suite.repeats'" in out
    assert "suite.toml, row 10, field 'settings.gap': unknown key 'gap'" in out
    assert "suite.toml, row 9, field 'settings.time_limit_s'" in out
    assert not (tmp_path / "results").exists()
    (tmp_path / "suite.toml").write_text("""[suite]
name = "t"
cases = ["hand.toml", "missing.toml"]
solvers = ["highs", "nosuchsolver"]
""")
    out = " ".join(invoke("bench", "suite.toml").output.split())
    assert "field 'suite.solvers': item 2: unknown solver 'nosuchsolver'" in out
    assert "field 'suite.cases': item 2: case file not found" in out
    assert not list(tmp_path.glob("*.jsonl"))
    (tmp_path / "bad.toml").write_text('[case]\nname = "bad"\nnetwork = "net"\n')
    (tmp_path / "suite.toml").write_text("""[suite]
name = "t"
cases = ["bad.toml"]
solvers = ["highs"]

[[generate]]
sources = 3
sinks = 1
""")
    out = " ".join(invoke("bench", "suite.toml").output.split())
    assert "bad.toml, field 'horizon': required key missing" in out
    assert not (tmp_path / "instances").exists() and not list(tmp_path.glob("*.jsonl"))


def test_options_conflict_and_unreachable_scheduler_are_bad_input(tmp_path):
    path = write_suite(tmp_path)
    r = invoke("bench", path, "--workers", 2, "--dask-local", 2)
    assert r.exit_code == 2 and "give one of --workers, --scheduler and --dask-local" in r.output
    r = invoke("bench", "report", "nothing.jsonl")
    assert r.exit_code == 2 and "results table not found" in r.output


# ------------------------------------------------------------------ results table

def test_torn_last_line_is_cut_off_and_a_corrupt_row_named(tmp_path):
    path = tmp_path / "r.jsonl"
    table = ResultsTable(path)
    with table.open_for_append() as out:
        out.append({"key": "a", "objective_musd": float("nan")})
        out.append({"key": "b"})
    with open(path, "ab") as fh:
        fh.write(b'{"key": "c", "stat')                  # killed in the middle of a write
    assert table.finished_keys() == {"a", "b"}
    with table.open_for_append() as out:
        out.append({"key": "c"})
    assert [r["key"] for r in rows_of(path)] == ["a", "b", "c"]
    assert rows_of(path)[0]["objective_musd"] is None
    with pytest.raises(InputError, match="another ccusplan bench"):
        with table.open_for_append(), table.open_for_append():
            pass
    path.write_text('{"key": "a"}\nnot json\n{"key": "b"}\n')
    with pytest.raises(InputError, match=r"r.jsonl, row 2: not a JSON object"):
        table.rows()


# ------------------------------------------------------------------ isolation

def test_hard_time_limit_kills_the_run_and_records_it(tmp_path):
    """Time limit 0.5 s + grace 0.5 s: the run is killed at 1 s. The case is the shipped
    Shandong case, which no machine builds, warm-starts and solves within 1 s (the hand
    case may finish in time where the run's process starts fast)."""
    path = write_suite(tmp_path, time_limit_s=0.5, grace_s=0.5)
    shandong = Path(__file__).resolve().parents[1] / "cases" / "shandong-2050.toml"
    path.write_text(path.read_text().replace('cases = ["hand.toml"]',
                                             f'cases = ["{shandong.as_posix()}"]'))
    s = load_suite(path)
    t0 = time.perf_counter()
    row = execute(s.runs[0].to_dict())
    elapsed = time.perf_counter() - t0
    assert row["status"] == "timeout" and "hard limit of 1 s" in row["message"]
    assert 1.0 <= row["wall_seconds"] < 3.0 and elapsed < 4.0
    assert row["objective_musd"] is None and row["solver_version"].startswith("highs")
    assert not _children_of(shandong)                     # the whole process group is gone


def _children_of(tmp_path: Path) -> list[int]:
    """Run processes (ccusplan.bench.child) working on a case under (or at) ``tmp_path``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ccusplan.bench.child" in cmd and str(tmp_path) in cmd:
            pids.append(int(proc.name))
    return pids


def test_batch_killed_with_sigkill_resumes_every_run_exactly_once(tmp_path):
    path = write_suite(tmp_path, repeats=3)
    results = tmp_path / "results" / "t.jsonl"
    batch = subprocess.Popen([sys.executable, "-m", "ccusplan.cli", "bench", str(path)],
                             cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (results.exists() and results.read_bytes()):
        time.sleep(0.1)
    os.kill(batch.pid, signal.SIGKILL)                    # mid-way: run 2 is being solved
    batch.wait()
    first = rows_of(results)
    assert 1 <= len(first) < 3
    time.sleep(0.5)
    assert not _children_of(tmp_path)                     # its solver died with it
    with open(results, "ab") as fh:
        fh.write(b'{"key": "torn')                        # as if killed while writing
    r = invoke("bench", path, "--workers", 2)
    assert r.exit_code == 0, r.output
    assert f"{len(first)} already done" in " ".join(r.output.split())
    rows = rows_of(results)
    keys = [row["key"] for row in rows]
    assert sorted(keys) == sorted(run.key for run in load_suite(path).runs)   # each once
    assert rows[:len(first)] == first                     # nothing finished was lost
    assert {row["status"] for row in rows} == {"optimal"}
    assert all(abs(row["objective_musd"] - HAND_OPTIMUM_MUSD) < 1e-6 for row in rows)
    assert all(row["peak_rss_mib"] > 10 and row["machine"]["logical_cores"] for row in rows)
    again = invoke("bench", path)
    assert "0 run(s)" in again.output and rows_of(results) == rows


# ------------------------------------------------------------------ Dask

@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two single-threaded workers on 127.0.0.1 (processes)."""
    from distributed import Client

    info = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen(dask + ["--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(info)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(2):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                 str(info), "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                 "--no-nanny"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(info.read_text())["address"]
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=90)
            workers = set(client.scheduler_info()["workers"])
        yield address, workers
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_suite_runs_through_a_dask_scheduler_and_two_workers(tmp_path, dask_cluster):
    address, workers = dask_cluster
    assert address.startswith("tcp://127.0.0.1:") and len(workers) == 2
    path = write_suite(tmp_path, solvers=SOLVERS, repeats=2)
    r = invoke("bench", path, "--scheduler", address)
    assert r.exit_code == 0, r.output
    assert "Dask cluster at tcp://127.0.0.1" in " ".join(r.output.split())
    rows = rows_of(tmp_path / "results" / "t.jsonl")
    assert len(rows) == 2 * len(SOLVERS)
    assert {row["worker"] for row in rows} == workers       # both workers solved runs
    assert {row["status"] for row in rows} == {"optimal"}
    assert all(abs(row["objective_musd"] - HAND_OPTIMUM_MUSD) < 1e-6 for row in rows)
    r = invoke("bench", path, "--scheduler", address)       # finished: nothing resubmitted
    assert "0 run(s)" in r.output and len(rows_of(tmp_path / "results" / "t.jsonl")) == len(rows)


# ------------------------------------------------------------------ report

def _row(case, solver, solve_s, status="optimal", gap=0.0, repeat=1, n_variables=100, **kw):
    return {"key": f"{case}-{solver}-{repeat}-{kw.get('time_limit_s', 60)}", "suite": "t",
            "case": case, "solver": solver, "time_limit_s": 60.0, "mip_gap_target": 0.01,
            "threads": 1, "repeat": repeat, "status": status,
            "objective_musd": None if status in ("timeout", "error") else 100.0 + solve_s,
            "best_bound_musd": 99.0, "mip_gap": gap, "build_seconds": 1.0,
            "solve_seconds": solve_s, "wall_seconds": solve_s + 3, "peak_rss_mib": 200.0,
            "n_variables": n_variables, "solver_version": f"{solver} 1.0",
            "started_at": "2026-01-01T00:00:00", "finished_at": "2026-01-01T01:00:00",
            "machine": {"host": "box", "cpu_model": "cpu", "logical_cores": 2, "ram_gib": 8,
                        "platform": "linux", "python": "3.11"},
            "loadavg_at_start": [1.5, 1.0, 1.0], "ccusplan_version": "0.1.0", "message": "", **kw}


def test_report_from_a_results_file(tmp_path):
    """Problem A: highs 2 s, cbc 6 s (ratio 3); B: highs 10 s (median of 8, 10, 12), cbc
    5 s (ratio 2 for highs); C: cbc times out, highs 4 s; D: only cbc solves to gap (highs
    stopped at 5 % > 1 %)."""
    rows = [_row("A", "highs", 2), _row("A", "cbc", 6),
            _row("B", "highs", 8, repeat=1), _row("B", "highs", 12, repeat=2),
            _row("B", "highs", 10, repeat=3), _row("B", "cbc", 5),
            _row("C", "highs", 4), _row("C", "cbc", 60, status="timeout", gap=None),
            _row("D", "highs", 60, status="feasible", gap=0.05), _row("D", "cbc", 30)]
    results = tmp_path / "r.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in rows))

    from ccusplan.bench.report import load_rows, profile, profile_ratios
    ratios = profile_ratios(load_rows(results))
    assert ratios.loc[ratios.index.str.startswith("A"), "cbc"].item() == pytest.approx(3.0)
    assert ratios.loc[ratios.index.str.startswith("B"), "highs"].item() == pytest.approx(2.0)
    rho = profile(ratios, [1.0, 2.0, 3.0, 1e9])
    assert rho["highs"].tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75])  # A C; B; D never
    assert rho["cbc"].tolist() == pytest.approx([0.5, 0.5, 0.75, 0.75])     # B D; A; C never

    r = invoke("bench", "report", results, "--out", tmp_path / "rep")
    assert r.exit_code == 0, r.output
    md = (tmp_path / "rep" / "r.md").read_text()
    assert "| `B` | 100 | highs | 3 | 3/3 | optimal 3 | 1.00 | 10.00 | 13.00 | 200 | 108.0 |" in md
    assert "| `C` | 100 | cbc | 1 | 0/1 | timeout 1 |" in md
    assert "| `D` | 100 | highs | 1 | 0/1 | feasible 1 |" in md
    assert "10 runs, 8 solved to their gap" in md and "`box`: cpu, 2 logical cores" in md
    assert "when a run started: median 1.50" in md
    png = (tmp_path / "rep" / "r-profile.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert not (tmp_path / "rep" / "r-scaling.png").exists()  # one model size only
    assert "| `A` | 100 | highs |" in r.output                 # the summary is printed too


@pytest.mark.slow
def test_dask_local_cluster_runs_the_suite(tmp_path):
    path = write_suite(tmp_path, repeats=2)
    r = invoke("bench", path, "--dask-local", 2)
    assert r.exit_code == 0, r.output
    assert "Dask local cluster at tcp://127.0.0.1" in " ".join(r.output.split())
    rows = rows_of(tmp_path / "results" / "t.jsonl")
    assert len(rows) == 2 and {row["status"] for row in rows} == {"optimal"}
    assert all(row["worker"].startswith("tcp://127.0.0.1:") for row in rows)
