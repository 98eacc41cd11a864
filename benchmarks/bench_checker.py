"""Overhead of the exercise checker per case: in this process versus isolated in a forked worker.

``check()`` runs the learner's function in a forked worker process (one per check, reused across
its cases). The cost that matters is the overhead per case on top of the learner's own call; this
script measures it for a trivial exercise, with the in-process mode as the reference measured in the
same run, and again after this process has grown (a notebook kernel that holds a world), because
``fork`` copies page tables in proportion to the parent's memory.

Run: ``python benchmarks/bench_checker.py``
"""

from __future__ import annotations

import time

import numpy as np

from companion.exercises import Case, Exercise, check


def _total(xs):
    if not xs:
        raise ValueError("empty")
    return float(sum(xs))


EXERCISE = Exercise(id="96.total", title="Total", chapter="96", reference=_total,
                    cases=(Case(([1, 2, 3],)),), generate=lambda rng: Case((rng.integers(0, 9, 5).tolist(),)),
                    n_random=30, timeout_s=5.0)


def per_case_ms(isolate: bool, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        report = check(EXERCISE, _total, isolate=isolate, verbose=False)
        assert report.passed
        best = min(best, (time.perf_counter() - start) / report.n_cases)
    return best * 1000


def main() -> None:
    check(EXERCISE, _total, verbose=False)  # warm up
    rows = []
    for heap_gb in (0.0, 1.0, 2.0):
        ballast = np.ones(int(heap_gb * 2**30 / 8)) if heap_gb else None
        inproc, isolated = per_case_ms(False), per_case_ms(True)
        rows.append((heap_gb, inproc, isolated))
        del ballast
    print(f"{'heap (GB)':>9} {'in-process':>11} {'isolated':>9} {'overhead':>9} {'30 cases':>9}")
    for heap_gb, inproc, isolated in rows:
        print(f"{heap_gb:9.1f} {inproc:8.2f} ms {isolated:6.2f} ms {isolated - inproc:6.2f} ms"
              f" {(isolated - inproc) * 30:6.0f} ms")
    print("ratio isolated / in-process (empty heap): "
          f"{rows[0][2] / rows[0][1]:.1f}x")


if __name__ == "__main__":
    main()
