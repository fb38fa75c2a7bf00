"""Capture and storage costs by kind, filled in where a network leaves them blank.

The cited figures are in ``costs/data/capture_defaults.csv`` and
``storage_defaults.csv`` (see ``costs/data/README.md``). A capture kind is given
as a levelised cost of capture (USD/t) with the share of it that is capital; it
is split into capital, fixed O&M and a variable cost per tonne so that a site
captured at full capacity, financed at the reference rate and life, costs
exactly the cited levelised figure:

* ``capex = capital_share · levelised · capacity / crf_ref``
* ``fixed O&M per year = fixed_om_fraction · capex``
* ``variable = levelised − capital_share · levelised − fixed O&M per year / capacity``

Capture capacity is sized (capture ≤ built capacity ≤ site maximum), so
capex is a straight line in the capacity built: a fixed part for equipping the
site plus a part per Mt/yr. The line passes through the cited cost at the
reference unit size ``REFERENCE_UNIT_MTPA`` with ``FIXED_CAPEX_SHARE`` of it
fixed. Fixed O&M follows the same split.

Defaults are escalated from each row's ``cost_year`` to the case's cost year
(``[pipeline] cost_year``, the price basis of every cost) with the CEPCI
(``costs/escalation.py``). Values given in the network always win over defaults
and are taken to be in the case's cost year. A site that gives its
``capture_capex_musd`` but not the per-Mt/yr part has no per-Mt/yr part.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from ccusplan.costs.escalation import escalation
from ccusplan.costs.finance import capital_recovery_factor

#: Reference financing used to turn a levelised capture cost into capital:
#: 8 %/yr over 25 years, the IEA / NETL convention for capture plant cost
#: comparisons (ccusplan assumption; the cited levelised figures do not all
#: state their financing).
REFERENCE_RATE = 0.08
REFERENCE_LIFE_YEARS = 25

#: Capture unit size at which the cited levelised costs apply (ccusplan
#: assumption: typical of the 1–4 Mt/yr units behind the IEA figures).
REFERENCE_UNIT_MTPA = 2.5
#: Share of the reference unit's capex that does not scale with size. Plant cost
#: scales with capacity to the power ≈ 0.6–0.7 (the six-tenths rule of process
#: plant costing, e.g. Peters, Timmerhaus & West, Plant Design and Economics for
#: Chemical Engineers, 5th ed., ch. 6); the secant of a 0.7 power law over
#: 0.5–5 Mt/yr meets zero capacity at ≈ 18 % of the 2.5 Mt/yr unit's cost
#: (ccusplan linearisation, rounded to 20 %).
FIXED_CAPEX_SHARE = 0.20


@cache
def _table(name: str) -> pd.DataFrame:
    with resources.files("ccusplan.costs").joinpath(f"data/{name}").open() as fh:
        return pd.read_csv(fh).set_index("kind")


def _escalated(t: pd.DataFrame, cost_year: int | None) -> pd.Series:
    """Factor per row taking its cost_year's USD to ``cost_year`` (1 when None)."""
    if cost_year is None:
        return pd.Series(1.0, index=t.index)
    return t["cost_year"].map(lambda y: escalation(int(y), cost_year))


def capture_defaults(cost_year: int | None = None) -> pd.DataFrame:
    """Per kind: capex per Mt/yr, fixed O&M per Mt/yr, variable USD/t (derived as above),
    in USD of ``cost_year`` (of each row's own cost year when None)."""
    t = _table("capture_defaults.csv").copy()
    t["levelized_cost_usd_per_t"] *= _escalated(t, cost_year)
    crf_ref = capital_recovery_factor(REFERENCE_RATE, REFERENCE_LIFE_YEARS)
    capex_per_mtpa = t["capital_share"] * t["levelized_cost_usd_per_t"] / crf_ref
    fom_per_mtpa = t["capture_fixed_om_fraction_per_yr"] * capex_per_mtpa
    variable = t["levelized_cost_usd_per_t"] * (1 - t["capital_share"]) - fom_per_mtpa
    return pd.DataFrame({
        "capex_musd_per_mtpa": capex_per_mtpa,
        "fixed_om_musd_per_yr_per_mtpa": fom_per_mtpa,
        "capture_cost_usd_per_t": variable,
    })


SOURCE_COST_COLUMNS = ["capture_cost_usd_per_t", "capture_capex_musd",
                       "capture_fixed_om_musd_per_yr", "capture_capex_musd_per_mtpa",
                       "capture_fixed_om_musd_per_yr_per_mtpa"]


def fill_source_costs(sources: pd.DataFrame, cost_year: int | None = None,
                      multiplier: float = 1.0) -> pd.DataFrame:
    """Sources with blank capture cost columns filled from the kind defaults, then every
    capture cost column (given or default) × ``multiplier`` (a case's ``[costs]
    capture_cost_multiplier``)."""
    out = sources.copy()
    if out[SOURCE_COST_COLUMNS].notna().all().all():
        out[SOURCE_COST_COLUMNS] *= multiplier
        return out
    d = capture_defaults(cost_year).reindex(sources["kind"]).set_axis(sources.index)
    # sites that state their own capex keep it whole; the rest get the split default
    own = out["capture_capex_musd"].notna() | out["capture_capex_musd_per_mtpa"].notna()
    f, unit = FIXED_CAPEX_SHARE, REFERENCE_UNIT_MTPA
    defaults = {
        "capture_cost_usd_per_t": d["capture_cost_usd_per_t"],
        "capture_capex_musd": (f * unit * d["capex_musd_per_mtpa"]).where(~own, 0.0),
        "capture_capex_musd_per_mtpa": ((1 - f) * d["capex_musd_per_mtpa"]).where(~own, 0.0),
        "capture_fixed_om_musd_per_yr": f * unit * d["fixed_om_musd_per_yr_per_mtpa"],
        "capture_fixed_om_musd_per_yr_per_mtpa": (1 - f) * d["fixed_om_musd_per_yr_per_mtpa"],
    }
    own_om = out["capture_fixed_om_musd_per_yr"].notna()
    defaults["capture_fixed_om_musd_per_yr_per_mtpa"] = defaults[
        "capture_fixed_om_musd_per_yr_per_mtpa"].where(~own_om, 0.0)
    for col, default in defaults.items():
        out[col] = out[col].fillna(default) * multiplier
    return out


def fill_sink_costs(sinks: pd.DataFrame, cost_year: int | None = None) -> pd.DataFrame:
    """Sinks with blank storage cost columns filled from the kind defaults (wells: 0)."""
    cols = ["storage_cost_usd_per_t", "storage_capex_musd", "storage_fixed_om_musd_per_yr"]
    out = sinks.copy()
    if out[cols].isna().any().any():
        t = _table("storage_defaults.csv")
        t = t.assign(storage_cost_usd_per_t=t["injection_usd_per_t"] + t["monitoring_usd_per_t"]
                     - t["oil_revenue_usd_per_t"])
        t = t[cols].mul(_escalated(t, cost_year), axis=0)
        d = t.reindex(sinks["kind"]).set_axis(sinks.index)
        for col in cols:
            out[col] = out[col].fillna(d[col])
    for col in ("well_capex_musd", "well_fixed_om_musd_per_yr"):
        out[col] = out[col].fillna(0.0)
    return out
