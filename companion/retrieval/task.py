"""The retrieval task of one day: users, what they clicked before it, and the oracle's answer.

Taught in chapter 07 (candidate sources).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .._validation import check_int, check_type

__all__ = ["RetrievalTask", "make_task"]


@dataclass(frozen=True, eq=False)
class RetrievalTask:
    """Everything a candidate source may use, and the answer it is judged against.

    Attributes
    ----------
    day : int
        The day whose candidates are generated; sources see only the logs before it.
    users : ndarray of int64, shape (n,)
        Warm users (humans with at least ``min_clicks`` distinct clicked items before ``day``),
        then cold users (humans who sign up on ``day``).
    group : ndarray of str, shape (n,)
        ``"warm"`` or ``"cold"`` for each user.
    history : DataFrame
        The logged impressions before ``day`` (duplicates included, as logged).
    clicks : scipy.sparse.csr_matrix, shape (n_world_users, n_items)
        1.0 where a human clicked the item before ``day`` (bots left out).
    available : ndarray of bool, shape (n_items,)
        Items uploaded on or before ``day``.
    clicked : ndarray of bool, shape (n, n_items)
        What each task user already clicked: never a candidate, never in ``ideal``.
    ideal : ndarray of int64, shape (n, n_true)
        The oracle's answer: each user's ``n_true`` available, not yet clicked items of highest true
        attractiveness on ``day`` (given what they remember), best first.
    """

    day: int
    users: np.ndarray
    group: np.ndarray
    history: pd.DataFrame
    clicks: sparse.csr_matrix
    available: np.ndarray
    clicked: np.ndarray
    ideal: np.ndarray

    @property
    def n_items(self) -> int:
        """Number of items in the catalogue (available or not)."""
        return int(self.available.size)

    def floor(self, k: int) -> float:
        """Expected recall of ``k`` items drawn at random from the available ones: ``k / n_available``."""
        k = check_int("k", k, minimum=1, maximum=int(self.available.sum()))
        return k / float(self.available.sum())


def make_task(world, day: int, *, n_true: int = 20, min_clicks: int = 20) -> RetrievalTask:
    """Build the retrieval task of ``day`` on ``world``.

    Parameters
    ----------
    world : companion.world.World
        The world whose logs and truth are used.
    day : int
        In ``[1, n_days)``: sources see the logs of the days before it.
    n_true : int, default 20
        Size of the oracle's answer per user.
    min_clicks : int, default 20
        Distinct clicked items before ``day`` that make a user "warm".

    Returns
    -------
    RetrievalTask

    Raises
    ------
    ValueError
        If no user qualifies, or an argument is out of range.
    """
    from ..world import World

    check_type("world", world, World, hint="make one with companion.world.make_world")
    day = check_int("day", day, minimum=1, maximum=world.config.n_days - 1)
    n_true = check_int("n_true", n_true, minimum=1, maximum=1_000)
    min_clicks = check_int("min_clicks", min_clicks, minimum=1, maximum=100_000)
    truth, events = world.truth, world.events
    history = events[events["day"] < day]
    human = ~truth.user_bot
    train = history[history["click"].to_numpy() & human[history["user_id"].to_numpy()]]
    n_users, n_items = len(world.users), len(world.items)
    clicks = sparse.csr_matrix((np.ones(len(train)), (train["user_id"].to_numpy(), train["item_id"].to_numpy())),
                               shape=(n_users, n_items))
    clicks.data[:] = 1.0  # clicked at least once
    per_user = np.asarray(clicks.sum(axis=1)).ravel()
    signup = world.users["signup_day"].to_numpy()
    warm = np.flatnonzero((per_user >= min_clicks) & (signup < day) & human)
    cold = np.flatnonzero((signup == day) & human)
    users = np.r_[warm, cold].astype(np.int64)
    if users.size == 0:
        raise ValueError(f"no user qualifies on day {day} (min_clicks={min_clicks}): lower `min_clicks` or "
                         "choose a later `day`.")
    available = world.items["upload_day"].to_numpy() <= day
    clicked = clicks[users].toarray().astype(bool)
    fresh = (available & ~clicked).sum(axis=1).min()
    if n_true > fresh:
        raise ValueError(f"`n_true` must be at most {fresh} on day {day} (the fewest available items a user "
                         f"has not clicked); got {n_true}.")
    k = min(int(available.sum()), n_true + int(clicked.sum(axis=1).max()))
    oracle = truth.top_items(users, np.flatnonzero(available), day, k=k, history=history)
    ideal = np.stack([row[~c[row]][:n_true] for row, c in zip(oracle, clicked, strict=True)])
    group = np.array(["warm"] * warm.size + ["cold"] * cold.size)
    for array in (users, group, available, clicked, ideal):
        array.setflags(write=False)
    return RetrievalTask(day=day, users=users, group=group, history=history, clicks=clicks,
                         available=available, clicked=clicked, ideal=ideal)
