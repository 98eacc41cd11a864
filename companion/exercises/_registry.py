"""The registry of exercises, filled lazily by the per-chapter modules ``chNN.py``.

Each chapter module (``companion/exercises/ch01.py`` and so on) calls :func:`register` at import
time. Nothing is imported up front: :func:`get_exercise` imports the one chapter module an id
belongs to (``"01.peak_qps"`` -> ``companion.exercises.ch01``) and :func:`list_exercises` imports
every ``chNN`` module present in the package directory.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

from .._validation import check_type
from ._model import Exercise, check_exercise_id

__all__ = ["get_exercise", "list_exercises", "register"]

_PACKAGE = __name__.rpartition(".")[0]
_MODULE_PATTERN = re.compile(r"^ch(\d{2})$")
_EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to the registry and return it.

    Parameters
    ----------
    exercise : Exercise
        The exercise to register.

    Returns
    -------
    Exercise
        ``exercise`` itself, so ``EX = register(Exercise(...))`` reads naturally.

    Raises
    ------
    TypeError
        If ``exercise`` is not an :class:`Exercise`.
    ValueError
        If an exercise with the same id is already registered.
    """
    check_type("exercise", exercise, Exercise)
    if exercise.id in _EXERCISES:
        raise ValueError(
            f"`exercise` has id {exercise.id!r}, which is already registered "
            f"(as {_EXERCISES[exercise.id].title!r}); ids must be unique."
        )
    _EXERCISES[exercise.id] = exercise
    return exercise


def _unregister(exercise_id: str) -> None:
    """Remove an exercise (for tests only); unknown ids are ignored."""
    _EXERCISES.pop(exercise_id, None)


def _load_chapter(chapter: str) -> None:
    name = f"{_PACKAGE}.ch{chapter}"
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)


def _load_all() -> None:
    package_dir = Path(__file__).resolve().parent
    for module in pkgutil.iter_modules([str(package_dir)]):
        match = _MODULE_PATTERN.match(module.name)
        if match:
            _load_chapter(match.group(1))


def get_exercise(exercise_id: str) -> Exercise:
    """Return the exercise registered under ``exercise_id``, importing its chapter module if needed.

    Parameters
    ----------
    exercise_id : str
        ``"NN.name"``, e.g. ``"00.ctr"``.

    Returns
    -------
    Exercise

    Raises
    ------
    TypeError
        If ``exercise_id`` is not a string.
    ValueError
        If ``exercise_id`` is malformed or unknown; the message lists the known ids, closest first.
    """
    check_exercise_id("exercise_id", exercise_id)
    if exercise_id not in _EXERCISES:
        _load_chapter(exercise_id[:2])
    if exercise_id in _EXERCISES:
        return _EXERCISES[exercise_id]
    _load_all()
    known = sorted(_EXERCISES)
    close = difflib.get_close_matches(exercise_id, known, n=5, cutoff=0.5)
    ordered = close + [k for k in known if k not in close]
    listing = ", ".join(repr(k) for k in ordered) if ordered else "(none registered)"
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"`exercise_id` must be a registered exercise; got {exercise_id!r}.{hint} Known ids: {listing}."
    )


def list_exercises(chapter: str | None = None) -> list[str]:
    """Return the sorted ids of all exercises, or of one chapter's.

    Parameters
    ----------
    chapter : str, optional
        Two-digit chapter such as ``"01"``; ``None`` lists every chapter.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If ``chapter`` is neither ``None`` nor a string.
    ValueError
        If ``chapter`` is not two digits.
    """
    if chapter is not None:
        check_type("chapter", chapter, str, hint='Pass the chapter as two digits, e.g. chapter="01".')
        if not re.fullmatch(r"\d{2}", chapter):
            raise ValueError(f'`chapter` must be two digits such as "01"; got {chapter!r}.')
        _load_chapter(chapter)
        return sorted(k for k, ex in _EXERCISES.items() if ex.chapter == chapter)
    _load_all()
    return sorted(_EXERCISES)
