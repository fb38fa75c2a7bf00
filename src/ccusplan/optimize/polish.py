"""Polish: a plan's transport design optimised on its own, with its sites fixed.

Capture dominates a build-out's cost (95 % of the Shandong case's NPV), so a MILP
stopped at a 1 % gap on the total leaves the transport design, a few per cent of it,
almost unoptimised: pipes several sizes too large, pipes that never carry CO2. Polish
takes the plan's site decisions (which sources capture how much, which sinks inject how
much, in every period: the columns of the capture and storage blocks) as fixed and

1. removes the pipes of every corridor that carries nothing in any period (always
   feasible: such pipes only cost);
2. re-sizes every corridor: with the plan's flows fixed too, the cheapest pipes, never
   decreasing over the periods, that carry them (corridor by corridor, a small problem
   each: a fraction of a second for the Shandong case);
3. re-routes the flows path by path (:mod:`.rerouting`, in up to
   :data:`REROUTE_SHARE` of the time) and re-sizes the result;
4. solves the remaining problem, a fixed-charge network design with given supplies and
   demands, each source's flow followed near it (:mod:`.source_flows`; on small
   models): first its LP relaxation with the rounded cut-set inequalities of small node
   sets added round by round (:mod:`.cut_sets`; by HiGHS, whichever solver the MILP
   has), a bound where the MILP would not end its root in time, then the MILP with the
   inequalities binding at the last round, to a gap measured on the transport cost
   alone (it may re-route further; the plan is kept unless it finds a cheaper one).

The outcome certifies the transport design for the chosen sites: its cost against the
bound proven for that problem (:attr:`Polished.transport_gap`), or against the MILP's
own bound less the sites' cost where that is higher (every plan costs at least the
MILP's bound); when the latter already proves the transport gap asked for, steps 3 and
4 are skipped. Everything the MILP's sites leave open for transport is searched; the sites
themselves are not.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np

from ccusplan.optimize.cut_sets import add_cuts, crossings, cut_set_bound
from ccusplan.optimize.formulation import Formulation, build
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.lp import restrict
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import PulpModel, solve_model, to_pulp
from ccusplan.optimize.result import SolveResult
from ccusplan.optimize.rerouting import applies, reroute
from ccusplan.optimize.source_flows import SourceFlows

#: The gap on the transport cost that polishing aims for.
TRANSPORT_GAP = 1e-3
#: The share of polishing's time that re-routing path by path may take before the MILP.
REROUTE_SHARE = 0.5
#: Beside branch and bound, re-routing one plan takes at most this long, leaving the
#: rest to the region search (a synthetic network of 1,000 sources: sweeps 18 s, then
#: corridors closed one at a time, finding more for as long as they are given).
REROUTE_STEP_S = 300.0
#: Re-sizing solves groups of corridors with about this many pipe columns in all: on a
#: synthetic network with 2,000 sources, one MILP over all the corridors a plan used was
#: still 3 % from its bound after its 12 s, and HiGHS ended it 37 s late
#: (benchmarks/README.md, "The LP relaxation and re-sizing at scale").
RESIZE_GROUP_COLUMNS = 500
#: The model of step 4 follows each source's own flow this many corridors from it
#: (:mod:`.source_flows`), SOURCE_FLOW_HOPS_WIDE on models of
#: :data:`SOURCE_FLOW_WIDE_COLUMNS` columns or more. The Shandong plan's sites: LP
#: relaxation's transport 71.3 MUSD without, 92.4 with one hop, 124.1 with two (0.3 s),
#: 126.2 with three; with the rounded cut-sets (:mod:`.cut_sets`) 144.0 without, 145.8
#: with two hops. The reduced China case's plan: 1,081.4 without (13 s), 1,110.2 with one
#: hop (17 s); with rounds of up to 1,000 cut-sets 1,610.1 without (3 rounds, 116 s),
#: 1,414.7 with one hop (2 rounds, 106 s): on large networks the sources' flows slow every
#: round for less than the cut-sets give (benchmarks/README.md, "Cut-sets, rounded").
SOURCE_FLOW_HOPS = 2
SOURCE_FLOW_HOPS_WIDE = 0
SOURCE_FLOW_WIDE_COLUMNS = 50_000


@dataclass(frozen=True)
class Polished:
    """A plan after polishing, with the certificate of its transport design."""

    x: np.ndarray                 # the polished plan's column values
    objective: float              # its total cost (the MILP's objective, MUSD)
    transport_before_musd: float  # the MILP plan's transport cost
    transport_musd: float         # the polished plan's (MUSD; NPV, or per year as the case)
    transport_bound_musd: float | None  # proven bound on transport for the chosen sites
    seconds: float

    @property
    def transport_gap(self) -> float | None:
        """(transport − bound) / transport: how far the transport design can be from the
        best one for the plan's sites, at most."""
        if self.transport_bound_musd is None:
            return None
        return max(self.transport_musd - self.transport_bound_musd, 0.0) / \
            max(abs(self.transport_musd), 1e-9)


