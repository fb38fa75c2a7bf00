"""Plain domain objects: the network as tables, the case as a frozen schema.

No I/O and no solver here. The network is a set of pandas tables whose columns
carry their units in their names (``capacity_mtpa``, ``length_km`` ...); which
columns exist, their types, ranges and defaults are data, in
``data/network_schema.csv``. Graph algorithms work on arrays derived from
the tables (``optimize.instance``), in sorted id order, so results never
depend on input or hash order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ccusplan.uncertainty.spec import Stochastic, Uncertainty

NODE_TABLES = ("sources", "sinks", "junctions")
TABLES = (*NODE_TABLES, "corridors", "pipe_classes")

SOURCE_KINDS = (
    "coal_power", "gas_power", "cement", "steel", "steel_bf_bof", "refinery", "chemical",
    "coal_to_chemicals", "ammonia", "methanol", "coal_to_olefins", "ng_processing", "hydrogen",
    "bioenergy", "dac", "other",
)
SINK_KINDS = ("saline", "saline_offshore", "eor", "depleted_gas", "utilization")
JUNCTION_KINDS = ("junction", "port")
#: Transport modes of a corridor: pipelines are built (pipes of size classes, in service
#: once laid); ships, trucks and rail carry CO2 in capacity leased period by period.
MODES = ("pipeline", "ship", "truck", "rail")
LEASED_MODES = MODES[1:]


@cache
def schema() -> pd.DataFrame:
    """The network schema: one row per (table, column) with type, unit, range, default."""
    with resources.files("ccusplan").joinpath("data/network_schema.csv").open() as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["required"] = df["required"].eq("yes")
    return df


def columns(table: str) -> list[str]:
    """All contract columns of one table, in schema order."""
    s = schema()
    return s.loc[s["table"] == table, "column"].tolist()


@dataclass(frozen=True)
class Network:
    """Capture sources, storage sinks, junctions and candidate corridors.

    Every table holds every contract column (missing optional values are NaN).
    ``sources``, ``sinks`` and ``junctions`` are indexed by node id.
    ``corridors`` is ``None`` when the network has no corridors file (candidates
    are then generated); it may carry a ``geometry`` column of shapely lines.
    ``pipe_classes`` is ``None`` when the built-in pipe sizes are used.
    """

    name: str
    sources: pd.DataFrame
    sinks: pd.DataFrame
    junctions: pd.DataFrame
    corridors: pd.DataFrame | None = None
    pipe_classes: pd.DataFrame | None = None
    path: Path | None = None
    #: input that is valid but probably not meant, one line each (:mod:`ccusplan.io.plausibility`)
    notes: tuple[str, ...] = ()

    def nodes(self) -> pd.DataFrame:
        """All nodes: id index, columns ``role`` (source/sink/junction), ``lon``, ``lat``."""
        parts = [
            t[["lon", "lat"]].assign(role=role)
            for t, role in (
                (self.sources, "source"), (self.sinks, "sink"), (self.junctions, "junction"),
            )
        ]
        return pd.concat(parts)

    @property
    def ports(self) -> pd.Index:
        """Ids of the junctions of kind ``port``."""
        j = self.junctions
        return j.index[j["kind"].eq("port").to_numpy()] if "kind" in j else j.index[:0]

    def with_corridors(self, corridors: pd.DataFrame) -> Network:
        return Network(self.name, self.sources, self.sinks, self.junctions,
                       corridors, self.pipe_classes, self.path)


def is_pipeline(corridors: pd.DataFrame) -> np.ndarray:
    """(E,) True for a corridor table's pipeline corridors (no ``mode`` column: all)."""
    if "mode" not in corridors:
        return np.ones(len(corridors), dtype=bool)
    return corridors["mode"].fillna("pipeline").eq("pipeline").to_numpy()


