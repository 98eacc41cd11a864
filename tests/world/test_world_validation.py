"""House rule: public entry points refuse bad arguments with an error that names the parameter."""

from __future__ import annotations

import numpy as np
import pytest

from companion.world import (
    EngagementParams,
    PopularityPolicy,
    SeenSet,
    TopicProfilePolicy,
    TreatedPolicy,
    WorldConfig,
    make_world,
    treatment_family,
    true_effect,
    world_config,
)


# ------------------------------------------------------------------ sizes, seeds, overrides
def test_unknown_size():
    with pytest.raises(ValueError, match=r"`size` must be one of 'tiny', 'small', 'medium', 'large'; got 'huge'"):
        make_world("huge", seed=0)
    with pytest.raises(TypeError, match=r"`size` must be one of .* or a WorldConfig; got int 3"):
        world_config(3)


def test_negative_seed():
    with pytest.raises(ValueError, match=r"`seed` must be >= 0; got -1"):
        make_world("tiny", seed=-1)


@pytest.mark.parametrize(("seed", "shown"), [(1.5, "float 1.5"), (True, "bool True"), ("0", "str '0'"),
                                             (None, "NoneType None")])
def test_non_int_seed(seed, shown):
    with pytest.raises(TypeError, match=rf"`seed` must be an integer; got {shown}"):
        make_world("tiny", seed=seed)


def test_seed_is_keyword_only_and_required():
    with pytest.raises(TypeError):
        make_world("tiny", 0)
    with pytest.raises(TypeError):
        make_world("tiny")


def test_numpy_integer_seed_is_accepted(tiny_world):
    assert make_world("tiny", seed=np.int64(0)).seed == 0


def test_unknown_override():
    with pytest.raises(TypeError, match=r"unknown world setting\(s\) \['n_user'\]; valid settings .*n_users"):
        make_world("tiny", seed=0, n_user=10)


@pytest.mark.parametrize(("override", "match"), [
    ({"n_users": 0}, r"`n_users` must be >= 10; got 0"),
    ({"n_items": 10}, r"`n_items` must be >= 40; got 10"),
    ({"n_days": 3}, r"`n_days` must be >= 4; got 3"),
    ({"surge_day": 14}, r"`surge_day` must be <= 13; got 14"),  # tiny has 14 days: surge_day in [1, 13]
    ({"surge_day": 0}, r"`surge_day` must be >= 1; got 0"),
    ({"cohort_day": 99}, r"`cohort_day` must be <= 13; got 99"),
    ({"surge_topic": 20}, r"`surge_topic` must be <= 19; got 20"),
    ({"explore_share": 1.5}, r"`explore_share` must be <= 1.0; got 1.5"),
    ({"explore_share": -0.1}, r"`explore_share` must be >= 0.0; got -0.1"),
    ({"explore_share": float("nan")}, r"`explore_share` must be finite"),
    ({"requests_per_active_day": 0}, r"`requests_per_active_day` must be greater than 0"),
    ({"cohort_share": 0.9}, r"`cohort_share` must be <= 0.5; got 0.9"),
    ({"n_topics": 21}, r"`n_topics` must be <= 20; got 21"),
])
def test_invalid_config_values(override, match):
    with pytest.raises(ValueError, match=match):
        world_config("tiny", **override)
    with pytest.raises(ValueError, match=match):
        make_world("tiny", seed=0, **override)


@pytest.mark.parametrize(("override", "match"), [
    ({"n_users": 10.0}, r"`n_users` must be an integer; got float 10.0"),
    ({"n_days": True}, r"`n_days` must be an integer; got bool True"),
    ({"explore_share": "0.1"}, r"`explore_share` must be a real number; got str '0.1'"),
])
def test_invalid_config_types(override, match):
    with pytest.raises(TypeError, match=match):
        world_config("tiny", **override)


def test_surge_day_beyond_a_shortened_horizon():
    # Shrinking the horizon below a size's planted days is refused, naming the day that no longer fits.
    with pytest.raises(ValueError, match=r"`surge_day` must be <= 7; got 9"):
        world_config("tiny", n_days=8)


def test_config_round_trip_and_overrides():
    cfg = world_config("tiny", n_days=20)
    assert cfg.n_days == 20 and cfg.name == "tiny*"
    assert world_config("tiny", name="mine").name == "mine"
    assert world_config(cfg) is cfg
    assert WorldConfig.from_dict(cfg.to_dict()) == cfg
    assert world_config("tiny") is world_config("tiny")  # no overrides: the shared preset itself


def test_non_int_slate_size_names_the_parameter():
    with pytest.raises(TypeError) as info:
        world_config("tiny", slate_size="10")
    assert "slate_size" in str(info.value), str(info.value)


def test_engagement_must_be_engagement_params():
    with pytest.raises(TypeError, match="engagement"):
        world_config("tiny", engagement={"surge": 1.0})


