"""Compile a tenant's new schema in the background when its configuration changes.

A publish (or a module, setting or bundle import) bumps the tenant's `config_version` in the
database. Each web worker watches those versions with one small query every
SCHEMA_WATCH_SECONDS and compiles the new schema on a thread of its own, so the requests
after a publish find it compiled instead of each worker compiling on a user's request.
A request that comes before the watcher has run still compiles (once: concurrent requests
wait for the same compile), so a publish is never served late.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections

from backend.collector import settle
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

logger = logging.getLogger("graphql_schema.warming")


class ConfigWatcher:
    def __init__(self) -> None:
        self.versions: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> list[int]:
        """Compile the schema of every tenant whose configuration changed since the last
        poll; returns their ids. The first poll only notes the versions."""
        from graphql_schema.registry import schema_for_tenant

        first = not self.versions
        changed = []
        for tenant in Tenant.objects.order_by("pk"):
            if self.versions.get(tenant.pk) == tenant.config_version:
                continue
            if not first:
                try:
                    with tenant_transaction(tenant.pk):
                        schema_for_tenant(tenant)
                except Exception:  # not noted as compiled: the next poll tries it again
                    logger.warning(
                        "could not compile tenant %s's new schema", tenant.pk, exc_info=True
                    )
                    continue
                changed.append(tenant.pk)
            self.versions[tenant.pk] = tenant.config_version
        if changed:
            settle()  # the new schemas join the objects collections skip
        return changed

    def start(self, interval: float) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="schema-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # the next poll tries again; requests compile meanwhile
                logger.warning("could not compile a changed schema", exc_info=True)
            finally:
                connections.close_all()  # this thread's connections only
            self._stop.wait(interval)


def start_watching() -> ConfigWatcher | None:
    interval = settings.SCHEMA_WATCH_SECONDS
    if interval <= 0:
        return None
    watcher = ConfigWatcher()
    watcher.start(interval)
    return watcher
