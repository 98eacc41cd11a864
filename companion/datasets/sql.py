"""Query a world's tables with DuckDB SQL (chapter 03).

>>> from companion.world import make_world
>>> from companion.datasets import connect
>>> with connect(make_world("tiny", seed=0)) as con:
...     con.execute("select count(*) from users").fetchone()[0]
300
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["connect"]


def connect(source):
    """Open an in-memory DuckDB connection with views ``users``, ``items``, ``events``, ``topics``.

    Parameters
    ----------
    source : companion.world.World, or str / Path of a folder written by ``save_world``
        A world in memory (its DataFrames are registered, not copied) or on disk (its parquet files
        are read in place; checksums are verified first).

    Returns
    -------
    duckdb.DuckDBPyConnection
        Use it as a context manager so it is closed.
    """
    import duckdb

    from .._validation import check_path
    from ..world import World
    from .io import TABLES
    from .manifest import _read_manifest, manifest_entry, verify_file

    if isinstance(source, World):
        con = duckdb.connect(":memory:")
        for name, table in source.tables.items():
            con.register(name, table)
        return con
    if isinstance(source, (str, Path)):
        folder = check_path("source", source)
        manifest = _read_manifest(folder, "source")
        con = duckdb.connect(":memory:")
        for name in TABLES:
            file = verify_file(folder, f"{name}.parquet", manifest_entry(manifest, f"{name}.parquet", folder))
            path = str(file).replace("'", "''")
            con.sql(f"create view {name} as select * from read_parquet('{path}')")
        return con
    raise TypeError(
        f"`source` must be a companion World or the path of a saved world; got {type(source).__name__}."
    )
