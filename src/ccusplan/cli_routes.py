"""``ccusplan routes``: obstacle-aware candidate corridors and route comparison.

``routes candidates NETWORK --out DIR`` routes the network's candidate pairs over its
obstacles and cost surface and writes a routed network folder that ``solve`` reads;
``routes compare NETWORK --from A --to B`` prints k different routes between two nodes
with their pipes and costs, and writes them as GeoJSON, CSV and a PNG map.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

import ccusplan
from ccusplan.cli_common import EXIT_NO_PLAN
from ccusplan.cli_common import fail as _fail
from ccusplan.cli_common import message as _message
from ccusplan.cli_common import pipeline_basis as _pipeline_basis
from ccusplan.errors import InputError, Problem, display_path

if TYPE_CHECKING:
    import pandas as pd

#: Columns the route table may use even on a narrower (or piped, 80-column) console.
TABLE_WIDTH = 110
_RASTER = click.option("--raster", type=click.Path(path_type=Path),
                       help="Cost-surface GeoTIFF (default: the network's cost_surface.tif).")
_CELL = click.option("--cell-km", "cell_km", type=click.FloatRange(0.05, 50), default=1.0,
                     show_default=True, help="Routing grid cell size, km.")


def straight_candidates_note(case, net) -> str | None:
    """A note for ``solve`` and ``validate`` when the network has obstacles but the case
    generates straight candidate corridors, which ignore them."""
    from ccusplan.io.obstacles import obstacles_path

    if net.path is None or obstacles_path(net.path) is None:
        return None
    if net.corridors is not None and not case.candidates.add_to_given:
        return None
    return (f"note: {net.name} has obstacles, but the candidate corridors generated for "
            "this case are straight lines that ignore them; `ccusplan routes candidates "
            f"{display_path(net.path)} --out DIR` routes them (then name DIR as the "
            "case's network)")


@click.group()
def routes() -> None:
    """Route pipelines around obstacles: candidate corridors, alternative routes."""


def _inputs(network: Path, raster: Path | None):
    """The network, its obstacles (nodes checked against them) and cost raster."""
    from ccusplan.io import read_network
    from ccusplan.io.cost_raster import cost_raster_path, read_cost_raster
    from ccusplan.io.obstacles import read_obstacles

    net = read_network(network)
    obstacles = read_obstacles(network, net.nodes())
    raster_file = raster if raster is not None else cost_raster_path(network)
    if raster is not None and not raster.is_file():
        raise InputError(Problem("command line", f"{raster} does not exist", field="--raster"))
    cost = read_cost_raster(raster_file) if raster_file is not None else None
    return net, obstacles, cost, raster_file


# ------------------------------------------------------------------ candidates

@routes.command("candidates")
@click.argument("network", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The routed network folder to write (a case's `network` can name it).")
@click.option("--k-nearest", "k_nearest", type=click.IntRange(0, 50), default=4,
              show_default=True, help="Nearest neighbours joined to each node (besides Delaunay).")
@click.option("--reuse-discount", "reuse_discount", type=click.FloatRange(0, 0.9), default=0.1,
              show_default=True, help="Share by which a cell already on a route gets cheaper "
              "for later routes (they merge into shared corridors).")
@_CELL
@_RASTER
@click.pass_obj
def candidates(state, network: Path, out: Path, k_nearest, reuse_discount, cell_km,
               raster) -> None:
    """Route NETWORK's candidate corridors around its obstacles; write a routed network."""
    from ccusplan.io.network_writer import write_routed_network
    from ccusplan.io.obstacles import OBSTACLES_FILE, obstacles_path
    from ccusplan.routes.build import build_routing
    from ccusplan.routes.network_routes import corridor_table, route_candidates, with_given

    try:
        net, obstacles, cost, raster_file = _inputs(network, raster)
        nodes = net.nodes()
        routing = build_routing(nodes[["lon", "lat"]].to_numpy(float), obstacles, cost,
                                cell_km, grid=True)
        routing.check_nodes(nodes.index, nodes[["lon", "lat"]].to_numpy(float))
        start = time.perf_counter()
        given = net.corridors
        skip = set() if given is None else set(map(frozenset, zip(given["from"], given["to"])))
        cn = route_candidates(nodes, routing.field, routing.graph, k_nearest, skip,
                              reuse_discount)
        route_seconds = time.perf_counter() - start
        table = corridor_table(cn, routing.field.obstacles)
        corridors = with_given(table, given)
        copies = {}
        found = obstacles_path(network)
        if found is not None and found[1] is None:
            copies[OBSTACLES_FILE] = found[0]
        if raster_file is not None:
            copies["cost_surface.tif"] = raster_file
        provenance = {
            "network": display_path(network), "ccusplan_version": ccusplan.__version__,
            "k_nearest": k_nearest, "reuse_discount": reuse_discount,
            "grid": routing.method, "pairs_routed": cn.pairs_routed,
            "pairs_unreachable": [list(p) for p in cn.unreachable],
            "corridors_routed": len(table), "corridors_given": 0 if given is None else len(given),
            "junctions_added": len(cn.junctions),
            "seconds": {"grid": round(routing.build_seconds, 3),
                        "routing": round(route_seconds, 3)},
        }
        files = write_routed_network(out, net, corridors, cn.junctions, provenance, copies,
                                     obstacles)
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    shared = int((table["shared_by"] > 1).sum()) if len(table) else 0
    state.out.print(
        f"routed {cn.pairs_routed} candidate pairs of {net.name} over a {routing.method} in "
        f"{routing.build_seconds + route_seconds:.1f} s (grid {routing.build_seconds:.1f} s, "
        f"routes {route_seconds:.1f} s): {len(table)} corridors ({shared} shared by several "
        f"routes), {len(cn.junctions)} junctions added, {table['length_km'].sum():,.0f} km")
    if len(table):
        state.out.print(f"detour over the geodesic: median {table['detour_ratio'].median():.3f}, "
                        f"max {table['detour_ratio'].max():.3f}; cost weight / length: "
                        f"max {table['terrain_factor'].max():.2f}")
    if given is not None:
        state.out.print(f"{net.name} gives {len(given)} corridor(s): kept as given, not routed "
                        "(without its corridors file every candidate pair is routed)")
    for a, b in cn.unreachable:
        state.out.print(f"  - no route joins {a} and {b}: forbidden obstacles cut them apart")
    state.out.print(f"network written to {out}/ ({', '.join(files)})")


