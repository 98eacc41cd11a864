"""Chapter 03 exercises: references and honest learner solutions pass, classic mistakes fail."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from companion.exercises import check, get_exercise, list_exercises
from companion.exercises.ch03 import _ctr_by_position, _topic_click_share_before_day

IDS = ["03.ctr_by_position_sql", "03.topic_click_share_before_day"]


def _run(exercise_id, fn, **kwargs):
    return check(exercise_id, fn, verbose=False, **kwargs)


def test_chapter_03_exercises_registered():
    assert list_exercises("03") == IDS
    for exercise_id in IDS:
        exercise = get_exercise(exercise_id)
        assert exercise.chapter == "03"
        assert len(exercise.cases) >= 5 and exercise.generate is not None


@pytest.mark.parametrize(("exercise_id", "fn"), [
    ("03.ctr_by_position_sql", _ctr_by_position),
    ("03.topic_click_share_before_day", _topic_click_share_before_day),
])
def test_reference_passes_itself(exercise_id, fn):
    report = _run(exercise_id, fn, n_random=40, seed=3)
    assert report.passed, str(report)


def test_random_cases_are_reproducible():
    ex = get_exercise("03.topic_click_share_before_day")
    a = ex.generate(np.random.default_rng(5))
    b = ex.generate(np.random.default_rng(5))
    pd.testing.assert_frame_equal(a.args[0], b.args[0])
    pd.testing.assert_frame_equal(a.args[1], b.args[1])


# ------------------------------------------------------------------------ 03.ctr_by_position_sql
def learner_ctr_sql(events):
    if len(events) == 0:
        raise ValueError("no impressions")
    return duckdb.sql("""
        select explore, position, count(*) as impressions, sum(click::int) as clicks,
               avg(click::double) as ctr
        from events group by explore, position order by explore, position
    """).df()


def learner_ctr_pandas(events):
    if events.empty:
        raise ValueError("no impressions")
    out = (events.assign(click=events["click"].astype(int))
           .groupby(["explore", "position"])["click"].agg(["size", "sum", "mean"]).reset_index())
    return out.set_axis(["explore", "position", "impressions", "clicks", "ctr"], axis=1)


def wrong_ctr_no_raise(events):
    return learner_ctr_pandas(events) if len(events) else pd.DataFrame(
        columns=["explore", "position", "impressions", "clicks", "ctr"])


def wrong_ctr_pooled(events):
    """Ignores the explore bucket: pools both buckets per position."""
    if events.empty:
        raise ValueError("no impressions")
    out = learner_ctr_pandas(events.assign(explore=False))
    return out


def wrong_ctr_index(events):
    if events.empty:
        raise ValueError("no impressions")
    return learner_ctr_pandas(events).set_index(["explore", "position"])


def wrong_ctr_descending(events):
    if events.empty:
        raise ValueError("no impressions")
    out = learner_ctr_pandas(events)
    return out.sort_values(["explore", "position"], ascending=False).reset_index(drop=True)


@pytest.mark.parametrize("fn", [learner_ctr_sql, learner_ctr_pandas])
def test_ctr_learner_solutions_pass(fn):
    report = _run("03.ctr_by_position_sql", fn)
    assert report.passed, str(report)


@pytest.mark.parametrize("fn", [wrong_ctr_no_raise, wrong_ctr_pooled, wrong_ctr_index, wrong_ctr_descending])
def test_ctr_wrong_solutions_fail(fn):
    report = _run("03.ctr_by_position_sql", fn)
    assert not report.passed


def test_ctr_index_mistake_gets_a_hint():
    report = _run("03.ctr_by_position_sql", wrong_ctr_index)
    assert "reset_index" in str(report)


def test_ctr_reference_values():
    ev = pd.DataFrame({"explore": [False, False, True], "position": [0, 0, 1], "click": [1, 0, 1]})
    out = _ctr_by_position(ev)
    assert out["ctr"].tolist() == [0.5, 1.0]
    assert out["impressions"].tolist() == [2, 1]
    with pytest.raises(ValueError):
        _ctr_by_position(ev.iloc[:0])


# --------------------------------------------------------------- 03.topic_click_share_before_day
def learner_share_merge(events, queries):
    """Vectorised: daily clicks per user and topic, cumulated, looked up strictly before the day."""
    clicks = events[events["click"].astype(bool)]
    out = np.full(len(queries), np.nan)
    q = queries.reset_index(drop=True).assign(row=np.arange(len(queries)))
    if len(clicks) and len(q):
        def before(keys):
            daily = clicks.groupby([*keys, "day"]).size().rename("n").reset_index()
            daily["cum"] = daily.groupby(keys)["n"].cumsum()
            merged = q.merge(daily, on=keys, suffixes=("", "_h"))
            merged = merged[merged["day_h"] < merged["day"]]
            return merged.groupby("row")["cum"].max()  # cumulative count up to the last earlier day
        total = before(["user_id"])
        topic = before(["user_id", "topic"])
        out[total.index] = 0.0
        out[topic.index] = topic.to_numpy()
        out[total.index] /= total.to_numpy()
    return pd.Series(out, index=queries.index)


def learner_share_array(events, queries):
    return _topic_click_share_before_day(events, queries).to_numpy()


def wrong_share_leaky(events, queries):
    """Counts the clicks of the query's own day: the label leaks into the feature."""
    return _topic_click_share_before_day(events, queries.assign(day=queries["day"] + 1))


