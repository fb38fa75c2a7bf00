"""Shared test helpers: write tiny networks and cases to disk, list installed solvers.

One tiny model plus named overrides composes the test cases (the Calliope way):
``write_network`` writes CSVs from lists of dicts; ``write_case`` a TOML case.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import strategies as st

from ccusplan.io import load
from ccusplan.optimize import prepare
from ccusplan.optimize.pulp_backend import available_solvers

FREE_SOURCE = {"capture_cost_usd_per_t": 0, "capture_capex_musd": 0,
               "capture_fixed_om_musd_per_yr": 0}
FREE_SINK = {"storage_cost_usd_per_t": 0, "storage_capex_musd": 0,
             "storage_fixed_om_musd_per_yr": 0}
#: a case's [finance] table with one CRF for every asset and no discounting, so hand
#: optima are capex × 0.1 a year
NO_DISCOUNT = {"crf": 0.1, "discount_rate": 0.0}

SOLVERS = [s for s, real in (("highs", "HiGHS"), ("cbc", "COIN_CMD"), ("scip", "SCIP"))
           if real in available_solvers()]


def write_network(folder: Path, sources, sinks, corridors=None, junctions=None,
                  pipe_classes=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("sources", sources), ("sinks", sinks), ("corridors", corridors),
                       ("junctions", junctions), ("pipe_classes", pipe_classes)):
        if rows is not None:
            pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
    return folder


def hand_network() -> dict:
    """Source S → junction J → sinks K1 (1 $/t) and K2 (2 $/t); see
    tests/test_milp_hand.py::test_source_junction_two_sinks. With a target of 8 Mt/yr,
    crf 0.1 and no discounting the optimum is 124 MUSD: capture 80, trunk S–J two small
    pipes 20, branches J–K1 and K2–J one small pipe each 13, storage 5·1 + 3·2 = 11;
    330 km of pipe (2·100 + 50 + 80).

    CSV rows (header = row 1): sources S row 2; sinks K1 row 2, K2 row 3; junctions J
    row 2; corridors S–J row 2, J–K1 row 3, K2–J row 4.
    """
    return dict(
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10,
                  **FREE_SOURCE, "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 6,
                **FREE_SINK, "storage_cost_usd_per_t": 1},
               {"id": "K2", "lon": 1, "lat": 1, "capacity_mt": 100, "max_injection_mtpa": 6,
                **FREE_SINK, "storage_cost_usd_per_t": 2}],
        junctions=[{"id": "J", "lon": 0.5, "lat": 0.2}],
        corridors=[{"from": "S", "to": "J", "length_km": 100},
                   {"from": "J", "to": "K1", "length_km": 50},
                   {"from": "K2", "to": "J", "length_km": 80}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1},
                      {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 3}],
    )


def _toml_value(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def write_case(path: Path, network: str | Path, periods, target=None, price=None,
               period_years: int = 1, mode: str | None = None, **tables) -> Path:
    """A case file. ``tables`` are extra TOML tables, e.g. finance={"crf": 0.1}."""
    mode = mode or ("price" if price is not None else "target")
    doc = {"case": {"name": path.stem, "network": str(network), "mode": mode},
           "horizon": {"periods": list(periods), "period_years": period_years}}
    if target is not None:
        doc["target"] = {"mtpa": list(target)} if isinstance(target, (list, tuple)) else target
    if price is not None:
        doc["price"] = {"usd_per_t": price}
    doc.update(tables)
    lines = []
    for table, kv in doc.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in kv.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def draw_graph(draw, n_src: int, n_snk: int = 2):
    """Ids (sources S*, sinks K*, then 0–2 junctions J*) and the sorted undirected edges
    of a random connected graph over them: a random spanning tree and up to 4 more."""
    n_junc = draw(st.integers(0, 2))
    n = n_src + n_snk + n_junc
    order = draw(st.permutations(range(n)))
    edges = {tuple(sorted((order[i], order[draw(st.integers(0, i - 1))]))) for i in range(1, n)}
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4))
    edges |= {tuple(sorted(e)) for e in extra if e[0] != e[1]}
    ids = [f"S{i}" for i in range(n_src)] + [f"K{i}" for i in range(n_snk)] + \
        [f"J{i}" for i in range(n_junc)]
    return ids, sorted(edges)


def draw_network(draw, n_src: int) -> dict:
    """A random network (:func:`draw_graph`) with ``n_src`` sources of 2–8 Mt/yr, two
    sinks, 0–2 junctions, corridors of 20–200 km and three pipe classes (3, 8 and 20
    Mt/yr): :func:`write_network`'s arguments."""
    ids, edges = draw_graph(draw, n_src)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    pos = {i: (float(rng.uniform(0, 3)), float(rng.uniform(0, 3))) for i in ids}
    sources = [{"id": i, "lon": pos[i][0], "lat": pos[i][1],
                "capacity_mtpa": float(rng.integers(2, 9)),
                "capture_cost_usd_per_t": float(rng.integers(5, 40)),
                "capture_capex_musd": float(rng.integers(0, 50)),
                "capture_fixed_om_musd_per_yr": 0} for i in ids if i[0] == "S"]
    sinks = [{"id": i, "lon": pos[i][0], "lat": pos[i][1], "capacity_mt": 500,
              "max_injection_mtpa": float(rng.integers(3, 12)),
              "storage_cost_usd_per_t": float(rng.integers(1, 10)),
              "storage_capex_musd": float(rng.integers(0, 30)),
              "storage_fixed_om_musd_per_yr": 0} for i in ids if i[0] == "K"]
    junctions = [{"id": i, "lon": pos[i][0], "lat": pos[i][1]} for i in ids if i[0] == "J"]
    corridors = [{"from": ids[a], "to": ids[b], "length_km": float(rng.integers(20, 200))}
                 for a, b in edges]
    classes = [{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 1},
               {"name": "mid", "capacity_mtpa": 8, "capex_musd_per_unit": 1.8},
               {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 3}]
    return dict(sources=sources, sinks=sinks, junctions=junctions or None,
                corridors=corridors, pipe_classes=classes)


