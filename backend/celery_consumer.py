"""The worker's broker consumer, reconnecting promptly once the broker is back.

Celery's consumer retries a lost broker connection after 2, 4, 6 ... up to 30 seconds
(kombu's defaults, which Celery offers no setting for): after a minute-long outage the
worker would sit idle up to half a minute after the broker returned, while the relay's
messages wait. Here the pause between attempts grows to BROKER_RECONNECT_MAX_SECONDS.
"""

from __future__ import annotations

import functools
from typing import Any

from celery.worker.consumer import Consumer as CeleryConsumer
from django.conf import settings


class Consumer(CeleryConsumer):
    def ensure_connected(self, conn: Any) -> Any:
        longest = settings.BROKER_RECONNECT_MAX_SECONDS
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=min(1.0, longest),
            interval_step=1.0,
            interval_max=longest,
        )
        try:
            return super().ensure_connected(conn)
        finally:
            del conn.ensure_connection  # the class's method again
