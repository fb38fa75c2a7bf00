"""Synthetic CCUS networks of any size, deterministic for a seed.

Emitters cluster around industrial centres (Zipf-weighted) on land, sinks are grouped in
basins, offshore (``saline_offshore``) exactly where a basin lies at sea and onshore where
it lies on land (Natural Earth's coastlines, :mod:`ccusplan.geography`), and capacities
and costs are drawn from the cited ranges of
``generate/data/synthetic.toml`` (which reuses the capture and storage cost
defaults of ``costs/data/``). Everything is drawn with numpy in a few vectorised
statements, so thousands of sources take milliseconds.

Sources, sinks and junctions each draw from their own stream of one
:class:`numpy.random.SeedSequence`: the sources of a seed do not change when the
number of sinks or junctions does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccusplan import geography
from ccusplan.costs.defaults import (REFERENCE_LIFE_YEARS, REFERENCE_RATE, capture_defaults,
                                     fill_source_costs)
from ccusplan.costs.escalation import escalation
from ccusplan.costs.finance import capital_recovery_factor
from ccusplan.generate.ranges import ranges, sink_kind_table, source_kinds

#: km per degree of latitude on a sphere of the IUGG mean Earth radius, 6,371.0088 km
#: (Moritz, H. (2000), Geodetic Reference System 1980, Journal of Geodesy 74:128-133).
KM_PER_DEGREE = 6371.0088 * np.pi / 180.0
#: Capture cost columns written in full (the kind default split, scaled).
_COST_COLUMNS = ["capture_cost_usd_per_t", "capture_capex_musd", "capture_fixed_om_musd_per_yr",
                 "capture_capex_musd_per_mtpa", "capture_fixed_om_musd_per_yr_per_mtpa"]


@dataclass(frozen=True)
class SyntheticNetwork:
    """The tables of a generated network, with the columns ``sources.csv`` etc. take.

    ``sources`` has an extra ``centre`` column (the industrial centre it belongs to) and
    ``sinks`` a ``basin`` column; ccusplan keeps extra columns and ignores them.
    """

    sources: pd.DataFrame
    sinks: pd.DataFrame
    junctions: pd.DataFrame

    @property
    def capture_capacity_mtpa(self) -> float:
        return float(self.sources["capacity_mtpa"].sum())

    @property
    def injection_capacity_mtpa(self) -> float:
        return float(self.sinks["max_injection_mtpa"].sum())


@dataclass(frozen=True)
class _Region:
    """A square of ``side_km`` centred on (lon0, lat0)."""

    lon0: float
    lat0: float
    side_km: float

    def uniform(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniform in the square (lon, lat degrees)."""
        x, y = (rng.random((2, n)) - 0.5) * self.side_km
        return self.offset(np.full(n, self.lon0), np.full(n, self.lat0), x, y)

    @staticmethod
    def offset(lon, lat, east_km, north_km) -> tuple[np.ndarray, np.ndarray]:
        """Points moved ``east_km``/``north_km`` (local flat approximation)."""
        new_lat = np.clip(lat + north_km / KM_PER_DEGREE, -85.0, 85.0)
        new_lon = lon + east_km / (KM_PER_DEGREE * np.cos(np.radians(lat)))
        return new_lon, new_lat


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(3, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _region(n_sources: int) -> _Region:
    g = ranges()["geography"]
    side = np.clip(g["km_per_sqrt_source"] * np.sqrt(max(n_sources, 1)),
                   g["min_side_km"], g["max_side_km"])
    return _Region(g["centre_lon"], g["centre_lat"], float(side))


#: Redraws of a point on the wrong side of a coast before it keeps its centre's position.
MAX_REDRAWS = 20


def _scatter(rng, lon, lat, sigma_km: float):
    east, north = rng.normal(0.0, sigma_km, (2, len(lon)))
    return _Region.offset(lon, lat, east, north)


def _scatter_on(rng, lon, lat, sigma_km: float, land) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_scatter` around each centre, redrawn until on land (``land`` True) or at
    sea (False), per point; a point still on the wrong side after :data:`MAX_REDRAWS`
    redraws sits on its centre."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    land = np.broadcast_to(np.asarray(land, bool), lon.shape)
    x, y = _scatter(rng, lon, lat, sigma_km)
    for _ in range(MAX_REDRAWS):
        bad = np.flatnonzero(geography.on_land(x, y) != land)
        if not len(bad):
            return x, y
        x[bad], y[bad] = _scatter(rng, lon[bad], lat[bad], sigma_km)
    bad = geography.on_land(x, y) != land
    x[bad], y[bad] = lon[bad], lat[bad]
    return x, y


def _centres(rng, region: _Region, n_sources: int):
    """Industrial centres: positions and Zipf (1 / rank) weights."""
    c = ranges()["centres"]
    n = max(1, round(c["coefficient"] * n_sources ** c["exponent"]))
    lon, lat = region.uniform(rng, n)
    for _ in range(MAX_REDRAWS):                  # industry is on land
        sea = np.flatnonzero(~geography.on_land(lon, lat))
        if not len(sea):
            break
        lon[sea], lat[sea] = region.uniform(rng, len(sea))
    w = 1.0 / np.arange(1, n + 1)
    return lon, lat, w / w.sum()


def _levelized_picks() -> pd.Series:
    """Each kind's cited levelised capture cost (USD/t of its own cost year), recovered from
    the default split: capex · crf_ref + fixed O&M + variable = levelised."""
    d = capture_defaults(None)
    crf = capital_recovery_factor(REFERENCE_RATE, REFERENCE_LIFE_YEARS)
    return (d["capex_musd_per_mtpa"] * crf + d["fixed_om_musd_per_yr_per_mtpa"]
            + d["capture_cost_usd_per_t"])


def _sources(rng, region: _Region, n: int, cost_year: int, centres) -> pd.DataFrame:
    spec = ranges()["sources"]
    kinds, share, mean, cost_range = source_kinds()
    c_lon, c_lat, c_w = centres
    centre = rng.choice(len(c_w), size=n, p=c_w)
    lon, lat = _scatter_on(rng, c_lon[centre], c_lat[centre], ranges()["centres"]["scatter_km"],
                           land=geography.on_land(c_lon[centre], c_lat[centre]))
    k = rng.choice(len(kinds), size=n, p=share)
    s = spec["size_log_std"]
    mu = np.log(mean[k]) - s * s / 2          # lognormal with the kind's mean
    capacity = np.clip(np.exp(mu + s * rng.standard_normal(n)),
                       spec["min_capacity_mtpa"], spec["max_capacity_mtpa"])
    pick = _levelized_picks().reindex(kinds).to_numpy()[k]
    spread = spec["cost_spread"]
    levelized = np.clip(pick * rng.uniform(1 - spread, 1 + spread, n),
                        cost_range[k, 0], cost_range[k, 1])
    kind = np.asarray(kinds)[k]
    table = pd.DataFrame({"id": _ids("S", n), "kind": kind, "lon": lon.round(5),
                          "lat": lat.round(5), "capacity_mtpa": capacity.round(4)})
    blank = table.assign(**{c: np.nan for c in _COST_COLUMNS})
    costs = fill_source_costs(blank, cost_year)[_COST_COLUMNS].to_numpy()
    costs = costs * (levelized / pick)[:, None]          # the whole cost scales with it
    table[_COST_COLUMNS] = costs.round(4)
    table["centre"] = centre + 1
    return table


def _sinks(rng, region: _Region, m: int, cost_year: int):
    b = ranges()["basins"]
    n_basins = max(1, round(np.sqrt(m)))
    b_lon, b_lat = region.uniform(rng, n_basins)
    offshore = ~geography.on_land(b_lon, b_lat)
    basin = rng.integers(0, n_basins, m)
    lon, lat = _scatter_on(rng, b_lon[basin], b_lat[basin], b["scatter_km"],
                           land=~offshore[basin])
    onshore = list(b["onshore_kinds"])
    p = np.array([b["onshore_kinds"][k] for k in onshore], float)
    kind = np.asarray(onshore)[rng.choice(len(onshore), size=m, p=p / p.sum())]
    kind = np.where(offshore[basin], "saline_offshore", kind)
    u = rng.random((4, m))                        # injection, years, cost, monitoring
    injection, capacity, cost = np.empty(m), np.empty(m), np.empty(m)
    for name in np.unique(kind):
        t, sel = sink_kind_table(name), kind == name
        lo_hi = [np.asarray(t[key], float) for key in
                 ("injection_range_mtpa", "years_range", "cost_range_usd_per_t",
                  "monitoring_range_usd_per_t")]
        inj, years, c, mon = (lo + (hi - lo) * u[i, sel] for i, (lo, hi) in enumerate(lo_hi))
        injection[sel], capacity[sel] = inj, inj * years
        cost[sel] = (c + mon) * escalation(int(t["cost_year"]), cost_year)
    sinks = pd.DataFrame({"id": _ids("K", m), "kind": kind, "lon": lon.round(5),
                          "lat": lat.round(5), "capacity_mt": capacity.round(2),
                          "max_injection_mtpa": injection.round(3),
                          "storage_cost_usd_per_t": cost.round(3), "basin": basin + 1})
    return sinks, (b_lon, b_lat)


def _junctions(rng, j: int, centres, basins) -> pd.DataFrame:
    spec = ranges()["junctions"]
    c_lon, c_lat, c_w = centres
    b_lon, b_lat = basins
    c = rng.choice(len(c_w), size=j, p=c_w)
    k = rng.integers(0, len(b_lon), j)
    t = rng.uniform(*spec["position_range"], j)
    lon = c_lon[c] + t * (b_lon[k] - c_lon[c])
    lat = c_lat[c] + t * (b_lat[k] - c_lat[c])
    lon, lat = _scatter(rng, lon, lat, spec["scatter_km"])
    return pd.DataFrame({"id": _ids("J", j), "lon": lon.round(5), "lat": lat.round(5)})


def synthetic_network(n_sources: int, n_sinks: int, n_junctions: int = 0, seed: int = 0,
                      cost_year: int = 2023) -> SyntheticNetwork:
    """Draw a network of ``n_sources`` capture sites, ``n_sinks`` sinks and junctions.

    Parameters
    ----------
    n_sources, n_sinks : int
        At least 1 each.
    n_junctions : int
        Hubs between industrial centres and basins (0 for none).
    seed : int
        The same seed (and sizes) always gives the same network.
    cost_year : int
        USD year of every cost written (the case's ``[pipeline] cost_year``).

    Returns
    -------
    SyntheticNetwork
        Capture costs are written out in full (capex, per-Mt/yr capex, fixed O&M and per
        tonne: the kind's default split scaled to the drawn levelised cost); sinks carry a
        drawn per-tonne storage cost and leave capex and fixed O&M to the kind defaults.

    Examples
    --------
    >>> net = synthetic_network(50, 5, 2, seed=7)
    >>> len(net.sources), len(net.sinks), len(net.junctions)
    (50, 5, 2)
    >>> net.sources.equals(synthetic_network(50, 9, 0, seed=7).sources)
    True
    """
    if n_sources < 1 or n_sinks < 1 or n_junctions < 0:
        raise ValueError("need at least one source and one sink, and no negative junctions")
    rng_sources, rng_sinks, rng_junctions = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    region = _region(n_sources)
    centres = _centres(rng_sources, region, n_sources)
    sources = _sources(rng_sources, region, n_sources, cost_year, centres)
    sinks, basins = _sinks(rng_sinks, region, n_sinks, cost_year)
    junctions = _junctions(rng_junctions, n_junctions, centres, basins)
    return SyntheticNetwork(sources, sinks, junctions)
