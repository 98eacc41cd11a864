"""Every planted effect of World v2 is recoverable from the logs (or from simulation), on three seeds.

One test per planted effect, each run on ``small`` worlds of seeds 0, 1 and 2 (``tiny`` where it suffices),
each world built once for the module. Every assertion states its tolerance and why; the measured values
per seed (0 / 1 / 2) are quoted next to it. The logs are cleaned the way a learner would clean them
(duplicated rows and bots dropped) unless the test is about the mess itself.

The retrieval sources below (popularity, item-item co-visitation, truncated SVD of the click matrix,
random) are test instruments written compactly for this module, not library code.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from companion import retrieval as rt
from companion.experiments import seed_sweep, summarize_sweep
from companion.world import (
    INFORMATIVE_FEATURES,
    UNINFORMATIVE_FEATURES,
    EngagementParams,
    PopularityPolicy,
    TopicProfilePolicy,
    make_world,
    treatment_family,
    true_effect,
)

lightgbm = pytest.importorskip("lightgbm")
TfidfVectorizer = pytest.importorskip("sklearn.feature_extraction.text").TfidfVectorizer
roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score

SEEDS = (0, 1, 2)
AGE_BUCKETS = ("18-24", "25-34", "35-44", "45-54", "55+")


# ------------------------------------------------------------------ worlds and cleaned logs
@pytest.fixture(scope="module")
def worlds(small_world):
    """``worlds(seed)``: the small world of a seed, built once for the module (seed 0 is the session's)."""
    cache = {0: small_world}

    def get(seed: int):
        if seed not in cache:
            cache[seed] = make_world("small", seed=seed)
        return cache[seed]

    return get


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def world(request, worlds):
    return worlds(request.param)


@pytest.fixture(scope="module")
def humans(world) -> pd.DataFrame:
    """The world's logs without duplicated rows and without bots, in serving order."""
    e = world.events.drop_duplicates()
    return e[~world.truth.user_bot[e["user_id"].to_numpy()]].reset_index(drop=True)


@pytest.fixture(scope="module")
def memory(world, humans, impression_memory) -> pd.DataFrame:
    """Per human impression: seen / clicked / followed before, same-topic items above, true p_click."""
    return impression_memory(world.truth, humans)


def code(values: pd.Series) -> np.ndarray:
    """Integer codes of a column, -1 for missing (LightGBM treats negative categories as missing)."""
    return pd.Categorical(values).codes.astype(np.int64)


def standardised_ratio(click: np.ndarray, position: np.ndarray, group: np.ndarray, base: np.ndarray) -> float:
    """Clicks of ``group`` over the clicks expected at the CTR of ``base`` at the same positions."""
    n_pos = int(position.max()) + 1
    ctr = np.bincount(position[base], weights=click[base], minlength=n_pos) / np.maximum(
        np.bincount(position[base], minlength=n_pos), 1)
    return float(click[group].sum() / ctr[position[group]].sum())


# ------------------------------------------------------------------ 1. retrieval against the truth
def retrieval_recall(world, *, day: int = 21, k: int = 100, n_true: int = 20) -> pd.DataFrame:
    """Recall@k of each user's true top-``n_true`` (oracle with memory), per source, for warm and cold users.

    Warm users: humans who clicked >= 20 distinct items before ``day``. Cold users: humans who sign up on
    ``day``. The truth is ``truth.top_items(..., history=logs before day)`` among the items available on
    ``day``, leaving out items the user already clicked (no source may return those either); see
    :func:`companion.rt.make_task`. Each source breaks its ties with its own seed.
    """
    task = rt.make_task(world, day, n_true=n_true)
    scores = {
        "random": rt.random_scores(task, seed=0),
        "popularity": rt.popularity_scores(task, window_days=7),
        "covisitation": rt.covisitation_scores(task),
        "svd": rt.svd_scores(task, n_components=64, seed=0),
    }
    rows = [pd.DataFrame({"user": task.users, "group": task.group, "source": name,
                          "recall": rt.recall_at_k(task, rt.top_k(task, s, k=k, seed=i + 1))})
            for i, (name, s) in enumerate(scores.items())]
    table = pd.concat(rows, ignore_index=True).pivot_table(index=["group", "user"], columns="source",
                                                            values="recall")
    return table.assign(floor=task.floor(k))


@pytest.fixture(scope="module")
def retrieval(world) -> pd.DataFrame:
    return retrieval_recall(world)


def paired(table: pd.DataFrame, a: str, b: str) -> tuple[float, float]:
    """Mean of ``a - b`` over users and its standard error."""
    d = table[a] - table[b]
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def test_collaborative_sources_beat_popularity_for_users_with_history(retrieval):
    warm = retrieval.loc["warm"]
    assert len(warm) > 500  # measured 881 / 833 / 891 users with >= 20 clicks before day 21
    mean = warm.mean()
    # Random retrieval of 100 of the ~1,780 available items finds ~0.056 of the true top-20 (SE ~0.002
    # over ~900 users); measured 0.058 / 0.059 / 0.055. It is the floor: popularity is far above it.
    assert abs(mean["random"] - mean["floor"]) < 0.01, mean
    # Measured mean recall@100 of the true top-20: popularity 0.134 / 0.117 / 0.128, co-visitation
    # 0.149 / 0.136 / 0.150, SVD-64 0.205 / 0.188 / 0.190. Each margin over popularity is a paired mean over
    # ~900 users with an SE of 0.002-0.0035 (co-visitation +0.015 / +0.018 / +0.021, 7-11 SE; SVD +0.071 /
    # +0.070 / +0.061); asserting margin > 2 SE (and > 0.005) keeps a 2.5% one-sided false-alarm rate.
    for source in ("svd", "covisitation"):
        margin, se = paired(warm, source, "popularity")
        assert margin > max(2 * se, 0.005), (source, margin, se, mean.round(3).to_dict())
    margin, se = paired(warm, "popularity", "random")
    assert margin > 4 * se and margin > 0.03, (margin, se)


def test_popularity_wins_for_users_on_their_sign_up_day(retrieval):
    cold = retrieval.loc["cold"]
    assert len(cold) >= 15  # measured 28 / 28 / 27 users sign up on day 21
    mean = cold.mean()
    # With no clicks, SVD and co-visitation score every item 0 (random order): they sit at the random floor,
    # while the popular items are the best guess. Measured recall@100: popularity 0.180 / 0.155 / 0.180,
    # SVD 0.039 / 0.052 / 0.074, co-visitation 0.061 / 0.059 / 0.059, random 0.057 / 0.050 / 0.065. Over
    # ~28 users the SE of a paired margin is 0.017-0.030; the margins are 0.096-0.132 (> 3.5 SE).
    for source in ("svd", "covisitation", "random"):
        margin, se = paired(cold, "popularity", source)
        assert margin > max(2 * se, 0.03), (source, margin, se, mean.round(3).to_dict())


# ------------------------------------------------------------------ 2. concept drift
def drift_auc(world, humans: pd.DataFrame, *, n_train: int = 200_000) -> dict[str, float]:
    """AUC before and after drift_day of LightGBM models trained on the days before (two feature sets)."""
    d = world.config.drift_day
    users, items = world.users, world.items
    uid, iid = humans["user_id"].to_numpy(), humans["item_id"].to_numpy()
    dur = items["duration_s"].to_numpy()
    dur = np.where(np.isfinite(dur) & (dur > 0) & (dur < 86_400), dur, np.nan)  # unusable -> missing
    X = pd.DataFrame({
        "age": users["age_bucket"].map({a: k for k, a in enumerate(AGE_BUCKETS)}).to_numpy()[uid],
        "log_duration": np.log(dur)[iid],
        "topic": code(items["topic"])[iid],
        "position": humans["position"].to_numpy(),
        "item_age": humans["day"].to_numpy() - items["upload_day"].to_numpy()[iid],
        "same_country": users["country"].to_numpy()[uid] == items["creator_country"].to_numpy()[iid],
    })
    y, day = humans["click"].to_numpy(), humans["day"].to_numpy()
    rng = np.random.default_rng(world.seed)
    train = np.flatnonzero(day < d - 2)
    train = rng.choice(train, size=min(n_train, train.size), replace=False)
    before, after = (day >= d - 2) & (day < d), (day >= d) & (day < d + 3)
    out = {}
    for name, cols in (("full", list(X.columns)), ("no_age_duration", ["topic", "position", "item_age",
                                                                        "same_country"])):
        model = lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, min_child_samples=100, random_state=0,
                                        n_jobs=1, verbose=-1).fit(X.iloc[train][cols], y[train])
        for label, rows in (("before", before), ("after", after)):
            out[f"{name}_{label}"] = roc_auc_score(y[rows], model.predict_proba(X.loc[rows, cols])[:, 1])
    return out


