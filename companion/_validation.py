"""Argument validation shared by every public function of :mod:`companion`.

House rule: public functions validate at the entry point and raise :class:`ValueError` or
:class:`TypeError` whose message names the parameter, what was expected, what was got, and
(where it helps) how to fix the call. Nothing is silently coerced, clipped or dropped.

Each helper returns the validated value (converted to a canonical type where that is lossless),
so call sites read ``n = check_int("n_users", n_users, minimum=1)``.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "check_array",
    "check_bool",
    "check_choice",
    "check_columns",
    "check_finite_product",
    "check_int",
    "check_number",
    "check_path",
    "check_probability",
    "check_rng",
    "check_type",
]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_type(name: str, value: Any, expected: type | tuple[type, ...], *, hint: str = "") -> Any:
    """Raise :class:`TypeError` unless ``value`` is an instance of ``expected``."""
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        msg = f"`{name}` must be {names}; got {type(value).__name__} {_show(value)}."
        raise TypeError(msg + (f" {hint}" if hint else ""))
    return value


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    hint: str = "",
) -> int:
    """Validate an integer (``bool`` is refused) within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer; got {type(value).__name__} {_show(value)}."
            + (f" {hint}" if hint else "")
        )
    value = int(value)
    _check_range(name, value, minimum, maximum, hint)
    return value


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    hint: str = "",
) -> float:
    """Validate a finite real number within bounds (``strict_minimum`` makes the lower bound open)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a real number; got {type(value).__name__} {_show(value)}."
            + (f" {hint}" if hint else "")
        )
    try:
        value = float(value)
    except OverflowError:  # an int beyond float range (e.g. 10**400)
        raise ValueError(
            f"`{name}` is too large to be a float; got an integer of {len(str(abs(int(value))))} digits."
            + (f" {hint}" if hint else "")
        ) from None
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}." + (f" {hint}" if hint else ""))
    if strict_minimum and minimum is not None and value <= minimum:
        raise ValueError(
            f"`{name}` must be greater than {minimum}; got {value}." + (f" {hint}" if hint else "")
        )
    _check_range(name, value, None if strict_minimum else minimum, maximum, hint)
    return value


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None, hint: str) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; got {value}." + (f" {hint}" if hint else ""))
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be <= {maximum}; got {value}." + (f" {hint}" if hint else ""))


def check_bool(name: str, value: Any) -> bool:
    """Validate a flag: exactly ``True`` or ``False`` (``1``, ``"yes"`` and ``np.bool_`` are refused)."""
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False; got {type(value).__name__} {_show(value)}.")
    return value


def check_path(name: str, value: Any) -> Path:
    """Validate a file-system path given as a non-empty ``str`` or an ``os.PathLike``; returns a :class:`Path`."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"`{name}` must be str or Path; got {type(value).__name__} {_show(value)}.")
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"`{name}` must be a non-empty path; got {value!r}. Pass e.g. `{name}='data/world'`.")
    return Path(value)


def check_finite_product(what: str, factors: Mapping[str, float]) -> float:
    """The product of already-validated finite ``factors`` (name -> value); ValueError if it overflows.

    A product of finite floats can still be ``inf`` (``1e308 * 10``); the message names every factor,
    so the caller learns which inputs are out of any realistic range.
    """
    product = math.prod(float(v) for v in factors.values())
    if not math.isfinite(product):
        shown = ", ".join(f"{k}={v:g}" for k, v in factors.items())
        names = " x ".join(f"`{k}`" for k in factors)
        raise ValueError(
            f"{what} = {names} overflows a float ({shown}); at least one input is far outside any realistic "
            "range. Check its unit."
        )
    return product


def check_probability(name: str, value: Any, *, open_interval: bool = False) -> float:
    """Validate a probability in ``[0, 1]`` (or ``(0, 1)`` with ``open_interval``)."""
    p = check_number(name, value)
    if open_interval and not 0.0 < p < 1.0:
        raise ValueError(f"`{name}` must be strictly between 0 and 1; got {p}.")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"`{name}` must be a probability in [0, 1]; got {p}.")
    return p


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Validate that ``value`` is one of ``choices``."""
    options = list(choices)
    if value not in options:
        raise ValueError(
            f"`{name}` must be one of {', '.join(repr(c) for c in options)}; got {_show(value)}."
        )
    return value


def check_rng(name: str, value: Any) -> np.random.Generator:
    """Turn a seed or generator into a :class:`numpy.random.Generator`.

    Accepts an ``int`` seed, a :class:`numpy.random.SeedSequence` or a ``Generator``. ``None`` is
    refused on purpose: every random draw in the course comes from an explicit seed.
    """
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, np.random.SeedSequence):
        return np.random.default_rng(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` must be a non-negative integer seed; got {value}.")
        return np.random.default_rng(int(value))
    raise TypeError(
        f"`{name}` must be an int seed or a numpy.random.Generator; got {type(value).__name__} "
        f"{_show(value)}. Pass e.g. `{name}=0` or `{name}=np.random.default_rng(0)`."
    )


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | None = None,
    dtype_kind: str | None = None,
    shape: Sequence[int | None] | None = None,
    allow_empty: bool = True,
    finite: bool = False,
) -> np.ndarray:
    """Convert to an ndarray and validate its dimensionality, kind (e.g. ``"iuf"``), shape and values."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many types here
        raise TypeError(f"`{name}` must be array-like; got {type(value).__name__}.") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"`{name}` must be {ndim}-dimensional; got shape {arr.shape}.")
    if dtype_kind is not None and arr.dtype.kind not in dtype_kind and arr.size:
        kinds = {"i": "integer", "u": "unsigned integer", "f": "float", "b": "boolean", "U": "string"}
        want = " or ".join(kinds.get(k, k) for k in dtype_kind)
        raise TypeError(f"`{name}` must hold {want} values; got dtype {arr.dtype}.")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"`{name}` must have shape {want}; got {arr.shape}.")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"`{name}` must not be empty.")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(f"`{name}` must hold only finite values; found {bad} NaN or infinite value(s).")
    return arr


def check_columns(name: str, frame: Any, required: Iterable[str]) -> Any:
    """Validate that a DataFrame has the ``required`` columns."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(
            f"`{name}` is missing column(s) {missing}; it has {list(frame.columns)}."
        )
    return frame
