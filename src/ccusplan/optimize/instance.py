"""A case and its network as the numeric arrays the formulation needs.

Everything here is numpy, indexed by position: nodes ``0..N-1`` (sources, then
sinks, then junctions, each in id order), periods ``0..T-1``. Cost defaults are
filled, candidate corridors generated when the network has none, and every
corridor's pipe options (its size classes, or its one generic pipe) flattened
into one list so the formulation treats them uniformly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan.costs.defaults import fill_sink_costs, fill_source_costs
from ccusplan.costs.finance import discounted_years
from ccusplan.costs.modes import mode_costs, port_costs
from ccusplan.costs.pipeline import corridor_pipe_classes
from ccusplan.costs.pipes import builtin_pipe_classes
from ccusplan.model import LEASED_MODES, Case, Network, is_asset, is_pipeline
from ccusplan.optimize.bounds import corridor_flow_bounds
from ccusplan.reduce import Reduction, reduce_network
from ccusplan.routes.candidates import candidate_corridors, geodesic_km
from ccusplan.routes.mode_candidates import land_candidates, ship_candidates
from ccusplan.scenarios.trajectory import prices_usd_per_t, targets_mtpa

GENERIC_COLUMNS = ("capacity_mtpa", "fixed_cost_musd", "variable_cost_usd_per_t")


@dataclass(frozen=True)
class Instance:
    """Numeric model data. Units are in the names; money is MUSD, flows Mt/yr."""

    case: Case
    network: Network              # with cost defaults filled and corridors present
    mode: str
    years: np.ndarray             # (T,) period start years
    period_years: np.ndarray      # (T,) length of each period
    weight_years: np.ndarray      # (T,) discounted years in each period
    target_mtpa: np.ndarray       # (T,) zeros in price mode
    price_usd_per_t: np.ndarray   # (T,) zeros in target mode
    crf_capture: float
    crf_pipeline: float
    crf_storage: float
    node_ids: np.ndarray          # (N,)
    # sources (I)
    src_node: np.ndarray
    src_cap_mtpa: np.ndarray
    src_capex_musd: np.ndarray            # fixed, for equipping the site
    src_fom_musd_per_yr: np.ndarray
    src_capex_musd_per_mtpa: np.ndarray   # per Mt/yr of capture capacity built
    src_fom_musd_per_yr_per_mtpa: np.ndarray
    src_var_usd_per_t: np.ndarray
    src_available: np.ndarray     # (I, T) bool
    src_hub: np.ndarray           # (I,) bool: CO2 from elsewhere may pass through
    # sinks (K)
    snk_node: np.ndarray
    snk_cap_mt: np.ndarray
    snk_inj_mtpa: np.ndarray
    snk_cost_usd_per_t: np.ndarray
    snk_capex_musd: np.ndarray
    snk_fom_musd_per_yr: np.ndarray
    snk_well_mtpa: np.ndarray     # NaN: no well decision
    snk_well_capex_musd: np.ndarray
    snk_well_fom_musd_per_yr: np.ndarray
    snk_available: np.ndarray     # (K, T) bool
    snk_hub: np.ndarray           # (K,) bool: CO2 may pass on to elsewhere
    # corridors (E)
    cor_from: np.ndarray
    cor_to: np.ndarray
    cor_length_km: np.ndarray
    cor_existing_mtpa: np.ndarray
    cor_var_usd_per_t: np.ndarray
    # ship, truck and rail corridors (leased capacity, no pipes): their mode ("pipeline"
    # for the others), the cost of each year one carries CO2, and the most it may carry
    cor_mode: np.ndarray
    cor_fixed_musd_per_yr: np.ndarray
    cor_cap_mtpa: np.ndarray              # inf: no limit
    # ports (P): the junctions of kind port that some ship corridor reaches
    port_node: np.ndarray
    port_capex_musd: np.ndarray
    port_capex_musd_per_mtpa: np.ndarray
    port_om_fraction: np.ndarray
    port_usd_per_t: np.ndarray            # per tonne loaded onto ships
    # pipe options (O): one per (corridor, class), or one generic pipe
    opt_corridor: np.ndarray
    opt_class: np.ndarray         # class name
    opt_cap_mtpa: np.ndarray
    opt_capex_musd: np.ndarray            # fixed part on this corridor
    opt_capex_musd_per_mtpa: np.ndarray   # per Mt/yr sized, on this corridor
    opt_om_fraction: np.ndarray
    opt_om_musd_per_yr: np.ndarray        # fixed O&M per pipe and year, besides the fraction
    opt_max_count: np.ndarray
    reduction: Reduction | None = None   # what the case's [reduce] changed, if any

    @property
    def n_periods(self) -> int:
        return len(self.years)

    @property
    def cor_leased(self) -> np.ndarray:
        """(E,) True for the ship, truck and rail corridors."""
        return self.cor_mode != "pipeline"

    def port_loaded_mtpa(self, fwd: np.ndarray, rev: np.ndarray) -> np.ndarray:
        """(P, T) what each port loads onto ships: its ship corridors' flows away from it,
        from each corridor's flows from→to ``fwd`` and to→from ``rev`` (E, T)."""
        loaded = np.zeros((len(self.port_node), fwd.shape[1]))
        at = np.full(len(self.node_ids), -1)
        at[self.port_node] = np.arange(len(self.port_node))
        ship = np.flatnonzero(self.cor_mode == "ship")
        for end, leaving in ((self.cor_from, fwd), (self.cor_to, rev)):
            port = at[end[ship]]
            np.add.at(loaded, port[port >= 0], leaving[ship[port >= 0]])
        return loaded

    @property
    def max_flow_mtpa(self) -> float:
        """No corridor ever carries more than all capture or all injection."""
        return float(min(self.src_cap_mtpa.sum(), self.snk_inj_mtpa.sum()))

    @property
    def storing_more_never_pays(self) -> bool:
        """True when no tonne beyond the target can lower the cost: in target mode with
        every capture, storage and transport cost per tonne adding up to ≥ 0 on any
        path. Some optimal plan then stores exactly the target in each period."""
        return (self.mode == "target" and len(self.src_var_usd_per_t) > 0
                and float(self.src_var_usd_per_t.min() + self.snk_cost_usd_per_t.min()) >= 0
                and bool((self.cor_var_usd_per_t >= 0).all()))

    @property
    def src_may_capture(self) -> np.ndarray:
        """(I, T) sources some optimal plan may capture from in each period: those
        available, and in price mode only those that can pay. A source cannot pay when
        even at full capacity, stored at the cheapest sink net of the price and carried
        for free, its tonnes do not earn back its fixed cost; removing its flows from any
        plan then never costs more (transport costs are non-negative)."""
        ok = self.src_available.copy()
        if (self.mode != "price" or len(self.snk_cost_usd_per_t) == 0
                or not bool((self.cor_var_usd_per_t >= 0).all())):
            return ok
        stored = self.snk_cost_usd_per_t.min() - self.price_usd_per_t           # (T,)
        per_t = (self.src_var_usd_per_t + self.src_capex_musd_per_mtpa * self.crf_capture
                 + self.src_fom_musd_per_yr_per_mtpa)                              # (I,)
        fixed = self.src_capex_musd * self.crf_capture + self.src_fom_musd_per_yr  # (I,)
        best = fixed[:, None] + np.minimum(per_t[:, None] + stored[None, :], 0.0) \
            * self.src_cap_mtpa[:, None]
        return ok & (best < 0.0)

    @property
    def flow_bound_mtpa(self) -> np.ndarray:
        """(T,) a bound on any corridor's flow in each period, kept by some optimal plan:
        what can be captured and injected then, and the target when storing more
        never pays (flows beyond it, and circulations, can be removed at no cost)."""
        cap = (self.src_cap_mtpa[:, None] * self.src_may_capture).sum(axis=0)
        inj = (self.snk_inj_mtpa[:, None] * self.snk_available).sum(axis=0)
        bound = np.minimum(cap, inj)
        if self.storing_more_never_pays:
            bound = np.minimum(bound, self.target_mtpa)
        return bound

    @property
    def corridor_flow_bound_mtpa(self) -> np.ndarray:
        """(2, E, T) bounds on each corridor's flow from→to and to→from: the global
        bound, tightened on bridges by what lies on either side (:mod:`.bounds`), and at
        sites that are not hubs (``hub`` false) to what they capture or inject, or 0 the
        way they do not pass CO2."""
        N, T = len(self.node_ids), self.n_periods
        supply = np.zeros((N, T))
        injection = np.zeros((N, T))
        np.add.at(supply, self.src_node, self.src_cap_mtpa[:, None] * self.src_may_capture)
        np.add.at(injection, self.snk_node, self.snk_inj_mtpa[:, None] * self.snk_available)
        out = corridor_flow_bounds(N, self.cor_from, self.cor_to, supply, injection,
                                   self.flow_bound_mtpa)
        # sites that are not hubs: a source sends its own capture and receives nothing,
        # a sink receives what it can inject and sends nothing on
        leave, arrive = np.full((N, T), np.inf), np.full((N, T), np.inf)
        s, k = ~self.src_hub, ~self.snk_hub
        leave[self.src_node[s]] = supply[self.src_node[s]]
        arrive[self.src_node[s]] = 0.0
        arrive[self.snk_node[k]] = injection[self.snk_node[k]]
        leave[self.snk_node[k]] = 0.0
        for d, (tail, head) in enumerate(((self.cor_from, self.cor_to),
                                          (self.cor_to, self.cor_from))):
            out[d] = np.minimum(out[d], np.minimum(leave[tail], arrive[head]))
        return out


