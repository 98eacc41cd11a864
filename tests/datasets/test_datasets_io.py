"""Saving and loading worlds: parquet + manifest, checksum-verified (chapter 03)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from companion.datasets import content_sha256, file_sha256, load_world, read_manifest, save_world

TABLE_FILES = ("users.parquet", "items.parquet", "events.parquet", "topics.parquet")


@pytest.fixture(scope="module")
def saved(tiny_world, tmp_path_factory) -> Path:
    """The tiny world saved once; tests that damage it work on a copy (see ``copy``)."""
    folder = tmp_path_factory.mktemp("saved") / "tiny"
    save_world(tiny_world, folder)
    return folder


@pytest.fixture
def copy(saved, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(saved, target)
    return target


def assert_same_world(a, b) -> None:
    assert a.seed == b.seed and a.config == b.config
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(b.tables[name], table, check_exact=True, obj=name)
    arrays_a, arrays_b = a.truth.arrays(), b.truth.arrays()
    assert arrays_a.keys() == arrays_b.keys()
    for name, arr in arrays_a.items():
        assert arrays_b[name].dtype == arr.dtype, name
        np.testing.assert_array_equal(arrays_b[name], arr, err_msg=name)


# ------------------------------------------------------------------ round trip and manifest
def test_round_trip_equals_original(tiny_world, saved):
    loaded = load_world(saved)
    assert_same_world(tiny_world, loaded)
    assert repr(loaded) == repr(tiny_world)
    # The loaded truth still works as the true model.
    e = tiny_world.events.iloc[:100]
    args = [e[c].to_numpy() for c in ("user_id", "item_id", "day", "position")]
    np.testing.assert_array_equal(loaded.truth.click_probability(*args),
                                  tiny_world.truth.click_probability(*args))


def test_round_trip_accepts_str_path(tiny_world, saved):
    assert_same_world(tiny_world, load_world(str(saved)))


def test_manifest_records_checksums_and_rows(tiny_world, saved):
    manifest = read_manifest(saved)
    assert manifest["format"] == "companion-world/1"
    assert manifest["seed"] == 0
    assert manifest["config"]["name"] == "tiny" and manifest["config"]["n_days"] == 14
    assert set(manifest["files"]) == {*TABLE_FILES, "truth.npz"}
    for name, table in tiny_world.tables.items():
        entry = manifest["files"][f"{name}.parquet"]
        assert entry["rows"] == len(table)
        assert entry["sha256"] == file_sha256(saved / f"{name}.parquet")
        assert entry["bytes"] == (saved / f"{name}.parquet").stat().st_size
        assert entry["content_sha256"] == content_sha256(table)
        assert len(entry["sha256"]) == 64 and len(entry["content_sha256"]) == 64
    truth = manifest["files"]["truth.npz"]
    assert truth["rows"] is None
    assert truth["content_sha256"] == content_sha256(tiny_world.truth.arrays())


def test_content_sha256_is_stable_across_save_and_load(tiny_world, saved, tmp_path):
    loaded = load_world(saved)
    for name, table in loaded.tables.items():
        assert content_sha256(table) == content_sha256(tiny_world.tables[name]), name
    assert content_sha256(loaded.truth.arrays()) == content_sha256(tiny_world.truth.arrays())
    # Saving the loaded world again records the same content hashes.
    save_world(loaded, tmp_path / "again")
    first, second = read_manifest(saved)["files"], read_manifest(tmp_path / "again")["files"]
    for key in ("content_sha256", "rows"):
        assert {k: v[key] for k, v in first.items()} == {k: v[key] for k, v in second.items()}, key


def test_content_sha256_sees_content_not_format(tiny_world):
    users = tiny_world.users
    assert content_sha256(users) == content_sha256(users.copy())
    changed = users.copy()
    changed.loc[0, "country"] = "XX"
    assert content_sha256(changed) != content_sha256(users)
    assert content_sha256(users.rename(columns={"device": "platform"})) != content_sha256(users)
    assert content_sha256(users.astype({"user_id": "int64"})) == content_sha256(users)  # same kind, values
    assert content_sha256(users.astype({"user_id": "float64"})) != content_sha256(users)


def test_different_worlds_have_different_content_hashes(tiny_world, saved, tmp_path):
    from companion.world import make_world

    save_world(make_world("tiny", seed=1), tmp_path / "seed1")
    a, b = read_manifest(saved)["files"], read_manifest(tmp_path / "seed1")["files"]
    for name in ("users.parquet", "items.parquet", "events.parquet", "truth.npz"):
        assert a[name]["content_sha256"] != b[name]["content_sha256"], name
    assert a["topics.parquet"]["content_sha256"] == b["topics.parquet"]["content_sha256"]  # seed-free


# ------------------------------------------------------------------ corruption
def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", TABLE_FILES)
def test_flipped_byte_is_a_checksum_mismatch(copy, name):
    flip_byte(copy / name)
    with pytest.raises(ValueError, match=rf"checksum mismatch for '{name}'.*verify=False"):
        load_world(copy)


def test_appended_byte_is_a_checksum_mismatch(copy):
    with open(copy / "events.parquet", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ValueError, match=r"checksum mismatch for 'events.parquet'"):
        load_world(copy)


def test_corrupted_truth_is_a_checksum_mismatch(copy):
    flip_byte(copy / "truth.npz")
    with pytest.raises(ValueError, match=r"checksum mismatch for 'truth.npz'"):
        load_world(copy)


def test_edited_table_is_a_checksum_mismatch(copy, tiny_world):
    # A well-formed parquet with different content (one click flipped) is caught just the same.
    events = tiny_world.events.copy()
    events.loc[0, "click"] = not events.loc[0, "click"]
    events.to_parquet(copy / "events.parquet", index=False)
    with pytest.raises(ValueError, match=r"checksum mismatch for 'events.parquet'"):
        load_world(copy)


def test_verify_false_skips_the_checksum(copy, tiny_world):
    # Re-encode a table with another compression: different bytes, same content.
    tiny_world.users.to_parquet(copy / "users.parquet", index=False, compression="gzip")
    assert file_sha256(copy / "users.parquet") != read_manifest(copy)["files"]["users.parquet"]["sha256"]
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_world(copy)
    assert_same_world(tiny_world, load_world(copy, verify=False))


# ------------------------------------------------------------------ missing or malformed pieces
def test_missing_file(copy):
    (copy / "items.parquet").unlink()
    with pytest.raises(ValueError, match=r"dataset file 'items.parquet' listed in the manifest is missing"):
        load_world(copy)


def test_missing_truth_file(copy):
    (copy / "truth.npz").unlink()
    with pytest.raises(ValueError, match=r"'truth.npz' listed in the manifest is missing"):
        load_world(copy)


def test_missing_manifest(copy):
    (copy / "manifest.json").unlink()
    with pytest.raises(ValueError, match=r"has no manifest.json; write datasets with .*save_world"):
        load_world(copy)


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"`path` must be a dataset folder; .* does not exist"):
        load_world(tmp_path / "nowhere")


def test_malformed_json(copy):
    (copy / "manifest.json").write_text('{"format": "companion-world/1", "files": {')
    with pytest.raises(ValueError, match=r"manifest.json is not valid JSON"):
        load_world(copy)


@pytest.mark.parametrize("body", [
    {"format": "something-else/1", "files": {}},
    {"files": {}},
    {"format": "companion-world/1", "files": []},
    [],
])
def test_wrong_format_tag(copy, body):
    (copy / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(ValueError, match=r"not a companion manifest \(expected format 'companion-world/1'"):
        load_world(copy)


def test_manifest_without_a_table(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]["topics.parquet"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"lists no 'topics.parquet'; it is not a world dataset"):
        load_world(copy)


def test_row_count_mismatch(copy):
    # A manifest edited consistently for the bytes but not for the rows is still refused.
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["users.parquet"]["rows"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"'users.parquet' has 300 rows; the manifest says 301"):
        load_world(copy)


# ------------------------------------------------------------------ overwriting and arguments
def test_refuses_to_overwrite(tiny_world, copy):
    before = (copy / "manifest.json").read_text()
    with pytest.raises(ValueError, match=r"already holds a dataset; pass overwrite=True"):
        save_world(tiny_world, copy)
    assert (copy / "manifest.json").read_text() == before


def test_overwrite_true_replaces(tiny_world, copy):
    from companion.world import make_world

    other = make_world("tiny", seed=1)
    assert save_world(other, copy, overwrite=True) == copy / "manifest.json"
    assert_same_world(other, load_world(copy))


def test_save_creates_nested_folders(tiny_world, tmp_path):
    target = tmp_path / "a" / "b" / "c"
    path = save_world(tiny_world, target)
    assert path == target / "manifest.json" and path.is_file()
    assert sorted(p.name for p in target.iterdir()) == sorted([*TABLE_FILES, "truth.npz", "manifest.json"])


def test_argument_types(tiny_world, saved, tmp_path):
    with pytest.raises(TypeError, match=r"`world` must be World; got DataFrame"):
        save_world(tiny_world.users, tmp_path / "x")
    with pytest.raises(TypeError, match=r"`path` must be str or Path; got int"):
        save_world(tiny_world, 42)
    with pytest.raises(TypeError, match=r"`path` must be str or Path; got NoneType"):
        load_world(None)
    with pytest.raises(TypeError, match=r"`verify` must be True or False; got str 'no'"):
        load_world(saved, verify="no")
    assert not (tmp_path / "x").exists()


def test_manifest_without_truth(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]["truth.npz"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"truth.npz"):
        load_world(copy)
