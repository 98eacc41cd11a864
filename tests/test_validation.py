"""companion._validation: every helper names the parameter, what was expected and what was got."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from companion._validation import (
    check_array,
    check_choice,
    check_columns,
    check_int,
    check_number,
    check_probability,
    check_rng,
    check_type,
)


def test_check_int():
    assert check_int("n", np.int64(3), minimum=1) == 3
    with pytest.raises(TypeError, match=r"`n` must be an integer; got bool True"):
        check_int("n", True)
    with pytest.raises(TypeError, match=r"`n` must be an integer; got float 2.0"):
        check_int("n", 2.0)
    with pytest.raises(ValueError, match=r"`n` must be >= 1; got 0"):
        check_int("n", 0, minimum=1)
    with pytest.raises(ValueError, match=r"`n` must be <= 5; got 6\. Use fewer\."):
        check_int("n", 6, maximum=5, hint="Use fewer.")


def test_check_number():
    assert check_number("x", 2) == 2.0
    with pytest.raises(ValueError, match=r"`x` must be finite; got nan"):
        check_number("x", float("nan"))
    with pytest.raises(ValueError, match=r"`x` must be greater than 0; got 0.0"):
        check_number("x", 0, minimum=0, strict_minimum=True)
    with pytest.raises(TypeError, match=r"`x` must be a real number; got str '1'"):
        check_number("x", "1")


def test_check_probability_and_choice():
    assert check_probability("p", 1) == 1.0
    with pytest.raises(ValueError, match=r"`p` must be a probability in \[0, 1\]; got 1.5"):
        check_probability("p", 1.5)
    with pytest.raises(ValueError, match=r"`p` must be strictly between 0 and 1; got 0.0"):
        check_probability("p", 0, open_interval=True)
    with pytest.raises(ValueError, match=r"`size` must be one of 'a', 'b'; got 'c'"):
        check_choice("size", "c", ["a", "b"])


def test_check_rng_refuses_global_state():
    assert isinstance(check_rng("seed", 0), np.random.Generator)
    g = np.random.default_rng(1)
    assert check_rng("seed", g) is g
    with pytest.raises(TypeError, match=r"`seed` must be an int seed or a numpy.random.Generator; got NoneType"):
        check_rng("seed", None)
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative integer seed; got -1"):
        check_rng("seed", -1)


def test_check_array():
    arr = check_array("x", [[1.0, 2.0]], ndim=2, shape=(None, 2), finite=True)
    assert arr.shape == (1, 2)
    with pytest.raises(ValueError, match=r"`x` must be 1-dimensional; got shape \(1, 2\)"):
        check_array("x", [[1, 2]], ndim=1)
    with pytest.raises(ValueError, match=r"`x` must have shape \(any, 3\); got \(1, 2\)"):
        check_array("x", [[1, 2]], shape=(None, 3))
    with pytest.raises(TypeError, match=r"`x` must hold integer values; got dtype float64"):
        check_array("x", [1.5], dtype_kind="i")
    with pytest.raises(ValueError, match=r"found 1 NaN or infinite"):
        check_array("x", [1.0, np.inf], finite=True)
    with pytest.raises(ValueError, match=r"`x` must not be empty"):
        check_array("x", [], allow_empty=False)


def test_check_type_and_columns():
    with pytest.raises(TypeError, match=r"`w` must be int or str; got float 1.0"):
        check_type("w", 1.0, (int, str))
    frame = pd.DataFrame({"a": [1]})
    assert check_columns("events", frame, ["a"]) is frame
    with pytest.raises(ValueError, match=r"`events` is missing column\(s\) \['b'\]; it has \['a'\]"):
        check_columns("events", frame, ["a", "b"])
    with pytest.raises(TypeError, match=r"`events` must be a pandas DataFrame; got list"):
        check_columns("events", [], ["a"])
