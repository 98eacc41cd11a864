"""Candidate sources: each scores every item for every user of a :class:`RetrievalTask`.

Every source returns a float array of shape ``(n_users, n_items)``, higher is better; only the order
within a row matters. They see only what the task says was known before its day.
Taught in chapter 07 (candidate sources).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .._validation import check_int, check_type
from .task import RetrievalTask

__all__ = ["content_scores", "covisitation_scores", "popularity_scores", "random_scores", "svd_scores"]


def _task(task: RetrievalTask) -> RetrievalTask:
    return check_type("task", task, RetrievalTask, hint="build one with companion.retrieval.make_task")


def random_scores(task: RetrievalTask, *, seed: int = 0) -> np.ndarray:
    """Uniform random scores: the floor every source must beat.

    Returns
    -------
    ndarray of float, shape (n_users, n_items)
    """
    task = _task(task)
    seed = check_int("seed", seed, minimum=0)
    return np.random.default_rng(seed).random((task.users.size, task.n_items))


def popularity_scores(task: RetrievalTask, *, window_days: int = 7) -> np.ndarray:
    """Clicks per item over the last ``window_days`` before the task's day, the same for every user.

    Returns
    -------
    ndarray of float, shape (n_users, n_items)
    """
    task = _task(task)
    window_days = check_int("window_days", window_days, minimum=1, maximum=10_000)
    h = task.history
    recent = h[(h["day"] >= task.day - window_days) & h["click"].to_numpy()]
    counts = np.bincount(recent["item_id"].to_numpy(), minlength=task.n_items).astype(float)
    return np.broadcast_to(counts, (task.users.size, task.n_items)).copy()


def covisitation_scores(task: RetrievalTask) -> np.ndarray:
    """Item-item co-visitation: items clicked by the users who clicked what this user clicked.

    The co-click counts ``C = X^T X`` (``X`` the users x items click matrix, diagonal removed) are
    normalised by the items' degrees, ``D^-1/2 C D^-1/2``, so very popular items do not co-occur with
    everything; a user's score for an item is the sum over the items they clicked.

    Returns
    -------
    ndarray of float, shape (n_users, n_items)
    """
    task = _task(task)
    X = task.clicks
    degree = np.asarray(X.sum(axis=0)).ravel()
    norm = sparse.diags(1.0 / np.sqrt(np.maximum(degree, 1.0)))
    co = (X.T @ X).tocsr()
    co.setdiag(0)
    return np.asarray((X[task.users] @ (norm @ co @ norm)).toarray())


def svd_scores(task: RetrievalTask, *, n_components: int = 64, seed: int = 0) -> np.ndarray:
    """Matrix factorisation: a truncated SVD of the click matrix; users fold in as ``x_u V``.

    Returns
    -------
    ndarray of float, shape (n_users, n_items)
    """
    from sklearn.decomposition import TruncatedSVD

    task = _task(task)
    n_components = check_int("n_components", n_components, minimum=1, maximum=min(task.clicks.shape) - 1)
    seed = check_int("seed", seed, minimum=0, maximum=2**32 - 1)  # scikit-learn's random_state range
    V = TruncatedSVD(n_components, random_state=seed).fit(task.clicks).components_.T
    return np.asarray((task.clicks[task.users] @ V) @ V.T)


def content_scores(task: RetrievalTask, item_vectors) -> np.ndarray:
    """Content similarity: cosine between each item's vector and the mean vector of the user's clicks.

    Parameters
    ----------
    task : RetrievalTask
    item_vectors : array or scipy.sparse matrix, shape (n_items, d)
        One row per item (e.g. TF-IDF of its text, or a sentence embedding).

    Returns
    -------
    ndarray of float, shape (n_users, n_items)
        0 for a user with no clicks (every item ties).
    """
    task = _task(task)
    if sparse.issparse(item_vectors):
        V = sparse.csr_matrix(item_vectors, dtype=float)
        finite = np.isfinite(V.data).all()
    else:
        V = np.asarray(item_vectors, dtype=float) if _numeric(item_vectors) else None
        if V is None or V.ndim != 2:
            raise TypeError("`item_vectors` must be a 2-D numeric array or sparse matrix, shape (n_items, d); "
                            f"got {type(item_vectors).__name__}.")
        finite = np.isfinite(V).all()
    if V.shape[0] != task.n_items or V.shape[1] == 0:
        raise ValueError(f"`item_vectors` must have shape ({task.n_items}, d) with d >= 1; got {V.shape}.")
    if not finite:
        raise ValueError("`item_vectors` must hold finite values; got NaN or inf.")
    from sklearn.preprocessing import normalize

    unit = normalize(V)  # rows of length 1 (an all-zero row stays zero)
    profile = task.clicks[task.users] @ unit  # sum of clicked items' unit vectors (the mean, up to scale)
    profile = profile.toarray() if sparse.issparse(profile) else np.asarray(profile)
    scores = (unit @ normalize(profile).T).T
    return np.asarray(scores.toarray() if sparse.issparse(scores) else scores)


def _numeric(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "iufb"
    except Exception:
        return False