def test_model_trained_before_drift_day_loses_auc_after_it(world, humans):
    auc = drift_auc(world, humans)
    drop = auc["full_before"] - auc["full_after"]
    control = auc["no_age_duration_before"] - auc["no_age_duration_after"]
    # Trained on days 0-11, scored on days 12-13 (before) and 14-16 (after drift_day 14); ~85k and ~115k
    # rows, so each AUC has an SE of ~0.003. Measured AUC before 0.720 / 0.718 / 0.712, after 0.641 / 0.643 /
    # 0.655, drop 0.079 / 0.075 / 0.057: the planted flip of the age x duration relation makes the learned
    # interaction wrong.
    assert drop >= 0.02, auc
    # Control: without age and duration the same model loses only 0.030 / 0.027 / 0.011 (other changes:
    # the fade, new items); the drift is in the features the planted term uses.
    assert drop - control >= 0.02, auc


# ------------------------------------------------------------------ 3. treatments with a known effect
def treatment_effects(world, seed: int, names=("+1%", "+3%", "+10%", "novelty")) -> dict[str, float | pd.Series]:
    """True effects of treatments of ``treatment_family()`` over the logging policy, one control run shared.

    For each name, ``"<name>"``: the relative effect on expected clicks per user over the whole run, and
    ``"<name> by day"``: the relative effect per day. Exactly what ``true_effect(world, PopularityPolicy(),
    treatment, seed=seed)`` and ``true_effect(..., by_day=True)`` return (checked on tiny in
    ``test_shared_control_effects_are_true_effect``), without re-running the control for every treatment.
    """
    sim, family = world.simulator(), treatment_family()
    signup = world.users["signup_day"].to_numpy()

    def measure(policy) -> tuple[float, pd.Series]:
        result = sim.run(copy.deepcopy(policy), seed=seed)
        daily = result.events.groupby("day")["p_click"].sum()
        eligible = pd.Series({d: int((signup <= d).sum()) for d in daily.index})
        return result.user_metrics()["expected_clicks"].mean(), daily / eligible

    control, control_daily = measure(PopularityPolicy())
    out = {}
    for name in names:
        value, daily = measure(family[name])
        out[name] = value / control - 1.0
        out[f"{name} by day"] = (daily - control_daily) / control_daily
    return out


