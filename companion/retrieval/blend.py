"""Blending candidate sources under quotas.

Taught in chapter 07 (candidate sources).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["blend"]


def blend(candidates: Mapping[str, np.ndarray], quotas: Mapping[str, int]) -> np.ndarray:
    """Merge ranked candidate lists, each source contributing up to its quota of new items.

    Round robin in the order of ``quotas``: each turn, every source with quota left adds its
    highest-ranked item not already in the merged list (going further down its own list past
    duplicates); a source whose list runs out stops early, and its slots stay ``-1``.

    Parameters
    ----------
    candidates : mapping of str to array of int, shape (n_users, k_source)
        Each source's ranked lists (best first); ``-1`` entries are skipped.
    quotas : mapping of str to int
        How many items each source contributes (>= 0); every key must be in ``candidates``.

    Returns
    -------
    ndarray of int64, shape (n_users, sum of quotas)

    Examples
    --------
    >>> blend({"a": np.array([[1, 2, 3]]), "b": np.array([[2, 4, 5]])}, {"a": 2, "b": 2}).tolist()
    [[1, 2, 3, 4]]
    """
    if not isinstance(candidates, Mapping) or not candidates:
        raise TypeError(f"`candidates` must be a non-empty mapping of source name to arrays; got "
                        f"{type(candidates).__name__}.")
    if not isinstance(quotas, Mapping) or not quotas:
        raise TypeError(f"`quotas` must be a non-empty mapping of source name to int; got {type(quotas).__name__}.")
    lists, n_users = {}, None
    for name, quota in quotas.items():
        if name not in candidates:
            raise ValueError(f"`quotas` names source {name!r}, which is not in `candidates` "
                             f"({sorted(candidates)}).")
        if isinstance(quota, bool) or not isinstance(quota, (int, np.integer)) or not 0 <= quota <= 100_000:
            raise ValueError(f"`quotas` must map each source to an int in [0, 100000]; got {name!r}: {quota!r}.")
        c = np.asarray(candidates[name])
        if c.dtype.kind not in "iu" or c.ndim != 2:
            raise ValueError(f"`candidates`[{name!r}] must be a 2-D array of item ids; got dtype {c.dtype}, "
                             f"shape {c.shape}.")
        if n_users is None:
            n_users = c.shape[0]
        elif c.shape[0] != n_users:
            raise ValueError(f"`candidates` must all have the same number of rows (users); {name!r} has "
                             f"{c.shape[0]}, not {n_users}.")
        lists[name] = (c, int(quota))
    total = sum(q for _, q in lists.values())
    out = np.full((n_users, total), -1, dtype=np.int64)
    for u in range(n_users):
        taken: set[int] = set()
        position = {name: 0 for name in lists}
        left = {name: q for name, (_, q) in lists.items()}
        slot = 0
        while any(left.values()):
            for name, (c, _) in lists.items():
                if not left[name]:
                    continue
                row, p = c[u], position[name]
                while p < row.size and (row[p] < 0 or int(row[p]) in taken):
                    p += 1
                if p == row.size:
                    left[name] = 0  # ran out
                    continue
                taken.add(int(row[p]))
                out[u, slot] = row[p]
                slot += 1
                position[name], left[name] = p + 1, left[name] - 1
    return out
