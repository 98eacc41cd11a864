"""Text features: tokens, Word2Vec (gensim) for words and for item sequences, BERT sentence embeddings.

TF-IDF is scikit-learn's own ``TfidfVectorizer`` (pass ``tokenizer=companion.text.tokenize`` to share
this tokenizer). gensim and sentence-transformers are imported only when a model is trained or loaded,
so ``import companion.text`` stays fast. Taught in chapter 05.

>>> from companion.text import tokenize
>>> tokenize("Sourdough LOAF part 2")
['sourdough', 'loaf', 'part', '2']
"""

from .cache import cache_dir, cached_array
from .sentence import MINILM, SentenceEncoder, load_minilm
from .tokenize import tokenize, tokenize_all
from .word2vec import Item2Vec, Word2VecEncoder

__all__ = [
    "MINILM",
    "Item2Vec",
    "SentenceEncoder",
    "Word2VecEncoder",
    "cache_dir",
    "cached_array",
    "load_minilm",
    "tokenize",
    "tokenize_all",
]
