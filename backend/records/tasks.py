"""Background work on records: the filter indexes a publication calls for."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from backend.records.filtering.indexes import sync_indexes
from backend.tenancy.models import Tenant


@shared_task(name="records.sync_record_indexes", ignore_result=True)
def sync_record_indexes(tenant_id: int) -> None:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is not None:
        sync_indexes(tenant)


def schedule_index_sync(tenant_id: int) -> None:
    """After the publishing transaction commits (CONCURRENTLY waits for open transactions)."""
    transaction.on_commit(lambda: sync_record_indexes.delay(tenant_id))
