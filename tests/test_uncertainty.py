"""The ``[uncertainty]`` table and its samples: distributions checked against their
known moments and quantiles, reproducibility per seed and per sample index, the basin
correlation, and a sample applied to a case giving the same optimum as the case with
those numbers written in by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FREE_SINK, FREE_SOURCE, NO_DISCOUNT, load_case, write_case, write_network
from scipy import stats

from ccusplan.errors import InputError
from ccusplan.optimize import run
from ccusplan.uncertainty.samples import apply, draw, quantile
from ccusplan.uncertainty.spec import Factor, Uncertainty

U = np.linspace(0.0005, 0.9995, 2000)


@pytest.mark.parametrize("factor, dist", [
    (Factor(distribution="uniform", low=0.5, high=2.0), stats.uniform(0.5, 1.5)),
    (Factor(distribution="triangular", low=0.8, mode=1.0, high=1.6),
     stats.triang(c=0.2 / 0.8, loc=0.8, scale=0.8)),
    (Factor(distribution="lognormal", median=1.2, sigma=0.7), stats.lognorm(0.7, scale=1.2)),
])
def test_quantiles_match_scipy(factor, dist):
    assert quantile(factor, U) == pytest.approx(dist.ppf(U), rel=1e-9)


def test_discrete_draws_follow_their_weights():
    f = Factor(distribution="discrete", values=[0.5, 1.0, 3.0], weights=[1, 2, 1])
    v = quantile(f, np.random.default_rng(0).random(40_000))
    share = [np.mean(v == x) for x in (0.5, 1.0, 3.0)]
    assert share == pytest.approx([0.25, 0.5, 0.25], abs=0.01)


@pytest.mark.parametrize("bad, says", [
    ({"distribution": "uniform", "low": 2.0}, "missing high"),
    ({"distribution": "lognormal", "median": 1.0, "sigma": 0.5, "low": 1.0}, "not low"),
    ({"distribution": "triangular", "low": 1.0, "mode": 3.0, "high": 2.0}, "mode"),
    ({"distribution": "discrete", "values": [1.0, 2.0], "weights": [1.0]}, "1 weights for 2"),
    ({"distribution": "uniform", "low": 1.0, "high": 2.0, "by": "kind", "correlation": 0.5},
     "correlation applies"),
])
def test_a_bad_factor_says_what_is_wrong(bad, says):
    with pytest.raises(ValueError, match=says):
        Factor(**bad)


def test_case_factors_are_drawn_once_per_sample():
    with pytest.raises(ValueError, match="by must be \"all\""):
        Uncertainty(target=Factor(distribution="uniform", low=0.9, high=1.1, by="kind"))
    with pytest.raises(ValueError, match="names no factor"):
        Uncertainty()


def _sinks(n_basins: int = 4, per_basin: int = 5) -> pd.DataFrame:
    ids = [f"K{b}{k}" for b in range(n_basins) for k in range(per_basin)]
    return pd.DataFrame({"kind": ["saline", "eor"] * (len(ids) // 2),
                         "basin": [f"B{b}" for b in range(n_basins) for _ in range(per_basin)]},
                        index=pd.Index(ids, name="id"))


def test_a_sample_is_the_same_for_its_seed_and_index_whatever_else():
    spec = Uncertainty(seed=7, sink_capacity=Factor(distribution="lognormal", median=1.0,
                                                    sigma=0.5, by="sink"),
                       target=Factor(distribution="uniform", low=0.9, high=1.1))
    sinks = _sinks()
    assert draw(spec, sinks, 3) == draw(spec, sinks, 3)
    assert draw(spec, sinks, 3) != draw(spec, sinks, 4)
    assert draw(spec, sinks, 3) != draw(spec.model_copy(update={"seed": 8}), sinks, 3)
    assert set(draw(spec, sinks, 0)["sink_capacity"]) == set(sinks.index)


def test_grouped_draws_share_one_factor():
    sinks = _sinks()
    for by, col in (("basin", "basin"), ("kind", "kind")):
        spec = Uncertainty(sink_capacity=Factor(distribution="uniform", low=0.5, high=2.0, by=by))
        f = pd.Series(draw(spec, sinks, 0)["sink_capacity"])
        assert (f.groupby(sinks[col]).nunique() == 1).all()
        assert f.groupby(sinks[col]).first().nunique() == sinks[col].nunique()


def test_correlation_within_a_basin_is_as_asked():
    """Sinks of a basin drawn by = "sink" with correlation ρ: the normals behind two sinks
    of one basin correlate at ρ, of two basins not at all (10,000 samples)."""
    sinks = _sinks(n_basins=2, per_basin=2)
    spec = Uncertainty(sink_capacity=Factor(distribution="lognormal", median=1.0, sigma=0.5,
                                            by="sink", correlation=0.6))
    z = np.log(np.array([list(draw(spec, sinks, i)["sink_capacity"].values())
                         for i in range(10_000)])) / 0.5
    same, other = np.corrcoef(z[:, 0], z[:, 1])[0, 1], np.corrcoef(z[:, 0], z[:, 2])[0, 1]
    assert same == pytest.approx(0.6, abs=0.03) and other == pytest.approx(0.0, abs=0.03)
    assert z.std(axis=0) == pytest.approx(np.ones(4), abs=0.03)


def test_by_basin_without_a_basin_column_is_bad_input():
    spec = Uncertainty(sink_capacity=Factor(distribution="uniform", low=0.5, high=2.0,
                                            by="basin"))
    with pytest.raises(InputError, match="no basin column"):
        draw(spec, _sinks().drop(columns="basin"), 0, "case.toml")


def _hand_case(folder, inj2: float = 6.0, capex: float = 1.0, target: float = 8.0):
    """The two-sink network of conftest's hand_network, one generic pipe per corridor."""
    write_network(
        folder / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 4,
                **FREE_SINK, "storage_cost_usd_per_t": 1},
               {"id": "K2", "lon": 1, "lat": 1, "capacity_mt": 100, "max_injection_mtpa": inj2,
                **FREE_SINK, "storage_cost_usd_per_t": 2}],
        corridors=[{"from": "S", "to": "K1", "length_km": 100},
                   {"from": "S", "to": "K2", "length_km": 80}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": capex},
                      {"name": "big", "capacity_mtpa": 20, "capex_musd_per_unit": 3 * capex}])
    return write_case(folder / "case.toml", "net", [2025], target=[target], finance=NO_DISCOUNT)


