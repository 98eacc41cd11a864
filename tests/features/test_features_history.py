"""history_features: brute-force agreement and the point-in-time property (no leakage from the future)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.features import history_features

DAY = 86_400


def _events(rng, n=300, users=5):
    return pd.DataFrame({"user_id": rng.integers(0, users, n), "ts": rng.integers(0, 10 * DAY, n),
                         "click": rng.random(n) < 0.3, "watch_s": rng.random(n) * 30})


def _brute(events, queries, w):
    rows = []
    for q in queries.itertuples():
        past = events[(events.user_id == q.user_id) & (events.ts < q.ts) & (events.ts >= q.ts - w * DAY)]
        rows.append((len(past), int(past.click.sum()), float(past.watch_s.sum())))
    return np.asarray(rows)


def test_agrees_with_brute_force():
    rng = np.random.default_rng(0)
    ev = _events(rng)
    q = ev.sample(60, random_state=1)[["user_id", "ts"]]
    out = history_features(ev, q, windows=(1, 3.5))
    for w in (1, 3.5):
        b = _brute(ev, q, w)
        label = f"{w:g}d"
        np.testing.assert_array_equal(out[f"user_impressions_{label}"], b[:, 0])
        np.testing.assert_array_equal(out[f"user_clicks_{label}"], b[:, 1])
        np.testing.assert_allclose(out[f"user_watch_s_{label}"], b[:, 2])
    assert out.index.equals(q.index)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), cut_day=st.floats(0.5, 9.5))
def test_events_after_t_never_change_a_feature_at_t(seed, cut_day):
    # The point-in-time property: rewrite everything at or after each query's ts; no feature may move.
    rng = np.random.default_rng(seed)
    ev = _events(rng, n=200)
    t = int(cut_day * DAY)
    q = pd.DataFrame({"user_id": np.arange(5), "ts": np.full(5, t)})
    before = history_features(ev, q)
    future = ev["ts"] >= t
    altered = ev.copy()
    altered.loc[future, "click"] = ~altered.loc[future, "click"]
    altered.loc[future, "watch_s"] = 999.0
    extra = pd.DataFrame({"user_id": [0, 1], "ts": [t, t + 5], "click": [True, True], "watch_s": [1.0, 1.0]})
    after = history_features(pd.concat([altered, extra], ignore_index=True), q)
    pd.testing.assert_frame_equal(before, after)


def test_a_leaky_inclusive_window_would_fail_the_property():
    # The same check catches the classic leak: counting the query's own timestamp (the same request).
    ev = pd.DataFrame({"user_id": [0, 0], "ts": [10, 20], "click": [True, True], "watch_s": [1.0, 1.0]})
    q = pd.DataFrame({"user_id": [0], "ts": [20]})
    assert history_features(ev, q, windows=[1])["user_clicks_1d"].item() == 1
    inclusive = int(((ev.user_id == 0) & (ev.ts <= 20)).sum())
    assert inclusive == 2  # what a `<=` implementation would return: it sees its own label


def test_item_key_and_prefix():
    ev = pd.DataFrame({"item_id": [3, 3, 4], "ts": [0, 5, 5], "click": [True, False, True], "watch_s": [1.0, 0, 2]})
    q = pd.DataFrame({"item_id": [3, 4, 9], "ts": [10, 10, 10]})
    out = history_features(ev, q, key="item_id", windows=[7])
    assert out["item_ctr_7d"].tolist()[:2] == [0.5, 1.0] and np.isnan(out["item_ctr_7d"].iloc[2])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"windows": []}, "windows"), ({"windows": [0]}, "positive"), ({"windows": "7"}, "windows"),
    ({"key": "creator_id"}, "missing column"), ({"prefix": 3}, "prefix"),
])
def test_bad_arguments(kwargs, match):
    ev = pd.DataFrame({"user_id": [0], "ts": [0], "click": [True], "watch_s": [1.0]})
    with pytest.raises((ValueError, TypeError), match=match):
        history_features(ev, ev[["user_id", "ts"]], **kwargs)


def test_bad_dtypes_and_missing_values():
    ev = pd.DataFrame({"user_id": [0], "ts": [0.5], "click": [True], "watch_s": [1.0]})
    with pytest.raises(TypeError, match="ts"):
        history_features(ev, pd.DataFrame({"user_id": [0], "ts": [1]}))
    ev = pd.DataFrame({"user_id": [0], "ts": [0], "click": [True], "watch_s": [np.nan]})
    with pytest.raises(ValueError, match="missing"):
        history_features(ev, pd.DataFrame({"user_id": [0], "ts": [1]}))
