"""Re-routing a plan's flows path by path: local search for the transport design.

With the sites fixed, the transport design is a network flow with concave costs: a
pipe's cost grows far slower than its capacity (on the synthetic networks a 48" pipe
carries 370 times what a 4" does for 11 times its cost), so flows gain by sharing
trunks, and a MILP solver's search, which moves one column at a time, struggles.

The plan's flows, period by period, are split into paths from the node where CO2 is
captured to the node where it is stored; the paths of one pair of nodes make one
*flow*, its Mt/yr in each period. Each flow in turn, largest first, is taken off the
network and sent back along its cheapest path, where each corridor costs what carrying
it adds to the cost of the corridor's cheapest pipes for the flows it keeps (a shortest
path over those increments: the classical local search for concave-cost flows, e.g.
Guisewite & Pardalos, "Minimum concave-cost network flow problems", Annals of OR 25,
1990); the move is kept when the whole design costs less. Sweeps repeat until none
gains, the paths first priced by a fast estimate of each corridor's pipes, then by the
exact cost on the corridors in use. No single move then gains, but several may: two
flows on pipes of their own that would share a trunk if both moved. So each corridor in
use, the dearest per Mt/yr first, is closed in turn, its flows moved off it and the
flows through the nodes they now pass swept, and the result kept where the design costs
less. Each flow keeps its ends, so every site's capture and injection is unchanged.

On the Shandong case's plan (14,386.7 MUSD) the transport falls from 175.14 to 160.96
MUSD in 1.8 s; on a synthetic network of 1,000 sources from 43,491.7 to 39,767.5 in
the sweeps (18 s) and to 36,963.8 in 150 s, where HiGHS found no cheaper design for the
plan's sites in 600 s (benchmarks/README.md, "Re-routing path by path").

Each move prices every corridor, so it is kept cheap: the corridors a flow's move
touches are priced in one call, a flow's estimated cost on every corridor that carries
nothing is kept for its next move (it is the same either way, and a flow's Mt/yr never
change), and the graph the paths are searched on is built once.

A corridor's cost for its flows over the periods (:meth:`CorridorCosts.cost`) is the
cheapest set of pipes, never decreasing, with capacity for the flow in each period: a
pipe is laid in the first period that needs it (a pipe laid earlier costs more years
of annuity), and when a period needs more than the pipes laid so far, pipes of one class
are added, or all but one of one class and one of a smaller — a search over the
capacities reachable so far, keeping at each capacity the cheapest way there.
:func:`.polish.resize` then sizes the re-routed plan exactly.

Applies to plans over several periods whose pipes have whole-pipe costs only (no
sized capacity); ship, truck and rail corridors keep their flows, and flows that use
them are not moved.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.solution_file import violations

#: Flows below this (Mt/yr) are numerical noise.
EPS = 1e-6
#: At most this many pipes added to a corridor in one period.
MAX_ADDED = 3
#: The estimated costs of flows alone kept for their next move: at most this many numbers
#: (8 bytes each).
ALONE_CACHE_FLOATS = 12_500_000


def applies(inst: Instance, form: Formulation) -> bool:
    """Re-routing handles undirected pipes (several periods) with whole-pipe costs."""
    return len(form.pipe_blocks) == 1 and len(form.sized) == 0 and \
        form.lp.blocks["flow_fwd"].shape[0] == len(inst.cor_from)


class CorridorCosts:
    """The cheapest pipes, never decreasing, for a corridor's flows (module docstring)."""

    def __init__(self, inst: Instance):
        self.T = inst.n_periods
        W = np.asarray(inst.weight_years, float)
        self.tail = np.cumsum(W[::-1])[::-1]           # weight of the years from t on
        annual = (inst.crf_pipeline + inst.opt_om_fraction) * inst.opt_capex_musd \
            + inst.opt_om_musd_per_yr
        pipeline = ~inst.cor_leased[inst.opt_corridor]
        order = np.lexsort((inst.opt_cap_mtpa, inst.opt_corridor))
        order = order[pipeline[order]]
        starts = np.searchsorted(inst.opt_corridor[order], np.arange(len(inst.cor_from) + 1))
        self.options = [order[starts[e]:starts[e + 1]] for e in range(len(inst.cor_from))]
        self.cap, self.annual = inst.opt_cap_mtpa, annual
        self.existing = inst.cor_existing_mtpa
        self.per_t = inst.cor_var_usd_per_t[:, None] * W[None, :]  # MUSD per Mt/yr carried
        self._cache: dict = {}
        # (E, K) each corridor's classes by capacity, padded with classes never chosen
        K = max((len(o) for o in self.options), default=0)
        self.q_pad = np.full((len(self.options), max(K, 1)), np.inf)
        self.a_pad = np.full((len(self.options), max(K, 1)), np.inf)
        for e, o in enumerate(self.options):
            self.q_pad[e, :len(o)], self.a_pad[e, :len(o)] = self.cap[o], annual[o]
        self.n_opts = np.array([len(o) for o in self.options])
        # the same as Python numbers, for the search of :meth:`_cheapest` (a number at a
        # time: numpy's scalars would make it several times slower)
        self._py = [(o.tolist(), self.cap[o].tolist(), annual[o].tolist()) for o in self.options]
        self._tail = self.tail.tolist()

    def estimate(self, flow: np.ndarray, es: np.ndarray | None = None) -> np.ndarray:
        """(E,) an upper estimate of each corridor's cost for ``flow`` (E, T), fast: the
        cheaper of one class for the most, laid when first needed, and the cheapest class
        for each period's shortfall added as it comes. With ``es``, for those corridors
        alone (``flow`` then (len(es), T))."""
        pick = (lambda v: v) if es is None else (lambda v: v[es])  # noqa: E731
        q_pad, a_pad, n_opts = pick(self.q_pad), pick(self.a_pad), pick(self.n_opts)
        E, T = q_pad.shape[0], self.T
        rows = np.arange(E)
        carried = np.abs(flow)
        need = np.maximum(carried - pick(self.existing)[:, None] - EPS, 0.0)
        last = np.maximum(n_opts - 1, 0)

        def cheapest(short):            # (E,) class index covering ``short`` and count
            k = np.minimum((q_pad < short[:, None] - 1e-9).sum(axis=1), last)
            n = np.maximum(np.ceil(short / q_pad[rows, k] - 1e-9), 1.0)
            return k, n

        most = need.max(axis=1)
        first = np.where(need > 1e-9, np.arange(T)[None, :], T - 1).min(axis=1)
        k, n = cheapest(most)
        one = np.where(most > 1e-9, n * a_pad[rows, k] * self.tail[first], 0.0)
        laid, grown = np.zeros(E), np.zeros(E)
        for t in range(T):
            short = need[:, t] - laid
            on = short > 1e-9
            k, n = cheapest(np.where(on, short, 0.0))
            grown += np.where(on, n * a_pad[rows, k] * self.tail[t], 0.0)
            laid += np.where(on, n * q_pad[rows, k], 0.0)
        out = np.minimum(one, grown) + (pick(self.per_t) * carried).sum(axis=1)
        out[(n_opts == 0) & (most > 1e-9)] = np.inf
        return out

    def cost(self, e: int, flow: np.ndarray) -> float:
        """MUSD for corridor ``e`` carrying ``flow`` (T,) Mt/yr (either way)."""
        return self.plan(e, flow)[0]

    def costs(self, es: np.ndarray, flows: np.ndarray) -> np.ndarray:
        """(m,) MUSD for corridors ``es`` carrying ``flows`` (m, T): :meth:`cost` for many."""
        carried = np.abs(flows)
        need = self._need(es, carried)
        out = np.array([self._pipes(e, row)[0] for e, row in zip(es.tolist(), need)])
        return out.reshape(len(es)) + (self.per_t[es] * carried).sum(axis=1)

    def plan(self, e: int, flow: np.ndarray) -> tuple[float, tuple]:
        """(cost, pipes added: ((period, option, count), ...)) for ``flow`` on ``e``."""
        carried = np.abs(flow)
        pipes_musd, added = self._pipes(e, self._need(np.array([e]), carried[None, :])[0])
        return pipes_musd + float(self.per_t[e] @ carried), added

    def _need(self, es: np.ndarray, carried: np.ndarray) -> np.ndarray:
        """(m, T) the capacity beyond the existing that pipes must give, rounded (the key
        of the cache)."""
        return np.round(np.maximum(carried - self.existing[es][:, None] - EPS, 0.0), 6)

    def _pipes(self, e: int, need: np.ndarray) -> tuple[float, tuple]:
        key = (e, need.tobytes())
        out = self._cache.get(key)
        if out is None:
            out = self._cache[key] = self._cheapest(e, need)
        return out

    def _cheapest(self, e: int, need: np.ndarray) -> tuple[float, tuple]:
        opts, q, a = self._py[e]
        tail = self._tail
        # capacity → (cost, the additions that reach it: (earlier ones, period, pipes))
        states = {0.0: (0.0, ())}
        for t, need_t in enumerate(need.tolist()):
            new: dict = {}
            for c, (cost, added) in states.items():
                if c >= need_t - 1e-9:
                    if c not in new or cost < new[c][0]:
                        new[c] = (cost, added)
                    continue
                for dq, da, adds in _additions(need_t - c, q, a):
                    c2, cost2 = c + dq, cost + da * tail[t]
                    if c2 not in new or cost2 < new[c2][0]:
                        new[c2] = (cost2, (added, t, adds))
            states, best = {}, np.inf
            for c in sorted(new, reverse=True):         # more capacity for less: kept
                if new[c][0] < best - 1e-12:
                    states[c], best = new[c], new[c][0]
        if not states:
            return np.inf, ()
        cost, chain = min(states.values(), key=lambda s: s[0])
        added = []                          # the pipes of the chain of additions, in order
        while chain:
            chain, t, adds = chain
            added[:0] = [(t, opts[k], n) for k, n in adds]
        return cost, tuple(added)


