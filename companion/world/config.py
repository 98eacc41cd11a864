"""Sizes and planted parameters of the synthetic world.

A :class:`WorldConfig` fixes everything about a world except the seed: how many users and items, how
many days, when the planted change points happen, and the coefficients of the true engagement model.
Taught in chapter 00.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .._validation import check_choice, check_int, check_number

__all__ = ["SIZES", "EngagementParams", "WorldConfig", "world_config"]

AGE_BUCKETS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
#: Position in the age axis of the planted age x duration interaction: young = +1, old = -1.
AGE_AXIS: tuple[float, ...] = (1.0, 0.5, 0.0, -0.5, -1.0)
AGE_PROBS: tuple[float, ...] = (0.22, 0.30, 0.22, 0.15, 0.11)
COUNTRIES: tuple[str, ...] = ("US", "IN", "BR", "GB", "DE", "FR", "MX", "JP", "ES", "NG", "CA", "IT")
LANGUAGE_OF: dict[str, str] = {
    "US": "en", "IN": "en", "BR": "pt", "GB": "en", "DE": "de", "FR": "fr", "MX": "es",
    "JP": "ja", "ES": "es", "NG": "en", "CA": "en", "IT": "it",
}
DEVICES: tuple[str, ...] = ("android", "ios", "web")
DEVICE_PROBS: tuple[float, ...] = (0.55, 0.35, 0.10)


@dataclass(frozen=True)
class EngagementParams:
    """Coefficients of the planted engagement model (logit scale unless noted).

    The probability that user ``u`` clicks item ``i`` shown at position ``p`` on day ``d`` is
    ``position_bias[p] * sigmoid(logit)`` with

    ``logit = intercept + affinity * log((taste_u . topics_i + eps) / (1/T + eps))``
    ``       + quality * q_i + freshness * exp(-age / freshness_days) + same_country * [country match]``
    ``       + interaction * (-age_axis_u * clip(log(duration_i / 60), -1.5, 1.5))``
    ``       + surge * [topic_i == surge_topic and d >= surge_day]``.
    """

    intercept: float = -2.2
    affinity: float = 0.9
    affinity_eps: float = 0.02
    quality: float = 0.6
    freshness: float = 0.8
    freshness_days: float = 3.0
    same_country: float = 0.4
    interaction: float = 0.9
    surge: float = 1.2
    position_decay: float = 0.7  # examination probability at position p is 1 / (1 + p) ** position_decay


@dataclass(frozen=True)
class WorldConfig:
    """Everything that defines a world except its seed.

    Parameters
    ----------
    n_users, n_items : int
        Users and items over the whole horizon (including those who arrive later).
    n_days : int
        Days simulated; day 0 is the first logged day.
    slate_size : int
        Items shown per request (positions ``0 .. slate_size - 1``).
    initial_user_share, initial_item_share : float
        Share of users/items present on day 0; the rest arrive daily (cold start).
    requests_per_active_day : float
        Mean number of feed requests of an average user on a day.
    signup_day_boost : float
        Multiplier of a user's request rate on the day they sign up (the first-day exploration burst).
    explore_share : float
        Share of the logging policy's requests whose slate order is uniformly shuffled
        (the randomisation bucket that makes position bias measurable).
    surge_day, cohort_day : int
        Days of the planted concept drift (a topic surges) and covariate shift (a cohort joins).
    cohort_share : float
        Share of all users that join as the new cohort on ``cohort_day``.
    """

    name: str = "custom"
    n_users: int = 3_000
    n_items: int = 2_000
    n_days: int = 28
    n_topics: int = 20
    n_creators: int = 250
    slate_size: int = 10
    initial_user_share: float = 0.6
    initial_item_share: float = 0.5
    requests_per_active_day: float = 0.5
    signup_day_boost: float = 4.0
    explore_share: float = 0.1
    surge_day: int = 18
    surge_topic: int = 12  # "diy"
    cohort_day: int = 10
    cohort_share: float = 0.12
    engagement: EngagementParams = field(default_factory=EngagementParams)

    def __post_init__(self) -> None:
        if not isinstance(self.engagement, EngagementParams):
            raise TypeError(
                f"`engagement` must be an EngagementParams; got {type(self.engagement).__name__}. "
                "Pass e.g. engagement=EngagementParams(surge=1.0)."
            )
        check_int("slate_size", self.slate_size, minimum=1, maximum=50)
        check_int("n_users", self.n_users, minimum=10)
        check_int("n_items", self.n_items, minimum=self.slate_size * 4,
                  hint="A world needs at least four slates' worth of items.")
        check_int("n_days", self.n_days, minimum=4)
        check_int("n_topics", self.n_topics, minimum=2, maximum=20)
        check_int("n_creators", self.n_creators, minimum=1)
        check_number("initial_user_share", self.initial_user_share, minimum=0.05, maximum=1.0)
        check_number("initial_item_share", self.initial_item_share, minimum=0.05, maximum=1.0)
        check_number("requests_per_active_day", self.requests_per_active_day, strict_minimum=True, minimum=0)
        check_number("signup_day_boost", self.signup_day_boost, minimum=0.0)
        check_number("explore_share", self.explore_share, minimum=0.0, maximum=1.0)
        check_int("surge_day", self.surge_day, minimum=1, maximum=self.n_days - 1)
        check_int("surge_topic", self.surge_topic, minimum=0, maximum=self.n_topics - 1)
        check_int("cohort_day", self.cohort_day, minimum=1, maximum=self.n_days - 1)
        check_number("cohort_share", self.cohort_share, minimum=0.0, maximum=0.5)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (used in dataset manifests)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldConfig:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["engagement"] = EngagementParams(**data.get("engagement", {}))
        return cls(**data)


SIZES: dict[str, WorldConfig] = {
    # unit tests: well under a second
    "tiny": WorldConfig(name="tiny", n_users=300, n_items=400, n_days=14, n_creators=60,
                        surge_day=9, cohort_day=5, requests_per_active_day=0.6),
    # the book's default: a few seconds
    "small": WorldConfig(name="small"),
    # benchmarks: millions of events
    "large": WorldConfig(name="large", n_users=40_000, n_items=20_000, n_days=56, n_creators=2_000,
                         surge_day=36, cohort_day=20),
}


def world_config(size: str | WorldConfig, **overrides: Any) -> WorldConfig:
    """Return the config of a named size (``"tiny"``, ``"small"``, ``"large"``), with overrides.

    >>> world_config("tiny", n_days=20).n_days
    20
    """
    if isinstance(size, WorldConfig):
        base = size
    elif isinstance(size, str):
        base = SIZES[check_choice("size", size, SIZES)]
    else:
        raise TypeError(
            f"`size` must be one of {sorted(SIZES)} or a WorldConfig; got {type(size).__name__} {size!r}."
        )
    if not overrides:
        return base
    unknown = sorted(set(overrides) - set(WorldConfig.__dataclass_fields__))
    if unknown:
        raise TypeError(
            f"unknown world setting(s) {unknown}; valid settings are {sorted(WorldConfig.__dataclass_fields__)}."
        )
    return replace(base, name=overrides.pop("name", f"{base.name}*"), **overrides)
