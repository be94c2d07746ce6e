"""Background work of the search index."""

from __future__ import annotations

from celery import shared_task

from backend.search.indexing import rebuild_tenant_index
from backend.tenancy.models import Tenant


@shared_task(name="search.rebuild_search_index", ignore_result=True)
def rebuild_search_index(tenant_id: int) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    return rebuild_tenant_index(tenant) if tenant is not None else 0
