"""Records of every type in one table, with their per-write history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from backend.database.json import FastJSONDecoder
from backend.tenancy.models import Agency, Tenant


class Record(models.Model):
    """A case, incident, tracing request, ...: flat JSONB data validated by its forms."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="records")
    record_type = models.SlugField(max_length=63)
    short_id = models.CharField(max_length=12)
    status = models.CharField(max_length=20, default="open")  # open, closed, reopened
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    workflow_stage = models.CharField(max_length=40, blank=True)
    # The module (programme) the record belongs to; null where its type has no modules
    module = models.CharField(max_length=63, null=True, blank=True)  # noqa: DJ001 (null: none)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    group_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    associated_user_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    location_path = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, decoder=FastJSONDecoder)
    # field name -> revision of the write that last changed it
    field_revs = models.JSONField(default=dict, decoder=FastJSONDecoder)
    # form key -> version number the record was last written with
    form_versions = models.JSONField(default=dict, decoder=FastJSONDecoder)
    revision = models.PositiveIntegerField(default=1)
    # From one sequence across all records: the cursor of offline sync.
    change_seq = models.BigIntegerField(
        db_default=models.Func(models.Value("record_change_seq"), function="nextval")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Set with deleted_at when the record was merged into another (a duplicate of it).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "record_type", "short_id"], name="short_id_per_type"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "record_type", "created_at"]),
            models.Index(fields=["tenant", "record_type", "updated_at"]),
            models.Index(fields=["tenant", "change_seq"]),
            models.Index(fields=["tenant", "owner"]),
            models.Index(fields=["tenant", "record_type", "module"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.short_id}"


class RecordHistory(models.Model):
    """One row per write; append-only (the runtime role may not update or delete it)."""

    class Source(models.TextChoices):
        WEB = "web"
        SYNC = "sync"
        IMPORT = "import"
        API = "api"
        SYSTEM = "system"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="history")
    revision = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    client_mutation_id = models.CharField(max_length=100, blank=True)
    # The device a sync write came from (sync.Device; no foreign key: records knows no sync).
    device_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=40, default="update")
    # {field: [old, new]}
    diff = models.JSONField(default=dict, decoder=FastJSONDecoder)

    class Meta:
        ordering = ["record_id", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["record", "revision"], name="one_history_per_revision")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} r{self.revision}"
