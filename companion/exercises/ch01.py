"""Exercises of chapter 01 (product objectives and requirements): back-of-the-envelope numbers.

Each reference implementation is the corresponding function of :mod:`companion.design`, so the
learner re-derives exactly what the chapter's calculator computes:

- ``01.peak_qps``: ``(dau, requests_per_user_per_day, peak_factor) -> float`` requests/s at peak;
  raises ``ValueError`` for a negative or non-finite input or a peak factor below 1.
- ``01.storage_per_day``: ``(dau, requests_per_user_per_day, events_per_request, bytes_per_event)
  -> float`` bytes per day; raises ``ValueError`` for a negative or non-finite input.
- ``01.latency_budget``: ``(total_ms, shares) -> dict`` of per-stage milliseconds; raises
  ``ValueError`` for a target that is not positive, a share outside ``[0, 1]``, or shares whose sum
  is more than 1e-6 away from 1 (and accepts sums within 1e-6: float rounding is not an error).
- ``01.machines_needed``: ``(items_per_second, model_cost_ms_per_item, *, cores_per_machine,
  utilisation_target) -> int``; raises ``ValueError`` for a negative load, a model cost that is not
  positive, fewer than one core, or a utilisation outside ``(0, 1]``.

The reference cases are chosen to catch the classic wrong solutions, each by a named case (the
random cases catch most of them again): validation that checks only some inputs, or lets NaN
through (``nan < 0`` is False); a boundary refused (a peak factor of exactly 1, a utilisation of
exactly 1); a loose or an exact-equality tolerance on the shares; an approximate formula (a day of
1e5 s, or of 86,000 s) or a rounded result, which the 1e-6 relative tolerance refuses; wrong units
(kQPS, KB, bits, seconds); a machine count rounded down, or "rounded up" with ``int(x) + 1``.
"""

from __future__ import annotations

import math

import numpy as np

from companion.design import (
    average_qps,
    items_per_second_per_machine,
    machines_needed,
    peak_qps,
    split_latency_budget,
    storage_per_day,
)
from companion.exercises import Case, Exercise, register

__all__ = ["LATENCY_BUDGET", "MACHINES_NEEDED", "PEAK_QPS", "STORAGE_PER_DAY"]


# ------------------------------------------------------------------------------------ 01.peak_qps
def _peak_at_least_average(case: Case, got: object) -> str | None:
    bound = dict(zip(("dau", "requests_per_user_per_day", "peak_factor"), case.args, strict=False))
    bound.update(case.kwargs)
    avg = average_qps(bound["dau"], bound["requests_per_user_per_day"])
    if isinstance(got, float) and got < avg * (1 - 1e-9):
        return f"peak QPS {got:.6g} is below the average QPS {avg:.6g}; the peak factor is >= 1"
    return None


def _gen_peak_qps(rng: np.random.Generator) -> Case:
    return Case(
        kwargs={
            "dau": float(rng.integers(1_000, 2_000_000_000)),
            "requests_per_user_per_day": float(np.round(rng.uniform(0.5, 50.0), 2)),
            "peak_factor": float(np.round(rng.uniform(1.0, 6.0), 2)),
        }
    )


PEAK_QPS = register(
    Exercise(
        id="01.peak_qps",
        title="Peak queries per second",
        chapter="01",
        reference=peak_qps,
        cases=[
            Case(args=(100_000_000, 10, 3), note="the chapter's feed: about 34.7 K QPS"),
            Case(args=(1_000_000, 24, 1.0), note="flat traffic: peak equals average"),
            Case(args=(0, 10, 2.5), note="no users, no traffic"),
            Case(args=(86_400, 1, 4), note="one request per second on average"),
            Case(args=(1_000, 10, 2.0), note="a small app: 0.23 requests/s at peak, not rounded"),
            Case(args=(10_000_000, 25, 2.5), note="7 233.80 QPS exactly; a day of 1e5 s or of 86 000 s is wrong"),
            Case(args=(1_000_000, 10, 0.5), note="a peak factor below 1 must raise ValueError"),
            Case(args=(-5, 10, 2), note="negative DAU must raise ValueError"),
            Case(args=(1_000, -10, 2), note="negative requests per user must raise ValueError"),
            Case(args=(float("nan"), 10, 2), note="NaN DAU must raise ValueError (nan < 0 is False)"),
            Case(args=(1_000, 10, float("inf")), note="an infinite peak factor must raise ValueError"),
        ],
        generate=_gen_peak_qps,
        n_random=25,
        rtol=1e-6,
        properties=[_peak_at_least_average],
        timeout_s=5.0,
    )
)


