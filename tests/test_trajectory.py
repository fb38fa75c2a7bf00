"""Target trajectories: explicit lists, and scale-ups exact at the base year and at `by`."""

from __future__ import annotations

import numpy as np
import pytest

from ccusplan.errors import InputError
from ccusplan.io.case import load_case
from ccusplan.model import Case
from ccusplan.scenarios.trajectory import prices_usd_per_t, targets_mtpa


def _case(target, periods=(2025, 2030, 2035, 2040, 2045, 2050), **kw) -> Case:
    return Case.model_validate({"case": {"name": "t", "network": "n", **kw},
                                "horizon": {"periods": list(periods)}, "target": target})


@pytest.mark.parametrize("shape", ["linear", "exponential", "s-curve"])
def test_scale_up_is_exact_at_base_and_by_and_increasing(shape):
    t = targets_mtpa(_case({"base_mtpa": 4.5, "factor": 100, "by": 2050, "shape": shape}))
    assert t[0] == pytest.approx(4.5) and t[-1] == pytest.approx(450)
    assert np.all(np.diff(t) > 0)


def test_exponential_has_a_constant_growth_rate_and_holds_after_by():
    t = targets_mtpa(_case({"base_mtpa": 1, "factor": 32, "by": 2050},
                           periods=(2025, 2030, 2035, 2040, 2045, 2050, 2055)))
    assert t[:6] == pytest.approx([1, 2, 4, 8, 16, 32])
    assert t[6] == pytest.approx(32)


def test_explicit_targets_and_prices():
    assert targets_mtpa(_case({"mtpa": [1, 2, 3, 4, 5, 6]})).tolist() == [1, 2, 3, 4, 5, 6]
    c = Case.model_validate({"case": {"name": "p", "network": "n", "mode": "price"},
                             "horizon": {"periods": [2025, 2030]}, "price": {"usd_per_t": 50}})
    assert prices_usd_per_t(c).tolist() == [50, 50]


# -------------------------------------------------- shapes, worked by hand

SHAPES = ["linear", "exponential", "s-curve"]


@pytest.mark.parametrize("shape", SHAPES)
def test_scale_up_is_exact_at_by_inside_the_horizon_and_flat_after(shape):
    """base 2 Mt/yr × 50 by 2045, periods to 2060: exactly 2 in 2025 and 100 in 2045 (not
    just close), rising every period up to 2045, then held at 100."""
    t = targets_mtpa(_case({"base_mtpa": 2, "factor": 50, "by": 2045, "shape": shape},
                           periods=range(2025, 2061, 5)))
    assert t[0] == 2.0 and t[4] == pytest.approx(100.0, rel=1e-12)
    assert np.all(np.diff(t[:5]) > 0)
    assert t[4:].tolist() == pytest.approx([100.0] * 4, rel=1e-12)


@pytest.mark.parametrize("shape, middle", [
    ("linear", (4 + 400) / 2),          # arithmetic mean of the ends
    ("s-curve", (4 + 400) / 2),         # the logistic is symmetric about its midpoint
    ("exponential", (4 * 400) ** 0.5),  # geometric mean of the ends: 40
])
def test_midpoint_of_each_shape(shape, middle):
    """Halfway to `by` (2035 of 2020–2050), 4 → 400 Mt/yr."""
    t = targets_mtpa(_case({"base_mtpa": 4, "factor": 100, "by": 2050, "shape": shape},
                           periods=(2020, 2035, 2050)))
    assert t.tolist() == pytest.approx([4, middle, 400], rel=1e-12)


