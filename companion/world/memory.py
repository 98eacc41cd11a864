"""``SeenSet``: which (user, item) pairs have happened, as one bit per pair.

The world's users remember what they were shown and what they clicked (satiation), and a policy can
remember what it showed (a seen-filter). Both need a set of (user, item) pairs that answers millions
of look-ups per second; a bit array of ``n_users * n_items`` bits does (100 MB for the large world).
Taught in chapter 02 (seen-filters) and used by the simulator.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_int

__all__ = ["SeenSet", "UserMemory"]


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
        self.n_users = check_int("n_users", n_users, minimum=1, maximum=10**9)
        self.n_items = check_int("n_items", n_items, minimum=1, maximum=10**9)
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


class UserMemory:
    """What the world's users remember: items seen, items clicked, and series they follow.

    A user follows a series once they clicked one of its items; the follow bonus of the true model
    applies to the *other* items of the series, so the memory also records series with two or more
    clicked items (then every item of the series, clicked or not, has another clicked episode).

    Parameters
    ----------
    n_users, n_items : int
    item_series : ndarray, shape (n_items,)
        The series of each item.

    Examples
    --------
    Items 0, 1, 2 form a series. After a click on item 0, item 1 has another clicked episode (the user
    follows the series) but item 0 itself does not; after a click on item 1 as well, both do.

    >>> m = UserMemory(1, 3, np.array([0, 0, 0]))
    >>> m.remember([0], [0], np.array([True]))
    >>> [v.tolist() for v in m.state([0, 0], [0, 1])]   # seen, clicked, follows
    [[True, False], [True, False], [False, True]]
    >>> m.remember([0], [1], np.array([True]))
    >>> m.state([0, 0], [0, 1])[2].tolist()
    [True, True]
    """

    def __init__(self, n_users: int, n_items: int, item_series: np.ndarray) -> None:
        self.item_series = check_array("item_series", item_series, ndim=1, dtype_kind="iu")
        n_series = int(self.item_series.max()) + 1 if self.item_series.size else 1
        self.seen = SeenSet(n_users, n_items)
        self.clicked = SeenSet(n_users, n_items)
        self.series_once = SeenSet(n_users, n_series)
        self.series_twice = SeenSet(n_users, n_series)

    def remember(self, users, items, clicks) -> None:
        """Add impressions (and which of them were clicked) to the memory."""
        users, items = np.asarray(users), np.asarray(items)
        clicks = check_array("clicks", clicks, dtype_kind="b")
        self.seen.add(users, items)
        u, i = users[clicks], items[clicks]
        pair = u.astype(np.int64) * self.clicked.n_items + i
        _, keep = np.unique(pair, return_index=True)
        keep = np.sort(keep)
        u, i = u[keep], i[keep]
        new = ~self.clicked.contains(u, i)  # a re-click of the same item is not another episode
        u, i = u[new], i[new]
        self.clicked.add(u, i)
        s = self.item_series[i]
        key = u.astype(np.int64) * (int(self.item_series.max()) + 1) + s
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        again = self.series_once.contains(u, s)
        within = np.zeros(u.size, dtype=bool)
        within[first[counts > 1]] = True  # two episodes of one series clicked in the same batch
        twice = again | within
        self.series_twice.add(u[twice], s[twice])
        self.series_once.add(u, s)

    def state(self, users, items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each (user, item): seen before, clicked before, and follows its series (another episode clicked)."""
        users, items = np.asarray(users), np.asarray(items)
        seen = self.seen.contains(users, items)
        clicked = self.clicked.contains(users, items)
        s = self.item_series[items]
        follows = self.series_twice.contains(users, s) | (self.series_once.contains(users, s) & ~clicked)
        return seen, clicked, follows