def test_engagement_params_override_is_used():
    cfg = world_config("tiny", engagement=EngagementParams(surge=0.0))
    assert cfg.engagement.surge == 0.0


# ------------------------------------------------------------------ truth methods
def test_truth_rejects_out_of_range_ids(tiny_world):
    truth = tiny_world.truth
    with pytest.raises(ValueError, match=r"`user_ids` must lie in \[0, 300\); got values in \[0, 300\]"):
        truth.attractiveness([0, 300], [0, 1], 0)
    with pytest.raises(ValueError, match=r"`user_ids` must lie in \[0, 300\); got values in \[-1, -1\]"):
        truth.logit_components([-1], [0], 0)
    with pytest.raises(ValueError, match=r"`item_ids` must lie in \[0, 400\)"):
        truth.attractiveness([0], [400], 0)
    with pytest.raises(TypeError, match=r"`user_ids` must hold integer"):
        truth.attractiveness([0.5], [0], 0)
    with pytest.raises(TypeError, match=r"`day` must hold integer"):
        truth.attractiveness([0], [0], 1.5)
    with pytest.raises(ValueError, match=r"`user_ids`, `item_ids` and `day` must broadcast together"):
        truth.attractiveness([0, 1], [0, 1, 2], 0)


def test_truth_rejects_out_of_range_positions(tiny_world):
    truth = tiny_world.truth
    with pytest.raises(ValueError, match=r"`position` must lie in \[0, 10\); got values in \[0, 10\]"):
        truth.click_probability([0, 0], [0, 1], 0, [0, 10])
    with pytest.raises(ValueError, match=r"`position` must lie in \[0, 10\); got values in \[-1, -1\]"):
        truth.click_probability([0], [0], 0, [-1])
    with pytest.raises(TypeError, match=r"`position` must hold integer"):
        truth.click_probability([0], [0], 0, [0.5])


def test_click_probability_position_shape_names_the_parameter(tiny_world):
    with pytest.raises(ValueError, match="position"):
        tiny_world.truth.click_probability([0, 1], [0, 1], 0, [0, 1, 2])


def test_best_items_validation(tiny_world):
    truth = tiny_world.truth
    with pytest.raises(ValueError, match=r"`user_id` must be <= 299; got 300"):
        truth.best_items(300, 0, np.arange(10))
    with pytest.raises(TypeError, match=r"`user_id` must be an integer"):
        truth.best_items(1.0, 0, np.arange(10))
    with pytest.raises(ValueError, match=r"`k` must be >= 1; got 0"):
        truth.best_items(0, 0, np.arange(10), k=0)
    with pytest.raises(ValueError, match=r"`candidates` must be 1-dimensional"):
        truth.best_items(0, 0, np.arange(10).reshape(2, 5))
    with pytest.raises(ValueError, match=r"`item_ids` must lie in \[0, 400\)"):
        truth.best_items(0, 0, np.array([399, 400]))


# ------------------------------------------------------------------ simulator
@pytest.mark.parametrize("days", [range(10, 20), range(-1, 3), range(0, 15)])
def test_run_days_outside_the_horizon(tiny_world, days):
    with pytest.raises(ValueError, match=r"`days` must be a non-empty range with step 1 inside \[0, 14\)"):
        tiny_world.simulator().run(PopularityPolicy(), seed=0, days=days)


@pytest.mark.parametrize("days", [range(5, 5), range(5, 3), range(0, 4, 2)])
def test_run_days_empty_or_strided(tiny_world, days):
    with pytest.raises(ValueError, match=r"`days` must be a non-empty range with step 1"):
        tiny_world.simulator().run(PopularityPolicy(), seed=0, days=days)


def test_run_days_must_be_a_range(tiny_world):
    with pytest.raises(TypeError, match=r"`days` must be range; got list"):
        tiny_world.simulator().run(PopularityPolicy(), seed=0, days=[1, 2])


def test_run_policy_must_be_a_policy(tiny_world):
    with pytest.raises(TypeError, match=r"`policy` must be Policy; got str 'popularity'.*Subclass"):
        tiny_world.simulator().run("popularity", seed=0, days=range(0, 1))
    with pytest.raises(TypeError, match=r"`policy` must be Policy; got type"):
        tiny_world.simulator().run(PopularityPolicy, seed=0, days=range(0, 1))  # the class, not an instance


@pytest.mark.parametrize(("seed", "error", "match"), [
    (-1, ValueError, r"`seed` must be >= 0"),
    (True, TypeError, r"`seed` must be an integer; got bool"),
    (None, TypeError, r"`seed` must be an integer; got NoneType"),
])
def test_run_seed(tiny_world, seed, error, match):
    with pytest.raises(error, match=match):
        tiny_world.simulator().run(PopularityPolicy(), seed=seed, days=range(0, 1))


