"""Chapter 00 exercises: reading the synthetic world's impression table.

An impression table has one row per item shown to a user, with (at least) the columns
``user_id``, ``item_id``, ``position`` (0 = top slot, as in the world's logs) and ``click`` (bool, or int 0/1).

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
from ._registry import register

__all__ = ["CTR", "CTR_BY_POSITION"]


def _impressions(
    clicks: list[int], positions: list[int] | None = None, *, as_bool: bool = False
) -> pd.DataFrame:
    n = len(clicks)
    return pd.DataFrame({
        "user_id": np.arange(n, dtype=np.int64) % 2,
        "item_id": np.arange(n, dtype=np.int64) * 3 % 11,
        "position": np.asarray(positions if positions is not None else [i % 3 for i in range(n)],
                               dtype=np.int64),
        "click": np.asarray(clicks, dtype=bool if as_bool else np.int64),
    })


def _random_impressions(rng: np.random.Generator) -> Case:
    n = int(rng.integers(1, 300))
    n_positions = int(rng.integers(1, 11))
    position = rng.integers(0, n_positions, size=n)
    # Click probability falls with position, as in the synthetic world.
    p_click = rng.uniform(0.0, 0.6) / (1 + position) ** rng.uniform(0.0, 1.5)
    click = rng.random(n) < p_click
    as_bool = bool(rng.random() < 0.5)
    frame = pd.DataFrame({
        "user_id": rng.integers(0, 50, size=n),
        "item_id": rng.integers(0, 500, size=n),
        "position": position.astype(np.int64),
        "click": click if as_bool else click.astype(np.int64),
    })
    return Case(args=(frame,), note=f"{n} rows, click as {'bool' if as_bool else 'int'}")


# --- 00.ctr -------------------------------------------------------------------------------------


def _ctr(impressions: pd.DataFrame) -> float:
    """Reference: clicks / impressions; an empty table has no CTR."""
    if len(impressions) == 0:
        raise ValueError("an empty impression table has no click-through rate")
    return float(impressions["click"].sum()) / len(impressions)


def _ctr_is_a_rate(case: Case, out: Any) -> str | None:
    if isinstance(out, int | float | np.number) and not 0.0 <= float(out) <= 1.0:
        return f"a click-through rate lies in [0, 1]; got {out!r}"
    return None


CTR = register(Exercise(
    id="00.ctr",
    title="Click-through rate of an impression table",
    chapter="00",
    reference=_ctr,
    cases=(
        Case((_impressions([0, 1, 0, 1]),), note="half the impressions clicked"),
        Case((_impressions([0, 0, 0, 0, 0]),), note="no clicks at all"),
        Case((_impressions([1, 1, 1], as_bool=True),), note="every impression clicked, bool column"),
        Case((_impressions([1]),), note="a single impression"),
        Case((_impressions([]),), note="empty table: expected to raise ValueError"),
    ),
    generate=_random_impressions,
    properties=(_ctr_is_a_rate,),
))


# --- 00.ctr_by_position -------------------------------------------------------------------------


def _ctr_by_position(impressions: pd.DataFrame) -> pd.Series:
    """Reference: mean click per position, as floats, index sorted ascending."""
    if len(impressions) == 0:
        raise ValueError("an empty impression table has no click-through rate")
    clicks = impressions["click"].astype(np.float64)
    return clicks.groupby(impressions["position"]).mean().sort_index().rename("ctr")


def _sorted_by_position(case: Case, out: Any) -> str | None:
    if isinstance(out, pd.Series) and not out.index.is_monotonic_increasing:
        return f"the index must be sorted by position; got {list(out.index)[:10]}"
    return None


def _rates_in_unit_interval(case: Case, out: Any) -> str | None:
    if isinstance(out, pd.Series) and out.dtype.kind in "fiub":
        values = out.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.any((values < 0) | (values > 1) | np.isnan(values)):
            return "every CTR must be a number in [0, 1]"
    return None


CTR_BY_POSITION = register(Exercise(
    id="00.ctr_by_position",
    title="Click-through rate per position, sorted by position",
    chapter="00",
    reference=_ctr_by_position,
    cases=(
        Case((_impressions([1, 0, 0, 1, 0, 0], [0, 1, 2, 0, 1, 2]),), note="three positions"),
        Case((_impressions([0, 1, 1, 0], [2, 0, 2, 1]),), note="positions arrive unsorted"),
        Case((_impressions([0, 0, 0], [1, 1, 4]),), note="no clicks; positions 0, 2, 3 absent"),
        Case((_impressions([1, 0], [0, 0], as_bool=True),), note="one position, bool column"),
        Case((_impressions([]),), note="empty table: expected to raise ValueError"),
    ),
    generate=_random_impressions,
    properties=(_sorted_by_position, _rates_in_unit_interval),
))
