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
from dataclasses import dataclass

import highspy
import numpy as np

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.highs_backend import _highs
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.options import SolveOptions

#: Node sets of up to this many connected nodes are searched. The Shandong case's plan:
#: 144.0 MUSD with sets of up to three nodes (742 sets, 3.6 s), 149.2 with up to five
#: (14,173 sets, 4 minutes).
MAX_SET_NODES = 3
#: Rounds of separation end when one raises the bound by less than this share of it.
MIN_GAIN = 1e-4
MAX_ROUNDS = 30
#: A round adds at most this many inequalities, the most violated first.
MAX_CUTS_PER_ROUND = 1_000


@dataclass(frozen=True)
class _Crossing:
    """A node set's boundary in one period: its pipes' columns, what each counts for
    (capped at the most its corridor carries, not yet at b), and b."""

    cols: np.ndarray
    cap: np.ndarray
    b: float


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
              max_nodes: int | None = None) -> list[_Crossing]:
    """The boundary of every node set (:func:`node_sets`) in every period whose net
    ``supply`` ((N, T) Mt/yr) is more than its existing capacity carries. Sets that a
    leased (ship, truck, rail) corridor leaves are skipped: what such a corridor carries
    is bounded by no pipe."""
    E, T = len(inst.cor_from), inst.n_periods
    bound = inst.corridor_flow_bound_mtpa          # (2, E, T): from→to, to→from
    blocks = [form.lp.blocks[nb] for nb, _ in form.pipe_blocks]
    directed = len(blocks) == 2
    opts_of = np.split(np.argsort(inst.opt_corridor, kind="stable"),
                       np.cumsum(np.bincount(inst.opt_corridor, minlength=E))[:-1])
    inside = np.zeros(len(inst.node_ids), dtype=bool)
    out = []
    for U in node_sets(inst, max_nodes):
        inside[:] = False
        inside[U] = True
        cross = np.flatnonzero(inside[inst.cor_from[:E]] != inside[inst.cor_to[:E]])
        if not len(cross) or inst.cor_leased[cross].any():
            continue
        D = supply[U].sum(axis=0)
        existing = float(inst.cor_existing_mtpa[cross].sum())
        from_in = inside[inst.cor_from[cross]]
        for t in range(T):
            b = abs(D[t]) - existing
            if b <= 1e-6:
                continue
            cols, cap = [], []
            for k, e in enumerate(cross):
                o = opts_of[e]
                # the direction CO2 crosses: from→to where it leaves U at e's from end
                d = 0 if from_in[k] == (D[t] > 0) else 1
                block = blocks[d] if directed else blocks[0]
                u = bound[d, e, t] if directed else bound[:, e, t].max()
                cols.append(block[o, t])
                cap.append(np.minimum(inst.opt_cap_mtpa[o], u))
            out.append(_Crossing(np.concatenate(cols), np.concatenate(cap), float(b)))
    return out


def rounded(a: np.ndarray, b: float, delta: float) -> tuple[np.ndarray, float]:
    """The mixed-integer rounding of Σ a n ≥ b (n whole, a ≥ 0) with divisor ``delta``:
    its coefficients and right side."""
    beta = b / delta
    f = beta - np.floor(beta)
    if f < 1e-9:
        return a / delta, float(beta)
    q = a / delta
    return np.floor(q) + np.minimum((q - np.floor(q)) / f, 1.0), float(np.ceil(beta))


def separate(crossings_: list[_Crossing], v: np.ndarray, tol: float = 1e-6,
             most: int = MAX_CUTS_PER_ROUND) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """For each crossing, its most violated rounded inequality at column values ``v``
    (divisors: b and each capacity the values use), as (columns, coefficients, right
    side); none where nothing is violated by more than ``tol`` relative; the ``most``
    most violated."""
    out = []
    for c in crossings_:
        n = v[c.cols]
        a = np.minimum(c.cap, c.b)
        best, best_score = None, tol
        for delta in np.unique(np.r_[a[n > 1e-9], c.b]):
            if delta <= 1e-9:
                continue
            coef, rhs = rounded(a, c.b, delta)
            score = (rhs - coef @ n) / max(rhs, 1.0)
            if score > best_score:
                best, best_score = (coef, rhs), score
        if best is not None:
            keep = best[0] > 1e-12
            out.append((best_score, c.cols[keep], best[0][keep], best[1]))
    out.sort(key=lambda cut: -cut[0])
    return [cut[1:] for cut in out[:most]]


def cut_set_bound(lp: LinearProgram, col_lo: np.ndarray, col_hi: np.ndarray,
                  crossings_: list[_Crossing], opts: SolveOptions) -> CutSetBound:
    """The LP relaxation of ``lp`` (with bounds ``col_lo``, ``col_hi``: the sites fixed)
    and the rounded cut-set inequalities of ``crossings_`` violated by its solutions,
    added round by round (HiGHS, its dual simplex warm from the last round), within
    ``opts.time_limit_s``. Every round's optimum bounds the integer problem; the last
    one is returned."""
    t0 = time.perf_counter()
    limit = opts.time_limit_s if opts.time_limit_s is not None else np.inf
    arr = lp.arrays()
    h = _highs(arr, arr["A"].tocsc(), col_lo, col_hi, np.zeros(lp.n_cols, dtype=bool),
               opts.but(mip_gap=None))
    bound, rounds, added = None, 0, []
    while True:
        left = limit - (time.perf_counter() - t0)
        if left <= 0 or (opts.stop is not None and opts.stop.is_set()):
            break
        h.setOptionValue("time_limit", float(left))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        value = float(h.getInfo().objective_function_value)
        gained = bound is None or value - bound > MIN_GAIN * max(abs(value), 1.0)
        bound = value if bound is None else max(bound, value)
        if not gained or rounds >= MAX_ROUNDS:
            break
        found = separate(crossings_, np.asarray(h.getSolution().col_value))
        if not found:
            break
        starts = np.cumsum([0] + [len(c) for c, _, _ in found[:-1]])
        h.addRows(len(found), np.array([r for _, _, r in found]),
                  np.full(len(found), highspy.kHighsInf), int(sum(len(c) for c, _, _ in found)),
                  starts.astype(np.int32), np.concatenate([c for c, _, _ in found]).astype(np.int32),
                  np.concatenate([k for _, k, _ in found]))
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
