"""Traffic: from daily active users to queries per second, and to items scored per second.

The first numbers of every capacity estimate::

    requests/day          = DAU x requests per user per day
    average QPS           = requests/day / 86 400 s
    peak QPS              = average QPS x peak factor        (peak factor = peak / average >= 1)
    items scored / second = QPS x candidates per request     (what the ranker actually sees)

Taught in chapter 01.
"""

from __future__ import annotations

from companion._validation import check_finite_product, check_number
from companion.design.units import SECONDS_PER_DAY

__all__ = ["average_qps", "items_scored_per_second", "peak_qps", "requests_per_day"]

_PEAK_HINT = "The peak factor is peak traffic / average traffic, so it is at least 1 (typically 2-5)."


def requests_per_day(dau: float, requests_per_user_per_day: float) -> float:
    """Requests per day: ``dau * requests_per_user_per_day``.

    Taught in chapter 01.

    Parameters
    ----------
    dau : float
        Daily active users (>= 0).
    requests_per_user_per_day : float
        Requests (feed loads, searches ...) each active user makes per day (>= 0).

    Returns
    -------
    float
        Requests per day.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> requests_per_day(100e6, 10)
    1000000000.0
    """
    dau = check_number("dau", dau, minimum=0)
    rpu = check_number("requests_per_user_per_day", requests_per_user_per_day, minimum=0)
    return check_finite_product("requests per day", {"dau": dau, "requests_per_user_per_day": rpu})


def average_qps(dau: float, requests_per_user_per_day: float) -> float:
    """Average queries per second over a day: ``dau * requests_per_user_per_day / 86_400``.

    Taught in chapter 01.

    Parameters
    ----------
    dau : float
        Daily active users (>= 0).
    requests_per_user_per_day : float
        Requests each active user makes per day (>= 0).

    Returns
    -------
    float
        Average requests per second.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> round(average_qps(100e6, 10))
    11574
    """
    return requests_per_day(dau, requests_per_user_per_day) / SECONDS_PER_DAY


def peak_qps(dau: float, requests_per_user_per_day: float, peak_factor: float) -> float:
    """Peak queries per second: the average QPS times the peak-to-average factor.

    Taught in chapter 01. Systems are sized for the peak, not for the average.

    Parameters
    ----------
    dau : float
        Daily active users (>= 0).
    requests_per_user_per_day : float
        Requests each active user makes per day (>= 0).
    peak_factor : float
        Peak traffic divided by average traffic (>= 1).

    Returns
    -------
    float
        Requests per second at the daily peak.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``dau`` or ``requests_per_user_per_day`` is negative, or ``peak_factor`` is below 1.

    Examples
    --------
    >>> round(peak_qps(100e6, 10, 3))
    34722
    """
    peak_factor = check_number("peak_factor", peak_factor, minimum=1, hint=_PEAK_HINT)
    return check_finite_product("peak QPS", {"average_qps": average_qps(dau, requests_per_user_per_day),
                                             "peak_factor": peak_factor})


def items_scored_per_second(qps: float, candidates_per_request: float) -> float:
    """Items the ranking model scores per second: ``qps * candidates_per_request``.

    Taught in chapter 01. The ranker's load is not the request rate but the request rate times
    the number of candidates that stage-1 retrieval hands it.

    Parameters
    ----------
    qps : float
        Requests per second (use the peak QPS to size the fleet), >= 0.
    candidates_per_request : float
        Candidates that retrieval passes to the ranker for each request (>= 0).

    Returns
    -------
    float
        Items scored per second.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> items_scored_per_second(1000.0, 500)
    500000.0
    """
    qps = check_number("qps", qps, minimum=0)
    candidates = check_number("candidates_per_request", candidates_per_request, minimum=0)
    return check_finite_product("items scored per second", {"qps": qps, "candidates_per_request": candidates})