@pytest.fixture(scope="module")
def treatments(worlds) -> dict[int, dict]:
    """``treatment_effects`` of every seed's small world (five simulator runs a seed)."""
    return {s: treatment_effects(worlds(s), s) for s in SEEDS}


@pytest.mark.slow
def test_novelty_effect_decays(treatments):
    table = seed_sweep(lambda s: {"first_3_days": treatments[s]["novelty by day"].iloc[:3].mean(),
                                  "last_7_days": treatments[s]["novelty by day"].iloc[-7:].mean()}, SEEDS)
    # Novelty: +0.3 logit decaying with a 2-day time constant on top of the lasting +1% lift. Users present
    # from day 0 meet it in the first days; later only newcomers do. Measured lift, days 0-2 / days 21-27:
    # 0.135 / 0.038, 0.129 / 0.018, 0.127 / 0.059 (means 0.130 / 0.038). The first-days lift is stable
    # (0.124-0.144 over seeds 0-9), but a daily lift late in the run carries the feedback-loop noise of the
    # learning logging policy (the last-7-day mean ranges from -0.026 to 0.073 over seeds 0-9, sd 0.033; it
    # is below half the first-days lift on 9 of 10 seeds), so "2x" is asserted on the mean of the 3 seeds
    # (SE ~0.02) and each seed only has to show a decay of 0.04 (measured at least 0.066 over seeds 0-9).
    mean = table.mean()
    assert mean["first_3_days"] >= 2 * mean["last_7_days"], table
    assert (table["first_3_days"] > 0.08).all(), table
    assert (table["first_3_days"] - table["last_7_days"] > 0.04).all(), table


@pytest.mark.slow
def test_graded_treatments_are_ordered_and_of_their_size(treatments):
    table = seed_sweep(lambda s: {name: treatments[s][name] for name in ("+1%", "+3%", "+10%")}, SEEDS)
    mean = summarize_sweep(table)["mean"]
    # The effect of one seed pair carries ~1-1.5 points of noise from the feedback loops of the learning
    # logging policy (measured over seeds 0-9: sd 1.08 / 1.14 / 1.47 points for +1% / +3% / +10%, means
    # 0.89% / 3.84% / 10.49%), so the mean of 3 seeds has an SE of ~0.6 / 0.7 / 0.85 points. Measured on
    # seeds 0 / 1 / 2: +1% 1.49 / 0.16 / 1.64, +3% 3.75 / 2.27 / 4.21, +10% 10.84 / 10.99 / 11.65 (%);
    # means 1.10 / 3.41 / 11.16.
    assert mean["+1%"] < mean["+3%"] < mean["+10%"], table
    # Sizes within 2.4-3 SE of the mean of 3 seeds around the nominal effect.
    assert -0.005 < mean["+1%"] < 0.025, table
    assert 0.01 < mean["+3%"] < 0.05, table
    assert 0.08 < mean["+10%"] < 0.12, table
    # The +10% treatment beats the +3% one on every seed (their gap, 5.0-8.5 points over seeds 0-9, is ~5 sd
    # of the noise).
    assert (table["+10%"] > table["+3%"]).all(), table


