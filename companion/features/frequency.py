"""``FrequencyEncoder``: replace each category by how often it occurred in the training data.

For a high-cardinality categorical (``creator_id``, ``item_id``) one-hot columns explode and ids
unseen in training get nothing; the category's frequency is one dense, leakage-free number that
tree models split on well (chapter 04, next to one-hot, the hashing trick and target encoding, which
scikit-learn provides as ``OneHotEncoder``, ``FeatureHasher`` and ``TargetEncoder``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_bool, check_number
from ._sklearn import validate_X

__all__ = ["FrequencyEncoder"]


class FrequencyEncoder(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Encode each column's categories by their share (or count) of the training rows.

    Parameters
    ----------
    normalize : bool, default True
        Shares (summing to 1 per column) instead of counts.
    unseen : float, default 0.0
        Value for a category not seen in ``fit``.

    Attributes
    ----------
    frequencies_ : list of dict
        Per column, category -> frequency.

    Examples
    --------
    >>> FrequencyEncoder().fit_transform(np.array([["a"], ["b"], ["a"], ["a"]], dtype=object)).ravel().tolist()
    [0.75, 0.25, 0.75, 0.75]
    """

    def __init__(self, *, normalize: bool = True, unseen: float = 0.0) -> None:
        self.normalize = normalize
        self.unseen = unseen

    def _validate_params(self) -> None:
        check_bool("normalize", self.normalize)
        check_number("unseen", self.unseen, hint="It is the value given to categories not seen in fit.")

    def fit(self, X, y=None) -> FrequencyEncoder:
        """Count the categories of each column of ``X`` (n_samples, n_features); missing values count too."""
        self._validate_params()
        X = validate_X(self, X, dtype=None, ensure_all_finite=False)
        self.frequencies_ = []
        for j in range(X.shape[1]):
            counts = pd.Series(X[:, j]).value_counts(dropna=False, normalize=self.normalize)
            self.frequencies_.append(counts.to_dict())
        return self

    def transform(self, X) -> np.ndarray:
        """The frequency of each value, shape (n_samples, n_features), float."""
        check_is_fitted(self, "frequencies_")
        X = validate_X(self, X, dtype=None, ensure_all_finite=False, reset=False)
        out = np.empty(X.shape, dtype=np.float64)
        for j, freq in enumerate(self.frequencies_):
            out[:, j] = pd.Series(X[:, j]).map(freq).fillna(float(self.unseen)).to_numpy(dtype=np.float64)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
