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
    ``position_bias[p] * sigmoid(logit)``. The *static* part of the logit (what
    :meth:`Truth.logit_components` returns) is

    ``intercept + affinity * log((taste_u . topics_i + eps) / (1/T + eps))``   (taste over observed topics)
    ``+ factor * (f_u . g_i)``                              (hidden factors: subtopic, creator, series)
    ``+ quality * q_i + freshness * exp(-age / freshness_days) + same_country * [country match]``
    ``+ interaction(d) * (-age_axis_u * clip(log(duration_i / 60), -1.5, 1.5))``
    ``+ surge * [topic_i == surge_topic and d >= surge_day]``
    ``- fade * max(0, d - fade_start_day) * [topic_i == fade_topic]``

    where ``interaction(d)`` is ``interaction`` before ``drift_day`` and ``interaction_after_drift``
    from it (the planted concept drift). The *dynamic* part depends on the user's past and the slate:
    ``- seen_penalty * [user saw i before] - clicked_penalty * [user clicked i before]`` (satiation),
    ``+ follow * [user clicked another item of i's series before]`` (fans follow a series),
    ``- fatigue * (items of the same topic above i in the slate)`` (topic fatigue), and the true
    effect of a product treatment, if the serving policy carries one (see
    :class:`companion.world.TreatedPolicy`).
    """

    intercept: float = -2.3
    affinity: float = 0.7
    affinity_eps: float = 0.02
    factor: float = 1.5
    quality: float = 0.4
    freshness: float = 1.0
    freshness_days: float = 2.0
    same_country: float = 0.4
    interaction: float = 0.8
    interaction_after_drift: float = -0.8
    surge: float = 1.2
    fade: float = 0.08
    seen_penalty: float = 0.5
    clicked_penalty: float = 1.2
    fatigue: float = 0.3
    follow: float = 1.0
    position_decay: float = 0.7  # examination probability at position p is 1 / (1 + p) ** position_decay
    # Return dynamics: a user's request rate is multiplied by exp(retention * satisfaction), where
    # satisfaction is an exponential average (weight satisfaction_memory per active day) of the day's
    # (clicks + likes - 2 hides) per request minus satisfaction_reference, clipped to [-2, 2].
    retention: float = 0.6
    satisfaction_memory: float = 0.3
    satisfaction_reference: float = 0.6

    def __post_init__(self) -> None:
        # Logit coefficients live in [-100, 100]: beyond that a sigmoid is 0 or 1 and exp() overflows.
        for name in self.__dataclass_fields__:
            check_number(name, getattr(self, name), minimum=-100.0, maximum=100.0,
                         hint="EngagementParams holds finite logit coefficients in [-100, 100].")
        check_number("affinity_eps", self.affinity_eps, strict_minimum=True, minimum=0.0)
        check_number("freshness_days", self.freshness_days, strict_minimum=True, minimum=0.0)
        check_number("position_decay", self.position_decay, minimum=0.0, maximum=10.0)
        check_number("satisfaction_memory", self.satisfaction_memory, minimum=0.0, maximum=1.0)
        for name in ("seen_penalty", "clicked_penalty", "fatigue", "follow", "fade", "retention"):
            check_number(name, getattr(self, name), minimum=0.0)


@dataclass(frozen=True)
class WorldConfig:
    """Everything that defines a world except its seed.

    Parameters
    ----------
    n_users, n_items : int
        Users and items over the whole horizon (including those who arrive later).
    n_days : int
        Days simulated; day 0 is the first logged day.
    n_topics : int
        Observed topics (at most 20); each has 4 hidden subtopics with their own vocabulary.
    n_creators : int
        Creators; each has a quality, a home topic and subtopic, and uploads items in series.
    n_factors : int
        Dimension of the hidden user and item factors (the part of taste the topic does not show).
    slate_size : int
        Items shown per request (positions ``0 .. slate_size - 1``).
    initial_user_share, initial_item_share : float
        Share of users/items present on day 0; the rest arrive daily (cold start).
    requests_per_active_day : float
        Mean number of feed requests of an average user on a day (before return dynamics).
    signup_day_boost : float
        Multiplier of a user's request rate on the day they sign up (the first-day exploration burst).
    explore_share : float
        Share of the logging policy's requests whose slate order is uniformly shuffled
        (the randomisation bucket that makes position bias measurable).
    surge_day, surge_topic : int
        A topic surges from this day (uploads triple, and its appeal rises).
    cohort_day, cohort_share :
        A cohort of this share of all users joins on this day (covariate shift).
    drift_day : int
        The age x duration relation flips on this day (concept drift; see EngagementParams).
    fade_topic, fade_start_day : int
        A topic's appeal fades linearly from this day (gradual drift).
    bot_share : float
        Share of users that are bots: very active, clicking at random, watching for a second.
    missing_duration_share, extreme_duration_share : float
        Share of items whose logged ``duration_s`` is missing (NaN) or corrupted (0 or 86,400 s).
    missing_topic_share, wrong_topic_share : float
        Share of items whose ``topic`` tag is missing or names another topic.
    duplicate_event_share : float
        Share of impression rows logged twice (client retries).
    """

    name: str = "custom"
    n_users: int = 3_000
    n_items: int = 2_000
    n_days: int = 28
    n_topics: int = 20
    n_creators: int = 250
    n_factors: int = 8
    slate_size: int = 10
    initial_user_share: float = 0.6
    initial_item_share: float = 0.5
    requests_per_active_day: float = 1.5
    signup_day_boost: float = 3.0
    explore_share: float = 0.1
    surge_day: int = 18
    surge_topic: int = 12  # "diy"
    cohort_day: int = 10
    cohort_share: float = 0.12
    drift_day: int = 14
    fade_topic: int = 3  # "gaming"
    fade_start_day: int = 7
    bot_share: float = 0.005
    missing_duration_share: float = 0.02
    extreme_duration_share: float = 0.005
    missing_topic_share: float = 0.05
    wrong_topic_share: float = 0.05
    duplicate_event_share: float = 0.005
    engagement: EngagementParams = field(default_factory=EngagementParams)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"`name` must be a str; got {type(self.name).__name__} {self.name!r}.")
        if not isinstance(self.engagement, EngagementParams):
            raise TypeError(
                f"`engagement` must be an EngagementParams; got {type(self.engagement).__name__}. "
                "Pass e.g. engagement=EngagementParams(surge=1.0)."
            )
        check_int("slate_size", self.slate_size, minimum=1, maximum=50)
        check_int("n_users", self.n_users, minimum=10, maximum=10_000_000)
        check_int("n_items", self.n_items, minimum=self.slate_size * 4, maximum=10_000_000,
                  hint="A world needs at least four slates' worth of items.")
        check_int("n_days", self.n_days, minimum=4, maximum=3_650)
        check_int("n_topics", self.n_topics, minimum=2, maximum=20)
        check_int("n_creators", self.n_creators, minimum=1, maximum=self.n_items,
                  hint="Every creator needs at least one item to be a creator.")
        check_int("n_factors", self.n_factors, minimum=1, maximum=256)
        check_number("initial_user_share", self.initial_user_share, minimum=0.05, maximum=1.0)
        check_number("initial_item_share", self.initial_item_share, minimum=0.05, maximum=1.0)
        check_number("requests_per_active_day", self.requests_per_active_day, strict_minimum=True, minimum=0,
                     maximum=100.0)
        check_number("signup_day_boost", self.signup_day_boost, minimum=0.0, maximum=100.0)
        check_number("explore_share", self.explore_share, minimum=0.0, maximum=1.0)
        for day in ("surge_day", "cohort_day", "drift_day", "fade_start_day"):
            check_int(day, getattr(self, day), minimum=1, maximum=self.n_days - 1)
        check_int("surge_topic", self.surge_topic, minimum=0, maximum=self.n_topics - 1)
        check_int("fade_topic", self.fade_topic, minimum=0, maximum=self.n_topics - 1)
        if self.fade_topic == self.surge_topic:
            raise ValueError(f"`fade_topic` must differ from `surge_topic`; both are {self.fade_topic}.")
        check_number("cohort_share", self.cohort_share, minimum=0.0, maximum=0.5)
        for share in ("bot_share", "missing_duration_share", "extreme_duration_share", "missing_topic_share",
                      "wrong_topic_share", "duplicate_event_share"):
            check_number(share, getattr(self, share), minimum=0.0, maximum=0.2)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (used in dataset manifests)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldConfig:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict):
            raise TypeError(f"`data` must be a dict; got {type(data).__name__}.")
        data = dict(data)
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"`data` has unknown world setting(s) {unknown}.")
        engagement = data.get("engagement", {})
        if not isinstance(engagement, dict):
            raise TypeError(f"`data['engagement']` must be a dict; got {type(engagement).__name__}.")
        unknown = sorted(set(engagement) - set(EngagementParams.__dataclass_fields__))
        if unknown:
            raise ValueError(f"`data['engagement']` has unknown parameter(s) {unknown}.")
        data["engagement"] = EngagementParams(**engagement)
        return cls(**data)


SIZES: dict[str, WorldConfig] = {
    # unit tests: well under a second
    "tiny": WorldConfig(name="tiny", n_users=300, n_items=400, n_days=14, n_creators=60,
                        surge_day=9, cohort_day=5, drift_day=7, fade_start_day=4, requests_per_active_day=1.5),
    # the book's default: a few seconds
    "small": WorldConfig(name="small"),
    # retrieval and ranking chapters: enough history per user for collaborative filtering
    "medium": WorldConfig(name="medium", n_users=6_000, n_items=3_000, n_creators=400,
                          requests_per_active_day=2.5),
    # benchmarks: millions of events
    "large": WorldConfig(name="large", n_users=40_000, n_items=20_000, n_days=56, n_creators=2_000,
                         surge_day=36, cohort_day=20, drift_day=28, fade_start_day=14,
                         requests_per_active_day=0.5),
}


def world_config(size: str | WorldConfig, **overrides: Any) -> WorldConfig:
    """Return the config of a named size (``"tiny"``, ``"small"``, ``"medium"``, ``"large"``), with overrides.

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
