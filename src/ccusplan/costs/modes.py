"""The costs of ships, trucks, rail and ports: the case's ``[transport]`` over the cited
defaults of ``costs/data/transport_modes.toml``.

A default is in USD of its table's ``cost_year`` and is escalated to the case's
``[pipeline] cost_year`` with the CEPCI (:mod:`.escalation`); a value the case gives is
taken as it is, in USD of that year.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ccusplan.costs.escalation import escalation
from ccusplan.model import LEASED_MODES, Case, Transport


@dataclass(frozen=True)
class ModeCost:
    """What a corridor of one mode costs (USD of the case's cost year)."""

    usd_per_t_km: float
    usd_per_t: float
    fixed_musd_per_yr: float

    def per_t(self, length_km):
        """USD per tonne carried over ``length_km`` (a number or an array)."""
        return self.usd_per_t + self.usd_per_t_km * length_km


@dataclass(frozen=True)
class PortCost:
    """A port terminal's costs (USD of the case's cost year)."""

    capex_musd: float
    capex_musd_per_mtpa: float
    om_fraction_per_yr: float
    usd_per_t: float


@cache
def defaults() -> dict:
    """``transport_modes.toml``: one table per mode and one for ports, each with its
    ``cost_year`` and ``source``."""
    with resources.files("ccusplan.costs").joinpath("data/transport_modes.toml").open("rb") as fh:
        return tomllib.load(fh)


def _merged(given, table: dict, fields: tuple[str, ...], money: tuple[str, ...],
            cost_year: int) -> dict[str, float]:
    """Each field the case gives, else the default escalated to ``cost_year`` (money
    fields only; fractions are not escalated)."""
    k = escalation(int(table["cost_year"]), cost_year)
    out = {}
    for f in fields:
        value = getattr(given, f)
        out[f] = float(value) if value is not None else float(table[f]) * (k if f in money else 1.0)
    return out


def mode_costs(case: Case | None = None, *, transport: Transport | None = None,
               cost_year: int | None = None) -> dict[str, ModeCost]:
    """The cost of each leased mode (ship, truck, rail): ``case``'s, or ``transport`` in
    USD of ``cost_year`` (default: the defaults, in USD of [pipeline]'s default year)."""
    transport, cost_year = _basis(case, transport, cost_year)
    fields = ("usd_per_t_km", "usd_per_t", "fixed_musd_per_yr")
    return {m: ModeCost(**_merged(getattr(transport, m), defaults()[m], fields, fields,
                                  cost_year))
            for m in LEASED_MODES}


def port_costs(case: Case | None = None, *, transport: Transport | None = None,
               cost_year: int | None = None) -> PortCost:
    """The default port terminal (a port's own columns override it), as
    :func:`mode_costs`."""
    transport, cost_year = _basis(case, transport, cost_year)
    fields = ("capex_musd", "capex_musd_per_mtpa", "om_fraction_per_yr", "usd_per_t")
    return PortCost(**_merged(transport.port, defaults()["port"], fields,
                              ("capex_musd", "capex_musd_per_mtpa", "usd_per_t"), cost_year))


def _basis(case: Case | None, transport: Transport | None,
           cost_year: int | None) -> tuple[Transport, int]:
    from ccusplan.model import PipelineSpec

    if case is not None:
        return case.transport, case.pipeline.cost_year
    return transport or Transport(), cost_year or PipelineSpec.model_fields["cost_year"].default
