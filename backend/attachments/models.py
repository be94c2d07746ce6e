"""Files attached to a record's attachment fields (photo, audio, document, signature)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.records.models import Record
from backend.tenancy.models import Tenant


class Attachment(models.Model):
    """One stored file. Removing it keeps the row (and the file) as history: only a retention
    job purges them. `storage_name` is a random id, never the user's file name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="attachments")
    # The stored path of the field: `photo_profile`, or `photos.photo_file` inside the subform
    # entry `entry_uid`.
    field_name = models.CharField(max_length=201)
    entry_uid = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=200)
    thumbnail_name = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    client_mutation_id = models.CharField(max_length=100, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["record", "field_name"])]
        constraints = [
            # A re-sent upload (same user, same clientMutationId) stores nothing twice.
            models.UniqueConstraint(
                fields=["tenant", "created_by", "client_mutation_id"],
                condition=~models.Q(client_mutation_id=""),
                name="one_attachment_per_client_mutation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.field_name} {self.pk}"
