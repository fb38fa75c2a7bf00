"""Capture sources clustered into hubs.

Sources of the same ``kind`` and ``available_from`` are clustered by complete
linkage on their WGS84 geodesic distances, cut at ``cluster_km``: every two
members of a hub are at most ``cluster_km`` apart. A hub is one source node that
stands for its members:

* ``capacity_mtpa`` — the sum of the members' (exactly);
* ``lon``, ``lat`` — the capacity-weighted centroid (mean of the members' unit
  vectors on the sphere, weighted by capacity);
* ``capture_capex_musd``, ``capture_fixed_om_musd_per_yr`` — the members' fixed
  costs **summed**: equipping the hub equips every member;
* ``capture_cost_usd_per_t``, ``capture_capex_musd_per_mtpa``,
  ``capture_fixed_om_musd_per_yr_per_mtpa`` — capacity-weighted means, so a hub
  built and run at full capacity costs exactly what its members would;
* ``kind``, ``available_from`` — its members' (all equal).

Costs must be filled (``costs.defaults.fill_source_costs``) before clustering.
A hub's id is ``HUB-`` + the id of its largest member; a cluster of one is left
as it is. Sources listed in ``pinned`` (ends of given pipelines) are never
merged. The gathering lines inside a hub (members to centroid, each shorter than
``cluster_km``) are not costed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage

from ccusplan.costs.defaults import SOURCE_COST_COLUMNS
from ccusplan.routes.candidates import geodesic_km

SUMMED = ["capacity_mtpa", "capture_capex_musd", "capture_fixed_om_musd_per_yr"]
WEIGHTED = ["capture_cost_usd_per_t", "capture_capex_musd_per_mtpa",
            "capture_fixed_om_musd_per_yr_per_mtpa"]
HUB_PREFIX = "HUB-"


def _labels(lon: np.ndarray, lat: np.ndarray, cluster_km: float) -> np.ndarray:
    """Complete-linkage cluster number (1-based) of each point, cut at ``cluster_km``."""
    if len(lon) < 2:
        return np.ones(len(lon), int)
    i, j = np.triu_indices(len(lon), k=1)  # condensed order, as scipy expects
    d = geodesic_km(lon[i], lat[i], lon[j], lat[j])
    return fcluster(linkage(d, method="complete"), t=cluster_km, criterion="distance")


def _centroid(lon: np.ndarray, lat: np.ndarray, w: np.ndarray, group: np.ndarray):
    """Weighted mean direction of each group's points on the sphere, as lon, lat."""
    lo, la = np.radians(lon), np.radians(lat)
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    s = pd.DataFrame(xyz * w[:, None]).groupby(group, sort=False).sum().to_numpy()
    return (np.degrees(np.arctan2(s[:, 1], s[:, 0])),
            np.degrees(np.arctan2(s[:, 2], np.hypot(s[:, 0], s[:, 1]))))


def hub_of(sources: pd.DataFrame, cluster_km: float, pinned=()) -> pd.Series:
    """Cluster key of each source (its own id when it stays alone), indexed by id."""
    key = pd.Series(sources.index.to_numpy(object), index=sources.index)
    free = ~sources.index.isin(list(pinned))
    first = sources["available_from"].fillna(-1)
    for _, g in sources[free].groupby([sources.loc[free, "kind"], first[free]], sort=True):
        labels = _labels(g["lon"].to_numpy(float), g["lat"].to_numpy(float), cluster_km)
        # each cluster is named after its largest member (ties: the smallest id)
        ranked = pd.DataFrame({"label": labels, "cap": g["capacity_mtpa"].to_numpy(float),
                               "nid": g.index.to_numpy(object)})
        ranked = ranked.sort_values(["cap", "nid"], ascending=[False, True])
        size = ranked["label"].value_counts()
        leader = ranked.drop_duplicates("label").set_index("label")["nid"]
        names = {lab: HUB_PREFIX + nid if size[lab] > 1 else nid for lab, nid in leader.items()}
        key[g.index] = [names[lab] for lab in labels]
    return key


