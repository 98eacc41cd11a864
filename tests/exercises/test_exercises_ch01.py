"""Chapter 01 exercises: references and honest learner solutions pass, classic mistakes fail."""

from __future__ import annotations

import math

import pytest

from companion.design import machines_needed, peak_qps, split_latency_budget, storage_per_day
from companion.exercises import check, get_exercise, list_exercises

IDS = ["01.latency_budget", "01.machines_needed", "01.peak_qps", "01.storage_per_day"]
REFERENCES = {
    "01.peak_qps": peak_qps,
    "01.storage_per_day": storage_per_day,
    "01.latency_budget": split_latency_budget,
    "01.machines_needed": machines_needed,
}


def _run(exercise_id, fn):
    return check(exercise_id, fn, verbose=False)


def test_chapter_01_exercises_registered():
    assert list_exercises("01") == IDS
    for exercise_id in IDS:
        exercise = get_exercise(exercise_id)
        assert exercise.chapter == "01"
        assert len(exercise.cases) >= 4 and exercise.generate is not None


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes_itself(exercise_id):
    report = _run(exercise_id, REFERENCES[exercise_id])
    assert report.passed, str(report)


# --------------------------------------------------------------------- plain learner solutions
def _finite_at_least(name, value, low):
    if not (math.isfinite(value) and value >= low):
        raise ValueError(f"{name} must be a finite number >= {low}; got {value}")


def learner_peak_qps(dau, requests_per_user_per_day, peak_factor):
    _finite_at_least("dau", dau, 0)
    _finite_at_least("requests_per_user_per_day", requests_per_user_per_day, 0)
    _finite_at_least("peak_factor", peak_factor, 1)
    return dau * requests_per_user_per_day / 86_400 * peak_factor


def learner_storage(dau, requests_per_user_per_day, events_per_request, bytes_per_event):
    for name, value in [("dau", dau), ("requests", requests_per_user_per_day),
                        ("events", events_per_request), ("bytes", bytes_per_event)]:
        _finite_at_least(name, value, 0)
    return float(dau * requests_per_user_per_day * events_per_request * bytes_per_event)


def learner_budget(total_ms, shares):
    if not total_ms > 0:
        raise ValueError("total_ms must be positive")
    if any(not 0 <= share <= 1 for share in shares.values()):
        raise ValueError("every share must be in [0, 1]")
    if abs(sum(shares.values()) - 1) > 1e-6:
        raise ValueError("shares must sum to 1")
    return {stage: total_ms * share for stage, share in shares.items()}


def learner_machines(
    items_per_second, model_cost_ms_per_item, *, cores_per_machine=32, utilisation_target=0.5
):
    if items_per_second < 0 or model_cost_ms_per_item <= 0 or cores_per_machine < 1:
        raise ValueError("load >= 0, model cost > 0 and at least one core")
    if not 0 < utilisation_target <= 1:
        raise ValueError("utilisation must be in (0, 1]")
    per_machine = cores_per_machine * utilisation_target * 1000 / model_cost_ms_per_item
    return math.ceil(items_per_second / per_machine)


LEARNERS = {
    "01.peak_qps": learner_peak_qps,
    "01.storage_per_day": learner_storage,
    "01.latency_budget": learner_budget,
    "01.machines_needed": learner_machines,
}


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_learner_solution_passes(exercise_id, seed):
    report = check(exercise_id, LEARNERS[exercise_id], seed=seed, verbose=False)
    assert report.passed, str(report)


# --------------------------------------------------------------------- known-wrong variants
# Each wrong solution is the learner solution with one mistake: the same validation (unless the
# mistake is in the validation) and the same formula (unless the mistake is in the formula).
def _peak(formula):
    def fn(dau, requests_per_user_per_day, peak_factor):
        learner_peak_qps(dau, requests_per_user_per_day, peak_factor)   # validation only
        return formula(dau, requests_per_user_per_day, peak_factor)

    return fn


