"""Background work of matching."""

from __future__ import annotations

from celery import shared_task

from backend.matching.blocking import rebuild_tenant_keys
from backend.tenancy.models import Tenant


@shared_task(name="matching.rebuild_match_keys", ignore_result=True)
def rebuild_match_keys(tenant_id: int) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    return rebuild_tenant_keys(tenant) if tenant is not None else 0