def _additions(short: float, q: list[float], a: list[float]):
    """Ways to add at least ``short`` Mt/yr: n pipes of one class, or n − 1 of it and one
    of a smaller class, n ≤ :data:`MAX_ADDED` (any n for the largest class); (capacity,
    annual cost, ((class, count), ...))."""
    last = len(q) - 1
    for k in range(len(q)):
        n = max(math.ceil(short / q[k] - 1e-9), 1)
        if n > MAX_ADDED and k < last:
            continue
        yield n * q[k], n * a[k], ((k, n),)
        if n >= 2:
            rest_q, rest_a = (n - 1) * q[k], (n - 1) * a[k]
            for j in range(k):
                if rest_q + q[j] >= short - 1e-9:
                    yield rest_q + q[j], rest_a + a[j], ((k, n - 1), (j, 1))


def decompose(inst: Instance, net: np.ndarray, supply: np.ndarray
              ) -> list[tuple[int, int, int, float, list[tuple[int, int]]]]:
    """Paths of the signed corridor flows ``net`` (E, T) from the nodes with ``supply``
    (N, T) > 0 to those with supply < 0, period by period: (from node, to node, period,
    Mt/yr, [(corridor, +1 from→to / −1 to→from), ...]). Cycles are cancelled."""
    frm, to = inst.cor_from, inst.cor_to
    out = []
    for t in range(net.shape[1]):
        f, s = net[:, t].copy(), supply[:, t].copy()
        for _ in range(10 * len(s) + len(f)):
            heads = np.flatnonzero(s > EPS)
            if not len(heads):
                break
            a = int(heads[0])
            node, path, seen = a, [], {a: 0}
            while s[node] >= -EPS or node == a:
                leaving = np.flatnonzero(((frm == node) & (f > EPS)) | ((to == node) & (f < -EPS)))
                if not len(leaving):
                    break
                e = int(leaving[np.argmax(np.abs(f[leaving]))])
                sign = 1 if frm[e] == node and f[e] > 0 else -1
                path.append((e, sign))
                node = int(to[e] if sign == 1 else frm[e])
                if node in seen:                        # a cycle: cancel it
                    cyc = path[seen[node]:]
                    m = min(abs(f[c]) for c, _ in cyc)
                    for c, sg in cyc:
                        f[c] -= sg * m
                    path = path[:seen[node]]
                    seen = {k: v for k, v in seen.items() if v <= seen[node]}
                    continue
                seen[node] = len(path)
                if s[node] < -EPS:
                    break
            if s[node] >= -EPS or not path:
                s[a] = 0.0                              # flow that goes nowhere: left as is
                continue
            amount = min([s[a], -s[node]] + [abs(f[e]) for e, _ in path])
            for e, sg in path:
                f[e] -= sg * amount
            s[a] -= amount
            s[node] += amount
            out.append((a, node, t, float(amount), path))
    return out


