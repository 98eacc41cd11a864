"""Write a world to parquet with a manifest, and read it back with its checksums verified.

Saving never loses or half-writes a dataset: everything is written into a temporary sibling folder,
flushed to disk, and only then swapped into place in one atomic step (Linux ``renameat2`` with
``RENAME_EXCHANGE``; elsewhere two renames, with the old folder kept until the new one is in place).
A writer killed at any moment leaves either the old dataset or the new one at ``path``, plus at most a
hidden ``.NAME.tmp-*`` folder that the next save removes. Loading refuses anything that does not agree
with its manifest: checksums, row counts, columns, and the world's config (users, items, truth shapes).
Taught in chapter 03.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._validation import check_bool, check_path, check_type
from .manifest import _read_manifest, content_sha256, file_sha256, manifest_entry, verify_file, write_manifest

__all__ = ["load_world", "save_world"]

TABLES = ("users", "items", "events", "topics")
#: Columns every saved table must have (what load_world checks against the files).
COLUMNS = {
    "users": ("user_id", "signup_day", "country", "language", "age_bucket", "device"),
    "items": ("item_id", "creator_id", "creator_country", "topic", "title", "description", "duration_s", "upload_day"),
    "events": ("request_id", "day", "ts", "user_id", "item_id", "position", "explore", "click", "watch_s", "like",
               "share", "hide"),
    "topics": ("topic_id", "topic", "vocabulary"),
}
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system or kernel cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _write_all(world, folder: Path) -> None:
    files: dict[str, dict] = {}
    for name, table in world.tables.items():
        target = folder / f"{name}.parquet"
        table.to_parquet(target, index=False)
        files[target.name] = {"sha256": file_sha256(target), "rows": len(table), "bytes": target.stat().st_size,
                              "content_sha256": content_sha256(table)}
    arrays = world.truth.arrays()
    target = folder / "truth.npz"
    np.savez(target, **arrays)
    files[target.name] = {"sha256": file_sha256(target), "rows": None, "bytes": target.stat().st_size,
                          "content_sha256": content_sha256(arrays)}
    meta = {"companion_version": __version__, "seed": world.seed, "config": world.config.to_dict()}
    write_manifest(folder, files=files, meta=meta)  # written last: a folder without it is incomplete
    for f in folder.iterdir():
        _fsync(f)
    _fsync(folder)


def save_world(world, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``world`` to ``path``: one parquet file per table, ``truth.npz`` and ``manifest.json``.

    Parameters
    ----------
    world : companion.world.World
    path : str or Path
        Target folder; created if missing (with its parents). It must not be a file, nor a folder that
        holds anything but a saved world.
    overwrite : bool, default False
        Replace a world already saved at ``path``. The replacement is atomic: a reader or a crash sees
        the old world or the new one, never a mix.

    Returns
    -------
    Path of the manifest.
    """
    from ..world import World

    check_type("world", world, World)
    check_path("path", path)
    check_bool("overwrite", overwrite)
    folder = Path(path).absolute()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"`path` {str(path)!r} is a file; pass a folder path.")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / "manifest.json").is_file():
            raise ValueError(f"`path` {str(path)!r} is a folder that holds other files and no saved world; "
                             "pass an empty or new folder.")
        if not overwrite:
            raise ValueError(f"`path` {str(path)!r} already holds a dataset; pass overwrite=True to replace it.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stale in folder.parent.glob(f".{folder.name}.tmp-*"):  # left by a writer that was killed
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a dataset folder is an ordinary folder
    try:
        _write_all(world, tmp)
        if not folder.exists():
            os.rename(tmp, folder)
        elif _exchange(tmp, folder):
            shutil.rmtree(tmp)  # tmp now holds the old world
        else:  # no atomic exchange here: keep the old folder until the new one is in place
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-old-", dir=folder.parent))
            os.rmdir(old)
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old)
        _fsync(folder.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder / "manifest.json"


def _check_manifest_fields(manifest: dict, folder: Path) -> None:
    seed = manifest.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the manifest in {str(folder)!r} has an invalid `seed` {seed!r}; expected an int >= 0.")
    if not isinstance(manifest.get("config"), dict):
        raise ValueError(f"the manifest in {str(folder)!r} has no `config` object.")
    for name, entry in manifest["files"].items():
        if not isinstance(entry, dict):
            raise ValueError(f"the manifest entry for {name!r} must be an object; got {entry!r}.")
        sha = entry.get("sha256")
        if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
            raise ValueError(f"the manifest entry for {name!r} has an invalid sha256 {sha!r}.")
        rows = entry.get("rows")
        if name.endswith(".parquet") and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
            raise ValueError(f"the manifest entry for {name!r} has an invalid row count {rows!r}.")


def _check_agreement(config, tables: dict[str, pd.DataFrame], arrays: dict[str, np.ndarray], folder: Path) -> None:
    """The manifest's config must describe the tables and the truth that are actually there."""
    for name, cols in COLUMNS.items():
        missing = [c for c in cols if c not in tables[name].columns]
        if missing:
            raise ValueError(f"{name}.parquet in {str(folder)!r} lacks column(s) {missing}; it is not a world table.")
    n_users, n_items = len(tables["users"]), len(tables["items"])
    if (n_users, n_items, len(tables["topics"])) != (config.n_users, config.n_items, config.n_topics):
        raise ValueError(
            f"the manifest's config says {config.n_users} users, {config.n_items} items and {config.n_topics} "
            f"topics, but the tables in {str(folder)!r} hold {n_users}, {n_items} and {len(tables['topics'])}; "
            "the manifest or the files were edited."
        )
    shapes = {"taste": (n_users, config.n_topics), "user_factors": (n_users, config.n_factors),
              "item_factors": (n_items, config.n_factors), "quality": (n_items,),
              "position_bias": (config.slate_size,)}
    for name, shape in shapes.items():
        if name not in arrays or arrays[name].shape != shape:
            got = arrays[name].shape if name in arrays else "missing"
            raise ValueError(f"truth.npz array {name!r} must have shape {shape} for this config; got {got}.")
    ids = tables["users"]["user_id"].to_numpy()
    if not np.array_equal(ids, np.arange(n_users)) or not np.array_equal(tables["items"]["item_id"].to_numpy(),
                                                                         np.arange(n_items)):
        raise ValueError(f"user and item ids in {str(folder)!r} must be 0..n-1 in order.")


def load_world(path: str | Path, *, verify: bool = True):
    """Read a world written by :func:`save_world`, verifying every file's sha256 by default.

    Raises
    ------
    ValueError
        If the manifest is missing or malformed, a file is missing, a checksum or row count does not
        match (a corrupted or edited file), or the manifest's config does not describe the tables and the
        truth that are there (an edited manifest).
    """
    from ..world import Truth, World, WorldConfig

    folder = check_path("path", path)
    check_bool("verify", verify)
    manifest = _read_manifest(folder, "path")
    _check_manifest_fields(manifest, folder)
    tables = {}
    for name in TABLES:
        fname = f"{name}.parquet"
        entry = manifest_entry(manifest, fname, folder)
        file = verify_file(folder, fname, entry) if verify else folder / fname
        tables[name] = pd.read_parquet(file)
        if len(tables[name]) != entry["rows"]:
            raise ValueError(f"{fname!r} has {len(tables[name])} rows; the manifest says {entry['rows']}.")
    entry = manifest_entry(manifest, "truth.npz", folder)
    truth_file = verify_file(folder, "truth.npz", entry) if verify else folder / "truth.npz"
    try:
        config = WorldConfig.from_dict(json.loads(json.dumps(manifest["config"])))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the manifest in {str(folder)!r} has an invalid config: {exc}") from exc
    with np.load(truth_file, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    _check_agreement(config, tables, arrays, folder)
    expected = set(Truth.__dataclass_fields__) - {"config"}
    if set(arrays) != expected:
        raise ValueError(f"truth.npz in {str(folder)!r} holds arrays {sorted(set(arrays) ^ expected)} that do not "
                         "match this version of companion; regenerate the dataset (see its card).")
    truth = Truth(config=config, **arrays)
    return World(config, int(manifest["seed"]), tables["users"], tables["items"], tables["events"],
                 tables["topics"], truth)
