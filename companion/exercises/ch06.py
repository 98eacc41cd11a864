"""Exercises of chapter 06 (feature selection): importance measured on held-out data.

Both exercises receive a model *recipe* rather than a fitted model: ``fit(X, y)`` trains on a feature
DataFrame ``X`` and a 0/1 label array ``y`` and returns a scoring function ``score(X) -> ndarray``
(higher = more likely a click). The quality measure is the ROC AUC (``sklearn.metrics.roc_auc_score``).

- ``06.permutation_importance_held_out``: ``(fit, train, held_out, label, permutations) -> Series``.
  Fit once on ``train`` (every column except ``label`` is a feature). On ``held_out``, for each feature
  in column order and each row of ``permutations`` (an int array of shape ``(n_repeats,
  len(held_out))``, each row a permutation of ``0 .. len(held_out) - 1``), replace that one column by
  its values reordered by the permutation, keep every other column as it is, and record
  ``AUC(held_out) - AUC(shuffled)``; the column is restored before the next feature. Return the mean
  over the repeats, a float Series indexed by the feature names in column order. Computing it on the
  training rows rewards what the model memorised; forgetting to restore a column contaminates every
  later feature. Raises ``ValueError`` if ``label`` is missing from either frame, the two frames do
  not have the same columns, the held-out label has a single class, or ``permutations`` does not have
  the shape ``(n_repeats >= 1, len(held_out))``.
- ``06.drop_column_importance``: ``(fit, train, held_out, label) -> Series``: for each feature in column
  order, ``AUC`` on ``held_out`` of the model fitted on all features minus ``AUC`` on ``held_out`` of a
  model **refitted** on ``train`` without that feature (not the same model with the column blanked). A
  float Series indexed by the feature names. Same ``ValueError`` cases as above (without the
  permutations), plus a frame with a single feature (nothing is left to refit on).

Both raise ``TypeError`` if ``train`` or ``held_out`` is not a DataFrame. The checker's cases use two
recipes, :func:`fit_tree` (a deep tree that memorises its training rows, so importance computed on
them differs) and :func:`fit_linear`, with a strong feature first, an interaction, noise and an id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.tree import DecisionTreeClassifier

from companion.exercises import Case, Exercise, register

__all__ = ["DROP_COLUMN_IMPORTANCE", "PERMUTATION_IMPORTANCE_HELD_OUT", "fit_linear", "fit_tree"]


def fit_tree(X: pd.DataFrame, y: np.ndarray) -> Callable[[pd.DataFrame], np.ndarray]:
    """The model recipe of the checker's cases: a deep decision tree (it memorises its training rows)."""
    tree = DecisionTreeClassifier(min_samples_leaf=3, random_state=0).fit(X.to_numpy(np.float64), y)
    return lambda frame: tree.predict_proba(frame.to_numpy(np.float64))[:, 1]


