"""Exercises of chapter 03 (data sources and brainstorming): reading the logs without fooling yourself.

- ``03.ctr_by_position_sql``: ``(events) -> DataFrame`` with one row per ``(explore, position)``
  and the columns ``explore, position, impressions, clicks, ctr``, sorted by ``explore`` (False
  first) then ``position``, on a fresh ``RangeIndex``. Meant to be written as one DuckDB query
  (``duckdb.sql("select ... from events ...").df()`` sees the local DataFrame ``events``), but any
  implementation passes. Raises ``ValueError`` on an empty table (no CTR is defined). Integer
  columns may come back as floats (DuckDB's ``sum`` does that); their values must be whole and equal.
- ``03.topic_click_share_before_day``: ``(events, queries) -> Series`` aligned with
  ``queries.index``: for each query row ``(user_id, topic, day)``, the user's clicks on ``topic``
  on days *strictly before* ``day`` divided by the user's clicks on all topics on days strictly
  before ``day``; ``NaN`` when the user has no click before ``day``. A numpy array of the same
  length is accepted too. Counting clicks of ``day`` itself is the classic leak: the impression's own
  label would enter its feature.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from companion.exercises import Case, Exercise, register
from companion.exercises._properties import in_unit_interval

__all__ = ["CTR_BY_POSITION_SQL", "TOPIC_CLICK_SHARE_BEFORE_DAY"]

COLUMNS = ("explore", "position", "impressions", "clicks", "ctr")
_TOPICS = ("cooking", "dance", "diy", "gaming", "pets", "tech")


def _require(frame: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"`{name}` lacks the column(s) {missing}; it has {list(frame.columns)}.")
    return frame


# --------------------------------------------------------------------------- 03.ctr_by_position_sql
def _ctr_by_position(events: pd.DataFrame) -> pd.DataFrame:
    """Reference: impressions, clicks and CTR per (explore bucket, position)."""
    _require(events, "events", ("explore", "position", "click"))
    if len(events) == 0:
        raise ValueError("an empty impression table has no click-through rate")
    frame = pd.DataFrame({
        "explore": events["explore"].astype(bool).to_numpy(),
        "position": events["position"].astype(np.int64).to_numpy(),
        "click": events["click"].astype(np.int64).to_numpy(),
    })
    out = (frame.groupby(["explore", "position"], sort=True)["click"]
           .agg(impressions="size", clicks="sum").reset_index())
    out["impressions"] = out["impressions"].astype(np.int64)
    out["clicks"] = out["clicks"].astype(np.int64)
    out["ctr"] = out["clicks"] / out["impressions"]
    return out.loc[:, list(COLUMNS)]


def _compare_ctr_table(expected: pd.DataFrame, got: Any) -> str | None:
    """Same rows, same columns in the same order; whole-number columns may be ints or floats."""
    if not isinstance(got, pd.DataFrame):
        return f"expected a pandas DataFrame with columns {list(COLUMNS)}, got {type(got).__name__}"
    if list(got.columns) != list(COLUMNS):
        hint = (" (explore and position must be columns, not the index: call .reset_index())"
                if {"explore", "position"} - set(got.columns) else "")
        return f"expected the columns {list(COLUMNS)} in this order, got {list(got.columns)}{hint}"
    if len(got) != len(expected):
        return (f"expected {len(expected)} rows (one per explore bucket and position present), "
                f"got {len(got)}")
    if not got.index.equals(pd.RangeIndex(len(got))):
        return "expected a fresh RangeIndex 0..n-1 (use .reset_index(drop=True))"
    for column in COLUMNS:
        want = expected[column].to_numpy()
        try:
            have = got[column].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            return f"column {column!r} must hold numbers (or bools); got dtype {got[column].dtype}"
        if column == "ctr":
            bad = ~np.isclose(have, want.astype(np.float64), rtol=1e-6, atol=1e-9)
        else:
            bad = have != want.astype(np.float64)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            return (f"column {column!r} differs first at row {row}: expected {want[row]!r}, "
                    f"got {got[column].iloc[row]!r} (rows sorted by explore, False first, then position)")
    return None


def _ctr_table_properties(case: Case, got: Any) -> str | None:
    if isinstance(got, pd.DataFrame) and "ctr" in got.columns:
        values = pd.to_numeric(got["ctr"], errors="coerce").to_numpy(dtype=np.float64)
        if np.any(np.isnan(values) | (values < 0) | (values > 1)):
            return "every CTR must be a number in [0, 1]"
    return None


def _events(explore, position, click, *, as_bool: bool = True) -> pd.DataFrame:
    n = len(click)
    return pd.DataFrame({
        "request_id": np.arange(n, dtype=np.int64) // 3,
        "user_id": (np.arange(n) % 5).astype(np.int32),
        "item_id": (np.arange(n) * 7 % 13).astype(np.int32),
        "position": np.asarray(position, dtype=np.int8),
        "explore": np.asarray(explore, dtype=bool),
        "click": np.asarray(click, dtype=bool if as_bool else np.int64),
    })


def _random_events(rng: np.random.Generator) -> Case:
    n = int(rng.integers(1, 400))
    slate = int(rng.integers(1, 11))
    position = rng.integers(0, slate, size=n)
    explore = rng.random(n) < rng.uniform(0.0, 0.5)
    bias = 1.0 / (1.0 + position) ** 0.7
    attract = np.where(explore, 0.15, 0.15 + 0.2 / (1.0 + position))  # ranked bucket: better items on top
    click = rng.random(n) < bias * attract
    as_bool = bool(rng.random() < 0.5)
    order = rng.permutation(n)  # rows arrive in no particular order
    frame = _events(explore[order], position[order], click[order], as_bool=as_bool)
    return Case(args=(frame,), note=f"{n} impressions, click as {'bool' if as_bool else 'int'}")


CTR_BY_POSITION_SQL = register(Exercise(
    id="03.ctr_by_position_sql",
    title="Impressions, clicks and CTR per explore bucket and position (one SQL query)",
    chapter="03",
    reference=_ctr_by_position,
    cases=(
        Case((_events([False] * 4 + [True] * 4, [0, 1, 0, 1, 0, 1, 0, 1], [1, 0, 1, 1, 1, 0, 0, 0]),),
             note="two positions in both buckets"),
        Case((_events([True, False, True, False], [2, 0, 0, 2], [0, 1, 1, 0], as_bool=False),),
             note="rows unsorted, click as int"),
        Case((_events([False, False, False], [0, 4, 9], [0, 0, 0]),),
             note="no explore traffic, no clicks, positions with gaps"),
        Case((_events([True], [3], [1]),), note="a single impression"),
        Case((_events([], [], []),), note="empty table: expected to raise ValueError"),
    ),
    generate=_random_events,
    n_random=25,
    compare=_compare_ctr_table,
    properties=(_ctr_table_properties,),
    timeout_s=10.0,
))


# ------------------------------------------------------------------- 03.topic_click_share_before_day
def _topic_click_share_before_day(events: pd.DataFrame, queries: pd.DataFrame) -> pd.Series:
    """Reference: a deliberately plain loop over the queries (obviously correct, not fast)."""
    _require(events, "events", ("user_id", "day", "topic", "click"))
    _require(queries, "queries", ("user_id", "topic", "day"))
    clicked = events.loc[events["click"].astype(bool), ["user_id", "day", "topic"]]
    user = clicked["user_id"].to_numpy()
    day = clicked["day"].to_numpy()
    topic = clicked["topic"].to_numpy()
    values = np.full(len(queries), np.nan)
    for row, (u, t, d) in enumerate(zip(queries["user_id"].to_numpy(), queries["topic"].to_numpy(),
                                         queries["day"].to_numpy(), strict=True)):
        before = (user == u) & (day < d)  # strictly before the query's day: no leakage
        n_before = int(before.sum())
        if n_before:
            values[row] = float((before & (topic == t)).sum()) / n_before
    return pd.Series(values, index=queries.index, name="topic_click_share", dtype=np.float64)


def _compare_share(expected: pd.Series, got: Any) -> str | None:
    """Accept a Series aligned with ``queries.index`` or an array of the same length; NaN == NaN."""
    if isinstance(got, pd.DataFrame):
        return "expected a Series (or 1-d array) with one value per query row, got a DataFrame"
    if isinstance(got, pd.Series):
        if not got.index.equals(expected.index):
            return ("the Series' index must equal queries.index (same labels, same order); "
                    f"expected {list(expected.index[:6])}..., got {list(got.index[:6])}... "
                    "(a merge resets the index: keep the original one or return .to_numpy())")
        values = got
    else:
        values = got
    try:
        have = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}"
    want = expected.to_numpy(dtype=np.float64)
    if have.shape != want.shape:
        return f"expected {want.size} values (one per query row), got shape {have.shape}"
    nan_want, nan_have = np.isnan(want), np.isnan(have)
    if (nan_want != nan_have).any():
        row = int(np.flatnonzero(nan_want != nan_have)[0])
        if nan_want[row]:
            return (f"row {row}: expected NaN (the user has no click before that day), got {have[row]!r}")
        return f"row {row}: expected {want[row]!r}, got NaN"
    ok = nan_want | np.isclose(have, want, rtol=1e-9, atol=1e-12)
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        return (f"{int((~ok).sum())} of {want.size} values differ; first at row {row}: expected "
                f"{want[row]!r}, got {have[row]!r} (did you count clicks of the query's own day?)")
    return None


def _history(rows: list[tuple[int, int, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["user_id", "day", "topic", "click"])
    return frame.astype({"user_id": np.int32, "day": np.int16, "click": bool})


def _queries(rows: list[tuple[int, str, int]], index=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["user_id", "topic", "day"])
    frame = frame.astype({"user_id": np.int32, "day": np.int16})
    if index is not None:
        frame.index = index
    return frame


_H = _history([
    (1, 0, "dance", 1), (1, 0, "tech", 0), (1, 1, "dance", 1), (1, 1, "tech", 1), (1, 2, "dance", 1),
    (1, 2, "tech", 0), (2, 0, "pets", 0), (2, 1, "pets", 1), (2, 3, "diy", 1),
])


def _random_share_case(rng: np.random.Generator) -> Case:
    n_users = int(rng.integers(1, 8))
    n_days = int(rng.integers(1, 8))
    topics = np.asarray(_TOPICS[: int(rng.integers(1, len(_TOPICS) + 1))])
    n = int(rng.integers(0, 250))
    events = pd.DataFrame({
        "user_id": rng.integers(0, n_users, n).astype(np.int32),
        "day": rng.integers(0, n_days, n).astype(np.int16),
        "topic": rng.choice(topics, n),
        "click": rng.random(n) < rng.uniform(0.05, 0.6),
    })
    m = int(rng.integers(1, 30))
    queries = pd.DataFrame({
        "user_id": rng.integers(0, n_users + 1, m).astype(np.int32),  # includes a user with no events
        "topic": rng.choice(np.asarray(_TOPICS), m),                    # includes topics never seen
        "day": rng.integers(0, n_days + 2, m).astype(np.int16),
    })
    shuffled = bool(rng.random() < 0.5)
    if shuffled:
        queries.index = pd.Index(rng.permutation(m) * 10 + 100)
    return Case(args=(events, queries),
                note=f"{n} events, {m} queries{', non-default index' if shuffled else ''}")


TOPIC_CLICK_SHARE_BEFORE_DAY = register(Exercise(
    id="03.topic_click_share_before_day",
    title="Leakage-free history feature: the user's click share on a topic before a day",
    chapter="03",
    reference=_topic_click_share_before_day,
    cases=(
        Case((_H, _queries([(1, "dance", 3), (1, "tech", 3), (2, "pets", 4)])),
             note="all history is before the query day"),
        Case((_H, _queries([(1, "dance", 1), (1, "dance", 2), (2, "diy", 3)])),
             note="same-day clicks must not count"),
        Case((_H, _queries([(1, "dance", 0), (3, "dance", 5), (2, "pets", 1)])),
             note="no click before the day, an unknown user: NaN"),
        Case((_H, _queries([(1, "cooking", 9), (2, "diy", 9)], index=pd.Index([70, 30]))),
             note="a topic never clicked is 0, not NaN; non-default index"),
        Case((_H.astype({"click": np.int64}), _queries([(1, "tech", 2), (1, "tech", 2)])),
             note="click as int, a duplicated query row"),
        Case((_H, _queries([])), note="no queries: an empty result"),
    ),
    generate=_random_share_case,
    n_random=25,
    compare=_compare_share,
    properties=(in_unit_interval("click share"),),
    timeout_s=10.0,
))