def _storage(formula):
    def fn(dau, requests_per_user_per_day, events_per_request, bytes_per_event):
        learner_storage(dau, requests_per_user_per_day, events_per_request, bytes_per_event)
        return formula(dau, requests_per_user_per_day, events_per_request, bytes_per_event)

    return fn


def _machines(formula, *, validate=True):
    def fn(items_per_second, model_cost_ms_per_item, *, cores_per_machine=32, utilisation_target=0.5):
        if validate:
            learner_machines(items_per_second, model_cost_ms_per_item, cores_per_machine=cores_per_machine,
                             utilisation_target=utilisation_target)
        return formula(items_per_second, cores_per_machine * utilisation_target * 1000 / model_cost_ms_per_item)

    return fn


def _budget(check_shares):
    def fn(total_ms, shares):
        check_shares(total_ms, shares)
        return {stage: total_ms * share for stage, share in shares.items()}

    return fn


def _raise_if(condition, message="bad input"):
    if condition:
        raise ValueError(message)


WRONG = [
    # 01.peak_qps: skipped or partial validation
    ("01.peak_qps", lambda d, r, p: d * r / 86_400 * p, "no validation"),
    ("01.peak_qps", lambda d, r, p: _raise_if(d < 0 or p < 1) or d * r / 86_400 * p,
     "validates DAU and peak factor, not requests"),
    ("01.peak_qps", lambda d, r, p: _raise_if(d < 0 or r < 0 or p < 1) or d * r / 86_400 * p,
     "lets NaN and inf through (nan < 0 is False)"),
    ("01.peak_qps", lambda d, r, p: _raise_if(d < 0 or r < 0 or not p > 1 or not math.isfinite(d * r * p))
     or d * r / 86_400 * p, "refuses a peak factor of exactly 1"),
    # 01.peak_qps: approximate formulas, rounding, wrong units
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 1e5 * p), "a day of 1e5 s (13.6 % off)"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 86_000 * p), "a day of 86 000 s (0.5 % off)"),
    ("01.peak_qps", _peak(lambda d, r, p: float(round(d * r / 86_400 * p))), "rounded to whole QPS"),
    ("01.peak_qps", _peak(lambda d, r, p: float(d * r * p)), "forgot / 86 400"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 86_400), "forgot the peak factor"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 86_400 * p / 1000), "reports kQPS"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 3_600 * p), "divides by seconds per hour"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r / 1_440 * p), "requests per minute"),
    ("01.peak_qps", _peak(lambda d, r, p: d * r // 86_400 * p), "integer division"),
    # 01.storage_per_day
    ("01.storage_per_day", lambda d, r, e, b: float(d * r * e * b), "no validation"),
    ("01.storage_per_day", lambda d, r, e, b: _raise_if(e < 0) or float(d * r * e * b),
     "validates only events per request"),
    ("01.storage_per_day", lambda d, r, e, b: _raise_if(min(d, r, e, b) < 0) or float(d * r * e * b),
     "lets NaN through"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: d * r * e * b / 1000), "off by 1000 (KB)"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: d * r * e * b / 1000 * 1024),
     "mixes KB and KiB (2.4 % off)"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: 8.0 * d * r * e * b), "bits, not bytes"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: float(d * r * b)), "forgot events per request"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: d * r * e * b / 86_400), "bytes per second"),
    ("01.storage_per_day", _storage(lambda d, r, e, b: int(d * r * e * b)), "returns an int"),
    # 01.latency_budget: validation and tolerance
    ("01.latency_budget", lambda t, s: {k: t * v for k, v in s.items()}, "no validation at all"),
    ("01.latency_budget", _budget(lambda t, s: _raise_if(abs(sum(s.values()) - 1) > 1e-6)),
     "checks the sum only (not the share range, not the target)"),
    ("01.latency_budget", _budget(lambda t, s: _raise_if(
        t <= 0 or min(s.values()) < 0 or max(s.values()) > 1 or abs(sum(s.values()) - 1) > 0.01)),
     "loose tolerance (1e-2)"),
    ("01.latency_budget", _budget(lambda t, s: _raise_if(
        t <= 0 or min(s.values()) < 0 or max(s.values()) > 1 or sum(s.values()) != 1)),
     "exact equality with 1 (float rounding raises)"),
    ("01.latency_budget", _budget(lambda t, s: _raise_if(
        t <= 0 or min(s.values()) < 0 or max(s.values()) > 1 or abs(sum(s.values()) - 1) > 1e-12)),
     "tighter than the stated 1e-6"),
    ("01.latency_budget", lambda t, s: learner_budget(t, s) | {"total": t}, "extra key"),
    ("01.latency_budget", lambda t, s: {k: v / 1000 for k, v in learner_budget(t, s).items()},
     "seconds, not milliseconds"),
    # 01.machines_needed
    ("01.machines_needed", _machines(lambda x, per: math.ceil(x / per), validate=False), "no validation"),
    ("01.machines_needed",
     lambda x, c, *, cores_per_machine=32, utilisation_target=0.5: _raise_if(not 0 < utilisation_target <= 1)
     or math.ceil(x / (cores_per_machine * utilisation_target * 1000 / c)),
     "validates only the utilisation"),
    ("01.machines_needed",
     lambda x, c, *, cores_per_machine=32, utilisation_target=0.5: _raise_if(
         x < 0 or c <= 0 or cores_per_machine < 1 or not 0 < utilisation_target < 1)
     or math.ceil(x / (cores_per_machine * utilisation_target * 1000 / c)),
     "refuses a utilisation of exactly 1"),
    ("01.machines_needed", _machines(lambda x, per: int(x / per) + 1), "int(x) + 1 as rounding up"),
    ("01.machines_needed", _machines(lambda x, per: math.ceil(x / per - 0.05)), "loose ceiling (forgives 0.05)"),
    ("01.machines_needed", _machines(lambda x, per: round(x / per)), "rounds to nearest"),
    ("01.machines_needed", _machines(lambda x, per: int(x / per)), "rounds down"),
    ("01.machines_needed", _machines(lambda x, per: math.ceil(x / (per * 1.024))), "1024 ms per second"),
    ("01.machines_needed", _machines(lambda x, per: math.ceil(x / (per / 1000))), "model cost in seconds"),
    ("01.machines_needed", _machines(lambda x, per: float(math.ceil(x / per))), "returns a float"),
]