def is_asset(corridors: pd.DataFrame) -> np.ndarray:
    """(E,) True for the corridors that are given assets: pipe already in service or one
    generic pipe of stated cost."""
    existing = corridors["existing_capacity_mtpa"].fillna(0.0).to_numpy(float) > 0
    return existing | corridors["capacity_mtpa"].notna().to_numpy()


# --------------------------------------------------------------------------- case

class _Strict(BaseModel):
    """Frozen, and unknown keys are rejected by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseInfo(_Strict):
    """``[case]``: what the case is and which network it runs on."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]
    """Case name: letters, digits, ``_``, ``.`` and ``-``; names the default result folder
    ``outputs/<name>/``."""
    network: Path
    """Network folder, GeoPackage or GeoJSON folder, relative to the case file."""
    mode: Literal["target", "price"] = "target"
    """``target``: store at least ``[target]`` Mt/yr at least cost; ``price``: store what
    pays at the ``[price]`` credit per tonne."""
    description: str = ""
    """Free text about the case (not used by the model)."""


class Horizon(_Strict):
    """``[horizon]``: period start years; each period lasts until the next starts."""

    periods: Annotated[list[int], Field(min_length=1)]
    """Start year of each period, strictly increasing; the first is the year money is
    discounted to."""
    period_years: Annotated[int, Field(ge=1, le=100)] = 5
    """Length of the last period (and of every period when they are evenly spaced)."""

    @model_validator(mode="after")
    def _increasing(self) -> Horizon:
        for a, b in zip(self.periods, self.periods[1:]):
            if b <= a:
                raise ValueError(f"periods must be strictly increasing, but {b} follows {a}")
        return self

    @property
    def lengths_years(self) -> list[int]:
        p = self.periods
        return [b - a for a, b in zip(p, p[1:])] + [self.period_years]


class Target(_Strict):
    """``[target]``: Mt/yr stored in each period, explicit or as a scale-up."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    mtpa: list[Annotated[float, Field(ge=0)]] | None = None
    """Mt/yr to store in each period, one value per period (or give the scale-up keys)."""
    base_mtpa: Annotated[float, Field(gt=0)] | None = None
    """Scale-up: Mt/yr stored in the first period."""
    factor: Annotated[float, Field(gt=0)] | None = None
    """Scale-up: the target reaches ``base_mtpa`` × this at ``by``, held flat after."""
    by: int | None = None
    """Scale-up: the year the target reaches ``base_mtpa`` × ``factor`` (after the first
    period, within the horizon)."""
    shape: Literal["linear", "exponential", "s-curve"] = "exponential"
    """Scale-up: how the target grows from ``base_mtpa`` to ``base_mtpa`` × ``factor``."""

    @model_validator(mode="after")
    def _one_form(self) -> Target:
        scale = (self.base_mtpa, self.factor, self.by)
        if self.mtpa is None and any(v is None for v in scale):
            raise ValueError("give either mtpa = [...] or all of base_mtpa, factor and by")
        if self.mtpa is not None and any(v is not None for v in scale):
            raise ValueError("give either mtpa = [...] or base_mtpa/factor/by, not both")
        if self.mtpa is not None and "shape" in self.model_fields_set:
            raise ValueError("shape applies to a scale-up (base_mtpa, factor, by), "
                             "not to mtpa = [...]: remove it")
        return self


class Price(_Strict):
    """``[price]``: price mode — a credit per tonne stored (USD/t), one value or one per period."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    usd_per_t: float | list[float]
    """Credit per tonne stored, USD/t: one value for every period or one per period."""