# ------------------------------------------------------------------ 4. memory: satiation, fatigue, series
def repeat_effect(world, humans: pd.DataFrame, memory: pd.DataFrame) -> dict[str, float]:
    """Repeated vs first impressions in the explore bucket: from the logs, and against the static truth."""
    explore = humans["explore"].to_numpy()
    click, position = humans["click"].to_numpy().astype(float), humans["position"].to_numpy()
    seen, clicked, followed = (memory[c].to_numpy() for c in ("seen", "clicked", "followed"))
    fresh = explore & ~seen & ~followed  # series following (+1 logit) is kept out of both groups
    repeat = explore & seen & ~clicked & ~followed
    u, i, d = (humans[c].to_numpy() for c in ("user_id", "item_id", "day"))
    static = world.truth.click_probability(u, i, d, position)
    return {"n": int(repeat.sum()), "clicks": float(click[repeat].sum()),
            "ratio": standardised_ratio(click, position, repeat, fresh),
            "oe": (click[repeat].sum() / static[repeat].sum()) / (click[fresh].sum() / static[fresh].sum())}


def test_repeated_impressions_are_worth_less(world, humans, memory):
    m = repeat_effect(world, humans, memory)
    # From the logs: CTR of repeated (seen before, not clicked) impressions over the CTR of first
    # impressions at the same positions, in the explore bucket (positions are random there), neither of a
    # series the user follows. Measured 0.65 / 0.62 / 0.61 on ~20k repeated impressions (~800 clicks: SE
    # ~0.035).
    assert m["ratio"] < 0.85, m
    # Against the static truth (which knows each user's taste for each item, so the heavy users and
    # popular items that make up repeats do not confound): observed / static-expected clicks, repeats
    # over first impressions. Planted: -0.5 logit, 0.61x for rare clicks and less for likely ones.
    # Measured 0.75 / 0.71 / 0.71 (SE ~0.035).
    assert 0.5 < m["oe"] < 0.85, m


def fatigue_effect(world, humans: pd.DataFrame, memory: pd.DataFrame) -> dict[str, float]:
    """CTR with >= 1 same-topic item above vs none, same positions, explore bucket, first impressions."""
    explore = humans["explore"].to_numpy()
    click, position = humans["click"].to_numpy().astype(float), humans["position"].to_numpy()
    items = humans["item_id"].to_numpy()
    # The learner's view: the logged (messy) topic tag of the items above in the slate.
    tag = world.items["topic"].fillna("(untagged)").to_numpy()[items]
    above = pd.DataFrame({"r": humans["request_id"].to_numpy(), "t": tag}).groupby(["r", "t"]).cumcount()
    above = above.to_numpy() * world.items["topic"].notna().to_numpy()[items]
    true_above = memory["same_topic_above"].to_numpy()
    base = explore & ~memory["seen"].to_numpy() & ~memory["followed"].to_numpy() & (position > 0)
    u, i, d = (humans[c].to_numpy() for c in ("user_id", "item_id", "day"))
    static = world.truth.click_probability(u, i, d, position)
    hit, none = base & (true_above >= 1), base & (true_above == 0)
    return {"n": int((base & (above >= 1)).sum()), "clicks": float(click[base & (above >= 1)].sum()),
            "ratio": standardised_ratio(click, position, base & (above >= 1), base & (above == 0)),
            "oe": (click[hit].sum() / static[hit].sum()) / (click[none].sum() / static[none].sum())}


def test_same_topic_items_lower_in_the_slate_are_clicked_less(world, humans, memory):
    m = fatigue_effect(world, humans, memory)
    # From the logs: CTR of items with >= 1 same-tag item above them over the CTR of items with none, at
    # the same positions (explore bucket, first impressions, no followed series). Measured 0.82 / 0.91 /
    # 0.87 on ~21k impressions (~800 clicks: SE ~0.035). It is confounded (items of big topics more often
    # have a same-topic neighbour, and 10% of tags are wrong or missing), so only the direction is
    # asserted from the logs, with > 2.5 SE to spare on every seed.
    assert m["ratio"] < 1.0, m
    # Against the static truth, with the true topics: planted -0.3 logit per same-topic item above (0.74x
    # for one rare click, less for two). Measured 0.78 / 0.82 / 0.82 (SE ~0.035).
    assert m["oe"] < 0.9, m


def follow_effect(world, humans: pd.DataFrame, memory: pd.DataFrame) -> dict[str, float]:
    """First impressions of later episodes of a series the user clicked vs of series never clicked."""
    truth = world.truth
    e = humans.assign(series=truth.item_series[humans["item_id"].to_numpy()])
    clicks = e.loc[e["click"], ["user_id", "series", "item_id", "request_id"]]
    # Impressions of a later episode (higher item id: ids follow upload order) of a series the user
    # clicked in an earlier request.
    pairs = e[["user_id", "series", "item_id", "request_id"]].reset_index().merge(
        clicks, on=["user_id", "series"], suffixes=("", "_clicked"))
    later = pairs[(pairs["item_id_clicked"] < pairs["item_id"]) & (pairs["request_id_clicked"] < pairs["request_id"])]
    follows = np.zeros(len(e), dtype=bool)
    follows[later["index"].to_numpy()] = True
    fresh = ~memory["seen"].to_numpy()
    group, other = fresh & follows, fresh & ~memory["followed"].to_numpy()
    click, position = e["click"].to_numpy().astype(float), e["position"].to_numpy()
    u, i, d = (e[c].to_numpy() for c in ("user_id", "item_id", "day"))
    static = truth.click_probability(u, i, d, position)
    return {"n": int(group.sum()), "ratio": standardised_ratio(click, position, group, other),
            "oe": (click[group].sum() / static[group].sum()) / (click[other].sum() / static[other].sum())}


