"""Users, creators and items of the synthetic world: observable attributes plus latent truth.

Users carry a latent taste over topics (Dirichlet), hidden factors (the part of taste that the topic
column does not show), an activity level (log-normal) and, for a few, a bot flag. Creators are real
entities: a quality, a home topic and subtopic, and items uploaded in series. Items carry a latent
quality (their creator's plus noise), a hidden subtopic, hidden factors built from subtopic, creator
and series, and text drawn from the subtopic's vocabulary with synonyms and polysemy. Users and items
keep arriving every day (cold start), and a cohort joins on ``cohort_day`` (covariate shift). Some
observable values are messy on purpose (missing or wrong topic tags, missing or corrupted durations),
as documented in the dataset card. Taught in chapter 00.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import (
    AGE_AXIS,
    AGE_BUCKETS,
    AGE_PROBS,
    COUNTRIES,
    DEVICE_PROBS,
    DEVICES,
    LANGUAGE_OF,
    WorldConfig,
)
from .text import item_texts
from .topics import TOPICS
from .vocabulary import SUBTOPICS_PER_TOPIC

__all__ = ["Population", "make_items", "make_users"]

#: Topics the joining cohort over-indexes on (dance, music, comedy) and its home country.
COHORT_TOPICS: tuple[int, ...] = (18, 4, 5)
COHORT_COUNTRY = "BR"
#: Variance shares of an item's hidden factor vector: subtopic, creator, series, item noise.
FACTOR_SHARES = {"subtopic": 0.35, "creator": 0.35, "series": 0.20, "noise": 0.10}
#: Durations written in place of the true one for the corrupted share (a player bug and a day-long stream).
EXTREME_DURATIONS = (0.0, 86_400.0)


@dataclass(frozen=True)
class Population:
    """Observable table plus latent arrays for users or items (index = id)."""

    table: pd.DataFrame
    latent: dict[str, np.ndarray]


def _zipf(n: int, exponent: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def make_users(config: WorldConfig, rng: np.random.Generator) -> Population:
    """Draw the users: attributes, signup days, taste (n_users, n_topics), factors, activity, bots."""
    n, t = config.n_users, config.n_topics
    n_cohort = int(round(config.cohort_share * n))
    n_initial = min(int(round(config.initial_user_share * n)), n - n_cohort)
    n_later = n - n_cohort - n_initial

    signup = np.concatenate([
        -rng.integers(0, 365, n_initial),                       # already here on day 0
        rng.integers(1, config.n_days, n_later),                # daily arrivals (cold start)
        np.full(n_cohort, config.cohort_day),                   # the planted cohort
    ])
    cohort = np.zeros(n, dtype=bool)
    cohort[n - n_cohort:] = True

    country = rng.choice(len(COUNTRIES), size=n, p=_zipf(len(COUNTRIES), 1.1))
    age = rng.choice(len(AGE_BUCKETS), size=n, p=np.asarray(AGE_PROBS))
    device = rng.choice(len(DEVICES), size=n, p=np.asarray(DEVICE_PROBS))
    taste = rng.dirichlet(np.full(t, 0.3), size=n)

    # The cohort: young, mostly from one country, on Android, and into a few topics.
    cohort_alpha = np.full(t, 0.1)
    cohort_alpha[[k for k in COHORT_TOPICS if k < t]] = 3.0
    taste[cohort] = rng.dirichlet(cohort_alpha, size=n_cohort)
    country[cohort] = np.where(rng.random(n_cohort) < 0.8, COUNTRIES.index(COHORT_COUNTRY), country[cohort])
    age[cohort] = np.where(rng.random(n_cohort) < 0.85, 0, age[cohort])
    device[cohort] = np.where(rng.random(n_cohort) < 0.8, 0, device[cohort])

    countries = np.asarray(COUNTRIES)[country]
    language = np.array([LANGUAGE_OF[c] for c in COUNTRIES])[country]
    language = np.where(rng.random(n) < 0.1, "en", language)
    sigma = 0.8
    activity = rng.lognormal(mean=-sigma**2 / 2, sigma=sigma, size=n)
    # Hidden factors: var(f_u . g_i) = 1 when g_i has unit variance per component.
    factors = rng.normal(0.0, 1.0 / np.sqrt(config.n_factors), size=(n, config.n_factors))
    # Bots: among the users present from day 0, outside the cohort.
    n_bots = int(round(config.bot_share * n))
    bot = np.zeros(n, dtype=bool)
    bot[rng.choice(n_initial, size=min(n_bots, n_initial), replace=False)] = True

    table = pd.DataFrame({
        "user_id": np.arange(n, dtype=np.int32),
        "signup_day": signup.astype(np.int32),
        "country": countries,
        "language": language,
        "age_bucket": np.asarray(AGE_BUCKETS)[age],
        "device": np.asarray(DEVICES)[device],
    })
    latent = {
        "taste": taste,
        "factors": factors,
        "activity": activity,
        "age_axis": np.asarray(AGE_AXIS)[age],
        "country_idx": country,
        "cohort": cohort,
        "bot": bot,
    }
    return Population(table, latent)


def _series(creator: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Group each creator's items (in upload order) into series of geometric length (mean 4)."""
    n = creator.size
    order = np.lexsort((np.arange(n), creator))          # by creator, then upload order
    new_series = rng.random(n) < 0.25
    new_series[np.r_[0, np.flatnonzero(np.diff(creator[order])) + 1]] = True
    series = np.empty(n, dtype=np.int64)
    series[order] = np.cumsum(new_series) - 1
    return series


