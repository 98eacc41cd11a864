"""The policy interface the simulator serves, and the world's logging policy.

A policy answers a batch of feed requests with slates of item ids. The simulator calls
:meth:`Policy.observe` after every round of requests (what a real-time system can learn from) and
:meth:`Policy.end_of_day` once a day (when a batch job runs). Taught in chapter 02.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import check_array, check_int, check_number, check_type
from .memory import SeenSet

__all__ = ["Policy", "PopularityPolicy", "Slates", "sample_distinct", "seen_mask"]


class Slates(NamedTuple):
    """A policy's answer: ``items`` of shape (n_requests, k) and per-request extra columns to log."""

    items: np.ndarray
    extra: dict[str, np.ndarray]


class Policy:
    """Base class of a feed policy (subclass it and implement :meth:`rank`)."""

    name = "policy"

    def start(self, users: pd.DataFrame, items: pd.DataFrame, history: pd.DataFrame | None, *,
              slate_size: int) -> None:
        """Called once before serving: the public tables, the logs available so far, the slate size."""
        self.users_, self.items_, self.slate_size_ = users, items, slate_size

    def rank(self, requests: pd.DataFrame, candidates: np.ndarray, *, k: int,
             rng: np.random.Generator) -> np.ndarray | Slates:
        """Return item ids of shape (len(requests), k) drawn from ``candidates`` (no repeats in a row)."""
        raise NotImplementedError

    def observe(self, events: pd.DataFrame) -> None:
        """Feedback of one round of requests (impressions with their outcomes)."""

    def end_of_day(self, day: int) -> None:
        """Hook for daily batch work after the last round of ``day``."""

    def product_effect(self, user_ids: np.ndarray, day: int, first_day: np.ndarray) -> np.ndarray | None:
        """True logit effect of a product change this policy ships, per request (``None``: no change).

        ``first_day`` is the day each user was first served by this policy in the current run, so a
        treatment can have a novelty effect that decays (see :class:`companion.world.TreatedPolicy`).
        """
        return None


