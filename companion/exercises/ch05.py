"""Chapter 05 exercises: turning token vectors into a text vector, and scoring a text embedding.

``05.masked_mean_pool``: the mean of each text's *real* token vectors in a padded batch (the pooling
Sentence-BERT puts on top of BERT, and the mean of word vectors that turns Word2Vec into a text
encoder). Padded slots hold arbitrary values, as a model's outputs at padding positions do, so a
solution that averages the padding, or divides by the padded length, is wrong. A text with no real
token gets the zero vector; a mask whose shape does not match the vectors must raise ``ValueError``
(broadcasting it would silently pool the wrong slots).

``05.precision_at_k``: the mean, over items, of the share of an item's ``k`` nearest neighbours by
cosine similarity that carry the item's label. The item itself is not its own neighbour: counting it
inflates precision by up to ``1/k``. Ties in similarity are broken by the lower index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._model import Case, Exercise
from ._properties import in_unit_interval
from ._registry import register

__all__ = ["MASKED_MEAN_POOL", "PRECISION_AT_K"]


# --- 05.masked_mean_pool ------------------------------------------------------------------------


def _masked_mean_pool(vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Reference: sum of the vectors where ``mask`` is true, divided by their count (zeros if none)."""
    v = np.asarray(vectors, dtype=np.float64)
    m = np.asarray(mask)
    if v.ndim != 3:
        raise ValueError(f"`vectors` must have shape (n, L, d); got shape {v.shape}")
    if m.shape != v.shape[:2]:
        raise ValueError(f"`mask` must have shape {v.shape[:2]} (n, L); got {m.shape}")
    if m.dtype.kind not in "biu" or not np.isin(m, (0, 1)).all():
        raise ValueError("`mask` must hold booleans or 0/1")
    w = m.astype(bool)
    total = np.where(w[:, :, None], v, 0.0).sum(axis=1)
    count = w.sum(axis=1, keepdims=True)
    return total / np.maximum(count, 1)


def _padded(lengths: list[int], d: int, *, pad: float | None = None, as_int: bool = False,
            seed: int = 0) -> Case:
    """A padded batch: row ``j`` has ``lengths[j]`` real tokens, then padding (random junk or ``pad``)."""
    rng = np.random.default_rng(seed)
    n, width = len(lengths), max(max(lengths, default=0), 1)
    vectors = rng.normal(0.0, 1.0, (n, width, d)).round(2)
    mask = np.arange(width)[None, :] < np.asarray(lengths, dtype=np.int64)[:, None]
    padding = ~mask
    vectors[padding] = pad if pad is not None else rng.uniform(5.0, 50.0, (int(padding.sum()), d)).round(1)
    return Case((vectors, mask.astype(np.int64) if as_int else mask),
                note=f"lengths {lengths}, d={d}, {'int' if as_int else 'bool'} mask"
                     + (f", padding = {pad}" if pad is not None else ", junk in the padding"))


def _random_pool(rng: np.random.Generator) -> Case:
    n, width, d = int(rng.integers(1, 12)), int(rng.integers(1, 9)), int(rng.integers(1, 6))
    vectors = rng.normal(0.0, 1.0, (n, width, d))
    mask = rng.random((n, width)) < rng.uniform(0.2, 0.9)
    if rng.random() < 0.7:                       # right-padded, as tokenizers produce
        mask = np.sort(mask, axis=1)[:, ::-1]
    vectors[~mask] = rng.uniform(-20.0, 20.0, (int((~mask).sum()), d))
    as_int = bool(rng.random() < 0.4)
    return Case((vectors, mask.astype(np.int64) if as_int else mask),
                note=f"{n} texts x {width} slots x {d} dims, {int(mask.sum())} real tokens, "
                     f"{'int' if as_int else 'bool'} mask")


