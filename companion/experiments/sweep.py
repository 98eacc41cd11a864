"""Run a measurement over a sweep of seeds and report each claim with its spread.

A design claim measured on one seed is an anecdote; measured on several independent worlds it has a
spread, and a claim should hold by more than that spread. (A t-test over the days of one run is no
substitute: days share users, items and the logging policy's state, so they are autocorrelated.)
Taught in chapter 02 and used by every chapter that asserts a comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
from tqdm import tqdm

from .._validation import check_type

__all__ = ["seed_sweep", "summarize_sweep"]


def seed_sweep(fn: Callable[[int], Mapping[str, float]], seeds: Iterable[int], *,
               progress: bool = False) -> pd.DataFrame:
    """Call ``fn(seed)`` for every seed and return a tidy table, one row per seed.

    Parameters
    ----------
    fn : callable
        Takes an int seed and returns a mapping of metric name to number (the same names every time).
    seeds : iterable of int
        Distinct non-negative seeds, at least two (a spread needs two values).
    progress : bool, default False
        Show a progress bar over seeds.

    Returns
    -------
    DataFrame, shape (n_seeds, 1 + n_metrics)
        Column ``seed`` then one column per metric.

    Examples
    --------
    >>> table = seed_sweep(lambda s: {"x": float(s), "y": 2.0 * s}, [0, 1, 2])
    >>> table["y"].tolist()
    [0.0, 2.0, 4.0]
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be a callable taking a seed; got {type(fn).__name__}.")
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"`seeds` must be an iterable of ints, e.g. range(5); got {type(seeds).__name__}.")
    seeds = list(seeds)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"`seeds` must hold non-negative ints; got {s!r}.")
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"`seeds` must hold at least two distinct seeds; got {seeds}.")
    check_type("progress", progress, bool)
    rows = []
    names: list[str] | None = None
    for s in tqdm(seeds, desc="seeds", disable=not progress):
        out = fn(int(s))
        if not isinstance(out, Mapping):
            raise TypeError(f"`fn` must return a mapping of metric name to number; got {type(out).__name__} "
                            f"for seed {s}.")
        if names is None:
            names = list(out)
        elif list(out) != names:
            raise ValueError(f"`fn` must return the same metrics for every seed; seed {s} gave {list(out)}, "
                             f"the first seed gave {names}.")
        row = {"seed": int(s)}
        for k, v in out.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise TypeError(f"`fn` returned a non-number for metric {k!r} at seed {s}: {v!r}.")
            row[k] = float(v)
        rows.append(row)
    return pd.DataFrame(rows)


def summarize_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation, min and max of every metric of a :func:`seed_sweep` table.

    Returns a DataFrame indexed by metric with columns ``mean, sd, min, max, n``.

    >>> summarize_sweep(seed_sweep(lambda s: {"x": float(s)}, [0, 1, 2])).loc["x", "sd"]
    np.float64(1.0)
    """
    check_type("table", table, pd.DataFrame)
    if "seed" not in table.columns or len(table) < 2:
        raise ValueError("`table` must be a seed_sweep table (a `seed` column and at least two rows).")
    metrics = table.drop(columns="seed")
    return pd.DataFrame({"mean": metrics.mean(), "sd": metrics.std(ddof=1), "min": metrics.min(),
                         "max": metrics.max(), "n": metrics.count()})
