"""Latency: splitting an end-to-end p99 target into a budget per serving stage.

A feed request passes through several stages in sequence; the product requirement is one
number (e.g. "p99 under 200 ms"), and each team needs its own share of it. The shares are a
design decision and must account for the whole target, so they are required to sum to 1.

Taught in chapter 01. (Adding per-stage p99s over-estimates the end-to-end p99, since stages
rarely all hit their tail at once; budgeting that way is conservative, which is the point.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from companion._validation import check_number, check_type

__all__ = ["DEFAULT_LATENCY_SHARES", "split_latency_budget"]

#: A typical split for a two-stage recommender (retrieval, then ranking), in serving order.
DEFAULT_LATENCY_SHARES: Mapping[str, float] = MappingProxyType(
    {
        "network_overhead": 0.15,
        "candidate_generation": 0.20,
        "feature_fetch": 0.20,
        "ranking": 0.35,
        "reranking_filters": 0.10,
    }
)

_SUM_TOLERANCE = 1e-6


def split_latency_budget(total_ms: float, shares: Mapping[str, float] | None = None) -> dict[str, float]:
    """Split an end-to-end latency target into per-stage budgets in milliseconds.

    Taught in chapter 01.

    Parameters
    ----------
    total_ms : float
        End-to-end latency target, e.g. the p99 in milliseconds (> 0).
    shares : mapping of str to float, optional
        Fraction of the target each stage gets, in serving order. Every share must be in
        ``[0, 1]`` and they must sum to 1 (within 1e-6). Defaults to
        ``DEFAULT_LATENCY_SHARES``.

    Returns
    -------
    dict of str to float
        ``{stage: budget_ms}`` in the order of ``shares``; the budgets sum to ``total_ms``.

    Raises
    ------
    TypeError
        If ``total_ms`` or a share is not a real number, ``shares`` is not a mapping, or a stage
        name is not a string.
    ValueError
        If ``total_ms`` is not positive, ``shares`` is empty, a share is outside ``[0, 1]``, or
        the shares do not sum to 1.

    Examples
    --------
    >>> split_latency_budget(200, {"retrieval": 0.25, "ranking": 0.75})
    {'retrieval': 50.0, 'ranking': 150.0}
    """
    total_ms = check_number("total_ms", total_ms, minimum=0, strict_minimum=True)
    if shares is None:
        shares = DEFAULT_LATENCY_SHARES
    check_type("shares", shares, Mapping, hint="Pass e.g. {'retrieval': 0.3, 'ranking': 0.7}.")
    if not shares:
        raise ValueError("`shares` must name at least one stage; got an empty mapping.")
    clean: dict[str, float] = {}
    for stage, share in shares.items():
        check_type("shares key", stage, str)
        clean[stage] = check_number(f"shares[{stage!r}]", share, minimum=0, maximum=1)
    total_share = math.fsum(clean.values())
    if abs(total_share - 1.0) > _SUM_TOLERANCE:
        raise ValueError(
            f"`shares` must sum to 1 (every millisecond of the target assigned to a stage); "
            f"got a sum of {total_share:.6g} from {clean}. Rescale the shares so they add up to 1."
        )
    return {stage: total_ms * share / total_share for stage, share in clean.items()}
