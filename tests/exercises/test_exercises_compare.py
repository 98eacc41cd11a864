"""The default comparison of a learner's result with the reference result."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.exercises._compare import compare_values


def _ok(expected, got, **tol):
    return compare_values(expected, got, **tol) is None


# ----------------------------------------------------------------------------------------- scalars
def test_floats_within_and_outside_tolerance():
    assert _ok(1.0, 1.0 + 1e-9)
    assert _ok(0.0, 1e-10)
    message = compare_values(0.25, 0.2)
    assert message.startswith("expected 0.25, got 0.2 (difference 0.05")
    assert _ok(100.0, 100.5, rtol=1e-2)


def test_nan_and_inf():
    assert _ok(float("nan"), np.nan)
    assert _ok(math.inf, math.inf)
    assert not _ok(math.inf, -math.inf)
    assert not _ok(1.0, float("nan"))


@pytest.mark.parametrize(("expected", "got", "match"), [
    (0.0, 0, r"expected a float, got int 0"),
    (0.5, True, r"expected a float, got bool True"),
    (3, 3.0, r"expected an integer, got float 3.0"),
    (True, 1, r"expected a bool, got int 1"),
    (1.5, "1.5", r"expected a float, got str '1.5'"),
])
def test_number_kind_must_match(expected, got, match):
    assert re.search(match, compare_values(expected, got) or "")


def test_numpy_scalars_count_as_their_kind():
    assert _ok(0.5, np.float64(0.5)) and _ok(0.5, np.float32(0.5))
    assert _ok(3, np.int64(3)) and _ok(True, np.bool_(True))


def test_none_strings_and_fallback_equality():
    assert _ok(None, None)
    assert compare_values(None, 0) == "expected None, got int 0"
    assert _ok("a", "a") and compare_values("a", "b") == "expected 'a', got 'b'"
    assert _ok(frozenset({1}), frozenset({1}))


# ------------------------------------------------------------------------------------------ arrays
def test_arrays():
    a = np.array([1.0, 2.0, 3.0])
    assert _ok(a, a + 1e-12)
    assert compare_values(a, [1.0, 2.0, 3.0]).startswith("expected a numpy array, got list")
    assert "expected an array of shape (3,), got shape (1, 3)" in compare_values(a, a[None, :])
    assert "expected an array of float values, got dtype int64" in compare_values(a, a.astype(np.int64))
    message = compare_values(a, np.array([1.0, 2.5, 4.0]))
    assert message.startswith("2 of 3 elements differ; first at index 1: expected")
    assert "largest difference 1" in message
    assert _ok(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    assert _ok(np.array([[1, 2]]), np.array([[1, 2]]))
    assert "first at index (0, 1)" in compare_values(np.array([[1, 2]]), np.array([[1, 3]]))
    assert _ok(np.array([]), np.array([]))


# ------------------------------------------------------------------------------------------ pandas
def test_series_values_order_and_kind():
    expected = pd.Series([0.5, 0.25], index=pd.Index([1, 2], name="position"), name="ctr")
    assert _ok(expected, pd.Series([0.5, 0.25], index=[1, 2], name="click"))  # names are ignored
    unsorted = expected.iloc[::-1]
    assert "Series.index" in compare_values(expected, unsorted)
    assert "expected the Series to hold float values, got dtype int64" in compare_values(
        expected, pd.Series([0, 0], index=[1, 2]))
    assert compare_values(expected, expected.to_numpy()).startswith("expected a pandas Series, got ndarray")
    assert compare_values(expected, expected.to_frame()).startswith("expected a pandas Series, got DataFrame")
    assert "values are different" in compare_values(expected, expected * 1.1)


def test_dataframes():
    expected = pd.DataFrame({"a": [1, 2], "b": [0.1, 0.2]})
    assert _ok(expected, expected.copy())
    assert "column 'b' to hold float values" in compare_values(expected, expected.assign(b=[0, 0]))
    assert "DataFrame" in compare_values(expected, expected[["b", "a"]])
    assert "[got]" in compare_values(expected, expected.assign(b=[0.1, 0.3]))


def test_index():
    assert _ok(pd.Index([1, 2]), pd.Index([1, 2]))
    assert compare_values(pd.Index([1, 2]), pd.Index([2, 1])) is not None


# ---------------------------------------------------------------------------------------- nesting
def test_dicts_report_keys_and_paths():
    expected = {"a": 1.0, "b": {"c": [1, 2]}}
    assert _ok(expected, {"b": {"c": [1, 2]}, "a": 1.0})
    assert compare_values(expected, {"a": 1.0}) == "dict keys differ: missing key(s) ['b']"
    assert "unexpected key(s) ['z']" in compare_values(expected, {**expected, "z": 0})
    assert compare_values(expected, {"a": 1.0, "b": {"c": [1, 3]}}) == "at ['b']['c'][1]: expected 2, got 3"
    assert compare_values(expected, [1.0]).startswith("expected a dict, got list")


def test_tuples_and_lists():
    assert _ok((1, 2.0), (1, 2.0))
    assert compare_values((1, 2), [1, 2]).startswith("expected a tuple, got list")
    assert compare_values([1, 2], (1, 2)).startswith("expected a list, got tuple")
    assert compare_values((1, 2), (1,)) == "expected a tuple of length 2, got length 1"
    assert compare_values((1, 0.5), (1, 0)) == "at [1]: expected a float, got int 0"


# -------------------------------------------------------------------------------------- properties
_leaves = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(), st.text(max_size=5),
    st.none(),
)
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(_values)
def test_every_value_matches_itself(value):
    assert compare_values(value, value) is None


@given(st.floats(min_value=-1e12, max_value=1e12), st.floats(min_value=-0.5, max_value=0.5))
def test_float_tolerance_is_symmetric_in_sign(x, frac):
    rtol, atol = 1e-6, 1e-9
    y = x + frac * (atol + rtol * abs(x))
    assert compare_values(x, y, rtol=rtol, atol=atol) is None
    z = x + 2 * (atol + rtol * abs(x)) * (1 if frac >= 0 else -1)
    assert compare_values(x, z, rtol=rtol, atol=atol) is not None


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=20), st.data())
def test_array_differs_when_one_element_moves(xs, data):
    a = np.array(xs)
    i = data.draw(st.integers(0, len(xs) - 1))
    b = a.copy()
    b[i] += 1.0 + abs(a[i])
    assert compare_values(a, a.copy()) is None
    assert compare_values(a, b).startswith("1 of")
