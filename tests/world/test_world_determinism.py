"""One seed, one world: generation is deterministic, and its random streams are independent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from companion.world import PopularityPolicy, make_world
from companion.world.simulator import EVENT_COLUMNS


def assert_same_truth(a, b) -> None:
    arrays_a, arrays_b = a.arrays(), b.arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for name in arrays_a:
        assert arrays_a[name].dtype == arrays_b[name].dtype, name
        np.testing.assert_array_equal(arrays_a[name], arrays_b[name], err_msg=name)


def test_same_seed_gives_identical_world(tiny_world):
    again = make_world("tiny", seed=0)
    assert again.seed == tiny_world.seed == 0
    assert again.config == tiny_world.config
    for name, table in tiny_world.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table, check_exact=True, obj=name)
    assert_same_truth(again.truth, tiny_world.truth)
    assert repr(again) == repr(tiny_world)


def test_different_seed_gives_different_world(tiny_world):
    other = make_world("tiny", seed=1)
    for name in ("users", "items", "events"):
        assert not other.tables[name].equals(tiny_world.tables[name]), name
    assert not np.array_equal(other.truth.taste, tiny_world.truth.taste)
    assert not np.array_equal(other.truth.quality, tiny_world.truth.quality)
    # Shape and schema do not depend on the seed.
    for name, table in tiny_world.tables.items():
        assert list(other.tables[name].columns) == list(table.columns)
        assert (other.tables[name].dtypes == table.dtypes).all(), name
    pd.testing.assert_frame_equal(other.topics, tiny_world.topics)


def test_changing_n_days_keeps_the_users(tiny_world):
    longer = make_world("tiny", seed=0, n_days=20)
    assert longer.config.n_days == 20 and len(longer.users) == len(tiny_world.users)
    # Users come from their own SeedSequence stream: their attributes and latent taste do not depend on
    # the horizon...
    for col in ("user_id", "country", "language", "age_bucket", "device"):
        pd.testing.assert_series_equal(longer.users[col], tiny_world.users[col], obj=col)
    for name in ("taste", "activity", "user_age_axis", "user_country", "user_cohort"):
        np.testing.assert_array_equal(getattr(longer.truth, name), getattr(tiny_world.truth, name),
                                      err_msg=name)
    # ...except the signup day of users who arrive during the horizon (drawn uniformly over it, so a
    # longer horizon spreads them over more days). Users present on day 0 and the cohort keep theirs.
    a, b = tiny_world.users["signup_day"].to_numpy(), longer.users["signup_day"].to_numpy()
    kept = (a <= 0) | tiny_world.truth.user_cohort
    np.testing.assert_array_equal(a[kept], b[kept])
    assert ((b[~kept] >= 1) & (b[~kept] < 20)).all()
    # The behaviour stream is independent too: day 0's request schedule and the logging policy's slates
    # (no history yet, so they depend on its random stream only) are the same. Outcomes are not: the
    # items' own draws (topics, durations, quality) depend on the horizon through their upload days.
    cols = ["request_id", "day", "ts", "user_id", "item_id", "position", "explore"]
    day0 = tiny_world.events.loc[tiny_world.events["day"] == 0, cols].reset_index(drop=True)
    day0_longer = longer.events.loc[longer.events["day"] == 0, cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(day0, day0_longer)


def test_overrides_only_change_what_they_name(tiny_world):
    w = make_world("tiny", seed=0, explore_share=0.5)
    assert w.config.explore_share == 0.5
    assert w.config.name == "tiny*"
    pd.testing.assert_frame_equal(w.users, tiny_world.users)
    pd.testing.assert_frame_equal(w.items, tiny_world.items)
    assert_same_truth(w.truth, tiny_world.truth)
    # Roughly half the requests are now in the explore bucket (tiny has ~2k requests; 0.5 +- 0.05).
    share = w.events.drop_duplicates("request_id")["explore"].mean()
    assert abs(share - 0.5) < 0.05, share


def test_logs_are_the_logging_policy_run_plus_retried_rows(tiny_world):
    """The events are the simulator's run of the logging policy on the behaviour stream, some rows twice.

    make_world spawns four streams from the seed (users, items, behaviour, logging; see its docstring):
    re-running the logging policy on the third reproduces the logs exactly once the duplicated rows
    (client retries, drawn from the fourth) are dropped, and each duplicate sits right after its original.
    """
    behaviour = np.random.SeedSequence(tiny_world.seed).spawn(4)[2]
    policy = PopularityPolicy(explore_share=tiny_world.config.explore_share)
    run = tiny_world.simulator().run(policy, seed=behaviour)
    logged = tiny_world.events
    pd.testing.assert_frame_equal(logged.drop_duplicates().reset_index(drop=True),
                                  run.events[list(EVENT_COLUMNS)], check_exact=True)
    dup = logged.duplicated().to_numpy()
    assert 0 < dup.sum() == len(logged) - len(run.events)
    np.testing.assert_array_equal(logged.shift(1)[dup].to_numpy(), logged[dup].to_numpy())
