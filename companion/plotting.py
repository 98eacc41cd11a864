"""One shared matplotlib style for every figure in the book (introduced in chapter 00, used by all).

>>> import companion.plotting as cplt
>>> cplt.use_style()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["PALETTE", "STYLE", "box_diagram", "new_figure", "use_style"]

#: Colour-blind-safe palette (Okabe & Ito), used in this order by every chapter.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

STYLE: dict[str, Any] = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "font.size": 10,
    "svg.hashsalt": "companion",  # deterministic SVG ids
}


def use_style() -> None:
    """Apply the course style to matplotlib (idempotent)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))


def new_figure(ncols: int = 1, nrows: int = 1, **kwargs: Any):
    """``plt.subplots`` with the course style applied; returns ``(fig, axes)``."""
    import matplotlib.pyplot as plt

    use_style()
    if ncols > 1 or nrows > 1:
        kwargs.setdefault("figsize", (3.6 * ncols, 3.2 * nrows))
    return plt.subplots(nrows, ncols, **kwargs)


def box_diagram(boxes: Mapping[str, tuple[float, float, str]], arrows: Sequence[tuple], *,
                size: tuple[float, float] = (8.0, 3.6), title: str | None = None, ax: Any = None):
    """Draw an architecture or data-flow diagram from code: labelled boxes joined by arrows.

    Diagrams drawn by code render offline and stay in sync with the text (chapters 02 and 03).

    Parameters
    ----------
    boxes : mapping of name to (x, y, label)
        Box centres in axes coordinates (0–1) and their text (``\\n`` breaks lines). A label that starts
        with ``"*"`` is drawn as an offline (batch) component, with a dashed border.
    arrows : sequence of (source, target) or (source, target, label)
        Names from ``boxes``.
    size : (width, height) in inches
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    (fig, ax)

    Examples
    --------
    >>> fig, ax = box_diagram({"a": (0.2, 0.5, "request"), "b": (0.8, 0.5, "*nightly job")}, [("a", "b", "logs")])
    >>> len(ax.texts)  # two boxes, one arrow (an annotation) and its label
    4
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if not isinstance(boxes, Mapping) or not boxes:
        raise TypeError(f"`boxes` must be a non-empty mapping of name to (x, y, label); got {type(boxes).__name__}.")
    for name, spec in boxes.items():
        if not (isinstance(spec, tuple) and len(spec) == 3 and isinstance(spec[2], str)):
            raise ValueError(f"`boxes[{name!r}]` must be a tuple (x, y, label); got {spec!r}.")
    for arrow in arrows:
        if not (isinstance(arrow, tuple) and len(arrow) in (2, 3)):
            raise ValueError(f"each arrow must be (source, target) or (source, target, label); got {arrow!r}.")
        missing = [end for end in arrow[:2] if end not in boxes]
        if missing:
            raise ValueError(f"arrow {arrow!r} names unknown box(es) {missing}; boxes are {sorted(boxes)}.")
    use_style()
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    handles = {}
    for name, (x, y, label) in boxes.items():
        offline = label.startswith("*")
        text = label[1:] if offline else label
        handles[name] = ax.text(
            x, y, text, ha="center", va="center", fontsize=9, zorder=3,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f2f2f2" if offline else "#e8f1fa",
                  "edgecolor": PALETTE[1] if offline else PALETTE[0], "linestyle": "--" if offline else "-",
                  "linewidth": 1.3},
        )
    for arrow in arrows:
        src, dst = arrow[0], arrow[1]
        ax.annotate("", xy=boxes[dst][:2], xytext=boxes[src][:2], zorder=2,
                          arrowprops={"arrowstyle": "-|>", "color": "#444444", "lw": 1.2,
                                      "patchA": handles[src], "patchB": handles[dst],
                                      "shrinkA": 4, "shrinkB": 4})
        if len(arrow) == 3 and arrow[2]:
            (x0, y0), (x1, y1) = boxes[src][:2], boxes[dst][:2]
            vertical = abs(x1 - x0) < 0.05
            ax.text((x0 + x1) / 2 + (0.015 if vertical else 0.0), (y0 + y1) / 2 + (0.0 if vertical else 0.04),
                    arrow[2], ha="left" if vertical else "center", va="center" if vertical else "bottom",
                    fontsize=8, color="#444444", zorder=4)
    if title:
        ax.set_title(title)
    return fig, ax
