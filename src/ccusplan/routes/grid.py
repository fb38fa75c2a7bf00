"""Least-cost paths over a grid of cost multipliers (a cost surface), built with numpy.

Each cell links to its 16 neighbours: the 8 around it and the 8 a knight's move away, so
a path on uniform ground is at most 2.8 % longer than the straight line (with 8
neighbours: 8.2 %). A move's weight is exact: its length times the multipliers of the
cells it passes through, each weighted by the share of the move inside it (½ and ½ for
straight and diagonal moves, ¼ each of four cells for a knight's move;
:func:`ccusplan.routes.traverse.cell_pieces`). A diagonal move may not cut the corner
of a blocked cell. The graph is a scipy sparse matrix and paths come from
``scipy.sparse.csgraph.dijkstra``; multipliers of some cells can be changed in place
(penalties, or the discount that lets later routes share cells already used).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ccusplan.routes.traverse import GridSpec, cell_pieces

#: The forward half of the 16-neighbourhood as (rows down, columns right).
MOVES = ((0, 1), (1, -1), (1, 0), (1, 1), (1, -2), (1, 2), (2, -1), (2, 1))


@cache
def move_cells(dr: int, dc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells a move from cell (0, 0) to (dr, dc) passes through (row and column offsets)
    and the share of its length in each; a diagonal move's two side cells follow with
    share 0 (they must be passable too)."""
    g = GridSpec(-2.5, 2.5, 1.0, 5, 5)                    # cell (2, 2) centred on (0, 0)
    _, cell, length = cell_pieces(np.array([[0.0, 0.0], [float(dc), -float(dr)]]), g)
    r, c = np.divmod(cell, 5)
    share = length / length.sum()
    dr_, dc_ = r - 2, c - 2
    if abs(dr) == 1 and abs(dc) == 1:
        dr_, dc_ = np.append(dr_, [0, dr]), np.append(dc_, [dc, 0])
        share = np.append(share, [0.0, 0.0])
    return dr_, dc_, share


