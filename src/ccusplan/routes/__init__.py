"""Routes layer: geodesic lengths and candidate corridor generation."""
