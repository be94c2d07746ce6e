"""A database that cannot be reached is an outage, not a fault of the request: the client
is told so (503 SERVICE_UNAVAILABLE) and sends the request again once it is back."""

from __future__ import annotations

import psycopg
from django.db import InterfaceError, OperationalError

# Connection exceptions (class 08) and the server shutting down or starting up (57P01-03).
_UNREACHABLE_STATES = {"57P01", "57P02", "57P03"}
RETRY_AFTER_SECONDS = 5


def is_outage(error: BaseException | None) -> bool:
    """True for Django's error when the server refused, dropped or never answered the
    connection; False for every other database error (a deadlock, a timeout, a bad query)."""
    if isinstance(error, InterfaceError):  # the connection was already closed under us
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if not isinstance(cause, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = cause.sqlstate
    return state is None or state.startswith("08") or state in _UNREACHABLE_STATES
