"""Target trajectories: explicit lists, and scale-ups exact at the base year and at `by`."""

from __future__ import annotations

import numpy as np
import pytest

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
