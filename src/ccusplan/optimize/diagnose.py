"""Explain, in words, why a case has no feasible plan.

Cheap checks first (:func:`precheck`), each naming the period, target, capacity or
connection at fault: capture capacity available by a period, and of the sources
that can reach a sink; sinks' injection rates, of all and of those a source can
reach (each named); cumulative storage over the horizon, of all sinks and of those
a source can reach; what each connected part of the network can capture and inject
together. The sources and sinks no corridor connects to the other side are named
with the check they make fail. If none explains it, the LP relaxation with elastic
targets says how much can be stored in each period at most.
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


def _reachable(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each source's and sink's connected component, and which sources can reach a sink
    and which sinks a source can."""
    comp = np.empty(len(inst.node_ids), int)
    for c, nodes in enumerate(_components(inst)):
        comp[nodes] = c
    comp_src, comp_snk = comp[inst.src_node], comp[inst.snk_node]
    return comp_src, comp_snk, np.isin(comp_src, comp_snk), np.isin(comp_snk, comp_src)


def _names(ids, limit: int = 10) -> str:
    ids = [str(i) for i in ids]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def _unreached(inst: Instance, src_ok: np.ndarray, snk_ok: np.ndarray) -> str:
    """What no corridor connects: ``; sink K2 cannot be reached from any source`` ..."""
    ids = inst.node_ids
    parts = []
    if (~snk_ok).any():
        k = ids[inst.snk_node[~snk_ok]]
        parts.append(f"sink{'s' if len(k) > 1 else ''} {_names(k)} cannot be reached from "
                     "any source")
    if (~src_ok).any():
        i = ids[inst.src_node[~src_ok]]
        parts.append(f"source{'s' if len(i) > 1 else ''} {_names(i)} cannot reach any sink")
    return "; " + "; ".join(parts) if parts else ""


def _capacity_checks(inst: Instance) -> list[str]:
    """The targets against the capacities of the sources and sinks available, and of those
    the network connects: the first period each fails, with the capacities that bind."""
    out = []
    ids = inst.node_ids
    comp_src, comp_snk, src_ok, snk_ok = _reachable(inst)
    unreached = _unreached(inst, src_ok, snk_ok)
    for t, y in enumerate(inst.years):
        tgt, avail_src, avail_snk = inst.target_mtpa[t], inst.src_available[:, t], \
            inst.snk_available[:, t]
        said = len(out)
        cap = float(inst.src_cap_mtpa[avail_src].sum())
        if tgt > cap + EPS:
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the capture capacity "
                       f"available by then ({_fmt(cap)} Mt/yr)")
        elif tgt > (c := float(inst.src_cap_mtpa[avail_src & src_ok].sum())) + EPS:
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the capture capacity of the "
                       f"sources available then that can reach a sink ({_fmt(c)} Mt/yr)"
                       + unreached)
        inj = float(inst.snk_inj_mtpa[avail_snk].sum())
        if tgt > inj + EPS:
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the injection rate of the "
                       f"sinks available by then ({_fmt(inj)} Mt/yr)")
        elif tgt > (r := float(inst.snk_inj_mtpa[avail_snk & snk_ok].sum())) + EPS:
            k = np.flatnonzero(avail_snk & snk_ok)
            each = ", ".join(f"{ids[inst.snk_node[j]]} {_fmt(inst.snk_inj_mtpa[j])}" for j in k)
            out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds the injection rate of the "
                       f"sinks available then that a source can reach ({_fmt(r)} Mt/yr: "
                       f"{each or 'none'})" + unreached)
        if len(out) == said:
            reach = sum(min(inst.src_cap_mtpa[(comp_src == c) & avail_src].sum(),
                            inst.snk_inj_mtpa[(comp_snk == c) & avail_snk].sum())
                        for c in np.unique(comp_src))
            if tgt > reach + EPS:
                out.append(f"target of {y} ({_fmt(tgt)} Mt/yr) exceeds what connected sources "
                           f"and sinks can capture and inject together ({_fmt(reach)} Mt/yr)"
                           + unreached)
        if len(out) > said:
            break  # the first period that fails; later ones follow from it or are alike
    need = float(inst.target_mtpa @ inst.period_years)
    hold = float(inst.snk_cap_mt.sum())
    held = float(inst.snk_cap_mt[snk_ok].sum())
    if need > hold + EPS:
        out.append(f"the targets need {_fmt(need)} Mt stored over the horizon but all sinks "
                   f"together hold {_fmt(hold)} Mt")
    elif need > held + EPS:
        each = ", ".join(f"{ids[inst.snk_node[j]]} {_fmt(inst.snk_cap_mt[j])}"
                         for j in np.flatnonzero(snk_ok))
        out.append(f"the targets need {_fmt(need)} Mt stored over the horizon but the sinks a "
                   f"source can reach hold {_fmt(held)} Mt ({each or 'none'})" + unreached)
    return out


def precheck(inst: Instance) -> list[str]:
    """The cheap checks alone (no LP): reasons the case cannot be met, or none. What
    ``ccusplan validate`` runs, and the first part of :func:`diagnose`."""
    return _capacity_checks(inst) if inst.mode == "target" else []


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
    return _capacity_checks(inst) or _elastic(inst)
