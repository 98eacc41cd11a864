"""Poolings of padded histories: against hand computations, masks, limits, and errors."""

from __future__ import annotations

import numpy as np
import pytest

from companion.features import attention_pool, mean_pool, recency_pool


@pytest.fixture
def padded():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(4, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    return v, mask


def test_mean_pool_matches_loop_and_ignores_padding(padded):
    v, mask = padded
    out = mean_pool(v, mask)
    for r in range(4):
        expected = v[r][mask[r]].mean(axis=0) if mask[r].any() else np.zeros(3)
        np.testing.assert_allclose(out[r], expected)
    v2 = v.copy()
    v2[~mask] = 1e6  # garbage in padded slots changes nothing
    np.testing.assert_allclose(mean_pool(v2, mask), out)


def test_recency_pool_weights_halve_per_half_life(padded):
    v, mask = padded
    ages = np.tile(np.arange(5.0), (4, 1))
    out = recency_pool(v, mask, ages, half_life=1.0)
    w = 0.5 ** np.arange(3.0)
    np.testing.assert_allclose(out[0], (w[:, None] * v[0, :3]).sum(0) / w.sum())
    np.testing.assert_allclose(recency_pool(v, mask, ages, half_life=1e9), mean_pool(v, mask), atol=1e-8)


def test_attention_pool_limits(padded):
    v, mask = padded
    q = v[:, 0, :]
    np.testing.assert_allclose(attention_pool(v, mask, q, temperature=1e9), mean_pool(v, mask), atol=1e-6)
    sharp = attention_pool(v, mask, q, temperature=1e-6)
    best = np.argmax(np.where(mask, np.einsum("nld,nd->nl", v, q), -np.inf), axis=1)
    np.testing.assert_allclose(sharp[3], v[3, best[3]], atol=1e-6)
    assert np.all(sharp[2] == 0)  # an empty history pools to zeros, without NaN


@pytest.mark.parametrize(("call", "match"), [
    (lambda v, m: mean_pool(v[0], m), "3-dimensional"),
    (lambda v, m: mean_pool(v, m[:, :4]), "mask"),
    (lambda v, m: mean_pool(v, m.astype(int)), "boolean"),
    (lambda v, m: recency_pool(v, m, -np.ones(m.shape), half_life=1.0), "ages"),
    (lambda v, m: recency_pool(v, m, np.ones(m.shape), half_life=0.0), "half_life"),
    (lambda v, m: attention_pool(v, m, np.ones(4)), "query"),
    (lambda v, m: attention_pool(v, m, np.ones(3), temperature=-1), "temperature"),
    (lambda v, m: mean_pool(np.where(m[..., None], np.nan, v), m), "finite"),
])
def test_bad_input_names_the_parameter(padded, call, match):
    v, mask = padded
    with pytest.raises((ValueError, TypeError), match=match):
        call(v, mask)
