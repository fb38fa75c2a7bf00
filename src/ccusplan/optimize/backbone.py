"""A sparse backbone of the network: where the first plan of a large case is sought.

The warm start's other steps begin with the LP relaxation of the whole MILP, which on
large networks is slow (the whole China network: more than 300 s of dual simplex on one
thread) and whose plan, rounded up, sends CO2 over many corridors at once. The backbone
is a small part of the network a good plan is likely to use:

* **sources**: ranked by what a tonne costs at full capacity — capture (per tonne, and
  its fixed cost spread over the capacity) and the cheapest pipe to the nearest sink,
  spread the same way — and kept in that order until, in every period, those available
  can capture :data:`MARGIN` times the target (in price mode every source that may pay);
* **corridors**: a Steiner tree over the kept sources' nodes and every sink's (the
  distance-network heuristic of Mehlhorn 1988, Information Processing Letters 27(3),
  within twice the shortest tree), where sources share trunks, and each kept source's
  cheapest path to its nearest sink, which gives the flows a second way round.

A corridor's weight is the fixed cost of its cheapest pipe (one with existing capacity
costs nothing; a ship, truck or rail corridor its fixed cost a year over the pipeline's
capital recovery factor). :func:`.warmstart.lp_support_start` solves the LP relaxation
of the MILP restricted to the backbone, rounds it up and re-sizes it: on the whole China
network (1,627 sources, 6,288 corridors) the backbone keeps 213 sources and 723
corridors, and the plan — 34,927.5 MUSD — takes 7.5 s, where the LP relaxation of the
whole network takes 195 s (the dual simplex and the interior point method racing on two
threads) and the steps after it had reached 36,017.1 in 300 s (benchmarks/README.md,
"A first plan from the network's backbone").
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
import numpy as np
from networkx.algorithms.approximation import steiner_tree

from ccusplan.optimize.instance import Instance

#: Sources are kept until those available in each period can capture this multiple of
#: its target, leaving the LP on the backbone a choice among them.
MARGIN = 1.5


def corridor_weights(inst: Instance) -> np.ndarray:
    """(E,) the fixed cost of each corridor's cheapest pipe, MUSD: 0 with existing
    capacity, a ship, truck or rail corridor's fixed cost a year over the pipeline's
    capital recovery factor, ``inf`` where nothing may be built."""
    fixed = np.full(len(inst.cor_from), np.inf)
    np.minimum.at(fixed, inst.opt_corridor, inst.opt_capex_musd)
    fixed[inst.cor_existing_mtpa > 0] = 0.0
    leased = inst.cor_leased
    fixed[leased] = inst.cor_fixed_musd_per_yr[leased] / inst.crf_pipeline
    return fixed


def fixed_cost_graph(inst: Instance) -> nx.Graph:
    """The network as a graph weighted ``w`` by :func:`corridor_weights`, each edge
    naming its corridor ``e`` (of parallel corridors, the cheapest)."""
    fixed = corridor_weights(inst)
    order = np.argsort(-fixed)  # the cheapest corridor between two nodes is added last
    order = order[np.isfinite(fixed[order])]
    graph = nx.Graph()
    graph.add_edges_from((int(inst.cor_from[e]), int(inst.cor_to[e]),
                          {"w": float(fixed[e]), "e": int(e)}) for e in order)
    return graph


def path_corridors(graph: nx.Graph, path: list[int]) -> list[int]:
    """The corridors along a path of nodes of :func:`fixed_cost_graph`."""
    return [graph[u][v]["e"] for u, v in pairwise(path)]


def backbone(inst: Instance, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """(sources (I,), corridors (E,)) of the backbone, as boolean masks."""
    graph = fixed_cost_graph(inst)
    sinks = {int(v) for v in inst.snk_node[inst.snk_available.any(axis=1)]} & set(graph)
    corridors = np.zeros(len(inst.cor_from), dtype=bool)
    if not sinks:
        return np.zeros(len(inst.src_node), dtype=bool), corridors
    dist, paths = nx.multi_source_dijkstra(graph, sinks, weight="w")
    to_sink = np.array([dist.get(int(v), np.inf) for v in inst.src_node])
    sources = _kept_sources(inst, to_sink, margin)
    kept_nodes = {int(v) for v in inst.src_node[sources]}
    for v in kept_nodes:
        corridors[path_corridors(graph, paths[v])] = True
    for part in nx.connected_components(graph):
        ends = (kept_nodes | sinks) & part
        if len(ends) > 1:
            tree = steiner_tree(graph.subgraph(part), list(ends), weight="w", method="mehlhorn")
            corridors[[graph[u][v]["e"] for u, v in tree.edges()]] = True
    return sources, corridors


def _kept_sources(inst: Instance, to_sink_musd: np.ndarray, margin: float) -> np.ndarray:
    """(I,) the sources of the backbone, given each one's cheapest pipe to a sink."""
    may = inst.src_may_capture & np.isfinite(to_sink_musd)[:, None]
    if inst.mode == "price":
        return may.any(axis=1)
    cap = inst.src_cap_mtpa
    per_t = (inst.src_var_usd_per_t + inst.src_capex_musd_per_mtpa * inst.crf_capture
             + inst.src_fom_musd_per_yr_per_mtpa)
    fixed_musd_per_yr = (inst.src_capex_musd * inst.crf_capture + inst.src_fom_musd_per_yr
                         + np.where(np.isfinite(to_sink_musd), to_sink_musd, 0.0)
                         * inst.crf_pipeline)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = per_t + np.where(cap > 0, fixed_musd_per_yr / cap, np.inf)
    kept = np.zeros(len(cap), dtype=bool)
    order = np.argsort(score, kind="stable")
    for t, target in enumerate(inst.target_mtpa):
        short = margin * target - cap[kept & may[:, t]].sum()
        if short > 0:  # the next cheapest, until their capacity covers what is short
            more = order[may[order, t] & ~kept[order] & (cap[order] > 0)]
            kept[more[:np.searchsorted(np.cumsum(cap[more]), short) + 1]] = True
    return kept
