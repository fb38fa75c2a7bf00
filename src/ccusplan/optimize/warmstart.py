"""A feasible first plan for the MILP from its LP relaxation.

Four steps, each a plan of the full MILP, after a first plan on the network's backbone
for models of :data:`BACKBONE_COLUMNS` columns or more (:mod:`.backbone`: the LP
relaxation restricted to the cheapest sources and a sparse set of corridors, rounded up
and re-sized; on the whole China network 34,927.5 MUSD in 7.5 s, where the LP relaxation
of the whole takes 195 s). When the LP relaxation of the whole does not end in time, the
backbone's plan is the warm start's.

1. *Round up*: every integer variable of the LP relaxation rounded up, fixed, and
   the continuous variables re-optimised. Rounding up is monotone, so assets in
   service never decrease and every capacity only grows: this plan always exists
   when the LP does, and costs a fraction of a second. (A pipe the relaxation sizes
   below its class's minimum size is rounded up as the class that replaces it, which
   holds the relaxation's flow: :meth:`.Formulation.pipes_at_min_size`.)
2. *LP support*: the LP relaxation routes flow along few corridors but buys fractions of the
   largest pipes, so its bound is good and its plan is not a plan. Restricting the
   MILP to the corridors that carry flow in the LP (all pipe classes still open on
   them) and to the sources and sinks the LP uses leaves a much smaller MILP whose
   optimum is a feasible — usually near-optimal — plan of the full MILP. Handed to the
   solver as its first incumbent, it lets branch-and-bound prune from the start
   instead of searching for any plan at all (on the Shandong case: 27 s instead of
   117 s). On the whole China network (1,009 sources, 50 sinks, 3,914 corridors, six
   periods) the LP uses 51 sources, 28 sinks and 215 corridors: in 300 s the MILP so
   restricted reaches 48,438 MUSD, where restricted to the corridors alone it had
   reached 50,787 in 720 s.
3. *LP support and connections*: all sources and sinks open again, and for each one off
   the support its cheapest path to the support (by the cheapest pipe's fixed cost),
   so the restricted MILP can swap sites in and out. Started from step 2's plan
   (SoutheastUS: 21 → 38 corridors in price mode, −462.28 → −473.63, the optimum;
   50 Mt/yr: 5,179.07 → 5,142.24 against 5,140.66; benchmarks/README.md).
4. *Slope scaling*, when the best plan so far is more than :data:`SLOPE_SCALING_GAP` above
   the LP bound and time is left: LPs whose integer columns' costs are rescaled to what
   the previous LP's plan pays for them, each rounded up (:mod:`.slope_scaling`). The LP
   support fails where the relaxation spreads flows over every site it is cheapest to
   pay a fraction of: on OR-Library's capb (as a network) the restricted MILPs find no
   plan cheaper than the round-up, 106.95 M against an optimum of 55.55 M; slope
   scaling gathers the customers on fewer warehouses (59.22 M).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ccusplan.optimize.backbone import backbone, fixed_cost_graph, path_corridors
from ccusplan.optimize.deadline import Improver
from ccusplan.optimize.floor import add_floor, site_cost
from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.polish import resize
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.pulp_backend import PulpModel, solve_model, to_pulp
from ccusplan.optimize.result import gap_of
from ccusplan.optimize.slope_scaling import slope_scaled_plan

FLOW_TOL = 1e-6

#: The restricted MILP is solved to this share of the requested gap. A start well inside
#: the gap leaves the full MILP less bound to prove: on the Shandong case the restricted
#: MILP's first plan (0.83 % from its bound, 14,393 MUSD) left 35 s of root cuts to reach
#: a 1 % gap; its second (0.66 %, 14,369, 9 s later) left 15 s (benchmarks/README.md).
RESTRICTED_GAP_SHARE = 0.7
#: Slope scaling (:mod:`.slope_scaling`) follows the restricted MILPs, in the warm
#: start's time left, when their best plan is further than this from the LP bound (on
#: OR-Library's capb, 106.95 M against 51.95 M; on the Shandong case 2 %, where it
#: finds no better plan).
SLOPE_SCALING_GAP = 0.05

#: Models of this many columns or more get a first plan from the network's backbone
#: (:mod:`.backbone`) before the LP relaxation of the whole. Below it the LP relaxation
#: is quick and the restricted MILPs do better: on the Shandong case (18,318 columns) the
#: backbone's plan costs 14,493.6 MUSD and 2.6 s, where the warm start ends at 14,406.8.
BACKBONE_COLUMNS = 50_000


def _rounded_up(form: Formulation, model: PulpModel, x: np.ndarray,
                opts: SolveOptions) -> np.ndarray | None:
    arr = model.lp.arrays()
    lo, hi = arr["col_lo"].copy(), arr["col_hi"].copy()
    k = np.flatnonzero(arr["integer"])
    # a pipe the relaxation sizes below its minimum is rounded up as the option that
    # replaces it (Formulation.min_size), else its minimum would force flow the plan
    # may not have
    up = form.pipes_at_min_size(x, np.minimum(np.ceil(x - 1e-6), arr["col_hi"]))
    lo[k] = hi[k] = up[k]
    fixed = solve_model(model, opts, relax=True, col_lo=lo, col_hi=hi)
    return fixed.x


@dataclass(frozen=True)
class WarmStart:
    x: np.ndarray | None       # column values of a feasible plan, if one was found
    lp_bound: float | None     # the LP relaxation's optimum: a valid bound for the MILP
    overhead_seconds: float = 0.0  # per solve, outside the solver's clock (model hand-over)
    model: PulpModel | None = None  # the model solved last (with the floor's row, if given)
    #: column upper bounds of the restricted MILPs (steps 2 and 3) left to search beside
    #: branch and bound (:class:`SupportSearch`), empty when they ran here; and the
    #: seconds of the warm start's share left for them
    restrictions: tuple[np.ndarray, ...] = ()
    restrictions_s: float = 0.0


def lp_support_start(inst: Instance, form: Formulation, model: PulpModel, opts: SolveOptions,
                     floor: float | None = None, lp_time_limit_s: float | None = None,
                     beside: bool = False) -> WarmStart:
    """A feasible plan and the LP bound (both ``None`` when not even the LP solved in time),
    within ``opts.time_limit_s``, the restricted MILPs to a share of ``opts.mip_gap``.

    With ``beside``, the restricted MILPs are not solved here (slope scaling then follows
    the round-up, under the same condition) but returned
    (``WarmStart.restrictions``) for :class:`SupportSearch` to solve beside branch and
    bound, whose root then runs while they search: on the Shandong case the MILP reaches
    1 % in 9.7, 8.0, 9.6 s (seeds 0–2) instead of 23.0, 18.6, 18.9 s
    (benchmarks/README.md, "The restricted MILPs beside branch and bound").

    The LP relaxation may take ``lp_time_limit_s`` (default ``time_limit_s``): on large
    networks it is the plan's only way in, as branch and bound does not finish its own
    root LP either. When it ends past ``time_limit_s``, a quarter of ``time_limit_s`` is
    left for rounding it up and the restricted MILPs.

    With a site ``floor`` (:mod:`.floor`) that the LP relaxation's sites fall short of,
    ``form`` gets the floor's row (and the returned ``model`` is made anew) and the
    restricted MILPs take the union of the supports of the relaxation without and with
    it: the row lifts the bound, but the relaxation can meet it in many ways, and its
    support alone led the Shandong case to a worse first plan (14,419.9 against 14,396.4
    MUSD) where it led SoutheastUS 50 Mt/yr to a better one (5,140.8 against 5,149.5). A
    floor the relaxation already meets is left out: the row would cut nothing off and
    only make every LP of branch-and-bound denser (on the whole China network, where
    the relaxation pays more for its sites than the floor, the run with the row ended at
    5.47 % against 5.26 % without; benchmarks/README.md, "Site floor")."""
    time_limit_s = opts.time_limit_s or 0.0
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    lp = form.lp
    first = _backbone_plan(inst, form, model, opts) if lp.n_cols >= BACKBONE_COLUMNS else None
    lp_time_limit_s = max(time_limit_s, lp_time_limit_s or 0.0) - (time.perf_counter() - t0)
    relaxed = solve_model(model, opts.but(time_limit_s=max(lp_time_limit_s, 0.1)), relax=True)
    if relaxed.x is None or relaxed.status != "optimal":
        return WarmStart(first, None, relaxed.overhead_seconds, model)
    deadline = max(deadline, time.perf_counter() + 0.25 * time_limit_s)
    # what the solver may use of the time left, after handing it the model again
    left = lambda: max(deadline - time.perf_counter() - relaxed.overhead_seconds, 0.1)  # noqa: E731
    solutions, bound = [relaxed.x], relaxed.objective
    if floor is not None and site_cost(form, relaxed.x) < floor:
        add_floor(form, floor)
        model = to_pulp(lp)
        lifted = solve_model(model, opts.but(time_limit_s=left()), relax=True)
        if lifted.x is not None and lifted.status == "optimal":
            solutions.append(lifted.x)
            bound = lifted.objective
    rounded = _rounded_up(form, model, relaxed.x, opts.but(time_limit_s=left()))
    # rounded up, every pipe is oversized: the plan kept is re-sized for its flows. The
    # restricted MILPs still start from the round-up: from the re-sized one the first
    # stops at once within its gap, on a dearer plan (the Shandong case: 14,385.8 MUSD
    # against 14,357.0 from the round-up)
    best = None if rounded is None else \
        resize(inst, form, rounded, opts.but(time_limit_s=left()))[0]
    c = lp.arrays()["c"]
    if first is not None and (best is None or c @ first < c @ best):
        best = first
    b = lp.blocks
    support = np.logical_or.reduce([form.flows(x).sum(axis=0).max(axis=1) > FLOW_TOL
                                    for x in solutions])
    sites = tuple(np.logical_or.reduce([x[b[name]].max(axis=1) > FLOW_TOL for x in solutions])
                  for name in ("capture", "injection"))
    first_hi = _restricted_hi(inst, form, support, sites)
    second_hi = _restricted_hi(inst, form, support | _connections(inst, support))
    # the second restriction is left out where it opens nothing more
    restrictions = (first_hi,) if np.array_equal(first_hi, second_hi) else (first_hi, second_hi)
    start = rounded
    for hi in () if beside else restrictions:
        plan = restricted_plan(inst, form, model, hi, opts.but(
            time_limit_s=left(), start=_within(start, hi)))
        # stopped early without a start (the round-up leaves the restriction), the
        # restricted MILP can end on a plan dearer than the round-up: the whole China
        # network at 120 s, one thread, 2,858,001 against 58,246 MUSD
        if plan is not None and (best is None or c @ plan < c @ best):
            best = start = plan
        if deadline - time.perf_counter() <= 0.1:
            break
    # each slope-scaled LP takes about as long as the relaxation: none is started that
    # cannot end in the time left (the whole China network at 300 s: 195 s, 75 s left)
    if (best is None or (gap_of(float(c @ best), bound) or 0.0) > SLOPE_SCALING_GAP) \
            and left() > relaxed.solve_seconds:
        def plan_of(x: np.ndarray, o: SolveOptions) -> np.ndarray | None:
            """An LP solution rounded up and, as every plan, re-sized."""
            up = _rounded_up(form, model, x, o)
            return None if up is None else resize(inst, form, up, o.but(time_limit_s=left()))[0]
        scaled = slope_scaled_plan(model.lp, relaxed.x, opts, plan_of, deadline,
                                   bar=None if best is None else float(c @ best))
        if scaled is not None:  # cheaper than the bar it was given
            best = scaled
    if beside:
        return WarmStart(best, bound, relaxed.overhead_seconds, model, restrictions, left())
    return WarmStart(best, bound, relaxed.overhead_seconds, model)


def restricted_plan(inst: Instance, form: Formulation, model: PulpModel, hi: np.ndarray,
                    opts: SolveOptions) -> np.ndarray | None:
    """The MILP with column upper bounds ``hi`` (:func:`_restricted_hi`) solved to
    :data:`RESTRICTED_GAP_SHARE` of ``opts.mip_gap`` within ``opts.time_limit_s``, its
    plan's pipes re-sized for its flows; ``None`` when it found no plan."""
    t0 = time.perf_counter()
    restricted = solve_model(model, opts.but(
        mip_gap=RESTRICTED_GAP_SHARE * (opts.mip_gap or 0.0)), col_hi=hi)
    if restricted.x is None:
        return None
    left = max((opts.time_limit_s or 0.0) - (time.perf_counter() - t0), 0.1)
    return resize(inst, form, restricted.x, opts.but(time_limit_s=left, start=None))[0]


