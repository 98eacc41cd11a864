"""Run one call under a wall-clock time limit.

In the main thread of a POSIX interpreter (where Jupyter runs notebook cells) the limit is
enforced with ``signal.setitimer(ITIMER_REAL)`` and a ``SIGALRM`` handler that raises
:class:`CaseTimeout` inside the running call, so even ``while True: pass`` is stopped. The timer
re-fires every 50 ms until the call returns, so code that swallows the first interrupt with a broad
``except`` is interrupted again. Any ``SIGALRM`` handler and timer already installed (e.g. by
``pytest-timeout``) are restored afterwards, with the time spent deducted.

Limits of the signal method: Python delivers signals between bytecodes, so a single long call
into C code (a huge numpy operation, ``time.sleep`` is fine) is interrupted only when it returns.

Outside the main thread, or where ``SIGALRM`` does not exist (Windows), signals cannot be used.
The call then runs to completion, its elapsed time is measured, and :func:`run_with_limit` reports
a timeout after the fact if the limit was exceeded. A call that never returns will hang there.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["CaseTimeout", "can_interrupt", "run_with_limit"]

_REFIRE_S = 0.05


class CaseTimeout(BaseException):
    """Raised inside (or, after the fact, about) a call that exceeded its time limit.

    It derives from :class:`BaseException` so that ``except Exception`` in learner code cannot
    swallow it.
    """


def can_interrupt() -> bool:
    """Return whether a running call can be interrupted (main thread and ``SIGALRM`` available)."""
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def run_with_limit(fn: Callable[[], Any], timeout_s: float) -> tuple[Any, float]:
    """Call ``fn()`` under a time limit and return ``(result, elapsed_seconds)``.

    Parameters
    ----------
    fn : callable
        A zero-argument callable.
    timeout_s : float
        The limit in seconds, > 0.

    Returns
    -------
    tuple
        ``fn()``'s return value and the elapsed wall-clock time in seconds.

    Raises
    ------
    CaseTimeout
        If the call was interrupted at the limit (main thread) or took longer than the limit
        (fallback, detected after it returned).
    BaseException
        Whatever ``fn`` raised, unchanged.
    """
    if not can_interrupt():
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        if elapsed > timeout_s:
            raise CaseTimeout(
                f"took {elapsed:.2f} s, over the {timeout_s:g} s limit (measured after the call "
                "returned: calls cannot be interrupted outside the main thread)"
            )
        return result, elapsed

    state = {"armed": True}

    def _on_alarm(signum: int, frame: Any) -> None:
        if state["armed"]:
            raise CaseTimeout(f"stopped after {timeout_s:g} s (time limit)")

    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    previous_delay, previous_interval = 0.0, 0.0
    start = time.perf_counter()
    try:
        # Armed inside the try, so that an alarm firing at once (a tiny limit) still disarms the timer.
        previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, timeout_s, _REFIRE_S)
        result = fn()
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        elapsed = time.perf_counter() - start
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0.0:
            signal.setitimer(signal.ITIMER_REAL, max(previous_delay - elapsed, 1e-3), previous_interval)
    return result, elapsed