# ------------------------------------------------------------------ compare

@routes.command("compare")
@click.argument("network", type=click.Path(path_type=Path))
@click.option("--from", "a", required=True, help="Node id the routes start at.")
@click.option("--to", "b", required=True, help="Node id the routes end at.")
@click.option("--k", type=click.IntRange(1, 10), default=3, show_default=True,
              help="How many different routes.")
@click.option("--mtpa", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True, help="Flow the pipe is sized for, Mt/yr.")
@click.option("--max-shared", "max_shared", type=click.FloatRange(0, 1), default=0.5,
              show_default=True,
              help="Most of its length a route may share with an earlier one.")
@click.option("--separation-km", "separation_km", type=click.FloatRange(min=0, min_open=True),
              help="Routes closer than this share a corridor (default 10 % of the distance, "
                   "at least 1 km).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder for routes.geojson, routes.csv, routes.png "
                   "(default outputs/routes-FROM-TO/).")
@click.option("--case", type=click.Path(path_type=Path),
              help="Take [pipeline], [finance], [candidates] and [transport] from this case "
                   "file.")
@click.option("--modes", is_flag=True,
              help="Also compare pipeline, ship, truck and rail by annual volume (modes.csv, "
                   "modes.png, the break-even volumes).")
@click.option("--sea-km", "sea_km", type=click.FloatRange(min=0, min_open=True),
              help="With --modes: the ship's sea distance (default: geodesic × detour "
                   "factor where a ship may sail between the two, a port and a port or "
                   "sink; else no ship).")
