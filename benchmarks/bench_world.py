"""Benchmark: world generation throughput (impressions per second) for each size.

For scale, each row also prints the time numpy alone needs to draw the uniforms, compute the logits
and compare (the floor any vectorised generator pays per impression), measured in the same run, and
the ratio of the two. Run with ``make bench`` or ``python benchmarks/bench_world.py [sizes...]``.
"""

from __future__ import annotations

import sys
import tempfile
import time

import numpy as np

from companion.datasets import load_world, save_world
from companion.world import make_world


def numpy_floor(n: int, n_topics: int = 20, seed: int = 0) -> float:
    """Seconds numpy needs for the per-impression minimum: gather, dot, sigmoid, two uniform draws."""
    rng = np.random.default_rng(seed)
    taste = rng.random((50_000, n_topics))
    topics = rng.random((50_000, n_topics))
    u = rng.integers(0, 50_000, n)
    i = rng.integers(0, 50_000, n)
    t0 = time.perf_counter()
    for s in range(0, n, 1_000_000):
        logit = np.einsum("ij,ij->i", taste[u[s:s + 1_000_000]], topics[i[s:s + 1_000_000]])
        p = 1 / (1 + np.exp(-logit))
        _ = (rng.random(p.size) < p) & (rng.random(p.size) < 0.5)
    return time.perf_counter() - t0


def main(sizes: list[str]) -> None:
    print(f"{'size':6s} {'users':>8s} {'items':>8s} {'days':>5s} {'impressions':>12s} {'seconds':>8s} "
          f"{'impr/s':>10s} {'numpy floor s':>13s} {'ratio':>6s} {'save s':>7s} {'load+verify s':>13s}")
    for size in sizes:
        t0 = time.perf_counter()
        world = make_world(size, seed=0)
        secs = time.perf_counter() - t0
        n = len(world.events)
        floor = numpy_floor(n)
        with tempfile.TemporaryDirectory() as tmp:
            t1 = time.perf_counter()
            save_world(world, tmp)
            save_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            load_world(tmp)
            load_s = time.perf_counter() - t2
        c = world.config
        print(f"{size:6s} {c.n_users:8,d} {c.n_items:8,d} {c.n_days:5d} {n:12,d} {secs:8.2f} {n / secs:10,.0f} "
              f"{floor:13.2f} {secs / floor:6.1f} {save_s:7.2f} {load_s:13.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["tiny", "small", "medium", "large"])
