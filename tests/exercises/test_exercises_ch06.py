"""The chapter 06 exercises: correct solutions pass, plausible wrong ones fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from companion.exercises import check, get_exercise, list_exercises
from companion.exercises.ch06 import fit_linear, fit_tree

PERM = "06.permutation_importance_held_out"
DROP = "06.drop_column_importance"


def _features(train, held_out, label):
    if label not in train.columns or label not in held_out.columns:
        raise ValueError("no label")
    if list(train.columns) != list(held_out.columns):
        raise ValueError("different columns")
    if held_out[label].nunique() < 2:
        raise ValueError("single class")
    return [c for c in train.columns if c != label]


# ------------------------------------------------------------------ permutation importance
def permutation_importance_held_out(fit, train, held_out, label, permutations):
    features = _features(train, held_out, label)
    permutations = np.asarray(permutations)
    if permutations.ndim != 2 or len(permutations) == 0 or permutations.shape[1] != len(held_out):
        raise ValueError("bad permutations")
    score = fit(train[features], train[label].to_numpy())
    X, y = held_out[features].copy(), held_out[label].to_numpy()
    base = roc_auc_score(y, score(X))
    out = {}
    for feature in features:
        saved = X[feature].copy()
        losses = []
        for perm in permutations:
            X[feature] = saved.to_numpy()[perm]
            losses.append(base - roc_auc_score(y, score(X)))
        X[feature] = saved
        out[feature] = float(np.mean(losses))
    return pd.Series(out)


def _perm_variant(*, on="held_out", restore=True, report="drop", refit=False, fit_on="train",
                  all_columns=False, repeats="all", shuffle="feature"):
    def fn(fit, train, held_out, label, permutations):
        features = _features(train, held_out, label)
        permutations = np.asarray(permutations)
        if permutations.ndim != 2 or len(permutations) == 0 or permutations.shape[1] != len(held_out):
            raise ValueError("bad permutations")
        fit_frame = train if fit_on == "train" else pd.concat([train, held_out])
        score = fit(fit_frame[features], fit_frame[label].to_numpy())
        frame = held_out if on == "held_out" else train
        X, y = frame[features].copy(), frame[label].to_numpy()
        base = roc_auc_score(y, score(X))
        out = {}
        perms = permutations if repeats == "all" else permutations[:1]
        for feature in features:
            saved = X[feature].copy()
            values = []
            for perm in perms:
                if all_columns:
                    shuffled = X.iloc[perm].reset_index(drop=True)
                    values.append(roc_auc_score(y, score(shuffled)))
                    continue
                if shuffle == "label":
                    values.append(roc_auc_score(y[perm], score(X)))
                    continue
                X[feature] = saved.to_numpy()[perm]
                if refit:
                    shuffled_train = train[features].copy()
                    shuffled_train[feature] = np.random.default_rng(0).permutation(
                        shuffled_train[feature].to_numpy())
                    values.append(roc_auc_score(y, fit(shuffled_train, train[label].to_numpy())(X)))
                else:
                    values.append(roc_auc_score(y, score(X)))
            if restore:
                X[feature] = saved
            mean = float(np.mean(values))
            out[feature] = mean if report == "auc" else base - mean
        result = pd.Series(out)
        if report == "flipped":
            result = -result
        if report == "normalised":
            result = result / result.abs().sum()
        return result

    return fn


WRONG_PERMUTATION = {
    "computed on the training rows": _perm_variant(on="train"),
    "forgets to restore the column": _perm_variant(restore=False),
    "returns the shuffled AUC, not the loss": _perm_variant(report="auc"),
    "sign flipped": _perm_variant(report="flipped"),
    "normalised to sum to one": _perm_variant(report="normalised"),
    "refits on a shuffled training column": _perm_variant(refit=True),
    "fits on train and held-out together": _perm_variant(fit_on="both"),
    "shuffles whole rows, not one column": _perm_variant(all_columns=True),
    "shuffles the label instead": _perm_variant(shuffle="label"),
    "uses only the first permutation": _perm_variant(repeats="first"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_permutation_importance_passes(seed):
    assert check(PERM, permutation_importance_held_out, seed=seed, verbose=False).passed


@pytest.mark.parametrize("name", list(WRONG_PERMUTATION))
def test_wrong_permutation_importance_fails(name):
    report = check(PERM, WRONG_PERMUTATION[name], verbose=False)
    assert not report.passed, name


def test_training_rows_are_caught_even_when_the_shapes_match():
    report = check(PERM, WRONG_PERMUTATION["computed on the training rows"], n_random=0, verbose=False)
    notes = [r.case.note for r in report.results if r.status == "failed"]
    assert any("equal size" in note for note in notes), notes


def test_forgetting_to_restore_is_caught_on_a_fixed_case():
    report = check(PERM, WRONG_PERMUTATION["forgets to restore the column"], n_random=0, verbose=False)
    assert report.n_failed >= 3


# ------------------------------------------------------------------ drop-column importance
def drop_column_importance(fit, train, held_out, label):
    features = _features(train, held_out, label)
    if len(features) < 2:
        raise ValueError("need two features")
    y_train, y_held = train[label].to_numpy(), held_out[label].to_numpy()
    full = roc_auc_score(y_held, fit(train[features], y_train)(held_out[features]))
    out = {}
    for feature in features:
        rest = [f for f in features if f != feature]
        out[feature] = full - roc_auc_score(y_held, fit(train[rest], y_train)(held_out[rest]))
    return pd.Series(out, dtype=float)


def _drop_variant(*, evaluate="held_out", blank=None, report="drop"):
    def fn(fit, train, held_out, label):
        features = _features(train, held_out, label)
        if len(features) < 2:
            raise ValueError("need two features")
        frame = held_out if evaluate == "held_out" else train
        y_train, y = train[label].to_numpy(), frame[label].to_numpy()
        model = fit(train[features], y_train)
        full = roc_auc_score(y, model(frame[features]))
        out = {}
        for feature in features:
            if blank is None:
                rest = [f for f in features if f != feature]
                without = roc_auc_score(y, fit(train[rest], y_train)(frame[rest]))
            else:
                X = frame[features].copy()
                X[feature] = (train[feature].mean() if blank == "mean" else
                              np.random.default_rng(0).permutation(X[feature].to_numpy()))
                without = roc_auc_score(y, model(X))
            out[feature] = without if report == "auc" else full - without
        result = pd.Series(out, dtype=float)
        if report == "flipped":
            result = -result
        if report == "normalised":
            result = result / result.abs().sum()
        return result

    return fn


WRONG_DROP = {
    "evaluated on the training rows": _drop_variant(evaluate="train"),
    "no refit: the column set to its training mean": _drop_variant(blank="mean"),
    "no refit: the column shuffled (permutation importance)": _drop_variant(blank="shuffle"),
    "returns the AUC without the feature": _drop_variant(report="auc"),
    "sign flipped": _drop_variant(report="flipped"),
    "normalised to sum to one": _drop_variant(report="normalised"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_drop_column_passes(seed):
    assert check(DROP, drop_column_importance, seed=seed, verbose=False).passed


@pytest.mark.parametrize("name", list(WRONG_DROP))
def test_wrong_drop_column_fails(name):
    report = check(DROP, WRONG_DROP[name], verbose=False)
    assert not report.passed, name


# ------------------------------------------------------------------ the exercises themselves
def test_references_pass_their_own_check():
    for exercise_id in (PERM, DROP):
        assert check(exercise_id, get_exercise(exercise_id).reference, n_random=30, verbose=False).passed


def test_chapter_lists_both_exercises():
    assert list_exercises("06") == [DROP, PERM]


def test_the_recipes_memorise_and_generalise_differently():
    """The checker's cases need a model that memorises: on its training rows a noise column matters."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=400), "noise": rng.normal(size=400)})
    y = (rng.random(400) < 1 / (1 + np.exp(-2 * X["signal"]))).astype(int)
    train, held = X.iloc[:200].assign(click=y[:200]), X.iloc[200:].assign(click=y[200:]).reset_index(drop=True)
    perms = np.stack([rng.permutation(200) for _ in range(5)])
    ref = get_exercise(PERM).reference
    on_held = ref(fit_tree, train, held, "click", perms)
    on_train = ref(fit_tree, train, train.reset_index(drop=True), "click", perms)
    assert on_train["noise"] > on_held["noise"] + 0.05
    linear = ref(fit_linear, train, held, "click", perms)
    assert linear["signal"] > 0.1 and abs(linear["noise"]) < 0.05


def test_bad_input_raises_value_error():
    ref = get_exercise(PERM).reference
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=50), "click": rng.integers(0, 2, 50)})
    with pytest.raises(ValueError, match="label"):
        ref(fit_tree, frame, frame, "clicked", np.stack([np.arange(50)]))
    with pytest.raises(ValueError, match="same columns"):
        ref(fit_tree, frame, frame.rename(columns={"a": "b"}), "click", np.stack([np.arange(50)]))
    with pytest.raises(ValueError, match="shape"):
        ref(fit_tree, frame, frame, "click", np.arange(50))
    with pytest.raises(TypeError, match="DataFrame"):
        ref(fit_tree, frame.to_numpy(), frame, "click", np.stack([np.arange(50)]))
    with pytest.raises(ValueError, match="two features"):
        get_exercise(DROP).reference(fit_tree, frame, frame, "click")
