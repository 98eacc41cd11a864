"""Benchmark: companion.features and companion.text against the reference libraries, in the same run.

* ``history_features`` (sort + binary search) against the same point-in-time counts written as a
  DuckDB range join (``e.ts < q.ts and e.ts >= q.ts - window``), on the small world's impressions.
* ``Word2VecEncoder`` against gensim's ``Word2Vec`` called directly (the wrapper's overhead).
* ``SentenceEncoder`` against ``SentenceTransformer.encode`` called directly, and a second call
  served from the disk cache; TF-IDF (scikit-learn) for scale.

Run with ``make bench`` or ``python benchmarks/bench_features.py``.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_history() -> None:
    import duckdb

    from companion.features import history_features
    from companion.world import make_world

    world = make_world("small", seed=0)
    ev = world.events.drop_duplicates()[["user_id", "ts", "click", "watch_s"]]
    queries = ev.drop_duplicates(["user_id", "ts"]).sample(20_000, random_state=0)[["user_id", "ts"]]
    ours, out = timed(lambda: history_features(ev, queries, windows=[7]), repeat=3)
    sql = """select q.rid, count(e.ts) as n, coalesce(sum(e.click::int), 0) as c
             from q left join ev e on e.user_id = q.user_id and e.ts < q.ts and e.ts >= q.ts - 7 * 86400
             group by q.rid order by q.rid"""
    q = queries.reset_index(drop=True).assign(rid=np.arange(len(queries)))
    with duckdb.connect() as con:
        con.register("ev", ev)
        con.register("q", q)
        ref, got = timed(lambda: con.sql(sql).df(), repeat=3)
    assert np.array_equal(got["n"].to_numpy(), out["user_impressions_7d"].to_numpy())
    assert np.array_equal(got["c"].to_numpy(), out["user_clicks_7d"].to_numpy())
    print(f"history_features  {len(ev):>9,} events x {len(queries):,} queries: {ours:6.3f} s; "
          f"DuckDB range join {ref:6.3f} s; ratio {ours / ref:5.2f} (same counts)")


def bench_text() -> None:
    from gensim.models import Word2Vec
    from sklearn.feature_extraction.text import TfidfVectorizer

    from companion.text import SentenceEncoder, Word2VecEncoder, load_minilm, tokenize, tokenize_all
    from companion.world import make_world

    items = make_world("small", seed=0).items
    texts = (items["title"] + " " + items["description"]).tolist()
    n = len(texts)
    t_tfidf, _ = timed(lambda: TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False)
                       .fit_transform(texts), repeat=3)
    ours, _ = timed(lambda: Word2VecEncoder(epochs=20).fit(texts).transform(texts))
    ref, _ = timed(lambda: Word2Vec(tokenize_all(texts), vector_size=64, window=5, min_count=2, sg=1, epochs=20,
                                    seed=0, workers=1))
    print(f"TF-IDF fit+transform       {n:,} texts: {t_tfidf:6.3f} s ({n / t_tfidf:9,.0f} texts/s)")
    print(f"Word2VecEncoder fit+encode {n:,} texts: {ours:6.3f} s; gensim Word2Vec alone {ref:6.3f} s; "
          f"ratio {ours / ref:4.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMPANION_CACHE"] = tmp
        model = load_minilm()
        ref, _ = timed(lambda: model.encode(texts, batch_size=64, normalize_embeddings=True))
        ours, _ = timed(lambda: SentenceEncoder().transform(texts))
        cached, _ = timed(lambda: SentenceEncoder().transform(texts))
    print(f"SentenceEncoder (MiniLM)   {n:,} texts: {ours:6.3f} s ({n / ours:6,.0f} texts/s); "
          f"SentenceTransformer.encode {ref:6.3f} s; ratio {ours / ref:4.2f}; cached {cached:6.3f} s")


if __name__ == "__main__":
    bench_history()
    bench_text()