def test_a_sample_solves_as_the_case_with_its_numbers_written_in(tmp_path):
    """K2's injectivity × 0.5, pipe capital × 1.3, target × 0.75: the sample's optimum is
    the optimum of the case whose files say 3 Mt/yr, 1.3 MUSD/km and 6 Mt/yr."""
    case, net = load_case(_hand_case(tmp_path / "base"))
    sample = {"index": 0, "sink_injectivity": {"K1": 1.0, "K2": 0.5},
              "pipeline_cost": 1.3, "target": 0.75}
    a = run(*apply(case, net, sample), mip_gap=0.0)
    b = run(*load_case(_hand_case(tmp_path / "hand", inj2=3.0, capex=1.3, target=6.0)),
            mip_gap=0.0)
    assert a.result.status == b.result.status == "optimal"
    assert a.result.objective == pytest.approx(b.result.objective, rel=1e-9)
    assert run(case, net, mip_gap=0.0).result.objective != pytest.approx(a.result.objective)


def test_a_sweep_solves_every_sample_and_counts_what_they_build(tmp_path):
    """Four samples of the hand case with a target of 5 Mt/yr, each sink's injectivity
    drawn between 0.6 and 1.5 of its own (4 and 6 Mt/yr): each sample's NPV in sweep.csv is the optimum of that sample solved here,
    in this process; usage.csv's shares are the counts of the plans' own sites; a second
    run resumes with nothing left to do."""
    from ccusplan.bench.local import LocalBackend
    from ccusplan.uncertainty.sweep import SweepSettings, run_sweep, sweep_suite, write_sweep

    path = _hand_case(tmp_path / "base", target=5.0)
    path.write_text(path.read_text() + """
[uncertainty]
seed = 3

[uncertainty.sink_injectivity]
distribution = "uniform"
low = 0.6
high = 1.5
by = "sink"
""")
    out = tmp_path / "sweep"
    suite = sweep_suite(path, out, SweepSettings(4, "highs", 60.0, 0.0, 1, 3))
    progress = run_sweep(suite, LocalBackend(2))
    assert progress.done == 4
    written = write_sweep(suite, out)
    table = pd.read_csv(written["sweep.csv"])
    assert table["sample"].tolist() == [0, 1, 2, 3]
    case, net = load_case(path)
    opened = {"K1": 0, "K2": 0}
    for run_spec, row in zip(suite.runs, table.itertuples()):
        here = run(*apply(case, net, run_spec.sample), mip_gap=0.0)
        assert row.status == "optimal"
        assert row.npv_musd == pytest.approx(here.result.objective, rel=1e-7)
        for k in here.plan.sinks.loc[here.plan.sinks["open"] > 0, "sink_id"].unique():
            opened[k] += 1
    usage = pd.read_csv(written["usage.csv"]).set_index("id")
    for k, n in opened.items():
        assert (usage.loc[k, "share"] if k in usage.index else 0.0) == pytest.approx(n / 4)
    assert written["sweep_map.png"].read_bytes()[:4] == b"\x89PNG"
    page = written["report.html"].read_text()
    assert 'id="usage-table"' in page and "data:image/png;base64," in page
    assert run_sweep(suite, LocalBackend(1)).done == 0   # resumed: nothing left
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    r = CliRunner().invoke(cli, ["report", str(out), "--out", str(tmp_path / "again.html")],
                           obj=_State())
    assert r.exit_code == 0, r.output
    assert 'id="sample-table"' in (tmp_path / "again.html").read_text()