def test_users_follow_series_they_clicked(world, humans, memory):
    """Users who clicked an episode click the later episodes of the series more than other items."""
    m = follow_effect(world, humans, memory)
    assert m["n"] > 5_000, m  # measured 16.8k / 20.9k / 16.2k impressions
    # From the logs: CTR at the same positions, later episodes vs first impressions of items of series the
    # user never clicked. Measured 3.16 / 3.10 / 3.03 (taste for the series adds to the planted +1.0 logit).
    assert m["ratio"] > 2.0, m
    # Beyond taste: observed / static-expected clicks (the static truth includes the user's taste for the
    # series' subtopic, creator and series factors). Planted +1.0 logit; measured 1.46 / 1.50 / 1.46 (SE
    # ~0.03).
    assert m["oe"] > 1.25, m


# ------------------------------------------------------------------ 5. creators, bots, messy data
def permutation_importance(world, humans: pd.DataFrame) -> dict[str, float]:
    """Held-out AUC drop when one column is shuffled, for a LightGBM click model with categorical ids."""
    rng = np.random.default_rng(world.seed)
    e = humans[rng.random(len(humans)) < 0.2]
    uid, iid = e["user_id"].to_numpy(), e["item_id"].to_numpy()
    users, items = world.users, world.items
    X = pd.DataFrame({
        "creator_id": items["creator_id"].to_numpy()[iid],
        "noise": rng.integers(0, world.config.n_creators, len(e)),  # a random id, the creators' cardinality
        "device": code(users["device"])[uid], "language": code(users["language"])[uid],
        "country": code(users["country"])[uid], "creator_country": code(items["creator_country"])[iid],
        "age": code(users["age_bucket"])[uid], "topic": code(items["topic"])[iid],
        "position": e["position"].to_numpy(),
    })
    y = e["click"].to_numpy()
    train = rng.random(len(e)) < 0.7
    categorical = ["creator_id", "noise", "device", "language", "country", "creator_country", "topic"]
    model = lightgbm.LGBMClassifier(n_estimators=40, num_leaves=31, min_child_samples=200, cat_smooth=50,
                                    random_state=0, n_jobs=1, verbose=-1)
    model.fit(X[train], y[train], categorical_feature=categorical)
    test = X[~train]
    base = roc_auc_score(y[~train], model.predict_proba(test)[:, 1])
    drop = {}
    for col in ("creator_id", "noise", "device", "language"):
        shuffled = test.assign(**{col: rng.permutation(test[col].to_numpy())})
        drop[col] = base - roc_auc_score(y[~train], model.predict_proba(shuffled)[:, 1])
    return drop


def test_creator_id_is_informative_device_and_language_are_not(world, humans):
    assert "creator_id" in INFORMATIVE_FEATURES["quality"]
    assert {"device", "language"} == set(UNINFORMATIVE_FEATURES)
    drop = permutation_importance(world, humans)
    # Permutation importance on held-out rows (~65k, AUC SE ~0.004; the drops of one model share most
    # of that noise). Creators carry quality (planted: 0.4 x creator quality, sd 0.8) and part of the
    # hidden factors. Measured AUC drop: 0.021 / 0.022 / 0.019; max |drop| of noise, device, language:
    # 0.0029 / 0.0010 / 0.0022 (the random id's, from overfitting its 250 levels).
    # (Gain importance would mislead here: a high-cardinality random categorical gets a large gain.)
    others = max(abs(drop[c]) for c in ("noise", "device", "language"))
    assert drop["creator_id"] > 0.01, drop
    assert drop["creator_id"] > 4 * max(others, 0.001), drop


def bot_signals(world) -> pd.DataFrame:
    """Per user: requests per active day, clicks, watch seconds per click, and the truth's bot flag."""
    e = world.events.drop_duplicates()
    per_user = e.groupby("user_id").agg(requests=("request_id", "nunique"), active_days=("day", "nunique"),
                                        clicks=("click", "sum"), watch_s=("watch_s", "sum"))
    per_user["requests_per_day"] = per_user["requests"] / per_user["active_days"]
    per_user["watch_per_click"] = per_user["watch_s"] / per_user["clicks"].clip(lower=1)
    per_user["bot"] = world.truth.user_bot[per_user.index]
    return per_user


