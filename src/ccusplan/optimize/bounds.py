"""Per-corridor flow bounds from the network's bridges.

A *bridge* is a corridor whose removal splits the network in two. Whatever crosses
it from side A to side B was captured in A and is injected in B, so in each period

    flow A→B ≤ min(capture capacity in A, injection capacity in B, M_t)

where M_t is the instance's global flow bound (:attr:`Instance.flow_bound_mtpa`).
Every other corridor keeps M_t. The bounds tighten the pipe-capacity rows of the
formulation: a pipe on a spur to a 7 Mt/yr source is worth at most 7 Mt/yr to the
LP relaxation, however large its class, so the relaxation can no longer buy a
fifteenth of a 111 Mt/yr trunk to serve it (on SimCCS's SoutheastUS network, eight of
the 183 corridors are such spurs).

Bridges come from :func:`networkx.bridges` and the side sums from one pass over
the bridge tree (the 2-edge-connected blocks joined by bridges): linear in the
network's size.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def corridor_flow_bounds(n_nodes: int, cor_from: np.ndarray, cor_to: np.ndarray,
                         supply_mtpa: np.ndarray, injection_mtpa: np.ndarray,
                         global_mtpa: np.ndarray) -> np.ndarray:
    """(2, E, T) bounds on each corridor's flow from→to ([0]) and to→from ([1]).

    ``supply_mtpa`` and ``injection_mtpa`` are (N, T): capture and injection
    capacity at each node in each period; ``global_mtpa`` (T,) bounds every flow.
    """
    E, T = len(cor_from), len(global_mtpa)
    out = np.broadcast_to(np.asarray(global_mtpa, float), (2, E, T)).copy()
    if E == 0:
        return out
    g = nx.Graph()
    g.add_nodes_from(range(n_nodes))
    pairs = np.sort(np.stack([cor_from, cor_to], axis=1), axis=1)
    uniq, first, count = np.unique(pairs, axis=0, return_index=True, return_counts=True)
    g.add_edges_from(map(tuple, uniq.tolist()))
    single = {tuple(p): int(e) for p, e, c in zip(uniq.tolist(), first.tolist(), count.tolist())
              if c == 1 and p[0] != p[1]}
    bridges = [single[tuple(sorted(b))] for b in nx.bridges(g) if tuple(sorted(b)) in single]
    if not bridges:
        return out

    # blocks: components once the bridges are removed; the bridges join them in a forest
    g.remove_edges_from((int(cor_from[e]), int(cor_to[e])) for e in bridges)
    block = np.empty(n_nodes, dtype=np.int64)
    for b, nodes in enumerate(nx.connected_components(g)):
        block[list(nodes)] = b
    B = int(block.max()) + 1
    sup = np.zeros((B, T))
    inj = np.zeros((B, T))
    np.add.at(sup, block, supply_mtpa)
    np.add.at(inj, block, injection_mtpa)

    tree = nx.Graph()
    tree.add_nodes_from(range(B))
    tree.add_edges_from((int(block[cor_from[e]]), int(block[cor_to[e]])) for e in bridges)
    parent = np.full(B, -1)
    sub_sup, sub_inj = sup.copy(), inj.copy()
    tot_sup, tot_inj = np.zeros((B, T)), np.zeros((B, T))
    for comp in nx.connected_components(tree):
        root = next(iter(comp))
        edges = list(nx.bfs_edges(tree, root))
        order = [root] + [v for _, v in edges]
        for u, v in edges:
            parent[v] = u
        for v in reversed(order[1:]):  # children before parents
            sub_sup[parent[v]] += sub_sup[v]
            sub_inj[parent[v]] += sub_inj[v]
        tot_sup[order] = sub_sup[root]
        tot_inj[order] = sub_inj[root]

    for e in bridges:
        bu, bv = int(block[cor_from[e]]), int(block[cor_to[e]])
        child = bv if parent[bv] == bu else bu
        c_sup, c_inj = sub_sup[child], sub_inj[child]
        o_sup, o_inj = tot_sup[child] - c_sup, tot_inj[child] - c_inj
        if child == bv:  # from-side is the rest of the tree, to-side the child's subtree
            out[0, e] = np.minimum(out[0, e], np.minimum(o_sup, c_inj))
            out[1, e] = np.minimum(out[1, e], np.minimum(c_sup, o_inj))
        else:
            out[0, e] = np.minimum(out[0, e], np.minimum(c_sup, o_inj))
            out[1, e] = np.minimum(out[1, e], np.minimum(o_sup, c_inj))
    return np.maximum(out, 0.0)
