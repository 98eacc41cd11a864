"""Performance sanity without timing assertions: worlds are big enough to matter, imports stay light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "gensim", "lightgbm", "sklearn", "duckdb")
# Run in order in one fresh interpreter; after each step, record which heavy modules are loaded.
STEPS = (
    "import companion",
    "import companion.world",
    "from companion.world import make_world",
    "import companion.datasets",
    "make_world('tiny', seed=0)",
)


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    lines = ["import json, sys", "out = {}"]
    for step in STEPS:
        lines += [step, f"out[{step!r}] = [m for m in {list(HEAVY)!r} if m in sys.modules]"]
    lines.append("print(json.dumps(out))")
    proc = subprocess.run([sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_tiny_world_has_enough_events(tiny_world):
    # tiny is the unit-test world, but it must still be big enough for statistics to mean something.
    assert len(tiny_world.events) > 10_000
    assert tiny_world.events["click"].sum() > 500
    assert tiny_world.events["explore"].sum() > 1_000


def test_import_companion_is_light(loaded):
    assert loaded["import companion"] == []


@pytest.mark.parametrize("step", STEPS[1:])
def test_world_and_datasets_stay_light(loaded, step):
    # duckdb is imported inside connect(), lightgbm/sklearn only by the chapters that fit models.
    assert loaded[step] == [], step
