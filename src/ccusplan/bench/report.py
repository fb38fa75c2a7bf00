"""Summarise a results table: a markdown table per case × solver × setting, a
performance profile and a scaling chart (PNG).

The performance profile is Dolan & Moré's (2002), *Benchmarking optimization
software with performance profiles*, Math. Programming 91:201–213: for each
problem p (a case under one setting) and solver s, ``t[p, s]`` is the median over
the repeats of the run's time, infinite for a run not solved to its gap; the
ratio ``r[p, s] = t[p, s] / min_s t[p, s]``; the profile ``ρ_s(τ)`` is the share
of problems with ``r[p, s] ≤ τ``. ``ρ_s(1)`` is how often s is fastest and
``ρ_s(∞)`` how often it solves at all.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ccusplan.bench.results import ResultsTable

#: Times a profile can be drawn for: the solver's time, build + solve, or the run's wall time.
METRICS = {"solve": "solve_seconds", "total": "total_seconds", "wall": "wall_seconds"}
SETTING = ["time_limit_s", "mip_gap_target", "threads"]
_GAP_TOLERANCE = 1e-9


def load_rows(path: Path) -> pd.DataFrame:
    """The results table as a DataFrame, with ``solved`` (to its gap), ``total_seconds``
    (build + solve) and ``host`` columns added."""
    rows = ResultsTable(path).rows()
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    for col in ("objective_musd", "best_bound_musd", "mip_gap", "build_seconds",
                "solve_seconds", "wall_seconds", "peak_rss_mib", "n_variables"):
        df[col] = pd.to_numeric(df.get(col), errors="coerce")
    gap_met = df["mip_gap"] <= df["mip_gap_target"] + _GAP_TOLERANCE
    df["solved"] = (df["status"] == "optimal") | ((df["status"] == "feasible") & gap_met)
    df["total_seconds"] = df["build_seconds"] + df["solve_seconds"]
    df["host"] = [m.get("host") if isinstance(m, dict) else None for m in df.get("machine")]
    return df


def summary_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per case × solver × setting (smallest model first): runs, solved to gap,
    statuses, medians, best objective and bound."""
    def statuses(s: pd.Series) -> str:
        return ", ".join(f"{k} {v}" for k, v in s.value_counts().sort_index().items())

    keys = ["case", "solver", *SETTING]
    g = df.groupby(keys, sort=False, dropna=False)
    out = g.agg(n_variables=("n_variables", "max"), runs=("key", "size"),
                solved=("solved", "sum"), statuses=("status", statuses),
                build_s=("build_seconds", "median"), solve_s=("solve_seconds", "median"),
                wall_s=("wall_seconds", "median"), peak_mib=("peak_rss_mib", "median"),
                best_objective=("objective_musd", "min"), best_bound=("best_bound_musd", "max"))
    return out.reset_index().sort_values(["n_variables", "case", "solver", *SETTING],
                                         kind="stable", ignore_index=True)


def profile_ratios(df: pd.DataFrame, metric: str = "solve") -> pd.DataFrame:
    """Performance ratios ``r[p, s]`` (problems × solvers); ``inf`` where s did not solve p.

    A problem is a case under one setting; a problem no solver solved is dropped.
    """
    col = METRICS[metric]
    t = df[col].where(df["solved"], np.inf)
    problem = df["case"].astype(str) + " | " + df[SETTING].astype(str).agg(" ".join, axis=1)
    times = (pd.DataFrame({"problem": problem, "solver": df["solver"], "t": t})
             .groupby(["problem", "solver"], sort=True)["t"].median().unstack("solver"))
    times = times.fillna(np.inf)                      # a solver that never ran a problem
    best = times.min(axis=1)
    times = times[np.isfinite(best)]
    return times.div(times.min(axis=1), axis=0)


def profile(ratios: pd.DataFrame, taus) -> pd.DataFrame:
    """``ρ_s(τ)`` for each solver (columns) at each τ (rows)."""
    r, taus = ratios.to_numpy(), np.asarray(taus, float)
    share = (r[None, :, :] <= taus[:, None, None]).mean(axis=1)
    return pd.DataFrame(share, index=pd.Index(taus, name="tau"), columns=ratios.columns)