def test_policy_parameters_are_validated():
    with pytest.raises(ValueError, match=r"`window_days` must be >= 1; got 0"):
        PopularityPolicy(window_days=0)
    with pytest.raises(ValueError, match=r"`explore_share` must be <= 1.0; got 2.0"):
        PopularityPolicy(explore_share=2.0)
    with pytest.raises(TypeError, match=r"`realtime` must be True or False; got int 1"):
        TopicProfilePolicy(realtime=1)
    with pytest.raises(ValueError, match=r"`smoothing` must be greater than 0"):
        TopicProfilePolicy(smoothing=0.0)


def test_simulator_requires_a_truth(tiny_world):
    from companion.world import Simulator

    with pytest.raises(TypeError, match=r"`truth` must be Truth; got World"):
        Simulator(tiny_world, tiny_world.users, tiny_world.items)


# ------------------------------------------------------------------ World v2: memory, treatments, experiments
def test_history_must_precede_the_simulated_days(tiny_world):
    with pytest.raises(ValueError, match=r"`history` must hold only days before the first simulated day 3; it has "
                                         r"day 13"):
        tiny_world.simulator().run(PopularityPolicy(), seed=0, days=range(3, 5), history=tiny_world.events)


def test_run_experiment_validation(tiny_world):
    sim = tiny_world.simulator()
    with pytest.raises(ValueError, match=r"`arms` must hold at least two policies; got 1"):
        sim.run_experiment({"a": PopularityPolicy()}, seed=0)
    shared = PopularityPolicy()
    with pytest.raises(ValueError, match=r"`arms` must hold a separate policy object per arm"):
        sim.run_experiment({"a": shared, "b": shared}, seed=0)
    with pytest.raises(ValueError, match=r"`shares` must be positive and sum to 1; got \[0.5, 0.6\]"):
        sim.run_experiment({"a": PopularityPolicy(), "b": PopularityPolicy()}, seed=0, shares=[0.5, 0.6])
    with pytest.raises(TypeError, match=r"`arms` must be Mapping; got list"):
        sim.run_experiment([PopularityPolicy(), PopularityPolicy()], seed=0)


def test_treatment_validation(tiny_world):
    with pytest.raises(TypeError, match=r"`lift` must be a real number; got str '1'"):
        TreatedPolicy(PopularityPolicy(), lift="1")
    with pytest.raises(ValueError, match=r"`lift` must be <= 5.0; got 9.0"):
        TreatedPolicy(PopularityPolicy(), lift=9.0)
    with pytest.raises(TypeError, match=r"`base` must be Policy; got str 'pop'"):
        TreatedPolicy("pop", lift=0.1)
    with pytest.raises(ValueError, match=r"`novelty_days` must be greater than 0"):
        TreatedPolicy(PopularityPolicy(), lift=0.1, novelty_days=0)
    with pytest.raises(TypeError, match=r"`base` must be a callable that returns a Policy; got int"):
        treatment_family(base=3)
    with pytest.raises(TypeError, match=r"`base\(\)` must be Policy; got int 3"):
        treatment_family(base=lambda: 3)
    pop = PopularityPolicy()
    with pytest.raises(ValueError, match=r"`metric` must be one of 'expected_clicks', .*; got 'ctr'"):
        true_effect(tiny_world, pop, PopularityPolicy(), seed=0, metric="ctr")
    with pytest.raises(TypeError, match=r"`world` must be World; got DataFrame"):
        true_effect(tiny_world.events, pop, PopularityPolicy(), seed=0)
    with pytest.raises(TypeError, match=r"`by_day` must be True or False; got int 1"):
        true_effect(tiny_world, pop, PopularityPolicy(), seed=0, by_day=1)
    with pytest.raises(ValueError, match=r"`metric` 'return_rate' is a whole-period metric"):
        true_effect(tiny_world, pop, PopularityPolicy(), seed=0, by_day=True, metric="return_rate",
                    days=range(0, 1))


def test_truth_v2_methods_validation(tiny_world):
    truth = tiny_world.truth
    with pytest.raises(ValueError, match=r"`k` must be <= 10; got 11"):
        truth.top_items([0, 1], np.arange(10), 3, k=11)
    with pytest.raises(ValueError, match=r"`candidates` must not be empty"):
        truth.top_items([0, 1], np.array([], dtype=int), 3, k=1)
    with pytest.raises(TypeError, match=r"`seen` must hold boolean values; got dtype int64"):
        truth.dynamic_logit([1], [False], [0])
    with pytest.raises(ValueError, match=r"`history` is missing column\(s\) \['click'\]"):
        truth.memory(tiny_world.events[["user_id", "item_id"]])
    with pytest.raises(TypeError, match=r"`filter_seen` must be True or False; got int 1"):
        PopularityPolicy(filter_seen=1)
    with pytest.raises(ValueError, match=r"`n_users` must be >= 1; got 0"):
        SeenSet(0, 3)
    with pytest.raises(ValueError, match=r"`items` must lie in \[0, 3\); got values in \[3, 3\]"):
        SeenSet(2, 3).add([0], [3])
