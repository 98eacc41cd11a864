"""From scores to candidate lists, and how much of the oracle's answer a list recalls.

Taught in chapter 07 (candidate sources).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from .sources import _task
from .task import RetrievalTask

__all__ = ["recall_at_k", "top_k"]


def top_k(task: RetrievalTask, scores, *, k: int = 100, seed: int = 0) -> np.ndarray:
    """Each user's ``k`` highest-scored items, best first, among the available items not yet clicked.

    Ties (e.g. a source that scores every item 0 for a user with no clicks) are broken at random.

    Parameters
    ----------
    task : RetrievalTask
    scores : array, shape (n_users, n_items)
        From a source; NaN is refused.
    k : int, default 100
    seed : int, default 0
        Seed of the tie-break.

    Returns
    -------
    ndarray of int64, shape (n_users, k)
    """
    task = _task(task)
    s = np.asarray(scores)
    if s.dtype.kind not in "iuf":
        raise TypeError(f"`scores` must hold numbers; got dtype {s.dtype}.")
    if s.shape != (task.users.size, task.n_items):
        raise ValueError(f"`scores` must have shape ({task.users.size}, {task.n_items}) (users x items of the "
                         f"task); got {s.shape}.")
    if np.isnan(s).any():
        raise ValueError("`scores` must not contain NaN.")
    fresh = (task.available & ~task.clicked).sum(axis=1).min()
    k = check_int("k", k, minimum=1, maximum=int(fresh))
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    # Rank by score, ties at random: a random secondary key via lexsort-free jitter on the rank scale.
    order = np.argsort(rng.random(s.shape), axis=1)
    shuffled = np.take_along_axis(s.astype(float), order, axis=1)
    shuffled[~np.take_along_axis(np.broadcast_to(task.available, s.shape) & ~task.clicked, order, axis=1)] = -np.inf
    best = np.argsort(-shuffled, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(order, best, axis=1).astype(np.int64)


def recall_at_k(task: RetrievalTask, candidates) -> np.ndarray:
    """Share of each user's ideal items (``task.ideal``) found among their candidates.

    Parameters
    ----------
    task : RetrievalTask
    candidates : array of int, shape (n_users, k)
        Item ids per user; ``-1`` marks an empty slot. Duplicates count once.

    Returns
    -------
    ndarray of float, shape (n_users,)
    """
    task = _task(task)
    c = np.asarray(candidates)
    if c.dtype.kind not in "iu":
        raise TypeError(f"`candidates` must hold integer item ids; got dtype {c.dtype}.")
    if c.ndim != 2 or c.shape[0] != task.users.size:
        raise ValueError(f"`candidates` must have shape ({task.users.size}, k); got {c.shape}.")
    if c.size and (c.min() < -1 or c.max() >= task.n_items):
        raise ValueError(f"`candidates` must hold item ids in [0, {task.n_items}) or -1; got values in "
                         f"[{c.min()}, {c.max()}].")
    hit = np.zeros((task.users.size, task.n_items + 1), dtype=bool)
    np.put_along_axis(hit, np.where(c < 0, task.n_items, c), True, axis=1)
    return np.take_along_axis(hit, task.ideal, axis=1).mean(axis=1)
