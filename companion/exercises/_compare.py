"""Compare a learner's result with the reference result and explain the first difference.

:func:`compare_values` returns ``None`` when the two agree and otherwise a one-paragraph message
that says *where* (e.g. ``at ['p95'][2]``) and *how* they differ. The rules:

* floats agree when ``|got - expected| <= atol + rtol * |expected|``; NaN equals NaN;
* the *kind* of a number must match: a float result must be a float (``int`` is refused, so
  ``clicks // n`` fails even when it happens to be right), an integer an integer, a bool a bool;
* numpy arrays must be arrays of the same shape and kind, compared elementwise with tolerance;
* pandas Series/DataFrames/Index must be the same class with the same labels *in the same order*
  and values of the same kind, compared with tolerance; ``.name`` and index names are ignored;
* dicts must have the same keys; tuples and lists the same type and length; both recursively;
* anything else must compare equal with ``==``.

pandas is never imported here: if an expected value is a pandas object, pandas is already loaded.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["compare_values", "short_repr"]


def short_repr(value: Any, limit: int = 80) -> str:
    """Return a one-line ``repr`` of ``value`` cut to ``limit`` characters."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str | None:
    """Kind of a scalar: 'bool', 'integer', 'float', 'complex' or None for non-numbers."""
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "integer"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, numbers.Complex):
        return "complex"
    return None


def _dtype_kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"b": "bool", "i": "integer", "u": "integer", "f": "float", "c": "complex"}.get(kind, "other")


def _where(path: str) -> str:
    return f"at {path}: " if path else ""