def reroute(inst: Instance, form: Formulation, x: np.ndarray, seconds: float,
            stop: threading.Event | None = None) -> np.ndarray | None:
    """``x`` with its pipeline flows re-routed path by path (module docstring) and its
    pipes the cheapest for the new flows, or ``None`` when no cheaper design was found
    in ``seconds`` (or re-routing does not apply)."""
    if not applies(inst, form):
        return None
    t0 = time.perf_counter()
    search = _Search(inst, form, x)
    out_of_time = lambda: time.perf_counter() - t0 > seconds or \
        (stop is not None and stop.is_set())  # noqa: E731
    # sweeps guided by the estimated costs until one gains nothing, then by the exact
    # ones; then corridors closed one at a time
    for exact in (False, True):
        while not out_of_time() and search.sweep(exact, out_of_time):
            pass
    while not out_of_time() and search.close_each(out_of_time):
        pass
    if search.cost() >= search.start - 1e-6 * max(search.start, 1.0):
        return None
    return _with_flows(inst, form, x, search.cur, search.costs)


class _Search:
    """A plan's flows split into paths, and the moves of :func:`reroute`. Each pair of
    end nodes' flow is kept sparse: the corridors it uses and its signed Mt/yr on each
    in each period."""

    def __init__(self, inst: Instance, form: Formulation, x: np.ndarray):
        b = form.lp.blocks
        E, T, N = len(inst.cor_from), inst.n_periods, len(inst.node_ids)
        self.frm, self.to, self.N = inst.cor_from, inst.cor_to, N
        fl = form.flows(x)
        supply = np.zeros((N, T))
        np.add.at(supply, inst.src_node, x[b["capture"]])
        np.add.at(supply, inst.snk_node, -x[b["injection"]])
        self.room = _room(inst, form, x)
        self.arcs = _Arcs(self.frm, self.to, N)
        # each pair of end nodes' flow: (corridors, (m, T) Mt/yr), and its Mt/yr (T,);
        # paths over ship, truck or rail corridors stay as they are
        dense: dict[tuple[int, int], np.ndarray] = {}
        self.amounts: dict[tuple[int, int], np.ndarray] = {}
        self.cur = np.zeros((E, T))
        for a, z, t, amount, path in decompose(inst, fl[0] - fl[1], supply):
            for e, sg in path:
                self.cur[e, t] += sg * amount
            if any(inst.cor_leased[e] for e, _ in path):
                continue
            if (a, z) not in dense:
                dense[(a, z)], self.amounts[(a, z)] = {}, np.zeros(T)
            self.amounts[(a, z)][t] += amount
            for e, sg in path:
                dense[(a, z)].setdefault(e, np.zeros(T))[t] += sg * amount
        self.flows = {k: (np.array(list(v), dtype=int), np.array(list(v.values())).reshape(-1, T))
                      for k, v in dense.items()}
        self.costs = CorridorCosts(inst)
        self.corridor_cost = np.array([self.costs.cost(e, self.cur[e])
                                       if np.abs(self.cur[e]).max() > EPS else 0.0
                                       for e in range(E)])
        self.estimated = self.costs.estimate(self.cur)   # kept up to date with cur
        self.start = self.cost()
        self.order = sorted(self.flows, key=lambda k: -self.amounts[k].sum())
        # each flow's estimated cost on every corridor alone, the most recently used kept
        # (within ALONE_CACHE_FLOATS numbers in all)
        self._alone_cache: OrderedDict = OrderedDict()
        self._alone_most = max(int(ALONE_CACHE_FLOATS // max(E, 1)), 1)
        self._undo: dict | None = None

    def cost(self) -> float:
        return float(self.corridor_cost.sum())

    def _alone(self, key) -> np.ndarray:
        """(E,) the estimated cost of each corridor carrying flow ``key`` alone."""
        out = self._alone_cache.get(key)
        if out is None:
            d = self.amounts[key]
            out = self.costs.estimate(np.broadcast_to(d, (len(self.frm), len(d))))
            self._alone_cache[key] = out
            if len(self._alone_cache) > self._alone_most:
                self._alone_cache.popitem(last=False)
        else:
            self._alone_cache.move_to_end(key)
        return out

    def sweep(self, exact: bool, out_of_time) -> bool:
        """Move each flow, largest first, onto its cheapest path where the design then
        costs less; True if any moved."""
        moved = False
        for key in self.order:
            if out_of_time():
                break
            moved |= self._move(key, exact)
        return moved

    def _move(self, key, exact: bool, force: bool = False) -> bool:
        """Flow ``key`` onto its cheapest path, if the design then costs less (or, with
        ``force``, whatever it costs: its path is closed); True if it moved."""
        d = self.amounts[key]
        idx, val = self.flows[key]
        base = self.cur.copy()
        base[idx] -= val
        base_cost, base_estimate = self.corridor_cost.copy(), self.estimated.copy()
        base_cost[idx] = self.costs.costs(idx, base[idx])
        base_estimate[idx] = self.costs.estimate(base[idx], idx)
        path = _cheapest_path(self.costs, self.arcs, base, base_cost, base_estimate, d,
                              self._alone(key), self.room, *key, exact)
        if path is None:
            return False
        new_idx = np.array([e for e, _ in path], dtype=int)
        new_val = np.array([sg for _, sg in path], float)[:, None] * d[None, :]
        touched = np.union1d(idx, new_idx)
        after_flow = base[touched].copy()
        after_flow[np.searchsorted(touched, new_idx)] += new_val
        after = self.costs.costs(touched, after_flow)
        if not force and \
                after.sum() >= self.corridor_cost[touched].sum() - 1e-6 * max(self.start, 1.0):
            return False
        if self._undo is not None and key not in self._undo:
            self._undo[key] = self.flows[key]
        self.flows[key] = (new_idx, new_val)
        base[touched] = after_flow
        self.cur = base
        self.corridor_cost[touched] = after
        self.estimated[touched] = self.costs.estimate(after_flow, touched)
        return True

    def close_each(self, out_of_time) -> bool:
        """For each corridor in use, dearest per Mt/yr it carries first: its flows moved
        off it, then the flows through the nodes they now pass swept; kept where the
        design then costs less (a way out of the
        designs no single move improves, where two flows on pipes of their own would
        share one if both moved). True if any was kept."""
        used = np.flatnonzero(np.abs(self.cur).max(axis=1) > EPS)
        used = used[self.room[:, used].max(axis=(0, 2)) > 0]      # not ship, truck or rail
        per_mtpa = self.corridor_cost[used] / np.maximum(np.abs(self.cur[used]).max(axis=1), EPS)
        kept = False
        for e in used[np.argsort(-per_mtpa)]:
            if out_of_time():
                break
            on = [k for k in self.order if e in self.flows[k][0]]
            if not on:
                continue
            before, cur, corridor_cost = self.cost(), self.cur.copy(), self.corridor_cost.copy()
            estimated = self.estimated.copy()
            self._undo, room = {}, self.room[:, e].copy()
            self.room[:, e] = 0.0
            forced = all(self._move(k, False, force=True) for k in on)
            self.room[:, e] = room
            if forced:
                # the flows through the nodes the moved ones now pass may gain by
                # joining them: swept (the others' paths cost what they did)
                near = np.zeros(self.N, dtype=bool)
                for k in on:
                    idx = self.flows[k][0]
                    near[self.frm[idx]] = near[self.to[idx]] = True
                for k in self.order:
                    if out_of_time():
                        break
                    idx = self.flows[k][0]
                    if (near[self.frm[idx]] | near[self.to[idx]]).any():
                        self._move(k, False)
            if forced and self.cost() < before - 1e-6 * max(self.start, 1.0):
                kept = True
            else:
                self.flows.update(self._undo)
                self.cur, self.corridor_cost, self.estimated = cur, corridor_cost, estimated
            self._undo = None
        return kept


def _room(inst: Instance, form: Formulation, x: np.ndarray) -> np.ndarray:
    """(2, E, T) what each corridor may carry each way in each period: its flow bound,
    nothing into a closed sink or out of a source not equipped (sites that are not hubs:
    the rows of :func:`.formulation.define_terminal_links`), nothing on ship, truck or
    rail corridors (their flows are not moved)."""
    N, T = len(inst.node_ids), inst.n_periods
    room = inst.corridor_flow_bound_mtpa.copy()
    frm, to = inst.cor_from, inst.cor_to
    for d, (tail, head) in enumerate(((frm, to), (to, frm))):
        for nodes, on, hub, at in ((inst.snk_node, "sink_open", inst.snk_hub, head),
                                   (inst.src_node, "capture_on", inst.src_hub, tail)):
            shut = np.zeros((N, T), dtype=bool)
            shut[nodes[~hub]] |= np.round(x[form.lp.blocks[on]][~hub]) < 0.5
            room[d][shut[at]] = 0.0
    room[:, inst.cor_leased] = 0.0
    return room


class _Arcs:
    """The corridors as arcs both ways (arc i: corridor i mod E, from→to for i < E), and
    the graph of node pairs they join, in the order of a CSR matrix: parallel corridors
    join one pair, which costs what the cheapest of them does."""

    def __init__(self, frm: np.ndarray, to: np.ndarray, N: int):
        self.E, self.N = len(frm), N
        key = np.concatenate([frm, to]).astype(np.int64) * N + np.concatenate([to, frm])
        self.order = np.argsort(key, kind="stable")
        sorted_key = key[self.order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        self.pairs = sorted_key[starts]                      # tail·N + head, ascending
        self.starts, self.ends = starts, np.r_[starts[1:], len(key)]  # each pair's arcs
        indices = (self.pairs % N).astype(np.int32)
        indptr = np.searchsorted(self.pairs // N, np.arange(N + 1)).astype(np.int32)
        # the graph, built once: each path sets its weights (data) in place
        self.graph = sp.csr_matrix((np.ones(len(self.pairs)), indices, indptr), shape=(N, N))

    def path(self, weight: np.ndarray, a: int, z: int) -> list[tuple[int, int]] | None:
        """The cheapest path from node ``a`` to ``z`` over the arcs' ``weight`` (2E,;
        inf where an arc may not be used): [(corridor, +1 from→to / −1 to→from)] or None."""
        w = weight[self.order]
        self.graph.data[:] = np.minimum.reduceat(w, self.starts)
        dist, pred = dijkstra(self.graph, indices=a, return_predecessors=True)
        if not np.isfinite(dist[z]):
            return None
        path, node = [], z
        while node != a:
            p = int(pred[node])
            pair = int(np.searchsorted(self.pairs, p * self.N + node))
            lo, hi = self.starts[pair], self.ends[pair]
            i = int(self.order[lo + int(np.argmin(w[lo:hi]))])  # the first of the cheapest
            path.append((i % self.E, 1 if i < self.E else -1))
            node = p
        return path[::-1]


def _cheapest_path(costs: CorridorCosts, arcs: _Arcs, base: np.ndarray, base_cost: np.ndarray,
                   before: np.ndarray, d: np.ndarray, alone: np.ndarray, room: np.ndarray,
                   a: int, z: int, exact: bool):
    """The path from node ``a`` to ``z`` on which sending ``d`` (T,) adds least to the
    corridors' costs over ``base`` (E, T, costing ``base_cost``, estimated ``before``),
    within ``room``; [(corridor, sign)] or None. Each corridor's cost is estimated
    (:meth:`CorridorCosts.estimate`; ``alone`` (E,): for ``d`` alone, which is what a
    corridor that carries nothing costs either way), or with ``exact`` worked out for the
    corridors in use (slower: a search per corridor)."""
    E = arcs.E
    weight = np.full((2, E), np.inf)
    carrying = base.any(axis=1)
    busy, idle = np.flatnonzero(carrying), np.flatnonzero(~carrying)
    in_use = (np.abs(base[busy]).max(axis=1) > EPS) & exact   # priced exactly, of busy
    added_alone = alone[idle] - before[idle]
    for sg, side in ((1, 0), (-1, 1)):
        after = base[busy] + sg * d[None, :]
        fits = np.all(np.where(after > 0, after <= room[0][busy] + EPS,
                               -after <= room[1][busy] + EPS), axis=1)
        est, ex = fits & ~in_use, fits & in_use
        weight[side, busy[est]] = costs.estimate(after[est], busy[est]) - before[busy[est]]
        weight[side, busy[ex]] = costs.costs(busy[ex], after[ex]) - base_cost[busy[ex]]
        fits_idle = np.all(room[side] + EPS >= d[None, :], axis=1)[idle]  # d ≥ 0
        weight[side, idle[fits_idle]] = added_alone[fits_idle]
    return arcs.path(np.where(np.isfinite(weight), np.maximum(weight, 1e-9), np.inf).ravel(),
                     a, z)


def _with_flows(inst: Instance, form: Formulation, x: np.ndarray, net: np.ndarray,
                costs: CorridorCosts) -> np.ndarray | None:
    """``x`` with corridor flows ``net`` (E, T, signed) and each pipeline corridor's
    cheapest pipes for them (:meth:`CorridorCosts.plan`); None if that breaks a row."""
    b = form.lp.blocks
    out = x.copy()
    pipeline = ~inst.cor_leased
    out[b["flow_fwd"][pipeline]] = np.maximum(net[pipeline], 0.0)
    out[b["flow_rev"][pipeline]] = np.maximum(-net[pipeline], 0.0)
    pipes = np.zeros(b["pipes"].shape)
    for e in np.flatnonzero(~inst.cor_leased):
        if np.abs(net[e]).max() <= EPS:
            continue
        _, added = costs.plan(e, net[e])
        for t, o, n in added:
            pipes[o, t:] += n
    out[b["pipes"]] = pipes
    # the solver's plans keep their rows to its own tolerance only: checked as another
    # solver's plan is
    return None if violations(form.lp, out, most=1) else out
