"""Chapter 12's ranking claim, checked on World v2 with a temporal holdout and a seed sweep.

Claim: an id-embedding model (user and item embeddings + hand-made features) is ahead of LightGBM on
the hand-made features alone, by more than the seed spread, at a training size a chapter can afford;
LightGBM is ahead of logistic regression; all three beat the popularity baseline; and with little
data LightGBM is ahead of the embedding model (the crossover chapter 12 draws as a learning curve).

Why it holds in this world: the planted logit has a hidden-factor term (8-d user x item factors from
subtopic, creator and series; weight 1.5, so it moves the logit by sd 1.5). No hand-made feature shows
it except through item averages; user and item embeddings can learn it once users have enough clicks.
This is planted, and the test checks that a standard model recovers enough of it to win.

Protocol (one world per seed, ``medium``): bots removed (planted flag), duplicate rows dropped; features
are point-in-time (computed only from days strictly before the impression's day); models are trained
on a random sample of ``N_TRAIN`` impressions from days 0-19, early-stopped on day 20 (LightGBM rounds,
embedding-model epochs), and scored by AUC on a sample of days 21-27.

Measured on seeds 0, 1, 2 (mean +- sd over seeds, all ~1.2M impressions of days 21-27; LR / LightGBM /
embedding model; fit seconds with one thread on a lightly loaded 2-core machine, LightGBM
with 30 rounds of early-stopping patience, 10 here, which saves ~2 s at 800k and changes no AUC):

    rows   LR              LightGBM        embedding       emb - LightGBM     fit s (LGBM / emb)
    100k   0.747 +- 0.029  0.747 +- 0.030  0.741 +- 0.032  -0.0060 +- 0.0022    3 /  3
    400k   0.748 +- 0.030  0.756 +- 0.028  0.750 +- 0.031  -0.0060 +- 0.0028   10 /  4
    800k   0.748 +- 0.030  0.759 +- 0.028  0.770 +- 0.025  +0.0108 +- 0.0025   16 /  9
    1.6M   0.748 +- 0.030  0.763 +- 0.027  0.786 +- 0.024  +0.0238 +- 0.0039   35 / 17
    2.5M   0.748 +- 0.030  0.764 +- 0.027  0.788 +- 0.023  +0.0244 +- 0.0042   59 / 26  (all of days 0-19)

Popularity (the item's past CTR) 0.703 +- 0.034, random 0.500. The AUC level moves ~0.03 from world to
world (seed 1 is an easier world), so every claim is about the *paired* margin on the same world. The test
runs 800k rows (the smallest size at which the embedding model wins on every seed) and 100k rows (the
crossover), ~29 s per seed, ~87 s in all. On ``small`` (the book's default) the same protocol with all
~740k rows of days 0-19 gives emb - LightGBM = +0.039 / +0.029 / +0.030 (7 s of training). Adding
"seen / clicked this item on an earlier day" (the planted satiation) to every model keeps the 800k margin
(+0.009 / +0.008 / +0.007).
"""

from __future__ import annotations

import contextlib
import functools
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from companion.experiments import seed_sweep, summarize_sweep
from companion.world import make_world

pytestmark = pytest.mark.slow  # ~85 s on an idle 2-core machine (three medium worlds, three models each)

SEEDS = (0, 1, 2)
WORLD_SIZE = "medium"
VAL_DAY = 20                 # train on days < VAL_DAY, early-stop on VAL_DAY, test on days after it
N_TRAIN = 800_000            # the smallest size tried at which the claim holds on every seed (table above)
N_SMALL = 100_000            # the crossover: with this little data LightGBM leads
N_VAL = 100_000
N_TEST = 300_000             # AUC standard error ~0.0015 per model; the paired margins vary far less
THREADS = 1                  # see `_threads`
CATEGORICAL = ("age_bucket", "topic", "position")
CTR_PRIOR = 20.0             # pseudo-impressions of the smoothed CTRs

#: Embedding-model hyper-parameters, tuned on seed 10 (not a test seed) at 400k-1.6M rows. Both penalties
#: are needed: without the decoupled weight decay the embeddings overfit after 2-3 epochs (AUC falls).
EMBEDDING = dict(dim=16, hidden=64, batch=8192, lr=0.01, l2=3e-3, weight_decay=0.3, max_epochs=8, patience=2)
#: LightGBM: early stopping on the validation day picks the number of rounds (20-240 at these sizes).
LIGHTGBM = dict(objective="binary", learning_rate=0.1, num_leaves=63, min_data_in_leaf=100,
                feature_fraction=0.9, bagging_fraction=0.8, bagging_freq=1, lambda_l2=1.0, metric="auc",
                deterministic=True, force_col_wise=True, verbose=-1)


