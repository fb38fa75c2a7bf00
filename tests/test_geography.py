"""The maps' background (Natural Earth land, coastlines, borders, China's provinces),
checked against places whose side of a coast or border is known, and as drawn: sea and
land colours where a map of the Bohai Sea has sea and land."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.image import imread

from ccusplan import geography
from ccusplan.report import route_map
from ccusplan.report.web_map import _geography

#: lon, lat of places on land and at sea (rounded from any atlas).
ON_LAND = {"Jinan": (117.00, 36.65), "Beijing": (116.40, 39.90), "Ordos": (109.98, 39.60),
           "Xi'an": (108.94, 34.34), "Utrecht": (5.12, 52.09), "Houston": (-95.37, 29.76)}
AT_SEA = {"Bohai Sea": (119.5, 38.7), "Yellow Sea": (123.0, 35.0),
          "Pearl River Mouth basin": (115.0, 21.0), "North Sea off Rotterdam": (3.5, 52.0),
          "Gulf of Mexico": (-92.0, 27.0), "Gulf of Guinea (0, 0)": (0.0, 0.0)}


def test_land_and_sea_are_where_atlases_put_them():
    land = geography.layers()["land"]
    for name, xy in ON_LAND.items():
        assert land.contains(shapely.Point(xy)), name
    for name, xy in AT_SEA.items():
        assert not land.contains(shapely.Point(xy)), name


def test_borders_and_provinces_pass_where_they_should():
    g = geography.layers()
    # Erenhot/Zamyn-Uud border crossing (China–Mongolia) and the Shandong–Hebei border
    # on the Zhangwei canal near Dezhou
    assert g["borders"].distance(shapely.Point(111.98, 43.66)) < 0.1
    assert g["provinces"].distance(shapely.Point(116.35, 37.55)) < 0.15
    # Jinan is far inside its province, and no country border runs through Shandong
    assert g["provinces"].distance(shapely.Point(117.0, 36.65)) > 0.3
    assert within_box_is_empty("borders", 114.0, 34.0, 123.0, 39.0)


def within_box_is_empty(layer: str, *box: float) -> bool:
    return geography.within(*box)[layer].is_empty


def test_the_map_is_sea_coloured_at_sea_and_land_coloured_on_land():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(116.0, 122.0)
    ax.set_ylim(35.0, 41.0)
    geography.draw(ax)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    img = imread(io.BytesIO(buf.getvalue()))[..., :3]
    h, w = img.shape[:2]

    def pixel(lon, lat):
        return img[int((41.0 - lat) / 6.0 * h), int((lon - 116.0) / 6.0 * w)]

    from matplotlib.colors import to_rgb
    assert np.allclose(pixel(*AT_SEA["Bohai Sea"]), to_rgb(geography.SEA), atol=0.02)
    assert np.allclose(pixel(117.2, 36.3), to_rgb(geography.LAND), atol=0.02)  # Mount Tai


def test_the_report_layer_is_cut_to_the_network_and_styled_by_layer():
    shandong = [[34.5, 115.5], [38.5, 122.0]]
    geo = _geography(shandong)
    layers = {f["properties"]["layer"] for f in geo["data"]["features"]}
    # widened by 3.25°, the box reaches the Yalu, China's border with North Korea
    assert layers == {"land", "coastline", "borders", "provinces"}
    assert set(geo["style"]) == {"land", "coastline", "borders", "provinces"}
    xy = np.array([p for f in geo["data"]["features"] if f["properties"]["layer"] == "coastline"
                   for line in f["geometry"]["coordinates"] for p in line])
    # the box widened by half its size (6.5° here) and nothing beyond it
    assert xy[:, 0].min() >= 115.5 - 3.25 - 1e-9 and xy[:, 0].max() <= 122.0 + 3.25 + 1e-9
    assert _geography(None) is None


def test_the_routes_map_has_a_legend_for_each_kind_of_obstacle():
    square = shapely.box(0, 0, 1, 1)
    obstacles = pd.DataFrame({"geometry": [square, square, square], "forbidden": [True, False,
                                                                                  False],
                              "cost_factor": [1.0, 1.5, 3.0], "name": ["a", "b", "c"]})
    labels = [h.get_label() for h in route_map._obstacle_handles(obstacles)]
    assert labels == ["obstacle, forbidden", "obstacle, pipe cost ×1.5–3 (darker: dearer)"]
    assert route_map._obstacle_handles(obstacles.iloc[:0]) == []


@pytest.mark.parametrize("capacity", [2.0, 24.4])
def test_the_pipe_width_legend_uses_the_map_s_own_widths(capacity):
    from ccusplan.report import network_map

    built = pd.DataFrame({"capacity_mtpa": [capacity, 24.4]})
    handles = network_map._width_handles(built)
    assert [h.get_label() for h in handles][-1] == "pipe capacity, 20 Mt/yr"
    for h in handles:
        mtpa = float(h.get_label().split(", ")[1].split(" ")[0])
        assert h.get_linewidth() == pytest.approx(float(network_map.pipe_width(mtpa, 24.4)))
