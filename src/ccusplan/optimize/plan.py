"""Read a solution vector back into plan tables (per asset and period).

Tables (long format, one row per asset and period in service or in use):

* ``sources``: source_id, name, kind, period, equipped, built_this_period,
  site_max_mtpa, built_capacity_mtpa, captured_mtpa, capex_musd (spent this period);
* ``sinks``: sink_id, name, kind, period, open, opened_this_period, wells,
  injected_mtpa, cumulative_mt (at the period's end), capacity_mt, capex_musd (opening
  and wells added this period);
* ``pipelines``: corridor, from, to, period, pipe_class, pipes, pipes_added,
  capacity_mtpa (of that class), flow_mtpa (the share of the corridor's flow those
  pipes carry, in proportion to their capacity, so that a corridor's rows add up to its
  flow; signed: + means from → to), length_km, capex_musd (of the pipes added this
  period), mode (pipeline, ship, truck, rail). Existing capacity is a row of class
  ``existing``; a ship, truck or rail corridor carrying CO2 is a row of its mode's name
  as class, with no pipes, the capacity leased (what it carries) and no capital;
* ``ports``: port_id, name, period, open, opened_this_period, capacity_mtpa,
  throughput_mtpa (loaded onto ships), capex_musd (spent this period);

and the NPV (MUSD) by part, in total and per period, for the summary, the timeline and
the levelised cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan.optimize.formulation import CAPTURE_BLOCKS, STORAGE_BLOCKS, Formulation
from ccusplan.optimize.instance import Instance

TOL = 1e-6


@dataclass(frozen=True)
class Plan:
    sources: pd.DataFrame
    sinks: pd.DataFrame
    pipelines: pd.DataFrame
    ports: pd.DataFrame
    npv_musd: dict[str, float]           # capture, transport, storage, revenue (≤ 0)
    npv_musd_by_period: dict[str, np.ndarray]  # the same parts, (T,) each: paid in period t
    #: transport's NPV split by mode, (T,) each: pipelines (pipes and their flows), and each
    #: mode the network has corridors of (ships with their ports)
    transport_musd_by_mode: dict[str, np.ndarray]
    stored_mtpa: np.ndarray              # (T,)
    captured_mtpa: np.ndarray            # (T,)
    discounted_stored_mt: float

    @property
    def pipeline_km(self) -> float:
        """Length of new pipe laid over all periods (each added pipe counted once)."""
        p = self.pipelines
        return float((p["pipes_added"] * p["length_km"]).sum()) if len(p) else 0.0


def _values(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return _clean(x[idx])


def _clean(v: np.ndarray) -> np.ndarray:
    return np.where(np.abs(v) < TOL, 0.0, v)


def _added(v: np.ndarray) -> np.ndarray:
    return np.diff(v, axis=1, prepend=0.0)


def read_plan(inst: Instance, form: Formulation, x: np.ndarray) -> Plan:
    b = form.lp.blocks
    years = inst.years
    T = len(years)
    W = inst.weight_years
    net = inst.network

    on = np.rint(_values(x, b["capture_on"]))
    built = _values(x, b["capture_built"])
    cap = _values(x, b["capture"])
    src = net.sources
    used = np.flatnonzero((on > 0).any(axis=1) | (cap > TOL).any(axis=1))
    sources = pd.DataFrame({
        "source_id": np.repeat(src.index.to_numpy()[used], T),
        "name": np.repeat(src["name"].to_numpy()[used], T),
        "kind": np.repeat(src["kind"].to_numpy()[used], T),
        "period": np.tile(years, len(used)),
        "equipped": on[used].ravel().astype(int),
        "built_this_period": (_added(on)[used] > 0).ravel().astype(int),
        "site_max_mtpa": np.repeat(inst.src_cap_mtpa[used], T),
        "built_capacity_mtpa": built[used].ravel(),
        "captured_mtpa": cap[used].ravel(),
        "capex_musd": ((_added(on) > 0) * inst.src_capex_musd[:, None]
                       + _added(built) * inst.src_capex_musd_per_mtpa[:, None])[used].ravel(),
    })

    opened = np.rint(_values(x, b["sink_open"]))
    inj = _values(x, b["injection"])
    wells = np.zeros_like(inj)
    has_wells = np.flatnonzero(~np.isnan(inst.snk_well_mtpa))
    wells[has_wells] = np.rint(_values(x, b["wells"]))
    snk = net.sinks
    used = np.flatnonzero((opened > 0).any(axis=1) | (inj > TOL).any(axis=1))
    sinks = pd.DataFrame({
        "sink_id": np.repeat(snk.index.to_numpy()[used], T),
        "name": np.repeat(snk["name"].to_numpy()[used], T),
        "kind": np.repeat(snk["kind"].to_numpy()[used], T),
        "period": np.tile(years, len(used)),
        "open": opened[used].ravel().astype(int),
        "opened_this_period": (_added(opened)[used] > 0).ravel().astype(int),
        "wells": wells[used].ravel().astype(int),
        "injected_mtpa": inj[used].ravel(),
        "cumulative_mt": np.cumsum(inj * inst.period_years[None, :], axis=1)[used].ravel(),
        "capacity_mt": np.repeat(inst.snk_cap_mt[used], T),
        "capex_musd": ((_added(opened) > 0) * inst.snk_capex_musd[:, None]
                       + _added(wells) * np.nan_to_num(inst.snk_well_capex_musd)[:, None]
                       )[used].ravel(),
    })

    pipes = np.rint(form.pipes(x))
    fwd, rev = form.flows(x)
    flow = _clean(fwd) - _clean(rev)
    cor = net.corridors
    o = np.flatnonzero(pipes.any(axis=1))
    e = inst.opt_corridor[o]
    rows = pd.DataFrame({
        "corridor": np.repeat(e, T),
        "from": np.repeat(cor["from"].to_numpy()[e], T),
        "to": np.repeat(cor["to"].to_numpy()[e], T),
        "period": np.tile(years, len(o)),
        "pipe_class": np.repeat(inst.opt_class[o], T),
        "pipes": pipes[o].ravel().astype(int),
        "pipes_added": _added(pipes)[o].ravel().astype(int),
        "capacity_mtpa": (pipes * inst.opt_cap_mtpa[:, None])[o].ravel(),
        "flow_mtpa": flow[e].ravel(),
        "length_km": np.repeat(inst.cor_length_km[e], T),
        "capex_musd": (_added(pipes) * inst.opt_capex_musd[:, None])[o].ravel(),
    })
    if len(form.sized):
        size = np.zeros_like(pipes)
        size[form.sized] = _clean(form.pipe_size(x))
        rows["capacity_mtpa"] = np.where(
            np.isin(np.repeat(o, T), form.sized), size[o].ravel(), rows["capacity_mtpa"])
        rows["capex_musd"] += (_added(size) * inst.opt_capex_musd_per_mtpa[:, None])[o].ravel()
    # existing capacity carrying flow, with or without new pipes beside it
    ex = np.flatnonzero((inst.cor_existing_mtpa > 0) & (np.abs(flow) > TOL).any(axis=1))
    existing = pd.DataFrame({
        "corridor": np.repeat(ex, T), "from": np.repeat(cor["from"].to_numpy()[ex], T),
        "to": np.repeat(cor["to"].to_numpy()[ex], T), "period": np.tile(years, len(ex)),
        "pipe_class": "existing", "pipes": 0, "pipes_added": 0,
        "capacity_mtpa": np.repeat(inst.cor_existing_mtpa[ex], T), "flow_mtpa": flow[ex].ravel(),
        "length_km": np.repeat(inst.cor_length_km[ex], T), "capex_musd": 0.0,
    })
    # ship, truck and rail corridors carrying CO2: leased capacity, what they carry
    le = np.flatnonzero(inst.cor_leased & (np.abs(flow) > TOL).any(axis=1))
    carried = (_clean(fwd) + _clean(rev))[le]
    leased = pd.DataFrame({
        "corridor": np.repeat(le, T), "from": np.repeat(cor["from"].to_numpy()[le], T),
        "to": np.repeat(cor["to"].to_numpy()[le], T), "period": np.tile(years, len(le)),
        "pipe_class": np.repeat(inst.cor_mode[le], T), "pipes": 0, "pipes_added": 0,
        "capacity_mtpa": carried.ravel(), "flow_mtpa": flow[le].ravel(),
        "length_km": np.repeat(inst.cor_length_km[le], T), "capex_musd": 0.0,
    })
    pipelines = pd.concat([t for t in (rows, existing, leased) if len(t)] or [rows],
                          ignore_index=True)
    # each row carries the corridor's flow in proportion to its capacity: the rows of a
    # corridor and period add up to its flow
    key = [pipelines["corridor"], pipelines["period"]]
    total = pipelines.groupby(key)["capacity_mtpa"].transform("sum")
    share = np.where(total > TOL, pipelines["capacity_mtpa"] / total.where(total > TOL, 1.0),
                     1.0 / pipelines.groupby(key)["capacity_mtpa"].transform("size"))
    pipelines["flow_mtpa"] = pipelines["flow_mtpa"] * share
    pipelines = pipelines[(pipelines["pipes"] > 0) | (pipelines["flow_mtpa"].abs() > TOL)]
    pipelines = pipelines.sort_values(["corridor", "pipe_class", "period"]).reset_index(drop=True)
    pipelines["mode"] = inst.cor_mode[pipelines["corridor"].to_numpy(int)]

    by_period = _npv_by_part(inst, form, x)
    npv = {k: float(v.sum()) + 0.0 for k, v in by_period.items()}
    stored = inj.sum(axis=0)
    return Plan(sources, sinks, pipelines, _ports(inst, form, x, fwd, rev), npv, by_period,
                _transport_by_mode(inst, form, x), stored, cap.sum(axis=0),
                float(stored @ W))


def _ports(inst: Instance, form: Formulation, x: np.ndarray, fwd: np.ndarray,
           rev: np.ndarray) -> pd.DataFrame:
    """The ports table (module docstring): the ports ever open, per period; ``fwd``,
    ``rev``: each corridor's flows (E, T)."""
    b = form.lp.blocks
    T, years = inst.n_periods, inst.years
    opened = np.rint(_values(x, b["port_open"]))
    cap = _values(x, b["port_capacity"])
    through = inst.port_loaded_mtpa(_clean(fwd), _clean(rev))
    used = np.flatnonzero((opened > 0).any(axis=1))
    ids = inst.node_ids[inst.port_node]
    j = inst.network.junctions
    names = j["name"].reindex(ids).to_numpy(object) if "name" in j else ids
    return pd.DataFrame({
        "port_id": np.repeat(ids[used], T), "name": np.repeat(names[used], T),
        "period": np.tile(years, len(used)),
        "open": opened[used].ravel().astype(int),
        "opened_this_period": (_added(opened)[used] > 0).ravel().astype(int),
        "capacity_mtpa": cap[used].ravel(), "throughput_mtpa": through[used].ravel(),
        "capex_musd": ((_added(opened) > 0) * inst.port_capex_musd[:, None]
                       + _added(cap) * inst.port_capex_musd_per_mtpa[:, None])[used].ravel(),
    })


