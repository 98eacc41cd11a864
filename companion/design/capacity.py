"""The whole back-of-the-envelope estimate in one call: :func:`estimate_capacity`.

It chains the pieces of :mod:`companion.design` (traffic, storage, latency, compute) and
returns a frozen :class:`CapacityEstimate` that prints as a short readable summary.

Taught in chapter 01.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import pandas as pd

from companion._validation import check_finite_product, check_int, check_number
from companion.design.compute import items_per_second_per_machine, machines_needed
from companion.design.latency import split_latency_budget
from companion.design.storage import feature_bytes_per_item, storage_for_retention, storage_per_day
from companion.design.traffic import average_qps, items_scored_per_second, peak_qps, requests_per_day
from companion.design.units import human_bytes, human_count

__all__ = ["CapacityEstimate", "estimate_capacity"]


#: Unit of every scalar field of :class:`CapacityEstimate` (the name already says it; this spells it).
_UNITS: dict[str, str] = {
    "dau": "users",
    "requests_per_user_per_day": "requests/user/day",
    "peak_factor": "x",
    "candidates_per_request": "items/request",
    "impressions_per_request": "items/request",
    "features_per_candidate": "features/item",
    "bytes_per_feature": "B",
    "bytes_per_logged_event": "B",
    "model_cost_ms_per_item": "ms/item",
    "latency_target_ms": "ms",
    "retention_days": "days",
    "cores_per_machine": "cores",
    "utilisation_target": "fraction",
    "requests_per_day": "requests/day",
    "avg_qps": "QPS",
    "peak_qps": "QPS",
    "items_scored_per_second_peak": "items/s",
    "feature_vector_bytes": "B",
    "feature_fetch_bytes_per_second_peak": "B/s",
    "log_storage_bytes_per_day": "B/day",
    "feature_storage_bytes_per_day": "B/day",
    "storage_bytes_per_day": "B/day",
    "storage_bytes_per_retention": "B",
    "ranking_cpu_ms_per_request": "ms",
    "items_per_second_per_machine": "items/s",
    "ranking_machines": "machines",
}


def _readable(unit: str, value: float) -> str:
    if unit.startswith("B"):
        return human_bytes(value) + unit[1:]
    if unit.startswith("ms") or unit in ("x", "fraction"):
        return f"{value:.3g} {unit}"
    return f"{human_count(value)} {unit}"


@dataclass(frozen=True)
class CapacityEstimate:
    """Inputs and results of a capacity estimate; build it with :func:`estimate_capacity`.

    Taught in chapter 01. Every field name carries its unit.
    """

    # Inputs
    dau: float
    requests_per_user_per_day: float
    peak_factor: float
    candidates_per_request: float
    impressions_per_request: float
    features_per_candidate: float
    bytes_per_feature: float
    bytes_per_logged_event: float
    model_cost_ms_per_item: float
    latency_target_ms: float
    retention_days: float
    cores_per_machine: int
    utilisation_target: float
    # Traffic
    requests_per_day: float
    avg_qps: float
    peak_qps: float
    items_scored_per_second_peak: float
    # Data
    feature_vector_bytes: float
    feature_fetch_bytes_per_second_peak: float
    log_storage_bytes_per_day: float
    feature_storage_bytes_per_day: float
    storage_bytes_per_day: float
    storage_bytes_per_retention: float
    # Latency and compute
    latency_budget_ms: Mapping[str, float] = field(hash=False)
    ranking_cpu_ms_per_request: float
    items_per_second_per_machine: float
    ranking_machines: int

    def as_dict(self) -> dict[str, Any]:
        """All fields as a plain ``dict`` (the latency budget as a nested ``dict``)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["latency_budget_ms"] = dict(self.latency_budget_ms)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: ``value``, ``unit`` and a ``readable`` rendering.

        The latency budget is flattened into rows ``latency_budget_ms.<stage>``.
        """
        rows = []
        for name, value in self.as_dict().items():
            if name == "latency_budget_ms":
                for stage, ms in value.items():
                    rows.append((f"latency_budget_ms.{stage}", float(ms), "ms", _readable("ms", ms)))
                continue
            unit = _UNITS[name]
            rows.append((name, float(value), unit, _readable(unit, float(value))))
        frame = pd.DataFrame(rows, columns=["quantity", "value", "unit", "readable"])
        return frame.set_index("quantity")

    def summary(self) -> str:
        """A short, human-readable account of the estimate (human units, one line per topic)."""
        budget = " + ".join(f"{stage} {ms:.0f}" for stage, ms in self.latency_budget_ms.items())
        ranking_ms = self.latency_budget_ms.get("ranking")
        fits = ""
        if ranking_ms is not None:
            verdict = "fits" if self.ranking_cpu_ms_per_request <= ranking_ms else "EXCEEDS"
            fits = f" ({verdict} the {ranking_ms:.0f} ms ranking budget on one core)"
        lines = [
            "Capacity estimate (back of the envelope)",
            f"  traffic   : {human_count(self.dau)} DAU"
            f" x {self.requests_per_user_per_day:g} requests/user/day"
            f" = {human_count(self.requests_per_day)} requests/day",
            f"  QPS       : {human_count(self.avg_qps)} QPS average, {human_count(self.peak_qps)} QPS peak"
            f" (peak factor {self.peak_factor:g})",
            f"  ranking   : {human_count(self.items_scored_per_second_peak)} items scored/s at peak"
            f" ({self.candidates_per_request:g} candidates/request)",
            f"  features  : {human_bytes(self.feature_vector_bytes)} per candidate,"
            f" {human_bytes(self.feature_fetch_bytes_per_second_peak)}/s fetched at peak",
            f"  storage   : {human_bytes(self.log_storage_bytes_per_day)}/day logs"
            f" + {human_bytes(self.feature_storage_bytes_per_day)}/day logged features"
            f" = {human_bytes(self.storage_bytes_per_day)}/day;"
            f" {human_bytes(self.storage_bytes_per_retention)} over {self.retention_days:g} days",
            f"  latency   : p99 {self.latency_target_ms:g} ms = {budget} ms",
            f"  model cost: {self.ranking_cpu_ms_per_request:.3g} CPU ms/request{fits}",
            f"  machines  : {self.ranking_machines} ranking machines"
            f" ({self.cores_per_machine} cores at {self.utilisation_target:.0%},"
            f" {human_count(self.items_per_second_per_machine)} items/s each; before redundancy)",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def estimate_capacity(
    *,
    dau: float,
    requests_per_user_per_day: float,
    peak_factor: float,
    candidates_per_request: float,
    features_per_candidate: float,
    bytes_per_feature: float,
    model_cost_ms_per_item: float,
    bytes_per_logged_event: float,
    latency_target_ms: float,
    impressions_per_request: float = 10,
    retention_days: float = 90,
    cores_per_machine: int = 32,
    utilisation_target: float = 0.5,
    latency_shares: Mapping[str, float] | None = None,
) -> CapacityEstimate:
    """Estimate traffic, storage, latency budget and ranking fleet size for a recommender.

    Taught in chapter 01. All arguments are keyword-only: a capacity estimate has many numbers
    of the same magnitude, and naming them is how you avoid swapping two.

    Parameters
    ----------
    dau : float
        Daily active users (>= 0).
    requests_per_user_per_day : float
        Requests (feed loads) per active user per day (>= 0).
    peak_factor : float
        Peak traffic / average traffic (>= 1).
    candidates_per_request : float
        Candidates stage-1 retrieval hands the ranker per request (>= 0).
    features_per_candidate : float
        Features the ranker reads per candidate (>= 0).
    bytes_per_feature : float
        Bytes per feature value, e.g. 4 for float32 (>= 0).
    model_cost_ms_per_item : float
        Ranking-model CPU milliseconds per candidate on one core (> 0).
    bytes_per_logged_event : float
        Bytes of one impression log event (>= 0).
    latency_target_ms : float
        End-to-end p99 latency target in milliseconds (> 0).
    impressions_per_request : float, default 10
        Items shown (and logged, with their features) per request (>= 0).
    retention_days : float, default 90
        Days logs and logged features are kept (>= 0).
    cores_per_machine : int, default 32
        Cores per ranking machine (>= 1).
    utilisation_target : float, default 0.5
        Planned core utilisation, in ``(0, 1]``.
    latency_shares : mapping of str to float, optional
        Share of the latency target per stage; must sum to 1. Defaults to
        ``companion.design.DEFAULT_LATENCY_SHARES``.

    Returns
    -------
    CapacityEstimate
        Frozen record of inputs and results; ``print`` it or call ``.summary()``,
        ``.to_frame()`` or ``.as_dict()``.

    Raises
    ------
    TypeError
        If an argument is not a number (or ``latency_shares`` not a mapping).
    ValueError
        If an argument is out of range; the message names the parameter.

    Examples
    --------
    >>> est = estimate_capacity(dau=100e6, requests_per_user_per_day=10, peak_factor=3,
    ...     candidates_per_request=500, features_per_candidate=200, bytes_per_feature=4,
    ...     model_cost_ms_per_item=0.05, bytes_per_logged_event=500, latency_target_ms=200)
    >>> round(est.peak_qps), est.ranking_machines
    (34722, 55)
    """
    dau = check_number("dau", dau, minimum=0)
    rpu = check_number("requests_per_user_per_day", requests_per_user_per_day, minimum=0)
    peak_factor = check_number("peak_factor", peak_factor, minimum=1)
    candidates = check_number("candidates_per_request", candidates_per_request, minimum=0)
    impressions = check_number("impressions_per_request", impressions_per_request, minimum=0)
    n_features = check_number("features_per_candidate", features_per_candidate, minimum=0)
    bytes_per_feature = check_number("bytes_per_feature", bytes_per_feature, minimum=0)
    event_bytes = check_number("bytes_per_logged_event", bytes_per_logged_event, minimum=0)
    cost = check_number("model_cost_ms_per_item", model_cost_ms_per_item, minimum=0, strict_minimum=True)
    target = check_number("latency_target_ms", latency_target_ms, minimum=0, strict_minimum=True)
    retention = check_number("retention_days", retention_days, minimum=0)
    cores = check_int("cores_per_machine", cores_per_machine, minimum=1, maximum=1_000_000)
    util = check_number("utilisation_target", utilisation_target, minimum=0, strict_minimum=True, maximum=1)
    # Every product below must stay finite; each check names the inputs of one chain of products.
    traffic = {"dau": dau, "requests_per_user_per_day": rpu}
    vector = {"features_per_candidate": n_features, "bytes_per_feature": bytes_per_feature}
    check_finite_product("logged bytes per day",
                         {**traffic, "impressions_per_request": impressions, "bytes_per_logged_event": event_bytes,
                          "retention_days": retention})
    check_finite_product("logged feature bytes per day",
                         {**traffic, "impressions_per_request": impressions, **vector, "retention_days": retention})
    check_finite_product("feature bytes fetched per second at peak",
                         {**traffic, "peak_factor": peak_factor, "candidates_per_request": candidates, **vector})
    check_finite_product("ranking CPU ms per request", {"candidates_per_request": candidates,
                                                        "model_cost_ms_per_item": cost})
    try:
        budget = split_latency_budget(target, latency_shares)
    except (TypeError, ValueError) as exc:  # its messages say `shares`
        raise type(exc)(f"`latency_shares` is invalid: {exc}") from None

    peak = peak_qps(dau, rpu, peak_factor)
    items_peak = items_scored_per_second(peak, candidates)
    vector_bytes = feature_bytes_per_item(n_features, bytes_per_feature)
    log_bytes = storage_per_day(dau, rpu, impressions, event_bytes)
    feature_bytes = storage_per_day(dau, rpu, impressions, vector_bytes)
    total_bytes = log_bytes + feature_bytes

    return CapacityEstimate(
        dau=dau,
        requests_per_user_per_day=rpu,
        peak_factor=peak_factor,
        candidates_per_request=candidates,
        impressions_per_request=impressions,
        features_per_candidate=n_features,
        bytes_per_feature=bytes_per_feature,
        bytes_per_logged_event=event_bytes,
        model_cost_ms_per_item=cost,
        latency_target_ms=target,
        retention_days=retention,
        cores_per_machine=cores,
        utilisation_target=util,
        requests_per_day=requests_per_day(dau, rpu),
        avg_qps=average_qps(dau, rpu),
        peak_qps=peak,
        items_scored_per_second_peak=items_peak,
        feature_vector_bytes=vector_bytes,
        feature_fetch_bytes_per_second_peak=items_peak * vector_bytes,
        log_storage_bytes_per_day=log_bytes,
        feature_storage_bytes_per_day=feature_bytes,
        storage_bytes_per_day=total_bytes,
        storage_bytes_per_retention=storage_for_retention(total_bytes, retention),
        latency_budget_ms=MappingProxyType(budget),
        ranking_cpu_ms_per_request=candidates * cost,
        items_per_second_per_machine=items_per_second_per_machine(
            cost, cores_per_machine=cores, utilisation_target=util
        ),
        ranking_machines=machines_needed(
            items_peak, cost, cores_per_machine=cores, utilisation_target=util
        ),
    )
