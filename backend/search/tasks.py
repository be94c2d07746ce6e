"""Background work of the search index."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from backend.search.indexing import rebuild_tenant_index
from backend.tenancy.models import Tenant


@shared_task(name="search.rebuild_search_index", ignore_result=True)
def rebuild_search_index(tenant_id: int) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    return rebuild_tenant_index(tenant) if tenant is not None else 0


def on_forms_published(sender: object, *, tenant: Tenant, **_: object) -> None:
    """After a publication commits, rebuild the tenant's index in the background (at once,
    in-process, where tasks run eagerly): which fields are searchable may have changed."""
    tenant_id = tenant.pk
    transaction.on_commit(lambda: rebuild_search_index.delay(tenant_id), robust=True)
