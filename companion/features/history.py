"""Point-in-time history features: what a user (or an item) did in trailing windows before a moment.

For each query row ``(key, ts)`` the features count the events of that key with ``ts' < ts`` strictly
and ``ts' >= ts - window``: impressions, clicks, click-through rate and watch seconds. Strictly before
means an impression never sees its own label, nor the other impressions of the same request (they
share its ``ts``), which is the leak of a row-based window (chapter 03). Vectorised: one sort of the
events and two binary searches per window, no loop over rows. Taught in chapter 04.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_columns, check_number, check_type

__all__ = ["history_features"]

SECONDS_PER_DAY = 86_400
MAX_WINDOW_DAYS = 36_500  # a century: far beyond any log, and well inside int64 seconds


def history_features(events: pd.DataFrame, queries: pd.DataFrame, *, key: str = "user_id",
                     windows: Sequence[float] = (1, 7, 28), prefix: str | None = None) -> pd.DataFrame:
    """Trailing-window counts of ``events`` for each row of ``queries``, strictly before its ``ts``.

    Parameters
    ----------
    events : DataFrame
        Impressions with columns ``key``, ``ts`` (seconds), ``click`` (bool) and ``watch_s``.
    queries : DataFrame
        Rows to compute features for, with columns ``key`` and ``ts``.
    key : str, default "user_id"
        Whose history: ``"user_id"``, ``"item_id"``, ``"creator_id"`` (if ``events`` has it), ...
    windows : sequence of float, default (1, 7, 28)
        Window lengths in days (positive).
    prefix : str, optional
        Column prefix; ``key`` without ``_id`` and an underscore by default (``"user_"``).

    Returns
    -------
    DataFrame, shape (len(queries), 4 * len(windows)), on the index of ``queries``
        For each window ``w``: ``{prefix}impressions_{w}d``, ``clicks_{w}d``, ``ctr_{w}d`` (NaN without
        impressions) and ``watch_s_{w}d``.

    Examples
    --------
    >>> ev = pd.DataFrame({"user_id": [1, 1, 1], "ts": [0, 100, 100], "click": [True, False, True],
    ...                    "watch_s": [5.0, 0.0, 7.0]})
    >>> q = pd.DataFrame({"user_id": [1, 1], "ts": [100, 101]})
    >>> history_features(ev, q, windows=[1])["user_clicks_1d"].tolist()   # the same ts is not "before"
    [1, 2]
    """
    check_type("key", key, str)
    check_columns("events", events, ["ts", "click", "watch_s"])
    check_columns("queries", queries, ["ts"])
    for name, frame in (("events", events), ("queries", queries)):
        if key not in frame.columns:
            raise ValueError(f"`{name}` is missing column {key!r} named by `key`; it has {list(frame.columns)}. "
                             "Pass a `key` both tables have, e.g. key='user_id'.")
    if isinstance(windows, (str, bytes)) or not isinstance(windows, Sequence) or not len(windows):
        raise TypeError(f"`windows` must be a non-empty sequence of day counts, e.g. (1, 7, 28); got {windows!r}.")
    windows = [check_number(f"windows[{j}]", w, minimum=0.0, strict_minimum=True, maximum=MAX_WINDOW_DAYS,
                            hint="Windows are positive day counts, e.g. (1, 7, 28).")
               for j, w in enumerate(windows)]
    if prefix is None:
        prefix = key.removesuffix("_id") + "_"
    check_type("prefix", prefix, str)
    for name, frame in (("events", events), ("queries", queries)):
        for col in (key, "ts"):
            if frame[col].dtype.kind not in "iu":
                raise TypeError(f"`{name}['{col}']` must hold integers; got dtype {frame[col].dtype}.")
    if events["watch_s"].isna().any() or events["click"].isna().any():
        raise ValueError("`events` must have no missing `click` or `watch_s`; clean them first.")

    ek, ets = events[key].to_numpy(np.int64), events["ts"].to_numpy(np.int64)
    qk, qts = queries[key].to_numpy(np.int64), queries["ts"].to_numpy(np.int64)
    span = int(max(ets.max(initial=0), qts.max(initial=0))) + int(max(windows) * SECONDS_PER_DAY) + 2
    low = min(int(ets.min(initial=0)), int(qts.min(initial=0))) - int(max(windows) * SECONDS_PER_DAY) - 1
    order = np.argsort(ek * span + (ets - low), kind="stable")
    sorted_key = (ek * span + (ets - low))[order]
    clicks = np.r_[0, np.cumsum(events["click"].to_numpy(bool)[order])]
    watch = np.r_[0.0, np.cumsum(events["watch_s"].to_numpy(float)[order])]
    end = np.searchsorted(sorted_key, qk * span + (qts - low), side="left")  # strictly before ts
    out = {}
    for w in windows:
        start = np.searchsorted(sorted_key, qk * span + (qts - low - int(round(w * SECONDS_PER_DAY))), side="left")
        n = end - start
        c = clicks[end] - clicks[start]
        label = f"{w:g}d"
        out[f"{prefix}impressions_{label}"] = n
        out[f"{prefix}clicks_{label}"] = c
        out[f"{prefix}ctr_{label}"] = np.divide(c, n, out=np.full(n.size, np.nan), where=n > 0)
        out[f"{prefix}watch_s_{label}"] = watch[end] - watch[start]
    return pd.DataFrame(out, index=queries.index)
