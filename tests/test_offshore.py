"""Offshore sites and corridors: priced as offshore pipe whether the sink's kind says so or
the ``offshore`` column does."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, load_case, write_case, write_network

from ccusplan.errors import InputError
from ccusplan.optimize.instance import prepare


def _capex(tmp_path, sink: dict, corridor: dict) -> np.ndarray:
    """The capital cost of every standard size on the one corridor S–K."""
    write_network(tmp_path / "net",
                  sources=[{"id": "S", "lon": 3.0, "lat": 52.0, "capacity_mtpa": 5,
                            **FREE_SOURCE}],
                  sinks=[{"id": "K", "lon": 3.5, "lat": 52.3, "capacity_mt": 100,
                          "max_injection_mtpa": 5, **FREE_SINK, **sink}],
                  corridors=[{"from": "S", "to": "K", "length_km": 50, **corridor}])
    case = write_case(tmp_path / "c.toml", "net", [2030], target=[2], finance=NO_DISCOUNT)
    return prepare(*load_case(case)).opt_capex_musd


def test_an_offshore_depleted_gas_field_is_priced_as_the_offshore_saline_site(tmp_path):
    at_sea = _capex(tmp_path / "a", {"kind": "saline_offshore"}, {})
    gas_at_sea = _capex(tmp_path / "b", {"kind": "depleted_gas", "offshore": "true"}, {})
    gas_on_land = _capex(tmp_path / "c", {"kind": "depleted_gas"}, {})
    assert gas_at_sea == pytest.approx(at_sea)
    assert (gas_at_sea > gas_on_land).all()


def test_the_corridor_column_overrides_what_its_ends_say(tmp_path):
    on_land = _capex(tmp_path / "a", {"kind": "saline"}, {})
    marked = _capex(tmp_path / "b", {"kind": "saline"}, {"offshore": "yes"})
    unmarked = _capex(tmp_path / "c", {"kind": "saline_offshore"}, {"offshore": "no"})
    assert (marked > on_land).all()
    assert unmarked == pytest.approx(on_land)


def test_an_offshore_value_that_is_not_true_or_false_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="field 'offshore': 'maybe' is not true or false"):
        _capex(tmp_path, {"offshore": "maybe"}, {})
