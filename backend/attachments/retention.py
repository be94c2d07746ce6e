"""Purging removed attachments once their retention has passed: the row and the stored files.

A removed attachment stays as history (its row and its file) for ATTACHMENT_RETENTION_DAYS;
after that both go. Rows are deleted first, in a committed batch, and only then the files:
a crash in between leaves an orphan file, never a row whose file is gone.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.attachments.models import Attachment
from backend.attachments.storage import discard
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

BATCH = 500


def retention() -> timedelta:
    return timedelta(days=int(settings.ATTACHMENT_RETENTION_DAYS))


def purge_removed_attachments(tenant: Tenant, *, older_than: timedelta | None = None) -> int:
    """Delete the tenant's attachments removed longer ago than the retention, with their
    files; how many went."""
    cutoff = timezone.now() - (older_than if older_than is not None else retention())
    purged = 0
    while True:
        with tenant_transaction(tenant.pk):
            due = list(
                Attachment.objects.filter(tenant=tenant, removed_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .order_by("removed_at")
                .values_list("pk", "storage_name", "thumbnail_name")[:BATCH]
            )
            Attachment.objects.filter(pk__in=[pk for pk, _, _ in due]).delete()
        if not due:
            return purged
        discard(*(name for _, file, thumbnail in due for name in (file, thumbnail)))
        purged += len(due)
