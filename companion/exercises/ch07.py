"""Exercises of chapter 07 (candidate sources): measuring a candidate list, and blending sources.

- ``07.recall_at_k``: ``(candidates, relevant, k) -> float``. The share of the distinct items of
  ``relevant`` that appear among the **first ``k`` entries** of ``candidates`` (a ranked list of item
  ids, best first). Only the first ``k`` positions count, whatever they hold: a duplicate or a ``-1``
  (an empty slot) uses up a position, and an item counts once however often it appears. Duplicates
  in ``relevant`` count once as well (it is a set). The denominator is the number of distinct relevant
  items, never ``k`` (that would be precision). A list shorter than ``k`` is used as it is. Raises
  ``ValueError`` if ``relevant`` is empty (recall is undefined: returning 0 or NaN would hide an
  upstream bug), if ``relevant`` holds a negative id, or if ``k < 1``.
- ``07.blend``: ``(lists, quotas) -> ndarray``. Merge the ranked lists of several candidate sources
  (``lists``: a dict of source name to a 1-D sequence of item ids, best first; ``-1`` entries are empty
  slots and are skipped) under ``quotas`` (a dict of source name to an int >= 0). Round robin in the
  order of ``quotas``: in each turn, every source that still has quota left adds its highest-ranked
  item **not already in the merged list** (passing over items taken before, by itself or by another
  source, and ``-1``), and its quota goes down by one; a source whose list runs out stops. The blend
  ends when no source can add an item. Each source thus contributes up to its quota of *new* items,
  so the result has no duplicates and at most ``sum(quotas)`` items. Return them in the order they
  were added, as a 1-D ``int64`` numpy array (no padding; the package's
  :func:`companion.retrieval.blend` does the same for many users at once and pads with ``-1``).
  Sources in ``lists`` that are not in ``quotas`` contribute nothing. Raises ``ValueError`` if
  ``quotas`` names a source that is not in ``lists`` or holds a negative quota.

Both references are plain numpy and Python, independent of :mod:`companion.retrieval`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._model import Case, Exercise
from ._properties import in_unit_interval
from ._registry import register

__all__ = ["BLEND", "RECALL_AT_K"]


# --- 07.recall_at_k -----------------------------------------------------------------------------


def _recall_at_k(candidates: Any, relevant: Any, k: int) -> float:
    """Reference: |distinct relevant items among the first k candidates| / |distinct relevant items|."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be an int >= 1; got {k!r}.")
    relevant = {int(i) for i in np.asarray(relevant, dtype=np.int64).ravel()}
    if not relevant:
        raise ValueError("`relevant` is empty: recall is undefined.")
    if min(relevant) < 0:
        raise ValueError("`relevant` must hold item ids >= 0.")
    first = {int(i) for i in np.asarray(candidates, dtype=np.int64).ravel()[:k]}
    return len(first & relevant) / len(relevant)


def _recall_case(candidates: list, relevant: list, k: int, note: str) -> Case:
    return Case((np.asarray(candidates, dtype=np.int64), np.asarray(relevant, dtype=np.int64), k), note=note)


def _random_recall(rng: np.random.Generator) -> Case:
    n_items = int(rng.integers(5, 60))
    n_relevant = int(rng.integers(1, min(n_items, 15) + 1))
    relevant = rng.choice(n_items, n_relevant, replace=False)
    if rng.random() < 0.3:  # a relevant set given with repeats
        relevant = np.r_[relevant, rng.choice(relevant, int(rng.integers(1, 4)))]
    length = int(rng.integers(0, 2 * n_items))
    # ranked lists that favour relevant items, with repeats and empty slots now and then
    pool = np.r_[relevant, relevant, rng.integers(0, n_items, n_items)]
    candidates = rng.choice(pool, length) if length else np.array([], dtype=np.int64)
    if length and rng.random() < 0.3:
        candidates[rng.random(length) < 0.15] = -1
    k = int(rng.integers(1, max(length, 1) + 5))
    return Case((candidates.astype(np.int64), relevant.astype(np.int64), k),
                note=f"{length} candidates, {n_relevant} relevant, k={k}")


RECALL_AT_K = register(Exercise(
    id="07.recall_at_k",
    title="Recall at k of one candidate list",
    chapter="07",
    reference=_recall_at_k,
    cases=(
        _recall_case([3, 7, 1, 9], [7, 9, 5, 2], 4, "two of four relevant items found"),
        _recall_case([3, 7, 1, 9], [7, 9, 5, 2], 2, "only the first k=2 candidates count"),
        _recall_case([7, 7, 7, 9], [7, 9, 5], 4, "a duplicated candidate counts once"),
        _recall_case([7, 7, 9, 1], [9, 1], 2, "a duplicate uses up a position: 9 is third"),
        _recall_case([5, -1, -1, 2], [2, 5, 8, 8], 4,
                     "-1 slots find nothing; the relevant set has a repeat (3 distinct items)"),
        _recall_case([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2], 10,
                     "one relevant item found among 10: recall 1, precision 0.1"),
        _recall_case([4, 6], [4, 6, 8, 10], 100, "a list shorter than k is used as it is"),
        _recall_case([], [1, 2], 5, "no candidates: recall 0"),
        _recall_case([1, 2], [], 5, "no relevant item: expected to raise ValueError (not 0, not NaN)"),
        _recall_case([1, 2], [1], 0, "k = 0: expected to raise ValueError"),
    ),
    generate=_random_recall,
    n_random=40,
    properties=(in_unit_interval("recall", allow_nan=False),),
))


