"""The application's Prometheus metrics, defined once per process.

Label values are bounded: operation names are the client's `operationName` only when it is a
GraphQL name, and only the first MAX_OPERATION_NAMES distinct ones per process get their own
series (the rest count as `other`), so no client can grow the series without end.
"""

from __future__ import annotations

import re
import threading

from prometheus_client import Counter, Histogram

MAX_OPERATION_NAMES = 300
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_seen_operations: set[str] = set()
_seen_lock = threading.Lock()

HTTP_REQUESTS = Counter(
    "casework_http_requests", "HTTP requests answered", ["method", "endpoint", "status"]
)
GRAPHQL_DURATION = Histogram(
    "casework_graphql_request_duration_seconds",
    "Time to answer a /graphql request, by operation name",
    ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GRAPHQL_ERRORS = Counter(
    "casework_graphql_errors", "Errors returned to clients, by extensions.code", ["code"]
)
DB_QUERIES = Histogram(
    "casework_db_queries_per_request",
    "Database queries run to answer one /graphql request, by operation name",
    ["operation"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
TASKS = Counter("casework_celery_tasks", "Celery tasks finished, by outcome", ["task", "outcome"])
SCHEMA_COMPILE = Histogram(
    "casework_schema_compile_seconds",
    "Time to compile a tenant's GraphQL schema from its published forms",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)


# The first operation's name, when the client sent none (comments may come first).
_FIRST_OPERATION = re.compile(
    r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,63})\b"
)


def operation_name(given: str | None, document: str | None) -> str | None:
    if given:
        return given
    match = _FIRST_OPERATION.match(document or "")
    return match.group(1) if match else None


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "other"
    with _seen_lock:
        if name in _seen_operations:
            return name
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
    return name


def count_error(code: str) -> None:
    GRAPHQL_ERRORS.labels(code=code if _NAME.fullmatch(code) else "other").inc()
