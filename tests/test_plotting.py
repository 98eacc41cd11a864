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


def test_new_figure_does_not_leak_figures():
    """Issue 6: a loop of new_figure calls keeps at most MAX_OPEN_FIGURES open and never trips
    matplotlib's "more than 20 figures" RuntimeWarning."""
    import warnings

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for _ in range(30):
            fig, ax = cplt.new_figure()
            ax.plot([0, 1], [0, 1])
        for _ in range(30):
            fig, _ = cplt.box_diagram({"a": (0.2, 0.5, "a"), "b": (0.8, 0.5, "b")}, [("a", "b")])
    assert len(plt.get_fignums()) <= cplt.MAX_OPEN_FIGURES <= 10
    assert plt.fignum_exists(fig.number)  # the newest figure is kept
    plt.close("all")


def test_new_figure_leaves_other_figures_alone():
    plt.close("all")
    mine = plt.figure()
    for _ in range(30):
        cplt.new_figure()
    assert plt.fignum_exists(mine.number)  # only figures new_figure made are closed
    plt.close("all")
