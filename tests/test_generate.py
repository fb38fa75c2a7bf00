"""``ccusplan generate``: synthetic networks, deterministic per seed, valid and solvable.

Every drawn number must lie inside the cited ranges of
``src/ccusplan/generate/data/synthetic.toml``; the matching case must be feasible.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from ccusplan.cli import _State, cli
from ccusplan.costs.escalation import escalation
from ccusplan.generate.casefile import GenerateSpec, materialize, rendered, write_generated
from ccusplan.generate.ranges import ranges, source_kinds
from ccusplan.generate.synthetic import synthetic_network
from ccusplan.io import load
from ccusplan.optimize import run


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], obj=_State())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_same_seed_same_bytes_other_seed_other_network():
    spec = GenerateSpec(300, 20, 5, seed=11)
    files, case = rendered(spec, "n", "n")
    assert rendered(spec, "n", "n") == (files, case)
    other, _ = rendered(GenerateSpec(300, 20, 5, seed=12), "n", "n")
    assert all(other[k] != files[k] for k in files)
    # sources come from their own stream: more sinks or junctions do not move them
    more, _ = rendered(GenerateSpec(300, 40, 9, seed=11), "n", "n")
    assert more["sources.csv"] == files["sources.csv"]
    assert more["sinks.csv"] != files["sinks.csv"]


def test_thousands_of_sources_inside_the_cited_ranges():
    net = synthetic_network(4000, 120, 30, seed=3)
    s, k = net.sources, net.sinks
    assert (len(s), len(k), len(net.junctions)) == (4000, 120, 30)
    assert s["id"].is_unique and k["id"].is_unique
    spec = ranges()["sources"]
    assert s["capacity_mtpa"].between(spec["min_capacity_mtpa"], spec["max_capacity_mtpa"]).all()
    kinds, share, mean, cost = source_kinds()
    counts = s["kind"].value_counts(normalize=True).reindex(kinds, fill_value=0).to_numpy()
    assert np.abs(counts - share).max() < 0.03          # 4,000 draws: within ~3 sigma
    coal = s.loc[s["kind"] == "coal_power", "capacity_mtpa"]
    assert 0.8 * mean[0] < coal.mean() < 1.2 * mean[0]
    # emitters cluster: the median distance to the nearest other source is far below
    # what 4,000 points uniform over the region would give (~side / (2 sqrt(n)) ≈ 30 km)
    xy = np.radians(s[["lon", "lat"]].to_numpy())
    east = (xy[:, 0] - xy[:, 0].mean()) * np.cos(xy[:, 1].mean()) * 6371
    north = (xy[:, 1] - xy[:, 1].mean()) * 6371
    from scipy.spatial import cKDTree
    d, _ = cKDTree(np.column_stack([east, north])).query(np.column_stack([east, north]), k=2)
    assert np.median(d[:, 1]) < 10.0
    for kind, t in ranges()["sink_kinds"].items():
        sel = k[k["kind"] == kind]
        lo, hi = t["injection_range_mtpa"]
        assert sel["max_injection_mtpa"].between(lo - 1e-3, hi + 1e-3).all()
        years = sel["capacity_mt"] / sel["max_injection_mtpa"]
        assert years.between(t["years_range"][0] - 0.1, t["years_range"][1] + 0.1).all()
        f = escalation(t["cost_year"], 2023)
        c_lo = (t["cost_range_usd_per_t"][0] + t["monitoring_range_usd_per_t"][0]) * f
        c_hi = (t["cost_range_usd_per_t"][1] + t["monitoring_range_usd_per_t"][1]) * f
        assert sel["storage_cost_usd_per_t"].between(c_lo - 1e-3, c_hi + 1e-3).all()
    assert set(k["kind"]) <= set(ranges()["sink_kinds"])


def test_capture_costs_are_the_kind_default_scaled_inside_the_iea_range():
    """Levelised cost at the reference unit (2.5 Mt/yr, full use, 8 %/25 yr) = the drawn
    cost; it lies within the kind's cited range (escalated 2019 → 2023 USD)."""
    from ccusplan.costs.defaults import REFERENCE_LIFE_YEARS, REFERENCE_RATE, REFERENCE_UNIT_MTPA
    from ccusplan.costs.finance import capital_recovery_factor

    s = synthetic_network(500, 10, seed=5).sources
    crf = capital_recovery_factor(REFERENCE_RATE, REFERENCE_LIFE_YEARS)
    q = REFERENCE_UNIT_MTPA
    capex = s["capture_capex_musd"] + s["capture_capex_musd_per_mtpa"] * q
    fom = s["capture_fixed_om_musd_per_yr"] + s["capture_fixed_om_musd_per_yr_per_mtpa"] * q
    levelized = (capex * crf + fom) / q + s["capture_cost_usd_per_t"]
    kinds, _, _, cost = source_kinds()
    bounds = dict(zip(kinds, cost * escalation(2019, 2023)))
    lo = s["kind"].map(lambda k: bounds[k][0])
    hi = s["kind"].map(lambda k: bounds[k][1])
    assert levelized.between(lo - 0.05, hi + 0.05).all()
    assert levelized.std() > 1.0                           # drawn, not all the default