class Finance(_Strict):
    """``[finance]``: discounting and capital recovery."""

    discount_rate: Annotated[float, Field(ge=0, lt=1)] = 0.08
    """Real discount rate per year: money is discounted to the first period's start and
    capital recovery factors are taken at this rate."""
    crf: Annotated[float, Field(gt=0, le=1)] | None = None
    """One capital recovery factor for every asset, instead of rate + lives."""
    pipeline_life_years: Annotated[int, Field(ge=1, le=100)] = 30
    """Life over which pipeline and booster capital is recovered, years."""
    capture_life_years: Annotated[int, Field(ge=1, le=100)] = 25
    """Life over which capture capital is recovered, years."""
    storage_life_years: Annotated[int, Field(ge=1, le=100)] = 30
    """Life over which storage site and well capital is recovered, years."""

    def crf_of(self, life_years: int) -> float:
        """The capital recovery factor of an asset of that life: ``crf`` when given,
        else the one at ``discount_rate``."""
        from ccusplan.costs.finance import capital_recovery_factor

        return self.crf if self.crf is not None else \
            capital_recovery_factor(self.discount_rate, life_years)


class Solver(_Strict):
    """``[solver]``: which solver and how long it may run."""

    name: Annotated[str, Field(min_length=1)] = "highs"
    """``highs``, ``scip``, ``cbc``, or any solver name PuLP knows (``ccusplan doctor``
    lists those found)."""
    time_limit_s: Annotated[float, Field(gt=0)] = 600.0
    """Seconds for warm start and branch and bound together; the best plan found is kept."""
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 0.01
    """Relative gap (objective − bound) / objective at which the solver stops."""
    threads: Annotated[int, Field(ge=1)] | None = None
    """Solver threads (default: the solver's own choice). Unset or 2 and more, ccusplan also
    solves the warm start's restricted MILPs and searches the plan region by region beside
    branch and bound (HiGHS), on a core of its own; 1 keeps the run to one core, the
    restricted MILPs before branch and bound."""
    seed: Annotated[int, Field(ge=0)] | None = None
    """The solver's random seed (default: the solver's own). Branch and bound takes other
    paths with other seeds, and its time to a gap can vary by a factor of two or more."""
    warm_start: bool = True
    """Start branch-and-bound from the LP-support heuristic's plan (optimize.warmstart)."""
    site_floor: bool = False
    """Bound the site costs from below by the optimum without transport (optimize.floor).
    Off by default: it speeds some cases up (Shandong) and slows others down (the
    SimCCS SoutheastUS imports)."""
    polish: bool = True
    """Polish the plan's transport design with its sites fixed (optimize.polish): idle
    pipes removed, every corridor re-sized to its flows, then re-routed within a tenth of
    the time limit; the transport gap for the chosen sites is reported."""


class Candidates(_Strict):
    """``[candidates]``: how corridors are generated when the network has none."""

    k_nearest: Annotated[int, Field(ge=0, le=50)] = 4
    """Each node is also joined to this many nearest neighbours (besides Delaunay)."""
    detour_factor: Annotated[float, Field(ge=1, le=5)] = 1.2
    """Route length / geodesic length for generated corridors."""
    truck_radius_km: Annotated[float, Field(gt=0)] | None = None
    """Truck corridors (added to the given or generated ones): each source to every onshore
    sink, port or junction within this geodesic distance, over the geodesic ×
    detour_factor; default none."""
    rail_radius_km: Annotated[float, Field(gt=0)] | None = None
    """Rail corridors, as truck_radius_km; default none."""
    ship_max_km: Annotated[float, Field(gt=0)] | None = None
    """Ship corridors: each port to every offshore sink (kind saline_offshore, or
    offshore true) and every other port within this geodesic distance whose great circle
    stays at sea (Natural Earth's coastline), over the geodesic × sea_detour_factor;
    default none."""
    pipelines_at_sea: bool = True
    """False: no new pipeline at sea — pipeline corridors marked offshore or ending at an
    offshore sink are dropped, given or generated, but for given assets (existing
    capacity, a generic pipe); offshore storage is then reached by ship or not at all."""
    sea_detour_factor: Annotated[float, Field(ge=1, le=5)] = 1.1
    """Sailed length / geodesic length for generated ship corridors (ccusplan assumption:
    a straight open-sea leg with a harbour approach)."""
    add_to_given: bool = False
    """Generate candidates even when the network has a corridors file, and add them to
    its corridors (a given corridor wins over a candidate joining the same two nodes)."""


