"""The planted truth: the engagement model every outcome in the world is drawn from.

Because the truth is known, chapters can *measure* design claims against it: how far a model's
scores are from the true click probability, whether a drift detector fires at the planted day, whether
a feature-importance method recovers the informative features. Taught in chapter 00.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_array, check_columns, check_int
from .config import WorldConfig
from .population import Population
from .topics import TOPICS

__all__ = ["INFORMATIVE_FEATURES", "UNINFORMATIVE_FEATURES", "Truth"]

#: Each planted term of the true model, mapped to the observable columns that reveal it (see the dataset card).
#: A feature-importance method should find these columns; it should find nothing in UNINFORMATIVE_FEATURES.
INFORMATIVE_FEATURES: dict[str, tuple[str, ...]] = {
    "affinity": ("user_id", "topic"),                      # taste over topics, seen in a user's click history
    "factor": ("user_id", "item_id", "creator_id", "title", "description"),  # hidden subtopic/creator/series
    "quality": ("item_id", "creator_id"),                  # creator quality + item noise, seen in engagement
    "freshness": ("upload_day", "day"),
    "same_country": ("country", "creator_country"),
    "interaction": ("age_bucket", "duration_s", "day"),     # age x duration; flips on drift_day
    "surge": ("topic", "day"),
    "fade": ("topic", "day"),
    "satiation": ("user_id", "item_id", "ts"),              # earlier impressions and clicks of the same item
    "fatigue": ("request_id", "position", "topic"),         # same-topic items higher in the slate
    "follow": ("user_id", "creator_id", "title", "ts"),     # earlier clicks on the same series ("... part 2")
    "position": ("position",),                             # examination (position bias), not attractiveness
}
#: Observable attributes that play no part in the true model (language is mostly implied by country).
UNINFORMATIVE_FEATURES: tuple[str, ...] = ("device", "language")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Truth:
    """Latent state and the true engagement model of one world.

    Attributes
    ----------
    taste : ndarray, shape (n_users, n_topics)
        Each user's true taste over topics (rows sum to 1).
    item_topics : ndarray, shape (n_items, n_topics)
        Each item's topic mix: 0.75 on its main topic, 0.25 on its secondary one.
    user_factors, item_factors : ndarray, shapes (n_users, n_factors) and (n_items, n_factors)
        Hidden factors; their dot product is the part of taste that the topic does not show. Item
        factors are built from the item's hidden subtopic, creator and series.
    quality : ndarray, shape (n_items,)
        Latent item quality: the creator's quality plus item noise.
    user_bot : ndarray of bool, shape (n_users,)
        Bots: very active users who click at random and watch for about a second.
    item_subtopic : ndarray, shape (n_items,)
        Hidden subtopic, ``4 * topic + k``; the vocabulary of the item's text comes from it.
    item_duration_s : ndarray, shape (n_items,)
        True durations (the logged ``items.duration_s`` is missing or corrupted for a few items).
    position_bias : ndarray, shape (slate_size,)
        Probability that a user examines position ``p``; ``position_bias[0] == 1``.
    """

    config: WorldConfig
    taste: np.ndarray
    item_topics: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray
    quality: np.ndarray
    activity: np.ndarray
    user_age_axis: np.ndarray
    user_country: np.ndarray
    user_cohort: np.ndarray
    user_bot: np.ndarray
    item_country: np.ndarray
    item_main_topic: np.ndarray
    item_second_topic: np.ndarray
    item_subtopic: np.ndarray
    item_creator: np.ndarray
    item_series: np.ndarray
    creator_quality: np.ndarray
    item_duration_s: np.ndarray
    item_upload_day: np.ndarray
    position_bias: np.ndarray = field(repr=False)

    @classmethod
    def from_populations(cls, config: WorldConfig, users: Population, items: Population) -> Truth:
        """Assemble the truth from the latent parts of the user and item populations."""
        n_items, t = config.n_items, config.n_topics
        mix = np.zeros((n_items, t))
        rows = np.arange(n_items)
        mix[rows, items.latent["main_topic"]] += 0.75
        mix[rows, items.latent["second_topic"]] += 0.25
        decay = config.engagement.position_decay
        return cls(
            config=config,
            taste=users.latent["taste"],
            item_topics=mix,
            user_factors=users.latent["factors"],
            item_factors=items.latent["factors"],
            quality=items.latent["quality"],
            activity=users.latent["activity"],
            user_age_axis=users.latent["age_axis"],
            user_country=users.latent["country_idx"],
            user_cohort=users.latent["cohort"],
            user_bot=users.latent["bot"],
            item_country=items.latent["country_idx"],
            item_main_topic=items.latent["main_topic"],
            item_second_topic=items.latent["second_topic"],
            item_subtopic=items.latent["subtopic"],
            item_creator=items.table["creator_id"].to_numpy(),
            item_series=items.latent["series"],
            creator_quality=items.latent["creator_quality"],
            item_duration_s=items.latent["duration_s"],
            item_upload_day=items.table["upload_day"].to_numpy(),
            position_bias=1.0 / (1.0 + np.arange(config.slate_size)) ** decay,
        )

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):  # the truth is read-only: a later world cannot be edited through it
                frozen = np.array(value, copy=True)
                frozen.setflags(write=False)
                object.__setattr__(self, name, frozen)

    # ------------------------------------------------------------------ the model
    def _ids(self, user_ids, item_ids, day, *, flat: bool = False):
        """Validated ids broadcast together; ``flat`` refuses a broadcast shape of more than one dimension."""
        u = check_array("user_ids", user_ids, dtype_kind="iu")
        i = check_array("item_ids", item_ids, dtype_kind="iu")
        d = check_array("day", day, dtype_kind="iu")
        n_days = self.config.n_days
        if d.size and (d.min() < 0 or d.max() >= n_days):
            raise ValueError(f"`day` must lie in [0, {n_days}) (the days of this world); got values in "
                             f"[{d.min()}, {d.max()}].")
        if u.size and (u.min() < 0 or u.max() >= self.taste.shape[0]):
            raise ValueError(
                f"`user_ids` must lie in [0, {self.taste.shape[0]}); got values in [{u.min()}, {u.max()}]."
            )
        if i.size and (i.min() < 0 or i.max() >= self.quality.shape[0]):
            raise ValueError(
                f"`item_ids` must lie in [0, {self.quality.shape[0]}); got values in [{i.min()}, {i.max()}]."
            )
        try:
            out = np.broadcast_arrays(u, i, d)
        except ValueError as exc:
            raise ValueError(
                f"`user_ids`, `item_ids` and `day` must broadcast together; got shapes {u.shape}, {i.shape}, {d.shape}."
            ) from exc
        if flat and out[0].ndim > 1:
            raise ValueError(
                f"`user_ids`, `item_ids` and `day` must be scalars or 1-D arrays (one value per impression); got "
                f"shapes {u.shape}, {i.shape}, {d.shape}. For a grid of users x items use logit_terms."
            )
        return out

    def logit_components(self, user_ids, item_ids, day) -> pd.DataFrame:
        """Each additive term of the static true logit, one row per (user, item, day).

        Static means: for an item the user has not seen before, at the top of a slate, served without
        a product treatment (the dynamic terms, satiation, fatigue and treatment effects, are added by
        the :class:`~companion.world.Simulator`; see :class:`~companion.world.EngagementParams`).

        Parameters
        ----------
        user_ids, item_ids, day : array-like of int, broadcastable to shape (n,)

        Returns
        -------
        DataFrame, shape (n, 10)
            Columns ``intercept, affinity, factor, quality, freshness, same_country, interaction, surge,
            fade`` and their row sum is the logit of :meth:`attractiveness`.
        """
        self._ids(user_ids, item_ids, day, flat=True)
        return pd.DataFrame({name: np.ravel(v) for name, v in self.logit_terms(user_ids, item_ids, day).items()})

    def logit_terms(self, user_ids, item_ids, day) -> dict[str, np.ndarray]:
        """The terms of :meth:`logit_components` as a dict of arrays of the broadcast shape (any ndim).

        Faster than the DataFrame and keeps 2-D shapes, e.g. users[:, None] x items[None, :].
        """
        u, i, d = self._ids(user_ids, item_ids, day)
        p, c = self.config.engagement, self.config
        t = c.n_topics
        # taste . item_topics, where an item's topic mix is 0.75 main + 0.25 secondary (two gathers, no matmul)
        aff_raw = 0.75 * self.taste[u, self.item_main_topic[i]] + 0.25 * self.taste[u, self.item_second_topic[i]]
        age_days = d - self.item_upload_day[i]
        dur_axis = np.clip(np.log(self.item_duration_s[i] / 60.0), -1.5, 1.5)
        topic = self.item_main_topic[i]
        coef = np.where(d >= c.drift_day, p.interaction_after_drift, p.interaction)
        return {
            "intercept": np.full(u.shape, p.intercept),
            "affinity": p.affinity * np.log((aff_raw + p.affinity_eps) / (1.0 / t + p.affinity_eps)),
            "factor": p.factor * np.einsum("...k,...k->...", self.user_factors[u], self.item_factors[i]),
            "quality": p.quality * self.quality[i],
            "freshness": p.freshness * np.exp(-np.maximum(age_days, 0) / p.freshness_days),
            "same_country": p.same_country * (self.user_country[u] == self.item_country[i]),
            "interaction": coef * (-self.user_age_axis[u] * dur_axis),
            "surge": p.surge * ((topic == c.surge_topic) & (d >= c.surge_day)),
            "fade": -p.fade * np.maximum(d - c.fade_start_day, 0) * (topic == c.fade_topic),
        }

    def dynamic_logit(self, seen, clicked, same_topic_above, followed=None) -> np.ndarray:
        """The dynamic part of the logit: satiation, topic fatigue in the slate, and following a series.

        Parameters
        ----------
        seen, clicked : array-like of bool, shape (n,)
            Whether the user saw (clicked) the item in an earlier request.
        same_topic_above : array-like of int, shape (n,)
            Items of the same main topic shown above this one in the slate.
        followed : array-like of bool, shape (n,), optional
            Whether the user clicked another item of the item's series before.
        """
        p = self.config.engagement
        seen = check_array("seen", seen, dtype_kind="b")
        clicked = check_array("clicked", clicked, dtype_kind="b")
        above = check_array("same_topic_above", same_topic_above, dtype_kind="iu")
        if above.size and above.min() < 0:
            raise ValueError(f"`same_topic_above` counts items, so it must be >= 0; got a minimum of {above.min()}.")
        arrays = {"seen": seen, "clicked": clicked, "same_topic_above": above}
        if followed is not None:
            arrays["followed"] = check_array("followed", followed, dtype_kind="b")
        shapes = {name: a.shape for name, a in arrays.items()}
        if len(set(shapes.values())) > 1:
            raise ValueError("`seen`, `clicked`, `same_topic_above` and `followed` must have the same shape (one "
                             f"value per impression); got {shapes}.")
        out = -p.seen_penalty * seen - p.clicked_penalty * clicked - p.fatigue * above
        if followed is not None:
            out = out + p.follow * arrays["followed"]
        return out

    def memory(self, history: pd.DataFrame | None):
        """What users remember after ``history`` (impressions with ``user_id, item_id, click``).

        Returns a :class:`~companion.world.memory.UserMemory`: items seen and clicked, and the series
        each user follows (``memory.state(users, items)`` gives seen, clicked, follows).
        """
        from .memory import UserMemory

        memory = UserMemory(self.taste.shape[0], self.quality.shape[0], self.item_series)
        if history is not None and len(history):
            check_columns("history", history, ["user_id", "item_id", "click"])
            memory.remember(history["user_id"].to_numpy(), history["item_id"].to_numpy(),
                            history["click"].to_numpy().astype(bool))
        return memory

    def attractiveness(self, user_ids, item_ids, day) -> np.ndarray:
        """True probability of a click given that the item is examined, shape (n,)."""
        comp = self.logit_components(user_ids, item_ids, day)
        return _sigmoid(comp.to_numpy().sum(axis=1))

    def utility(self, user_ids, item_ids, day) -> np.ndarray:
        """Alias of :meth:`attractiveness`: the true value of showing ``item`` to ``user`` on ``day``."""
        return self.attractiveness(user_ids, item_ids, day)

    def click_probability(self, user_ids, item_ids, day, position) -> np.ndarray:
        """True click probability at a slate position: ``position_bias[position] * attractiveness``."""
        pos = check_array("position", position, dtype_kind="iu")
        k = self.position_bias.size
        if pos.size and (pos.min() < 0 or pos.max() >= k):
            raise ValueError(f"`position` must lie in [0, {k}); got values in [{pos.min()}, {pos.max()}].")
        ids_shape = np.broadcast_arrays(*self._ids(user_ids, item_ids, day, flat=True))[0].shape
        try:
            ok = np.broadcast_shapes(pos.shape, ids_shape) == ids_shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"`position` must broadcast with the ids; got shape {pos.shape} for ids of shape {ids_shape}."
            )
        return self.position_bias[pos] * self.attractiveness(user_ids, item_ids, day)

    def _candidates(self, candidates) -> np.ndarray:
        cand = check_array("candidates", candidates, ndim=1, dtype_kind="iu", allow_empty=False)
        n = self.quality.shape[0]
        if cand.min() < 0 or cand.max() >= n:
            raise ValueError(f"`candidates` must hold valid item ids (`item_ids` must lie in [0, {n})); got values "
                             f"in [{cand.min()}, {cand.max()}].")
        return cand

    def best_items(self, user_id: int, day: int, candidates, *, k: int = 10) -> np.ndarray:
        """The oracle: the ``k`` candidates with the highest true attractiveness for one user."""
        check_int("user_id", user_id, minimum=0, maximum=self.taste.shape[0] - 1)
        check_int("day", day, minimum=0, maximum=self.config.n_days - 1)
        check_int("k", k, minimum=1)  # k above the number of candidates returns them all
        cand = self._candidates(candidates)
        score = self.attractiveness(np.full(cand.size, user_id), cand, day)
        return cand[np.argsort(-score, kind="stable")[:k]]

    def top_items(self, user_ids, candidates, day: int, *, k: int = 20,
                  history: pd.DataFrame | None = None) -> np.ndarray:
        """The oracle for many users: each user's ``k`` candidates of highest true attractiveness.

        Without ``history`` the static attractiveness (a user who remembers nothing). With ``history``
        (the impressions before ``day``) the true value for the user as they are then: items seen or
        clicked are worth less (satiation), items of series they follow more.

        Returns item ids of shape (len(user_ids), k), best first. Computed in chunks (memory stays small).
        """
        users = check_array("user_ids", user_ids, ndim=1, dtype_kind="iu")
        cand = self._candidates(candidates)
        check_int("k", k, minimum=1, maximum=cand.size)
        check_int("day", day, minimum=0, maximum=self.config.n_days - 1)
        if users.size and (users.min() < 0 or users.max() >= self.taste.shape[0]):
            raise ValueError(f"`user_ids` must lie in [0, {self.taste.shape[0]}); got values in "
                             f"[{users.min()}, {users.max()}].")
        state = None if history is None else self.memory(history)
        out = np.empty((users.size, k), dtype=np.int64)
        step = max(1, 2_000_000 // cand.size)
        for s in range(0, users.size, step):
            u = users[s:s + step]
            uu, ii = np.broadcast_arrays(u[:, None], cand[None, :])
            score = sum(self.logit_terms(uu, ii, day).values())
            if state is not None:
                seen, clicked, follows = state.state(uu, ii)
                score = score + self.dynamic_logit(seen, clicked, np.zeros(uu.shape, dtype=np.int64), follows)
            top = np.argpartition(-score, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(score, top, axis=1), axis=1, kind="stable")
            out[s:s + step] = cand[np.take_along_axis(top, order, axis=1)]
        return out

    # ------------------------------------------------------------------ planted facts
    @property
    def change_points(self) -> dict[str, int]:
        """Days (and topics) of every planted change: surge, cohort, concept drift, gradual fade."""
        c = self.config
        return {"surge_day": c.surge_day, "surge_topic": c.surge_topic, "cohort_day": c.cohort_day,
                "drift_day": c.drift_day, "fade_topic": c.fade_topic, "fade_start_day": c.fade_start_day}

    @property
    def informative_features(self) -> dict[str, tuple[str, ...]]:
        """Each planted term mapped to the observable columns that reveal it (``INFORMATIVE_FEATURES``)."""
        return INFORMATIVE_FEATURES

    def planted_effects(self) -> pd.DataFrame:
        """Every planted effect: its logit coefficient, the day it starts, and the columns that reveal it."""
        p, c = self.config.engagement, self.config
        rows = [
            ("affinity", p.affinity, 0, "user taste over topics (log ratio to uniform)"),
            ("factor", p.factor, 0, "hidden user x item factors: subtopic, creator, series"),
            ("quality", p.quality, 0, "item quality = creator quality + noise"),
            ("freshness", p.freshness, 0, f"exp(-item age / {p.freshness_days} days)"),
            ("same_country", p.same_country, 0, "user and creator share a country"),
            ("interaction", p.interaction, 0, "young users prefer short videos, older users long ones"),
            ("interaction", p.interaction_after_drift, c.drift_day, "concept drift: the age x duration relation flips"),
            ("surge", p.surge, c.surge_day, f"topic {TOPICS[c.surge_topic].name!r} surges (appeal, uploads)"),
            ("fade", -p.fade, c.fade_start_day, f"topic {TOPICS[c.fade_topic].name!r} fades, per day since"),
            ("satiation", -p.seen_penalty, 0, "item seen before by the user"),
            ("satiation", -p.clicked_penalty, 0, "item clicked before by the user (added to seen)"),
            ("fatigue", -p.fatigue, 0, "per same-topic item above in the slate"),
            ("follow", p.follow, 0, "user clicked another item of the same series before"),
            ("position", p.position_decay, 0, "examination probability 1 / (1 + position) ** decay"),
            ("retention", p.retention, 0, "request rate x exp(retention * satisfaction)"),
            ("cohort", c.cohort_share, c.cohort_day, "share of users joining as a cohort (covariate shift)"),
            ("bots", c.bot_share, 0, "share of users that are bots"),
        ]
        table = pd.DataFrame(rows, columns=["effect", "magnitude", "starts_day", "what"])
        other = {"retention": ("user_id", "day"), "cohort": ("signup_day", "country", "age_bucket"),
                 "bots": ("user_id", "ts", "watch_s")}
        table["revealed_by"] = [", ".join(INFORMATIVE_FEATURES.get(e) or other[e]) for e in table["effect"]]
        return table

    def arrays(self) -> dict[str, np.ndarray]:
        """The latent arrays by name (what :func:`companion.datasets.save_world` writes)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "config"}