# ------------------------------------------------------------------------------ 01.storage_per_day
def _non_negative(case: Case, got: object) -> str | None:
    if isinstance(got, float) and got < 0:
        return f"a storage volume cannot be negative; got {got!r}"
    return None


def _gen_storage(rng: np.random.Generator) -> Case:
    return Case(
        kwargs={
            "dau": float(rng.integers(1_000, 2_000_000_000)),
            "requests_per_user_per_day": float(np.round(rng.uniform(0.5, 50.0), 2)),
            "events_per_request": float(rng.integers(1, 50)),
            "bytes_per_event": float(rng.integers(50, 5_000)),
        }
    )


STORAGE_PER_DAY = register(
    Exercise(
        id="01.storage_per_day",
        title="Bytes logged per day",
        chapter="01",
        reference=storage_per_day,
        cases=[
            Case(args=(100_000_000, 10, 10, 500), note="the chapter's impression logs: 5 TB/day"),
            Case(args=(100_000_000, 10, 10, 800), note="logged feature vectors: 200 float32 = 800 B"),
            Case(args=(1_000, 2.5, 4, 250), note="a small app: 2.5 MB/day"),
            Case(args=(0, 10, 10, 500), note="no users, nothing logged"),
            Case(args=(1_000, 10, -1, 500), note="negative events per request must raise ValueError"),
            Case(args=(-1_000, 10, 10, 500), note="negative DAU must raise ValueError"),
            Case(args=(1_000, -0.5, 10, 500), note="negative requests per user must raise ValueError"),
            Case(args=(1_000, 10, 10, -500), note="negative bytes per event must raise ValueError"),
            Case(args=(1_000, 10, 10, float("nan")), note="NaN bytes per event must raise ValueError"),
        ],
        generate=_gen_storage,
        n_random=25,
        rtol=1e-6,
        properties=[_non_negative],
        timeout_s=5.0,
    )
)


# ------------------------------------------------------------------------------- 01.latency_budget
def _budget_sums_to_total(case: Case, got: object) -> str | None:
    total = case.kwargs.get("total_ms", case.args[0] if case.args else None)
    if isinstance(got, dict) and total is not None:
        s = math.fsum(float(v) for v in got.values())
        if abs(s - total) > 1e-6 * total:
            return f"the stage budgets sum to {s:.6g} ms, not to the {total:g} ms target"
    return None


def _gen_budget(rng: np.random.Generator) -> Case:
    names = ["network_overhead", "candidate_generation", "feature_fetch", "ranking", "reranking_filters"]
    k = int(rng.integers(2, len(names) + 1))
    weights = rng.dirichlet(np.ones(k))
    shares = {name: float(w) for name, w in zip(names[:k], weights, strict=True)}
    return Case(kwargs={"total_ms": float(rng.integers(50, 1_000)), "shares": shares})


