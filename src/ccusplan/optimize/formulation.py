"""The build-out MILP, one formulation for any number of periods (T = 1 is a single period).

Variables (per period t; "in service" blocks never decrease over t):

=================  =========  ===============================================
block              shape      meaning
=================  =========  ===============================================
``capture_on``     (I, T)     source i equipped (binary, in service)
``capture_built``  (I, T)     Mt/yr of capture capacity built at source i
``capture``        (I, T)     Mt/yr captured at source i
``pipes``          (O, T)     pipes of option o in service (integer)
``pipe_size``      (S, T)     Mt/yr of sized capacity of sized option o
``pipes_rev``      (O, T)     single period only: pipes laid to→from (see below)
``pipe_size_rev``  (S, T)     single period only: their sized capacity
``flow_fwd/rev``   (E', T)    Mt/yr on corridor e, from→to / to→from (see below)
``leased_on``      (L, T)     ship, truck or rail corridor carrying CO2 in period t
                              (binary, not kept in service; corridors with a fixed cost)
``port_open``      (P, T)     port terminal p open (binary, in service)
``port_capacity``  (P, T)     Mt/yr of terminal capacity built at port p
``sink_open``      (K, T)     sink k open (binary, in service)
``wells``          (W, T)     wells at sink k (integer; sinks with a well rate)
``injection``      (K, T)     Mt/yr injected at sink k
=================  =========  ===============================================

Objective: NPV in MUSD. Every capital cost is paid as an annuity (CRF × capex)
for each year the asset is in service within the horizon; fixed O&M for the
same years; variable costs per tonne for every tonne; the price (price mode) is
a revenue per tonne stored. A year's money is weighted by its discount factor,
summed over the period (``Instance.weight_years``).

Ships, trucks and rail (:func:`define_leased`). A corridor of these modes lays no pipe: it
carries CO2 in capacity leased period by period, which can shrink again, so what it
carries in a period costs that period's per-tonne cost (the mode's USD/t and USD/t·km)
and, where the mode has one, a fixed cost for each year it carries anything. Ports
(:func:`define_ports`) build terminal capacity, kept in service like a pipe, for what
their ship corridors load and unload.

Directed pipes (T = 1). In a single period some optimal plan moves CO2 one way along
each corridor (opposite flows cancel; transport costs are not negative), so a pipe can
be laid for one direction: ``pipes``/``pipe_size`` carry from→to only and
``pipes_rev``/``pipe_size_rev`` to→from. The LP relaxation is at least as tight (each
direction's pipes count for no more than that direction's flow bound), and each
direction's flow now has its own variable upper bounds on the pipe integers, from which
the solver derives stronger flow-cover cuts (SimCCS's per-arc form; SoutheastUS 110 Mt/yr
to 0.01 %: 507 → 294 s, benchmarks/README.md). Over several periods a pipe may carry
CO2 either way in different periods, so pipes stay undirected there.

Bare corridors (directed pipes). A corridor with no existing capacity whose options are
all sized carries each way exactly the sized capacity laid that way (capacity beyond the
flow only costs more), so its flows are not columns: the balance rows take the
``pipe_size`` columns themselves, which also carry the corridor's per-tonne cost, and
``Formulation.flows`` adds them up. ``flow_fwd/rev`` cover the other corridors (E' of
them). The LP relaxation is the same, with a column and a row fewer per corridor and
direction, as SimCCS's per-arc trend flows (SoutheastUS 110 Mt/yr presolved: 1,388 × 1,819
→ 1,035 × 1,466; benchmarks/README.md).

Minimum sizes (one pipe per corridor, T = 1). A sized pipe of option o carries at least
the flow below which another option on its corridor costs no more (``min_size`` rows,
:func:`_min_sizes`): any plan breaking one becomes, by swapping the pipe's class, a plan
that keeps it and costs no more, so an optimum survives; the LP relaxation is the same,
but a pipe fixed in the search forces its flow. SimCCS's trend 2 is never sized below
9.04463 Mt/yr (SoutheastUS 110 Mt/yr to 0.01 %, MILP alone: median of ten seeds 1,038 k →
855 k simplex iterations; benchmarks/README.md, "Minimum pipe sizes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ccusplan.optimize.instance import Instance
from ccusplan.optimize.lp import LinearProgram
from ccusplan.optimize.source_flows import SourceFlows, define_source_flows

#: The blocks whose costs are capture's, and storage's (with a price's revenue): together
#: the site costs; everything else is transport.
CAPTURE_BLOCKS = ("capture_on", "capture_built", "capture")
STORAGE_BLOCKS = ("sink_open", "wells", "injection")
#: Transport blocks besides pipes and flows: the leased modes and the ports.
TRANSPORT_BLOCKS = ("leased_on", "port_open", "port_capacity")
#: Models of at least NODE_CUT_COLUMNS and fewer than NODE_CUT_MAX_COLUMNS columns get
#: :func:`define_node_cuts`' rows by default. Below, branch and bound's own cuts pass
#: them (Shandong to 1 %: 26.7, 38.4, 35.6 s against 10.5, 9.0, 10.5 s, seeds 0-2);
#: above, the LP relaxation with them did not end within the warm start's 210 s of a
#: 300-s run on the whole China network (368,898 columns; 182 s without), whose bound
#: then fell back to the site floor. Within, the reduced China case (111,192 columns) at
#: 600 s: bound 32,104.5 against 31,971.2 without, but a dearer plan from the backbone,
#: 9.57 % against 9.38 % (9.48 % on a later run) (benchmarks/README.md, "Node cut-sets").
NODE_CUT_COLUMNS = 100_000
NODE_CUT_MAX_COLUMNS = 300_000


@dataclass(frozen=True)
class Formulation:
    lp: LinearProgram
    sized: np.ndarray  # option indices that have a pipe_size variable
    #: (2·E·T, columns): each corridor's flow from→to and to→from in each period, from x
    flow_map: sp.csr_matrix
    #: (pipes block, sized capacity block) per direction a pipe is laid for: one
    #: (undirected) over several periods, two (from→to, to→from) in a single period
    pipe_blocks: tuple[tuple[str, str], ...]
    #: (S,) per sized option, the least Mt/yr one of its pipes is sized to (0: none), and
    #: the option that replaces a pipe sized below it (−1: none); see :func:`_min_sizes`
    min_size: np.ndarray
    min_size_by: np.ndarray

    @property
    def transport_block_names(self) -> tuple[str, ...]:
        """Every block whose costs are transport's."""
        return (*self.pipe_block_names, "flow_fwd", "flow_rev", *TRANSPORT_BLOCKS)

    def site_columns(self) -> np.ndarray:
        """The columns of the capture and storage blocks (the site decisions)."""
        return np.concatenate([self.lp.blocks[b].ravel()
                               for b in CAPTURE_BLOCKS + STORAGE_BLOCKS])

    @property
    def pipe_block_names(self) -> tuple[str, ...]:
        """Every pipes and sized capacity block, of every direction."""
        return tuple(name for pair in self.pipe_blocks for name in pair)

    def flows(self, x: np.ndarray) -> np.ndarray:
        """(2, E, T) Mt/yr on each corridor, from→to and to→from."""
        return (self.flow_map @ x).reshape(2, -1, self.lp.blocks["capture"].shape[1])

    def pipes(self, x: np.ndarray) -> np.ndarray:
        """(O, T) pipes of each option in service, both directions together."""
        return sum(x[self.lp.blocks[n]] for n, _ in self.pipe_blocks)

    def pipes_at_min_size(self, x: np.ndarray, n: np.ndarray) -> np.ndarray:
        """``n``, pipe counts for the columns (e.g. ``x``'s rounded up), with every sized
        pipe that ``x`` sizes below its minimum moved to the option that replaces it,
        and on along that option's own replacements: the counts of a plan that keeps
        every ``min_size`` row, and costs no more, when ``x``'s sizes are kept."""
        n = n.copy()
        if not (self.min_size > 0).any():
            return n
        hi = self.lp.arrays()["col_hi"]
        pos = _positions(self.lp.blocks["pipes"].shape[0], self.sized)  # option → sized index
        for nb, qb in self.pipe_blocks:
            cols, q = self.lp.blocks[nb][:, 0], x[self.lp.blocks[qb][:, 0]]
            count = n[cols[self.sized]]
            move = np.flatnonzero((count > 0) & (q < self.min_size * count - 1e-9))
            to = self.min_size_by[move]
            while True:  # a replacing option sized below its own minimum is replaced too
                k = pos[to]
                on = (k >= 0)
                on[on] = q[move[on]] < self.min_size[k[on]] * count[move[on]] - 1e-9
                if not on.any():
                    break
                to[on] = self.min_size_by[k[on]]
            n[cols[self.sized[move]]] = 0
            np.add.at(n, cols[to], count[move])
            n[cols] = np.minimum(n[cols], hi[cols])
        return n

    def pipe_size(self, x: np.ndarray) -> np.ndarray:
        """(S, T) sized capacity of each sized option, both directions together."""
        return sum(x[self.lp.blocks[q]] for _, q in self.pipe_blocks)