@pytest.mark.parametrize(("exercise_id", "fn", "mistake"), WRONG, ids=[w[2] for w in WRONG])
def test_known_wrong_variants_fail(exercise_id, fn, mistake):
    report = _run(exercise_id, fn)
    assert not report.passed, f"{exercise_id}: the mistake '{mistake}' was not caught"
    assert report.failures


@pytest.mark.parametrize(("exercise_id", "fn", "mistake"), WRONG, ids=[w[2] for w in WRONG])
def test_known_wrong_variants_fail_on_reference_cases_alone(exercise_id, fn, mistake):
    """Every mistake is caught by a named reference case, not only by luck in the random draws."""
    report = check(exercise_id, fn, n_random=0, verbose=False)
    assert not report.passed, f"{exercise_id}: no reference case catches '{mistake}'"


@pytest.mark.parametrize(("exercise_id", "note"), [
    ("01.peak_qps", "NaN DAU must raise ValueError (nan < 0 is False)"),
    ("01.latency_budget", "shares sum to 1.0001, outside 1e-6: raise ValueError (a loose tolerance misses it)"),
    ("01.latency_budget", "0.6 + 0.3 + 0.1 is 0.9999999999999999 in floats: no error (so no `== 1` test)"),
    ("01.machines_needed", "exactly 10 machines' worth: 10, not 11 (int(x) + 1 is not rounding up)"),
])
def test_reference_cases_exist(exercise_id, note):
    assert note in [c.note for c in get_exercise(exercise_id).cases]


def test_float_rounding_case_really_does_not_sum_to_one():
    case = next(c for c in get_exercise("01.latency_budget").cases if c.note.startswith("0.6 + 0.3 + 0.1"))
    assert sum(case.args[1].values()) != 1.0
    assert abs(sum(case.args[1].values()) - 1.0) < 1e-15