def _hub(table: pd.DataFrame) -> np.ndarray:
    """(n,) False for sites marked ``hub`` false (blank or no column: a hub)."""
    if "hub" not in table:
        return np.ones(len(table), dtype=bool)
    return ~(table["hub"].to_numpy(float) < 0.5)


def _available(table: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    first = table["available_from"].to_numpy(float)
    return ~(first[:, None] > years[None, :])  # NaN: always available


def _corridors(case: Case, network: Network) -> pd.DataFrame:
    """The given corridors; else, or also with ``[candidates] add_to_given``, candidates
    (a given pipeline corridor wins over a candidate joining the same two nodes; a given
    corridor of another mode stands beside it); and the ship, truck and rail candidates
    ``[candidates]`` asks for (:mod:`ccusplan.routes.mode_candidates`); with
    ``pipelines_at_sea = false``, no pipeline corridor at sea."""
    given = network.corridors
    if given is not None and not case.candidates.add_to_given:
        out = given
    else:
        c = _blank(candidate_corridors(
            network.nodes(), case.candidates.k_nearest, case.candidates.detour_factor))
        if given is not None:
            piped = given[is_pipeline(given)]
            taken = set(map(frozenset, zip(piped["from"], piped["to"])))
            fresh = [frozenset(p) not in taken for p in zip(c["from"], c["to"])]
            c = pd.concat([given, c[fresh]], ignore_index=True)
        c.attrs["generated"] = True
        out = c
    out = _with_mode_candidates(case, network, out)
    if not case.candidates.pipelines_at_sea:  # given assets (existing, generic) stay
        out = _without(out, is_pipeline(out) & offshore_corridors(out, network)
                       & ~is_asset(out))
    return out


def _without(c: pd.DataFrame, drop: np.ndarray) -> pd.DataFrame:
    """``c`` without the rows ``drop`` marks (index reset, ``attrs`` kept)."""
    out = c[~drop].reset_index(drop=True)
    out.attrs = dict(c.attrs)
    return out


def _blank(c: pd.DataFrame) -> pd.DataFrame:
    """Generated corridors with the columns a given one has, at their defaults."""
    c["terrain_factor"] = 1.0
    for col in ("cost_weight", *GENERIC_COLUMNS):
        c[col] = np.nan
    c["elevation_change_m"] = 0.0
    c["existing_capacity_mtpa"] = 0.0
    if "mode" not in c:
        c["mode"] = "pipeline"
    return c


def _with_mode_candidates(case: Case, network: Network, c: pd.DataFrame) -> pd.DataFrame:
    """``c`` and the ship, truck and rail candidates of ``[candidates]`` (a given corridor
    of the same mode and pair wins)."""
    spec = case.candidates
    if spec.truck_radius_km is None and spec.rail_radius_km is None and spec.ship_max_km is None:
        return c
    j = network.junctions
    xy = ["lon", "lat"]
    off = offshore_sinks(network)
    targets = pd.concat([network.sinks.loc[~off, xy], j[xy]])  # trucks and rail stay ashore
    parts = [land_candidates(network.sources[xy], targets, radius, spec.detour_factor, mode)
             for mode, radius in (("truck", spec.truck_radius_km), ("rail", spec.rail_radius_km))
             if radius is not None]
    if spec.ship_max_km is not None:
        parts.append(ship_candidates(j.loc[network.ports, xy], network.sinks.loc[off, xy],
                                     spec.ship_max_km, spec.sea_detour_factor))
    new = _blank(pd.concat(parts, ignore_index=True))
    mode = c["mode"].fillna("pipeline") if "mode" in c else pd.Series("pipeline", c.index)
    taken = set(zip(map(frozenset, zip(c["from"], c["to"])), mode))
    fresh = [(frozenset(p), m) not in taken for p, m in zip(zip(new["from"], new["to"]),
                                                            new["mode"])]
    out = pd.concat([c, new[fresh]], ignore_index=True)
    out.attrs = dict(c.attrs)
    return out


def _complete_corridors(c: pd.DataFrame, network: Network, detour: float) -> pd.DataFrame:
    """Fill default lengths (geodesic × detour) and cost weights."""
    c = c.copy()
    missing = c["length_km"].isna()
    if missing.any():
        nodes = network.nodes()
        a, b = nodes.loc[c.loc[missing, "from"]], nodes.loc[c.loc[missing, "to"]]
        c.loc[missing, "length_km"] = detour * geodesic_km(
            a["lon"].to_numpy(), a["lat"].to_numpy(), b["lon"].to_numpy(), b["lat"].to_numpy()
        )
    c["terrain_factor"] = c["terrain_factor"].fillna(1.0)
    c["cost_weight"] = c["cost_weight"].fillna(c["length_km"] * c["terrain_factor"])
    c["existing_capacity_mtpa"] = c["existing_capacity_mtpa"].fillna(0.0)
    c["mode"] = c["mode"].fillna("pipeline") if "mode" in c else "pipeline"
    generated = c.attrs.get("generated", False)
    c = c.reset_index(drop=True)
    c.attrs["generated"] = generated
    return c


def _piped(c: pd.DataFrame) -> np.ndarray:
    """Positions of the pipeline corridors without a generic pipe: those the pipe classes
    go on."""
    return np.flatnonzero(c["capacity_mtpa"].isna().to_numpy() & is_pipeline(c))


def classes_on_corridors(c: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Every pipe class on every pipeline corridor without a generic pipe, priced by its cost weight
    (and its right-of-way parts by the corridor's ``row_cost_weight``, when both are given).

    One row per (corridor position, class): ``corridor``, ``name``, ``capacity_mtpa``,
    ``capex_musd``, ``capex_musd_per_mtpa`` (for the capacity sized), ``om_fraction_per_yr``
    and ``om_musd_per_yr`` (the class's O&M per km, if given, × the corridor's length).
    """
    e = _piped(c)
    k = np.arange(len(classes))
    e, k = np.repeat(e, len(k)), np.tile(k, len(e))
    cw = c["cost_weight"].to_numpy(float)[e]
    rw = c["row_cost_weight"].fillna(0.0).to_numpy(float)[e] if "row_cost_weight" in c else 0.0
    col = lambda name: classes[name].to_numpy(float)[k]  # noqa: E731
    row = lambda name: col(name) if name in classes else 0.0  # noqa: E731
    return pd.DataFrame({
        "corridor": e, "name": classes["name"].to_numpy(object)[k],
        "capacity_mtpa": col("capacity_mtpa"),
        "capex_musd": cw * col("capex_musd_per_unit") + rw * row("row_capex_musd_per_unit"),
        "capex_musd_per_mtpa": (cw * col("capex_musd_per_unit_per_mtpa")
                                + rw * row("row_capex_musd_per_unit_per_mtpa")),
        "om_fraction_per_yr": col("om_fraction_per_yr"),
        "om_musd_per_yr": row("om_musd_per_km_per_yr") * c["length_km"].to_numpy(float)[e],
    })


def offshore_sinks(net: Network) -> np.ndarray:
    """(K,) True for the sinks at sea: marked ``offshore``, or of kind ``saline_offshore``
    where blank."""
    sink_off = net.sinks["offshore"] if "offshore" in net.sinks else \
        pd.Series(np.nan, index=net.sinks.index)
    return (sink_off.fillna((net.sinks["kind"] == "saline_offshore").astype(float)) > 0.5
            ).to_numpy()


def offshore_corridors(c: pd.DataFrame, net: Network) -> np.ndarray:
    """(E,) True for the corridors at sea: those marked ``offshore``, and where the column
    is blank (or absent, as for generated candidates) those ending at an offshore sink (a
    sink marked ``offshore``, or of kind ``saline_offshore`` where blank)."""
    ids = net.sinks.index[offshore_sinks(net)]
    ends = (c["from"].isin(ids) | c["to"].isin(ids)).to_numpy()
    marked = c["offshore"].to_numpy(float) if "offshore" in c else np.full(len(c), np.nan)
    return np.where(np.isnan(marked), ends, marked > 0.5)


def engineered_classes(c: pd.DataFrame, net: Network, case: Case, crf: float) -> pd.DataFrame:
    """Every standard size on every pipeline corridor without a generic pipe, from the engineering
    model (capacity from hydraulics, exact capital cost at the corridor's length).

    The corridor's ``cost_weight`` keeps its meaning — what pipe costs scale with — as the
    terrain factor ``cost_weight / length_km``. Offshore corridors
    (:func:`offshore_corridors`) are priced as offshore pipe.
    """
    e = _piped(c)
    length = c["length_km"].to_numpy(float)[e]
    with np.errstate(divide="ignore", invalid="ignore"):
        terrain = np.where(length > 0, c["cost_weight"].to_numpy(float)[e] / length, 1.0)
    offshore = offshore_corridors(c, net)[e]
    # flow may run either way: size for the uphill direction (the smaller capacity)
    uphill = np.abs(c["elevation_change_m"].fillna(0.0).to_numpy(float)[e])
    t = corridor_pipe_classes(length, terrain, offshore, case.pipeline, crf, uphill)
    t["corridor"] = e[t["corridor"].to_numpy()]
    sizes = case.pipeline.sizes_in
    keep = t["capacity_mtpa"] > 0
    if sizes is not None:
        keep &= t["nps_in"].isin(sizes)
    return t[keep]


def _generic_options(c: pd.DataFrame) -> pd.DataFrame:
    """The one generic pipe of each corridor that states its capacity and costs."""
    g = np.flatnonzero(c["capacity_mtpa"].notna().to_numpy() & is_pipeline(c))
    return pd.DataFrame({
        "corridor": g, "name": "generic",
        "capacity_mtpa": c["capacity_mtpa"].to_numpy(float)[g],
        "capex_musd": c["fixed_cost_musd"].to_numpy(float)[g],
        "capex_musd_per_mtpa": 0.0, "om_fraction_per_yr": 0.0, "generic": True,
    })


def _options(sized: pd.DataFrame, generic: pd.DataFrame, max_flow: float,
             capex_multiplier: float = 1.0) -> dict[str, np.ndarray]:
    """Flat option arrays, corridor-major; counts bounded by what can ever flow; capital
    costs × ``capex_multiplier`` (``[costs] pipeline_cost_multiplier``)."""
    o = pd.concat([sized.assign(generic=False), generic], ignore_index=True)
    o = o.sort_values("corridor", kind="stable")
    cap = o["capacity_mtpa"].to_numpy(float)
    count = np.ceil(max_flow / np.maximum(cap, 1e-12) - 1e-9)
    return {
        "opt_corridor": o["corridor"].to_numpy(int),
        "opt_class": o["name"].to_numpy(object),
        "opt_cap_mtpa": cap,
        "opt_capex_musd": o["capex_musd"].to_numpy(float) * capex_multiplier,
        "opt_capex_musd_per_mtpa": o["capex_musd_per_mtpa"].to_numpy(float) * capex_multiplier,
        "opt_om_fraction": o["om_fraction_per_yr"].to_numpy(float),
        "opt_om_musd_per_yr": (o["om_musd_per_yr"].fillna(0.0).to_numpy(float)
                               if "om_musd_per_yr" in o else np.zeros(len(o))),
        "opt_max_count": np.where(o["generic"].to_numpy(bool), 1.0, np.maximum(count, 1.0)),
    }


def _leased(case: Case, c: pd.DataFrame, net: Network, pos: pd.Series) -> dict[str, np.ndarray]:
    """The corridor arrays of the modes (:attr:`Instance.cor_mode` …), the per-tonne cost
    of every corridor, and the ports. A ship, truck or rail corridor costs its mode's
    USD per tonne plus USD per t·km × its length (or its ``variable_cost_usd_per_t``), and
    its mode's fixed cost for each year it carries CO2; a port, its cost per tonne loaded
    (:func:`.formulation.define_ports`)."""
    mode = c["mode"].to_numpy(object)
    length = c["length_km"].to_numpy(float)
    per_t = c["variable_cost_usd_per_t"].to_numpy(float).copy()
    fixed = np.zeros(len(c))
    costs = mode_costs(case)
    for m in LEASED_MODES:
        on = mode == m
        per_t[on] = np.where(np.isnan(per_t[on]), costs[m].per_t(length[on]), per_t[on])
        fixed[on] = costs[m].fixed_musd_per_yr
    cap = np.where((mode != "pipeline") & c["capacity_mtpa"].notna().to_numpy(),
                   c["capacity_mtpa"].to_numpy(float), np.inf)
    # the ports some ship corridor reaches, in node order
    ship = mode == "ship"
    ports = net.ports[np.isin(net.ports, np.concatenate([c["from"].to_numpy(object)[ship],
                                                          c["to"].to_numpy(object)[ship]]))]
    port = port_costs(case)
    j = net.junctions.loc[ports]
    own = lambda col, default: (j[col].fillna(default).to_numpy(float) if col in j  # noqa: E731
                                else np.full(len(j), default))
    return {
        "cor_var_usd_per_t": np.nan_to_num(per_t, nan=0.0),
        "cor_mode": mode, "cor_fixed_musd_per_yr": fixed, "cor_cap_mtpa": cap,
        "port_node": pos[ports].to_numpy(int),
        "port_capex_musd": own("port_capex_musd", port.capex_musd),
        "port_capex_musd_per_mtpa": own("port_capex_musd_per_mtpa", port.capex_musd_per_mtpa),
        "port_om_fraction": np.full(len(ports), port.om_fraction_per_yr),
        "port_usd_per_t": own("port_cost_usd_per_t", port.usd_per_t),
    }


def sized_options(case: Case, net: Network, corridors: pd.DataFrame, crf: float) -> pd.DataFrame:
    """The network's own pipe classes, else the engineering model, else the built-in table."""
    if net.pipe_classes is not None:
        return classes_on_corridors(corridors, net.pipe_classes)
    if case.pipeline.engineering:
        return engineered_classes(corridors, net, case, crf)
    return classes_on_corridors(corridors, builtin_pipe_classes())


def prepare(case: Case, network: Network) -> Instance:
    """Fill defaults, generate corridors if needed, and flatten everything into arrays."""
    year = case.pipeline.cost_year
    sources = fill_source_costs(network.sources.sort_index(), year,
                                case.costs.capture_cost_multiplier)
    sinks = fill_sink_costs(network.sinks.sort_index(), year)
    junctions = network.junctions.sort_index()
    net = Network(network.name, sources, sinks, junctions, network.corridors,
                  network.pipe_classes, network.path)
    detour = case.candidates.detour_factor
    corridors_of = lambda n: _complete_corridors(_corridors(case, n), n, detour)  # noqa: E731
    reduction = None
    if case.reduce is not None:
        net, corridors, reduction = reduce_network(net, case.reduce, detour, corridors_of)
        sources = net.sources
    else:
        corridors = corridors_of(net)
    net = net.with_corridors(corridors)

    node_ids = np.concatenate([sources.index, sinks.index, junctions.index]).astype(object)
    pos = pd.Series(np.arange(len(node_ids)), index=node_ids)
    years = np.asarray(case.horizon.periods)
    lengths = np.asarray(case.horizon.lengths_years)
    fin = case.finance
    crf = fin.crf_of

    max_flow = float(min(sources["capacity_mtpa"].sum(), sinks["max_injection_mtpa"].sum()))
    target = targets_mtpa(case) if case.case.mode == "target" else np.zeros(len(years))
    return Instance(
        case=case, network=net, mode=case.case.mode,
        years=years, period_years=lengths,
        weight_years=discounted_years(list(years), list(lengths), fin.discount_rate),
        target_mtpa=target, price_usd_per_t=prices_usd_per_t(case),
        crf_capture=crf(fin.capture_life_years), crf_pipeline=crf(fin.pipeline_life_years),
        crf_storage=crf(fin.storage_life_years),
        node_ids=node_ids,
        src_node=pos[sources.index].to_numpy(),
        src_cap_mtpa=sources["capacity_mtpa"].to_numpy(float),
        src_capex_musd=sources["capture_capex_musd"].to_numpy(float),
        src_fom_musd_per_yr=sources["capture_fixed_om_musd_per_yr"].to_numpy(float),
        src_capex_musd_per_mtpa=sources["capture_capex_musd_per_mtpa"].to_numpy(float),
        src_fom_musd_per_yr_per_mtpa=sources["capture_fixed_om_musd_per_yr_per_mtpa"].to_numpy(float),
        src_var_usd_per_t=sources["capture_cost_usd_per_t"].to_numpy(float),
        src_available=_available(sources, years),
        src_hub=_hub(sources),
        snk_node=pos[sinks.index].to_numpy(),
        snk_cap_mt=sinks["capacity_mt"].to_numpy(float),
        snk_inj_mtpa=sinks["max_injection_mtpa"].to_numpy(float),
        snk_cost_usd_per_t=sinks["storage_cost_usd_per_t"].to_numpy(float),
        snk_capex_musd=sinks["storage_capex_musd"].to_numpy(float),
        snk_fom_musd_per_yr=sinks["storage_fixed_om_musd_per_yr"].to_numpy(float),
        snk_well_mtpa=sinks["well_capacity_mtpa"].to_numpy(float),
        snk_well_capex_musd=sinks["well_capex_musd"].to_numpy(float),
        snk_well_fom_musd_per_yr=sinks["well_fixed_om_musd_per_yr"].to_numpy(float),
        snk_available=_available(sinks, years),
        snk_hub=_hub(sinks),
        cor_from=pos[corridors["from"]].to_numpy(),
        cor_to=pos[corridors["to"]].to_numpy(),
        cor_length_km=corridors["length_km"].to_numpy(float),
        cor_existing_mtpa=corridors["existing_capacity_mtpa"].to_numpy(float),
        **_leased(case, corridors, net, pos),
        **_options(sized_options(case, net, corridors, crf(fin.pipeline_life_years)),
                   _generic_options(corridors), max_flow, case.costs.pipeline_cost_multiplier),
        reduction=reduction,
    )