def seen_mask(seen: SeenSet | None, users: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Boolean mask of shape ``items.shape``: which ``items[r, j]`` user ``users[r]`` was already shown.

    ``items`` is (n_users, m) or (m,) shared by every row; with ``seen=None`` nothing is masked.
    """
    items = np.broadcast_to(items, (users.size, items.shape[-1]))
    if seen is None:
        return np.zeros(items.shape, dtype=bool)
    return seen.contains(np.broadcast_to(users[:, None], items.shape), items)


_MAX_ROWS = 10_000_000


def sample_distinct(rng: np.random.Generator, p: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """Draw ``n_rows`` rows of ``k`` distinct indices, each a weighted sample without replacement.

    Each row keeps the first ``k`` distinct values of an i.i.d. sequence drawn with probabilities
    ``p`` (extended until it has ``k`` distinct values), which is exactly successive sampling without
    replacement. Vectorised over rows; cost about ``n_rows * 2k * log(len(p))``. Returns shape (n_rows, k).

    ``p`` holds non-negative finite weights (normalised here), ``n_rows`` is at most 10 million per call.
    """
    check_type("rng", rng, np.random.Generator, hint="Pass e.g. np.random.default_rng(0).")
    p = check_array("p", p, ndim=1, dtype_kind="iuf", allow_empty=False, finite=True)
    n = p.size
    if p.min() < 0:
        raise ValueError(f"`p` holds weights, so they must be >= 0; got a minimum of {p.min()}.")
    with np.errstate(over="ignore"):
        total = float(np.sum(p, dtype=np.float64))
    if not np.isfinite(total):
        raise ValueError(f"`p` sums to {total} (the weights overflow); rescale them, e.g. p / p.max().")
    n_rows = check_int("n_rows", n_rows, minimum=0, maximum=_MAX_ROWS)
    k = check_int("k", k, minimum=1)
    if k > n:
        raise ValueError(f"`k` must be at most the number of candidates ({n}); got {k}.")
    if np.count_nonzero(p) < k:
        raise ValueError(f"`p` must give positive probability to at least k={k} candidates.")
    cdf = np.cumsum(p / total)
    out = np.empty((n_rows, k), dtype=np.int64)
    todo = np.arange(n_rows)
    draws = np.empty((0, 0), dtype=np.int64)
    m = 2 * k
    while todo.size:
        extra = np.searchsorted(cdf, rng.random((todo.size, m - draws.shape[1])), side="right")
        draws = np.concatenate([draws, np.minimum(extra, n - 1)], axis=1) if draws.size else np.minimum(extra, n - 1)
        order = np.argsort(draws, axis=1, kind="stable")
        srt = np.take_along_axis(draws, order, axis=1)
        first_sorted = np.ones(srt.shape, dtype=bool)
        first_sorted[:, 1:] = srt[:, 1:] != srt[:, :-1]
        first = np.empty_like(first_sorted)
        np.put_along_axis(first, order, first_sorted, axis=1)
        done = first.sum(axis=1) >= k
        if done.any():
            sel = first[done] & (np.cumsum(first[done], axis=1) <= k)
            out[todo[done]] = draws[done][sel].reshape(-1, k)
        todo, draws, m = todo[~done], draws[~done], 2 * m
    return out


class PopularityPolicy(Policy):
    """The logging policy: popularity of the last ``window_days`` plus uniform exploration.

    Items are sampled with probability proportional to ``(recent clicks + 1) ** exponent`` mixed with a
    uniform share ``uniform_mix``, then ordered by popularity. In a share ``explore_share`` of requests
    the slate order is shuffled uniformly (logged as ``explore``): the randomisation bucket that lets
    chapter 11 measure position bias. Popularity is refreshed once a day (a batch job). With
    ``filter_seen=True`` an item this policy already showed to the user is replaced by an unseen one
    where the sample has one (a seen-filter).
    """

    name = "popularity"

    def __init__(self, *, window_days: int = 7, exponent: float = 0.8, uniform_mix: float = 0.2,
                 explore_share: float = 0.1, filter_seen: bool = False) -> None:
        self.window_days = check_int("window_days", window_days, minimum=1, maximum=3_650)
        self.exponent = check_number("exponent", exponent, minimum=0.0, maximum=10.0)
        self.uniform_mix = check_number("uniform_mix", uniform_mix, minimum=0.0, maximum=1.0)
        self.explore_share = check_number("explore_share", explore_share, minimum=0.0, maximum=1.0)
        if not isinstance(filter_seen, bool):
            raise TypeError(f"`filter_seen` must be True or False; got {type(filter_seen).__name__} {filter_seen!r}.")
        self.filter_seen = filter_seen

    def start(self, users, items, history, *, slate_size) -> None:
        super().start(users, items, history, slate_size=slate_size)
        n = len(items)
        self.seen_ = SeenSet(len(users), n) if self.filter_seen else None
        if self.seen_ is not None and history is not None and len(history):
            self.seen_.add(history["user_id"].to_numpy(), history["item_id"].to_numpy())
        self.daily_clicks_ = np.zeros((self.window_days, n))
        self.today_ = np.zeros(n)
        if history is not None and len(history):
            last = int(history["day"].max())
            recent = history[history["day"] > last - self.window_days]
            for day, g in recent.groupby("day"):  # slot 0 holds the newest day, as in end_of_day
                self.daily_clicks_[last - int(day)] = np.bincount(
                    g["item_id"], weights=g["click"].astype(float), minlength=n)
        self.popularity_ = self.daily_clicks_.sum(axis=0)

    def rank(self, requests, candidates, *, k, rng):
        pop = self.popularity_[candidates]
        w = (pop + 1.0) ** self.exponent
        p = (1 - self.uniform_mix) * w / w.sum() + self.uniform_mix / candidates.size
        if self.seen_ is None:
            idx = sample_distinct(rng, p, len(requests), k)
        else:  # oversample, then keep unseen items first (in sampled order), seen ones only to fill
            m = min(3 * k, candidates.size)
            idx = sample_distinct(rng, p, len(requests), m)
            seen = seen_mask(self.seen_, requests["user_id"].to_numpy(), candidates[idx])
            keep = np.argsort(seen, axis=1, kind="stable")[:, :k]
            idx = np.take_along_axis(idx, keep, axis=1)
        order = np.argsort(-(pop[idx] + 1e-3 * rng.random(idx.shape)), axis=1)  # random tie-break
        idx = np.take_along_axis(idx, order, axis=1)
        explore = rng.random(len(requests)) < self.explore_share
        if explore.any():
            shuffled = np.argsort(rng.random((int(explore.sum()), k)), axis=1)
            idx[explore] = np.take_along_axis(idx[explore], shuffled, axis=1)
        return Slates(candidates[idx], {"explore": explore})

    def observe(self, events):
        if self.seen_ is not None:
            self.seen_.add(events["user_id"].to_numpy(), events["item_id"].to_numpy())
        self.today_ += np.bincount(events["item_id"], weights=events["click"], minlength=self.today_.size)

    def end_of_day(self, day):
        self.daily_clicks_ = np.roll(self.daily_clicks_, 1, axis=0)
        self.daily_clicks_[0] = self.today_
        self.today_ = np.zeros_like(self.today_)
        self.popularity_ = self.daily_clicks_.sum(axis=0)