# ------------------------------------------------------------------ features
def _cumulative_before(index: np.ndarray, n: int, day: np.ndarray, n_days: int, weights: np.ndarray) -> np.ndarray:
    """``out[k, d]`` = sum of ``weights`` of rows with ``index == k`` and ``day < d`` (shape (n, n_days + 1))."""
    flat = np.bincount(index * (n_days + 1) + day + 1, weights=weights, minlength=n * (n_days + 1))
    return np.cumsum(flat.reshape(n, n_days + 1), axis=1)


def point_in_time_features(world) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hand-made features of every impression from days strictly before its day; and ids, day, click.

    Bots (the planted flag) and duplicated rows are removed first.
    """
    cfg = world.config
    # A logged row is one (request, item): a slate never shows an item twice, so this key drops exactly
    # the rows `events.drop_duplicates()` drops (checked on seed 0), at a third of the cost.
    events = world.events.drop_duplicates(["request_id", "item_id"])
    events = events[~world.truth.user_bot[events["user_id"].to_numpy()]]
    u = events["user_id"].to_numpy().astype(np.int64)
    i = events["item_id"].to_numpy().astype(np.int64)
    d = events["day"].to_numpy().astype(np.int64)
    click = events["click"].to_numpy().astype(np.float64)
    ones = np.ones_like(click)
    n_days = cfg.n_days
    users, items = world.users, world.items
    topics = list(world.topics["topic"])
    n_topics = len(topics)
    item_topic = items["topic"].map({t: k for k, t in enumerate(topics)}).fillna(n_topics).to_numpy().astype(np.int64)
    topic = item_topic[i]                                      # n_topics = "missing tag"

    u_imp = _cumulative_before(u, cfg.n_users, d, n_days, ones)[u, d]
    u_clk = _cumulative_before(u, cfg.n_users, d, n_days, click)[u, d]
    i_imp = _cumulative_before(i, cfg.n_items, d, n_days, ones)[i, d]
    i_clk = _cumulative_before(i, cfg.n_items, d, n_days, click)[i, d]
    ut = u * (n_topics + 1) + topic
    ut_clk = _cumulative_before(ut, cfg.n_users * (n_topics + 1), d, n_days, click)[ut, d]
    base_ctr = click[d < VAL_DAY].mean()
    duration = items["duration_s"].to_numpy().astype(np.float64)
    duration[(duration <= 0) | (duration >= 86_400)] = np.nan  # corrupted values are missing values
    age_codes = {a: k for k, a in enumerate(sorted(users["age_bucket"].unique()))}
    f32 = np.float32
    features = pd.DataFrame({
        "user_impressions": np.log1p(u_imp, dtype=f32),
        "user_clicks": np.log1p(u_clk, dtype=f32),
        "user_ctr": ((u_clk + CTR_PRIOR * base_ctr) / (u_imp + CTR_PRIOR)).astype(f32),
        "item_impressions": np.log1p(i_imp, dtype=f32),
        "item_clicks": np.log1p(i_clk, dtype=f32),
        "item_ctr": ((i_clk + CTR_PRIOR * base_ctr) / (i_imp + CTR_PRIOR)).astype(f32),
        "item_age": np.log1p(np.maximum(d - items["upload_day"].to_numpy()[i], 0), dtype=f32),
        "log_duration": np.log(duration, dtype=f32)[i],
        "age_bucket": users["age_bucket"].map(age_codes).to_numpy()[u],
        "topic": topic,
        "position": events["position"].to_numpy(),
        "same_country": (users["country"].to_numpy()[u] == items["creator_country"].to_numpy()[i]).astype(f32),
        # the user's share of past clicks on this item's topic (smoothed towards uniform); NaN if untagged
        "user_topic_share": np.where(topic < n_topics, (ut_clk + 1.0 / n_topics) / (u_clk + 1.0), np.nan).astype(f32),
    })
    meta = pd.DataFrame({"user_id": u, "item_id": i, "day": d, "click": click.astype(np.int8)})
    return features, meta


def design_matrix(features: pd.DataFrame, duration_fill: float, widths: dict[str, int]) -> np.ndarray:
    """Numeric features with missing-value flags, plus one-hot categoricals (for LR and the MLP)."""
    num = features.drop(columns=list(CATEGORICAL))
    num = num.assign(duration_missing=num["log_duration"].isna(), topic_share_missing=num["user_topic_share"].isna(),
                     log_duration=num["log_duration"].fillna(duration_fill),
                     user_topic_share=num["user_topic_share"].fillna(0.0))
    parts = [num.to_numpy(np.float32)]
    for col in CATEGORICAL:
        codes = features[col].to_numpy()
        parts.append((codes[:, None] == np.arange(widths[col])[None, :]).astype(np.float32))
    return np.hstack(parts)


# ------------------------------------------------------------------ models
def fit_logistic(x_train, y_train, x_test) -> np.ndarray:
    mean, sd = x_train.mean(0), x_train.std(0) + 1e-6
    model = LogisticRegression(C=1.0, max_iter=500).fit((x_train - mean) / sd, y_train)
    return model.decision_function((x_test - mean) / sd)


def fit_lightgbm(f_train, y_train, f_val, y_val, f_test, *, seed: int) -> tuple[np.ndarray, int]:
    import lightgbm as lgb

    cats = ["age_bucket", "topic"]
    train = lgb.Dataset(f_train, y_train, categorical_feature=cats, free_raw_data=False)
    val = lgb.Dataset(f_val, y_val, reference=train, categorical_feature=cats)
    model = lgb.train({**LIGHTGBM, "seed": seed, "num_threads": THREADS}, train, num_boost_round=600,
                      valid_sets=[val], callbacks=[lgb.early_stopping(10, verbose=False)])
    return model.predict(f_test, num_iteration=model.best_iteration, raw_score=True), model.best_iteration


def fit_embedding(torch, train, val, test, *, n_users: int, n_items: int, seed: int) -> tuple[np.ndarray, int]:
    """Wide & deep style: MLP(features) + <user emb, item emb> + user bias + item bias.

    ``train``, ``val``, ``test`` are ``(x, user_ids, item_ids[, y])`` tuples. Ids unseen in training get a
    zero embedding and bias (the MLP on the features still scores them). Returns test logits and epochs.
    """
    p = EMBEDDING
    torch.manual_seed(seed)
    x_tr, u_tr, i_tr, y_tr = train
    mean, sd = x_tr.mean(0), x_tr.std(0) + 1e-6

    def tensors(x, u, i):
        return (torch.as_tensor((x - mean) / sd, dtype=torch.float32), torch.as_tensor(u), torch.as_tensor(i))

    class WideDeep(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.user, self.item = torch.nn.Embedding(n_users, p["dim"]), torch.nn.Embedding(n_items, p["dim"])
            self.user_bias, self.item_bias = torch.nn.Embedding(n_users, 1), torch.nn.Embedding(n_items, 1)
            for emb in (self.user, self.item):
                torch.nn.init.normal_(emb.weight, 0.0, 0.05)
            for emb in (self.user_bias, self.item_bias):
                torch.nn.init.zeros_(emb.weight)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(x_tr.shape[1], p["hidden"]), torch.nn.ReLU(),
                                           torch.nn.Linear(p["hidden"], 1))

        def forward(self, x, u, i):
            eu, ei, bu, bi = self.user(u), self.item(i), self.user_bias(u)[:, 0], self.item_bias(i)[:, 0]
            penalty = (eu**2).sum(1).mean() + (ei**2).sum(1).mean() + (bu**2).mean() + (bi**2).mean()
            return self.mlp(x)[:, 0] + (eu * ei).sum(1) + bu + bi, penalty

    model = WideDeep()
    ids = [model.user.weight, model.item.weight, model.user_bias.weight, model.item_bias.weight]
    opt = torch.optim.AdamW([{"params": ids, "weight_decay": p["weight_decay"]},
                             {"params": model.mlp.parameters(), "weight_decay": 0.0}], lr=p["lr"])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x, u, i = tensors(x_tr, u_tr, i_tr)
    y = torch.as_tensor(y_tr, dtype=torch.float32)
    unseen_u = torch.as_tensor(np.bincount(u_tr, minlength=n_users) == 0)
    unseen_i = torch.as_tensor(np.bincount(i_tr, minlength=n_items) == 0)
    val_x = tensors(*val[:3])
    gen = torch.Generator().manual_seed(seed)

    def predict(t):
        with torch.no_grad():
            saved = [w.clone() for w in ids]
            for w, unseen in zip(ids, (unseen_u, unseen_i, unseen_u, unseen_i), strict=True):
                w[unseen] = 0.0
            out = model(*t)[0].numpy()
            for w, s in zip(ids, saved, strict=True):
                w.copy_(s)
        return out

    best_auc, best_state, best_epoch = -np.inf, None, 0
    for epoch in range(1, p["max_epochs"] + 1):
        perm = torch.randperm(len(y), generator=gen)
        for start in range(0, len(y), p["batch"]):
            b = perm[start:start + p["batch"]]
            logit, penalty = model(x[b], u[b], i[b])
            loss = loss_fn(logit, y[b]) + p["l2"] * penalty
            opt.zero_grad()
            loss.backward()
            opt.step()
        auc = roc_auc_score(val[3], predict(val_x))
        if auc > best_auc:
            best_auc, best_epoch = auc, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= p["patience"]:
            break
    model.load_state_dict(best_state)
    return predict(tensors(*test)), best_epoch


@contextlib.contextmanager
def _threads(torch):
    """One thread for torch, deterministic kernels; restores the global settings afterwards.

    One thread (here and in LightGBM), not two: on an idle 2-core machine a second thread saves ~10 % of
    the embedding model's time (small batches) and ~35 % of LightGBM's, but with any other process on the
    machine two threads ran 20-25x slower (measured: 100 torch steps 0.25 s with one thread, 5.9 s with
    two; LightGBM 100 rounds on 400k rows 2.1 s vs 48 s). The results are identical either way.
    """
    before_threads, before_det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(before_threads)
        torch.use_deterministic_algorithms(before_det)


# ------------------------------------------------------------------ the experiment
@functools.cache
def evaluate(seed: int, sizes: tuple[int, ...] = (N_SMALL, N_TRAIN), n_test: int | None = N_TEST) -> dict:
    """AUC on the test days of every model at every training size, and the fit times (seconds)."""
    torch = pytest.importorskip("torch", reason="torch (the `text` extra) is needed for the embedding model")
    world = make_world(WORLD_SIZE, seed=seed)
    features, meta = point_in_time_features(world)
    n_users, n_items = world.config.n_users, world.config.n_items
    widths = {"age_bucket": world.users["age_bucket"].nunique(), "topic": len(world.topics) + 1,
              "position": world.config.slate_size}
    del world
    day, click = meta["day"].to_numpy(), meta["click"].to_numpy()
    users, items = meta["user_id"].to_numpy(), meta["item_id"].to_numpy()
    rng = np.random.default_rng(1000 + seed)
    pool = np.flatnonzero(day < VAL_DAY)
    val = np.flatnonzero(day == VAL_DAY)
    val = np.sort(rng.choice(val, min(N_VAL, val.size), replace=False))
    test = np.flatnonzero(day > VAL_DAY)
    test = np.sort(rng.choice(test, min(n_test or test.size, test.size), replace=False))
    fill = float(np.nanmedian(features["log_duration"].to_numpy()[pool]))

    def design(rows):
        return design_matrix(features.iloc[rows], fill, widths)

    x_val, x_test = design(val), design(test)
    y_test = click[test]
    out = {"random": roc_auc_score(y_test, rng.random(test.size)),
           "popularity": roc_auc_score(y_test, features["item_ctr"].to_numpy()[test])}
    for n in sizes:
        train = np.sort(rng.choice(pool, size=min(n, pool.size), replace=False))
        x_train = design(train)
        start = time.perf_counter()
        score = fit_logistic(x_train, click[train], x_test)
        out[f"lr_{n}"], out[f"lr_s_{n}"] = roc_auc_score(y_test, score), time.perf_counter() - start
        start = time.perf_counter()
        score, out[f"lgbm_rounds_{n}"] = fit_lightgbm(features.iloc[train], click[train], features.iloc[val],
                                                      click[val], features.iloc[test], seed=seed)
        out[f"lgbm_{n}"], out[f"lgbm_s_{n}"] = roc_auc_score(y_test, score), time.perf_counter() - start
        start = time.perf_counter()
        with _threads(torch):
            score, out[f"emb_epochs_{n}"] = fit_embedding(
                torch, (x_train, users[train], items[train], click[train]),
                (x_val, users[val], items[val], click[val]), (x_test, users[test], items[test]),
                n_users=n_users, n_items=n_items, seed=seed)
        out[f"emb_{n}"], out[f"emb_s_{n}"] = roc_auc_score(y_test, score), time.perf_counter() - start
    return out


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def result(request) -> dict:
    return evaluate(request.param)


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    """Margins of every seed (cached: computed once with the per-seed results), summarised."""
    table = seed_sweep(lambda s: {
        "emb_minus_lgbm": evaluate(s)[f"emb_{N_TRAIN}"] - evaluate(s)[f"lgbm_{N_TRAIN}"],
        "lgbm_minus_lr": evaluate(s)[f"lgbm_{N_TRAIN}"] - evaluate(s)[f"lr_{N_TRAIN}"],
        "emb": evaluate(s)[f"emb_{N_TRAIN}"], "lgbm": evaluate(s)[f"lgbm_{N_TRAIN}"],
    }, SEEDS)
    return summarize_sweep(table)


# ------------------------------------------------------------------ the claims
# Measured values below: first with this module's settings (300k test rows), then [all test days, table above].
def test_every_model_beats_the_popularity_baseline(result):
    # Popularity (the item's past CTR) 0.681 / 0.739 / 0.685; LR at 800k 0.731 / 0.779 / 0.732 (+0.04 to +0.05).
    # A ranker that does not beat the item's own past CTR by 0.02 AUC has learnt nothing about the user.
    # Random: 0.501 / 0.499 / 0.499; 0.01 is 5 standard errors of a random AUC on 300k rows.
    assert abs(result["random"] - 0.5) < 0.01
    for model in ("lr", "lgbm", "emb"):
        assert result[f"{model}_{N_TRAIN}"] > result["popularity"] + 0.02, (model, result)


def test_lightgbm_beats_logistic_regression(result):
    # LR is linear in the features: it cannot fit the planted age x duration interaction (which flips on
    # the drift day) nor the non-linear CTR curves; it plateaus from 100k rows, LightGBM keeps improving.
    # Margin at 800k: 0.0143 / 0.0099 / 0.0110 [0.0137 / 0.0086 / 0.0106]. (At 100k there is none:
    # +0.001 / +0.001 / -0.002.) Tolerance 0.004: about twice the paired noise from the training and test
    # samples (the same seed's margin moves by up to 0.002 between the two samplings above), and below
    # the smallest measured margin by 0.0045.
    margin = result[f"lgbm_{N_TRAIN}"] - result[f"lr_{N_TRAIN}"]
    assert margin > 0.004, result


def test_embedding_model_beats_lightgbm(result):
    # Margin at 800k: 0.0103 / 0.0101 / 0.0107 [0.0124 / 0.0080 / 0.0121]; at 1.6M [0.024 / 0.020 / 0.027].
    # Tolerance 0.005: 2.5x the paired sampling noise (~0.002), 0.003 below the smallest measured margin.
    # A world whose hidden factors carried half the signal would fail here (it is the planted term the
    # embeddings recover; the hand-made features see it only through item averages).
    margin = result[f"emb_{N_TRAIN}"] - result[f"lgbm_{N_TRAIN}"]
    assert margin > 0.005, result


def test_lightgbm_leads_with_little_data(result):
    # The crossover: 100k rows are ~17 impressions (~1.3 clicks) per user, too few to place an embedding,
    # and the id part only adds noise. LightGBM - embedding at 100k: 0.0064 / 0.0040 / 0.0038
    # [0.0067 / 0.0036 / 0.0078]; at 400k [0.0075 / 0.0028 / 0.0077]. Tolerance 0.001: the sign, with
    # half the paired noise as a margin (the smallest measured value is 0.0036).
    margin = result[f"lgbm_{N_SMALL}"] - result[f"emb_{N_SMALL}"]
    assert margin > 0.001, result


def test_margins_exceed_their_seed_spread(sweep):
    # "By more than the seed spread": the paired margin is positive on every seed and its mean exceeds
    # 3 sd over seeds. Measured: emb - LightGBM 0.0104 +- 0.0003 [0.0108 +- 0.0025], LightGBM - LR
    # 0.0117 +- 0.0023 [0.0110 +- 0.0026], i.e. 4 to 34 sd. (The unpaired AUC of one model moves by sd
    # ~0.03 between worlds, more than either margin: that spread is the world's difficulty, not noise.)
    for margin in ("emb_minus_lgbm", "lgbm_minus_lr"):
        mean, sd = sweep.loc[margin, "mean"], sweep.loc[margin, "sd"]
        assert sweep.loc[margin, "min"] > 0, sweep
        assert mean > 3 * sd, sweep
