"""A candidate network of real routes: shared corridors with junctions where they meet.

As SimCCS builds its candidate network: the node pairs of a Delaunay triangulation plus
each node's k nearest neighbours (:func:`ccusplan.routes.candidates.candidate_corridors`)
are routed one after another, shortest first, over the cost grid
(:class:`~ccusplan.routes.grid.GridGraph`; Dijkstra bounded by a multiple of the straight
line's cost); every cell a route uses becomes
:data:`REUSE_DISCOUNT` cheaper for the routes after it, so a route running beside an
earlier one moves onto it and the two share a corridor. The union of the routes is a
graph of cells; wherever three or more directions meet (not at a node) a junction is
placed, and every stretch between two nodes or junctions becomes one corridor, pulled taut
(:mod:`ccusplan.routes.smooth`) and priced on the exact cost field
(:func:`~ccusplan.routes.router.describe`). Where two stretches join the same two ends
only the cheaper is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field

import networkx as nx
import numpy as np
import pandas as pd

from ccusplan.routes.candidates import candidate_corridors
from ccusplan.routes.field import CostField
from ccusplan.routes.grid import GridGraph
from ccusplan.routes.router import Route, describe
from ccusplan.routes.smooth import pull_taut

#: SimCCS-style reuse: a cell already on a route costs this share less for later routes.
REUSE_DISCOUNT = 0.1
#: The first search for a pair explores up to this × the straight line's cost.
SEARCH_LIMIT = 1.15
JUNCTION_PREFIX = "RJ"
#: Junctions joined by a stretch of at most this many cells become one.
MERGE_CELLS = 3


@dataclass
class CandidateNetwork:
    """Routed corridors and the junctions they need.

    Attributes
    ----------
    corridors : pandas.DataFrame
        ``from``, ``to`` (node ids), ``route`` (:class:`Route`), ``pairs`` (how many
        candidate pairs run along it).
    junctions : pandas.DataFrame
        New junctions: id index, ``name``, ``lon``, ``lat``.
    pairs_routed : int
    unreachable : list of tuple
        Candidate pairs no route joins (forbidden obstacles cut them apart).
    """

    corridors: pd.DataFrame
    junctions: pd.DataFrame
    pairs_routed: int
    unreachable: list = dc_field(default_factory=list)


def route_candidates(nodes: pd.DataFrame, field: CostField, graph: GridGraph, k_nearest: int,
                     skip: set[frozenset] = frozenset(),
                     reuse_discount: float = REUSE_DISCOUNT) -> CandidateNetwork:
    """Route every candidate pair of ``nodes`` (id index, ``lon``, ``lat``) over ``graph``.

    Parameters
    ----------
    nodes : pandas.DataFrame
    field : CostField
        The exact cost field (the graph's multipliers are burnt from it).
    graph : GridGraph
        Changed in place (the reuse discount).
    k_nearest : int
        Neighbours per node added to the Delaunay pairs.
    skip : set of frozenset
        Pairs not to route (e.g. corridors the network already gives).
    reuse_discount : float
        Share by which a used cell gets cheaper for later routes.
    """
    nodes = nodes.sort_index()
    pairs = candidate_corridors(nodes, k_nearest, 1.0)
    pairs = pairs[[frozenset(p) not in skip for p in zip(pairs["from"], pairs["to"])]]
    pairs = pairs.sort_values(["length_km", "from", "to"], kind="stable")
    x, y = field.xy(nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float))
    xy = pd.DataFrame({"x": x, "y": y}, index=nodes.index)
    r, c = graph.grid.cell_of(x, y)
    cell = pd.Series(r * graph.grid.nx + c, index=nodes.index)
    used = np.zeros(graph.grid.n_cells, dtype=bool)
    paths, unreachable = [], []
    for a, b in zip(pairs["from"], pairs["to"]):
        path = _grid_path(field, graph, xy, cell, a, b)
        if path is None:
            unreachable.append((a, b))
            continue
        paths.append((a, b, path))
        fresh = path[~used[path]]
        used[fresh] = True
        graph.scale_cells(fresh, 1.0 - reuse_discount)
    chains = _merge_close_junctions(list(_chains(_union_graph(paths, cell))), graph.grid, cell)
    junction_cells = sorted({v[1] for chain, _ in chains for v in (chain[0], chain[-1])
                             if v[0] == "cell"})
    junctions = _junctions(junction_cells, graph, field, nodes.index)
    corridors = _corridors(chains, field, graph, xy, nodes, junctions)
    return CandidateNetwork(corridors, junctions, len(paths), unreachable)


def _grid_path(field: CostField, graph: GridGraph, xy: pd.DataFrame, cell: pd.Series,
               a, b) -> np.ndarray | None:
    """Cells of the cheapest path from node ``a`` to node ``b``: Dijkstra bounded by
    :data:`SEARCH_LIMIT` × the straight line's cost, unbounded if that does not reach."""
    p0, p1 = xy.loc[a].to_numpy(), xy.loc[b].to_numpy()
    limit = np.inf
    if not field.blocked(p0, p1)[0]:
        limit = SEARCH_LIMIT * float(field.segment_weights(p0, p1)[0]) + 4 * graph.grid.cell_m
    path = graph.paths(int(cell[a]), [int(cell[b])], limit)[0]
    if path is None and np.isfinite(limit):
        path = graph.paths(int(cell[a]), [int(cell[b])])[0]
    return path


def _vertex(c: int, owners: dict[int, list]) -> tuple:
    """A cell's vertex in the union graph: the node standing on it, if exactly one does."""
    held = owners.get(c, [])
    return ("node", held[0]) if len(held) == 1 else ("cell", c)


def _union_graph(paths, cell: pd.Series) -> nx.Graph:
    """The routes' cells as one graph; edges count the routes along them (``pairs``)."""
    owners: dict[int, list] = {}
    for nid, c in cell.items():
        owners.setdefault(int(c), []).append(nid)
    g = nx.Graph()
    for a, b, path in paths:
        verts = [_vertex(int(c), owners) for c in path]
        if verts[0][0] == "cell":          # several nodes on one cell: reach it by a stub
            verts.insert(0, ("node", a))
        if verts[-1][0] == "cell":
            verts.append(("node", b))
        for u, v in zip(verts[:-1], verts[1:]):
            if g.has_edge(u, v):
                g[u][v]["pairs"] += 1
            else:
                g.add_edge(u, v, pairs=1)
    return g


def _junctions(cells: list[int], graph: GridGraph, field: CostField,
               taken: pd.Index) -> pd.DataFrame:
    """New junction ids (``RJ001`` …, skipping ids the network uses) at cell centres."""
    ids, n = [], 0
    for _ in cells:
        n += 1
        while f"{JUNCTION_PREFIX}{n:03d}" in taken:
            n += 1
        ids.append(f"{JUNCTION_PREFIX}{n:03d}")
    x, y = graph.grid.centre(np.asarray(cells, np.int64))
    lon, lat = field.lonlat(x, y)
    return pd.DataFrame({"name": "route junction (ccusplan routes candidates)",
                         "lon": np.round(lon, 6), "lat": np.round(lat, 6), "cell": cells},
                        index=pd.Index(ids, name="id"))


def _chains(g: nx.Graph):
    """Every stretch between key vertices (nodes, and cells where ≥ 3 directions meet):
    (vertex list, routes along all of it)."""
    key = {v for v in g if v[0] == "node" or g.degree(v) != 2}
    seen: set[frozenset] = set()
    for start in sorted(key, key=str):
        for nxt in sorted(g[start], key=str):
            if frozenset((start, nxt)) in seen:
                continue
            chain = [start, nxt]
            seen.add(frozenset((start, nxt)))
            while chain[-1] not in key:
                prev, here = chain[-2], chain[-1]
                step = next(v for v in g[here] if v != prev)
                seen.add(frozenset((here, step)))
                chain.append(step)
            pairs = min(g[u][v]["pairs"] for u, v in zip(chain[:-1], chain[1:]))
            yield chain, pairs


def _merge_close_junctions(chains: list, grid, cell: pd.Series) -> list:
    """Merge a junction into the junction or node at the other end of a stretch of at most
    :data:`MERGE_CELLS` cells: the stretch goes, and the stretches ending at the junction
    run on along it."""
    def cells_long(chain) -> float:
        x, y = grid.centre(np.array([v[1] if v[0] == "cell" else cell[v[1]] for v in chain]))
        return float(np.hypot(np.diff(x), np.diff(y)).sum()) / grid.cell_m

    while True:
        short = [(cells_long(c), i) for i, (c, _) in enumerate(chains)
                 if "cell" in (c[0][0], c[-1][0]) and c[0] != c[-1]
                 and cells_long(c) <= MERGE_CELLS]
        if not short:
            return chains
        _, i = min(short)
        path, _ = chains.pop(i)
        if path[0][0] == "node":
            path = path[::-1]
        v = path[0]                         # junction v dissolves: chains at it run on along path
        merged = []
        for chain, pairs in chains:
            if chain[-1] == v:
                chain = chain + path[1:]
            if chain[0] == v:
                chain = path[::-1][:-1] + chain
            merged.append((chain, pairs))
        chains = merged


def _corridors(chains: list, field: CostField, graph: GridGraph, xy: pd.DataFrame,
               nodes: pd.DataFrame, junctions: pd.DataFrame) -> pd.DataFrame:
    """One row per stretch (the cheapest for each pair of ends), priced exactly."""
    jid = pd.Series(junctions.index, index=junctions["cell"].to_numpy())
    lonlat = pd.concat([nodes[["lon", "lat"]], junctions[["lon", "lat"]]])
    rows = []
    for chain, pairs in chains:
        ends = [v[1] if v[0] == "node" else jid[v[1]] for v in (chain[0], chain[-1])]
        if ends[0] == ends[1]:
            continue
        pts = np.array([xy.loc[v[1]].to_numpy() if v[0] == "node"
                        else np.array(graph.grid.centre(v[1])) for v in chain], dtype=float)
        if ends[0] > ends[1]:
            ends, pts = ends[::-1], pts[::-1]
        route = describe(field, pull_taut(field, pts), lonlat.loc[ends].to_numpy(float))
        rows.append({"from": ends[0], "to": ends[1], "route": route, "pairs": pairs})
    out = pd.DataFrame(rows, columns=["from", "to", "route", "pairs"])
    if out.empty:
        return out
    out["cost"] = [r.cost_weight for r in out["route"]]
    out = out.sort_values(["from", "to", "cost"], kind="stable").drop_duplicates(["from", "to"])
    return out.drop(columns="cost").reset_index(drop=True)


def corridor_table(net: CandidateNetwork, obstacles: pd.DataFrame) -> pd.DataFrame:
    """The corridors as contract columns plus what each route crosses (geometry: WGS84)."""
    import shapely

    routes: list[Route] = list(net.corridors["route"])
    kinds = sorted(set(obstacles.loc[~obstacles["forbidden"], "kind"])) if len(obstacles) else []
    out = pd.DataFrame({
        "from": net.corridors["from"], "to": net.corridors["to"],
        "length_km": [round(r.length_km, 3) for r in routes],
        "terrain_factor": [round(r.terrain_factor, 6) for r in routes],
        "cost_weight": [round(r.cost_weight, 3) for r in routes],
        "existing_capacity_mtpa": 0.0,
        "geodesic_km": [round(r.geodesic_km, 3) for r in routes],
        "detour_ratio": [round(r.detour_ratio, 4) for r in routes],
        "shared_by": net.corridors["pairs"].astype("Int64"),
    })
    for kind in kinds:
        mask = (obstacles["kind"] == kind).to_numpy()
        out[f"crossed_{kind}_km"] = [round(float(r.crossings_km[mask].sum()), 3) for r in routes]
    out["geometry"] = [shapely.LineString(np.round(r.lonlat, 6)) for r in routes]
    return out


def with_given(table: pd.DataFrame, given: pd.DataFrame | None) -> pd.DataFrame:
    """The network's own corridors (``routed`` false) followed by the routed ones."""
    if given is None:
        return table.assign(routed=True)
    out = pd.concat([given.assign(routed=False), table.assign(routed=True)], ignore_index=True)
    out["routed"] = out["routed"].astype(bool)
    return out
