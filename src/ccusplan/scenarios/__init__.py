"""Scenarios layer: capture trajectories (targets per period) and CO2 prices."""
