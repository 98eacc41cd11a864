"""Ranking policies the simulator can serve: the logging policy and two reference recommenders.

A policy answers a batch of feed requests with slates of item ids. The simulator calls
:meth:`Policy.observe` after every round of requests (what a real-time system can learn from) and
:meth:`Policy.end_of_day` once a day (when a batch job runs). Taught in chapter 02.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import check_int, check_number

__all__ = ["Policy", "PopularityPolicy", "Slates", "TopicProfilePolicy", "sample_distinct"]


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


def sample_distinct(rng: np.random.Generator, p: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """Draw ``n_rows`` rows of ``k`` distinct indices, each a weighted sample without replacement.

    Each row keeps the first ``k`` distinct values of an i.i.d. sequence drawn with probabilities
    ``p`` (extended until it has ``k`` distinct values), which is exactly successive sampling without
    replacement. Vectorised over rows; cost about ``n_rows * 2k * log(len(p))``. Returns shape (n_rows, k).
    """
    n = p.size
    if k > n:
        raise ValueError(f"`k` must be at most the number of candidates ({n}); got {k}.")
    if np.count_nonzero(p) < k:
        raise ValueError(f"`p` must give positive probability to at least k={k} candidates.")
    cdf = np.cumsum(p / p.sum())
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
    chapter 11 measure position bias. Popularity is refreshed once a day (a batch job).
    """

    name = "popularity"

    def __init__(self, *, window_days: int = 7, exponent: float = 0.8, uniform_mix: float = 0.2,
                 explore_share: float = 0.1) -> None:
        self.window_days = check_int("window_days", window_days, minimum=1)
        self.exponent = check_number("exponent", exponent, minimum=0.0)
        self.uniform_mix = check_number("uniform_mix", uniform_mix, minimum=0.0, maximum=1.0)
        self.explore_share = check_number("explore_share", explore_share, minimum=0.0, maximum=1.0)

    def start(self, users, items, history, *, slate_size) -> None:
        super().start(users, items, history, slate_size=slate_size)
        n = len(items)
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
        idx = sample_distinct(rng, p, len(requests), k)
        order = np.argsort(-(pop[idx] + 1e-3 * rng.random(idx.shape)), axis=1)  # random tie-break
        idx = np.take_along_axis(idx, order, axis=1)
        explore = rng.random(len(requests)) < self.explore_share
        if explore.any():
            shuffled = np.argsort(rng.random((int(explore.sum()), k)), axis=1)
            idx[explore] = np.take_along_axis(idx[explore], shuffled, axis=1)
        return Slates(candidates[idx], {"explore": explore})

    def observe(self, events):
        self.today_ += np.bincount(events["item_id"], weights=events["click"], minlength=self.today_.size)

    def end_of_day(self, day):
        self.daily_clicks_ = np.roll(self.daily_clicks_, 1, axis=0)
        self.daily_clicks_[0] = self.today_
        self.today_ = np.zeros_like(self.today_)
        self.popularity_ = self.daily_clicks_.sum(axis=0)


