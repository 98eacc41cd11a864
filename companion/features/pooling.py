"""Pool a variable-length set of vectors into one: a user's history of item embeddings, a text's words.

Three poolings a ranking model uses for a user's history (chapter 04) and a text model uses for the
words of a title (chapter 05): the masked mean, a recency-weighted mean, and attention pooling (the
softmax of each vector's similarity to a query, as in the Deep Interest Network, Zhou et al. 2018).
Histories are given padded: ``vectors`` of shape (n, L, d) with a boolean ``mask`` of shape (n, L)
saying which of the L slots hold a real vector. A row with no real vector pools to zeros.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_number

__all__ = ["attention_pool", "mean_pool", "recency_pool"]


def _padded(vectors, mask) -> tuple[np.ndarray, np.ndarray]:
    v = check_array("vectors", vectors, ndim=3, dtype_kind="iuf", finite=True).astype(float, copy=False)
    m = check_array("mask", mask, ndim=2, dtype_kind="b")
    if m.shape != v.shape[:2]:
        raise ValueError(f"`mask` must have shape {v.shape[:2]} (rows, slots) to match `vectors` {v.shape}; "
                         f"got {m.shape}.")
    return v, m


def _weighted(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    total = w.sum(axis=1, keepdims=True)
    out = np.einsum("nl,nld->nd", w, v)
    return np.divide(out, total, out=np.zeros_like(out), where=total > 0)


def mean_pool(vectors, mask) -> np.ndarray:
    """Mean of the real vectors of each row (zeros for a row with none).

    Parameters
    ----------
    vectors : array, shape (n, L, d)
    mask : bool array, shape (n, L)

    Returns
    -------
    ndarray, shape (n, d)

    Examples
    --------
    >>> v = np.array([[[1.0, 0.0], [3.0, 2.0], [9.0, 9.0]]])
    >>> mean_pool(v, np.array([[True, True, False]])).tolist()
    [[2.0, 1.0]]
    """
    v, m = _padded(vectors, mask)
    return _weighted(v, m.astype(float))


def recency_pool(vectors, mask, ages, *, half_life: float) -> np.ndarray:
    """Weighted mean with weight ``0.5 ** (age / half_life)``: recent items count more.

    Parameters
    ----------
    vectors : array, shape (n, L, d)
    mask : bool array, shape (n, L)
    ages : array, shape (n, L)
        Age of each slot (e.g. days since the click), >= 0 where ``mask`` is True.
    half_life : float
        Age at which a vector's weight halves; > 0.

    Returns
    -------
    ndarray, shape (n, d)
    """
    v, m = _padded(vectors, mask)
    a = check_array("ages", ages, shape=m.shape, dtype_kind="iuf")
    h = check_number("half_life", half_life, strict_minimum=True, minimum=0.0)
    real = a[m]
    if real.size and (not np.all(np.isfinite(real)) or real.min() < 0):
        raise ValueError("`ages` must be finite and >= 0 wherever `mask` is True.")
    w = np.where(m, 0.5 ** (np.where(m, a, 0.0) / h), 0.0)
    return _weighted(v, w)


def attention_pool(vectors, mask, query, *, temperature: float = 1.0) -> np.ndarray:
    """Softmax-attention pooling: weights ``softmax(vectors . query / temperature)`` over the real slots.

    With a candidate item's embedding as ``query`` this is the user-interest pooling of the Deep
    Interest Network: the history items similar to the candidate dominate.

    Parameters
    ----------
    vectors : array, shape (n, L, d)
    mask : bool array, shape (n, L)
    query : array, shape (n, d) or (d,)
    temperature : float, default 1
        > 0; large values approach the mean, small ones the single most similar vector.

    Returns
    -------
    ndarray, shape (n, d)
    """
    v, m = _padded(vectors, mask)
    q = check_array("query", query, dtype_kind="iuf", finite=True).astype(float, copy=False)
    if q.ndim == 1:
        q = np.broadcast_to(q, (v.shape[0], q.size))
    if q.shape != (v.shape[0], v.shape[2]):
        raise ValueError(f"`query` must have shape ({v.shape[0]}, {v.shape[2]}) or ({v.shape[2]},); got {q.shape}.")
    t = check_number("temperature", temperature, strict_minimum=True, minimum=0.0)
    logits = np.einsum("nld,nd->nl", v, q) / t
    logits = np.where(m, logits, -np.inf)
    top = logits.max(axis=1, keepdims=True)
    w = np.where(m, np.exp(logits - np.where(np.isfinite(top), top, 0.0)), 0.0)
    return _weighted(v, w)
