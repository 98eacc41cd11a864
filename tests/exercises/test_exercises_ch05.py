"""Chapter 05 exercises: references and honest learner solutions pass, classic mistakes fail."""

from __future__ import annotations

import numpy as np
import pytest

from companion.exercises import check, get_exercise, list_exercises

IDS = ["05.masked_mean_pool", "05.precision_at_k"]


def _run(exercise_id, fn, **kwargs):
    return check(exercise_id, fn, verbose=False, **kwargs)


def test_chapter_05_exercises_registered():
    assert list_exercises("05") == IDS
    for exercise_id in IDS:
        exercise = get_exercise(exercise_id)
        assert exercise.chapter == "05"
        assert len(exercise.cases) >= 5 and exercise.generate is not None


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_passes_itself(exercise_id, seed):
    report = _run(exercise_id, get_exercise(exercise_id).reference, n_random=50, seed=seed)
    assert report.passed, str(report)


def test_random_cases_are_reproducible():
    for exercise_id in IDS:
        ex = get_exercise(exercise_id)
        a, b = ex.generate(np.random.default_rng(5)), ex.generate(np.random.default_rng(5))
        for x, y in zip(a.args, b.args, strict=True):
            np.testing.assert_array_equal(x, y)


# ------------------------------------------------------------------------ 05.masked_mean_pool
def _checked(fn):
    """Wrap a pooling body with the shape checks, so each wrong variant fails for its own mistake."""

    def pool(vectors, mask):
        v, m = np.asarray(vectors, dtype=float), np.asarray(mask)
        if v.ndim != 3 or m.shape != v.shape[:2]:
            raise ValueError("shapes")
        return fn(v, m)

    return pool


def pool_multiply(vectors, mask):
    v, m = np.asarray(vectors, dtype=float), np.asarray(mask)
    if v.ndim != 3 or m.shape != v.shape[:2]:
        raise ValueError(f"vectors {v.shape} and mask {m.shape} do not match")
    w = m.astype(bool)[:, :, None]
    return np.where(w, v, 0.0).sum(axis=1) / np.maximum(w.sum(axis=1), 1)


def pool_loop(vectors, mask):
    vectors, mask = np.asarray(vectors, dtype=float), np.asarray(mask).astype(bool)
    if vectors.ndim != 3 or mask.shape != vectors.shape[:2]:
        raise ValueError("mask must be (n, L) for vectors (n, L, d)")
    out = np.zeros((vectors.shape[0], vectors.shape[2]))
    for i in range(vectors.shape[0]):
        real = vectors[i][mask[i]]
        if len(real):
            out[i] = real.mean(axis=0)
    return out


@pytest.mark.parametrize("fn", [pool_multiply, pool_loop])
def test_correct_pooling_passes(fn):
    for seed in (0, 1):
        assert _run("05.masked_mean_pool", fn, seed=seed).passed


def test_agrees_with_the_library_pooling():
    from companion.features import mean_pool

    ex = get_exercise("05.masked_mean_pool")
    for seed in range(5):
        vectors, mask = ex.generate(np.random.default_rng(seed)).args
        np.testing.assert_allclose(ex.reference(vectors, mask), mean_pool(vectors, mask.astype(bool)))


def _nan_for_empty(v, m):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m.astype(bool)[:, :, None], v, 0.0).sum(axis=1) / m.astype(bool).sum(axis=1, keepdims=True)


# The checker's report computes the largest difference with nanmax, which warns when every differing
# element is NaN (as here): the warning is the checker's, not a failure of the test.
_ALL_NAN = pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")

WRONG_POOL = {
    "averages the padding too": _checked(lambda v, m: v.mean(axis=1)),
    "divides by the padded length": _checked(
        lambda v, m: (v * m.astype(bool)[:, :, None]).sum(axis=1) / v.shape[1]),
    "NaN for a text without tokens": _checked(_nan_for_empty),
    "an int mask used as an index": _checked(
        lambda v, m: np.stack([v[i][m[i]].mean(axis=0) if m[i].any() else np.zeros(v.shape[2])
                               for i in range(len(v))])),
    "no shape check (broadcasts the mask)": lambda v, m: (
        (np.asarray(v) * np.asarray(m, dtype=bool)[..., None]).sum(axis=1)
        / np.maximum(np.asarray(m, dtype=bool).sum(axis=1, keepdims=True), 1)),
    "max pooling instead of mean": _checked(
        lambda v, m: np.where(m.astype(bool)[:, :, None], v, -np.inf).max(axis=1).clip(min=-1e300)),
}