class _Pipes(NamedTuple):
    """The pipes laid for one direction (or for both, undirected)."""

    suffix: str            # of the block names: "pipes{suffix}", "pipe_size{suffix}"
    carried: tuple         # flows they carry: 0 from→to, 1 to→from
    bound: np.ndarray      # (E, T) bound on those flows
    most: np.ndarray       # (O,) the most an option's corridor ever carries that way
    n: np.ndarray          # pipes block
    q: np.ndarray          # sized capacity block
    q_hi: np.ndarray       # (S, T) its upper bounds


def _positions(n: int, idx: np.ndarray) -> np.ndarray:
    """(n,) each of ``idx``'s position in it, −1 elsewhere: global index → local row."""
    out = np.full(n, -1)
    out[idx] = np.arange(len(idx))
    return out


def _rows(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(int(np.prod(shape))).reshape(shape)


def _never_decrease(lp: LinearProgram, name: str, v: np.ndarray) -> None:
    """v[:, t-1] ≤ v[:, t]: what is in service stays in service."""
    if v.shape[1] < 2 or v.shape[0] == 0:
        return
    r = _rows((v.shape[0], v.shape[1] - 1))
    lp.add_rows(f"{name}_kept", r.size, [(r, v[:, :-1], 1.0), (r, v[:, 1:], -1.0)], hi=0.0)


@dataclass
class _Model:
    """The MILP while it is defined: the instance, the program, the corridor layout and
    the variable blocks (column indices) the ``define_*`` functions add and read."""

    inst: Instance
    lp: LinearProgram
    transport: bool
    directed: bool
    dirs: list              # (block suffix, flows carried, (E, T) bound) per direction
    sized: np.ndarray       # options with a pipe_size column
    has_wells: np.ndarray   # sinks with a well decision
    E: int
    O: int
    # variable blocks, set by define_variables
    capture_on: np.ndarray = None
    capture_built: np.ndarray = None
    capture: np.ndarray = None
    pipes: list = None      # _Pipes per direction
    flow_fwd: np.ndarray = None
    flow_rev: np.ndarray = None
    leased_on: np.ndarray = None
    port_open: np.ndarray = None
    port_capacity: np.ndarray = None
    sink_open: np.ndarray = None
    wells: np.ndarray = None
    injection: np.ndarray = None
    # corridor layout, set by define_variables
    unsized: np.ndarray = None
    bare: np.ndarray = None    # (E,) corridors whose flows are their pipes' sizes
    kept: np.ndarray = None    # corridors with flow columns
    built_max: np.ndarray = None  # (I, T) capture capacity some optimal plan builds at most

    @property
    def T(self) -> int:
        return self.inst.n_periods

    @property
    def running_bound(self) -> np.ndarray:
        """(1, T) the most any corridor may carry in a period up to t: what an asset kept
        in service needs at most by then."""
        return np.maximum.accumulate(self.inst.flow_bound_mtpa)[None, :]

    @property
    def tt(self) -> np.ndarray:
        return np.arange(self.T)

    def node_row(self, nodes: np.ndarray) -> np.ndarray:
        """(len(nodes), T) the balance row of each node in each period."""
        return nodes[:, None] * self.T + self.tt

    @property
    def on_bare(self) -> np.ndarray:
        """Positions among the sized options of those on bare corridors."""
        return np.flatnonzero(self.bare[self.inst.opt_corridor[self.sized]])

    @property
    def on_kept(self) -> np.ndarray:
        return np.flatnonzero(~self.bare[self.inst.opt_corridor[self.sized]])

    @property
    def e_bare(self) -> np.ndarray:
        """The bare corridor of each sized option on one."""
        return self.inst.opt_corridor[self.sized][self.on_bare]

    @property
    def sized_flows(self) -> list:
        """(sized capacity block on bare corridors, direction it carries) per direction."""
        return [(p.q[self.on_bare], p.carried[0]) for p in self.pipes] if self.directed else []


def build(inst: Instance, elastic_targets: bool = False,
          directed: bool | None = None, transport: bool = True,
          terminal_links: bool = True, shortfall_usd_per_t: float | None = None,
          node_cuts: bool | None = None,
          source_flows: SourceFlows | None = None) -> Formulation:
    """The MILP of ``inst``. With ``elastic_targets`` (diagnosis only) targets may fall
    short at a cost of 1 per Mt/yr and nothing else costs anything. ``directed``: lay
    pipes for one direction (default: in a single period, where it is exact).
    ``transport=False``: the sites alone, as if every source were joined to every sink
    at no cost (no corridor; in each period what is stored is what is captured), a
    relaxation whose optimum is a floor under the site costs of every plan
    (:mod:`.floor`). ``terminal_links=False`` leaves out :func:`define_terminal_links`
    (to compare optima with and without them). ``shortfall_usd_per_t``: targets may
    fall short, each tonne short costing this (a fixed plan evaluated under another
    case, :mod:`ccusplan.uncertainty.evaluate`).
    ``node_cuts``: add :func:`define_node_cuts`' rows (default: by the model's size,
    :data:`NODE_CUT_COLUMNS`). ``source_flows``: follow each source's own flow near it
    (:mod:`.source_flows`; its columns come after every other).

    The constraint families are the ``define_*`` functions below, in the order they add
    their rows."""
    m = _model(inst, directed, transport)
    define_variables(m)
    define_kept_in_service(m)
    define_site_limits(m)
    define_balance(m)
    define_corridor_capacity(m)
    define_leased(m)
    define_ports(m)
    define_sized_capacity(m)
    min_size, min_size_by = define_min_sizes(m)
    define_pipes_per_corridor(m)
    if terminal_links:
        define_terminal_links(m)
    if node_cuts is None:
        node_cuts = NODE_CUT_COLUMNS <= m.lp.n_cols < NODE_CUT_MAX_COLUMNS
    if node_cuts:
        define_node_cuts(m)
    define_targets(m, elastic_targets, shortfall_usd_per_t)
    flow_map, flow_entries = _flow_map(m)
    if not elastic_targets:
        define_objective(m, flow_entries)
    if source_flows is not None:
        define_source_flows(m, flow_map, source_flows)
        flow_map = sp.csr_matrix((flow_map.data, flow_map.indices, flow_map.indptr),
                                 shape=(flow_map.shape[0], m.lp.n_cols))
    return Formulation(m.lp, m.sized, flow_map,
                       tuple((f"pipes{p.suffix}", f"pipe_size{p.suffix}") for p in m.pipes),
                       min_size, min_size_by)


def _model(inst: Instance, directed: bool | None, transport: bool) -> _Model:
    """The empty program and the corridor layout: which way pipes are laid."""
    T = inst.n_periods
    E, O = len(inst.cor_from), len(inst.opt_corridor)
    sized = np.flatnonzero(inst.opt_capex_musd_per_mtpa > 0)
    bound = inst.corridor_flow_bound_mtpa   # (2, E, T): from→to, to→from
    one_way = T == 1 and bool((inst.cor_var_usd_per_t >= 0).all())  # directed is exact
    if directed and not one_way:
        raise ValueError("directed pipes need a single period and no negative transport cost")
    directed = one_way if directed is None else directed
    # (block name suffix, flows carried, their (E, T) bound) per direction pipes are laid for
    dirs = [("", (0,), bound[0]), ("_rev", (1,), bound[1])] if directed \
        else [("", (0, 1), bound.max(axis=0))]
    if not transport:
        dirs, E, O, sized = [], 0, 0, sized[:0]
    return _Model(inst, LinearProgram(), transport, directed, dirs, sized,
                  np.flatnonzero(~np.isnan(inst.snk_well_mtpa)), E, O)


def define_variables(m: _Model) -> None:
    """Every block of the module docstring's table, with its bounds."""
    inst, lp, T = m.inst, m.lp, m.T
    I, K = len(inst.src_node), len(inst.snk_node)
    E, O, sized = m.E, m.O, m.sized
    src_ok = inst.src_may_capture.astype(float)
    snk_ok = inst.snk_available.astype(float)
    m.capture_on = lp.add_vars("capture_on", (I, T), hi=src_ok, integer=True)
    m.capture_built = lp.add_vars("capture_built", (I, T), hi=inst.src_cap_mtpa[:, None] * src_ok)
    m.capture = lp.add_vars("capture", (I, T), hi=inst.src_cap_mtpa[:, None] * src_ok)
    # pipes on a corridor: no more than carry its most, nor than the case allows
    limit = inst.case.pipeline.max_pipes_per_corridor
    m.pipes = []
    for suffix, carried, cor_bound in m.dirs:
        most = cor_bound.max(axis=1)[inst.opt_corridor]
        n_hi = np.minimum(inst.opt_max_count, np.maximum(
            np.ceil(most / np.maximum(inst.opt_cap_mtpa, 1e-12) - 1e-9), 1.0))
        if limit is not None:
            n_hi = np.minimum(n_hi, float(limit))
        n = lp.add_vars(f"pipes{suffix}", (O, T), hi=n_hi[:, None] * np.ones(T), integer=True)
        q_hi = np.minimum(inst.opt_cap_mtpa * n_hi, most)[sized][:, None] * np.ones(T)
        q = lp.add_vars(f"pipe_size{suffix}", (len(sized), T), hi=q_hi)
        m.pipes.append(_Pipes(suffix, carried, cor_bound, most, n, q, q_hi))
    # Directed, a corridor with no existing capacity and sized options alone carries each
    # way exactly the sized capacity laid that way: its flows are sums of pipe_size
    # columns, not columns of their own (see the module docstring)
    m.unsized = np.setdiff1d(np.arange(O), sized)
    m.bare = np.zeros(E, dtype=bool)
    leased = inst.cor_leased[:E]
    if m.directed:
        m.bare = (inst.cor_existing_mtpa[:E] <= 0) & ~leased
        m.bare[inst.opt_corridor[m.unsized]] = False
    m.kept = np.flatnonzero(~m.bare)
    bound = inst.corridor_flow_bound_mtpa
    cap = inst.cor_cap_mtpa[m.kept][:, None]  # a leased corridor's own limit (else inf)
    m.flow_fwd = lp.add_vars("flow_fwd", (len(m.kept), T), hi=np.minimum(bound[0][m.kept], cap))
    m.flow_rev = lp.add_vars("flow_rev", (len(m.kept), T), hi=np.minimum(bound[1][m.kept], cap))
    in_use = int((leased & (inst.cor_fixed_musd_per_yr[:E] > 0)).sum())
    m.leased_on = lp.add_vars("leased_on", (in_use, T), integer=True, hi=1.0)
    P = len(inst.port_node) if m.transport else 0
    m.port_open = lp.add_vars("port_open", (P, T), hi=1.0, integer=True)
    m.port_capacity = lp.add_vars("port_capacity", (P, T), hi=m.running_bound * np.ones((P, 1)))
    m.sink_open = lp.add_vars("sink_open", (K, T), hi=snk_ok, integer=True)
    hw = m.has_wells
    well_ub = np.ceil(inst.snk_inj_mtpa[hw] / inst.snk_well_mtpa[hw] - 1e-9)
    m.wells = lp.add_vars("wells", (len(hw), T), hi=well_ub[:, None] * snk_ok[hw], integer=True)
    m.injection = lp.add_vars("injection", (K, T), hi=inst.snk_inj_mtpa[:, None] * snk_ok)
    m.built_max = np.minimum(inst.src_cap_mtpa[:, None], m.running_bound)


def define_kept_in_service(m: _Model) -> None:
    """What is in service stays in service: equipped sources, capture capacity, open
    sinks, wells, port terminals and pipes never decrease over the periods (leased
    transport may)."""
    for name, v in (("capture_on", m.capture_on), ("capture_built", m.capture_built),
                    ("sink_open", m.sink_open), ("wells", m.wells),
                    ("port_open", m.port_open), ("port_capacity", m.port_capacity),
                    *((f"pipes{p.suffix}", p.n) for p in m.pipes)):
        _never_decrease(m.lp, name, v)


def define_site_limits(m: _Model) -> None:
    """Site limits, each tightened to what some optimal plan uses at most: capacity
    built by period t is never more than the running maximum of the flow bound
    (building ahead of need only adds annuity years), injection never more than the
    period's flow bound; wells' rates; each sink's storage capacity over the horizon."""
    inst, lp, T = m.inst, m.lp, m.T
    I, K = len(inst.src_node), len(inst.snk_node)
    M = inst.flow_bound_mtpa[None, :]
    r = _rows((I, T))
    lp.add_rows("capture_site", r.size,
                [(r, m.capture_built, 1.0), (r, m.capture_on, -m.built_max)], hi=0.0)
    lp.add_rows("capture_capacity", r.size,
                [(r, m.capture, 1.0), (r, m.capture_built, -1.0)], hi=0.0)
    r = _rows((K, T))
    lp.add_rows("injection_rate", r.size,
                [(r, m.injection, 1.0),
                 (r, m.sink_open, -np.minimum(inst.snk_inj_mtpa[:, None], M))], hi=0.0)
    hw = m.has_wells
    r = _rows((len(hw), T))
    lp.add_rows("well_rate", r.size,
                [(r, m.injection[hw], 1.0),
                 (r, m.wells, -inst.snk_well_mtpa[hw][:, None] * np.ones(T))], hi=0.0)
    rk = np.repeat(np.arange(K), T)
    lp.add_rows("storage_capacity", K,
                [(rk, m.injection, np.tile(inst.period_years.astype(float), K))],
                hi=inst.snk_cap_mt)


def define_balance(m: _Model) -> None:
    """Flow balance: out − in − capture + injection = 0 at every node and period (without
    transport: at one node that every site is on)."""
    inst = m.inst
    I, K, N = len(inst.src_node), len(inst.snk_node), len(inst.node_ids)
    src_node, snk_node = (inst.src_node, inst.snk_node) if m.transport \
        else (np.zeros(I, dtype=int), np.zeros(K, dtype=int))
    cor_from, cor_to = inst.cor_from[m.kept], inst.cor_to[m.kept]
    # a bare corridor's flows: its options' sized capacity, from→to and to→from
    ends = (inst.cor_from[m.e_bare], inst.cor_to[m.e_bare])
    fp, fm, row = m.flow_fwd, m.flow_rev, m.node_row
    m.lp.add_rows("balance", (N if m.transport else 1) * m.T, [
        (row(cor_from), fp, 1.0), (row(cor_to), fp, -1.0),
        (row(cor_to), fm, 1.0), (row(cor_from), fm, -1.0),
        *((row(ends[k]), q, 1.0) for q, k in m.sized_flows),
        *((row(ends[1 - k]), q, -1.0) for q, k in m.sized_flows),
        (row(src_node), m.capture, -1.0), (row(snk_node), m.injection, 1.0),
    ], lo=0.0, hi=0.0)


def define_corridor_capacity(m: _Model) -> None:
    """Corridor capacity: flow ≤ existing + Σ unsized Q·n + Σ sized q, per direction pipes
    are laid for, where a pipe counts for no more than the corridor's flow bound in the
    period (valid: its flow never exceeds it anyway), which keeps the LP relaxation from
    buying a fraction of a huge pipe. Directed pipes: existing capacity counts for each
    direction, as a plan's flows can cancel down to one way without costing more. And a
    bare corridor's flow bound, where its pipes' capacity bounds do not imply it."""
    inst, lp, E, T, tt = m.inst, m.lp, m.E, m.T, m.tt
    unsized, sized = m.unsized, m.sized
    piped = np.flatnonzero(~inst.cor_leased[m.kept])  # kept pipeline corridors (positions)
    kept = m.kept[piped]
    local = _positions(E, kept)
    cor_row = lambda opts: local[inst.opt_corridor[opts]][:, None] * T + tt  # noqa: E731
    flows = (m.flow_fwd[piped], m.flow_rev[piped])
    r = _rows((len(kept), T))
    on_kept = m.on_kept
    for p in m.pipes:
        useful = np.minimum(inst.opt_cap_mtpa[unsized][:, None], p.bound[inst.opt_corridor[unsized]])
        lp.add_rows(f"corridor_capacity{p.suffix}", r.size, [
            *((r, flows[k], 1.0) for k in p.carried),
            (cor_row(unsized), p.n[unsized], -useful),
            (cor_row(sized[on_kept]), p.q[on_kept], -1.0),
        ], hi=np.repeat(inst.cor_existing_mtpa[kept], T))
    e_bare, on_bare = m.e_bare, m.on_bare
    limit = inst.case.pipeline.max_pipes_per_corridor
    for p in m.pipes if len(e_bare) else []:
        room = np.zeros((E, T))  # what the pipes' capacity bounds allow
        np.add.at(room, e_bare, p.q_hi[on_bare])
        if limit is not None:  # no more than `limit` pipes, each sized to the bound at most
            room = np.minimum(room, limit * p.bound)
        over = np.flatnonzero(m.bare & (room > p.bound + 1e-9).any(axis=1))
        if len(over):
            pick = np.isin(e_bare, over)
            lp.add_rows(f"flow_bound{p.suffix}", len(over) * T,
                        [(_positions(E, over)[e_bare[pick]][:, None] * T + tt,
                          p.q[on_bare[pick]], 1.0)],
                        hi=p.bound[over].ravel())


def define_leased(m: _Model) -> None:
    """Ship, truck and rail corridors with a fixed cost carry CO2 in a period only while
    in use: f→ + f← ≤ u·on, u the most the corridor may carry then (its flow bound, at
    most its own ``capacity_mtpa``); without a fixed cost, their own limit on both
    directions together, where they state one."""
    inst, T, tt = m.inst, m.T, m.tt
    leased = np.flatnonzero(inst.cor_leased[m.kept])   # positions among kept
    if not len(leased):
        return
    e = m.kept[leased]
    bound = inst.corridor_flow_bound_mtpa.max(axis=0)[e]
    u = np.minimum(bound, inst.cor_cap_mtpa[e][:, None])
    fixed = inst.cor_fixed_musd_per_yr[e] > 0
    f = np.flatnonzero(fixed)
    r = _rows((len(f), T))
    m.lp.add_rows("leased_in_use", r.size, [
        (r, m.flow_fwd[leased[f]], 1.0), (r, m.flow_rev[leased[f]], 1.0),
        (r, m.leased_on, -u[f])], hi=0.0)
    c = np.flatnonzero(~fixed & np.isfinite(inst.cor_cap_mtpa[e]))
    r = _rows((len(c), T))
    if len(c):
        m.lp.add_rows("leased_capacity", r.size, [
            (r, m.flow_fwd[leased[c]], 1.0), (r, m.flow_rev[leased[c]], 1.0)],
            hi=np.repeat(inst.cor_cap_mtpa[e[c]], T))


def define_ports(m: _Model) -> None:
    """A port loads onto ships what its ship corridors carry away from it (liquefied and
    buffered there; unloading is the ship's), up to its terminal's capacity, built only
    while the terminal is open (capacity ≤ the running maximum of the flow bound × open).
    Each tonne loaded costs the port's USD per tonne (:func:`define_objective`)."""
    inst, T, tt = m.inst, m.T, m.tt
    P = m.port_open.shape[0]
    if not P:
        return
    terms = [(port[:, None] * T + tt, load, 1.0) for port, load in _loaded(m)]
    r = _rows((P, T))
    m.lp.add_rows("port_throughput", r.size, [*terms, (r, m.port_capacity, -1.0)], hi=0.0)
    M = m.running_bound * np.ones((P, 1))
    m.lp.add_rows("port_site", r.size, [(r, m.port_capacity, 1.0), (r, m.port_open, -M)], hi=0.0)


def _loaded(m: _Model) -> list[tuple[np.ndarray, np.ndarray]]:
    """(port of each, flow columns (n, T) leaving it by ship) for ship corridors starting
    at a port, and for those ending at one."""
    inst, kept = m.inst, m.kept
    ship = np.flatnonzero(inst.cor_mode[kept] == "ship")   # positions among kept
    port_at = np.full(len(inst.node_ids), -1)
    port_at[inst.port_node] = np.arange(len(inst.port_node))
    out = []
    for end, flows in ((inst.cor_from, m.flow_fwd), (inst.cor_to, m.flow_rev)):
        at = port_at[end[kept[ship]]]
        on = at >= 0
        out.append((at[on], flows[ship[on]]))
    return out


def define_sized_capacity(m: _Model) -> None:
    """Sized capacity grows only with new pipes: q_t − q_{t−1} ≤ Q (n_t − n_{t−1}), where
    Q is the class's capacity capped at the most the corridor ever carries (capping every
    q_t there keeps a plan feasible and never costs more)."""
    inst, T, sized = m.inst, m.T, m.sized
    for p in m.pipes if len(sized) else []:
        Q = np.minimum(inst.opt_cap_mtpa, p.most)[sized][:, None] * np.ones(T)
        r = _rows((len(sized), T))
        n = p.n[sized]
        terms = [(r, p.q, 1.0), (r, n, -Q)]
        if T > 1:
            terms += [(r[:, 1:], p.q[:, :-1], -1.0), (r[:, 1:], n[:, :-1], Q[:, 1:])]
        m.lp.add_rows(f"sized_capacity{p.suffix}", r.size, terms, hi=0.0)


def define_min_sizes(m: _Model) -> tuple[np.ndarray, np.ndarray]:
    """A sized pipe carries at least its minimum size (module docstring, :func:`_min_sizes`):
    one period, one pipe per corridor. Returns each sized option's minimum and the option
    replacing it."""
    inst, sized = m.inst, m.sized
    one_pipe = inst.case.pipeline.max_pipes_per_corridor == 1
    min_size, min_size_by = _min_sizes(inst, sized) if m.T == 1 and one_pipe \
        else (np.zeros(len(sized)), np.full(len(sized), -1))
    on = np.flatnonzero(min_size > 0)
    for p in m.pipes if len(on) else []:
        r = np.arange(len(on))
        m.lp.add_rows(f"min_size{p.suffix}", len(on),
                      [(r, p.q[on, 0], 1.0), (r, p.n[sized[on], 0], -min_size[on])], lo=0.0)
    return min_size, min_size_by


def define_pipes_per_corridor(m: _Model) -> None:
    """The case's limit on pipes per corridor: pipes never decrease, so the last period's
    count is the most ever laid."""
    limit = m.inst.case.pipeline.max_pipes_per_corridor
    if limit is not None and m.O:
        m.lp.add_rows("pipes_per_corridor", m.E,
                      [(m.inst.opt_corridor, p.n[:, -1], 1.0) for p in m.pipes], hi=float(limit))


def define_terminal_links(m: _Model) -> None:
    """Sites that are not hubs (``hub`` false), flow on each corridor by corridor: into a
    sink only while it is open, f ≤ u·open, and out of a source only while it is
    equipped, f ≤ u·on, with u the corridor's flow bound that way (at most what the sink
    injects or the source captures). Valid because such a sink passes nothing on and such
    a source receives nothing; the aggregate rows (injection ≤ rate·open) let the LP open
    a sink by the share of its rate it uses, these by the share of each corridor's bound:
    the strong form of facility location (OR-Library's capb: see benchmarks/README.md)."""
    inst, T, tt = m.inst, m.T, m.tt
    N = len(inst.node_ids)
    src_at, snk_at = np.full(N, -1), np.full(N, -1)
    src_at[inst.src_node[~inst.src_hub]] = np.flatnonzero(~inst.src_hub)
    snk_at[inst.snk_node[~inst.snk_hub]] = np.flatnonzero(~inst.snk_hub)
    if (src_at < 0).all() and (snk_at < 0).all():
        return
    bound = inst.corridor_flow_bound_mtpa
    ends = (inst.cor_from, inst.cor_to)
    flows = (m.flow_fwd, m.flow_rev)
    for d in (0, 1):                       # from→to, to→from
        tail, head = ends[d], ends[1 - d]
        # a flow column each, or a bare corridor's pipes laid that way (summed)
        carriers = [(m.kept, flows[d])] + [(m.e_bare, q) for q, k in m.sized_flows if k == d]
        for site_at, indicator, name in ((snk_at[head], m.sink_open, "sink"),
                                         (src_at[tail], m.capture_on, "source")):
            for corridors, cols in carriers:
                at = site_at[corridors]
                pick = np.flatnonzero(at >= 0)
                u = bound[d][corridors[pick]]                                   # (n, T)
                keep = pick[(u > 0).any(axis=1)]
                if not len(keep):
                    continue
                u = bound[d][corridors[keep]]
                # corridors repeat among a bare corridor's options: one row per corridor
                uniq, row_of = np.unique(corridors[keep], return_inverse=True)
                rows = row_of[:, None] * T + tt
                first = np.unique(row_of, return_index=True)[1]
                m.lp.add_rows(f"terminal_{name}_{'fwd' if d == 0 else 'rev'}"
                              f"{'' if cols is flows[d] else '_bare'}", len(uniq) * T, [
                    (rows, cols[keep], 1.0),
                    (rows[first], indicator[at[keep[first]]], -u[first]),
                ], hi=0.0)


def define_node_cuts(m: _Model) -> None:
    """Rounded cut-set rows at the sites' nodes (Atamtürk 2002, Math. Programming 92): in
    each period the pipes on a node's corridors carry away at least what its sources
    capture less what its sinks inject, and bring at least the reverse, each pipe
    counted for no more than L, the most the node's sources can capture (its sinks
    inject) then:

        Σ_o min(Q_o, L)·n_o + leased flows ≥ capture − injection − existing capacity.

    Valid for every plan: where one of the pipes laid counts for L, the left side is at
    least L, which the right side never exceeds; where none does, each counts for its
    whole capacity, which carries the flow out. The balance rows alone let the LP
    relaxation buy a small source's share of the largest pipe; these make it buy about
    a pipe of the source's own size (the synthetic 2,000-source network: LP bound
    717,315.7 → 721,244.6 MUSD; benchmarks/README.md)."""
    if not m.transport:
        return
    inst, lp, T, tt = m.inst, m.lp, m.T, m.tt
    N = len(inst.node_ids)
    # the most each node's sources capture, and its sinks inject, per period (the model's
    # own column bounds and site rows)
    src_ok, snk_ok = inst.src_may_capture.astype(float), inst.snk_available.astype(float)
    most_src, most_snk = np.zeros((N, T)), np.zeros((N, T))
    np.add.at(most_src, inst.src_node, m.built_max * src_ok)
    injects = np.minimum(inst.snk_inj_mtpa[:, None], inst.flow_bound_mtpa[None, :])
    np.add.at(most_snk, inst.snk_node, injects * snk_ok)
    ends = np.stack([inst.cor_from, inst.cor_to])           # (2, E)
    leased_pos = np.flatnonzero(inst.cor_leased[m.kept])  # among the flow columns
    leased = m.kept[leased_pos]
    existing = np.zeros(N)
    for end in ends:
        np.add.at(existing, end, inst.cor_existing_mtpa[:m.E])
    for name, most, sign in (("source", most_src, 1.0), ("sink", most_snk, -1.0)):
        nodes = np.flatnonzero(most.max(axis=1) > 0)
        if not len(nodes):
            continue
        at = _positions(N, nodes)
        L = most[nodes]                                     # (V, T)
        terms = []
        for p in m.pipes:
            cap = np.minimum(inst.opt_cap_mtpa, p.most)     # (O,)
            for end in ends:
                o = np.flatnonzero(at[end[inst.opt_corridor]] >= 0)
                j = at[end[inst.opt_corridor[o]]]
                terms.append((j[:, None] * T + tt, p.n[o], np.minimum(cap[o][:, None], L[j])))
        for end in ends:
            e = np.flatnonzero(at[end[leased]] >= 0)
            j = at[end[leased[e]]]
            for f in (m.flow_fwd, m.flow_rev):
                terms.append((j[:, None] * T + tt, f[leased_pos[e]], 1.0))
        for node, cols, s in ((inst.src_node, m.capture, -sign), (inst.snk_node, m.injection, sign)):
            k = np.flatnonzero(at[node] >= 0)
            terms.append((at[node[k]][:, None] * T + tt, cols[k], s))
        # (a pipe counted for 0 where the node's sites cannot work is dropped with every
        # other zero when the matrix is assembled)
        lp.add_rows(f"node_cut_{name}", len(nodes) * T, terms, lo=np.repeat(-existing[nodes], T))


def define_targets(m: _Model, elastic_targets: bool,
                   shortfall_usd_per_t: float | None = None) -> None:
    """Target mode: the target stored in each period, and the covers over the binaries
    (none where targets may fall short: at a cost of 1 per Mt/yr with elastic targets,
    at ``shortfall_usd_per_t`` per tonne, discounted as every other cost)."""
    inst, lp, T, tt = m.inst, m.lp, m.T, m.tt
    I, K = len(inst.src_node), len(inst.snk_node)
    if inst.mode != "target":
        return
    # stated over capture (equal to injection in every period, by the balance rows):
    # with the sources' capacity rows it gives the solver flow cover cuts over the
    # capture binaries, as SimCCS's Σ a = target does (SoutheastUS 50 Mt/yr, root
    # bound after cuts 5,106 → 5,114, to 1 %: 4.1 → 2.6 s, median of 5 seeds;
    # benchmarks/README.md)
    terms = [(np.tile(tt, (I, 1)), m.capture, 1.0)]
    if elastic_targets or shortfall_usd_per_t is not None:
        short = lp.add_vars("target_shortfall", (T,), hi=inst.target_mtpa)
        terms.append((tt, short, 1.0))
        lp.add_cost(short, 1.0 if elastic_targets else shortfall_usd_per_t * inst.weight_years)
    exact = inst.storing_more_never_pays and not elastic_targets
    lp.add_rows("target", T, terms, lo=inst.target_mtpa,
                hi=inst.target_mtpa if exact else np.inf)
    if elastic_targets or shortfall_usd_per_t is not None:
        return
    # valid covers: the sites equipped must be able to capture the target, the sinks
    # open to inject it. Implied by the rows above, but stated over the binaries
    # alone they give the solver knapsack cover cuts at once (Shandong to 1 %:
    # 91 → 30 CPU s; benchmarks/README.md)
    M = inst.flow_bound_mtpa[None, :]
    lp.add_rows("capture_cover", T, [(np.tile(tt, (I, 1)), m.capture_on, m.built_max)],
                lo=inst.target_mtpa)
    lp.add_rows("injection_cover", T,
                [(np.tile(tt, (K, 1)), m.sink_open, np.minimum(inst.snk_inj_mtpa[:, None], M))],
                lo=inst.target_mtpa)


def _flow_map(m: _Model) -> tuple[sp.csr_matrix, tuple[np.ndarray, np.ndarray]]:
    """Every corridor's flow each way, from its flow column or its bare pipes' sizes:
    the (2·E·T, columns) map of :attr:`Formulation.flow_map`, and its (row, column)
    entries."""
    E, tt = m.E, m.tt
    flow_terms = [(0, m.kept, m.flow_fwd), (1, m.kept, m.flow_rev),
                  *((k, m.e_bare, q) for q, k in m.sized_flows)]
    rows = np.concatenate([((k * E + e)[:, None] * m.T + tt).ravel() for k, e, _ in flow_terms])
    cols = np.concatenate([v.ravel() for _, _, v in flow_terms])
    flow_map = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(2 * E * m.T, m.lp.n_cols))
    return flow_map, (rows, cols)


