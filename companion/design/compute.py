"""Compute: how many ranking machines the peak load needs.

One core running a model that costs ``c`` milliseconds per item scores ``1000 / c`` items per
second. A machine has several cores, and is run below 100 % so that it absorbs bursts and a
neighbour's failure (the *utilisation target*)::

    items/s per machine = cores x utilisation target x 1000 / model cost (ms per item)
    machines            = ceil(items scored per second at peak / items/s per machine)

Taught in chapter 01.
"""

from __future__ import annotations

import math

from companion._validation import check_finite_product, check_int, check_number

__all__ = ["items_per_second_per_machine", "machines_needed"]

_MAX_CORES = 1_000_000  # far above any machine; keeps the arithmetic in float range

_UTIL_HINT = "The utilisation target is the fraction of each core you plan to use, e.g. 0.5."


def items_per_second_per_machine(
    model_cost_ms_per_item: float,
    *,
    cores_per_machine: int = 32,
    utilisation_target: float = 0.5,
) -> float:
    """Items one machine scores per second at the planned utilisation.

    Taught in chapter 01.

    Parameters
    ----------
    model_cost_ms_per_item : float
        CPU milliseconds the ranking model spends on one item on one core (> 0).
    cores_per_machine : int, default 32
        Cores per serving machine (>= 1).
    utilisation_target : float, default 0.5
        Planned fraction of each core in use, in ``(0, 1]``.

    Returns
    -------
    float
        ``cores_per_machine * utilisation_target * 1000 / model_cost_ms_per_item``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``model_cost_ms_per_item`` is not positive, ``cores_per_machine`` is below 1, or
        ``utilisation_target`` is outside ``(0, 1]``.

    Examples
    --------
    >>> items_per_second_per_machine(0.05, cores_per_machine=32, utilisation_target=0.5)
    320000.0
    """
    cost = check_number("model_cost_ms_per_item", model_cost_ms_per_item, minimum=0, strict_minimum=True)
    cores = check_int("cores_per_machine", cores_per_machine, minimum=1, maximum=_MAX_CORES)
    util = check_number(
        "utilisation_target", utilisation_target, minimum=0, strict_minimum=True, maximum=1, hint=_UTIL_HINT
    )
    return check_finite_product("items/s per machine", {"cores_per_machine": cores, "utilisation_target": util,
                                                         "1000 / model_cost_ms_per_item": 1000.0 / cost})


def machines_needed(
    items_per_second: float,
    model_cost_ms_per_item: float,
    *,
    cores_per_machine: int = 32,
    utilisation_target: float = 0.5,
) -> int:
    """Machines needed to score ``items_per_second`` items at the planned utilisation.

    Taught in chapter 01.

    Parameters
    ----------
    items_per_second : float
        Items to score per second; pass the *peak* rate (>= 0).
    model_cost_ms_per_item : float
        CPU milliseconds per item on one core (> 0).
    cores_per_machine : int, default 32
        Cores per serving machine (>= 1).
    utilisation_target : float, default 0.5
        Planned fraction of each core in use, in ``(0, 1]``.

    Returns
    -------
    int
        The smallest whole number of machines whose planned throughput covers the load
        (before any redundancy such as N+1 or a second region).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``items_per_second`` is negative or another argument is out of range (see
        :func:`items_per_second_per_machine`).

    Examples
    --------
    >>> machines_needed(17_361_111, 0.05, cores_per_machine=32, utilisation_target=0.5)
    55
    """
    load = check_number("items_per_second", items_per_second, minimum=0)
    per_machine = items_per_second_per_machine(
        model_cost_ms_per_item, cores_per_machine=cores_per_machine, utilisation_target=utilisation_target
    )
    machines = load / per_machine
    if not math.isfinite(machines):
        raise ValueError(
            f"`items_per_second` / items per machine overflows a float (items_per_second={load:g}, "
            f"model_cost_ms_per_item={model_cost_ms_per_item!r} gives {per_machine:g} items/s per machine); "
            "check the units of `model_cost_ms_per_item` (milliseconds per item)."
        )
    # Shave a relative 1e-12 so float noise (10.000000000002) does not buy an extra machine.
    return int(math.ceil(machines * (1 - 1e-12)))
