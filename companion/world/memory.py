"""``SeenSet``: which (user, item) pairs have happened, as one bit per pair.

The world's users remember what they were shown and what they clicked (satiation), and a policy can
remember what it showed (a seen-filter). Both need a set of (user, item) pairs that answers millions
of look-ups per second; a bit array of ``n_users * n_items`` bits does (100 MB for the large world).
Taught in chapter 02 (seen-filters) and used by the simulator.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_int

__all__ = ["SeenSet"]


class SeenSet:
    """A set of (user, item) pairs stored as a bit array.

    Parameters
    ----------
    n_users, n_items : int
        Ids lie in ``[0, n_users)`` and ``[0, n_items)``.

    Examples
    --------
    >>> s = SeenSet(3, 4)
    >>> s.add([0, 2], [1, 3])
    >>> s.contains([0, 0, 2], [1, 2, 3]).tolist()
    [True, False, True]
    >>> len(s)
    2
    """

    def __init__(self, n_users: int, n_items: int) -> None:
        self.n_users = check_int("n_users", n_users, minimum=1)
        self.n_items = check_int("n_items", n_items, minimum=1)
        self.bits = np.zeros((self.n_users * self.n_items + 7) // 8, dtype=np.uint8)

    def _keys(self, users, items) -> np.ndarray:
        u = check_array("users", users, dtype_kind="iu").astype(np.int64, copy=False)
        i = check_array("items", items, dtype_kind="iu").astype(np.int64, copy=False)
        if u.shape != i.shape:
            raise ValueError(f"`users` and `items` must have the same shape; got {u.shape} and {i.shape}.")
        if u.size and (u.min() < 0 or u.max() >= self.n_users):
            raise ValueError(f"`users` must lie in [0, {self.n_users}); got values in [{u.min()}, {u.max()}].")
        if i.size and (i.min() < 0 or i.max() >= self.n_items):
            raise ValueError(f"`items` must lie in [0, {self.n_items}); got values in [{i.min()}, {i.max()}].")
        return u * self.n_items + i

    def add(self, users, items) -> None:
        """Insert the pairs ``(users[j], items[j])``."""
        key = self._keys(users, items)
        np.bitwise_or.at(self.bits, key >> 3, np.left_shift(1, key & 7).astype(np.uint8))

    def contains(self, users, items) -> np.ndarray:
        """Boolean array, same shape as ``users``: which pairs are in the set."""
        key = self._keys(users, items)
        return ((self.bits[key >> 3] >> (key & 7).astype(np.uint8)) & 1).astype(bool)

    def __len__(self) -> int:
        return int(np.unpackbits(self.bits).sum())
