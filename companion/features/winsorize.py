"""``Winsorizer``: clip each numeric column to quantiles learned on the training data.

Outliers (a corrupted duration of 86,400 s, a bot with a thousand requests) dominate a squared loss and
stretch a scaler's range so that ordinary values become indistinguishable. Clipping to the 1st and
99th percentiles learned in ``fit`` keeps the order of ordinary values and bounds the extremes; it
is the standard step before scaling (chapter 04). scikit-learn has no such transformer.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_number
from ._sklearn import validate_X

__all__ = ["Winsorizer"]


class Winsorizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Clip every column to its ``[lower, upper]`` quantiles from ``fit``; NaN stays NaN.

    Parameters
    ----------
    lower, upper : float, default 0.01 and 0.99
        Quantiles, ``0 <= lower < upper <= 1``.

    Attributes
    ----------
    lower_bounds_, upper_bounds_ : ndarray, shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when fitted on a DataFrame)

    Examples
    --------
    >>> X = np.array([[1.0], [2.0], [3.0], [1000.0]])
    >>> Winsorizer(lower=0.0, upper=0.75).fit_transform(X).ravel().tolist()
    [1.0, 2.0, 3.0, 252.25]
    """

    def __init__(self, *, lower: float = 0.01, upper: float = 0.99) -> None:
        self.lower = lower
        self.upper = upper

    def fit(self, X, y=None) -> Winsorizer:
        """Learn the clipping bounds of each column of ``X`` (n_samples, n_features), ignoring NaN."""
        lo = check_number("lower", self.lower, minimum=0.0, maximum=1.0)
        hi = check_number("upper", self.upper, minimum=0.0, maximum=1.0)
        if not lo < hi:
            raise ValueError(f"`lower` must be below `upper`; got lower={lo}, upper={hi}.")
        X = validate_X(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        if np.isnan(X).all(axis=0).any():
            bad = np.flatnonzero(np.isnan(X).all(axis=0)).tolist()
            raise ValueError(f"`X` column(s) {bad} hold only NaN; there is nothing to learn bounds from.")
        self.lower_bounds_ = np.nanquantile(X, lo, axis=0)
        self.upper_bounds_ = np.nanquantile(X, hi, axis=0)
        return self

    def transform(self, X) -> np.ndarray:
        """``X`` clipped to the learned bounds, shape (n_samples, n_features)."""
        check_is_fitted(self, "lower_bounds_")
        X = validate_X(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return np.clip(X, self.lower_bounds_, self.upper_bounds_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
