"""The NPV of each part (capture, transport, storage) split into capital and operating.

*Capital* is the annuities of every capital cost (capital recovery factor × capex, for
each year the asset is in service within the horizon, discounted as the objective is):
sites equipped and capture capacity built, pipes laid and sized, port terminals built,
sinks opened and wells drilled (leased ships, trucks and rail are operating costs). *Operating* is the rest of the part's NPV: fixed O&M, per-tonne costs, pipeline
O&M and energy, and EOR revenue (negative) — so the two add up to the part's NPV exactly.
"""

from __future__ import annotations

import numpy as np

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance

PARTS = ("capture", "transport", "storage")


def capital_costs(inst: Instance, form: Formulation) -> np.ndarray:
    """Objective coefficients of the capital annuities alone (MUSD per unit; 0 elsewhere)."""
    b = form.lp.blocks
    W = inst.weight_years[None, :]
    has_wells = np.flatnonzero(~np.isnan(inst.snk_well_mtpa))
    c = np.zeros(form.lp.n_cols)
    c[b["capture_on"]] = (inst.src_capex_musd * inst.crf_capture)[:, None] * W
    c[b["capture_built"]] = (inst.src_capex_musd_per_mtpa * inst.crf_capture)[:, None] * W
    for n, q in form.pipe_blocks:
        c[b[n]] = (inst.opt_capex_musd * inst.crf_pipeline)[:, None] * W
        c[b[q]] = (inst.opt_capex_musd_per_mtpa[form.sized] * inst.crf_pipeline)[:, None] * W
    c[b["port_open"]] = (inst.port_capex_musd * inst.crf_pipeline)[:, None] * W
    c[b["port_capacity"]] = (inst.port_capex_musd_per_mtpa * inst.crf_pipeline)[:, None] * W
    c[b["sink_open"]] = (inst.snk_capex_musd * inst.crf_storage)[:, None] * W
    c[b["wells"]] = (inst.snk_well_capex_musd[has_wells] * inst.crf_storage)[:, None] * W
    return c


def capital_operating(inst: Instance, form: Formulation, x: np.ndarray,
                      npv_musd: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{part: {"capital": MUSD, "operating": MUSD}}`` for the plan ``x``.

    Parameters
    ----------
    inst, form : Instance, Formulation
        The solved model.
    x : numpy.ndarray
        Column values of the plan.
    npv_musd : dict
        NPV by part (``Plan.npv_musd``); operating is the part's NPV minus its capital.
    """
    b = form.lp.blocks
    c = capital_costs(inst, form) * x
    blocks = {"capture": ("capture_on", "capture_built"),
              "transport": (*form.pipe_block_names, "port_open", "port_capacity"),
              "storage": ("sink_open", "wells")}
    out = {}
    for part in PARTS:
        capital = float(sum(c[b[name]].sum() for name in blocks[part]))
        out[part] = {"capital": capital, "operating": float(npv_musd[part]) - capital}
    return out
