"""Chapter 02 exercises: the references pass, known-wrong variants fail."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from companion.exercises import check


def fresh_share(events: pd.DataFrame, items: pd.DataFrame) -> float:
    if len(events) == 0:
        raise ValueError("no impressions")
    upload = items.set_index("item_id")["upload_day"]
    return float((upload.loc[events["item_id"]].to_numpy() == events["day"].to_numpy()).mean())


def retrieval_recall(candidates, ideal) -> float:
    if len(candidates) != len(ideal) or not ideal:
        raise ValueError("one candidate list per ideal list")
    return float(np.mean([len(set(c) & set(t)) / len(t) for c, t in zip(candidates, ideal, strict=True)]))


def test_solutions_pass():
    assert check("02.fresh_share", fresh_share, verbose=False).passed
    assert check("02.retrieval_recall", retrieval_recall, verbose=False).passed


def _positional_upload(events, items):
    # Wrong: looks the upload day up by row position instead of by item id.
    if len(events) == 0:
        raise ValueError("no impressions")
    return float((items["upload_day"].to_numpy()[events["item_id"].to_numpy() % len(items)]
                  == events["day"].to_numpy()).mean())


def _within_a_day(events, items):
    # Wrong: counts items up to a day old as fresh.
    if len(events) == 0:
        raise ValueError("no impressions")
    upload = items.set_index("item_id")["upload_day"].loc[events["item_id"]].to_numpy()
    return float((events["day"].to_numpy() - upload <= 1).mean())


@pytest.mark.parametrize("wrong", [_positional_upload, _within_a_day])
def test_wrong_fresh_share_fails(wrong):
    assert not check("02.fresh_share", wrong, verbose=False).passed


def _pooled_recall(candidates, ideal):
    # Wrong: pools all requests instead of averaging per request.
    if len(candidates) != len(ideal) or not ideal:
        raise ValueError("mismatch")
    hits = sum(len(set(c) & set(t)) for c, t in zip(candidates, ideal, strict=True))
    return hits / sum(len(t) for t in ideal)


def _precision_not_recall(candidates, ideal):
    if len(candidates) != len(ideal) or not ideal:
        raise ValueError("mismatch")
    return float(np.mean([len(set(c) & set(t)) / len(c) for c, t in zip(candidates, ideal, strict=True)]))


def _no_length_check(candidates, ideal):
    # Wrong: zips lists of different lengths silently (and averages nothing on an empty input).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.mean([len(set(c) & set(t)) / len(t) for c, t in zip(candidates, ideal, strict=False)]))


def _zero_when_empty(candidates, ideal):
    # Wrong: a recall over no requests is undefined; returning 0 hides an upstream bug.
    if len(candidates) != len(ideal):
        raise ValueError("mismatch")
    if not ideal:
        return 0.0
    return float(np.mean([len(set(c) & set(t)) / len(t) for c, t in zip(candidates, ideal, strict=True)]))


def _nan_when_empty(candidates, ideal):
    # Wrong: checks the lengths but lets np.mean of nothing return NaN (with a RuntimeWarning).
    if len(candidates) != len(ideal):
        raise ValueError("mismatch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.mean([len(set(c) & set(t)) / len(t) for c, t in zip(candidates, ideal, strict=True)]))


def _ignores_duplicates_wrongly(candidates, ideal):
    # Wrong: counts matches list-wise, so a candidate repeated three times counts three times.
    if len(candidates) != len(ideal) or not ideal:
        raise ValueError("mismatch")
    return float(np.mean([sum(x in set(t) for x in c) / len(t) for c, t in zip(candidates, ideal, strict=True)]))


@pytest.mark.parametrize("wrong", [_pooled_recall, _precision_not_recall, _no_length_check, _zero_when_empty,
                                   _nan_when_empty, _ignores_duplicates_wrongly])
def test_wrong_recall_fails(wrong):
    assert not check("02.retrieval_recall", wrong, verbose=False).passed


@pytest.mark.parametrize("wrong", [_zero_when_empty, _nan_when_empty])
def test_empty_input_is_the_case_that_catches_it(wrong):
    report = check("02.retrieval_recall", wrong, verbose=False, n_random=0)
    assert [r.label for r in report.failures] and all("no requests" in r.label for r in report.failures)


def _zero_when_no_impressions(events, items):
    # Wrong: an empty impression table has no fresh share; 0.0 would read as "nothing fresh".
    if len(events) == 0:
        return 0.0
    return fresh_share(events, items)


def test_fresh_share_zero_for_empty_fails():
    assert not check("02.fresh_share", _zero_when_no_impressions, verbose=False).passed
