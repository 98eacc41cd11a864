"""The per-call time limit: SIGALRM in the main thread, after-the-fact measurement elsewhere."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from companion.exercises._timeout import CaseTimeout, can_interrupt, run_with_limit

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM (POSIX)")


def _spin():
    while True:
        pass


def test_returns_result_and_elapsed():
    result, elapsed = run_with_limit(lambda: 42, 1.0)
    assert result == 42 and 0.0 <= elapsed < 1.0


def test_infinite_loop_is_stopped_near_the_limit():
    assert can_interrupt()
    start = time.perf_counter()
    with pytest.raises(CaseTimeout, match=r"stopped after 0.2 s"):
        run_with_limit(_spin, 0.2)
    assert time.perf_counter() - start < 1.2


def test_loop_that_swallows_exceptions_is_still_stopped():
    def stubborn():
        while True:
            try:
                _spin()
            except Exception:  # CaseTimeout is a BaseException: not caught here
                pass

    start = time.perf_counter()
    with pytest.raises(CaseTimeout):
        run_with_limit(stubborn, 0.2)
    assert time.perf_counter() - start < 1.2


def test_exceptions_propagate_unchanged():
    with pytest.raises(ZeroDivisionError):
        run_with_limit(lambda: 1 / 0, 1.0)


def test_previous_handler_and_timer_are_restored():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        run_with_limit(lambda: None, 5.0)
        with pytest.raises(CaseTimeout):
            run_with_limit(_spin, 0.1)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0.0 < remaining <= 0.5
        time.sleep(0.7)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def test_outside_main_thread_measures_after_the_fact():
    outcome = {}

    def worker():
        outcome["can_interrupt"] = can_interrupt()
        outcome["fast"] = run_with_limit(lambda: "ok", 1.0)[0]
        try:
            run_with_limit(lambda: time.sleep(0.3), 0.05)
        except CaseTimeout as exc:
            outcome["slow"] = str(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert outcome["can_interrupt"] is False
    assert outcome["fast"] == "ok"
    assert "over the 0.05 s limit (measured after the call returned" in outcome["slow"]
