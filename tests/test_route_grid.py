"""The routing grid's pieces against independent counts: where a line runs over cells,
the weights of the 16 moves, in-place re-weighting, and path lengths on uniform ground."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ccusplan.routes.grid import MOVES, GridGraph, move_cells
from ccusplan.routes.traverse import GridSpec, cell_pieces


def _sampled_shares(xy: np.ndarray, grid: GridSpec, n: int = 200_000) -> dict[int, float]:
    """Share of a segment's length in each cell, by sampling n points along it."""
    t = (np.arange(n) + 0.5) / n
    p = xy[0] + t[:, None] * (xy[1] - xy[0])
    r, c = grid.cell_of(p[:, 0], p[:, 1])
    cells, counts = np.unique(r * grid.nx + c, return_counts=True)
    return dict(zip(cells.tolist(), (counts / n).tolist()))


@pytest.mark.parametrize("move", MOVES)
def test_each_move_splits_its_length_over_cells_as_sampling_does(move):
    dr, dc = move
    odr, odc, share = move_cells(dr, dc)
    g = GridSpec(-2.5, 2.5, 1.0, 5, 5)
    sampled = _sampled_shares(np.array([[0.0, 0.0], [dc, -dr]]), g)
    ours = {(2 + r) * 5 + 2 + c: s for r, c, s in zip(odr, odc, share) if s > 0}
    assert ours.keys() == sampled.keys()
    for cell, s in ours.items():
        assert s == pytest.approx(sampled[cell], abs=1e-4)
    assert sum(ours.values()) == pytest.approx(1.0)


def test_cell_pieces_of_a_random_polyline_match_sampling():
    rng = np.random.default_rng(3)
    g = GridSpec(100.0, 900.0, 50.0, 16, 16)
    xy = np.column_stack([100 + 800 * rng.random(6), 100 + 800 * rng.random(6)])
    seg, cell, length = cell_pieces(xy, g)
    assert length.sum() == pytest.approx(np.hypot(*np.diff(xy, axis=0).T).sum(), rel=1e-12)
    for k in range(len(xy) - 1):
        seg_len = math.hypot(*(xy[k + 1] - xy[k]))
        ours = {}
        for c, L in zip(cell[seg == k], length[seg == k]):
            ours[int(c)] = ours.get(int(c), 0.0) + L / seg_len
        sampled = _sampled_shares(xy[k:k + 2], g)
        assert ours.keys() == sampled.keys()
        for c, s in ours.items():
            assert s == pytest.approx(sampled[c], abs=2e-4)


def _brute_force_weights(g: GridSpec, m: np.ndarray) -> dict[tuple[int, int], float]:
    """Every move's weight, cell by cell in plain Python."""
    out = {}
    for r in range(g.ny):
        for c in range(g.nx):
            for dr, dc in MOVES:
                odr, odc, share = move_cells(dr, dc)
                cells = [(r + a, c + b) for a, b in zip(odr, odc)]
                if not all(0 <= rr < g.ny and 0 <= cc < g.nx and np.isfinite(m[rr * g.nx + cc])
                           for rr, cc in cells):
                    continue
                w = g.cell_m * math.hypot(dr, dc) * sum(
                    f * m[rr * g.nx + cc] for (rr, cc), f in zip(cells, share))
                out[(r * g.nx + c, (r + dr) * g.nx + c + dc)] = w
    return out


def test_graph_weights_and_in_place_rescaling_match_a_brute_force_build():
    rng = np.random.default_rng(5)
    g = GridSpec(0.0, 12_000.0, 1000.0, 13, 12)
    m = 1 + rng.random(g.n_cells)
    m[rng.random(g.n_cells) < 0.1] = np.inf
    graph = GridGraph(g, m)
    cells = rng.choice(np.flatnonzero(np.isfinite(m)), 20, replace=False)
    graph.scale_cells(cells, 0.7)
    m2 = m.copy()
    m2[cells] *= 0.7
    expected = _brute_force_weights(g, m2)
    adj = graph.adjacency.tocoo()
    got = {(int(i), int(j)): w for i, j, w in zip(adj.row, adj.col, adj.data)}
    assert len(got) == 2 * len(expected)
    for (i, j), w in expected.items():
        assert got[(i, j)] == pytest.approx(w, rel=1e-12)
        assert got[(j, i)] == pytest.approx(w, rel=1e-12)


def test_paths_on_uniform_ground_are_within_2_8_percent_of_straight():
    g = GridSpec(0.0, 100_000.0, 1000.0, 100, 100)
    graph = GridGraph(g, np.ones(g.n_cells))
    rng = np.random.default_rng(11)
    for _ in range(10):
        a, b = rng.choice(g.n_cells, 2, replace=False)
        path = graph.paths(int(a), [int(b)])[0]
        x, y = g.centre(path)
        length = np.hypot(np.diff(x), np.diff(y)).sum()
        xa, ya = g.centre(a)
        xb, yb = g.centre(b)
        straight = math.hypot(xb - xa, yb - ya)
        assert straight <= length <= straight * 1.0275 + 1e-6


def test_paths_never_step_on_or_cut_the_corner_of_blocked_cells():
    g = GridSpec(0.0, 20_000.0, 1000.0, 20, 20)
    m = np.ones(g.n_cells)
    wall = [(r, 10) for r in range(0, 18)]
    for r, c in wall:
        m[r * g.nx + c] = np.inf
    graph = GridGraph(g, m)
    path = graph.paths(5 * 20 + 2, [5 * 20 + 17])[0]
    assert np.isfinite(m[path]).all()
    # every move's own cells (and a diagonal's two side cells) are passable
    r, c = np.divmod(path, g.nx)
    for r0, c0, r1, c1 in zip(r[:-1], c[:-1], r[1:], c[1:]):
        dr, dc = r1 - r0, c1 - c0
        if (dr, dc) not in MOVES:
            dr, dc, r0, c0 = -dr, -dc, r1, c1
        odr, odc, _ = move_cells(dr, dc)
        assert all(np.isfinite(m[(r0 + a) * g.nx + c0 + b]) for a, b in zip(odr, odc))
    assert (r >= 18).any()  # it went round the end of the wall
