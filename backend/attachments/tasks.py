"""Background work on attachments: the retention purge, run daily by beat."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.attachments.retention import purge_removed_attachments
from backend.tenancy.models import Tenant

logger = logging.getLogger(__name__)


@shared_task(name="attachments.purge_removed_attachments", ignore_result=True)
def purge_removed_attachments_of_all_tenants() -> int:
    purged = 0
    for tenant in Tenant.objects.order_by("pk"):
        try:
            purged += purge_removed_attachments(tenant)
        except Exception:
            logger.exception("attachment retention purge failed for tenant %s", tenant.slug)
    return purged
