"""A smaller network for a large case: sources clustered into hubs, corridors pruned.

Driven by the case's ``[reduce]`` table (``model.Reduce``) from
``optimize.instance.prepare``, after cost defaults are filled and before the
model is built:

1. **clustering** (``cluster_km``, :mod:`.cluster`): sources of one kind and first
   year within ``cluster_km`` of each other become one hub; given corridors follow
   their ends into the hubs; candidate corridors are generated among the reduced
   nodes;
2. **pruning** (``prune_corridors``, :mod:`.prune`): corridors dominated by a two-hop
   path are dropped.

The :class:`Reduction` record says what changed; its member table maps every source
of the full network to the node that stands for it (``reduction.csv`` in the results).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ccusplan.model import Network, Reduce
from ccusplan.reduce.cluster import (
    cluster_sources, member_table, pinned_sources, remap_corridors,
)
from ccusplan.reduce.prune import prune_corridors

__all__ = ["Reduction", "reduce_network"]


@dataclass(frozen=True)
class Reduction:
    """What a reduction changed."""

    spec: Reduce
    members: pd.DataFrame
    """One row per source of the full network (see :func:`.cluster.cluster_sources`)."""
    corridors_before: int
    corridors_clustered: int
    """Corridors of the clustered network, before pruning."""
    corridors_after: int
    capacity_mtpa_before: float
    capacity_mtpa_after: float

    def summary(self) -> dict:
        """The ``reduction`` entry of ``summary.json``."""
        m = self.members
        hubs = m.loc[m["members"] > 1, "node_id"]
        return {
            "cluster_km": self.spec.cluster_km,
            "prune_corridors": self.spec.prune_corridors,
            "prune_detour": self.spec.prune_detour if self.spec.prune_corridors else None,
            "sources_before": len(m),
            "sources_after": int(m["node_id"].nunique()),
            "hubs": int(hubs.nunique()),
            "sources_in_hubs": len(hubs),
            "largest_hub_members": int(m["members"].max()) if len(m) else 0,
            "max_distance_to_hub_km": round(float(m["distance_to_node_km"].max()), 3)
            if len(m) else 0.0,
            "corridors_before": self.corridors_before,
            "corridors_after_clustering": self.corridors_clustered,
            "corridors_pruned": self.corridors_clustered - self.corridors_after,
            "corridors_after": self.corridors_after,
            "capacity_mtpa_before": self.capacity_mtpa_before,
            "capacity_mtpa_after": self.capacity_mtpa_after,
        }


def reduce_network(net: Network, spec: Reduce, detour_factor: float,
                   corridors_of: Callable[[Network], pd.DataFrame]
                   ) -> tuple[Network, pd.DataFrame, Reduction]:
    """Reduce ``net`` (costs filled) as ``spec`` says.

    ``corridors_of`` gives a network's complete corridor table (given and/or generated,
    lengths and cost weights filled): it is called on the full network (for the count
    before) and on the clustered one. Returns the reduced network (with its corridors),
    its corridor table and the record.
    """
    full = corridors_of(net)
    members = None
    if spec.cluster_km is not None:
        sources, members = cluster_sources(net.sources, spec.cluster_km,
                                           pinned_sources(net.corridors))
        given = net.corridors
        clustered = Network(net.name, sources, net.sinks, net.junctions, None,
                            net.pipe_classes, net.path)
        if given is not None:
            node_of = members.set_index("source_id")["node_id"]
            given = remap_corridors(given, node_of[node_of != node_of.index],
                                    clustered.nodes(), detour_factor)
        net = clustered.with_corridors(given)
        corridors = corridors_of(net)
    else:
        corridors = full
    n_clustered = len(corridors)
    if spec.prune_corridors:
        corridors = prune_corridors(corridors, spec.prune_detour)
    if members is None:  # pruning only: every source is its own node
        ids = net.sources.index
        members = member_table(net.sources, pd.Series(ids, index=ids), net.sources)
    record = Reduction(
        spec, members, len(full), n_clustered, len(corridors),
        math.fsum(members["capacity_mtpa"]), math.fsum(net.sources["capacity_mtpa"]))
    return net.with_corridors(corridors), corridors, record
