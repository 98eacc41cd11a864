"""companion: the executable companion to the course on machine-learning systems design.

The package is organised as one subpackage per stage of a system-design interview. Importing
``companion`` is cheap: subpackages load on first attribute access and heavy libraries (torch,
sentence-transformers, gensim, lightgbm, pyspark) are imported only inside the functions that need them.

>>> import companion
>>> world = companion.world.make_world("tiny", seed=0)   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBPACKAGES = ("datasets", "design", "exercises", "experiments", "features", "plotting", "retrieval", "text",
                "world")

__all__ = ["__version__", *_SUBPACKAGES]

if TYPE_CHECKING:  # pragma: no cover
    from . import datasets, design, exercises, experiments, features, plotting, retrieval, text, world  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'companion' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
