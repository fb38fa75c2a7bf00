"""Explain, in words, why a case has no feasible plan.

Cheap checks first, each naming the period, target, capacity or connection at
fault: capture capacity available by a period, sinks' injection rates,
cumulative storage over the horizon, and sources or sinks that no corridor
connects to the other side. If none of them explains it, the LP relaxation
with elastic targets says how much can be stored in each period at most.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ccusplan.optimize.instance import Instance

EPS = 1e-6


def _fmt(v: float) -> str:
    return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"


def _components(inst: Instance) -> list[np.ndarray]:
    g = nx.Graph()
    g.add_nodes_from(range(len(inst.node_ids)))
    g.add_edges_from(zip(inst.cor_from.tolist(), inst.cor_to.tolist()))
    return [np.fromiter(sorted(c), int) for c in nx.connected_components(g)]


def _capacity_checks(inst: Instance) -> list[str]:
    out = []
    for t, y in enumerate(inst.years):
        tgt = inst.target_mtpa[t]
        cap = float(inst.src_cap_mtpa[inst.src_available[:, t]].sum())
        if tgt > cap + EPS:
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the capture capacity "
                       f"available by then ({_fmt(cap)} Mt/yr)")
        inj = float(inst.snk_inj_mtpa[inst.snk_available[:, t]].sum())
        if tgt > inj + EPS:
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the injection rate of the "
                       f"sinks available by then ({_fmt(inj)} Mt/yr)")
    need = float(inst.target_mtpa @ inst.period_years)
    hold = float(inst.snk_cap_mt.sum())
    if need > hold + EPS:
        out.append(f"the targets need {_fmt(need)} Mt stored over the horizon but all sinks "
                   f"together hold {_fmt(hold)} Mt")
    return out


def _connection_checks(inst: Instance) -> list[str]:
    out = []
    ids = inst.node_ids
    src_comp = np.empty(len(ids), int)
    for c, nodes in enumerate(_components(inst)):
        src_comp[nodes] = c
    comp_src, comp_snk = src_comp[inst.src_node], src_comp[inst.snk_node]
    for k in np.flatnonzero(~np.isin(comp_snk, comp_src)):
        out.append(f"sink {ids[inst.snk_node[k]]} cannot be reached from any source")
    stranded = np.flatnonzero(~np.isin(comp_src, comp_snk))
    if len(stranded):
        names = ", ".join(map(str, ids[inst.src_node[stranded]][:10]))
        more = f" and {len(stranded) - 10} more" if len(stranded) > 10 else ""
        out.append(f"source(s) {names}{more} cannot reach any sink")
    for t, y in enumerate(inst.years):
        reach = 0.0
        for c in np.unique(comp_src):
            s_ok = (comp_src == c) & inst.src_available[:, t]
            k_ok = (comp_snk == c) & inst.snk_available[:, t]
            reach += min(inst.src_cap_mtpa[s_ok].sum(), inst.snk_inj_mtpa[k_ok].sum())
        if inst.target_mtpa[t] > reach + EPS:
            out.append(f"target of {y} ({_fmt(inst.target_mtpa[t])} Mt/yr) exceeds what connected "
                       f"sources and sinks can capture and inject together ({_fmt(reach)} Mt/yr)")
            break
    return out


def _elastic(inst: Instance) -> list[str]:
    from ccusplan.optimize.formulation import build
    from ccusplan.optimize.pulp_backend import solve

    form = build(inst, elastic_targets=True)
    lp = form.lp
    # the LP relaxation: pipe and well counts are bounded loosely enough not to bind
    res = solve(lp, "highs", time_limit_s=60, relax=True)
    if res.x is None:
        return ["no plan satisfies the network's capacities (no single target, capacity or "
                "connection explains it)"]
    short = res.x[lp.blocks["target_shortfall"]]
    return [f"target of {y} ({_fmt(t)} Mt/yr) cannot be met: at most {_fmt(t - s)} Mt/yr can be "
            "stored then, given sink capacities used in earlier periods and source availability"
            for y, t, s in zip(inst.years, inst.target_mtpa, short) if s > EPS]


def diagnose(inst: Instance) -> list[str]:
    """Reasons, in words, why ``inst`` is infeasible (empty only if none is found)."""
    if inst.mode != "target":
        return ["the case is infeasible although it has no target: check fixed capacities"]
    return _capacity_checks(inst) or _connection_checks(inst) or _elastic(inst)
