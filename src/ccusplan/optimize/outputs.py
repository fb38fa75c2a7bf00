"""The result contract's content, from a solved :class:`Outcome`: ``summary.json``'s
keys, the plan tables and the built network as GeoJSON (written by ``io.results``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, mapping

import ccusplan
from ccusplan.costs.emissions import avoided_mtpa, default_grid_t_per_mwh
from ccusplan.costs.pipeline import pumping_mwh_per_yr
from ccusplan.optimize import Outcome
from ccusplan.optimize.capital import capital_operating
from ccusplan.optimize.timeline import sink_timeline, timeline

def _clean(v):
    """JSON-safe: numpy scalars to Python, NaN/inf to null."""
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@dataclass(frozen=True)
class Results:
    """What a solve writes, computed once from its outcome (:meth:`of`): ``summary.json``'s
    content, the plan tables and timelines by file name, and ``network.geojson``. The
    writer, the figures and the command line's summary all read this one object."""

    outcome: Outcome
    summary: dict
    tables: dict[str, pd.DataFrame]
    geojson: dict

    @classmethod
    def of(cls, outcome: Outcome) -> Results:
        avoided = _avoided_mtpa(outcome)  # the pumping energy's hydraulics, once
        return cls(outcome, summary(outcome, avoided), plan_tables(outcome, avoided),
                   network_geojson(outcome))


#: How capital enters the objective (``summary.json``'s ``capital_convention``, the report,
#: docs/model.md).
CAPITAL_CONVENTION = (
    "capital counts as annuities (capital recovery factor × capital) for the years each "
    "asset is in service within the horizon: an asset built late pays only the years "
    "left, and the value it keeps beyond the horizon is neither paid nor credited (no "
    "salvage value is needed)")


def summary(outcome: Outcome, avoided: np.ndarray | None = None) -> dict:
    """The core keys of ``summary.json`` (those every solve writes, up to
    ``ccusplan_version``), then the further keys (``mode`` onwards). ``avoided``: the net
    CO2 avoided per period, if already computed.

    ``objective_unit`` says what ``objective_musd`` is: ``MUSD/yr`` for one period of one
    year (SimCCS's unit), ``MUSD (NPV)`` otherwise; ``objective_musd_by_part`` splits it
    into capture, transport, storage and revenue, as SimCCS's ``solution.csv`` does.
    """
    inst, res, plan = outcome.instance, outcome.result, outcome.plan
    years = [int(y) for y in inst.years]
    stored = plan.stored_mtpa if plan is not None else np.zeros(len(years))
    levelized = levelized_avoided = None
    avoided = _avoided_mtpa(outcome) if avoided is None else avoided
    if plan is not None and plan.discounted_stored_mt > 1e-9:
        cost = plan.npv_musd["capture"] + plan.npv_musd["transport"] + plan.npv_musd["storage"]
        levelized = cost / plan.discounted_stored_mt
        discounted_avoided = float(avoided @ inst.weight_years)
        if discounted_avoided > 1e-9:
            levelized_avoided = cost / discounted_avoided
    s = {
        "case": inst.case.name,
        "status": str(res.status),
        "objective_musd": res.objective,
        "best_bound_musd": res.best_bound,
        "mip_gap": res.mip_gap,
        "levelized_cost_usd_per_t": levelized,
        "solver": res.solver,
        "build_seconds": round(outcome.build_seconds, 4),
        "solve_seconds": round(res.solve_seconds, 4),
        **outcome.sizes,
        "stored_mtpa_by_period": {y: round(float(v), 6) for y, v in zip(years, stored)},
        "pipeline_km": round(plan.pipeline_km, 3) if plan is not None else 0.0,
        "ccusplan_version": ccusplan.__version__,
        # additions
        "termination": str(res.termination),
        "mode": inst.mode,
        "target_mtpa_by_period": {y: float(v) for y, v in zip(years, inst.target_mtpa)},
        "captured_mtpa_by_period": (
            {y: round(float(v), 6) for y, v in zip(years, plan.captured_mtpa)} if plan else {}),
        "avoided_mtpa_by_period": {y: round(float(v), 6) for y, v in zip(years, avoided)},
        "levelized_cost_usd_per_t_avoided": levelized_avoided,
        "grid_t_per_mwh": _grid(inst),
        "npv_musd_by_part": ({k: round(v, 6) for k, v in plan.npv_musd.items()} if plan else {}),
        "npv_musd_capital_operating": _capital_operating(outcome),
        "sources_equipped": int(plan.sources["source_id"].nunique()) if plan else 0,
        "sinks_opened": int(plan.sinks["sink_id"].nunique()) if plan else 0,
        "corridors_generated": bool(inst.network.corridors.attrs.get("generated", False)),
        "reduction": inst.reduction.summary() if inst.reduction is not None else None,
        "diagnosis": outcome.diagnosis,
        "time_limit_s": outcome.time_limit_s,
        "units": (f"money in {objective_unit(inst)}"
                  + ("" if is_annual(inst) else ", at the first period's start year")
                  + "; flows in Mt/yr"),
        "objective_unit": objective_unit(inst),
        "capital_convention": CAPITAL_CONVENTION,
        "objective_musd_by_part": (
            {k: round(v, 6) for k, v in plan.npv_musd.items()} if plan else {}),
        **_polish_keys(outcome),
    }
    return _clean(s)


