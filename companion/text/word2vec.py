"""Word2Vec with gensim, for text ("words in titles") and for sessions ("item2vec").

:class:`Word2VecEncoder` learns word vectors from a corpus of titles and descriptions and encodes a
text as the mean of its words' vectors (words never seen are skipped). :class:`Item2Vec` treats each
user's sequence of clicked items as a sentence (Barkan & Koenigstein 2016), so items clicked in the same
sessions get close vectors, with no text at all. Both are deterministic for a given ``seed``: one
worker thread and a hash of words that does not change between Python processes. Taught in chapter 05.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_int
from .tokenize import tokenize_all

__all__ = ["Item2Vec", "Word2VecEncoder"]


def _stable_hash(text: str) -> int:
    """gensim seeds each word's initial vector with a hash of it; Python's ``hash`` changes per process."""
    return zlib.crc32(text.encode())


def _check_word2vec_params(est) -> None:
    """The hyper-parameters both estimators share, validated the same way."""
    check_int("vector_size", est.vector_size, minimum=1, maximum=4096)
    check_int("window", est.window, minimum=1, maximum=1_000)
    check_int("min_count", est.min_count, minimum=1, maximum=10**9)
    check_int("epochs", est.epochs, minimum=1, maximum=1_000)
    check_int("negative", est.negative, minimum=0, maximum=100)
    check_int("seed", est.seed, minimum=0, maximum=2**32 - 1, hint="gensim takes a 32-bit seed.")


def _word2vec(sentences: list[list[str]], *, vector_size: int, window: int, min_count: int, sg: bool,
              epochs: int, negative: int, seed: int):
    try:
        from gensim.models import Word2Vec
    except ImportError as exc:  # pragma: no cover - the text extra is installed in CI
        raise ImportError("Word2Vec needs gensim: pip install the project's `text` extra "
                          "(pip install -e '.[text]').") from exc
    return Word2Vec(sentences, vector_size=vector_size, window=window, min_count=min_count, sg=int(sg),
                    epochs=epochs, negative=negative, seed=seed, workers=1, hashfxn=_stable_hash)


class Word2VecEncoder(TransformerMixin, BaseEstimator):
    """Encode texts as the mean of their words' Word2Vec vectors, trained on the texts passed to ``fit``.

    Parameters
    ----------
    vector_size : int, default 64
    window : int, default 5
    min_count : int, default 2
        Words seen fewer times in the training corpus get no vector.
    sg : bool, default True
        Skip-gram (True) or CBOW (False).
    epochs : int, default 20
    negative : int, default 5
        Negative samples per positive pair.
    seed : int, default 0

    Attributes
    ----------
    model_ : gensim.models.Word2Vec
    vocabulary_size_ : int
    """

    def __init__(self, *, vector_size: int = 64, window: int = 5, min_count: int = 2, sg: bool = True,
                 epochs: int = 20, negative: int = 5, seed: int = 0) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.sg = sg
        self.epochs = epochs
        self.negative = negative
        self.seed = seed

    def _check_params(self) -> None:
        _check_word2vec_params(self)
        if not isinstance(self.sg, bool):
            raise TypeError(f"`sg` must be True (skip-gram) or False (CBOW); got {self.sg!r}.")

    def fit(self, texts: Sequence[str], y=None) -> Word2VecEncoder:
        """Train word vectors on ``texts`` (a sequence of strings)."""
        self._check_params()
        sentences = tokenize_all(texts)
        if not any(sentences):
            raise ValueError("`texts` must contain at least one word to train Word2Vec on.")
        counts = Counter(w for s in sentences for w in s)
        if max(counts.values()) < self.min_count:
            raise ValueError(f"no word occurs `min_count`={self.min_count} times in `texts`; lower min_count.")
        self.model_ = _word2vec(sentences, vector_size=self.vector_size, window=self.window,
                                min_count=self.min_count, sg=self.sg, epochs=self.epochs,
                                negative=self.negative, seed=self.seed)
        self.vocabulary_size_ = len(self.model_.wv)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Mean word vector of each text, shape (n_texts, vector_size); zeros for a text with no known word."""
        check_is_fitted(self, "model_")
        wv = self.model_.wv
        rows = []
        for words in tokenize_all(texts):
            known = [w for w in words if w in wv.key_to_index]
            rows.append(wv[known].mean(axis=0) if known else np.zeros(self.vector_size, dtype=np.float32))
        return np.vstack(rows) if rows else np.zeros((0, self.vector_size), dtype=np.float32)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names ``w2v0 .. w2v{vector_size-1}``."""
        return np.asarray([f"w2v{j}" for j in range(self.vector_size)], dtype=object)


class Item2Vec(BaseEstimator):
    """Item vectors from sequences of item ids (each user's clicks in time order), with gensim's Word2Vec.

    Parameters
    ----------
    vector_size : int, default 32
    window : int, default 5
    min_count : int, default 2
        Items occurring fewer times get no vector (``has_vector_`` is False, their row of ``vectors_`` is 0).
    epochs : int, default 10
    negative : int, default 5
    seed : int, default 0

    Attributes
    ----------
    vectors_ : ndarray, shape (n_items, vector_size)
        Row ``i`` is item ``i``'s vector.
    has_vector_ : ndarray of bool, shape (n_items,)
    """

    def __init__(self, *, vector_size: int = 32, window: int = 5, min_count: int = 2, epochs: int = 10,
                 negative: int = 5, seed: int = 0) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.negative = negative
        self.seed = seed

    def fit(self, sequences: Sequence[Sequence[int]], *, n_items: int) -> Item2Vec:
        """Learn vectors from ``sequences`` of item ids in ``[0, n_items)``."""
        check_int("n_items", n_items, minimum=1, maximum=100_000_000)
        _check_word2vec_params(self)
        if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
            raise TypeError(f"`sequences` must be a sequence of item-id sequences, e.g. [[3, 7, 7, 2], [5, 1]]; "
                            f"got {type(sequences).__name__}.")
        sentences = []
        for j, seq in enumerate(sequences):
            arr = np.asarray(seq)
            if arr.ndim != 1:
                raise ValueError(f"`sequences[{j}]` must be a 1-D sequence of item ids; got shape {arr.shape}.")
            if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= n_items):
                raise ValueError(f"`sequences[{j}]` must hold integer item ids in [0, {n_items}); got {arr[:5]}...")
            sentences.append([str(int(i)) for i in arr])
        if not any(len(s) > 1 for s in sentences):
            raise ValueError("`sequences` must hold at least one sequence of two or more items.")
        if max(Counter(i for s in sentences for i in s).values()) < self.min_count:
            raise ValueError(f"no item occurs `min_count`={self.min_count} times in `sequences`; lower min_count.")
        model = _word2vec(sentences, vector_size=self.vector_size, window=self.window,
                          min_count=self.min_count, sg=True, epochs=self.epochs, negative=self.negative,
                          seed=self.seed)
        self.vectors_ = np.zeros((n_items, self.vector_size), dtype=np.float32)
        self.has_vector_ = np.zeros(n_items, dtype=bool)
        ids = np.asarray([int(k) for k in model.wv.index_to_key], dtype=np.int64)
        if ids.size:
            self.vectors_[ids] = model.wv.vectors
            self.has_vector_[ids] = True
        return self

    def most_similar(self, item_id: int, *, k: int = 10) -> np.ndarray:
        """The ``k`` items with the highest cosine similarity to ``item_id`` (which needs a vector)."""
        check_is_fitted(self, "vectors_")
        check_int("item_id", item_id, minimum=0, maximum=self.vectors_.shape[0] - 1)
        check_int("k", k, minimum=1, maximum=self.vectors_.shape[0])
        if not self.has_vector_[item_id]:
            raise ValueError(f"item {item_id} has no vector (it occurred fewer than min_count times).")
        v = self.vectors_ / np.maximum(np.linalg.norm(self.vectors_, axis=1, keepdims=True), 1e-12)
        sim = v @ v[item_id]
        sim[item_id] = -np.inf
        sim[~self.has_vector_] = -np.inf
        return np.argsort(-sim, kind="stable")[:k]