def test_cli_writes_a_valid_network_and_a_feasible_case(tmp_path):
    r = invoke("generate", "--sources", 6, "--sinks", 2, "--seed", 4, "--out", "networks/syn6")
    assert r.exit_code == 0, r.output
    assert "wrote networks/syn6/: 6 sources" in r.output
    case, net = load(tmp_path / "networks" / "syn6.toml")
    assert (len(net.sources), len(net.sinks), case.name) == (6, 2, "syn6")
    target = case.target.mtpa
    assert target == sorted(target) and target[-1] <= 0.4 * min(
        net.sources["capacity_mtpa"].sum(), net.sinks["max_injection_mtpa"].sum()) + 1e-9
    out = run(case, net, solver="highs", time_limit_s=60)
    assert out.result.status in ("optimal", "feasible")
    assert np.allclose(out.plan.stored_mtpa, target, rtol=1e-6, atol=1e-6)


def test_cli_refuses_to_overwrite_and_bad_names(tmp_path):
    assert invoke("generate", "--sources", 3, "--sinks", 1, "--out", "n1").exit_code == 0
    before = (tmp_path / "n1" / "sources.csv").read_bytes()
    r = invoke("generate", "--sources", 5, "--sinks", 1, "--seed", 9, "--out", "n1")
    assert r.exit_code == 2
    assert "n1 exists; give --force to replace it" in r.output
    assert (tmp_path / "n1" / "sources.csv").read_bytes() == before
    r = invoke("generate", "--sources", 5, "--sinks", 1, "--out", "bad name")
    assert r.exit_code == 2 and "field '--out'" in r.output
    assert not (tmp_path / "bad name").exists()
    r = invoke("generate", "--sources", 5, "--sinks", 1, "--seed", 9, "--out", "n1", "--force")
    assert r.exit_code == 0 and (tmp_path / "n1" / "sources.csv").read_bytes() != before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp left


def test_materialize_rewrites_only_what_differs(tmp_path):
    spec = GenerateSpec(20, 3, seed=1)
    case = materialize(spec, tmp_path, "syn")
    stamp = case.stat().st_mtime_ns, (tmp_path / "syn" / "sources.csv").stat().st_mtime_ns
    assert materialize(spec, tmp_path, "syn") == case
    assert (case.stat().st_mtime_ns, (tmp_path / "syn" / "sources.csv").stat().st_mtime_ns) == stamp
    (tmp_path / "syn" / "sinks.csv").write_text("edited")
    materialize(spec, tmp_path, "syn")
    fresh = rendered(spec, "syn", "syn")[0]["sinks.csv"]
    assert (tmp_path / "syn" / "sinks.csv").read_bytes() == fresh
    write_generated(spec, tmp_path / "other", force=True)
    assert load(tmp_path / "other.toml")[0].name == "other"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o077, 0o700)])
def test_written_folders_get_the_permissions_mkdir_gives(tmp_path, umask, mode):
    """Folders are written into a temporary sibling and moved into place; that folder
    gets the mode the umask gives a new folder, not tempfile's private 0700."""
    import os

    from ccusplan.io.results import write_atomic

    old = os.umask(umask)
    try:
        assert invoke("generate", "--sources", 3, "--sinks", 1, "--out", "n1").exit_code == 0
        write_atomic(tmp_path / "res", {"summary.json": lambda p: p.write_text("{}")})
    finally:
        os.umask(old)
    for folder in (tmp_path / "n1", tmp_path / "res"):
        assert folder.stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("n_sources, n_sinks", [(40, 6), (2000, 200)])
def test_offshore_sinks_are_at_sea_and_everything_else_on_land(n_sources, n_sinks):
    """Natural Earth's coastlines decide: a sink is saline_offshore exactly where it lies at
    sea, and no source lies at sea. The default region is inland at 40 sources (no
    offshore sink at all) and reaches the Bohai and Yellow Seas at 2,000 (10 % of it sea:
    with seed 1, one of its 14 basins lies at sea)."""
    from ccusplan import geography

    net = synthetic_network(n_sources, n_sinks, 0, seed=1)
    assert geography.on_land(net.sources["lon"], net.sources["lat"]).all()
    at_sea = ~geography.on_land(net.sinks["lon"], net.sinks["lat"])
    assert ((net.sinks["kind"] == "saline_offshore") == at_sea).all()
    assert at_sea.any() == (n_sources == 2000)
