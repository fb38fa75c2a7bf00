"""Cut-set inequalities, rounded, for the transport design of a plan's sites.

With the sites fixed, every node set U of the network has a known net supply D_t(U) in
each period t (what its sources capture less what its sinks inject), and all of it
crosses U's boundary δ(U): the pipes in service on δ(U) in period t carry at least
|D_t(U)| less the corridors' existing capacity, b. A pipe of class o counts for at most
a_o = min(Q_o, u, b) (Q_o its capacity, u the most its corridor carries then), so

    Σ_{o on δ(U)} a_o n_o ≥ b,

and, as the counts n_o are whole numbers, its mixed-integer rounding with any δ > 0
(β = b/δ, f = β − ⌊β⌋ > 0, f_o = a_o/δ − ⌊a_o/δ⌋)

    Σ_o (⌊a_o/δ⌋ + min(f_o/f, 1)) n_o ≥ ⌈β⌉

holds too (the cut-set inequalities of network loading: Magnanti, Mirchandani and Vachani
1993, Math. Programming 60; Atamtürk 2002, Math. Programming 92; Raack, Koster, Orlowski
and Wessäly 2011, Networks 57(2)). The LP relaxation buys a sliver of the largest pipe
for a source's few Mt/yr; the rounded inequality makes it buy a whole pipe that carries
them. Directed pipes (one period) count only for the direction that leaves U (or
enters it, where U takes CO2 in).

:func:`cut_set_bound` solves the LP relaxation, adds the most violated rounded inequality
of every connected node set of up to :data:`MAX_SET_NODES` nodes and period, and solves
again, for as long as the bound rises and time allows. On the Shandong case's plan with
its sites fixed, the LP relaxation's transport cost 71.2 MUSD without them and 144.0
after six rounds (3.6 s), where branch and bound on the same problem had proven 137 after
12 s (benchmarks/README.md, "Cut-sets, rounded").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.highs_backend import CONCURRENT_LP_COLUMNS, concurrent_lp, highs_model
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions

#: Node sets of up to this many connected nodes are searched. The Shandong case's plan:
#: 144.0 MUSD with sets of up to three nodes (742 sets, 3.6 s), 149.2 with up to five
#: (14,173 sets, 4 minutes).
MAX_SET_NODES = 3
#: Rounds of separation end after STALL_ROUNDS in a row that each raised the bound by
#: less than MIN_GAIN of the cost bounded (the plan's transport cost, for polishing): the
#: LP relaxation has many optima of one cost, and a round may only move to another.
MIN_GAIN = 1e-3
STALL_ROUNDS = 2
MAX_ROUNDS = 30
#: Each boundary's b is taken this much smaller (Mt/yr), and sets with less are passed
#: over: a plan's flows meet its sites' values only to the solver's tolerance (a random
#: network's optimum carried 3.1999995 Mt/yr from a source capturing 3.2, and a set of a
#: source and a sink whose values differ by 1e-6 would otherwise need a whole pipe).
SLACK_MTPA = 1e-4
#: A round adds at most this many inequalities, the most violated first: each re-solve's
#: iterations grow dearer with the rows added (the reduced China case's plan: a round of
#: 1,000 took the LP from 1,081.4 to 1,387.5 MUSD in 20 s, one of 300 to 1,166.4 in 1.9 s;
#: four rounds of 300, 1,392.9 after 34 s).
MAX_CUTS_PER_ROUND = 300


@dataclass(frozen=True)
class Crossings:
    """Node sets' boundaries, one row per set and period: the columns of the pipes on the
    boundary, each with what it counts for (its capacity capped at the most its corridor
    carries then, not yet at b; ``matrix``, rows × the model's columns), and b."""

    matrix: sp.csr_matrix
    b: np.ndarray

    def __len__(self) -> int:
        return len(self.b)


@dataclass(frozen=True)
class CutSetBound:
    bound: float | None      # the last LP relaxation's optimum with the cuts (None: none)
    #: the cuts binding at that optimum, as (columns, coefficients, right side)
    binding: list[tuple[np.ndarray, np.ndarray, float]]
    rounds: int
    cuts: int
    seconds: float


def node_sets(inst: Instance, max_nodes: int | None = None) -> list[np.ndarray]:
    """Every set of up to ``max_nodes`` (default :data:`MAX_SET_NODES`) nodes connected
    by pipeline corridors."""
    max_nodes = MAX_SET_NODES if max_nodes is None else max_nodes
    if max_nodes < 1:
        return []
    E = len(inst.cor_from)
    adj: list[set[int]] = [set() for _ in range(len(inst.node_ids))]
    for e in np.flatnonzero(~inst.cor_leased[:E]):
        u, w = int(inst.cor_from[e]), int(inst.cor_to[e])
        adj[u].add(w)
        adj[w].add(u)
    frontier = {frozenset([u]) for u in range(len(adj))}
    found = set(frontier)
    for _ in range(max_nodes - 1):
        frontier = {U | {w} for U in frontier for u in U for w in adj[u] if w not in U}
        found |= frontier
    return [np.array(sorted(U)) for U in sorted(found, key=lambda U: (len(U), sorted(U)))]


def crossings(inst: Instance, form: Formulation, supply: np.ndarray,
              max_nodes: int | None = None) -> Crossings:
    """The boundary of every node set (:func:`node_sets`) in every period whose net
    ``supply`` ((N, T) Mt/yr) is more than its existing capacity carries. Sets that a
    leased (ship, truck, rail) corridor leaves are skipped: what such a corridor carries
    is bounded by no pipe."""
    N, E, T = len(inst.node_ids), len(inst.cor_from), inst.n_periods
    n_cols = form.lp.n_cols
    sets = node_sets(inst, max_nodes)
    if not sets:
        return Crossings(sp.csr_matrix((0, n_cols)), np.zeros(0))
    member = sp.csr_matrix((np.ones(sum(len(U) for U in sets)),
                            (np.repeat(np.arange(len(sets)), [len(U) for U in sets]),
                             np.concatenate(sets))), shape=(len(sets), N))
    ends = lambda nodes: sp.csr_matrix((np.ones(E), (nodes[:E], np.arange(E))),  # noqa: E731
                                       shape=(N, E))
    # the corridors leaving each set at their from end, and at their to end
    side = (member @ ends(inst.cor_from) - member @ ends(inst.cor_to)).tocsr()
    out_from = (side > 0).astype(float).tocsr()
    out_to = (-side > 0).astype(float).tocsr()
    crossing = out_from + out_to
    keep = np.flatnonzero((crossing @ inst.cor_leased[:E].astype(float) == 0)
                          & (np.diff(crossing.indptr) > 0))
    out_from, out_to, crossing = out_from[keep], out_to[keep], crossing[keep]
    D = member[keep] @ supply                                   # (S, T)
    existing = crossing @ inst.cor_existing_mtpa[:E]
    O = len(inst.opt_corridor)
    options = sp.csr_matrix((np.ones(O), (inst.opt_corridor, np.arange(O))), shape=(E, O))
    opt_from = (out_from @ options).tocsr()     # (S, O): options leaving at the from end
    opt_to = (out_to @ options).tocsr()         # and at the to end
    bound = inst.corridor_flow_bound_mtpa[:, inst.opt_corridor]  # (2, O, T)
    blocks = [form.lp.blocks[nb] for nb, _ in form.pipe_blocks]
    parts, b, offset = [], [], 0
    for t in range(T):
        need = np.abs(D[:, t]) - existing - SLACK_MTPA
        rows = np.flatnonzero(need > 0)
        if not len(rows):
            continue
        leaves = D[rows, t] > 0
        for opts_at, d_leaving in ((opt_from, 0), (opt_to, 1)):
            sub = opts_at[rows].tocoo()
            # the direction CO2 crosses: from→to where it leaves a set at a corridor's
            # from end, or enters it at its to end
            d = np.where(leaves[sub.row], d_leaving, 1 - d_leaving)
            if len(blocks) == 2:
                col = np.where(d == 0, blocks[0][sub.col, t], blocks[1][sub.col, t])
                u = bound[d, sub.col, t]
            else:
                col = blocks[0][sub.col, t]
                u = bound[:, sub.col, t].max(axis=0)
            cap = np.minimum(inst.opt_cap_mtpa[sub.col], u)
            parts.append((sub.row + offset, col, cap))
        b.append(need[rows])
        offset += len(rows)
    if not b:
        return Crossings(sp.csr_matrix((0, n_cols)), np.zeros(0))
    b = np.concatenate(b)
    r, c, v = (np.concatenate(z) for z in zip(*parts))
    return Crossings(sp.csr_matrix((v, (r, c)), shape=(len(b), n_cols)), b)


def rounded(a: np.ndarray, b: float, delta: float) -> tuple[np.ndarray, float]:
    """The mixed-integer rounding of Σ a n ≥ b (n whole, a ≥ 0) with divisor ``delta``:
    its coefficients and right side."""
    beta = b / delta
    f = beta - np.floor(beta)
    if f < 1e-9:
        return a / delta, float(beta)
    q = a / delta
    return np.floor(q) + np.minimum((q - np.floor(q)) / f, 1.0), float(np.ceil(beta))


def separate(cr: Crossings, v: np.ndarray, tol: float = 1e-6,
             most: int | None = None) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """For each crossing, its most violated rounded inequality at column values ``v``
    (divisors: b and each capacity the values use), as (columns, coefficients, right
    side); none where nothing is violated by more than ``tol`` relative; the ``most``
    (default :data:`MAX_CUTS_PER_ROUND`) most violated. A crossing whose pipes count for
    2b or more at ``v`` is passed over: a coefficient of the rounding is at least a_o/δ
    and its right side at most b/δ + 1, so with δ ≤ b none is violated."""
    M = cr.matrix
    row_of = np.repeat(np.arange(len(cr)), np.diff(M.indptr))
    a = np.minimum(M.data, cr.b[row_of])
    covered = np.bincount(row_of, weights=a * v[M.indices], minlength=len(cr))
    out = []
    for k in np.flatnonzero(covered < 2 * cr.b):
        lo, hi = M.indptr[k], M.indptr[k + 1]
        cols, ak, b = M.indices[lo:hi], a[lo:hi], cr.b[k]
        n = v[cols]
        best, best_score = None, tol
        for delta in np.unique(np.r_[ak[n > 1e-9], b]):
            if delta <= 1e-9:
                continue
            coef, rhs = rounded(ak, b, delta)
            score = (rhs - coef @ n) / max(rhs, 1.0)
            if score > best_score:
                best, best_score = (coef, rhs), score
        if best is not None:
            keep = best[0] > 1e-12
            out.append((best_score, cols[keep], best[0][keep], best[1]))
    out.sort(key=lambda cut: -cut[0])
    return [cut[1:] for cut in out[:MAX_CUTS_PER_ROUND if most is None else most]]


def cut_set_bound(lp: LinearProgram, col_lo: np.ndarray, col_hi: np.ndarray,
                  crossings_: Crossings | Callable[[], Crossings], opts: SolveOptions,
                  scale: float = 1.0) -> CutSetBound:
    """The LP relaxation of ``lp`` (with bounds ``col_lo``, ``col_hi``: the sites fixed)
    and the rounded cut-set inequalities of ``crossings_`` violated by its solutions,
    added round by round (HiGHS, its dual simplex warm from the last round), within
    ``opts.time_limit_s``. Every round's optimum bounds the integer problem; the last
    one is returned. ``scale``: the size of the cost bounded, for :data:`MIN_GAIN`.
    ``crossings_`` may be a function giving them, called only once the LP relaxation
    has ended (the whole China network's take 9 s and 29 million nonzeros, for an LP that
    does not end in polishing's time)."""
    t0 = time.perf_counter()
    limit = opts.time_limit_s if opts.time_limit_s is not None else np.inf
    arr = lp.arrays()
    A = arr["A"].tocsc()
    solved = False
    if lp.n_cols >= CONCURRENT_LP_COLUMNS and opts.threads != 1:
        # the first LP by the simplex and the interior point method at once, as the warm
        # start's (the reduced China case's: 15 s by the simplex alone)
        h, _ = concurrent_lp(arr, A, col_lo, col_hi, opts.but(mip_gap=None))
        h.setOptionValue("solver", "simplex")
        solved = True
    else:
        h = highs_model(arr, A, col_lo, col_hi, np.zeros(lp.n_cols, dtype=bool),
                        opts.but(mip_gap=None))
    bound, rounds, added, stalled = None, 0, [], 0
    while True:
        if not solved:
            left = limit - (time.perf_counter() - t0)
            if left <= 0 or (opts.stop is not None and opts.stop.is_set()):
                break
            h.setOptionValue("time_limit", h.getRunTime() + float(left))  # HiGHS's clock runs on
            h.run()
        solved = False
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        value = float(h.getInfo().objective_function_value)
        gained = bound is None or value - bound > MIN_GAIN * abs(scale)
        stalled = 0 if gained else stalled + 1
        bound = value if bound is None else max(bound, value)
        if stalled >= STALL_ROUNDS or rounds >= MAX_ROUNDS:
            break
        if callable(crossings_):
            crossings_ = crossings_()
        found = separate(crossings_, np.asarray(h.getSolution().col_value))
        if not found:
            break
        cols, coefs, rhs = zip(*found)
        starts = np.cumsum([0] + [len(c) for c in cols[:-1]]).astype(np.int32)
        h.addRows(len(found), np.array(rhs), np.full(len(found), highspy.kHighsInf),
                  int(sum(len(c) for c in cols)), starts,
                  np.concatenate(cols).astype(np.int32), np.concatenate(coefs))
        h.setOptionValue("simplex_strategy", 1)  # the dual simplex, from the last basis
        rounds += 1
        added += found
    binding = []
    if added and bound is not None:
        rows = np.asarray(h.getSolution().row_value)[lp.n_rows:]
        binding = [c for c, r in zip(added, rows) if r <= c[2] + 1e-6 * max(c[2], 1.0)]
    return CutSetBound(bound, binding, rounds, len(added), time.perf_counter() - t0)


def add_cuts(lp: LinearProgram, cuts: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
    """Add ``cuts`` ((columns, coefficients, right side) each, a ≥ row) to ``lp``."""
    if cuts:
        lp.add_rows("cut_set", len(cuts), [
            (np.repeat(np.arange(len(cuts)), [len(c) for c, _, _ in cuts]),
             np.concatenate([c for c, _, _ in cuts]), np.concatenate([k for _, k, _ in cuts]))],
            lo=np.array([r for _, _, r in cuts]))
