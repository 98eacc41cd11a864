"""Checkable exercises: learners write a function, :func:`check` runs it against a hidden reference.

>>> from companion.exercises import check
>>> def ctr(impressions):
...     return float(impressions["click"].mean())
>>> report = check("00.ctr", ctr, verbose=False)   # doctest: +SKIP
>>> report.passed                                   # doctest: +SKIP
False

``ctr`` above fails one case: on an empty table the reference raises :class:`ValueError`
(the CTR is undefined), and an exercise expresses "expected to raise" exactly that way --
when the reference raises on a case, the learner's function must raise the same exception type
(or a subclass) on that case; the message is not compared.

Each check runs the exercise's fixed reference cases, then ``n_random`` random cases drawn from
a seeded :class:`numpy.random.Generator` (same seed, same cases), compares results with
tolerance (see ``companion.exercises._compare``), checks the exercise's invariant properties, and reports every
failing case with its inputs. The learner's function runs in a separate, throw-away worker process
(``companion.exercises._isolate``; on Linux) with a hard time limit, a memory cap and its output
captured, so code that raises, loops, crashes, exits, patches libraries or prints megabytes is
reported, never propagated, and leaves the notebook's kernel as it was. Where ``fork`` is not
available, or with ``check(..., isolate=False)``, it runs in this process under a signal-based time
limit (``companion.exercises._timeout``).

Exercises live in per-chapter modules ``chNN.py`` that call :func:`register` and are imported
lazily by :func:`get_exercise` and :func:`list_exercises`; ``ch00.py`` is a worked example.
"""

from __future__ import annotations

from ._model import Case, Exercise
from ._registry import get_exercise, list_exercises, register
from ._report import CaseResult, CheckReport
from ._runner import check

__all__ = [
    "Case",
    "CaseResult",
    "CheckReport",
    "Exercise",
    "check",
    "get_exercise",
    "list_exercises",
    "register",
]
