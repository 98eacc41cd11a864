"""Dataset manifests: what was written, by which config, with which checksums.

Every dataset the course writes sits next to a ``manifest.json`` recording, for each file, its
``sha256`` (integrity of the bytes on disk), its row count, and a ``content_sha256`` of the table's
values (reproducibility: the same seed must give the same content, whatever the parquet writer
version). Taught in chapter 03.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_int, check_path

__all__ = [
    "MANIFEST_NAME",
    "content_sha256",
    "file_sha256",
    "manifest_entry",
    "read_manifest",
    "verify_file",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
FORMAT = "companion-world/1"


def file_sha256(path: str | Path, *, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks of ``chunk_bytes`` (1 byte to 1 GiB)."""
    path = check_path("path", path)
    chunk_bytes = check_int("chunk_bytes", chunk_bytes, minimum=1, maximum=1 << 30)
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_bytes):
            h.update(block)
    return h.hexdigest()


def content_sha256(obj: pd.DataFrame | dict[str, np.ndarray]) -> str:
    """SHA-256 of a table's (or a dict of arrays') content: column names, dtypes kinds and values.

    Independent of the file format, so two worlds with the same content hash are the same world.
    Object columns must hold strings (or missing values), and arrays must not be of object dtype: an
    arbitrary Python object has no stable byte content (its bytes would be a memory address).
    """
    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        for name in obj.columns:
            col = obj[name]
            if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty"):
                raise TypeError(
                    f"`obj` column {name!r} holds Python objects ({pd.api.types.infer_dtype(col, skipna=True)}), "
                    "which have no stable content to hash; convert it to strings or numbers first."
                )
            h.update(f"{name}:{col.dtype.kind}:".encode())
            h.update(pd.util.hash_pandas_object(col, index=False).to_numpy().tobytes())
    elif isinstance(obj, dict):
        for name in obj:
            if not isinstance(name, str):
                raise TypeError(f"`obj` keys must be str array names; got {type(name).__name__} {name!r}.")
        for name in sorted(obj):
            arr = np.ascontiguousarray(obj[name])
            if arr.dtype.kind == "O":
                raise TypeError(
                    f"`obj[{name!r}]` has object dtype, whose bytes are memory addresses, not content; "
                    "pass a numeric, bool or string array."
                )
            h.update(f"{name}:{arr.dtype.str}:{arr.shape}:".encode())
            h.update(arr.tobytes())
    else:
        raise TypeError(
            f"`obj` must be a pandas DataFrame or a dict of numpy arrays; got {type(obj).__name__}."
        )
    return h.hexdigest()


def write_manifest(folder: str | Path, *, files: dict[str, dict[str, Any]], meta: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into ``folder`` and return its path."""
    path = Path(folder) / MANIFEST_NAME
    body = {"format": FORMAT, **meta, "files": files}
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    return path


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read and sanity-check ``manifest.json`` of a dataset folder."""
    return _read_manifest(folder, "folder")


def _read_manifest(folder: str | Path, name: str) -> dict[str, Any]:
    """:func:`read_manifest`, its messages naming the caller's parameter ``name``."""
    folder = check_path(name, folder)
    path = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise FileNotFoundError(
            f"`{name}` must be a dataset folder; {str(folder)!r} does not exist or is not a folder."
        )
    if not path.is_file():
        raise ValueError(
            f"`{name}` {str(folder)!r} has no {MANIFEST_NAME}; write datasets with companion.datasets.save_world."
        )
    try:
        body = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("files"), dict):
        got = body.get("format") if isinstance(body, dict) else type(body).__name__
        raise ValueError(f"{path} is not a companion manifest (expected format {FORMAT!r}, got {got!r}).")
    return body


def manifest_entry(manifest: dict[str, Any], name: str, folder: str | Path) -> dict[str, Any]:
    """The manifest's entry for file ``name``; ValueError if the manifest does not list it."""
    entry = manifest["files"].get(name)
    if not isinstance(entry, dict) or "sha256" not in entry:
        raise ValueError(f"the manifest in {str(folder)!r} lists no {name!r}; it is not a world dataset.")
    return entry


def verify_file(folder: str | Path, name: str, entry: dict[str, Any]) -> Path:
    """Check that ``folder/name`` exists and its sha256 matches the manifest ``entry``."""
    path = Path(folder) / name
    if not path.is_file():
        raise ValueError(f"dataset file {name!r} listed in the manifest is missing from {str(folder)!r}.")
    got = file_sha256(path)
    if got != entry["sha256"]:
        raise ValueError(
            f"checksum mismatch for {name!r}: the manifest says sha256 {entry['sha256'][:12]}..., the file has "
            f"{got[:12]}...; the file was modified or corrupted. Regenerate the dataset (see its card) or pass "
            "verify=False to read it anyway."
        )
    return path