def cluster_sources(sources: pd.DataFrame, cluster_km: float,
                    pinned=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sources with each cluster replaced by its hub, and the member table.

    Parameters
    ----------
    sources : pandas.DataFrame
        Indexed by id, every cost column filled.
    cluster_km : float
        Largest distance between two members of one hub, km.
    pinned : iterable of str
        Ids never merged.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The reduced sources (same columns, sorted by id), and one row per source of
        the input: ``source_id, name, kind, capacity_mtpa, node_id`` (its hub, or itself),
        ``members`` (of that node), ``share_of_node`` (its capacity / the node's: the part
        of the node's capture it stands for) and ``distance_to_node_km``.
    """
    missing = [c for c in SOURCE_COST_COLUMNS if sources[c].isna().any()]
    if missing:
        raise ValueError(f"fill capture costs before clustering (blank: {', '.join(missing)})")
    key = hub_of(sources, cluster_km, pinned)
    merged = key.index[key.to_numpy() != key.index.to_numpy()]  # members of hubs
    members = sources.loc[merged]
    group = key[merged].to_numpy(object)
    cap = members["capacity_mtpa"].to_numpy(float)
    total = pd.Series(cap).groupby(group).transform("sum").to_numpy()
    w = np.where(total > 0, cap, 1.0)  # a hub of empty sources: plain mean
    lon, lat = _centroid(members["lon"].to_numpy(float), members["lat"].to_numpy(float), w, group)
    g = members.groupby(group, sort=False)
    wsum = pd.Series(w).groupby(group, sort=False).sum()
    hubs = g[["kind", "available_from"]].first()
    lead = sources["name"].reindex(hubs.index.str.removeprefix(HUB_PREFIX)).fillna("")
    hubs["name"] = [f"hub of {n}: {nm} and {n - 1} more" for n, nm in zip(g.size(), lead)]
    hubs[SUMMED] = g[SUMMED].sum()
    for col in WEIGHTED:
        hubs[col] = (pd.Series(members[col].to_numpy(float) * w).groupby(group, sort=False).sum()
                     / wsum).to_numpy()
    hubs["lon"], hubs["lat"] = lon, lat
    clash = hubs.index.intersection(sources.index)
    if len(clash):
        raise ValueError(f"hub id {clash[0]} is already a node id: rename that node")
    out = pd.concat([sources.drop(index=merged), hubs.reindex(columns=sources.columns)])
    out = out.sort_index()
    return out, member_table(sources, key, out)


def member_table(sources: pd.DataFrame, key: pd.Series, reduced: pd.DataFrame) -> pd.DataFrame:
    """Each source of ``sources`` with the node of ``reduced`` it became (``key``: id → node)."""
    node = reduced.loc[key.to_numpy()]
    cap = sources["capacity_mtpa"].to_numpy(float)
    node_cap = node["capacity_mtpa"].to_numpy(float)
    return pd.DataFrame({
        "source_id": sources.index.to_numpy(), "name": sources["name"].to_numpy(),
        "kind": sources["kind"].to_numpy(), "capacity_mtpa": cap,
        "node_id": key.to_numpy(),
        "members": key.map(key.value_counts()).to_numpy(),
        "share_of_node": np.divide(cap, node_cap, out=np.ones_like(cap), where=node_cap > 0),
        "distance_to_node_km": geodesic_km(sources["lon"], sources["lat"],
                                           node["lon"], node["lat"]),
    }).sort_values(["node_id", "source_id"], ignore_index=True)


def pinned_sources(corridors: pd.DataFrame | None) -> set:
    """Ends of given asset corridors (pipe in service, or a generic pipe): not clustered,
    so the asset stays where it is."""
    if corridors is None:
        return set()
    asset = (corridors["existing_capacity_mtpa"].fillna(0.0) > 0) | corridors["capacity_mtpa"].notna()
    return set(corridors.loc[asset, "from"]) | set(corridors.loc[asset, "to"])


def remap_corridors(corridors: pd.DataFrame, node_of: pd.Series, nodes: pd.DataFrame,
                    detour_factor: float) -> pd.DataFrame:
    """Given corridors re-attached to the hubs their ends became.

    A corridor with a merged end now joins the hub: its length is the geodesic between
    its new ends × ``detour_factor``, and its cost weight, elevation change and geometry
    are dropped (recomputed or defaulted as for any corridor without them). Corridors
    inside one hub vanish; of several joining the same two nodes, the one of least
    length × terrain factor is kept (per mode: a truck corridor beside a pipeline stays).

    ``node_of`` maps merged source ids to hub ids; ``nodes`` is the reduced network's
    node table (id index, ``lon``, ``lat``).
    """
    c = corridors.copy()
    ends = {e: c[e].map(lambda n: node_of.get(n, n)) for e in ("from", "to")}
    moved = ((ends["from"] != c["from"]) | (ends["to"] != c["to"])).to_numpy()
    c["from"], c["to"] = ends["from"], ends["to"]
    c = c[(c["from"] != c["to"]).to_numpy()]
    moved = moved[(ends["from"] != ends["to"]).to_numpy()]
    if moved.any():
        a, b = nodes.loc[c.loc[moved, "from"]], nodes.loc[c.loc[moved, "to"]]
        c.loc[moved, "length_km"] = detour_factor * geodesic_km(
            a["lon"].to_numpy(), a["lat"].to_numpy(), b["lon"].to_numpy(), b["lat"].to_numpy())
        for col in ("cost_weight", "elevation_change_m", "geometry"):
            if col in c:
                c.loc[moved, col] = np.nan
    lo = c["from"].where(c["from"] <= c["to"], c["to"]).to_numpy(object)
    hi = c["to"].where(c["from"] <= c["to"], c["from"]).to_numpy(object)
    cost = c["length_km"].to_numpy(float) * c["terrain_factor"].fillna(1.0).to_numpy(float)
    mode = c["mode"].fillna("pipeline").to_numpy(object) if "mode" in c else \
        np.full(len(c), "pipeline", dtype=object)
    order = np.lexsort((cost, mode, hi, lo))
    first = ~pd.DataFrame({"lo": lo[order], "hi": hi[order],
                           "mode": mode[order]}).duplicated().to_numpy()
    return c.iloc[np.sort(order[first])].reset_index(drop=True)