def test_bots_are_findable_from_requests_and_watch_time(world):
    per_user = bot_signals(world)
    bot = per_user["bot"].to_numpy()
    assert bot.sum() == round(world.config.bot_share * world.config.n_users)  # 15 bots on small
    human = per_user[~bot]
    # Bots ask ~10 times on every day they come (humans 2.2 on average). Measured: the least active bot
    # 8.79 / 8.68 / 8.75 requests per active day vs the humans' 98th percentile 6.39 / 6.60 / 6.32 and 99th
    # 7.75 / 8.26 / 8.42; so
    # every bot is in the humans' top 1-2%, but requests alone do not find them: ~20-26 very active
    # humans (often on their sign-up day burst) ask as much. 2 requests a day of margin over the 98th.
    assert per_user["requests_per_day"][bot].min() > human["requests_per_day"].quantile(0.98)
    # Watch time separates them: bots watch ~1 s per click. Measured: bots' maximum 1.28 / 1.28 / 1.30 s vs
    # the minimum of humans with >= 5 clicks 22.1 / 12.7 / 17.5 s (a 10x gap; 3 s is the rule's cut).
    engaged = human[human["clicks"] >= 5]
    assert per_user["watch_per_click"][bot].max() < 3.0 < engaged["watch_per_click"].min()
    # A simple rule: >= 5 clicks and under 3 s watched per click. With 15 bots, precision and recall
    # >= 0.9 allow one miss each way; measured 1.0 and 1.0 on every seed.
    rule = ((per_user["clicks"] >= 5) & (per_user["watch_per_click"] < 3.0)).to_numpy()
    precision, recall = (rule & bot).sum() / rule.sum(), (rule & bot).sum() / bot.sum()
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def messiness(world) -> dict[str, tuple[float, float, int]]:
    """Each kind of messiness: (observed share, configured share, number of draws)."""
    cfg, items, truth = world.config, world.items, world.truth
    n = len(items)
    tag = items["topic"]
    names = world.topics["topic"].to_numpy()[truth.item_main_topic]
    missing = tag.isna().to_numpy()
    wrong = ~missing & (tag.to_numpy() != names)
    dur = items["duration_s"].to_numpy()
    dup = world.events.duplicated().to_numpy()
    return {"missing_topic": (missing.mean(), cfg.missing_topic_share, n),
            "wrong_topic": (wrong.mean(), cfg.wrong_topic_share, n),
            "missing_duration": (np.isnan(dur).mean(), cfg.missing_duration_share, n),
            "extreme_duration": (np.isin(dur, [0.0, 86_400.0]).mean(), cfg.extreme_duration_share, n),
            "duplicate_events": (dup.sum() / (~dup).sum(), cfg.duplicate_event_share, int((~dup).sum()))}


def test_messiness_shares_match_the_config(world):
    # Each share is a binomial draw over 2,000 items (over ~1.15M rows for duplicates); 4 SE bounds give
    # a false alarm about once in 16,000 checks. Measured: missing topic 4.35 / 4.80 / 5.00%, wrong topic
    # 5.45 / 4.85 / 4.80%, missing duration 1.45 / 2.05 / 2.00%, corrupted 0.40 / 0.45 / 0.50%, duplicated
    # rows 0.50 / 0.49 / 0.49% (largest deviation 1.8 SE).
    for name, (observed, p, n) in messiness(world).items():
        assert abs(observed - p) <= 4 * np.sqrt(p * (1 - p) / n), (name, observed, p)
    # Everything else is clean: logged durations equal the true ones where present and sane.
    dur = world.items["duration_s"].to_numpy()
    ok = np.isfinite(dur) & ~np.isin(dur, [0.0, 86_400.0])
    np.testing.assert_array_equal(dur[ok], world.truth.item_duration_s[ok])
    # drop_duplicates removes exactly the duplicates: one row per (request, position), full slates left.
    clean = world.events.drop_duplicates()
    assert len(clean) == (~world.events.duplicated()).sum()
    assert not clean.duplicated(["request_id", "position"]).any()
    assert (clean.groupby("request_id").size() == world.config.slate_size).all()


# ------------------------------------------------------------------ 6. drift: fade, surge, cohort
def binomial_split(clicks: np.ndarray, n: np.ndarray) -> int:
    """Index ``k`` maximising the likelihood of two constant click rates, days ``[:k]`` and ``[k:]``."""
    c, m = np.asarray(clicks, dtype=float), np.asarray(n, dtype=float)

    def loglik(cs: np.ndarray, ms: np.ndarray) -> float:
        p = cs.sum() / ms.sum()
        return cs.sum() * np.log(p) + (ms.sum() - cs.sum()) * np.log1p(-p)

    return 1 + int(np.argmax([loglik(c[:k], m[:k]) + loglik(c[k:], m[k:]) for k in range(1, c.size)]))


def topic_slopes(world, humans: pd.DataFrame) -> dict[str, float]:
    """Per topic tag: daily slope of log(CTR relative to the whole feed) from fade_start_day on."""
    cfg = world.config
    tag = world.items["topic"].fillna("(untagged)").to_numpy()[humans["item_id"].to_numpy()]
    day, click = humans["day"].to_numpy(), humans["click"].to_numpy()
    total = pd.Series(click).groupby(day).mean()
    after = np.arange(cfg.fade_start_day, cfg.n_days)
    slopes = {}
    for topic in world.topics["topic"]:
        m = tag == topic
        relative = pd.Series(click[m]).groupby(day[m]).mean() / total
        slopes[topic] = float(np.polyfit(after, np.log(relative.reindex(after).to_numpy()), 1)[0])
    return slopes


