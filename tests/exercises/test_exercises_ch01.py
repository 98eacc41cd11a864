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
def learner_peak_qps(dau, requests_per_user_per_day, peak_factor):
    if dau < 0 or requests_per_user_per_day < 0 or peak_factor < 1:
        raise ValueError("bad input")
    return dau * requests_per_user_per_day / 86_400 * peak_factor


def learner_storage(dau, requests_per_user_per_day, events_per_request, bytes_per_event):
    if min(dau, requests_per_user_per_day, events_per_request, bytes_per_event) < 0:
        raise ValueError("negative input")
    return float(dau * requests_per_user_per_day * events_per_request * bytes_per_event)


def learner_budget(total_ms, shares):
    if abs(sum(shares.values()) - 1) > 1e-6:
        raise ValueError("shares must sum to 1")
    return {stage: total_ms * share for stage, share in shares.items()}


def learner_machines(
    items_per_second, model_cost_ms_per_item, *, cores_per_machine=32, utilisation_target=0.5
):
    if not 0 < utilisation_target <= 1:
        raise ValueError("utilisation must be in (0, 1]")
    per_machine = cores_per_machine * utilisation_target * 1000 / model_cost_ms_per_item
    return math.ceil(items_per_second / per_machine)


@pytest.mark.parametrize(
    ("exercise_id", "fn"),
    [
        ("01.peak_qps", learner_peak_qps),
        ("01.storage_per_day", learner_storage),
        ("01.latency_budget", learner_budget),
        ("01.machines_needed", learner_machines),
    ],
)
def test_plain_learner_solution_passes(exercise_id, fn):
    report = _run(exercise_id, fn)
    assert report.passed, str(report)


# --------------------------------------------------------------------- known-wrong variants
def _guarded(fn):
    def wrapped(dau, requests_per_user_per_day, *rest):
        if dau < 0 or requests_per_user_per_day < 0 or min(rest) < (1 if len(rest) == 1 else 0):
            raise ValueError("bad input")
        return fn(dau, requests_per_user_per_day, *rest)

    return wrapped


WRONG = [
    ("01.peak_qps", _guarded(lambda d, r, p: float(d * r * p)), "forgot / 86 400"),
    ("01.peak_qps", _guarded(lambda d, r, p: d * r / 86_400), "forgot the peak factor"),
    ("01.peak_qps", _guarded(lambda d, r, p: d * r / 86_400 * p / 1000), "reports kQPS"),
    ("01.peak_qps", _guarded(lambda d, r, p: d * r / 3_600 * p), "divides by seconds per hour"),
    ("01.peak_qps", _guarded(lambda d, r, p: d * r // 86_400 * p), "integer division"),
    ("01.peak_qps", lambda d, r, p: d * r / 86_400 * p, "no validation"),
    ("01.storage_per_day", _guarded(lambda d, r, e, b: d * r * e * b / 1000), "off by 1000 (KB)"),
    ("01.storage_per_day", _guarded(lambda d, r, e, b: float(d * r * b)), "forgot events per request"),
    ("01.storage_per_day", _guarded(lambda d, r, e, b: d * r * e * b / 86_400), "bytes per second"),
    ("01.latency_budget", lambda t, s: {k: t * v for k, v in s.items()}, "no sum check"),
    ("01.latency_budget", lambda t, s: split_latency_budget(t, s) | {"total": t}, "extra key"),
    ("01.latency_budget", lambda t, s: {k: t * v / 1000 for k, v in split_latency_budget(1, s).items()},
     "seconds, not milliseconds"),
    ("01.machines_needed",
     lambda x, c, *, cores_per_machine=32, utilisation_target=0.5: machines_needed(
         x, c, cores_per_machine=cores_per_machine, utilisation_target=1.0) if 0 < utilisation_target <= 1
     else machines_needed(x, c, utilisation_target=utilisation_target), "ignores utilisation"),
    ("01.machines_needed",
     lambda x, c, *, cores_per_machine=32, utilisation_target=0.5: int(
         x / (cores_per_machine * utilisation_target * 1000 / c)) if 0 < utilisation_target <= 1
     else machines_needed(x, c, utilisation_target=utilisation_target), "rounds down"),
    ("01.machines_needed",
     lambda x, c, *, cores_per_machine=32, utilisation_target=0.5: float(machines_needed(
         x, c, cores_per_machine=cores_per_machine, utilisation_target=utilisation_target)),
     "returns a float"),
]


@pytest.mark.parametrize(("exercise_id", "fn", "mistake"), WRONG, ids=[w[2] for w in WRONG])
def test_known_wrong_variants_fail(exercise_id, fn, mistake):
    report = _run(exercise_id, fn)
    assert not report.passed, f"{exercise_id}: the mistake '{mistake}' was not caught"
    assert report.failures