def pipe_columns(inst: Instance, form: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """Every pipes and sized capacity column, and the corridor of each."""
    cols, cor = [], []
    for nb, qb in form.pipe_blocks:
        for block, opts in ((form.lp.blocks[nb], np.arange(len(inst.opt_corridor))),
                            (form.lp.blocks[qb], form.sized)):
            cols.append(block.ravel())
            cor.append(np.repeat(inst.opt_corridor[opts], block.shape[1]))
    return np.concatenate(cols).astype(int), np.concatenate(cor).astype(int)


def idle_corridors(form: Formulation, x: np.ndarray) -> np.ndarray:
    """(E,) True for the corridors that carry nothing in any period in ``x``."""
    return np.abs(form.flows(x)).max(axis=(0, 2)) <= 1e-9


def cancel_opposite_flows(form: Formulation, x: np.ndarray) -> np.ndarray:
    """``x`` with no corridor carrying CO2 both ways in one period: both directions less
    the smaller of the two. Node balances keep their net flows, and every other row
    involving flows bounds them from above; the LP relaxation rounded up can leave such
    pairs, which then hold pipes for flows that cancel (the reduced China case: 28.22
    Mt/yr one way and 34.24 the other over one corridor in 2040, a 48" pipe for a net
    6.02). Kept where it would cost more (a negative cost per tonne) or break a row."""
    b = form.lp.blocks
    fwd, rev = b["flow_fwd"].ravel(), b["flow_rev"].ravel()
    arr = form.lp.arrays()
    both = np.minimum(x[fwd], x[rev])
    both[arr["c"][fwd] + arr["c"][rev] < 0] = 0.0
    if not (both > 1e-9).any():
        return x
    out = x.copy()
    out[fwd] -= both
    out[rev] -= both
    rows = arr["A"] @ out
    ok = bool(np.all(rows >= arr["row_lo"] - 1e-6) and np.all(rows <= arr["row_hi"] + 1e-6))
    return out if ok else x


def drop_idle_pipes(inst: Instance, form: Formulation, x: np.ndarray) -> np.ndarray:
    """``x`` with no flows that cancel (:func:`cancel_opposite_flows`) and no pipes (and no
    sized capacity) on corridors that carry nothing in any period. Such pipes only add
    cost and no row needs them: capacity rows bound a zero flow, sized capacity and
    minimum size rows hold at zero, counts only fall. Leased transport and ports are
    trimmed too (:func:`trim_leased_and_ports`)."""
    cols, cor = pipe_columns(inst, form)
    out = cancel_opposite_flows(form, x).copy()
    out[cols[idle_corridors(form, out)[cor]]] = 0.0
    return trim_leased_and_ports(inst, form, out)


def trim_leased_and_ports(inst: Instance, form: Formulation, x: np.ndarray) -> np.ndarray:
    """``x`` with ship, truck and rail corridors in use only in the periods they carry
    something, and each port's terminal no larger than the most it has loaded so far
    (open from its first load): the least that keeps every row, as leased use may fall
    and terminals never decrease."""
    b = form.lp.blocks
    out = x.copy()
    fwd, rev = form.flows(x)
    on = np.flatnonzero(inst.cor_leased & (inst.cor_fixed_musd_per_yr > 0))
    if len(on):
        out[b["leased_on"]] = ((fwd[on] + rev[on]) > 1e-9).astype(float)
    if len(inst.port_node):
        need = np.maximum.accumulate(inst.port_loaded_mtpa(fwd, rev), axis=1)
        out[b["port_capacity"]] = need
        out[b["port_open"]] = (need > 1e-9).astype(float)
    return out


def with_fixed_flows(form: Formulation, x: np.ndarray) -> PulpModel:
    """A model of ``form`` whose corridor flows, each way and in each period, are those of
    ``x``: what is left is choosing each corridor's pipes, corridor by corridor."""
    lp = form.lp.copy()
    fm = form.flow_map.tocoo()
    f = form.flow_map @ x
    keep = np.flatnonzero(np.diff(form.flow_map.indptr) > 0)
    local = np.full(fm.shape[0], -1)
    local[keep] = np.arange(len(keep))
    lp.add_rows("fixed_flow", len(keep), [(local[fm.row], fm.col, 1.0)],
                lo=f[keep] - 1e-9, hi=f[keep] + 1e-9)
    return to_pulp(lp)


def resize(inst: Instance, form: Formulation, x: np.ndarray,
           opts: SolveOptions) -> tuple[np.ndarray, float]:
    """``x`` with the cheapest pipes, corridor by corridor, that carry its flows, and the
    seconds it took. With the flows fixed, corridors do not interact: corridors that
    carry nothing keep no pipes, and the others are re-sized in groups of at most
    :data:`RESIZE_GROUP_COLUMNS` pipe columns, each a small MILP over its own columns
    with everything else held (:func:`.lp.restrict`); the groups' optima make the
    whole's, all within ``opts.time_limit_s``. Any feasible plan stays feasible and its
    sites unchanged."""
    time_limit_s = opts.time_limit_s or 0.0
    c = form.lp.arrays()["c"]
    out = drop_idle_pipes(inst, form, x)
    fixed_flows = with_fixed_flows(form, out).lp
    cols, cor = pipe_columns(inst, form)
    used = ~idle_corridors(form, out)
    # each used corridor's group: whole corridors, RESIZE_GROUP_COLUMNS columns or so
    group = np.full(len(used), -1)
    group[used] = np.cumsum(np.bincount(cor, minlength=len(used))[used]) \
        // RESIZE_GROUP_COLUMNS
    A = fixed_flows.arrays()["A"]
    activity, A_csc = A @ out, A.tocsc()
    t0 = time.perf_counter()
    groups = np.unique(group[used])
    for k, g in enumerate(groups):
        free = cols[group[cor] == g]
        sub = restrict(fixed_flows, free, out, activity, A_csc)
        left = max(time_limit_s - (time.perf_counter() - t0), 0.1) / (len(groups) - k)
        # no start: HiGHS 1.16 given one here may call it optimal when presolve
        # leaves a few columns (its objective in the reduced space taken as 0),
        # where without it the same group solves to half the cost
        r = solve_model(to_pulp(sub), opts.but(time_limit_s=left, mip_gap=1e-9, start=None,
                                               phase="re-size"))
        if r.x is not None and r.objective < float(c[free] @ out[free]) - 1e-9:
            activity += A_csc[:, free] @ (r.x - out[free])
            out[free] = r.x
    return out, time.perf_counter() - t0


class Resizer:
    """An :class:`.deadline.Improver` that re-sizes each new plan (:func:`resize`)."""

    def __init__(self, inst: Instance, form: Formulation, opts: SolveOptions,
                 resized: np.ndarray | None = None):
        self.inst, self.form, self.opts = inst, form, opts
        self.c = form.lp.arrays()["c"]
        # the cost of the last plan re-sized (or of what it became); ``resized``: a plan
        # re-sized already, e.g. the start
        self.done = np.inf if resized is None else float(self.c @ resized)

    def idle(self, x: np.ndarray) -> bool:
        return float(self.c @ x) >= self.done - 1e-9

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        out, _ = resize(self.inst, self.form, x, self.opts.but(time_limit_s=seconds, stop=stop))
        self.done = min(float(self.c @ x), float(self.c @ out))
        return out if float(self.c @ out) < float(self.c @ x) - 1e-9 else None


class Rerouter:
    """An :class:`.deadline.Improver`: each new plan (cheaper than the last one re-routed)
    re-routed path by path (:func:`.rerouting.reroute`) and re-sized, then ``then``'s steps."""

    def __init__(self, inst: Instance, form: Formulation, opts: SolveOptions, then):
        self.inst, self.form, self.opts, self.then = inst, form, opts, then
        self.c = form.lp.arrays()["c"]
        self.done = np.inf if applies(inst, form) else -np.inf  # the last plan re-routed

    def idle(self, x: np.ndarray) -> bool:
        return float(self.c @ x) >= self.done - 1e-9 and self.then.idle(x)

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        cost = float(self.c @ x)
        if cost >= self.done - 1e-9:
            return self.then.step(x, seconds, stop)
        t0 = time.perf_counter()
        out = reroute(self.inst, self.form, x, min(seconds, REROUTE_STEP_S), stop)
        if out is not None:
            left = max(seconds - (time.perf_counter() - t0), 0.1)
            out = resize(self.inst, self.form, out, self.opts.but(time_limit_s=left, stop=stop))[0]
        better = out is not None and float(self.c @ out) < cost - 1e-9
        self.done = float(self.c @ out) if better else cost
        return out if better else None


def supply(inst: Instance, form: Formulation, x: np.ndarray) -> np.ndarray:
    """(N, T) each node's net supply in ``x``: what its sources capture less what its
    sinks inject (Mt/yr)."""
    out = np.zeros((len(inst.node_ids), inst.n_periods))
    np.add.at(out, inst.src_node, x[form.lp.blocks["capture"]])
    np.add.at(out, inst.snk_node, -x[form.lp.blocks["injection"]])
    return out


def followed(inst: Instance, form: Formulation, x: np.ndarray, hops: int) -> Formulation:
    """``form``'s model with each source's flow followed ``hops`` corridors from it, for
    what ``x`` captures (:mod:`.source_flows`): the model of step 4. Its first columns
    are ``form``'s."""
    return build(inst, directed=len(form.pipe_blocks) == 2,
                 source_flows=SourceFlows(hops, x[form.lp.blocks["capture"]]))


class _Followed:
    """An :class:`.deadline.Improver` of plans of ``ext`` (``form`` with each source's flow
    followed, :mod:`.source_flows`) that improves their first ``n`` columns with
    ``inner`` and follows each source's flow in the result again (an LP over those
    columns alone, every other held)."""

    def __init__(self, inner, ext: Formulation, n: int):
        self.inner, self.ext, self.n = inner, ext, n
        self.A = ext.lp.arrays()["A"]
        self.A_csc = self.A.tocsc()

    def idle(self, x: np.ndarray) -> bool:
        return self.inner.idle(x[:self.n])

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        t0 = time.perf_counter()
        out = self.inner.step(x[:self.n], seconds, stop)
        if out is None:
            return None
        full = np.r_[out, x[self.n:]]
        free = np.arange(self.n, len(full))
        sub = restrict(self.ext.lp, free, full, self.A @ full, self.A_csc)
        left = max(seconds - (time.perf_counter() - t0), 0.1)
        r = solve_model(to_pulp(sub), self.inner.opts.but(time_limit_s=left, stop=stop, start=None,
                                                          phase="re-size"), relax=True)
        if r.x is None or r.status != "optimal":
            return None
        full[free] = r.x
        return full


def polish(inst: Instance, form: Formulation, start: SolveResult,
           opts: SolveOptions, resize_s: float | None = None,
           transport_gap: float = TRANSPORT_GAP) -> Polished:
    """Polish ``start``'s plan (see the module docstring) within ``opts.time_limit_s``.

    Re-sizing may take ``resize_s`` (default ``time_limit_s``) even when more than is
    left: it is what turns an MILP plan stopped early into one a planner can read, and
    takes a fraction of a second on the Shandong case. Re-routing gets what is left of
    ``time_limit_s`` less the time re-sizing took (kept back for re-sizing the re-routed
    plan), and is skipped when nothing is."""
    time_limit_s = opts.time_limit_s or 0.0
    arr = form.lp.arrays()
    c = arr["c"]
    sites = form.site_columns()
    x0 = drop_idle_pipes(inst, form, start.x)
    fixed = np.where(arr["integer"][sites], np.round(x0[sites]), x0[sites])
    x0[sites] = fixed
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    lo[sites] = hi[sites] = fixed
    site_cost = float(c[sites] @ fixed)
    transport0 = float(c @ x0) - site_cost
    before = float(c @ start.x) - float(c[sites] @ start.x[sites])
    resize_s = time_limit_s if resize_s is None else max(resize_s, time_limit_s)
    if transport0 <= 1e-9 or resize_s <= 0:
        return Polished(x0, float(c @ x0), before, max(transport0, 0.0), None, 0.0)

    x0, seconds = resize(inst, form, x0, opts.but(time_limit_s=resize_s))
    first_resize_s = seconds
    # every plan costs at least the MILP's bound, so with these sites transport costs at
    # least the bound less their cost: steps 3 and 4 are skipped when that already proves it
    floor = None if start.best_bound is None else start.best_bound - site_cost
    if bool((inst.cor_var_usd_per_t >= 0).all()):  # no transport cost is negative: nor
        floor = max(floor or 0.0, 0.0)             # is their sum
    proven = lambda transport: floor is not None and \
        transport - floor <= transport_gap * transport  # noqa: E731
    transport0 = float(c @ x0) - site_cost
    if proven(transport0):
        return Polished(x0, float(c @ x0), before, transport0, floor, seconds)
    # flows moved path by path: what the MILP below seldom finds (module docstring)
    t_reroute = time.perf_counter()
    rerouted = reroute(inst, form, x0, REROUTE_SHARE * max(time_limit_s - 2 * seconds, 0.0))
    if rerouted is not None:
        rerouted, _ = resize(inst, form, rerouted, opts.but(time_limit_s=resize_s))
        if float(c @ rerouted) < float(c @ x0) - 1e-9:
            x0 = rerouted
    seconds += time.perf_counter() - t_reroute
    transport0 = float(c @ x0) - site_cost
    if proven(transport0):
        return Polished(x0, float(c @ x0), before, transport0, floor, seconds)
    # a re-route stopped by its limit is re-sized again, in about the time the first
    # re-sizing took: that time is kept back (the whole China network at 120 s: re-routing
    # 4.8 s, then re-sizing 5.8 s past the limit)
    milp_s = time_limit_s - seconds - first_resize_s
    if milp_s <= 0:
        return Polished(x0, float(c @ x0), before, transport0, floor, seconds)
    # the remaining problem (each source's own flow followed near it on small models,
    # .source_flows): its LP relaxation with the rounded cut-sets first (.cut_sets), a bound
    # by itself where the MILP does not end its root, then the MILP with the binding ones
    t_lp = time.perf_counter()
    ext = followed(inst, form, x0, SOURCE_FLOW_HOPS if len(c) < SOURCE_FLOW_WIDE_COLUMNS
                   else SOURCE_FLOW_HOPS_WIDE)
    ext_arr = ext.lp.arrays()
    ext_lo = np.r_[lo, ext_arr["col_lo"][len(c):]]
    ext_hi = np.r_[hi, ext_arr["col_hi"][len(c):]]
    relaxed = cut_set_bound(ext.lp, ext_lo, ext_hi,
                            lambda: crossings(inst, form, supply(inst, form, x0)),
                            opts.but(time_limit_s=milp_s, start=None), scale=transport0)
    add_cuts(ext.lp, relaxed.binding)  # the MILP's too
    ext_model = to_pulp(ext.lp)
    seconds += time.perf_counter() - t_lp
    if relaxed.bound is not None:
        lp_bound = relaxed.bound - site_cost
        floor = lp_bound if floor is None else max(floor, lp_bound)
    transport0 = float(c @ x0) - site_cost
    milp_s = time_limit_s - seconds - first_resize_s
    if proven(transport0) or milp_s <= 0:
        return Polished(x0, float(c @ x0), before, transport0, floor, seconds)
    # the solver's gap is relative to the whole objective: transport_gap of transport
    total = max(abs(float(c @ x0)), 1e-9)
    # started without the plan (kept below unless the MILP finds a cheaper one): given it,
    # HiGHS 1.16.0 spends the root in sub-MIPs around it and its bound stalls (the Shandong
    # plan's sites, 30 s: 117.81 MUSD with the plan, 149.03 without, for 159.92; with the
    # plan as an objective cutoff only, or no heuristics, 117.81 too)
    res = solve_model(ext_model, opts.but(time_limit_s=milp_s, start=None, phase="polish",
                                          mip_gap=transport_gap * transport0 / total,
                                          improve=_Followed(Resizer(inst, form, opts, resized=x0),
                                                            ext, len(c))),
                      col_lo=ext_lo, col_hi=ext_hi)
    if res.x is not None:
        res = replace(res, x=res.x[:len(c)])
    seconds += res.solve_seconds + res.overhead_seconds
    bounds = [b for b in (floor, None if res.best_bound is None else res.best_bound - site_cost)
              if b is not None]
    bound = max(bounds) if bounds else None
    if res.x is None or res.objective is None or res.objective > float(c @ x0) + 1e-9:
        return Polished(x0, float(c @ x0), before, transport0, bound, seconds)
    x = res.x.copy()
    x[sites] = fixed
    if res.status != "optimal":  # re-routed at the time limit: its pipes re-sized again,
        # in what is left and at least twice what the first re-sizing took (a re-route
        # that overran left none: the reduced China case at 600 s kept a 48" pipe
        # carrying 5.29 Mt/yr where one sized for it costs 28 % as much)
        more_s = max(time_limit_s - seconds, 2 * first_resize_s)
        x, more = resize(inst, form, x, opts.but(time_limit_s=more_s))
        seconds += more
    return Polished(x, float(c @ x), before, float(c @ x) - site_cost, bound, seconds)