def compare_values(expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """Return ``None`` if ``got`` matches ``expected``, else a message describing the first difference.

    Parameters
    ----------
    expected : Any
        The reference result.
    got : Any
        The learner's result.
    rtol, atol : float
        Relative and absolute tolerance for floating-point values.

    Returns
    -------
    str or None
        ``None`` when they agree.
    """
    return _compare(expected, got, "", rtol, atol)


def _compare(expected: Any, got: Any, path: str, rtol: float, atol: float) -> str | None:
    where = _where(path)
    if expected is None:
        return None if got is None else f"{where}expected None, got {type(got).__name__} {short_repr(got)}"
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(expected, pd.Series | pd.DataFrame | pd.Index):
        return _compare_pandas(pd, expected, got, where, rtol, atol)
    if isinstance(expected, np.ndarray):
        return _compare_arrays(expected, got, where, rtol, atol)
    if isinstance(expected, Mapping):
        return _compare_mappings(expected, got, path, rtol, atol)
    if isinstance(expected, tuple | list):
        return _compare_sequences(expected, got, path, rtol, atol)
    kind = _kind(expected)
    if kind is not None:
        return _compare_numbers(expected, got, kind, where, rtol, atol)
    try:
        equal = expected == got
        equal = bool(np.all(equal)) if not isinstance(equal, bool) else equal
    except Exception as exc:  # any failure to compare is a difference
        return f"{where}could not compare {short_repr(got)} with the expected value: {exc}"
    return None if equal else f"{where}expected {short_repr(expected)}, got {short_repr(got)}"


def _compare_numbers(expected: Any, got: Any, kind: str, where: str, rtol: float, atol: float) -> str | None:
    got_kind = _kind(got)
    if got_kind != kind:
        return f"{where}expected {_article(kind)} {kind}, got {type(got).__name__} {short_repr(got)}"
    if kind in ("bool", "integer"):
        return None if got == expected else f"{where}expected {expected!r}, got {got!r}"
    e, g = complex(expected), complex(got)
    if np.isnan(e) and np.isnan(g):
        return None
    if e == g:
        return None
    if np.isinf(e) or np.isinf(g):
        return f"{where}expected {expected!r}, got {got!r}"
    diff, allowed = abs(g - e), atol + rtol * abs(e)
    if diff <= allowed:
        return None
    return (
        f"{where}expected {expected!r}, got {got!r} "
        f"(difference {diff:.3g}, allowed {allowed:.3g})"
    )


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _compare_arrays(expected: np.ndarray, got: Any, where: str, rtol: float, atol: float) -> str | None:
    if not isinstance(got, np.ndarray):
        return f"{where}expected a numpy array, got {type(got).__name__} {short_repr(got)}"
    if got.shape != expected.shape:
        return f"{where}expected an array of shape {expected.shape}, got shape {got.shape}"
    want, have = _dtype_kind(expected.dtype), _dtype_kind(got.dtype)
    if want != have:
        return f"{where}expected an array of {want} values, got dtype {got.dtype}"
    if expected.size == 0:
        return None
    if want in ("float", "complex"):
        ok = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = np.asarray(got == expected, dtype=bool).reshape(expected.shape)
    if ok.all():
        return None
    bad = np.argwhere(~ok)
    first = tuple(int(i) for i in bad[0])
    msg = (
        f"{where}{len(bad)} of {expected.size} elements differ; first at index "
        f"{first if len(first) > 1 else first[0]}: expected {expected[first]!r}, got {got[first]!r}"
    )
    if want in ("float", "complex"):
        with np.errstate(invalid="ignore"):
            msg += f" (largest difference {np.nanmax(np.abs(got - expected)[~ok]):.3g})"
    return msg


def _compare_pandas(pd: Any, expected: Any, got: Any, where: str, rtol: float, atol: float) -> str | None:
    cls = type(expected).__name__
    if not isinstance(got, pd.Series | pd.DataFrame | pd.Index) or _family(pd, got) != _family(pd, expected):
        return f"{where}expected a pandas {cls}, got {type(got).__name__} {short_repr(got)}"
    if isinstance(expected, pd.DataFrame):
        kinds = [(c, expected[c].dtype, got[c].dtype) for c in expected.columns if c in got.columns
                 and isinstance(got[c], pd.Series) and isinstance(expected[c], pd.Series)]
    else:
        kinds = [(None, expected.dtype, got.dtype)]
    for column, want, have in kinds:
        if _dtype_kind(want) != _dtype_kind(have) and "other" not in (_dtype_kind(want), _dtype_kind(have)):
            label = f"column {column!r}" if column is not None else f"the {cls}"
            return f"{where}expected {label} to hold {_dtype_kind(want)} values, got dtype {have}"
    options = dict(check_exact=False, rtol=rtol, atol=atol, check_names=False)
    try:
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(got, expected, check_dtype=False, **options)
        elif isinstance(expected, pd.Series):
            pd.testing.assert_series_equal(got, expected, check_dtype=False, **options)
        else:
            pd.testing.assert_index_equal(got, expected, exact=False, **options)
    except AssertionError as exc:
        lines = [line.rstrip() for line in str(exc).replace("[left]:  ", "[got]:      ")
                 .replace("[right]: ", "[expected]: ").splitlines() if line.strip()]
        detail = "\n".join(lines[:12]) + ("\n..." if len(lines) > 12 else "")
        return f"{where}the {cls} differs from the expected one:\n{detail}"
    return None


def _family(pd: Any, value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return "DataFrame"
    return "Series" if isinstance(value, pd.Series) else "Index"


def _compare_mappings(expected: Mapping, got: Any, path: str, rtol: float, atol: float) -> str | None:
    where = _where(path)
    if not isinstance(got, Mapping):
        return f"{where}expected a dict, got {type(got).__name__} {short_repr(got)}"
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing or extra:
        parts = ([f"missing key(s) {missing!r}"] if missing else []) + (
            [f"unexpected key(s) {extra!r}"] if extra else [])
        return f"{where}dict keys differ: " + "; ".join(parts)
    for key in expected:
        message = _compare(expected[key], got[key], f"{path}[{key!r}]", rtol, atol)
        if message:
            return message
    return None


def _compare_sequences(expected: tuple | list, got: Any, path: str, rtol: float, atol: float) -> str | None:
    where = _where(path)
    want = "tuple" if isinstance(expected, tuple) else "list"
    if not isinstance(got, tuple if want == "tuple" else list):
        return f"{where}expected a {want}, got {type(got).__name__} {short_repr(got)}"
    if len(got) != len(expected):
        return f"{where}expected a {want} of length {len(expected)}, got length {len(got)}"
    for i, (e, g) in enumerate(zip(expected, got, strict=True)):
        message = _compare(e, g, f"{path}[{i}]", rtol, atol)
        if message:
            return message
    return None