def make_items(config: WorldConfig, rng: np.random.Generator) -> Population:
    """Draw creators and items: topics, subtopics, series, factors, quality, duration and text."""
    n, t, c, k = config.n_items, config.n_topics, config.n_creators, config.n_factors
    n_initial = int(round(config.initial_item_share * n))
    upload = np.concatenate([-rng.integers(0, 30, n_initial), rng.integers(1, config.n_days, n - n_initial)])
    upload.sort()

    # Creators: home topic and subtopic, quality, country, how much they upload.
    topic_weight = rng.permutation(_zipf(t, 0.7))
    creator_topic = rng.choice(t, size=c, p=topic_weight)
    creator_sub = rng.integers(0, SUBTOPICS_PER_TOPIC, c)
    creator_quality = rng.normal(0.0, 0.8, c)
    creator_country = rng.choice(len(COUNTRIES), size=c, p=_zipf(len(COUNTRIES), 1.1))
    creator_weight = rng.permutation(_zipf(c, 0.8))
    # The planted surge: from surge_day, creators of the surging topic upload three times as often.
    after = upload >= config.surge_day
    w_after = creator_weight * np.where(creator_topic == config.surge_topic, 3.0, 1.0)
    creator = np.where(after, rng.choice(c, size=n, p=w_after / w_after.sum()),
                       rng.choice(c, size=n, p=creator_weight))

    # Specialisation: mostly the creator's topic and subtopic.
    off_topic = rng.random(n) < 0.15
    main = np.where(off_topic, rng.choice(t, size=n, p=topic_weight), creator_topic[creator])
    same_sub = ~off_topic & (rng.random(n) < 0.7)
    sub = np.where(same_sub, creator_sub[creator], rng.integers(0, SUBTOPICS_PER_TOPIC, n))
    second = (main + rng.integers(1, t, n)) % t
    series = _series(creator, rng)
    # A series stays on the topic and subtopic of its first episode.
    first = np.full(int(series.max()) + 1, n)
    np.minimum.at(first, series, np.arange(n))
    main, sub, second = main[first[series]], sub[first[series]], second[first[series]]
    subtopic = main * SUBTOPICS_PER_TOPIC + sub

    # Hidden factors: subtopic, creator and series structure plus item noise, unit variance per component.
    share = FACTOR_SHARES
    sub_f = rng.normal(size=(t * SUBTOPICS_PER_TOPIC, k))
    creator_f = rng.normal(size=(c, k))
    series_f = rng.normal(size=(int(series.max()) + 1, k))
    factors = (np.sqrt(share["subtopic"]) * sub_f[subtopic] + np.sqrt(share["creator"]) * creator_f[creator]
               + np.sqrt(share["series"]) * series_f[series] + np.sqrt(share["noise"]) * rng.normal(size=(n, k)))
    quality = creator_quality[creator] + rng.normal(0.0, 0.6, n)

    topic_offset = rng.normal(0.0, 0.5, t)
    duration = np.exp(np.log(60.0) + topic_offset[main] + rng.normal(0.0, 0.8, n))
    duration = np.clip(np.round(duration), 5, 900)

    # Messy observations: the truth keeps the real values.
    logged_duration = duration.copy()
    u = rng.random(n)
    missing = u < config.missing_duration_share
    extreme = (u >= config.missing_duration_share) & (u < config.missing_duration_share
                                                       + config.extreme_duration_share)
    logged_duration[missing] = np.nan
    logged_duration[extreme] = rng.choice(EXTREME_DURATIONS, size=int(extreme.sum()))
    topic_names = np.array([tp.name for tp in TOPICS[:t]], dtype=object)
    tag = topic_names[main].copy()
    v = rng.random(n)
    no_tag = v < config.missing_topic_share
    wrong = (v >= config.missing_topic_share) & (v < config.missing_topic_share + config.wrong_topic_share)
    tag[wrong] = topic_names[(main[wrong] + rng.integers(1, t, int(wrong.sum()))) % t]
    tag[no_tag] = None

    titles, descriptions = item_texts(main, sub, second, series, rng)
    table = pd.DataFrame({
        "item_id": np.arange(n, dtype=np.int32),
        "creator_id": creator.astype(np.int32),
        "creator_country": np.asarray(COUNTRIES)[creator_country[creator]],
        "topic": pd.Series(list(tag)),  # the default string dtype, with NaN where the tag is missing
        "title": titles,
        "description": descriptions,
        "duration_s": logged_duration.astype(np.float64),
        "upload_day": upload.astype(np.int32),
    })
    latent = {
        "main_topic": main,
        "second_topic": second,
        "subtopic": subtopic,
        "series": series,
        "factors": factors,
        "quality": quality,
        "creator_quality": creator_quality,
        "creator_topic": creator_topic,
        "duration_s": duration,
        "country_idx": creator_country[creator],
    }
    return Population(table, latent)
