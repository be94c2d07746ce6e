"""The outbox backlog at scrape time: undelivered events and the age of the oldest one."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.notifications.models import OutboxEvent
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant


class OutboxBacklogCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        pending = 0
        oldest = None
        try:
            for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
                with tenant_transaction(tenant_id):  # row-level security: one tenant at a time
                    summary = OutboxEvent.objects.filter(
                        tenant_id=tenant_id, delivered_at__isnull=True
                    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
                pending += summary["count"]
                if summary["oldest"] is not None and (oldest is None or summary["oldest"] < oldest):
                    oldest = summary["oldest"]
        except DatabaseError:
            return  # the database is down: readyz says so; no made-up numbers here
        yield GaugeMetricFamily(
            "casework_outbox_undelivered_events", "Outbox events not yet delivered", pending
        )
        age = (timezone.now() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "casework_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered outbox event (0: none waiting)",
            age,
        )
