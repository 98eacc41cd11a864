"""Shared fixtures: generated worlds, built once per test session, and a reader of users' memory in logs.

The worlds are treated as read-only by every test (tables and truth arrays are shared objects);
a test that needs to mutate something copies it first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from companion.world import Truth, World, make_world
from companion.world.simulator import BOT_CLICK_PROBABILITY


@pytest.fixture(scope="session")
def tiny_world() -> World:
    """``make_world("tiny", seed=0)``: 300 users, 14 days, ~66k impressions (well under a second)."""
    return make_world("tiny", seed=0)


@pytest.fixture(scope="session")
def small_world() -> World:
    """``make_world("small", seed=0)``: 3,000 users, 28 days, ~1.15M impressions (~2 s)."""
    return make_world("small", seed=0)


def memory_at_impressions(truth: Truth, events: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """What each user remembered at each impression, read off the logs alone, and the true click probability.

    ``events`` are impressions with ``request_id, user_id, item_id, day, position, click``, one row per
    (request, position) (drop logged duplicates first), where ``request_id`` grows in serving order, as
    in the world's logs and in a simulator run. ``history`` holds the impressions before them (all earlier).
    Returns a frame aligned with ``events`` (same index): ``seen`` and ``clicked`` (the user saw / clicked
    the item in an earlier request), ``followed`` (the user clicked *another* item of its series in an
    earlier request), ``same_topic_above`` (items of the same true main topic higher in the slate), and
    ``p_click``: position bias x sigmoid(static logit + :meth:`Truth.dynamic_logit`), or the bots'
    constant click probability. No treatment effects: for runs of untreated policies only.
    """
    if events.duplicated(["request_id", "position"]).any():
        raise ValueError("`events` must hold one row per (request_id, position); drop duplicates first.")
    n_items = truth.quality.size
    n_series = int(truth.item_series.max()) + 1
    parts = [events[["request_id", "user_id", "item_id", "click"]].assign(_new=True)]
    if history is not None and len(history):
        parts.insert(0, history[["user_id", "item_id", "click"]].assign(request_id=-1, _new=False))
    both = pd.concat(parts, ignore_index=True)
    order = both["request_id"].to_numpy()
    user = both["user_id"].to_numpy().astype(np.int64)
    item = both["item_id"].to_numpy().astype(np.int64)
    click_order = np.where(both["click"].to_numpy().astype(bool), order, np.iinfo(np.int64).max)

    def earliest(key: np.ndarray, value: np.ndarray) -> np.ndarray:
        return pd.Series(value).groupby(key).transform("min").to_numpy()

    pair = user * n_items + item
    series = user * n_series + truth.item_series[item]
    # Following: another item of the series was clicked before. The first click on the series (on item
    # `first`) counts for every other item; for `first` itself, the first click on any other item counts.
    clicks = pd.DataFrame({"series": series, "item": item, "order": click_order})
    clicks = clicks[clicks["order"] < np.iinfo(np.int64).max].sort_values(["series", "order"], kind="stable")
    first = clicks.drop_duplicates("series").set_index("series")
    other = clicks[clicks["item"].to_numpy() != first["item"].reindex(clicks["series"]).to_numpy()]
    second = other.groupby("series")["order"].min()
    never = np.iinfo(np.int64).max
    first_item = first["item"].reindex(series, fill_value=-1).to_numpy()
    first_order = first["order"].reindex(series, fill_value=never).to_numpy()
    other_order = np.where(first_item == item, second.reindex(series, fill_value=never).to_numpy(), first_order)
    new = both["_new"].to_numpy()
    out = pd.DataFrame({
        "seen": earliest(pair, order)[new] < order[new],
        "clicked": earliest(pair, click_order)[new] < order[new],
        "followed": other_order[new] < order[new],
    }, index=events.index)
    slate = events.sort_values(["request_id", "position"], kind="stable")
    topic = truth.item_main_topic[slate["item_id"].to_numpy()]
    above = pd.DataFrame({"r": slate["request_id"].to_numpy(), "t": topic}).groupby(["r", "t"]).cumcount()
    out["same_topic_above"] = pd.Series(above.to_numpy(), index=slate.index).reindex(events.index).to_numpy()
    u, i, d, p = (events[c].to_numpy() for c in ("user_id", "item_id", "day", "position"))
    logit = truth.logit_components(u, i, d).to_numpy().sum(axis=1) + truth.dynamic_logit(
        out["seen"].to_numpy(), out["clicked"].to_numpy(), out["same_topic_above"].to_numpy(),
        out["followed"].to_numpy())
    p_click = truth.position_bias[p] / (1.0 + np.exp(-logit))
    out["p_click"] = np.where(truth.user_bot[u], BOT_CLICK_PROBABILITY, p_click)
    return out


@pytest.fixture(scope="session")
def impression_memory() -> Callable[..., pd.DataFrame]:
    """:func:`memory_at_impressions` (a fixture, so that every test module can use it without imports)."""
    return memory_at_impressions
