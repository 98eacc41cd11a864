"""companion.retrieval: the task, the sources, top-k, recall and blending (chapter 07).

Small hand-made cases pin down each function's definition; the tiny world checks the invariants the
chapter relies on (no source proposes an unavailable or already clicked item; the oracle's own list has
recall 1; random retrieval sits at the floor k / n_available). The ordering of the sources against the
truth is measured over three small worlds in tests/world/test_world_planted.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from companion import retrieval as rt


@pytest.fixture(scope="module")
def task(tiny_world):
    return rt.make_task(tiny_world, 10, n_true=10, min_clicks=5)


def test_task_shapes_and_invariants(task, tiny_world):
    n = task.users.size
    assert n > 20 and set(task.group) <= {"warm", "cold"}
    assert task.ideal.shape == (n, 10) and task.clicked.shape == (n, task.n_items)
    rows = np.arange(n)[:, None]
    assert task.available[task.ideal].all() and not task.clicked[rows, task.ideal].any()
    assert all(len(set(row)) == 10 for row in task.ideal)
    assert not tiny_world.truth.user_bot[task.users].any()
    assert (task.history["day"] < 10).all()
    with pytest.raises(ValueError):
        task.ideal[0, 0] = 1  # read-only: a source cannot edit the answer


def test_the_oracles_own_list_has_recall_one_and_nothing_has_more(task):
    assert np.allclose(rt.recall_at_k(task, task.ideal), 1.0)
    assert np.allclose(rt.recall_at_k(task, np.full((task.users.size, 5), -1)), 0.0)


def test_recall_counts_duplicates_once_and_ignores_empty_slots(task):
    c = np.repeat(task.ideal[:, :1], 4, axis=1)  # the best item four times
    assert np.allclose(rt.recall_at_k(task, c), 0.1)
    c[:, 1] = -1
    assert np.allclose(rt.recall_at_k(task, c), 0.1)


@pytest.mark.parametrize("source", ["random", "popularity", "covisitation", "svd", "content"])
def test_sources_never_propose_unavailable_or_clicked_items(task, tiny_world, source):
    scores = {
        "random": lambda: rt.random_scores(task, seed=3),
        "popularity": lambda: rt.popularity_scores(task),
        "covisitation": lambda: rt.covisitation_scores(task),
        "svd": lambda: rt.svd_scores(task, n_components=8),
        "content": lambda: rt.content_scores(task, np.eye(task.n_items)[:, :50] + 0.01),
    }[source]()
    assert scores.shape == (task.users.size, task.n_items) and np.isfinite(scores).all()
    top = rt.top_k(task, scores, k=30)
    rows = np.arange(task.users.size)[:, None]
    assert top.shape == (task.users.size, 30)
    assert task.available[top].all() and not task.clicked[rows, top].any()
    assert all(len(set(row)) == 30 for row in top)


def test_top_k_follows_the_scores_and_breaks_ties_by_seed(task):
    scores = np.tile(np.arange(task.n_items, dtype=float), (task.users.size, 1))
    top = rt.top_k(task, scores, k=5)
    allowed = task.available & ~task.clicked[0]
    assert top[0].tolist() == np.flatnonzero(allowed)[::-1][:5].tolist()
    ties = np.zeros_like(scores)
    assert (rt.top_k(task, ties, k=5, seed=1) == rt.top_k(task, ties, k=5, seed=1)).all()
    assert (rt.top_k(task, ties, k=5, seed=1) != rt.top_k(task, ties, k=5, seed=2)).any()


def test_random_retrieval_sits_at_the_floor(small_world):
    task = rt.make_task(small_world, 21)
    recall = rt.recall_at_k(task, rt.top_k(task, rt.random_scores(task, seed=0), k=100))
    se = recall.std(ddof=1) / np.sqrt(recall.size)
    assert abs(recall.mean() - task.floor(100)) < 4 * se  # measured 0.058 against a floor of 0.056


def test_popularity_counts_recent_clicks_for_every_user(task):
    h = task.history
    recent = h[(h["day"] >= task.day - 3) & h["click"]]
    expected = np.bincount(recent["item_id"], minlength=task.n_items)
    scores = rt.popularity_scores(task, window_days=3)
    assert (scores == expected).all()


def test_covisitation_on_a_hand_made_click_matrix(task):
    # Users 0 and 1 both clicked items 0 and 1; user 1 also clicked item 2. Degrees 2, 2, 1.
    X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1]], dtype=float))
    small = rt.RetrievalTask(day=1, users=np.array([0]), group=np.array(["warm"]), history=task.history.iloc[:0],
                             clicks=X, available=np.ones(3, bool), clicked=np.array([[True, True, False]]),
                             ideal=np.array([[2]]))
    # score(user 0, item 2) = sum over clicked j of C[j, 2] / sqrt(deg j * deg 2) = 2 / sqrt(2 * 1).
    assert np.isclose(rt.covisitation_scores(small)[0, 2], 2 / np.sqrt(2.0))


def test_content_scores_are_cosines_to_the_profile(task):
    rng = np.random.default_rng(0)
    V = rng.normal(size=(task.n_items, 6))
    scores = rt.content_scores(task, V)
    u = int(np.flatnonzero(task.clicked.any(axis=1))[0])
    unit = V / np.linalg.norm(V, axis=1, keepdims=True)
    profile = unit[task.clicked[u]].mean(axis=0)
    assert np.allclose(scores[u], unit @ profile / np.linalg.norm(profile))
    assert np.allclose(rt.content_scores(task, sparse.csr_matrix(V)), scores)


def test_blend_round_robin_skips_duplicates_and_pads():
    a = np.array([[1, 2, 3, 4], [5, 6, -1, -1]])
    b = np.array([[2, 7, 8, 9], [5, 6, 7, 8]])
    out = rt.blend({"a": a, "b": b}, {"a": 2, "b": 3})
    assert out.tolist() == [[1, 2, 3, 7, 8], [5, 6, 7, 8, -1]]
    assert rt.blend({"a": a, "b": b}, {"b": 1, "a": 1}).tolist() == [[2, 1], [5, 6]]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda t, w: rt.make_task(w, 0), ValueError, "`day`"),
    (lambda t, w: rt.make_task("world", 5), TypeError, "`world`"),
    (lambda t, w: rt.make_task(w, 10, n_true=10**6), ValueError, "`n_true`"),
    (lambda t, w: rt.make_task(w, 10, min_clicks=0), ValueError, "`min_clicks`"),
    (lambda t, w: rt.top_k(t, np.zeros((2, 2))), ValueError, "`scores`"),
    (lambda t, w: rt.top_k(t, np.full((t.users.size, t.n_items), np.nan)), ValueError, "`scores`"),
    (lambda t, w: rt.top_k(t, np.zeros((t.users.size, t.n_items)), k=10**6), ValueError, "`k`"),
    (lambda t, w: rt.recall_at_k(t, np.zeros((3, 2), dtype=int)), ValueError, "`candidates`"),
    (lambda t, w: rt.recall_at_k(t, np.zeros((t.users.size, 2))), TypeError, "`candidates`"),
    (lambda t, w: rt.content_scores(t, np.ones((3, 2))), ValueError, "`item_vectors`"),
    (lambda t, w: rt.content_scores(t, "text"), TypeError, "`item_vectors`"),
    (lambda t, w: rt.popularity_scores(t, window_days=0), ValueError, "`window_days`"),
    (lambda t, w: rt.svd_scores(t, n_components=0), ValueError, "`n_components`"),
    (lambda t, w: rt.random_scores(None), TypeError, "`task`"),
    (lambda t, w: rt.blend({"a": np.zeros((1, 2), int)}, {"b": 1}), ValueError, "`quotas`"),
    (lambda t, w: rt.blend({"a": np.zeros((1, 2), int)}, {"a": -1}), ValueError, "`quotas`"),
    (lambda t, w: rt.blend([], {"a": 1}), TypeError, "`candidates`"),
])
def test_bad_input_is_refused_naming_the_parameter(task, tiny_world, call, error, match):
    with pytest.raises(error, match=match):
        call(task, tiny_world)