def _two_sink_case(folder, target: float):
    """Source S (10 Mt/yr, 10 USD/t), sinks K1 (1 USD/t) 100 km and K2 (2 USD/t) 80 km
    away, each injecting up to 6 Mt/yr and costing 1 MUSD to open; one pipe class of
    5 Mt/yr at 1 MUSD per km; crf 0.1 (0.1 MUSD a year per MUSD), one year, no
    discounting."""
    write_network(
        folder / "net",
        sources=[{"id": "S", "lon": 0, "lat": 0, "capacity_mtpa": 10, **FREE_SOURCE,
                  "capture_cost_usd_per_t": 10}],
        sinks=[{"id": "K1", "lon": 1, "lat": 0, "capacity_mt": 100, "max_injection_mtpa": 6,
                **FREE_SINK, "storage_cost_usd_per_t": 1, "storage_capex_musd": 1.0},
               {"id": "K2", "lon": 0, "lat": 1, "capacity_mt": 100, "max_injection_mtpa": 6,
                **FREE_SINK, "storage_cost_usd_per_t": 2, "storage_capex_musd": 1.0}],
        corridors=[{"from": "S", "to": "K1", "length_km": 100},
                   {"from": "S", "to": "K2", "length_km": 80}],
        pipe_classes=[{"name": "small", "capacity_mtpa": 5, "capex_musd_per_unit": 1.0}])
    return write_case(folder / "case.toml", "net", [2025], target=[target],
                      finance=NO_DISCOUNT, solver={"mip_gap": 0.0})


def test_a_plan_evaluated_under_a_higher_target_by_hand(tmp_path):
    """Solved for 4 Mt/yr, the plan builds 4 Mt/yr of capture at S, opens K1 and lays one
    small pipe to it: 10 (pipe) + 40 (capture) + 4.1 (storage) = 54.1 MUSD. Under 6 Mt/yr
    with those fixed, S captures its 4 Mt/yr and 2 Mt/yr fall short at 200 USD/t: 10 + 40
    + 4.1 + 400 = 454.1. The 6 Mt/yr case's own optimum adds a pipe to K2 for the sixth
    tonne: 10 + 8 + 60 + 5.1 + 2.1 = 85.2, so the regret is 368.9 MUSD; nothing the plan
    built is stranded."""
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    base = _two_sink_case(tmp_path / "base", 4.0)
    high = _two_sink_case(tmp_path / "high", 6.0)
    r = CliRunner().invoke(cli, ["solve", str(base), "--out", str(tmp_path / "plan")],
                           obj=_State())
    assert r.exit_code == 0, r.output
    assert pd.read_json(tmp_path / "plan" / "summary.json", typ="series")[
        "objective_musd"] == pytest.approx(54.1)
    r = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "plan"), "--case", str(high),
                                 "--out", str(tmp_path / "eval.csv")], obj=_State())
    assert r.exit_code == 0, r.output
    row = pd.read_csv(tmp_path / "eval.csv").iloc[0]
    assert row["cost_musd"] == pytest.approx(454.1, abs=1e-6)
    assert row["own_optimum_musd"] == pytest.approx(85.2, abs=1e-6)
    assert row["regret_musd"] == pytest.approx(368.9, abs=1e-6)
    assert row["shortfall_mt"] == pytest.approx(2.0, abs=1e-6)
    assert (row["stranded_capture_mtpa"], row["stranded_pipe_km"], row["idle_sinks"]) == \
        (pytest.approx(0.0, abs=1e-6), 0.0, 0)
    regret = pd.read_csv(tmp_path / "regret.csv", index_col="plan")
    assert regret.loc[str(tmp_path / "plan"), "case"] == pytest.approx(368.9, abs=1e-6)
    # the plan under its own case costs what it cost, with no regret
    r = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "plan"), "--case", str(base),
                                 "--out", str(tmp_path / "self.csv")], obj=_State())
    assert pd.read_csv(tmp_path / "self.csv").iloc[0]["regret_musd"] == pytest.approx(0, abs=1e-6)


