"""check(): running learner functions safely against an exercise."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest

from companion.exercises import Case, CheckReport, Exercise, check


def _total(xs):
    """Reference: sum of a list; an empty list is an error."""
    if not xs:
        raise ValueError("empty")
    return float(sum(xs))


def _gen_list(rng):
    return Case((rng.integers(0, 10, size=int(rng.integers(1, 6))).tolist(),))


def _exercise(**overrides):
    kwargs = dict(
        id="98.total", title="Total", chapter="98", reference=_total,
        cases=(Case(([1, 2, 3],), note="small"), Case(([],), note="empty: raises ValueError")),
        generate=_gen_list, n_random=5, timeout_s=2.0,
    )
    kwargs.update(overrides)
    return Exercise(**kwargs)


def good_total(xs):
    if len(xs) == 0:
        raise ValueError("nothing to add")
    return float(sum(xs))


def test_correct_solution_passes():
    report = check(_exercise(), good_total, verbose=False)
    assert isinstance(report, CheckReport)
    assert report.passed and report.n_failed == 0 and report.failures == []
    assert report.n_cases == 2 + 5
    assert report.raise_if_failed() is report


def test_n_random_override_and_zero():
    assert check(_exercise(), good_total, n_random=12, verbose=False).n_cases == 14
    assert check(_exercise(), good_total, n_random=0, verbose=False).n_cases == 2


def test_random_cases_are_deterministic_per_seed():
    def inputs(seed):
        report = check(_exercise(), good_total, seed=seed, verbose=False)
        return [r.case.args for r in report.results]

    assert inputs(3) == inputs(3)
    assert inputs(3) != inputs(4)
    # Case i does not depend on how many cases are drawn.
    short = check(_exercise(), good_total, n_random=2, seed=3, verbose=False)
    assert [r.case.args for r in short.results] == inputs(3)[:4]


def test_learner_exception_is_reported_not_propagated():
    def broken(xs):
        total = 0.0
        for x in xs:
            total += x / 0  # the learner's bug
        return total

    report = check(_exercise(), broken, verbose=False)
    assert not report.passed
    first = report.failures[0]
    assert first.status == "error"
    assert first.error == "ZeroDivisionError: division by zero"
    assert "in broken: total += x / 0  # the learner's bug" in first.learner_line
    text = str(report)
    assert "raised:   ZeroDivisionError: division by zero" in text


def test_wrong_exception_type_or_missing_exception_fails():
    def returns_nan(xs):
        return float(sum(xs)) if xs else float("nan")

    def raises_index_error(xs):
        return float(sum(xs)) + 0.0 * xs[0]

    class MyValueError(ValueError):
        pass

    def raises_subclass(xs):
        if not xs:
            raise MyValueError("custom")
        return float(sum(xs))

    missing = check(_exercise(), returns_nan, verbose=False)
    assert [f.case.note for f in missing.failures] == ["empty: raises ValueError"]
    assert "expected ValueError to be raised, but your function returned a value" in str(missing)
    wrong = check(_exercise(), raises_index_error, verbose=False)
    assert "expected ValueError to be raised, got IndexError" in str(wrong)
    assert check(_exercise(), raises_subclass, verbose=False).passed


def test_system_exit_is_reported():
    def quits(xs):
        raise SystemExit(3)

    report = check(_exercise(), quits, n_random=0, verbose=False)
    assert report.n_failed == 2 and [f.error for f in report.failures] == ["SystemExit: 3"] * 2


def test_infinite_loop_is_stopped_and_remaining_cases_skipped():
    def spins(xs):
        while True:
            pass

    start = time.perf_counter()
    report = check(_exercise(), spins, timeout_s=0.5, verbose=False)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"check took {elapsed:.2f} s with a 0.5 s limit"
    assert report.results[0].status == "timeout"
    assert report.n_failed == 1 and report.n_skipped == report.n_cases - 1
    assert not report.passed
    text = str(report)
    assert "TIMEOUT" in text and "not run after a timeout" in text
    assert "while True:" in report.results[0].learner_line or "in spins" in report.results[0].learner_line


def test_exercise_timeout_is_the_default_limit():
    def slow(xs):
        time.sleep(0.4)
        return float(sum(xs))

    report = check(_exercise(timeout_s=0.1), slow, verbose=False)
    assert report.results[0].status == "timeout"


def test_check_outside_main_thread():
    def slow(xs):
        time.sleep(0.15)
        return good_total(xs)

    out = {}
    for isolate in (False, True):
        thread = threading.Thread(target=lambda isolate=isolate: out.update({isolate: check(
            _exercise(), slow, n_random=0, timeout_s=0.05, isolate=isolate, verbose=False)}))
        thread.start()
        thread.join(10)
    assert out[False].results[0].status == "timeout"
    assert "measured after the call returned" in out[False].results[0].error
    # Isolated, the call is stopped at the limit whatever thread asked for the check.
    assert out[True].results[0].status == "timeout"
    assert "stopped after 0.05 s" in out[True].results[0].error
    assert "time.sleep(0.15)" in out[True].results[0].learner_line


def test_mutating_inputs_does_not_leak():
    seen = []

    def reference(xs):
        seen.append(list(xs))
        return float(sum(xs))

    def vandal(xs):
        total = float(sum(xs))
        xs.clear()
        xs.append(-999)
        return total

    case = Case(([1, 2, 3],))
    ex = _exercise(reference=reference, cases=(case, case, case), generate=None)
    report = check(ex, vandal, verbose=False)
    assert report.passed
    assert seen == [[1, 2, 3]] * 3
    assert case.args == ([1, 2, 3],)


def test_array_mutation_does_not_leak():
    ex = Exercise(id="98.arr", title="Sum", chapter="98", reference=lambda a: float(a.sum()),
                  cases=(Case((np.arange(4.0),)),) * 2)

    def vandal(a):
        s = float(a.sum())
        a[:] = 100.0
        return s

    assert check(ex, vandal, verbose=False).passed


def test_properties_and_custom_compare():
    def non_negative(case, out):
        return None if out >= 0 else f"a total of non-negative numbers is >= 0; got {out}"

    def exploding(case, out):
        raise RuntimeError("property bug")

    ex = _exercise(properties=(non_negative,), n_random=0, cases=(Case(([1, 2],)),))
    report = check(ex, lambda xs: -3.0, verbose=False)
    assert "property 'non_negative' violated: a total of non-negative numbers is >= 0; got -3.0" in str(
        report)
    report = check(_exercise(properties=(exploding,), n_random=0), good_total, verbose=False)
    assert "property 'exploding' violated: checking it raised RuntimeError: property bug" in str(report)

    loose = _exercise(compare=lambda e, g: None if round(g) == round(e) else "not even close")
    assert check(loose, lambda xs: float(sum(xs)) + 0.1 if xs else good_total(xs), verbose=False).passed
    assert "not even close" in str(check(loose, lambda xs: 99.0 if xs else good_total(xs), verbose=False))
    broken = _exercise(compare=lambda e, g: 1 / 0)
    assert "could not be compared (ZeroDivisionError" in str(check(broken, good_total, verbose=False))


def test_generate_must_return_a_case():
    with pytest.raises(TypeError, match=r"`generate` of exercise '98.total' must return a Case; got list"):
        check(_exercise(generate=lambda rng: [1]), good_total, verbose=False)


def test_many_failures_are_counted_but_ten_shown():
    report = check(_exercise(), lambda xs: -1.0, n_random=30, verbose=False)
    assert report.n_failed == 32 and len(report.failures) == 32
    text = str(report)
    assert "[10] " in text and "[11] " not in text
    assert "... and 22 more failing case(s) not shown." in text
    assert text.splitlines()[:2] == ["FAILED 98.total: 32 of 32 cases run failed (seed=0).", "exercise: Total"]


def test_verbose_prints_the_report(capsys):
    report = check(_exercise(), good_total)
    assert capsys.readouterr().out.strip() == str(report)
    check(_exercise(), good_total, verbose=False)
    assert capsys.readouterr().out == ""


def test_raise_if_failed():
    report = check(_exercise(), lambda xs: 0.0, verbose=False)
    with pytest.raises(AssertionError, match=r"FAILED 98.total") as info:
        report.raise_if_failed()
    assert str(info.value) == str(report)


def test_sigalrm_handler_restored_after_check():
    before = signal.getsignal(signal.SIGALRM)
    check(_exercise(), good_total, verbose=False)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0.0


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"exercise_id": "1.ctr"}, ValueError, r'`exercise_id` must have the form "NN.name".*got \'1.ctr\''),
    ({"exercise_id": 1}, TypeError, r"`exercise_id` must be str; got int"),
    ({"fn": 0.5}, TypeError, r"`fn` must be callable \(your function\); got float 0.5.*not ctr\(...\)"),
    ({"fn": None}, TypeError, r"`fn` must be callable"),
    ({"seed": -1}, ValueError, r"`seed` must be >= 0; got -1"),
    ({"seed": 1.5}, TypeError, r"`seed` must be an integer; got float"),
    ({"n_random": -2}, ValueError, r"`n_random` must be >= 0; got -2"),
    ({"timeout_s": 0}, ValueError, r"`timeout_s` must be greater than 0.0; got 0.0"),
    ({"timeout_s": "1"}, TypeError, r"`timeout_s` must be a real number; got str"),
    ({"verbose": 1}, TypeError, r"`verbose` must be bool; got int"),
])
def test_check_validation(kwargs, error, match):
    call = {"exercise_id": "00.ctr", "fn": good_total, **kwargs}
    with pytest.raises(error, match=match):
        check(call.pop("exercise_id"), call.pop("fn"), **call)


def test_unknown_exercise():
    with pytest.raises(ValueError, match=r"`exercise_id` must be a registered exercise; got '00.nope'"):
        check("00.nope", good_total)