class TopicProfilePolicy(Policy):
    """A personalised recommender: each user's click profile over topics, item CTR and freshness.

    ``score(u, i) = log P_u(topic_i) + ctr_weight * log(ctr_i / ctr) + freshness_weight * exp(-age_i / 2)``
    where ``P_u`` is the user's smoothed click share over topics (the global share for a user with no
    clicks yet) and ``ctr_i`` the item's click-through rate shrunk towards the global ``ctr``.

    With ``realtime=True`` profiles and item CTRs update after every round of requests and each request
    is scored against the whole current catalogue. With ``realtime=False`` (a nightly batch) the same
    scorer runs once at the end of each day: slates are precomputed for the users known then, from the
    items available then, and a user unknown to the last batch run gets the slate of a user with no
    history. The two differ only in how fresh their data is. Taught in chapter 02.
    """

    def __init__(self, *, realtime: bool = True, ctr_weight: float = 1.0, freshness_weight: float = 0.8,
                 smoothing: float = 2.0, prior_impressions: float = 20.0) -> None:
        if not isinstance(realtime, bool):
            raise TypeError(f"`realtime` must be True or False; got {type(realtime).__name__} {realtime!r}.")
        self.realtime = realtime
        self.ctr_weight = check_number("ctr_weight", ctr_weight, minimum=0.0)
        self.freshness_weight = check_number("freshness_weight", freshness_weight, minimum=0.0)
        self.smoothing = check_number("smoothing", smoothing, strict_minimum=True, minimum=0.0)
        self.prior_impressions = check_number("prior_impressions", prior_impressions, strict_minimum=True,
                                              minimum=0.0)
        self.name = "real-time" if realtime else "batch (daily)"

    def start(self, users, items, history, *, slate_size) -> None:
        super().start(users, items, history, slate_size=slate_size)
        self.topic_names_, self.item_topic_ = np.unique(items["topic"].to_numpy(), return_inverse=True)
        self.upload_day_ = items["upload_day"].to_numpy()
        self.profile_ = np.zeros((len(users), self.topic_names_.size))
        self.clicks_ = np.zeros(len(items))
        self.impressions_ = np.zeros(len(items))
        self.pending_: list[pd.DataFrame] = []
        self.batch_day_: int | None = None
        if history is not None and len(history):
            self._learn(history)
            if not self.realtime:
                self._precompute(int(history["day"].max()))

    def _learn(self, events: pd.DataFrame) -> None:
        item = events["item_id"].to_numpy()
        click = events["click"].to_numpy().astype(bool)
        np.add.at(self.profile_, (events["user_id"].to_numpy()[click], self.item_topic_[item[click]]), 1.0)
        self.clicks_ += np.bincount(item[click], minlength=self.clicks_.size)
        self.impressions_ += np.bincount(item, minlength=self.impressions_.size)

    def score(self, user_ids: np.ndarray, candidates: np.ndarray, day: int) -> np.ndarray:
        """Scores of shape (len(user_ids), len(candidates)) from the current state (higher is better)."""
        global_share = (self.profile_.sum(axis=0) + 1.0) / (self.profile_.sum() + self.topic_names_.size)
        prof = self.profile_[user_ids]
        share = (prof + self.smoothing * global_share) / (prof.sum(axis=1, keepdims=True) + self.smoothing)
        ctr = (self.clicks_.sum() + 1.0) / (self.impressions_.sum() + 10.0)
        m = self.prior_impressions
        item_ctr = (self.clicks_[candidates] + m * ctr) / (self.impressions_[candidates] + m)
        age = np.maximum(day - self.upload_day_[candidates], 0)
        item_part = self.ctr_weight * np.log(item_ctr / ctr) + self.freshness_weight * np.exp(-age / 2.0)
        return np.log(share[:, self.item_topic_[candidates]]) + item_part

    def _top_k(self, user_ids, candidates, day, k, rng) -> np.ndarray:
        out = np.empty((user_ids.size, k), dtype=np.int64)
        step = max(1, 2_000_000 // max(candidates.size, 1))
        for s in range(0, user_ids.size, step):
            sc = self.score(user_ids[s:s + step], candidates, day)
            sc += 1e-6 * rng.random(sc.shape)  # random tie-break
            top = np.argpartition(-sc, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(sc, top, axis=1), axis=1)
            out[s:s + step] = candidates[np.take_along_axis(top, order, axis=1)]
        return out

    def _precompute(self, day: int) -> None:
        """The nightly job after ``day``: slates for tomorrow for every user known today."""
        known = np.flatnonzero(self.users_["signup_day"].to_numpy() <= day)
        candidates = np.flatnonzero(self.upload_day_ <= day)
        k = min(self.slate_size_, candidates.size)
        rng = np.random.default_rng(day + 1_000_003)
        self.precomputed_ = np.full((len(self.users_), k), -1, dtype=np.int64)
        self.precomputed_[known] = self._top_k(known, candidates, day + 1, k, rng)
        # A user the batch has never seen gets what a user without history would get.
        self.cold_start_ = self._cold_start(candidates, day + 1, k, rng)
        self.batch_day_ = day

    def _cold_start(self, candidates, day, k, rng) -> np.ndarray:
        """The slate of a user with no clicks (scored through user 0 with its profile blanked)."""
        saved = self.profile_[0].copy()
        self.profile_[0] = 0.0
        try:
            return self._top_k(np.array([0]), candidates, day, k, rng)[0]
        finally:
            self.profile_[0] = saved

    def rank(self, requests, candidates, *, k, rng):
        users = requests["user_id"].to_numpy()
        day = int(requests["day"].iloc[0])
        if self.realtime:
            return self._top_k(users, candidates, day, k, rng)
        if self.batch_day_ is None:  # no nightly run yet: run it now on what is available
            self._precompute(day)
        slates = self.precomputed_[users]
        unknown = slates[:, 0] < 0
        slates[unknown] = self.cold_start_
        return slates[:, :k]

    def observe(self, events):
        if self.realtime:
            self._learn(events)
        else:
            self.pending_.append(events)

    def end_of_day(self, day):
        if not self.realtime:
            if self.pending_:
                self._learn(pd.concat(self.pending_))
            self.pending_ = []
            self._precompute(day)

