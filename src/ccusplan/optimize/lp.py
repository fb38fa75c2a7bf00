"""A solver-neutral sparse MILP: columns with bounds, costs and integrality; rows as COO triplets.

Constraint families are added one statement per family from index arrays (the
linopy way), so building grows linearly with the instance and no solver
expression is ever touched here. A backend turns the finished arrays into a
solver's model.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

INF = np.inf


@dataclass
class LinearProgram:
    """minimise c·x subject to row_lo ≤ A x ≤ row_hi, col_lo ≤ x ≤ col_hi, x_j integer where marked."""

    blocks: dict[str, np.ndarray] = field(default_factory=dict)  # var block -> column indices
    row_blocks: dict[str, np.ndarray] = field(default_factory=dict)  # row block -> row indices
    _lo: list[np.ndarray] = field(default_factory=list)
    _hi: list[np.ndarray] = field(default_factory=list)
    _int: list[np.ndarray] = field(default_factory=list)
    _names: list[tuple[str, int]] = field(default_factory=list)
    _r: list[np.ndarray] = field(default_factory=list)
    _c: list[np.ndarray] = field(default_factory=list)
    _v: list[np.ndarray] = field(default_factory=list)
    _rlo: list[np.ndarray] = field(default_factory=list)
    _rhi: list[np.ndarray] = field(default_factory=list)
    _cost_idx: list[np.ndarray] = field(default_factory=list)
    _cost_val: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0
    _cache: dict | None = None

    # ------------------------------------------------------------ columns
    def add_vars(self, name: str, shape: tuple[int, ...], lo=0.0, hi=INF,
                 integer=False) -> np.ndarray:
        """A block of variables; returns their column indices, shaped ``shape``.
        ``integer``: for the whole block, or per variable."""
        n = int(np.prod(shape))
        idx = np.arange(self.n_cols, self.n_cols + n).reshape(shape)
        self._lo.append(np.broadcast_to(np.asarray(lo, float), shape).ravel().copy())
        self._hi.append(np.broadcast_to(np.asarray(hi, float), shape).ravel().copy())
        self._int.append(np.broadcast_to(np.asarray(integer, bool), shape).ravel().copy())
        self._names.append((name, n))
        self.blocks[name] = idx
        self.n_cols += n
        return idx

    def add_cost(self, cols: np.ndarray, coefs) -> None:
        cols = np.asarray(cols)
        self._cost_idx.append(cols.ravel())
        self._cost_val.append(np.broadcast_to(np.asarray(coefs, float), np.shape(cols)).ravel())

    # ------------------------------------------------------------ rows
    def add_rows(self, name: str, n: int, terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                 lo=-INF, hi=INF) -> np.ndarray:
        """``n`` rows; each term is (local row, column, coefficient) arrays of equal length."""
        base = self.n_rows
        for r, c, v in terms:
            r, c = np.asarray(r), np.asarray(c)
            v = np.broadcast_to(np.asarray(v, float), r.shape).ravel()
            r, c = r.ravel(), c.ravel()
            self._r.append(r + base)
            self._c.append(c)
            self._v.append(v)
        self._rlo.append(np.broadcast_to(np.asarray(lo, float), (n,)).copy())
        self._rhi.append(np.broadcast_to(np.asarray(hi, float), (n,)).copy())
        rows = np.arange(base, base + n)
        self.row_blocks[name] = rows
        self.n_rows += n
        return rows

    # ------------------------------------------------------------ finished arrays
    def arrays(self) -> dict[str, np.ndarray]:
        """c, col_lo, col_hi, integer, A (CSR, duplicates summed), row_lo, row_hi."""
        if self._cache is None or self._cache["n"] != (self.n_cols, self.n_rows, len(self._cost_idx)):
            self._cache = {"n": (self.n_cols, self.n_rows, len(self._cost_idx)), **self._assemble()}
        return self._cache

    def _assemble(self) -> dict[str, np.ndarray]:
        cat = lambda xs, dt=float: np.concatenate(xs) if xs else np.empty(0, dt)  # noqa: E731
        c = np.zeros(self.n_cols)
        np.add.at(c, cat(self._cost_idx, int), cat(self._cost_val))
        A = sp.csr_matrix((cat(self._v), (cat(self._r, int), cat(self._c, int))),
                          shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        A.eliminate_zeros()
        return {"c": c, "col_lo": cat(self._lo), "col_hi": cat(self._hi),
                "integer": cat(self._int, bool), "A": A,
                "row_lo": cat(self._rlo), "row_hi": cat(self._rhi)}

    def violated_empty_row(self) -> bool:
        """Some row has no variables and a range that excludes 0: no plan can meet it."""
        arr = self.arrays()
        empty = np.diff(arr["A"].indptr) == 0
        return bool(((arr["row_lo"][empty] > 1e-9) | (arr["row_hi"][empty] < -1e-9)).any())

    def copy(self) -> LinearProgram:
        """A copy that columns and rows can be added to without changing this one (the
        arrays already added are shared: they are never modified in place)."""
        out = copy.copy(self)
        for name in ("_lo", "_hi", "_int", "_names", "_r", "_c", "_v", "_rlo", "_rhi",
                     "_cost_idx", "_cost_val"):
            setattr(out, name, list(getattr(self, name)))
        out.blocks, out.row_blocks, out._cache = dict(self.blocks), dict(self.row_blocks), None
        return out

    def with_bounds(self, lo: np.ndarray, hi: np.ndarray) -> LinearProgram:
        """A copy whose column bounds are ``lo`` and ``hi`` (e.g. some columns fixed)."""
        out = self.copy()
        out._lo, out._hi, out._cache = [np.asarray(lo, float).copy()], \
            [np.asarray(hi, float).copy()], None
        return out

    def with_costs(self, c: np.ndarray) -> LinearProgram:
        """A copy whose objective is ``c``, its arrays shared rather than assembled again."""
        out = self.copy()
        arr = self.arrays()
        c = np.asarray(c, float)
        out.add_cost(np.arange(self.n_cols), c - arr["c"])
        out._cache = {**arr, "c": c, "n": (out.n_cols, out.n_rows, len(out._cost_idx))}
        return out

    def column_names(self) -> list[str]:
        """``block_k`` for the k-th column of each block."""
        return [f"{name}_{i}" for name, n in self._names for i in range(n)]

    def row_names(self) -> list[str]:
        """``family_k`` for the k-th row of each constraint family."""
        names = np.empty(self.n_rows, dtype=object)
        for block, rows in self.row_blocks.items():
            names[rows] = [f"{block}_{k}" for k in range(len(rows))]
        return names.tolist()


def restrict(lp: LinearProgram, free: np.ndarray, x: np.ndarray, activity: np.ndarray,
             A_csc: sp.csc_matrix) -> LinearProgram:
    """``lp`` over the columns ``free`` alone (in that order, one block ``"free"``), every
    other column held at its value in ``x``: each row that holds a free column keeps it,
    its bounds less what the held columns contribute. ``activity`` (``A @ x``) and
    ``A_csc`` (``A`` column-wise) are computed once for many restrictions of one ``x``."""
    arr = lp.arrays()
    free = np.asarray(free, dtype=int)
    Af = A_csc[:, free]
    rows = np.unique(Af.indices)
    held = activity[rows] - Af[rows] @ x[free]
    out = LinearProgram()
    cols = out.add_vars("free", (len(free),), lo=arr["col_lo"][free], hi=arr["col_hi"][free],
                        integer=arr["integer"][free])
    sub = Af[rows].tocoo()
    out.add_rows("rows", len(rows), [(sub.row, cols[sub.col], sub.data)],
                 lo=arr["row_lo"][rows] - held, hi=arr["row_hi"][rows] - held)
    out.add_cost(cols, arr["c"][free])
    return out