def test_s_curve_is_point_symmetric_slow_then_fast_then_slow():
    """The rescaled logistic f (0 at the base year, 1 at `by`) has f(s) + f(1 − s) = 1, and
    lies below the straight line before the midpoint and above it after."""
    periods = range(2020, 2051)  # every year: s = 0, 1/30, ..., 1
    f = (targets_mtpa(_case({"base_mtpa": 1, "factor": 11, "by": 2050, "shape": "s-curve"},
                            periods=periods)) - 1) / 10
    s = np.linspace(0, 1, 31)
    assert f + f[::-1] == pytest.approx(np.ones(31), abs=1e-12)
    assert np.all(f[1:15] < s[1:15]) and np.all(f[16:30] > s[16:30])
    assert np.all(np.diff(f) > 0)
    # steepest in the middle: the middle year adds more than any other
    assert np.argmax(np.diff(f)) in (14, 15)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_factor_below_one_declines_monotonically(shape):
    t = targets_mtpa(_case({"base_mtpa": 10, "factor": 0.1, "by": 2050, "shape": shape}))
    assert t[0] == 10.0 and t[-1] == pytest.approx(1.0, rel=1e-12)
    assert np.all(np.diff(t) < 0)


def test_price_per_period_list_is_used_as_given():
    c = Case.model_validate({"case": {"name": "p", "network": "n", "mode": "price"},
                             "horizon": {"periods": [2025, 2030, 2035]},
                             "price": {"usd_per_t": [40, 60.5, 90]}})
    assert prices_usd_per_t(c).tolist() == [40, 60.5, 90]


# ------------------------------------------------ validation names the field

CASE = """\
[case]
name = "t"
network = "net"
{mode}
[horizon]
periods = [2025, 2030]

{tables}
"""


def _problems(tmp_path, tables: str, mode: str = "") -> list:
    path = tmp_path / "case.toml"
    path.write_text(CASE.format(mode=mode, tables=tables))
    with pytest.raises(InputError) as exc:
        load_case(path)
    return exc.value.problems


def _one(problems, field: str):
    assert [p.field for p in problems] == [field], problems
    return problems[0]


def test_price_list_of_the_wrong_length_names_the_field(tmp_path):
    p = _one(_problems(tmp_path, "[price]\nusd_per_t = [10, 20, 30]", 'mode = "price"'),
             "price.usd_per_t")
    assert "3 values" in p.message and "periods has 2" in p.message
    assert p.row == 9  # the line of usd_per_t in the case file


def test_by_at_the_base_year_is_outside_the_horizon(tmp_path):
    p = _one(_problems(tmp_path, "[target]\nbase_mtpa = 1\nfactor = 10\nby = 2025"), "target.by")
    assert "by = 2025 is outside the horizon (2025–2030]" in p.message


def test_a_scale_up_needs_all_three_keys(tmp_path):
    p = _one(_problems(tmp_path, "[target]\nbase_mtpa = 1\nby = 2030"), "target")
    assert "base_mtpa, factor and by" in p.message


def test_shape_with_explicit_targets_is_rejected(tmp_path):
    p = _one(_problems(tmp_path, '[target]\nmtpa = [1, 2]\nshape = "linear"'), "target.shape")
    assert "scale-up" in p.message


@pytest.mark.parametrize("tables, field", [
    ("[target]\nbase_mtpa = inf\nfactor = 10\nby = 2030", "target.base_mtpa"),
    ("[target]\nbase_mtpa = 1\nfactor = inf\nby = 2030", "target.factor"),
    ("[target]\nmtpa = [1, inf]", "target.mtpa"),
])
def test_targets_must_be_finite(tmp_path, tables, field):
    assert "finite" in _one(_problems(tmp_path, tables), field).message


@pytest.mark.parametrize("value", ["nan", "[10, inf]"])
def test_prices_must_be_finite(tmp_path, value):
    p = _one(_problems(tmp_path, f"[price]\nusd_per_t = {value}", 'mode = "price"'),
             "price.usd_per_t")
    assert "finite" in p.message


def test_the_other_modes_table_is_rejected_not_ignored(tmp_path):
    """A [price] in target mode would silently become a revenue on top of the target;
    a [target] in price mode would silently be ignored. Both are named."""
    both = "[target]\nmtpa = [1, 2]\n\n[price]\nusd_per_t = 50"
    assert "set mode = \"price\"" in _one(_problems(tmp_path, both), "price").message
    assert "set mode = \"target\"" in _one(_problems(tmp_path, both, 'mode = "price"'),
                                          "target").message
    only_price = "[price]\nusd_per_t = 50"
    assert "price mode only" in _one(_problems(tmp_path, only_price), "price").message