@_CELL
@_RASTER
@click.pass_obj
def compare(state, network: Path, a, b, k, mtpa, max_shared, separation_km, out, case, modes,
            sea_km, cell_km, raster) -> None:
    """Compare K different routes from --from to --to across NETWORK's obstacles; with
    --modes, pipeline against ship, truck and rail too."""
    import numpy as np

    from ccusplan.io.network_writer import corridors_geojson
    from ccusplan.io.results import write_atomic
    from ccusplan.report.route_map import plot_routes
    from ccusplan.routes.alternatives import alternatives
    from ccusplan.routes.build import build_routing
    from ccusplan.routes.comparison import compare_routes, given_corridor, route_lines
    from ccusplan.routes.router import describe

    try:
        net, obstacles, cost, _ = _inputs(network, raster)
        ends = _ends(net, a, b)
        spec, crf = _pipeline_basis(case)
        lonlat = ends[["lon", "lat"]].to_numpy(float)
        routing = build_routing(lonlat, obstacles, cost, cell_km)
        routing.check_nodes(ends.index, lonlat)
        field = routing.field
        start = time.perf_counter()
        xa, ya = field.xy(*lonlat[0])
        xb, yb = field.xy(*lonlat[1])
        found = alternatives(routing.router, np.array([xa, ya]), np.array([xb, yb]), k,
                             max_shared, None if separation_km is None else separation_km * 1e3)
        seconds = time.perf_counter() - start
        if not found:
            _no_route(state, a, b)
        found_routes = [describe(field, xy, lonlat) for xy, _ in found]
        given, given_line = given_corridor(net.corridors, a, b, field,
                                           found_routes[0].geodesic_km)
        table = compare_routes(found_routes, [s for _, s in found], field.obstacles, mtpa, spec,
                               crf, given)
        out = out or Path("outputs") / f"routes-{a}-{b}"
        png = plot_routes(f"{a} → {b}: {len(found)} route(s), {mtpa:g} Mt/yr", ends,
                          found_routes, table, obstacles if obstacles is not None
                          else field.obstacles.iloc[:0], given_line)
        geojson = corridors_geojson(table.assign(
            geometry=route_lines(found_routes, given_line, len(table) > len(found_routes))))
        files = {"routes.geojson": lambda p: p.write_text(geojson),
                 "routes.csv": lambda p: table.to_csv(p, index=False, float_format="%.6g"),
                 "routes.png": lambda p: p.write_bytes(png)}
        by_mode = None
        if modes:
            by_mode = _modes(net, a, b, table, spec, crf, case, sea_km)
            files |= {"modes.csv": lambda p: by_mode[0].to_csv(p, index=False,
                                                                float_format="%.6g"),
                      "modes.png": lambda p: p.write_bytes(by_mode[4])}
        write_atomic(out, files, marker="routes.geojson")
    except Exception as exc:  # noqa: BLE001 - every error becomes a message
        _fail(state, exc)
    _print_table(state, a, b, table, field.obstacles, spec, routing, seconds, len(found), k,
                 max_shared)
    if by_mode is not None:
        _print_modes(state, by_mode[0], by_mode[1], by_mode[3])
    state.out.print(f"written to {out}/ ({', '.join(files)})")


def _modes(net, a: str, b: str, table: pd.DataFrame, spec, crf: float, case: Path | None,
           sea_km: float | None):
    """USD/t by mode and volume, the break-evens, the chart and the distances used."""
    from ccusplan.costs.modes import mode_costs, port_costs
    from ccusplan.io import load_case
    from ccusplan.model import Candidates, Transport
    from ccusplan.optimize.instance import offshore_sinks
    from ccusplan.report.mode_chart import plot_modes
    from ccusplan.routes.modes import Distances, break_evens, cost_by_volume

    c = load_case(case) if case is not None else None
    transport = c.transport if c is not None else Transport()
    candidates = c.candidates if c is not None else Candidates()
    detour, sea_detour = candidates.detour_factor, candidates.sea_detour_factor
    costs = mode_costs(transport=transport, cost_year=spec.cost_year)
    port = port_costs(transport=transport, cost_year=spec.cost_year)
    best = table.iloc[0]
    geodesic = float(best["geodesic_km"])
    ports = set(net.ports)
    sinks = set(net.sinks.index)
    by_sea = (a in ports and (b in ports or b in sinks)) or (b in ports and a in sinks)
    offshore = bool({a, b} & set(net.sinks.index[offshore_sinks(net)]))
    d = Distances(pipeline_km=float(best["length_km"]),
                  land_km=None if offshore else detour * geodesic,
                  sea_km=sea_km if sea_km is not None else sea_detour * geodesic if by_sea
                  else None,
                  terrain_factor=float(best["cost_weight"] / best["length_km"])
                  if best["length_km"] > 0 else 1.0, offshore=offshore)
    t = cost_by_volume(d, spec, crf, costs, port)
    breaks = break_evens(d, spec, crf, costs, port, t)
    note = (f"pipeline {d.pipeline_km:,.0f} km (route {best['route']})"
            + (f", truck and rail {d.land_km:,.0f} km" if d.land_km is not None else "")
            + (f", ship {d.sea_km:,.0f} km" if d.sea_km is not None else "")
            + f"; USD of {spec.cost_year}")
    png = plot_modes(t, breaks, f"{a} → {b}: cost by mode and annual volume", note)
    return t, breaks, d, note, png


