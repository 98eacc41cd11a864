"""companion.design: back-of-the-envelope capacity and SLA estimates (chapter 01).

The pieces are taught one by one in chapter 01 and then chained by :func:`estimate_capacity`:

- traffic: :func:`requests_per_day`, :func:`average_qps`, :func:`peak_qps`,
  :func:`items_scored_per_second`
- storage: :func:`storage_per_day`, :func:`feature_bytes_per_item`, :func:`storage_for_retention`
- latency: :func:`split_latency_budget`, ``DEFAULT_LATENCY_SHARES``
- compute: :func:`items_per_second_per_machine`, :func:`machines_needed`
- units: :func:`human_count`, :func:`human_bytes`, ``SECONDS_PER_DAY``

>>> from companion.design import peak_qps, human_count
>>> human_count(peak_qps(100e6, 10, 3))
'34.7 K'
"""

from __future__ import annotations

from companion.design.capacity import CapacityEstimate, estimate_capacity
from companion.design.compute import items_per_second_per_machine, machines_needed
from companion.design.latency import DEFAULT_LATENCY_SHARES, split_latency_budget
from companion.design.storage import feature_bytes_per_item, storage_for_retention, storage_per_day
from companion.design.traffic import average_qps, items_scored_per_second, peak_qps, requests_per_day
from companion.design.units import SECONDS_PER_DAY, human_bytes, human_count

__all__ = [
    "DEFAULT_LATENCY_SHARES",
    "SECONDS_PER_DAY",
    "CapacityEstimate",
    "average_qps",
    "estimate_capacity",
    "feature_bytes_per_item",
    "human_bytes",
    "human_count",
    "items_per_second_per_machine",
    "items_scored_per_second",
    "machines_needed",
    "peak_qps",
    "requests_per_day",
    "split_latency_budget",
    "storage_for_retention",
    "storage_per_day",
]
