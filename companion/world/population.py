"""Users and items of the synthetic world: observable attributes plus latent truth.

Users carry a latent taste over topics (Dirichlet) and an activity level (log-normal); items carry a
latent quality, a main and a secondary topic, and text built from the topic's vocabulary. Users and
items keep arriving every day, so the world has cold start built in, and a new cohort with different
demographics joins on ``cohort_day`` (the planted covariate shift). Taught in chapter 00.
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
from .topics import GENERIC_WORDS, TITLE_TEMPLATES, TOPICS

__all__ = ["Population", "make_items", "make_users"]

#: Topics the joining cohort over-indexes on (dance, music, comedy) and its home country.
COHORT_TOPICS: tuple[int, ...] = (18, 4, 5)
COHORT_COUNTRY = "BR"


@dataclass(frozen=True)
class Population:
    """Observable table plus latent arrays for users or items (index = id)."""

    table: pd.DataFrame
    latent: dict[str, np.ndarray]


def _zipf(n: int, exponent: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def make_users(config: WorldConfig, rng: np.random.Generator) -> Population:
    """Draw the users: attributes, signup days, latent taste (n_users, n_topics) and activity."""
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
        "activity": activity,
        "age_axis": np.asarray(AGE_AXIS)[age],
        "country_idx": country,
        "cohort": cohort,
    }
    return Population(table, latent)


def _titles(main: np.ndarray, rng: np.random.Generator) -> list[str]:
    template_ids = rng.integers(0, len(TITLE_TEMPLATES), main.size)
    picks = rng.random((main.size, 5))
    out = []
    for k, tid, u in zip(main, template_ids, picks, strict=True):
        topic = TOPICS[k]
        words = topic.words
        out.append(TITLE_TEMPLATES[tid].format(
            subject=topic.subjects[int(u[0] * len(topic.subjects))],
            w1=words[int(u[1] * len(words))], w2=words[int(u[2] * len(words))],
            w3=words[int(u[3] * len(words))], n=3 + int(u[4] * 8),
        ))
    return out


def _descriptions(main: np.ndarray, second: np.ndarray, rng: np.random.Generator, n_words: int = 14) -> list[str]:
    source = rng.choice(3, size=(main.size, n_words), p=[0.55, 0.2, 0.25])  # main, secondary, generic
    u = rng.random((main.size, n_words))
    generic = np.asarray(GENERIC_WORDS)
    out = []
    for k, s, src, uu in zip(main, second, source, u, strict=True):
        pools = (TOPICS[k].words, TOPICS[s].words, generic)
        out.append(" ".join(pools[j][int(x * len(pools[j]))] for j, x in zip(src, uu, strict=True)))
    return out


def make_items(config: WorldConfig, rng: np.random.Generator) -> Population:
    """Draw the items: topics, creator, duration, upload day, text, and latent quality."""
    n, t = config.n_items, config.n_topics
    n_initial = int(round(config.initial_item_share * n))
    upload = np.concatenate([-rng.integers(0, 30, n_initial), rng.integers(1, config.n_days, n - n_initial)])
    upload.sort()

    topic_weight = rng.permutation(_zipf(t, 0.7))
    main = rng.choice(t, size=n, p=topic_weight)
    # The planted surge: after surge_day, creators upload the surging topic three times as often.
    after = upload >= config.surge_day
    w_surge = topic_weight.copy()
    w_surge[config.surge_topic] *= 3.0
    main[after] = rng.choice(t, size=int(after.sum()), p=w_surge / w_surge.sum())
    second = (main + rng.integers(1, t, n)) % t

    creator_country = rng.choice(len(COUNTRIES), size=config.n_creators, p=_zipf(len(COUNTRIES), 1.1))
    creator = rng.choice(config.n_creators, size=n, p=_zipf(config.n_creators, 0.8))
    topic_offset = rng.normal(0.0, 0.5, t)
    duration = np.exp(np.log(60.0) + topic_offset[main] + rng.normal(0.0, 0.8, n))
    duration = np.clip(np.round(duration), 5, 900).astype(np.int32)
    quality = rng.normal(0.0, 1.0, n)

    topic_names = np.array([tp.name for tp in TOPICS])
    table = pd.DataFrame({
        "item_id": np.arange(n, dtype=np.int32),
        "creator_id": creator.astype(np.int32),
        "creator_country": np.asarray(COUNTRIES)[creator_country[creator]],
        "topic": topic_names[main],
        "title": _titles(main, rng),
        "description": _descriptions(main, second, rng),
        "duration_s": duration,
        "upload_day": upload.astype(np.int32),
    })
    latent = {
        "main_topic": main,
        "second_topic": second,
        "quality": quality,
        "country_idx": creator_country[creator],
    }
    return Population(table, latent)