class Costs(_Strict):
    """``[costs]``: scenario multipliers on the network's costs (given or default)."""

    capture_cost_multiplier: Annotated[float, Field(gt=0, le=10)] = 1.0
    """Multiplies every capture cost of every source (capital, fixed O&M, per tonne)."""
    pipeline_cost_multiplier: Annotated[float, Field(gt=0, le=10)] = 1.0
    """Multiplies the capital cost of every new pipe (pipe classes, engineered sizes and
    corridors' own ``fixed_cost_musd``), and with it their O&M, a share of it."""


class Reduce(_Strict):
    """``[reduce]``: a smaller network for a large case (``ccusplan.reduce``); off by default."""

    cluster_km: Annotated[float, Field(gt=0, le=500)] | None = None
    """Merge sources of one kind and first year into hubs no wider than this (complete
    linkage on geodesic distance: every two members of a hub are at most this far apart)."""
    prune_corridors: bool = False
    """Drop each corridor a–b for which a two-hop path a–c–b is at most
    ``prune_detour`` × as long (longest first; given assets are never dropped)."""
    prune_detour: Annotated[float, Field(ge=1, le=2)] = 1.1
    """How much longer (in cost weight, i.e. length × terrain) the two-hop path may be."""


class Emissions(_Strict):
    """``[emissions]``: for net CO2 avoided (costs/data/emissions.toml has the defaults)."""

    grid_t_per_mwh: Annotated[float, Field(ge=0, le=2)] | None = None
    """Emission factor of the electricity CCUS uses, tCO2/MWh (default: China 2022, cited)."""


