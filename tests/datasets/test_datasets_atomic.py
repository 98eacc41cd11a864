"""Datasets that never lose or lie: atomic saves under kill -9, strict arguments, edited manifests refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from companion.datasets import content_sha256, load_world, save_world

WRITER = """
import sys
from companion.datasets import save_world
from companion.world import make_world
world = make_world("tiny", seed=int(sys.argv[2]))
print("ready", flush=True)
save_world(world, sys.argv[1], overwrite=True)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def hashes(tiny_world):
    from companion.world import make_world

    new = make_world("tiny", seed=1)
    return content_sha256(tiny_world.events), content_sha256(new.events)


def test_kill_at_random_points_never_loses_the_old_world(tiny_world, hashes, tmp_path):
    # Kill the writer (SIGKILL) at random moments of an overwrite, again and again: the folder must
    # always load, as the old world or, once a save completed, as the new one; temp folders never pile up.
    old_hash, new_hash = hashes
    target = tmp_path / "world"
    save_world(tiny_world, target)
    rng = np.random.default_rng(0)
    outcomes = {"old": 0, "new": 0}
    for trial in range(10):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), "1"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.0, 0.25)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = load_world(target)
        got = content_sha256(loaded.events)
        assert got in (old_hash, new_hash), f"trial {trial}: a mixed or corrupt world"
        outcomes["old" if got == old_hash else "new"] += 1
        if got == new_hash:  # put the old world back for the next trial
            save_world(tiny_world, target, overwrite=True)
        assert len(list(tmp_path.glob(".world.tmp-*"))) <= 1  # at most the one the killed writer left
    save_world(tiny_world, target, overwrite=True)
    assert not list(tmp_path.glob(".world.tmp-*"))  # the next save cleans up what killed writers left
    assert outcomes["old"] > 0  # the kill did land mid-write at least once


def test_completed_save_loads_the_new_world(tiny_world, hashes, tmp_path):
    target = tmp_path / "world"
    save_world(tiny_world, target)
    proc = subprocess.run([sys.executable, "-c", WRITER, str(target), "1"], capture_output=True, text=True,
                          check=True, timeout=120)
    assert proc.stdout.split() == ["ready", "done"]
    assert content_sha256(load_world(target).events) == hashes[1]


@pytest.mark.parametrize("flag", ["no", 1, None, "True"])
def test_overwrite_must_be_a_strict_boolean(tiny_world, tmp_path, flag):
    save_world(tiny_world, tmp_path / "w")
    with pytest.raises(TypeError, match="`overwrite` must be True or False"):
        save_world(tiny_world, tmp_path / "w", overwrite=flag)


def test_refuses_a_file_or_a_foreign_folder(tiny_world, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        save_world(tiny_world, tmp_path / "file")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_text("x")
    with pytest.raises(ValueError, match="holds other files"):
        save_world(tiny_world, tmp_path / "photos", overwrite=True)
    assert (tmp_path / "photos" / "cat.jpg").exists()


def test_failed_write_leaves_no_partial_files(tiny_world, tmp_path, monkeypatch):
    import companion.datasets.io as io

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(io, "write_manifest", boom)
    with pytest.raises(OSError, match="disk full"):
        save_world(tiny_world, tmp_path / "w")
    assert sorted(os.listdir(tmp_path)) == []


# ------------------------------------------------------------------ edited manifests are refused
@pytest.fixture
def copy(tiny_world, tmp_path) -> Path:
    folder = tmp_path / "copy"
    save_world(tiny_world, folder)
    return folder


def _edit(folder: Path, fn) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    fn(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(("edit", "match"), [
    (lambda m: m["config"].update(n_users=3000), "config says 3000 users"),
    (lambda m: m["config"].update(n_items=100), "config says"),
    (lambda m: m["config"].update(n_factors=4), "user_factors"),
    (lambda m: m["config"].update(slate_size=5), "position_bias"),
    (lambda m: m["config"].update(n_users="many"), "invalid config"),
    (lambda m: m["config"].update(colour="blue"), "invalid config"),
    (lambda m: m["config"]["engagement"].update(affinity=float("nan")), "invalid config"),
    (lambda m: m.update(seed=-3), "invalid `seed`"),
    (lambda m: m.update(seed="zero"), "invalid `seed`"),
    (lambda m: m.pop("config"), "no `config`"),
    (lambda m: m["files"]["users.parquet"].update(sha256="abc"), "invalid sha256"),
    (lambda m: m["files"]["users.parquet"].update(rows=-1), "invalid row count"),
    (lambda m: m["files"].update({"users.parquet": "x"}), "must be an object"),
])
def test_edited_manifest_is_refused(copy, edit, match):
    _edit(copy, edit)
    with pytest.raises(ValueError, match=match):
        load_world(copy)


def test_table_from_another_world_is_refused_even_with_its_checksum(copy, tmp_path):
    # Swap users.parquet for a 30-user table and fix its checksum and rows in the manifest: the config
    # still says 300 users, so the world does not load.
    from companion.datasets import file_sha256
    from companion.world import make_world

    small = make_world("tiny", seed=0, n_users=30)
    small.users.to_parquet(copy / "users.parquet", index=False)
    _edit(copy, lambda m: m["files"]["users.parquet"].update(sha256=file_sha256(copy / "users.parquet"), rows=30))
    with pytest.raises(ValueError, match="config says 300 users"):
        load_world(copy)


def test_truth_with_missing_array_is_refused(copy):
    from companion.datasets import file_sha256

    with np.load(copy / "truth.npz") as npz:
        arrays = {k: npz[k] for k in npz.files if k != "item_series"}
    np.savez(copy / "truth.npz", **arrays)
    _edit(copy, lambda m: m["files"]["truth.npz"].update(sha256=file_sha256(copy / "truth.npz")))
    with pytest.raises(ValueError, match="item_series"):
        load_world(copy)


def test_copy_still_loads(copy, tiny_world):
    assert content_sha256(load_world(copy).items) == content_sha256(tiny_world.items)
    shutil.rmtree(copy)
