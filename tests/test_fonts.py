"""Chinese names in the figures: drawn with an installed CJK font (two different names
give two different pictures, not the same boxes), and without one, one note instead of
matplotlib's per-glyph warnings."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from ccusplan.report import fonts, timeline_chart

REQUIRE = os.environ.get("CCUSPLAN_REQUIRE_CJK_FONT") == "1"


@fonts.with_fonts
def _text_png(text: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.2, 0.5), dpi=60)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, text, fontsize=14)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png))[..., :3]


def test_chinese_names_are_drawn_with_an_installed_cjk_font(recwarn):
    if fonts.cjk_family() is None:
        why = "no CJK font installed (apt install fonts-wqy-microhei; .ci/run does it)"
        if REQUIRE:
            pytest.fail(why)
        pytest.skip(why)
    a, b = _pixels(_text_png("胜利油田")), _pixels(_text_png("齐鲁石化"))
    assert not np.array_equal(a, b)  # boxes would be identical
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
    assert fonts.families()[0] == "DejaVu Sans"  # Latin text keeps matplotlib's font


def test_without_a_cjk_font_one_note_and_no_warnings(monkeypatch, capsys):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    monkeypatch.setattr(fonts, "_noted", False)
    timeline = pd.DataFrame({"period": [2030, 2040], "target_mtpa": [1.0, 2.0],
                             "stored_mtpa": [1.0, 2.0], "new_km": [10.0, 0.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _text_png("胜利油田")
        _text_png("齐鲁石化")
        png = timeline_chart.plot_timeline("示例 case", timeline, None, None)
    assert png[:4] == b"\x89PNG"
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert capsys.readouterr().err.count(fonts.MISSING_NOTE) == 1


def test_a_solve_with_chinese_names_writes_its_figures_without_glyph_warnings(tmp_path):
    """The hand-worked network with its sinks named in Chinese: solve writes the maps and
    charts, and nothing about missing glyphs reaches the terminal."""
    import subprocess
    import sys

    from conftest import hand_network, write_case, write_network

    net = hand_network()
    rename = {"K1": "P18胜利", "K2": "东营盐水层"}
    for k in net["sinks"]:
        k["id"] = rename[k["id"]]
    for c in net["corridors"]:
        c["from"], c["to"] = rename.get(c["from"], c["from"]), rename.get(c["to"], c["to"])
    write_network(tmp_path / "net", **net)
    case = write_case(tmp_path / "case.toml", "net", [2030], target=[8])
    r = subprocess.run([sys.executable, "-c", "from ccusplan.cli import main; main()", "solve",
                        str(case), "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "P18胜利" in (tmp_path / "out" / "plan_sinks.csv").read_text(encoding="utf-8")
    assert "Glyph" not in r.stderr and "missing from font" not in r.stderr
    assert "findfont" not in r.stderr  # bold labels in a CJK font with no bold
    assert (tmp_path / "out" / "network_map.png").stat().st_size > 0
    if fonts.cjk_family() is not None:
        assert fonts.MISSING_NOTE not in r.stderr
