"""The simulator: serve a policy to the world's users and draw outcomes from the true model.

The world's own logs are produced by this same loop with the logging policy, so a chapter that
serves another policy gets outcomes from exactly the process that made the logs. Each day's requests
are processed in rounds (a user's first request of the day, then their second, ...) so that a real-time
policy can learn within the day. Randomness comes from three independent streams spawned from one
seed (request schedule, policy, outcomes): two policies run with the same seed see the same users at
the same times, which makes their comparison far less noisy (common random numbers). Taught in chapter 02.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from .._validation import check_int, check_type
from .policies import Policy, Slates
from .truth import Truth, _sigmoid

__all__ = ["DIURNAL", "SimulationResult", "Simulator", "WEEKLY"]

#: Share of a day's requests in each hour (local time): low at night, peak in the evening.
DIURNAL = np.array([1.2, 0.7, 0.45, 0.35, 0.35, 0.5, 1.0, 1.8, 2.6, 3.0, 3.2, 3.4,
                    3.8, 3.9, 3.6, 3.5, 3.8, 4.3, 5.2, 6.2, 6.8, 6.4, 4.6, 2.6])
DIURNAL = DIURNAL / DIURNAL.sum()
#: Relative traffic by day of week (day 0 is a Monday).
WEEKLY = np.array([0.95, 0.93, 0.95, 0.98, 1.05, 1.1, 1.04])

EVENT_COLUMNS = ("request_id", "day", "ts", "user_id", "item_id", "position", "explore",
                 "click", "watch_s", "like", "share", "hide")


@dataclass(frozen=True)
class SimulationResult:
    """Impressions served by a policy with their outcomes.

    ``events`` has one row per impression: the logged columns of the world's events plus
    ``p_click``, the true click probability of that impression (known only in simulation).
    """

    policy: str
    events: pd.DataFrame

    def summary(self) -> pd.Series:
        """Impressions, requests, CTR and expected clicks per request."""
        e = self.events
        return pd.Series({
            "impressions": len(e),
            "requests": e["request_id"].nunique(),
            "ctr": e["click"].mean(),
            "expected_clicks_per_request": e["p_click"].sum() / max(e["request_id"].nunique(), 1),
        }, name=self.policy)


class Simulator:
    """Serve policies to the users of a world.

    Parameters
    ----------
    truth : Truth
        The planted truth of a world (``world.truth``).
    users, items : DataFrame
        The world's public tables (``world.users``, ``world.items``).
    """

    def __init__(self, truth: Truth, users: pd.DataFrame, items: pd.DataFrame) -> None:
        self.truth = check_type("truth", truth, Truth)
        self.users = users
        self.items = items
        self.config = truth.config

    # -------------------------------------------------------------- requests
    def requests_for_day(self, day: int, rng: np.random.Generator) -> pd.DataFrame:
        """Feed requests of one day: every user who has signed up asks ``Poisson(rate)`` times.

        ``rate`` is the user's activity times ``requests_per_active_day`` times the weekday factor, and
        ``signup_day_boost`` times that on the user's first day.

        Returns a DataFrame with ``user_id, day, ts, round`` sorted by round then time.
        """
        signup = self.users["signup_day"].to_numpy()
        active = np.flatnonzero(signup <= day)
        rate = self.config.requests_per_active_day * self.truth.activity[active] * WEEKLY[day % 7]
        rate = np.where(signup[active] == day, rate * self.config.signup_day_boost, rate)
        n = rng.poisson(rate)
        user = np.repeat(active, n)
        hour = rng.choice(24, size=user.size, p=DIURNAL)
        second = hour * 3600 + rng.integers(0, 3600, user.size)
        order = np.lexsort((second, user))
        user, second = user[order], second[order]
        first = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
        rnd = np.arange(user.size) - np.repeat(first, np.diff(np.r_[first, user.size]))
        out = pd.DataFrame({"user_id": user.astype(np.int32), "day": np.int32(day),
                            "ts": (day * 86_400 + second).astype(np.int64), "round": rnd.astype(np.int16)})
        return out.sort_values(["round", "ts"], kind="stable").reset_index(drop=True)

    # -------------------------------------------------------------- outcomes
    def outcomes(self, user: np.ndarray, item: np.ndarray, day: int, position: np.ndarray,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Draw click, watch time, like, share and hide for impressions from the true model."""
        comp = self.truth.logit_components(user, item, day)
        logit = comp.to_numpy().sum(axis=1)
        examined = rng.random(user.size) < self.truth.position_bias[position]
        attractive = _sigmoid(logit)
        p_click = self.truth.position_bias[position] * attractive
        click = examined & (rng.random(user.size) < attractive)
        q = self.truth.quality[item]
        aff = comp["affinity"].to_numpy()
        frac = _sigmoid(0.3 + 0.6 * q + 0.4 * aff + 0.5 * comp["interaction"].to_numpy()
                        + rng.normal(0.0, 0.7, user.size))
        watch = np.where(click, np.round(frac * self.truth.item_duration_s[item], 1), 0.0)
        like = click & (rng.random(user.size) < _sigmoid(-2.0 + 0.8 * q + 0.5 * aff))
        share = click & (rng.random(user.size) < _sigmoid(-3.5 + 0.8 * q))
        hide = examined & ~click & (rng.random(user.size) < _sigmoid(-4.0 - 0.8 * aff))
        return {"click": click, "watch_s": watch.astype(np.float32), "like": like, "share": share,
                "hide": hide, "p_click": p_click}

    # -------------------------------------------------------------- the loop
    def run(self, policy: Policy, *, seed: int | np.random.SeedSequence, days: range | None = None,
            history: pd.DataFrame | None = None, progress: bool | None = None) -> SimulationResult:
        """Serve ``policy`` for ``days`` and return every impression with its outcome.

        Parameters
        ----------
        policy : Policy
            What ranks the slates (see :mod:`companion.world.policies`).
        seed : int or SeedSequence
            Seeds the request schedule, the policy's randomness and the outcomes (three streams).
        days : range, optional
            Days to simulate, within ``[0, n_days)``; all days by default.
        history : DataFrame, optional
            Logs the policy may learn from before the first day (e.g. ``world.events`` of earlier days).
        progress : bool, optional
            Show a progress bar over days; by default only for runs of more than a million impressions.
        """
        check_type("policy", policy, Policy, hint="Subclass companion.world.Policy and implement rank().")
        n_days = self.config.n_days
        days = range(n_days) if days is None else check_type("days", days, range)
        if len(days) == 0 or days.start < 0 or days.stop > n_days or days.step != 1:
            raise ValueError(f"`days` must be a non-empty range with step 1 inside [0, {n_days}); got {days}.")
        if isinstance(seed, np.random.SeedSequence):
            seq = seed
        else:
            seq = np.random.SeedSequence(check_int("seed", seed, minimum=0))
        sched_rng, policy_rng, outcome_rng = (np.random.default_rng(s) for s in seq.spawn(3))
        k = self.config.slate_size
        if progress is None:
            expected = len(self.users) * len(days) * self.config.requests_per_active_day * k
            progress = expected > 1_000_000
        policy.start(self.users, self.items, history, slate_size=k)
        upload = self.items["upload_day"].to_numpy()
        chunks: list[dict[str, np.ndarray]] = []
        next_request = 0
        for day in tqdm(days, desc=f"simulating {policy.name}", disable=not progress, unit="day"):
            requests = self.requests_for_day(day, sched_rng)
            candidates = np.flatnonzero(upload <= day)
            for _, batch in requests.groupby("round", sort=True):
                batch = batch.reset_index(drop=True)
                answer = policy.rank(batch, candidates, k=min(k, candidates.size), rng=policy_rng)
                slates, extra = (answer.items, answer.extra) if isinstance(answer, Slates) else (answer, {})
                slates = self._check_slates(slates, len(batch), k, candidates)
                width = slates.shape[1]
                rid = next_request + np.arange(len(batch))
                next_request += len(batch)
                cols = {
                    "request_id": np.repeat(rid, width).astype(np.int64),
                    "day": np.full(slates.size, day, dtype=np.int16),
                    "ts": np.repeat(batch["ts"].to_numpy(), width),
                    "user_id": np.repeat(batch["user_id"].to_numpy(), width),
                    "item_id": slates.ravel().astype(np.int32),
                    "position": np.tile(np.arange(width, dtype=np.int8), len(batch)),
                    "explore": np.repeat(np.asarray(extra.get("explore", np.zeros(len(batch), bool))), width),
                }
                cols.update(self.outcomes(cols["user_id"], cols["item_id"], day, cols["position"], outcome_rng))
                chunks.append(cols)
                policy.observe(pd.DataFrame(cols))
            policy.end_of_day(day)
        events = pd.DataFrame({c: np.concatenate([ch[c] for ch in chunks]) for c in (*EVENT_COLUMNS, "p_click")}) \
            if chunks else pd.DataFrame(columns=[*EVENT_COLUMNS, "p_click"])
        return SimulationResult(policy.name, events)

    @staticmethod
    def _check_slates(slates, n_requests: int, k: int, candidates: np.ndarray) -> np.ndarray:
        slates = np.asarray(slates)
        if slates.ndim != 2 or slates.shape[0] != n_requests or not 1 <= slates.shape[1] <= k:
            raise ValueError(
                f"policy.rank must return item ids of shape ({n_requests}, <= {k}); got shape {slates.shape}."
            )
        if not np.isin(slates, candidates).all():
            raise ValueError("policy.rank returned item ids that are not among the candidates available that day.")
        srt = np.sort(slates, axis=1)
        if (srt[:, 1:] == srt[:, :-1]).any():
            raise ValueError("policy.rank returned a slate that shows the same item twice.")
        return slates
