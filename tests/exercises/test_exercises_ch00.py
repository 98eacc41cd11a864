"""The chapter 00 exercises: correct solutions pass, typical mistakes fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from companion.exercises import check, get_exercise


def _unique(impressions: pd.DataFrame, *columns: str) -> pd.DataFrame:
    if any(c not in impressions.columns for c in columns):
        raise ValueError(f"need columns {columns}")
    unique = impressions.drop_duplicates()
    if unique.empty:
        raise ValueError("no impressions")
    return unique


def ctr(impressions: pd.DataFrame) -> float:
    unique = _unique(impressions, "click")
    return float(unique["click"].mean())


def ctr_by_position(impressions: pd.DataFrame) -> pd.Series:
    unique = _unique(impressions, "click", "position")
    return unique.groupby("position")["click"].mean().astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_solutions_pass(seed):
    assert check("00.ctr", ctr, seed=seed, verbose=False).passed
    assert check("00.ctr_by_position", ctr_by_position, seed=seed, verbose=False).passed


def test_references_pass_their_own_check():
    for exercise_id in ("00.ctr", "00.ctr_by_position"):
        assert check(exercise_id, get_exercise(exercise_id).reference, n_random=50, verbose=False).passed


def _guarded(body, *columns):
    """A learner's function that validates like the reference and then computes ``body``."""
    def fn(impressions):
        _unique(impressions, "click", *columns)
        return body(impressions)

    return fn


def _col(impressions):
    """Checks the click column only (the mistakes below are about the empty table)."""
    if "click" not in impressions.columns:
        raise ValueError("need a click column")
    return impressions


def _dedup(body):
    return lambda df: body(df.drop_duplicates())


