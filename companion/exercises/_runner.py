"""Run a learner's function against an exercise: :func:`check`.

Every case is run the same way. The reference runs first, here, on its own deep copy of the inputs,
and its result (or exception) is the expectation. The learner's call then runs in a separate,
throw-away process (see ``companion.exercises._isolate``; on Linux, where ``fork`` is available) with
a hard wall-clock limit, a memory cap and its printed output captured, so nothing it does can hang,
crash or change the kernel, or fool the checker. Elsewhere, or with ``isolate=False``, it runs in this
process under a signal-based time limit (``companion.exercises._timeout``), with weaker guarantees.
An exception from learner code is reported, never propagated. After the first timeout the remaining
cases are skipped, so a function that loops forever costs one time limit, not one per case.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
import traceback
from typing import Any

import numpy as np

from .._validation import check_int, check_number, check_type
from ._compare import compare_values, short_repr
from ._isolate import Outcome, Worker, can_isolate, type_names
from ._model import Case, Exercise, check_exercise_id
from ._registry import get_exercise
from ._report import CaseResult, CheckReport
from ._timeout import CaseTimeout, run_with_limit

__all__ = ["check"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
MAX_TIMEOUT_S = 600.0
DEFAULT_MEMORY_MB = 4096


def check(
    exercise_id: str | Exercise,
    fn: Any,
    *,
    seed: int = 0,
    n_random: int | None = None,
    timeout_s: float | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    isolate: bool | None = None,
    verbose: bool = True,
) -> CheckReport:
    """Check ``fn`` against the exercise's reference on fixed and random cases.

    Parameters
    ----------
    exercise_id : str or Exercise
        ``"NN.name"``, e.g. ``"00.ctr"`` (an :class:`Exercise` object is accepted too).
    fn : callable
        The learner's function. Pass the function itself, not the result of calling it.
    seed : int, default 0
        Seed of the random cases; the same seed gives the same cases.
    n_random : int, optional
        Number of random cases; defaults to the exercise's ``n_random``.
    timeout_s : float, optional
        Per-call time limit in seconds, at most 600; defaults to the exercise's ``timeout_s``.
    memory_mb : int, default 4096
        Memory (address space, MiB) the learner's call may add; beyond it, allocation raises
        ``MemoryError``. Applies when the call is isolated.
    isolate : bool, optional
        Run each learner call in a separate process (the default where it is possible: Linux).
        ``False`` runs it in this process (e.g. to debug it), where a function that patches
        libraries or ends the process affects the caller.
    verbose : bool, default True
        Print the report.

    Returns
    -------
    CheckReport
        ``report.passed`` tells whether every case passed; ``str(report)`` lists each failure.

    Raises
    ------
    TypeError, ValueError
        For an invalid argument (never for a failure of ``fn``, which is reported instead).
    """
    if not isinstance(exercise_id, Exercise):
        check_exercise_id("exercise_id", exercise_id)
    if not callable(fn):
        raise TypeError(
            f"`fn` must be callable (your function); got {type(fn).__name__} {short_repr(fn, 60)}. "
            "Pass the function itself, e.g. check(\"00.ctr\", ctr), not ctr(...)."
        )
    seed = check_int("seed", seed, minimum=0)
    if n_random is not None:
        n_random = check_int("n_random", n_random, minimum=0)
    if timeout_s is not None:
        timeout_s = check_number("timeout_s", timeout_s, minimum=0.0, strict_minimum=True)
        if timeout_s > MAX_TIMEOUT_S:
            raise ValueError(f"`timeout_s` must be at most {MAX_TIMEOUT_S:g} seconds; got {timeout_s:g}. "
                             "A check is meant to take seconds; make the function faster instead.")
    memory_mb = check_int("memory_mb", memory_mb, minimum=64)
    if memory_mb > 2**20:
        raise ValueError(f"`memory_mb` must be at most {2**20} (1 TiB); got {memory_mb}.")
    if isolate is not None:
        check_type("isolate", isolate, bool)
        if isolate and not can_isolate():
            raise ValueError("`isolate=True` needs Linux (fork and memfd_create); "
                             "pass isolate=None to use isolation where it is available.")
    isolate = can_isolate() if isolate is None else isolate
    check_type("verbose", verbose, bool)
    exercise = exercise_id if isinstance(exercise_id, Exercise) else get_exercise(exercise_id)
    n_random = exercise.n_random if n_random is None else n_random
    limit = exercise.timeout_s if timeout_s is None else timeout_s

    report = CheckReport(exercise_id=exercise.id, title=exercise.title, seed=seed)
    cases = list(_cases(exercise, seed, n_random))
    worker = None
    if isolate:
        worker = Worker(fn, [(case.args, case.kwargs) for _, case in cases], memory_mb=memory_mb,
                        learner_line=lambda exc: _learner_line(exc, fn))
    try:
        timed_out = False
        for index, (label, case) in enumerate(cases):
            if timed_out:
                report.results.append(CaseResult(label, case, _named_inputs(exercise, case), "skipped"))
                continue
            run = (functools.partial(worker.run, index, limit) if worker is not None
                   else functools.partial(_run_in_process, fn, case, limit))
            result = _run_case(exercise, label, case, run, limit)
            report.results.append(result)
            timed_out = result.status == "timeout"
    finally:
        if worker is not None:
            worker.close()
    if verbose:
        print(report)
    return report


def _cases(exercise: Exercise, seed: int, n_random: int):
    n_ref = len(exercise.cases)
    for i, case in enumerate(exercise.cases, start=1):
        yield f"reference case {i} of {n_ref}" + (f" ({case.note})" if case.note else ""), case
    if exercise.generate is None or n_random == 0:
        return
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_random), start=1):
        case = exercise.generate(np.random.default_rng(child))
        if not isinstance(case, Case):
            raise TypeError(
                f"`generate` of exercise {exercise.id!r} must return a Case; got {type(case).__name__}."
            )
        note = f", {case.note}" if case.note else ""
        yield f"random case {i} of {n_random} (seed={seed}{note})", case


def _named_inputs(exercise: Exercise, case: Case) -> list[tuple[str, Any]]:
    try:
        bound = inspect.signature(exercise.reference).bind(*case.args, **case.kwargs)
        return list(bound.arguments.items())
    except (TypeError, ValueError):
        return [(f"args[{i}]", a) for i, a in enumerate(case.args)] + list(case.kwargs.items())


def _call(fn: Any, case: Case) -> Any:
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    return fn(*args, **kwargs)


def _run_in_process(fn: Any, case: Case, limit: float) -> Outcome:
    try:
        value, elapsed = run_with_limit(lambda: _call(fn, case), limit)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 -- the learner's exception is reported
        kind = "timeout" if isinstance(exc, CaseTimeout) else "raised"
        return Outcome(kind, error=f"{type(exc).__name__}: {_message(exc)}", error_types=type_names(type(exc)),
                       learner_line=_learner_line(exc, fn))
    return Outcome("returned", value=value, elapsed_s=elapsed)


def _run_case(exercise: Exercise, label: str, case: Case, run: Any, limit: float) -> CaseResult:
    result = CaseResult(label, case, _named_inputs(exercise, case))
    try:
        result.expected = _call(exercise.reference, case)
    except Exception as exc:
        result.expected = exc
    expect_raise = isinstance(result.expected, BaseException)

    outcome = run()
    result.elapsed_s, result.output, result.output_omitted = outcome.elapsed_s, outcome.output, outcome.output_omitted
    if outcome.kind != "returned":
        result.error, result.learner_line = outcome.error, outcome.learner_line
    if outcome.kind == "returned":
        result.got = outcome.value

    if outcome.kind == "timeout":
        result.status = "timeout"
        result.problems.append(f"your function did not finish within the time limit of {limit:g} s")
    elif outcome.kind == "crashed":
        result.status = "error"
        result.problems.append(outcome.reason or "your function ended the process it ran in")
    elif expect_raise:
        wanted = type(result.expected)
        if outcome.kind in ("returned", "unsendable"):
            result.status = "failed"
            result.problems.append(f"expected {wanted.__name__} to be raised, but your function returned a value")
        elif type_names(wanted)[0] not in outcome.error_types:
            result.status = "failed"
            raised = outcome.error.split(":", 1)[0] if outcome.error else "another exception"
            result.problems.append(f"expected {wanted.__name__} to be raised, got {raised}")
    elif outcome.kind == "raised":
        result.status = "error"
        result.problems.append("your function raised an exception")
    elif outcome.kind == "unsendable":
        result.status = "failed"
        result.got = _Unsendable(outcome.reason or "")
        result.problems.append(outcome.reason or "your result could not be checked")
    else:
        result.problems.extend(_judge(exercise, case, result.expected, result.got))
        if result.problems:
            result.status = "failed"
    return result


class _Unsendable:
    """Stands in the report for a result that could not be brought back from the worker process."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return "<not shown: see the problem below>"


def _message(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _judge(exercise: Exercise, case: Case, expected: Any, got: Any) -> list[str]:
    problems = []
    try:
        if exercise.compare is not None:
            message = exercise.compare(expected, got)
        else:
            message = compare_values(expected, got, rtol=exercise.rtol, atol=exercise.atol)
    except Exception as exc:
        message = f"the result could not be compared ({type(exc).__name__}: {exc})"
    if message:
        problems.append(message)
    for prop in exercise.properties:
        name = getattr(prop, "__name__", "property").lstrip("_")
        try:
            violation = prop(case, got)
        except Exception as exc:
            violation = f"checking it raised {type(exc).__name__}: {exc}"
        if violation:
            problems.append(f"property {name!r} violated: {violation}")
    return problems


def _learner_line(exc: BaseException, fn: Any) -> str | None:
    """Locate the learner's line: the deepest frame in ``fn``'s file, else the first frame past ours."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    if not frames:
        return None
    code = getattr(inspect.unwrap(fn), "__code__", None) if callable(fn) else None
    own = [f for f in frames if code is not None and f.filename == code.co_filename]
    frame = own[-1] if own else frames[0]
    where = f"line {frame.lineno} in {frame.name}"
    return f"{where}: {frame.line.strip()}" if frame.line else where
