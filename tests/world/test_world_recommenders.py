"""The three serving modes of the reference recommender, on the tiny world."""

from __future__ import annotations

import numpy as np
import pytest

from companion.world import HybridPolicy, TopicProfilePolicy


@pytest.fixture(scope="module")
def runs(tiny_world):
    sim = tiny_world.simulator()
    start = tiny_world.config.n_days // 2
    history = tiny_world.events[tiny_world.events["day"] < start]
    days = range(start, tiny_world.config.n_days)
    policies = {"batch": TopicProfilePolicy(realtime=False), "real-time": TopicProfilePolicy(realtime=True),
                "hybrid": HybridPolicy(n_candidates=30)}
    return tiny_world, policies, {n: sim.run(p, seed=3, days=days, history=history).events for n, p in policies.items()}


def test_hybrid_serves_fresh_items_and_scores_less_than_real_time(runs):
    world, policies, events = runs
    upload = world.items["upload_day"].to_numpy()
    fresh = {n: (upload[e["item_id"]] == e["day"]).mean() for n, e in events.items()}
    assert fresh["batch"] == 0.0
    assert fresh["hybrid"] > 0.0 and fresh["real-time"] > 0.0
    hybrid = policies["hybrid"]
    per_request = hybrid.items_scored_ / hybrid.requests_
    assert hybrid.requests_ == events["hybrid"]["request_id"].nunique()
    # 30 nightly candidates plus that day's uploads: far fewer than the whole catalogue.
    assert 30 <= per_request < 0.5 * np.mean([(upload <= d).sum() for d in events["hybrid"]["day"].unique()])


def test_hybrid_is_close_to_real_time(runs):
    """Same scorer, fresh inputs: the hybrid's expected clicks per request stay within 5% of real-time."""
    _, _, events = runs
    value = {n: e["p_click"].sum() / e["request_id"].nunique() for n, e in events.items()}
    assert abs(value["hybrid"] / value["real-time"] - 1) < 0.05


def test_hybrid_validates_n_candidates():
    with pytest.raises(ValueError, match="`n_candidates` must be >= 1; got 0"):
        HybridPolicy(n_candidates=0)
    with pytest.raises(TypeError, match="`n_candidates` must be an integer"):
        HybridPolicy(n_candidates=2.5)
