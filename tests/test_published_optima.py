"""Published optima: OR-Library's capacitated warehouse location problems (Beasley,
"An algorithm for solving large capacitated warehouse location problems", EJOR 33
(1988) 314–325), posed as CCUS networks and solved by ccusplan to the optima OR-Library
lists (capopt.txt).

A customer is a source that must be captured in full (the target is the total demand),
a warehouse a sink with its opening cost and its capacity as the injection limit, and
each customer–warehouse pair a corridor with the per-unit cost of serving that customer
from that warehouse and no fixed cost. One period of one year with a capital recovery
factor of 1: the NPV is the published objective. Posed as hubs, corridors carry flow
either way, so the network could route a customer's demand through another customer; on
these instances that never pays, and the optima agree. Posed with ``hub`` false at every
site, as the problem is, nothing passes through a site and the corridor by corridor
links give the strong facility-location relaxation; the optima agree again.

The instances are OR-Library's files, read in place (not copied into the project) from
the folder ``CCUSPLAN_ORLIB`` names; the tests are skipped, saying where they looked,
where the files are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import load_case, write_case, write_network

from ccusplan.optimize import run

ORLIB = Path(os.environ.get("CCUSPLAN_ORLIB", Path(__file__).resolve().parents[2]
                           / "shared" / "data" / "external-optima" / "cflp-orlib"))

pytestmark = pytest.mark.skipif(not ORLIB.is_dir(),
                                reason=f"OR-Library's cflp files not found at {ORLIB} (set CCUSPLAN_ORLIB)")


def _read(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacities (m,), fixed costs (m,), demands (n,) and the cost of serving all of
    customer j from warehouse i, (n, m)."""
    tokens = (ORLIB / f"{name}.txt").read_text().split()
    m, n = int(tokens[0]), int(tokens[1])
    head = np.array(tokens[2:2 + 2 * m], float).reshape(m, 2)
    rest = np.array(tokens[2 + 2 * m:2 + 2 * m + n * (m + 1)], float).reshape(n, m + 1)
    return head[:, 0], head[:, 1], rest[:, 0], rest[:, 1:]


def _optimum(name: str) -> float:
    for line in (ORLIB / "capopt.txt").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return float(parts[1])
    raise KeyError(name)


@pytest.mark.parametrize("hub", [True, False])
@pytest.mark.parametrize("name", ["cap41", "cap71", "cap101", "cap131"])
def test_orlib_capacitated_warehouse_location(tmp_path, name, hub):
    cap, fixed, demand, serve = _read(name)
    m, n = len(cap), len(demand)
    free = {"capture_cost_usd_per_t": 0, "capture_capex_musd": 0,
            "capture_fixed_om_musd_per_yr": 0}
    rng = np.random.default_rng(0)  # positions only label the map
    write_network(
        tmp_path / "net",
        sources=[{"id": f"C{j}", "lon": rng.uniform(0, 1), "lat": rng.uniform(0, 1),
                  "capacity_mtpa": demand[j], **free, "hub": hub} for j in range(n)],
        sinks=[{"id": f"W{i}", "lon": rng.uniform(0, 1), "lat": rng.uniform(0, 1),
                "capacity_mt": 1e9, "max_injection_mtpa": cap[i], "storage_cost_usd_per_t": 0,
                "storage_capex_musd": fixed[i], "storage_fixed_om_musd_per_yr": 0, "hub": hub}
               for i in range(m)],
        corridors=[{"from": f"C{j}", "to": f"W{i}", "length_km": 1.0,
                    "capacity_mtpa": demand.sum(), "fixed_cost_musd": 0.0,
                    "variable_cost_usd_per_t": serve[j, i] / demand[j]}
                   for j in range(n) for i in range(m)])
    case, network = load_case(write_case(
        tmp_path / f"{name}.toml", "net", [2025], target=[float(demand.sum())],
        finance={"crf": 1.0, "discount_rate": 0.0}, solver={"mip_gap": 0.0}))
    out = run(case, network, threads=1)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(_optimum(name), rel=1e-7)


SSFCTP = ORLIB.parent / "ssfctp-legault"


def _ssfctp(name: str) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, float]:
    """Demand, capacities, unit and fixed costs of Legault, Côté and Gendron's instance
    (file format: n, D, then the n capacities, unit costs and fixed costs), and its optimum
    from the authors' results file (instances 0–9 of a family listed in order)."""
    tok = (SSFCTP / name).read_text().split()
    n = int(tok[0])
    v = np.array(tok[2:2 + 3 * n], float).reshape(3, n)
    family, index = name.rsplit("_", 1)
    text = (SSFCTP / "results" / f"detailed_results_group{name[1]}.txt").read_text()
    block = text.split(f" {family}_i ")[1].split("\n", 1)[1].split("_____")[0]
    values = [float(line.split("=")[1]) for line in block.splitlines()
              if line.startswith("Optimal value")]
    return float(tok[1]), v[0], v[1], v[2], values[int(index)]


@pytest.mark.skipif(not SSFCTP.is_dir(), reason=f"the SSFCTP instances not found at {SSFCTP}")
@pytest.mark.parametrize("name", ["g1_n500_0", "g2_n500_beta10_0", "g4_n500_0"])
def test_single_sink_fixed_charge_transportation(tmp_path, name):
    """Legault, Côté and Gendron's single-sink fixed-charge transportation problems
    (github.com/robinlegault/SSFCTP): each supplier a source whose capture capex is the
    fixed cost and capture cost the unit cost, all joined to one sink that must receive
    the demand (the target)."""
    demand, cap, unit, fixed, published = _ssfctp(name)
    n = len(cap)
    rng = np.random.default_rng(0)  # positions only label the map
    write_network(
        tmp_path / "net",
        sources=[{"id": f"S{i}", "lon": rng.uniform(0, 1), "lat": rng.uniform(0, 1),
                  "capacity_mtpa": cap[i], "capture_cost_usd_per_t": unit[i],
                  "capture_capex_musd": fixed[i], "capture_fixed_om_musd_per_yr": 0}
                 for i in range(n)],
        sinks=[{"id": "D", "lon": 0.5, "lat": 0.5, "capacity_mt": 1e12,
                "max_injection_mtpa": demand, "storage_cost_usd_per_t": 0,
                "storage_capex_musd": 0, "storage_fixed_om_musd_per_yr": 0}],
        corridors=[{"from": f"S{i}", "to": "D", "length_km": 1.0, "capacity_mtpa": cap[i],
                    "fixed_cost_musd": 0.0, "variable_cost_usd_per_t": 0.0} for i in range(n)])
    case, network = load_case(write_case(
        tmp_path / f"{name}.toml", "net", [2025], target=[demand],
        finance={"crf": 1.0, "discount_rate": 0.0}, solver={"mip_gap": 0.0}))
    out = run(case, network, threads=1)
    assert out.result.status == "optimal"
    assert out.result.objective == pytest.approx(published, rel=1e-7)
