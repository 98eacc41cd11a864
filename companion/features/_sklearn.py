"""scikit-learn's input validation, with messages that name the parameter (``X``) like the rest of companion."""

from __future__ import annotations

from typing import Any

from sklearn.utils.validation import validate_data


def validate_X(estimator: Any, X: Any, **kwargs: Any) -> Any:  # noqa: N802 - sklearn's name for the data
    """:func:`sklearn.utils.validation.validate_data`, its ``ValueError``/``TypeError`` prefixed with "`X`".

    The exception type and scikit-learn's own text are kept (its estimator checks match on that text).
    """
    try:
        return validate_data(estimator, X, **kwargs)
    except (ValueError, TypeError) as exc:
        if type(exc) not in (ValueError, TypeError):
            raise
        raise type(exc)(f"`X` is not valid input for {type(estimator).__name__}: {exc}") from exc
