"""Synthetic CCUS networks and their cases (``ccusplan generate``)."""
