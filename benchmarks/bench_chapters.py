"""Benchmark: execution time of every chapter (what `make test` and `make book` pay per notebook).

Each chapter runs once in a fresh kernel with nbclient, exactly as nbval and Jupyter Book run it.
For scale, the first row is an empty notebook: the fixed cost of starting a kernel, measured in the
same run; the ratio column is each chapter's time over that. Run with ``make bench`` or
``python benchmarks/bench_chapters.py [book/NN_*.ipynb ...]``.
"""

from __future__ import annotations

import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(nb: nbformat.NotebookNode) -> float:
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=1200, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute()
    return time.perf_counter() - t0


def main(paths: list[str]) -> None:
    notebooks = [pathlib.Path(p) for p in paths] or sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    base = run(empty)
    print(f"{'chapter':40s} {'seconds':>8s} {'x kernel start':>14s}")
    print(f"{'(empty notebook: kernel start)':40s} {base:8.1f} {1.0:14.1f}", flush=True)
    total = 0.0
    for path in notebooks:
        secs = run(nbformat.read(path, as_version=4))
        total += secs
        print(f"{path.name:40s} {secs:8.1f} {secs / base:14.1f}", flush=True)
    print(f"{'total':40s} {total:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