def fit_linear(X: pd.DataFrame, y: np.ndarray) -> Callable[[pd.DataFrame], np.ndarray]:
    """A second recipe, a linear score (least squares on standardised features): importance depends on
    the model, and the answer must follow it."""
    A = X.to_numpy(np.float64)
    mean, sd = A.mean(axis=0), A.std(axis=0) + 1e-12
    design = np.column_stack([np.ones(len(A)), (A - mean) / sd])
    beta = np.linalg.lstsq(design, np.asarray(y, dtype=np.float64), rcond=None)[0]
    return lambda frame: beta[0] + ((frame.to_numpy(np.float64) - mean) / sd) @ beta[1:]


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic with average ranks for ties (= ``roc_auc_score``)."""
    y = np.asarray(y).astype(bool)
    ranks = rankdata(np.asarray(score, dtype=np.float64))
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _validate(train: Any, held_out: Any, label: Any) -> list[str]:
    for name, frame in (("train", train), ("held_out", held_out)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
        if label not in frame.columns:
            raise ValueError(f"`{name}` has no label column {label!r}; its columns are {list(frame.columns)}.")
    if list(train.columns) != list(held_out.columns):
        raise ValueError(f"`train` and `held_out` must have the same columns; got {list(train.columns)} "
                         f"and {list(held_out.columns)}.")
    if held_out[label].nunique() < 2:
        raise ValueError("`held_out` has a single class: the AUC is undefined.")
    return [c for c in train.columns if c != label]


# ------------------------------------------------------------------ 06.permutation_importance_held_out
def _permutation_importance(fit, train: pd.DataFrame, held_out: pd.DataFrame, label: str,
                            permutations: np.ndarray) -> pd.Series:
    """Reference: fit on train, shuffle one held-out column at a time, restore it."""
    features = _validate(train, held_out, label)
    perms = np.asarray(permutations)
    if perms.ndim != 2 or perms.shape[0] < 1 or perms.shape[1] != len(held_out):
        raise ValueError(f"`permutations` must have shape (n_repeats >= 1, {len(held_out)}); "
                         f"got {perms.shape}.")
    score = fit(train[features], train[label].to_numpy())
    X, y = held_out[features].copy(), held_out[label].to_numpy()
    base = _auc(y, score(X))
    out = {}
    for feature in features:
        original = X[feature].to_numpy().copy()
        losses = []
        for perm in perms:
            X[feature] = original[perm]
            losses.append(base - _auc(y, score(X)))
        X[feature] = original
        out[feature] = float(np.mean(losses))
    return pd.Series(out, dtype=np.float64)


def _frames(rng: np.random.Generator, n_train: int, n_held: int, n_features: int,
            single_class: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A strong feature first (so a column left shuffled spoils the rest), an interaction, noise."""
    n = n_train + n_held
    X = rng.normal(size=(n, n_features))
    logit = 2.0 * X[:, 0]
    if n_features >= 3:
        logit = logit + 1.5 * X[:, 1] * X[:, 2]
    elif n_features == 2:
        logit = logit + 0.8 * X[:, 1]
    y = rng.random(n) < 1.0 / (1.0 + np.exp(-(logit - 0.5)))
    names = ["strong", "a", "b", "noise", "id"][:n_features]
    frame = pd.DataFrame(X, columns=names)
    if "id" in names:
        frame["id"] = rng.permutation(n).astype(np.int64)  # a meaningless id with n distinct values
    frame["click"] = y.astype(np.int64)
    train, held = frame.iloc[:n_train].reset_index(drop=True), frame.iloc[n_train:].reset_index(drop=True)
    if single_class:
        held["click"] = 0
    return train, held


def _perms(rng: np.random.Generator, n_repeats: int, n: int) -> np.ndarray:
    return np.stack([rng.permutation(n) for _ in range(n_repeats)])


def _perm_case(seed: int, n_train: int, n_held: int, n_features: int, n_repeats: int, note: str, *,
               fit=fit_tree, single_class: bool = False, perms: np.ndarray | None = None) -> Case:
    rng = np.random.default_rng(seed)
    train, held = _frames(rng, n_train, n_held, n_features, single_class)
    if perms is None:
        perms = _perms(rng, n_repeats, n_held)
    return Case((fit, train, held, "click", perms), note=note)


def _random_perm_case(rng: np.random.Generator) -> Case:
    n_features = int(rng.integers(2, 6))
    n_train, n_held = int(rng.integers(80, 300)), int(rng.integers(60, 250))
    n_repeats = int(rng.integers(1, 5))
    fit = fit_tree if rng.random() < 0.7 else fit_linear
    train, held = _frames(rng, n_train, n_held, n_features)
    if held["click"].nunique() < 2:
        held.loc[0, "click"] = 1 - held.loc[0, "click"]
    return Case((fit, train, held, "click", _perms(rng, n_repeats, n_held)),
                note=f"{n_features} features, {n_train} train / {n_held} held-out rows, "
                     f"{n_repeats} repeats, {fit.__name__}")


