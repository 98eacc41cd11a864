"""The simulator: serve policies to the world's users and draw outcomes from the true model.

The world's own logs are produced by this same loop with the logging policy, so a chapter that
serves another policy gets outcomes from exactly the process that made the logs. Each day's requests
are processed in rounds (a user's first request of the day, then their second, ...) so that a real-time
policy can learn within the day. Users have memory: an item seen or clicked before is worth less
(satiation), same-topic items lower in a slate are worth less (fatigue), and how satisfied a user was
on past days changes how often they come back (retention). Randomness comes from independent streams
spawned from one seed (request schedule, policies, outcomes, arm assignment): two policies run with the
same seed see the same users at the same times until their choices change who comes back (common
random numbers). :meth:`Simulator.run_experiment` randomises users into arms, each arm a policy that
learns only from its own traffic. Taught in chapters 02 and 14.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm import tqdm

from .._validation import check_array, check_columns, check_int, check_type
from .policies import Policy, Slates
from .truth import Truth, _sigmoid

__all__ = ["DIURNAL", "SimulationResult", "Simulator", "WEEKLY"]

#: Share of a day's requests in each hour (local time): low at night, peak in the evening.
DIURNAL = np.array([1.2, 0.7, 0.45, 0.35, 0.35, 0.5, 1.0, 1.8, 2.6, 3.0, 3.2, 3.4,
                    3.8, 3.9, 3.6, 3.5, 3.8, 4.3, 5.2, 6.2, 6.8, 6.4, 4.6, 2.6])
DIURNAL = DIURNAL / DIURNAL.sum()
DIURNAL.setflags(write=False)
#: Relative traffic by day of week (day 0 is a Monday).
WEEKLY = np.array([0.95, 0.93, 0.95, 0.98, 1.05, 1.1, 1.04])
WEEKLY.setflags(write=False)
_DIURNAL_CDF = np.cumsum(DIURNAL)
#: A user's requests on one day are capped here (a Poisson draw above it is rare even for bots).
MAX_REQUESTS_PER_DAY = 32
#: A bot's requests per day, click probability on anything, and watch seconds (uniform range).
BOT_REQUESTS_PER_DAY = 10.0
BOT_CLICK_PROBABILITY = 0.3
BOT_WATCH_S = (0.5, 2.0)

EVENT_COLUMNS = ("request_id", "day", "ts", "user_id", "item_id", "position", "explore",
                 "click", "watch_s", "like", "share", "hide")


def _poisson_quantile(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Poisson(rate) draws from uniforms ``u`` by inverting the CDF, capped at MAX_REQUESTS_PER_DAY."""
    n = np.zeros(u.size, dtype=np.int64)
    pmf = np.exp(-rate)
    cdf = pmf.copy()
    for k in range(1, MAX_REQUESTS_PER_DAY + 1):
        below = u >= cdf
        if not below.any():
            break
        n += below
        pmf = pmf * rate / k
        cdf = cdf + pmf
    return n