class SupportSearch:
    """An :class:`.deadline.Improver`: the warm start's restricted MILPs (``restrictions``,
    steps 2 and 3 of the module docstring) solved in turn beside branch and bound, each
    from the plan at hand where it lies within the restriction (else from ``first``, the
    warm start's), within ``seconds`` in all
    (what the warm start had left for them), then ``then``'s steps (re-sizing, the region
    search)."""

    def __init__(self, inst: Instance, form: Formulation, model: PulpModel, opts: SolveOptions,
                 restrictions: tuple[np.ndarray, ...], then: Improver, seconds: float,
                 first: np.ndarray | None = None):
        self.inst, self.form, self.model, self.opts = inst, form, model, opts
        self.todo, self.then, self.left_s = list(restrictions), then, seconds
        self.c = form.lp.arrays()["c"]
        self.first = first

    def idle(self, x: np.ndarray) -> bool:
        return not self.todo and self.then.idle(x)

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        if not self.todo or self.left_s < 0.1:
            self.todo = []
            return self.then.step(x, seconds, stop)
        hi = self.todo.pop(0)
        t0 = time.perf_counter()
        # from the best plan so far, or else the first one it had (a plan re-routed off
        # the restriction's corridors would leave the restricted MILP without a start)
        start = _within(x, hi)
        plan = restricted_plan(self.inst, self.form, self.model, hi, self.opts.but(
            time_limit_s=min(seconds, self.left_s), stop=stop,
            start=start if start is not None else _within(self.first, hi)))
        self.left_s -= time.perf_counter() - t0
        return plan if plan is not None and self.c @ plan < self.c @ x - 1e-9 else None


