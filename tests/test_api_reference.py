"""The API reference: every public name has a docstring and says which chapter teaches it.

`book/api.md` documents every subpackage with autodoc; `book/_ext/chapter_links.py` turns "chapter NN"
into a link. This test fails when a new public function lands without a docstring or a chapter.
"""

from __future__ import annotations

import importlib
import inspect
import pathlib
import re

import pytest

import companion

ROOT = pathlib.Path(__file__).resolve().parents[1]
MENTION = re.compile(r"\b[Cc]hapters? \d{1,2}\b")
SUBPACKAGES = [name for name in companion.__all__ if name != "__version__"]


def _public():
    for sub in SUBPACKAGES:
        module = importlib.import_module(f"companion.{sub}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            # inspect.unwrap: a function wrapped by functools (lru_cache, wraps) is still a public function
            if inspect.isfunction(inspect.unwrap(obj)) or inspect.isclass(obj):
                yield f"companion.{sub}.{name}", obj


PUBLIC = list(_public())


def test_every_subpackage_is_in_the_api_page():
    page = (ROOT / "book" / "api.md").read_text()
    missing = [s for s in SUBPACKAGES if f"automodule:: companion.{s}\n" not in page]
    assert not missing, f"book/api.md does not document {missing}"
    assert "book/api" in (ROOT / "_toc.yml").read_text()


def test_there_are_many_public_names():
    assert len(PUBLIC) > 60


@pytest.mark.parametrize(("name", "obj"), PUBLIC, ids=[n for n, _ in PUBLIC])
def test_has_a_docstring_and_a_chapter(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 20, f"{name} has no docstring"
    module_doc = inspect.getdoc(inspect.getmodule(obj)) or ""
    assert MENTION.search(doc) or MENTION.search(module_doc), \
        f"{name}: neither its docstring nor its module's says which chapter teaches it ('Taught in chapter NN')"


def test_chapter_links_extension_links_existing_chapters_only():
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from chapter_links import link_chapters
    finally:
        sys.path.pop(0)
    lines = ["Taught in chapter 02 and 14.", "Chapters 0, 5 or 99 here.", "no mention"]
    link_chapters(None, "function", "f", None, {}, lines)
    assert lines[0] == "Taught in chapter :doc:`02 </book/02_high_level_design>` and 14."
    assert ":doc:`0 </book/00_introduction>`" in lines[1] and "99" in lines[1] and ":doc:`99" not in lines[1]
    assert lines[2] == "no mention"