@dataclass(frozen=True)
class SimulationResult:
    """Impressions served by a policy (or by the arms of an experiment) with their outcomes.

    ``events`` has one row per impression: the logged columns of the world's events, ``p_click``
    (the true click probability of that impression, known only in simulation) and, for experiments,
    ``arm``. ``population`` lists every user who had signed up by the last simulated day, with the
    arm they were assigned to and the number of simulated days they could have come on: the
    denominator of per-user metrics, including users who never came back.
    """

    policy: str
    events: pd.DataFrame
    population: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.Series:
        """Impressions, requests, CTR and expected clicks per request."""
        e = self.events
        return pd.Series({
            "impressions": len(e),
            "requests": e["request_id"].nunique(),
            "ctr": e["click"].mean(),
            "expected_clicks_per_request": e["p_click"].sum() / max(e["request_id"].nunique(), 1),
        }, name=self.policy)

    def user_metrics(self) -> pd.DataFrame:
        """One row per user of ``population``: arm, requests, clicks, expected clicks, watch time, return rate.

        ``return_rate`` is the share of the user's eligible days on which they came at all.
        """
        e = self.events
        per_user = e.groupby("user_id").agg(
            requests=("request_id", "nunique"), impressions=("item_id", "size"), clicks=("click", "sum"),
            expected_clicks=("p_click", "sum"), watch_s=("watch_s", "sum"), active_days=("day", "nunique"))
        out = self.population.set_index("user_id").join(per_user, how="left").fillna(0.0)
        out["return_rate"] = out["active_days"] / out["eligible_days"]
        return out.reset_index()


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
        self.users = check_columns("users", users, ["user_id", "signup_day"])
        self.items = check_columns("items", items, ["item_id", "upload_day"])
        if len(users) != truth.taste.shape[0] or len(items) != truth.quality.shape[0]:
            raise ValueError(
                f"`users` and `items` must be the world's tables ({truth.taste.shape[0]} users, "
                f"{truth.quality.shape[0]} items); got {len(users)} and {len(items)} rows."
            )
        self.config = truth.config

    # -------------------------------------------------------------- requests
    def requests_for_day(self, day: int, rng: np.random.Generator, rate_multiplier=None) -> pd.DataFrame:
        """Feed requests of one day: every user who has signed up asks ``Poisson(rate)`` times.

        ``rate`` is the user's activity times ``requests_per_active_day`` times the weekday factor times
        ``rate_multiplier`` (the return dynamics; 1 by default), and ``signup_day_boost`` times that on
        the user's first day. Bots ask ``BOT_REQUESTS_PER_DAY`` times the weekday factor.

        Returns a DataFrame with ``user_id, day, ts, round`` sorted by round then time.
        """
        day = check_int("day", day, minimum=0, maximum=self.config.n_days - 1)
        check_type("rng", rng, np.random.Generator)
        signup = self.users["signup_day"].to_numpy()
        active = np.flatnonzero(signup <= day)
        mult = np.ones(signup.size) if rate_multiplier is None else check_array(
            "rate_multiplier", rate_multiplier, shape=(signup.size,), dtype_kind="f", finite=True)
        if mult.size and mult.min() < 0:
            raise ValueError(f"`rate_multiplier` scales request rates, so it must be >= 0; got a minimum of "
                             f"{mult.min()}.")
        rate = self.config.requests_per_active_day * self.truth.activity[active] * WEEKLY[day % 7] * mult[active]
        rate = np.where(signup[active] == day, rate * self.config.signup_day_boost, rate)
        rate = np.where(self.truth.user_bot[active], BOT_REQUESTS_PER_DAY * WEEKLY[day % 7], rate)
        # Common random numbers: every active user gets the same uniforms whatever their rate, so two
        # policies that change a user's rate a little change their request count a little (inverse-CDF
        # Poisson), and the times of their first requests stay the same.
        u_count = rng.random(active.size)
        u_time = rng.random((active.size, MAX_REQUESTS_PER_DAY))
        n = _poisson_quantile(u_count, rate)
        take = np.arange(MAX_REQUESTS_PER_DAY)[None, :] < n[:, None]
        user = np.broadcast_to(active[:, None], take.shape)[take]
        u = u_time[take]
        hour = np.minimum(np.searchsorted(_DIURNAL_CDF, u, side="right"), 23)
        lo = np.r_[0.0, _DIURNAL_CDF][hour]
        second = hour * 3600 + np.minimum((u - lo) / DIURNAL[hour] * 3600, 3599).astype(np.int64)
        order = np.lexsort((second, user))
        user, second = user[order], second[order]
        first = np.r_[0, np.flatnonzero(np.diff(user)) + 1] if user.size else np.zeros(0, dtype=np.int64)
        rnd = np.arange(user.size) - np.repeat(first, np.diff(np.r_[first, user.size]))
        out = pd.DataFrame({"user_id": user.astype(np.int32), "day": np.int32(day),
                            "ts": (day * 86_400 + second).astype(np.int64), "round": rnd.astype(np.int16)})
        return out.sort_values(["round", "ts"], kind="stable").reset_index(drop=True)

    # -------------------------------------------------------------- outcomes
    def outcomes(self, user: np.ndarray, item: np.ndarray, day: int, position: np.ndarray,
                 rng: np.random.Generator, *, dynamic: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Draw click, watch time, like, share and hide for impressions from the true model.

        ``dynamic`` is added to the static logit (satiation, fatigue, treatment effects; see
        :meth:`run`). Bots click at random and watch for about a second.
        """
        user = check_array("user", user, ndim=1, dtype_kind="iu")
        item = check_array("item", item, ndim=1, dtype_kind="iu")
        if user.shape != item.shape:
            raise ValueError(f"`user` and `item` must have the same shape; got {user.shape} and {item.shape}.")
        for name, ids, n in (("user", user, self.truth.taste.shape[0]), ("item", item, self.truth.quality.shape[0])):
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                raise ValueError(f"`{name}` must hold ids in [0, {n}); got values in [{ids.min()}, {ids.max()}].")
        day = check_int("day", day, minimum=0, maximum=self.config.n_days - 1)
        position = check_array("position", position, shape=user.shape, dtype_kind="iu")
        k = self.truth.position_bias.size
        if position.size and (position.min() < 0 or position.max() >= k):
            raise ValueError(f"`position` must lie in [0, {k}); got values in [{position.min()}, {position.max()}].")
        check_type("rng", rng, np.random.Generator)
        if dynamic is not None:
            dynamic = check_array("dynamic", dynamic, shape=user.shape, dtype_kind="iuf", finite=True)
        comp = self.truth.logit_terms(user, item, day)
        logit = sum(comp.values())
        if dynamic is not None:
            logit = logit + dynamic
        examined = rng.random(user.size) < self.truth.position_bias[position]
        attractive = _sigmoid(logit)
        p_click = self.truth.position_bias[position] * attractive
        click = examined & (rng.random(user.size) < attractive)
        q = self.truth.quality[item]
        aff = comp["affinity"] + comp["factor"]
        frac = _sigmoid(0.3 + 0.6 * q + 0.4 * aff + 0.5 * comp["interaction"]
                        + rng.normal(0.0, 0.7, user.size))
        watch = np.where(click, np.round(frac * self.truth.item_duration_s[item], 1), 0.0)
        like = click & (rng.random(user.size) < _sigmoid(-2.0 + 0.8 * q + 0.5 * aff))
        share = click & (rng.random(user.size) < _sigmoid(-3.5 + 0.8 * q))
        hide = examined & ~click & (rng.random(user.size) < _sigmoid(-4.0 - 0.8 * aff))
        bot = self.truth.user_bot[user]
        if bot.any():
            nb = int(bot.sum())
            p_click = np.where(bot, BOT_CLICK_PROBABILITY, p_click)
            bot_click = rng.random(nb) < BOT_CLICK_PROBABILITY
            click[bot] = bot_click
            watch[bot] = np.where(bot_click, np.round(rng.uniform(*BOT_WATCH_S, nb), 1), 0.0)
            like[bot] = share[bot] = hide[bot] = False
        return {"click": click, "watch_s": watch.astype(np.float32), "like": like, "share": share,
                "hide": hide, "p_click": p_click}

    # -------------------------------------------------------------- the loop
    def run(self, policy: Policy, *, seed: int | np.random.SeedSequence, days: range | None = None,
            history: pd.DataFrame | None = None, progress: bool | None = None) -> SimulationResult:
        """Serve ``policy`` to every user for ``days`` and return every impression with its outcome.

        Parameters
        ----------
        policy : Policy
            What ranks the slates (see :class:`~companion.world.Policy`).
        seed : int or SeedSequence
            Seeds the request schedule, the policy's randomness and the outcomes (independent streams).
        days : range, optional
            Days to simulate, within ``[0, n_days)``; all days by default.
        history : DataFrame, optional
            Logs of days *before* ``days`` (e.g. ``world.events`` of earlier days): the policy may learn
            from them, and users remember what they saw and clicked in them. A log of a simulated day or
            later would be leakage and is refused.
        progress : bool, optional
            Show a progress bar over days; by default only for runs of more than five million impressions.
        """
        check_type("policy", policy, Policy, hint="Subclass companion.world.Policy and implement rank().")
        return self._run({policy.name: policy}, None, seed=seed, days=days, history=history, progress=progress)

    def run_experiment(self, arms: Mapping[str, Policy], *, seed: int | np.random.SeedSequence,
                       shares: Sequence[float] | None = None, days: range | None = None,
                       history: pd.DataFrame | None = None, progress: bool | None = None) -> SimulationResult:
        """An online experiment: users randomised into ``arms``, each arm's policy learning only from its traffic.

        Parameters
        ----------
        arms : mapping of str to Policy
            At least two arms, e.g. ``{"control": PopularityPolicy(), "treatment": TreatedPolicy(...)}``;
            each policy object is served only to its own users and must not be shared between arms.
        seed : int or SeedSequence
            As in :meth:`run`, plus an independent stream for the assignment of users to arms.
        shares : sequence of float, optional
            Share of users in each arm (summing to 1); equal shares by default.
        days, history, progress
            As in :meth:`run`.

        Returns
        -------
        SimulationResult
            Its ``events`` and ``population`` carry the column ``arm``.
        """
        check_type("arms", arms, Mapping)
        if len(arms) < 2:
            raise ValueError(f"`arms` must hold at least two policies; got {len(arms)}.")
        for name, pol in arms.items():
            check_type("arms key", name, str)
            check_type(f"arms[{name!r}]", pol, Policy)
        if len({id(p) for p in arms.values()}) < len(arms):
            raise ValueError("`arms` must hold a separate policy object per arm; one object serves two arms.")
        if shares is None:
            shares_arr = np.full(len(arms), 1.0 / len(arms))
        else:
            shares_arr = check_array("shares", shares, shape=(len(arms),), dtype_kind="iuf", finite=True)
            if (shares_arr <= 0).any() or abs(shares_arr.sum() - 1.0) > 1e-9:
                raise ValueError(f"`shares` must be positive and sum to 1; got {shares_arr.tolist()}.")
        return self._run(dict(arms), shares_arr.astype(float), seed=seed, days=days, history=history,
                         progress=progress)

    def _run(self, arms: dict[str, Policy], shares, *, seed, days, history, progress) -> SimulationResult:
        cfg, truth = self.config, self.truth
        n_days = cfg.n_days
        days = range(n_days) if days is None else check_type("days", days, range)
        if len(days) == 0 or days.start < 0 or days.stop > n_days or days.step != 1:
            raise ValueError(f"`days` must be a non-empty range with step 1 inside [0, {n_days}); got {days}.")
        if isinstance(seed, np.random.SeedSequence):
            seq = seed
        else:
            seq = np.random.SeedSequence(check_int("seed", seed, minimum=0))
        # Independent streams, re-keyed per day and round: a difference in one round (a treatment that
        # changes who comes back) does not shift the random numbers of every later round.
        root = [int(x) for x in seq.generate_state(2)]

        def stream(kind: int, *key: int) -> np.random.Generator:
            return np.random.default_rng([*root, kind, *key])

        n_users = truth.taste.shape[0]
        names, policies = list(arms), list(arms.values())
        if shares is None:
            assignment = np.zeros(n_users, dtype=np.int64)
        else:
            assignment = stream(3).choice(len(arms), size=n_users, p=shares)
        k = cfg.slate_size
        if progress is None:
            expected = n_users * len(days) * cfg.requests_per_active_day * k
            progress = expected > 5_000_000
        elif not isinstance(progress, bool):
            raise TypeError(f"`progress` must be True, False or None; got {type(progress).__name__} {progress!r}.")

        if history is not None:
            check_columns("history", history, ["day", "user_id", "item_id", "click"])
            if len(history) and int(history["day"].max()) >= days.start:
                raise ValueError(
                    f"`history` must hold only days before the first simulated day {days.start}; it has day "
                    f"{int(history['day'].max())}. Pass e.g. history=events[events['day'] < {days.start}]."
                )
        memory = truth.memory(history)
        for a, pol in enumerate(policies):
            hist_a = history
            if history is not None and shares is not None and len(history):
                hist_a = history[assignment[history["user_id"].to_numpy()] == a]
            # Each policy gets its own copies: a policy that edits the tables it is given (adds a column,
            # sorts in place) must not change the world's tables, nor what another arm sees.
            pol.start(self.users.copy(), self.items.copy(), None if hist_a is None else hist_a.copy(),
                      slate_size=k)
        satisfaction = np.zeros(n_users)
        first_day = np.full(n_users, -1, dtype=np.int64)
        p = cfg.engagement
        upload = self.items["upload_day"].to_numpy()
        chunks: list[dict[str, np.ndarray]] = []
        next_request = 0
        label = names[0] if len(names) == 1 else " vs ".join(names)
        for day in tqdm(days, desc=f"simulating {label}", disable=not progress, unit="day"):
            requests = self.requests_for_day(day, stream(0, day), np.exp(p.retention * satisfaction))
            candidates = np.flatnonzero(upload <= day)
            today: list[dict[str, np.ndarray]] = []
            for rnd, batch in requests.groupby("round", sort=True):
                batch_arm = assignment[batch["user_id"].to_numpy()]
                round_cols = []
                for a, pol in enumerate(policies):
                    sub = batch[batch_arm == a].reset_index(drop=True)
                    if not len(sub):
                        continue
                    cols = self._serve(pol, sub, candidates, day, k, stream(1, day, int(rnd), a), next_request,
                                       first_day, memory, stream(2, day, int(rnd), a))
                    next_request += len(sub)
                    if shares is not None:
                        cols["arm"] = np.full(cols["item_id"].size, names[a], dtype=object)
                    pol.observe(pd.DataFrame(cols))
                    round_cols.append(cols)
                for cols in round_cols:  # users remember what the round showed them and what they clicked
                    memory.remember(cols["user_id"], cols["item_id"], cols["click"])
                today.extend(round_cols)
            self._update_satisfaction(today, satisfaction)
            for pol in policies:
                pol.end_of_day(day)
            chunks.extend(today)
        columns = [*EVENT_COLUMNS, "p_click"] + ([] if shares is None else ["arm"])
        events = pd.DataFrame({c: np.concatenate([ch[c] for ch in chunks]) for c in columns}) \
            if chunks else pd.DataFrame(columns=columns)
        signup = self.users["signup_day"].to_numpy()
        eligible = np.clip(days.stop - np.maximum(signup, days.start), 0, None)
        population = pd.DataFrame({"user_id": np.arange(n_users), "eligible_days": eligible})
        if shares is not None:
            population["arm"] = np.asarray(names, dtype=object)[assignment]
        population = population[population["eligible_days"] > 0].reset_index(drop=True)
        return SimulationResult(label, events, population)

    def _serve(self, policy, batch, candidates, day, k, rng, first_request, first_day, memory,
               outcome_rng) -> dict[str, np.ndarray]:
        """Rank one round's requests of one arm, add the dynamic terms, and draw the outcomes."""
        answer = policy.rank(batch, candidates, k=min(k, candidates.size), rng=rng)
        slates, extra = (answer.items, answer.extra) if isinstance(answer, Slates) else (answer, {})
        slates = self._check_slates(slates, len(batch), k, candidates)
        n, width = slates.shape
        users = batch["user_id"].to_numpy()
        new = first_day[users] < 0
        first_day[users[new]] = day
        cols = {
            "request_id": np.repeat(first_request + np.arange(n), width).astype(np.int64),
            "day": np.full(slates.size, day, dtype=np.int16),
            "ts": np.repeat(batch["ts"].to_numpy(), width),
            "user_id": np.repeat(users, width),
            "item_id": slates.ravel().astype(np.int32),
            "position": np.tile(np.arange(width, dtype=np.int8), n),
            "explore": np.repeat(np.asarray(extra.get("explore", np.zeros(n, bool))), width),
        }
        t = self.truth.item_main_topic[slates]
        above = np.tril(t[:, :, None] == t[:, None, :], -1).sum(axis=2).ravel()
        seen, clicked, follows = memory.state(cols["user_id"], cols["item_id"])
        dynamic = self.truth.dynamic_logit(seen, clicked, above, follows)
        effect = policy.product_effect(users, day, first_day[users])
        if effect is not None:
            effect = check_array("product_effect", effect, shape=(n,), dtype_kind="f", finite=True)
            dynamic = dynamic + np.repeat(effect, width)
        cols.update(self.outcomes(cols["user_id"], cols["item_id"], day, cols["position"], outcome_rng,
                                  dynamic=dynamic))
        return cols

    def _update_satisfaction(self, today: list[dict[str, np.ndarray]], satisfaction: np.ndarray) -> None:
        """Fold one day's outcomes into each user's satisfaction (the return dynamics)."""
        if not today:
            return
        p = self.config.engagement
        user = np.concatenate([c["user_id"] for c in today]).astype(np.int64)
        value = (np.concatenate([c["click"] for c in today]).astype(float)
                 + np.concatenate([c["like"] for c in today]) - 2.0 * np.concatenate([c["hide"] for c in today]))
        first_pos = np.concatenate([c["position"] for c in today]) == 0
        n = satisfaction.size
        per_user = np.bincount(user, weights=value, minlength=n)
        n_requests = np.bincount(user[first_pos], minlength=n)
        came = (n_requests > 0) & ~self.truth.user_bot
        v = per_user[came] / n_requests[came] - p.satisfaction_reference
        m = p.satisfaction_memory
        satisfaction[came] = np.clip((1 - m) * satisfaction[came] + m * v, -2.0, 2.0)

    @staticmethod
    def _check_slates(slates, n_requests: int, k: int, candidates: np.ndarray) -> np.ndarray:
        slates = np.asarray(slates)
        if slates.ndim != 2 or slates.shape[0] != n_requests or not 1 <= slates.shape[1] <= k:
            raise ValueError(
                f"policy.rank must return item ids of shape ({n_requests}, <= {k}); got shape {slates.shape}."
            )
        if slates.dtype.kind not in "iu":
            raise ValueError(f"policy.rank must return integer item ids; got dtype {slates.dtype}.")
        if not np.isin(slates, candidates).all():
            raise ValueError("policy.rank returned item ids that are not among the candidates available that day.")
        srt = np.sort(slates, axis=1)
        if (srt[:, 1:] == srt[:, :-1]).any():
            raise ValueError("policy.rank returned a slate that shows the same item twice.")
        return slates
