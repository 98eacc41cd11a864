"""House rules every chapter notebook follows (the template in README.md and DESIGN.md).

nbval executes the chapters; these tests check their shape, so a new chapter cannot land without
its parameters cell, hidden assertions and checked exercises, or with outputs committed.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def _cells(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def test_there_are_chapters():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name}: strip outputs before committing"
            assert cell.get("execution_count") is None, f"{path.name}: strip execution counts"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_listed_in_the_table_of_contents(path):
    toc = (ROOT / "_toc.yml").read_text()
    assert f"book/{path.stem}" in toc, f"{path.name} is not in _toc.yml, so the book never shows it"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_follows_the_chapter_template(path):
    cells = _cells(path)
    number = int(path.stem[:2])
    assert cells[0]["cell_type"] == "markdown"
    assert re.match(rf"# {number}\. \S", _source(cells[0])), "first cell: '# N. Title' and a summary"
    kernel = json.loads(path.read_text())["metadata"].get("kernelspec", {}).get("name")
    assert kernel == "python3"
    code = [c for c in cells if c["cell_type"] == "code"]
    parameters = [c for c in code if "parameters" in _tags(c)]
    assert len(parameters) == 1 and "SEED" in _source(parameters[0]), "one parameters cell with SEED"
    hidden = [c for c in code if "remove-cell" in _tags(c)]
    assert hidden and all(re.search(r"\bassert\b", _source(c)) for c in hidden), "hidden assertion cells"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_has_at_least_two_checked_exercises(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    solutions = [c for c in code if "hide-input" in _tags(c) and "check(" in _source(c)]
    checked = {m for c in solutions for m in re.findall(r"check\(\s*\"(\d\d\.\w+)\"", _source(c))}
    assert len(checked) >= 2, f"{path.name}: needs two exercises whose collapsed solution calls check()"
    assert all(re.search(r"assert\s+\w*\.?passed|\.raise_if_failed\(\)", _source(c)) for c in solutions)
    prefix = path.stem[:2]
    assert all(ex.startswith(prefix + ".") for ex in checked), "exercises of this chapter use its number"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_seeds_are_explicit(path):
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    assert not re.search(r"np\.random\.seed\(|random\.seed\(|np\.random\.(rand|randn|choice|normal)\(", code), \
        "draw from an explicit Generator (np.random.default_rng(SEED)), never the global state"