WRONG_CTR = {
    "off by one": _guarded(_dedup(lambda df: float(df["click"].sum()) / (len(df) + 1))),
    "wrong denominator (clicks per user)": _guarded(_dedup(
        lambda df: float(df["click"].sum()) / df["user_id"].nunique())),
    "returns int": _guarded(_dedup(lambda df: int(df["click"].sum()) // len(df))),
    "returns int 0 when nothing is clicked": _guarded(_dedup(
        lambda df: 0 if df["click"].sum() == 0 else float(df["click"].mean()))),
    "rounded": _guarded(_dedup(lambda df: round(float(df["click"].mean()), 2))),
    "counts duplicated rows twice": _guarded(lambda df: float(df["click"].mean())),
    "drops repeats of (user, item) as if they were duplicates": _guarded(
        lambda df: float(df.drop_duplicates(["user_id", "item_id"])["click"].mean())),
    "empty table gives 0.0": lambda df: float(_col(df).drop_duplicates()["click"].mean()) if len(df) else 0.0,
    "empty table gives NaN": lambda df: (
        float(_col(df).drop_duplicates()["click"].mean()) if len(df) else float("nan")),
    "empty table raises ZeroDivisionError": lambda df: (
        float(_col(df).drop_duplicates()["click"].sum()) / len(df.drop_duplicates())),
    "no check of the click column (KeyError)": lambda df: (
        float(df.drop_duplicates()["click"].mean()) if len(df) else _raise(ValueError("empty"))),
}


def _raise(exc):
    raise exc


@pytest.mark.parametrize("name", list(WRONG_CTR))
def test_wrong_ctr_variants_fail(name):
    report = check("00.ctr", WRONG_CTR[name], verbose=False)
    assert not report.passed, name
    assert report.n_failed >= 1


@pytest.mark.parametrize(("name", "note"), [
    ("returns int 0 when nothing is clicked", "no clicks at all: 0.0, a float"),
    ("counts duplicated rows twice", "a clicked row logged three times counts once: 1/4, not 3/6"),
    ("drops repeats of (user, item) as if they were duplicates",
     "same user and item in two requests: two impressions, 1/2"),
    ("empty table gives 0.0", "empty table: expected to raise ValueError"),
    ("empty table gives NaN", "empty table: expected to raise ValueError"),
    ("empty table raises ZeroDivisionError", "empty table: expected to raise ValueError"),
    ("no check of the click column (KeyError)", "no click column: expected to raise ValueError"),
])
def test_each_mistake_is_caught_by_its_named_reference_case(name, note):
    report = check("00.ctr", WRONG_CTR[name], n_random=0, verbose=False)
    assert note in [f.case.note for f in report.failures], [f.case.note for f in report.failures]


def test_duplicates_are_also_caught_by_random_cases_alone():
    report = check("00.ctr", WRONG_CTR["counts duplicated rows twice"], verbose=False)
    random_failures = [f for f in report.failures if f.label.startswith("random")]
    assert len(random_failures) >= 5


def test_returning_int_is_named_in_the_report():
    text = str(check("00.ctr", WRONG_CTR["returns int"], verbose=False))
    assert "expected a float, got int 0" in text


def test_empty_table_must_raise_value_error():
    report = check("00.ctr", WRONG_CTR["empty table gives NaN"], verbose=False)
    assert [f.case.note for f in report.failures] == ["empty table: expected to raise ValueError"]
    assert "expected ValueError to be raised" in str(report)


WRONG_BY_POSITION = {
    "unsorted": _guarded(_dedup(lambda df: df.groupby("position", sort=False)["click"].mean().astype(float)),
                         "position"),
    "wrong denominator (share of all impressions)": _guarded(_dedup(
        lambda df: df.groupby("position")["click"].sum().astype(float) / len(df)), "position"),
    "click counts instead of rates": _guarded(_dedup(lambda df: df.groupby("position")["click"].sum()),
                                              "position"),
    "all positions 1..10 with zeros": _guarded(
        lambda df: ctr_by_position(df).reindex(range(1, 11), fill_value=0.0), "position"),
    "a DataFrame instead of a Series": _guarded(_dedup(lambda df: df.groupby("position")[["click"]].mean()),
                                                "position"),
    "counts duplicated rows twice": _guarded(
        lambda df: df.groupby("position")["click"].mean().astype(float), "position"),
    "no check of the position column (KeyError)": _guarded(
        lambda df: df.drop_duplicates().groupby("position")["click"].mean().astype(float)),
}


@pytest.mark.parametrize("name", list(WRONG_BY_POSITION))
def test_wrong_ctr_by_position_variants_fail(name):
    report = check("00.ctr_by_position", WRONG_BY_POSITION[name], verbose=False)
    assert not report.passed, name


def test_unsorted_series_is_explained():
    text = str(check("00.ctr_by_position", WRONG_BY_POSITION["unsorted"], verbose=False))
    assert "property 'sorted_by_position' violated: the index must be sorted by position" in text
    assert "positions arrive unsorted" in text


def test_mutating_the_table_does_not_break_later_cases():
    def vandal(impressions):
        value = ctr(impressions)
        if len(impressions):
            impressions["click"] = 1
            impressions.iloc[:, :] = -1
        return value

    assert check("00.ctr", vandal, verbose=False).passed


def test_random_cases_cover_bool_and_int_clicks_with_and_without_duplicates():
    report = check("00.ctr", ctr, n_random=40, verbose=False)
    frames = [r.case.args[0] for r in report.results if r.label.startswith("random")]
    assert {f["click"].dtype for f in frames} == {np.dtype(bool), np.dtype(np.int64)}
    with_duplicates = [f.duplicated().any() for f in frames]
    assert 5 <= sum(with_duplicates) <= 35


def test_reference_cases_are_what_their_notes_say():
    cases = {c.note: c.args[0] for c in get_exercise("00.ctr").cases}
    reference = get_exercise("00.ctr").reference
    assert reference(cases["a clicked row logged three times counts once: 1/4, not 3/6"]) == 0.25
    assert cases["a clicked row logged three times counts once: 1/4, not 3/6"]["click"].mean() == 0.5
    assert reference(cases["unclicked rows logged twice count once: 1/3, not 1/5"]) == pytest.approx(1 / 3)
    assert reference(cases["same user and item in two requests: two impressions, 1/2"]) == 0.5
