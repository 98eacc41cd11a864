"""Storage: how many bytes the system logs per day and keeps over a retention period.

Every shown item (an *impression*) produces a log event; a recommender that trains on what it
served also logs the feature vector it scored each shown item with ("log-and-wait" training
data)::

    events/day        = DAU x requests per user per day x events per request
    bytes/day         = events/day x bytes per event
    bytes a feature vector takes = features per item x bytes per feature
    bytes retained    = bytes/day x retention days

Taught in chapter 01.
"""

from __future__ import annotations

from companion._validation import check_finite_product, check_number

__all__ = ["feature_bytes_per_item", "storage_for_retention", "storage_per_day"]


def storage_per_day(
    dau: float,
    requests_per_user_per_day: float,
    events_per_request: float,
    bytes_per_event: float,
) -> float:
    """Bytes logged per day: ``dau * requests_per_user_per_day * events_per_request * bytes_per_event``.

    Taught in chapter 01.

    Parameters
    ----------
    dau : float
        Daily active users (>= 0).
    requests_per_user_per_day : float
        Requests each active user makes per day (>= 0).
    events_per_request : float
        Logged events per request, e.g. the number of items shown (impressions) per request (>= 0).
    bytes_per_event : float
        Bytes one logged event takes (>= 0). For logged features, pass
        :func:`feature_bytes_per_item`.

    Returns
    -------
    float
        Bytes per day (raw, before replication or compression).

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> storage_per_day(100e6, 10, 10, 500)  # 5 TB/day
    5000000000000.0
    """
    events = check_number("events_per_request", events_per_request, minimum=0)
    size = check_number("bytes_per_event", bytes_per_event, minimum=0)
    dau = check_number("dau", dau, minimum=0)
    rpu = check_number("requests_per_user_per_day", requests_per_user_per_day, minimum=0)
    return check_finite_product("bytes per day", {"dau": dau, "requests_per_user_per_day": rpu,
                                                  "events_per_request": events, "bytes_per_event": size})


def feature_bytes_per_item(features_per_item: float, bytes_per_feature: float) -> float:
    """Bytes of one item's feature vector: ``features_per_item * bytes_per_feature``.

    Taught in chapter 01.

    Parameters
    ----------
    features_per_item : float
        Number of features the ranker reads per candidate (>= 0).
    bytes_per_feature : float
        Bytes per feature value, e.g. 4 for a float32 (>= 0).

    Returns
    -------
    float
        Bytes per feature vector.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> feature_bytes_per_item(200, 4)
    800.0
    """
    n = check_number("features_per_item", features_per_item, minimum=0)
    size = check_number("bytes_per_feature", bytes_per_feature, minimum=0)
    return check_finite_product("bytes per item", {"features_per_item": n, "bytes_per_feature": size})


def storage_for_retention(bytes_per_day: float, retention_days: float) -> float:
    """Bytes kept when ``bytes_per_day`` accumulate for ``retention_days`` days.

    Taught in chapter 01.

    Parameters
    ----------
    bytes_per_day : float
        Bytes written per day (>= 0).
    retention_days : float
        Days the data is kept (>= 0).

    Returns
    -------
    float
        Bytes stored at steady state.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is negative or not finite.

    Examples
    --------
    >>> storage_for_retention(13e12, 90)  # 1.17 PB
    1170000000000000.0
    """
    per_day = check_number("bytes_per_day", bytes_per_day, minimum=0)
    days = check_number("retention_days", retention_days, minimum=0)
    return check_finite_product("bytes retained", {"bytes_per_day": per_day, "retention_days": days})