def test_fade_topic_ctr_declines_after_fade_start(world, humans):
    slopes = topic_slopes(world, humans)
    fade = world.topics["topic"][world.config.fade_topic]
    # Planted: -0.08 logit a day from fade_start_day. The log of the topic's relative CTR falls by
    # 0.046 / 0.029 / 0.053 a day (tags are 10% wrong or missing, and the logging policy shows it less);
    # over 21 days of ~600-2,000 impressions the slope has an SE of ~0.003.
    assert slopes[fade] < -0.02, slopes[fade]
    # A per-topic drift monitor flags it: its slope is more than 1.5 sd below the other topics' mean
    # (topics drift a little on their own: the catalogue, satiation, the policy). Measured z: -3.8 / -1.9 /
    # -2.6
    # (seeds 3-5: -4.1 / -6.1 / -4.9); it is the steepest of the 20 topics on seeds 0-5, by 0.003 on seed 1.
    others = np.array([v for k, v in slopes.items() if k != fade])
    z = (slopes[fade] - others.mean()) / others.std(ddof=1)
    assert z < -1.5, (z, sorted(slopes.items(), key=lambda kv: kv[1])[:3])


def surge_and_cohort(world, humans: pd.DataFrame) -> dict[str, float]:
    cfg, truth = world.config, world.truth
    main = truth.item_main_topic[humans["item_id"].to_numpy()]
    day, click = humans["day"].to_numpy(), humans["click"].to_numpy()
    surge = main == cfg.surge_topic
    daily = pd.DataFrame({"c": click[surge], "d": day[surge]}).groupby("d")["c"].agg(["sum", "size"])
    after = day >= cfg.surge_day
    window = np.abs(day - cfg.surge_day + 0.5) < 4  # 4 days either side
    ratio = (click[surge & after & window].mean() / click[surge & ~after & window].mean()) / (
        click[~surge & after & window].mean() / click[~surge & ~after & window].mean())
    active = humans[["day", "user_id"]].drop_duplicates()
    young = (world.users["age_bucket"].to_numpy()[active["user_id"].to_numpy()] == "18-24").astype(float)
    share = pd.Series(young).groupby(active["day"].to_numpy()).agg(["sum", "size"])
    return {"surge_split": int(daily.index[binomial_split(daily["sum"], daily["size"])]), "surge_ratio": ratio,
            "cohort_split": int(share.index[binomial_split(share["sum"], share["size"])])}


def test_surge_and_cohort_are_still_recoverable(world, humans):
    m, cfg = surge_and_cohort(world, humans), world.config
    # Planted +1.2 logit on the surge topic from surge_day. Maximum-likelihood split of its daily clicks:
    # measured 18 / 21 / 18 (seed 1's surge topic gets ~150-200 impressions and ~5 clicks a day before the
    # surge, so its split is late).
    assert abs(m["surge_split"] - cfg.surge_day) <= 3, m
    # 4 days either side of surge_day: the surge topic's CTR ratio over the other topics'. Measured
    # 1.74 / 1.86 / 1.94 (SE ~0.1).
    assert m["surge_ratio"] > 1.4, m
    # The cohort (12% of users, mostly 18-24) joins on cohort_day: the daily share of young active users
    # jumps there (SE ~0.01 a day, jump ~0.12), so the split is exact. Measured: day 10 on every seed.
    assert m["cohort_split"] == cfg.cohort_day, m


# ------------------------------------------------------------------ 7. text
def text_precision(world) -> dict[str, float]:
    """Same-subtopic precision@10 of TF-IDF nearest neighbours (title + description), and chance."""
    items, sub = world.items, world.truth.item_subtopic
    X = TfidfVectorizer(sublinear_tf=True).fit_transform(items["title"] + " " + items["description"])
    sim = (X @ X.T).toarray()  # rows are L2-normalised: cosine similarity
    np.fill_diagonal(sim, -1.0)
    neighbours = np.argpartition(-sim, 10, axis=1)[:, :10]
    counts = np.bincount(sub)
    return {"precision": float((sub[neighbours] == sub[:, None]).mean()),
            "chance": float((counts * (counts - 1)).sum() / (len(sub) * (len(sub) - 1)))}


def test_text_carries_the_hidden_subtopic(world):
    m = text_precision(world)
    # Same-subtopic precision@10 of TF-IDF neighbours over 2,000 items (SE ~0.01). Measured 0.710 / 0.703 /
    # 0.694, chance 0.027 / 0.032 / 0.033: far above chance, below 0.95 (synonyms and polysemy leave room
    # for better encoders).
    assert m["precision"] > 10 * m["chance"] and m["precision"] > 0.5, m
    assert m["precision"] < 0.95, m


