"""Where a polyline runs over a grid: the exact length it spends in each cell.

A grid of square cells (row 0 at the top, as in a raster) is given by its upper-left
corner ``(x0, y0)`` and cell size ``s``; cell ``(r, c)`` spans
``x0 + c·s ≤ x ≤ x0 + (c+1)·s`` and ``y0 − (r+1)·s ≤ y ≤ y0 − r·s``. A segment is cut
where it crosses a grid line; each piece lies in one cell, found from its midpoint.
Everything is vectorised over all segments at once (no loop per segment or cell).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridSpec:
    """A grid of ``ny`` × ``nx`` square cells of ``cell_m`` metres, upper-left ``(x0, y0)``."""

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    def cell_of(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell holding each point (may be off the grid)."""
        col = np.floor((np.asarray(x, float) - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((self.y0 - np.asarray(y, float)) / self.cell_m).astype(np.int64)
        return row, col

    def inside(self, row, col) -> np.ndarray:
        return (row >= 0) & (row < self.ny) & (col >= 0) & (col < self.nx)

    def centre(self, cells) -> tuple[np.ndarray, np.ndarray]:
        """x, y of the centres of flat cell indices (``row · nx + col``)."""
        row, col = np.divmod(np.asarray(cells, np.int64), self.nx)
        return self.x0 + (col + 0.5) * self.cell_m, self.y0 - (row + 0.5) * self.cell_m


def _ragged_crossings(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each segment i from ``a[i]`` to ``b[i]`` (grid units), the integers strictly
    between them: returns (segment index, integer), concatenated over segments."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    first = np.floor(lo) + 1
    count = np.maximum(np.ceil(hi) - first, 0).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return seg, first[seg] + offset


def cell_pieces(xy: np.ndarray, grid: GridSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut the polyline ``xy`` (n × 2, metres) at every grid line it crosses.

    Returns
    -------
    segment : numpy.ndarray
        Index of the polyline segment each piece belongs to.
    cell : numpy.ndarray
        Flat index ``row · nx + col`` of the cell holding the piece, or −1 off the grid.
    length_m : numpy.ndarray
        The piece's length; they add up to the polyline's length exactly.

    Examples
    --------
    A segment from the middle of cell (0, 0) to the middle of cell (1, 2) (a knight's
    move) spends a quarter of its length in each of four cells:

    >>> g = GridSpec(0.0, 3.0, 1.0, 3, 3)
    >>> seg, cell, length = cell_pieces(np.array([[0.5, 2.5], [2.5, 1.5]]), g)
    >>> cell.tolist(), (length / length.sum()).round(3).tolist()
    ([0, 1, 4, 5], [0.25, 0.25, 0.25, 0.25])
    """
    xy = np.asarray(xy, float)
    u = (xy[:, 0] - grid.x0) / grid.cell_m          # column coordinate
    v = (grid.y0 - xy[:, 1]) / grid.cell_m          # row coordinate
    u0, u1, v0, v1 = u[:-1], u[1:], v[:-1], v[1:]
    n = len(u0)
    su, ku = _ragged_crossings(u0, u1)
    sv, kv = _ragged_crossings(v0, v1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tu = (ku - u0[su]) / (u1[su] - u0[su])
        tv = (kv - v0[sv]) / (v1[sv] - v0[sv])
    seg = np.concatenate([np.arange(n), np.arange(n), su, sv])
    t = np.concatenate([np.zeros(n), np.ones(n), tu, tv])
    order = np.lexsort((t, seg))
    seg, t = seg[order], t[order]
    same = seg[1:] == seg[:-1]
    dt = np.where(same, t[1:] - t[:-1], 0.0)
    keep = same & (dt > 0)
    s, tm = seg[:-1][keep], (t[:-1][keep] + t[1:][keep]) / 2
    seg_len = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    row = np.floor(v0[s] + tm * (v1[s] - v0[s])).astype(np.int64)
    col = np.floor(u0[s] + tm * (u1[s] - u0[s])).astype(np.int64)
    cell = np.where(grid.inside(row, col), row * grid.nx + col, -1)
    return s, cell, dt[keep] * seg_len[s]