def profile_png(ratios: pd.DataFrame, metric: str, title: str) -> bytes:
    """The performance profile as a PNG (log2 τ axis, one step curve per solver)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    finite = ratios.to_numpy()[np.isfinite(ratios.to_numpy())]
    top = max(float(finite.max()) if finite.size else 1.0, 1.0) * 1.5
    taus = np.unique(np.concatenate([[1.0], np.sort(finite), [top]]))
    rho = profile(ratios, taus)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for solver in rho.columns:
        ax.step(rho.index, rho[solver], where="post", label=solver, linewidth=2)
    ax.set_xscale("log", base=2)
    ax.set_xlim(1, top)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"τ: within this factor of the fastest ({metric} time)")
    ax.set_ylabel(f"share of the {len(ratios)} problems solved to gap")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return _png(fig)


def scaling_png(df: pd.DataFrame, title: str) -> bytes:
    """Build and solve time and peak memory against model size, per solver (PNG)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = df[df["n_variables"].notna()]
    med = (d.groupby(["solver", "n_variables"])
           .agg(build=("build_seconds", "median"), solve=("solve_seconds", "median"),
                peak=("peak_rss_mib", "median"), solved=("solved", "all"),
                limit=("time_limit_s", "max"), sources=("n_sources", "max"))
           .reset_index())
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    for i, (solver, g) in enumerate(med.groupby("solver")):
        colour = f"C{i}"
        ax_t.plot(g["n_variables"], g["solve"], "-", color=colour, label=f"{solver} solve")
        ax_t.plot(g["n_variables"], g["build"], "--", color=colour, label=f"{solver} build")
        unsolved = g[~g["solved"]]
        ax_t.plot(unsolved["n_variables"], unsolved["solve"], "o", mfc="none", color=colour)
        ax_t.plot(g["n_variables"][g["solved"]], g["solve"][g["solved"]], "o", color=colour)
        ax_m.plot(g["n_variables"], g["peak"], "o-", color=colour, label=solver)
    for _, r in med.drop_duplicates("n_variables").iterrows():
        ax_m.annotate(f"{r['sources']:,.0f} sources", (r["n_variables"], r["peak"]),
                      textcoords="offset points", xytext=(6, -10), fontsize=7)
    if len(med):
        ax_t.axhline(med["limit"].max(), color="grey", linewidth=0.8, linestyle=":",
                     label="time limit")
    for ax in (ax_t, ax_m):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("MILP variables")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    ax_t.set_ylabel("seconds (median; hollow: not solved to gap)")
    ax_m.set_ylabel("peak memory of the run, MiB")
    fig.suptitle(title, fontsize=10)
    return _png(fig)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# ------------------------------------------------------------------ markdown

def _num(v, fmt: str = "{:,.2f}") -> str:
    return "–" if v is None or (isinstance(v, float) and not np.isfinite(v)) else fmt.format(v)


