"""``ccusplan solve --write-model`` and ``--solution``: the model out to another solver,
its solution back in as the usual result folder.

The hand network's optimum is 124 MUSD (tests/conftest.py): the exported model, solved
by HiGHS and by SCIP outside ccusplan, reads back as that plan; a solution in Gurobi's
and CPLEX's formats, written here from those values, reads back the same; a solution
that breaks a row, or names columns of another model, is refused with exit status 2 and
nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import files_under, hand_case, invoke, said

from ccusplan.optimize.highs_backend import QuietHighs


def _export(tmp_path: Path, name: str = "model.mps") -> tuple[Path, Path]:
    case = hand_case(tmp_path)
    model = tmp_path / name
    r = invoke("solve", case, "--write-model", model)
    assert r.exit_code == 0, r.output
    assert "columns" in said(r) and model.is_file()
    assert not (tmp_path / "outputs").exists()  # the model only
    return case, model


def _highs_values(model: Path) -> tuple[dict[str, float], float]:
    h = QuietHighs()
    h.readModel(str(model))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    names = [h.getLp().col_names_[j] for j in range(h.getNumCol())]
    values = h.getSolution().col_value
    return dict(zip(names, values)), h.getInfo().objective_function_value


def test_a_model_solved_by_highs_outside_reads_back_as_the_hand_optimum(tmp_path):
    case, model = _export(tmp_path)
    h = QuietHighs()
    h.readModel(str(model))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(124.0)
    sol = tmp_path / "model.sol"
    h.writeSolution(str(sol), 0)
    r = invoke("solve", case, "--solution", sol, "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["objective_musd"] == pytest.approx(124.0)
    assert s["status"] == "feasible" and s["pipeline_km"] == pytest.approx(330.0)
    assert "model.sol" in s["solver"]


def test_an_lp_file_solved_by_scip_reads_back(tmp_path):
    pyscipopt = pytest.importorskip("pyscipopt")
    case, model = _export(tmp_path, "model.lp")
    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(str(model))
    m.optimize()
    assert m.getObjVal() == pytest.approx(124.0)
    sol = tmp_path / "scip.sol"
    m.writeBestSol(str(sol))
    r = invoke("solve", case, "--solution", sol, "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["objective_musd"] == \
        pytest.approx(124.0)


@pytest.mark.parametrize("fmt", ["gurobi", "cplex"])
def test_gurobi_and_cplex_solution_files_read_back(tmp_path, fmt):
    case, model = _export(tmp_path)
    values, objective = _highs_values(model)
    sol = tmp_path / f"{fmt}.sol"
    if fmt == "gurobi":
        sol.write_text(f"# Solution for model ccusplan\n# Objective value = {objective}\n"
                       + "".join(f"{n} {v!r}\n" for n, v in values.items() if v != 0))
    else:
        sol.write_text(
            '<?xml version = "1.0" encoding="UTF-8" standalone="yes"?>\n<CPLEXSolution '
            'version="1.2">\n <header objectiveValue="%r"/>\n <variables>\n%s </variables>\n'
            '</CPLEXSolution>\n' % (objective, "".join(
                f'  <variable name="{n}" index="{j}" value="{v!r}"/>\n'
                for j, (n, v) in enumerate(values.items()))))
    r = invoke("solve", case, "--solution", sol, "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["objective_musd"] == \
        pytest.approx(124.0)


def test_a_solution_that_breaks_the_model_is_refused_and_nothing_written(tmp_path):
    case, model = _export(tmp_path)
    values, _ = _highs_values(model)
    capture = next(n for n, v in values.items() if n.startswith("capture_") and v > 0.5
                   and not n.startswith("capture_on"))
    bad = tmp_path / "bad.sol"
    bad.write_text("".join(f"{n} {0.0 if n == capture else v!r}\n" for n, v in values.items()))
    before = files_under(tmp_path)
    r = invoke("solve", case, "--solution", bad, "--out", tmp_path / "r")
    assert r.exit_code == 2
    assert "bad.sol" in said(r) and "not a plan of this case's model" in said(r)
    assert "row " in said(r)
    assert files_under(tmp_path) == before

    other = tmp_path / "other.sol"
    other.write_text("x_1 1\ny_2 0\n")
    r = invoke("solve", case, "--solution", other)
    assert r.exit_code == 2
    assert "no column of this case's model has" in said(r) and "x_1" in said(r)

    r = invoke("solve", case, "--solution", tmp_path / "missing.sol")
    assert r.exit_code == 2 and "no such solution file" in said(r)
    r = invoke("solve", case, "--write-model", model, "--solution", bad)
    assert r.exit_code == 2 and "exclude each other" in said(r)