def _transport_by_mode(inst: Instance, form: Formulation, x: np.ndarray) -> dict[str, np.ndarray]:
    """Transport's NPV (MUSD) per mode and period: pipelines are their pipes and the flows
    on pipeline corridors; a ship, truck or rail mode its corridors' flows and fixed costs
    a year, ships their ports' terminals too. The modes add up to the transport part."""
    c = form.lp.arrays()["c"]
    b = form.lp.blocks
    T, E = inst.n_periods, len(inst.cor_from)
    paid = lambda cols: (c[cols] * x[cols]).reshape(-1, T).sum(axis=0)  # noqa: E731
    out = {"pipeline": sum((paid(b[n]) for n in form.pipe_block_names), np.zeros(T))}
    fm = form.flow_map.tocsc()
    for name in ("flow_fwd", "flow_rev"):
        cols = b[name][:, 0]
        corridor = (fm.indices[fm.indptr[cols]] // T) % E if len(cols) else cols
        for mode in np.unique(inst.cor_mode[corridor]):
            on = b[name][inst.cor_mode[corridor] == mode]
            out[mode] = out.get(mode, np.zeros(T)) + paid(on)
    in_use = np.flatnonzero(inst.cor_leased & (inst.cor_fixed_musd_per_yr > 0))
    for mode in np.unique(inst.cor_mode[in_use]):
        on = b["leased_on"][inst.cor_mode[in_use] == mode]
        out[mode] = out.get(mode, np.zeros(T)) + paid(on)
    if len(inst.port_node):
        out["ship"] = out.get("ship", np.zeros(T)) + paid(b["port_open"]) + paid(b["port_capacity"])
    return {k: v + 0.0 for k, v in out.items()}


def _npv_by_part(inst: Instance, form: Formulation, x: np.ndarray) -> dict[str, np.ndarray]:
    """NPV (MUSD) of capture, transport and storage costs and of price revenue, per period.

    Every variable block is (rows, T), so the objective splits exactly by period: what
    period t's annuities, O&M and per-tonne costs add, discounted.
    """
    c = form.lp.arrays()["c"]
    b = form.lp.blocks
    T = inst.n_periods

    def part(*names: str) -> np.ndarray:
        return sum((c[b[n]] * x[b[n]]).reshape(-1, T).sum(axis=0) for n in names)

    revenue = -(inst.price_usd_per_t * inst.weight_years) * x[b["injection"]].sum(axis=0) + 0.0
    return {
        "capture": part(*CAPTURE_BLOCKS),
        "transport": part(*form.transport_block_names),
        "storage": part(*STORAGE_BLOCKS) - revenue,
        "revenue": revenue,
    }
