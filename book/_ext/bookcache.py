"""Sphinx extension: the book's executed outputs are reused until a chapter or the package changes.

The book executes its chapters with ``execute_notebooks: cache`` (jupyter-cache). jupyter-cache keys a
notebook on its code cells only, and Sphinx re-reads only the source files that changed, so on their own
they would keep serving outputs computed with an older ``companion``. This extension closes that gap
with one fingerprint, :func:`fingerprint`: a SHA-256 over every source and data file of ``companion/``
(path and content) and ``pyproject.toml`` (:func:`package_hash`), and over the name and version of every
distribution installed in the environment (:func:`environment_digest`: a ``pip install -U`` counts too):

* the jupyter cache holds a stamp with the fingerprint its notebooks were executed under; at
  ``config-inited``, a cache whose stamp differs (or is missing) is emptied, so every chapter executes
  again (:func:`sync_cache`);
* the Sphinx environment records the fingerprint its doctrees were read under; at ``env-get-outdated``
  a different one marks every notebook outdated, so none is served from its pickled doctree;
* a build that ended with a warning or an error leaves no "clean" marker next to the doctrees, and the
  next build then re-reads every page: Sphinx re-reads only changed files, so otherwise a rebuild with
  nothing changed would pass ``-W`` without repeating the warnings of the build before it.

The test suite (``tests/conftest.py``) stores the chapters that nbval executed into the same cache after
the same check, and does not execute again a chapter the cache holds under the current fingerprint, so
``make test`` and ``make book``, in either order, execute each chapter once. This module imports no
Sphinx at module level: the tests and the conftest use its functions directly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "companion"
#: Files outside the package whose change re-executes every chapter (dependencies and their pins).
EXTRA_FILES = ("pyproject.toml",)
#: The cache folder when ``execute.cache`` is not set in ``_config.yml`` (relative to the book root).
DEFAULT_CACHE = "_build/.jupyter_cache"
STAMP_NAME = "bookcache-fingerprint.sha256"

_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = (".pyc", ".pyo", "~", ".swp", ".swo", ".orig", ".rej")


def package_files(root: str | os.PathLike = ROOT) -> list[Path]:
    """Every file whose content the chapters' outputs may depend on, sorted by path relative to ``root``.

    All files under ``companion/`` (modules and package data), except byte code, hidden files and
    folders, ``*.egg-info`` and editor leftovers; then :data:`EXTRA_FILES` that exist.
    """
    root = Path(root)
    found = []
    for folder, dirs, files in os.walk(root / PACKAGE):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".") and not d.endswith(".egg-info")]
        for name in files:
            if name.startswith((".", "#")) or name.endswith(_SKIP_SUFFIXES):
                continue
            found.append(Path(folder, name))
    found += [root / name for name in EXTRA_FILES if (root / name).is_file()]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def package_hash(root: str | os.PathLike = ROOT) -> str:
    """SHA-256 (hex) over the relative path and the bytes of every file of :func:`package_files`.

    >>> len(package_hash())
    64
    """
    root = Path(root)
    digest = hashlib.sha256()
    for path in package_files(root):
        data = path.read_bytes()
        name = path.relative_to(root).as_posix().encode()
        digest.update(b"%d:%s\0%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()


def environment_digest(paths: list[str] | None = None) -> str:
    """SHA-256 (hex) over ``name==version`` of every distribution installed in ``paths``.

    ``paths`` defaults to the interpreter's site-packages (not ``sys.path``, which differs between
    pytest, Sphinx and a kernel, and may hold stray ``*.egg-info`` folders).
    """
    from importlib import metadata

    if paths is None:
        paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    names = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions(path=paths)},
                   key=str.lower)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def fingerprint(root: str | os.PathLike = ROOT) -> str:
    """What the chapters' outputs depend on besides their own code: :func:`package_hash` and
    :func:`environment_digest`, hashed together (SHA-256, hex).

    >>> len(fingerprint())
    64
    """
    both = f"package {package_hash(root)}\nenvironment {environment_digest()}\n"
    return hashlib.sha256(both.encode()).hexdigest()


def configured_cache_path(root: str | os.PathLike = ROOT) -> Path:
    """The jupyter cache folder of the book at ``root``: ``execute.cache`` of its ``_config.yml``.

    A relative path is taken relative to ``root`` (not to the current directory), and the default is
    :data:`DEFAULT_CACHE`, so every build of this source tree, whatever its output folder, and the
    test suite share one cache.
    """
    import yaml  # PyYAML: a dependency of jupyter-book

    root = Path(root)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf8")) or {}
    configured = (config.get("execute") or {}).get("cache") or DEFAULT_CACHE
    return (root / configured).resolve()


def configured_execution_mode(root: str | os.PathLike = ROOT) -> str:
    """``execute.execute_notebooks`` of the book's ``_config.yml`` (``"off"`` for YAML's ``off``)."""
    import yaml

    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf8")) or {}
    mode = (config.get("execute") or {}).get("execute_notebooks", "auto")
    return "off" if mode is False else str(mode)


def read_stamp(cache: str | os.PathLike) -> str | None:
    """The fingerprint the notebooks in ``cache`` were executed under (None if unknown)."""
    try:
        return (Path(cache) / STAMP_NAME).read_text(encoding="ascii").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def sync_cache(cache: str | os.PathLike, digest: str) -> bool:
    """Make ``cache`` hold only notebooks executed under ``digest``; True if it had to be emptied.

    If the stamp in ``cache`` is ``digest`` nothing happens. Otherwise the folder is deleted (every
    cached notebook is stale, or of unknown origin) and recreated with the new stamp, written atomically.
    """
    cache = Path(cache)
    if read_stamp(cache) == digest:
        return False
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".stamp-")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(digest + "\n")
    os.replace(tmp, cache / STAMP_NAME)
    return True


# ------------------------------------------------------------------------------------------- Sphinx

_ENV_ATTRIBUTE = "bookcache_fingerprint"
CLEAN_MARKER = "bookcache-last-build-clean"


def _config_inited(app, config) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    digest = fingerprint(ROOT)
    app.bookcache_fingerprint = digest
    marker = Path(app.doctreedir) / CLEAN_MARKER
    app.bookcache_previous_clean = marker.exists()
    marker.unlink(missing_ok=True)  # written again only by a build that ends without warnings
    if config.nb_execution_mode == "off":
        return
    # myst-nb would take a relative path relative to the current directory: anchor it at the book root.
    configured = config.nb_execution_cache_path
    cache = (Path(app.srcdir) / configured).resolve() if configured else Path(app.outdir).parent / ".jupyter_cache"
    config.nb_execution_cache_path = str(cache)
    if config.nb_execution_mode == "cache" and sync_cache(cache, digest):
        logger.info(f"bookcache: {PACKAGE}/, pyproject.toml or the installed packages changed (or no "
                    f"stamp): emptied {cache}; every chapter executes again")


def _env_get_outdated(app, env, added, changed, removed) -> list[str]:
    digest = getattr(app, "bookcache_fingerprint", None) or fingerprint(ROOT)
    previous = getattr(env, _ENV_ATTRIBUTE, None)
    setattr(env, _ENV_ATTRIBUTE, digest)  # pickled with the environment only once all docs were read
    if not getattr(app, "bookcache_previous_clean", True):
        pages = sorted(env.found_docs - added)
        if pages:
            from sphinx.util import logging
            logging.getLogger(__name__).info(f"bookcache: the last build had warnings or failed: re-reading "
                                             f"all {len(pages)} pages, so that their warnings count again")
        return pages
    if previous == digest or app.config.nb_execution_mode == "off":
        return []
    notebooks = sorted(d for d in env.found_docs - added if str(env.doc2path(d)).endswith(".ipynb"))
    if previous is not None:
        from sphinx.util import logging

        logging.getLogger(__name__).info(f"bookcache: {PACKAGE}/ or the environment changed since the last "
                                         f"build: re-reading {len(notebooks)} notebooks")
    return notebooks


def _build_finished(app, exception) -> None:
    if exception is None and getattr(app, "_warncount", 1) == 0:  # Sphinx counts warnings in _warncount
        (Path(app.doctreedir) / CLEAN_MARKER).write_text("the last build ended without warnings\n")


def setup(app):
    app.connect("config-inited", _config_inited, priority=900)  # after myst-nb's own handlers
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