def _print_modes(state, table: pd.DataFrame, breaks: pd.DataFrame, note: str) -> None:
    state.out.print(f"by mode ({note}):")
    if not len(breaks):
        state.out.print(f"  {table['cheapest'].iloc[0]} is cheapest at every volume from "
                        f"{table['mtpa'].iloc[0]:g} to {table['mtpa'].iloc[-1]:g} Mt/yr")
    for _, r in breaks.iterrows():
        state.out.print(f"  {r['below']} below {r['mtpa']:.3g} Mt/yr, {r['above']} above "
                        f"(both {r['usd_per_t']:,.2f} USD/t there)")


def _ends(net, a: str, b: str) -> pd.DataFrame:
    """The two end nodes (id index, lon, lat), or bad input naming the option."""
    nodes = net.nodes()
    problems = [Problem("command line", f"unknown node '{v}'; expected an id from "
                        f"{net.name}'s sources, sinks or junctions", field=opt)
                for opt, v in (("--from", a), ("--to", b)) if v not in nodes.index]
    if not problems and a == b:
        problems.append(Problem("command line", "--from and --to are the same node",
                                field="--to"))
    if problems:
        raise InputError(problems)
    return nodes.loc[[a, b], ["lon", "lat"]]


def _no_route(state, a: str, b: str) -> None:
    import sys


    _message(f"no route joins {a} and {b}: forbidden obstacles cut them apart")
    sys.exit(EXIT_NO_PLAN)


def _print_table(state, a, b, table: pd.DataFrame, obstacles, spec, routing, seconds, n, k,
                 max_shared) -> None:
    from ccusplan.routes.comparison import crossing_kinds, crossing_text

    kinds = crossing_kinds(obstacles)
    t = Table(box=None, header_style="bold", title=None)
    for col in ("route", "km", "detour", "cost weight", "shared", "crosses", "size",
                "capex MUSD", "USD/t"):
        t.add_column(col, justify="left" if col in ("route", "crosses") else "right")

    def num(v, fmt):
        return "—" if v != v else fmt.format(v)

    for _, r in table.iterrows():
        size = "—" if r["nominal_diameter_in"] != r["nominal_diameter_in"] else \
            f'{int(r["nominal_diameter_in"])}"'
        t.add_row(str(r["route"]), num(r["length_km"], "{:,.1f}"), num(r["detour_ratio"], "{:.3f}"),
                  num(r["cost_weight"], "{:,.1f}"), num(r["shared_share"], "{:.0%}"),
                  crossing_text(r, kinds), size, num(r["capex_musd"], "{:,.1f}"),
                  num(r["levelized_usd_per_t"], "{:,.2f}"))
    geo = table["geodesic_km"].iloc[0]
    state.out.print(f"[bold]{a} → {b}[/]: geodesic {geo:,.1f} km; {n} of {k} route(s) sharing "
                    f"at most {max_shared:.0%} of their length with an earlier one; "
                    f"{table['mtpa'].iloc[0]:g} Mt/yr, {spec.cost_year} USD, {spec.region}")
    wide = state.out
    wide.width = max(wide.width, TABLE_WIDTH)  # one line per route, even when piped
    wide.print(t)
    state.out.print(f"routed on a {routing.method} in {routing.build_seconds + seconds:.2f} s "
                    f"(set-up {routing.build_seconds:.2f} s, routes {seconds:.2f} s)")


__all__ = ["routes"]