@_ALL_NAN
@pytest.mark.parametrize("name", list(WRONG_POOL))
def test_wrong_pooling_fails(name):
    report = _run("05.masked_mean_pool", WRONG_POOL[name])
    assert not report.passed, name


def test_averaging_padding_is_caught_by_a_fixed_case():
    report = _run("05.masked_mean_pool", WRONG_POOL["averages the padding too"], n_random=0)
    assert any("junk in the padding" in f.case.note for f in report.failures)


@_ALL_NAN
def test_empty_text_is_explained():
    report = _run("05.masked_mean_pool", WRONG_POOL["NaN for a text without tokens"], n_random=0)
    assert [f.case.note for f in report.failures] == ["lengths [2, 0, 3], d=2, bool mask, junk in the padding"]
    assert "must pool to zeros" in str(report)


# ------------------------------------------------------------------------ 05.precision_at_k
def _guard(fn):
    def precision(vectors, labels, k):
        if not 1 <= k <= len(vectors) - 1:
            raise ValueError("k out of range")
        return fn(np.asarray(vectors, dtype=float), np.asarray(labels), k)

    return precision


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def precision_argpartition(vectors, labels, k):
    x, y = np.asarray(vectors, dtype=float), np.asarray(labels)
    if not 1 <= k < len(x):
        raise ValueError("k must be in [1, n - 1]")
    sim = _unit(x) @ _unit(x).T
    np.fill_diagonal(sim, -np.inf)
    top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    return float(np.mean(y[top] == y[:, None]))


def precision_sklearn(vectors, labels, k):
    from sklearn.neighbors import NearestNeighbors

    x, y = np.asarray(vectors, dtype=float), np.asarray(labels)
    if not 1 <= k < len(x):
        raise ValueError("k must be in [1, n - 1]")
    nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine").fit(x)
    _, idx = nn.kneighbors(x)
    hits = [np.mean(y[[j for j in row if j != i][:k]] == y[i]) for i, row in enumerate(idx)]
    return float(np.mean(hits))


@pytest.mark.parametrize("fn", [precision_argpartition, precision_sklearn])
def test_correct_precision_passes(fn):
    for seed in (0, 1):
        assert _run("05.precision_at_k", fn, seed=seed).passed


def _top(sim, k):
    return np.argsort(-sim, axis=1, kind="stable")[:, :k]


WRONG_PRECISION = {
    "counts the query itself": _guard(
        lambda x, y, k: float(np.mean(y[_top(_unit(x) @ _unit(x).T, k)] == y[:, None]))),
    "dot product instead of cosine": _guard(
        lambda x, y, k: float(np.mean(y[_top(np.where(np.eye(len(x), dtype=bool), -np.inf, x @ x.T), k)]
                                      == y[:, None]))),
    "Euclidean distance on raw vectors": _guard(
        lambda x, y, k: float(np.mean(y[_top(-np.where(np.eye(len(x), dtype=bool), np.inf,
                                                       ((x[:, None] - x[None]) ** 2).sum(-1)), k)]
                                      == y[:, None]))),
    "self excluded but divided by k + 1": _guard(
        lambda x, y, k: float(np.sum(y[_top(np.where(np.eye(len(x), dtype=bool), -np.inf,
                                                     _unit(x) @ _unit(x).T), k)] == y[:, None])
                              / (len(x) * (k + 1)))),
    "no check of k": lambda x, y, k: precision_argpartition(x, y, min(k, len(x) - 1)) if k > 0 else 0.0,
}


@pytest.mark.parametrize("name", list(WRONG_PRECISION))
def test_wrong_precision_fails(name):
    report = _run("05.precision_at_k", WRONG_PRECISION[name])
    assert not report.passed, name


def test_counting_the_query_is_caught_by_fixed_cases():
    report = _run("05.precision_at_k", WRONG_PRECISION["counts the query itself"], n_random=0)
    assert report.n_failed >= 2
