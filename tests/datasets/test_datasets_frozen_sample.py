"""The frozen sample in datasets/ loads with verified checksums and matches a fresh generation."""

from __future__ import annotations

import pathlib

import numpy as np

from companion.datasets import content_sha256, load_world, read_manifest
from companion.world import make_world

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "world-tiny-seed0"


def test_frozen_sample_loads_with_verified_checksums():
    world = load_world(SAMPLE)  # raises ValueError on any checksum or row-count mismatch
    manifest = read_manifest(SAMPLE)
    assert len(world.events) == manifest["files"]["events.parquet"]["rows"] > 10_000
    assert world.config.name == "tiny" and world.seed == 0


def test_fresh_generation_reproduces_the_frozen_sample():
    """Same seed, same content: guards the generator against accidental changes of its random streams.

    If you change the world on purpose, regenerate the sample (see datasets/README.md).
    """
    manifest = read_manifest(SAMPLE)
    fresh = make_world("tiny", seed=0)
    for name, table in fresh.tables.items():
        assert content_sha256(table) == manifest["files"][f"{name}.parquet"]["content_sha256"], name
    assert content_sha256(fresh.truth.arrays()) == manifest["files"]["truth.npz"]["content_sha256"]
    frozen = load_world(SAMPLE)
    np.testing.assert_allclose(frozen.truth.attractiveness([0, 1], [2, 3], 4),
                               fresh.truth.attractiveness([0, 1], [2, 3], 4))
