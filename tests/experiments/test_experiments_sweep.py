"""seed_sweep and summarize_sweep: tidy tables, spreads, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from companion.experiments import seed_sweep, summarize_sweep


def test_one_row_per_seed_in_order():
    table = seed_sweep(lambda s: {"a": s * 1.5, "b": -s}, [3, 1, 2])
    assert table["seed"].tolist() == [3, 1, 2]
    assert table["a"].tolist() == [4.5, 1.5, 3.0]


def test_summary_matches_numpy():
    rng = np.random.default_rng(0)
    values = rng.normal(size=5)
    table = seed_sweep(lambda s: {"v": values[s]}, range(5))
    row = summarize_sweep(table).loc["v"]
    assert row["mean"] == pytest.approx(values.mean())
    assert row["sd"] == pytest.approx(values.std(ddof=1))
    assert (row["min"], row["max"], row["n"]) == (values.min(), values.max(), 5)


@pytest.mark.parametrize(("seeds", "match"), [([0], "at least two"), ([1, 1], "distinct"), ([0, -1], "non-negative"),
                                              ([0, 1.5], "non-negative ints"), ("01", "iterable of ints")])
def test_bad_seeds(seeds, match):
    with pytest.raises((ValueError, TypeError), match=match):
        seed_sweep(lambda s: {"x": 1.0}, seeds)


def test_fn_must_return_the_same_numeric_metrics():
    with pytest.raises(ValueError, match="same metrics"):
        seed_sweep(lambda s: {"x": 1.0} if s == 0 else {"y": 1.0}, [0, 1])
    with pytest.raises(TypeError, match="non-number"):
        seed_sweep(lambda s: {"x": "high"}, [0, 1])
    with pytest.raises(TypeError, match="mapping"):
        seed_sweep(lambda s: 1.0, [0, 1])
    with pytest.raises(TypeError, match="callable"):
        seed_sweep(3, [0, 1])


def test_summary_needs_a_sweep_table():
    import pandas as pd

    with pytest.raises(ValueError, match="seed_sweep table"):
        summarize_sweep(pd.DataFrame({"x": [1.0, 2.0]}))
