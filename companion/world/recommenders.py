"""Two reference recommenders built on one scorer, served in real-time, batch or hybrid mode.

Taught in chapter 02, where the simulator measures what each serving mode gains or loses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_int, check_number
from .memory import SeenSet
from .policies import Policy, seen_mask

__all__ = ["HybridPolicy", "TopicProfilePolicy"]


def _top_columns(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Column indices of each row's ``k`` highest scores, best first (ties broken at random).

    ``scores`` of shape (n_rows, n_columns) receives the tie-break noise in place.
    """
    scores += 1e-6 * rng.random(scores.shape)
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


class TopicProfilePolicy(Policy):
    """A personalised recommender: each user's click profile over topics, item CTR and freshness.

    ``score(u, i) = log P_u(topic_i) + ctr_weight * log(ctr_i / ctr) + freshness_weight * exp(-age_i / 2)``
    where ``P_u`` is the user's smoothed click share over topics (the global share for a user with no
    clicks yet) and ``ctr_i`` the item's click-through rate shrunk towards the global ``ctr``.

    With ``realtime=True`` profiles and item CTRs update after every round of requests and each request
    is scored against the whole current catalogue. With ``realtime=False`` (a nightly batch) the same
    scorer runs once at the end of each day: slates are precomputed for the users known then, from the
    items available then, and a user unknown to the last batch run gets the slate of a user with no
    history. The two differ only in how fresh their data is. Items without a topic tag share one
    "(untagged)" profile entry. With ``filter_seen=True`` items this policy already showed the user are
    never scored (a seen-filter). Taught in chapter 02.
    """

    def __init__(self, *, realtime: bool = True, ctr_weight: float = 1.0, freshness_weight: float = 0.8,
                 smoothing: float = 2.0, prior_impressions: float = 20.0, filter_seen: bool = False) -> None:
        if not isinstance(realtime, bool):
            raise TypeError(f"`realtime` must be True or False; got {type(realtime).__name__} {realtime!r}.")
        if not isinstance(filter_seen, bool):
            raise TypeError(f"`filter_seen` must be True or False; got {type(filter_seen).__name__} {filter_seen!r}.")
        self.realtime = realtime
        self.filter_seen = filter_seen
        # Upper bounds far above any useful setting keep the scores finite (a weight of 1e308 overflows them).
        self.ctr_weight = check_number("ctr_weight", ctr_weight, minimum=0.0, maximum=1e6)
        self.freshness_weight = check_number("freshness_weight", freshness_weight, minimum=0.0, maximum=1e6)
        self.smoothing = check_number("smoothing", smoothing, strict_minimum=True, minimum=0.0, maximum=1e9)
        self.prior_impressions = check_number("prior_impressions", prior_impressions, strict_minimum=True,
                                              minimum=0.0, maximum=1e12)
        self.name = "real-time" if realtime else "batch (daily)"

    def start(self, users, items, history, *, slate_size) -> None:
        super().start(users, items, history, slate_size=slate_size)
        tags = items["topic"].fillna("(untagged)").to_numpy(dtype=str)
        self.topic_names_, self.item_topic_ = np.unique(tags, return_inverse=True)
        self.seen_ = SeenSet(len(users), len(items)) if self.filter_seen else None
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
        if self.seen_ is not None:
            self.seen_.add(events["user_id"].to_numpy(), item)
        click = events["click"].to_numpy().astype(bool)
        np.add.at(self.profile_, (events["user_id"].to_numpy()[click], self.item_topic_[item[click]]), 1.0)
        self.clicks_ += np.bincount(item[click], minlength=self.clicks_.size)
        self.impressions_ += np.bincount(item, minlength=self.impressions_.size)

    def user_log_share(self, user_ids: np.ndarray) -> np.ndarray:
        """Log of each user's smoothed click share over topics, shape (len(user_ids), n_topics)."""
        global_share = (self.profile_.sum(axis=0) + 1.0) / (self.profile_.sum() + self.topic_names_.size)
        prof = self.profile_[user_ids]
        return np.log((prof + self.smoothing * global_share) / (prof.sum(axis=1, keepdims=True) + self.smoothing))

    def item_score(self, item_ids: np.ndarray, day: int) -> np.ndarray:
        """The user-independent part of the score: shrunk CTR and freshness, same shape as ``item_ids``."""
        ctr = (self.clicks_.sum() + 1.0) / (self.impressions_.sum() + 10.0)
        m = self.prior_impressions
        item_ctr = (self.clicks_[item_ids] + m * ctr) / (self.impressions_[item_ids] + m)
        age = np.maximum(day - self.upload_day_[item_ids], 0)
        return self.ctr_weight * np.log(item_ctr / ctr) + self.freshness_weight * np.exp(-age / 2.0)

    def score(self, user_ids: np.ndarray, candidates: np.ndarray, day: int) -> np.ndarray:
        """Scores of shape (len(user_ids), len(candidates)) from the current state (higher is better)."""
        return self.user_log_share(user_ids)[:, self.item_topic_[candidates]] + self.item_score(candidates, day)

    def _top_k(self, user_ids, candidates, day, k, rng) -> np.ndarray:
        out = np.empty((user_ids.size, k), dtype=np.int64)
        step = max(1, 2_000_000 // max(candidates.size, 1))
        for s in range(0, user_ids.size, step):
            scores = self.score(user_ids[s:s + step], candidates, day)
            scores[seen_mask(self.seen_, user_ids[s:s + step], candidates)] -= 1e9  # seen items go last
            out[s:s + step] = candidates[_top_columns(scores, k, rng)]
        return out

    def _nightly_top(self, day: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        """The nightly job after ``day``: the top ``m`` items for tomorrow for every user known today.

        Returns a table of shape (n_users, m), with -1 in the rows of users unknown on ``day``, and
        the top ``m`` of a user without history (scored through user 0 with its profile blanked).
        """
        known = np.flatnonzero(self.users_["signup_day"].to_numpy() <= day)
        available = np.flatnonzero(self.upload_day_ <= day)
        m = min(m, available.size)
        rng = np.random.default_rng(day + 1_000_003)
        table = np.full((len(self.users_), m), -1, dtype=np.int64)
        table[known] = self._top_k(known, available, day + 1, m, rng)
        saved, seen = self.profile_[0].copy(), self.seen_
        self.profile_[0], self.seen_ = 0.0, None  # a stranger has no profile and has seen nothing
        try:
            stranger = self._top_k(np.array([0]), available, day + 1, m, rng)[0]
        finally:
            self.profile_[0], self.seen_ = saved, seen
        return table, stranger

    def _precompute(self, day: int) -> None:
        self.precomputed_, self.cold_start_ = self._nightly_top(day, self.slate_size_)
        self.batch_day_ = day

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


class HybridPolicy(TopicProfilePolicy):
    """Nightly candidates, real-time ranking: the common hybrid of batch and online serving.

    Each night the scorer selects ``n_candidates`` items per known user from the whole catalogue (the
    expensive part, done offline). At request time the online part re-scores only those candidates,
    plus the items uploaded since the nightly run, with the up-to-the-minute profile and item CTRs,
    and returns the top ``k``. A user unknown to the nightly run gets the candidates of a user
    without history. ``items_scored_`` counts the items scored online, to compare serving cost with
    :class:`TopicProfilePolicy` in real-time mode, which scores the whole catalogue per request.
    Taught in chapter 02.
    """

    def __init__(self, *, n_candidates: int = 100, **kwargs) -> None:
        super().__init__(realtime=True, **kwargs)
        self.n_candidates = check_int("n_candidates", n_candidates, minimum=1, maximum=10_000_000)
        self.name = "hybrid"

    def start(self, users, items, history, *, slate_size) -> None:
        super().start(users, items, history, slate_size=slate_size)
        self.items_scored_ = 0
        self.requests_ = 0
        if history is not None and len(history):
            self._nightly(int(history["day"].max()))

    def _nightly(self, day: int) -> None:
        self.candidates_, self.cold_candidates_ = self._nightly_top(day, self.n_candidates)
        self.batch_day_ = day

    def rank(self, requests, candidates, *, k, rng):
        users = requests["user_id"].to_numpy()
        day = int(requests["day"].iloc[0])
        if self.batch_day_ is None:
            self._nightly(day)
        pool = self.candidates_[users]
        pool[pool[:, 0] < 0] = self.cold_candidates_
        fresh = candidates[self.upload_day_[candidates] > self.batch_day_]
        pool = np.concatenate([pool, np.broadcast_to(fresh, (users.size, fresh.size))], axis=1)
        scores = np.take_along_axis(self.user_log_share(users), self.item_topic_[pool], axis=1)
        scores += self.item_score(pool, day)
        scores[seen_mask(self.seen_, users, pool)] -= 1e9
        best = _top_columns(scores, min(k, pool.shape[1]), rng)
        self.items_scored_ += pool.size
        self.requests_ += users.size
        return np.take_along_axis(pool, best, axis=1)

    def end_of_day(self, day):
        self._nightly(day)
