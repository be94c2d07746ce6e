"""`manage.py relay_outbox [--loop] [--interval 5]`: hand undelivered outbox events to Celery.

Run it with --loop beside the Celery worker: events written while the broker was down are
published as soon as it is back.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from backend.notifications.outbox import relay_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish outbox events the broker has not received (or lost) to Celery."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep relaying until stopped")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between runs")
        parser.add_argument("--limit", type=int, default=500, help="events per run")

    def handle(self, *args: Any, loop: bool, interval: float, limit: int, **options: Any) -> None:
        if not loop:
            self.stdout.write(f"relayed {relay_pending(limit)} outbox event(s)")
            return
        while True:
            close_old_connections()
            try:
                relayed = relay_pending(limit)
            except Exception:
                # The database may be restarting: keep going, the events wait in the table.
                logger.exception("relaying the outbox failed")
                relayed = 0
            if relayed:
                self.stdout.write(f"relayed {relayed} outbox event(s)")
            if relayed < limit:
                time.sleep(interval)
