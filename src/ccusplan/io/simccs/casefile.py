"""The case file of an imported SimCCS scenario: SimCCS's semantics as ccusplan options.

SimCCS solves one period in money per year: capital is annualised with one capital
recovery factor and nothing is discounted. In ccusplan that is one period of one year
(``period_years = 1``; the first year is never discounted), ``[finance] crf``, at most
one pipe per corridor and, since SimCCS's published runs were CPLEX's default stop, a
relative gap of 1e-4. The objective is then in MUSD/yr, like SimCCS's.
"""

from __future__ import annotations

import os
from pathlib import Path

#: CPLEX's default relative MIP gap, at which SimCCS's published optima were found.
SIMCCS_MIP_GAP = 1e-4
#: The one period's label: SimCCS's model has no calendar.
PERIOD_YEAR = 2025


def _toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def case_toml(case_path: Path, network_dir: Path, scenario: str, mode: str, target_mtpa: float,
              tax_credit_usd_per_t: float, crf: float, project_years: float,
              notes: list[str], one_pipe: bool = True) -> str:
    """The TOML text of the case (``network`` relative to the case file's folder);
    ``one_pipe``: at most one pipe per corridor (SimCCS's trend model)."""
    network = Path(os.path.relpath(network_dir.resolve(), case_path.resolve().parent)).as_posix()
    head = [f"# SimCCS scenario {scenario}, imported by `ccusplan import simccs`.",
            (f"# SimCCS's settings: capital recovery factor {crf:g}, project length "
             f"{project_years:g} years (each sink injects at most its capacity / "
             f"{project_years:g} per year; already in the network's max_injection_mtpa)."),
            "# One period of one year, undiscounted: the objective is in MUSD/yr, as SimCCS's."]
    if notes:
        head.append("# Not reproduced term for term (see docs/simccs.md):")
        head += [f"#   - {n}" for n in notes]
    if mode == "target":
        mode_table = ["[target]", f"mtpa = [{float(target_mtpa)!r}]"]
    else:
        mode_table = ["[price]",
                      (f"# SimCCS's tax/credit x = {tax_credit_usd_per_t:g} USD/t is added to "
                       "every capture cost; here a credit -x per tonne stored (the same total)"),
                      f"usd_per_t = {float(-tax_credit_usd_per_t + 0.0)!r}"]
    body = [
        "[case]",
        f"name = {_toml_string(case_path.stem)}",
        f"network = {_toml_string(network)}",
        f'mode = "{mode}"',
        f"description = {_toml_string(f'SimCCS scenario {scenario} (imported)')}",
        "",
        "[horizon]",
        f"periods = [{PERIOD_YEAR}]",
        "period_years = 1",
        "",
        *mode_table,
        "",
        "[finance]",
        "discount_rate = 0.0",
        f"crf = {crf!r}",
        "",
        "[solver]",
        f"mip_gap = {SIMCCS_MIP_GAP!r}  # CPLEX's default, as in SimCCS's published runs",
        "time_limit_s = 600",
        "",
        *(["[pipeline]",
            "max_pipes_per_corridor = 1  # SimCCS: one trend per arc (anti-parallel pipes never pay)",
            ""] if one_pipe else []),
    ]
    return "\n".join(head + [""] + body)
