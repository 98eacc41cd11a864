"""Run a learner's function against an exercise: :func:`check`.

Every case is run the same way. The reference and the learner's function each get their own deep
copy of the inputs (so mutating them leaks nowhere); the reference runs first and its result (or
exception) is the expectation; the learner's call runs under the exercise's time limit (see
``companion.exercises._timeout``). An exception from learner code is caught and reported, never propagated
(``KeyboardInterrupt`` excepted). After the first timeout the remaining cases are skipped, so a
function that loops forever costs one time limit, not one per case.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import copy
import inspect
import os
import traceback
from typing import Any

import numpy as np

from .._validation import check_int, check_number, check_type
from ._compare import compare_values, short_repr
from ._model import Case, Exercise, check_exercise_id
from ._registry import get_exercise
from ._report import CaseResult, CheckReport
from ._timeout import CaseTimeout, run_with_limit

__all__ = ["check"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def check(
    exercise_id: str | Exercise,
    fn: Any,
    *,
    seed: int = 0,
    n_random: int | None = None,
    timeout_s: float | None = None,
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
        Per-call time limit in seconds; defaults to the exercise's ``timeout_s``.
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
    check_type("verbose", verbose, bool)
    exercise = exercise_id if isinstance(exercise_id, Exercise) else get_exercise(exercise_id)
    n_random = exercise.n_random if n_random is None else n_random
    limit = exercise.timeout_s if timeout_s is None else timeout_s

    report = CheckReport(exercise_id=exercise.id, title=exercise.title, seed=seed)
    timed_out = False
    for label, case in _cases(exercise, seed, n_random):
        if timed_out:
            report.results.append(CaseResult(label, case, _named_inputs(exercise, case), "skipped"))
            continue
        result = _run_case(exercise, fn, label, case, limit)
        report.results.append(result)
        timed_out = result.status == "timeout"
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


def _run_case(exercise: Exercise, fn: Any, label: str, case: Case, limit: float) -> CaseResult:
    result = CaseResult(label, case, _named_inputs(exercise, case))
    try:
        result.expected = _call(exercise.reference, case)
    except Exception as exc:
        result.expected = exc
    expect_raise = isinstance(result.expected, BaseException)

    raised: BaseException | None = None
    try:
        result.got, result.elapsed_s = run_with_limit(lambda: _call(fn, case), limit)
    except KeyboardInterrupt:
        raise
    except (Exception, SystemExit, CaseTimeout) as exc:
        raised = exc
        result.error = f"{type(exc).__name__}: {_message(exc)}"
        result.learner_line = _learner_line(exc, fn)

    if isinstance(raised, CaseTimeout):
        result.status = "timeout"
        result.problems.append("your function did not finish within the time limit")
    elif expect_raise:
        wanted = type(result.expected).__name__
        if raised is None:
            result.status = "failed"
            result.problems.append(f"expected {wanted} to be raised, but your function returned a value")
        elif not isinstance(raised, type(result.expected)):
            result.status = "failed"
            result.problems.append(f"expected {wanted} to be raised, got {type(raised).__name__}")
    elif raised is not None:
        result.status = "error"
        result.problems.append("your function raised an exception")
    else:
        result.problems.extend(_judge(exercise, case, result.expected, result.got))
        if result.problems:
            result.status = "failed"
    return result


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
