"""Celery task outcomes as metrics and log lines; the worker's own metrics port.

The worker serves /metrics on WORKER_METRICS_PORT (no token: the port is reachable only
inside the cluster's network policy, never through the ingress).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import signals
from prometheus_client import start_http_server

from backend.observability.metrics import TASKS

logger = logging.getLogger("casework.tasks")


def _finished(sender: Any, outcome: str) -> None:
    name = getattr(sender, "name", None) or "unknown"
    TASKS.labels(task=name, outcome=outcome).inc()
    logger.info("task %s: %s", name, outcome, extra={"task": name, "outcome": outcome})


def _on_success(sender: Any = None, **kwargs: Any) -> None:
    _finished(sender, "success")


def _on_failure(sender: Any = None, **kwargs: Any) -> None:
    _finished(sender, "failure")


def _on_retry(sender: Any = None, **kwargs: Any) -> None:
    _finished(sender, "retry")


def _serve_worker_metrics(**kwargs: Any) -> None:
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:
        from backend.observability.exposition import process_registry

        start_http_server(int(port), registry=process_registry())


def connect() -> None:
    signals.task_success.connect(_on_success, weak=False)
    signals.task_failure.connect(_on_failure, weak=False)
    signals.task_retry.connect(_on_retry, weak=False)
    signals.worker_init.connect(_serve_worker_metrics, weak=False)
