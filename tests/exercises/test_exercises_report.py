"""The report: every failure listed with its inputs, expected value and what went wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd

from companion.exercises import Case, CaseResult, Exercise, check
from companion.exercises._report import CheckReport, format_value


def _scale(values, factor=2):
    return [v * factor for v in values]


EX = Exercise(
    id="98.scale", title="Scale a list", chapter="98", reference=_scale,
    cases=(
        Case(([11, 22],), note="first"),
        Case(([333],), {"factor": 5}, note="second"),
        Case(([4444, 5555],), {"factor": -1}),
    ),
)


def test_report_lists_every_failure_with_its_inputs():
    report = check(EX, lambda values, factor=2: [v * factor + 1 for v in values], verbose=False)
    text = str(report)
    assert report.n_failed == 3
    for i, label in enumerate(["reference case 1 of 3 (first)", "reference case 2 of 3 (second)",
                               "reference case 3 of 3"], start=1):
        assert f"[{i}] {label} -- FAILED" in text
    # Inputs are named after the reference's parameters, keyword arguments included.
    assert "values = [11, 22]" in text
    assert "values = [333]" in text and "factor = 5" in text
    assert "values = [4444, 5555]" in text and "factor = -1" in text
    assert "expected: [22, 44]" in text and "got:      [23, 45]" in text
    assert "problem:  at [0]: expected 22, got 23" in text


def test_passing_report_is_one_line():
    report = check(EX, _scale, verbose=False)
    assert str(report) == "PASSED 98.scale: all 3 cases passed (seed=0)."
    assert repr(report) == "<CheckReport 98.scale: passed>"


def test_failed_repr_and_empty_report():
    report = check(EX, lambda values, factor=2: None, verbose=False)
    assert repr(report) == "<CheckReport 98.scale: failed 3/3>"
    assert not CheckReport("98.x", "x", 0).passed


def test_case_result_text_for_a_raised_exception():
    result = CaseResult("reference case 1 of 1", Case((1,)), [("x", 1)], status="error",
                        problems=["your function raised an exception"], expected=2,
                        error="KeyError: 'click'", learner_line="line 3 in f: return df['click']")
    text = result.to_text()
    assert text.splitlines() == [
        "reference case 1 of 1 -- ERROR",
        "inputs:",
        "    x = 1",
        "expected: 2",
        "raised:   KeyError: 'click'",
        "at:       line 3 in f: return df['click']",
        "problem:  your function raised an exception",
    ]
    assert not result.passed


def test_format_value_tables_and_arrays():
    frame = pd.DataFrame({"position": np.arange(100), "click": np.zeros(100, dtype=bool)})
    text = format_value(frame)
    assert text.startswith("DataFrame (100 rows x 2 columns; position: int64, click: bool)")
    assert len(text.splitlines()) <= 12 and "..." in text
    assert format_value(frame.iloc[:0]).endswith("columns ['position', 'click']")
    assert format_value(frame["click"]).startswith("Series (100 rows, dtype bool)")
    assert format_value(np.arange(3)).startswith("array(shape=(3,), dtype=int64)\n[0 1 2]")
    assert format_value(np.float64(0.5)) == "np.float64(0.5)"
    assert format_value("x" * 1000).endswith("...") and len(format_value("x" * 1000)) == 600
