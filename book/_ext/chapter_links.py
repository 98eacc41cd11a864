"""Sphinx extension: turn "chapter 05" in a docstring into a link to that chapter of the book.

Every public function of ``companion`` says which chapter teaches it (d2l style); in the API reference
those mentions become links, so a reader goes from a function to the lesson in one click.
"""

from __future__ import annotations

import re
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1]
_MENTION = re.compile(r"\b([Cc]hapters?) (\d{1,2})((?:(?:, | and | or )\d{1,2})*)\b")
_NUMBER = re.compile(r"\d{1,2}")


def _target(number: str) -> str | None:
    found = sorted(BOOK.glob(f"{int(number):02d}_*.ipynb"))
    return f"/book/{found[0].stem}" if found else None


def _link(match: re.Match) -> str:
    def one(m: re.Match) -> str:
        target = _target(m.group(0))
        return f":doc:`{m.group(0)} <{target}>`" if target else m.group(0)

    return match.group(1) + " " + _NUMBER.sub(one, match.group(2) + match.group(3))


def link_chapters(app, what, name, obj, options, lines) -> None:
    for j, line in enumerate(lines):
        if "chapter" in line.lower() and ":doc:" not in line:
            lines[j] = _MENTION.sub(_link, line)


def setup(app):
    app.connect("autodoc-process-docstring", link_chapters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
