"""The planted age-bucket x duration interaction: LightGBM recovers it from the logs, LR cannot; it flips at drift_day.

Design of the evidence. With only (age code, log duration) as features, a pooled click AUC on a random
row split is *not* evidence of the interaction: the exact duration identifies the item, so a tree model
memorises item popularity through it (its pooled-AUC margin over LR survives permuting the users' ages,
see the last test). The interaction lives *within* items: before ``drift_day`` young users click short
videos more and old users long ones. So the main test

* holds out 30% of the *items* (the model never saw their durations), and
* scores item-grouped AUC (impression-weighted mean of per-item AUC, "GAUC"): within an item only the
  age feature varies, so a linear model - one age slope for all durations - ranks users the right way
  for one kind of item and the wrong way for the other (GAUC ~0.5), while a model of the interaction
  ranks them the right way for both.

A control with the users' ages permuted (interaction destroyed, everything else intact) must show no
margin. On ``drift_day`` the planted relation flips (concept drift): the model fitted before it ranks
users the wrong way round after it (GAUC below 0.5), and a model refitted after it recovers.

The logs are cleaned first, as a learner would: duplicated rows and bots dropped, and items whose logged
``duration_s`` is missing or corrupted (NaN, 0 or 86,400 s) left out (their duration is unknown).
All numbers are measured on ``small`` seeds 0 / 1 / 2 (the tests run on seed 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

lightgbm = pytest.importorskip("lightgbm")
LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score

AGE_BUCKETS = ("18-24", "25-34", "35-44", "45-54", "55+")


def grouped_auc(y: np.ndarray, score: np.ndarray, group: np.ndarray) -> float:
    """Impression-weighted mean of per-group AUC over groups that have both classes (rank formula)."""
    df = pd.DataFrame({"y": y.astype(bool), "s": score, "g": group})
    df["r"] = df.groupby("g")["s"].rank()  # average ranks for ties
    n = df.groupby("g").size()
    n1 = df.groupby("g")["y"].sum()
    r1 = df[df["y"]].groupby("g")["r"].sum().reindex(n.index, fill_value=0.0)
    n0 = n - n1
    ok = (n1 > 0) & (n0 > 0)
    auc = (r1[ok] - n1[ok] * (n1[ok] + 1) / 2) / (n1[ok] * n0[ok])
    return float(np.average(auc, weights=n[ok]))


def fit_both(X: np.ndarray, y: np.ndarray, train: np.ndarray):
    """Logistic regression and a small LightGBM fitted on the rows ``train``."""
    lr = LogisticRegression().fit(X[train], y[train])
    gbm = lightgbm.LGBMClassifier(n_estimators=100, num_leaves=15, random_state=0, n_jobs=1,
                                  verbose=-1).fit(X[train], y[train])
    return lr, gbm


def score(model, X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return model.predict_proba(X[rows])[:, 1]


def usable_duration(world) -> np.ndarray:
    """Which items have a usable logged duration (not missing, not the corrupted 0 or 86,400 s)."""
    dur = world.items["duration_s"].to_numpy()
    return np.isfinite(dur) & (dur > 0) & (dur < 86_400)


@pytest.fixture(scope="module")
def logs(small_world) -> pd.DataFrame:
    """Half of the human impressions (no duplicates, no bots) of items with a usable logged duration.

    Half keeps the module fast (~600k rows); the standard errors quoted below are for this half.
    """
    w = small_world
    e = w.events.drop_duplicates()
    usable = usable_duration(w)
    assert 0.9 < usable.mean() < 1.0  # ~2.5% of durations are missing or corrupted
    keep = ~w.truth.user_bot[e["user_id"].to_numpy()] & usable[e["item_id"].to_numpy()]
    keep &= np.random.default_rng(2).random(len(e)) < 0.5
    return e[keep].reset_index(drop=True)


def design(world, logs: pd.DataFrame, *, permute_age: bool) -> tuple[np.ndarray, np.ndarray]:
    code = world.users["age_bucket"].map({a: k for k, a in enumerate(AGE_BUCKETS)}).to_numpy()
    if permute_age:
        code = np.random.default_rng(1).permutation(code)
    log_dur = np.log(np.where(usable_duration(world), world.items["duration_s"].to_numpy(), np.nan))
    X = np.c_[code[logs["user_id"].to_numpy()], log_dur[logs["item_id"].to_numpy()]]
    return X, logs["click"].to_numpy()


@pytest.fixture(scope="module")
def held_out_items(small_world, logs):
    """GAUC on 30% held-out items, before and after drift_day, for the real ages and for permuted ages.

    Models are fitted on the other 70% of items: "pre" models on days before drift_day, "post" models on
    days from it on.
    """
    item = logs["item_id"].to_numpy()
    held = (np.random.default_rng(0).random(len(small_world.items)) >= 0.7)[item]
    pre = logs["day"].to_numpy() < small_world.config.drift_day
    out = {}
    for permute in (False, True):
        X, y = design(small_world, logs, permute_age=permute)
        lr, gbm = fit_both(X, y, pre & ~held)
        _, gbm_post = fit_both(X, y, ~pre & ~held)
        before, after = pre & held, ~pre & held
        out[permute] = {
            "lr": grouped_auc(y[before], score(lr, X, before), item[before]),
            "gbm": grouped_auc(y[before], score(gbm, X, before), item[before]),
            "gbm_after": grouped_auc(y[after], score(gbm, X, after), item[after]),
            "refit_after": grouped_auc(y[after], score(gbm_post, X, after), item[after]),
        }
    return out


def test_gbm_recovers_age_duration_interaction_on_held_out_items(held_out_items):
    lr, gbm = held_out_items[False]["lr"], held_out_items[False]["gbm"]
    # ~75k held-out impressions before drift_day over ~580 items; per-item AUCs have an SE of ~0.1 each, so
    # their weighted mean has an SE of ~0.007. Measured on seeds 0 / 1 / 2: LR 0.483 / 0.500 / 0.505,
    # GBM 0.565 / 0.557 / 0.563, margin 0.082 / 0.057 / 0.058; 0.03 is ~3 SE of a GAUC difference below
    # the smallest.
    assert gbm - lr >= 0.03, held_out_items
    assert abs(lr - 0.5) < 0.03, "a single age slope should rank users ~at random within items"


def test_margin_vanishes_when_ages_are_permuted(held_out_items):
    ctrl = held_out_items[True]
    # With ages shuffled across users there is no interaction to find: both GAUCs ~0.5.
    # Measured on seeds 0 / 1 / 2: margin -0.001 / -0.008 / -0.002 (0.02 = ~2 SE of a GAUC difference);
    # real minus permuted GBM 0.070 / 0.058 / 0.068.
    assert abs(ctrl["gbm"] - ctrl["lr"]) < 0.02, held_out_items
    assert held_out_items[False]["gbm"] - ctrl["gbm"] >= 0.03


def test_interaction_flips_on_drift_day(held_out_items):
    """The model fitted before drift_day ranks users the wrong way round after it; a refit recovers."""
    real, ctrl = held_out_items[False], held_out_items[True]
    # ~95k held-out impressions from drift_day on (SE of a GAUC ~0.007). Measured on seeds 0 / 1 / 2:
    # pre-drift GBM after the drift 0.433 / 0.447 / 0.430 (as far below 0.5 as it was above before it),
    # refitted GBM 0.564 / 0.554 / 0.567; with permuted ages 0.495 / 0.500 / 0.496 and 0.492 / 0.503 / 0.499.
    assert real["gbm_after"] <= 0.47, held_out_items
    assert real["refit_after"] >= 0.53, held_out_items
    assert abs(ctrl["gbm_after"] - 0.5) < 0.02 and abs(ctrl["refit_after"] - 0.5) < 0.02, held_out_items


def test_pooled_auc_margin_on_random_rows_is_mostly_item_memorisation(small_world, logs):
    """The naive check (pooled AUC, random row split) passes - but also without the interaction."""
    pre = (logs["day"] < small_world.config.drift_day).to_numpy()
    train = pre & (np.random.default_rng(0).random(len(logs)) < 0.7)
    test = pre & ~train
    margins = {}
    for permute in (False, True):
        X, y = design(small_world, logs, permute_age=permute)
        lr, gbm = fit_both(X, y, train)
        margins[permute] = roc_auc_score(y[test], score(gbm, X, test)) - roc_auc_score(y[test], score(lr, X, test))
    # Measured on seeds 0 / 1 / 2: margin 0.088 / 0.064 / 0.093 with real ages, 0.065 / 0.042 / 0.073 with
    # permuted ages (66-78% of it). The first clears the 0.05 bar the chapter quotes; the second shows that
    # most of it is not the interaction.
    assert margins[False] >= 0.05, margins
    assert margins[True] >= 0.5 * margins[False], margins
    assert margins[False] > margins[True], margins
