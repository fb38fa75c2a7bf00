"""Early movers: the cheapest first tonnes of a network, source by source.

Which tonnes come first? Each source is matched, in order of its full-chain cost, with
the sink that stores its CO2 cheapest, as early source–sink matching studies do (e.g.
Dahowski et al. 2009, "Regional opportunities for carbon dioxide capture and storage in
China", PNNL-19091), until the tonnes asked for are reached:

* **capture**, USD/t: the source's capital (fixed and per Mt/yr, at its whole capacity)
  annualised with the case's capital recovery factor, plus its fixed O&M, per tonne,
  plus its cost per tonne — the costs the MILP charges, with the kind defaults filled;
* **transport**, USD/t: a dedicated pipe over the great-circle distance × the case's
  ``[candidates] detour_factor``, the cheapest of the pipe classes the MILP would lay on
  such a corridor (the network's own, the engineering model's — offshore where the sink
  lies offshore — or the built-in table), as many as carry the whole capacity, each
  year costing capital × (CRF + O&M fraction) plus any O&M of its own;
* **storage**, USD/t: the sink's site and well capital annualised, fixed O&M per tonne at
  its injection rate, plus its cost per tonne (EOR revenue makes it negative).

A sink takes sources until its injection rate is used (then the next cheapest sink is
tried): only sinks available by ``year`` count. Each source's nearest ``nearest`` sinks
are priced. No pipe is shared, so the list is what each source costs on its own — an
upper bound on what a network with shared trunks pays, and the order in which the MILP's
first periods tend to take sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan.costs.defaults import fill_sink_costs, fill_source_costs
from ccusplan.model import Case, Network
from ccusplan.optimize.instance import sized_options
from ccusplan.routes.candidates import geodesic_km

#: Sinks priced per source, nearest first.
NEAREST_SINKS = 5
COLUMNS = ("rank", "source_id", "source", "kind", "mtpa", "sink_id", "sink", "sink_kind",
           "distance_km", "pipe", "capture_usd_per_t", "transport_usd_per_t",
           "storage_usd_per_t", "total_usd_per_t", "cumulative_mtpa", "lon", "lat",
           "sink_lon", "sink_lat")


@dataclass(frozen=True)
class EarlyMovers:
    table: pd.DataFrame   # COLUMNS, one row per source taken, cheapest first
    mtpa: float           # what was asked for
    year: int             # sinks available by then
    candidates: int       # sources priced

    @property
    def reached_mtpa(self) -> float:
        return float(self.table["mtpa"].sum()) if len(self.table) else 0.0


def capture_usd_per_t(case: Case, sources: pd.DataFrame) -> np.ndarray:
    """Each source's levelised capture cost at its whole capacity (costs filled)."""
    q = sources["capacity_mtpa"].to_numpy(float)
    capex = (sources["capture_capex_musd"].to_numpy(float)
             + sources["capture_capex_musd_per_mtpa"].to_numpy(float) * q)
    fom = (sources["capture_fixed_om_musd_per_yr"].to_numpy(float)
           + sources["capture_fixed_om_musd_per_yr_per_mtpa"].to_numpy(float) * q)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (capex * case.finance.crf_of(case.finance.capture_life_years) + fom) / q \
            + sources["capture_cost_usd_per_t"].to_numpy(float)


def storage_usd_per_t(case: Case, sinks: pd.DataFrame) -> np.ndarray:
    """Each sink's levelised storage cost at its injection rate (costs filled)."""
    crf = case.finance.crf_of(case.finance.storage_life_years)
    rate = sinks["max_injection_mtpa"].to_numpy(float)
    site = sinks["storage_capex_musd"].to_numpy(float) * crf \
        + sinks["storage_fixed_om_musd_per_yr"].to_numpy(float)
    well_q = sinks["well_capacity_mtpa"].to_numpy(float) if "well_capacity_mtpa" in sinks \
        else np.full(len(sinks), np.nan)
    well = np.zeros(len(sinks))
    if "well_capex_musd" in sinks:
        per_well = sinks["well_capex_musd"].fillna(0.0).to_numpy(float) * crf \
            + sinks["well_fixed_om_musd_per_yr"].fillna(0.0).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            well = np.where(well_q > 0, per_well / well_q, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rate > 0, site / rate, np.inf) + well \
            + sinks["storage_cost_usd_per_t"].to_numpy(float)