def markdown(df: pd.DataFrame, source: Path, profile_file: str | None,
             scaling_file: str | None, metric: str) -> str:
    """The summary as markdown: machines, the table, and the figures' explanation."""
    s = summary_table(df)
    several = s[SETTING].drop_duplicates().shape[0] > 1
    head = ["case", "variables", "solver", *(["setting"] if several else []), "runs",
            "solved to gap", "statuses", "median build s", "median solve s", "median wall s",
            "median peak MiB", "best objective", "best bound"]
    lines = [f"# Benchmark results: `{source.name}`", "",
             f"{len(df)} runs, {int(df['solved'].sum())} solved to their gap; "
             f"from {df['started_at'].dropna().min()} to {df['finished_at'].dropna().max()} (UTC).",
             "", "| " + " | ".join(head) + " |",
             "|" + "|".join("---" if h in ("case", "solver", "setting", "statuses") else "---:"
                            for h in head) + "|"]
    for _, r in s.iterrows():
        setting = [f"{r.time_limit_s:g} s, gap {r.mip_gap_target:g}, {r.threads} thr"]
        cells = [f"`{r.case}`", _num(r.n_variables, "{:,.0f}"), r.solver,
                 *(setting if several else []), str(r.runs), f"{int(r.solved)}/{r.runs}",
                 r.statuses, _num(r.build_s), _num(r.solve_s), _num(r.wall_s),
                 _num(r.peak_mib, "{:,.0f}"), _num(r.best_objective, "{:,.1f}"),
                 _num(r.best_bound, "{:,.1f}")]
        lines.append("| " + " | ".join(cells) + " |")
    if not several:
        r = s.iloc[0]
        lines += ["", f"Every run: time limit {r.time_limit_s:g} s, relative gap "
                  f"{r.mip_gap_target:g}, {r.threads} thread(s)."]
    lines += ["", "*Solved to gap*: status `optimal`, or `feasible` with a gap at most the "
              "target. *build s* covers reading the case into the MILP; *solve s* the "
              "solver (with the LP-support warm start and polishing; for SCIP and CBC also "
              "writing the model file and reading the plan back); *wall s* the whole run "
              "in its own process, start-up included. Times are medians over repeats; "
              "objective and bound in MUSD, as `ccusplan solve` reports them (NPV; per year "
              "for a case of one one-year period, as SimCCS's). *peak MiB*: the largest "
              "resident memory of the run's process or of a process it started (CBC runs "
              "as one)."]
    if profile_file:
        lines += ["", f"![Performance profile]({profile_file})", "",
                  f"Performance profile (Dolan & Moré, 2002) on {metric} time: for each "
                  "solver, the share of problems (case × setting) it solved to gap within "
                  "τ times the fastest solver's time; problems no solver solved are left out."]
    if scaling_file:
        lines += ["", f"![Scaling]({scaling_file})"]
    lines += ["", "## Machines", ""]
    for _, m in _machines(df).iterrows():
        lines.append(f"- `{m.host}`: {m.cpu_model}, {m.logical_cores} logical cores, "
                     f"{m.ram_gib} GiB RAM; {m.platform}; Python {m.python} "
                     f"({m.runs} runs)")
    load = [x[0] for x in df.get("loadavg_at_start", pd.Series(dtype=object))
            if isinstance(x, list) and x]
    if load:
        lines.append(f"- load average (1 min) when a run started: median {np.median(load):.2f}, "
                     f"highest {max(load):.2f} (other processes share the cores)")
    versions = df.groupby("solver")["solver_version"].agg(
        lambda v: ", ".join(sorted(set(v.dropna()))))
    lines.append("- solvers: " + "; ".join(f"{v}" for v in versions if v))
    lines.append("- ccusplan " + ", ".join(sorted(set(df["ccusplan_version"].dropna()))))
    return "\n".join(lines) + "\n"


def _machines(df: pd.DataFrame) -> pd.DataFrame:
    m = pd.DataFrame([x for x in df["machine"] if isinstance(x, dict)])
    if m.empty:
        return pd.DataFrame(columns=["host", "cpu_model", "logical_cores", "ram_gib",
                                     "platform", "python", "runs"])
    cols = list(m.columns)
    return m.groupby(cols, dropna=False).size().rename("runs").reset_index()


def write_report(results: Path, out: Path, metric: str = "solve") -> dict[str, Path]:
    """Write ``<stem>.md``, ``<stem>-profile.png`` (for several solvers) and
    ``<stem>-scaling.png`` (for several model sizes) into folder ``out``; the paths
    written, by kind."""
    results = Path(results)
    df = load_rows(results)
    if df.empty:
        raise ValueError(f"{results} holds no runs")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stem = results.stem
    written: dict[str, Path] = {}
    ratios = profile_ratios(df, metric)
    figures: dict[str, bytes] = {}
    if len(ratios) and ratios.shape[1] >= 2:          # a profile compares solvers
        figures["profile"] = profile_png(ratios, metric, f"{stem}: performance profile")
    if df["n_variables"].nunique() >= 3:
        figures["scaling"] = scaling_png(df, f"{stem}: time and memory against size")
    for kind, data in figures.items():
        written[kind] = _write_bytes(out / f"{stem}-{kind}.png", data)
    text = markdown(df, results, written.get("profile") and written["profile"].name,
                    written.get("scaling") and written["scaling"].name, metric)
    written["markdown"] = _write_bytes(out / f"{stem}.md", text.encode())
    return written


def _write_bytes(path: Path, data: bytes) -> Path:
    """Write atomically (a temporary sibling moved into place)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