def _min_sizes(inst: Instance, sized: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S,) for each sized option its minimum size, the flow below which another option
    on its corridor costs no more, and (S,) that option (−1: none). A plan's pipe sized
    below the minimum can be swapped for one of the other option at no extra cost: exact
    where a corridor holds one pipe at most and the plan has one period (the swap then
    never meets a count limit or a later expansion).

    On a corridor, option o costs A_o + B_o·q a year for q Mt/yr sized (A, B its fixed
    and per-Mt/yr capex times CRF plus O&M; an unsized option has B = 0 and q its
    capacity). Another option p with A_p ≤ A_o costs no more for every q up to its
    capacity if B_p ≤ B_o, else up to where the two lines cross. Each replacement goes
    to a class lower in (A, B, position), so replacing until every minimum holds ends,
    and never costs more. SimCCS's two trends cross at 9.0446328 Mt/yr, just above the
    first trend's capacity 9.04463: a trend-2 pipe is never sized below 9.04463 Mt/yr.
    A minimum above the option's own capacity means the option is never laid."""
    fixed, per_mtpa = _pipe_annual_musd(inst)
    # every ordered pair (o sized, p any option) on the same corridor, o ≠ p
    order = np.argsort(inst.opt_corridor, kind="stable")
    _, start, count = np.unique(inst.opt_corridor[order], return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(count)), count)[np.argsort(order)]  # each option's
    o = np.repeat(sized, count[group[sized]])
    offset = np.arange(len(o)) - np.repeat(np.cumsum(count[group[sized]]) - count[group[sized]],
                                           count[group[sized]])
    p = order[start[group[o]] + offset]
    # p may replace o when its fixed part is lower, or equal with a per-Mt/yr part no
    # higher (of two identical classes, the first replaces the second, never both ways)
    tie = (fixed[p] == fixed[o]) & (per_mtpa[p] == per_mtpa[o])
    keep = (p != o) & (fixed[p] <= fixed[o]) & (~tie | (p < o))
    o, p = o[keep], p[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(per_mtpa[p] <= per_mtpa[o], np.inf,
                         (fixed[o] - fixed[p]) / (per_mtpa[p] - per_mtpa[o]))
    reach = np.minimum(inst.opt_cap_mtpa[p], cross)
    size = np.zeros(len(inst.opt_corridor))
    np.maximum.at(size, o, reach)
    by = np.full(len(inst.opt_corridor), -1)
    best = reach > 0
    best[best] = reach[best] == size[o[best]]
    by[o[best]] = p[best]
    return size[sized], by[sized]


def _pipe_annual_musd(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """(O,) each option's cost per pipe and year in service, and (O,) its part per Mt/yr
    sized: capex × (capital recovery factor + O&M fraction), plus any O&M of its own per
    pipe. The per-tonne transport cost is the corridor's, whichever option carries the
    flow."""
    annual = inst.crf_pipeline + inst.opt_om_fraction
    return inst.opt_capex_musd * annual + inst.opt_om_musd_per_yr, \
        inst.opt_capex_musd_per_mtpa * annual


def define_objective(m: _Model, flow_entries: tuple[np.ndarray, np.ndarray]) -> None:
    """The NPV (module docstring). ``flow_entries``: (row, column) of every flow in
    ``Formulation.flow_map``, whose rows run over (direction, corridor, period)."""
    inst, lp = m.inst, m.lp
    Wt = inst.weight_years[None, :]
    lp.add_cost(m.capture_on, ((inst.src_capex_musd * inst.crf_capture
                                + inst.src_fom_musd_per_yr)[:, None] * Wt))
    lp.add_cost(m.capture_built, ((inst.src_capex_musd_per_mtpa * inst.crf_capture
                                   + inst.src_fom_musd_per_yr_per_mtpa)[:, None] * Wt))
    lp.add_cost(m.capture, inst.src_var_usd_per_t[:, None] * Wt)
    fixed, per_mtpa = _pipe_annual_musd(inst)
    for p in m.pipes:
        lp.add_cost(p.n, fixed[:, None] * Wt)
        lp.add_cost(p.q, per_mtpa[m.sized][:, None] * Wt)
    # the per-tonne transport cost on every corridor's flow, each way (bare corridors':
    # on their pipes' sized capacity)
    rows, cols = flow_entries
    per_t = np.tile((inst.cor_var_usd_per_t[:, None] * Wt).ravel(), 2)
    lp.add_cost(cols, per_t[rows])
    e = m.kept[inst.cor_leased[m.kept]]
    fixed_per_yr = inst.cor_fixed_musd_per_yr[e]
    lp.add_cost(m.leased_on, fixed_per_yr[fixed_per_yr > 0][:, None] * Wt)
    annual = inst.crf_pipeline + inst.port_om_fraction
    for port, load in _loaded(m):
        lp.add_cost(load, inst.port_usd_per_t[port][:, None] * Wt)
    lp.add_cost(m.port_open, (inst.port_capex_musd * annual)[:, None] * Wt)
    lp.add_cost(m.port_capacity, (inst.port_capex_musd_per_mtpa * annual)[:, None] * Wt)
    hw = m.has_wells
    lp.add_cost(m.sink_open, ((inst.snk_capex_musd * inst.crf_storage
                               + inst.snk_fom_musd_per_yr)[:, None] * Wt))
    lp.add_cost(m.wells, ((inst.snk_well_capex_musd * inst.crf_storage
                           + inst.snk_well_fom_musd_per_yr)[hw][:, None] * Wt))
    lp.add_cost(m.injection, (inst.snk_cost_usd_per_t[:, None] - inst.price_usd_per_t[None, :]) * Wt)
