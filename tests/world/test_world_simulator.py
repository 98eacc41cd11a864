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


def test_same_requests_for_every_policy(served):
    # Common random numbers: the schedule stream does not depend on the policy.
    cols = ["request_id", "day", "ts", "user_id", "position"]
    base = served["popularity"].events[cols]
    for name in ("realtime", "batch"):
        pd.testing.assert_frame_equal(served[name].events[cols], base, obj=name)


def test_realtime_profile_beats_popularity(served):
    pop, rt = per_request(served["popularity"]), per_request(served["realtime"])
    # Expected clicks per request are sums of true probabilities (no outcome noise), over the same
    # ~1,300 requests. Measured on seed 0/1: popularity 0.725, real-time 1.203 (1.66x); 1.2x is a floor
    # that the personalised policy clears with a wide margin.
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
    # Measured: real-time gets ~0.26 expected clicks per request from same-day uploads, batch 0.
    assert rt_fresh >= batch_fresh
    assert rt_fresh > 0.05, rt_fresh
    # Overall the real-time policy is at least as good (measured 1.203 vs 1.132); allow 2% for the
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


def test_p_click_is_the_true_click_probability(tiny_world, served):
    e = served["realtime"].events
    truth = tiny_world.truth
    expected = truth.click_probability(*(e[c].to_numpy() for c in ("user_id", "item_id", "day", "position")))
    np.testing.assert_allclose(e["p_click"].to_numpy(), expected, rtol=1e-12)
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


# ------------------------------------------------------------------ companion bug
def test_popularity_window_expires_the_oldest_history_day():
    items = pd.DataFrame({"item_id": np.arange(3), "upload_day": 0})
    history = pd.DataFrame({"day": [0, 1, 2], "item_id": [0, 1, 2], "click": [True, True, True]})
    policy = PopularityPolicy(window_days=3)
    policy.start(None, items, history, slate_size=2)
    np.testing.assert_array_equal(policy.popularity_, [1, 1, 1])
    policy.end_of_day(3)  # no clicks on day 3: the window is now days 1-3, so day 0's click expires
    np.testing.assert_array_equal(policy.popularity_, [0, 1, 1])  # got [1, 1, 0]