def _polish_keys(outcome: Outcome) -> dict:
    """The transport design's polish (see :mod:`.polish`): the transport cost before and
    after, the bound proven on it for the plan's sites, the transport gap; None if the
    plan was not polished."""
    p = outcome.polished
    return {"transport_musd_before_polish": None if p is None else p.transport_before_musd,
            "transport_musd": None if p is None else p.transport_musd,
            "transport_bound_musd": None if p is None else p.transport_bound_musd,
            "transport_gap": None if p is None else p.transport_gap,
            "polish_seconds": None if p is None else round(p.seconds, 4)}


def _capital_operating(outcome: Outcome) -> dict:
    """NPV of capture, transport and storage split into capital and operating (see
    :mod:`ccusplan.optimize.capital`); empty without a plan."""
    if outcome.plan is None:
        return {}
    split = capital_operating(outcome.instance, outcome.formulation, outcome.result.x,
                              outcome.plan.npv_musd)
    return {part: {k: round(v, 6) for k, v in kinds.items()} for part, kinds in split.items()}


def is_annual(inst) -> bool:
    """True for one period of one year: its objective is a cost per year (the first year is
    never discounted), e.g. SimCCS's MUSD/yr."""
    return inst.n_periods == 1 and int(inst.period_years[0]) == 1


def objective_unit(inst) -> str:
    """``MUSD/yr`` for a one-period, one-year case, ``MUSD (NPV)`` otherwise."""
    return "MUSD/yr" if is_annual(inst) else "MUSD (NPV)"


def _grid(inst) -> float:
    g = inst.case.emissions.grid_t_per_mwh
    return default_grid_t_per_mwh() if g is None else g


def _avoided_mtpa(outcome: Outcome) -> np.ndarray:
    """Net CO2 avoided per period: stored minus the emissions of the energy CCUS uses."""
    plan, inst = outcome.plan, outcome.instance
    if plan is None:
        return np.zeros(len(inst.years))
    by_kind = {
        kind: g.groupby("period")["captured_mtpa"].sum().reindex(inst.years, fill_value=0.0)
        .to_numpy()
        for kind, g in plan.sources.groupby("kind")
    }
    return avoided_mtpa(plan.stored_mtpa, by_kind, _grid(inst), _pumping_mwh_per_yr(outcome))


def _pumping_mwh_per_yr(outcome: Outcome) -> np.ndarray:
    """Pumping electricity per period for the engineered pipes of the plan (0 for table
    or generic pipes, whose diameters are unknown). A corridor's flow splits over the
    pipes in service in proportion to their capacity."""
    inst, p = outcome.instance, outcome.plan.pipelines
    out = np.zeros(len(inst.years))
    nps = pd.to_numeric(p["pipe_class"].str.rstrip('"'), errors="coerce")
    engineered = inst.case.pipeline.engineering and inst.network.pipe_classes is None
    if not engineered or len(p) == 0:
        return out
    rows = p.assign(nps=nps)[nps.notna() & (p["pipes"] > 0)]
    per_pipe = rows["flow_mtpa"].abs() / rows["pipes"]  # each row's share of the flow
    mwh = rows["pipes"].to_numpy() * pumping_mwh_per_yr(per_pipe.to_numpy(), rows["length_km"].to_numpy(),
                                             rows["nps"].to_numpy(int), inst.case.pipeline)
    by_period = pd.Series(mwh, index=rows["period"].to_numpy()).groupby(level=0).sum()
    return by_period.reindex(inst.years, fill_value=0.0).to_numpy()


def _feature(geom, props: dict) -> dict:
    return {"type": "Feature", "geometry": mapping(geom) if geom is not None else None,
            "properties": _clean(props)}


