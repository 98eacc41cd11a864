"""The chapter 07 exercises: correct solutions pass, plausible wrong ones fail."""

from __future__ import annotations

import numpy as np
import pytest

from companion.exercises import check, get_exercise, list_exercises

RECALL = "07.recall_at_k"
BLEND = "07.blend"


# ------------------------------------------------------------------ recall at k
def recall_at_k(candidates, relevant, k):
    if k < 1:
        raise ValueError("k must be at least 1")
    relevant = set(np.asarray(relevant).tolist())
    if not relevant or min(relevant) < 0:
        raise ValueError("need relevant item ids")
    found = set(np.asarray(candidates).tolist()[:k])
    return len(found & relevant) / len(relevant)


def _recall_variant(*, dedupe_candidates=True, dedupe_relevant=True, denominator="relevant",
                    cutoff="first_k", empty="raise"):
    def fn(candidates, relevant, k):
        if k < 1:
            raise ValueError("k must be at least 1")
        relevant = list(np.asarray(relevant).tolist())
        if not relevant:
            if empty == "zero":
                return 0.0
            raise ValueError("no relevant items")
        candidates = list(np.asarray(candidates).tolist())
        if cutoff == "first_k":
            head = candidates[:k]
        elif cutoff == "all":
            head = candidates
        elif cutoff == "k_distinct":  # dedupes before the cut: a duplicate no longer wastes a slot
            head = list(dict.fromkeys(candidates))[:k]
        else:  # off by one
            head = candidates[: k + 1]
        rel = set(relevant) if dedupe_relevant else relevant
        if dedupe_candidates:
            hits = len(set(head) & set(rel))
        else:
            hits = sum(1 for c in head if c in set(rel))
        size = {"relevant": len(rel), "k": k, "list": max(len(head), 1)}[denominator]
        return hits / size

    return fn


