"""companion.plotting: one shared style."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import companion.plotting as cplt  # noqa: E402


def test_use_style_applies_palette_and_rc():
    cplt.use_style()
    assert plt.rcParams["axes.spines.top"] is False
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.lower() for c in colors] == [c.lower() for c in cplt.PALETTE]


def test_new_figure_shapes():
    fig, ax = cplt.new_figure()
    assert hasattr(ax, "plot")
    fig2, axes = cplt.new_figure(ncols=2, nrows=2)
    assert axes.shape == (2, 2)
    assert tuple(fig2.get_size_inches()) == (7.2, 6.4)
    plt.close("all")
