"""The two value types of the exercise framework: one input (:class:`Case`) and one exercise.

An :class:`Exercise` bundles a hidden *reference* implementation with the inputs it is checked
on: fixed reference :attr:`~Exercise.cases` (edge cases chosen by the author) and, optionally,
a ``generate`` function that draws a random :class:`Case` from a seeded
:class:`numpy.random.Generator` (property-based cases, deterministic for a given seed).

"Expected to raise" is expressed by the reference itself: when the reference raises on a case,
the learner's function must raise an exception of the same type (or a subclass) on that case.
The message is not compared.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import check_int, check_number, check_type

__all__ = ["Case", "Exercise", "ID_PATTERN", "check_exercise_id"]

#: An exercise id is ``"NN.name"``: a two-digit chapter, a dot, a lower-case Python identifier.
ID_PATTERN = re.compile(r"^(\d{2})\.([a-z_][a-z0-9_]*)$")


def check_exercise_id(name: str, value: Any) -> str:
    """Validate an exercise id of the form ``"NN.name"`` and return it.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    value : Any
        The candidate id.

    Returns
    -------
    str
        ``value``, unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not a string.
    ValueError
        If ``value`` does not match ``"NN.name"`` (e.g. ``"01.peak_qps"``).
    """
    check_type(name, value, str)
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"`{name}` must have the form \"NN.name\" (two-digit chapter, a dot, a lower-case "
            f"identifier), e.g. \"01.peak_qps\"; got {value!r}."
        )
    return value


#: Bounds of an exercise's settings (the runner's ``check`` caps ``timeout_s`` at the same 600 s).
MAX_RANDOM_CASES = 10_000
MAX_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Case:
    """One input to an exercise: positional ``args``, keyword ``kwargs`` and a human ``note``.

    Parameters
    ----------
    args : tuple, default ()
        Positional arguments. Wrap a single argument as ``args=(x,)``.
    kwargs : dict, default {}
        Keyword arguments.
    note : str, default ""
        Short description shown in reports, e.g. ``"all clicks are zero"``.

    Notes
    -----
    The checker deep-copies ``args`` and ``kwargs`` before every call, so a function that
    mutates its inputs cannot corrupt the case for the reference or for later calls.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        check_type("args", self.args, tuple, hint="Wrap a single argument as `args=(x,)`.")
        check_type("kwargs", self.kwargs, dict)
        bad = [k for k in self.kwargs if not isinstance(k, str)]
        if bad:
            raise TypeError(f"`kwargs` keys must be strings; got {bad!r}.")
        check_type("note", self.note, str)
        object.__setattr__(self, "kwargs", dict(self.kwargs))


def _check_callables(name: str, values: Any) -> tuple:
    check_type(name, values, (list, tuple))
    for i, value in enumerate(values):
        if not callable(value):
            raise TypeError(f"`{name}[{i}]` must be callable; got {type(value).__name__}.")
    return tuple(values)


@dataclass(frozen=True)
class Exercise:
    """A checkable exercise: a hidden reference implementation plus the inputs to check it on.

    Parameters
    ----------
    id : str
        ``"NN.name"``, e.g. ``"00.ctr"``; ``NN`` must equal ``chapter``.
    title : str
        One-line human title.
    chapter : str
        Two-digit chapter, e.g. ``"00"``.
    reference : callable
        The correct implementation. If it raises on a case, the learner must raise the same
        exception type (a subclass is accepted) on that case.
    cases : sequence of Case, default ()
        Fixed reference cases, checked first and in order.
    generate : callable, optional
        ``generate(rng) -> Case`` draws one random case from a :class:`numpy.random.Generator`.
    n_random : int, default 25
        How many random cases ``check`` draws by default (ignored without ``generate``).
    rtol, atol : float, default 1e-6, 1e-9
        Tolerances for comparing floating-point results.
    properties : sequence of callable, default ()
        Invariants ``prop(case, output) -> str | None``; a returned string is a violation message.
        Checked on the learner's output whenever the reference did not raise.
    compare : callable, optional
        ``compare(expected, got) -> str | None`` replaces the default comparison.
    timeout_s : float, default 5.0
        Per-call time limit for the learner's function, in seconds.
    """

    id: str
    title: str
    chapter: str
    reference: Callable[..., Any]
    cases: Sequence[Case] = ()
    generate: Callable[[np.random.Generator], Case] | None = None
    n_random: int = 25
    rtol: float = 1e-6
    atol: float = 1e-9
    properties: Sequence[Callable[[Case, Any], str | None]] = ()
    compare: Callable[[Any, Any], str | None] | None = None
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        check_exercise_id("id", self.id)
        check_type("title", self.title, str)
        if not self.title.strip():
            raise ValueError("`title` must be a non-empty description of the exercise; got an empty string.")
        check_type("chapter", self.chapter, str)
        if self.chapter != self.id[:2]:
            raise ValueError(
                f"`chapter` must equal the two-digit prefix of `id` ({self.id[:2]!r}); "
                f"got {self.chapter!r}."
            )
        if not callable(self.reference):
            raise TypeError(f"`reference` must be callable; got {type(self.reference).__name__}.")
        check_type("cases", self.cases, (list, tuple))
        for i, case in enumerate(self.cases):
            check_type(f"cases[{i}]", case, Case)
        if self.generate is not None and not callable(self.generate):
            raise TypeError(f"`generate` must be callable or None; got {type(self.generate).__name__}.")
        if not self.cases and self.generate is None:
            raise ValueError("An exercise needs at least one of `cases` or `generate`; got neither.")
        check_int("n_random", self.n_random, minimum=0, maximum=MAX_RANDOM_CASES)
        check_number("rtol", self.rtol, minimum=0.0)
        check_number("atol", self.atol, minimum=0.0)
        if self.compare is not None and not callable(self.compare):
            raise TypeError(f"`compare` must be callable or None; got {type(self.compare).__name__}.")
        check_number("timeout_s", self.timeout_s, minimum=0.0, strict_minimum=True, maximum=MAX_TIMEOUT_S,
                     hint="A check is meant to take seconds.")
        object.__setattr__(self, "cases", tuple(self.cases))
        object.__setattr__(self, "properties", _check_callables("properties", self.properties))