# --- 07.blend -----------------------------------------------------------------------------------


def _blend(lists: dict, quotas: dict) -> np.ndarray:
    """Reference: round robin in the order of ``quotas``, each turn one new item per source."""
    for name, quota in quotas.items():
        if name not in lists:
            raise ValueError(f"`quotas` names {name!r}, which is not in `lists` ({sorted(lists)}).")
        if isinstance(quota, bool) or not isinstance(quota, (int, np.integer)) or quota < 0:
            raise ValueError(f"quota of {name!r} must be an int >= 0; got {quota!r}.")
    ranked = {name: [int(i) for i in np.asarray(lists[name], dtype=np.int64).ravel()] for name in quotas}
    left = {name: int(q) for name, q in quotas.items()}
    position = dict.fromkeys(quotas, 0)
    merged: list[int] = []
    taken: set[int] = set()
    while any(left.values()):
        for name in quotas:
            if not left[name]:
                continue
            row, p = ranked[name], position[name]
            while p < len(row) and (row[p] < 0 or row[p] in taken):
                p += 1
            if p == len(row):  # this source has run out
                left[name] = 0
                continue
            merged.append(row[p])
            taken.add(row[p])
            position[name], left[name] = p + 1, left[name] - 1
    return np.asarray(merged, dtype=np.int64)


def _blend_case(lists: dict, quotas: dict, note: str) -> Case:
    return Case(({k: np.asarray(v, dtype=np.int64) for k, v in lists.items()}, dict(quotas)), note=note)


def _random_blend(rng: np.random.Generator) -> Case:
    n_sources = int(rng.integers(1, 5))
    n_items = int(rng.integers(5, 40))
    names = [f"s{j}" for j in range(n_sources)]
    shared = rng.permutation(n_items)  # sources agree in part: overlapping top items
    lists, quotas = {}, {}
    for name in names:
        length = int(rng.integers(0, n_items + 1))
        mine = rng.permutation(n_items)[:length]
        mix = rng.random(length) < rng.random()
        lists[name] = np.where(mix, shared[:length], mine).astype(np.int64)  # may repeat items
        if length and rng.random() < 0.2:
            lists[name][rng.random(length) < 0.1] = -1
        quotas[name] = int(rng.integers(0, n_items // 2 + 2))
    order = list(rng.permutation(names))  # the order of `quotas` need not be that of `lists`
    return Case((lists, {name: quotas[name] for name in order}),
                note=f"{n_sources} sources over {n_items} items, quotas {[quotas[n] for n in order]}")


def _no_duplicates(case: Case, out: Any) -> str | None:
    try:
        values = np.asarray(out).ravel()
    except (TypeError, ValueError):
        return None
    if values.size != np.unique(values).size:
        return "a blend must not hold an item twice"
    if values.size > sum(case.args[1].values()):
        return f"a blend holds at most sum(quotas) = {sum(case.args[1].values())} items; got {values.size}"
    return None


BLEND = register(Exercise(
    id="07.blend",
    title="Blend ranked candidate lists under quotas",
    chapter="07",
    reference=_blend,
    cases=(
        _blend_case({"a": [1, 2, 3], "b": [4, 5, 6]}, {"a": 2, "b": 2}, "no overlap: a, b, a, b"),
        _blend_case({"a": [1, 2, 3, 4], "b": [2, 5, 6]}, {"a": 2, "b": 2},
                    "b's top item was taken by a: b passes over it, so b still adds 2 new items"),
        _blend_case({"svd": [1, 2, 3, 4, 5], "pop": [1, 2, 3, 9, 8]}, {"svd": 3, "pop": 2},
                    "heavy overlap: popularity's new items are 9 and 8"),
        _blend_case({"a": [1, 2, 3, 4, 5, 6], "b": [7, 8]}, {"a": 1, "b": 4},
                    "b runs out after 2 items; a's quota is not raised to fill in"),
        _blend_case({"a": [5, 5, 6, 7], "b": [5, 8]}, {"a": 2, "b": 2},
                    "a repeats its own item: it counts once"),
        _blend_case({"a": [-1, 3, -1, 4], "b": [3, 9, -1]}, {"a": 2, "b": 2}, "-1 slots are skipped"),
        _blend_case({"a": [1, 2, 3], "b": [4, 5, 6]}, {"b": 2, "a": 1},
                    "round robin in the order of `quotas`, not of `lists`"),
        _blend_case({"a": [1, 2, 3], "b": [3, 2, 1], "c": [9]}, {"a": 2, "b": 2},
                    "a source without a quota (c) contributes nothing"),
        _blend_case({"a": [1, 2], "b": [3]}, {"a": 0, "b": 1}, "a quota of 0"),
        _blend_case({"a": [1, 2, 3], "b": [2, 3, 1]}, {"a": 3, "b": 3},
                    "b finds nothing new: three items in all"),
        _blend_case({"a": [1, 2]}, {"a": 1, "b": 1}, "an unknown source: expected to raise ValueError"),
        _blend_case({"a": [1, 2]}, {"a": -1}, "a negative quota: expected to raise ValueError"),
    ),
    generate=_random_blend,
    n_random=40,
    properties=(_no_duplicates,),
))