def _importance_is_finite(case: Case, got: Any) -> str | None:
    if isinstance(got, pd.Series) and got.dtype.kind == "f" and not np.isfinite(got.to_numpy()).all():
        return "every importance must be a finite number"
    return None


PERMUTATION_IMPORTANCE_HELD_OUT = register(Exercise(
    id="06.permutation_importance_held_out",
    title="Held-out permutation importance",
    chapter="06",
    reference=_permutation_importance,
    cases=(
        _perm_case(1, 300, 200, 5, 3, "a strong feature first, an interaction, noise and an id"),
        _perm_case(2, 250, 250, 5, 2, "train and held-out of equal size: the training rows give other values"),
        _perm_case(3, 200, 150, 3, 1, "one repeat"),
        _perm_case(4, 200, 120, 2, 4, "a linear model", fit=fit_linear),
        _perm_case(5, 120, 80, 4, 2, "held-out label of a single class: expected to raise ValueError",
                   single_class=True),
        _perm_case(6, 120, 80, 3, 2, "permutations of the wrong length: expected to raise ValueError",
                   perms=np.stack([np.arange(79)[::-1]] * 2)),
    ),
    generate=_random_perm_case,
    n_random=12,
    rtol=1e-9,
    atol=1e-12,
    properties=(_importance_is_finite,),
    timeout_s=10.0,
))


# ------------------------------------------------------------------------ 06.drop_column_importance
def _drop_column_importance(fit, train: pd.DataFrame, held_out: pd.DataFrame, label: str) -> pd.Series:
    """Reference: one refit per feature, scored on the held-out rows."""
    features = _validate(train, held_out, label)
    if len(features) < 2:
        raise ValueError(f"drop-column importance needs at least two features; got {features}.")
    y_train, y_held = train[label].to_numpy(), held_out[label].to_numpy()
    full = _auc(y_held, fit(train[features], y_train)(held_out[features]))
    out = {}
    for feature in features:
        rest = [f for f in features if f != feature]
        out[feature] = float(full - _auc(y_held, fit(train[rest], y_train)(held_out[rest])))
    return pd.Series(out, dtype=np.float64)


def _drop_case(seed: int, n_train: int, n_held: int, n_features: int, note: str, *, fit=fit_tree,
               single_class: bool = False) -> Case:
    train, held = _frames(np.random.default_rng(seed), n_train, n_held, n_features, single_class)
    return Case((fit, train, held, "click"), note=note)


def _random_drop_case(rng: np.random.Generator) -> Case:
    n_features = int(rng.integers(2, 6))
    n_train, n_held = int(rng.integers(80, 300)), int(rng.integers(60, 250))
    fit = fit_tree if rng.random() < 0.7 else fit_linear
    train, held = _frames(rng, n_train, n_held, n_features)
    if held["click"].nunique() < 2:
        held.loc[0, "click"] = 1 - held.loc[0, "click"]
    return Case((fit, train, held, "click"),
                note=f"{n_features} features, {n_train} train / {n_held} held-out rows, {fit.__name__}")


DROP_COLUMN_IMPORTANCE = register(Exercise(
    id="06.drop_column_importance",
    title="Drop-column importance, refitted",
    chapter="06",
    reference=_drop_column_importance,
    cases=(
        _drop_case(11, 300, 200, 5, "a strong feature, an interaction, noise and an id"),
        _drop_case(12, 250, 250, 4, "train and held-out of equal size"),
        _drop_case(13, 200, 150, 3, "a linear model", fit=fit_linear),
        _drop_case(14, 150, 100, 2, "two features"),
        _drop_case(15, 150, 100, 1, "a single feature: expected to raise ValueError"),
        _drop_case(16, 120, 80, 3, "held-out label of a single class: expected to raise ValueError",
                   single_class=True),
    ),
    generate=_random_drop_case,
    n_random=12,
    rtol=1e-9,
    atol=1e-12,
    properties=(_importance_is_finite,),
    timeout_s=10.0,
))
