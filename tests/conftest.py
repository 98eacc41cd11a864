"""Shared fixtures: generated worlds, built once per test session.

The worlds are treated as read-only by every test (tables and truth arrays are shared objects);
a test that needs to mutate something copies it first.
"""

from __future__ import annotations

import pytest

from companion.world import World, make_world


@pytest.fixture(scope="session")
def tiny_world() -> World:
    """``make_world("tiny", seed=0)``: 300 users, 14 days, ~20k impressions (~0.3 s)."""
    return make_world("tiny", seed=0)


@pytest.fixture(scope="session")
def small_world() -> World:
    """``make_world("small", seed=0)``: 3,000 users, 28 days, ~350k impressions (~2.5 s)."""
    return make_world("small", seed=0)
