"""SimCCS's raster: where a latitude/longitude falls, where a cell is, how long a route is.

SimCCS numbers the cells of its cost raster from 1, row by row from the upper-left
corner (``cell = (row − 1)·ncols + col``) and places every source and sink on the cell
that contains it, truncating, never rounding (``DataStorer.latLonToCell``)::

    row = nrows − floor((lat − yllcorner) / cellsize)
    col = floor((lon − xllcorner) / cellsize) + 1

A cell's centre is ``lon = xllcorner + (col − ½)·cellsize``,
``lat = yllcorner + (nrows − row + ½)·cellsize`` (``DataStorer.cellToLatLon``). Edge
lengths in SimCCS's ``solution.csv`` are haversine sums over a route's cell centres
with an Earth diameter of 12,742 km (SimCCS ``Solver``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Earth radius used by SimCCS for edge lengths, km (diameter 12,742 km).
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Raster:
    """The header of SimCCS's cost raster (an ESRI ASCII grid)."""

    ncols: int
    nrows: int
    xllcorner: float
    yllcorner: float
    cellsize: float

    @property
    def n_cells(self) -> int:
        return self.ncols * self.nrows

    def row_col(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """1-based row (from the top) and column of the cell holding each point (may lie
        outside ``1..nrows`` / ``1..ncols`` for points off the raster)."""
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        row = self.nrows - np.floor((lat - self.yllcorner) / self.cellsize)
        col = np.floor((lon - self.xllcorner) / self.cellsize) + 1
        return row.astype(np.int64), col.astype(np.int64)

    def inside(self, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        return (row >= 1) & (row <= self.nrows) & (col >= 1) & (col <= self.ncols)

    def cell(self, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        """Cell numbers of (row, col) pairs."""
        return (np.asarray(row) - 1) * self.ncols + np.asarray(col)

    def centre(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of the centres of ``cells``."""
        cells = np.asarray(cells, np.int64)
        row = (cells - 1) // self.ncols + 1
        col = cells - (row - 1) * self.ncols
        lon = (col - 0.5) * self.cellsize + self.xllcorner
        lat = (self.nrows - (row - 0.5)) * self.cellsize + self.yllcorner
        return lon, lat


def route_length_km(lon: np.ndarray, lat: np.ndarray) -> float:
    """Haversine length of a polyline through the points (degrees), km."""
    phi, lam = np.radians(lat), np.radians(lon)
    h = (np.sin(np.diff(phi) / 2) ** 2
         + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2)
    return float(np.sum(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))))
