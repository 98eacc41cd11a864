"""The chapter 00 demo exercises: correct solutions pass, typical mistakes fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from companion.exercises import check, get_exercise


def ctr(impressions: pd.DataFrame) -> float:
    if impressions.empty:
        raise ValueError("no impressions")
    return float(impressions["click"].mean())


def ctr_by_position(impressions: pd.DataFrame) -> pd.Series:
    if impressions.empty:
        raise ValueError("no impressions")
    return impressions.groupby("position")["click"].mean().astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_solutions_pass(seed):
    assert check("00.ctr", ctr, seed=seed, verbose=False).passed
    assert check("00.ctr_by_position", ctr_by_position, seed=seed, verbose=False).passed


def test_references_pass_their_own_check():
    for exercise_id in ("00.ctr", "00.ctr_by_position"):
        assert check(exercise_id, get_exercise(exercise_id).reference, n_random=50, verbose=False).passed


def _guarded(body):
    def fn(impressions):
        if impressions.empty:
            raise ValueError("no impressions")
        return body(impressions)

    return fn


WRONG_CTR = {
    "off by one": _guarded(lambda df: float(df["click"].sum()) / (len(df) + 1)),
    "wrong denominator (clicks per user)": _guarded(
        lambda df: float(df["click"].sum()) / df["user_id"].nunique()),
    "returns int": _guarded(lambda df: int(df["click"].sum()) // len(df)),
    "rounded": _guarded(lambda df: round(float(df["click"].mean()), 2)),
    "no empty check": lambda df: float(df["click"].mean()) if len(df) else 0.0,
}


@pytest.mark.parametrize("name", list(WRONG_CTR))
def test_wrong_ctr_variants_fail(name):
    report = check("00.ctr", WRONG_CTR[name], verbose=False)
    assert not report.passed, name
    assert report.n_failed >= 1


def test_returning_int_is_named_in_the_report():
    text = str(check("00.ctr", WRONG_CTR["returns int"], verbose=False))
    assert "expected a float, got int 0" in text


def test_ctr_of_no_clicks_must_be_a_float():
    report = check("00.ctr", _guarded(lambda df: 0 if df["click"].sum() == 0 else ctr(df)), verbose=False)
    assert [f.case.note for f in report.failures] == ["no clicks at all"]


WRONG_BY_POSITION = {
    "unsorted": _guarded(lambda df: df.groupby("position", sort=False)["click"].mean().astype(float)),
    "wrong denominator (share of all impressions)": _guarded(
        lambda df: df.groupby("position")["click"].sum().astype(float) / len(df)),
    "click counts instead of rates": _guarded(lambda df: df.groupby("position")["click"].sum()),
    "all positions 1..10 with zeros": _guarded(
        lambda df: ctr_by_position(df).reindex(range(1, 11), fill_value=0.0)),
    "a DataFrame instead of a Series": _guarded(lambda df: df.groupby("position")[["click"]].mean()),
}


@pytest.mark.parametrize("name", list(WRONG_BY_POSITION))
def test_wrong_ctr_by_position_variants_fail(name):
    report = check("00.ctr_by_position", WRONG_BY_POSITION[name], verbose=False)
    assert not report.passed, name


def test_unsorted_series_is_explained():
    text = str(check("00.ctr_by_position", WRONG_BY_POSITION["unsorted"], verbose=False))
    assert "property 'sorted_by_position' violated: the index must be sorted by position" in text
    assert "positions arrive unsorted" in text


def test_empty_table_must_raise_value_error():
    def no_guard(impressions):
        return float(impressions["click"].mean())

    report = check("00.ctr", no_guard, verbose=False)
    assert [f.case.note for f in report.failures] == ["empty table: expected to raise ValueError"]
    assert "expected ValueError to be raised" in str(report)


def test_mutating_the_table_does_not_break_later_cases():
    def vandal(impressions):
        value = ctr(impressions)
        impressions["click"] = 1
        impressions.iloc[:, :] = -1
        return value

    assert check("00.ctr", vandal, verbose=False).passed


def test_random_cases_cover_bool_and_int_clicks():
    report = check("00.ctr", ctr, n_random=40, verbose=False)
    dtypes = {r.case.args[0]["click"].dtype for r in report.results if r.case.args[0].size}
    assert dtypes == {np.dtype(bool), np.dtype(np.int64)}