WRONG_RECALL = {
    "duplicates in the candidates counted twice": _recall_variant(dedupe_candidates=False),
    "relevant repeats counted in the denominator": _recall_variant(dedupe_relevant=False),
    "precision: divides by k": _recall_variant(denominator="k"),
    "precision: divides by the list's length": _recall_variant(denominator="list"),
    "ignores k (the whole list)": _recall_variant(cutoff="all"),
    "dedupes before cutting at k": _recall_variant(cutoff="k_distinct"),
    "off by one: the first k + 1": _recall_variant(cutoff="k_plus_one"),
    "returns 0 for an empty relevant set": _recall_variant(empty="zero"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_recall_passes(seed):
    assert check(RECALL, recall_at_k, seed=seed, verbose=False).passed


@pytest.mark.parametrize("name", list(WRONG_RECALL))
def test_wrong_recall_fails(name):
    assert not check(RECALL, WRONG_RECALL[name], verbose=False).passed, name


@pytest.mark.parametrize("name", list(WRONG_RECALL))
def test_wrong_recall_fails_on_a_fixed_case(name):
    """Each plausible mistake is caught by a reference case, not only by luck in the random ones."""
    assert not check(RECALL, WRONG_RECALL[name], n_random=0, verbose=False).passed, name


# ------------------------------------------------------------------ blend
def blend(lists, quotas):
    for name, quota in quotas.items():
        if name not in lists or quota < 0:
            raise ValueError(name)
    ranked = {name: [i for i in np.asarray(lists[name]).tolist() if i >= 0] for name in quotas}
    left, merged = dict(quotas), []
    while any(left.values()):
        for name in quotas:
            if left[name] == 0:
                continue
            new = [i for i in ranked[name] if i not in merged]
            if not new:
                left[name] = 0
                continue
            merged.append(new[0])
            left[name] -= 1
    return np.array(merged, dtype=np.int64)


def _blend_variant(*, skip="further", order="round_robin", quota_counts="new", runs_out="stop",
                   source_order="quotas"):
    def fn(lists, quotas):
        for name, quota in quotas.items():
            if name not in lists or quota < 0:
                raise ValueError(name)
        names = list(quotas) if source_order == "quotas" else [n for n in lists if n in quotas]
        ranked = {name: [i for i in np.asarray(lists[name]).tolist() if i >= 0] for name in names}
        if quota_counts == "positions":  # each source's top-q positions, then duplicates dropped
            merged = []
            if order == "round_robin":
                for depth in range(max([quotas[n] for n in names], default=0)):
                    for name in names:
                        if depth < quotas[name] and depth < len(ranked[name]):
                            merged.append(ranked[name][depth])
            return np.array(list(dict.fromkeys(merged)), dtype=np.int64)
        if order == "concatenate":  # each source's whole quota, one source after the other
            merged = []
            for name in names:
                new = [i for i in ranked[name] if i not in merged]
                merged.extend(new[:quotas[name]] if skip == "further" else ranked[name][:quotas[name]])
            return np.array(merged, dtype=np.int64)
        left, pos, merged = dict(quotas), dict.fromkeys(names, 0), []
        while any(left[n] for n in names):
            progressed = False
            for name in names:
                if left[name] == 0:
                    continue
                row = ranked[name]
                if skip == "further":
                    while pos[name] < len(row) and row[pos[name]] in merged:
                        pos[name] += 1
                if pos[name] >= len(row):
                    if runs_out == "refill":  # hands its slots to the next source
                        others = [n for n in names if n != name and pos[n] < len(ranked[n])]
                        if others:
                            left[others[0]] += left[name]
                    left[name] = 0
                    continue
                item = row[pos[name]]
                pos[name] += 1
                if skip == "lose_turn" and item in merged:
                    progressed = True
                    continue  # the turn is lost, the quota kept
                if skip == "none" or item not in merged:
                    merged.append(item)
                left[name] -= 1
                progressed = True
            if not progressed:
                break
        return np.array(merged, dtype=np.int64)

    return fn


WRONG_BLEND = {
    "does not skip duplicates": _blend_variant(skip="none"),
    "quotas on positions, then duplicates dropped": _blend_variant(quota_counts="positions"),
    "a duplicate uses up quota (no new item)": _blend_variant(skip="drop"),
    "a duplicate loses the turn": _blend_variant(skip="lose_turn"),
    "concatenates the sources instead of round robin": _blend_variant(order="concatenate"),
    "round robin in the order of `lists`": _blend_variant(source_order="lists"),
    "a source that runs out hands its quota on": _blend_variant(runs_out="refill"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_correct_blend_passes(seed):
    assert check(BLEND, blend, seed=seed, verbose=False).passed


@pytest.mark.parametrize("name", list(WRONG_BLEND))
def test_wrong_blend_fails(name):
    assert not check(BLEND, WRONG_BLEND[name], verbose=False).passed, name


@pytest.mark.parametrize("name", list(WRONG_BLEND))
def test_wrong_blend_fails_on_a_fixed_case(name):
    assert not check(BLEND, WRONG_BLEND[name], n_random=0, verbose=False).passed, name


def test_blend_returning_a_list_is_refused():
    report = check(BLEND, lambda lists, quotas: blend(lists, quotas).tolist(), n_random=0, verbose=False)
    assert not report.passed


# ------------------------------------------------------------------ the exercises themselves
def test_references_pass_their_own_check():
    for exercise_id in (RECALL, BLEND):
        assert check(exercise_id, get_exercise(exercise_id).reference, n_random=60, verbose=False).passed


def test_chapter_lists_both_exercises():
    assert list_exercises("07") == [BLEND, RECALL]


def test_reference_blend_matches_the_package_blend():
    """The exercise's one-user blend is the package's blend, row by row (without the -1 padding)."""
    from companion.retrieval import blend as package_blend

    ref = get_exercise(BLEND).reference
    rng = np.random.default_rng(7)
    for _ in range(30):
        n_items, width = 30, 12
        lists = {name: np.stack([rng.permutation(n_items)[:width] for _ in range(4)]) for name in "abc"}
        lists["a"][rng.random(lists["a"].shape) < 0.1] = -1
        quotas = {name: int(rng.integers(0, 8)) for name in rng.permutation(list("abc"))}
        merged = package_blend(lists, quotas)
        for row in range(4):
            expected = ref({name: lists[name][row] for name in lists}, quotas)
            got = merged[row]
            assert got[: expected.size].tolist() == expected.tolist()
            assert (got[expected.size:] == -1).all()


def test_bad_input_raises_value_error():
    recall, merge = get_exercise(RECALL).reference, get_exercise(BLEND).reference
    with pytest.raises(ValueError, match="empty"):
        recall(np.array([1]), np.array([], dtype=np.int64), 3)
    with pytest.raises(ValueError, match="k"):
        recall(np.array([1]), np.array([1]), 0)
    with pytest.raises(ValueError, match=">= 0"):
        recall(np.array([1]), np.array([-1]), 3)
    with pytest.raises(ValueError, match="not in `lists`"):
        merge({"a": np.array([1])}, {"b": 1})
    with pytest.raises(ValueError, match="quota"):
        merge({"a": np.array([1])}, {"a": -2})