LATENCY_BUDGET = register(
    Exercise(
        id="01.latency_budget",
        title="Per-stage latency budget",
        chapter="01",
        reference=split_latency_budget,
        cases=[
            Case(
                args=(200, {"network_overhead": 0.15, "candidate_generation": 0.2, "feature_fetch": 0.2,
                            "ranking": 0.35, "reranking_filters": 0.1}),
                note="the chapter's split of 200 ms",
            ),
            Case(args=(100, {"retrieval": 0.25, "ranking": 0.75}), note="two stages"),
            Case(args=(50, {"everything": 1.0}), note="a single stage gets the whole target"),
            Case(args=(200, {"ranking": 0.6, "retrieval": 0.3, "filters": 0.1}),
                 note="0.6 + 0.3 + 0.1 is 0.9999999999999999 in floats: no error (so no `== 1` test)"),
            Case(args=(200, {"retrieval": 0.3, "ranking": 0.7000005}),
                 note="shares sum to 1 + 5e-7, inside the 1e-6 allowance: no error"),
            Case(args=(200, {"retrieval": 0.5, "ranking": 0.4}), note="shares sum to 0.9: raise ValueError"),
            Case(args=(200, {"retrieval": 0.7, "ranking": 0.7}), note="shares sum to 1.4: raise ValueError"),
            Case(args=(200, {"retrieval": 0.3, "ranking": 0.7001}),
                 note="shares sum to 1.0001, outside 1e-6: raise ValueError (a loose tolerance misses it)"),
            Case(args=(200, {"retrieval": 0.3, "ranking": 0.6999}),
                 note="shares sum to 0.9999, outside 1e-6: raise ValueError"),
            Case(args=(200, {"retrieval": 1.5, "ranking": -0.5}),
                 note="shares sum to 1 but one is negative: raise ValueError"),
            Case(args=(0, {"retrieval": 0.3, "ranking": 0.7}), note="a target of 0 ms must raise ValueError"),
            Case(args=(-200, {"retrieval": 0.3, "ranking": 0.7}), note="a negative target must raise ValueError"),
        ],
        generate=_gen_budget,
        n_random=25,
        rtol=1e-6,
        properties=[_budget_sums_to_total],
        timeout_s=5.0,
    )
)


# ------------------------------------------------------------------------------- 01.machines_needed
def _machines_cover_load(case: Case, got: object) -> str | None:
    kw = dict(zip(("items_per_second", "model_cost_ms_per_item"), case.args, strict=False))
    kw.update(case.kwargs)
    if not isinstance(got, int):
        return None  # the comparison already reports the wrong type
    per_machine = items_per_second_per_machine(
        kw["model_cost_ms_per_item"],
        cores_per_machine=kw.get("cores_per_machine", 32),
        utilisation_target=kw.get("utilisation_target", 0.5),
    )
    if got * per_machine < kw["items_per_second"] * (1 - 1e-9):
        return f"{got} machines score only {got * per_machine:.6g} items/s, below the load"
    return None


def _gen_machines(rng: np.random.Generator) -> Case:
    return Case(
        args=(float(np.round(rng.uniform(1e3, 1e9), 1)), float(np.round(rng.uniform(0.005, 2.0), 4))),
        kwargs={
            "cores_per_machine": int(rng.choice([8, 16, 32, 64, 96])),
            "utilisation_target": float(np.round(rng.uniform(0.3, 0.9), 3)),
        },
    )


MACHINES_NEEDED = register(
    Exercise(
        id="01.machines_needed",
        title="Ranking machines at peak",
        chapter="01",
        reference=machines_needed,
        cases=[
            Case(args=(17_361_111.1, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="the chapter's feed: 54.25 machines' worth, so 55"),
            Case(args=(1_000.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="a tiny load still needs one machine"),
            Case(args=(0.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="no load, no machines"),
            Case(args=(5_000_000.0, 1.0), kwargs={"cores_per_machine": 64, "utilisation_target": 0.6},
                 note="an expensive model: 130.2 machines' worth, so 131"),
            Case(args=(320_000.0, 0.5), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="exactly 10 machines' worth: 10, not 11 (int(x) + 1 is not rounding up)"),
            Case(args=(320_320.0, 0.5), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="10.01 machines' worth: 11 (a loose ceiling that forgives 0.01 gives 10)"),
            Case(args=(1_000.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 1.0},
                 note="utilisation exactly 1 is allowed"),
            Case(args=(1_000.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 0.0},
                 note="utilisation 0 must raise ValueError"),
            Case(args=(1_000.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 1.5},
                 note="utilisation above 1 must raise ValueError"),
            Case(args=(-1_000.0, 0.05), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="a negative load must raise ValueError"),
            Case(args=(1_000.0, 0.0), kwargs={"cores_per_machine": 32, "utilisation_target": 0.5},
                 note="a model cost of 0 ms must raise ValueError"),
            Case(args=(1_000.0, 0.05), kwargs={"cores_per_machine": 0, "utilisation_target": 0.5},
                 note="zero cores must raise ValueError"),
        ],
        generate=_gen_machines,
        n_random=25,
        rtol=0.0,
        properties=[_machines_cover_load],
        timeout_s=5.0,
    )
)
