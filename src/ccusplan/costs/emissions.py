"""Net CO2 avoided: what is stored minus what the energy CCUS uses emits.

Per tonne captured at a source of kind k the capture plant uses
``capture mwh_per_t[k] + compression mwh_per_t`` of electricity-equivalent energy,
emitting that times the grid emission factor (case ``[emissions]``, default the
cited China 2022 national factor). Pipeline pumping energy adds to it when the
engineering pipeline model reports it. Numbers and sources:
``costs/data/emissions.toml``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np


@cache
def _spec() -> dict:
    with resources.files("ccusplan.costs").joinpath("data/emissions.toml").open("rb") as fh:
        return tomllib.load(fh)


def default_grid_t_per_mwh() -> float:
    return float(_spec()["grid"]["emission_factor_t_per_mwh"])


def energy_mwh_per_t(kinds: np.ndarray) -> np.ndarray:
    """Electricity-equivalent energy per tonne captured (capture + compression), by kind.

    >>> energy_mwh_per_t(np.array(["coal_power", "hydrogen"])).tolist()
    [0.35, 0.1]
    """
    s = _spec()
    capture = s["capture"]["mwh_per_t"]
    return np.array([capture[k] for k in kinds], float) + s["compression"]["mwh_per_t"]


def avoided_mtpa(stored_mtpa: np.ndarray, captured_by_kind_mtpa: dict[str, np.ndarray],
                 grid_t_per_mwh: float, pumping_mwh_per_yr: np.ndarray | float = 0.0
                 ) -> np.ndarray:
    """Net CO2 avoided per period (Mt/yr) from stored and captured Mt/yr by kind.

    >>> avoided_mtpa(np.array([10.0]), {"coal_power": np.array([10.0])}, 0.5).round(3).tolist()
    [8.25]
    """
    emitted = np.zeros_like(np.asarray(stored_mtpa, float))
    for kind, captured in captured_by_kind_mtpa.items():
        emitted = emitted + np.asarray(captured) * energy_mwh_per_t(np.array([kind]))[0]
    emitted = (emitted + np.asarray(pumping_mwh_per_yr) / 1e6) * grid_t_per_mwh
    return np.asarray(stored_mtpa, float) - emitted
