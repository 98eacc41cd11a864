"""One shared matplotlib style for every figure in the book (introduced in chapter 00, used by all).

>>> import companion.plotting as cplt
>>> cplt.use_style()
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from companion._validation import check_int, check_number, check_type

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


#: At most this many figures made by :func:`new_figure` and :func:`box_diagram` stay open: the oldest
#: is closed when another is made (matplotlib warns at 20 open figures, and each holds memory). A
#: notebook shows (and closes) a cell's figures when the cell ends, so only a cell making more than
#: this many figures would lose one.
MAX_OPEN_FIGURES = 8
_made: deque = deque()  # figure numbers of the figures this module made, oldest first


def _make_room() -> None:
    """Close the oldest figures this module made, so that one more keeps at most MAX_OPEN_FIGURES open."""
    import matplotlib.pyplot as plt

    alive = [num for num in _made if plt.fignum_exists(num)]
    _made.clear()
    _made.extend(alive)
    while len(_made) >= MAX_OPEN_FIGURES:
        plt.close(_made.popleft())


def _subplots(nrows: int, ncols: int, **kwargs: Any):
    import matplotlib.pyplot as plt

    _make_room()
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    _made.append(fig.number)
    return fig, axes


def use_style() -> None:
    """Apply the course style to matplotlib (idempotent)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))


def new_figure(ncols: int = 1, nrows: int = 1, **kwargs: Any):
    """``plt.subplots`` with the course style applied; returns ``(fig, axes)``.

    At most ``MAX_OPEN_FIGURES`` figures made here stay open: making one more closes the oldest, so a
    loop or a script that makes many figures does not pile them up.
    """
    ncols = check_int("ncols", ncols, minimum=1, maximum=50)
    nrows = check_int("nrows", nrows, minimum=1, maximum=50)
    use_style()
    if ncols > 1 or nrows > 1:
        kwargs.setdefault("figsize", (3.6 * ncols, 3.2 * nrows))
    return _subplots(nrows, ncols, **kwargs)


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
    from matplotlib.axes import Axes

    if not isinstance(boxes, Mapping) or not boxes:
        raise TypeError(f"`boxes` must be a non-empty mapping of name to (x, y, label); got {type(boxes).__name__}.")
    for name, spec in boxes.items():
        if not (isinstance(spec, tuple) and len(spec) == 3 and isinstance(spec[2], str)):
            raise ValueError(f"`boxes[{name!r}]` must be a tuple (x, y, label); got {spec!r}.")
        check_number(f"boxes[{name!r}] x", spec[0])
        check_number(f"boxes[{name!r}] y", spec[1])
    if isinstance(arrows, (str, bytes)) or not isinstance(arrows, Sequence):
        raise TypeError(
            f"`arrows` must be a sequence of (source, target[, label]) tuples; got {type(arrows).__name__}."
        )
    for arrow in arrows:
        if not (isinstance(arrow, tuple) and len(arrow) in (2, 3)):
            raise ValueError(f"each of `arrows` must be (source, target) or (source, target, label); got {arrow!r}.")
        missing = [end for end in arrow[:2] if end not in boxes]
        if missing:
            raise ValueError(f"`arrows` item {arrow!r} names unknown box(es) {missing}; boxes are {sorted(boxes)}.")
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise TypeError(f"`size` must be a (width, height) tuple in inches; got {type(size).__name__} {size!r}.")
    size = (check_number("size[0]", size[0], minimum=0.0, strict_minimum=True, maximum=100.0),
            check_number("size[1]", size[1], minimum=0.0, strict_minimum=True, maximum=100.0))
    if title is not None:
        check_type("title", title, str)
    if ax is not None:
        check_type("ax", ax, Axes, hint="Pass a matplotlib Axes, e.g. from plt.subplots(), or leave ax=None.")
    use_style()
    if ax is None:
        fig, ax = _subplots(1, 1, figsize=size)
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
