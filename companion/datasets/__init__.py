"""Datasets: parquet with manifests, checksum-verified loading, and DuckDB access (chapter 03)."""

from .io import load_world, save_world
from .manifest import content_sha256, file_sha256, read_manifest
from .sql import connect

__all__ = ["connect", "content_sha256", "file_sha256", "load_world", "read_manifest", "save_world"]
