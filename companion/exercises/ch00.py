"""Chapter 00 exercises: reading the synthetic world's impression table.

An impression table has one row per item shown to a user, with (at least) the columns
``request_id``, ``user_id``, ``item_id``, ``position`` (0 = top slot, as in the world's logs) and
``click`` (bool, or int 0/1). Like the world's logs it is messy: a row logged twice (an exact
duplicate: same request, same position) is one impression and must be counted once. A table that
is empty, or has no ``click`` column, has no click-through rate: the answer is ``ValueError``.

What the checks catch (each by a named reference case, and again by the random cases): a CTR
returned as an int, duplicated rows counted twice, duplicates removed too eagerly (by user and
item: the same user may see the same item in two requests, which are two impressions), no
``ValueError`` for an empty table or a missing column, an unsorted or wrongly normalised
per-position CTR.

This module is also the template for other chapters: build an :class:`Exercise` with a reference
implementation, a few edge-case :class:`Case` objects, a ``generate(rng) -> Case`` for random
cases and, where useful, invariant properties; then :func:`register` it at import time. Where the
right answer is an exception (here: the CTR of an empty table), make the *reference* raise it;
the learner's function must then raise the same exception type on that case.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._model import Case, Exercise
from ._properties import in_unit_interval
from ._registry import register

__all__ = ["CTR", "CTR_BY_POSITION"]

COLUMNS = ("request_id", "user_id", "item_id", "position", "click")


def _impressions(
    clicks: list[int], positions: list[int] | None = None, *, as_bool: bool = False,
    duplicate: list[int] | tuple[int, ...] = (), users: list[int] | None = None,
    items: list[int] | None = None,
) -> pd.DataFrame:
    """A small impression table, one request per row; rows listed in ``duplicate`` are logged twice."""
    n = len(clicks)
    frame = pd.DataFrame({
        "request_id": np.arange(n, dtype=np.int64),
        "user_id": np.asarray(users if users is not None else np.arange(n) % 2, dtype=np.int64),
        "item_id": np.asarray(items if items is not None else np.arange(n) * 3 % 11, dtype=np.int64),
        "position": np.asarray(positions if positions is not None else [i % 3 for i in range(n)],
                               dtype=np.int64),
        "click": np.asarray(clicks, dtype=bool if as_bool else np.int64),
    })
    order = np.sort(np.concatenate([np.arange(n), np.asarray(duplicate, dtype=np.int64)]), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _random_impressions(rng: np.random.Generator) -> Case:
    """Slates of 1-10 positions; in about half the cases some rows are logged twice (client retries)."""
    n_requests = int(rng.integers(1, 60))
    slate = int(rng.integers(1, 11))
    request = np.repeat(np.arange(n_requests), slate)
    position = np.tile(np.arange(slate), n_requests)
    n = request.size
    # Click probability falls with position, as in the synthetic world.
    p_click = rng.uniform(0.0, 0.6) / (1 + position) ** rng.uniform(0.0, 1.5)
    click = rng.random(n) < p_click
    as_bool = bool(rng.random() < 0.5)
    frame = pd.DataFrame({
        "request_id": (request + int(rng.integers(0, 10_000))).astype(np.int64),
        "user_id": rng.integers(0, 8, size=n_requests)[request].astype(np.int64),
        "item_id": rng.integers(0, 40, size=n).astype(np.int64),
        "position": position.astype(np.int64),
        "click": click if as_bool else click.astype(np.int64),
    })
    share = float(rng.choice([0.0, rng.uniform(0.02, 0.3)]))
    twice = rng.random(n) < share
    if twice.any():
        order = np.sort(np.concatenate([np.arange(n), np.flatnonzero(twice)]), kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
    note = f"{len(frame)} rows, {int(twice.sum())} logged twice, click as {'bool' if as_bool else 'int'}"
    return Case(args=(frame,), note=note)


def _valid_unique(impressions: Any, needed: tuple[str, ...]) -> pd.DataFrame:
    """Validate the table and drop exact duplicate rows (the reference behaviour of both exercises)."""
    if not isinstance(impressions, pd.DataFrame):
        raise TypeError(f"`impressions` must be a pandas DataFrame; got {type(impressions).__name__}.")
    missing = [c for c in needed if c not in impressions.columns]
    if missing:
        raise ValueError(f"`impressions` must have the column(s) {missing}; got {list(impressions.columns)}.")
    unique = impressions.drop_duplicates()
    if len(unique) == 0:
        raise ValueError("an empty impression table has no click-through rate")
    return unique


# --- 00.ctr -------------------------------------------------------------------------------------


def _ctr(impressions: pd.DataFrame) -> float:
    """Reference: clicks / impressions, each impression counted once; an empty table has no CTR."""
    unique = _valid_unique(impressions, ("click",))
    return float(unique["click"].sum()) / len(unique)


CTR = register(Exercise(
    id="00.ctr",
    title="Click-through rate of an impression table",
    chapter="00",
    reference=_ctr,
    cases=(
        Case((_impressions([0, 1, 0, 1]),), note="half the impressions clicked"),
        Case((_impressions([0, 0, 0, 0, 0]),), note="no clicks at all: 0.0, a float"),
        Case((_impressions([1, 1, 1], as_bool=True),), note="every impression clicked, bool column"),
        Case((_impressions([1]),), note="a single impression"),
        Case((_impressions([1, 0, 0, 0], duplicate=[0, 0]),),
             note="a clicked row logged three times counts once: 1/4, not 3/6"),
        Case((_impressions([0, 1, 0], duplicate=[0, 2], as_bool=True),),
             note="unclicked rows logged twice count once: 1/3, not 1/5"),
        Case((_impressions([1, 0], users=[7, 7], items=[3, 3]),),
             note="same user and item in two requests: two impressions, 1/2"),
        Case((_impressions([]),), note="empty table: expected to raise ValueError"),
        Case((_impressions([0, 1]).drop(columns="click"),),
             note="no click column: expected to raise ValueError"),
    ),
    generate=_random_impressions,
    properties=(in_unit_interval("click-through rate"),),
))


# --- 00.ctr_by_position -------------------------------------------------------------------------


def _ctr_by_position(impressions: pd.DataFrame) -> pd.Series:
    """Reference: mean click per position over unique rows, as floats, index sorted ascending."""
    unique = _valid_unique(impressions, ("click", "position"))
    clicks = unique["click"].astype(np.float64)
    return clicks.groupby(unique["position"]).mean().sort_index().rename("ctr")


def _sorted_by_position(case: Case, out: Any) -> str | None:
    if isinstance(out, pd.Series) and not out.index.is_monotonic_increasing:
        return f"the index must be sorted by position; got {list(out.index)[:10]}"
    return None


CTR_BY_POSITION = register(Exercise(
    id="00.ctr_by_position",
    title="CTR per slate position",
    chapter="00",
    reference=_ctr_by_position,
    cases=(
        Case((_impressions([1, 0, 0, 1, 0, 0], [0, 1, 2, 0, 1, 2]),), note="three positions"),
        Case((_impressions([0, 1, 1, 0], [2, 0, 2, 1]),), note="positions arrive unsorted"),
        Case((_impressions([0, 0, 0], [1, 1, 4]),), note="no clicks; positions 0, 2, 3 absent"),
        Case((_impressions([1, 0], [0, 0], as_bool=True),), note="one position, bool column"),
        Case((_impressions([1, 0, 0, 0], [0, 0, 1, 1], duplicate=[0, 0]),),
             note="a clicked row at position 0 logged three times counts once: 0.5, not 0.75"),
        Case((_impressions([]),), note="empty table: expected to raise ValueError"),
        Case((_impressions([0, 1]).drop(columns="position"),),
             note="no position column: expected to raise ValueError"),
    ),
    generate=_random_impressions,
    properties=(_sorted_by_position, in_unit_interval("click-through rate", allow_nan=False)),
))