def _backbone_plan(inst: Instance, form: Formulation, model: PulpModel,
                   opts: SolveOptions) -> np.ndarray | None:
    """The LP relaxation of the MILP restricted to the network's backbone (see
    :mod:`.backbone`), rounded up and re-sized: a plan of the whole MILP, or ``None``
    when the backbone holds none (its LP infeasible or not solved in time)."""
    t0 = time.perf_counter()
    sources, corridors = backbone(inst)
    hi = _restricted_hi(inst, form, corridors, (sources, inst.snk_available.any(axis=1)))
    # HiGHS, whichever solver the MILP has (through SCIP's own LP solver the whole China
    # network's backbone gave no plan within a minute), on one thread: presolve leaves
    # small LPs, and the simplex gives the same plan every run
    one = opts.but(solver="highs", threads=1)
    relaxed = solve_model(model, one, relax=True, col_hi=hi)
    if relaxed.x is None or relaxed.status != "optimal":
        return None
    left = lambda: max((opts.time_limit_s or 0.0) - (time.perf_counter() - t0), 0.1)  # noqa: E731
    rounded = _rounded_up(form, model, relaxed.x, one.but(time_limit_s=left()))
    return None if rounded is None else resize(inst, form, rounded, one.but(time_limit_s=left()))[0]