# ------------------------------------------------------------------ 8. retention (tiny suffices)
def served_per_user(world, policy, seed: int) -> pd.DataFrame:
    """Per human user who came: requests, return rate and satisfaction (clicks + likes - 2 hides per request)."""
    result = world.simulator().run(policy, seed=seed)
    outcomes = result.events.groupby("user_id")[["click", "like", "hide"]].sum()
    out = result.user_metrics().set_index("user_id").join(outcomes, how="inner")
    out["satisfaction"] = (out["click"] + out["like"] - 2 * out["hide"]) / out["requests"]
    return out[~world.truth.user_bot[out.index]]


def retention_response(world, seed: int) -> dict[str, float]:
    """How each user's requests and return rate move with their satisfaction, real-time profile vs popularity."""
    cols = ["requests", "return_rate", "satisfaction"]
    pop = served_per_user(world, PopularityPolicy(), seed)[cols]
    personal = served_per_user(world, TopicProfilePolicy(realtime=True), seed)[cols]
    delta = (personal - pop).dropna()
    tercile = pd.qcut(delta["satisfaction"], 3, labels=False)
    return {"rho": delta[["satisfaction", "requests"]].corr("spearman").iloc[0, 1],
            **{f"requests_t{k}": v for k, v in delta["requests"].groupby(tercile).mean().items()},
            **{f"return_rate_t{k}": v for k, v in delta["return_rate"].groupby(tercile).mean().items()},
            "satisfaction": delta["satisfaction"].mean(), "requests": delta["requests"].mean()}


@pytest.mark.parametrize("seed", SEEDS)
def test_users_come_back_in_the_direction_of_their_satisfaction(seed):
    """Serving a different policy changes each user's requests and return rate with their satisfaction.

    Satisfaction (clicks + likes - 2 hides per request, smoothed over days) multiplies the request rate.
    The real-time topic profile policy is not uniformly better: it re-shows favourites without a
    seen-filter (satiation), so some users are less satisfied than under popularity. Per user, the change
    in requests follows the change in satisfaction.
    """
    m = retention_response(make_world("tiny", seed=seed), seed)
    # ~250 users per seed: a Spearman correlation has an SE of ~0.06. Measured rho 0.71 / 0.75 / 0.72; mean
    # change in requests per user by tercile of the change in satisfaction (most negative first):
    # (-2.2, +3.1, +10.0) / (-3.2, +1.0, +10.8) / (-3.4, -0.1, +5.8); in return rate (-0.043, +0.031,
    # +0.088) / (-0.070, +0.017, +0.105) / (-0.056, -0.003, +0.073). On average the real-time policy
    # satisfies more on seeds 0 and 1 (+0.27, +0.21 per request), not on seed 2 (-0.01).
    assert m["rho"] > 0.4, m
    assert m["requests_t0"] < 0 < m["requests_t2"], m
    assert m["return_rate_t0"] < 0 < m["return_rate_t2"], m
    # Control (one seed suffices, it is exact): with retention switched off the request schedule does not
    # depend on the policy at all.
    if seed == 0:
        flat = retention_response(make_world("tiny", seed=seed, engagement=EngagementParams(retention=0.0)), seed)
        assert flat["requests_t0"] == flat["requests_t1"] == flat["requests_t2"] == 0.0, flat


# ------------------------------------------------------------------ 9. determinism
@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_world(seed, tiny_world):
    a = tiny_world if seed == 0 else make_world("tiny", seed=seed)
    b = make_world("tiny", seed=seed)
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(table, b.tables[name], check_exact=True, obj=name)
    for name, value in a.truth.arrays().items():
        np.testing.assert_array_equal(value, b.truth.arrays()[name], err_msg=name)


def test_same_seed_same_true_effect(tiny_world):
    treatment = treatment_family()["+10%"]
    first = true_effect(tiny_world, PopularityPolicy(), treatment, seed=0)
    again = true_effect(make_world("tiny", seed=0), PopularityPolicy(), treatment, seed=0)
    pd.testing.assert_series_equal(first, again, check_exact=True)
    assert first["effect"] > 0


def test_shared_control_effects_are_true_effect(tiny_world):
    """The shortcut of ``treatment_effects`` returns exactly what ``true_effect`` returns."""
    shortcut = treatment_effects(tiny_world, 3, names=("+1%", "novelty"))
    exact = true_effect(tiny_world, PopularityPolicy(), treatment_family()["+1%"], seed=3)
    assert shortcut["+1%"] == pytest.approx(exact["relative_effect"], rel=1e-12)
    by_day = true_effect(tiny_world, PopularityPolicy(), treatment_family()["novelty"], seed=3, by_day=True)
    np.testing.assert_allclose(shortcut["novelty by day"].to_numpy(), by_day["relative_effect"].to_numpy(),
                               rtol=1e-12)
