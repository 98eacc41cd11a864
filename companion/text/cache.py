"""A disk cache for embeddings, so each chapter encodes the catalogue once.

Encoding 2,000 titles with a BERT encoder takes seconds on 2 cores; the book encodes the same catalogue
in several chapters and on every build. Embeddings are stored as ``.npy`` files named by a SHA-256 of
everything that determines them (the model, its settings and the exact texts), so a changed text or
model can never be served a stale vector. The folder is ``$COMPANION_CACHE`` or ``~/.cache/companion``.
Taught in chapter 05.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .._validation import check_bool, check_type

__all__ = ["cache_dir", "cached_array"]


_NAMESPACE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def cache_dir() -> Path:
    """The embedding cache folder (created on first use)."""
    root = os.environ.get("COMPANION_CACHE") or Path.home() / ".cache" / "companion"
    path = Path(root) / "embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _key(namespace: str, settings: dict, texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    h.update(namespace.encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for t in texts:
        h.update(len(t).to_bytes(8, "little"))
        h.update(t.encode())
    return h.hexdigest()


def cached_array(namespace: str, settings: dict, texts: Sequence[str],
                 compute: Callable[[], np.ndarray], *, use_cache: bool = True) -> np.ndarray:
    """Return ``compute()``, from the cache when the same namespace, settings and texts were seen before.

    Writes atomically (a temporary file renamed into place), so an interrupted run never leaves a
    truncated entry.
    """
    check_type("namespace", namespace, str)
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"`namespace` must be a short name of letters, digits, '_', '-' or '.' (it starts the cache "
                         f"file's name), e.g. 'minilm'; got {namespace!r}.")
    check_type("settings", settings, dict, hint="Pass the settings that change the result, e.g. {'normalize': True}.")
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"`texts` must be a sequence of strings (not one string); got {type(texts).__name__}.")
    for j, t in enumerate(texts):
        check_type(f"texts[{j}]", t, str)
    if not callable(compute):
        raise TypeError(f"`compute` must be a function of no arguments returning the array; got "
                        f"{type(compute).__name__}.")
    check_bool("use_cache", use_cache)
    if not use_cache:
        return compute()
    path = cache_dir() / f"{namespace}-{_key(namespace, settings, texts)[:32]}.npy"
    if path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # a corrupt entry is recomputed
    out = np.asarray(compute())
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, out, allow_pickle=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