def _transport(case: Case, net: Network, pairs: pd.DataFrame, mtpa: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """USD/t and the pipe (e.g. '16"', '2 × 48"') of a dedicated line per pair (``from``,
    ``to``, ``length_km``), priced with the pipe classes the MILP would lay on such a
    corridor (the network's own, the engineering model's or the built-in table)."""
    crf = case.finance.crf_of(case.finance.pipeline_life_years)
    c = pairs.assign(terrain_factor=1.0, cost_weight=pairs["length_km"], row_cost_weight=0.0,
                     elevation_change_m=0.0, existing_capacity_mtpa=0.0,
                     capacity_mtpa=np.nan).reset_index(drop=True)
    t = sized_options(case, net, c, crf)
    pair = t["corridor"].to_numpy(int)
    cap = t["capacity_mtpa"].to_numpy(float)
    om = t["om_musd_per_yr"].to_numpy(float) if "om_musd_per_yr" in t else 0.0
    multiplier = case.costs.pipeline_cost_multiplier  # on capital, as the MILP applies it
    annual = crf + t["om_fraction_per_yr"].to_numpy(float)
    per_pipe = multiplier * t["capex_musd"].to_numpy(float) * annual + om
    per_mtpa = multiplier * t["capex_musd_per_mtpa"].to_numpy(float) * annual
    with np.errstate(divide="ignore", invalid="ignore"):
        count = np.where(cap > 0, np.ceil(mtpa[pair] / cap - 1e-9), np.inf)
    cost = np.where(np.isfinite(count), count * per_pipe + per_mtpa * mtpa[pair], np.inf)
    best = pd.DataFrame({"pair": pair, "cost": cost, "count": count,
                         "name": t["name"].to_numpy(object)}) \
        .sort_values(["pair", "cost"], kind="mergesort").drop_duplicates("pair")
    usd = np.full(len(c), np.inf)
    at = best["pair"].to_numpy(int)
    usd[at] = best["cost"].to_numpy(float) / mtpa[at]
    pipe = np.full(len(c), "", dtype=object)
    pipe[at] = [n if k == 1 else f"{int(k)} × {n}" for n, k in zip(best["name"], best["count"])]
    return usd, pipe


def early_movers(case: Case, net: Network, mtpa: float, year: int | None = None,
                 nearest: int = NEAREST_SINKS) -> EarlyMovers:
    """The cheapest sources, each with its sink, until ``mtpa`` Mt/yr (module docstring).
    ``year``: sinks and sources available by then (default the case's first period)."""
    year = int(case.horizon.periods[0] if year is None else year)
    cost_year = case.pipeline.cost_year
    src = fill_source_costs(net.sources.sort_index(), cost_year,
                            case.costs.capture_cost_multiplier)
    snk = fill_sink_costs(net.sinks.sort_index(), cost_year)
    ready = lambda t: t["available_from"].fillna(year).to_numpy(float) <= year \
        if "available_from" in t else np.ones(len(t), bool)  # noqa: E731
    src = src[ready(src) & (src["capacity_mtpa"].to_numpy(float) > 0)]
    snk = snk[ready(snk) & (snk["max_injection_mtpa"].to_numpy(float) > 0)]
    if not len(src) or not len(snk):
        return EarlyMovers(pd.DataFrame(columns=COLUMNS), mtpa, year, len(src))
    k = min(nearest, len(snk))
    shape = (len(src), len(snk))
    grid = [np.broadcast_to(v, shape).ravel() for v in (
        src["lon"].to_numpy(float)[:, None], src["lat"].to_numpy(float)[:, None],
        snk["lon"].to_numpy(float)[None, :], snk["lat"].to_numpy(float)[None, :])]
    d = geodesic_km(*grid).reshape(shape)
    near = np.argsort(d, axis=1, kind="stable")[:, :k]                     # (I, k)
    i = np.repeat(np.arange(len(src)), k)
    j = near.ravel()
    km = d[i, j] * case.candidates.detour_factor
    pairs = pd.DataFrame({"from": src.index[i], "to": snk.index[j], "length_km": km})
    q = src["capacity_mtpa"].to_numpy(float)
    transport, pipe = _transport(case, net, pairs, q[i])
    capture = capture_usd_per_t(case, src)
    storage = storage_usd_per_t(case, snk)
    total = capture[i] + transport + storage[j]
    order = np.lexsort((j, i, total))
    room = snk["max_injection_mtpa"].to_numpy(float).copy()
    taken, rows, cum = np.zeros(len(src), bool), [], 0.0
    for p in order:
        a, b = i[p], j[p]
        if taken[a] or room[b] < q[a] - 1e-9 or not np.isfinite(total[p]):
            continue
        taken[a], room[b], cum = True, room[b] - q[a], cum + q[a]
        s, t = src.iloc[a], snk.iloc[b]
        rows.append({"rank": len(rows) + 1, "source_id": src.index[a], "source": s["name"],
                     "kind": s["kind"], "mtpa": q[a], "sink_id": snk.index[b],
                     "sink": t["name"], "sink_kind": t["kind"], "distance_km": km[p],
                     "pipe": pipe[p], "capture_usd_per_t": capture[a],
                     "transport_usd_per_t": transport[p], "storage_usd_per_t": storage[b],
                     "total_usd_per_t": total[p], "cumulative_mtpa": cum,
                     "lon": s["lon"], "lat": s["lat"], "sink_lon": t["lon"],
                     "sink_lat": t["lat"]})
        if cum >= mtpa - 1e-9:
            break
    return EarlyMovers(pd.DataFrame(rows, columns=COLUMNS), mtpa, year, len(src))
