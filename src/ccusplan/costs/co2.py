"""CO2 properties at pipeline conditions, from CoolProp's reference equations.

Density comes from the Span & Wagner (1996) equation of state and viscosity from
CoolProp's reference correlation for CO2, both evaluated by ``CoolProp.PropsSI``.
Pipeline hydraulics are isothermal at the ground temperature and use the fluid state at
the mean of the inlet and minimum pressures (``line_state``).

CoolProp is imported on first use, not at import time.
"""

from __future__ import annotations

from functools import cache

KELVIN_OFFSET = 273.15


@cache
def _props():
    from CoolProp.CoolProp import PropsSI  # imported lazily: only the engineering model needs it
    return PropsSI


@cache
def co2_state(pressure_mpa: float, temperature_c: float) -> tuple[float, float]:
    """Density and dynamic viscosity of pure CO2.

    Parameters
    ----------
    pressure_mpa : float
        Absolute pressure, MPa.
    temperature_c : float
        Temperature, °C.

    Returns
    -------
    density_kg_m3, viscosity_pa_s : float
        Density (kg/m³, Span–Wagner EOS) and dynamic viscosity (Pa·s).

    Examples
    --------
    >>> rho, mu = co2_state(15.0, 12.0)
    >>> 940 < rho < 950 and 9e-5 < mu < 1.2e-4
    True
    """
    props = _props()
    p_pa, t_k = float(pressure_mpa) * 1e6, float(temperature_c) + KELVIN_OFFSET
    rho = float(props("D", "P", p_pa, "T", t_k, "CO2"))
    return rho, float(props("V", "P", p_pa, "T", t_k, "CO2"))


@cache
def critical_pressure_mpa() -> float:
    """Critical pressure of CO2 (MPa) from the Span–Wagner reference equation (7.3773 MPa).

    >>> round(critical_pressure_mpa(), 3)
    7.377
    """
    return float(_props()("pcrit", "CO2")) / 1e6


def line_state(inlet_pressure_mpa: float, min_pressure_mpa: float,
               temperature_c: float) -> tuple[float, float]:
    """Density (kg/m³) and viscosity (Pa·s) at the mean line pressure and ground temperature.

    Between 10 and 15 MPa the density of dense-phase CO2 varies by ≈ 5 % at 12 °C, so
    one mean state is the usual simplification of an isothermal dense-phase line.
    """
    return co2_state(round(0.5 * (inlet_pressure_mpa + min_pressure_mpa), 9), temperature_c)