def _pool_shape(case: Case, out: Any) -> str | None:
    vectors = case.args[0]
    if isinstance(out, np.ndarray) and out.shape != (vectors.shape[0], vectors.shape[2]):
        return f"one vector per text: expected shape {(vectors.shape[0], vectors.shape[2])}, got {out.shape}"
    if isinstance(out, np.ndarray) and out.dtype.kind == "f" and not np.isfinite(out).all():
        return "the result holds NaN or inf: a text with no real token must pool to zeros"
    return None


_mismatch = _padded([2, 1], 3, seed=6)
MASKED_MEAN_POOL = register(Exercise(
    id="05.masked_mean_pool",
    title="Masked mean pooling",
    chapter="05",
    reference=_masked_mean_pool,
    cases=(
        _padded([3, 1, 2], 4, seed=1),
        _padded([2, 2], 2, pad=0.0, seed=2),
        _padded([4, 1, 3], 3, as_int=True, seed=3),
        _padded([2, 0, 3], 2, seed=4),
        _padded([1], 5, seed=5),
        Case((_mismatch.args[0], _mismatch.args[1][:1]),
             note="mask of shape (1, L) for 2 texts: expected to raise ValueError (no broadcasting)"),
        Case((_mismatch.args[0][:, :, 0], _mismatch.args[1]),
             note="vectors of shape (n, L), not (n, L, d): expected to raise ValueError"),
    ),
    generate=_random_pool,
    properties=(_pool_shape,),
))


# --- 05.precision_at_k --------------------------------------------------------------------------


def _precision_at_k(vectors: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Reference: cosine top-k of each item among the others (ties -> lower index), same-label share."""
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels)
    if x.ndim != 2 or y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"need `vectors` (n, d) and `labels` (n,); got {x.shape} and {y.shape}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"`k` must be an int; got {type(k).__name__}")
    if not 1 <= k <= len(x) - 1:
        raise ValueError(f"`k` must be between 1 and n - 1 = {len(x) - 1}; got {k}")
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -np.inf)
    top = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    return float((y[top] == y[:, None]).mean())


def _labelled(points: list[list[float]], labels: list, k: int, note: str) -> Case:
    return Case((np.asarray(points, dtype=np.float64), np.asarray(labels), k), note=note)


def _random_precision(rng: np.random.Generator) -> Case:
    n, d, n_labels = int(rng.integers(4, 60)), int(rng.integers(2, 8)), int(rng.integers(2, 6))
    labels = rng.integers(0, n_labels, n)
    centres = rng.normal(0.0, 1.0, (n_labels, d))
    points = centres[labels] + rng.normal(0.0, rng.uniform(0.3, 1.5), (n, d))
    points *= rng.lognormal(0.0, 1.0, (n, 1))    # norms vary: cosine is not the dot product
    k = int(rng.integers(1, min(10, n - 1) + 1))
    return Case((points, labels, k), note=f"{n} items, {n_labels} labels, d={d}, k={k}")


PRECISION_AT_K = register(Exercise(
    id="05.precision_at_k",
    title="Precision@k of neighbours",
    chapter="05",
    reference=_precision_at_k,
    cases=(
        _labelled([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], ["a", "a", "b", "b"], 1,
                  "two clean pairs: every nearest neighbour shares the label"),
        _labelled([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], [0, 0, 1, 1], 2,
                  "k=2: one of two neighbours is from the other label"),
        _labelled([[10, 0], [0.1, 0.01], [0, 3], [1, 1.2]], [0, 0, 1, 1], 1,
                  "norms differ: cosine, not the dot product"),
        _labelled([[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1]], [0, 1, 0, 1, 0], 4,
                  "k = n - 1: every other item is a neighbour"),
        _labelled([[1, 0], [1, 0.1], [0, 1]], [0, 1, 1], 3, "k = n: expected to raise ValueError"),
        _labelled([[1, 0], [0, 1]], [0, 1], 0, "k = 0: expected to raise ValueError"),
    ),
    generate=_random_precision,
    properties=(in_unit_interval("precision"),),
))
