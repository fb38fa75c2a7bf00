"""Corridors dominated by a two-hop path, pruned.

A corridor a–b is dominated when some node c has corridors a–c and c–b with
``w(a,c) + w(c,b) ≤ detour · w(a,b)``, where ``w`` is the corridor's cost weight
(length × terrain factor: what pipe capital scales with). Corridors are examined
from the heaviest down and a dominated one is dropped at once, so the two-hop path
that justified a drop is always still there when it is made: each drop keeps its
ends connected, and **connectivity never changes**. With no limit on pipes per
corridor (every pipe option may be laid as often as any flow needs), every flow
the full network can carry the pruned one can carry too, through the two-hop
paths; so a feasible case stays feasible, and its optimum can only rise.

Given assets — corridors with pipe already in service or one generic pipe of
stated cost — are never dropped (but may carry a two-hop path). Ship, truck and rail
corridors are neither dropped nor part of a two-hop path: only pipelines are pruned,
by pipelines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccusplan.model import is_asset, is_pipeline


def protected(corridors: pd.DataFrame) -> np.ndarray:
    """Corridors never pruned: assets (existing capacity or a generic pipe), and the
    corridors of other modes than pipelines."""
    return is_asset(corridors) | ~is_pipeline(corridors)


def dominated(corridors: pd.DataFrame, detour: float) -> np.ndarray:
    """Boolean mask of the corridors to drop (see the module docstring).

    ``corridors`` needs ``from``, ``to``, ``cost_weight``, ``existing_capacity_mtpa`` and
    ``capacity_mtpa``.
    """
    a = corridors["from"].to_numpy(object)
    b = corridors["to"].to_numpy(object)
    w = corridors["cost_weight"].to_numpy(float)
    adj: dict[object, dict[object, float]] = {}
    pipe = is_pipeline(corridors)
    for u, v, x in zip(a[pipe], b[pipe], w[pipe]):
        adj.setdefault(u, {})[v] = x
        adj.setdefault(v, {})[u] = x
    drop = np.zeros(len(w), bool)
    keep = protected(corridors)
    for e in np.argsort(-w, kind="stable"):
        if keep[e]:
            continue
        u, v, limit = a[e], b[e], detour * w[e]
        nu, nv = adj[u], adj[v]
        if any(nu[c] + nv[c] <= limit for c in nu.keys() & nv.keys()):
            drop[e] = True
            del nu[v], nv[u]
    return drop


def prune_corridors(corridors: pd.DataFrame, detour: float) -> pd.DataFrame:
    """``corridors`` without the dominated ones (index reset, ``attrs`` kept)."""
    out = corridors[~dominated(corridors, detour)].reset_index(drop=True)
    out.attrs = dict(corridors.attrs)
    return out
