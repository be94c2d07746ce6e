"""Delivering outbox events, relaying the ones the broker missed, and periodic alerts."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.notifications import outbox
from backend.notifications.overdue import raise_overdue_service_alerts
from backend.tenancy.models import Tenant

logger = logging.getLogger(__name__)


@shared_task(name="notifications.deliver_event", ignore_result=True)
def deliver_event(tenant_id: int, event_id: str) -> bool:
    """Deliver one outbox event; a second delivery of the same event does nothing."""
    return outbox.deliver(tenant_id, event_id)


@shared_task(name="notifications.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Publish events that were never relayed (broker down at commit) or got lost."""
    return outbox.relay_pending()


@shared_task(name="notifications.raise_overdue_service_alerts", ignore_result=True)
def raise_overdue_service_alerts_for_all_tenants() -> int:
    raised = 0
    for tenant in Tenant.objects.order_by("pk"):
        try:
            raised += raise_overdue_service_alerts(tenant)
        except Exception:
            logger.exception("overdue service alerts failed for tenant %s", tenant.slug)
    return raised
