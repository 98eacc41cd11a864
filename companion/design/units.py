"""Human-readable units for back-of-the-envelope numbers.

An interview answer says "35 K QPS" and "13 TB/day", not ``34722.2`` and ``13000000000000``.
The two formatters here turn raw counts and byte totals into that form using decimal (SI)
prefixes, which is what capacity estimates use: 1 KB = 1000 B, 1 TB = 10**12 B.

Taught in chapter 01.
"""

from __future__ import annotations

from companion._validation import check_int, check_number

__all__ = ["SECONDS_PER_DAY", "human_bytes", "human_count"]

#: Seconds in a day, the divisor that turns "per day" into "per second".
SECONDS_PER_DAY: int = 86_400

_MAX_DECIMALS = 20  # beyond float precision anyway

_COUNT_PREFIXES = ("", " K", " M", " B", " T")
_BYTE_PREFIXES = ("B", "KB", "MB", "GB", "TB", "PB", "EB")


def _scale(value: float, n_prefixes: int) -> tuple[float, int]:
    """Divide by 1000 until the value is below 1000 (or the prefixes run out)."""
    power = 0
    while abs(value) >= 999.95 and power < n_prefixes - 1:
        value /= 1000.0
        power += 1
    return value, power


def human_count(value: float, *, decimals: int = 1) -> str:
    """Format a count or rate with a decimal suffix: ``34722.2 -> "34.7 K"``.

    Taught in chapter 01.

    Parameters
    ----------
    value : float
        A non-negative count (users, requests, items per second ...).
    decimals : int, default 1
        Digits after the decimal point once a suffix (K, M, B, T) is used. Values below 1000
        are printed with no suffix and, when whole, no decimals.

    Returns
    -------
    str
        For example ``"850"``, ``"11.6 K"``, ``"1.2 M"``, ``"1.0 B"``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number or ``decimals`` is not an integer.
    ValueError
        If ``value`` is negative or not finite, or ``decimals`` is negative.

    Examples
    --------
    >>> human_count(34_722.2)
    '34.7 K'
    >>> human_count(1_200_000)
    '1.2 M'
    >>> human_count(42)
    '42'
    """
    value = check_number("value", value, minimum=0)
    decimals = check_int("decimals", decimals, minimum=0, maximum=_MAX_DECIMALS)
    scaled, power = _scale(value, len(_COUNT_PREFIXES))
    if power == 0:
        return f"{scaled:.0f}" if float(scaled).is_integer() else f"{scaled:.{decimals}f}"
    return f"{scaled:.{decimals}f}{_COUNT_PREFIXES[power]}"


def human_bytes(value: float, *, decimals: int = 1) -> str:
    """Format a number of bytes with a decimal (SI) unit: ``3.4e12 -> "3.4 TB"``.

    Taught in chapter 01.

    Parameters
    ----------
    value : float
        A non-negative number of bytes.
    decimals : int, default 1
        Digits after the decimal point for kB and above (plain bytes are printed whole).

    Returns
    -------
    str
        For example ``"512 B"``, ``"13.9 GB"``, ``"1.2 PB"``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number or ``decimals`` is not an integer.
    ValueError
        If ``value`` is negative or not finite, or ``decimals`` is negative.

    Examples
    --------
    >>> human_bytes(3.4e12)
    '3.4 TB'
    >>> human_bytes(512)
    '512 B'
    """
    value = check_number("value", value, minimum=0)
    decimals = check_int("decimals", decimals, minimum=0, maximum=_MAX_DECIMALS)
    scaled, power = _scale(value, len(_BYTE_PREFIXES))
    if power == 0:
        return f"{scaled:.0f} B"
    return f"{scaled:.{decimals}f} {_BYTE_PREFIXES[power]}"
