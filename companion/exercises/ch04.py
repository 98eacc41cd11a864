"""Exercises of chapter 04 (feature representation): two encodings that are easy to get subtly wrong.

- ``04.ctr_before``: ``(events, queries, *, window_s, prior, strength) -> Series`` aligned with
  ``queries.index``: for each query row ``(user_id, ts)``, the user's smoothed click-through rate over
  the events with ``ts - window_s <= ts' < ts``, that is ``(clicks + strength * prior) /
  (impressions + strength)``. *Strictly* before: the other impressions of the same request share the
  query's ``ts`` and must not count (their clicks happen together with the label being predicted).
  A user without events in the window gets ``prior``. Raises ``ValueError`` when ``window_s <= 0``
  or ``strength <= 0``. A numpy array of the same length is accepted too.
- ``04.target_encode_oof``: ``(categories, y, folds, *, smoothing) -> ndarray`` of floats: the
  out-of-fold smoothed target encoding of every row. For a row in fold ``f`` only the rows of the
  *other* folds are used: ``(sum of y over them with the same category + smoothing * prior_f) /
  (their count + smoothing)``, where ``prior_f`` is the mean of ``y`` over all rows outside fold
  ``f``. This is what ``sklearn.preprocessing.TargetEncoder(smooth=smoothing,
  cv=PredefinedSplit(folds))`` computes in ``fit_transform``. Raises ``ValueError`` when the three
  inputs differ in length, when ``smoothing <= 0``, or when there are fewer than two folds (a row's
  own fold would be all the data).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from companion.exercises import Case, Exercise, register
from companion.exercises._properties import in_unit_interval

__all__ = ["CTR_BEFORE", "TARGET_ENCODE_OOF"]


def _require(frame: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"`{name}` lacks the column(s) {missing}; it has {list(frame.columns)}.")
    return frame


def _compare_aligned(expected: pd.Series, got: Any, *, what: str, hint: str) -> str | None:
    """Accept a Series on ``expected.index`` or a 1-d array of the same length; compare with tolerance."""
    if isinstance(got, pd.DataFrame):
        return f"expected a Series (or 1-d array) with one {what} per row, got a DataFrame"
    if isinstance(got, pd.Series) and not got.index.equals(expected.index):
        return ("the Series' index must equal the input's index (same labels, same order); "
                f"expected {list(expected.index[:6])}..., got {list(got.index[:6])}... "
                "(a merge or a groupby resets or reorders it: keep the original one or return .to_numpy())")
    try:
        have = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}"
    want = expected.to_numpy(dtype=np.float64)
    if have.shape != want.shape:
        return f"expected {want.size} values (one per row), got shape {have.shape}"
    if np.isnan(have).any():
        row = int(np.flatnonzero(np.isnan(have))[0])
        return f"row {row}: got NaN; every row has a defined {what} (expected {want[row]!r})"
    bad = ~np.isclose(have, want, rtol=1e-9, atol=1e-12)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        return (f"{int(bad.sum())} of {want.size} values differ; first at row {row}: expected {want[row]!r}, "
                f"got {have[row]!r} ({hint})")
    return None


# ------------------------------------------------------------------------------------ 04.ctr_before
def _ctr_before(events: pd.DataFrame, queries: pd.DataFrame, *, window_s: float, prior: float,
                strength: float) -> pd.Series:
    """Reference: a deliberately plain loop over the queries (obviously correct, not fast)."""
    _require(events, "events", ("user_id", "ts", "click"))
    _require(queries, "queries", ("user_id", "ts"))
    if not window_s > 0:
        raise ValueError(f"`window_s` must be positive; got {window_s!r}.")
    if not strength > 0:
        raise ValueError(f"`strength` must be positive (it is the weight of the prior); got {strength!r}.")
    user = events["user_id"].to_numpy()
    ts = events["ts"].to_numpy()
    click = events["click"].to_numpy().astype(np.float64)
    values = np.empty(len(queries), dtype=np.float64)
    for row, (u, t) in enumerate(zip(queries["user_id"].to_numpy(), queries["ts"].to_numpy(), strict=True)):
        window = (user == u) & (ts < t) & (ts >= t - window_s)  # strictly before t, at most window_s back
        values[row] = (click[window].sum() + strength * prior) / (window.sum() + strength)
    return pd.Series(values, index=queries.index, name="ctr_before", dtype=np.float64)


def _compare_ctr(expected: pd.Series, got: Any) -> str | None:
    return _compare_aligned(expected, got, what="click-through rate",
                            hint="did you count events with the query's own ts, or the window's edge wrongly?")


def _events(rows: list[tuple[int, int, int]], *, click_as_int: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["user_id", "ts", "click"])
    return frame.astype({"user_id": np.int32, "ts": np.int64, "click": np.int64 if click_as_int else bool})


def _queries(rows: list[tuple[int, int]], index=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["user_id", "ts"]).astype({"user_id": np.int32, "ts": np.int64})
    if index is not None:
        frame.index = pd.Index(index)
    return frame


# User 1 has a request at ts=100 (three impressions, one click), another at ts=200, one at ts=300.
_E = _events([(1, 100, 1), (1, 100, 0), (1, 100, 0), (1, 200, 1), (1, 200, 1), (1, 300, 0),
              (2, 150, 1), (2, 150, 0)])
_KW = {"window_s": 1_000, "prior": 0.1, "strength": 2.0}


def _random_ctr_case(rng: np.random.Generator) -> Case:
    n_users = int(rng.integers(1, 6))
    n_requests = int(rng.integers(0, 40))
    rows = []
    for _ in range(n_requests):  # a request: several impressions of one user with the same ts
        u, t = int(rng.integers(0, n_users)), int(rng.integers(0, 500))
        rows += [(u, t, int(rng.random() < 0.3)) for _ in range(int(rng.integers(1, 5)))]
    events = _events(rows, click_as_int=bool(rng.random() < 0.5))
    events = events.iloc[rng.permutation(len(events))].reset_index(drop=True)  # not sorted by time
    m = int(rng.integers(1, 25))
    from_events = events["ts"].to_numpy()[rng.integers(0, len(events), m)] if len(events) else np.zeros(m)
    edge = from_events + int(rng.choice([50, 100]))  # lands exactly on the window's edge sometimes
    ts = np.where(rng.random(m) < 0.4, from_events, np.where(rng.random(m) < 0.5, edge, rng.integers(0, 600, m)))
    queries = _queries(list(zip(rng.integers(0, n_users + 1, m).tolist(), ts.astype(np.int64).tolist(),
                                strict=True)))
    shuffled = bool(rng.random() < 0.5)
    if shuffled:
        queries.index = pd.Index(rng.permutation(m) * 7 + 11)
    kwargs = {"window_s": int(rng.choice([50, 100, 1_000])), "prior": float(np.round(rng.uniform(0.02, 0.3), 3)),
              "strength": float(rng.choice([0.5, 1.0, 5.0]))}
    return Case(args=(events, queries), kwargs=kwargs,
                note=f"{len(events)} events, {m} queries, {kwargs}{', non-default index' if shuffled else ''}")


CTR_BEFORE = register(Exercise(
    id="04.ctr_before",
    title="Point-in-time CTR",
    chapter="04",
    reference=_ctr_before,
    cases=(
        Case((_E, _queries([(1, 250), (1, 400), (2, 151)])), dict(_KW),
             note="all of the user's history is before the query"),
        Case((_E, _queries([(1, 100), (1, 200), (2, 150)])), dict(_KW),
             note="impressions with the query's own ts (same request) must not count"),
        Case((_E, _queries([(1, 50), (3, 400)])), dict(_KW), note="no history, an unknown user: the prior"),
        Case((_E, _queries([(1, 300), (1, 301)])), {"window_s": 200, "prior": 0.1, "strength": 2.0},
             note="an event exactly window_s before counts (ts - window_s <= ts' < ts)"),
        Case((_E, _queries([(1, 301)])), {"window_s": 100, "prior": 0.1, "strength": 2.0},
             note="events older than the window do not count"),
        Case((_E.iloc[::-1], _queries([(1, 150), (2, 999)], index=[40, 7])), dict(_KW),
             note="events not sorted by time, non-default index"),
        Case((_events([(1, 100, 1), (1, 100, 1), (1, 200, 0)], click_as_int=True), _queries([(1, 200)])),
             {"window_s": 1_000, "prior": 0.5, "strength": 1.0}, note="click as int"),
        Case((_E, _queries([])), dict(_KW), note="no queries: an empty result"),
        Case((_E, _queries([(1, 250)])), {"window_s": 1_000, "prior": 0.1, "strength": 0.0},
             note="strength 0: expected to raise ValueError (no prior weight; 0/0 for a new user)"),
        Case((_E, _queries([(1, 250)])), {"window_s": 0, "prior": 0.1, "strength": 2.0},
             note="window_s 0: expected to raise ValueError"),
    ),
    generate=_random_ctr_case,
    n_random=25,
    compare=_compare_ctr,
    properties=(in_unit_interval("smoothed rate of 0/1 outcomes"),),
    timeout_s=10.0,
))


# ------------------------------------------------------------------------------ 04.target_encode_oof
def _target_encode_oof(categories: Any, y: Any, folds: Any, *, smoothing: float) -> np.ndarray:
    """Reference: loop over folds; each fold is encoded from the other folds only."""
    c = np.asarray(categories, dtype=object)
    t = np.asarray(y, dtype=np.float64)
    f = np.asarray(folds)
    if not (c.ndim == t.ndim == f.ndim == 1) or not (len(c) == len(t) == len(f)):
        raise ValueError(f"`categories`, `y` and `folds` must be 1-d of one length; got shapes {c.shape}, "
                         f"{t.shape}, {f.shape}.")
    if not smoothing > 0:
        raise ValueError(f"`smoothing` must be positive; got {smoothing!r}.")
    fold_ids = np.unique(f)
    if len(fold_ids) < 2:
        raise ValueError(f"need at least two folds to encode out of fold; got {fold_ids.tolist()}.")
    out = np.empty(len(c), dtype=np.float64)
    for fold in fold_ids:
        inside, outside = f == fold, f != fold
        prior = t[outside].mean()
        sums = pd.Series(t[outside]).groupby(c[outside]).sum()
        counts = pd.Series(t[outside]).groupby(c[outside]).size()
        s = sums.reindex(c[inside]).fillna(0.0).to_numpy()
        n = counts.reindex(c[inside]).fillna(0).to_numpy()
        out[inside] = (s + smoothing * prior) / (n + smoothing)
    return out


def _compare_oof(expected: np.ndarray, got: Any) -> str | None:
    return _compare_aligned(pd.Series(expected), got.to_numpy() if isinstance(got, pd.Series) else got,
                            what="encoding",
                            hint="are the row's own fold, or its own label, used? is the prior the out-of-fold mean?")


_CATS = ["a", "a", "a", "b", "b", "c", "a", "b", "c", "d"]
_Y = [1, 0, 1, 0, 0, 1, 1, 1, 0, 1]
_FOLDS = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]


def _random_oof_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 150))
    n_cats = int(rng.integers(1, 25))
    weights = 1.0 / np.arange(1, n_cats + 1) ** 1.2  # Zipf: a few common categories, many rare ones
    cats = rng.choice(n_cats, size=n, p=weights / weights.sum())
    as_str = bool(rng.random() < 0.5)
    categories = np.asarray([f"creator_{k}" for k in cats], dtype=object) if as_str else cats.astype(np.int64)
    rate = rng.uniform(0.05, 0.6, size=n_cats)
    y = (rng.random(n) < rate[cats]).astype(np.int64)
    k = int(rng.integers(2, min(5, n) + 1))
    folds = rng.permutation(np.arange(n) % k)  # every fold non-empty
    smoothing = float(rng.choice([0.5, 1.0, 10.0]))
    return Case(args=(categories, y, folds), kwargs={"smoothing": smoothing},
                note=f"{n} rows, {n_cats} categories ({'str' if as_str else 'int'}), {k} folds, "
                     f"smoothing {smoothing}")


TARGET_ENCODE_OOF = register(Exercise(
    id="04.target_encode_oof",
    title="Out-of-fold target encoding",
    chapter="04",
    reference=_target_encode_oof,
    cases=(
        Case((np.asarray(_CATS, dtype=object), np.asarray(_Y), np.asarray(_FOLDS)), {"smoothing": 1.0},
             note="three folds, four categories"),
        Case((np.asarray(["x", "y", "x", "y"], dtype=object), np.asarray([1, 0, 1, 0]), np.asarray([0, 0, 1, 1])),
             {"smoothing": 2.0}, note="a row's own label must not enter its encoding"),
        Case((np.asarray(["x", "z", "x", "x"], dtype=object), np.asarray([1, 1, 0, 0]), np.asarray([0, 1, 0, 1])),
             {"smoothing": 1.0}, note="a category absent from the other folds gets that fold's prior"),
        Case((np.asarray([7, 7, 8, 9, 9, 9]), np.asarray([1, 1, 0, 0, 1, 0]), np.asarray([1, 0, 1, 0, 1, 0])),
             {"smoothing": 0.5}, note="integer categories, two folds"),
        Case((np.asarray(["a", "b", "a"], dtype=object), np.asarray([True, False, True]), np.asarray([2, 5, 9])),
             {"smoothing": 100.0}, note="bool target, fold ids not 0..k-1, strong smoothing"),
        Case((np.asarray(["a", "b"], dtype=object), np.asarray([1, 0]), np.asarray([0, 0])), {"smoothing": 1.0},
             note="one fold only: expected to raise ValueError"),
        Case((np.asarray(["a", "b"], dtype=object), np.asarray([1, 0]), np.asarray([0, 1])), {"smoothing": 0.0},
             note="smoothing 0: expected to raise ValueError"),
        Case((np.asarray(["a", "b", "c"], dtype=object), np.asarray([1, 0]), np.asarray([0, 1, 0])),
             {"smoothing": 1.0}, note="lengths differ: expected to raise ValueError"),
    ),
    generate=_random_oof_case,
    n_random=25,
    compare=_compare_oof,
    properties=(in_unit_interval("smoothed rate of 0/1 outcomes"),),
    timeout_s=10.0,
))
