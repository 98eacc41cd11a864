"""House rules every chapter notebook follows (the template in README.md and DESIGN.md).

nbval executes the chapters; these tests check their shape, so a new chapter cannot land without
its parameters cell, hidden assertions and checked exercises, or with outputs committed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
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


# --- Each chapter links the `companion` functions and classes it uses --------------------------

API_HEADING = "## `companion` functions and classes used in this chapter"
API_LINK = re.compile(r"\{py:(func|class)\}`~?(companion\.\w+\.\w+)`")


def _public_name(module: str, name: str) -> str | None:
    """``companion.sub.name`` if ``name`` (reached from ``module``) is a public function or class.

    Public means listed in the subpackage's ``__all__``, as book/api.md documents it; constants and
    names of private modules (``companion.world.vocabulary.POLYSEMOUS``) are not linked.
    """
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "companion":
        return None
    sub = importlib.import_module(".".join(parts[:2]))
    if name not in getattr(sub, "__all__", []):
        return None
    obj = getattr(sub, name)
    return f"{sub.__name__}.{name}" if callable(obj) else None  # functions and classes, not constants


def _submodule(module: str, name: str) -> str | None:
    """``module.name`` if that attribute is a module (``companion.plotting``), else None."""
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return obj.__name__ if inspect.ismodule(obj) else None


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``, or None if the chain does not start at a plain name."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


def _companion_names_used(path: pathlib.Path) -> set[str]:
    """Public ``companion`` functions and classes the chapter's code cells import or reach by attribute."""
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    tree = ast.parse(re.sub(r"^\s*[%!].*$", "", code, flags=re.MULTILINE))  # IPython magics are not Python
    modules: dict[str, str] = {}  # local name -> companion module it is bound to
    used: set[str | None] = set()  # None: not a public function or class
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "companion":
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        modules["companion"] = "companion"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "companion":
                for alias in node.names:
                    submodule = _submodule(node.module, alias.name)
                    if submodule:
                        modules[alias.asname or alias.name] = submodule
                    else:
                        used.add(_public_name(node.module, alias.name))
    for node in ast.walk(tree):
        chain = _dotted(node) if isinstance(node, ast.Attribute) else None
        if not chain or chain[0] not in modules:
            continue
        module, rest = modules[chain[0]], chain[1:]
        while rest and _submodule(module, rest[0]):
            module, rest = _submodule(module, rest[0]), rest[1:]
        if rest:
            used.add(_public_name(module, rest[0]))
    return {name for name in used if name}


def _api_section(path: pathlib.Path) -> str:
    text = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    assert API_HEADING in text, f"{path.name}: add a section '{API_HEADING}' linking into book/api.md"
    section = text.split(API_HEADING, 1)[1]
    return re.split(r"\n#{1,2} ", section, maxsplit=1)[0]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_links_every_companion_function_it_uses(path):
    used = _companion_names_used(path)
    assert used, f"{path.name}: uses no public companion function or class?"
    links = dict((name, role) for role, name in API_LINK.findall(_api_section(path)))
    missing = sorted(used - set(links))
    assert not missing, f"{path.name}: the chapter uses {missing}; link them in '{API_HEADING}'"
    for name, role in links.items():
        module, _, attr = name.rpartition(".")
        sub = importlib.import_module(module)
        assert attr in getattr(sub, "__all__", []), f"{path.name}: {name} is not public (not in {module}.__all__)"
        expected = "class" if inspect.isclass(getattr(sub, attr)) else "func"
        assert role == expected, f"{path.name}: link {name} with {{py:{expected}}}, not {{py:{role}}}"
    unused = sorted(set(links) - used)
    assert not unused, f"{path.name}: links {unused}, which its code does not use"


def test_the_link_scanner_sees_imports_aliases_and_attributes(tmp_path):
    cells = [
        "import companion.plotting as cplt\nfrom companion.world import make_world, SUBTOPICS\n",
        "from companion.world.vocabulary import POLYSEMOUS\nimport companion\ncplt.use_style()\n",
        "companion.design.peak_qps(1, 2, 3)\nfrom companion import text\ntext.tokenize('a')\n",
    ]
    notebook = {"cells": [{"cell_type": "code", "source": c} for c in cells]}
    path = tmp_path / "99_x.ipynb"
    path.write_text(json.dumps(notebook))
    assert _companion_names_used(path) == {
        "companion.world.make_world", "companion.plotting.use_style",
        "companion.design.peak_qps", "companion.text.tokenize",
    }


# --- Citations: a bibliography per chapter, every key in references.bib -------------------------

BIBFILE = ROOT / "references.bib"
CITE = re.compile(r"\{(?:foot)?cite(?::\w+)?\}`([^`]+)`")
BIB_DIRECTIVE = re.compile(r"^(```|:::)\{(footbibliography|bibliography)\}", re.MULTILINE)


def _bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", BIBFILE.read_text(), re.MULTILINE))


def test_bibliography_is_configured():
    config = (ROOT / "_config.yml").read_text()
    assert re.search(r"^bibtex_bibfiles:\s*\n\s+- references\.bib", config, re.MULTILINE), \
        "_config.yml must list references.bib under bibtex_bibfiles (this also loads sphinxcontrib-bibtex)"
    assert len(_bib_keys()) >= 20


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_cites_its_sources_from_references_bib(path):
    markdown = [_source(c) for c in _cells(path) if c["cell_type"] == "markdown"]
    text = "\n".join(markdown)
    cited = [k.strip() for group in CITE.findall(text) for k in group.split(",")]
    assert cited, f"{path.name}: cite the works the chapter builds on with {{footcite}}`key`"
    unknown = sorted(set(cited) - _bib_keys())
    assert not unknown, f"{path.name}: {unknown} are not in references.bib"
    directives = BIB_DIRECTIVE.findall(text)
    assert len(directives) == 1, f"{path.name}: end with exactly one {{footbibliography}} directive"
    last = max(i for i, s in enumerate(markdown) if BIB_DIRECTIVE.search(s))
    assert not any(CITE.search(s) for s in markdown[last + 1:]), \
        f"{path.name}: a citation after the bibliography is not listed in it"
    assert "## References" in markdown[last], f"{path.name}: the bibliography sits under '## References'"
