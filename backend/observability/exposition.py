"""GET /metrics: Prometheus text format, for a scraper that sends `Bearer $METRICS_TOKEN`.

Without METRICS_TOKEN the endpoint does not exist (404); a wrong or missing token gets 401.
Under gunicorn or Celery with PROMETHEUS_MULTIPROC_DIR set, the samples of every child process
are merged. The outbox backlog is read from the database at scrape time.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from backend.observability.outbox_backlog import OutboxBacklogCollector


def process_registry() -> CollectorRegistry | Collector:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _authorized(request: HttpRequest, expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


def metrics(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    if not expected:
        return HttpResponse(status=404)
    if not _authorized(request, expected):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    backlog = CollectorRegistry()
    backlog.register(OutboxBacklogCollector())
    body = generate_latest(process_registry()) + generate_latest(backlog)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
