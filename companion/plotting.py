"""One shared matplotlib style for every figure in the book.

>>> import companion.plotting as cplt
>>> cplt.use_style()
"""

from __future__ import annotations

from typing import Any

__all__ = ["PALETTE", "STYLE", "new_figure", "use_style"]

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
