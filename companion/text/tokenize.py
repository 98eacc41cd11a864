"""Turn titles and descriptions into tokens: lower-case words of letters and digits.

The same tokenizer feeds TF-IDF, Word2Vec and the vocabulary statistics of chapter 05, so the three
methods see the same words (the BERT encoder uses its own WordPiece tokenizer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["tokenize", "tokenize_all"]

_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and return its words (runs of letters and digits).

    >>> tokenize("POV: Sourdough loaf, part 2!")
    ['pov', 'sourdough', 'loaf', 'part', '2']
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str; got {type(text).__name__} {text!r}.")
    return _WORD.findall(text.lower())


def tokenize_all(texts: Iterable[str]) -> list[list[str]]:
    """:func:`tokenize` every text; raises naming the position of a text that is not a str."""
    if isinstance(texts, str):
        raise TypeError("`texts` must be a sequence of strings, not one string; wrap it in a list.")
    if not isinstance(texts, Iterable):
        raise TypeError(f"`texts` must be a sequence of strings; got {type(texts).__name__} {texts!r}.")
    out = []
    for j, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"`texts[{j}]` must be a str; got {type(t).__name__} {t!r}. Fill missing text "
                            "first, e.g. series.fillna('').")
        out.append(_WORD.findall(t.lower()))
    return out
