"""Validation of the value types Case and Exercise."""

from __future__ import annotations

import pytest

from companion.exercises import Case, Exercise


def _ref(x):
    return x


def _exercise(**overrides):
    kwargs = dict(id="98.echo", title="Echo", chapter="98", reference=_ref, cases=(Case((1,)),))
    kwargs.update(overrides)
    return Exercise(**kwargs)


def test_case_defaults_and_copy_of_kwargs():
    kw = {"a": 1}
    case = Case(kwargs=kw)
    kw["a"] = 2
    assert case.args == () and case.kwargs == {"a": 1} and case.note == ""


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"args": [1]}, TypeError, r"`args` must be tuple; got list.*args=\(x,\)"),
        ({"args": 5}, TypeError, r"`args` must be tuple; got int"),
        ({"kwargs": [("a", 1)]}, TypeError, r"`kwargs` must be dict; got list"),
        ({"kwargs": {1: "a"}}, TypeError, r"`kwargs` keys must be strings"),
        ({"note": 3}, TypeError, r"`note` must be str; got int"),
    ],
)
def test_case_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        Case(**kwargs)


def test_exercise_canonicalises_sequences():
    ex = _exercise(cases=[Case((1,))], properties=[lambda c, o: None])
    assert isinstance(ex.cases, tuple) and isinstance(ex.properties, tuple)


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"id": "9.echo"}, ValueError, r'`id` must have the form "NN.name".*got \'9.echo\''),
        ({"id": "98.Echo"}, ValueError, r'`id` must have the form "NN.name"'),
        ({"id": 98}, TypeError, r"`id` must be str; got int"),
        ({"chapter": "97"}, ValueError, r"`chapter` must equal the two-digit prefix of `id` \('98'\)"),
        ({"reference": 3}, TypeError, r"`reference` must be callable; got int"),
        ({"cases": Case((1,))}, TypeError, r"`cases` must be list or tuple; got Case"),
        ({"cases": (1,)}, TypeError, r"`cases\[0\]` must be Case; got int"),
        ({"cases": ()}, ValueError, r"at least one of `cases` or `generate`"),
        ({"generate": 1}, TypeError, r"`generate` must be callable or None; got int"),
        ({"n_random": -1}, ValueError, r"`n_random` must be >= 0; got -1"),
        ({"n_random": 2.0}, TypeError, r"`n_random` must be an integer; got float"),
        ({"rtol": -1e-3}, ValueError, r"`rtol` must be >= 0.0"),
        ({"atol": "0"}, TypeError, r"`atol` must be a real number; got str"),
        ({"properties": (len, 3)}, TypeError, r"`properties\[1\]` must be callable; got int"),
        ({"compare": "=="}, TypeError, r"`compare` must be callable or None; got str"),
        ({"timeout_s": 0}, ValueError, r"`timeout_s` must be greater than 0.0; got 0.0"),
    ],
)
def test_exercise_validation(overrides, error, match):
    with pytest.raises(error, match=match):
        _exercise(**overrides)


def test_exercise_with_generate_only_is_valid():
    ex = _exercise(cases=(), generate=lambda rng: Case((int(rng.integers(10)),)))
    assert ex.cases == () and ex.n_random == 25 and ex.timeout_s == 5.0