def network_geojson(outcome: Outcome) -> dict:
    """Built sources, sinks, junctions on built lines, and built/used corridors."""
    plan, net = outcome.plan, outcome.instance.network
    feats: list[dict] = []
    if plan is None:
        return {"type": "FeatureCollection", "features": feats}
    nodes = net.nodes()
    for role, table, key, on, amount in (
        ("source", plan.sources, "source_id", "equipped", "captured_mtpa"),
        ("sink", plan.sinks, "sink_id", "open", "injected_mtpa"),
    ):
        for nid, g in table.groupby(key, sort=True):
            in_service = g[g[on] > 0]
            props = {"id": nid, "role": role, "name": g["name"].iloc[0], "kind": g["kind"].iloc[0],
                     "first_period": int(in_service["period"].min()) if len(in_service) else None,
                     f"max_{amount}": float(g[amount].max())}
            if role == "sink":
                props["cumulative_mt"] = float(g["cumulative_mt"].max())
                props["capacity_mt"] = float(g["capacity_mt"].iloc[0])
            feats.append(_feature(_point(nodes, nid), props))
    cors = net.corridors
    used_nodes: set[str] = set()
    for e, g in plan.pipelines.groupby("corridor", sort=True):
        row = cors.iloc[int(e)]
        a, b = row["from"], row["to"]
        used_nodes.update((a, b))
        last = g[g["period"] == g["period"].max()]
        classes = last[last["pipes"] > 0]
        geom = row.get("geometry") if "geometry" in cors.columns else None
        if geom is None or (isinstance(geom, float) and math.isnan(geom)):
            geom = LineString([_xy(nodes, a), _xy(nodes, b)])
        feats.append(_feature(geom, {
            "from": a, "to": b, "length_km": float(row["length_km"]),
            "pipes": ", ".join(f"{n}x {c}" for n, c in zip(classes["pipes"], classes["pipe_class"])),
            "first_period": int(g.loc[(g["pipes"] > 0) | (g["flow_mtpa"].abs() > 0), "period"].min()),
            "capacity_mtpa": float(last.groupby("pipe_class")["capacity_mtpa"].first().sum()),
            "max_flow_mtpa": float(g.groupby("period")["flow_mtpa"].sum().abs().max()),
            "existing": bool((g["pipe_class"] == "existing").any()),
            "mode": str(g["mode"].iloc[0]),
        }))
    ports = set(plan.ports["port_id"])
    for j in sorted(used_nodes & set(net.junctions.index)):
        feats.append(_feature(_point(nodes, j), {"id": j, "role": "port" if j in ports
                                                 else "junction"}))
    return {"type": "FeatureCollection", "features": feats}


def _xy(nodes: pd.DataFrame, nid) -> tuple[float, float]:
    r = nodes.loc[nid]
    return float(r["lon"]), float(r["lat"])


def _point(nodes: pd.DataFrame, nid) -> Point:
    return Point(*_xy(nodes, nid))


def plan_tables(outcome: Outcome, avoided: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
    """The plan tables and the build-out timeline by file name (the plan tables empty
    with headers, the timeline the periods and targets only, when there is no plan).
    ``avoided``: the net CO2 avoided per period, if already computed."""
    plan = outcome.plan
    avoided = _avoided_mtpa(outcome) if avoided is None else avoided
    timelines = {
        "timeline.csv": timeline(outcome.instance, plan, avoided),
        "timeline_sinks.csv": sink_timeline(plan),
    }
    ports = {}
    if len(outcome.instance.port_node):  # the network has ports ships can reach
        ports = {"plan_ports.csv": plan.ports if plan is not None else
                 pd.DataFrame(columns=["port_id", "period"])}
    if plan is None:
        return {"plan_sources.csv": pd.DataFrame(columns=["source_id", "period"]),
                "plan_sinks.csv": pd.DataFrame(columns=["sink_id", "period"]),
                "plan_pipelines.csv": pd.DataFrame(columns=["corridor", "from", "to", "period"]),
                **ports, **timelines, **_reduction_table(outcome)}
    return {"plan_sources.csv": plan.sources, "plan_sinks.csv": plan.sinks,
            "plan_pipelines.csv": plan.pipelines, **ports, **timelines,
            **_reduction_table(outcome)}


def _reduction_table(outcome: Outcome) -> dict[str, pd.DataFrame]:
    """``reduction.csv`` (every source of the full network → the node standing for it),
    when the case reduced its network."""
    r = outcome.instance.reduction
    return {} if r is None else {"reduction.csv": r.members}