def _restricted_hi(inst: Instance, form: Formulation, open_: np.ndarray,
                   sites: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Column upper bounds with no new pipe on the corridors not ``open_`` and, given
    ``sites`` (sources, sinks), no capture or storage at the others."""
    b = form.lp.blocks
    hi = form.lp.arrays()["col_hi"].copy()
    if sites is not None:
        hi[b["capture_on"][~sites[0]].ravel()] = 0.0
        hi[b["sink_open"][~sites[1]].ravel()] = 0.0
    for n, q in form.pipe_blocks:
        hi[b[n][~open_[inst.opt_corridor]].ravel()] = 0.0
        hi[b[q][~open_[inst.opt_corridor[form.sized]]].ravel()] = 0.0
    return hi


def _connections(inst: Instance, support: np.ndarray) -> np.ndarray:
    """The corridors on each source's and sink's cheapest path to the ``support``
    corridors' nodes, by the fixed cost of the cheapest pipe (a corridor with existing
    capacity costs nothing, a ship, truck or rail corridor its fixed cost a year over the
    pipeline CRF); none where the support is empty."""
    out = np.zeros(len(inst.cor_from), dtype=bool)
    if not support.any():
        return out
    graph = fixed_cost_graph(inst)
    reached = {int(v) for v in np.concatenate([inst.cor_from[support], inst.cor_to[support]])}
    graph.add_nodes_from(reached)
    _, paths = nx.multi_source_dijkstra(graph, reached, weight="w")
    sites = np.concatenate([inst.src_node[inst.src_may_capture.any(axis=1)],
                            inst.snk_node[inst.snk_available.any(axis=1)]])
    for node in {int(v) for v in sites} - reached:
        path = paths.get(node, [])
        out[path_corridors(graph, path)] = True
    return out


def _within(x: np.ndarray | None, hi: np.ndarray) -> np.ndarray | None:
    """A start for the restricted MILP only if it respects the restriction."""
    return x if x is not None and bool(np.all(x <= hi + 1e-9)) else None