def test_evaluating_against_a_network_without_the_plan_s_sites_is_bad_input(tmp_path):
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    base = _two_sink_case(tmp_path / "base", 4.0)
    CliRunner().invoke(cli, ["solve", str(base), "--out", str(tmp_path / "plan")], obj=_State())
    other = _hand_case(tmp_path / "other")        # no corridor S–K1 of class "small" there
    (tmp_path / "other" / "net" / "sinks.csv").write_text(
        (tmp_path / "other" / "net" / "sinks.csv").read_text().replace("K1", "KX"))
    (tmp_path / "other" / "net" / "corridors.csv").write_text(
        (tmp_path / "other" / "net" / "corridors.csv").read_text().replace("K1", "KX"))
    r = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "plan"), "--case", str(other),
                                 "--out", str(tmp_path / "e.csv")], obj=_State())
    assert r.exit_code == 2
    assert "plan_sinks.csv" in r.output and "K1 is not in this case's network" in r.output
    assert not (tmp_path / "e.csv").exists()


def test_hedging_beats_the_mean_value_plan_by_hand(tmp_path):
    """The two-sink case, 5 Mt/yr, everything built in its one period shared. K1's
    injectivity is 6 Mt/yr with probability 0.75 and 3 with 0.25 (mean 5.25).

    * The mean-value problem (K1 takes 5.25) uses K1 alone: pipe 10 + sink 0.1 + capture
      50 + storage 5 = 65.1. Fixed in the low scenario, K1 takes 3 and 2 Mt/yr fall short
      at 200 USD/t: 10 + 0.1 + 30 + 3 + 400 = 443.1; EEV = 0.75·65.1 + 0.25·443.1 = 159.6.
    * The stochastic plan uses K2 alone, whatever comes: 8 + 0.1 + 50 + 10 = 68.1 (both
      sinks: 73.2 and 75.2, expected 73.7). RP = 68.1, so VSS = 91.5.
    * Knowing the scenario first: K1 alone when high (65.1), K2 alone when low (68.1):
      WS = 65.85, so EVPI = 2.25."""
    from ccusplan.uncertainty.stochastic import solve_stochastic

    path = _two_sink_case(tmp_path, 5.0)
    path.write_text(path.read_text() + """
[stochastic]
shared_until = 2025

[[stochastic.scenarios]]
name = "high"
probability = 0.75

[[stochastic.scenarios]]
name = "low"
probability = 0.25
sink_injectivity = { K1 = 0.5 }
""")
    case, net = load_case(path)
    out = solve_stochastic(case, net)
    assert out.expected_musd == pytest.approx(68.1, abs=1e-6)
    assert out.eev_musd == pytest.approx(159.6, abs=1e-6)
    assert out.vss_musd == pytest.approx(91.5, abs=1e-6)
    assert out.alone_musd == pytest.approx([65.1, 68.1], abs=1e-6)
    assert out.evpi_musd == pytest.approx(2.25, abs=1e-6)
    assert out.mean_value_musd == pytest.approx(65.1, abs=1e-6)
    for o in out.outcomes:   # one first stage: K2 alone in both
        assert set(o.plan.sinks.loc[o.plan.sinks["open"] > 0, "sink_id"]) == {"K2"}


STOCHASTIC = """
[stochastic]
shared_until = 2025

[[stochastic.scenarios]]
name = "high"
probability = {p_high}

[[stochastic.scenarios]]
name = "low"
probability = 0.25
sink_injectivity = {{ {sink} = 0.5 }}
"""


def test_the_stochastic_command_writes_the_first_stage_and_each_scenario(tmp_path):
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    path = _two_sink_case(tmp_path, 5.0)
    path.write_text(path.read_text() + STOCHASTIC.format(p_high=0.75, sink="K1"))
    r = CliRunner().invoke(cli, ["stochastic", str(path), "--out", str(tmp_path / "out")],
                           obj=_State())
    assert r.exit_code == 0, r.output
    s = pd.read_json(tmp_path / "out" / "stochastic.json", typ="series")
    assert (s["expected_musd"], s["vss_musd"]) == (pytest.approx(68.1), pytest.approx(91.5))
    first = pd.read_csv(tmp_path / "out" / "first_stage.csv")
    assert set(first["id"]) == {"S", "K2", "S|K2"}
    for name in ("high", "low"):
        sinks = pd.read_csv(tmp_path / "out" / f"scenario-{name}" / "plan_sinks.csv")
        assert set(sinks.loc[sinks["open"] > 0, "sink_id"]) == {"K2"}


@pytest.mark.parametrize("p_high, sink, says", [
    (0.5, "K1", "add up to 0.75, not 1"),
    (0.75, "KX", "sink KX is not in the network"),
])
def test_a_bad_stochastic_table_is_bad_input(tmp_path, p_high, sink, says):
    from click.testing import CliRunner

    from ccusplan.cli import _State, cli

    path = _two_sink_case(tmp_path, 5.0)
    path.write_text(path.read_text() + STOCHASTIC.format(p_high=p_high, sink=sink))
    r = CliRunner().invoke(cli, ["stochastic", str(path), "--out", str(tmp_path / "out")],
                           obj=_State())
    assert r.exit_code == 2 and says in r.output
    assert not (tmp_path / "out").exists()