def wrong_share_zero_for_no_history(events, queries):
    return _topic_click_share_before_day(events, queries).fillna(0.0)


def wrong_share_topic_ctr(events, queries):
    """Clicks on the topic over impressions of the topic (a CTR, not a share of clicks)."""
    values = []
    for u, t, d in zip(queries["user_id"], queries["topic"], queries["day"], strict=True):
        h = events[(events["user_id"] == u) & (events["day"] < d)]
        ht = h[h["topic"] == t]
        values.append(ht["click"].astype(int).sum() / len(ht) if h["click"].astype(bool).any() and len(ht)
                      else (0.0 if h["click"].astype(bool).any() else np.nan))
    return pd.Series(values, index=queries.index, dtype=float)


def wrong_share_reset_index(events, queries):
    return _topic_click_share_before_day(events, queries).reset_index(drop=True)


def wrong_share_all_time(events, queries):
    """Uses the whole log whatever the day (a feature computed once, over everything)."""
    return _topic_click_share_before_day(events, queries.assign(day=10_000))


@pytest.mark.parametrize("fn", [learner_share_merge, learner_share_array])
def test_share_learner_solutions_pass(fn):
    report = _run("03.topic_click_share_before_day", fn)
    assert report.passed, str(report)


@pytest.mark.parametrize("fn", [wrong_share_leaky, wrong_share_zero_for_no_history, wrong_share_topic_ctr,
                                wrong_share_reset_index, wrong_share_all_time])
def test_share_wrong_solutions_fail(fn):
    report = _run("03.topic_click_share_before_day", fn)
    assert not report.passed


def test_leaky_version_fails_on_the_same_day_case():
    report = _run("03.topic_click_share_before_day", wrong_share_leaky, n_random=0)
    failed = [r.label for r in report.failures]
    assert any("same-day clicks must not count" in label for label in failed)


def test_share_reference_values():
    events = pd.DataFrame({"user_id": [1, 1, 1, 1], "day": [0, 1, 1, 2], "topic": ["a", "a", "b", "a"],
                           "click": [True, True, True, True]})
    queries = pd.DataFrame({"user_id": [1, 1, 1, 2], "topic": ["a", "a", "b", "a"], "day": [1, 2, 3, 3]},
                           index=[5, 6, 7, 8])
    out = _topic_click_share_before_day(events, queries)
    assert out.index.tolist() == [5, 6, 7, 8]
    np.testing.assert_allclose(out.to_numpy(), [1.0, 2 / 3, 1 / 4, np.nan])
