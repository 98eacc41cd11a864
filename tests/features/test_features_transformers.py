"""Winsorizer and FrequencyEncoder: scikit-learn's own estimator checks, behaviour, and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from companion.features import FrequencyEncoder, Winsorizer


@parametrize_with_checks([Winsorizer(), FrequencyEncoder()])
def test_sklearn_estimator_checks(estimator, check):
    # Every check runs; the only one sklearn itself skips is array-API input (SCIPY_ARRAY_API unset).
    check(estimator)


def test_winsorizer_clips_to_training_quantiles_and_keeps_nan():
    X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0], [100.0, 5.0]])
    w = Winsorizer(lower=0.0, upper=0.5).fit(X)
    np.testing.assert_allclose(w.upper_bounds_, [np.quantile([0, 1, 2, 100], 0.5), 3.0])
    out = w.transform(np.array([[50.0, np.nan], [-5.0, 10.0]]))
    assert out[0, 0] == pytest.approx(1.5) and np.isnan(out[0, 1])
    assert out[1].tolist() == [0.0, 3.0]


def test_winsorizer_stops_an_outlier_from_stretching_a_scaler():
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(60, 10, 999), 86_400.0][:, None]  # one corrupted duration
    raw = StandardScaler().fit_transform(x)
    clipped = make_pipeline(Winsorizer(), StandardScaler()).fit_transform(x)
    # Without clipping the ordinary values are squeezed into a tiny range; with it they keep unit spread.
    assert raw[:-1].std() < 0.05
    assert clipped[:-1].std() > 0.9


def test_winsorizer_pandas_output_keeps_names():
    df = pd.DataFrame({"duration_s": [1.0, 2.0, 3.0], "age": [5.0, 6.0, 7.0]})
    out = Winsorizer().set_output(transform="pandas").fit_transform(df)
    assert list(out.columns) == ["duration_s", "age"]


@pytest.mark.parametrize(("params", "match"), [({"lower": 0.9, "upper": 0.1}, "below"), ({"lower": -0.1}, "lower"),
                                               ({"upper": 2.0}, "upper"), ({"lower": "low"}, "lower")])
def test_winsorizer_rejects_bad_quantiles(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Winsorizer(**params).fit(np.ones((3, 1)))


def test_winsorizer_rejects_all_nan_column_and_unseen_width():
    with pytest.raises(ValueError, match="only NaN"):
        Winsorizer().fit(np.array([[1.0, np.nan], [2.0, np.nan]]))
    w = Winsorizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="features"):
        w.transform(np.ones((3, 3)))


def test_frequency_encoder_shares_counts_and_unseen():
    X = pd.DataFrame({"creator_id": [7, 7, 8, 9], "topic": ["a", None, "a", "a"]})
    enc = FrequencyEncoder().fit(X)
    out = enc.transform(pd.DataFrame({"creator_id": [7, 10], "topic": [None, "zzz"]}))
    assert out.tolist() == [[0.5, 0.25], [0.0, 0.0]]
    counts = FrequencyEncoder(normalize=False, unseen=-1).fit(X).transform(X[:1])
    assert counts.tolist() == [[2.0, 3.0]]


def test_frequency_encoder_rejects_bad_params_and_unseen_columns():
    with pytest.raises(TypeError, match="normalize"):
        FrequencyEncoder(normalize="yes").fit(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="unseen"):
        FrequencyEncoder(unseen=np.nan).fit(np.zeros((2, 1)))
    enc = FrequencyEncoder().fit(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(ValueError, match="feature names"):
        enc.transform(pd.DataFrame({"b": [1, 2]}))
