"""Fix-and-optimise by region: better plans from small MILPs around the incumbent.

Branch and bound on a national network can go minutes without a better plan: on the
reduced China case HiGHS found none in 10 minutes from the warm start's. Around a plan,
a *region* — a few dozen neighbouring nodes — is searched on its own: every column of its
sources and sinks, of the corridors that touch it and of their flows is left free, and
every other column is held at the plan's value. The plan itself stays feasible, so the
small MILP (a few thousand free columns) starts from it, and its optimum is a plan of
the whole model at least as good. Regions are clusters of the nodes' positions
(k-means, :data:`REGION_NODES` nodes on average), searched in turn; each better plan is
re-sized (:func:`.polish.resize`) and handed to the solver. The search is idle once
every region has been searched around the current plan without finding a better one.

On the reduced China case (1,790 corridors, six periods), from the warm start's plan of
36,446.0 MUSD, regions of about 30 nodes searched for up to 15 s each found 131 MUSD in
150 s (most solved to optimality in 1.5–8 s); regions of about 80 nodes mostly reached
their time limit, one finding 253 MUSD in 250 s (benchmarks/README.md, "Beside branch
and bound"). This is the MIP-based neighbourhood search of Danna, Rothberg and Le Pape
("Exploring relaxation induced neighborhoods to improve MIP solutions", Math.
Programming 102 (2005)) with geographic neighbourhoods in place of the LP's.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.cluster.vq import kmeans2

from ccusplan.optimize.formulation import Formulation
from ccusplan.optimize.instance import Instance
from ccusplan.optimize.options import SolveOptions
from ccusplan.optimize.polish import Resizer
from ccusplan.optimize.lp import restrict
from ccusplan.optimize.pulp_backend import solve_model, to_pulp

#: Nodes per region, on average.
REGION_NODES = 30
#: Seconds a region's MILP may take at most.
REGION_S = 15.0
#: The gap a region's MILP is solved to.
REGION_GAP = 1e-4


def regions(inst: Instance, nodes_per_region: int | None = None, seed: int = 0) -> np.ndarray:
    """(N,) the region of each node: k-means clusters of the nodes' positions (lon, lat
    with lon scaled by the cosine of the mean latitude), about ``nodes_per_region``
    (default :data:`REGION_NODES`) nodes each."""
    nodes_per_region = nodes_per_region or REGION_NODES
    nodes = inst.network.nodes().loc[list(inst.node_ids)]
    lat = nodes["lat"].to_numpy(float)
    xy = np.column_stack([nodes["lon"].to_numpy(float) * np.cos(np.radians(lat.mean())), lat])
    k = max(len(xy) // nodes_per_region, 1)
    if k == 1:
        return np.zeros(len(xy), dtype=int)
    _, label = kmeans2(xy, k, seed=seed, minit="++")
    return np.unique(label, return_inverse=True)[1]


def free_columns(inst: Instance, form: Formulation, inside: np.ndarray) -> np.ndarray:
    """(columns,) True for the columns of the sources and sinks at the ``inside`` nodes,
    of the corridors with an end inside and of the ports inside; blocks of other kinds
    (none today) are left free too."""
    b = form.lp.blocks
    free = np.zeros(form.lp.n_cols, dtype=bool)
    cor = inside[inst.cor_from] | inside[inst.cor_to]
    leased_on = np.flatnonzero(inst.cor_leased & (inst.cor_fixed_musd_per_yr > 0))
    rows_of = {"source": inside[inst.src_node], "sink": inside[inst.snk_node],
               "option": cor[inst.opt_corridor], "sized": cor[inst.opt_corridor[form.sized]],
               "corridor": cor, "leased": cor[leased_on], "port": inside[inst.port_node]}
    kinds = {"capture_on": "source", "capture_built": "source", "capture": "source",
             "sink_open": "sink", "wells": "sink", "injection": "sink",
             "flow_fwd": "corridor", "flow_rev": "corridor", "leased_on": "leased",
             "port_open": "port", "port_capacity": "port"}
    for n, q in form.pipe_blocks:
        kinds[n], kinds[q] = "option", "sized"
    for name, block in b.items():
        kind = kinds.get(name)
        if kind is None:
            free[block.ravel()] = True
        elif block.size:
            free[block[rows_of[kind]].ravel()] = True
    return free


class RegionSearch:
    """An :class:`.deadline.Improver`: each new plan re-sized (``resized``: one that is
    already), then searched region by region (see the module docstring)."""

    def __init__(self, inst: Instance, form: Formulation, opts: SolveOptions,
                 resized: np.ndarray | None = None):
        self.inst, self.form, self.opts = inst, form, opts
        arr = form.lp.arrays()
        self.c, self.integer = arr["c"], arr["integer"]
        self.A, self.A_csc = arr["A"], arr["A"].tocsc()
        self.resizer = Resizer(inst, form, opts, resized)
        self.label = regions(inst, seed=opts.seed or 0)
        self.n_regions = int(self.label.max()) + 1
        self.order = np.random.default_rng(opts.seed or 0).permutation(self.n_regions)
        self.next = 0
        self.unimproved = 0  # regions searched in a row around the current plan in vain
        self.around = np.inf  # the cost of the plan they were searched around

    def idle(self, x: np.ndarray) -> bool:
        if not self.resizer.idle(x):
            return False
        # one region is the whole network: the solver's own search
        new = float(self.c @ x) < self.around - 1e-9
        return self.n_regions < 2 or (not new and self.unimproved >= self.n_regions)

    def step(self, x: np.ndarray, seconds: float,
             stop: threading.Event | None = None) -> np.ndarray | None:
        cost = float(self.c @ x)
        if not self.resizer.idle(x):  # a plan not seen yet: re-sized first
            out = self.resizer.step(x, seconds, stop)
            self.around, self.unimproved = min(cost, self.resizer.done), 0
            return out
        if cost < self.around - 1e-9:
            self.around, self.unimproved = cost, 0
        r = self.order[self.next % self.n_regions]
        self.next += 1
        free = np.flatnonzero(free_columns(self.inst, self.form, self.label == r))
        # the region's MILP on its own columns, every other held (its rows' bounds less
        # what the held columns give): a model of a few thousand columns, not the whole
        x = np.where(self.integer, np.round(x), x)
        sub = restrict(self.form.lp, free, x, self.A @ x, self.A_csc)
        res = solve_model(to_pulp(sub), self.opts.but(
            time_limit_s=min(REGION_S, seconds), mip_gap=REGION_GAP, start=x[free],
            phase="region search", stop=stop))
        if res.x is None or float(self.c[free] @ res.x) >= float(self.c[free] @ x[free]) - 1e-9:
            self.unimproved += 1
            return None
        found = x.copy()
        found[free] = res.x
        out = self.resizer.step(found, seconds, stop) if seconds > 0 else None
        out = found if out is None else out
        self.around, self.unimproved = float(self.c @ out), 0
        return out
