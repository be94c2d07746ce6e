"""Fixed-window attempt counters in PostgreSQL, shared by every server process.

Each count is one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on a connection of its
own in autocommit: the increment is atomic (two processes never read the same count), it is
committed at once whatever the request's transaction then does, and the row lock lasts one
statement, not a whole sign-in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from backend.accounts.models import SignInAttemptWindow

_TABLE = SignInAttemptWindow._meta.db_table
# Expired windows deleted by each new window: more than one per new row, so the table holds
# the live windows and a bounded tail, without a periodic job.
SWEEP_BATCH = 100

# Table name from the model, values as parameters.
_COUNT_SQL = f"""
    WITH now AS (SELECT statement_timestamp() AS at),
    window_bounds AS (
        SELECT to_timestamp(floor(extract(epoch FROM at) / %(window)s) * %(window)s) AS start
        FROM now
    )
    INSERT INTO {_TABLE} AS counted (bucket, window_start, expires_at, attempts)
    SELECT bucket, start, start + make_interval(secs => %(window)s), 1
    FROM unnest(%(buckets)s::text[]) WITH ORDINALITY AS b(bucket, position), window_bounds
    ORDER BY position
    ON CONFLICT (bucket, window_start) DO UPDATE SET attempts = counted.attempts + 1
    RETURNING bucket, attempts,
        ceil(extract(epoch FROM expires_at - (SELECT at FROM now)))::integer
"""  # noqa: S608

_SWEEP_SQL = f"""
    DELETE FROM {_TABLE} WHERE (bucket, window_start) IN (
        SELECT bucket, window_start FROM {_TABLE}
        WHERE expires_at <= statement_timestamp()
        LIMIT %(batch)s FOR UPDATE SKIP LOCKED
    )
"""  # noqa: S608

_local = threading.local()


@dataclass(frozen=True)
class WindowCounts:
    """Attempts counted so far in the current window, per bucket, and the seconds left."""

    attempts: dict[str, int]
    seconds_left: int


def count_attempts(buckets: Iterable[str], window_seconds: int) -> WindowCounts:
    """Count one attempt for each bucket in the current window of the database clock."""
    # One lock order for every caller: concurrent counts of the same buckets cannot deadlock.
    keys = sorted(set(buckets))
    with _counter_cursor() as cursor:
        cursor.execute(_COUNT_SQL, {"buckets": keys, "window": window_seconds})
        rows = cursor.fetchall()
        if any(attempts == 1 for _, attempts, _ in rows):
            cursor.execute(_SWEEP_SQL, {"batch": SWEEP_BATCH})
    return WindowCounts(
        attempts={bucket: attempts for bucket, attempts, _ in rows},
        seconds_left=max((left for _, _, left in rows), default=window_seconds),
    )


def forget_all_attempts() -> None:
    """Delete every count: all throttled buckets start afresh (tests, or an operator)."""
    with _counter_cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608


def close_connection() -> None:
    """Close this thread's counter connection (before its database is dropped)."""
    connection: BaseDatabaseWrapper | None = getattr(_local, "connection", None)
    if connection is not None:
        connection.close()
        _local.connection = None


@contextmanager
def _counter_cursor() -> Iterator[CursorWrapper]:
    connection: BaseDatabaseWrapper | None = getattr(_local, "connection", None)
    if connection is None:
        # This thread's own connection to the default database: outside Django's request
        # handling, so outside the request's transaction.
        connection = connections.create_connection(DEFAULT_DB_ALIAS)
        _local.connection = connection
    else:
        # As Django does for its own connections per request: drop it when too old or
        # broken (with CONN_HEALTH_CHECKS, checked before the next statement).
        connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        yield cursor
