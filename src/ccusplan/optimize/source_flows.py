"""Each source's own flow near it, linked to the pipes it rides on: a multi-commodity
extension of the MILP that tightens its LP relaxation in transport.

The MILP moves CO2 as one commodity: its LP relaxation carries a source's few Mt/yr on
a fraction of the largest pipe, which costs least per Mt/yr. Followed source by source
(the multi-commodity form of fixed-charge network design: Balakrishnan, Magnanti and
Wong 1989, Oper. Res. 37(5); for modular capacities, Raack, Koster, Orlowski and
Wessäly 2011, Networks 57(2)), a source that captures at most L in a period sends at
most L along any corridor, so on each corridor it uses

    f_k ≤ Σ_o min(Q_o, L_k)·n_o + existing capacity

holds: where one of the pipes laid counts for L_k, the right side is at least L_k ≥ f_k;
where none does, each counts for its whole capacity, which carries all the corridor's
flow, f_k's with it. The LP relaxation must then buy about a whole pipe of the source's
size on every corridor its flow takes, not a sliver of the largest.

Each source's flow is followed for ``hops`` corridors from its node (its own balance
rows at the nodes fewer than ``hops`` corridors away, its flow columns on every corridor
touching them): beyond, it joins the single commodity. The sources' flows on a corridor
add up to no more than the corridor's flow (every plan's flows split into paths from
sources to sinks, and cycles), and what they leave at a sink's node to no more than it
injects. Every plan of the MILP is a plan of the extension, so its optimum is the same
and its LP relaxation is at least as tight. On the Shandong case's plan with its sites
fixed, the LP relaxation's transport cost 71.3 MUSD without, 92.4 with one hop, 124.1
with two, 127.1 with every source followed everywhere (benchmarks/README.md,
"Transport design").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class SourceFlows:
    """What :func:`define_source_flows` adds: each source followed for ``hops`` corridors,
    with ``most_mtpa`` ((I, T): the most it captures in each period in the plans the
    model is for; default the model's own column bounds)."""

    hops: int = 2
    most_mtpa: np.ndarray | None = None


def _near(inst, within: int) -> sp.csr_matrix:
    """(N, N) node u → nodes fewer than ``within`` + 1 corridors from u (u included)."""
    N, E = len(inst.node_ids), len(inst.cor_from)
    adj = sp.csr_matrix((np.ones(2 * E), (np.r_[inst.cor_from, inst.cor_to],
                                          np.r_[inst.cor_to, inst.cor_from])), shape=(N, N))
    reach = sp.identity(N, format="csr")
    for _ in range(within):
        reach = ((reach + reach @ adj) > 0).astype(float).tocsr()
    return reach


def define_source_flows(m, flow_map: sp.csr_matrix, spec: SourceFlows) -> None:
    """The extension of the module docstring, for the model ``m`` being built
    (:func:`.formulation.build`), whose corridors' flows ``flow_map`` gives. Its columns
    come after every other, and cost nothing."""
    if not m.transport or spec.hops < 1:
        return
    inst, lp, T, E = m.inst, m.lp, m.T, m.E
    N = len(inst.node_ids)
    most = m.built_max * inst.src_may_capture if spec.most_mtpa is None \
        else np.asarray(spec.most_mtpa, float)
    ki, kt = np.nonzero(most > 1e-9)                 # the commodities: (source, period)
    if not len(ki):
        return
    K, L = len(ki), most[ki, kt]
    near = _near(inst, spec.hops - 1)[inst.src_node[ki]].tocsr()   # (K, N) interior nodes
    touches = near @ sp.csr_matrix(
        (np.ones(2 * E), (np.r_[inst.cor_from, inst.cor_to], np.r_[np.arange(E), np.arange(E)])),
        shape=(N, E))
    touches = touches.tocsr()
    fk = np.repeat(np.arange(K), np.diff(touches.indptr))   # each flow's commodity
    fe = touches.indices                                    # and corridor
    nodes = near.tocoo()
    bk, bn = nodes.row, nodes.col                           # each balance row's (k, node)
    row_of = sp.csr_matrix((np.arange(len(bk)) + 1, (bk, bn)), shape=(K, N))
    flows = lp.add_vars("source_flow", (2, len(fe)), hi=np.tile(L[fk], (2, 1)))
    terms = []
    for d, (tail, head) in enumerate(((inst.cor_from, inst.cor_to), (inst.cor_to, inst.cor_from))):
        for ends, sign in ((tail, 1.0), (head, -1.0)):
            r = np.asarray(row_of[fk, ends[fe]]).ravel() - 1
            terms.append((r[r >= 0], flows[d][r >= 0], sign))
    # what a source's flow leaves at a sink's node, within what the node's sinks inject
    at_sink = np.zeros(N, dtype=bool)
    at_sink[inst.snk_node] = True
    left = np.flatnonzero(at_sink[bn])
    leaves = lp.add_vars("source_flow_sink", (len(left),))
    terms.append((left, leaves, 1.0))
    terms.append((np.asarray(row_of[np.arange(K), inst.src_node[ki]]).ravel() - 1,
                  m.capture[ki, kt], -1.0))
    lp.add_rows("source_balance", len(bk), terms, lo=0.0, hi=0.0)
    sink_nodes = np.unique(inst.snk_node)
    pos = np.full(N, -1)
    pos[sink_nodes] = np.arange(len(sink_nodes))
    lp.add_rows("source_flow_sink", len(sink_nodes) * T, [
        (pos[bn[left]] * T + kt[bk[left]], leaves, 1.0),
        (pos[inst.snk_node][:, None] * T + m.tt, m.injection, -1.0)], hi=0.0)
    # the sources' flows on a corridor add up to no more than its flow (a row per flow_map
    # row, direction, corridor and period, that some source's flow is on)
    at = np.r_[fe * T + kt[fk], (E + fe) * T + kt[fk]]
    rows = np.unique(at)
    local = np.full(2 * E * T, -1)
    local[rows] = np.arange(len(rows))
    agg = flow_map[rows].tocoo()
    lp.add_rows("source_flow_total", len(rows), [
        (local[at], flows.ravel(), 1.0), (agg.row, agg.col, -agg.data)], hi=0.0)
    # each source's flow on a pipeline corridor within its pipes, counted for at most L
    piped = np.flatnonzero(~inst.cor_leased[fe])          # flows on pipeline corridors
    by_corridor = sp.csr_matrix((np.ones(len(inst.opt_corridor)),
                                 (inst.opt_corridor, np.arange(len(inst.opt_corridor)))),
                                shape=(E, len(inst.opt_corridor)))
    per = by_corridor[fe[piped]].tocoo()                  # (flow, option) pairs
    j, o = piped[per.row], per.col
    for p in m.pipes:
        count = np.minimum(np.minimum(inst.opt_cap_mtpa[o], p.most[o]), L[fk[j]])
        for d in p.carried:
            lp.add_rows(f"source_link_{'fwd' if d == 0 else 'rev'}", len(piped), [
                (np.arange(len(piped)), flows[d][piped], 1.0),
                (per.row, p.n[o, kt[fk[j]]], -count)],
                hi=inst.cor_existing_mtpa[:E][fe[piped]])