class PipelineSpec(_Strict):
    """``[pipeline]``: conditions and cost basis of the engineering pipeline model.

    Used by ``ccusplan.costs.pipeline`` (hydraulic sizing and capital costs); the cited
    coefficients live in ``costs/data/pipeline_costs.toml`` and ``cost_index.csv``.
    """

    inlet_pressure_mpa: Annotated[float, Field(gt=0, le=30)] = 15.0
    """Pressure at the start of a line and after every booster, MPa (absolute)."""
    min_pressure_mpa: Annotated[float, Field(gt=0, le=30)] = 10.0
    """Lowest pressure allowed anywhere in the line, MPa; must stay above CO2's critical
    pressure (7.38 MPa) so the CO2 stays dense."""
    ground_temperature_c: Annotated[float, Field(ge=-10, le=40)] = 12.0
    """Temperature of the buried line (isothermal flow), °C."""
    design_pressure_mpa: Annotated[float, Field(gt=0, le=40)] = 15.3
    """Design pressure of the pipe wall (Barlow thickness), MPa; at least the inlet pressure."""
    steel_grade: Literal["X52", "X60", "X65", "X70", "X80"] = "X70"
    """API 5L line-pipe grade (its SMYS sets the wall thickness)."""
    cost_model: Literal["mccoy_rubin", "parker"] = "mccoy_rubin"
    """Capital cost equations: McCoy & Rubin (2008) or Parker (2004)."""
    cost_year: int = 2023
    """USD of this year for every cost (escalated with the CEPCI in ``cost_index.csv``)."""
    region: Literal["us_midwest", "china"] = "us_midwest"
    """Regional factors on the pipeline cost components (US Midwest is the equations' base)."""
    electricity_usd_per_mwh: Annotated[float, Field(ge=0)] = 80.6
    """Price of the boosters' electricity, USD/MWh. Default: US industrial average 2023,
    8.06 ¢/kWh (EIA, Electric Power Annual / Monthly, as charted by Statista)."""
    pump_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.75
    """Electric-to-hydraulic efficiency of a booster pump (ccusplan assumption)."""
    max_velocity_m_s: Annotated[float, Field(gt=0, le=10)] = 2.0
    """Highest mean velocity a size may run at, m/s; also sets each size's capacity on a
    corridor. Default (ccusplan assumption): about the mass flux of the IJGGC (2023)
    capacity table (≈ 1,700 kg/m²/s, i.e. 1.8 m/s at 15/10 MPa and 12 °C), rounded up."""
    booster_spacing_km: Annotated[float, Field(gt=0)] = 150.0
    """MILP corridors get one booster site per this many km beyond the first (their
    capacity counts those boosters). Convention: the default segment length of the CO2GIS
    tool (3 MPa at an admissible 0.02 MPa/km), not a cited design rule."""
    sizes_in: list[Literal[4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 42, 48]] | None = None
    """Nominal sizes (NPS, inches) the plan may use; default every standard size 4–48."""
    engineering: bool = True
    """False: the simple built-in table of sizes, each with a capacity and a cost per km
    (``costs/data/pipe_sizes.toml``), instead of the engineering model."""
    max_pipes_per_corridor: Annotated[int, Field(ge=1)] | None = None
    """Most pipes (of all classes together) a corridor may ever hold; default no limit.
    SimCCS allows one (its imported cases set 1)."""

    @model_validator(mode="after")
    def _pressures_and_year(self) -> PipelineSpec:
        from ccusplan.costs.pipeline import co2_critical_pressure_mpa, cost_index

        pc = co2_critical_pressure_mpa()
        if self.min_pressure_mpa <= pc:
            raise ValueError(
                f"[pipeline] min_pressure_mpa = {self.min_pressure_mpa} is not above CO2's "
                f"critical pressure ({pc:.2f} MPa): raise it (typically 8.3–10 MPa)")
        if not self.min_pressure_mpa < self.inlet_pressure_mpa <= self.design_pressure_mpa:
            raise ValueError(
                "[pipeline] needs min_pressure_mpa < inlet_pressure_mpa <= design_pressure_mpa, "
                f"got {self.min_pressure_mpa}, {self.inlet_pressure_mpa}, "
                f"{self.design_pressure_mpa}")
        years = cost_index().index
        if self.cost_year not in years:
            raise ValueError(
                f"[pipeline] cost_year = {self.cost_year} is not in the cost index "
                f"({years.min()}–{years.max()}): pick a year inside it")
        return self


class ModeCosts(_Strict):
    """``[transport.ship]``, ``[transport.truck]``, ``[transport.rail]``: what a corridor of
    the mode costs, in USD of ``[pipeline] cost_year``; a key left out takes the cited
    default of ``costs/data/transport_modes.toml``, escalated to that year."""

    usd_per_t_km: Annotated[float, Field(ge=0)] | None = None
    """Cost per tonne and km carried (the leased vehicles, their fuel and crews)."""
    usd_per_t: Annotated[float, Field(ge=0)] | None = None
    """Cost per tonne carried, whatever the distance (loading, unloading, conditioning)."""
    fixed_musd_per_yr: Annotated[float, Field(ge=0)] | None = None
    """Cost per corridor and year it carries CO2 (a loading station, a siding, a contract)."""


class PortCosts(_Strict):
    """``[transport.port]``: a port's terminal (conditioning, liquefaction, buffer storage,
    loading arms), in USD of ``[pipeline] cost_year``; defaults as for :class:`ModeCosts`.
    A port's own columns (``port_capex_musd`` …) override these."""

    capex_musd: Annotated[float, Field(ge=0)] | None = None
    """Fixed capital cost of opening a terminal."""
    capex_musd_per_mtpa: Annotated[float, Field(ge=0)] | None = None
    """Capital cost per Mt/yr of terminal capacity."""
    om_fraction_per_yr: Annotated[float, Field(ge=0, le=1)] | None = None
    """Fixed O&M a year as a fraction of the terminal's capital."""
    usd_per_t: Annotated[float, Field(ge=0)] | None = None
    """Operating cost per tonne loaded onto ships (liquefaction, buffer storage, loading;
    the unloading at the far end included)."""


