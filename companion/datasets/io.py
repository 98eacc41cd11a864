"""Write a world to parquet with a manifest, and read it back with its checksums verified.

Taught in chapter 03.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._validation import check_type
from .manifest import content_sha256, file_sha256, manifest_entry, read_manifest, verify_file, write_manifest

__all__ = ["load_world", "save_world"]

TABLES = ("users", "items", "events", "topics")


def save_world(world, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``world`` to ``path``: one parquet file per table, ``truth.npz`` and ``manifest.json``.

    Parameters
    ----------
    world : companion.world.World
    path : str or Path
        Target folder; created if missing.
    overwrite : bool, default False
        Allow writing into a folder that already holds a manifest.

    Returns
    -------
    Path of the manifest.
    """
    from ..world import World

    check_type("world", world, World)
    check_type("path", path, (str, Path))
    folder = Path(path)
    if (folder / "manifest.json").exists() and not overwrite:
        raise ValueError(f"`path` {str(folder)!r} already holds a dataset; pass overwrite=True to replace it.")
    folder.mkdir(parents=True, exist_ok=True)
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
    return write_manifest(folder, files=files, meta=meta)


def load_world(path: str | Path, *, verify: bool = True):
    """Read a world written by :func:`save_world`, verifying every file's sha256 by default.

    Raises
    ------
    ValueError
        If the manifest is missing or malformed, a file is missing, or a checksum or row count does
        not match (a corrupted or edited file).
    """
    from ..world import Truth, World, WorldConfig

    check_type("path", path, (str, Path))
    if not isinstance(verify, bool):
        raise TypeError(f"`verify` must be True or False; got {type(verify).__name__} {verify!r}.")
    folder = Path(path)
    manifest = read_manifest(folder)
    tables = {}
    for name in TABLES:
        fname = f"{name}.parquet"
        entry = manifest_entry(manifest, fname, folder)
        file = verify_file(folder, fname, entry) if verify else folder / fname
        tables[name] = pd.read_parquet(file)
        if verify and len(tables[name]) != entry["rows"]:
            raise ValueError(f"{fname!r} has {len(tables[name])} rows; the manifest says {entry['rows']}.")
    entry = manifest_entry(manifest, "truth.npz", folder)
    truth_file = verify_file(folder, "truth.npz", entry) if verify else folder / "truth.npz"
    config = WorldConfig.from_dict(json.loads(json.dumps(manifest["config"])))
    with np.load(truth_file) as npz:
        truth = Truth(config=config, **{k: npz[k] for k in npz.files})
    return World(config, int(manifest["seed"]), tables["users"], tables["items"], tables["events"],
                 tables["topics"], truth)
