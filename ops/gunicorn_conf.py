"""gunicorn settings of `make run` and of the container: each worker compiles the tenants'
schemas before it takes a request, so the first signed-in request is as fast as the rest, and
then watches for publishes to compile their schemas in the background."""

from __future__ import annotations

import logging
import os
from typing import Any

logger = logging.getLogger("ops.gunicorn")

# Idle keep-alive connections stay open this long (gunicorn's default is 2 s). A client that
# pauses longer than that between requests races the server closing its connection: under
# load, 1 request in about 1,800 failed to connect. Behind a proxy, keep it above the
# proxy's own idle timeout (60 s on common load balancers).
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "75"))


def post_worker_init(worker: Any) -> None:
    from django.db import connections

    from backend.collector import settle
    from graphql_schema.registry import warm_schemas
    from graphql_schema.schema_warming import start_watching

    try:
        warm_schemas()
    except Exception:  # a server that cannot warm up still serves: it compiles on first use
        logger.warning("could not compile the tenants' schemas at start", exc_info=True)
    finally:
        connections.close_all()
    settle()
    start_watching()


def child_exit(server: Any, worker: Any) -> None:
    """Drop an exited worker's live gauges from the merged Prometheus samples."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