class Transport(_Strict):
    """``[transport]``: the costs of the modes other than pipelines, and of ports."""

    ship: ModeCosts = ModeCosts()
    """``[transport.ship]``: liquefied CO2 carriers, chartered."""
    truck: ModeCosts = ModeCosts()
    """``[transport.truck]``: tank trucks of liquid CO2, hired."""
    rail: ModeCosts = ModeCosts()
    """``[transport.rail]``: tank cars, hired."""
    port: PortCosts = PortCosts()
    """``[transport.port]``: the port terminal a ship corridor loads at."""


class Case(_Strict):
    """A whole case file. ``network`` is already resolved to an absolute path."""

    case: CaseInfo
    horizon: Horizon
    target: Target | None = None
    price: Price | None = None
    finance: Finance = Finance()
    solver: Solver = Solver()
    candidates: Candidates = Candidates()
    costs: Costs = Costs()
    emissions: Emissions = Emissions()
    pipeline: PipelineSpec = Field(default_factory=PipelineSpec)
    """``[pipeline]`` (built on first use, so importing the model does not load CoolProp)."""
    transport: Transport = Transport()
    """``[transport]``: ships, trucks, rail and ports (used by corridors of those modes)."""
    reduce: Reduce | None = None
    """``[reduce]`` (no table: the network is solved whole)."""
    uncertainty: Uncertainty | None = None
    """``[uncertainty]``: what ``ccusplan sweep`` varies (ignored by ``solve``)."""
    stochastic: Stochastic | None = None
    """``[stochastic]``: scenarios for ``ccusplan stochastic`` (ignored by ``solve``)."""
    path: Path | None = None
    """The case file itself (set by the loader; not a TOML key)."""

    @model_validator(mode="after")
    def _mode_tables(self) -> Case:
        n = len(self.horizon.periods)
        if self.case.mode == "target":
            if self.price is not None:
                raise ValueError("[price] is read in price mode only, and this case has "
                                 "mode = 'target': remove [price] or set mode = \"price\"")
            if self.target is None:
                raise ValueError("mode = 'target' needs a [target] table")
            if self.target.mtpa is not None and len(self.target.mtpa) != n:
                raise ValueError(
                    f"[target] mtpa has {len(self.target.mtpa)} values but [horizon] "
                    f"periods has {n}: give one target per period"
                )
            if self.target.by is not None and not (
                self.horizon.periods[0] < self.target.by <= self.horizon.periods[-1]
            ):
                raise ValueError(
                    f"[target] by = {self.target.by} is outside the horizon "
                    f"({self.horizon.periods[0]}–{self.horizon.periods[-1]}]"
                )
        else:
            if self.price is None:
                raise ValueError("mode = 'price' needs a [price] table with usd_per_t")
            if self.target is not None:
                raise ValueError("[target] is read in target mode only, and this case has "
                                 "mode = 'price': remove [target] or set mode = \"target\"")
            p = self.price.usd_per_t
            if isinstance(p, list) and len(p) != n:
                raise ValueError(
                    f"[price] usd_per_t has {len(p)} values but [horizon] periods has {n}"
                )
        if self.stochastic is not None and not (
                self.horizon.periods[0] <= self.stochastic.shared_until):
            raise ValueError(f"[stochastic] shared_until = {self.stochastic.shared_until} is "
                             f"before the first period ({self.horizon.periods[0]}): nothing "
                             "would be shared")
        if (self.reduce is not None and self.reduce.prune_corridors
                and self.pipeline.max_pipes_per_corridor is not None):
            raise ValueError(
                "[reduce] prune_corridors keeps every flow possible only when a corridor may "
                "hold any number of pipes: drop it or [pipeline] max_pipes_per_corridor")
        return self

    @property
    def name(self) -> str:
        return self.case.name