def draw_network_with_existing(draw) -> dict:
    """2–3 sources (:func:`draw_network`), the first corridor with existing capacity or
    not: for a ``st.composite`` strategy."""
    drawn = draw_network(draw, draw(st.integers(2, 3)))
    drawn["corridors"][0]["existing_capacity_mtpa"] = draw(st.sampled_from([0.0, 2.0]))
    return drawn


def small_big_case(folder: Path, sources: dict, junction: tuple, corridors) -> Path:
    """A one-period case of free sources (``sources``: id → (lon, lat, Mt/yr)), the free
    sink K at (2, 0) injecting up to 10 Mt/yr, the junction J at ``junction`` and
    corridors of 10 km (``corridors``: pairs of ids); a small pipe (3 Mt/yr) costs 1
    MUSD/km, a big one (10 Mt/yr) 1.6, so 1.0 and 1.6 MUSD a year over 10 km (crf 0.1,
    no discounting); the target (10) takes what the sources capture."""
    write_network(
        folder / "net",
        sources=[{"id": i, "lon": lon, "lat": lat, "capacity_mtpa": mtpa, **FREE_SOURCE}
                 for i, (lon, lat, mtpa) in sources.items()],
        sinks=[{"id": "K", "lon": 2, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 10.0,
                **FREE_SINK}],
        junctions=[{"id": "J", "lon": junction[0], "lat": junction[1]}],
        corridors=[{"from": a, "to": b, "length_km": 10.0} for a, b in corridors],
        pipe_classes=[{"name": "small", "capacity_mtpa": 3, "capex_musd_per_unit": 1.0},
                      {"name": "big", "capacity_mtpa": 10, "capex_musd_per_unit": 1.6}])
    return write_case(folder / "case.toml", "net", [2025], target=[10.0], finance=NO_DISCOUNT)


def spur_and_loop(folder: Path) -> Path:
    """Source S (2 Mt/yr) on a spur S–J to a junction J on a loop J–K, J–B, B–K, with the
    sink K and source B (8 Mt/yr) (:func:`conftest.small_big_case`: every corridor 10
    km, a small pipe (3 Mt/yr) 1.0 MUSD a year, a big one (10 Mt/yr) 1.6). The optimum
    lays a small pipe S–J, a small one J–K (or J–B) and a big one B–K: 3.6."""
    return small_big_case(folder, {"S": (0, 0, 2.0), "B": (2, 1, 8.0)}, (1, 0),
                          [("S", "J"), ("J", "K"), ("J", "B"), ("B", "K")])


def instance_of(drawn: dict, periods, share: float):
    """The prepared instance of the drawn network with targets rising to ``share`` of
    what it can capture and inject over ``periods``."""
    total = min(sum(s["capacity_mtpa"] for s in drawn["sources"]),
                sum(k["max_injection_mtpa"] for k in drawn["sinks"]))
    target = [round(total * share * (i + 1) / len(periods), 3) for i in range(len(periods))]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_network(tmp / "net", **drawn)
        return prepare(*load_case(write_case(tmp / "case.toml", "net", periods, target=target,
                                             finance=NO_DISCOUNT)))


def load_case(path: Path):
    return load(path)


@pytest.fixture(params=SOLVERS)
def solver(request) -> str:
    """Each installed solver in turn (HiGHS, CBC and SCIP agree on every solved test case)."""
    return request.param
