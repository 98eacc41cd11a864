"""Chapter 02 exercises: measuring what a batch system misses and what retrieval keeps.

``02.fresh_share``: the share of impressions on items uploaded the same day (a nightly batch serves
none). ``02.retrieval_recall``: the mean share of the ideal top items that a first stage keeps; a recall over
no requests is undefined, so an empty input must raise ``ValueError`` (returning 0 or NaN would hide
an upstream bug).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._model import Case, Exercise
from ._properties import in_unit_interval
from ._registry import register

__all__ = ["FRESH_SHARE", "RETRIEVAL_RECALL"]


# --- 02.fresh_share -----------------------------------------------------------------------------


def _fresh_share(events: pd.DataFrame, items: pd.DataFrame) -> float:
    """Reference: impressions whose item's ``upload_day`` equals the impression's ``day``, as a share."""
    if len(events) == 0:
        raise ValueError("an empty impression table has no fresh share")
    upload = items.set_index("item_id")["upload_day"]
    return float(np.mean(upload.loc[events["item_id"]].to_numpy() == events["day"].to_numpy()))


def _fresh_case(events_days: list[tuple[int, int]], uploads: list[int], note: str) -> Case:
    events = pd.DataFrame(events_days, columns=["item_id", "day"])
    items = pd.DataFrame({"item_id": np.arange(len(uploads)), "upload_day": uploads})
    return Case((events, items), note=note)


def _random_fresh(rng: np.random.Generator) -> Case:
    n_items = int(rng.integers(1, 40))
    items = pd.DataFrame({"item_id": rng.permutation(n_items) + 100,
                          "upload_day": rng.integers(-3, 10, n_items)})
    n = int(rng.integers(1, 200))
    item = rng.choice(items["item_id"].to_numpy(), n)
    upload = items.set_index("item_id")["upload_day"].loc[item].to_numpy()
    day = upload + rng.choice([0, 0, 1, 2, 5], n)
    return Case((pd.DataFrame({"item_id": item, "day": day}), items), note=f"{n} impressions, {n_items} items")


FRESH_SHARE = register(Exercise(
    id="02.fresh_share",
    title="Share of impressions on items uploaded that day",
    chapter="02",
    reference=_fresh_share,
    cases=(
        _fresh_case([(0, 5), (1, 5), (0, 6)], [5, 2], "one of three impressions is fresh"),
        _fresh_case([(1, 3), (1, 4)], [0, 3], "items not in id order with the table's rows"),
        _fresh_case([(0, 1)], [0], "nothing fresh"),
        _fresh_case([], [0], "no impressions: expected to raise ValueError"),
    ),
    generate=_random_fresh,
    properties=(in_unit_interval("share"),),
))


# --- 02.retrieval_recall ------------------------------------------------------------------------


def _retrieval_recall(candidates: list, ideal: list) -> float:
    """Reference: mean over requests of |candidates & ideal| / |ideal|."""
    if len(candidates) != len(ideal):
        raise ValueError(f"got {len(candidates)} candidate lists but {len(ideal)} ideal lists")
    if len(ideal) == 0:
        raise ValueError("no requests")
    shares = [len(set(np.asarray(c).tolist()) & set(np.asarray(t).tolist())) / len(t)
              for c, t in zip(candidates, ideal, strict=True)]
    return float(np.mean(shares))


def _random_recall(rng: np.random.Generator) -> Case:
    n_req = int(rng.integers(1, 20))
    cands, ideal = [], []
    for _ in range(n_req):
        pool = rng.permutation(100)
        ideal.append(pool[: int(rng.integers(1, 11))])
        cands.append(rng.choice(100, int(rng.integers(1, 60)), replace=False))
    return Case((cands, ideal), note=f"{n_req} requests")


RETRIEVAL_RECALL = register(Exercise(
    id="02.retrieval_recall",
    title="Recall of the ideal slate among first-stage candidates",
    chapter="02",
    reference=_retrieval_recall,
    cases=(
        Case(([np.array([1, 2, 3])], [np.array([2, 9])]), note="one of two ideal items retrieved"),
        Case(([np.array([5, 6]), np.array([7])], [np.array([5, 6]), np.array([8])]), note="mean of 1 and 0"),
        Case(([[4, 4, 4]], [[4]]), note="duplicates in the candidate list count once"),
        Case(([[1]], [[1], [2]]), note="mismatched lengths: expected to raise ValueError"),
        Case(([], []), note="no requests: expected to raise ValueError (not 0, not NaN)"),
        Case(([np.array([], dtype=np.int64)], [np.array([3])]), note="an empty candidate list retrieves nothing"),
    ),
    generate=_random_recall,
))
