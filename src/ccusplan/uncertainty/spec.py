"""The ``[uncertainty]`` table of a case: what varies between samples, and how.

::

    [uncertainty]
    seed = 1                       # the same seed draws the same samples
    time_limit_s = 120             # per sample (default: [solver] time_limit_s)

    [uncertainty.sink_capacity]    # a factor on every sink's capacity_mt
    distribution = "lognormal"     # uniform | triangular | lognormal | discrete
    median = 1.0
    sigma = 0.7                    # of the factor's natural logarithm
    by = "basin"                   # all | kind | basin | sink: one draw per group
    correlation = 0.8              # by = "sink": share of the (normal) variation a
                                   # basin's sinks have in common

Factors: ``sink_capacity`` (``capacity_mt``), ``sink_injectivity``
(``max_injection_mtpa``), ``capture_cost`` (every capture cost, on top of ``[costs]
capture_cost_multiplier``), ``pipeline_cost`` (capital of new pipe, on top of ``[costs]
pipeline_cost_multiplier``), ``target`` (every period's target) and ``price`` (every
period's CO2 price). The sink factors may be drawn per sink, per kind or per basin (the
sinks' ``basin`` column); the others once per sample.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SINK_FACTORS = ("sink_capacity", "sink_injectivity")
CASE_FACTORS = ("capture_cost", "pipeline_cost", "target", "price")
FACTORS = SINK_FACTORS + CASE_FACTORS

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Factor(BaseModel):
    """One factor's distribution and how it is shared between sites."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    distribution: Literal["uniform", "triangular", "lognormal", "discrete"]
    low: Positive | None = None
    """uniform, triangular: the smallest factor."""
    high: Positive | None = None
    """uniform, triangular: the largest factor."""
    mode: Positive | None = None
    """triangular: the most likely factor."""
    median: Positive | None = None
    """lognormal: the median factor."""
    sigma: Annotated[float, Field(ge=0, le=3)] | None = None
    """lognormal: standard deviation of the factor's natural logarithm."""
    values: list[Positive] | None = None
    """discrete: the factors."""
    weights: list[Annotated[float, Field(gt=0)]] | None = None
    """discrete: their relative weights (default equal)."""
    by: Literal["all", "kind", "basin", "sink"] = "all"
    """One draw for every site (all), per sink kind, per basin (the sinks' ``basin``
    column) or per sink; sink factors only, the others are drawn once per sample."""
    correlation: Annotated[float, Field(ge=0, le=1)] = 0.0
    """``by = "sink"``: the share of the variation (of a standard normal behind each draw)
    that the sinks of one basin have in common; 0 independent, 1 one draw per basin."""

    @model_validator(mode="after")
    def _parameters(self) -> Factor:
        need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
                "lognormal": ("median", "sigma"), "discrete": ("values",)}[self.distribution]
        given = {k for k in ("low", "high", "mode", "median", "sigma", "values", "weights")
                 if getattr(self, k) is not None}
        missing = [k for k in need if k not in given]
        extra = sorted(given - set(need) - ({"weights"} if self.distribution == "discrete" else set()))
        if missing or extra:
            raise ValueError(f"a {self.distribution} distribution takes {', '.join(need)}"
                             + (" (and weights)" if self.distribution == "discrete" else "")
                             + (f"; missing {', '.join(missing)}" if missing else "")
                             + (f"; not {', '.join(extra)}" if extra else ""))
        if self.distribution in ("uniform", "triangular") and not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not be above high ({self.high})")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie between low and high")
        if self.values is not None and not self.values:
            raise ValueError("values is empty: give at least one factor")
        if self.weights is not None and len(self.weights) != len(self.values or []):
            raise ValueError(f"{len(self.weights)} weights for {len(self.values or [])} values")
        if self.correlation > 0 and self.by != "sink":
            raise ValueError("correlation applies to by = \"sink\" (sinks of one basin)")
        return self


class Uncertainty(BaseModel):
    """``[uncertainty]``: the factors that vary between the samples of a sweep."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    seed: Annotated[int, Field(ge=0)] = 0
    """The same seed draws the same samples (sample i is the same whatever their number)."""
    time_limit_s: Annotated[float, Field(gt=0)] | None = None
    """Seconds per sample (default: the case's ``[solver] time_limit_s``)."""
    sink_capacity: Factor | None = None
    """A factor on each sink's ``capacity_mt`` (a table: distribution, its keys, ``by``)."""
    sink_injectivity: Factor | None = None
    """A factor on each sink's ``max_injection_mtpa``."""
    capture_cost: Factor | None = None
    """A factor on every capture cost, drawn once per sample."""
    pipeline_cost: Factor | None = None
    """A factor on the capital cost of new pipe, drawn once per sample."""
    target: Factor | None = None
    """A factor on every period's target (target mode), drawn once per sample."""
    price: Factor | None = None
    """A factor on every period's CO2 price (price mode), drawn once per sample."""

    @model_validator(mode="after")
    def _groups(self) -> Uncertainty:
        for name in CASE_FACTORS:
            f = getattr(self, name)
            if f is not None and f.by != "all":
                raise ValueError(f"[uncertainty.{name}] is drawn once per sample: by must "
                                 f"be \"all\", not \"{f.by}\"")
        if not self.factors:
            raise ValueError("[uncertainty] names no factor: give at least one of "
                             + ", ".join(FACTORS))
        return self

    @property
    def factors(self) -> dict[str, Factor]:
        """The factors given, in a fixed order (the order they are drawn in)."""
        return {n: getattr(self, n) for n in FACTORS if getattr(self, n) is not None}


class Scenario(BaseModel):
    """One scenario of ``[stochastic]``: factors on the base case, and its probability."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    """Names the scenario's result folder (letters, digits, ``_ . -``)."""
    probability: Annotated[float, Field(gt=0, le=1)]
    sink_capacity: Positive | dict[str, Positive] = 1.0
    """A factor on every sink's ``capacity_mt``, or a table of factors by sink id (the
    sinks not named keep theirs)."""
    sink_injectivity: Positive | dict[str, Positive] = 1.0
    """The same for ``max_injection_mtpa``."""
    capture_cost: Positive = 1.0
    pipeline_cost: Positive = 1.0
    target: Positive = 1.0
    price: Positive = 1.0


class Stochastic(BaseModel):
    """``[stochastic]``: scenarios with their probabilities, and the year up to which the
    build decisions are shared (``ccusplan stochastic``; ignored by ``solve``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    shared_until: int
    """Builds of the periods starting up to this year are decided once for every
    scenario (the first stage); later ones per scenario."""
    shortfall_usd_per_t: Annotated[float, Field(ge=0)] = 200.0
    """Price of a tonne short of a target in a scenario (as ``ccusplan evaluate``'s), so
    that a first stage that cannot serve a scenario in full is priced, not infeasible."""
    scenarios: Annotated[list[Scenario], Field(min_length=2)]
    """``[[stochastic.scenarios]]`` tables: ``name``, ``probability`` (adding up to 1) and
    factors (``sink_capacity``, ``sink_injectivity``, ``capture_cost``, ``pipeline_cost``,
    ``target``, ``price``; 1 where not given)."""

    @model_validator(mode="after")
    def _probabilities(self) -> Stochastic:
        total = sum(s.probability for s in self.scenarios)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the scenarios' probabilities add up to {total:g}, not 1")
        names = [s.name for s in self.scenarios]
        if len(set(names)) != len(names):
            raise ValueError("two scenarios have one name: give each its own")
        return self