class GridGraph:
    """The 16-neighbour graph of a grid; ``multiplier`` is flat (row-major), inf = blocked.

    The adjacency matrix is built straight in CSR form from a (cell × 16 directions)
    table — no sorting — and a move's weight can be recomputed in place.

    Attributes
    ----------
    grid : GridSpec
    multiplier : numpy.ndarray
        Current multiplier of each cell (changed by :meth:`scale_cells`).
    adjacency : scipy.sparse.csr_matrix
        Move weights (m), both directions.
    """

    def __init__(self, grid: GridSpec, multiplier: np.ndarray):
        self.grid = grid
        self.multiplier = np.asarray(multiplier, float).copy()
        ny, nx = grid.ny, grid.nx
        pad = np.full((ny + 4, nx + 4), np.inf)      # 2 cells of inf around the grid
        pad[2:-2, 2:-2] = self.multiplier.reshape(ny, nx)
        columns, offsets = [None] * (2 * len(MOVES)), np.zeros(2 * len(MOVES), np.int64)
        for k, (dr, dc) in enumerate(MOVES):
            w = self._all_weights(pad, k)
            back = np.full((ny + 4, nx + 4), np.inf)  # the same move, taken backwards
            back[2 + dr:2 + dr + ny, 2 + dc:2 + dc + nx] = w
            columns[k], columns[len(MOVES) + k] = w.ravel(), back[2:-2, 2:-2].ravel()
            offsets[k], offsets[len(MOVES) + k] = dr * nx + dc, -(dr * nx + dc)
        weight = np.stack(columns, axis=1)            # cell × direction
        valid = np.isfinite(weight)
        self._pos = np.full(weight.shape, -1, dtype=np.int32)
        self._pos[valid] = np.arange(int(valid.sum()), dtype=np.int32)
        indices = (np.arange(grid.n_cells, dtype=np.int32)[:, None]
                   + offsets.astype(np.int32)[None, :])[valid]
        indptr = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
        self.adjacency = sp.csr_matrix((weight[valid], indices, indptr),
                                       shape=(grid.n_cells, grid.n_cells))

    def _all_weights(self, pad: np.ndarray, k: int) -> np.ndarray:
        """Weight of move ``k`` from every cell, from the inf-padded multipliers."""
        dr, dc = MOVES[k]
        odr, odc, share = move_cells(dr, dc)
        ny, nx = pad.shape[0] - 4, pad.shape[1] - 4
        total = np.zeros((ny, nx))
        for ro, co, f in zip(odr, odc, share):
            m = pad[2 + ro:2 + ro + ny, 2 + co:2 + co + nx]
            total += f * m if f > 0 else np.where(np.isfinite(m), 0.0, np.inf)
        return self.grid.cell_m * float(np.hypot(dr, dc)) * total

    def _move_weights(self, k: int, starts: np.ndarray | None = None) -> np.ndarray:
        """Weight of move ``k`` from every cell (or from flat cells ``starts``); inf where
        the move leaves the grid or passes a blocked cell."""
        g = self.grid
        dr, dc = MOVES[k]
        odr, odc, share = move_cells(dr, dc)
        r, c = (np.divmod(np.arange(g.n_cells), g.nx) if starts is None
                else np.divmod(np.asarray(starts, np.int64), g.nx))
        total = np.zeros(len(r))
        for ro, co, f in zip(odr, odc, share):
            rr, cc = r + ro, c + co
            inside = (rr < g.ny) & (cc >= 0) & (cc < g.nx)
            m = np.full(len(r), np.inf)
            m[inside] = self.multiplier[rr[inside] * g.nx + cc[inside]]
            total += f * m if f > 0 else np.where(np.isfinite(m), 0.0, np.inf)
        return g.cell_m * float(np.hypot(dr, dc)) * total

    def scale_cells(self, cells: np.ndarray, factor: float) -> None:
        """Multiply the multipliers of ``cells`` (flat indices) by ``factor``; the moves
        through them are re-weighted in place."""
        cells = np.unique(np.asarray(cells, np.int64))
        cells = cells[np.isfinite(self.multiplier[cells])]
        if not len(cells):
            return
        self.multiplier[cells] *= factor
        g = self.grid
        r, c = np.divmod(cells, g.nx)
        for k, (dr, dc) in enumerate(MOVES):
            odr, odc, share = move_cells(dr, dc)
            rs, cs = (r[:, None] - odr[share > 0]).ravel(), (c[:, None] - odc[share > 0]).ravel()
            ok = (rs >= 0) & (rs < g.ny) & (cs >= 0) & (cs < g.nx)
            starts = np.unique(rs[ok] * g.nx + cs[ok])
            starts = starts[self._pos[starts, k] >= 0]
            w = self._move_weights(k, starts)
            self.adjacency.data[self._pos[starts, k]] = w
            self.adjacency.data[self._pos[starts + dr * g.nx + dc, len(MOVES) + k]] = w

    def paths(self, source: int, targets, limit: float = np.inf) -> list[np.ndarray | None]:
        """Cells of the cheapest path from ``source`` to each target (flat indices), None
        for a target that cannot be reached.

        ``limit`` bounds the search (one Dijkstra run for all targets): cells dearer than
        it to reach are not explored, and a target among them gets None.
        """
        if not np.isfinite(self.multiplier[source]):
            return [None] * len(targets)
        dist, pred = dijkstra(self.adjacency, indices=source, return_predecessors=True,
                              limit=limit)
        out = []
        for target in targets:
            if not np.isfinite(dist[target]):
                out.append(None)
                continue
            cells = [int(target)]
            while cells[-1] != source:
                cells.append(int(pred[cells[-1]]))
            out.append(np.array(cells[::-1], dtype=np.int64))
        return out
