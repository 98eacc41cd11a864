"""``make_world``: one call that generates the whole synthetic product world from a seed.

Taught in chapter 00.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_int, check_type
from .config import WorldConfig, world_config
from .policies import PopularityPolicy
from .population import make_items, make_users
from .simulator import EVENT_COLUMNS, Simulator
from .topics import TOPICS
from .truth import Truth

__all__ = ["World", "make_world"]


@dataclass(frozen=True)
class World:
    """A generated world: public tables, the logs, and the planted truth.

    Attributes
    ----------
    users : DataFrame, shape (n_users, 6)
        ``user_id, signup_day, country, language, age_bucket, device``.
    items : DataFrame, shape (n_items, 8)
        ``item_id, creator_id, creator_country, topic, title, description, duration_s, upload_day``.
        Messy on purpose: ``topic`` is missing (None) or wrong for a few items, ``duration_s`` is
        missing (NaN) or corrupted (0 or 86,400) for a few (the dataset card gives the shares).
    events : DataFrame, shape (n_impressions, 12)
        One row per impression logged under the popularity logging policy: ``request_id, day, ts,
        user_id, item_id, position, explore, click, watch_s, like, share, hide``. A few rows are
        logged twice (client retries); ``events.drop_duplicates()`` removes them.
    topics : DataFrame, shape (n_topics, 3)
        ``topic_id, topic, vocabulary``.
    truth : Truth
        Latent tastes and qualities, the position-bias curve, change points, and the true model.
    """

    config: WorldConfig
    seed: int
    users: pd.DataFrame
    items: pd.DataFrame
    events: pd.DataFrame
    topics: pd.DataFrame
    truth: Truth

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The public tables by name (what is written to parquet)."""
        return {"users": self.users, "items": self.items, "events": self.events, "topics": self.topics}

    def simulator(self) -> Simulator:
        """A :class:`Simulator` that serves policies to this world's users."""
        return Simulator(self.truth, self.users, self.items)

    def sql(self, query: str) -> pd.DataFrame:
        """Run a DuckDB SQL query over the tables ``users``, ``items``, ``events``, ``topics``.

        A query DuckDB cannot run raises :class:`ValueError` with DuckDB's message.
        """
        import duckdb

        from ..datasets import connect

        check_type("query", query, str, hint='Pass SQL text, e.g. "select count(*) from events".')
        if not query.strip():
            raise ValueError('`query` must be a SQL statement, e.g. "select count(*) from events"; got "".')
        with connect(self) as con:
            try:
                result = con.sql(query)
            except duckdb.Error as exc:
                raise ValueError(f"`query` failed in DuckDB: {type(exc).__name__}: {exc}") from exc
            if result is None:
                raise ValueError(f"`query` must return rows (a select statement); got {query!r}.")
            return result.df()

    def __repr__(self) -> str:
        c = self.config
        return (f"World(size={c.name!r}, seed={self.seed}, users={len(self.users):,}, items={len(self.items):,}, "
                f"days={c.n_days}, impressions={len(self.events):,}, ctr={self.events['click'].mean():.4f})")


def duplicate_rows(events: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """The logging pipeline's messiness: a ``share`` of rows written twice (client retries), in place."""
    dup = rng.random(len(events)) < share
    if not dup.any():
        return events
    idx = np.sort(np.concatenate([np.arange(len(events)), np.flatnonzero(dup)]), kind="stable")
    return events.iloc[idx].reset_index(drop=True)


def make_world(size: str | WorldConfig = "small", *, seed: int, progress: bool | None = None,
               **overrides: Any) -> World:
    """Generate a world: users, items, the logs of ``n_days`` under the logging policy, and the truth.

    Parameters
    ----------
    size : {"tiny", "small", "medium", "large"} or WorldConfig
        ``tiny`` for unit tests (well under a second), ``small`` for the book (a few seconds),
        ``medium`` for the retrieval and ranking chapters (enough history per user for collaborative
        filtering), ``large`` for benchmarks (millions of impressions).
    seed : int
        The one seed everything is drawn from. Users, items, behaviour and logging use independent streams
        (``SeedSequence.spawn``): a change to the behaviour (e.g. ``explore_share``) leaves users and
        items as they were. Changing ``n_days`` keeps every user's attributes and taste, but moves
        the sign-up days of later arrivals and redraws the items.
    progress : bool, optional
        Progress bar over days; shown by default only for large worlds.
    **overrides
        Any :class:`WorldConfig` field, e.g. ``n_days=40``.

    Returns
    -------
    World

    Examples
    --------
    >>> w = make_world("tiny", seed=0)
    >>> w.events.columns[:5].tolist()
    ['request_id', 'day', 'ts', 'user_id', 'item_id']
    """
    config = world_config(size, **overrides)
    seed = check_int("seed", seed, minimum=0, hint="Pass e.g. seed=0.")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"`progress` must be True, False or None; got {type(progress).__name__} {progress!r}.")
    user_seq, item_seq, behaviour_seq, logging_seq = np.random.SeedSequence(seed).spawn(4)
    users = make_users(config, np.random.default_rng(user_seq))
    items = make_items(config, np.random.default_rng(item_seq))
    truth = Truth.from_populations(config, users, items)
    sim = Simulator(truth, users.table, items.table)
    logged = sim.run(PopularityPolicy(explore_share=config.explore_share), seed=behaviour_seq, progress=progress)
    events = duplicate_rows(logged.events.loc[:, list(EVENT_COLUMNS)], config.duplicate_event_share,
                            np.random.default_rng(logging_seq))
    topics = pd.DataFrame({
        "topic_id": np.arange(config.n_topics, dtype=np.int32),
        "topic": [t.name for t in TOPICS[: config.n_topics]],
        "vocabulary": [" ".join(t.words) for t in TOPICS[: config.n_topics]],
    })
    return World(config, seed, users.table, items.table, events, topics, truth)
