"""SimCCS's model, term by term, as a ccusplan network.

SimCCS (``MPSWriter.writeCapPriceMPS``) solves one period in MUSD/yr. Each of its
terms and where it lands here (CRF is the case's ``[finance] crf``, T the project
length, ``round5`` SimCCS's ``Math.round(x·1e5)/1e5``, applied as SimCCS applies it):

==============================================  ==============================================
SimCCS                                          ccusplan
==============================================  ==============================================
source i: ``s_i·(CRF·capex_i + fixedOM_i)``,    ``capture_capex_musd``, ``capture_fixed_om_musd_per_yr``,
``a_i·var_i``, ``a_i ≤ Prod_i·s_i``              ``capture_cost_usd_per_t``, ``capacity_mtpa = round5(Prod_i)``
"total unit cost" D ≠ 0                         ``capture_cost_usd_per_t = D``, no capex, no O&M
sink j: ``r_j·(CRF·site + siteOM)``,            ``storage_capex_musd``, ``storage_fixed_om_musd_per_yr``,
``w_j·(CRF·well + wellOM)``, ``b_j·inj_j``      ``well_capex_musd``, ``well_fixed_om_musd_per_yr``,
                                                ``storage_cost_usd_per_t``
``b_j ≤ WellCap_j·w_j``                         ``well_capacity_mtpa = round5(WellCap_j)``
``b_j ≤ round5(Cap_j/T)·r_j``                   ``max_injection_mtpa`` (``capacity_mt = Cap_j``)
"total unit cost" sink                          storage cost D, no site or well cost, no well limit
trend c on edge e: ``y·CRF·(α·Con + α′·ROW)``   pipe class: ``capex_musd_per_unit = α`` (× the
``+ p·CRF·(β·Con + β′·ROW)/u``                  corridor's ``cost_weight = Con``),
                                                ``row_capex_musd_per_unit = α′`` (× ``row_cost_weight
                                                = ROW``), ``…_per_mtpa = β/u, β′/u`` (× the capacity
                                                sized, which is the flow at the optimum)
``p ≤ round5(Qmax_c)·y``, ``Σ_c y ≤ 1``           ``capacity_mtpa``; the case's
                                                ``[pipeline] max_pipes_per_corridor = 1``
flow balance per raster cell                    one node per vertex cell (see :func:`nodes`)
==============================================  ==============================================

SimCCS's directed arcs (two per edge, each may get a pipe) and ccusplan's undirected
corridors (at most one pipe, flow either way) have the same optimum: every cost is
≥ 0 (trends are checked), so flow running both ways on an edge can be cancelled down
to one direction without raising any cost, after which the idle arc's pipe can go.

What cannot be mapped exactly is returned as notes (see :func:`notes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import LineString

from ccusplan.errors import Problem
from ccusplan.io.simccs.files import CANDIDATES, LINEAR, SINKS, SOURCES, Scenario
from ccusplan.io.simccs.grid import Raster, route_length_km

#: SimCCS's "pipe utilisation": it divides the per-Mt/yr pipe cost when the first
#: trend has a right-of-way slope (``MPSWriter``), and is 1 otherwise.
PIPE_UTILISATION = 0.93


def simccs_round(x):
    """SimCCS's rounding of model coefficients: Java ``Math.round(x·1e5)/1e5``."""
    return np.floor(np.asarray(x, float) * 1e5 + 0.5) / 1e5


@dataclass(frozen=True)
class Tables:
    """The ccusplan network tables of an imported scenario."""

    sources: pd.DataFrame
    sinks: pd.DataFrame
    junctions: pd.DataFrame
    corridors: pd.DataFrame       # with a ``geometry`` column (LineString or None)
    pipe_classes: pd.DataFrame


# ------------------------------------------------------------------- trends

