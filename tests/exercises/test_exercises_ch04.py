"""Chapter 04 exercises: references and honest learner solutions pass, the classic leaks fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import PredefinedSplit
from sklearn.preprocessing import TargetEncoder

from companion.exercises import check, get_exercise, list_exercises
from companion.exercises.ch04 import _ctr_before, _target_encode_oof
from companion.features import history_features

IDS = ["04.ctr_before", "04.target_encode_oof"]


def _run(exercise_id, fn, **kwargs):
    return check(exercise_id, fn, verbose=False, **kwargs)


def test_chapter_04_exercises_registered():
    assert list_exercises("04") == IDS
    for exercise_id in IDS:
        exercise = get_exercise(exercise_id)
        assert exercise.chapter == "04"
        assert len(exercise.cases) >= 5 and exercise.generate is not None


@pytest.mark.parametrize(("exercise_id", "fn"), [
    ("04.ctr_before", _ctr_before),
    ("04.target_encode_oof", _target_encode_oof),
])
@pytest.mark.parametrize("seed", [0, 7])
def test_reference_passes_itself(exercise_id, fn, seed):
    report = _run(exercise_id, fn, n_random=40, seed=seed)
    assert report.passed, str(report)


def test_random_cases_are_reproducible():
    for exercise_id in IDS:
        ex = get_exercise(exercise_id)
        a, b = ex.generate(np.random.default_rng(5)), ex.generate(np.random.default_rng(5))
        assert a.note == b.note and a.kwargs == b.kwargs
        for x, z in zip(a.args, b.args, strict=True):
            if isinstance(x, pd.DataFrame):
                pd.testing.assert_frame_equal(x, z)
            else:
                np.testing.assert_array_equal(x, z)


# ------------------------------------------------------------------------------------ 04.ctr_before
def _validate(window_s, strength):
    if window_s <= 0 or strength <= 0:
        raise ValueError("window_s and strength must be positive")


def _ctr_searchsorted(events, queries, *, window_s, prior, strength, end_side="left", start_side="left",
                      whole_history=False):
    """Per user: sorted timestamps, cumulative clicks, two binary searches (the chapter's solution)."""
    _validate(window_s, strength)
    out = np.full(len(queries), float(prior))
    by_user = {u: g.sort_values("ts") for u, g in events.groupby("user_id")}
    for user, rows in queries.groupby("user_id").indices.items():
        if user not in by_user:
            continue
        e = by_user[user]
        ts = e["ts"].to_numpy()
        clicks = np.r_[0.0, np.cumsum(e["click"].to_numpy(dtype=float))]
        t = queries["ts"].to_numpy()[rows]
        end = np.searchsorted(ts, t, side=end_side)
        start = np.zeros_like(end) if whole_history else np.searchsorted(ts, t - window_s, side=start_side)
        out[rows] = (clicks[end] - clicks[start] + strength * prior) / (end - start + strength)
    return pd.Series(out, index=queries.index)


def learner_ctr_searchsorted(events, queries, *, window_s, prior, strength):
    return _ctr_searchsorted(events, queries, window_s=window_s, prior=prior, strength=strength)


def learner_ctr_library(events, queries, *, window_s, prior, strength):
    """The library's point-in-time window gives the counts; the learner adds the smoothing."""
    _validate(window_s, strength)
    h = history_features(events.assign(watch_s=0.0, click=events["click"].astype(bool)), queries,
                         windows=(window_s / 86_400,), prefix="")
    n, c = h.iloc[:, 0].to_numpy(), h.iloc[:, 1].to_numpy()
    return pd.Series((c + strength * prior) / (n + strength), index=queries.index)


def learner_ctr_merge_asof(events, queries, *, window_s, prior, strength, exact=False):
    """Cumulative counts per user, looked up with merge_asof strictly before ts and before ts - window."""
    _validate(window_s, strength)
    e = events.sort_values("ts").assign(n=1, c=events["click"].astype(float))
    e[["n", "c"]] = e.groupby("user_id")[["n", "c"]].cumsum()
    q = queries.reset_index(drop=True).assign(row=np.arange(len(queries)))
    cols = ["user_id", "ts", "n", "c"]

    def counts_before(times, allow_exact):
        left = q.assign(ts=times).sort_values("ts")
        m = pd.merge_asof(left, e[cols], on="ts", by="user_id", allow_exact_matches=allow_exact)
        return m.sort_values("row")[["n", "c"]].fillna(0.0).to_numpy()

    upto = counts_before(q["ts"], exact)
    old = counts_before(q["ts"] - window_s, False)
    n, c = (upto - old).T
    return pd.Series((c + strength * prior) / (n + strength), index=queries.index)


def wrong_ctr_same_ts(events, queries, **kw):
    """Counts the impressions of the query's own request (ts' <= ts): the row-based window's leak."""
    return _ctr_searchsorted(events, queries, end_side="right", **kw)


def wrong_ctr_merge_asof_default(events, queries, **kw):
    """merge_asof's default allow_exact_matches=True: the same leak, in a vectorised disguise."""
    return learner_ctr_merge_asof(events, queries, exact=True, **kw)


def wrong_ctr_open_edge(events, queries, **kw):
    """Excludes the event exactly window_s before (ts - window_s < ts')."""
    return _ctr_searchsorted(events, queries, start_side="right", **kw)


def wrong_ctr_all_history(events, queries, **kw):
    return _ctr_searchsorted(events, queries, whole_history=True, **kw)


def wrong_ctr_unsmoothed(events, queries, *, window_s, prior, strength):
    """Raw clicks / impressions, the prior only for users without history."""
    _validate(window_s, strength)
    out = []
    for u, t in zip(queries["user_id"], queries["ts"], strict=True):
        w = events[(events["user_id"] == u) & (events["ts"] < t) & (events["ts"] >= t - window_s)]
        out.append(float(w["click"].astype(float).mean()) if len(w) else prior)
    return pd.Series(out, index=queries.index, dtype=float)


def wrong_ctr_reset_index(events, queries, **kw):
    return learner_ctr_searchsorted(events, queries, **kw).reset_index(drop=True)


def wrong_ctr_no_validation(events, queries, *, window_s, prior, strength):
    out = np.full(len(queries), float(prior))
    for row, (u, t) in enumerate(zip(queries["user_id"], queries["ts"], strict=True)):
        w = events[(events["user_id"] == u) & (events["ts"] < t) & (events["ts"] >= t - window_s)]
        denominator = len(w) + strength
        out[row] = (w["click"].astype(float).sum() + strength * prior) / denominator if denominator else prior
    return pd.Series(out, index=queries.index)


@pytest.mark.parametrize("fn", [learner_ctr_searchsorted, learner_ctr_library, learner_ctr_merge_asof])
def test_ctr_learner_solutions_pass(fn):
    report = _run("04.ctr_before", fn)
    assert report.passed, str(report)


@pytest.mark.parametrize("fn", [wrong_ctr_same_ts, wrong_ctr_merge_asof_default, wrong_ctr_open_edge,
                                wrong_ctr_all_history, wrong_ctr_unsmoothed, wrong_ctr_reset_index,
                                wrong_ctr_no_validation])
def test_ctr_wrong_solutions_fail(fn):
    report = _run("04.ctr_before", fn)
    assert not report.passed


@pytest.mark.parametrize("fn", [wrong_ctr_same_ts, wrong_ctr_merge_asof_default])
def test_same_request_leak_is_caught_by_its_named_case(fn):
    report = _run("04.ctr_before", fn, n_random=0)
    failed = [r.label for r in report.failures]
    assert any("query's own ts" in label for label in failed), failed


def test_open_window_edge_is_caught_by_its_named_case():
    report = _run("04.ctr_before", wrong_ctr_open_edge, n_random=0)
    assert any("exactly window_s before" in r.label for r in report.failures)


def test_ctr_reference_values():
    events = pd.DataFrame({"user_id": [1, 1, 1, 1], "ts": [10, 10, 20, 30], "click": [True, False, True, True]})
    queries = pd.DataFrame({"user_id": [1, 1, 1, 2], "ts": [10, 20, 30, 30]}, index=[5, 6, 7, 8])
    out = _ctr_before(events, queries, window_s=15, prior=0.5, strength=1.0)
    assert out.index.tolist() == [5, 6, 7, 8]
    # ts=10: nothing before -> prior; ts=20: the two at 10; ts=30: window [15, 30) holds only ts=20.
    np.testing.assert_allclose(out.to_numpy(), [0.5, 1.5 / 3, 1.5 / 2, 0.5])
    with pytest.raises(ValueError, match="strength"):
        _ctr_before(events, queries, window_s=15, prior=0.5, strength=0)


# ------------------------------------------------------------------------------ 04.target_encode_oof
def _oof(categories, y, folds, *, smoothing, own_fold=False, prior_from_all=False, loo=False,
         unseen_nan=False, no_smoothing=False):
    c = pd.Series(np.asarray(categories, dtype=object))
    t = pd.Series(np.asarray(y, dtype=float))
    f = np.asarray(folds)
    if len(c) != len(t) or len(c) != len(f):
        raise ValueError("categories, y and folds must have one length")
    if smoothing <= 0:
        raise ValueError("smoothing must be positive")
    if len(np.unique(f)) < 2:
        raise ValueError("need two folds")
    out = np.empty(len(c))
    for fold in np.unique(f):
        inside = f == fold
        fit = np.ones(len(c), bool) if own_fold else ~inside
        prior = t.mean() if prior_from_all else t[fit].mean()
        stats = t[fit].groupby(c[fit]).agg(["sum", "size"])
        s = stats["sum"].reindex(c[inside]).to_numpy()
        n = stats["size"].reindex(c[inside]).to_numpy()
        if loo:
            s, n = s - t[inside].to_numpy(), n - 1
        if no_smoothing:
            enc = np.where(n > 0, s / np.where(n > 0, n, 1), prior)
        else:
            enc = (np.nan_to_num(s) + smoothing * prior) / (np.nan_to_num(n) + smoothing)
        if unseen_nan:
            enc = np.where(np.isnan(n), np.nan, enc)
        out[inside] = enc
    return out


def learner_oof_pandas(categories, y, folds, *, smoothing):
    return _oof(categories, y, folds, smoothing=smoothing)


def learner_oof_sklearn(categories, y, folds, *, smoothing):
    """scikit-learn's TargetEncoder, told which folds to use."""
    categories, y, folds = np.asarray(categories), np.asarray(y, dtype=float), np.asarray(folds)
    if not len(categories) == len(y) == len(folds):
        raise ValueError("categories, y and folds must have one length")
    if smoothing <= 0 or len(np.unique(folds)) < 2:
        raise ValueError("smoothing must be positive and there must be two folds")
    encoder = TargetEncoder(smooth=float(smoothing), cv=PredefinedSplit(folds), target_type="continuous")
    return encoder.fit_transform(categories.astype(str)[:, None], y)[:, 0]


def wrong_oof_in_fold(categories, y, folds, *, smoothing):
    """Encodes every row from all rows, its own label included: the leak."""
    return _oof(categories, y, folds, smoothing=smoothing, own_fold=True)


def wrong_oof_leave_one_out(categories, y, folds, *, smoothing):
    return _oof(categories, y, folds, smoothing=smoothing, own_fold=True, loo=True)


def wrong_oof_global_prior(categories, y, folds, *, smoothing):
    return _oof(categories, y, folds, smoothing=smoothing, prior_from_all=True)


def wrong_oof_unsmoothed(categories, y, folds, *, smoothing):
    return _oof(categories, y, folds, smoothing=smoothing, no_smoothing=True)


def wrong_oof_unseen_nan(categories, y, folds, *, smoothing):
    return _oof(categories, y, folds, smoothing=smoothing, unseen_nan=True)


def wrong_oof_own_split(categories, y, folds, *, smoothing):
    """TargetEncoder with its default shuffled 5-fold split instead of the given folds."""
    categories, y = np.asarray(categories), np.asarray(y, dtype=float)
    if smoothing <= 0 or len(np.unique(folds)) < 2 or len(categories) != len(y):
        raise ValueError("bad input")
    encoder = TargetEncoder(smooth=float(smoothing), target_type="continuous", cv=min(5, len(y)))
    return encoder.fit_transform(categories.astype(str)[:, None], y)[:, 0]


@pytest.mark.parametrize("fn", [learner_oof_pandas, learner_oof_sklearn])
def test_oof_learner_solutions_pass(fn):
    report = _run("04.target_encode_oof", fn)
    assert report.passed, str(report)


@pytest.mark.parametrize("fn", [wrong_oof_in_fold, wrong_oof_leave_one_out, wrong_oof_global_prior,
                                wrong_oof_unsmoothed, wrong_oof_unseen_nan, wrong_oof_own_split])
def test_oof_wrong_solutions_fail(fn):
    report = _run("04.target_encode_oof", fn)
    assert not report.passed


def test_in_fold_leak_is_caught_by_its_named_case():
    report = _run("04.target_encode_oof", wrong_oof_in_fold, n_random=0)
    assert any("own label must not enter" in r.label for r in report.failures)


def test_oof_reference_values():
    # Fold 0 = rows 0, 1 is encoded from rows 2, 3 (prior 0.5); fold 1 from rows 0, 1 (prior 0.5).
    out = _target_encode_oof(np.asarray(["x", "y", "x", "y"], dtype=object), np.asarray([1, 0, 1, 0]),
                             np.asarray([0, 0, 1, 1]), smoothing=2.0)
    np.testing.assert_allclose(out, [(1 + 1) / 3, (0 + 1) / 3, (1 + 1) / 3, (0 + 1) / 3])
    with pytest.raises(ValueError, match="two folds"):
        _target_encode_oof(np.asarray(["a"]), np.asarray([1]), np.asarray([0]), smoothing=1.0)
