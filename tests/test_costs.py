"""Costs layer: capital recovery, discounting, the built-in pipe table and kind defaults,
checked against closed forms and the published figures they come from."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from ccusplan.costs.defaults import (REFERENCE_LIFE_YEARS, REFERENCE_RATE, REFERENCE_UNIT_MTPA,
                                     capture_defaults, fill_sink_costs, fill_source_costs)
from ccusplan.costs.finance import capital_recovery_factor, discounted_years
from ccusplan.costs.pipes import builtin_pipe_classes, builtin_sizes, mccoy_rubin_capex_musd
from ccusplan.model import columns


@pytest.mark.parametrize("life", [1, 10, 25, 30])
def test_crf_at_rate_zero_is_one_over_life(life):
    assert capital_recovery_factor(0.0, life) == pytest.approx(1 / life, rel=1e-15)


def test_crf_repays_the_capital_exactly():
    """Annual payments of crf·P over n years have a present value of exactly P."""
    r, n = 0.08, 30
    crf = capital_recovery_factor(r, n)
    assert sum(crf / (1 + r) ** k for k in range(1, n + 1)) == pytest.approx(1.0, rel=1e-12)
    # continuity at r -> 0
    assert capital_recovery_factor(1e-9, 20) == pytest.approx(1 / 20, rel=1e-6)


def test_discounted_years_sum_the_discount_factors():
    w = discounted_years([2025, 2030, 2040], [5, 10, 5], 0.05)
    assert w[0] == pytest.approx(sum(1.05**-k for k in range(5)))
    assert w[1] == pytest.approx(sum(1.05**-k for k in range(5, 15)))
    assert w[2] == pytest.approx(sum(1.05**-k for k in range(15, 20)))


def test_mccoy_rubin_worked_values():
    """McCoy & Rubin (2008): 100 km of 12" ≈ 27.6 MUSD and of 24" ≈ 55 MUSD (2004 USD)."""
    assert float(mccoy_rubin_capex_musd(100, 12)) == pytest.approx(27.6, rel=0.01)
    assert float(mccoy_rubin_capex_musd(100, 24)) == pytest.approx(55, rel=0.01)


def test_builtin_table_covers_4_to_48_inch_with_published_capacities():
    sizes = builtin_sizes()
    assert sizes["nps_in"].min() == 4 and sizes["nps_in"].max() == 48
    # IJGGC (2023) capacity by inner diameter: the table reproduces it within ±15 %
    published = {0.2: 1.7, 0.3: 3.8, 0.4: 6.7, 0.5: 10.5, 0.6: 15.2, 0.7: 20.6,
                 0.8: 26.9, 0.9: 34.1, 1.0: 42.1}
    d = sizes["inner_diameter_m"].to_numpy()
    cap = sizes["capacity_mtpa"].to_numpy()
    for di, q in published.items():
        if d.min() <= di <= d.max():
            assert np.interp(di, d, cap) == pytest.approx(q, rel=0.15)
    # economies of scale: cost per km per Mt/yr falls with size
    per_capacity = sizes["capex_musd_per_km"] / sizes["capacity_mtpa"]
    assert per_capacity.is_monotonic_decreasing
    classes = builtin_pipe_classes()
    assert list(classes.columns) == columns("pipe_classes")


def _sources(**kw) -> pd.DataFrame:
    row = {c: np.nan for c in columns("sources")}
    row.update(id="S", kind="coal_power", lon=0, lat=0, capacity_mtpa=REFERENCE_UNIT_MTPA)
    row.update(kw)
    return pd.DataFrame([row]).set_index("id")


def test_capture_defaults_reproduce_the_cited_levelised_cost():
    """A coal plant of the reference unit size, financed at the reference rate and life and
    run at full capacity, costs exactly the cited levelised USD/t."""
    s = fill_source_costs(_sources()).iloc[0]
    cap = s["capacity_mtpa"]
    crf = capital_recovery_factor(REFERENCE_RATE, REFERENCE_LIFE_YEARS)
    capex = s["capture_capex_musd"] + s["capture_capex_musd_per_mtpa"] * cap
    fom = s["capture_fixed_om_musd_per_yr"] + s["capture_fixed_om_musd_per_yr_per_mtpa"] * cap
    levelised = (crf * capex + fom) / cap + s["capture_cost_usd_per_t"]
    with resources.files("ccusplan.costs").joinpath("data/capture_defaults.csv").open() as fh:
        table = pd.read_csv(fh).set_index("kind")
    assert levelised == pytest.approx(table.loc["coal_power", "levelized_cost_usd_per_t"])


def test_high_purity_capture_is_far_cheaper_than_dilute():
    d = capture_defaults()
    total = d["capex_musd_per_mtpa"] * 0.1 + d["capture_cost_usd_per_t"]
    for pure in ("ng_processing", "coal_to_chemicals", "hydrogen"):
        for dilute in ("coal_power", "cement", "steel"):
            assert total[pure] < 0.5 * total[dilute]


def test_values_given_in_the_network_win_over_defaults():
    s = fill_source_costs(_sources(capture_capex_musd=123.0, capture_cost_usd_per_t=7.0)).iloc[0]
    assert s["capture_capex_musd"] == 123.0 and s["capture_cost_usd_per_t"] == 7.0
    assert s["capture_capex_musd_per_mtpa"] == 0.0  # the site stated its whole capex
    sinks = pd.DataFrame([{**{c: np.nan for c in columns("sinks")}, "id": "K", "kind": "eor",
                           "storage_capex_musd": 5.0}]).set_index("id")
    k = fill_sink_costs(sinks).iloc[0]
    assert k["storage_capex_musd"] == 5.0 and k["storage_cost_usd_per_t"] < 0  # EOR revenue


def test_defaults_are_escalated_to_the_case_cost_year():
    """Storage defaults are 2002 USD and capture 2019 USD: both move with the CEPCI."""
    from ccusplan.costs.escalation import escalation

    base = capture_defaults()
    later = capture_defaults(2023)
    assert later.loc["coal_power", "capex_musd_per_mtpa"] == pytest.approx(
        base.loc["coal_power", "capex_musd_per_mtpa"] * escalation(2019, 2023))
    sinks = pd.DataFrame([{**{c: np.nan for c in columns("sinks")}, "id": "K",
                           "kind": "saline"}]).set_index("id")
    k02, k23 = fill_sink_costs(sinks).iloc[0], fill_sink_costs(sinks, 2023).iloc[0]
    assert k23["storage_capex_musd"] == pytest.approx(k02["storage_capex_musd"] * escalation(2002, 2023))