def pipe_classes(sc: Scenario, total_capturable_mtpa: float,
                 problems: list[Problem], notes: list[str]) -> pd.DataFrame:
    """One pipe class per SimCCS cost trend, with SimCCS's trend capacities.

    ``Qmax_c`` is where the (construction + right-of-way) cost line of trend c crosses
    that of trend c+1; the last trend's is the total capturable CO2. A trend whose
    crossing is at ≤ 0 can never carry flow in SimCCS and is left out (with a note).
    """
    t = sc.trends
    where = sc.file(LINEAR)
    beta = (t["slope"] + t["row_slope"]).to_numpy(float)
    alpha = (t["intercept"] + t["row_intercept"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        qmax = np.append(np.diff(alpha) / (beta[:-1] - beta[1:]), total_capturable_mtpa)
    undefined = ~np.isfinite(qmax)
    problems.extend(
        Problem(where, f"trend {a} has the same total slope as the next trend ({b}): SimCCS's "
                       "capacity of a trend is where its cost line crosses the next one, which "
                       "never happens; give the trends in order of falling slope",
                int(line), "B: SLOPE")
        for a, b, line in zip(t["id"][:-1][undefined[:-1]], t["id"][1:][undefined[:-1]],
                              t["line"][:-1][undefined[:-1]]))
    qmax = simccs_round(np.where(undefined, 0.0, qmax))
    unusable = qmax <= 0
    notes.extend(
        f"{where}: trend {i} is not imported — its cost line meets the next trend's at "
        f"{q:g} Mt/yr ≤ 0, so SimCCS's capacity row p ≤ Qmax·y never lets it carry flow"
        for i, q in zip(t["id"][unusable & ~undefined], qmax[unusable & ~undefined]))
    u = PIPE_UTILISATION if t["row_slope"].iloc[0] != 0 else 1.0
    keep = ~unusable
    return pd.DataFrame({
        "name": [f"trend {i}" for i in t["id"][keep]],
        "capacity_mtpa": qmax[keep],
        "capex_musd_per_unit": t["intercept"].to_numpy(float)[keep],
        "capex_musd_per_unit_per_mtpa": t["slope"].to_numpy(float)[keep] / u,
        "row_capex_musd_per_unit": t["row_intercept"].to_numpy(float)[keep],
        "row_capex_musd_per_unit_per_mtpa": t["row_slope"].to_numpy(float)[keep] / u,
        "om_fraction_per_yr": 0.0,
    })


def diameter_classes(sc: Scenario) -> pd.DataFrame:
    """One pipe class per diameter of the legacy table (``Transport.txt``), priced as
    SimCCS's diameter model (``MIP_SimCCS_TIME``) prices it: capital costFix × the edge's
    construction cost sum + costROW × its right-of-way cost sum, annualised with the
    case's CRF; O&M costO&M per km of the edge and year; capacity maxCap. minCap and
    wdthROW do not enter that model's costs and are not imported (costVar and flowLoss
    must be 0: :data:`.files.DIAMETER_COLUMNS`)."""
    d = sc.diameters
    return pd.DataFrame({
        "name": d["name"].to_numpy(object),
        "capacity_mtpa": d["max_cap"].to_numpy(float),
        "capex_musd_per_unit": d["cost_fix"].to_numpy(float),
        "capex_musd_per_unit_per_mtpa": 0.0,
        "row_capex_musd_per_unit": d["cost_row"].to_numpy(float),
        "row_capex_musd_per_unit_per_mtpa": 0.0,
        "om_fraction_per_yr": 0.0,
        "om_musd_per_km_per_yr": d["cost_om"].to_numpy(float),
    })


# ------------------------------------------------------------------ placing

def _place(table: pd.DataFrame, raster: Raster, vertices: np.ndarray, where: str,
           what: str, fields: str, problems: list[Problem]) -> np.ndarray:
    """The raster cell of each terminal; problems for one off the raster or off the network."""
    row, col = raster.row_col(table["lon"], table["lat"])
    inside = raster.inside(row, col)
    cells = np.where(inside, raster.cell(row, col), 0)
    problems.extend(
        Problem(where, f"lies outside the raster ({raster.ncols} × {raster.nrows} cells from "
                       f"lon {raster.xllcorner:g}, lat {raster.yllcorner:g}, cell size "
                       f"{raster.cellsize:g}°)", int(line), fields)
        for line in table["line"][~inside])
    off = inside & ~np.isin(cells, vertices)
    problems.extend(
        Problem(where, f"lies in raster cell {c} (row {r}, column {k}), which is not a vertex of "
                       f"the candidate network ({CANDIDATES}): SimCCS would write no flow "
                       f"balance for it and its {what} would vanish unpriced; move it onto a "
                       "network cell or regenerate the candidate network", int(line), fields)
        for c, r, k, line in zip(cells[off], row[off], col[off], table["line"][off]))
    return cells


@dataclass(frozen=True)
class Nodes:
    """Terminal and junction ids and how every vertex cell maps onto a node."""

    source_ids: np.ndarray
    sink_ids: np.ndarray
    vertex_node: pd.Series    # vertex cell -> node id
    links: pd.DataFrame       # extra terminals -> the node of their cell: from, to, cell, capacity
    junction_cells: np.ndarray


def nodes(sc: Scenario, src_cells: np.ndarray, snk_cells: np.ndarray,
          src_cap: np.ndarray, snk_cap: np.ndarray, vertices: np.ndarray) -> Nodes:
    """Node ids (``S<id>``, ``K<id>``, ``J<cell>``) and the vertex each cell maps to.

    SimCCS writes one flow balance per vertex cell, shared by every source and sink in
    it. Here the first terminal of a cell (sources first, in file order) is the cell's
    node; any other terminal in the same cell joins it by a zero-length, zero-cost
    generic corridor as wide as that terminal can ever send or take. Vertex cells
    without terminals become junctions at the cell centre.
    """
    src_ids = ("S" + sc.sources["id"].astype(str)).to_numpy(object)
    snk_ids = ("K" + sc.sinks["id"].astype(str)).to_numpy(object)
    term = pd.DataFrame({"id": np.concatenate([src_ids, snk_ids]),
                         "cell": np.concatenate([src_cells, snk_cells]),
                         "capacity": np.concatenate([src_cap, snk_cap])})
    first = term.drop_duplicates("cell")
    extra = term[term.duplicated("cell")]
    vertex_node = pd.Series(first["id"].to_numpy(), index=first["cell"].to_numpy())
    junction_cells = np.setdiff1d(vertices, first["cell"].to_numpy())
    vertex_node = pd.concat([vertex_node, pd.Series("J" + junction_cells.astype(str),
                                                    index=junction_cells)])
    links = pd.DataFrame({"from": extra["id"].to_numpy(), "to": vertex_node[extra["cell"]].to_numpy(),
                          "cell": extra["cell"].to_numpy(), "capacity": extra["capacity"].to_numpy()})
    return Nodes(src_ids, snk_ids, vertex_node, links, junction_cells)


# ------------------------------------------------------------------- tables

def _corridors(sc: Scenario, raster: Raster, nd: Nodes) -> pd.DataFrame:
    """One corridor per candidate edge (cell route as its line, haversine length) and
    one generic link per extra terminal of a shared cell."""
    e = sc.edges
    lines, lengths = [], []
    for route in e["route"]:
        lon, lat = raster.centre(route)
        lines.append(LineString(np.column_stack([lon, lat])))
        lengths.append(route_length_km(lon, lat))
    edges = pd.DataFrame({
        "from": nd.vertex_node[e["v1"]].to_numpy(), "to": nd.vertex_node[e["v2"]].to_numpy(),
        "length_km": lengths, "cost_weight": e["con"].to_numpy(float),
        "row_cost_weight": e["row_cost"].to_numpy(float),
        "capacity_mtpa": np.nan, "fixed_cost_musd": np.nan, "variable_cost_usd_per_t": np.nan,
        "simccs_vertex1": e["v1"].to_numpy(), "simccs_vertex2": e["v2"].to_numpy(),
        "geometry": lines,
    })
    links = pd.DataFrame({
        "from": nd.links["from"], "to": nd.links["to"], "length_km": 0.0, "cost_weight": 0.0,
        "row_cost_weight": 0.0, "capacity_mtpa": nd.links["capacity"], "fixed_cost_musd": 0.0,
        "variable_cost_usd_per_t": 0.0, "simccs_vertex1": nd.links["cell"],
        "simccs_vertex2": nd.links["cell"], "geometry": None,
    })
    return pd.concat([edges, links], ignore_index=True) if len(links) else edges


def tables(sc: Scenario, raster: Raster, project_years: float,
           problems: list[Problem], notes: list[str]) -> Tables | None:
    """The network tables of scenario ``sc``; ``None`` when problems were found."""
    src, snk, e = sc.sources, sc.sinks, sc.edges
    vertices = np.unique(np.concatenate([e["v1"], e["v2"]]).astype(np.int64))
    off_raster = vertices > raster.n_cells
    problems.extend(
        Problem(sc.file(CANDIDATES), f"cell {v} is outside the raster ({raster.n_cells:,} cells)",
                None, "Vertex1/Vertex2") for v in vertices[off_raster])
    src_cells = _place(src, raster, vertices, sc.file(SOURCES), "capture",
                       sc.position_fields(SOURCES), problems)
    snk_cells = _place(snk, raster, vertices, sc.file(SINKS), "injection",
                       sc.position_fields(SINKS), problems)
    total_capturable = float(src["prod_mtpa"].sum())
    classes = diameter_classes(sc) if len(sc.diameters) else \
        pipe_classes(sc, total_capturable, problems, notes)
    if problems:
        return None

    no_well = ~snk["simplified"] & ~(snk["well_mtpa"] > 0)
    notes.extend(f"{sc.file(SINKS)} row {line}: sink {i} has no well injection rate (column "
                 f"{'F' if sc.txt else 'G'}), "
                 "so SimCCS can inject nothing there (b ≤ 0·w); imported with max_injection_mtpa = 0"
                 for i, line in zip(snk["id"][no_well], snk["line"][no_well]))
    prod = simccs_round(src["prod_mtpa"])
    inj_max = np.where(no_well, 0.0, simccs_round(snk["cap_mt"] / project_years))
    nd = nodes(sc, src_cells, snk_cells, prod, inj_max, vertices)

    sources = pd.DataFrame({
        "id": nd.source_ids, "name": src["name"], "kind": "other",
        "lon": src["lon"], "lat": src["lat"], "capacity_mtpa": prod,
        "capture_cost_usd_per_t": src["var_usd_per_t"], "capture_capex_musd": src["capex_musd"],
        "capture_fixed_om_musd_per_yr": src["fom_musd_per_yr"],
        "capture_capex_musd_per_mtpa": 0.0, "capture_fixed_om_musd_per_yr_per_mtpa": 0.0,
        "simccs_id": src["id"], "simccs_cell": src_cells,
    })
    sinks = pd.DataFrame({
        "id": nd.sink_ids, "name": snk["name"], "kind": "saline",
        "lon": snk["lon"], "lat": snk["lat"], "capacity_mt": snk["cap_mt"],
        "max_injection_mtpa": inj_max, "storage_cost_usd_per_t": snk["inj_usd_per_t"],
        "storage_capex_musd": snk["site_capex_musd"],
        "storage_fixed_om_musd_per_yr": snk["site_fom_musd_per_yr"],
        "well_capacity_mtpa": np.where(no_well, np.nan, simccs_round(snk["well_mtpa"])),
        "well_capex_musd": snk["well_capex_musd"],
        "well_fixed_om_musd_per_yr": snk["well_fom_musd_per_yr"],
        "simccs_id": snk["id"], "simccs_cell": snk_cells,
    })
    lon, lat = raster.centre(nd.junction_cells)
    junctions = pd.DataFrame({"id": "J" + nd.junction_cells.astype(str), "lon": lon, "lat": lat,
                              "simccs_cell": nd.junction_cells})
    return Tables(sources, sinks, junctions, _corridors(sc, raster, nd), classes)


# -------------------------------------------------------------------- notes

def notes(t: Tables, mode: str, tax_credit_usd_per_t: float) -> list[str]:
    """What the ccusplan case does not reproduce term for term, in words."""
    rounding = ("SimCCS rounds every objective coefficient to 5 decimals when it writes its "
                "MPS file; ccusplan keeps them exact (each cost term differs by at most 5e-6 "
                "MUSD/yr per unit of its variable)")
    out = [rounding]
    cheapest = float(t.sources["capture_cost_usd_per_t"].min()
                     + t.sinks["storage_cost_usd_per_t"].min())
    if mode == "target" and cheapest < 0:
        out.append("SimCCS's capture target is an equality (Σ capture = target); ccusplan's is "
                   "'at least', and some capture-plus-storage cost per tonne is negative here "
                   f"({cheapest:g} USD/t), so ccusplan may store more than the target where "
                   "SimCCS may not")
    if mode == "price" and tax_credit_usd_per_t != 0:
        out.append(f"SimCCS adds the tax/credit ({tax_credit_usd_per_t:g} USD/t) to every "
                   "source's capture cost; the case gives it as [price] usd_per_t = "
                   f"{-tax_credit_usd_per_t:g} per tonne stored, which is the same total (one "
                   "period: every tonne captured is stored) but shows in the 'revenue' part, "
                   "not in 'capture'")
    return out
