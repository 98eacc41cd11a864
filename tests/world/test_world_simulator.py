"""The simulator: policies served to the world's users, outcomes drawn from the truth (chapter 02)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from companion.world import Policy, PopularityPolicy, Slates, TopicProfilePolicy

START = 7  # tiny has 14 days: policies learn from days 0-6 and are served on days 7-13


@pytest.fixture(scope="module")
def served(tiny_world):
    """Results of the three reference policies on the same seed (common random numbers)."""
    sim = tiny_world.simulator()
    history = tiny_world.events[tiny_world.events["day"] < START]
    days = range(START, tiny_world.config.n_days)
    policies = {"popularity": PopularityPolicy(), "realtime": TopicProfilePolicy(realtime=True),
                "batch": TopicProfilePolicy(realtime=False)}
    return {name: sim.run(p, seed=1, days=days, history=history) for name, p in policies.items()}


def per_request(result, mask=None) -> float:
    e = result.events
    p = e["p_click"] if mask is None else e["p_click"].where(mask, 0.0)
    return float(p.sum() / e["request_id"].nunique())


def request_schedule(result) -> pd.DataFrame:
    """One row per request: ``day, user_id, ts`` and ``k`` (the k-th request of that user at that second)."""
    q = result.events.drop_duplicates("request_id")[["day", "user_id", "ts"]]
    return q.assign(k=q.groupby(["day", "user_id", "ts"]).cumcount())


@pytest.mark.parametrize("name", ["realtime", "batch"])
def test_policies_share_the_request_schedule(served, name):
    """Common random numbers: the same users come at the same times until satisfaction changes who comes back.

    Each day's schedule is drawn from a stream keyed by the day, with the same uniforms for every policy;
    a policy changes only each user's request *rate* (the return dynamics), and a Poisson count drawn by
    inverting its CDF at the same uniform moves monotonically with the rate. So on the first simulated day
    (satisfaction not yet updated) the schedules are identical, and on every later day one policy's
    requests of a user are a subset (same timestamps) of the other's.
    """
    base, other = request_schedule(served["popularity"]), request_schedule(served[name])
    first = [q[q["day"] == START].reset_index(drop=True) for q in (base, other)]
    pd.testing.assert_frame_equal(first[0], first[1])
    n_base = base.groupby(["day", "user_id"]).size()
    n_other = other.groupby(["day", "user_id"]).size()
    both = pd.concat([n_base.rename("base"), n_other.rename("other")], axis=1).fillna(0)
    shared = base.merge(other, on=["day", "user_id", "ts", "k"]).groupby(["day", "user_id"]).size()
    shared = shared.reindex(both.index, fill_value=0)
    assert (shared == both.min(axis=1)).all(), "a user-day whose request times are not nested"
    # The schedules do differ after the first day (the better policy brings users back more often): measured
    # on tiny seed 0 / run seed 1, 45% (real-time) and 42% (batch) of user-days have a different request count.
    assert (both["base"] != both["other"]).mean() > 0.1
    assert len(other) > len(base)  # on this draw they satisfy more: 4,227 and 4,069 vs 3,431 requests


def test_realtime_profile_beats_popularity(served):
    pop, rt = per_request(served["popularity"]), per_request(served["realtime"])
    # Expected clicks per request are sums of true probabilities (no outcome noise), over ~3,500-4,200
    # requests. Measured on world seed 0 / run seed 1: popularity 0.847, real-time 1.330 (1.57x); 1.2x is a
    # floor that the personalised policy clears with a margin (satiation caps it: it re-shows favourites).
    assert rt > 1.2 * pop, (rt, pop)
    summary = served["realtime"].summary()
    assert summary["expected_clicks_per_request"] == pytest.approx(rt)
    assert summary["requests"] == served["realtime"].events["request_id"].nunique()
    assert summary.name == "real-time"


def test_realtime_serves_fresh_items_batch_cannot(tiny_world, served):
    upload = tiny_world.items["upload_day"].to_numpy()

    def fresh(result):
        e = result.events
        return (upload[e["item_id"].to_numpy()] == e["day"].to_numpy())

    rt, batch = served["realtime"], served["batch"]
    # The nightly batch precomputes slates from yesterday's catalogue: it never shows today's uploads.
    assert not fresh(batch).any()
    rt_fresh, batch_fresh = per_request(rt, fresh(rt)), per_request(batch, fresh(batch))
    # Measured: real-time gets 0.38 expected clicks per request from same-day uploads, batch 0.
    assert rt_fresh >= batch_fresh
    assert rt_fresh > 0.05, rt_fresh
    # Overall the real-time policy is at least as good (measured 1.330 vs 1.234); allow 2% for the
    # policies' different tie-break draws.
    assert per_request(rt) >= 0.98 * per_request(batch)


@pytest.mark.parametrize("name", ["popularity", "realtime", "batch"])
def test_slates_are_valid(tiny_world, served, name):
    e = served[name].events
    k = tiny_world.config.slate_size
    upload = tiny_world.items["upload_day"].to_numpy()
    assert not e.duplicated(["request_id", "item_id"]).any(), "an item shown twice in one slate"
    assert (upload[e["item_id"].to_numpy()] <= e["day"].to_numpy()).all(), "an item shown before upload"
    signup = tiny_world.users["signup_day"].to_numpy()
    assert (signup[e["user_id"].to_numpy()] <= e["day"].to_numpy()).all(), "a user served before signup"
    size = e.groupby("request_id").size()
    assert (size == k).all()
    pos = e.groupby("request_id")["position"].agg(["min", "max"])
    assert (pos["min"] == 0).all() and (pos["max"] == k - 1).all()
    assert e["day"].between(START, tiny_world.config.n_days - 1).all()
    assert set(e.columns) >= {"p_click", "click", "explore"}


@pytest.mark.parametrize("name", ["popularity", "realtime"])
def test_p_click_is_the_true_click_probability(tiny_world, served, impression_memory, name):
    """p_click = position bias x sigmoid(static logit + dynamic terms); the dynamic terms are readable from logs.

    The users' memory (items seen and clicked before, series followed) is rebuilt from the history and
    the run's own earlier requests, the topic fatigue from the slate: that reproduces the simulator's
    p_click exactly, so every planted dynamic term is recoverable from the logged columns.
    """
    e = served[name].events
    truth = tiny_world.truth
    history = tiny_world.events[tiny_world.events["day"] < START]
    memory = impression_memory(truth, e, history)
    np.testing.assert_allclose(e["p_click"].to_numpy(), memory["p_click"].to_numpy(), rtol=1e-12)
    # The static part alone is not p_click: satiation and fatigue lower it, following a series raises it.
    static = truth.click_probability(*(e[c].to_numpy() for c in ("user_id", "item_id", "day", "position")))
    human = ~truth.user_bot[e["user_id"].to_numpy()]
    np.testing.assert_allclose(e["p_click"][human & ~memory["seen"] & ~memory["followed"]
                                          & (memory["same_topic_above"] == 0)],
                               static[human & ~memory["seen"] & ~memory["followed"]
                                      & (memory["same_topic_above"] == 0)], rtol=1e-12)
    # Repeats are common without a seen-filter: measured 53% (popularity) and 81% (real-time) of impressions.
    assert (memory["seen"] & human).mean() > 0.3
    # Realised clicks agree with p_click within 3 SE (SE = sqrt(sum p(1-p)) / n).
    p = e["p_click"].to_numpy()
    assert abs(e["click"].mean() - p.mean()) < 3 * np.sqrt(np.sum(p * (1 - p))) / p.size


def test_logging_policy_replays_the_world_logs(tiny_world):
    # The world's own events are the simulator run with the logging policy; with the same schedule
    # the explore flag is logged per request.
    e = tiny_world.events
    assert (e.groupby("request_id")["explore"].nunique() == 1).all()
    share = e.drop_duplicates("request_id")["explore"].mean()
    assert abs(share - tiny_world.config.explore_share) < 0.03, share  # ~2k requests: SE 0.007


def test_same_seed_same_simulation(tiny_world):
    sim = tiny_world.simulator()
    history = tiny_world.events[tiny_world.events["day"] < 10]
    a = sim.run(TopicProfilePolicy(realtime=True), seed=5, days=range(10, 12), history=history)
    b = sim.run(TopicProfilePolicy(realtime=True), seed=5, days=range(10, 12), history=history)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = sim.run(TopicProfilePolicy(realtime=True), seed=6, days=range(10, 12), history=history)
    assert not c.events.equals(a.events)
    # A SeedSequence is accepted too.
    d = sim.run(PopularityPolicy(), seed=np.random.SeedSequence(5), days=range(0, 1))
    e = sim.run(PopularityPolicy(), seed=np.random.SeedSequence(5), days=range(0, 1))
    pd.testing.assert_frame_equal(d.events, e.events)


# ------------------------------------------------------------------ misbehaving policies
class WideSlates(Policy):
    name = "too wide"

    def rank(self, requests, candidates, *, k, rng):
        return np.tile(candidates[: k + 1], (len(requests), 1))


class FlatSlates(Policy):
    name = "one-dimensional"

    def rank(self, requests, candidates, *, k, rng):
        return candidates[:k]


class TooFewRows(Policy):
    name = "missing rows"

    def rank(self, requests, candidates, *, k, rng):
        return np.tile(candidates[:k], (len(requests) + 1, 1))


class DuplicateItem(Policy):
    name = "duplicates"

    def rank(self, requests, candidates, *, k, rng):
        row = candidates[:k].copy()
        row[-1] = row[0]
        return Slates(np.tile(row, (len(requests), 1)), {})


class UnknownItem(Policy):
    name = "unknown item"

    def rank(self, requests, candidates, *, k, rng):
        row = candidates[:k].copy()
        row[0] = len(self.items_) + 5  # not an item at all
        return np.tile(row, (len(requests), 1))


class FutureItem(Policy):
    name = "future item"

    def rank(self, requests, candidates, *, k, rng):
        future = np.setdiff1d(self.items_["item_id"].to_numpy(), candidates)
        row = np.r_[future[:1], candidates[: k - 1]]
        return np.tile(row, (len(requests), 1))


@pytest.mark.parametrize(("policy", "match"), [
    (WideSlates(), r"shape \(\d+, <= 10\); got shape \(\d+, 11\)"),
    (FlatSlates(), r"shape \(\d+, <= 10\); got shape \(10,\)"),
    (TooFewRows(), r"must return item ids of shape"),
    (DuplicateItem(), r"same item twice"),
    (UnknownItem(), r"not among the candidates"),
    (FutureItem(), r"not among the candidates available that day"),
])
def test_bad_policy_output_raises(tiny_world, policy, match):
    with pytest.raises(ValueError, match=match):
        tiny_world.simulator().run(policy, seed=0, days=range(0, 2))


def test_base_policy_must_implement_rank(tiny_world):
    with pytest.raises(NotImplementedError):
        tiny_world.simulator().run(Policy(), seed=0, days=range(0, 1))


class EditsItsTables(PopularityPolicy):
    """A policy that edits the tables it is given in place (adds, overwrites and deletes columns)."""

    name = "edits its tables"

    def start(self, users, items, history, *, slate_size):
        users["score"] = 1.0
        users["signup_day"] = -1
        del users["device"]
        items["upload_day"] = 0
        if history is not None:
            history["click"] = True
        super().start(users, items, history, slate_size=slate_size)


def test_policy_editing_its_tables_leaves_the_world_unchanged(tiny_world):
    """Issue 6: the simulator hands a policy copies, so start() cannot change world.users (or items, history)."""
    users, items = tiny_world.users.copy(), tiny_world.items.copy()
    history = tiny_world.events[tiny_world.events["day"] < 2]
    before = history.copy()
    sim = tiny_world.simulator()
    sim.run(EditsItsTables(), seed=0, days=range(2, 3), history=history)
    sim.run_experiment({"a": EditsItsTables(), "b": PopularityPolicy()}, seed=0, days=range(2, 3), history=history)
    pd.testing.assert_frame_equal(tiny_world.users, users)
    pd.testing.assert_frame_equal(tiny_world.items, items)
    pd.testing.assert_frame_equal(history, before)
    assert "score" not in sim.users.columns


# ------------------------------------------------------------------ companion bug
def test_popularity_window_expires_the_oldest_history_day():
    items = pd.DataFrame({"item_id": np.arange(3), "upload_day": 0})
    history = pd.DataFrame({"day": [0, 1, 2], "item_id": [0, 1, 2], "click": [True, True, True]})
    policy = PopularityPolicy(window_days=3)
    policy.start(None, items, history, slate_size=2)
    np.testing.assert_array_equal(policy.popularity_, [1, 1, 1])
    policy.end_of_day(3)  # no clicks on day 3: the window is now days 1-3, so day 0's click expires
    np.testing.assert_array_equal(policy.popularity_, [0, 1, 1])  # got [1, 1, 0]
