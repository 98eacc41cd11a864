"""Tests for companion.design: hand-computed values, properties and validation errors."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import companion.design as design
from companion.design import (
    DEFAULT_LATENCY_SHARES,
    SECONDS_PER_DAY,
    CapacityEstimate,
    average_qps,
    estimate_capacity,
    feature_bytes_per_item,
    human_bytes,
    human_count,
    items_per_second_per_machine,
    items_scored_per_second,
    machines_needed,
    peak_qps,
    requests_per_day,
    split_latency_budget,
    storage_for_retention,
    storage_per_day,
)

SCENARIO = dict(
    dau=100e6,
    requests_per_user_per_day=10,
    peak_factor=3,
    candidates_per_request=500,
    features_per_candidate=200,
    bytes_per_feature=4,
    model_cost_ms_per_item=0.05,
    bytes_per_logged_event=500,
    latency_target_ms=200,
)


# ---------------------------------------------------------------- hand-computed values
def test_average_and_peak_qps_match_hand_calculation():
    assert SECONDS_PER_DAY == 24 * 60 * 60
    assert requests_per_day(100e6, 10) == 1e9
    assert average_qps(100e6, 10) == pytest.approx(11_574.07, abs=0.01)
    assert peak_qps(100e6, 10, 3) == pytest.approx(34_722.22, abs=0.01)
    assert isinstance(peak_qps(100, 1, 1), float)


def test_items_scored_and_machines():
    items = items_scored_per_second(peak_qps(100e6, 10, 3), 500)
    assert items == pytest.approx(17_361_111.1, abs=0.1)
    assert items_per_second_per_machine(0.05, cores_per_machine=32, utilisation_target=0.5) == 320_000
    assert machines_needed(items, 0.05, cores_per_machine=32, utilisation_target=0.5) == 55  # 54.25 -> 55
    # exact multiples do not round up on float noise
    assert machines_needed(3 * 320_000, 0.05) == 3
    assert machines_needed(0, 0.05) == 0
    assert isinstance(machines_needed(1.0, 1.0), int)


def test_storage_values():
    assert storage_per_day(100e6, 10, 10, 500) == 5e12
    assert feature_bytes_per_item(200, 4) == 800
    assert storage_per_day(100e6, 10, 10, feature_bytes_per_item(200, 4)) == 8e12
    assert storage_for_retention(13e12, 90) == pytest.approx(1.17e15)


def test_split_latency_budget_default_and_custom():
    budget = split_latency_budget(200)
    assert list(budget) == list(DEFAULT_LATENCY_SHARES)
    assert budget == pytest.approx(
        {"network_overhead": 30, "candidate_generation": 40, "feature_fetch": 40,
         "ranking": 70, "reranking_filters": 20}
    )
    assert split_latency_budget(100, {"a": 0.25, "b": 0.75}) == {"a": 25.0, "b": 75.0}


def test_human_formatters():
    assert human_count(34_722.2) == "34.7 K"
    assert human_count(1_234_567) == "1.2 M"
    assert human_count(1e9) == "1.0 B"
    assert human_count(42) == "42"
    assert human_count(0) == "0"
    assert human_count(999.96) == "1.0 K"  # no "1000.0"
    assert human_bytes(3.4e12) == "3.4 TB"
    assert human_bytes(512) == "512 B"
    assert human_bytes(1.17e15) == "1.2 PB"
    assert human_bytes(1.5e3, decimals=2) == "1.50 KB"


def test_estimate_capacity_scenario():
    est = estimate_capacity(**SCENARIO)
    assert isinstance(est, CapacityEstimate)
    assert est.avg_qps == pytest.approx(1e9 / 86_400)
    assert est.peak_qps == pytest.approx(3e9 / 86_400)
    assert est.items_scored_per_second_peak == pytest.approx(1.5e12 / 86_400)
    assert est.feature_fetch_bytes_per_second_peak == pytest.approx(1.5e12 / 86_400 * 800)
    assert est.log_storage_bytes_per_day == 5e12
    assert est.feature_storage_bytes_per_day == 8e12
    assert est.storage_bytes_per_day == 13e12
    assert est.storage_bytes_per_retention == pytest.approx(13e12 * 90)
    assert sum(est.latency_budget_ms.values()) == pytest.approx(200)
    assert est.ranking_cpu_ms_per_request == pytest.approx(25)
    assert est.ranking_machines == 55


def test_estimate_is_frozen_and_exports():
    est = estimate_capacity(**SCENARIO)
    with pytest.raises(AttributeError):
        est.dau = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        est.latency_budget_ms["ranking"] = 1.0  # type: ignore[index]
    hash(est)
    d = est.as_dict()
    assert d["ranking_machines"] == 55 and isinstance(d["latency_budget_ms"], dict)
    frame = est.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["value", "unit", "readable"]
    assert frame.loc["peak_qps", "readable"] == "34.7 K QPS"
    assert frame.loc["storage_bytes_per_day", "readable"] == "13.0 TB/day"
    assert frame.loc["latency_budget_ms.ranking", "value"] == pytest.approx(70)
    text = est.summary()
    for needle in ("34.7 K QPS peak", "11.6 K QPS average", "13.0 TB/day", "1.2 PB", "55 ranking machines"):
        assert needle in text
    assert str(est) == text


def test_summary_flags_ranking_over_budget():
    est = estimate_capacity(**{**SCENARIO, "model_cost_ms_per_item": 1.0})  # 500 ms per request
    assert "EXCEEDS" in est.summary()


def test_all_exports_documented_with_chapter():
    for name in design.__all__:
        obj = getattr(design, name)
        if callable(obj) and not isinstance(obj, type):
            assert "Taught in chapter 01" in (obj.__doc__ or ""), name
            assert "Parameters" in obj.__doc__ and "Returns" in obj.__doc__, name


# ---------------------------------------------------------------- properties
# Derandomised (fixed seed) and without the example database: the run is reproducible and writes no files.
DETERMINISTIC = settings(derandomize=True, database=None, max_examples=100)
positive = st.floats(min_value=1.0, max_value=1e9, allow_nan=False)


@DETERMINISTIC
@given(dau=positive, extra=positive, rpu=st.floats(0.1, 100), pf=st.floats(1.0, 10.0))
def test_peak_qps_monotonic_in_dau(dau, extra, rpu, pf):
    assert peak_qps(dau + extra, rpu, pf) >= peak_qps(dau, rpu, pf)
    assert peak_qps(dau, rpu, pf) >= average_qps(dau, rpu)


@DETERMINISTIC
@given(dau=positive, extra=positive, cost=st.floats(0.001, 10.0))
def test_machines_monotonic_in_dau(dau, extra, cost):
    small = estimate_capacity(**{**SCENARIO, "dau": dau, "model_cost_ms_per_item": cost})
    large = estimate_capacity(**{**SCENARIO, "dau": dau + extra, "model_cost_ms_per_item": cost})
    assert large.ranking_machines >= small.ranking_machines
    assert large.storage_bytes_per_day >= small.storage_bytes_per_day


@DETERMINISTIC
@given(
    total=st.floats(1.0, 10_000.0),
    weights=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8).filter(lambda w: sum(w) > 1e-3),
)
def test_latency_budget_sums_to_total(total, weights):
    shares = {f"stage_{i}": w / math.fsum(weights) for i, w in enumerate(weights)}
    budget = split_latency_budget(total, shares)
    assert list(budget) == list(shares)
    assert math.fsum(budget.values()) == pytest.approx(total, rel=1e-9)
    assert all(ms >= 0 for ms in budget.values())


@DETERMINISTIC
@given(
    load=st.floats(0, 1e9), cost=st.floats(0.001, 10.0), cores=st.integers(1, 128), util=st.floats(0.05, 1.0)
)
def test_machines_cover_the_load(load, cost, cores, util):
    n = machines_needed(load, cost, cores_per_machine=cores, utilisation_target=util)
    per_machine = items_per_second_per_machine(cost, cores_per_machine=cores, utilisation_target=util)
    assert n * per_machine >= load * (1 - 1e-9)
    assert n == 0 or (n - 1) * per_machine < load


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: peak_qps(-1, 10, 3), ValueError, r"`dau` must be >= 0; got -1"),
        (lambda: peak_qps(100, -1, 3), ValueError, r"`requests_per_user_per_day` must be >= 0"),
        (lambda: peak_qps(100, 10, 0), ValueError, r"`peak_factor` must be >= 1; got 0.0.*peak traffic"),
        (lambda: peak_qps(100, 10, 0.5), ValueError, r"`peak_factor` must be >= 1"),
        (lambda: peak_qps("100", 10, 3), TypeError, r"`dau` must be a real number; got str"),
        (lambda: peak_qps(100, None, 3), TypeError, r"`requests_per_user_per_day` must be a real number"),
        (lambda: peak_qps(True, 10, 3), TypeError, r"`dau` must be a real number; got bool"),
        (lambda: peak_qps(float("nan"), 10, 3), ValueError, r"`dau` must be finite"),
        (lambda: average_qps(100, "ten"), TypeError, r"`requests_per_user_per_day` must be a real number"),
        (lambda: items_scored_per_second(-5, 10), ValueError, r"`qps` must be >= 0"),
        (lambda: items_scored_per_second(5, -10), ValueError, r"`candidates_per_request` must be >= 0"),
        (lambda: storage_per_day(100, 10, -1, 5), ValueError, r"`events_per_request` must be >= 0"),
        (lambda: storage_per_day(100, 10, 1, "5B"), TypeError, r"`bytes_per_event` must be a real number"),
        (lambda: feature_bytes_per_item(-1, 4), ValueError, r"`features_per_item` must be >= 0"),
        (lambda: feature_bytes_per_item(1, -4), ValueError, r"`bytes_per_feature` must be >= 0"),
        (lambda: storage_for_retention(-1, 90), ValueError, r"`bytes_per_day` must be >= 0"),
        (lambda: storage_for_retention(1, -90), ValueError, r"`retention_days` must be >= 0"),
        (lambda: split_latency_budget(0), ValueError, r"`total_ms` must be greater than 0"),
        (lambda: split_latency_budget("200"), TypeError, r"`total_ms` must be a real number"),
        (lambda: split_latency_budget(200, {"a": 0.5, "b": 0.4}), ValueError,
         r"`shares` must sum to 1.*got a sum of 0.9"),
        (lambda: split_latency_budget(200, {"a": 1.5, "b": -0.5}), ValueError,
         r"`shares\['a'\]` must be <= 1"),
        (lambda: split_latency_budget(200, {"a": -0.5, "b": 1.5}), ValueError,
         r"`shares\['a'\]` must be >= 0"),
        (lambda: split_latency_budget(200, {"a": "1"}), TypeError, r"`shares\['a'\]` must be a real number"),
        (lambda: split_latency_budget(200, {1: 1.0}), TypeError, r"`shares key` must be str"),
        (lambda: split_latency_budget(200, {}), ValueError, r"`shares` must name at least one stage"),
        (lambda: split_latency_budget(200, [("a", 1.0)]), TypeError, r"`shares` must be Mapping; got list"),
        (lambda: machines_needed(-1, 0.05), ValueError, r"`items_per_second` must be >= 0"),
        (lambda: machines_needed(1, 0), ValueError, r"`model_cost_ms_per_item` must be greater than 0"),
        (lambda: machines_needed(1, 0.05, cores_per_machine=0), ValueError,
         r"`cores_per_machine` must be >= 1"),
        (lambda: machines_needed(1, 0.05, cores_per_machine=2.5), TypeError,
         r"`cores_per_machine` must be an integer; got float"),
        (lambda: machines_needed(1, 0.05, utilisation_target=0), ValueError,
         r"`utilisation_target` must be greater than 0"),
        (lambda: machines_needed(1, 0.05, utilisation_target=1.5), ValueError,
         r"`utilisation_target` must be <= 1.*fraction of each core"),
        (lambda: human_count(-1), ValueError, r"`value` must be >= 0"),
        (lambda: human_bytes("1 TB"), TypeError, r"`value` must be a real number"),
        (lambda: human_bytes(1, decimals=-1), ValueError, r"`decimals` must be >= 0"),
    ],
)
def test_validation_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    ("override", "error", "match"),
    [
        ({"dau": -100}, ValueError, r"`dau` must be >= 0; got -100"),
        ({"dau": "100M"}, TypeError, r"`dau` must be a real number; got str '100M'"),
        ({"peak_factor": 0}, ValueError, r"`peak_factor` must be >= 1; got 0"),
        ({"peak_factor": 0.9}, ValueError, r"`peak_factor` must be >= 1; got 0.9"),
        ({"candidates_per_request": -1}, ValueError, r"`candidates_per_request` must be >= 0"),
        ({"impressions_per_request": -1}, ValueError, r"`impressions_per_request` must be >= 0"),
        ({"features_per_candidate": -1}, ValueError, r"`features_per_candidate` must be >= 0"),
        ({"bytes_per_feature": None}, TypeError, r"`bytes_per_feature` must be a real number; got NoneType"),
        ({"bytes_per_logged_event": -1}, ValueError, r"`bytes_per_logged_event` must be >= 0"),
        ({"model_cost_ms_per_item": 0}, ValueError, r"`model_cost_ms_per_item` must be greater than 0"),
        ({"latency_target_ms": -200}, ValueError, r"`latency_target_ms` must be greater than 0"),
        ({"retention_days": -1}, ValueError, r"`retention_days` must be >= 0"),
        ({"cores_per_machine": 0}, ValueError, r"`cores_per_machine` must be >= 1"),
        ({"utilisation_target": 2}, ValueError, r"`utilisation_target` must be <= 1"),
        ({"latency_shares": {"ranking": 0.5}}, ValueError, r"`shares` must sum to 1"),
    ],
)
def test_estimate_capacity_validation(override, error, match):
    with pytest.raises(error, match=match):
        estimate_capacity(**{**SCENARIO, **override})


def test_estimate_capacity_is_keyword_only():
    with pytest.raises(TypeError):
        estimate_capacity(100e6, 10, 3)  # type: ignore[misc]
