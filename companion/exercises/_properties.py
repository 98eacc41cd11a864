"""Invariant properties shared by many exercises (``Exercise(properties=...)``).

Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ._model import Case

__all__ = ["in_unit_interval"]


def in_unit_interval(what: str, *, allow_nan: bool = True) -> Callable[[Case, Any], str | None]:
    """A property: every number in the output (a scalar, an array or a Series) lies in [0, 1].

    ``what`` names the quantity in the message ("click-through rate", "share", ...). NaN passes unless
    ``allow_nan`` is False. An output that is not numeric passes here: the comparison with the
    reference reports it.

    >>> prop = in_unit_interval("share")
    >>> prop(None, 0.3) is None, prop(None, [0.2, 1.5])
    (True, 'a share lies in [0, 1]; got 1.5')
    """

    def prop(case: Case, out: Any) -> str | None:
        if isinstance(out, bool | np.bool_):
            return None
        try:
            if isinstance(out, pd.Series):
                values = out.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                values = np.asarray(out, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            return None
        nan = np.isnan(values)
        if nan.any() and not allow_nan:
            return f"every {what} must be a number in [0, 1]; got NaN"
        outside = values[~nan][(values[~nan] < 0) | (values[~nan] > 1)]
        if outside.size:
            return f"a {what} lies in [0, 1]; got {float(outside[0])!r}"
        return None

    prop.__name__ = f"{what.replace(' ', '_').replace('-', '_')}_in_unit_interval"
    return prop
