"""Cost-curve chart: levelised pipeline cost against flow, one line per size."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccusplan.report.fonts import with_fonts


@with_fonts
def plot_cost_curve(curve: pd.DataFrame, path: Path, title: str) -> Path:
    """Draw ``curve`` (index ``mtpa``, one USD/t column per size) to a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    colours = plt.cm.viridis([i / max(len(curve.columns) - 1, 1) for i in range(len(curve.columns))])
    for name, colour in zip(curve.columns, colours):
        s = curve[name].dropna()
        if len(s):
            ax.plot(s.index, s.to_numpy(), label=name, lw=1.2, color=colour)
    envelope = curve.min(axis=1)
    ax.plot(envelope.index, envelope.to_numpy(), color="black", lw=2.5, ls="--",
            label="cheapest size")
    ax.set(xscale="log", yscale="log", xlabel="flow (Mt/yr)", ylabel="levelised cost (USD/t)",
           title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(ncol=2, fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
