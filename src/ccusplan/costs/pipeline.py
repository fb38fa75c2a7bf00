"""Engineering model of a dense-phase CO2 pipeline: capital cost, boosters, sizing.

For a flow ``Q`` (Mt/yr) over a length ``L`` (km), each standard size (NPS 4–48, wall
by Barlow for the design pressure and steel grade) is costed line by line:

* **hydraulics** (``hydraulics``): velocity, Darcy–Weisbach pressure drop with Colebrook
  friction at the mean line state, and the boosters ``n`` that keep the line above the
  minimum pressure (each restores the inlet pressure; ``n + 1`` equal segments);
* **pipe capital**: McCoy & Rubin (2008) or Parker (2004), with their length exponents
  and fixed terms, per component (materials, labour, right-of-way, miscellaneous) ×
  the region's factors, escalated by the CEPCI ratio to ``spec.cost_year``, × terrain
  factor × offshore factor;
* **boosters**: ``n`` stations each raising ``ΔP/(n + 1)``, electric power
  ``(Q/ρ)·ΔP/(n+1)/η`` each; capital per station ``a·P_kW + b`` for the pump (McCollum &
  Ogden 2006) plus a station cost (ccusplan assumption), escalated; energy
  ``n·P·8,760 h`` at the case's electricity price. The first segment runs on the inlet
  pressure the capture plant delivers (its compression is in the capture cost);
* **O&M**: a fraction of pipe capital + a fraction of pump capital + pump electricity;
* **levelised cost** (USD/t) = ``(crf · capex + O&M) / Q``.

``size_pipeline`` picks the size with the lowest annual cost among those within the
velocity limit (and a booster limit, if given).

``corridor_pipe_classes`` gives the MILP one row per (corridor, size). A corridor of
length ``L`` gets ``n_L = ⌈L / spec.booster_spacing_km⌉ − 1`` booster sites (none up to
one spacing). A size's **capacity** there is the most it carries with those boosters
within the velocity limit: ``min(Q(v_max), Q_hydraulic(L, n_L))``. Its capex is the exact
pipe cost on that corridor plus the boosters needed *at capacity*, its O&M includes the
pumping energy *at capacity*. Up to one spacing (no boosters) the costs are exact at
every flow; on longer corridors they are exact at capacity and conservative below it.
Each corridor is a line that starts at the inlet pressure (a source's compressor, or a
junction where the flow is re-boosted — that junction pump is not costed).

Every cited number is in ``costs/data/pipeline_costs.toml`` and ``cost_index.csv``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ccusplan.costs import hydraulics as hy
from ccusplan.costs.co2 import line_state
from ccusplan.costs.escalation import cost_index, escalation  # noqa: F401 - re-exported
from ccusplan.costs.pipes import pipe_geometry

if TYPE_CHECKING:
    from ccusplan.model import PipelineSpec

KM_PER_MILE = 1.609344
HOURS_PER_YEAR = 8760.0


@cache
def _data() -> dict:
    with resources.files("ccusplan.costs").joinpath("data/pipeline_costs.toml").open("rb") as fh:
        return tomllib.load(fh)


def co2_critical_pressure_mpa() -> float:
    """Critical pressure of CO2 (MPa) from the data file, for validation without CoolProp."""
    return float(_data()["co2"]["critical_pressure_mpa"])


def _components_usd(length_km, nps_in, model: str) -> np.ndarray:
    """The four cost components (USD of the model's own year), last axis = component."""
    c = _data()[model]
    L = np.asarray(length_km, float)[..., None]
    D = np.asarray(nps_in, float)[..., None]
    if model == "mccoy_rubin":
        a = 10.0 ** np.asarray(c["log10_a"])
        return a * L ** np.asarray(c["length_exponent"]) * D ** np.asarray(c["diameter_exponent"])
    miles = L / KM_PER_MILE
    per_mile = (np.asarray(c["per_mile_d2"]) * D**2 + np.asarray(c["per_mile_d1"]) * D
                + np.asarray(c["per_mile_d0"]))
    return np.asarray(c["fixed_usd"]) + miles * per_mile


def pipeline_capex_musd(length_km, nps_in, spec: PipelineSpec, terrain_factor=1.0,
                        offshore=False) -> np.ndarray:
    """Capital cost of the line (MUSD of ``spec.cost_year``), pipe only (no boosters).

    ``Σ_components region_factor · component(L, D)`` × index ratio × terrain × offshore.
    McCoy–Rubin takes ``L`` in km (2004 USD), Parker in miles (2000 USD); ``D`` is the
    nominal size in inches. Arguments broadcast.

    >>> from ccusplan.model import PipelineSpec
    >>> round(float(pipeline_capex_musd(100, 12, PipelineSpec(cost_year=2004))), 2)
    27.61
    """
    model = _data()[spec.cost_model]
    factors = np.asarray(_data()["regions"][spec.region]["factors"], float)
    usd = (_components_usd(length_km, nps_in, spec.cost_model) * factors).sum(axis=-1)
    off = np.where(np.asarray(offshore, bool), _data()["offshore"]["factor"], 1.0)
    esc = escalation(model["cost_year"], spec.cost_year)
    return usd * esc * np.asarray(terrain_factor, float) * off / 1e6


def booster_capex_musd(power_kw_per_booster, boosters, spec: PipelineSpec) -> np.ndarray:
    """Capital cost (MUSD) of ``boosters`` stations whose pumps draw ``power_kw_per_booster`` kW.

    Per station: pump ``usd_per_kw · P + fixed_usd`` plus ``station_fixed_usd``, escalated.
    """
    b = _data()["booster"]
    per = (b["usd_per_kw"] * np.asarray(power_kw_per_booster, float) + b["fixed_usd"]
           + b["station_fixed_usd"])
    n = np.asarray(boosters, float)
    return np.where(n > 0, n * per, 0.0) * escalation(b["cost_year"], spec.cost_year) / 1e6


def _evaluate(mtpa, length_km, spec: PipelineSpec, crf: float, terrain_factor=1.0,
              offshore=False, elevation_change_m=0.0, max_boosters=None) -> dict:
    """Every quantity of every size for flows/lengths broadcast against the size axis (last)."""
    g = pipe_geometry(spec.design_pressure_mpa, spec.steel_grade)
    rho, mu = line_state(spec.inlet_pressure_mpa, spec.min_pressure_mpa, spec.ground_temperature_c)
    d = g["inner_diameter_m"].to_numpy()
    q = np.asarray(mtpa, float)
    L = np.asarray(length_km, float)
    v = hy.velocity_m_s(q, d, rho)
    dp = hy.pressure_drop_mpa(q, L, d, rho, mu, elevation_change_m)
    n = hy.boosters_needed(dp, spec.inlet_pressure_mpa, spec.min_pressure_mpa)
    power = np.where(n > 0, hy.pump_power_kw(q, dp / (n + 1), rho, spec.pump_efficiency), 0.0)
    pipe = pipeline_capex_musd(L, g["nps_in"].to_numpy(), spec, terrain_factor, offshore)
    pumps = booster_capex_musd(power, n, spec)
    energy = n * power * HOURS_PER_YEAR / 1e3 * spec.electricity_usd_per_mwh / 1e6
    om = (_data()["pipeline_om"]["fraction_per_yr"] * pipe
          + _data()["booster"]["om_fraction_per_yr"] * pumps + energy)
    capex = pipe + pumps
    annual = crf * capex + om
    feasible = v <= spec.max_velocity_m_s * (1 + 1e-9)
    if max_boosters is not None:
        feasible &= n <= max_boosters
    with np.errstate(divide="ignore", invalid="ignore"):
        levelised = np.where(q > 0, annual / q, np.inf)
    shape = np.broadcast(q, L, d, np.asarray(terrain_factor), np.asarray(elevation_change_m)).shape
    b = lambda x: np.broadcast_to(x, shape)  # noqa: E731 - one-line shape helper
    return {"name": b(g["name"].to_numpy(object)), "nps_in": b(g["nps_in"].to_numpy()),
            "inner_diameter_m": b(d), "velocity_m_s": b(v), "pressure_drop_mpa": b(dp),
            "boosters": b(n), "pump_power_kw": b(n * power), "pipe_capex_musd": b(pipe),
            "booster_capex_musd": b(pumps), "capex_musd": b(capex), "energy_musd_per_yr": b(energy),
            "om_musd_per_yr": b(om), "annual_musd_per_yr": b(annual),
            "levelized_usd_per_t": b(levelised), "feasible": b(feasible),
            "density_kg_m3": rho, "viscosity_pa_s": mu}


def sizing_table(mtpa: float, length_km: float, spec: PipelineSpec, crf: float, *,
                 elevation_change_m: float = 0.0, terrain_factor: float = 1.0,
                 offshore: bool = False, max_boosters: int | None = None) -> pd.DataFrame:
    """Every standard size for one flow and length: hydraulics, boosters and costs (one row each).

    ``feasible`` is False where the velocity exceeds ``spec.max_velocity_m_s`` or the size
    needs more than ``max_boosters`` boosters.
    """
    if mtpa <= 0 or length_km <= 0:
        raise ValueError(f"flow and length must be positive, got {mtpa} Mt/yr and {length_km} km")
    ev = _evaluate(mtpa, length_km, spec, crf, terrain_factor, offshore, elevation_change_m,
                   max_boosters)
    scalars = ("density_kg_m3", "viscosity_pa_s")
    return pd.DataFrame({k: v for k, v in ev.items() if k not in scalars}).assign(
        density_kg_m3=ev["density_kg_m3"], viscosity_pa_s=ev["viscosity_pa_s"])


class NoStandardSize(ValueError):
    """No standard size carries the flow over the length: ``largest_mtpa`` is what the
    largest carries at the velocity limit."""

    def __init__(self, message: str, largest_mtpa: float):
        super().__init__(message)
        self.largest_mtpa = largest_mtpa


def size_pipeline(mtpa: float, length_km: float, spec: PipelineSpec, crf: float, *,
                  elevation_change_m: float = 0.0, terrain_factor: float = 1.0,
                  offshore: bool = False, max_boosters: int | None = None) -> dict:
    """The cheapest feasible standard size over the asset life for a flow and a length.

    Parameters
    ----------
    mtpa, length_km : float
        Annual mean flow (Mt/yr) and line length (km).
    spec : PipelineSpec
        Pressures, temperature, steel, cost model, cost year, region, prices.
    crf : float
        Capital recovery factor (1/yr) that annualises capital over the asset life.
    elevation_change_m : float
        Outlet minus inlet elevation, m (positive uphill).
    terrain_factor, offshore
        Multipliers on the pipe capital cost.
    max_boosters : int, optional
        Most intermediate boosters allowed (0 = the inlet pressure must carry the flow).

    Returns
    -------
    dict
        ``nominal_diameter_in``, ``inner_diameter_m``, ``velocity_m_s``,
        ``pressure_drop_mpa``, ``boosters``, ``capex_musd``, ``om_musd_per_yr``,
        ``levelized_usd_per_t``, ``density_kg_m3`` and the detail (``name``,
        ``outer_diameter_in``, ``wall_mm``, ``viscosity_pa_s``, ``pump_power_kw``,
        ``pipe_capex_musd``, ``booster_capex_musd``, ``energy_musd_per_yr``,
        ``annual_musd_per_yr``, inputs and cost basis). Plain Python numbers (JSON-ready).
    """
    t = sizing_table(mtpa, length_km, spec, crf, elevation_change_m=elevation_change_m,
                     terrain_factor=terrain_factor, offshore=offshore, max_boosters=max_boosters)
    ok = t[t["feasible"]]
    if ok.empty:
        largest = float(size_capacities_mtpa(spec).max())
        lines = max(int(np.ceil(mtpa / largest - 1e-9)), 2)
        limit = "" if max_boosters is None else f" and at most {max_boosters} boosters"
        raise NoStandardSize(
            f"no standard size (4–48\") carries {mtpa:g} Mt/yr over {length_km:g} km within "
            f"{spec.max_velocity_m_s:g} m/s{limit}; the largest, 48\", carries at most "
            f"{largest:.2f} Mt/yr at that velocity. Lay parallel lines (e.g. {lines} of "
            f"{mtpa / lines:.4g} Mt/yr: --mtpa {mtpa / lines:.4g}), allow more boosters, or "
            "raise [pipeline] max_velocity_m_s in a case file (docs/case-file.md)",
            largest)
    row = ok.loc[ok["annual_musd_per_yr"].idxmin()]
    g = pipe_geometry(spec.design_pressure_mpa, spec.steel_grade).set_index("name").loc[row["name"]]
    out = {
        "nominal_diameter_in": int(row["nps_in"]),
        "inner_diameter_m": float(row["inner_diameter_m"]),
        "velocity_m_s": float(row["velocity_m_s"]),
        "pressure_drop_mpa": float(row["pressure_drop_mpa"]),
        "boosters": int(row["boosters"]),
        "capex_musd": float(row["capex_musd"]),
        "om_musd_per_yr": float(row["om_musd_per_yr"]),
        "levelized_usd_per_t": float(row["levelized_usd_per_t"]),
        "density_kg_m3": float(row["density_kg_m3"]),
        "name": str(row["name"]),
        "outer_diameter_in": float(g["outer_diameter_in"]),
        "wall_mm": float(g["wall_mm"]),
        "viscosity_pa_s": float(row["viscosity_pa_s"]),
        "pump_power_kw": float(row["pump_power_kw"]),
        "pipe_capex_musd": float(row["pipe_capex_musd"]),
        "booster_capex_musd": float(row["booster_capex_musd"]),
        "energy_musd_per_yr": float(row["energy_musd_per_yr"]),
        "annual_musd_per_yr": float(row["annual_musd_per_yr"]),
        "mtpa": float(mtpa), "length_km": float(length_km), "crf": float(crf),
        "cost_model": spec.cost_model, "cost_year": int(spec.cost_year), "region": spec.region,
    }
    return out


def levelized_cost_curve(length_km: float, spec: PipelineSpec, crf: float,
                         flows=None) -> pd.DataFrame:
    """Levelised cost (USD/t) of every size against flow, for the curve command.

    Index ``mtpa`` (default: 40 flows from 0.1 to 60 Mt/yr, log-spaced), one column per
    size (``'12"'``); NaN where the size is infeasible (above the velocity limit).
    """
    q = np.geomspace(0.1, 60, 40) if flows is None else np.asarray(flows, float)
    ev = _evaluate(q[:, None], length_km, spec, crf)
    lev = np.where(ev["feasible"], ev["levelized_usd_per_t"], np.nan)
    return pd.DataFrame(lev, index=pd.Index(q, name="mtpa"), columns=list(ev["name"][0]))


def size_capacities_mtpa(spec: PipelineSpec) -> pd.Series:
    """Capacity of each size (Mt/yr): the flow at ``spec.max_velocity_m_s`` at the line state."""
    g = pipe_geometry(spec.design_pressure_mpa, spec.steel_grade)
    rho, _ = line_state(spec.inlet_pressure_mpa, spec.min_pressure_mpa, spec.ground_temperature_c)
    area = np.pi / 4 * g["inner_diameter_m"].to_numpy() ** 2
    return pd.Series(hy.mtpa_from_kg_s(rho * spec.max_velocity_m_s * area),
                     index=g["name"], name="capacity_mtpa")


def corridor_pipe_classes(length_km, terrain_factor, offshore, spec: PipelineSpec, crf: float,
                          elevation_change_m=0.0) -> pd.DataFrame:
    """MILP constants: one row per (corridor position, size), corridor-major.

    Parameters
    ----------
    length_km, terrain_factor, offshore, elevation_change_m : array_like
        Per corridor (scalars broadcast): length (km), capital multiplier, offshore flag,
        outlet minus inlet elevation (m).
    spec : PipelineSpec
    crf : float
        Capital recovery factor, used for the ``levelized_usd_per_t`` column only.

    Returns
    -------
    DataFrame
        ``corridor`` (position in the inputs), ``name`` ('12"'), ``nps_in``,
        ``capacity_mtpa`` (see the module docstring), ``boosters`` and
        ``pressure_drop_mpa`` at capacity, ``pipe_capex_musd``, ``booster_capex_musd``,
        ``capex_musd`` (their sum: exact cost of that size on that corridor),
        ``capex_musd_per_mtpa`` (0), ``om_musd_per_yr`` (pipe and pump O&M plus pumping
        energy at capacity), ``om_fraction_per_yr`` (O&M / capex) and
        ``levelized_usd_per_t`` at capacity.
    """
    L = np.atleast_1d(np.asarray(length_km, float))
    n_cor = len(L)
    tf = np.broadcast_to(np.asarray(terrain_factor, float), (n_cor,))[:, None]
    off = np.broadcast_to(np.asarray(offshore, bool), (n_cor,))[:, None]
    dz = np.broadcast_to(np.asarray(elevation_change_m, float), (n_cor,))[:, None]
    g = pipe_geometry(spec.design_pressure_mpa, spec.steel_grade)
    rho, mu = line_state(spec.inlet_pressure_mpa, spec.min_pressure_mpa, spec.ground_temperature_c)
    sites = np.maximum(np.ceil(L / spec.booster_spacing_km - 1e-9) - 1, 0)[:, None]
    q_hyd = hy.max_flow_mtpa(L[:, None], g["inner_diameter_m"].to_numpy()[None, :], rho, mu,
                             spec.inlet_pressure_mpa, spec.min_pressure_mpa, sites, dz)
    cap = np.minimum(size_capacities_mtpa(spec).to_numpy()[None, :], q_hyd)
    ev = _evaluate(cap, L[:, None], spec, crf, tf, off, dz)
    capex = ev["capex_musd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(capex > 0, ev["om_musd_per_yr"] / capex, 0.0)
        lev = np.where(cap > 0, ev["levelized_usd_per_t"], np.inf)
    flat = lambda x: np.asarray(x).reshape(-1)  # noqa: E731 - corridor-major flattening
    return pd.DataFrame({
        "corridor": np.repeat(np.arange(n_cor), len(g)),
        "name": flat(ev["name"]), "nps_in": flat(ev["nps_in"]), "capacity_mtpa": flat(cap),
        "boosters": flat(ev["boosters"]), "pressure_drop_mpa": flat(ev["pressure_drop_mpa"]),
        "pipe_capex_musd": flat(ev["pipe_capex_musd"]),
        "booster_capex_musd": flat(ev["booster_capex_musd"]),
        "capex_musd": flat(capex), "capex_musd_per_mtpa": 0.0,
        "om_musd_per_yr": flat(ev["om_musd_per_yr"]), "om_fraction_per_yr": flat(frac),
        "levelized_usd_per_t": flat(lev),
    })


def pumping_mwh_per_yr(flow_mtpa, length_km, nps_in, spec: PipelineSpec) -> np.ndarray:
    """Electricity (MWh/yr) to make up the friction loss of ``flow_mtpa`` in one line.

    The pumps, wherever they stand, restore the pressure the flow loses over the line:
    ``(ṁ/ρ) · Δp(flow) / η`` for 8,766 h a year (elevation ignored). Arguments broadcast.

    >>> from ccusplan.model import PipelineSpec
    >>> pumping_mwh_per_yr([0.0, 1.7], 109, [12, 10], PipelineSpec()).round(0).tolist()
    [0.0, 2139.0]
    """
    g = pipe_geometry(spec.design_pressure_mpa, spec.steel_grade).set_index("nps_in")
    d = g.loc[np.atleast_1d(np.asarray(nps_in, int)), "inner_diameter_m"].to_numpy()
    rho, mu = line_state(spec.inlet_pressure_mpa, spec.min_pressure_mpa, spec.ground_temperature_c)
    q = np.asarray(flow_mtpa, float)
    flowing = q > 0
    with np.errstate(invalid="ignore", divide="ignore"):  # no flow: no friction, no pumping
        dp = hy.pressure_drop_mpa(np.where(flowing, q, 1.0), length_km, d, rho, mu)
    mwh = hy.pump_power_kw(q, dp, rho, spec.pump_efficiency) * 8.766  # kW·8766 h / 1000
    return np.where(flowing, mwh, 0.0)
