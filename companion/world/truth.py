"""The planted truth: the engagement model every outcome in the world is drawn from.

Because the truth is known, chapters can *measure* design claims against it: how far a model's
scores are from the true click probability, whether a drift detector fires at the planted day, whether
a feature-importance method recovers the informative features. Taught in chapter 00.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_array, check_int
from .config import WorldConfig
from .population import Population

__all__ = ["INFORMATIVE_FEATURES", "UNINFORMATIVE_FEATURES", "Truth"]

#: Observable quantities that enter the true engagement model (see EngagementParams).
INFORMATIVE_FEATURES: tuple[str, ...] = (
    "topic_affinity",        # user taste . item topics
    "quality",               # latent item quality (observable only through engagement)
    "item_age_days",         # freshness: day - upload_day
    "same_country",          # user country == creator country
    "age_bucket x duration", # the planted non-linear interaction
    "surge_topic_after_surge_day",
    "position",              # examination (position bias), not attractiveness
)
#: Observable attributes that play no part in the true model.
UNINFORMATIVE_FEATURES: tuple[str, ...] = ("device", "language", "creator_id", "signup_day")


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
    quality : ndarray, shape (n_items,)
        Latent item quality, standard normal.
    position_bias : ndarray, shape (slate_size,)
        Probability that a user examines position ``p``; ``position_bias[0] == 1``.
    """

    config: WorldConfig
    taste: np.ndarray
    item_topics: np.ndarray
    quality: np.ndarray
    activity: np.ndarray
    user_age_axis: np.ndarray
    user_country: np.ndarray
    user_cohort: np.ndarray
    item_country: np.ndarray
    item_main_topic: np.ndarray
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
            quality=items.latent["quality"],
            activity=users.latent["activity"],
            user_age_axis=users.latent["age_axis"],
            user_country=users.latent["country_idx"],
            user_cohort=users.latent["cohort"],
            item_country=items.latent["country_idx"],
            item_main_topic=items.latent["main_topic"],
            item_duration_s=items.table["duration_s"].to_numpy(),
            item_upload_day=items.table["upload_day"].to_numpy(),
            position_bias=1.0 / (1.0 + np.arange(config.slate_size)) ** decay,
        )

    # ------------------------------------------------------------------ the model
    def _ids(self, user_ids, item_ids, day):
        u = check_array("user_ids", user_ids, dtype_kind="iu")
        i = check_array("item_ids", item_ids, dtype_kind="iu")
        d = check_array("day", day, dtype_kind="iu")
        if u.size and (u.min() < 0 or u.max() >= self.taste.shape[0]):
            raise ValueError(
                f"`user_ids` must lie in [0, {self.taste.shape[0]}); got values in [{u.min()}, {u.max()}]."
            )
        if i.size and (i.min() < 0 or i.max() >= self.quality.shape[0]):
            raise ValueError(
                f"`item_ids` must lie in [0, {self.quality.shape[0]}); got values in [{i.min()}, {i.max()}]."
            )
        try:
            return np.broadcast_arrays(u, i, d)
        except ValueError as exc:
            raise ValueError(
                f"`user_ids`, `item_ids` and `day` must broadcast together; got shapes {u.shape}, {i.shape}, {d.shape}."
            ) from exc

    def logit_components(self, user_ids, item_ids, day) -> pd.DataFrame:
        """Each additive term of the true attractiveness logit, one row per (user, item, day).

        Parameters
        ----------
        user_ids, item_ids, day : array-like of int, broadcastable to shape (n,)

        Returns
        -------
        DataFrame, shape (n, 7)
            Columns ``intercept, affinity, quality, freshness, same_country, interaction, surge``;
            their row sum is the logit of :meth:`attractiveness`.
        """
        u, i, d = self._ids(user_ids, item_ids, day)
        p, c = self.config.engagement, self.config
        t = c.n_topics
        aff_raw = np.einsum("...k,...k->...", self.taste[u], self.item_topics[i])
        age_days = d - self.item_upload_day[i]
        dur_axis = np.clip(np.log(self.item_duration_s[i] / 60.0), -1.5, 1.5)
        surge = (self.item_main_topic[i] == c.surge_topic) & (d >= c.surge_day)
        return pd.DataFrame({
            "intercept": np.full(u.shape, p.intercept),
            "affinity": p.affinity * np.log((aff_raw + p.affinity_eps) / (1.0 / t + p.affinity_eps)),
            "quality": p.quality * self.quality[i],
            "freshness": p.freshness * np.exp(-np.maximum(age_days, 0) / p.freshness_days),
            "same_country": p.same_country * (self.user_country[u] == self.item_country[i]),
            "interaction": p.interaction * (-self.user_age_axis[u] * dur_axis),
            "surge": p.surge * surge,
        })

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
        attractiveness = self.attractiveness(user_ids, item_ids, day)
        try:
            return self.position_bias[pos] * attractiveness
        except ValueError as exc:
            raise ValueError(
                f"`position` must broadcast with the ids; got shape {pos.shape} for ids of shape "
                f"{attractiveness.shape}."
            ) from exc

    def best_items(self, user_id: int, day: int, candidates, *, k: int = 10) -> np.ndarray:
        """The oracle: the ``k`` candidates with the highest true attractiveness for one user."""
        check_int("user_id", user_id, minimum=0, maximum=self.taste.shape[0] - 1)
        check_int("k", k, minimum=1)
        cand = check_array("candidates", candidates, ndim=1, dtype_kind="iu")
        score = self.attractiveness(np.full(cand.size, user_id), cand, day)
        return cand[np.argsort(-score, kind="stable")[:k]]

    # ------------------------------------------------------------------ planted facts
    @property
    def change_points(self) -> dict[str, int]:
        """Days of the planted concept drift (topic surge) and covariate shift (cohort arrival)."""
        c = self.config
        return {"surge_day": c.surge_day, "surge_topic": c.surge_topic, "cohort_day": c.cohort_day}

    @property
    def informative_features(self) -> tuple[str, ...]:
        """The observable quantities that enter the true model (compare :data:`UNINFORMATIVE_FEATURES`)."""
        return INFORMATIVE_FEATURES

    def arrays(self) -> dict[str, np.ndarray]:
        """The latent arrays by name (what :func:`companion.datasets.save_world` writes)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "config"}
