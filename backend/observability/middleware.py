"""Probes and metrics answered before anything else, and one log line plus metrics per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

from backend.health import views as health
from backend.observability import exposition, request_log
from backend.observability.metrics import DB_QUERIES, GRAPHQL_DURATION, HTTP_REQUESTS

logger = logging.getLogger("casework.requests")
GRAPHQL_PATH = "/graphql"
REQUEST_ID_HEADER = "X-Request-ID"

Handler = Callable[[HttpRequest], HttpResponse]

# Kubelets and Prometheus call pods by address, which is not in ALLOWED_HOSTS: these answer
# before Django checks the Host header. None of them builds a URL from it.
PROBES: dict[str, Handler] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": exposition.metrics,
}


class ProbeMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)


def _endpoint(path: str) -> str:
    if path == GRAPHQL_PATH:
        return "graphql"
    if path.startswith("/static/"):
        return "static"
    return "other"


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)


class RequestTelemetryMiddleware:
    """Request id in and out, duration, database queries, status: a log line and metrics."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_log.request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_log.begin(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with connections["default"].execute_wrapper(counter):
                response = self.get_response(request)
            elapsed = time.perf_counter() - started
            self._record(request, response, elapsed, counter.count)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            request_log.end(token)

    def _record(
        self, request: HttpRequest, response: HttpResponse, elapsed: float, queries: int
    ) -> None:
        endpoint = _endpoint(request.path_info)
        method = request.method or ""
        HTTP_REQUESTS.labels(method=method, endpoint=endpoint, status=response.status_code).inc()
        if endpoint == "graphql" and method == "POST":
            operation = request_log.current().get("operation", "anonymous")
            GRAPHQL_DURATION.labels(operation=operation).observe(elapsed)
            DB_QUERIES.labels(operation=operation).observe(queries)
        logger.info(
            "%s %s %s in %.1f ms",
            method,
            request.path_info if endpoint != "other" else "(other)",
            response.status_code,
            elapsed * 1000,
            extra={
                "method": method,
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "db_queries": queries,
            },
        )
